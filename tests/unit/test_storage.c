/*
 * test_storage.c: storage keys and objects: key hashing, collisions forced
 * through the test hook, object lifecycle, failed fetches, Vary, and a body
 * streamed to three reader threads. The memory tier's budget, eviction and
 * counters are in test_storage_mem.c, the policies' hit ratios in
 * test_evict.c. STO_BENCH=1 runs instead the measurements quoted in
 * docs/storage.md: memory per object and segment size.
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
#include <sys/wait.h>
#include <unistd.h>

#include "storage/storage.h"
#include "sto_test_util.h"

#define TEST_UNUSED __attribute__((unused))

/* ---- helpers (the shared ones are in sto_test_util.h) ---- */

static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t *s = p;
	while (len-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return (h);
}

/* ---- keys ---- */

static void
test_key_prefix(void **state TEST_UNUSED)
{
	uint8_t b1[64], b2[64];
	struct sto_hashin h1, h2;
	struct sto_key k1, k2;
	const void *p;
	size_t off = 0, len;

	sto_hashin_init(&h1, b1, sizeof b1);
	sto_hashin_init(&h2, b2, sizeof b2);
	sto_hashin_add(&h1, "ab", 2);
	sto_hashin_add(&h1, "c", 1);
	sto_hashin_add(&h2, "a", 1);
	sto_hashin_add(&h2, "bc", 2);
	assert_int_equal(h1.hi_len, h2.hi_len);
	assert_memory_not_equal(b1, b2, h1.hi_len);
	sto_key_make(&k1, b1, h1.hi_len);
	sto_key_make(&k2, b2, h2.hi_len);
	assert_false(sto_key_eq(&k1, &k2));

	/* the inputs come back out, in order */
	assert_int_equal(sto_hashin_next(b1, h1.hi_len, &off, &p, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(p, "ab", 2);
	assert_int_equal(sto_hashin_next(b1, h1.hi_len, &off, &p, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(sto_hashin_next(b1, h1.hi_len, &off, &p, &len),
			 STO_EOF);
	/* truncated strings (from disk) are refused, not trusted */
	off = 0;
	assert_int_equal(sto_hashin_next(b1, 3, &off, &p, &len), EINVAL);
	off = 0;
	assert_int_equal(sto_hashin_next(b1, 5, &off, &p, &len), EINVAL);

	/* overflow is sticky */
	sto_hashin_init(&h1, b1, 10);
	assert_int_equal(sto_hashin_add(&h1, "abcdef", 6), 0);
	assert_int_equal(sto_hashin_add(&h1, "x", 1), ENOSPC);
	assert_true(h1.hi_overflow);
	assert_int_equal(sto_hashin_add(&h1, "", 0), ENOSPC);
}

static void
test_key_known(void **state TEST_UNUSED)
{
	struct hin h;
	struct sto_key k;
	char hex[33];

	/* XXH3-128 is stable across xxHash versions since 0.8.0. */
	hin_make(&h, "example.com", "/index.html");
	assert_int_equal(h.len, 30);
	assert_true(h.key.hi == 0xce6cd4c73d89daf8ULL);
	assert_true(h.key.lo == 0xd36c038361bad468ULL);
	assert_string_equal(sto_key_hex(&h.key, hex),
			    "ce6cd4c73d89daf8d36c038361bad468");
	/* the published XXH3-128 of the empty input */
	sto_key_make(&k, "", 0);
	assert_string_equal(sto_key_hex(&k, hex),
			    "99aa06d3014798d86001c324468d497f");
}

static void
test_misc(void **state TEST_UNUSED)
{
	size_t sz;

	assert_int_equal(sto_parse_size("256M", &sz), 0);
	assert_int_equal(sz, (size_t)256 << 20);
	assert_int_equal(sto_parse_size("4096", &sz), 0);
	assert_int_equal(sz, 4096);
	assert_int_equal(sto_parse_size("1GB", &sz), 0);
	assert_int_equal(sz, (size_t)1 << 30);
	assert_int_equal(sto_parse_size("", &sz), STO_ESPEC);
	assert_int_equal(sto_parse_size("-1M", &sz), STO_ESPEC);
	assert_int_equal(sto_parse_size("12Q", &sz), STO_ESPEC);
	assert_int_equal(sto_parse_size("99999999999999999999", &sz),
			 STO_ESPEC);
	assert_int_equal(sto_parse_size("20000000T", &sz), STO_ESPEC);
	assert_string_equal(sto_strerror(STO_EOF), "end of body");
	assert_string_equal(sto_strerror(0), "success");
	assert_non_null(sto_strerror(ENOMEM));
	assert_non_null(sto_strerror(-999));
}

static void
test_conf(void **state TEST_UNUSED)
{
	struct sto_mem_conf mc;
	struct sto_tier *t;
	struct sto_stats st;

	assert_int_equal(sto_mem_conf_parse(&mc, NULL), 0);
	assert_int_equal(mc.mc_budget, (size_t)256 << 20);
	assert_int_equal(mc.mc_shards, 64);
	assert_int_equal(mc.mc_policy, STO_POL_S3FIFO);
	assert_int_equal(sto_mem_conf_parse(&mc, "1G,policy=lru,shards=16"), 0);
	assert_int_equal(mc.mc_budget, (size_t)1 << 30);
	assert_int_equal(mc.mc_policy, STO_POL_LRU);
	assert_int_equal(mc.mc_shards, 16);
	assert_int_equal(sto_mem_conf_parse(&mc, "policy=slru,small=30"), 0);
	assert_int_equal(mc.mc_small_pct, 30);
	assert_int_equal(sto_mem_conf_parse(&mc, "shards=3"), STO_ESPEC);
	assert_int_equal(sto_mem_conf_parse(&mc, "policy=arc"), STO_ESPEC);
	assert_int_equal(sto_mem_conf_parse(&mc, "0"), STO_ESPEC);
	assert_int_equal(sto_mem_conf_parse(&mc, "1M,bogus=1"), STO_ESPEC);
	assert_string_equal(sto_policy_name(STO_POL_SLRU), "slru");

	assert_int_equal(sto_tier_open(&t, "mem=2M,policy=slru"), 0);
	assert_string_equal(t->t_ops->name, "mem");
	sto_stats(t, &st);
	assert_int_equal(st.budget, 2 << 20);
	sto_tier_close(&t);
	assert_null(t);
	assert_int_equal(sto_tier_open(&t, "mem"), 0);
	sto_tier_close(&t);
	assert_int_equal(sto_tier_open(&t, "disk=1G"), STO_ESPEC);
	assert_int_equal(sto_tier_open(&t, "mem=lots"), STO_ESPEC);
	assert_null(t);
}

/* ---- collisions ---- */

/* Every input hashes to one key: what xxHash may do, rarely, for real. */
static void
hash_collide(struct sto_key *k, const void *hashin, size_t len)
{
	(void)hashin;
	(void)len;
	k->hi = 0x1111111111111111ULL;
	k->lo = 0x2222222222222222ULL;
}

static void
test_collision(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	struct hin a, b, c;
	struct sto_obj *oa, *ob, *o, *oa2;
	struct sto_stats st;
	unsigned n;

	sto_key_hash_hook = hash_collide;
	hin_make(&a, "example.com", "/a");
	hin_make(&b, "example.com", "/b");
	hin_make(&c, "example.com", "/c");
	sto_key_hash_hook = NULL;
	assert_true(sto_key_eq(&a.key, &b.key));

	oa = obj_make(&a, 100, 1, 1);
	ob = obj_make(&b, 200, 2, 1);
	assert_int_equal(sto_insert(t, oa), 0);
	/* b is not served a's object although the key is the same */
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 ENOENT);
	assert_null(o);
	/* inserting b does not replace a */
	assert_int_equal(sto_insert(t, ob), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.replaced, 0);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &o),
			 0);
	assert_ptr_equal(o, oa);
	body_check(o, 100, 1);
	sto_obj_deref(&o);
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 0);
	assert_ptr_equal(o, ob);
	body_check(o, 200, 2);
	sto_obj_deref(&o);
	assert_int_equal(sto_lookup(t, &c.key, c.buf, c.len, NULL, NULL, &o),
			 ENOENT);

	/* a new copy of a replaces only a */
	oa2 = obj_make(&a, 50, 3, 1);
	assert_int_equal(sto_insert(t, oa2), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.replaced, 1);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &o),
			 0);
	assert_ptr_equal(o, oa2);
	sto_obj_deref(&o);

	/* remove with hash inputs drops only that URL's objects ... */
	assert_int_equal(sto_remove(t, &a.key, a.buf, a.len, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_remove(t, &a.key, a.buf, a.len, &n), ENOENT);
	assert_int_equal(n, 0);
	/* an object is indexed once in its life */
	assert_int_equal(sto_insert(t, oa), STO_ESTATE);
	/* ... and without them, everything under the key */
	o = obj_make(&a, 10, 4, 1);
	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_remove(t, &a.key, NULL, 0, &n), 0);
	assert_int_equal(n, 2);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.bytes, 0);

	/* the caller's references outlived the tier's */
	body_check(oa, 100, 1);
	sto_obj_deref(&oa);
	sto_obj_deref(&ob);
	sto_obj_deref(&oa2);
	assert_null(oa);
	sto_tier_close(&t);
}

