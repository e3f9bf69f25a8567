/*
 * sto_test_util.h: helpers shared by test_storage.c and test_storage_mem.c:
 * pattern bodies, hash inputs, building and reading back complete objects,
 * and opening a memory tier. Include after <cmocka.h> and
 * "storage/storage.h".
 */
#ifndef STO_TEST_UTIL_H
#define STO_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Body byte i of a body seeded with seed: readers check every byte. */
static inline uint8_t
pat(uint64_t seed, size_t i)
{
	uint64_t x = (seed + i) * 0x9e3779b97f4a7c15ULL;
	return ((uint8_t)(x >> 56));
}

struct hin {
	uint8_t buf[512];
	size_t len;
	struct sto_key key;
};

/*
 * The default vcl_hash inputs: host, url. The helpers up to body_check()
 * do not use cmocka asserts, which must not run off the main thread.
 */
static inline int
hin_make(struct hin *h, const char *host, const char *url)
{
	struct sto_hashin hi;

	sto_hashin_init(&hi, h->buf, sizeof h->buf);
	(void)sto_hashin_add(&hi, host, strlen(host));
	(void)sto_hashin_add(&hi, url, strlen(url));
	h->len = hi.hi_len;
	sto_key_make(&h->key, h->buf, h->len);
	return (hi.hi_overflow);
}

/* A complete object with body_len pattern bytes, seeded by seed. */
static inline struct sto_obj *
obj_try(const struct hin *h, size_t body_len, uint64_t seed, int known_len)
{
	struct sto_obj *o;
	uint8_t chunk[4096];
	size_t off = 0, n, i;
	int err;

	if (sto_obj_new(&o, &h->key, h->buf, h->len) != 0)
		return (NULL);
	o->o_status = 200;
	o->o_ttl = 120;
	if (known_len)
		o->o_content_length = (int64_t)body_len;
	err = sto_obj_set_hdrs(o, "Content-Type: x\r\n", 17);
	while (err == 0 && off < body_len) {
		n = body_len - off < sizeof chunk ? body_len - off
						  : sizeof chunk;
		for (i = 0; i < n; i++)
			chunk[i] = pat(seed, off + i);
		err = sto_obj_append(o, chunk, n);
		off += n;
	}
	if (err == 0)
		err = sto_obj_finish(o, 1);
	if (err != 0)
		sto_obj_deref(&o);
	return (o);
}

/* Read a whole complete body through a cursor; 0 if every byte is right. */
static inline int
body_bad(const struct sto_obj *o, size_t body_len, uint64_t seed)
{
	struct sto_cursor c;
	const void *p;
	size_t len, pos = 0, i;
	int r, bad = 0;

	sto_cursor_init(&c, o);
	while ((r = sto_cursor_next(&c, 0, &p, &len)) == 0) {
		for (i = 0; i < len; i++)
			bad += ((const uint8_t *)p)[i] != pat(seed, pos + i);
		pos += len;
	}
	return (bad + (r != STO_EOF) + (pos != body_len));
}

static inline struct sto_obj *
obj_make(const struct hin *h, size_t body_len, uint64_t seed, int known_len)
{
	struct sto_obj *o = obj_try(h, body_len, seed, known_len);

	assert_non_null(o);
	return (o);
}

static inline void
body_check(const struct sto_obj *o, size_t body_len, uint64_t seed)
{
	assert_int_equal(body_bad(o, body_len, seed), 0);
}

static inline struct sto_tier *
mem_open(size_t budget, enum sto_policy pol, unsigned shards)
{
	struct sto_mem_conf mc;
	struct sto_tier *t;

	sto_mem_conf_default(&mc);
	mc.mc_budget = budget;
	mc.mc_policy = pol;
	mc.mc_shards = shards;
	assert_int_equal(sto_mem_open(&t, &mc), 0);
	return (t);
}

#endif /* STO_TEST_UTIL_H */
