#!/bin/sh
# smoke.sh: the bench's scripts parse, a tiny `make bench-quick` with accel
# alone runs and gives sane rows, and so do the disk tier's phases
# (zipf-disk, restart, disk) with accel-lmdb alone, once build/accel has the
# disk tier (about 30 s in all). Not a measurement.
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

# 3. the disk tier's phases, accel-lmdb alone, tiny sizes
bin=${ACCEL_BIN:-../../build/accel}
if ! "$bin" -h 2>&1 | grep -q lmdb; then
	ok "disk phases skipped: build/accel -h does not mention lmdb"
else
	rd=$res/disk
	if bash ./run.sh --only accel-lmdb --workloads zipf-disk --no-mem --no-chart --no-install \
		--duration 1 --warmup 1 --zipf-disk-urls 2000 --restart-objects 2000 --restart-window 1 \
		--disk-objects 2000 --results "$rd" >"$res/run-disk.log" 2>&1; then
		ok "run.sh --only accel-lmdb --workloads zipf-disk"
	else
		ko "run.sh --only accel-lmdb --workloads zipf-disk exited $? (see $res/run-disk.log)"
		tail -n 20 "$res/run-disk.log"
	fi
	row=$(grep "^zipf-disk,accel-lmdb," "$rd/summary.csv" 2>/dev/null)
	if [ -n "$row" ] && echo "$row" | awk -F, '{ exit !($3 >= 1 && $4 == 0 && $5 > 0 && $11 == 0) }'; then
		ok "zipf-disk: $(echo "$row" | cut -d, -f5) req/s, no errors"
	else
		ko "zipf-disk: no sane row in summary.csv: ${row:-none}"
	fi
	# peer,objects,stored,load_s,stop_s,killed,listen_s,first_ok_s,first_hit_s,...,ratio_after(14)
	row=$(grep "^accel-lmdb," "$rd/restart.csv" 2>/dev/null)
	if [ -n "$row" ] && echo "$row" | awk -F, '{ exit !($3 >= 2000 && $6 == 0 && $9 != "" && $14 > 0) }'; then
		ok "restart: $(echo "$row" | cut -d, -f3) objects stored, first hit $(echo "$row" | cut -d, -f9) s after the spawn"
	else
		ko "restart: no sane row in restart.csv (stored, a first hit): ${row:-none}"
	fi
	# ...,ratio_after(14),rss_idle_mib,anon_idle_mib,rss_loaded_mib,
	# anon_loaded_mib,rss_up_mib,anon_up_mib(20): numbers, RSS > 0
	if [ -n "$row" ] && echo "$row" | awk -F, '{
		if (NF != 20) exit 1
		for (i = 15; i <= 20; i++) if ($i !~ /^[0-9]+(\.[0-9]+)?$/) exit 1
		exit !($15 > 0 && $17 > 0 && $19 > 0) }'; then
		ok "restart memory: $(echo "$row" | awk -F, '{ printf "RSS %s MiB (anon %s) loaded, %s MiB (anon %s) at the first hit", $17, $18, $19, $20 }')"
	else
		ko "restart: no memory figures in restart.csv (columns 15-20): ${row:-none}"
	fi
	# peer,objects,stored,reported_bytes,...
	row=$(grep "^accel-lmdb," "$rd/disk.csv" 2>/dev/null)
	if [ -n "$row" ] && echo "$row" | awk -F, '{ exit !($3 >= 2000 && $4 > 0 && $6 > 0) }'; then
		ok "disk: $(echo "$row" | awk -F, '{ printf "%.0f", $4 / $3 }') bytes per object"
	else
		ko "disk: no sane row in disk.csv: ${row:-none}"
	fi
	if grep -q '^restart ' "$rd/table.txt" && grep -q '^restart memory ' "$rd/table.txt" && grep -q '^disk ' "$rd/table.txt"; then
		ok "table.txt: restart, restart memory, disk"
	else
		ko "table.txt lacks the restart, restart memory or disk table"
	fi
	left=$(ps -e -o pid=,args= | grep -F "$rd" | grep -v grep)
	if [ -z "$left" ]; then ok "every process stopped"; else ko "processes left: $left"; fi
fi

[ "$fail" = 0 ] && rm -rf "$res"
echo "bench smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