/* ---- objects ---- */

static void
test_obj_lifecycle(void **state TEST_UNUSED)
{
	struct hin h;
	struct sto_obj *o, *o2;
	struct sto_cursor c;
	const void *p;
	uint8_t data[5000], got[5000];
	size_t len, pos, i, old_max = sto_seg_max_get();

	for (i = 0; i < sizeof data; i++)
		data[i] = pat(7, i);
	hin_make(&h, "h", "/life");
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_obj_state(o), STO_OBJ_BUSY);
	assert_int_equal(o->o_content_length, -1);
	assert_memory_equal(sto_obj_hashin(o), h.buf, h.len);
	o2 = sto_obj_ref(o);
	assert_ptr_equal(o2, o);
	sto_obj_deref(&o2);
	assert_null(o2);
	assert_int_equal(sto_obj_set_etag(o, "\"v1\"", 4), 0);
	assert_int_equal(sto_obj_set_etag(o, "\"v2\"", 4), 0);
	assert_int_equal(sto_obj_set_lastmod(o, "Mon", 3), 0);
	assert_memory_equal(sto_obj_etag(o).ptr, "\"v2\"", 4);
	sto_obj_flags_set(o, STO_F_HFM);
	assert_int_equal(sto_obj_flags(o), STO_F_HFM);

	/* a reader before any byte must wait */
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_WAIT);

	/* appends across 1 KiB segment boundaries, in odd sizes */
	sto_seg_max_set(100); /* clamped to 1 KiB */
	assert_int_equal(sto_seg_max_get(), 1024);
	assert_int_equal(sto_obj_append(o, data, 700), 0);
	assert_int_equal(sto_obj_state(o), STO_OBJ_STREAMING);
	assert_int_equal(sto_obj_len(o), 700);
	assert_int_equal(sto_obj_append(o, data + 700, 0), 0);
	pos = 0;
	while (sto_cursor_next(&c, 300, &p, &len) == 0) {
		assert_true(len <= 300);
		memcpy(got + pos, p, len);
		pos += len;
	}
	assert_int_equal(pos, 700); /* exactly what was published */
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_WAIT);
	assert_int_equal(sto_obj_append(o, data + 700, 3000), 0);
	assert_int_equal(sto_obj_append(o, data + 3700, 1300), 0);
	assert_int_equal(sto_obj_finish(o, 1), 0);
	assert_int_equal(sto_obj_state(o), STO_OBJ_COMPLETE);
	while (sto_cursor_next(&c, 0, &p, &len) == 0) {
		assert_true(len <= 1024);
		memcpy(got + pos, p, len);
		pos += len;
	}
	assert_int_equal(pos, sizeof data);
	assert_memory_equal(got, data, sizeof data);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_EOF);

	/* seek: a Range read from the middle, across a boundary */
	assert_int_equal(sto_cursor_seek(&c, 1020), 0);
	assert_int_equal(sto_cursor_next(&c, 10, &p, &len), 0);
	assert_true(len > 0 && len <= 10);
	assert_memory_equal(p, data + 1020, len);
	assert_int_equal(sto_cursor_seek(&c, 4096), 0);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_memory_equal(p, data + 4096, len);
	assert_int_equal(sto_cursor_seek(&c, 5000), 0);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_EOF);
	assert_int_equal(sto_cursor_seek(&c, 5001), STO_EOF);
	assert_int_equal(sto_cursor_seek(&c, 0), 0);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_memory_equal(p, data, len);
	sto_obj_deref(&o);

	/* a known length sizes segments exactly: one 5000-byte segment */
	sto_seg_max_set(64 * 1024);
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	o->o_content_length = 5000;
	assert_int_equal(sto_obj_append(o, data, 1), 0);
	assert_int_equal(sto_obj_append(o, data + 1, 4999), 0);
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_int_equal(len, 5000);
	sto_obj_deref(&o);

	/* the wrong length never completes */
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	o->o_content_length = 10;
	assert_int_equal(sto_obj_append(o, data, 5), 0);
	assert_int_equal(sto_obj_finish(o, 1), STO_EFAILED);
	assert_int_equal(sto_obj_state(o), STO_OBJ_FAILED);
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_int_equal(len, 5);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_EFAILED);
	assert_int_equal(sto_cursor_seek(&c, 8), STO_EFAILED);
	sto_obj_deref(&o);

	/* an empty body: finish publishes the metadata */
	assert_int_equal(sto_obj_new(&o, &h.key, NULL, 0), 0);
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_EOF);
	assert_int_equal(sto_cursor_seek(&c, 1), STO_EOF);
	sto_obj_deref(&o);
	assert_int_equal(sto_obj_new(&o, &h.key, NULL, 3), EINVAL);

	sto_seg_max_set(old_max);
}

