#!/usr/bin/env bash
# run.sh: accel's benchmark against varnishd, nginx, Traffic Server and a
# "limit" (nginx serving the files itself). `make bench`, `make bench-quick`.
#
#   sh tests/bench/run.sh [--quick] [--only P,P] [--skip P,P] [--workloads W,W]
#                         [--reps N] [--duration S] [--warmup S] [--conns N]
#                         [--mem-objects N] [--zipf-disk-urls N]
#                         [--restart-objects N] [--restart-window S]
#                         [--disk-objects N] [--results DIR] [--keep]
#                         [--no-install] [--no-mem] [--no-restart] [--no-disk]
#                         [--no-chart]
#
# Peers:     accel accel-lmdb varnish-malloc varnish-file nginx-cache
#            nginx-proxy ats limit                      (see peers.bash)
# Workloads: hit-1k hit-16k hit-256k hit-4m  one URL, keep-alive, 64 conns
#            hit-1k-close  1 KiB, a new connection per request
#            miss          a unique URL per request
#            zipf          Zipf(1.0) over 100,000 URLs (1 KiB)
#            pass          a unique /nc/ URL per request (1 KiB, Cache-Control:
#                          no-store): every peer passes it to the origin
#            zipf-disk     Zipf(1.0) over 40,960 URLs of 16 KiB (640 MiB, ten
#                          times a 64 MiB RAM tier), every URL loaded first;
#                          the disk peers only (accel-lmdb nginx-cache ats
#                          varnish-file), on instances of their own
#            none          no workload (--workloads none: the phases alone)
# Phases:    memory        RSS before/after N objects of 1 KiB (--no-mem)
#            restart       1,000,000 objects of 1 KiB (20,000 with --quick),
#                          a clean stop and start: seconds to the first hit,
#                          hit ratio in the 10 s before and after, RSS and
#                          RssAnon idle, before the stop, at the first hit
#                          (--no-restart; disk peers)
#            disk          disk bytes per object after 100,000 objects of
#                          1 KiB (10,000 with --quick) (--no-disk; disk peers)
#
# One origin (nginx) and every peer run side by side, each in its own state
# directory under the results folder, on ports picked at run time. Servers
# are pinned to CPU 0 (BENCH_SERVER_CPU), wrk and the origin to CPU 1
# (BENCH_CLIENT_CPU). For every workload: a warm-up run of each peer, then N
# repetitions, each peer in turn (the order rotates between repetitions).
# Then zipf-disk, restart and disk, each on fresh instances of the disk
# peers (disk.bash). Results: tests/bench/results/<date-time>/ (raw.csv,
# summary.csv, mem.csv, restart.csv, disk.csv, table.txt, table.md,
# ratios.png, logs/); tests/bench/results/latest links to the newest. Exit
# status: 0, or 2 when a peer failed to start or died.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
umask 022

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.bash
. "$BENCH_DIR/lib.bash"
# shellcheck source=peers.bash
. "$BENCH_DIR/peers.bash"
# shellcheck source=disk.bash
. "$BENCH_DIR/disk.bash"

WORKLOADS_ALL="hit-1k hit-16k hit-256k hit-4m hit-1k-close miss zipf pass zipf-disk"
WORKLOADS=$WORKLOADS_ALL
PEERS=$PEERS_ALL
SKIP=""
REPS=3 DURATION=5 WARMUP=1 CONNS=64
MEM_OBJECTS=100000 ZIPF_N=100000
ZD_N=40960                          # zipf-disk: URLs of 16 KiB
RS_N=1000000 RS_WIN=10              # restart: objects, seconds before/after
RS_GRACE=5 RS_TIMEOUT=60            # restart: the first hit's polling
DK_N=100000                         # disk: objects
RES="" KEEP=0 INSTALL=1 MEM=1 CHART=1 QUICK=0 RESTART=1 DISKUSE=1
DNOTES=""

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 REPS=1 DURATION=3 WARMUP=1 MEM_OBJECTS=10000 WORKLOADS="hit-1k pass" RS_N=20000 RS_WIN=5 DK_N=10000 ;;
	--only) PEERS=${2//,/ }; shift ;;
	--skip) SKIP=${2//,/ }; shift ;;
	--workloads) WORKLOADS=${2//,/ }; [ "$WORKLOADS" = none ] && WORKLOADS=""; shift ;;
	--reps) REPS=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--warmup) WARMUP=$2; shift ;;
	--conns) CONNS=$2; shift ;;
	--mem-objects) MEM_OBJECTS=$2; shift ;;
	--zipf-disk-urls) ZD_N=$2; shift ;;
	--restart-objects) RS_N=$2; shift ;;
	--restart-window) RS_WIN=$2; shift ;;
	--disk-objects) DK_N=$2; shift ;;
	--results) RES=$2; shift ;;
	--keep) KEEP=1 ;;
	--no-install) INSTALL=0 ;;
	--no-mem) MEM=0 ;;
	--no-restart) RESTART=0 ;;
	--no-disk) DISKUSE=0 ;;
	--no-chart) CHART=0 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 64 ;;
	esac
	shift
