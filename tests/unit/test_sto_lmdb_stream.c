/*
 * test_sto_lmdb_stream.c: the LMDB tier's streaming writes (bodies too
 * large for memory, written chunk by chunk as they arrive): a 2 GiB-class
 * stream in bounded queue memory, a stream dropped or refused when the
 * queue is full, replaced, orphaned by a crash, kept from eviction while
 * live, and streams beside readers on other threads.
 */
#include "sto_lmdb_test_util.h"

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