/* A failed fetch leaves the index at once and is never looked up. */
static void
test_failed(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	struct hin h;
	struct sto_obj *o, *l;
	struct sto_stats st;

	hin_make(&h, "h", "/fail");
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_insert(t, o), 0);
	assert_int_equal(sto_insert(t, o), STO_ESTATE);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &l),
			 0);
	assert_int_equal(sto_obj_state(l), STO_OBJ_BUSY);
	sto_obj_deref(&l);
	assert_int_equal(sto_obj_append(o, "abc", 3), 0);
	assert_int_equal(sto_obj_finish(o, 0), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &l),
			 ENOENT);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(sto_insert(t, o), STO_ESTATE);
	assert_int_equal(sto_unlink(t, o), ENOENT);
	sto_obj_deref(&o);
	sto_tier_close(&t);
}

/* ---- metadata ---- */

static void
bytes_is(struct sto_bytes b, const char *want)
{
	if (want == NULL) {
		assert_null(b.ptr);
		assert_int_equal(b.len, 0);
		return;
	}
	assert_non_null(b.ptr);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.ptr, want, b.len);
	assert_int_equal(b.ptr[b.len], '\0'); /* text fields read as strings */
}

/* All fields in one allocation: set in any order, replaced, set empty
 * (not the same as unset), copied from the object itself; the footprint
 * counts exactly the bytes held. */
