# accel: plain Makefile, pkg-config for every library.
#   make            build/accel, build/accelctl (-O2 -g)
#   make test       ASan+UBSan build, unit + fuzz-corpus replay + integration
#   make fuzz       libFuzzer targets (clang) in build/fuzz/
#   make run        install deps (root), build, run in front of $(ORIGIN)
#   make bench      accel against varnishd, nginx, Traffic Server (tests/bench)
#   make bench-vcl-instr  the VCL interpreter's instructions per hit (callgrind)
#   make format     clang-format every source file

CC      ?= cc
PKGS    := libevent libevent_pthreads lmdb libxxhash libpcre2-8
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -I. $(WARN) $(PKG_CFLAGS)
CFLAGS  ?= -O2 -g
LDLIBS_BASE := $(PKG_LIBS) -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

ORIGIN  ?= 127.0.0.1:8080
LISTEN  ?= 127.0.0.1:6081

# Every .c under accel/ except main.c goes into the library the tests link.
ACCEL_SRC := $(filter-out accel/main.c,$(wildcard accel/*.c))
LIB_SRC   := $(ACCEL_SRC) $(wildcard storage/*.c) $(wildcard purge/*.c) $(wildcard vcl/*.c)
TOOLS_SRC := $(wildcard tools/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
HARN_SRC  := $(filter-out $(INTEG_SRC),$(wildcard tests/integration/*.c))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
HDRS      := $(wildcard accel/*.h storage/*.h purge/*.h vcl/*.h vcl/*.def tests/integration/*.h)

# Generated sources (not under a source dir, so named one by one).
GEN_SRC  := build/gen/vcl_builtin.c
OBJ      := $(LIB_SRC:%.c=build/obj/%.o) $(GEN_SRC:%.c=build/obj/%.o)
SAN_OBJ  := $(LIB_SRC:%.c=build/san/obj/%.o) $(GEN_SRC:%.c=build/san/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/san/unit/%)
INTEG_BIN:= $(INTEG_SRC:tests/integration/%.c=build/san/integration/%)
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/san/replay/%)

.PHONY: all test unit integration fuzz-replay fuzz run clean format bench bench-quick bench-instr bench-vcl-instr bench-smoke bench-lmdb-chunk deps

all: build/accel $(if $(TOOLS_SRC),build/accelctl)

# The built-in VCL as a C string (no xxd: sed escapes each line).
build/gen/vcl_builtin.c: vcl/builtin.vcl
	@mkdir -p $(dir $@)
	@{ echo '/* Generated from vcl/builtin.vcl by the Makefile. */'; \
	  echo '#include "vcl/vcl.h"'; echo 'const char vcl_builtin_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
	    -e 's/\t/\\t/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
	  printf '\t"";\n'; \
	  echo 'const size_t vcl_builtin_len = sizeof vcl_builtin_text - 1;'; \
	} > $@.tmp && mv $@.tmp $@

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -c $< -o $@

build/libaccel.a: $(OBJ)
	@rm -f $@; ar rcs $@ $^

build/accel: build/obj/accel/main.o build/libaccel.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_BASE)

build/accelctl: $(TOOLS_SRC:%.c=build/obj/%.o) build/libaccel.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_BASE)

# tools/*.h concern the tools alone: only their objects depend on them.
$(TOOLS_SRC:%.c=build/obj/%.o) $(TOOLS_SRC:%.c=build/san/obj/%.o): $(wildcard tools/*.h)

# --- sanitizer build for tests ---
build/san/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g $(SAN) -c $< -o $@

build/san/libaccel.a: $(SAN_OBJ)
	@rm -f $@; ar rcs $@ $^

build/san/accel: build/san/obj/accel/main.o build/san/libaccel.a
	$(CC) -g $(SAN) -o $@ $^ $(LDLIBS_BASE)

build/san/accelctl: $(TOOLS_SRC:%.c=build/san/obj/%.o) build/san/libaccel.a
	$(CC) -g $(SAN) -o $@ $^ $(LDLIBS_BASE)

build/san/unit/%: tests/unit/%.c build/san/libaccel.a $(HDRS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g $(SAN) -o $@ $< build/san/libaccel.a $(LDLIBS_BASE) $(CMOCKA_LIBS)

build/san/integration/%: tests/integration/%.c $(HARN_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g $(SAN) -o $@ $< $(HARN_SRC) $(LDLIBS_BASE) $(CMOCKA_LIBS)

# test_accelctl writes its stores through the storage library itself.
build/san/integration/test_accelctl: tests/integration/test_accelctl.c $(HARN_SRC) $(HDRS) build/san/libaccel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g $(SAN) -o $@ $< $(HARN_SRC) build/san/libaccel.a $(LDLIBS_BASE) $(CMOCKA_LIBS)

build/san/replay/%: tests/fuzz/%.c tests/fuzz/replay.c build/san/libaccel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g $(SAN) -o $@ $< tests/fuzz/replay.c build/san/libaccel.a $(LDLIBS_BASE)

export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

test: unit fuzz-replay integration bench-smoke

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

fuzz-replay: $(REPLAY_BIN)
	@fail=0; for t in $(REPLAY_BIN); do n=$${t##*/}; echo "== $$t tests/fuzz/corpus/$$n"; $$t tests/fuzz/corpus/$$n || fail=1; done; exit $$fail

integration: build/san/accel $(if $(TOOLS_SRC),build/san/accelctl) $(INTEG_BIN)
	@fail=0; for t in $(INTEG_BIN); do echo "== $$t"; ACCEL_BIN=$(CURDIR)/build/san/accel ACCELCTL_BIN=$(CURDIR)/build/san/accelctl $$t || fail=1; done; exit $$fail

# --- libFuzzer (clang) ---
FUZZ_CC ?= clang
fuzz: $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(GEN_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_BASE) -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(GEN_SRC) $(LDLIBS_BASE)

deps:
	@sh tools/install-deps.sh

run: deps all
	@mkdir -p var
	./build/accel -a $(LISTEN) -b $(ORIGIN) -n ./var

bench:
	@sh tests/bench/run.sh

bench-quick:
	@sh tests/bench/run.sh --quick

# The bench's scripts parse and a tiny bench-quick runs with accel alone.
bench-smoke: build/accel
	@sh tests/bench/smoke.sh

# BENCH_VCL: a second accel row with -f FILE (BENCH_VCL= for none).
BENCH_VCL ?= tests/vcl/daemon/perf-typical.vcl
bench-instr: build/accel
	@sh tests/bench/instr.sh $(if $(BENCH_VCL),--vcl $(BENCH_VCL))

# The LMDB tier's chunk size (docs/storage-lmdb.md); not part of make test.
build/bench/lmdb_chunk: tests/bench/lmdb_chunk.c build/libaccel.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -o $@ $< build/libaccel.a $(LDLIBS_BASE)

bench-lmdb-chunk: build/bench/lmdb_chunk
	build/bench/lmdb_chunk 16k 64k 256k 1m

# The VCL interpreter's instructions per hit (docs/vcl-internals.md, "Cost
# budget"), under callgrind; not part of make test.
build/bench/vcl_instr: tests/bench/vcl_instr.c build/libaccel.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -o $@ $< build/libaccel.a $(LDLIBS_BASE)

bench-vcl-instr: build/bench/vcl_instr
	@sh tests/bench/vcl_instr.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
