/*
 * test_evict.c: the eviction policies' hit ratios, measured by replaying
 * synthetic traces through the real memory tier (lookups, object creation,
 * body appends, inserts), and the check that the default policy beats
 * plain LRU on a Zipf(1.0) trace at 1% and 10% of the working set.
 *
 * Under `make unit` the traces are scaled down (10k keys, 150k requests,
 * sizes / 8) to stay fast under ASan. STO_EVICT_FULL=1 replays the traces
 * quoted in docs/storage.md (100k keys, 1M requests, full sizes); build it
 * with -O2 for that:
 *   cc -std=c11 -D_GNU_SOURCE -I. -O2 -o /tmp/te tests/unit/test_evict.c \
 *       storage/sto*.c -lcmocka -lpthread && STO_EVICT_FULL=1 /tmp/te
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/storage.h"

#define TEST_UNUSED __attribute__((unused))

/* ---- traces ---- */

struct trace {
	const char *name;
	uint32_t *req; /* key ids, in request order */
	size_t nreq;
	uint32_t nkeys;    /* ids >= nkeys are scan keys, each seen once */
	uint32_t *size;    /* body bytes per key id */
	uint64_t ws_bytes; /* bytes of the Zipf keys (the working set) */
};

struct scale {
	uint32_t nkeys;
	size_t nreq;
	unsigned size_div; /* divide object sizes by this */
};