static void
test_obj_meta(void **state TEST_UNUSED)
{
	struct hin h;
	struct sto_obj *o;
	size_t base;

	hin_make(&h, "h", "/meta");
	assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
	base = sizeof *o + h.len;
	assert_int_equal(atomic_load(&o->o_footprint), base);
	bytes_is(sto_obj_hdrs(o), NULL);
	bytes_is(sto_obj_etag(o), NULL);
	bytes_is(sto_obj_vary_vals(o), NULL);

	assert_int_equal(sto_obj_set_lastmod(o, "Mon", 3), 0);
	assert_int_equal(sto_obj_set_vary(o, "accept\n", 7, "=gzip\n", 6), 0);
	assert_int_equal(sto_obj_set_etag(o, "", 0), 0);
	assert_int_equal(sto_obj_set_hdrs(o, "A: b\r\n", 6), 0);
	bytes_is(sto_obj_hdrs(o), "A: b\r\n");
	bytes_is(sto_obj_etag(o), "");
	bytes_is(sto_obj_lastmod(o), "Mon");
	bytes_is(sto_obj_vary_names(o), "accept\n");
	bytes_is(sto_obj_vary_vals(o), "=gzip\n");
	assert_int_equal(atomic_load(&o->o_footprint),
			 base + 7 + 1 + 4 + 8 + 7);

	/* replace one: the others stay; a copy of our own bytes is fine */
	assert_int_equal(sto_obj_set_etag(o, "\"abc\"", 5), 0);
	assert_int_equal(
	    sto_obj_set_lastmod(o, sto_obj_hdrs(o).ptr, sto_obj_hdrs(o).len),
	    0);
	bytes_is(sto_obj_etag(o), "\"abc\"");
	bytes_is(sto_obj_lastmod(o), "A: b\r\n");
	bytes_is(sto_obj_hdrs(o), "A: b\r\n");
	bytes_is(sto_obj_vary_vals(o), "=gzip\n");
	assert_int_equal(atomic_load(&o->o_footprint),
			 base + 7 + 6 + 7 + 8 + 7);
	assert_int_equal(sto_obj_set_hdrs(o, NULL, 1), EINVAL);
	bytes_is(sto_obj_hdrs(o), "A: b\r\n");

	/* the header block may be long; the others stay under 64 KiB */
	{
		static char big[70000];

		memset(big, 'x', sizeof big);
		assert_int_equal(sto_obj_set_etag(o, big, 65535), EINVAL);
		assert_int_equal(sto_obj_set_vary(o, "a", 1, big, 65535),
				 EINVAL);
		bytes_is(sto_obj_etag(o), "\"abc\"");
		assert_int_equal(sto_obj_set_etag(o, big, 65534), 0);
		assert_int_equal(sto_obj_etag(o).len, 65534);
		assert_int_equal(sto_obj_set_hdrs(o, big, sizeof big), 0);
		assert_int_equal(sto_obj_hdrs(o).len, sizeof big);
		bytes_is(sto_obj_vary_vals(o), "=gzip\n");
		assert_int_equal(atomic_load(&o->o_footprint),
				 base + 70001 + 65535 + 7 + 8 + 7);
		assert_int_equal(sto_obj_set_etag(o, "\"abc\"", 5), 0);
		assert_int_equal(sto_obj_set_hdrs(o, "A: b\r\n", 6), 0);
	}

	sto_obj_publish(o);
	bytes_is(sto_obj_vary_names(o), "accept\n");
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_obj_deref(&o);
}

