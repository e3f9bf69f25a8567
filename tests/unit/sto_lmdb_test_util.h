/*
 * sto_lmdb_test_util.h: what the LMDB tier's unit tests share (test_sto_lmdb.c
 * and test_sto_lmdb_stream.c): a directory per test, tiers opened with a
 * configuration, objects with a patterned body, reading a body back and
 * checking it, counting what the store holds.
 */
#ifndef STO_LMDB_TEST_UTIL_H
#define STO_LMDB_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storage/storage.h"
#include "storage/sto_lmdb.h"
#include "sto_test_util.h"


#define TEST_UNUSED __attribute__((unused))

/* ---- helpers ---- */

struct tdir {
	char path[64];
};

static inline void
tdir_make(struct tdir *d)
{
	strcpy(d->path, "/tmp/accel_lmdb_XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

static inline int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(p));
}

static inline void
tdir_rm(struct tdir *d)
{
	assert_int_equal(nftw(d->path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static inline void
conf_make(struct sto_lmdb_conf *lc, const char *dir, size_t map, size_t chunk,
	  size_t promote)
{
	sto_lmdb_conf_default(lc);
	strcpy(lc->lc_dir, dir);
	lc->lc_mapsize = map;
	lc->lc_chunk = chunk;
	lc->lc_promote = promote;
	lc->lc_sync = 0; /* tests: no fsync per batch */
}

static inline struct sto_tier *
conf_open(const struct sto_lmdb_conf *lc)
{
	struct sto_tier *t;
	char err[512];
	int rc;

	rc = sto_lmdb_open(&t, lc, err, sizeof err);
	if (rc != 0)
		print_message("open: %s (%s)\n", err, sto_strerror(rc));
	assert_int_equal(rc, 0);
	return (t);
}

static inline struct sto_tier *
topen(const char *dir, size_t map, size_t chunk, size_t promote)
{
	struct sto_lmdb_conf lc;

	conf_make(&lc, dir, map, chunk, promote);
	return (conf_open(&lc));
}

static inline int
sto_bytes_eq_test(struct sto_bytes a, struct sto_bytes b)
{
	return ((a.ptr == NULL) == (b.ptr == NULL) && a.len == b.len &&
		(a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0));
}

static inline double
now_d(void)
{
	return ((double)time(NULL));
}

/*
 * A COMPLETE object with every field set and len pattern bytes of seed;
 * vary_vals non-NULL: it varies on accept-encoding with those values.
 * No cmocka asserts: threads use it. NULL on failure.
 */
static inline struct sto_obj *
tobj_body(const struct hin *h, size_t len, uint64_t seed, const uint8_t *body,
	  const char *vary_vals, double ttl)
{
	struct sto_obj *o;
	uint8_t buf[4096];
	char hdr[128];
	size_t off = 0, n, i;
	int err;

	if (sto_obj_new(&o, &h->key, h->buf, h->len) != 0)
		return (NULL);
	o->o_status = 203;
	o->o_cflags = 0x5a5;
	o->o_t_req = now_d() - 1.5;
	o->o_t_resp = now_d() - 1;
	o->o_date = now_d() - 2;
	o->o_ttl = ttl;
	o->o_age_recv = 3;
	o->o_grace = 10.5f;
	o->o_keep = 20;
	o->o_sie = 30;
	o->o_content_length = (int64_t)len;
	n = (size_t)snprintf(hdr, sizeof hdr,
			     "Content-Type: t\r\nX-Seed: %llu\r\n",
			     (unsigned long long)seed);
	err = sto_obj_set_hdrs(o, hdr, n);
	if (err == 0)
		err = sto_obj_set_etag(o, "\"e1\"", 4);
	if (err == 0)
		err =
		    sto_obj_set_lastmod(o, "Tue, 01 Jan 2030 00:00:00 GMT", 29);
	if (err == 0 && vary_vals != NULL)
		err = sto_obj_set_vary(o, "accept-encoding", 15, vary_vals,
				       strlen(vary_vals));
	while (err == 0 && off < len) {
		n = len - off < sizeof buf ? len - off : sizeof buf;
		for (i = 0; i < n; i++)
			buf[i] =
			    body != NULL ? body[off + i] : pat(seed, off + i);
		err = sto_obj_append(o, buf, n);
		off += n;
	}
	if (err == 0)
		err = sto_obj_finish(o, 1);
	if (err != 0)
		sto_obj_deref(&o);
	return (o);
}

static inline struct sto_obj *
tobj_try(const struct hin *h, size_t len, uint64_t seed, const char *vary_vals,
	 double ttl)
{
	return (tobj_body(h, len, seed, NULL, vary_vals, ttl));
}

static inline struct sto_obj *
tobj(const struct hin *h, size_t len, uint64_t seed, const char *vary_vals)
{
	struct sto_obj *o = tobj_try(h, len, seed, vary_vals, 300);

	assert_non_null(o);
	return (o);
}

/* Insert a fresh object and drop our reference. */
static inline void
put(struct sto_tier *t, const struct hin *h, size_t len, uint64_t seed,
    const char *vary)
{
	struct sto_obj *o = tobj(h, len, seed, vary);

	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
}

/* What sto_lmdb_read gave: the bytes, the calls, the largest piece. */
struct rbuf {
	uint8_t *p;
	size_t len, cap;
	unsigned calls;
	size_t maxpiece;
	unsigned stop_at; /* nonzero: return 77 at that call */
};

static inline int
rb_add(void *priv, const void *p, size_t n)
{
	struct rbuf *rb = priv;

	rb->calls++;
	if (n > rb->maxpiece)
		rb->maxpiece = n;
	if (rb->len + n > rb->cap) {
		rb->cap = (rb->len + n) * 2;
		rb->p = realloc(rb->p, rb->cap);
		if (rb->p == NULL)
			return (ENOMEM);
	}
	memcpy(rb->p + rb->len, p, n);
	rb->len += n;
	return (rb->stop_at != 0 && rb->calls == rb->stop_at ? 77 : 0);
}

static inline void
rb_reset(struct rbuf *rb)
{
	free(rb->p);
	memset(rb, 0, sizeof *rb);
}

/* Bytes [off, off + n) of rb are the pattern of seed from body offset
 * boff: the count of wrong bytes. */
static inline size_t
rb_bad(const struct rbuf *rb, uint64_t seed, size_t boff)
{
	size_t i, bad = 0;

	for (i = 0; i < rb->len; i++)
		bad += rb->p[i] != pat(seed, boff + i);
	return (bad);
}

static inline uint64_t
chunks_read(struct sto_tier *t)
{
	struct sto_lmdb_stats ls;

	sto_lmdb_stats(t, &ls);
	return (ls.chunks_read);
}

/* Objects stored under a key (every variant), through accelctl's get. */
static inline int
count_ent(const struct sto_lmdb_ent *e, void *priv)
{
	unsigned *n = priv;

	(*n)++;
	return (0);
}

static inline unsigned
stored(struct sto_tier *t, const struct hin *h)
{
	unsigned n = 0;
	int r = sto_lmdb_get(t, &h->key, count_ent, &n);

	assert_true(r == 0 || r == ENOENT);
	assert_true((r == ENOENT) == (n == 0));
	return (n);
}


#endif
