/*
 * sto_lmdb_wr.c: the LMDB tier's writes: the writer thread and its
 * batches (group commit), deleting objects, and eviction.
 *
 * Everything here runs on the writer thread, but for lmdb_wtx_* and the
 * deletes, which sto_lmdb_delete() (accelctl) also runs on its caller's
 * thread. LMDB serialises write transactions, across processes too.
 *
 * A batch is one write transaction for every job taken from the queue.
 * What it changes in memory (counters, the store record) is applied only
 * once it committed, so an aborted batch can be run again. When the map
 * is full (MDB_MAP_FULL, or ENOSPC, EDQUOT or EFBIG from the file
 * system), the batch is aborted, a tenth of the map evicted, and the
 * batch run once more; if it still does not fit, the deletes and touches
 * go in one transaction and each object in its own, and the objects that do not fit are dropped
 * (wb_dropped). Callers never see these errors: their objects are in
 * memory and served from there.
 *
 * Streams (sto_lmdb_st.c) queue a job per chunk and one at their end;
 * they are data jobs like PUTs (run alone in the fallback, in order). A
 * chunk job writes the chunk and the stream's lru entry, so that every
 * committed chunk can be reached by eviction (a crash leaves chunks
 * without metadata: eviction deletes them like any object). The end job
 * checks that every chunk is there before it writes the metadata, idx
 * and exp entries; else it deletes what the stream wrote. Eviction skips
 * the ids of live streams.
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

/* Objects an eviction transaction deletes at most: bounded txns. */
#define EVICT_TXN_MAX 1024
/* Batches between two mdb_reader_check() calls. */
#define READER_CHECK_EVERY 1024

static const struct timespec retry_pause = {0, 5 * 1000 * 1000};

/* ---- write transactions ---- */

static const MDB_val store_key = {5, "store"};

int
lmdb_wtx_begin(struct sto_lmdb *l, struct lmdb_wtx *w)
{
	const char *why;
	MDB_val data;
	uint64_t next;
	int rc;

	memset(w, 0, sizeof *w);
	w->magic = LMDB_WTX_MAGIC;
	w->w_l = l;
	rc = mdb_txn_begin(l->l_env, NULL, 0, &w->w_txn);
	if (rc != 0)
		return (rc);
	/* Read each time: accelctl may have written since our last. */
	rc =
	    mdb_get(w->w_txn, l->l_dbi[LDB_INFO], (MDB_val *)&store_key, &data);
	if (rc == 0 && lmdb_store_dec(&w->w_st, &data, &why) != 0)
		rc = MDB_CORRUPTED;
	if (rc != 0) {
		mdb_txn_abort(w->w_txn);
		w->w_txn = NULL;
		return (rc);
	}
	w->w_now = lmdb_now();
	/* Ids given out are above the store's, whoever wrote it last. */
	next = atomic_load(&l->l_next_id);
	while (next < w->w_st.ls_next_id &&
	       !atomic_compare_exchange_weak(&l->l_next_id, &next,
					     w->w_st.ls_next_id))
		;
	return (0);
}

/* Id id is written in this txn: the store's next id goes past it. */
static void
id_used(struct lmdb_wtx *w, uint64_t id)
{
	if (w->w_st.ls_next_id <= id) {
		w->w_st.ls_next_id = id + 1;
		w->w_dirty = 1;
	}
}

/* A new id, for an object written now. */
static uint64_t
id_take(struct lmdb_wtx *w)
{
	uint64_t id = atomic_fetch_add(&w->w_l->l_next_id, 1);

	id_used(w, id);
	return (id);
}

/* bytes of records written: counted, and the generation advance rule
 * (docs/storage-lmdb.md). */
static void
bytes_written(struct lmdb_wtx *w, uint64_t bytes)
{
	w->w_st.ls_bytes += bytes;
	w->w_st.ls_gen_bytes += bytes;
	if (w->w_st.ls_gen_bytes >= w->w_l->l_mapsize / LMDB_GEN_DIV) {
		w->w_st.ls_gen++;
		w->w_st.ls_gen_bytes = 0;
	}
	w->w_dirty = 1;
}

void
lmdb_wtx_abort(struct lmdb_wtx *w)
{
	STO_CHECK_OBJ_NOTNULL(w, LMDB_WTX_MAGIC);
	if (w->w_txn != NULL)
		mdb_txn_abort(w->w_txn);
	w->w_txn = NULL;
}

int
lmdb_wtx_commit(struct lmdb_wtx *w)
{
	struct sto_lmdb *l;
	uint8_t buf[LMDB_STORE_LEN];
	MDB_val data = {sizeof buf, buf};
	int rc = 0;

	STO_CHECK_OBJ_NOTNULL(w, LMDB_WTX_MAGIC);
	STO_AN(w->w_txn);
	l = w->w_l;
	if (w->w_dirty) {
		lmdb_store_enc(buf, &w->w_st);
		rc = mdb_put(w->w_txn, l->l_dbi[LDB_INFO],
			     (MDB_val *)&store_key, &data, 0);
	}
	if (rc != 0) {
		mdb_txn_abort(w->w_txn);
		w->w_txn = NULL;
		return (rc);
	}
	rc = mdb_txn_commit(w->w_txn);
	w->w_txn = NULL;
	if (rc != 0)
		return (rc);
	LMDB_CTR_ADD(l, commits, 1);
	LMDB_CTR_ADD(l, written, w->w_written);
	LMDB_CTR_ADD(l, inserts, w->w_written);
	LMDB_CTR_ADD(l, replaced, w->w_replaced);
	LMDB_CTR_ADD(l, removed, w->w_removed);
	LMDB_CTR_ADD(l, evictions, w->w_evictions);
	LMDB_CTR_ADD(l, evicted_bytes, w->w_evicted_bytes);
	LMDB_CTR_ADD(l, expired, w->w_expired);
	LMDB_CTR_ADD(l, corrupt, w->w_corrupt);
	LMDB_CTR_ADD(l, touches, w->w_touches);
	LMDB_CTR_ADD(l, streamed, w->w_streamed);
	LMDB_CTR_SET(l, objects, w->w_st.ls_objects);
	LMDB_CTR_SET(l, bytes, w->w_st.ls_bytes);
	return (0);
}