static uint64_t
rnd_next(uint64_t *s)
{
	/* splitmix64: deterministic traces, the same on every machine */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static double
rnd_unit(uint64_t *s)
{
	return ((double)(rnd_next(s) >> 11) / 9007199254740992.0);
}

/*
 * A web-like size mix, independent of popularity: 60% 512 B..8 KiB,
 * 30% 8..64 KiB, 10% 64..512 KiB, log-uniform inside each band by octave
 * (no libm: the unit tests do not link it). Mean about 33 KiB.
 */
static uint32_t
size_draw(uint64_t *s, unsigned div)
{
	double u = rnd_unit(s);
	uint64_t lo, oct;
	unsigned noct;

	if (u < 0.6) {
		lo = 512;
		noct = 4;
	} else if (u < 0.9) {
		lo = 8192;
		noct = 3;
	} else {
		lo = 65536;
		noct = 3;
	}
	oct = lo << (rnd_next(s) % noct);
	u = (double)(oct + rnd_next(s) % oct) / div;
	return (u < 16 ? 16 : (uint32_t)u);
}

/* Zipf(1.0) over nkeys ranks by inverse CDF; ranks map to shuffled ids. */
static void
zipf_fill(uint32_t *out, size_t n, uint32_t nkeys, uint64_t *s)
{
	double *cdf = malloc(nkeys * sizeof *cdf), sum = 0;
	uint32_t *perm = malloc(nkeys * sizeof *perm), i, j, t;
	size_t r;

	assert_non_null(cdf);
	assert_non_null(perm);
	for (i = 0; i < nkeys; i++) {
		sum += 1.0 / (double)(i + 1);
		cdf[i] = sum;
		perm[i] = i;
	}
	for (i = nkeys - 1; i > 0; i--) {
		j = (uint32_t)(rnd_next(s) % (i + 1));
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (r = 0; r < n; r++) {
		double u = rnd_unit(s) * sum;
		uint32_t lo = 0, hi = nkeys - 1;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		out[r] = perm[lo];
	}
	free(cdf);
	free(perm);
}

/*
 * scan_pct == 0: pure Zipf(1.0). Otherwise scan_pct% of the requests are
 * crawler-like scans, bursts of one-time keys (each 1% of nkeys long)
 * spread through the Zipf stream: what a cache must not let flush it.
 */
static void
trace_make(struct trace *tr, const char *name, const struct scale *sc,
	   unsigned scan_pct)
{
	uint64_t s = 42;
	size_t nscan = sc->nreq * scan_pct / 100, nz = sc->nreq - nscan, r;
	size_t burst = sc->nkeys / 100, zi, si = 0, every, b;
	uint32_t *z, id;

	memset(tr, 0, sizeof *tr);
	tr->name = name;
	tr->nreq = sc->nreq;
	tr->nkeys = sc->nkeys;
	tr->req = malloc(sc->nreq * sizeof *tr->req);
	tr->size = malloc((sc->nkeys + nscan) * sizeof *tr->size);
	z = malloc((nz + 1) * sizeof *z);
	assert_non_null(tr->req);
	assert_non_null(tr->size);
	assert_non_null(z);
	for (id = 0; id < sc->nkeys + nscan; id++) {
		tr->size[id] = size_draw(&s, sc->size_div);
		if (id < sc->nkeys)
			tr->ws_bytes += tr->size[id];
	}
	zipf_fill(z, nz, sc->nkeys, &s);
	/* a burst of scan keys after every stretch of Zipf requests */
	every = nscan > 0 ? nz / (nscan / burst + 1) : 0;
	for (r = 0, zi = 0; zi < nz; zi++) {
		tr->req[r++] = z[zi];
		if (every > 0 && (zi + 1) % every == 0)
			for (b = 0; b < burst && si < nscan; b++)
				tr->req[r++] = sc->nkeys + (uint32_t)si++;
	}
	while (si < nscan)
		tr->req[r++] = sc->nkeys + (uint32_t)si++;
	assert_int_equal(r, sc->nreq);
	free(z);
}

static void
trace_free(struct trace *tr)
{
	free(tr->req);
	free(tr->size);
}

/* ---- replay ---- */

struct result {
	double ohr; /* object hit ratio */
	double bhr; /* byte hit ratio */
	double secs;
	uint64_t evictions;
};

static const uint8_t zeros[64 * 1024];

/* Every request through the tier, as the daemon will: lookup, else fetch. */
static void
replay(const struct trace *tr, const struct sto_mem_conf *mc,
       struct result *res)
{
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_hashin hi;
	struct sto_key k;
	struct sto_stats st;
	struct timespec t0, t1;
	uint8_t buf[64];
	char url[24];
	uint64_t hits = 0, hbytes = 0, rbytes = 0;
	size_t r, off, n;
	uint32_t id, len;

	assert_int_equal(sto_mem_open(&t, mc), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < tr->nreq; r++) {
		id = tr->req[r];
		len = tr->size[id];
		rbytes += len;
		snprintf(url, sizeof url, "/k%u", id);
		sto_hashin_init(&hi, buf, sizeof buf);
		(void)sto_hashin_add(&hi, "zipf.example", 12);
		(void)sto_hashin_add(&hi, url, strlen(url));
		sto_key_make(&k, buf, hi.hi_len);
		if (sto_lookup(t, &k, buf, hi.hi_len, NULL, NULL, &o) == 0) {
			hits++;
			hbytes += len;
			sto_obj_deref(&o);
			continue;
		}
		assert_int_equal(sto_obj_new(&o, &k, buf, hi.hi_len), 0);
		o->o_status = 200;
		o->o_content_length = len;
		assert_int_equal(
		    sto_obj_set_hdrs(o, "Content-Type: a/b\r\n", 19), 0);
		for (off = 0; off < len; off += n) {
			n = len - off < sizeof zeros ? len - off : sizeof zeros;
			assert_int_equal(sto_obj_append(o, zeros, n), 0);
		}
		assert_int_equal(sto_obj_finish(o, 1), 0);
		n = (size_t)sto_insert(t, o);
		assert_true(n == 0 || (int)n == STO_ETOOBIG);
		sto_obj_deref(&o);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sto_stats(t, &st);
	assert_true(st.bytes <= st.budget);
	assert_int_equal(st.hits, hits);
	sto_tier_close(&t);
	res->ohr = (double)hits / tr->nreq;
	res->bhr = (double)hbytes / rbytes;
	res->secs =
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	res->evictions = st.evictions;
}

/* ---- the comparison ---- */

struct variant {
	const char *label;
	enum sto_policy pol;
	unsigned small_pct;
	unsigned promote;
	int full_only;
};

static const struct variant variants[] = {
    {"lru", STO_POL_LRU, 0, 1, 0},
    {"slru", STO_POL_SLRU, 0, 1, 0},
    {"s3fifo", STO_POL_S3FIFO, 0, 1, 0},
    {"s3fifo promote=2", STO_POL_S3FIFO, 0, 2, 1},
    {"s3fifo small=20", STO_POL_S3FIFO, 20, 1, 1},
};

static int
full_run(void)
{
	const char *e = getenv("STO_EVICT_FULL");

	return (e != NULL && *e == '1');
}

/*
 * For each cache size, replay the trace under every variant, print a
 * table row per variant, and return the hit ratios of LRU and of the
 * default configuration at that size.
 */
static void
compare(const struct trace *tr, const unsigned *permille, unsigned nsizes,
	double *lru, double *dflt)
{
	struct sto_mem_conf mc, def;
	struct result res;
	unsigned s, v;

	sto_mem_conf_default(&def);
	print_message(
	    "  trace %s: %zu requests, %u keys, working set %.1f MiB\n",
	    tr->name, tr->nreq, tr->nkeys, tr->ws_bytes / 1048576.0);
	print_message("  %-18s %7s %10s %9s %9s %10s %7s\n", "policy", "cache",
		      "budget", "obj.hit", "byte.hit", "evictions", "secs");
	for (s = 0; s < nsizes; s++) {
		for (v = 0; v < sizeof variants / sizeof variants[0]; v++) {
			if (variants[v].full_only && !full_run())
				continue;
			sto_mem_conf_default(&mc);
			mc.mc_budget =
			    (size_t)(tr->ws_bytes * permille[s] / 1000);
			mc.mc_policy = variants[v].pol;
			mc.mc_small_pct = variants[v].small_pct;
			mc.mc_promote = variants[v].promote;
			replay(tr, &mc, &res);
			print_message("  %-18s %6.1f%% %9.1fM %8.2f%% %8.2f%% "
				      "%10llu %7.2f\n",
				      variants[v].label, permille[s] / 10.0,
				      mc.mc_budget / 1048576.0, res.ohr * 100,
				      res.bhr * 100,
				      (unsigned long long)res.evictions,
				      res.secs);
			if (variants[v].pol == STO_POL_LRU)
				lru[s] = res.ohr;
			if (variants[v].pol == def.mc_policy &&
			    variants[v].small_pct == def.mc_small_pct &&
			    variants[v].promote == def.mc_promote)
				dflt[s] = res.ohr;
		}
	}
}

static void
scale_get(struct scale *sc)
{
	if (full_run()) {
		sc->nkeys = 100000;
		sc->nreq = 1000000;
		sc->size_div = 1;
	} else {
		sc->nkeys = 10000;
		sc->nreq = 150000;
		sc->size_div = 8;
	}
}

static const unsigned sizes_permille[] = {10, 100}; /* 1%, 10% */

static void
test_zipf(void **state TEST_UNUSED)
{
	struct scale sc;
	struct trace tr;
	double lru[2], dflt[2];
	unsigned s;

	scale_get(&sc);
	trace_make(&tr, "zipf(1.0)", &sc, 0);
	compare(&tr, sizes_permille, 2, lru, dflt);
	for (s = 0; s < 2; s++)
		assert_true(dflt[s] > lru[s]);
	trace_free(&tr);
}

static void
test_zipf_scan(void **state TEST_UNUSED)
{
	struct scale sc;
	struct trace tr;
	double lru[2], dflt[2];
	unsigned s;

	scale_get(&sc);
	trace_make(&tr, "zipf(1.0) + 25% scans", &sc, 25);
	compare(&tr, sizes_permille, 2, lru, dflt);
	/* scan resistance: the point of not using plain LRU */
	for (s = 0; s < 2; s++)
		assert_true(dflt[s] > lru[s]);
	trace_free(&tr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zipf),
	    cmocka_unit_test(test_zipf_scan),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
