/*
 * test_sto_lmdb.c: the LMDB tier: settings, write-behind and lookup,
 * promotion and disk views, chunked reads, restarts, variants and key
 * collisions, removes and their tombstones, eviction order and a map far
 * too small, corruption on disk, format checks, readers beside the
 * writer, accelctl's functions. Each test has its own directory under
 * /tmp, removed at the end.
 */
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

static void
tdir_make(struct tdir *d)
{
	strcpy(d->path, "/tmp/accel_lmdb_XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(p));
}

static void
tdir_rm(struct tdir *d)
{
	assert_int_equal(nftw(d->path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
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

static struct sto_tier *
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

static struct sto_tier *
topen(const char *dir, size_t map, size_t chunk, size_t promote)
{
	struct sto_lmdb_conf lc;

	conf_make(&lc, dir, map, chunk, promote);
	return (conf_open(&lc));
}

static int
sto_bytes_eq_test(struct sto_bytes a, struct sto_bytes b)
{
	return ((a.ptr == NULL) == (b.ptr == NULL) && a.len == b.len &&
		(a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0));
}

static double
now_d(void)
{
	return ((double)time(NULL));
}

/*
 * A COMPLETE object with every field set and len pattern bytes of seed;
 * vary_vals non-NULL: it varies on accept-encoding with those values.
 * No cmocka asserts: threads use it. NULL on failure.
 */
static struct sto_obj *
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

static struct sto_obj *
tobj_try(const struct hin *h, size_t len, uint64_t seed, const char *vary_vals,
	 double ttl)
{
	return (tobj_body(h, len, seed, NULL, vary_vals, ttl));
}

static struct sto_obj *
tobj(const struct hin *h, size_t len, uint64_t seed, const char *vary_vals)
{
	struct sto_obj *o = tobj_try(h, len, seed, vary_vals, 300);

	assert_non_null(o);
	return (o);
}

/* Insert a fresh object and drop our reference. */
static void
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

static int
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

static void
rb_reset(struct rbuf *rb)
{
	free(rb->p);
	memset(rb, 0, sizeof *rb);
}

/* Bytes [off, off + n) of rb are the pattern of seed from body offset
 * boff: the count of wrong bytes. */
static size_t
rb_bad(const struct rbuf *rb, uint64_t seed, size_t boff)
{
	size_t i, bad = 0;

	for (i = 0; i < rb->len; i++)
		bad += rb->p[i] != pat(seed, boff + i);
	return (bad);
}

static uint64_t
chunks_read(struct sto_tier *t)
{
	struct sto_lmdb_stats ls;

	sto_lmdb_stats(t, &ls);
	return (ls.chunks_read);
}

/* Objects stored under a key (every variant), through accelctl's get. */
static int
count_ent(const struct sto_lmdb_ent *e, void *priv)
{
	unsigned *n = priv;

	(*n)++;
	return (0);
}

static unsigned
stored(struct sto_tier *t, const struct hin *h)
{
	unsigned n = 0;
	int r = sto_lmdb_get(t, &h->key, count_ent, &n);

	assert_true(r == 0 || r == ENOENT);
	assert_true((r == ENOENT) == (n == 0));
	return (n);
}

/* ---- settings ---- */

static void
test_conf(void **state TEST_UNUSED)
{
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	char err[256];

	assert_int_equal(sto_lmdb_conf_parse(&lc, "/tmp/x", err, sizeof err),
			 0);
	assert_string_equal(lc.lc_dir, "/tmp/x");
	assert_true(lc.lc_mapsize >= (16u << 20) &&
		    lc.lc_mapsize <= (1u << 30));
	assert_int_equal(lc.lc_sync, 1);
	assert_int_equal(lc.lc_chunk, 64 << 10);
	assert_int_equal(lc.lc_promote, 1 << 20);
	assert_int_equal(lc.lc_batch_ms, 2);
	assert_int_equal(lc.lc_queue, 64 << 20);
	assert_true(lc.lc_high > 0.89 && lc.lc_high < 0.91);
	assert_true(lc.lc_low > 0.79 && lc.lc_low < 0.81);
	assert_int_equal(
	    sto_lmdb_conf_parse(&lc,
				"/d/e,200M,sync=off,chunk=256k,promote=2M,"
				"batch=5,queue=8M",
				err, sizeof err),
	    0);
	assert_string_equal(lc.lc_dir, "/d/e");
	assert_int_equal(lc.lc_mapsize, 200 << 20);
	assert_int_equal(lc.lc_sync, 0);
	assert_int_equal(lc.lc_chunk, 256 << 10);
	assert_int_equal(lc.lc_promote, 2 << 20);
	assert_int_equal(lc.lc_batch_ms, 5);
	assert_int_equal(lc.lc_queue, 8 << 20);
	assert_int_equal(sto_lmdb_conf_parse(&lc, "/d,1Q", err, sizeof err),
			 STO_ESPEC);
	assert_string_equal(err, "lmdb=/d,1Q: bad size '1Q'");
	assert_int_equal(
	    sto_lmdb_conf_parse(&lc, "/d,chunk=x", err, sizeof err), STO_ESPEC);
	assert_string_equal(err, "lmdb=/d,chunk=x: bad size 'x'");
	assert_int_equal(sto_lmdb_conf_parse(&lc, "/d,sync=maybe", NULL, 0),
			 STO_ESPEC);
	assert_int_equal(sto_lmdb_conf_parse(&lc, "/d,chunk=100", NULL, 0),
			 STO_ESPEC);
	assert_int_equal(sto_lmdb_conf_parse(&lc, "/d,batch=5000", NULL, 0),
			 STO_ESPEC);
	assert_int_equal(
	    sto_lmdb_conf_parse(&lc, "/d,color=red", err, sizeof err),
	    STO_ESPEC);
	assert_non_null(strstr(err, "unknown option 'color'"));
	assert_int_equal(sto_lmdb_conf_parse(&lc, "", err, sizeof err),
			 STO_ESPEC);
	assert_int_equal(sto_lmdb_conf_parse(&lc, ",1G", err, sizeof err),
			 STO_ESPEC);
	/* -s lmdb without a directory */
	assert_int_equal(sto_tier_open(&t, "lmdb"), STO_ESPEC);
	assert_null(t);
	assert_true(sto_lmdb_default_mapsize("/no/such/dir/below") >=
		    (16u << 20));
}

/* ---- write, look up, read ---- */

static int
want_vals(const struct sto_obj *o, void *priv)
{
	struct sto_bytes v = sto_obj_vary_vals(o);

	return (v.ptr != NULL && v.len == strlen(priv) &&
		memcmp(v.ptr, priv, v.len) == 0);
}

static void
test_put_lookup(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o, *f;
	struct sto_stats st;
	struct sto_lmdb_stats ls;
	struct sto_bytes b;
	struct hin h, h2;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 64 << 10, 1 << 20);
	hin_make(&h, "example.com", "/a");
	o = tobj(&h, 5000, 7, "gzip");
	assert_int_equal(sto_insert(t, o), 0);
	assert_true(sto_obj_flags(o) & STO_F_ONDISK);
	assert_int_equal(sto_insert(t, o), STO_ESTATE); /* once */
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &f),
			 0);
	assert_true(f != o);
	assert_int_equal(sto_obj_state(f), STO_OBJ_COMPLETE);
	assert_int_equal(sto_obj_flags(f) & (STO_F_ONDISK | STO_F_DISKBODY),
			 STO_F_ONDISK);
	assert_true(sto_key_eq(&f->o_key, &h.key));
	assert_int_equal(f->o_hashin_len, h.len);
	assert_memory_equal(sto_obj_hashin(f), h.buf, h.len);
	assert_int_equal(f->o_status, 203);
	assert_int_equal(f->o_cflags, 0x5a5);
	assert_true(f->o_t_req == o->o_t_req && f->o_t_resp == o->o_t_resp &&
		    f->o_date == o->o_date && f->o_ttl == o->o_ttl);
	assert_true(f->o_age_recv == 3 && f->o_grace == 10.5f &&
		    f->o_keep == 20 && f->o_sie == 30);
	assert_int_equal(f->o_content_length, 5000);
	assert_true(sto_bytes_eq_test(sto_obj_hdrs(f), sto_obj_hdrs(o)));
	assert_true(sto_bytes_eq_test(sto_obj_etag(f), sto_obj_etag(o)));
	assert_true(sto_bytes_eq_test(sto_obj_lastmod(f), sto_obj_lastmod(o)));
	assert_true(
	    sto_bytes_eq_test(sto_obj_vary_names(f), sto_obj_vary_names(o)));
	b = sto_obj_vary_vals(f);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.ptr, "gzip", 4);
	body_check(f, 5000, 7);
	sto_obj_deref(&f);
	sto_obj_deref(&o);

	/* unset fields stay unset; an empty body round-trips */
	hin_make(&h2, "example.com", "/empty");
	assert_int_equal(sto_obj_new(&o, &h2.key, h2.buf, h2.len), 0);
	o->o_t_resp = now_d();
	o->o_ttl = 60;
	assert_int_equal(sto_obj_finish(o, 1), 0);
	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h2.key, h2.buf, h2.len, NULL, NULL, &f),
			 0);
	assert_null(sto_obj_hdrs(f).ptr);
	assert_null(sto_obj_etag(f).ptr);
	assert_null(sto_obj_vary_names(f).ptr);
	assert_int_equal(sto_obj_len(f), 0);
	body_check(f, 0, 0);
	sto_obj_deref(&f);

	/* the hash inputs must match, not only the key */
	assert_int_equal(sto_lookup(t, &h.key, h2.buf, h2.len, NULL, NULL, &f),
			 ENOENT);
	/* a match that refuses */
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "br", &f), ENOENT);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "gzip", &f), 0);
	sto_obj_deref(&f);

	/* what insert refuses */
	assert_int_equal(sto_obj_new(&o, &h2.key, h2.buf, h2.len), 0);
	assert_int_equal(sto_insert(t, o), STO_ESTATE); /* BUSY */
	assert_int_equal(sto_obj_finish(o, 1), 0);
	sto_obj_flags_set(o, STO_F_NOPERSIST);
	assert_int_equal(sto_insert(t, o), STO_ESTATE);
	sto_obj_deref(&o);
	o = tobj(&h2, 3 << 20, 1, NULL); /* over map / 8 */
	assert_int_equal(sto_insert(t, o), STO_ETOOBIG);
	assert_false(sto_obj_flags(o) & STO_F_ONDISK);
	sto_obj_deref(&o);

	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_stats(t, &st);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.toobig, 1);
	assert_int_equal(st.budget, 16 << 20);
	assert_int_equal(ls.written, 2);
	assert_int_equal(ls.queued, 2);
	assert_int_equal(ls.touches, 3);
	assert_true(ls.commits >= 2);
	assert_true(st.bytes > 5000);
	sto_tier_close(&t);
	assert_null(t);
	tdir_rm(&d);
}

