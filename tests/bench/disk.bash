# disk.bash: the disk tier's phases of run.sh. Sourced by run.sh after
# peers.bash; the functions use run.sh's globals (RES, PEERS, CONNS, the
# origin, PPORT/PPID_, start_peer, load_objects, run_one, run_wrk).
#
#   zipf-disk  Zipf(1.0) over ZD_N URLs of 16 KiB (ten times the 64 MiB RAM
#              tier), after every URL was loaded once: req/s and hit %.
#   restart    RS_N objects of 1 KiB loaded, RS_WIN s of Zipf over them (the
#              hit ratio before), a clean stop (SIGTERM), a start on the
#              same state: the time to the first hit on a stored URL, then
#              RS_WIN s of Zipf again (the hit ratio after). The memory of
#              the peer's processes (RSS, its anonymous part) at the fresh
#              start, before the stop and at the first hit. restart.csv.
#   disk use   DK_N objects of 1 KiB loaded: the disk each peer uses per
#              object, by its own count and by du. disk.csv.
#
# Every phase starts its own instances of the peers that keep objects on
# disk (DISK_PEERS_ALL, PROFILE=disk) in RES/state/<phase>-<peer>. The
# restart and disk-use phases run one peer at a time.

# us_now: microseconds since the epoch.
us_now() { echo "${EPOCHREALTIME/./}"; }
# secs US: microseconds as seconds, 3 decimals.
secs() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }

# dpeers: the selected peers that keep objects on disk.
dpeers() {
	local p out=""
	for p in $PEERS; do
		case " $DISK_PEERS_ALL " in *" $p "*) out="$out $p" ;; esac
	done
	echo "${out# }"
}

# dnote PHASE PEER TEXT: a line for the report's notes.
dnote() {
	DNOTES="$DNOTES$1 $2: $3"$'\n'
	log "$1 $2: $3"
}

# accel_counter LOG NAME: NAME's value (NAME= or sto_NAME=) on the last
# "accel: counters" line of LOG (accel prints it at exit).
accel_counter() {
	grep 'accel: counters' "$1" 2>/dev/null | tail -n 1 | tr ' ' '\n' |
		awk -F= -v n="$2" '$1 == n || $1 == "sto_" n { v = $2 } END { print v }'
}

# accel_counters LOG NAME...: "NAME=value ..." ("?" when absent).
accel_counters() {
	local f=$1 n out=""
	shift
	for n in "$@"; do out="$out $n=$(v=$(accel_counter "$f" "$n") && echo "${v:-?}")"; done
	echo "${out# }"
}

# ats_stat PORT NAME: a metric from Traffic Server's stats_over_http.
ats_stat() {
	curl -s -m 5 "http://127.0.0.1:$1/_stats" |
		awk -v n="\"$2\"" '$1 == n":" { gsub(/[",]/, "", $2); print $2; exit }'
}

# varnish_stat DIR NAME: a counter from varnishstat.
varnish_stat() {
	varnishstat -n "$1/varnish" -1 -f "$2" 2>/dev/null | awk -v n="$2" '$1 == n { print $2; exit }'
}

# peer_stored P DIR PORT: how many objects the (running) peer says it holds;
# empty when it does not say (accel-lmdb says it at exit).
peer_stored() {
	case $1 in
	nginx-cache) find "$2/cache" -type f 2>/dev/null | wc -l ;;
	varnish-file) varnish_stat "$2" MAIN.n_object ;;
	ats) ats_stat "$3" proxy.process.cache.direntries.used ;;
	*) echo "" ;;
	esac
}

# peer_store_path P DIR: the peer's storage (file or directory).
peer_store_path() {
	case $1 in
	accel-lmdb) echo "$2/lmdb" ;;
	nginx-cache) echo "$2/cache" ;;
	varnish-file) echo "$2/storage.bin" ;;
	ats) echo "$2/cache" ;;
	esac
}

du_b() { du -sB1 "$1" 2>/dev/null | awk '{ s = $1 } END { print s + 0 }'; }
du_apparent() { du -sb "$1" 2>/dev/null | awk '{ s = $1 } END { print s + 0 }'; }