static uint64_t
sub_sat(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : 0);
}

/* mdb_del, where "was not there" is fine. */
static int
del_opt(MDB_txn *txn, MDB_dbi dbi, MDB_val *key)
{
	int rc = mdb_del(txn, dbi, key, NULL);

	return (rc == MDB_NOTFOUND ? 0 : rc);
}

/* Ids only grow: append (full pages), or a plain put if not last. */
static int
put_append(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data,
	   unsigned flags)
{
	int rc = mdb_put(txn, dbi, key, data, flags | MDB_APPEND);

	if (rc == MDB_KEYEXIST)
		rc = mdb_put(txn, dbi, key, data, flags);
	return (rc);
}

/* Every chunk of id, whatever its record says. *bytes gets their size. */
static int
del_chunks(struct lmdb_wtx *w, uint64_t id, uint64_t *bytes)
{
	uint8_t kb[LMDB_CHUNK_KLEN];
	MDB_cursor *cur;
	MDB_val key, data;
	int rc;

	*bytes = 0;
	rc = mdb_cursor_open(w->w_txn, w->w_l->l_dbi[LDB_CHUNK], &cur);
	if (rc != 0)
		return (rc);
	for (;;) {
		key = lmdb_chunk_key(kb, id, 0);
		rc = mdb_cursor_get(cur, &key, &data, MDB_SET_RANGE);
		if (rc != 0 || key.mv_size != LMDB_CHUNK_KLEN ||
		    lmdb_get64be(key.mv_data) != id)
			break;
		*bytes += data.mv_size;
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	return (rc == MDB_NOTFOUND ? 0 : rc);
}

int
lmdb_del_id(struct lmdb_wtx *w, const struct sto_key *k, uint64_t id,
	    uint64_t *freed, unsigned *n)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t ob[LMDB_OBJ_KLEN], ib[LMDB_IDX_KLEN], xb[LMDB_ORD_KLEN];
	uint64_t obytes = 0, cbytes = 0;
	struct lmdb_idxv iv;
	struct lmdb_meta m;
	struct sto_key kk;
	MDB_val okey, rec, ikey, ival, xkey;
	int rc, have_key = 0, found = 0;

	if (freed != NULL)
		*freed = 0;
	okey = lmdb_id_key(ob, id);
	rc = mdb_get(w->w_txn, l->l_dbi[LDB_OBJ], &okey, &rec);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return (rc);
	if (k != NULL) {
		kk = *k;
		have_key = 1;
	} else if (rc == 0) {
		/* A corrupt record's key is a guess, checked against idx. */
		if (lmdb_meta_dec(&m, &rec, id, NULL) == 0) {
			kk = m.lm_key;
			have_key = 1;
		} else
			have_key = lmdb_meta_rawkey(&rec, &kk) == 0;
	}
	if (rc == 0) {
		obytes = rec.mv_size;
		found = 1;
		rc = mdb_del(w->w_txn, l->l_dbi[LDB_OBJ], &okey, NULL);
		if (rc != 0)
			return (rc);
	}
	rc = del_chunks(w, id, &cbytes);
	if (rc != 0)
		return (rc);
	if (have_key) {
		ikey = lmdb_idx_key(ib, &kk, id);
		rc = mdb_get(w->w_txn, l->l_dbi[LDB_IDX], &ikey, &ival);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return (rc);
		if (rc == 0) {
			found = 1;
			/* dead_at and gen name the exp and lru entries. */
			if (lmdb_idxv_dec(&iv, &ival) == 0) {
				xkey = lmdb_ord_key(xb, iv.iv_dead_at, id);
				rc =
				    del_opt(w->w_txn, l->l_dbi[LDB_EXP], &xkey);
				if (rc != 0)
					return (rc);
				xkey = lmdb_ord_key(xb, iv.iv_gen, id);
				rc =
				    del_opt(w->w_txn, l->l_dbi[LDB_LRU], &xkey);
				if (rc != 0)
					return (rc);
			}
			rc = mdb_del(w->w_txn, l->l_dbi[LDB_IDX], &ikey, NULL);
			if (rc != 0)
				return (rc);
			w->w_st.ls_objects = sub_sat(w->w_st.ls_objects, 1);
		}
	}
	found |= cbytes > 0;
	w->w_st.ls_bytes = sub_sat(w->w_st.ls_bytes, obytes + cbytes);
	w->w_dirty = 1;
	if (freed != NULL)
		*freed = obytes + cbytes;
	if (n != NULL && found)
		(*n)++;
	return (0);
}

/* A growing array of ids. */
struct idvec {
	uint64_t *v;
	size_t n, cap;
	uint64_t fix[16];
};

