#!/usr/bin/env bash
# instr.sh: instructions per request on accel's hit path, counted by
# valgrind's callgrind: a figure a noisy machine does not disturb, the one to
# watch when optimising. `make bench-instr` (which builds build/accel first).
#
#   sh tests/bench/instr.sh [--requests N] [--warm W] [--vcl FILE] [--no-ref]
#                           [--no-install]
#
# accel runs under callgrind in front of an nginx origin (not under
# callgrind); curl fetches the same 1 KiB URL over one keep-alive connection,
# W times in a first run and W + N times in a second. The startup, the first
# fetch and the shutdown are the same in both, so
#     instructions per request = (Ir[W + N] - Ir[W]) / N
# counts user-space instructions of the hit path alone (the kernel's are not
# counted). The same is measured for nginx proxy_cache and nginx proxy_pass
# (unless --no-ref) so that the figure comes with a ratio. With --vcl FILE
# a second accel row, "accel -f", runs FILE (its vcl_recv, vcl_hash,
# vcl_hit and vcl_deliver before the built-in VCL's) on every hit: a copy
# of it whose first `.port = "..."` is the origin's port, its backend
# (with -b as well for an accel that wants both) (make bench-instr
# gives tests/vcl/daemon/perf-typical.vcl, or BENCH_VCL=FILE; BENCH_VCL=
# for none).
# Results: tests/bench/results/instr-<date-time>/ (instr.csv and the
# callgrind files: callgrind_annotate FILE shows where the instructions go).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
umask 022

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.bash
. "$BENCH_DIR/lib.bash"

N=10000 WARM=1000 REF=1 INSTALL=1 VCL=""
ACCEL_BIN=${ACCEL_BIN:-$ROOT/build/accel}
while [ $# -gt 0 ]; do
	case $1 in
	--requests) N=$2; shift ;;
	--warm) WARM=$2; shift ;;
	--vcl) VCL=$2; shift ;;
	--no-ref) REF=0 ;;
	--no-install) INSTALL=0 ;;
	-h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: instr.sh [--requests N] [--warm W] [--vcl FILE] [--no-ref] [--no-install]" >&2; exit 64 ;;
	esac
	shift
done

RES=$BENCH_DIR/results/instr-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES" || die "cannot create $RES"
: >"$RES/pids"
trap 'stop_all' EXIT
trap 'log interrupted; exit 130' INT
trap 'log terminated; exit 143' TERM

if [ "$INSTALL" = 1 ]; then
	need_pkgs valgrind:valgrind curl:curl nginx:nginx ss:iproute2 || true
fi
for c in valgrind curl nginx ss; do
	command -v "$c" >/dev/null 2>&1 || die "$c is needed"
done
[ -x "$ACCEL_BIN" ] || die "$ACCEL_BIN missing: make build/accel"
PIN_SERVER=() PIN_CLIENT=()

make_www "$RES/www"
ORIGIN_PORT=""
for try in 1 2 3 4 5; do
	port=$(pick_port) || die "no free port"
	rm -rf "$RES/origin"
	start_nginx origin "$RES/origin" "$port" "$RES/www" ""
	if wait_http "$port" "$SPAWNED" 10 /1k; then ORIGIN_PORT=$port; break; fi
	stop_pid "$SPAWNED"
done
[ -n "$ORIGIN_PORT" ] || die "the origin (nginx) does not start"
if [ -n "$VCL" ]; then
	[ -r "$VCL" ] || die "$VCL: cannot read it"
	sed "0,/\.port *= *\"[0-9]*\"/s//.port = \"$ORIGIN_PORT\"/" "$VCL" >"$RES/bench.vcl" ||
		die "cannot copy $VCL"
	# A VCL that fails at run time answers 503 (and is not a hit): see
	# that before counting.
	"$ACCEL_BIN" -C -f "$RES/bench.vcl" >"$RES/vcl-check.log" 2>&1 ||
		die "$VCL does not load (see $RES/vcl-check.log)"
	# Its backend is the VCL's; an accel that still wants -b beside -f
	# (before the VCL's backends were bound) gets both.
	FVCL=(-f "$RES/bench.vcl")
	mkdir -p "$RES/probe"
	spawn "$RES/probe/stderr.log" "$ACCEL_BIN" -a 127.0.0.1:0 "${FVCL[@]}" -t 1 -n "$RES/probe"
	for t in $(seq 1 50); do
		grep -q 'listening on' "$RES/probe/stderr.log" && break
		kill -0 "$SPAWNED" 2>/dev/null || break
		sleep 0.1
	done
	grep -q 'listening on' "$RES/probe/stderr.log" || FVCL+=(-b "127.0.0.1:$ORIGIN_PORT")
	stop_pid "$SPAWNED"
fi

# curl_config N PORT: N fetches of /1k, one connection.
curl_config() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf 'url = "http://127.0.0.1:%s/1k"\noutput = "/dev/null"\n' "$2"
	done
}

