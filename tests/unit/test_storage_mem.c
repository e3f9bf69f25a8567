/*
 * test_storage_mem.c: the memory tier: the byte budget and its eviction,
 * objects evicted while referenced, BUSY objects growing against the
 * budget, counters, close, and concurrent churn under every policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/storage.h"
#include "sto_test_util.h"

#define TEST_UNUSED __attribute__((unused))

/* ---- budget and eviction ---- */

static void
test_budget(void **state TEST_UNUSED)
{
	enum sto_policy pol;
	struct sto_tier *t;
	struct sto_stats st;
	struct sto_obj *o;
	struct hin h;
	char url[32];
	unsigned u;
	size_t fp;

	for (pol = 0; pol < STO_POL__N; pol++) {
		t = mem_open(1 << 20, pol, 8);
		for (u = 0; u < 100; u++) {
			snprintf(url, sizeof url, "/b%u", u);
			hin_make(&h, "h", url);
			o = obj_make(&h, 40000 + u * 37, u, u % 2);
			fp = atomic_load(&o->o_footprint);
			assert_int_equal(sto_insert(t, o), 0);
			sto_obj_deref(&o);
			sto_stats(t, &st);
			assert_true(st.bytes <= st.budget + fp);
		}
		sto_stats(t, &st);
		assert_true(st.bytes <= st.budget);
		assert_true(st.evictions >= 70);
		assert_int_equal(st.inserts, 100);
		assert_int_equal(st.objects + st.evictions, 100);
		/* 1 MiB holds 12..25 of these, by how well their segments fit
		 */
		assert_true(st.objects >= 12);
		sto_tier_close(&t);
	}
}

/* Evicted while held: still readable until the last deref (ASan watches). */
static void
test_evict_held(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(256 << 10, STO_POL_LRU, 4);
	struct sto_obj *o, *held;
	struct sto_cursor c;
	struct sto_stats st;
	struct hin h, hk;
	const void *p;
	size_t len;
	char url[32];
	unsigned u;

	hin_make(&hk, "h", "/keep");
	o = obj_make(&hk, 100000, 5, 1);
	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
	assert_int_equal(
	    sto_lookup(t, &hk.key, hk.buf, hk.len, NULL, NULL, &held), 0);
	/* a reader mid-body when eviction strikes */
	sto_cursor_init(&c, held);
	assert_int_equal(sto_cursor_next(&c, 1000, &p, &len), 0);
	for (u = 0; u < 20; u++) {
		snprintf(url, sizeof url, "/e%u", u);
		hin_make(&h, "h", url);
		o = obj_make(&h, 50000, u, 1);
		assert_int_equal(sto_insert(t, o), 0);
		sto_obj_deref(&o);
	}
	assert_int_equal(sto_lookup(t, &hk.key, hk.buf, hk.len, NULL, NULL, &o),
			 ENOENT);
	sto_stats(t, &st);
	assert_true(st.evictions > 0);
	assert_null(atomic_load(&held->o_tier));
	assert_int_equal(((const uint8_t *)p)[999], pat(5, 999));
	body_check(held, 100000, 5);
	while (sto_cursor_next(&c, 0, &p, &len) == 0)
		;
	sto_obj_deref(&held);
	sto_tier_close(&t);
}

