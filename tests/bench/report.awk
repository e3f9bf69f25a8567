# report.awk: turns the bench's CSV files into its tables (awk -F, -f).
#   -v out=csv|text|md  input raw.csv: one row per (workload, peer) over the
#                       repetitions (rep >= 1; rep 0 is the warm-up)
#   -v out=memcsv|memtext|memmd  input mem.csv
#   -v out=rstext|rsmd  input restart.csv      -v out=dktext|dkmd  input disk.csv
#   -v out=chart -v col=ref|limit  input summary.csv: a matrix for gnuplot
#   -v ref=PEER -v limit=PEER -v workloads="w ..." -v peers="p ..."
#   -v self=accel -v passref=nginx-proxy: a line of their ratios under the table
#   -v diskself=accel-lmdb -v diskwl=zipf-disk: a line of diskself's ratios
#                       to the other peers on diskwl

function sortn(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
}
function median(a, n) {
	if (n == 0) return ""
	sortn(a, n)
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# median of the values stored as S[key, 1..N[key]]
function med(S, N, key,    i, t, n) {
	n = N[key] + 0
	for (i = 1; i <= n; i++) t[i] = S[key, i]
	return median(t, n)
}
function fmt(v, f) { return (v == "") ? "-" : sprintf(f, v) }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }

BEGIN {
	nw = split(workloads, W, " ")
	np = split(peers, P, " ")
}

NR == 1 { next }

out == "csv" || out == "text" || out == "md" {
	if ($3 + 0 < 1) next
	k = $1 SUBSEP $2
	seen[k] = 1
	if ($10 + 0 < 0) { failed[k]++; next }
	n = ++runs[k]
	rps[k, n] = $6; mib[k, n] = $7; p99[k, n] = $9
	err[k] += $10
	if ($17 != "") { nh = ++nhit[k]; hit[k, nh] = $17 }
	if ($18 != "" && $4 > 0) { nc = ++ncpu[k]; cpu[k, nc] = $18 * 1e6 / $4 }
	next
}

out ~ /^mem/ {
	m[$1] = 1; mobj[$1] = $2; r0[$1] = $3; r1[$1] = $4; dk[$1] = $5
	next
}

out ~ /^rs/ || out ~ /^dk/ {
	rows[++nrows] = $0
	next
}

out == "chart" {
	v = (col == "ref") ? $12 : $13
	val[$1, $2] = v
	if (v != "") has[$2] = 1
	next
}