# gone PID: the process has exited (a zombie counts as gone).
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	case $(ps -o stat= -p "$1" 2>/dev/null) in Z*) return 0 ;; esac
	return 1
}

# stop_timed PID [PEER DIR]: a clean stop: SIGTERM (Traffic Server:
# ats_stop first), then wait until the process and its descendants are
# gone (60 s at most), SIGKILL what is left. STOP_S, STOP_KILLED (0 or 1).
stop_timed() {
	local pid=$1 kids q left t0 t
	kids=$(descendants "$pid")
	t0=$(us_now) STOP_KILLED=0
	[ "${2:-}" = ats ] && { ats_stop "$3" "$pid" || STOP_KILLED=1; }
	kill -TERM "$pid" 2>/dev/null
	for t in $(seq 1 600); do
		left=""
		for q in $pid $kids; do
			gone "$q" || left="$left $q"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		STOP_KILLED=1
		for q in $left; do kill -KILL "$q" 2>/dev/null; done
	fi
	wait "$pid" 2>/dev/null
	STOP_S=$(secs $(($(us_now) - t0)))
}

# zipf_window PORT N PREFIX SEED SECS OUT: wrk with zipf.lua; sets ZW_REQ,
# ZW_RPS, ZW_RATIO (1 - origin requests / requests), ZW_ERR.
zipf_window() {
	local port=$1 n=$2 prefix=$3 seed=$4 sec=$5 out=$6 o0 o1
	o0=$(origin_requests "$ORIGIN_PORT")
	run_wrk "$out" -t1 -c"$CONNS" -d"${sec}s" --timeout 10s -s "$RES/lua/zipf.lua" \
		"http://127.0.0.1:$port/" -- "$n" "$seed" 1.0 "$prefix"
	o1=$(origin_requests "$ORIGIN_PORT")
	read -r ZW_REQ ZW_RPS ZW_RATIO ZW_ERR < <(grep '^BENCH ' "$out" | tail -n 1 |
		awk -v o0="${o0:-0}" -v o1="${o1:-0}" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END {
			n = v["requests"] + 0; d = v["duration_us"] / 1e6
			if (n == 0 || d == 0) { print "0 0 0 -1"; exit }
			orq = o1 - o0 - 1; if (orq < 0) orq = 0
			hr = 1 - orq / n; if (hr < 0) hr = 0
			printf "%d %.1f %.4f %d\n", n, n / d, hr,
				v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
		}')
}

# --- zipf-disk -------------------------------------------------------------

# Fresh instances of the disk peers; every URL /d/z1../d/z<ZD_N> loaded once;
# then the workload like any other (a warm-up, REPS rotating repetitions),
# its rows in raw.csv. The instances are stopped at the end.
phase_zipf_disk() {
	local p why act="" r i j order=() n t0
	PROFILE=disk
	for p in $(dpeers); do
		if ! why=$(peer_check "$p"); then
			case $why in skipped*) ;; *) FAILED=1 ;; esac
			dnote zipf-disk "$p" "$why"
			continue
		fi
		if start_peer "$p" "$RES/state/zipf-disk-$p"; then
			PPORT[$p]=$PEER_PORT PPID_[$p]=$PEER_PID
			act="$act $p"
			log "zipf-disk $p: 127.0.0.1:$PEER_PORT (pid $PEER_PID)"
		else
			FAILED=1
			dnote zipf-disk "$p" "failed to start: $START_WHY"
		fi
	done
	PROFILE=main
	act=${act# }
	[ -n "$act" ] || return 0
	case " $act " in *" ats "*) sleep 2 ;; esac # Traffic Server: its cache comes up after its port
	log "zipf-disk: loading $ZD_N URLs of 16 KiB ($((ZD_N / 64)) MiB) into each of: $act"
	for p in $act; do
		t0=$SECONDS
		load_objects "$p" "${PPORT[$p]}" "$ZD_N" z /d/ "zipf-disk-load-$p" ||
			dnote zipf-disk "$p" "the load stopped short (see logs/zipf-disk-load-$p.out)"
		log "zipf-disk $p: loaded in $((SECONDS - t0)) s"
	done
	set -- $act
	n=$#
	log "workload zipf-disk: warm-up ${WARMUP}s, then $REPS x ${DURATION}s per peer"
	for p in $act; do
		alive "$p" zipf-disk && run_one zipf-disk "$p" 0 "$WARMUP"
	done
	for ((r = 1; r <= REPS; r++)); do
		set -- $act
		order=()
		for ((i = 0; i < n; i++)); do
			j=$(((i + r - 1) % n + 1))
			order+=("${!j}")
		done
		for p in "${order[@]}"; do
			alive "$p" zipf-disk && run_one zipf-disk "$p" "$r" "$DURATION"
		done
	done
	for p in $act; do
		stop_timed "${PPID_[$p]}" "$p" "$RES/state/zipf-disk-$p"
		[ "$p" = accel-lmdb ] && dnote zipf-disk "$p" "exit counters: $(accel_counters "$RES/state/zipf-disk-$p/stderr.log" \
			cache_hit cache_disk_hit cache_miss lmdb_objects lmdb_written lmdb_wb_dropped)"
	done
}