/* A BUSY object's growth counts against the budget as it happens. */
static void
test_busy_growth(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	struct sto_obj *o, *big;
	struct sto_stats st;
	struct hin h;
	uint8_t chunk[64 << 10];
	size_t before;
	unsigned u;

	memset(chunk, 'x', sizeof chunk);
	hin_make(&h, "h", "/grow");
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_insert(t, o), 0);
	sto_stats(t, &st);
	before = st.bytes;
	assert_int_equal(sto_obj_append(o, chunk, sizeof chunk), 0);
	sto_stats(t, &st);
	assert_true(st.bytes >= before + sizeof chunk);
	assert_int_equal(st.bytes, atomic_load(&o->o_footprint));
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_obj_deref(&o);

	/* announced too big: refused */
	hin_make(&h, "h", "/huge");
	assert_int_equal(sto_obj_new(&big, &h.key, h.buf, h.len), 0);
	big->o_content_length = 2 << 20;
	assert_int_equal(sto_insert(t, big), STO_ETOOBIG);
	sto_obj_deref(&big);
	/* unknown length outgrowing the budget: dropped, keeps streaming */
	assert_int_equal(sto_obj_new(&big, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_insert(t, big), 0);
	for (u = 0; u < 20; u++)
		assert_int_equal(sto_obj_append(big, chunk, sizeof chunk), 0);
	assert_null(atomic_load(&big->o_tier));
	sto_stats(t, &st);
	assert_int_equal(st.toobig, 2);
	assert_true(st.bytes <= st.budget);
	assert_int_equal(sto_obj_finish(big, 1), 0);
	assert_int_equal(sto_obj_len(big), 20 * sizeof chunk);
	sto_obj_deref(&big);
	sto_tier_close(&t);
}

static int
count_obj(struct sto_obj *o, void *priv)
{
	size_t *v = priv;

	v[0]++;
	v[1] += atomic_load(&o->o_footprint);
	return (0);
}

static void
test_stats(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	struct sto_obj *o, *l;
	struct sto_stats st;
	struct hin a, b;
	size_t cnt[2] = {0, 0};
	unsigned n;

	hin_make(&a, "h", "/s1");
	hin_make(&b, "h", "/s2");
	o = obj_make(&a, 10, 1, 1);
	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
	o = obj_make(&b, 20, 1, 1);
	assert_int_equal(sto_insert(t, o), 0);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &l),
			 0);
	sto_obj_deref(&l);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &l),
			 0);
	sto_obj_deref(&l);
	assert_int_equal(sto_lookup(t, &a.key, b.buf, b.len, NULL, NULL, &l),
			 ENOENT);
	assert_int_equal(t->t_ops->foreach (t, count_obj, cnt), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(cnt[0], 2);
	assert_int_equal(st.bytes, cnt[1]);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.inserts, 2);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(sto_unlink(t, o), 0);
	assert_int_equal(sto_unlink(t, o), ENOENT);
	assert_int_equal(sto_remove(t, &a.key, a.buf, a.len, &n), 0);
	sto_stats(t, &st);
	assert_int_equal(st.removed, 2);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.bytes, 0);
	sto_obj_deref(&o);
	sto_tier_close(&t);
}

/* Close drops the index; objects others hold live on. */
static void
test_close_held(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_SLRU, 2);
	struct sto_obj *o;
	struct hin h;

	hin_make(&h, "h", "/close");
	o = obj_make(&h, 3000, 4, 0);
	assert_int_equal(sto_insert(t, o), 0);
	sto_tier_close(&t);
	assert_null(atomic_load(&o->o_tier));
	body_check(o, 3000, 4);
	sto_obj_deref(&o);
}

/* ---- the eviction hook ---- */

enum { EV_HOT, EV_COLD, EV_RM, EV_UNL, EV_REP, EV_N };

/* What mc_evicted saw: calls per object of interest, and for others. */
struct evrec {
	struct sto_tier *t;
	const struct hin *h; /* EV_N of them */
	unsigned n[EV_N];
	unsigned others;
	unsigned bad;
};

static void
evicted_rec(struct sto_obj *o, void *priv)
{
	struct evrec *er = priv;
	struct sto_obj *l;
	unsigned u;

	/* Referenced (ASan would see a freed one), out of the index, and
	 * no lock held: a lookup may run here (it would deadlock on a held
	 * shard lock), and misses. */
	er->bad += o->magic != STO_OBJ_MAGIC || atomic_load(&o->o_tier) != NULL;
	er->bad += sto_lookup(er->t, &o->o_key, sto_obj_hashin(o),
			      o->o_hashin_len, NULL, NULL, &l) != ENOENT;
	for (u = 0; u < EV_N && !sto_key_eq(&o->o_key, &er->h[u].key); u++)
		;
	if (u < EV_N)
		er->n[u]++;
	else
		er->others++;
}