static int
idvec_add(struct idvec *iv, uint64_t id)
{
	uint64_t *nv;

	if (iv->n == iv->cap) {
		nv = malloc(iv->cap * 2 * sizeof *nv);
		if (nv == NULL)
			return (ENOMEM);
		memcpy(nv, iv->v, iv->n * sizeof *nv);
		if (iv->v != iv->fix)
			free(iv->v);
		iv->v = nv;
		iv->cap *= 2;
	}
	iv->v[iv->n++] = id;
	return (0);
}

static void
idvec_init(struct idvec *iv)
{
	iv->v = iv->fix;
	iv->n = 0;
	iv->cap = STO_ARRAY_LEN(iv->fix);
}

static void
idvec_fini(struct idvec *iv)
{
	if (iv->v != iv->fix)
		free(iv->v);
}

/*
 * Whether the stored object id (record rec, under k) goes: hash inputs
 * equal (hashin NULL: any), and, with o, of a variant o replaces. A
 * record failing its check always goes (counted).
 */
static int
key_victim(struct lmdb_wtx *w, const MDB_val *rec, uint64_t id,
	   const struct sto_key *k, const void *hashin, size_t len,
	   const struct sto_obj *o, int *gop)
{
	struct lmdb_meta m;
	struct sto_obj *old;
	int err;

	*gop = 0;
	if (lmdb_meta_dec(&m, rec, id, k) != 0) {
		w->w_corrupt++;
		*gop = 1;
		return (0);
	}
	if (hashin != NULL && !lmdb_meta_hashin_eq(&m, hashin, len))
		return (0);
	if (o == NULL) {
		*gop = 1;
		return (0);
	}
	/* The one rule of docs/storage.md, on a view of the record. */
	err = lmdb_meta_obj(&old, &m, id, 1);
	if (err != 0)
		return (err);
	*gop = sto_same_variant(old, o);
	sto_obj_deref(&old);
	return (0);
}

/*
 * The ids under k in idx, in id order, appended to ids (the caller's,
 * initialised). Collected first, so that the caller may change idx and
 * the rest while it goes through them. 0 or an LMDB code or ENOMEM.
 */