/* Promotion below the limit, a disk view above it. */
static void
test_promote_diskview(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t, *mt;
	struct sto_obj *o;
	struct sto_cursor c;
	struct rbuf rb = {0};
	const void *p;
	size_t len;
	struct hin hs, hl;

	tdir_make(&d);
	t = topen(d.path, 32 << 20, 16 << 10, 64 << 10);
	hin_make(&hs, "h", "/small");
	hin_make(&hl, "h", "/large");
	put(t, &hs, 64 << 10, 1, NULL);       /* at the limit: promoted */
	put(t, &hl, (64 << 10) + 1, 2, NULL); /* one byte more: on disk */
	assert_int_equal(sto_lmdb_flush(t), 0);

	assert_int_equal(sto_lookup(t, &hs.key, hs.buf, hs.len, NULL, NULL, &o),
			 0);
	assert_int_equal(sto_obj_flags(o) & (STO_F_ONDISK | STO_F_DISKBODY),
			 STO_F_ONDISK);
	body_check(o, 64 << 10, 1);
	assert_int_equal(sto_lmdb_read(t, o, 0, 1, rb_add, &rb), STO_ESTATE);
	sto_obj_deref(&o);

	assert_int_equal(sto_lookup(t, &hl.key, hl.buf, hl.len, NULL, NULL, &o),
			 0);
	assert_int_equal(sto_obj_flags(o) & (STO_F_ONDISK | STO_F_DISKBODY),
			 STO_F_ONDISK | STO_F_DISKBODY);
	assert_int_equal(sto_obj_state(o), STO_OBJ_COMPLETE);
	assert_int_equal(sto_obj_len(o), (64 << 10) + 1);
	assert_true(o->o_dsk.dl_id > 0);
	assert_int_equal(o->o_dsk.dl_chunk, (16 << 10) - 24);
	sto_cursor_init(&c, o);
	assert_int_equal(sto_cursor_next(&c, 0, &p, &len), STO_EFAILED);
	assert_int_equal(sto_cursor_seek(&c, 10), STO_EFAILED);
	assert_int_equal(sto_lmdb_read(t, o, 0, sto_obj_len(o), rb_add, &rb),
			 0);
	assert_int_equal(rb.len, (64 << 10) + 1);
	assert_int_equal(rb_bad(&rb, 2, 0), 0);
	assert_int_equal(rb.calls, 5); /* 4 whole chunks and 97 bytes */
	/* a disk view never goes into the memory tier (o_dsk is o_mem) */
	mt = mem_open(1 << 20, STO_POL_S3FIFO, 4);
	assert_int_equal(sto_insert(mt, o), STO_ESTATE);
	sto_tier_close(&mt);
	sto_obj_deref(&o);
	rb_reset(&rb);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Ranges read exactly the chunks they cover, each piece from the right
 * place. */
static void
test_read_ranges(void **state TEST_UNUSED)
{
	const size_t C = 4096 - 24, body = 10 * C + 123; /* body/chunk */
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct rbuf rb = {0};
	struct hin h;
	uint64_t before;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 4096, 0);
	hin_make(&h, "h", "/ranges");
	put(t, &h, body, 9, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	assert_true(sto_obj_flags(o) & STO_F_DISKBODY);

	/* inside one chunk */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, C + 10, 100, rb_add, &rb), 0);
	assert_int_equal(chunks_read(t) - before, 1);
	assert_int_equal(rb.len, 100);
	assert_int_equal(rb_bad(&rb, 9, C + 10), 0);
	rb_reset(&rb);
	/* across one boundary: two chunks, two pieces */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, 2 * C - 5, 10, rb_add, &rb), 0);
	assert_int_equal(chunks_read(t) - before, 2);
	assert_int_equal(rb.calls, 2);
	assert_int_equal(rb_bad(&rb, 9, 2 * C - 5), 0);
	rb_reset(&rb);
	/* exactly chunks 3..5 */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, 3 * C, 3 * C, rb_add, &rb), 0);
	assert_int_equal(chunks_read(t) - before, 3);
	assert_int_equal(rb.maxpiece, C);
	assert_int_equal(rb_bad(&rb, 9, 3 * C), 0);
	rb_reset(&rb);
	/* the short last chunk */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, body - 3, 3, rb_add, &rb), 0);
	assert_int_equal(chunks_read(t) - before, 1);
	assert_int_equal(rb_bad(&rb, 9, body - 3), 0);
	rb_reset(&rb);
	/* nothing, and past the end */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, body, 0, rb_add, &rb), 0);
	assert_int_equal(sto_lmdb_read(t, o, body - 3, 4, rb_add, &rb), EINVAL);
	assert_int_equal(sto_lmdb_read(t, o, body + 1, 0, rb_add, &rb), EINVAL);
	assert_int_equal(chunks_read(t), before);
	assert_int_equal(rb.calls, 0);
	/* the callback stops the read with its value */
	rb.stop_at = 2;
	assert_int_equal(sto_lmdb_read(t, o, 0, body, rb_add, &rb), 77);
	assert_int_equal(rb.calls, 2);
	assert_int_equal(rb.len, 2 * C);
	rb_reset(&rb);
	/* whole */
	assert_int_equal(sto_lmdb_read(t, o, 0, body, rb_add, &rb), 0);
	assert_int_equal(rb.len, body);
	assert_int_equal(rb_bad(&rb, 9, 0), 0);
	rb_reset(&rb);
	/* gone from the store meanwhile: ENOENT */
	assert_int_equal(sto_remove(t, &h.key, h.buf, h.len, NULL), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lmdb_read(t, o, 0, body, rb_add, &rb), ENOENT);
	rb_reset(&rb);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	tdir_rm(&d);
}

static void
test_reopen(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_lmdb_info li, li2;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct hin h[20];
	char url[32];
	unsigned u;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 8 << 10, 16 << 10);
	for (u = 0; u < 20; u++) {
		snprintf(url, sizeof url, "/r%u", u);
		hin_make(&h[u], "h", url);
		put(t, &h[u], 1000 + u * 2000, u, NULL);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(li.li_format, 1);
	assert_int_equal(li.li_chunk, (8 << 10) - 24);
	assert_int_equal(li.li_objects, 20);
	assert_int_equal(li.li_next_id, 21);
	assert_int_equal(li.li_mapsize, 16 << 20);
	sto_tier_close(&t);

	/* another chunk size asked: the store keeps its own; a bigger map */
	conf_make(&lc, d.path, 32 << 20, 64 << 10, 16 << 10);
	t = conf_open(&lc);
	assert_int_equal(sto_lmdb_info(t, &li2), 0);
	assert_int_equal(li2.li_chunk, (8 << 10) - 24);
	assert_int_equal(li2.li_objects, 20);
	assert_int_equal(li2.li_bytes, li.li_bytes);
	assert_int_equal(li2.li_mapsize, 32 << 20);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 20);
	assert_int_equal(st.bytes, li.li_bytes);
	for (u = 0; u < 20; u++) {
		struct rbuf rb = {0};

		assert_int_equal(sto_lookup(t, &h[u].key, h[u].buf, h[u].len,
					    NULL, NULL, &o),
				 0);
		if (sto_obj_flags(o) & STO_F_DISKBODY) {
			assert_int_equal(
			    sto_lmdb_read(t, o, 0, sto_obj_len(o), rb_add, &rb),
			    0);
			assert_int_equal(rb.len, 1000 + u * 2000);
			assert_int_equal(rb_bad(&rb, u, 0), 0);
			rb_reset(&rb);
		} else
			body_check(o, 1000 + u * 2000, u);
		sto_obj_deref(&o);
	}
	/* new ids continue after the old ones */
	put(t, &h[0], 10, 99, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lmdb_info(t, &li2), 0);
	assert_int_equal(li2.li_next_id, 22);
	assert_int_equal(li2.li_objects, 20);
	sto_tier_close(&t);

	/* mapsize 0: the store's own */
	conf_make(&lc, d.path, 0, 64 << 10, 0);
	t = conf_open(&lc);
	assert_int_equal(sto_lmdb_info(t, &li2), 0);
	assert_int_equal(li2.li_mapsize, 32 << 20);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Vary: variants coexist; each write replaces its own variant only. */
static void
test_variants(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct hin h;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 64 << 10, 1 << 20);
	hin_make(&h, "h", "/v");
	put(t, &h, 100, 1, "gzip");
	put(t, &h, 100, 2, "br");
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 2);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "gzip", &o), 0);
	body_check(o, 100, 1);
	sto_obj_deref(&o);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "br", &o), 0);
	body_check(o, 100, 2);
	sto_obj_deref(&o);
	/* NULL match: the newest */
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	body_check(o, 100, 2);
	sto_obj_deref(&o);

	/* a new gzip copy replaces the old gzip one only */
	put(t, &h, 200, 3, "gzip");
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 2);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "gzip", &o), 0);
	body_check(o, 200, 3);
	sto_obj_deref(&o);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "br", &o), 0);
	body_check(o, 100, 2);
	sto_obj_deref(&o);
	sto_stats(t, &st);
	assert_int_equal(st.replaced, 1);

	/* an answer without Vary replaces every variant */
	put(t, &h, 50, 4, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	body_check(o, 50, 4);
	assert_null(sto_obj_vary_names(o).ptr);
	sto_obj_deref(&o);
	/* and the same without Vary again replaces it */
	put(t, &h, 60, 5, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	sto_stats(t, &st);
	assert_int_equal(st.replaced, 4);
	assert_int_equal(st.objects, 1);

	/* unlink of a memory object: its stored variant goes */
	put(t, &h, 70, 6, "gzip");
	put(t, &h, 70, 7, "br");
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 2);
	o = tobj(&h, 1, 8, "br");
	assert_int_equal(sto_unlink(t, o), 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "br", &o), ENOENT);
	/* unlink of a disk view: exactly that object */
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "gzip", &o), 0);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	tdir_rm(&d);
}