/*
 * mc_evicted is called for an object evicted after a hit, and for none
 * other: not one never hit, nor one removed, unlinked or replaced after
 * its hit, nor on close. Every policy.
 */
static void
test_evicted_hook(void **state TEST_UNUSED)
{
	static const char *const urls[EV_N] = {"/hot", "/cold", "/rm", "/unl",
					       "/rep"};
	struct sto_obj *held[EV_N], *o;
	struct sto_mem_conf mc;
	enum sto_policy pol;
	struct sto_tier *t;
	struct evrec er;
	struct hin h[EV_N], f;
	char url[32];
	unsigned u;

	for (u = 0; u < EV_N; u++)
		hin_make(&h[u], "h", urls[u]);
	for (pol = 0; pol < STO_POL__N; pol++) {
		memset(&er, 0, sizeof er);
		er.h = h;
		sto_mem_conf_default(&mc);
		mc.mc_budget = 256 << 10;
		mc.mc_policy = pol;
		mc.mc_shards = 4;
		mc.mc_evicted = evicted_rec;
		mc.mc_evicted_priv = &er;
		assert_int_equal(sto_mem_open(&t, &mc), 0);
		er.t = t;
		for (u = 0; u < EV_N; u++) {
			held[u] = obj_make(&h[u], 10000, u, 1);
			assert_int_equal(sto_insert(t, held[u]), 0);
			if (u == EV_COLD)
				continue;
			assert_int_equal(sto_lookup(t, &h[u].key, h[u].buf,
						    h[u].len, NULL, NULL, &o),
					 0);
			sto_obj_deref(&o);
		}
		/* Out, but not evicted: no call. */
		assert_int_equal(sto_remove(t, &h[EV_RM].key, h[EV_RM].buf,
					    h[EV_RM].len, NULL),
				 0);
		assert_int_equal(sto_unlink(t, held[EV_UNL]), 0);
		o = obj_make(&h[EV_REP], 10000, 99, 1);
		assert_int_equal(sto_insert(t, o), 0);
		sto_obj_deref(&o);
		assert_null(atomic_load(&held[EV_REP]->o_tier));
		/*
		 * Others pass, each hit once (SLRU keeps a hit object in
		 * protected as long as only unhit ones come), until hot and
		 * cold are evicted.
		 */
		for (u = 0; atomic_load(&held[EV_HOT]->o_tier) != NULL ||
			    atomic_load(&held[EV_COLD]->o_tier) != NULL;
		     u++) {
			assert_true(u < 1000);
			snprintf(url, sizeof url, "/f%u", u);
			hin_make(&f, "h", url);
			o = obj_make(&f, 10000, u, 1);
			assert_int_equal(sto_insert(t, o), 0);
			sto_obj_deref(&o);
			assert_int_equal(sto_lookup(t, &f.key, f.buf, f.len,
						    NULL, NULL, &o),
					 0);
			sto_obj_deref(&o);
		}
		assert_int_equal(er.bad, 0);
		assert_int_equal(er.n[EV_HOT], 1);
		assert_int_equal(er.n[EV_COLD], 0);
		assert_int_equal(er.n[EV_RM], 0);
		assert_int_equal(er.n[EV_UNL], 0);
		/* Neither the replaced copy nor its successor (never hit). */
		assert_int_equal(er.n[EV_REP], 0);
		u = er.others;
		sto_tier_close(&t);
		assert_int_equal(er.others, u);
		for (u = 0; u < EV_N; u++)
			sto_obj_deref(&held[u]);
	}
}

/* ---- concurrent churn: lookups, inserts, removes under eviction ---- */

#define CHURN_THREADS 4
#define CHURN_KEYS    400

struct churn {
	struct sto_tier *t;
	unsigned seed;
	unsigned ops;
	unsigned bad;
};

static size_t
churn_size(unsigned k)
{
	return (500 + (k * 2654435761u) % 6000);
}