END {
	if (out == "csv" || out == "text" || out == "md") {
		for (i = 1; i <= nw; i++) for (j = 1; j <= np; j++) {
			k = W[i] SUBSEP P[j]
			if (!(k in seen)) continue
			n = runs[k] + 0
			for (x = 1; x <= n; x++) t[x] = rps[k, x]
			sortn(t, n)
			RM[k] = median(t, n); RMIN[k] = (n ? t[1] : ""); RMAX[k] = (n ? t[n] : "")
			MB[k] = med(mib, runs, k); LAT[k] = med(p99, runs, k); HR[k] = med(hit, nhit, k)
			CPU[k] = med(cpu, ncpu, k)
		}
		if (out == "csv")
			print "workload,peer,runs,failed_runs,rps_median,rps_min,rps_max,mib_s_median,p99_ms_median,hit_ratio_median,errors,x_" ref ",x_" limit ",cpu_us_per_req_median"
		else if (out == "text") {
			printf "%-12s %-15s %28s %9s %9s %6s %7s %9s %8s\n", "workload", "peer", "req/s median (min..max)", "MiB/s", "p99 ms", "hit %", "errors", "x " ref, "x limit"
		} else {
			print "| workload | peer | req/s median (min..max) | MiB/s | p99 ms | hit % | errors | x " ref " | x limit |"
			print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
		}
		for (i = 1; i <= nw; i++) {
			first = 1
			for (j = 1; j <= np; j++) {
				k = W[i] SUBSEP P[j]
				if (!(k in seen)) continue
				xr = ratio(RM[k], RM[W[i] SUBSEP ref]); xl = ratio(RM[k], RM[W[i] SUBSEP limit])
				e = err[k] + 0
				if (out == "csv") {
					printf "%s,%s,%d,%d,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s\n", W[i], P[j], runs[k], failed[k], RM[k], RMIN[k], RMAX[k], MB[k], LAT[k], HR[k], e, (xr == "" ? "" : sprintf("%.3f", xr)), (xl == "" ? "" : sprintf("%.3f", xl)), (CPU[k] == "" ? "" : sprintf("%.2f", CPU[k]))
					continue
				}
				rr = (RM[k] == "") ? "failed" : sprintf("%.0f (%.0f..%.0f)", RM[k], RMIN[k], RMAX[k])
				if (failed[k]) rr = rr " " failed[k] " failed"
				hp = (HR[k] == "") ? "-" : sprintf("%.1f", HR[k] * 100)
				if (out == "text") {
					if (first && i > 1) print ""
					printf "%-12s %-15s %28s %9s %9s %6s %7d %9s %8s\n", (first ? W[i] : ""), P[j], rr, fmt(MB[k], "%.1f"), fmt(LAT[k], "%.2f"), hp, e, fmt(xr, "%.2f"), fmt(xl, "%.2f")
				} else
					printf "| %s | %s | %s | %s | %s | %s | %d | %s | %s |\n", (first ? W[i] : ""), P[j], rr, fmt(MB[k], "%.1f"), fmt(LAT[k], "%.2f"), hp, e, fmt(xr, "%.2f"), fmt(xl, "%.2f")
				first = 0
			}
		}
		# accel against the pass-through reference, workload by workload
		line = ""
		for (i = 1; i <= nw; i++) {
			x = ratio(RM[W[i] SUBSEP self], RM[W[i] SUBSEP passref])
			if (x != "") line = line sprintf("%s%s %.2f", (line == "" ? "" : ", "), W[i], x)
		}
		if (line != "" && out != "csv") {
			print ""
			printf "%s / %s (req/s, medians): %s\n", self, passref, line
		}
		# the disk peer against the others on the disk-bound workload
		line = ""
		ds = diskwl SUBSEP diskself
		for (j = 1; j <= np; j++) {
			if (P[j] == diskself) continue
			x = ratio(RM[ds], RM[diskwl SUBSEP P[j]])
			if (x != "") line = line sprintf("%s%s %.2f", (line == "" ? "" : ", "), P[j], x)
		}
		if (line != "" && out != "csv") {
			if (out == "md") print ""
			printf "%s on %s (req/s, medians) / %s\n", diskself, diskwl, line
			# the server's CPU time per request: what a noisy machine
			# disturbs least (each server has one core)
			line = ""
			for (j = 1; j <= np; j++) {
				k = diskwl SUBSEP P[j]
				if (CPU[k] != "") line = line sprintf("%s%s %.1f", (line == "" ? "" : ", "), P[j], CPU[k])
			}
			if (line != "") {
				if (out == "md") print ""
				printf "server CPU per request on %s (us, medians): %s\n", diskwl, line
			}
		}
	}
	if (out ~ /^mem/) {
		if (out == "memcsv") print "peer,objects,rss_before_mib,rss_after_mib,rss_growth_mib,bytes_per_object,disk_mib,x_" ref "_growth"
		else if (out == "memtext") printf "%-15s %8s %14s %13s %10s %10s %9s %12s\n", "memory", "objects", "RSS before MiB", "RSS after MiB", "growth MiB", "B/object", "disk MiB", "x " ref
		else {
			print "| memory | objects | RSS before MiB | RSS after MiB | growth MiB | B/object | disk MiB | growth x " ref " |"
			print "|---|--:|--:|--:|--:|--:|--:|--:|"
		}
		refg = (ref in m) ? r1[ref] - r0[ref] : ""
		for (j = 1; j <= np; j++) {
			p = P[j]
			if (!(p in m)) continue
			g = r1[p] - r0[p]
			xg = ratio(g, refg)
			bpo = (mobj[p] > 0) ? g * 1024 / mobj[p] : ""
			if (out == "memcsv")
				printf "%s,%d,%.1f,%.1f,%.1f,%s,%.1f,%s\n", p, mobj[p], r0[p] / 1024, r1[p] / 1024, g / 1024, fmt(bpo, "%.0f"), dk[p] / 1024, (xg == "" ? "" : sprintf("%.3f", xg))
			else if (out == "memtext")
				printf "%-15s %8d %14.1f %13.1f %10.1f %10s %9.1f %12s\n", p, mobj[p], r0[p] / 1024, r1[p] / 1024, g / 1024, fmt(bpo, "%.0f"), dk[p] / 1024, fmt(xg, "%.2f")
			else
				printf "| %s | %d | %.1f | %.1f | %.1f | %s | %.1f | %s |\n", p, mobj[p], r0[p] / 1024, r1[p] / 1024, g / 1024, fmt(bpo, "%.0f"), dk[p] / 1024, fmt(xg, "%.2f")
		}
	}
	if (out ~ /^rs/ && nrows > 0) {
		# restart.csv: peer,objects,stored,load_s,stop_s,killed,listen_s,
		# first_ok_s,first_hit_s,misses_first,rps_before,ratio_before,
		# rps_after,ratio_after,rss_idle_mib,anon_idle_mib,rss_loaded_mib,
		# anon_loaded_mib,rss_up_mib,anon_up_mib
		if (out == "rstext")
			printf "%-15s %8s %8s %7s %8s %6s %12s %12s %12s %12s\n", "restart", "objects", "stored", "stop s", "listen s", "up s", "first hit s", "ratio before", "ratio after", "after/before"
		else {
			print "| restart | objects | stored | stop s | listen s | up s | first hit s | ratio before | ratio after | after/before |"
			print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		}
		for (i = 1; i <= nrows; i++) {
			split(rows[i], f, ",")
			ab = ratio(f[14], f[12])
			stop = f[5] (f[6] == 1 ? " (killed)" : "")
			up = (f[8] == "") ? "never" : f[8]
			fh = (f[9] == "") ? "none" : f[9]
			ls = (f[7] == "") ? "-" : f[7]
			if (out == "rstext")
				printf "%-15s %8d %8s %7s %8s %6s %12s %12s %12s %12s\n", f[1], f[2], (f[3] == "" ? "-" : f[3]), stop, ls, up, fh, fmt(f[12], "%.4f"), fmt(f[14], "%.4f"), fmt(ab, "%.3f")
			else
				printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], (f[3] == "" ? "-" : f[3]), stop, ls, up, fh, fmt(f[12], "%.4f"), fmt(f[14], "%.4f"), fmt(ab, "%.3f")
		}
		# the memory of each peer's processes: idle and empty, loaded (before
		# the stop), up (at the first hit after the restart); the anonymous
		# memory the restarted peer holds beyond its idle start, per object
		nm = 0
		for (i = 1; i <= nrows; i++) if (split(rows[i], f, ",") >= 20) nm++
		if (nm > 0) {
			print ""
			if (out == "rstext")
				printf "%-15s %8s %9s %9s %10s %11s %8s %8s %13s\n", "restart memory", "stored", "RSS idle", "anon idle", "RSS loaded", "anon loaded", "RSS up", "anon up", "anon B/obj up"
			else {
				print "| restart memory | stored | RSS idle MiB | anon idle MiB | RSS loaded MiB | anon loaded MiB | RSS up MiB | anon up MiB | anon B/object up |"
				print "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
			}
			for (i = 1; i <= nrows; i++) {
				if (split(rows[i], f, ",") < 20) continue
				no = (f[3] + 0 > 0) ? f[3] : f[2]
				bpo = (f[20] == "" || no + 0 == 0) ? "" : (f[20] - f[16]) * 1048576 / no
				if (out == "rstext")
					printf "%-15s %8s %9s %9s %10s %11s %8s %8s %13s\n", f[1], (f[3] == "" ? "-" : f[3]), fmt(f[15], "%.1f"), fmt(f[16], "%.1f"), fmt(f[17], "%.1f"), fmt(f[18], "%.1f"), fmt(f[19], "%.1f"), fmt(f[20], "%.1f"), fmt(bpo, "%.1f")
				else
					printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], (f[3] == "" ? "-" : f[3]), fmt(f[15], "%.1f"), fmt(f[16], "%.1f"), fmt(f[17], "%.1f"), fmt(f[18], "%.1f"), fmt(f[19], "%.1f"), fmt(f[20], "%.1f"), fmt(bpo, "%.1f")
			}
			if (out == "rstext") {
				print "MiB, summed over each peer's processes. idle: fresh and empty; loaded: before the stop;"
				print "up: at the first hit after the restart. anon: RssAnon (not file-backed, not shared)."
				print "anon B/obj up: (anon up - anon idle) x 2^20 / stored."
			} else {
				print ""
				print "MiB, summed over each peer's processes. idle: fresh and empty; loaded: before the stop; up: at the first hit after the restart. anon: RssAnon (not file-backed, not shared). anon B/object up: (anon up - anon idle) x 2^20 / stored."
			}
		}
	}
	if (out ~ /^dk/ && nrows > 0) {
		# disk.csv: peer,objects,stored,reported_bytes,du_before,du_after,
		# apparent_bytes,what
		if (out == "dktext")
			printf "%-15s %8s %8s %12s %11s %14s %9s  %s\n", "disk", "objects", "stored", "B/object own", "B/object du", "du growth B/obj", "du MiB", "own count"
		else {
			print "| disk | objects | stored | B/object (own count) | B/object (du) | du growth B/object | du MiB | own count |"
			print "|---|--:|--:|--:|--:|--:|--:|---|"
		}
		for (i = 1; i <= nrows; i++) {
			split(rows[i], f, ",")
			no = (f[3] + 0 > 0) ? f[3] : f[2]
			own = (f[4] == "") ? "" : f[4] / no
			dpo = f[6] / no; grow = (f[6] - f[5]) / no
			if (out == "dktext")
				printf "%-15s %8d %8s %12s %11.0f %14.0f %9.1f  %s\n", f[1], f[2], (f[3] == "" ? "-" : f[3]), fmt(own, "%.0f"), dpo, grow, f[6] / 1048576, f[8]
			else
				printf "| %s | %d | %s | %s | %.0f | %.0f | %.1f | %s |\n", f[1], f[2], (f[3] == "" ? "-" : f[3]), fmt(own, "%.0f"), dpo, grow, f[6] / 1048576, f[8]
		}
	}
	if (out == "chart") {
		# columns: the peers that have a ratio, less the one it is relative to
		# every peer in both panels, so that a peer has the same colour in each
		hdr = "workload"; nc = 0
		for (j = 1; j <= np; j++) if (P[j] in has) { C[++nc] = P[j]; hdr = hdr " " P[j] }
		print hdr
		for (i = 1; i <= nw; i++) {
			line = W[i]
			for (j = 1; j <= nc; j++) {
				v = val[W[i], C[j]]
				line = line " " (v == "" ? "?" : v)
			}
			print line
		}
	}
}