# wait_listen PORT PID SECONDS: until something listens on PORT (no request:
# the count of requests must be exact).
wait_listen() {
	local t=$(($3 * 10))
	while [ "$t" -gt 0 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ] && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# one_run NAME COUNT: total instructions of one callgrind run of NAME serving
# COUNT fetches of /1k, in IR (empty on failure). No subshell: the traps must
# see every PID.
one_run() {
	IR=""
	local name=$1 count=$2 dir=$RES/$1-$2 out port pid t
	out=$RES/callgrind.$name.$count.out
	mkdir -p "$dir"
	local vg=(valgrind --tool=callgrind --callgrind-out-file="$out")
	case $name in
	accel | accel-f)
		local args=(-b "127.0.0.1:$ORIGIN_PORT")
		[ "$name" = accel-f ] && args=("${FVCL[@]}")
		spawn "$dir/stderr.log" "${vg[@]}" "$ACCEL_BIN" -a 127.0.0.1:0 "${args[@]}" \
			-t 1 -n "$dir" -p access_log=off
		pid=$SPAWNED port=""
		for t in $(seq 1 600); do
			port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$dir/stderr.log" | head -n 1)
			[ -n "$port" ] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		[ -n "$port" ] || { log "$name: no 'listening on' line (see $dir/stderr.log)"; stop_pid "$pid"; return 1; }
		;;
	nginx-cache | nginx-proxy)
		port=$(pick_port) || return 1
		mkdir -p "$dir/tmp"
		nginx_conf "${name#nginx-}" "$dir" "$port" "$RES/www" "$ORIGIN_PORT" |
			sed 's/^master_process on;/master_process off;/' >"$dir/nginx.conf"
		spawn "$dir/stderr.log" "${vg[@]}" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
		pid=$SPAWNED
		;;
	esac
	wait_listen "$port" "$pid" 60 || { log "$name: does not listen (see $dir/)"; stop_pid "$pid"; return 1; }
	curl_config "$count" "$port" >"$dir/curl.cfg"
	o0=$(origin_requests "$ORIGIN_PORT")
	curl -s -K "$dir/curl.cfg" -w '%{http_code}\n' >"$dir/codes" 2>"$dir/curl.err" || log "$name: curl failed: $(head -c 200 "$dir/curl.err")"
	# every answer a 200 (a VCL failing at run time gives 503s, which
	# the origin's count would take for hits)
	NOT200=$(grep -vc '^200$' "$dir/codes")
	[ "$NOT200" = 0 ] || log "$name: $NOT200 answers were not 200 (see $dir/codes)"
	o1=$(origin_requests "$ORIGIN_PORT")
	# hit ratio from the origin's request count (the status request is one)
	HIT=$(awk -v a="${o0:-0}" -v b="${o1:-0}" -v n="$count" 'BEGIN { printf "%.1f", 100 * (1 - (b - a - 1) / n) }')
	stop_pid "$pid"
	IR=$(awk '/^(summary|totals):/ { print $2; exit }' "$out" 2>/dev/null)
	[ -n "$IR" ] && [ "$NOT200" = 0 ]
}

peers="accel"
[ -n "$VCL" ] && peers="$peers accel-f"
[ "$REF" = 1 ] && peers="$peers nginx-cache nginx-proxy"
echo "peer,warm,requests,ir_warm,ir_total,ir_per_request,hit_pct" >"$RES/instr.csv"
declare -A IPR HITP
for p in $peers; do
	log "$p: callgrind, $WARM then $((WARM + N)) fetches of /1k"
	one_run "$p" "$WARM"
	a=$IR
	one_run "$p" $((WARM + N))
	b=$IR
	HITP[$p]=$HIT
	if [ -z "$a" ] || [ -z "$b" ]; then
		log "$p: no callgrind total"
		continue
	fi
	IPR[$p]=$(((b - a) / N))
	echo "$p,$WARM,$N,$a,$b,${IPR[$p]},${HITP[$p]}" >>"$RES/instr.csv"
done

echo
echo "Instructions per request, 1 KiB hit on one keep-alive connection"
echo "(callgrind, user space, (Ir[$((WARM + N))] - Ir[$WARM]) / $N):"
for p in $peers; do
	[ -n "${IPR[$p]:-}" ] || { printf '  %-12s failed\n' "$p"; continue; }
	if [ "$p" = accel-f ] && [ -n "${IPR[accel]:-}" ]; then
		printf '  %-12s %9d   hit %5s %%   accel -f / accel = %.3f  (-f %s)\n' "$p" "${IPR[$p]}" "${HITP[$p]}" "$(echo "${IPR[$p]} ${IPR[accel]}" | awk '{ print $1 / $2 }')" "$VCL"
	elif [ "$p" != accel ] && [ -n "${IPR[accel]:-}" ]; then
		printf '  %-12s %9d   hit %5s %%   accel / %s = %.2f\n' "$p" "${IPR[$p]}" "${HITP[$p]}" "$p" "$(echo "${IPR[accel]} ${IPR[$p]}" | awk '{ print $1 / $2 }')"
	else
		printf '  %-12s %9d   hit %5s %%\n' "$p" "${IPR[$p]}" "${HITP[$p]}"
	fi
done
echo
echo "(hit % from the origin's request count: 0 means the 'hits' were passed to the origin)"
echo "results: $RES"
echo "profile: callgrind_annotate $RES/callgrind.accel.$((WARM + N)).out | head -40"
[ -n "${IPR[accel]:-}" ] || exit 1