done

for w in $WORKLOADS; do
	case " $WORKLOADS_ALL " in *" $w "*) ;; *) die "unknown workload $w (one of: $WORKLOADS_ALL)" ;; esac
done
sel=""
for p in $PEERS; do
	case " $PEERS_ALL " in *" $p "*) ;; *) die "unknown peer $p (one of: $PEERS_ALL)" ;; esac
	case " $SKIP " in *" $p "*) continue ;; esac
	sel="$sel $p"
done
PEERS=${sel# }
# the workloads on the peers of PROFILE=main; zipf-disk has its own
MAIN_WORKLOADS="" ZIPF_DISK=0
for w in $WORKLOADS; do
	if [ "$w" = zipf-disk ]; then ZIPF_DISK=1; else MAIN_WORKLOADS="$MAIN_WORKLOADS $w"; fi
done
MAIN_WORKLOADS=${MAIN_WORKLOADS# }

# --- results folder, traps -------------------------------------------------

RUNID=$(date +%Y%m%d-%H%M%S)
if [ -z "$RES" ]; then
	RES=$BENCH_DIR/results/$RUNID
	[ -e "$RES" ] && RES=$RES-$$
fi
mkdir -p "$RES/logs" "$RES/state" "$RES/lua" || die "cannot create $RES"
RES=$(cd "$RES" && pwd)
case $RES in "$BENCH_DIR/results/"*) ln -sfn "$(basename "$RES")" "$BENCH_DIR/results/latest" ;; esac
: >"$RES/pids"
T0=$(date +%s)

WRK_PID=""
cleanup() {
	trap - EXIT INT TERM
	[ -n "$WRK_PID" ] && stop_pid "$WRK_PID"
	log "stopping ${#PIDS[@]} processes"
	stop_all
	log "stopped"
	if [ "$KEEP" = 0 ]; then
		# keep the configurations and logs, drop the caches' storage
		find "$RES/state" -mindepth 1 -maxdepth 1 -type d ! -name www -exec sh -c '
			for d; do find "$d" -maxdepth 2 -type f \( -name "*.conf" -o -name "*.config" -o -name "*.yaml" -o -name "*.log" -o -name cmdline \) -print; done' sh {} + |
			while read -r f; do
				rel=${f#"$RES/state/"}
				mkdir -p "$RES/logs/state/$(dirname "$rel")" && cp "$f" "$RES/logs/state/$rel"
			done
		rm -rf "$RES/state"
		log "removed the state directories"
	fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- dependencies ------------------------------------------------------------

want=(wrk:wrk curl:curl nginx:nginx ss:iproute2 taskset:util-linux)
for p in $PEERS; do
	for cp in $(peer_pkgs "$p"); do want+=("$cp"); done
done
[ "$CHART" = 1 ] && want+=(gnuplot:gnuplot-nox)
if [ "$INSTALL" = 1 ]; then
	need_pkgs "${want[@]}" || log "warning: some packages are missing; peers that need them are skipped"
fi
for c in wrk curl nginx ss; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "$c is needed (apt-get install ${c/ss/iproute2})"
done
if [ "$CHART" = 1 ] && ! command -v gnuplot >/dev/null 2>&1; then
	log "no gnuplot: no chart"
	CHART=0
fi

setup_cpus
ulimit -n 65536 2>/dev/null || ulimit -n 16384 2>/dev/null || true

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -srm)"
	echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) x $(nproc)"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "pinning: servers on CPU ${SERVER_CPU:-none}, wrk and origin on CPU ${CLIENT_CPU:-none}"
	echo "accel: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")$(git -C "$ROOT" status --porcelain -- accel storage purge vcl 2>/dev/null | grep -q . && echo " + uncommitted changes")"
	echo "wrk: $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"
	echo "nginx: $(nginx -v 2>&1 | sed 's/.*nginx\///')"
	command -v varnishd >/dev/null 2>&1 && echo "varnishd: $(varnishd -V 2>&1 | sed -n '1s/.*(varnish-\([^ ]*\).*/\1/p')"
	command -v traffic_server >/dev/null 2>&1 && echo "trafficserver: $(traffic_server -V 2>&1 | sed -n 's/.*traffic_server - \([0-9.]*\).*/\1/p' | head -n 1)"
	echo "settings: reps=$REPS duration=${DURATION}s warmup=${WARMUP}s conns=$CONNS mem_objects=$MEM_OBJECTS zipf_n=$ZIPF_N zipf_disk_urls=$ZD_N restart_objects=$RS_N restart_window=${RS_WIN}s disk_objects=$DK_N"
	echo "phases: memory=$MEM restart=$RESTART disk=$DISKUSE"
	echo "workloads: $WORKLOADS"
	echo "peers: $PEERS"
} >"$RES/machine.txt"
log "results in $RES"