static void
test_unlink_diskview(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct hin h, h2;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 4 << 10, 0); /* every hit a disk view */
	hin_make(&h, "h", "/u");
	hin_make(&h2, "h", "/nothing-here");
	put(t, &h, 10000, 1, "gzip");
	put(t, &h, 10000, 2, "br");
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "br", &o), 0);
	assert_true(sto_obj_flags(o) & STO_F_DISKBODY);
	assert_int_equal(sto_unlink(t, o), 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	assert_int_equal(
	    sto_lookup(t, &h.key, h.buf, h.len, want_vals, "gzip", &o), 0);
	sto_obj_deref(&o);
	/* nothing stored under the key and nothing queued: ENOENT */
	o = tobj(&h2, 1, 1, NULL);
	assert_int_equal(sto_unlink(t, o), ENOENT);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Two URLs forced onto one key never see each other's object. */
static void
same_key(struct sto_key *k, const void *hashin, size_t len)
{
	(void)hashin;
	(void)len;
	k->hi = 0x1234;
	k->lo = 0x5678;
}

static void
test_collision(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct hin a, b;
	unsigned n;

	sto_key_hash_hook = same_key;
	hin_make(&a, "h", "/a");
	hin_make(&b, "h", "/b");
	sto_key_hash_hook = NULL;
	assert_true(sto_key_eq(&a.key, &b.key));
	tdir_make(&d);
	t = topen(d.path, 16 << 20, 64 << 10, 1 << 20);
	put(t, &a, 100, 1, NULL);
	put(t, &b, 200, 2, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	/* b did not replace a: other hash inputs */
	assert_int_equal(stored(t, &a), 2);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &o),
			 0);
	body_check(o, 100, 1);
	sto_obj_deref(&o);
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 0);
	body_check(o, 200, 2);
	sto_obj_deref(&o);
	/* removing a leaves b */
	assert_int_equal(sto_remove(t, &a.key, a.buf, a.len, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sto_lookup(t, &a.key, a.buf, a.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &a), 1);
	/* a key alone removes both */
	put(t, &a, 100, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_remove(t, &a.key, NULL, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sto_lookup(t, &b.key, b.buf, b.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &a), 0);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* A remove hides the key at once; a PUT queued before it stays dead. */
static void
test_remove_tombstone(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct hin h, h2;
	unsigned n;

	tdir_make(&d);
	/* The writer waits up to a second for company: the delete stays
	 * queued while we look. */
	conf_make(&lc, d.path, 16 << 20, 64 << 10, 1 << 20);
	lc.lc_batch_ms = 1000;
	t = conf_open(&lc);
	hin_make(&h, "h", "/gone");
	hin_make(&h2, "h", "/never");
	put(t, &h, 100, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_remove(t, &h.key, h.buf, h.len, &n), 0);
	assert_int_equal(n, 1);
	/* still on disk, yet not found */
	assert_int_equal(stored(t, &h), 1);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	/* the tombstone went with the commit: a new copy is found */
	put(t, &h, 100, 2, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	body_check(o, 100, 2);
	sto_obj_deref(&o);

	/* queued, not written, then removed: never comes back */
	put(t, &h2, 100, 3, NULL);
	assert_int_equal(sto_remove(t, &h2.key, h2.buf, h2.len, &n), ENOENT);
	assert_int_equal(n, 0);
	assert_int_equal(sto_lookup(t, &h2.key, h2.buf, h2.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h2), 0);
	assert_int_equal(sto_lookup(t, &h2.key, h2.buf, h2.len, NULL, NULL, &o),
			 ENOENT);
	sto_stats(t, &st);
	/* h, then h2: written and deleted in one batch, in order */
	assert_int_equal(st.removed, 2);
	assert_int_equal(st.objects, 1);
	sto_tier_close(&t);

	/* and it stays gone across a restart */
	t = conf_open(&lc);
	assert_int_equal(sto_lookup(t, &h2.key, h2.buf, h2.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* ---- space ---- */

/* Objects /b0.. /b(n-1) of sz bytes, b[0] varying on vary0 (NULL: no
 * Vary). */
static void
put_bs(struct sto_tier *t, struct hin *b, unsigned n, size_t sz,
       const char *vary0)
{
	char url[32];
	unsigned u;

	for (u = 0; u < n; u++) {
		snprintf(url, sizeof url, "/b%u", u);
		hin_make(&b[u], "h", url);
		put(t, &b[u], sz, 100 + u, u == 0 ? vary0 : NULL);
	}
}

/* Objects /c0.. of sz bytes, each committed, until the store evicts; c
 * gets the last one, st the counters then. */
static void
fill_until_evicted(struct sto_tier *t, size_t sz, struct hin *c,
		   struct sto_stats *st)
{
	char url[32];
	unsigned nc = 0;

	for (;;) {
		snprintf(url, sizeof url, "/c%u", nc++);
		hin_make(c, "h", url);
		put(t, c, sz, 1000 + nc, NULL);
		assert_int_equal(sto_lmdb_flush(t), 0);
		sto_stats(t, st);
		if (st->evictions > 0)
			break;
		assert_true(nc < 400);
	}
}

/* How many of b[from, n) are gone; they went in the order written. */
static unsigned
gone_in_order(struct sto_tier *t, const struct hin *b, unsigned from,
	      unsigned n)
{
	unsigned u, gone = 0;

	for (u = from; u < n; u++)
		gone += stored(t, &b[u]) == 0;
	for (u = from; u < n; u++)
		assert_int_equal(stored(t, &b[u]), u >= from + gone);
	return (gone);
}

/*
 * Dead objects go first, then the least recent generations; objects hit
 * since, and the newest, stay.
 */
static void
test_eviction_order(void **state TEST_UNUSED)
{
	enum { NA = 8, NB = 40, NT = 10, SZ = 40000 };
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct sto_lmdb_stats ls;
	struct hin a[NA], b[NB], c;
	char url[32];
	unsigned u, nb_gone;

	tdir_make(&d);
	/* 8 MiB: a generation every 128 KiB written */
	t = topen(d.path, 8 << 20, 64 << 10, 0);
	for (u = 0; u < NA; u++) {
		snprintf(url, sizeof url, "/a%u", u);
		hin_make(&a[u], "h", url);
		/* t_resp + ttl + sie + keep: dead in a second */
		o = tobj_try(&a[u], SZ, u, NULL, -48);
		assert_non_null(o);
		assert_int_equal(sto_insert(t, o), 0);
		sto_obj_deref(&o);
	}
	put_bs(t, b, NB, SZ, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.written, NA + NB);
	/* the first NT of b are hit: they move to the current generation */
	for (u = 0; u < NT; u++) {
		assert_int_equal(sto_lookup(t, &b[u].key, b[u].buf, b[u].len,
					    NULL, NULL, &o),
				 0);
		sto_obj_deref(&o);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	sleep(2); /* the a objects die */
	fill_until_evicted(t, SZ, &c, &st);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.expired, NA);
	assert_true(st.evictions > NA);
	for (u = 0; u < NA; u++)
		assert_int_equal(stored(t, &a[u]), 0);
	for (u = 0; u < NT; u++)
		assert_int_equal(stored(t, &b[u]), 1);
	/* the untouched b go in the order written */
	nb_gone = gone_in_order(t, b, NT, NB);
	assert_int_equal(nb_gone, st.evictions - NA);
	assert_int_equal(stored(t, &c), 1);
	sto_lmdb_stats(t, &ls);
	assert_true(ls.pages_used <= ls.pages_max * 0.9);
	assert_int_equal(ls.map_full, 0);
	assert_int_equal(ls.wb_dropped, 0);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* The generations and the hits of the objects under a key. */
struct genhits {
	uint32_t gmin, gmax, hits;
	unsigned n;
};

static int
gen_ent(const struct sto_lmdb_ent *e, void *priv)
{
	struct genhits *g = priv;

	if (g->n == 0 || e->le_gen < g->gmin)
		g->gmin = e->le_gen;
	if (g->n == 0 || e->le_gen > g->gmax)
		g->gmax = e->le_gen;
	g->hits += e->le_hits;
	g->n++;
	return (0);
}

static struct genhits
key_gens(struct sto_tier *t, const struct hin *h)
{
	struct genhits g;

	memset(&g, 0, sizeof g);
	assert_int_equal(sto_lmdb_get(t, &h->key, gen_ent, &g), 0);
	return (g);
}

/*
 * sto_lmdb_touch_key (the memory tier evicted an object it served): every
 * id under the key moves to the current generation, without a hit, and
 * eviction then takes first the objects written after them but not
 * touched; without it those, the oldest, would go first. A key touched
 * again in the same generation, or one with nothing stored, writes
 * nothing; a read-only tier ignores it.
 */
static void
test_touch_key(void **state TEST_UNUSED)
{
	enum { NB = 40, NT = 10, SZ = 40000 };
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_lmdb_info li;
	struct sto_lmdb_stats ls;
	struct sto_stats st;
	struct genhits g;
	struct sto_tier *t;
	struct hin b[NB], c;
	char url[32];
	unsigned u, nb_gone;

	tdir_make(&d);
	/* 8 MiB: a generation every 128 KiB written */
	t = topen(d.path, 8 << 20, 64 << 10, 0);
	put_bs(t, b, NB, SZ, "gzip");
	put(t, &b[0], SZ, 99, "br"); /* two variants under one key */
	/* Beyond the last b's generation: the touched ones then share
	 * theirs with no untouched b. */
	for (u = 0; u < 4; u++) {
		snprintf(url, sizeof url, "/p%u", u);
		hin_make(&c, "h", url);
		put(t, &c, SZ, 900 + u, NULL);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &b[0]), 2);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	g = key_gens(t, &b[NT - 1]);
	assert_true(g.gmax < li.li_gen);
	hin_make(&c, "h", "/none");
	assert_int_equal(sto_lmdb_touch_key(t, &c.key), 0);
	for (u = 0; u < NT; u++)
		assert_int_equal(sto_lmdb_touch_key(t, &b[u].key), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.touches, NT + 1);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	for (u = 0; u < NT; u++) {
		g = key_gens(t, &b[u]);
		assert_int_equal(g.n, u == 0 ? 2 : 1);
		assert_int_equal(g.gmin, li.li_gen);
		assert_int_equal(g.hits, 0);
	}
	g = key_gens(t, &b[NT]);
	assert_true(g.gmax < li.li_gen);
	assert_int_equal(sto_lmdb_touch_key(t, &b[1].key), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.touches, NT + 1);

	fill_until_evicted(t, SZ, &c, &st);
	for (u = 0; u < NT; u++)
		assert_int_equal(stored(t, &b[u]), u == 0 ? 2 : 1);
	/* the untouched b go in the order written, not all of them */
	nb_gone = gone_in_order(t, b, NT, NB);
	assert_int_equal(nb_gone, st.evictions);
	assert_true(nb_gone > 0 && nb_gone < NB - NT);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.map_full, 0);
	assert_int_equal(ls.wb_dropped, 0);
	sto_tier_close(&t);

	conf_make(&lc, d.path, 0, 64 << 10, 0);
	lc.lc_readonly = 1;
	t = conf_open(&lc);
	assert_int_equal(sto_lmdb_touch_key(t, &b[NB - 1].key), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.touches, 0);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* 40 MiB into a 4 MiB map: nothing fails but a full queue, and what was
 * written last is there. */
static void
test_small_map_flood(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct sto_lmdb_stats ls;
	struct hin h, last[4];
	size_t total = 0, len;
	char url[32];
	unsigned u, nlast = 0, enospc = 0;
	int r;

	tdir_make(&d);
	conf_make(&lc, d.path, 4 << 20, 16 << 10, 0);
	lc.lc_queue = 1 << 20;
	t = conf_open(&lc);
	for (u = 0; total < (40u << 20); u++) {
		snprintf(url, sizeof url, "/f%u", u);
		hin_make(&h, "h", url);
		len = 10000 + (u * 7919) % 300000;
		o = tobj(&h, len, u, NULL);
		r = sto_insert(t, o);
		sto_obj_deref(&o);
		assert_true(r == 0 || r == ENOSPC);
		if (r == ENOSPC)
			enospc++;
		else
			total += len;
		if (u % 50 == 49)
			assert_int_equal(sto_lmdb_flush(t), 0);
	}
	/*
	 * The last few, written one batch at a time. The flood may have
	 * left up to a queue's worth unwritten: flush it first, or the
	 * first of these can find the queue full (ENOSPC).
	 */
	assert_int_equal(sto_lmdb_flush(t), 0);
	for (nlast = 0; nlast < 4; nlast++) {
		snprintf(url, sizeof url, "/last%u", nlast);
		hin_make(&last[nlast], "h", url);
		put(t, &last[nlast], 100000, 7000 + nlast, NULL);
		assert_int_equal(sto_lmdb_flush(t), 0);
	}
	sto_stats(t, &st);
	sto_lmdb_stats(t, &ls);
	assert_true(st.evictions > 0);
	assert_true(ls.wb_dropped >= enospc);
	assert_true(ls.written > 40);
	assert_true(ls.pages_used <= ls.pages_max);
	for (u = 0; u < 4; u++) {
		struct rbuf rb = {0};

		assert_int_equal(sto_lookup(t, &last[u].key, last[u].buf,
					    last[u].len, NULL, NULL, &o),
				 0);
		assert_int_equal(
		    sto_lmdb_read(t, o, 0, sto_obj_len(o), rb_add, &rb), 0);
		assert_int_equal(rb.len, 100000);
		assert_int_equal(rb_bad(&rb, 7000 + u, 0), 0);
		rb_reset(&rb);
		sto_obj_deref(&o);
	}
	print_message(
	    "flood: %u written, %u queue-full, %llu evicted, "
	    "%llu map-full, %llu objects\n",
	    (unsigned)ls.written, enospc, (unsigned long long)st.evictions,
	    (unsigned long long)ls.map_full, (unsigned long long)st.objects);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* ---- integrity ---- */

/* Flip one byte at offset off of every copy of needle in DIR/data.mdb. */
static unsigned
flip_all(const char *dir, const void *needle, size_t nlen, size_t off)
{
	char path[128];
	struct stat sb;
	uint8_t *buf, *p, c;
	unsigned n = 0;
	int fd;

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, (size_t)sb.st_size, 0), sb.st_size);
	for (p = buf; (p = memmem(p, (size_t)sb.st_size - (size_t)(p - buf),
				  needle, nlen)) != NULL;
	     p++) {
		c = p[off] ^ 0x20;
		assert_int_equal(pwrite(fd, &c, 1, (off_t)(p - buf + off)), 1);
		n++;
	}
	free(buf);
	close(fd);
	return (n);
}

/* xorshift64*: bytes that do not repeat within a body (pat() does). */
static void
rnd_fill(uint8_t *p, size_t n, uint64_t x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		p[i] = (uint8_t)((x * 0x2545f4914f6cdd1dULL) >> 56);
	}
}

/* Insert an object whose body is body[0, len). */
static void
put_body(struct sto_tier *t, const struct hin *h, const uint8_t *body,
	 size_t len, uint64_t seed)
{
	struct sto_obj *o = tobj_body(h, len, seed, body, NULL, 300);

	assert_non_null(o);
	assert_int_equal(sto_insert(t, o), 0);
	sto_obj_deref(&o);
}

/* rb holds body[off, off + rb->len). */
static int
rb_is(const struct rbuf *rb, const uint8_t *body, size_t off)
{
	return (rb->len == 0 || memcmp(rb->p, body + off, rb->len) == 0);
}

static void
test_corrupt(void **state TEST_UNUSED)
{
	enum { C = (16 << 10) - 24 }; /* body bytes per chunk */
	static uint8_t bp[8000], bd[3 * C], bok[3 * C];
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_lmdb_stats ls;
	struct rbuf rb = {0};
	struct hin hp, hd, hm, ok;
	int r;

	rnd_fill(bp, sizeof bp, 11);
	rnd_fill(bd, sizeof bd, 22);
	rnd_fill(bok, sizeof bok, 44);
	tdir_make(&d);
	t = topen(d.path, 16 << 20, 16 << 10, 16 << 10);
	hin_make(&hp, "h", "/promoted");
	hin_make(&hd, "h", "/diskview");
	hin_make(&hm, "h", "/meta");
	hin_make(&ok, "h", "/fine");
	put_body(t, &hp, bp, sizeof bp, 1);
	put_body(t, &hd, bd, sizeof bd, 2);
	put(t, &hm, 100, 3000000, NULL);
	put_body(t, &ok, bok, sizeof bok, 4);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_tier_close(&t);

	/* a byte of the promoted body, of the disk view's middle chunk, and
	 * of the metadata record's header block */
	assert_int_equal(flip_all(d.path, bp + 1000, 32, 5), 1);
	assert_int_equal(flip_all(d.path, bd + C + 100, 32, 5), 1);
	assert_true(flip_all(d.path, "X-Seed: 3000000\r\n", 17, 9) >= 1);

	t = topen(d.path, 16 << 20, 16 << 10, 16 << 10);
	/* promoted: a bad chunk is never loaded */
	assert_int_equal(sto_lookup(t, &hp.key, hp.buf, hp.len, NULL, NULL, &o),
			 ENOENT);
	/* metadata: skipped */
	assert_int_equal(sto_lookup(t, &hm.key, hm.buf, hm.len, NULL, NULL, &o),
			 ENOENT);
	/* disk view: the good first chunk, then the error, never the bad
	 * bytes */
	assert_int_equal(sto_lookup(t, &hd.key, hd.buf, hd.len, NULL, NULL, &o),
			 0);
	r = sto_lmdb_read(t, o, 0, 3 * C, rb_add, &rb);
	assert_int_equal(r, STO_ECORRUPT);
	assert_int_equal(rb.len, C);
	assert_true(rb_is(&rb, bd, 0));
	rb_reset(&rb);
	/* a range that avoids the bad chunk still reads */
	assert_int_equal(sto_lmdb_read(t, o, 2 * C, C, rb_add, &rb), 0);
	assert_true(rb_is(&rb, bd, 2 * C));
	rb_reset(&rb);
	/* one inside it does not */
	assert_int_equal(sto_lmdb_read(t, o, C + 200, 10, rb_add, &rb),
			 STO_ECORRUPT);
	assert_int_equal(rb.calls, 0);
	sto_obj_deref(&o);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.corrupt, 4);
	/* all three are dropped behind */
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &hp), 0);
	assert_int_equal(stored(t, &hd), 0);
	assert_int_equal(stored(t, &hm), 0);
	assert_int_equal(sto_lookup(t, &hd.key, hd.buf, hd.len, NULL, NULL, &o),
			 ENOENT);
	/* the other is untouched */
	assert_int_equal(sto_lookup(t, &ok.key, ok.buf, ok.len, NULL, NULL, &o),
			 0);
	assert_int_equal(sto_lmdb_read(t, o, 0, 3 * C, rb_add, &rb), 0);
	assert_int_equal(rb.len, 3 * C);
	assert_true(rb_is(&rb, bok, 0));
	rb_reset(&rb);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Write the raw value of info/store through LMDB itself. */
static void
raw_store(const char *dir, const void *p, size_t n)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {5, "store"}, v = {n, (void *)p};

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "info", 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
test_format(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	char err[512], path[128];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int fd;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 64 << 10, 0);
	sto_tier_close(&t);
	conf_make(&lc, d.path, 16 << 20, 64 << 10, 0);
	/* garbage */
	raw_store(d.path, "garbage garbage garbage", 23);
	assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err), STO_EFORMAT);
	assert_null(t);
	assert_non_null(strstr(err, d.path));
	assert_non_null(strstr(err, "bad magic"));
	/* the right magic, another version */
	raw_store(d.path, "ACST\x02\0\0\0", 8);
	assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err), STO_EFORMAT);
	assert_non_null(strstr(err, "version"));
	/* version 1, bad checksum */
	{
		uint8_t rec[56] = "ACST\x01\0\0\0";

		raw_store(d.path, rec, sizeof rec);
		assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err),
				 STO_EFORMAT);
		assert_non_null(strstr(err, "checksum"));
	}
	tdir_rm(&d);

	/* someone else's LMDB environment */
	tdir_make(&d);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_open(env, d.path, 0, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "theirs", MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	conf_make(&lc, d.path, 16 << 20, 64 << 10, 0);
	assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err), STO_EFORMAT);
	assert_non_null(strstr(err, "not an accel store"));
	tdir_rm(&d);

	/* not LMDB at all */
	tdir_make(&d);
	snprintf(path, sizeof path, "%s/data.mdb", d.path);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	memset(err, 'x', sizeof err);
	assert_int_equal(write(fd, err, sizeof err), (ssize_t)sizeof err);
	assert_int_equal(write(fd, err, sizeof err), (ssize_t)sizeof err);
	close(fd);
	conf_make(&lc, d.path, 16 << 20, 64 << 10, 0);
	assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err), STO_EFORMAT);
	tdir_rm(&d);

	/* read-only where there is no store */
	tdir_make(&d);
	conf_make(&lc, d.path, 16 << 20, 64 << 10, 0);
	lc.lc_readonly = 1;
	assert_int_equal(sto_lmdb_open(&t, &lc, err, sizeof err), ENOENT);
	assert_non_null(strstr(err, "no store"));
	tdir_rm(&d);
	/* a directory created on the way */
	tdir_make(&d);
	snprintf(path, sizeof path, "%s/a/b", d.path);
	conf_make(&lc, path, 16 << 20, 64 << 10, 0);
	t = conf_open(&lc);
	sto_tier_close(&t);
	snprintf(path, sizeof path, "%s/a/b/data.mdb", d.path);
	assert_int_equal(access(path, F_OK), 0);
	tdir_rm(&d);
}