/* A BUSY object with these headers and, if clen >= 0, a known length. */
static struct sto_obj *
obj_busy(const struct hin *h, const char *hdrs, int64_t clen)
{
	struct sto_obj *o;

	assert_int_equal(sto_obj_new(&o, &h->key, h->buf, h->len), 0);
	o->o_content_length = clen;
	if (hdrs != NULL)
		assert_int_equal(sto_obj_set_hdrs(o, hdrs, strlen(hdrs)), 0);
	return (o);
}

/* Append body_len pattern bytes in odd pieces, finish, read back. */
static void
obj_fill_check(struct sto_obj *o, size_t body_len, uint64_t seed)
{
	uint8_t buf[7001];
	size_t off = 0, n, i;

	while (off < body_len) {
		n = body_len - off < sizeof buf ? body_len - off : sizeof buf;
		for (i = 0; i < n; i++)
			buf[i] = pat(seed, off + i);
		assert_int_equal(sto_obj_append(o, buf, n), 0);
		off += n;
	}
	assert_int_equal(sto_obj_finish(o, 1), 0);
	body_check(o, body_len, seed);
}

/* A known length puts the first segment in the metadata allocation at
 * publish (16: the segment header); the footprint stays exact, the tier's
 * charge follows, and reads and seeks cross into the later segments. */
static void
test_obj_first_seg(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(64 << 20, STO_POL_S3FIFO, 4);
	struct sto_cursor c;
	struct sto_stats st;
	struct sto_obj *o;
	const void *p;
	struct hin h;
	size_t base, len;

	hin_make(&h, "h", "/first");
	base = sizeof *o + h.len;

	/* small: one allocation for the headers and the whole body */
	o = obj_busy(&h, "A: b\r\n", 3000);
	assert_int_equal(sto_insert(t, o), 0);
	assert_int_equal(atomic_load(&o->o_footprint), base + 7);
	sto_obj_publish(o);
	assert_int_equal(atomic_load(&o->o_footprint), base + 8 + 16 + 3000);
	sto_stats(t, &st);
	assert_int_equal(st.bytes, atomic_load(&o->o_footprint));
	bytes_is(sto_obj_hdrs(o), "A: b\r\n");
	obj_fill_check(o, 3000, 1);
	assert_int_equal(atomic_load(&o->o_footprint), base + 8 + 16 + 3000);
	sto_stats(t, &st);
	assert_int_equal(st.bytes, atomic_load(&o->o_footprint));
	sto_obj_deref(&o);

	/* large: the first 64 KiB there, the rest in exact-fit segments */
	o = obj_busy(&h, "A: b\r\n", 200000);
	obj_fill_check(o, 200000, 2); /* the first append publishes */
	assert_int_equal(atomic_load(&o->o_footprint),
			 base + 8 + 16 + 65536 + 2 * (16 + 65536) +
			     (16 + 200000 - 3 * 65536));
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_seek(&c, 65536), 0);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_int_equal(len, 65536);
	assert_int_equal(*(const uint8_t *)p, pat(2, 65536));
	assert_int_equal(sto_cursor_seek(&c, 65535), 0);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(*(const uint8_t *)p, pat(2, 65535));
	sto_obj_deref(&o);

	/* no metadata at all: the allocation holds just the segment */
	o = obj_busy(&h, NULL, 100);
	sto_obj_publish(o);
	assert_int_equal(atomic_load(&o->o_footprint), base + 16 + 100);
	bytes_is(sto_obj_hdrs(o), NULL);
	obj_fill_check(o, 100, 3);
	sto_obj_deref(&o);

	/* unknown length, or none: segments come with the appends */
	o = obj_busy(&h, "A: b\r\n", -1);
	sto_obj_publish(o);
	assert_int_equal(atomic_load(&o->o_footprint), base + 7);
	obj_fill_check(o, 500, 4);
	assert_int_equal(atomic_load(&o->o_footprint), base + 7 + 16 + 1024);
	sto_obj_deref(&o);
	o = obj_busy(&h, "A: b\r\n", 0);
	sto_obj_publish(o);
	assert_int_equal(atomic_load(&o->o_footprint), base + 7);
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_obj_deref(&o);

	/* a fetch that fails mid-body frees the shared allocation once */
	o = obj_busy(&h, "A: b\r\n", 3000);
	assert_int_equal(sto_obj_append(o, "xyz", 3), 0);
	assert_int_equal(sto_obj_finish(o, 1), STO_EFAILED);
	sto_obj_deref(&o);
	sto_tier_close(&t);
}

/* ---- Vary ---- */

