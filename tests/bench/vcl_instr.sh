#!/usr/bin/env bash
# vcl_instr.sh: instructions per request of the VCL interpreter on a cache
# hit (vcl_recv, vcl_hash, vcl_hit, vcl_deliver), counted by valgrind's
# callgrind: `make bench-vcl-instr` (which builds build/bench/vcl_instr).
#
#   sh tests/bench/vcl_instr.sh [--requests N] [FILE...]
#
# For the built-in VCL alone and for each FILE (by default the corpus's
# wordpress.vcl and the bench's typical VCL, tests/vcl/daemon/
# perf-typical.vcl, whose user code runs before the built-in VCL's), the
# program runs under callgrind with 0 and with N requests, so
#     instructions per request = (Ir[N] - Ir[0]) / N
# counts the four runs alone (the load and the exit are the same in both;
# the built-in vcl_hash is not run: accel makes its key itself). The
# whole daemon's budget is `make bench-instr` (docs/vcl-internals.md,
# "Cost budget"). Results: tests/bench/results/vcl-instr-<date-time>/ (the
# callgrind files: callgrind_annotate FILE shows where they go).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
umask 022

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.bash
. "$BENCH_DIR/lib.bash"

N=1000
BIN=${VCL_INSTR_BIN:-$ROOT/build/bench/vcl_instr}
FILES=()
while [ $# -gt 0 ]; do
	case $1 in
	--requests) N=$2; shift ;;
	-h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "usage: vcl_instr.sh [--requests N] [FILE...]" >&2; exit 64 ;;
	*) FILES+=("$1") ;;
	esac
	shift
done
[ ${#FILES[@]} -gt 0 ] || FILES=("$ROOT/tests/vcl/corpus/wordpress.vcl" "$ROOT/tests/vcl/daemon/perf-typical.vcl")
command -v valgrind >/dev/null 2>&1 || die "valgrind is needed"
[ -x "$BIN" ] || die "$BIN missing: make build/bench/vcl_instr"

RES=$BENCH_DIR/results/vcl-instr-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES" || die "cannot create $RES"

# ir NAME COUNT [FILE]: total instructions of one run (empty on failure).
ir() {
	local out=$RES/callgrind.$1.$2.out
	valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" ${3:+"$3"} "$2" \
		>/dev/null 2>"$RES/$1.$2.log" || { log "$1: failed (see $RES/$1.$2.log)"; return 1; }
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

echo "program,requests,ir_0,ir_n,ir_per_request" >"$RES/vcl_instr.csv"
status=0
printf '\nVCL instructions per request (recv + hash + hit + deliver),\n'
printf 'callgrind, (Ir[%d] - Ir[0]) / %d:\n' "$N" "$N"
for f in builtin "${FILES[@]}"; do
	name=$(basename "$f" .vcl) arg=""
	[ "$f" = builtin ] || arg=$f
	a=$(ir "$name" 0 "$arg") && b=$(ir "$name" "$N" "$arg")
	if [ -z "${a:-}" ] || [ -z "${b:-}" ]; then
		printf '  %-16s failed\n' "$name"
		status=1
		continue
	fi
	echo "$name,$N,$a,$b,$(((b - a) / N))" >>"$RES/vcl_instr.csv"
	printf '  %-16s %7d\n' "$name" $(((b - a) / N))
done
echo
echo "results: $RES"
echo "profile: callgrind_annotate $RES/callgrind.builtin.$N.out | head -30"
exit $status