/* ---- threads ---- */

enum { TH_KEYS = 64 };

struct rd_arg {
	struct sto_tier *t;
	struct hin *h;
	_Atomic int *stop;
	unsigned hits, misses, bad;
	unsigned seed;
};

/* Check a found object's body against its key's pattern; errors count. */
static unsigned
check_found(struct sto_tier *t, struct sto_obj *o, unsigned k)
{
	struct rbuf rb = {0};
	size_t want = 1000 + k * 3000;
	unsigned bad = 0;
	int r;

	if (sto_obj_flags(o) & STO_F_DISKBODY) {
		r = sto_lmdb_read(t, o, 0, sto_obj_len(o), rb_add, &rb);
		/* replaced since the lookup: gone is fine, wrong is not */
		if (r == 0)
			bad += rb.len != want || rb_bad(&rb, k, 0) != 0;
		else
			bad += r != ENOENT;
		rb_reset(&rb);
	} else
		bad += body_bad(o, want, k) != 0;
	return (bad);
}

static void *
reader(void *arg)
{
	struct rd_arg *ra = arg;
	struct sto_obj *o;
	unsigned k;
	int r;

	while (!atomic_load(ra->stop)) {
		ra->seed = ra->seed * 1103515245 + 12345;
		k = (ra->seed >> 8) % TH_KEYS;
		r = sto_lookup(ra->t, &ra->h[k].key, ra->h[k].buf, ra->h[k].len,
			       NULL, NULL, &o);
		if (r == 0) {
			ra->hits++;
			ra->bad += check_found(ra->t, o, k);
			sto_obj_deref(&o);
		} else {
			ra->misses++;
			ra->bad += r != ENOENT;
		}
	}
	return (NULL);
}