static int
key_ids(struct lmdb_wtx *w, const struct sto_key *k, struct idvec *ids)
{
	uint8_t kb[LMDB_IDX_KLEN];
	struct sto_key kk;
	MDB_cursor *cur;
	MDB_val key, data;
	uint64_t id;
	int rc;

	rc = mdb_cursor_open(w->w_txn, w->w_l->l_dbi[LDB_IDX], &cur);
	if (rc != 0)
		return (rc);
	key = lmdb_idx_key(kb, k, 0);
	for (rc = mdb_cursor_get(cur, &key, &data, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
		if (lmdb_idx_key_dec(&key, &kk, &id) != 0)
			continue;
		if (!sto_key_eq(&kk, k))
			break;
		if ((rc = idvec_add(ids, id)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return (rc == MDB_NOTFOUND ? 0 : rc);
}

int
lmdb_del_key(struct lmdb_wtx *w, const struct sto_key *k, const void *hashin,
	     size_t len, const struct sto_obj *o, unsigned *n)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t ob[LMDB_OBJ_KLEN];
	struct idvec ids;
	MDB_val okey, rec;
	size_t u, ngo = 0;
	int rc, go;

	*n = 0;
	if (o != NULL) {
		hashin = sto_obj_hashin(o);
		len = o->o_hashin_len;
	}
	idvec_init(&ids);
	rc = key_ids(w, k, &ids);
	/* Decide for every id before deleting any: ids.v[0, ngo) go. */
	for (u = 0; u < ids.n && rc == 0; u++) {
		okey = lmdb_id_key(ob, ids.v[u]);
		rc = mdb_get(w->w_txn, l->l_dbi[LDB_OBJ], &okey, &rec);
		if (rc == MDB_NOTFOUND) {
			go = 1; /* idx without its object */
			rc = 0;
		} else if (rc == 0)
			rc = key_victim(w, &rec, ids.v[u], k, hashin, len, o,
					&go);
		if (rc == 0 && go)
			ids.v[ngo++] = ids.v[u];
	}
	for (u = 0; u < ngo && rc == 0; u++)
		rc = lmdb_del_id(w, k, ids.v[u], NULL, n);
	idvec_fini(&ids);
	return (rc);
}

/* ---- jobs ---- */

/* o's metadata record, as object id with a body of body bytes. */
static int
put_record(struct lmdb_wtx *w, const struct sto_obj *o, uint64_t id,
	   uint64_t body, size_t *mszp)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t kb[LMDB_OBJ_KLEN];
	MDB_val key, data;
	size_t msz;
	int rc;

	msz = lmdb_meta_size(o);
	key = lmdb_id_key(kb, id);
	data.mv_size = msz;
	rc = put_append(w->w_txn, l->l_dbi[LDB_OBJ], &key, &data, MDB_RESERVE);
	if (rc != 0)
		return (rc);
	lmdb_meta_enc(data.mv_data, msz, o, id, body, l->l_chunk);
	*mszp = msz;
	return (0);
}

/* The idx, exp and lru entries that make object (k, id) findable. */
static int
put_entries(struct lmdb_wtx *w, const struct sto_key *k, uint64_t id,
	    const struct lmdb_idxv *iv)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t kb[LMDB_IDX_KLEN], vb[LMDB_IDX_VLEN];
	MDB_val key, data;
	int rc;

	key = lmdb_idx_key(kb, k, id);
	lmdb_idxv_enc(vb, iv);
	data.mv_size = sizeof vb;
	data.mv_data = vb;
	rc = mdb_put(w->w_txn, l->l_dbi[LDB_IDX], &key, &data, 0);
	if (rc == 0) {
		key = lmdb_ord_key(kb, iv->iv_dead_at, id);
		data.mv_size = 0;
		data.mv_data = NULL;
		rc = mdb_put(w->w_txn, l->l_dbi[LDB_EXP], &key, &data, 0);
	}
	if (rc == 0) {
		key = lmdb_ord_key(kb, iv->iv_gen, id);
		rc = put_append(w->w_txn, l->l_dbi[LDB_LRU], &key, &data, 0);
	}
	if (rc == 0)
		w->w_st.ls_objects++;
	return (rc);
}

/* Write j's object under a new id, after the copies it replaces. */
static int
job_put(struct lmdb_wtx *w, struct lmdb_job *j)
{
	struct sto_lmdb *l = w->w_l;
	struct sto_obj *o = j->j_obj;
	uint8_t kb[LMDB_CHUNK_KLEN];
	uint64_t id, body, n, nch, want;
	struct lmdb_idxv iv;
	struct sto_cursor c;
	MDB_val key, data;
	unsigned nrep = 0;
	size_t msz, got, len;
	const void *p;
	uint8_t *d;
	int rc;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	iv.iv_dead_at = lmdb_dead_at(o);
	if (iv.iv_dead_at < w->w_now)
		return (0); /* nothing could use it: not written */
	rc = lmdb_del_key(w, &o->o_key, NULL, 0, o, &nrep);
	if (rc != 0)
		return (rc);
	w->w_replaced += nrep;
	id = id_take(w);
	body = sto_obj_len(o);
	rc = put_record(w, o, id, body, &msz);
	if (rc != 0)
		return (rc);
	nch = lmdb_nchunks(body, l->l_chunk);
	if (nch > UINT32_MAX)
		return (EFBIG);
	sto_cursor_init(&c, o);
	for (n = 0; n < nch; n++) {
		want = body - n * l->l_chunk;
		if (want > l->l_chunk)
			want = l->l_chunk;
		key = lmdb_chunk_key(kb, id, (uint32_t)n);
		data.mv_size = (size_t)want + LMDB_SUM;
		rc = put_append(w->w_txn, l->l_dbi[LDB_CHUNK], &key, &data,
				MDB_RESERVE);
		if (rc != 0)
			return (rc);
		d = data.mv_data;
		for (got = 0; got < want; got += len) {
			/* COMPLETE: the cursor gives every byte, no wait. */
			if (sto_cursor_next(&c, (size_t)want - got, &p, &len) !=
			    0)
				return (EIO);
			memcpy(d + got, p, len);
		}
		lmdb_chunk_seal(d, (size_t)want, id, (uint32_t)n);
	}
	iv.iv_gen = w->w_st.ls_gen;
	iv.iv_hits = 0;
	rc = put_entries(w, &o->o_key, id, &iv);
	if (rc != 0)
		return (rc);
	bytes_written(w, msz + lmdb_chunks_size(body, l->l_chunk));
	w->w_written++;
	return (0);
}

/*
 * A stream's chunk (j_buf, sealed by the caller) and the stream's lru
 * entry with it: a chunk is never committed without an entry eviction
 * reaches, whatever becomes of the stream (a crash included).
 */
static int
stream_chunk(struct lmdb_wtx *w, struct lmdb_job *j)
{
	struct sto_lmdb *l = w->w_l;
	struct lmdb_stream *ss = j->j_ss;
	uint8_t kb[LMDB_CHUNK_KLEN];
	MDB_val key, data, empty = {0, NULL};
	int rc;

	id_used(w, j->j_id);
	if (!ss->ss_haslru) {
		/* Any generation will do: eviction skips a live stream. */
		ss->ss_gen = w->w_st.ls_gen;
		ss->ss_haslru = 1;
	}
	key = lmdb_ord_key(kb, ss->ss_gen, j->j_id);
	rc = mdb_put(w->w_txn, l->l_dbi[LDB_LRU], &key, &empty, 0);
	if (rc != 0)
		return (rc);
	key = lmdb_chunk_key(kb, j->j_id, j->j_cn);
	data.mv_size = j->j_blen;
	data.mv_data = j->j_buf;
	/* Other objects' later ids interleave: often a plain put. */
	rc = put_append(w->w_txn, l->l_dbi[LDB_CHUNK], &key, &data, 0);
	if (rc != 0)
		return (rc);
	bytes_written(w, j->j_blen);
	return (0);
}

/*
 * Whether chunks 0..nch-1 of id, for a body of body bytes, are all there
 * with their lengths (values not read: each is checked when read).
 */
static int
stream_whole(struct lmdb_wtx *w, uint64_t id, uint64_t body, uint64_t nch,
	     int *whole)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t kb[LMDB_CHUNK_KLEN];
	MDB_cursor *cur;
	MDB_val key, data;
	uint64_t n = 0, want;
	int rc;

	*whole = 0;
	if (nch == 0) {
		*whole = 1;
		return (0);
	}
	rc = mdb_cursor_open(w->w_txn, l->l_dbi[LDB_CHUNK], &cur);
	if (rc != 0)
		return (rc);
	key = lmdb_chunk_key(kb, id, 0);
	for (rc = mdb_cursor_get(cur, &key, &data, MDB_SET_RANGE);
	     rc == 0 && n < nch;
	     rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT), n++) {
		want = body - n * l->l_chunk;
		if (want > l->l_chunk)
			want = l->l_chunk;
		if (key.mv_size != LMDB_CHUNK_KLEN ||
		    lmdb_get64be(key.mv_data) != id ||
		    lmdb_get32be((uint8_t *)key.mv_data + 8) != n ||
		    data.mv_size != want + LMDB_SUM)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return (rc);
	*whole = n == nch;
	return (0);
}