/* Every published byte of a possibly unfinished body is right. */
static int
prefix_bad(const struct sto_obj *o, uint64_t seed)
{
	struct sto_cursor c;
	const void *p;
	size_t len, pos = 0, i;
	int bad = 0;

	sto_cursor_init(&c, o);
	while (sto_cursor_next(&c, 0, &p, &len) == 0) {
		for (i = 0; i < len; i++)
			bad += ((const uint8_t *)p)[i] != pat(seed, pos + i);
		pos += len;
	}
	return (bad);
}

/*
 * A fetch as the daemon will run it: insert BUSY (others now find it),
 * set the metadata, append in pieces (each new segment charged, maybe
 * evicting, from this thread), then finish; one in 16 fails midway.
 */
static int
churn_fetch(struct sto_tier *t, const struct hin *h, size_t len, uint64_t seed,
	    uint64_t rnd)
{
	uint8_t buf[2048];
	struct sto_obj *o;
	size_t off, n, i;
	int err;

	if (sto_obj_new(&o, &h->key, h->buf, h->len) != 0)
		return (1);
	err = sto_insert(t, o);
	if (err == 0)
		err = sto_obj_set_hdrs(o, "A: b\r\n", 6);
	if (err == 0 && (rnd & 1))
		o->o_content_length = (int64_t)len;
	for (off = 0; err == 0 && off < len; off += n) {
		n = len - off < sizeof buf ? len - off : sizeof buf;
		for (i = 0; i < n; i++)
			buf[i] = pat(seed, off + i);
		err = sto_obj_append(o, buf, n);
		if (off > len / 2 && (rnd >> 8) % 16 == 0)
			break;
	}
	if (err == 0)
		(void)sto_obj_finish(o, off >= len);
	sto_obj_deref(&o);
	return (err != 0);
}

static void *
churn_thread(void *priv)
{
	struct churn *ch = priv;
	uint64_t rnd = ch->seed;
	struct sto_obj *o;
	struct hin h;
	char url[32];
	unsigned i, k;

	for (i = 0; i < ch->ops; i++) {
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (unsigned)(rnd >> 33) % CHURN_KEYS;
		/* skew: low keys are hot */
		if ((rnd >> 20) & 1)
			k %= CHURN_KEYS / 10;
		snprintf(url, sizeof url, "/c%u", k);
		hin_make(&h, "h", url);
		if ((rnd >> 24) % 50 == 0) {
			(void)sto_remove(ch->t, &h.key, h.buf, h.len, NULL);
			continue;
		}
		if (sto_lookup(ch->t, &h.key, h.buf, h.len, NULL, NULL, &o) ==
		    0) {
			if (sto_obj_state(o) == STO_OBJ_COMPLETE)
				ch->bad += body_bad(o, churn_size(k), k);
			else
				ch->bad += prefix_bad(o, k);
			sto_obj_deref(&o);
			continue;
		}
		if ((rnd >> 28) & 1) {
			ch->bad +=
			    churn_fetch(ch->t, &h, churn_size(k), k, rnd >> 29);
			continue;
		}
		o = obj_try(&h, churn_size(k), k, (rnd >> 30) & 1);
		if (o == NULL || sto_insert(ch->t, o) != 0)
			ch->bad++;
		if (o != NULL)
			sto_obj_deref(&o);
	}
	return (NULL);
}

static void
test_churn(void **state TEST_UNUSED)
{
	struct churn ch[CHURN_THREADS];
	pthread_t th[CHURN_THREADS];
	struct sto_stats st;
	enum sto_policy pol;
	size_t cnt[2];
	unsigned u;

	for (pol = 0; pol < STO_POL__N; pol++) {
		struct sto_tier *t = mem_open(300 << 10, pol, 8);
		for (u = 0; u < CHURN_THREADS; u++) {
			ch[u].t = t;
			ch[u].seed = u * 7919 + 1;
			ch[u].ops = 20000;
			ch[u].bad = 0;
			assert_int_equal(
			    pthread_create(&th[u], NULL, churn_thread, &ch[u]),
			    0);
		}
		for (u = 0; u < CHURN_THREADS; u++) {
			pthread_join(th[u], NULL);
			assert_int_equal(ch[u].bad, 0);
		}
		cnt[0] = cnt[1] = 0;
		(void)t->t_ops->foreach (t, count_obj, cnt);
		sto_stats(t, &st);
		assert_int_equal(st.objects, cnt[0]);
		assert_int_equal(st.bytes, cnt[1]);
		assert_true(st.bytes <= st.budget);
		assert_true(st.evictions > 0);
		assert_true(st.hits > 0);
		print_message(
		    "  churn %-6s hits %llu misses %llu evictions %llu\n",
		    sto_policy_name(pol), (unsigned long long)st.hits,
		    (unsigned long long)st.misses,
		    (unsigned long long)st.evictions);
		sto_tier_close(&t);
	}
}