static void
test_threads(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct rd_arg ra[2];
	struct hin h[TH_KEYS];
	pthread_t th[2];
	_Atomic int stop = 0;
	struct timespec t0, t1;
	char url[32];
	unsigned u, k, round = 0;

	tdir_make(&d);
	/* small enough to evict while the readers read */
	t = topen(d.path, 16 << 20, 16 << 10, 32 << 10);
	for (u = 0; u < TH_KEYS; u++) {
		snprintf(url, sizeof url, "/t%u", u);
		hin_make(&h[u], "h", url);
	}
	for (u = 0; u < 2; u++) {
		memset(&ra[u], 0, sizeof ra[u]);
		ra[u].t = t;
		ra[u].h = h;
		ra[u].stop = &stop;
		ra[u].seed = u + 1;
		assert_int_equal(pthread_create(&th[u], NULL, reader, &ra[u]),
				 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (k = 0; k < TH_KEYS; k++) {
			struct sto_obj *o =
			    tobj(&h[k], 1000 + k * 3000, k, NULL);
			int r = sto_insert(t, o);

			assert_true(r == 0 || r == ENOSPC);
			sto_obj_deref(&o);
			if (k % 16 == 0)
				(void)sto_remove(
				    t, &h[(k + round) % TH_KEYS].key,
				    h[(k + round) % TH_KEYS].buf,
				    h[(k + round) % TH_KEYS].len, NULL);
		}
		assert_int_equal(sto_lmdb_flush(t), 0);
		round++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (t1.tv_sec - t0.tv_sec < 2);
	atomic_store(&stop, 1);
	for (u = 0; u < 2; u++) {
		assert_int_equal(pthread_join(th[u], NULL), 0);
		assert_int_equal(ra[u].bad, 0);
		assert_true(ra[u].hits > 0);
	}
	print_message("threads: %u rounds, hits %u+%u, misses %u+%u\n", round,
		      ra[0].hits, ra[1].hits, ra[0].misses, ra[1].misses);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Two tiers and more than a thread's slots: each read goes to its own. */
static void
test_many_tiers(void **state TEST_UNUSED)
{
	enum { NT = 6 };
	struct tdir d[NT];
	struct sto_tier *t[NT];
	struct sto_obj *o;
	struct hin h;
	unsigned u, r;

	hin_make(&h, "h", "/same");
	for (u = 0; u < NT; u++) {
		tdir_make(&d[u]);
		t[u] = topen(d[u].path, 16 << 20, 64 << 10, 1 << 20);
		put(t[u], &h, 100 + u, u, NULL);
		assert_int_equal(sto_lmdb_flush(t[u]), 0);
	}
	for (r = 0; r < 3; r++) {
		for (u = 0; u < NT; u++) {
			assert_int_equal(sto_lookup(t[u], &h.key, h.buf, h.len,
						    NULL, NULL, &o),
					 0);
			body_check(o, 100 + u, u);
			sto_obj_deref(&o);
		}
	}
	/* one closes; the others go on */
	sto_tier_close(&t[2]);
	for (u = 0; u < NT; u++) {
		if (u == 2)
			continue;
		assert_int_equal(
		    sto_lookup(t[u], &h.key, h.buf, h.len, NULL, NULL, &o), 0);
		body_check(o, 100 + u, u);
		sto_obj_deref(&o);
	}
	for (u = 0; u < NT; u++) {
		if (u != 2)
			sto_tier_close(&t[u]);
		tdir_rm(&d[u]);
	}
}

/* ---- accelctl ---- */

struct walk_arg {
	unsigned n, bad, err;
	uint64_t disk;
	struct sto_key last;
	uint64_t del_id;
};

static int
walk_one(const struct sto_lmdb_ent *e, void *priv)
{
	struct walk_arg *wa = priv;

	/* key order */
	if (wa->n > 0 &&
	    (e->le_key.hi < wa->last.hi ||
	     (e->le_key.hi == wa->last.hi && e->le_key.lo < wa->last.lo)))
		wa->bad++;
	wa->last = e->le_key;
	wa->n++;
	wa->disk += e->le_disk;
	if (e->le_err != 0)
		wa->err++;
	else if (e->le_obj == NULL ||
		 !sto_key_eq(&e->le_obj->o_key, &e->le_key) ||
		 !(sto_obj_flags(e->le_obj) & STO_F_DISKBODY) ||
		 e->le_obj->o_dsk.dl_id != e->le_id || e->le_id == 0 ||
		 e->le_dead_at == 0)
		wa->bad++;
	return (0);
}

static int
stop_at_3(const struct sto_lmdb_ent *e, void *priv)
{
	unsigned *n = priv;

	(void)e;
	return (++*n == 3 ? 42 : 0);
}

static int
grab_id(const struct sto_lmdb_ent *e, void *priv)
{
	uint64_t *id = priv;

	*id = e->le_id;
	return (0);
}

/* From inside a walk: the body by id, and the object by key. */
struct nest_arg {
	struct sto_tier *t;
	unsigned n, bad;
};

static int
nested(const struct sto_lmdb_ent *e, void *priv)
{
	struct nest_arg *na = priv;
	struct rbuf rb = {0};
	unsigned n = 0;

	na->n++;
	if (sto_lmdb_body(na->t, e->le_id, rb_add, &rb) != 0 ||
	    rb.len != sto_obj_len(e->le_obj) ||
	    rb_bad(&rb, rb.len - 20000, 0) != 0)
		na->bad++;
	rb_reset(&rb);
	if (sto_lmdb_get(na->t, &e->le_key, count_ent, &n) != 0 || n != 1)
		na->bad++;
	return (0);
}

static int
count_obj(struct sto_obj *o, void *priv)
{
	unsigned *n = priv;

	(*n) += (sto_obj_flags(o) & STO_F_DISKBODY) != 0;
	return (0);
}

static void
test_ctl(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_lmdb_info li;
	struct sto_tier *t;
	struct sto_obj *o;
	struct walk_arg wa;
	struct rbuf rb = {0};
	struct hin h[10];
	char url[32];
	uint64_t id;
	unsigned u, n;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 8 << 10, 0);
	for (u = 0; u < 10; u++) {
		snprintf(url, sizeof url, "/c%u", u);
		hin_make(&h[u], "h", url);
		put(t, &h[u], 20000 + u, u, NULL);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	memset(&wa, 0, sizeof wa);
	assert_int_equal(sto_lmdb_walk(t, 1, walk_one, &wa), 0);
	assert_int_equal(wa.n, 10);
	assert_int_equal(wa.bad, 0);
	assert_int_equal(wa.err, 0);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(wa.disk, li.li_bytes);
	n = 0;
	assert_int_equal(sto_lmdb_walk(t, 0, stop_at_3, &n), 42);
	n = 0;
	assert_int_equal(t->t_ops->foreach (t, count_obj, &n), 0);
	assert_int_equal(n, 10);
	{
		struct nest_arg na = {t, 0, 0};

		assert_int_equal(sto_lmdb_walk(t, 0, nested, &na), 0);
		assert_int_equal(na.n, 10);
		assert_int_equal(na.bad, 0);
	}
	/* body by id */
	id = 0;
	assert_int_equal(sto_lmdb_get(t, &h[4].key, grab_id, &id), 0);
	assert_int_equal(sto_lmdb_body(t, id, rb_add, &rb), 0);
	assert_int_equal(rb.len, 20004);
	assert_int_equal(rb_bad(&rb, 4, 0), 0);
	rb_reset(&rb);
	assert_int_equal(sto_lmdb_body(t, 999999, rb_add, &rb), ENOENT);
	/* synchronous deletes: by id, by key and inputs, by key alone */
	assert_int_equal(sto_lmdb_delete(t, &h[4].key, NULL, 0, id, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(stored(t, &h[4]), 0);
	assert_int_equal(sto_lmdb_delete(t, &h[4].key, NULL, 0, id, &n),
			 ENOENT);
	assert_int_equal(
	    sto_lmdb_delete(t, &h[5].key, h[6].buf, h[6].len, 0, &n), ENOENT);
	assert_int_equal(
	    sto_lmdb_delete(t, &h[5].key, h[5].buf, h[5].len, 0, &n), 0);
	assert_int_equal(sto_lmdb_delete(t, &h[6].key, NULL, 0, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(li.li_objects, 7);
	/* the writer's view follows: a put after the deletes counts right */
	put(t, &h[4], 10, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_int_equal(li.li_objects, 8);
	sto_tier_close(&t);

	/* read-only: walks work, writes do not */
	conf_make(&lc, d.path, 0, 64 << 10, 0);
	lc.lc_readonly = 1;
	t = conf_open(&lc);
	memset(&wa, 0, sizeof wa);
	assert_int_equal(sto_lmdb_walk(t, 1, walk_one, &wa), 0);
	assert_int_equal(wa.n, 8);
	assert_int_equal(wa.bad + wa.err, 0);
	assert_int_equal(
	    sto_lookup(t, &h[0].key, h[0].buf, h[0].len, NULL, NULL, &o), 0);
	sto_obj_deref(&o);
	o = tobj(&h[0], 10, 1, NULL);
	assert_int_equal(sto_insert(t, o), EROFS);
	sto_obj_deref(&o);
	assert_int_equal(sto_remove(t, &h[0].key, NULL, 0, NULL), EROFS);
	assert_int_equal(sto_lmdb_delete(t, &h[0].key, NULL, 0, 0, &n), EROFS);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* sto_tier_open("lmdb=DIR,...") opens one like the others. */
static void
test_tier_open(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct hin h;
	char spec[128];

	tdir_make(&d);
	snprintf(spec, sizeof spec, "lmdb=%s,16M,sync=off,batch=0", d.path);
	assert_int_equal(sto_tier_open(&t, spec), 0);
	assert_true(t->t_ops->blocking);
	hin_make(&h, "h", "/x");
	put(t, &h, 10, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	sto_obj_deref(&o);
	sto_tier_close(&t);
	assert_null(t);
	tdir_rm(&d);
}

/* ---- streaming writes ---- */

/*
 * A published (STREAMING) object announcing len body bytes, every field
 * set as tobj_body sets them, and no body in memory. No cmocka asserts
 * (a forked child uses it). NULL on failure.
 */
static struct sto_obj *
sobj_try(const struct hin *h, size_t len, uint64_t seed, const char *vary_vals)
{
	struct sto_obj *o;
	char hdr[128];
	size_t n;
	int err;

	if (sto_obj_new(&o, &h->key, h->buf, h->len) != 0)
		return (NULL);
	o->o_status = 206;
	o->o_cflags = 0x11;
	o->o_t_req = now_d() - 1.5;
	o->o_t_resp = now_d() - 1;
	o->o_date = now_d() - 2;
	o->o_ttl = 300;
	o->o_grace = 10;
	o->o_content_length = (int64_t)len;
	n = (size_t)snprintf(hdr, sizeof hdr,
			     "Content-Type: s\r\nX-Seed: %llu\r\n",
			     (unsigned long long)seed);
	err = sto_obj_set_hdrs(o, hdr, n);
	if (err == 0)
		err = sto_obj_set_etag(o, "\"s1\"", 4);
	if (err == 0 && vary_vals != NULL)
		err = sto_obj_set_vary(o, "accept-encoding", 15, vary_vals,
				       strlen(vary_vals));
	if (err != 0) {
		sto_obj_deref(&o);
		return (NULL);
	}
	sto_obj_publish(o);
	return (o);
}

static struct sto_obj *
sobj(const struct hin *h, size_t len, uint64_t seed)
{
	struct sto_obj *o = sobj_try(h, len, seed, NULL);

	assert_non_null(o);
	assert_int_equal(sto_obj_state(o), STO_OBJ_STREAMING);
	return (o);
}

/*
 * Append pattern bytes [from, to) of seed in pieces of piece bytes. With
 * pace, wait for the writer (a flush) while the stream has no room for
 * the next piece, as a producer that can wait does; *qmax gets the most
 * bytes the queue held after an append. The first error, or 0. No cmocka
 * asserts.
 */
static int
sappend(struct sto_tier *t, struct sto_lmdb_wstream *ws, size_t from, size_t to,
	uint64_t seed, size_t piece, int pace, uint64_t *qmax)
{
	struct sto_lmdb_stats ls;
	uint8_t buf[16384];
	size_t off, n, i;
	int err;

	if (piece > sizeof buf)
		piece = sizeof buf;
	for (off = from; off < to; off += n) {
		n = to - off < piece ? to - off : piece;
		for (i = 0; i < n; i++)
			buf[i] = pat(seed, off + i);
		while (pace && sto_lmdb_stream_room(ws) < n)
			(void)sto_lmdb_flush(t);
		err = sto_lmdb_stream_append(ws, buf, n);
		if (err != 0)
			return (err);
		if (qmax != NULL) {
			sto_lmdb_stats(t, &ls);
			if (ls.queue_bytes > *qmax)
				*qmax = ls.queue_bytes;
		}
	}
	return (0);
}

/* A stream of len bytes of seed for h, ended ok, flushed. */
static void
stream_put(struct sto_tier *t, const struct hin *h, size_t len, uint64_t seed)
{
	struct sto_lmdb_wstream *ws;
	struct sto_obj *o = sobj(h, len, seed);

	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	assert_int_equal(sappend(t, ws, 0, len, seed, 9999, 1, NULL), 0);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), 0);
	assert_null(ws);
	assert_int_equal(sto_lmdb_flush(t), 0);
}

/* Look h up: a disk view whose body is len bytes of seed, read whole. */
static void
view_check(struct sto_tier *t, const struct hin *h, size_t len, uint64_t seed)
{
	struct rbuf rb = {0};
	struct sto_obj *o;

	assert_int_equal(sto_lookup(t, &h->key, h->buf, h->len, NULL, NULL, &o),
			 0);
	assert_true(sto_obj_flags(o) & STO_F_DISKBODY);
	assert_int_equal(sto_obj_len(o), len);
	assert_int_equal(sto_lmdb_read(t, o, 0, len, rb_add, &rb), 0);
	assert_int_equal(rb.len, len);
	assert_int_equal(rb_bad(&rb, seed, 0), 0);
	rb_reset(&rb);
	sto_obj_deref(&o);
}

/* Records of the store, read raw (the tier closed). */
struct raw {
	size_t chunks, lru, idx, obj;
	size_t orphan_chunks; /* chunks whose id has no metadata record */
	size_t orphan_lru;    /* lru entries whose id has none */
};

static void
raw_count(const char *dir, struct raw *r)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dchunk, dlru, didx, dobj;
	MDB_cursor *cur;
	MDB_val key, data, okey;
	MDB_stat ms;
	uint8_t ob[8];
	int i;

	memset(r, 0, sizeof *r);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "chunk", 0, &dchunk), 0);
	assert_int_equal(mdb_dbi_open(txn, "lru", 0, &dlru), 0);
	assert_int_equal(mdb_dbi_open(txn, "idx", 0, &didx), 0);
	assert_int_equal(mdb_dbi_open(txn, "obj", 0, &dobj), 0);
	assert_int_equal(mdb_stat(txn, dchunk, &ms), 0);
	r->chunks = ms.ms_entries;
	assert_int_equal(mdb_stat(txn, dlru, &ms), 0);
	r->lru = ms.ms_entries;
	assert_int_equal(mdb_stat(txn, didx, &ms), 0);
	r->idx = ms.ms_entries;
	assert_int_equal(mdb_stat(txn, dobj, &ms), 0);
	r->obj = ms.ms_entries;
	/* chunk keys: id (8) + n (4); lru keys: gen (4) + id (8) */
	for (i = 0; i < 2; i++) {
		assert_int_equal(
		    mdb_cursor_open(txn, i == 0 ? dchunk : dlru, &cur), 0);
		while (mdb_cursor_get(cur, &key, &data, MDB_NEXT) == 0) {
			memcpy(ob, (uint8_t *)key.mv_data + (i == 0 ? 0 : 4),
			       8);
			okey.mv_size = 8;
			okey.mv_data = ob;
			if (mdb_get(txn, dobj, &okey, &data) == 0)
				continue;
			if (i == 0)
				r->orphan_chunks++;
			else
				r->orphan_lru++;
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

/* 20 MiB in 64 KiB chunks: a disk view, read whole and in ranges. */
static void
test_stream_big(void **state TEST_UNUSED)
{
	const size_t len = 20 << 20, C = (64 << 10) - 24;
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_lmdb_wstream *ws;
	struct sto_lmdb_stats ls;
	struct sto_lmdb_info li;
	struct sto_stats st;
	struct rbuf rb = {0};
	struct hin h;
	uint64_t qmax = 0, before;
	struct raw r;

	tdir_make(&d);
	conf_make(&lc, d.path, 256 << 20, 64 << 10, 1 << 20);
	lc.lc_queue = 2 << 20; /* the stream may hold 8 chunks of it */
	t = conf_open(&lc);
	hin_make(&h, "h", "/big");
	o = sobj(&h, len, 5);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	assert_true(sto_obj_flags(o) & STO_F_ONDISK);
	/* the claim: neither insert nor another stream takes it now */
	{
		struct sto_lmdb_wstream *ws2;

		assert_int_equal(sto_lmdb_stream_begin(t, o, &ws2), STO_ESTATE);
		assert_null(ws2);
	}
	sto_obj_deref(&o);
	assert_int_equal(sappend(t, ws, 0, len / 2, 5, 10007, 1, &qmax), 0);
	/* the chunks so far are committed, nothing is findable */
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(stored(t, &h), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_true(st.bytes >= len / 2 - C);
	/* the store's next id is past the stream's */
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_true(li.li_next_id >= 2);
	assert_int_equal(sappend(t, ws, len / 2, len, 5, 16384, 1, &qmax), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.streamed, 0);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	/* the queue never held more than its limit */
	print_message("stream: queue held at most %llu bytes\n",
		      (unsigned long long)qmax);
	/* the stream's own bound (8 chunks) held, below the queue's */
	assert_true(qmax > 0 && qmax <= 9 * (C + 24) && qmax <= lc.lc_queue);
	sto_lmdb_stats(t, &ls);
	sto_stats(t, &st);
	assert_int_equal(ls.streamed, 1);
	assert_int_equal(ls.written, 1);
	assert_int_equal(ls.queued, 1);
	assert_int_equal(ls.wb_dropped, 0);
	assert_int_equal(ls.queue_bytes, 0);
	assert_int_equal(st.objects, 1);
	assert_true(st.bytes > len);

	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 0);
	assert_int_equal(sto_obj_flags(o) & (STO_F_ONDISK | STO_F_DISKBODY),
			 STO_F_ONDISK | STO_F_DISKBODY);
	assert_int_equal(sto_obj_len(o), len);
	assert_int_equal(o->o_status, 206);
	assert_int_equal(o->o_cflags, 0x11);
	assert_int_equal(o->o_dsk.dl_chunk, C);
	assert_int_equal(sto_lmdb_chunk_room(o, 0), C);
	assert_int_equal(sto_lmdb_chunk_room(o, C + 5), C - 5);
	assert_int_equal(sto_lmdb_chunk_room(o, 300 * C), C);
	assert_true(sto_bytes_eq_test(
	    sto_obj_etag(o), (struct sto_bytes){(const uint8_t *)"\"s1\"", 4}));
	/* whole */
	assert_int_equal(sto_lmdb_read(t, o, 0, len, rb_add, &rb), 0);
	assert_int_equal(rb.len, len);
	assert_int_equal(rb_bad(&rb, 5, 0), 0);
	assert_int_equal(rb.maxpiece, C);
	rb_reset(&rb);
	/* a range across two chunks, from the middle */
	before = chunks_read(t);
	assert_int_equal(sto_lmdb_read(t, o, 150 * C - 77, 1000, rb_add, &rb),
			 0);
	assert_int_equal(chunks_read(t) - before, 2);
	assert_int_equal(rb.len, 1000);
	assert_int_equal(rb_bad(&rb, 5, 150 * C - 77), 0);
	rb_reset(&rb);
	/* the last bytes */
	assert_int_equal(sto_lmdb_read(t, o, len - 10, 10, rb_add, &rb), 0);
	assert_int_equal(rb_bad(&rb, 5, len - 10), 0);
	rb_reset(&rb);
	sto_obj_deref(&o);
	/* it survives a restart like any object */
	sto_tier_close(&t);
	raw_count(d.path, &r);
	assert_int_equal(r.chunks, (len + C - 1) / C);
	assert_int_equal(r.orphan_chunks, 0);
	assert_int_equal(r.lru, 1);
	assert_int_equal(r.idx, 1);
	t = conf_open(&lc);
	view_check(t, &h, len, 5);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/* Dropped streams: nothing findable, nothing left on disk. */
static void
test_stream_drop(void **state TEST_UNUSED)
{
	const size_t C = 4096 - 24;
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_lmdb_wstream *ws;
	struct sto_lmdb_stats ls;
	struct sto_stats st;
	struct hin h, hb;
	struct raw r;
	uint8_t b = 0;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 4096, 0);
	hin_make(&h, "h", "/drop");

	/* begin's refusals */
	o = sobj(&h, 10 * C, 1);
	o->o_content_length = -1;
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), EINVAL);
	o->o_content_length = 3 << 20; /* over map / 8 */
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), STO_ETOOBIG);
	assert_null(ws);
	sto_obj_flags_set(o, STO_F_NOPERSIST);
	o->o_content_length = 10;
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), STO_ESTATE);
	sto_obj_deref(&o);
	assert_true(sto_obj_new(&o, &h.key, h.buf, h.len) == 0);
	o->o_content_length = 10;
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), STO_ESTATE); /*BUSY*/
	sto_obj_deref(&o);
	sto_stats(t, &st);
	assert_int_equal(st.toobig, 1);

	/* ended with ok = 0 after chunks were committed */
	o = sobj(&h, 10 * C, 1);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	assert_int_equal(sappend(t, ws, 0, 6 * C + 5, 1, 3000, 1, NULL), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_stats(t, &st);
	assert_true(st.bytes >= 6 * C);
	assert_int_equal(sto_lmdb_stream_end(&ws, 0), 0);
	assert_null(ws);
	assert_int_equal(sto_obj_flags(o) & STO_F_ONDISK, 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.bytes, 0);

	/* short of its length: STO_EFAILED */
	o = sobj(&h, 10 * C, 2);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	assert_int_equal(sappend(t, ws, 0, 10 * C - 1, 2, 4000, 1, NULL), 0);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), STO_EFAILED);
	assert_int_equal(sto_obj_flags(o) & STO_F_ONDISK, 0);
	sto_obj_deref(&o);
	/* past it: ENOSPC at once, then STO_EFAILED */
	o = sobj(&h, 3 * C, 3);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	assert_int_equal(sappend(t, ws, 0, 3 * C, 3, 4000, 1, NULL), 0);
	assert_int_equal(sto_lmdb_stream_append(ws, &b, 1), ENOSPC);
	assert_int_equal(sto_lmdb_stream_room(ws), 0);
	assert_int_equal(sto_lmdb_stream_append(ws, &b, 0), ENOSPC);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), STO_EFAILED);
	/* nothing queued at all */
	o = sobj(&h, 3 * C, 4);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	assert_int_equal(sto_lmdb_stream_end(&ws, 0), 0);
	/* an empty body is an object too */
	hin_make(&hb, "h", "/empty");
	stream_put(t, &hb, 0, 0);
	assert_int_equal(sto_lookup(t, &hb.key, hb.buf, hb.len, NULL, NULL, &o),
			 0);
	assert_int_equal(sto_obj_len(o), 0);
	sto_obj_deref(&o);

	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	sto_lmdb_stats(t, &ls);
	sto_stats(t, &st);
	assert_int_equal(ls.streamed, 1);
	assert_int_equal(ls.wb_dropped, 0); /* the caller's choices */
	assert_int_equal(st.objects, 1);
	sto_tier_close(&t);
	raw_count(d.path, &r);
	assert_int_equal(r.chunks, 0);
	assert_int_equal(r.lru, 1);
	assert_int_equal(r.orphan_lru, 0);
	tdir_rm(&d);
}