/* A stream's end: its last chunk and metadata, or delete what it wrote. */
static int
job_send(struct lmdb_wtx *w, struct lmdb_job *j)
{
	struct sto_lmdb *l = w->w_l;
	struct lmdb_stream *ss = j->j_ss;
	struct sto_obj *o = j->j_obj;
	uint8_t xb[LMDB_ORD_KLEN];
	struct lmdb_idxv iv;
	unsigned nrep = 0;
	MDB_val xkey;
	size_t msz;
	int rc, whole;

	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	if (o != NULL && !atomic_load(&ss->ss_broken)) {
		STO_CHECK_OBJ(o, STO_OBJ_MAGIC);
		iv.iv_dead_at = lmdb_dead_at(o);
		if (iv.iv_dead_at < w->w_now)
			goto drop; /* nothing could use it: not written */
		if (j->j_buf != NULL && (rc = stream_chunk(w, j)) != 0)
			return (rc);
		rc = stream_whole(w, j->j_id, j->j_body, j->j_nch, &whole);
		if (rc != 0)
			return (rc);
		if (!whole) {
			/* Deleted under it (accelctl): never a hole. */
			lmdb_stream_break(l, ss, 1);
			goto drop;
		}
		rc = lmdb_del_key(w, &o->o_key, NULL, 0, o, &nrep);
		if (rc != 0)
			return (rc);
		w->w_replaced += nrep;
		id_used(w, j->j_id);
		rc = put_record(w, o, j->j_id, j->j_body, &msz);
		if (rc != 0)
			return (rc);
		if (ss->ss_haslru && ss->ss_gen != w->w_st.ls_gen) {
			xkey = lmdb_ord_key(xb, ss->ss_gen, j->j_id);
			rc = del_opt(w->w_txn, l->l_dbi[LDB_LRU], &xkey);
			if (rc != 0)
				return (rc);
		}
		/* Written now: the current generation, as for a PUT. */
		iv.iv_gen = w->w_st.ls_gen;
		iv.iv_hits = 0;
		rc = put_entries(w, &o->o_key, j->j_id, &iv);
		if (rc != 0)
			return (rc);
		bytes_written(w, msz);
		w->w_written++;
		w->w_streamed++;
		return (0);
	}
drop:
	rc = lmdb_del_id(w, &ss->ss_key, j->j_id, NULL, NULL);
	if (rc == 0 && ss->ss_haslru) {
		xkey = lmdb_ord_key(xb, ss->ss_gen, j->j_id);
		rc = del_opt(w->w_txn, l->l_dbi[LDB_LRU], &xkey);
	}
	return (rc);
}

/*
 * Object (k, id) was used: its lru entry moves to this generation, and a
 * disk hit (hit) counts in its idx entry. A use seen by the memory tier
 * alone (hit 0) in the current generation changes nothing.
 */
static int
touch_id(struct lmdb_wtx *w, const struct sto_key *k, uint64_t id, int hit)
{
	struct sto_lmdb *l = w->w_l;
	uint8_t kb[LMDB_IDX_KLEN], xb[LMDB_ORD_KLEN], vb[LMDB_IDX_VLEN];
	struct lmdb_idxv iv;
	MDB_val key, data, xkey, empty = {0, NULL};
	int rc;

	key = lmdb_idx_key(kb, k, id);
	rc = mdb_get(w->w_txn, l->l_dbi[LDB_IDX], &key, &data);
	if (rc == MDB_NOTFOUND)
		return (0); /* gone since the hit */
	if (rc != 0)
		return (rc);
	if (lmdb_idxv_dec(&iv, &data) != 0)
		return (0);
	if (!hit && iv.iv_gen == w->w_st.ls_gen)
		return (0);
	if (iv.iv_gen != w->w_st.ls_gen) {
		xkey = lmdb_ord_key(xb, iv.iv_gen, id);
		rc = del_opt(w->w_txn, l->l_dbi[LDB_LRU], &xkey);
		if (rc != 0)
			return (rc);
		iv.iv_gen = w->w_st.ls_gen;
		xkey = lmdb_ord_key(xb, iv.iv_gen, id);
		rc = mdb_put(w->w_txn, l->l_dbi[LDB_LRU], &xkey, &empty, 0);
		if (rc != 0)
			return (rc);
	}
	if (hit && iv.iv_hits < UINT32_MAX)
		iv.iv_hits++;
	lmdb_idxv_enc(vb, &iv);
	data.mv_size = sizeof vb;
	data.mv_data = vb;
	rc = mdb_put(w->w_txn, l->l_dbi[LDB_IDX], &key, &data, 0);
	if (rc == 0)
		w->w_touches++;
	return (rc);
}

/*
 * A disk hit on (j_key, j_id), or with j_id 0 an object the memory tier
 * served and evicted (sto_lmdb_touch_key): which of the key's ids it was
 * is not known, so every one moves.
 */
static int
job_touch(struct lmdb_wtx *w, const struct lmdb_job *j)
{
	struct idvec ids;
	size_t u;
	int rc;

	if (j->j_id != 0)
		return (touch_id(w, &j->j_key, j->j_id, 1));
	idvec_init(&ids);
	rc = key_ids(w, &j->j_key, &ids);
	for (u = 0; u < ids.n && rc == 0; u++)
		rc = touch_id(w, &j->j_key, ids.v[u], 0);
	idvec_fini(&ids);
	/* No room for the ids: a lost touch, like one past the cap. */
	return (rc == ENOMEM ? 0 : rc);
}