/* ---- hit path throughput (STO_BENCH=1) ---- */

#define HB_KEYS    4096
#define HB_THREADS 2

struct hitbench {
	struct sto_tier *t;
	struct hin *keys;
	unsigned seed;
	unsigned ops;
	unsigned miss;
};

static void *
hitbench_thread(void *priv)
{
	struct hitbench *hb = priv;
	uint64_t rnd = hb->seed;
	struct sto_obj *o;
	const struct hin *h;
	unsigned i;

	for (i = 0; i < hb->ops; i++) {
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		h = &hb->keys[(rnd >> 33) % HB_KEYS];
		if (sto_lookup(hb->t, &h->key, h->buf, h->len, NULL, NULL,
			       &o) != 0) {
			hb->miss++;
			continue;
		}
		sto_obj_deref(&o);
	}
	return (NULL);
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * Lookups per second, every one a hit, from HB_THREADS threads: LRU and
 * SLRU take the global eviction lock on each hit, S3-FIFO does not.
 */
static void
test_hit_bench(void **state TEST_UNUSED)
{
	struct hitbench hb[HB_THREADS];
	pthread_t th[HB_THREADS];
	struct hin *keys;
	struct sto_obj *o;
	enum sto_policy pol;
	char url[32];
	unsigned u, nt;
	double t0, dt;

	keys = calloc(HB_KEYS, sizeof *keys);
	assert_non_null(keys);
	for (u = 0; u < HB_KEYS; u++) {
		snprintf(url, sizeof url, "/hot%u", u);
		hin_make(&keys[u], "h", url);
	}
	for (pol = 0; pol < STO_POL__N; pol++) {
		struct sto_tier *t = mem_open(256 << 20, pol, 64);
		for (u = 0; u < HB_KEYS; u++) {
			o = obj_make(&keys[u], 100, u, 1);
			assert_int_equal(sto_insert(t, o), 0);
			sto_obj_deref(&o);
		}
		for (nt = 1; nt <= HB_THREADS; nt++) {
			t0 = mono_s();
			for (u = 0; u < nt; u++) {
				hb[u] = (struct hitbench){t, keys, u + 1,
							  2000000, 0};
				assert_int_equal(pthread_create(&th[u], NULL,
								hitbench_thread,
								&hb[u]),
						 0);
			}
			for (u = 0; u < nt; u++) {
				pthread_join(th[u], NULL);
				assert_int_equal(hb[u].miss, 0);
			}
			dt = mono_s() - t0;
			print_message(
			    "  hits %-6s %u thread(s): %5.1f M lookups/s\n",
			    sto_policy_name(pol), nt, nt * 2.0 / dt);
		}
		sto_tier_close(&t);
	}
	free(keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_evict_held),
	    cmocka_unit_test(test_busy_growth),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_close_held),
	    cmocka_unit_test(test_evicted_hook),
	    cmocka_unit_test(test_churn),
	};
	/* Measurements, not checks: only on request (STO_BENCH=1). */
	const char *bench = getenv("STO_BENCH");
	if (bench != NULL && *bench == '1') {
		const struct CMUnitTest b[] = {cmocka_unit_test(test_hit_bench)};
		return (cmocka_run_group_tests_name("bench", b, NULL, NULL));
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