for s in static miss zipf load; do
	cat "$BENCH_DIR/lua/$s.lua" "$BENCH_DIR/lua/report.lua" >"$RES/lua/$s.lua"
done

# --- origin ------------------------------------------------------------------

WWW=$RES/state/www
make_www "$WWW"
ORIGIN_PORT="" ORIGIN_PID=""
for try in 1 2 3 4 5; do
	port=$(pick_port) || die "no free port"
	rm -rf "$RES/state/origin"
	mkdir -p "$RES/state/origin"
	start_nginx origin "$RES/state/origin" "$port" "$WWW" "" "${PIN_CLIENT[@]}"
	if wait_http "$port" "$SPAWNED" 10 /1k; then
		ORIGIN_PORT=$port ORIGIN_PID=$SPAWNED
		break
	fi
	stop_pid "$SPAWNED"
done
[ -n "$ORIGIN_PORT" ] || die "the origin (nginx) does not start: $(tail -n 3 "$RES/state/origin/error.log" 2>/dev/null)"
log "origin: nginx on 127.0.0.1:$ORIGIN_PORT"

# --- peers -------------------------------------------------------------------

declare -A PPORT PPID_ NOTE
ACTIVE="" FAILED=0

# start_peer P DIR: a fresh P (PROFILE) in DIR (emptied) on a port picked
# here, retried on another port when that one was taken meanwhile; then
# until it answers /1k. PEER_PORT, PEER_PID; 1 and START_WHY if it fails.
start_peer() {
	local p=$1 dir=$2 try port
	START_WHY=""
	for try in 1 2 3 4 5; do
		port=$(pick_port) || break
		rm -rf "$dir"
		peer_start "$p" "$dir" "$port"
		if [ "${PEER_PORT:-0}" != 0 ] && wait_http "$PEER_PORT" "$PEER_PID" 30 /1k; then
			return 0
		fi
		stop_pid "$PEER_PID"
		# retry only when the port was taken meanwhile
		grep -qiE 'address already in use|could not get socket|bind' "$dir"/*.log "$dir"/log/*.log 2>/dev/null || break
	done
	START_WHY=$(tail -n 2 "$dir/stderr.log" 2>/dev/null | tr '\n' ' ')
	return 1
}

# build accel (and read its -h) here, not in peer_check's subshell: once
case " $PEERS " in *" accel"*) accel_build && accel_help >/dev/null ;; esac
MAIN_PEERS=""
[ -n "$MAIN_WORKLOADS" ] || [ "$MEM" = 1 ] && MAIN_PEERS=$PEERS
for p in $MAIN_PEERS; do
	if ! why=$(peer_check "$p"); then
		NOTE[$p]=$why
		log "$p: $why"
		case $why in skipped*) ;; *) FAILED=1 ;; esac
		continue
	fi
	if start_peer "$p" "$RES/state/$p"; then
		PPORT[$p]=$PEER_PORT PPID_[$p]=$PEER_PID
		ACTIVE="$ACTIVE $p"
		log "$p: 127.0.0.1:$PEER_PORT (pid $PEER_PID)"
	else
		NOTE[$p]="failed to start: $START_WHY"
		FAILED=1
		log "$p: ${NOTE[$p]}"
	fi
done
ACTIVE=${ACTIVE# }
[ -n "$ACTIVE" ] || [ -z "$MAIN_PEERS" ] || die "no peer runs"
# Traffic Server answers before its cache is ready: give everyone a moment.
[ -n "$ACTIVE" ] && sleep 2

alive() {
	kill -0 "${PPID_[$1]}" 2>/dev/null && return 0
	if [ -z "${NOTE[$1]:-}" ]; then
		NOTE[$1]="died during $2 (see logs/state/$1/)"
		FAILED=1
		log "$1: ${NOTE[$1]}"
	fi
	return 1
}

# run_wrk OUTFILE WRKARGS...: wrk on the client CPU, interruptible.
run_wrk() {
	local out=$1
	shift
	"${PIN_CLIENT[@]}" wrk "$@" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID"
	WRK_PID=""
}

# load_objects P PORT N PREFIX BASE LABEL: wrk with load.lua until N
# distinct objects BASE PREFIX 1..N have been answered (logs/LABEL.out); 1
# if it stopped short or with errors.
load_objects() {
	local p=$1 port=$2 n=$3 prefix=$4 base=$5 label=$6 mark out t_end e
	mark=$RES/logs/$label.done out=$RES/logs/$label.out
	rm -f "$mark"
	"${PIN_CLIENT[@]}" wrk -t1 -c"$CONNS" -d3600s --timeout 10s -s "$RES/lua/load.lua" \
		"http://127.0.0.1:$port/" -- "$n" "$prefix" "$mark" "$base" >"$out" 2>&1 &
	WRK_PID=$!
	t_end=$((SECONDS + 300 + n / 1000))
	while [ ! -e "$mark" ] && [ $SECONDS -lt $t_end ] && kill -0 "$WRK_PID" 2>/dev/null; do sleep 0.2; done
	kill -INT "$WRK_PID" 2>/dev/null
	wait "$WRK_PID"
	WRK_PID=""
	[ -e "$mark" ] || return 1
	e=$(grep '^BENCH ' "$out" | tail -n 1 | tr ' ' '\n' | awk -F= '$1 ~ /^(connect|read|write|status|timeout)$/ { s += $2 } END { print s + 0 }')
	[ "${e:-0}" = 0 ] || { log "$label: $e errors (see logs/$label.out)"; return 1; }
	return 0
}

# --- memory: RSS before/after N distinct 1 KiB objects, disk use -------------

echo "peer,objects,rss_before_kib,rss_after_kib,disk_kib" >"$RES/mem.csv"
if [ "$MEM" = 1 ]; then
	for p in $ACTIVE; do
		alive "$p" memory || continue
		r0=$(rss_kib "${PPID_[$p]}")
		load_objects "$p" "${PPORT[$p]}" "$MEM_OBJECTS" "mem-$RUNID-" /u/ "mem-$p" ||
			log "memory $p: wrk stopped before $MEM_OBJECTS responses (see logs/mem-$p.out)"
		sleep 2
		alive "$p" memory || continue
		r1=$(rss_kib "${PPID_[$p]}")
		sync
		disk=$(du -sk "$RES/state/$p" 2>/dev/null | awk '{ print $1 }')
		echo "$p,$MEM_OBJECTS,$r0,$r1,${disk:-0}" >>"$RES/mem.csv"
		log "memory $p: RSS $((r0 / 1024)) -> $((r1 / 1024)) MiB, disk $((${disk:-0} / 1024)) MiB"
	done
fi

# --- workloads -----------------------------------------------------------------

echo "workload,peer,rep,requests,duration_s,rps,mib_s,p50_ms,p99_ms,errors,err_connect,err_read,err_write,err_status,err_timeout,origin_requests,hit_ratio,server_cpu_s" >"$RES/raw.csv"
TICKS=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_one WORKLOAD PEER REP SECONDS
run_one() {
	local w=$1 p=$2 rep=$3 secs=$4 url script="static" args=() extra=() o0 o1 c0 c1 out line
	url="http://127.0.0.1:${PPORT[$p]}"
	case $w in
	hit-1k) url=$url/1k ;;
	hit-16k) url=$url/16k ;;
	hit-256k) url=$url/256k ;;
	hit-4m) url=$url/4m ;;
	hit-1k-close) url=$url/1k extra=(-H "Connection: close") ;;
	miss) url=$url/ script=miss args=(-- "$RUNID-$rep") ;;
	zipf) url=$url/ script=zipf args=(-- "$ZIPF_N" "$rep" 1.0) ;;
	pass) url=$url/ script=miss args=(-- "$RUNID-$rep" /nc/) ;;
	zipf-disk) url=$url/ script=zipf args=(-- "$ZD_N" "$rep" 1.0 /d/z) ;;
	esac
	out=$RES/logs/$w-$p-$rep.out
	o0=$(origin_requests "$ORIGIN_PORT")
	c0=$(cpu_ticks "${PPID_[$p]}")
	run_wrk "$out" -t1 -c"$CONNS" -d"${secs}s" --timeout 10s "${extra[@]}" -s "$RES/lua/$script.lua" "$url" "${args[@]}"
	c1=$(cpu_ticks "${PPID_[$p]}")
	o1=$(origin_requests "$ORIGIN_PORT")
	line=$(grep '^BENCH ' "$out" | tail -n 1)
	echo "$line" | awk -v w="$w" -v p="$p" -v rep="$rep" -v o0="${o0:-0}" -v o1="${o1:-0}" -v limit="$LIMIT_PEER" \
		-v cpu="$(((c1 - c0) * 1000 / TICKS))" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END {
			n = v["requests"] + 0; d = v["duration_us"] / 1e6
			if (n == 0 || d == 0) { printf "%s,%s,%s,0,0,0,0,0,0,-1,0,0,0,0,0,0,,\n", w, p, rep; exit }
			e = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
			orq = o1 - o0 - 1; if (orq < 0) orq = 0
			hr = 1 - orq / n; if (hr < 0) hr = 0
			printf "%s,%s,%s,%d,%.3f,%.1f,%.2f,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%s,%.2f\n", w, p, rep, n, d,
				n / d, v["bytes"] / d / 1048576, v["p50_us"] / 1000, v["p99_us"] / 1000, e,
				v["connect"], v["read"], v["write"], v["status"], v["timeout"], orq,
				(p == limit) ? "" : sprintf("%.4f", hr), cpu / 1000
		}' >>"$RES/raw.csv"
	tail -n 1 "$RES/raw.csv" | awk -F, '{ printf "  %-12s %-15s rep %s: %8.0f req/s %8.1f MiB/s p99 %7.2f ms hit %-6s errors %s cpu %s us/req\n", $1, $2, $3, $6, $7, $9, $17, $10, ($4 > 0 && $18 != "") ? sprintf("%.1f", $18 * 1e6 / $4) : "-" }' >&2
}

set -- $ACTIVE
NPEERS=$#
for w in $MAIN_WORKLOADS; do
	log "workload $w: warm-up ${WARMUP}s, then $REPS x ${DURATION}s per peer"
	for p in $ACTIVE; do
		alive "$p" "$w" && run_one "$w" "$p" 0 "$WARMUP"
	done
	for ((r = 1; r <= REPS; r++)); do
		# rotate the order so that no peer always runs first
		set -- $ACTIVE
		order=()
		for ((i = 0; i < NPEERS; i++)); do
			j=$(((i + r - 1) % NPEERS + 1))
			order+=("${!j}")
		done
		for p in "${order[@]}"; do
			alive "$p" "$w" && run_one "$w" "$p" "$r" "$DURATION"
		done
	done
done

# --- the disk tier's phases (disk.bash), on instances of their own ---------------

if [ -n "$ACTIVE" ] && { [ "$ZIPF_DISK" = 1 ] || [ "$RESTART" = 1 ] || [ "$DISKUSE" = 1 ]; }; then
	log "stopping the peers of the memory workloads"
	for p in $ACTIVE; do stop_pid "${PPID_[$p]}"; done
fi
[ "$ZIPF_DISK" = 1 ] && phase_zipf_disk
echo "peer,objects,stored,load_s,stop_s,killed,listen_s,first_ok_s,first_hit_s,misses_first,rps_before,ratio_before,rps_after,ratio_after,rss_idle_mib,anon_idle_mib,rss_loaded_mib,anon_loaded_mib,rss_up_mib,anon_up_mib" >"$RES/restart.csv"
if [ "$RESTART" = 1 ]; then
	log "restart: $RS_N objects of 1 KiB per peer, ${RS_WIN}s of Zipf before the stop and after the start"
	phase_restart
fi
echo "peer,objects,stored,reported_bytes,du_before,du_after,apparent_bytes,what" >"$RES/disk.csv"
if [ "$DISKUSE" = 1 ]; then
	log "disk: $DK_N objects of 1 KiB per peer"
	phase_disk
fi

# --- report --------------------------------------------------------------------

notes=""
for p in $PEERS; do
	[ -n "${NOTE[$p]:-}" ] && notes="$notes$p: ${NOTE[$p]}"$'\n'
done
notes=$notes$DNOTES
printf '%s' "$notes" >"$RES/notes.txt"

rep_args=(-v ref="$REF_PEER" -v limit="$LIMIT_PEER" -v self=accel -v passref=nginx-proxy
	-v diskself=accel-lmdb -v diskwl=zipf-disk -v workloads="$WORKLOADS" -v peers="$PEERS")
awk -F, "${rep_args[@]}" -v out=csv -f "$BENCH_DIR/report.awk" "$RES/raw.csv" >"$RES/summary.csv"
awk -F, "${rep_args[@]}" -v out=memcsv -f "$BENCH_DIR/report.awk" "$RES/mem.csv" >"$RES/mem-summary.csv"
{
	awk -F, "${rep_args[@]}" -v out=text -f "$BENCH_DIR/report.awk" "$RES/raw.csv"
	[ "$MEM" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=memtext -f "$BENCH_DIR/report.awk" "$RES/mem.csv"
	[ "$RESTART" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=rstext -f "$BENCH_DIR/report.awk" "$RES/restart.csv"
	[ "$DISKUSE" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=dktext -f "$BENCH_DIR/report.awk" "$RES/disk.csv"
	[ -n "$notes" ] && printf '\nNotes:\n%s' "$notes"
	echo
	sed 's/^/# /' "$RES/machine.txt"
} >"$RES/table.txt"
{
	awk -F, "${rep_args[@]}" -v out=md -f "$BENCH_DIR/report.awk" "$RES/raw.csv"
	[ "$MEM" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=memmd -f "$BENCH_DIR/report.awk" "$RES/mem.csv"
	[ "$RESTART" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=rsmd -f "$BENCH_DIR/report.awk" "$RES/restart.csv"
	[ "$DISKUSE" = 1 ] && echo && awk -F, "${rep_args[@]}" -v out=dkmd -f "$BENCH_DIR/report.awk" "$RES/disk.csv"
	[ -n "$notes" ] && printf '\n%s' "$(printf '%s' "$notes" | sed 's/^/- /')" && echo
} >"$RES/table.md"

if [ "$CHART" = 1 ]; then
	awk -F, "${rep_args[@]}" -v out=chart -v col=ref -f "$BENCH_DIR/report.awk" "$RES/summary.csv" >"$RES/ratio-varnish.dat"
	awk -F, "${rep_args[@]}" -v out=chart -v col=limit -f "$BENCH_DIR/report.awk" "$RES/summary.csv" >"$RES/ratio-limit.dat"
	gnuplot -e "ref='$RES/ratio-varnish.dat'; lim='$RES/ratio-limit.dat'; out='$RES/ratios.png'; refname='$REF_PEER'" \
		"$BENCH_DIR/chart.gp" >"$RES/logs/gnuplot.log" 2>&1 || log "gnuplot failed, see logs/gnuplot.log"
fi

echo
cat "$RES/table.txt"
echo
log "done in $(($(date +%s) - T0)) s: $RES"
[ "$FAILED" = 0 ] || exit 2
exit 0