static int
job_apply(struct lmdb_wtx *w, struct lmdb_job *j)
{
	struct lmdb_tomb *tb;
	unsigned n = 0;
	int rc;

	STO_CHECK_OBJ_NOTNULL(j, LMDB_JOB_MAGIC);
	switch (j->j_kind) {
	case LJ_PUT: return (job_put(w, j));
	case LJ_TOUCH: return (job_touch(w, j));
	case LJ_DEL:
		tb = j->j_tomb;
		STO_CHECK_OBJ_NOTNULL(tb, LMDB_TOMB_MAGIC);
		rc = lmdb_del_key(w, &tb->tb_key, tb->tb_hashin,
				  tb->tb_hashin_len, NULL, &n);
		w->w_removed += n;
		return (rc);
	case LJ_DELVAR:
		rc = lmdb_del_key(w, &j->j_key, NULL, 0, j->j_obj, &n);
		w->w_removed += n;
		return (rc);
	case LJ_DELID:
		rc = lmdb_del_id(w, &j->j_key, j->j_id, NULL, &n);
		w->w_removed += n;
		return (rc);
	case LJ_RETIRE:
		rc = lmdb_del_id(w, &j->j_key, j->j_id, NULL, &n);
		w->w_expired += n;
		return (rc);
	case LJ_DROP: return (lmdb_del_id(w, &j->j_key, j->j_id, NULL, NULL));
	case LJ_SCHUNK:
		STO_CHECK_OBJ_NOTNULL(j->j_ss, LMDB_STREAM_MAGIC);
		if (atomic_load(&j->j_ss->ss_broken))
			return (0); /* its end deletes what it wrote */
		return (stream_chunk(w, j));
	case LJ_SEND: return (job_send(w, j));
	}
	STO_WRONG("job kind");
}

/*
 * Run in one txn the jobs not done yet: all of them, those that do not
 * write data (one == NULL, noput), or just one. Marks them done once
 * committed.
 */
static int
run_txn(struct sto_lmdb *l, struct lmdb_job *jobs, int noput,
	struct lmdb_job *one)
{
	struct lmdb_wtx w;
	struct lmdb_job *j;
	int rc, pass;

	rc = lmdb_wtx_begin(l, &w);
	if (rc != 0)
		return (rc);
	/* Pass 0 applies, pass 1 (after the commit) marks. */
	for (pass = 0; pass < 2; pass++) {
		for (j = one != NULL ? one : jobs; j != NULL;
		     j = one != NULL ? NULL : j->j_next) {
			if (j->j_done || (noput && lmdb_job_data(j)))
				continue;
			if (pass == 1) {
				j->j_done = 1;
				continue;
			}
			rc = job_apply(&w, j);
			if (rc != 0) {
				lmdb_wtx_abort(&w);
				return (rc);
			}
		}
		if (pass == 0 && (rc = lmdb_wtx_commit(&w)) != 0)
			return (rc);
	}
	return (0);
}

/* ---- space ---- */