static int
match_vals(const struct sto_obj *o, void *priv)
{
	const char *want = priv;

	if (sto_obj_state(o) == STO_OBJ_BUSY)
		return (0); /* the daemon would wait on it; here: skip */
	return (sto_obj_vary_vals(o).len == strlen(want) &&
		memcmp(sto_obj_vary_vals(o).ptr, want, strlen(want)) == 0);
}

static struct sto_obj *
obj_vary(const struct hin *h, const char *vals, int publish)
{
	struct sto_obj *o;

	assert_int_equal(sto_obj_new(&o, &h->key, h->buf, h->len), 0);
	assert_int_equal(
	    sto_obj_set_vary(o, "accept-encoding", 15, vals, strlen(vals)), 0);
	if (publish)
		assert_int_equal(sto_obj_finish(o, 1), 0);
	return (o);
}

static void
test_vary(void **state TEST_UNUSED)
{
	struct sto_tier *t = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	struct hin h;
	struct sto_obj *gz, *br, *gz2, *gz3, *l;
	struct sto_stats st;

	hin_make(&h, "h", "/v");
	gz = obj_vary(&h, "gzip", 1);
	br = obj_vary(&h, "br", 1);
	assert_int_equal(sto_insert(t, gz), 0);
	assert_int_equal(sto_insert(t, br), 0);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, match_vals, "br", &l), 0);
	assert_ptr_equal(l, br);
	sto_obj_deref(&l);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, match_vals, "gzip", &l), 0);
	assert_ptr_equal(l, gz);
	sto_obj_deref(&l);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, match_vals, "zstd", &l),
	    ENOENT);

	/* a published object replaces its own variant only */
	gz2 = obj_vary(&h, "gzip", 1);
	assert_int_equal(sto_insert(t, gz2), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.replaced, 1);

	/* a BUSY one replaces nothing until it is published: the old copy
	 * still serves meanwhile */
	gz3 = obj_vary(&h, "gzip", 0);
	assert_int_equal(sto_insert(t, gz3), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 3);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, match_vals, "gzip", &l), 0);
	assert_ptr_equal(l, gz2);
	sto_obj_deref(&l);
	sto_obj_publish(gz3);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.replaced, 2);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, match_vals, "gzip", &l), 0);
	assert_ptr_equal(l, gz3);
	sto_obj_deref(&l);
	assert_int_equal(sto_obj_finish(gz3, 1), 0);

	/* a response that stops varying replaces every variant, and one
	 * that varies on other fields replaces the copy that did not */
	struct sto_obj *plain, *lang;
	assert_int_equal(sto_obj_new(&plain, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_obj_finish(plain, 1), 0);
	assert_int_equal(sto_insert(t, plain), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 1);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &l), 0);
	assert_ptr_equal(l, plain);
	sto_obj_deref(&l);
	assert_int_equal(sto_obj_new(&lang, &h.key, h.buf, h.len), 0);
	assert_int_equal(sto_obj_set_vary(lang, "accept-language", 15, "en", 2),
	    0);
	assert_int_equal(sto_obj_finish(lang, 1), 0);
	assert_int_equal(sto_insert(t, lang), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 1);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &l), 0);
	assert_ptr_equal(l, lang);
	sto_obj_deref(&l);
	sto_obj_deref(&plain);
	sto_obj_deref(&lang);

	/* remove by key and hash inputs: every variant */
	assert_int_equal(sto_remove(t, &h.key, h.buf, h.len, NULL), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 0);
	sto_obj_deref(&gz);
	sto_obj_deref(&br);
	sto_obj_deref(&gz2);
	sto_obj_deref(&gz3);
	sto_tier_close(&t);
}

/* ---- streaming across threads ---- */

#define STREAM_LEN     (10u << 20)
#define STREAM_READERS 3

struct stream {
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	struct sto_tier *tier;
	struct hin h;
	uint64_t sum_w;
	uint64_t sum_r[STREAM_READERS];
	size_t got[STREAM_READERS];
	unsigned waits[STREAM_READERS];
	int bad[STREAM_READERS];
};

/* The daemon's wake-up, reduced to a condition variable. */
static void
stream_notify(struct sto_obj *o, void *priv)
{
	struct stream *s = priv;

	(void)o;
	pthread_mutex_lock(&s->mtx);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mtx);
}

struct reader_arg {
	struct stream *s;
	unsigned idx;
};