/* A producer faster than the disk: ENOSPC, counted, nothing left. */
static void
test_stream_queue_full(void **state TEST_UNUSED)
{
	const size_t C = 4096 - 24, len = 4000 * C;
	struct tdir d;
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_lmdb_wstream *ws;
	struct sto_lmdb_stats ls;
	struct sto_stats st;
	struct hin h;
	uint64_t qmax = 0;
	size_t room;
	struct raw r;
	int err;

	tdir_make(&d);
	conf_make(&lc, d.path, 256 << 20, 4096, 0);
	/* 5 chunks: below the stream's own bound (8 chunks) */
	lc.lc_queue = 24 << 10;
	lc.lc_batch_ms = 50; /* a slow writer */
	t = conf_open(&lc);
	hin_make(&h, "h", "/fast");
	o = sobj(&h, len, 7);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	room = sto_lmdb_stream_room(ws);
	assert_int_equal(room, 6 * C - 1); /* 5 chunks queued, and more */
	/* room is what append takes */
	assert_int_equal(sappend(t, ws, 0, room, 7, 4096, 0, &qmax), 0);
	err = sappend(t, ws, room, len, 7, 4096, 0, &qmax);
	assert_int_equal(err, ENOSPC);
	assert_int_equal(sto_lmdb_stream_room(ws), 0);
	assert_int_equal(sto_lmdb_stream_append(ws, "x", 1), ENOSPC);
	assert_true(qmax <= lc.lc_queue);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.wb_dropped, 1);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), ENOSPC);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	sto_lmdb_stats(t, &ls);
	sto_stats(t, &st);
	assert_int_equal(ls.wb_dropped, 1);
	assert_int_equal(ls.streamed, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(ls.queue_bytes, 0);
	sto_tier_close(&t);
	raw_count(d.path, &r);
	assert_int_equal(r.chunks + r.lru + r.idx + r.obj, 0);
	tdir_rm(&d);
}