/* Pages on LMDB's free list (its database 0, readable in a read txn). */
static size_t
free_pages(struct sto_lmdb *l)
{
	MDB_cursor *cur;
	MDB_val key, data;
	size_t n = 0, cnt;

	if (l->l_wrtxn == NULL || mdb_txn_renew(l->l_wrtxn) != 0)
		return (0);
	if (mdb_cursor_open(l->l_wrtxn, 0, &cur) == 0) {
		/* Each value: an array of page numbers, the count first. */
		while (mdb_cursor_get(cur, &key, &data, MDB_NEXT) == 0) {
			if (data.mv_size < sizeof cnt)
				continue;
			memcpy(&cnt, data.mv_data, sizeof cnt);
			n += cnt;
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_reset(l->l_wrtxn);
	return (n);
}

/*
 * Pages in use: the map's pages up to the last one written, less the free
 * list, which is only walked when the map is nearly up to the mark.
 */
static size_t
pages_used(struct sto_lmdb *l, int exact)
{
	MDB_envinfo ei;
	size_t last, nfree = 0;

	if (mdb_env_info(l->l_env, &ei) != 0)
		return (0);
	last = ei.me_last_pgno + 1;
	if (exact || last > (size_t)(l->l_conf.lc_high * l->l_pages_max))
		nfree = free_pages(l);
	return (nfree < last ? last - nfree : 0);
}

/* The ids of the live streams, which eviction leaves alone. */
static int
live_streams(struct sto_lmdb *l, struct idvec *v)
{
	struct lmdb_stream *ss;
	int rc = 0;

	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	for (ss = l->l_streams; ss != NULL && rc == 0; ss = ss->ss_next)
		rc = idvec_add(v, ss->ss_id);
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	return (rc);
}

static int
idvec_has(const struct idvec *v, uint64_t id)
{
	size_t u;

	for (u = 0; u < v->n; u++)
		if (v->v[u] == id)
			return (1);
	return (0);
}

/*
 * Collect up to max (ord, id) entries from the start of db, ord < lim,
 * but the ids in skip.
 */
static int
ord_first(struct lmdb_wtx *w, enum lmdb_db db, uint32_t lim, size_t max,
	  const struct idvec *skip, struct idvec *ids, struct idvec *ords)
{
	MDB_cursor *cur;
	MDB_val key, data;
	uint64_t id;
	int rc;

	rc = mdb_cursor_open(w->w_txn, w->w_l->l_dbi[db], &cur);
	if (rc != 0)
		return (rc);
	for (rc = mdb_cursor_get(cur, &key, &data, MDB_FIRST);
	     rc == 0 && ids->n < max;
	     rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
		if (key.mv_size != LMDB_ORD_KLEN)
			continue;
		if (lmdb_get32be(key.mv_data) >= lim)
			break;
		id = lmdb_get64be((uint8_t *)key.mv_data + 4);
		if (idvec_has(skip, id))
			continue;
		if ((rc = idvec_add(ids, id)) != 0 ||
		    (rc = idvec_add(ords, lmdb_get32be(key.mv_data))) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return (rc == MDB_NOTFOUND ? 0 : rc);
}

/*
 * One eviction transaction: dead objects first (exp order), then the
 * lowest generations (lru order), up to max objects or until need bytes
 * are freed. *freed gets the bytes freed, *n the objects deleted.
 */
static int
evict_txn(struct sto_lmdb *l, uint64_t need, size_t max, uint64_t *freed,
	  unsigned *n)
{
	uint8_t xb[LMDB_ORD_KLEN];
	struct idvec ids, ords, live;
	struct lmdb_wtx w;
	uint64_t got;
	MDB_val xkey;
	unsigned pass, k;
	size_t u;
	int rc;

	*freed = 0;
	*n = 0;
	/* A stream adds chunks only in later batches, which come after. */
	idvec_init(&live);
	rc = live_streams(l, &live);
	if (rc == 0)
		rc = lmdb_wtx_begin(l, &w);
	if (rc != 0) {
		idvec_fini(&live);
		return (rc);
	}
	for (pass = 0; pass < 2 && rc == 0 && *freed < need && *n < max;
	     pass++) {
		idvec_init(&ids);
		idvec_init(&ords);
		rc = ord_first(&w, pass == 0 ? LDB_EXP : LDB_LRU,
			       pass == 0 ? w.w_now : UINT32_MAX, max - *n,
			       &live, &ids, &ords);
		for (u = 0; u < ids.n && rc == 0 && *freed < need; u++) {
			k = 0;
			rc = lmdb_del_id(&w, NULL, ids.v[u], &got, &k);
			/* An entry whose object is gone goes too. */
			xkey = lmdb_ord_key(xb, (uint32_t)ords.v[u], ids.v[u]);
			if (rc == 0)
				rc = del_opt(
				    w.w_txn,
				    l->l_dbi[pass == 0 ? LDB_EXP : LDB_LRU],
				    &xkey);
			*freed += got;
			*n += 1;
			w.w_evictions += k;
			w.w_evicted_bytes += got;
			if (pass == 0)
				w.w_expired += k;
		}
		idvec_fini(&ids);
		idvec_fini(&ords);
	}
	idvec_fini(&live);
	if (rc != 0) {
		lmdb_wtx_abort(&w);
		return (rc);
	}
	return (lmdb_wtx_commit(&w));
}

/*
 * The file system will not let the file grow: full (ENOSPC), over a quota
 * (EDQUOT), or over the process's file size limit (EFBIG, RLIMIT_FSIZE,
 * with SIGXFSZ ignored).
 */
static int
fs_full(int rc)
{
	return (rc == ENOSPC || rc == EDQUOT || rc == EFBIG);
}

static int
no_room(int rc)
{
	return (rc == MDB_MAP_FULL || fs_full(rc));
}

/*
 * The pages the data file holds now (free ones included), at most the
 * map's: what the store can use when the file cannot grow.
 */
static size_t
file_pages(struct sto_lmdb *l)
{
	struct stat st;
	size_t n;
	int fd;

	if (mdb_env_get_fd(l->l_env, &fd) != 0 || fstat(fd, &st) != 0)
		return (pages_used(l, 1));
	n = (size_t)st.st_size / l->l_psize;
	return (n < l->l_pages_max ? n : l->l_pages_max);
}

/*
 * LMDB reports a short write as EIO, and a file that cannot grow writes
 * short: at a file size limit the write stops at the limit, on a full
 * file system at its last free block. An EIO when that is so is the
 * file system's limit (EFBIG, ENOSPC); otherwise it stays EIO.
 */
static int
room_err(struct sto_lmdb *l, int rc, size_t pages)
{
	uint64_t need = (uint64_t)(pages > 0 ? pages : 1) * l->l_psize;
	struct statvfs vs;
	struct rlimit rl;
	struct stat st;
	int fd;

	if (rc != EIO || mdb_env_get_fd(l->l_env, &fd) != 0 ||
	    fstat(fd, &st) != 0)
		return (rc);
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (uint64_t)st.st_size + need >= (uint64_t)rl.rlim_cur)
		return (EFBIG);
	if (fstatvfs(fd, &vs) == 0 &&
	    (uint64_t)vs.f_bavail * vs.f_frsize < need)
		return (ENOSPC);
	return (rc);
}

/*
 * Free about pages pages, in bounded transactions. A transaction that
 * meets a full map itself (deleting copies pages too) retries smaller.
 */
static void
evict(struct sto_lmdb *l, size_t pages)
{
	uint64_t need = (uint64_t)pages * l->l_psize, freed;
	size_t max = EVICT_TXN_MAX;
	unsigned n;
	int rc;

	while (need > 0) {
		rc = room_err(l, evict_txn(l, need, max, &freed, &n), 0);
		if (no_room(rc) || rc == MDB_TXN_FULL) {
			if (max == 1)
				return;
			max /= 2;
			continue;
		}
		if (rc != 0 || n == 0)
			return;
		need = freed < need ? need - freed : 0;
	}
}

/*
 * Pages a batch will take: its data jobs' bytes, an eighth more for the
 * B-tree pages around them.
 */
static size_t
batch_pages(const struct sto_lmdb *l, const struct lmdb_job *jobs)
{
	const struct lmdb_job *j;
	uint64_t bytes = 0;

	for (j = jobs; j != NULL; j = j->j_next)
		bytes += j->j_bytes;
	bytes += bytes / 8;
	return ((size_t)(bytes / l->l_psize));
}

/*
 * Above high (counting the batch about to be written): evict down to low
 * (less the batch), so that a batch rarely meets a full map.
 */
static void
evict_maybe(struct sto_lmdb *l, size_t batch)
{
	size_t used = pages_used(l, 0), high, low;

	high = (size_t)(l->l_conf.lc_high * l->l_pages_max);
	low = (size_t)(l->l_conf.lc_low * l->l_pages_max);
	if (used + batch > high)
		used = pages_used(l, 1); /* the map's end is not enough */
	if (used + batch > high) {
		/* Room for the batch below high, and down to low at least. */
		if (batch > high - low)
			low = batch < high ? high - batch : 0;
		if (used > low)
			evict(l, used - low);
		used = pages_used(l, 1);
	}
	LMDB_CTR_SET(l, pages_used, used);
	LMDB_CTR_SET(l, pages_max, l->l_pages_max);
}

/* A data job that did not fit even alone. */
static void
job_dropped(struct sto_lmdb *l, struct lmdb_job *j)
{
	switch (j->j_kind) {
	case LJ_PUT: LMDB_CTR_ADD(l, wb_dropped, 1); break;
	case LJ_SCHUNK: lmdb_stream_break(l, j->j_ss, 1); break;
	case LJ_SEND:
		/* A delete that failed leaves chunks and their lru entry:
		 * eviction takes them later. */
		if (j->j_obj != NULL)
			lmdb_stream_break(l, j->j_ss, 1);
		break;
	default: STO_WRONG("not a data job");
	}
}

/* One batch: see the top of the file. */
static void
run_batch(struct sto_lmdb *l, struct lmdb_job *jobs)
{
	size_t bp = batch_pages(l, jobs);
	struct lmdb_job *j;
	int rc;

	evict_maybe(l, bp);
	rc = room_err(l, run_txn(l, jobs, 0, NULL), bp);
	if (no_room(rc)) {
		LMDB_CTR_ADD(l, map_full, 1);
		if (fs_full(rc)) {
			/* The file system is the limit, not the map: the
			 * file cannot grow past the size it has now. */
			l->l_pages_max = file_pages(l);
		}
		evict(l, bp > l->l_pages_max / 10 ? bp : l->l_pages_max / 10);
		/*
		 * LMDB reuses the pages just freed only once no reader
		 * holds a snapshot from before: readers hold one for a
		 * call, so a short pause lets them move on.
		 */
		(void)nanosleep(&retry_pause, NULL);
		rc = run_txn(l, jobs, 0, NULL);
	}
	if (rc != 0) {
		/* Deletes and touches first, then each data job alone, in
		 * order (a stream's chunks before its end). */
		(void)run_txn(l, jobs, 1, NULL);
		for (j = jobs; j != NULL; j = j->j_next) {
			if (j->j_done || !lmdb_job_data(j))
				continue;
			if (run_txn(l, jobs, 0, j) != 0) {
				j->j_done = 1; /* dropped */
				job_dropped(l, j);
			}
		}
	}
	/* The counter is exact (eviction decides on the cheaper rule). */
	LMDB_CTR_SET(l, pages_used, pages_used(l, 1));
	LMDB_CTR_SET(l, pages_max, l->l_pages_max);
}

static void *
writer_main(void *arg)
{
	struct sto_lmdb *l = arg;
	struct lmdb_job *jobs;
	int dead;

	STO_CHECK_OBJ_NOTNULL(l, STO_LMDB_MAGIC);
	if (mdb_txn_begin(l->l_env, NULL, MDB_RDONLY, &l->l_wrtxn) == 0)
		mdb_txn_reset(l->l_wrtxn);
	else
		l->l_wrtxn = NULL; /* no free-list count: the map's end */
	while ((jobs = lmdb_q_take(l)) != NULL) {
		run_batch(l, jobs);
		lmdb_q_done(l, jobs);
		if (++l->l_batches % READER_CHECK_EVERY == 0)
			(void)mdb_reader_check(l->l_env, &dead);
	}
	if (l->l_wrtxn != NULL)
		mdb_txn_abort(l->l_wrtxn);
	l->l_wrtxn = NULL;
	return (NULL);
}

int
lmdb_writer_start(struct sto_lmdb *l)
{
	int e;

	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	l->l_thr_live = 1;
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	e = pthread_create(&l->l_thr, NULL, writer_main, l);
	if (e != 0) {
		STO_AZ(pthread_mutex_lock(&l->l_qmtx));
		l->l_thr_live = 0;
		STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	}
	return (e);
}

void
lmdb_writer_stop(struct sto_lmdb *l)
{
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	l->l_stop = 1;
	STO_AZ(pthread_cond_signal(&l->l_qcv));
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	STO_AZ(pthread_join(l->l_thr, NULL));
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	l->l_thr_live = 0;
	STO_AZ(pthread_cond_broadcast(&l->l_donecv));
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
}