# --- restart -------------------------------------------------------------------

# poll_first_hit P DIR PORT PID T0 OBASE: curl every 10 ms, each time on
# another stored URL (from rank RS_N/2 up: rarely drawn by Zipf, so the
# polling hardly warms a cache that lost everything), until a 200 that the
# origin did not see (a hit). T0: the spawn (us_now), OBASE: the origin's
# count read before it. FH_LISTEN (accel: its "listening on" line), FH_OK
# (first 200), FH_HIT (first hit), in seconds after the spawn, empty if
# never; FH_MISSES: 200s that were misses. Gives up RS_GRACE s after the
# first 200, or RS_TIMEOUT s after the spawn.
poll_first_hit() {
	local p=$1 dir=$2 port=$3 pid=$4 t0=$5 ob=$6 k el ok_us="" o code
	k=$((RS_N / 2 + 1))
	FH_LISTEN="" FH_OK="" FH_HIT="" FH_MISSES=0
	while :; do
		el=$(($(us_now) - t0))
		if [ -z "$FH_LISTEN" ] && [ "${p#accel}" != "$p" ] && grep -q 'listening on' "$dir/stderr.log" 2>/dev/null; then
			FH_LISTEN=$(secs "$el")
		fi
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/u/r$k" 2>/dev/null)
		el=$(($(us_now) - t0))
		if [ "$code" = 200 ]; then
			[ -z "$ok_us" ] && ok_us=$el FH_OK=$(secs "$el")
			o=$(origin_requests "$ORIGIN_PORT")
			if [ $((${o:-0} - ob - 1)) -le 0 ]; then
				FH_HIT=$(secs "$el")
				break
			fi
			ob=${o:-0}
			FH_MISSES=$((FH_MISSES + 1))
			k=$((k + 1))
			[ $((el - ok_us)) -gt $((RS_GRACE * 1000000)) ] && break
		fi
		[ "$el" -gt $((RS_TIMEOUT * 1000000)) ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
}

# rs_mem PID: "RSS anon shmem" (mem_kib: VmRSS, RssAnon, RssShmem) of the
# peer's processes in MiB, 3 decimals; empty when PID is gone.
rs_mem() {
	gone "$1" && return 0
	mem_kib "$1" VmRSS RssAnon RssShmem | awk '{ printf "%.3f %.3f %.3f\n", $1 / 1024, $2 / 1024, $3 / 1024 }'
}

# rs_mem_log P WHEN RSS ANON SHMEM: the log line of a memory reading.
rs_mem_log() {
	[ -n "$3" ] || { log "restart $1: memory $2: the process is gone"; return 0; }
	log "restart $1: memory $2: RSS $3 MiB, anon (RssAnon) $4 MiB, shmem (RssShmem) $5 MiB"
}

restart_one() {
	local p=$1 dir=$RES/state/restart-$p port pid t0 ob stored="" t_load
	local rb=0 rrb=0 ra=0 rra=0 stop1 killed1 c1=""
	local mi_r="" mi_a="" mi_s="" ml_r="" ml_a="" ml_s="" mu_r="" mu_a="" mu_s=""
	PROFILE=disk
	if ! start_peer "$p" "$dir"; then
		PROFILE=main
		FAILED=1
		dnote restart "$p" "failed to start: $START_WHY"
		return
	fi
	port=$PEER_PORT pid=$PEER_PID
	log "restart $p: 127.0.0.1:$port (pid $pid), loading $RS_N objects of 1 KiB"
	[ "$p" = ats ] && sleep 2 # Traffic Server's cache comes up after its port
	# idle, empty: what the restarted instance holds beyond it is per object
	read -r mi_r mi_a mi_s < <(rs_mem "$pid")
	rs_mem_log "$p" "idle, empty" "$mi_r" "$mi_a" "$mi_s"
	t0=$SECONDS
	load_objects "$p" "$port" "$RS_N" r /u/ "restart-load-$p" ||
		dnote restart "$p" "the load stopped short (see logs/restart-load-$p.out)"
	t_load=$((SECONDS - t0))
	sleep 1
	kill -0 "$pid" 2>/dev/null || {
		PROFILE=main
		FAILED=1
		dnote restart "$p" "died during the load (see logs/state/restart-$p/)"
		return
	}
	zipf_window "$port" "$RS_N" /u/r 1 "$RS_WIN" "$RES/logs/restart-before-$p.out"
	rb=$ZW_RATIO rrb=$ZW_RPS
	log "restart $p: loaded in $t_load s; before the stop: $rrb req/s, hit ratio $rb, errors $ZW_ERR"
	stored=$(peer_stored "$p" "$dir" "$port")
	read -r ml_r ml_a ml_s < <(rs_mem "$pid")
	rs_mem_log "$p" "loaded, before the stop" "$ml_r" "$ml_a" "$ml_s"
	stop_timed "$pid" "$p" "$dir"
	stop1=$STOP_S killed1=$STOP_KILLED
	if [ "${p#accel}" != "$p" ]; then
		stored=$(accel_counter "$dir/stderr.log" lmdb_objects)
		c1=$(accel_counters "$dir/stderr.log" lmdb_objects lmdb_written lmdb_wb_dropped)
	fi
	[ "$killed1" = 1 ] && dnote restart "$p" "did not stop cleanly within 60 s: killed"
	for f in "$dir"/*.log; do [ -e "$f" ] && mv "$f" "${f%.log}-run1.log"; done
	sync
	# the same state, the same port
	ob=$(origin_requests "$ORIGIN_PORT")
	t0=$(us_now)
	ACCEL_PORT=$port
	peer_start "$p" "$dir" "$port"
	ACCEL_PORT=0
	PROFILE=main
	pid=$PEER_PID
	poll_first_hit "$p" "$dir" "$port" "$pid" "$t0" "${ob:-0}"
	log "restart $p: stopped in $stop1 s; up (first 200) ${FH_OK:-never} s, first hit ${FH_HIT:-never} s after the spawn${FH_LISTEN:+ (listening line at $FH_LISTEN s)}, $FH_MISSES misses first"
	if kill -0 "$pid" 2>/dev/null && [ -n "$FH_OK" ]; then
		# at the first hit (or the polling's end), before Zipf touches more
		read -r mu_r mu_a mu_s < <(rs_mem "$pid")
		rs_mem_log "$p" "after the restart, at the first hit" "$mu_r" "$mu_a" "$mu_s"
		zipf_window "$port" "$RS_N" /u/r 2 "$RS_WIN" "$RES/logs/restart-after-$p.out"
		ra=$ZW_RATIO rra=$ZW_RPS
		log "restart $p: after the restart: $rra req/s, hit ratio $ra, errors $ZW_ERR"
	else
		FAILED=1
		dnote restart "$p" "did not come back (see logs/state/restart-$p/)"
	fi
	stop_timed "$pid" "$p" "$dir"
	if [ "${p#accel}" != "$p" ]; then
		dnote restart "$p" "exit counters: at the stop $c1; after the restart $(accel_counters "$dir/stderr.log" cache_hit cache_disk_hit cache_miss)"
	fi
	echo "$p,$RS_N,$stored,$t_load,$stop1,$killed1,$FH_LISTEN,$FH_OK,$FH_HIT,$FH_MISSES,$rrb,$rb,$rra,$ra,$mi_r,$mi_a,$ml_r,$ml_a,$mu_r,$mu_a" >>"$RES/restart.csv"
	if [ "$KEEP" = 0 ]; then
		t0=$SECONDS
		rm -rf "$(peer_store_path "$p" "$dir")"
		log "restart $p: its store removed in $((SECONDS - t0)) s"
	fi
}

phase_restart() {
	local p why
	for p in $(dpeers); do
		if ! why=$(peer_check "$p"); then
			case $why in skipped*) ;; *) FAILED=1 ;; esac
			dnote restart "$p" "$why"
			continue
		fi
		restart_one "$p"
	done
}

# --- disk use --------------------------------------------------------------------

disk_one() {
	local p=$1 dir=$RES/state/disk-$p port pid path du0 du1 app stored="" rep="" what="" ps pu
	PROFILE=disk
	if ! start_peer "$p" "$dir"; then
		PROFILE=main
		FAILED=1
		dnote disk "$p" "failed to start: $START_WHY"
		return
	fi
	PROFILE=main
	port=$PEER_PORT pid=$PEER_PID
	[ "$p" = ats ] && sleep 2 # Traffic Server's cache comes up after its port
	path=$(peer_store_path "$p" "$dir")
	du0=$(du_b "$path")
	load_objects "$p" "$port" "$DK_N" k /u/ "disk-load-$p" ||
		dnote disk "$p" "the load stopped short (see logs/disk-load-$p.out)"
	sleep 1 # write-behind
	[ "$p" = ats ] && sleep 2 # its aggregation buffer
	case $p in
	nginx-cache)
		stored=$(peer_stored "$p" "$dir" "$port")
		what="du of the cache directory"
		;;
	varnish-file)
		stored=$(varnish_stat "$dir" MAIN.n_object)
		rep=$(varnish_stat "$dir" SMF.s0.g_bytes)
		what="SMF.s0.g_bytes (bytes allocated in the file)"
		;;
	ats)
		stored=$(ats_stat "$port" proxy.process.cache.direntries.used)
		rep=$(ats_stat "$port" proxy.process.cache.bytes_used)
		what="proxy.process.cache.bytes_used"
		;;
	esac
	stop_timed "$pid" "$p" "$dir"
	if [ "${p#accel}" != "$p" ]; then
		stored=$(accel_counter "$dir/stderr.log" lmdb_objects)
		pu=$(accel_counter "$dir/stderr.log" lmdb_pages_used)
		ps=$(accel_counter "$dir/stderr.log" lmdb_page_size)
		[ -n "$pu" ] && [ -n "$ps" ] && rep=$((pu * ps))
		what="lmdb_pages_used x lmdb_page_size (exit counters)"
	fi
	sync
	du1=$(du_b "$path")
	app=$(du_apparent "$path")
	[ -n "$stored" ] && [ "$stored" != 0 ] || dnote disk "$p" "does not say how many objects it holds: per object is over the $DK_N loaded"
	echo "$p,$DK_N,$stored,$rep,$du0,$du1,$app,$what" >>"$RES/disk.csv"
	log "disk $p: $DK_N loaded, ${stored:-?} stored, ${rep:-?} B by its count, du $du0 -> $du1 B (apparent $app B)"
	[ "$KEEP" = 1 ] || rm -rf "$path"
}

phase_disk() {
	local p why
	for p in $(dpeers); do
		if ! why=$(peer_check "$p"); then
			case $why in skipped*) ;; *) FAILED=1 ;; esac
			dnote disk "$p" "$why"
			continue
		fi
		disk_one "$p"
	done
}
