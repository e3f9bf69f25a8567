/*
 * test_sto_lmdb.c: the LMDB tier: settings, write-behind and lookup,
 * promotion and disk views, chunked reads, restarts, variants and key
 * collisions, removes and their tombstones, eviction order and a map far
 * too small, corruption on disk, format checks, readers beside the
 * writer. Streaming writes are in test_sto_lmdb_stream.c, accelctl's
 * functions in test_sto_lmdb_ctl.c. Each test has its own directory under /tmp,
 * removed at the end.
 */
#include "sto_lmdb_test_util.h"

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
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