/* A stream replaces the older copy of its variant, and a PUT replaces
 * a streamed one. */
static void
test_stream_replace(void **state TEST_UNUSED)
{
	struct tdir d;
	struct sto_tier *t;
	struct sto_stats st;
	struct hin h;

	tdir_make(&d);
	t = topen(d.path, 32 << 20, 4096, 0);
	hin_make(&h, "h", "/rep");
	put(t, &h, 50000, 1, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	stream_put(t, &h, 70000, 2);
	assert_int_equal(stored(t, &h), 1);
	view_check(t, &h, 70000, 2);
	sto_stats(t, &st);
	assert_int_equal(st.replaced, 1);
	assert_int_equal(st.objects, 1);
	put(t, &h, 30000, 3, NULL);
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(stored(t, &h), 1);
	view_check(t, &h, 30000, 3);
	sto_stats(t, &st);
	assert_int_equal(st.replaced, 2);
	sto_tier_close(&t);
	tdir_rm(&d);
}

/*
 * kill -9 in the middle of a stream: its chunks stay without metadata,
 * never findable, and eviction reclaims them (no start-up scan).
 */
static void
test_stream_orphan(void **state TEST_UNUSED)
{
	const size_t C = 4096 - 24;
	struct tdir d;
	struct sto_lmdb_info li;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_stats st;
	struct hin h, hs, hf;
	struct raw r;
	char url[32];
	unsigned u;
	pid_t pid;
	int ws_st;

	tdir_make(&d);
	hin_make(&h, "h", "/orphan");
	hin_make(&hs, "h", "/small");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sto_lmdb_conf lc;
		struct sto_lmdb_wstream *ws;
		struct sto_obj *so, *co;
		char err[256];

		conf_make(&lc, d.path, 16 << 20, 4096, 0);
		if (sto_lmdb_open(&t, &lc, err, sizeof err) != 0)
			_exit(2);
		co = tobj_try(&hs, 20000, 1, NULL, 300);
		if (co == NULL || sto_insert(t, co) != 0 ||
		    sto_lmdb_flush(t) != 0)
			_exit(3);
		so = sobj_try(&h, 400 * C, 9, NULL);
		if (so == NULL || sto_lmdb_stream_begin(t, so, &ws) != 0)
			_exit(4);
		if (sappend(t, ws, 0, 200 * C + 17, 9, 5000, 1, NULL) != 0 ||
		    sto_lmdb_flush(t) != 0)
			_exit(5);
		(void)raise(SIGKILL);
		_exit(6);
	}
	assert_int_equal(waitpid(pid, &ws_st, 0), pid);
	assert_true(WIFSIGNALED(ws_st));
	assert_int_equal(WTERMSIG(ws_st), SIGKILL);
	raw_count(d.path, &r);
	assert_true(r.orphan_chunks >= 199);
	assert_int_equal(r.orphan_lru, 1);
	assert_int_equal(r.idx, 1);

	t = topen(d.path, 16 << 20, 4096, 0);
	/* never findable; the store counts the chunks' bytes */
	assert_int_equal(sto_lookup(t, &h.key, h.buf, h.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(stored(t, &h), 0);
	sto_stats(t, &st);
	assert_int_equal(st.objects, 1);
	assert_true(st.bytes > 199 * C);
	/* new ids are past the stream's */
	assert_int_equal(sto_lmdb_info(t, &li), 0);
	assert_true(li.li_next_id >= 3);
	/* fill the map: the oldest generation goes first, orphan included */
	for (u = 0; u < 200; u++) {
		snprintf(url, sizeof url, "/fill%u", u);
		hin_make(&hf, "h", url);
		put(t, &hf, 300000, 100 + u, NULL);
		assert_int_equal(sto_lmdb_flush(t), 0);
		sto_stats(t, &st);
		if (st.evictions >= 2)
			break;
	}
	assert_true(st.evictions >= 2);
	assert_int_equal(stored(t, &hs), 0);
	view_check(t, &hf, 300000, 100 + u);
	sto_tier_close(&t);
	raw_count(d.path, &r);
	assert_int_equal(r.orphan_chunks, 0);
	assert_int_equal(r.orphan_lru, 0);
	assert_int_equal(r.lru, r.idx);
	tdir_rm(&d);
}

/*
 * Eviction while a stream is written, in a small map: the stream's
 * chunks are left alone, and the object comes out whole. A stream whose
 * chunks are deleted anyway (accelctl) ends dropped, never with a hole.
 */
static void
test_stream_evict_live(void **state TEST_UNUSED)
{
	const size_t C = 4096 - 24, len = 2000000;
	struct tdir d;
	struct sto_tier *t;
	struct sto_obj *o;
	struct sto_lmdb_wstream *ws;
	struct sto_lmdb_stats ls;
	struct sto_stats st;
	struct hin h, hf, h2;
	char url[32];
	size_t off, step = 40000;
	unsigned u = 0, n;
	struct raw r;

	tdir_make(&d);
	t = topen(d.path, 16 << 20, 4096, 0);
	hin_make(&h, "h", "/live");
	o = sobj(&h, len, 11);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	/* each step: a piece of the stream, 1 MiB of other objects */
	for (off = 0; off < len; off += step, u++) {
		assert_int_equal(sappend(t, ws, off,
					 off + step < len ? off + step : len,
					 11, 7000, 1, NULL),
				 0);
		snprintf(url, sizeof url, "/other%u", u);
		hin_make(&hf, "h", url);
		put(t, &hf, 1 << 20, u, NULL);
		assert_int_equal(sto_lmdb_flush(t), 0);
	}
	sto_stats(t, &st);
	assert_true(st.evictions > 10);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	view_check(t, &h, len, 11);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.streamed, 1);
	assert_int_equal(ls.wb_dropped, 0);
	print_message("live stream: %llu evictions meanwhile\n",
		      (unsigned long long)st.evictions);

	/* its chunks deleted under it: the end drops it */
	hin_make(&h2, "h", "/deleted");
	o = sobj(&h2, 50 * C, 12);
	assert_int_equal(sto_lmdb_stream_begin(t, o, &ws), 0);
	sto_obj_deref(&o);
	assert_int_equal(sappend(t, ws, 0, 20 * C, 12, 5000, 1, NULL), 0);
	assert_int_equal(sto_lmdb_flush(t), 0);
	/* the stream's id: the last given out, under the store's next */
	{
		struct sto_lmdb_info li;

		assert_int_equal(sto_lmdb_info(t, &li), 0);
		assert_int_equal(
		    sto_lmdb_delete(t, NULL, NULL, 0, li.li_next_id - 1, &n),
		    0);
		assert_int_equal(n, 1);
	}
	assert_int_equal(sappend(t, ws, 20 * C, 50 * C, 12, 5000, 1, NULL), 0);
	assert_int_equal(sto_lmdb_stream_end(&ws, 1), 0); /* queued */
	assert_int_equal(sto_lmdb_flush(t), 0);
	assert_int_equal(sto_lookup(t, &h2.key, h2.buf, h2.len, NULL, NULL, &o),
			 ENOENT);
	assert_int_equal(stored(t, &h2), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.wb_dropped, 1);
	assert_int_equal(ls.streamed, 1);
	sto_tier_close(&t);
	raw_count(d.path, &r);
	assert_int_equal(r.orphan_chunks, 0);
	assert_int_equal(r.orphan_lru, 0);
	tdir_rm(&d);
}

/* Streams on threads beside PUTs: all whole. */
struct sthr {
	struct sto_tier *t;
	unsigned k;
	int err;
};

static void *
sthr_main(void *arg)
{
	struct sthr *a = arg;
	struct sto_lmdb_wstream *ws;
	struct sto_obj *o;
	struct hin h;
	char url[32];
	unsigned u;

	for (u = 0; u < 4 && a->err == 0; u++) {
		snprintf(url, sizeof url, "/t%u/%u", a->k, u);
		hin_make(&h, "h", url);
		o = sobj_try(&h, 300000 + a->k * 1000 + u, a->k * 10 + u, NULL);
		if (o == NULL) {
			a->err = ENOMEM;
			break;
		}
		a->err = sto_lmdb_stream_begin(a->t, o, &ws);
		sto_obj_deref(&o);
		if (a->err != 0)
			break;
		a->err = sappend(a->t, ws, 0, 300000 + a->k * 1000 + u,
				 a->k * 10 + u, 3333, 1, NULL);
		if (a->err == 0)
			a->err = sto_lmdb_stream_end(&ws, 1);
		else
			(void)sto_lmdb_stream_end(&ws, 0);
	}
	return (NULL);
}

static void
test_stream_threads(void **state TEST_UNUSED)
{
	enum { NT = 3 };
	struct tdir d;
	struct sto_tier *t;
	struct sthr a[NT];
	pthread_t th[NT];
	struct sto_lmdb_stats ls;
	struct hin h;
	char url[32];
	unsigned k, u;

	tdir_make(&d);
	t = topen(d.path, 64 << 20, 8192, 0);
	for (k = 0; k < NT; k++) {
		a[k].t = t;
		a[k].k = k;
		a[k].err = 0;
		assert_int_equal(pthread_create(&th[k], NULL, sthr_main, &a[k]),
				 0);
	}
	for (u = 0; u < 20; u++) {
		snprintf(url, sizeof url, "/p%u", u);
		hin_make(&h, "h", url);
		put(t, &h, 100000, 500 + u, NULL);
	}
	for (k = 0; k < NT; k++) {
		assert_int_equal(pthread_join(th[k], NULL), 0);
		assert_int_equal(a[k].err, 0);
	}
	assert_int_equal(sto_lmdb_flush(t), 0);
	sto_lmdb_stats(t, &ls);
	assert_int_equal(ls.streamed, NT * 4);
	for (k = 0; k < NT; k++) {
		for (u = 0; u < 4; u++) {
			snprintf(url, sizeof url, "/t%u/%u", k, u);
			hin_make(&h, "h", url);
			view_check(t, &h, 300000 + k * 1000 + u, k * 10 + u);
		}
	}
	sto_tier_close(&t);
	tdir_rm(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_put_lookup),
	    cmocka_unit_test(test_promote_diskview),
	    cmocka_unit_test(test_read_ranges),
	    cmocka_unit_test(test_reopen),
	    cmocka_unit_test(test_variants),
	    cmocka_unit_test(test_unlink_diskview),
	    cmocka_unit_test(test_collision),
	    cmocka_unit_test(test_remove_tombstone),
	    cmocka_unit_test(test_eviction_order),
	    cmocka_unit_test(test_touch_key),
	    cmocka_unit_test(test_small_map_flood),
	    cmocka_unit_test(test_corrupt),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_many_tiers),
	    cmocka_unit_test(test_ctl),
	    cmocka_unit_test(test_tier_open),
	    cmocka_unit_test(test_stream_big),
	    cmocka_unit_test(test_stream_drop),
	    cmocka_unit_test(test_stream_queue_full),
	    cmocka_unit_test(test_stream_replace),
	    cmocka_unit_test(test_stream_orphan),
	    cmocka_unit_test(test_stream_evict_live),
	    cmocka_unit_test(test_stream_threads),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
