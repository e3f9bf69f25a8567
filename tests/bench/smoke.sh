#!/bin/sh
# smoke.sh: the bench's scripts parse, and a tiny `make bench-quick` with
# accel alone runs and gives sane rows (about 30 s). Not a measurement.
#   sh tests/bench/smoke.sh
cd "$(dirname "$0")" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# 1. every script parses, each with the shell it runs under
for f in *.sh *.bash; do
	case $(head -n 1 "$f") in
	*bash*) sh=bash ;;
	'#!/bin/sh'*) sh=sh ;;
	*) sh=bash ;; # sourced by bash
	esac
	if $sh -n "$f"; then ok "$sh -n $f"; else ko "$sh -n $f"; fi
done
if awk -f report.awk /dev/null >/dev/null; then ok "awk report.awk"; else ko "awk report.awk"; fi

# 2. bench-quick, accel alone, tiny durations; every Lua script in use
res=$(mktemp -d /tmp/accel-bench-smoke.XXXXXX)
chart=--no-chart
command -v gnuplot >/dev/null 2>&1 && chart=""
# shellcheck disable=SC2086
if bash ./run.sh --quick --only accel --duration 1 --warmup 1 --mem-objects 1000 \
	--workloads hit-1k,hit-1k-close,miss,zipf,pass --results "$res" $chart >"$res/run.log" 2>&1; then
	ok "run.sh --quick --only accel"
else
	ko "run.sh --quick --only accel exited $? (see $res/run.log)"
	tail -n 20 "$res/run.log"
fi
for w in hit-1k hit-1k-close miss zipf pass; do
	row=$(grep "^$w,accel," "$res/summary.csv" 2>/dev/null)
	# workload,peer,runs,failed_runs,rps_median,...,errors(11)
	if [ -n "$row" ] && echo "$row" | awk -F, '{ exit !($3 >= 1 && $4 == 0 && $5 > 0 && $11 == 0) }'; then
		ok "$w: $(echo "$row" | cut -d, -f5) req/s, no errors"
	else
		ko "$w: no sane row in summary.csv: ${row:-none}"
	fi
done
if grep -q '^accel,1000,' "$res/mem.csv" 2>/dev/null; then ok "memory row"; else ko "no memory row in mem.csv"; fi
if [ -s "$res/table.txt" ] && grep -q 'req/s median' "$res/table.txt"; then ok "table.txt"; else ko "no table.txt"; fi
if [ -z "$chart" ]; then
	if [ -s "$res/ratios.png" ]; then ok "ratios.png"; else ko "no ratios.png"; fi
fi
left=$(ps -e -o pid=,args= | grep -F "$res" | grep -v grep)
if [ -z "$left" ]; then ok "every process stopped"; else ko "processes left: $left"; fi

[ "$fail" = 0 ] && rm -rf "$res"
echo "bench smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