static void *
stream_reader(void *priv)
{
	struct reader_arg *ra = priv;
	struct stream *s = ra->s;
	struct sto_obj *o = NULL;
	struct sto_cursor c;
	const void *p;
	size_t len, pos = 0, i;
	uint64_t sum = 0xcbf29ce484222325ULL;
	int r;

	/* find the object the writer inserted BUSY, as a waiting client */
	while (sto_lookup(s->tier, &s->h.key, s->h.buf, s->h.len, NULL, NULL,
			  &o) != 0)
		sched_yield();
	sto_cursor_init(&c, o);
	for (;;) {
		r = sto_cursor_next(&c, 0, &p, &len);
		if (r == 0) {
			for (i = 0; i < len; i++)
				if (((const uint8_t *)p)[i] != pat(99, pos + i))
					s->bad[ra->idx]++;
			sum = fnv(sum, p, len);
			pos += len;
			continue;
		}
		if (r != STO_WAIT)
			break;
		s->waits[ra->idx]++;
		pthread_mutex_lock(&s->mtx);
		while (sto_obj_len(o) <= pos &&
		       sto_obj_state(o) < STO_OBJ_COMPLETE)
			pthread_cond_wait(&s->cv, &s->mtx);
		pthread_mutex_unlock(&s->mtx);
	}
	if (r != STO_EOF)
		s->bad[ra->idx]++;
	s->sum_r[ra->idx] = sum;
	s->got[ra->idx] = pos;
	sto_obj_deref(&o);
	return (NULL);
}

static void
test_stream_threads(void **state TEST_UNUSED)
{
	static struct stream s;
	struct reader_arg ra[STREAM_READERS];
	pthread_t th[STREAM_READERS];
	struct sto_obj *o;
	uint8_t *buf;
	size_t off = 0, n, i;
	uint64_t rnd = 12345;
	unsigned u;

	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.mtx, NULL);
	pthread_cond_init(&s.cv, NULL);
	s.tier = mem_open(64 << 20, STO_POL_S3FIFO, 64);
	hin_make(&s.h, "h", "/stream");
	buf = malloc(STREAM_LEN);
	assert_non_null(buf);
	for (i = 0; i < STREAM_LEN; i++)
		buf[i] = pat(99, i);
	s.sum_w = fnv(0xcbf29ce484222325ULL, buf, STREAM_LEN);

	assert_int_equal(sto_obj_new(&o, &s.h.key, s.h.buf, s.h.len), 0);
	sto_obj_notify_set(stream_notify, &s);
	assert_int_equal(sto_insert(s.tier, o), 0);
	for (u = 0; u < STREAM_READERS; u++) {
		ra[u].s = &s;
		ra[u].idx = u;
		assert_int_equal(
		    pthread_create(&th[u], NULL, stream_reader, &ra[u]), 0);
	}
	o->o_status = 200;
	assert_int_equal(sto_obj_set_hdrs(o, "X: y\r\n", 6), 0);
	/* unknown length, appends of 1 byte .. 64 KiB as reads would come */
	while (off < STREAM_LEN) {
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		n = (size_t)(rnd >> 33) % 65536 + 1;
		if (n > STREAM_LEN - off)
			n = STREAM_LEN - off;
		assert_int_equal(sto_obj_append(o, buf + off, n), 0);
		off += n;
		if ((rnd >> 20) % 16 == 0)
			sched_yield();
	}
	assert_int_equal(sto_obj_finish(o, 1), 0);
	for (u = 0; u < STREAM_READERS; u++) {
		pthread_join(th[u], NULL);
		assert_int_equal(s.bad[u], 0);
		assert_int_equal(s.got[u], STREAM_LEN);
		assert_true(s.sum_r[u] == s.sum_w);
		print_message("  reader %u: %zu bytes, waited %u times\n", u,
			      s.got[u], s.waits[u]);
	}
	sto_obj_deref(&o);
	sto_obj_notify_set(NULL, NULL);
	sto_tier_close(&s.tier);
	free(buf);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mtx);
}

/* ---- memory per object (STO_BENCH=1) ---- */

static long
rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return (0);
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return (rss * sysconf(_SC_PAGESIZE));
}

/*
 * RSS growth over 100,000 objects of 1 KiB as the daemon stores them
 * (issue 5's measurement, docs/storage.md: memory per object): hash
 * inputs host and path, inserted BUSY, a header block, a known length,
 * one append. Meaningful in an -O2 build without sanitizers.
 */
static void
mem_per_object(size_t hdrs_len)
{
	static uint8_t body[1024];
	char hdrs[256], url[64];
	struct sto_tier *t = mem_open((size_t)1 << 30, STO_POL_S3FIFO, 64);
	struct sto_stats st;
	struct sto_obj *o;
	struct hin h;
	long r0, r1;
	unsigned i, n = 100000;

	memset(hdrs, 'h', sizeof hdrs);
	r0 = rss_bytes();
	for (i = 0; i < n; i++) {
		snprintf(url, sizeof url, "/mem-1234567-%u", i);
		hin_make(&h, "127.0.0.1:12345", url);
		assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len), 0);
		o->o_content_length = sizeof body;
		assert_int_equal(sto_insert(t, o), 0);
		assert_int_equal(sto_obj_set_hdrs(o, hdrs, hdrs_len), 0);
		sto_obj_publish(o);
		assert_int_equal(sto_obj_append(o, body, sizeof body), 0);
		assert_int_equal(sto_obj_finish(o, 1), 0);
		sto_obj_deref(&o);
	}
	r1 = rss_bytes();
	sto_stats(t, &st);
	print_message("  %zu-byte header block: footprint %.0f, RSS %.0f "
		      "bytes per object (struct %zu)\n",
		      hdrs_len, (double)st.bytes / n, (double)(r1 - r0) / n,
		      sizeof *o);
	sto_tier_close(&t);
}

/* Each in a fresh process: memory freed by one would serve the next. */
static void
test_mem_bench(void **state TEST_UNUSED)
{
	static const size_t lens[] = {141, 0};
	unsigned u;
	pid_t pid;
	int st;

	for (u = 0; u < sizeof lens / sizeof lens[0]; u++) {
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			mem_per_object(lens[u]);
			fflush(NULL);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

/* ---- segment size measurement (STO_BENCH=1) ---- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * Per segment size: append throughput (best of 3 passes over 512 MiB of
 * 8 MiB bodies arriving in 16 KiB reads, unknown length, fresh objects so
 * malloc and first-touch page faults count), spans (iovecs) per MiB when
 * delivering, and the memory overhead over the body bytes for those 8 MiB
 * bodies and for a mix of 200 B..60 KiB bodies of unknown length.
 */
static void
test_seg_bench(void **state TEST_UNUSED)
{
	static const size_t sizes[] = {4096, 16384, 32768, 65536, 262144};
	static uint8_t chunk[16384];
	size_t old = sto_seg_max_get(), body = 8 << 20, total = 512u << 20;
	struct hin h;
	unsigned s, pass;

	memset(chunk, 'b', sizeof chunk);
	hin_make(&h, "h", "/bench");
	print_message("  seg_max  append GB/s  spans/MiB  overhead(8MiB)  "
		      "overhead(mix)\n");
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		double t0, t, best = 1e9, ovh = 0, ovm;
		size_t done, off, len, spans = 0, mixb = 0, mixf = 0, k;
		struct sto_obj *o;
		struct sto_cursor c;
		const void *p;

		sto_seg_max_set(sizes[s]);
		for (pass = 0; pass < 3; pass++) {
			t = 0;
			for (done = 0; done < total; done += body) {
				assert_int_equal(
				    sto_obj_new(&o, &h.key, h.buf, h.len), 0);
				t0 = now_s();
				for (off = 0; off < body; off += sizeof chunk)
					(void)sto_obj_append(o, chunk,
							     sizeof chunk);
				(void)sto_obj_finish(o, 1);
				t += now_s() - t0;
				if (pass == 0) {
					sto_cursor_init(&c, o);
					while (sto_cursor_next(&c, 0, &p,
							       &len) == 0)
						spans++;
				}
				ovh = (double)atomic_load(&o->o_footprint) /
					  body -
				      1;
				sto_obj_deref(&o);
			}
			if (t < best)
				best = t;
		}
		for (k = 0; k < 2000; k++) {
			size_t bl = 200 + (k * 2654435761u) % 60000;
			assert_int_equal(sto_obj_new(&o, &h.key, h.buf, h.len),
					 0);
			for (off = 0; off < bl; off += len) {
				len = bl - off < 1460 ? bl - off : 1460;
				(void)sto_obj_append(o, chunk, len);
			}
			(void)sto_obj_finish(o, 1);
			mixb += bl;
			mixf += atomic_load(&o->o_footprint);
			sto_obj_deref(&o);
		}
		ovm = (double)mixf / mixb - 1;
		print_message("  %7zu  %11.1f  %9.1f  %13.2f%%  %12.1f%%\n",
			      sizes[s], total / best / 1e9,
			      (double)spans / (total >> 20), ovh * 100,
			      ovm * 100);
	}
	sto_seg_max_set(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_prefix),
	    cmocka_unit_test(test_key_known),
	    cmocka_unit_test(test_misc),
	    cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_collision),
	    cmocka_unit_test(test_obj_lifecycle),
	    cmocka_unit_test(test_obj_meta),
	    cmocka_unit_test(test_obj_first_seg),
	    cmocka_unit_test(test_failed),
	    cmocka_unit_test(test_vary),
	    cmocka_unit_test(test_stream_threads),
	};
	/* Measurements, not checks: only on request (STO_BENCH=1). */
	const char *bench = getenv("STO_BENCH");
	if (bench != NULL && *bench == '1') {
		const struct CMUnitTest b[] = {
		    cmocka_unit_test(test_mem_bench),
		    cmocka_unit_test(test_seg_bench),
		};
		return (cmocka_run_group_tests_name("bench", b, NULL, NULL));
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
