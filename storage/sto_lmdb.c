/*
 * sto_lmdb.c: the LMDB tier: the environment, each thread's read
 * transaction, the tier ops and sto_lmdb_read(). docs/storage-lmdb.md is
 * the design; sto_lmdb_int.h lists the other modules and the locks.
 *
 * Reads never write and never wait on the writer: LMDB gives each read
 * transaction a snapshot. What a read finds wrong (a corrupt record, an
 * idx entry whose object is gone, a dead object) it skips, and queues a
 * delete for the writer.
 *
 * Read transactions: with MDB_NOTLS a transaction is not tied to a thread,
 * so each tier keeps a pool of them (l_rtxns) and each thread holds one
 * per tier in a slot of its own (lmdb_slots, thread-local), renewed at the
 * start of a call and reset before it returns. A slot names its tier by
 * l_serial, never reused in the process, so a slot left by a closed tier
 * is recognised as stale and never followed. A thread that exits, or that
 * needs more slots than it has, gives its transactions back to their pool
 * under lmdb_live_mtx, which also guards the list of open tiers: a tier
 * being closed leaves that list first and only then frees its pool.
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Read slots per thread: tiers one thread reads at once. */
#define LMDB_SLOTS 4

struct lmdb_slot {
	uint64_t sl_serial;      /* 0: empty */
	struct lmdb_rtxn *sl_rt; /* owned by the tier named sl_serial */
	unsigned sl_depth;       /* calls inside one another using it */
};

static __thread struct lmdb_slot lmdb_slots[LMDB_SLOTS];
static __thread unsigned lmdb_slot_rr;

static pthread_mutex_t lmdb_live_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct sto_lmdb *lmdb_live; /* open tiers, lmdb_live_mtx */
static _Atomic uint64_t lmdb_serial_next = 1;
static pthread_once_t lmdb_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t lmdb_key; /* only for its destructor */

struct sto_lmdb *
lmdb_of(struct sto_tier *t)
{
	struct sto_lmdb *l;

	STO_CHECK_OBJ_NOTNULL(t, STO_TIER_MAGIC);
	STO_ASSERT(t->t_ops == &sto_lmdb_ops);
	l = (struct sto_lmdb *)t;
	STO_CHECK_OBJ(l, STO_LMDB_MAGIC);
	return (l);
}

int
lmdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return (0);
	case MDB_NOTFOUND: return (ENOENT);
	case MDB_MAP_FULL: return (ENOSPC);
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED: return (EAGAIN);
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: return (STO_EFORMAT);
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND: return (STO_ECORRUPT);
	default: return (rc > 0 ? rc : EIO);
	}
}

uint32_t
lmdb_now(void)
{
	time_t t = time(NULL);

	if (t <= 0)
		return (0);
	if ((uint64_t)t >= UINT32_MAX)
		return (UINT32_MAX);
	return ((uint32_t)t);
}

/* ---- read transactions ---- */

/* Give the slot's transaction back to its tier, if that tier is open. */
static void
slot_release(struct lmdb_slot *sl)
{
	struct sto_lmdb *l;

	if (sl->sl_serial == 0)
		return;
	STO_AZ(pthread_mutex_lock(&lmdb_live_mtx));
	for (l = lmdb_live; l != NULL; l = l->l_live_next) {
		if (l->l_serial == sl->sl_serial) {
			STO_AZ(pthread_mutex_lock(&l->l_rmtx));
			sl->sl_rt->rt_busy = 0;
			STO_AZ(pthread_mutex_unlock(&l->l_rmtx));
			break;
		}
	}
	STO_AZ(pthread_mutex_unlock(&lmdb_live_mtx));
	sl->sl_serial = 0;
	sl->sl_rt = NULL;
	sl->sl_depth = 0;
}

/* Thread exit: the thread's transactions go back to their pools. */
static void
slots_exit(void *arg)
{
	unsigned u;

	(void)arg;
	for (u = 0; u < LMDB_SLOTS; u++)
		slot_release(&lmdb_slots[u]);
}

static void
key_init(void)
{
	STO_AZ(pthread_key_create(&lmdb_key, slots_exit));
}

/* A free transaction of l's pool, or a new one (reset), marked busy. */
static int
rtxn_get(struct sto_lmdb *l, struct lmdb_rtxn **rtp)
{
	struct lmdb_rtxn *rt;
	int rc;

	STO_AZ(pthread_mutex_lock(&l->l_rmtx));
	for (rt = l->l_rtxns; rt != NULL; rt = rt->rt_next)
		if (!rt->rt_busy)
			break;
	if (rt != NULL)
		rt->rt_busy = 1;
	STO_AZ(pthread_mutex_unlock(&l->l_rmtx));
	if (rt != NULL) {
		*rtp = rt;
		return (0);
	}
	rt = calloc(1, sizeof *rt);
	if (rt == NULL)
		return (ENOMEM);
	rt->magic = LMDB_RTXN_MAGIC;
	rc = mdb_txn_begin(l->l_env, NULL, MDB_RDONLY, &rt->rt_txn);
	if (rc == 0)
		rc =
		    mdb_cursor_open(rt->rt_txn, l->l_dbi[LDB_IDX], &rt->rt_idx);
	if (rc != 0) {
		if (rt->rt_txn != NULL)
			mdb_txn_abort(rt->rt_txn);
		free(rt);
		return (lmdb_err(rc));
	}
	mdb_txn_reset(rt->rt_txn);
	rt->rt_busy = 1;
	STO_AZ(pthread_mutex_lock(&l->l_rmtx));
	rt->rt_next = l->l_rtxns;
	l->l_rtxns = rt;
	STO_AZ(pthread_mutex_unlock(&l->l_rmtx));
	*rtp = rt;
	return (0);
}

/* The calling thread's slot for l, claiming one if it has none. */
static int
slot_of(struct sto_lmdb *l, struct lmdb_slot **slp)
{
	struct lmdb_slot *sl = NULL;
	struct lmdb_rtxn *rt = NULL;
	unsigned u;
	int err;

	for (u = 0; u < LMDB_SLOTS; u++) {
		if (lmdb_slots[u].sl_serial == l->l_serial) {
			*slp = &lmdb_slots[u];
			return (0);
		}
		if (sl == NULL && lmdb_slots[u].sl_serial == 0)
			sl = &lmdb_slots[u];
	}
	STO_AZ(pthread_once(&lmdb_key_once, key_init));
	for (u = 0; sl == NULL && u < LMDB_SLOTS; u++) {
		/* More tiers than slots: an idle claim gives way. */
		sl = &lmdb_slots[lmdb_slot_rr++ % LMDB_SLOTS];
		if (sl->sl_depth > 0)
			sl = NULL;
		else
			slot_release(sl);
	}
	if (sl == NULL)
		return (EAGAIN); /* as many tiers in use at once as slots */
	err = rtxn_get(l, &rt);
	if (err != 0)
		return (err);
	sl->sl_serial = l->l_serial;
	sl->sl_rt = rt;
	(void)pthread_setspecific(lmdb_key, lmdb_slots);
	*slp = sl;
	return (0);
}

/*
 * A call made inside another on the same thread and tier (accelctl
 * reading a body from a walk's callback) shares the outer call's snapshot
 * with a cursor of its own: a child that leave() frees.
 */
static int
rtxn_child(struct lmdb_slot *sl, struct lmdb_rtxn **rtp)
{
	struct lmdb_rtxn *rt, *parent = sl->sl_rt;
	int rc;

	rt = calloc(1, sizeof *rt);
	if (rt == NULL)
		return (ENOMEM);
	rt->magic = LMDB_RTXN_MAGIC;
	rt->rt_parent = parent;
	rt->rt_txn = parent->rt_txn;
	rc = mdb_cursor_open(rt->rt_txn, mdb_cursor_dbi(parent->rt_idx),
			     &rt->rt_idx);
	if (rc != 0) {
		free(rt);
		return (lmdb_err(rc));
	}
	sl->sl_depth++;
	*rtp = rt;
	return (0);
}

int
lmdb_rtxn_enter(struct sto_lmdb *l, struct lmdb_rtxn **rtp)
{
	struct lmdb_slot *sl;
	struct lmdb_rtxn *rt;
	int rc, err;

	err = slot_of(l, &sl);
	if (err != 0)
		return (err);
	if (sl->sl_depth > 0)
		return (rtxn_child(sl, rtp));
	rt = sl->sl_rt;
	STO_CHECK_OBJ_NOTNULL(rt, LMDB_RTXN_MAGIC);
	rc = mdb_txn_renew(rt->rt_txn);
	if (rc == MDB_MAP_RESIZED && l->l_conf.lc_readonly) {
		/*
		 * A writer in another process grew the map. accelctl, the
		 * read-only user, is single-threaded: no other transaction
		 * of ours is active, so it may follow (LMDB's rule).
		 */
		rc = mdb_env_set_mapsize(l->l_env, 0);
		if (rc == 0)
			rc = mdb_txn_renew(rt->rt_txn);
	}
	if (rc != 0)
		return (lmdb_err(rc)); /* a failed renew leaves it reset */
	rc = mdb_cursor_renew(rt->rt_txn, rt->rt_idx);
	if (rc != 0) {
		mdb_txn_reset(rt->rt_txn);
		return (lmdb_err(rc));
	}
	sl->sl_depth = 1;
	*rtp = rt;
	return (0);
}

void
lmdb_rtxn_leave(struct sto_lmdb *l, struct lmdb_rtxn *rt)
{
	struct lmdb_slot *sl;

	STO_CHECK_OBJ_NOTNULL(rt, LMDB_RTXN_MAGIC);
	/* The slot exists and is busy: no allocation, no failure. */
	STO_AZ(slot_of(l, &sl));
	STO_ASSERT(sl->sl_depth > 0);
	sl->sl_depth--;
	if (rt->rt_parent != NULL) {
		mdb_cursor_close(rt->rt_idx);
		rt->magic = 0;
		free(rt);
		return;
	}
	STO_ASSERT(sl->sl_depth == 0 && sl->sl_rt == rt);
	mdb_txn_reset(rt->rt_txn);
}

/* ---- reading objects ---- */

/*
 * Load the body of record m (object id) into a new memory object: every
 * chunk checked, COMPLETE, STO_F_ONDISK. 0, STO_ECORRUPT (a chunk bad or
 * missing while its metadata is there: the writer writes both in one
 * transaction), ENOMEM.
 */
static int
lmdb_load(struct sto_lmdb *l, MDB_txn *txn, const struct lmdb_meta *m,
	  uint64_t id, struct sto_obj **op)
{
	uint8_t kb[LMDB_CHUNK_KLEN];
	struct sto_obj *o;
	uint64_t n, nch, want;
	MDB_val key, data;
	int err, rc;

	err = lmdb_meta_obj(&o, m, id, 0);
	if (err != 0)
		return (err);
	nch = lmdb_nchunks(m->lm_body, m->lm_chunk);
	for (n = 0; n < nch && err == 0; n++) {
		if (n > UINT32_MAX) {
			err = STO_ECORRUPT;
			break;
		}
		key = lmdb_chunk_key(kb, id, (uint32_t)n);
		rc = mdb_get(txn, l->l_dbi[LDB_CHUNK], &key, &data);
		want = m->lm_body - n * m->lm_chunk;
		if (want > m->lm_chunk)
			want = m->lm_chunk;
		if (rc == MDB_NOTFOUND)
			err = STO_ECORRUPT;
		else if (rc != 0)
			err = lmdb_err(rc);
		else
			err = lmdb_chunk_check(&data, id, (uint32_t)n,
					       (size_t)want);
		if (err == 0) {
			LMDB_CTR_ADD(l, chunks_read, 1);
			err = sto_obj_append(o, data.mv_data, (size_t)want);
		}
	}
	if (err == 0)
		err = sto_obj_finish(o, 1);
	else
		(void)sto_obj_finish(o, 0);
	if (err != 0) {
		sto_obj_deref(&o);
		return (err);
	}
	sto_obj_flags_set(o, STO_F_ONDISK);
	*op = o;
	return (0);
}

void
lmdb_corrupt(struct sto_lmdb *l, const struct sto_key *k, uint64_t id)
{
	LMDB_CTR_ADD(l, corrupt, 1);
	(void)lmdb_q_id(l, LJ_DROP, k, id);
}

/*
 * One candidate of a lookup: idx entry (k, id) with value data. 0 and *op
 * (a referenced object the caller gets), 0 and *op NULL (not this one),
 * or an error that ends the lookup.
 */
static int
lookup_one(struct sto_lmdb *l, MDB_txn *txn, const struct sto_key *k,
	   uint64_t id, const MDB_val *data, const void *hashin,
	   size_t hashin_len, sto_match_f *match, void *priv,
	   struct sto_obj **op)
{
	uint8_t kb[LMDB_OBJ_KLEN];
	struct lmdb_idxv iv;
	struct lmdb_meta m;
	struct sto_obj *o, *po;
	MDB_val key, rec;
	int rc, err;

	*op = NULL;
	if (lmdb_idxv_dec(&iv, data) != 0) {
		lmdb_corrupt(l, k, id);
		return (0);
	}
	if (iv.iv_dead_at < lmdb_now()) {
		/* Nothing can use it: retire it as we meet it. */
		(void)lmdb_q_id(l, LJ_RETIRE, k, id);
		return (0);
	}
	key = lmdb_id_key(kb, id);
	rc = mdb_get(txn, l->l_dbi[LDB_OBJ], &key, &rec);
	if (rc == MDB_NOTFOUND) {
		lmdb_corrupt(l, k, id); /* an idx entry without its object */
		return (0);
	}
	if (rc != 0)
		return (lmdb_err(rc));
	if (lmdb_meta_dec(&m, &rec, id, k) != 0) {
		lmdb_corrupt(l, k, id);
		return (0);
	}
	/* Another URL whose key collides with ours. */
	if (!lmdb_meta_hashin_eq(&m, hashin, hashin_len))
		return (0);
	o = NULL;
	if (match != NULL || m.lm_body > l->l_conf.lc_promote) {
		/* The view: for match, or to return (no body in memory). */
		err = lmdb_meta_obj(&o, &m, id, 1);
		if (err != 0)
			return (err);
		if (match != NULL && !match(o, priv)) {
			sto_obj_deref(&o);
			return (0);
		}
	}
	if (m.lm_body <= l->l_conf.lc_promote) {
		err = lmdb_load(l, txn, &m, id, &po);
		if (o != NULL)
			sto_obj_deref(&o);
		if (err == STO_ECORRUPT) {
			lmdb_corrupt(l, k, id);
			return (0);
		}
		if (err != 0)
			return (err);
		o = po;
	}
	(void)lmdb_q_id(l, LJ_TOUCH, k, id);
	*op = o;
	return (0);
}

/* Newest first: from the end of the key's ids backwards. */
static int
lookup_walk(struct sto_lmdb *l, struct lmdb_rtxn *rt, const struct sto_key *k,
	    const void *hashin, size_t hashin_len, sto_match_f *match,
	    void *priv, struct sto_obj **op)
{
	uint8_t kb[LMDB_IDX_KLEN];
	struct sto_key kk;
	MDB_val key, data;
	uint64_t id;
	int rc, err;

	key = lmdb_idx_key(kb, k, UINT64_MAX);
	rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_LAST);
	else if (rc == 0 &&
		 (lmdb_idx_key_dec(&key, &kk, &id) != 0 || !sto_key_eq(&kk, k)))
		rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_PREV);
	for (; rc == 0;
	     rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_PREV)) {
		if (lmdb_idx_key_dec(&key, &kk, &id) != 0)
			continue; /* not ours: LMDB keeps only ours here */
		if (!sto_key_eq(&kk, k))
			break;
		err = lookup_one(l, rt->rt_txn, k, id, &data, hashin,
				 hashin_len, match, priv, op);
		if (err != 0 || *op != NULL)
			return (err);
	}
	return (rc == MDB_NOTFOUND || rc == 0 ? ENOENT : lmdb_err(rc));
}

static int
lmdb_lookup(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	    size_t hashin_len, sto_match_f *match, void *priv,
	    struct sto_obj **op)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct lmdb_rtxn *rt;
	int err;

	STO_AN(k);
	STO_AN(op);
	*op = NULL;
	/* Before the snapshot: see sto_lmdb_q.c, tombstones. */
	if (lmdb_tomb_hit(l, k, hashin, hashin_len)) {
		LMDB_CTR_ADD(l, misses, 1);
		return (ENOENT);
	}
	err = lmdb_rtxn_enter(l, &rt);
	if (err == 0) {
		err =
		    lookup_walk(l, rt, k, hashin, hashin_len, match, priv, op);
		lmdb_rtxn_leave(l, rt);
	}
	if (*op != NULL)
		LMDB_CTR_ADD(l, hits, 1);
	else
		LMDB_CTR_ADD(l, misses, 1);
	return (err);
}

/*
 * A chunk larger than a page lives on overflow pages of its own: once it
 * was copied out, drop them from this process's resident set. The map is
 * read-only and shared, so the page cache keeps them and the next read
 * faults them back in; a body streamed from disk then costs no RSS, and a
 * 2 GiB object read through does not leave 2 GiB resident here.
 */
static void
lmdb_unmap_value(const struct sto_lmdb *l, const MDB_val *v)
{
	uintptr_t ps = l->l_psize, a, b;

	if (v->mv_size <= ps)
		return;
	a = (uintptr_t)v->mv_data & ~(ps - 1);
	b = ((uintptr_t)v->mv_data + v->mv_size + ps - 1) & ~(ps - 1);
	(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

int
lmdb_read_range(struct sto_lmdb *l, MDB_txn *txn, const struct sto_key *k,
		uint64_t id, uint64_t body, uint32_t c, uint64_t off,
		uint64_t len, sto_read_f *fn, void *priv)
{
	uint8_t kb[LMDB_CHUNK_KLEN];
	uint64_t n, first, last, want, from, to;
	MDB_val key, data;
	int err = 0, rc;

	if (off > body || len > body - off)
		return (EINVAL);
	if (len == 0)
		return (0);
	if (c == 0)
		return (EINVAL);
	first = off / c;
	last = (off + len - 1) / c;
	if (last > UINT32_MAX)
		return (EINVAL);
	for (n = first; n <= last && err == 0; n++) {
		key = lmdb_chunk_key(kb, id, (uint32_t)n);
		rc = mdb_get(txn, l->l_dbi[LDB_CHUNK], &key, &data);
		if (rc != 0) {
			err = lmdb_err(rc);
			if (err == ENOENT) {
				/* Gone with its object, or lost alone? */
				key = lmdb_id_key(kb, id);
				if (mdb_get(txn, l->l_dbi[LDB_OBJ], &key,
					    &data) == 0) {
					lmdb_corrupt(l, k, id);
					err = STO_ECORRUPT;
				}
			}
			break;
		}
		want = body - n * c < c ? body - n * c : c;
		if (lmdb_chunk_check(&data, id, (uint32_t)n, (size_t)want) !=
		    0) {
			lmdb_corrupt(l, k, id);
			err = STO_ECORRUPT;
			break;
		}
		LMDB_CTR_ADD(l, chunks_read, 1);
		/* Checked whole; fn sees the piece the range wants. */
		from = n == first ? off - n * c : 0;
		to = n == last ? off + len - n * c : want;
		err = fn(priv, (const uint8_t *)data.mv_data + from,
			 (size_t)(to - from));
		lmdb_unmap_value(l, &data);
	}
	return (err);
}

int
sto_lmdb_read(struct sto_tier *t, const struct sto_obj *o, uint64_t off,
	      uint64_t len, sto_read_f *fn, void *priv)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct lmdb_rtxn *rt;
	int err;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	STO_AN(fn);
	if (!(sto_obj_flags(o) & STO_F_DISKBODY))
		return (STO_ESTATE);
	if (off > sto_obj_len(o) || len > sto_obj_len(o) - off)
		return (EINVAL);
	if (len == 0)
		return (0);
	err = lmdb_rtxn_enter(l, &rt);
	if (err != 0)
		return (err);
	err = lmdb_read_range(l, rt->rt_txn, &o->o_key, o->o_dsk.dl_id,
			      sto_obj_len(o), o->o_dsk.dl_chunk, off, len, fn,
			      priv);
	lmdb_rtxn_leave(l, rt);
	return (err);
}

/* ---- the other ops ---- */

/* Whether l can take writes (a writer thread runs). */
static int
lmdb_writable(const struct sto_lmdb *l)
{
	return (!l->l_conf.lc_readonly);
}

static int
lmdb_insert(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct lmdb_job *j;
	unsigned fl;
	int err;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	if (!lmdb_writable(l))
		return (EROFS);
	if (sto_obj_state(o) != STO_OBJ_COMPLETE ||
	    (sto_obj_flags(o) & (STO_F_HFM | STO_F_HFP | STO_F_NOPERSIST |
				 STO_F_ONDISK | STO_F_DISKBODY)) != 0)
		return (STO_ESTATE);
	if (sto_obj_len(o) > l->l_mapsize / 8 ||
	    lmdb_meta_size(o) > l->l_mapsize / 8) {
		LMDB_CTR_ADD(l, toobig, 1);
		return (STO_ETOOBIG);
	}
	j = lmdb_job_new(LJ_PUT);
	if (j == NULL)
		return (ENOMEM);
	/* The flag is the claim: two inserts of one object queue it once. */
	fl = atomic_fetch_or(&o->o_flags, STO_F_ONDISK);
	if (fl & STO_F_ONDISK) {
		lmdb_job_free(&j);
		return (STO_ESTATE);
	}
	j->j_obj = sto_obj_ref(o);
	j->j_key = o->o_key;
	j->j_bytes = atomic_load(&o->o_footprint);
	err = lmdb_q_push(l, j);
	if (err != 0) {
		atomic_fetch_and(&o->o_flags, ~(unsigned)STO_F_ONDISK);
		LMDB_CTR_ADD(l, wb_dropped, 1);
		return (err);
	}
	LMDB_CTR_ADD(l, queued, 1);
	return (0);
}

/*
 * Call fn on each stored object under k, in id order, with its checked
 * record (NULL when it fails the check or is missing). fn returning
 * nonzero stops the walk with that value.
 */
typedef int key_walk_f(uint64_t id, const MDB_val *idxv,
		       const struct lmdb_meta *m, const MDB_val *rec,
		       void *priv);

static int
key_walk(struct sto_lmdb *l, struct lmdb_rtxn *rt, const struct sto_key *k,
	 key_walk_f *fn, void *priv)
{
	uint8_t kb[LMDB_IDX_KLEN], ob[LMDB_OBJ_KLEN];
	struct lmdb_meta m;
	struct sto_key kk;
	MDB_val key, data, okey, rec;
	uint64_t id;
	int rc, r;

	key = lmdb_idx_key(kb, k, 0);
	for (rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_SET_RANGE);
	     rc == 0; rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_NEXT)) {
		if (lmdb_idx_key_dec(&key, &kk, &id) != 0)
			continue;
		if (!sto_key_eq(&kk, k))
			break;
		okey = lmdb_id_key(ob, id);
		rc = mdb_get(rt->rt_txn, l->l_dbi[LDB_OBJ], &okey, &rec);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return (lmdb_err(rc));
		if (rc == 0 && lmdb_meta_dec(&m, &rec, id, k) == 0)
			r = fn(id, &data, &m, &rec, priv);
		else
			r = fn(id, &data, NULL, rc == 0 ? &rec : NULL, priv);
		if (r != 0)
			return (r);
	}
	return (rc == MDB_NOTFOUND || rc == 0 ? 0 : lmdb_err(rc));
}

struct count_arg {
	const void *hashin;
	size_t len;
	unsigned n;
};

static int
count_one(uint64_t id, const MDB_val *idxv, const struct lmdb_meta *m,
	  const MDB_val *rec, void *priv)
{
	struct count_arg *ca = priv;

	(void)id;
	(void)idxv;
	(void)rec;
	if (m != NULL &&
	    (ca->hashin == NULL || lmdb_meta_hashin_eq(m, ca->hashin, ca->len)))
		ca->n++;
	return (0);
}

static int
lmdb_remove(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	    size_t hashin_len, unsigned *nremoved)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct count_arg ca = {hashin, hashin_len, 0};
	struct lmdb_rtxn *rt;
	struct lmdb_job *j;
	struct lmdb_tomb *tb;
	int err;

	STO_AN(k);
	if (nremoved != NULL)
		*nremoved = 0;
	if (!lmdb_writable(l))
		return (EROFS);
	/* A remove still pending for the key: what the disk holds is gone
	 * already as far as anyone can see (as in lookup). */
	if (!lmdb_tomb_hit(l, k, hashin, hashin_len)) {
		err = lmdb_rtxn_enter(l, &rt);
		if (err != 0)
			return (err);
		err = key_walk(l, rt, k, count_one, &ca);
		lmdb_rtxn_leave(l, rt);
		if (err != 0)
			return (err);
	}
	/* Always queued, found or not: a PUT queued before must not come
	 * back after this remove. */
	j = lmdb_job_new(LJ_DEL);
	tb = j != NULL ? lmdb_tomb_add(l, k, hashin, hashin_len) : NULL;
	if (tb == NULL) {
		if (j != NULL)
			lmdb_job_free(&j);
		return (ENOMEM);
	}
	j->j_key = *k;
	j->j_tomb = tb;
	STO_AZ(lmdb_q_push(l, j));
	if (nremoved != NULL)
		*nremoved = ca.n;
	return (ca.n > 0 ? 0 : ENOENT);
}

/* Whether the idx holds anything under k (a read transaction). */
static int
key_stored(struct sto_lmdb *l, const struct sto_key *k)
{
	uint8_t kb[LMDB_IDX_KLEN];
	struct lmdb_rtxn *rt;
	struct sto_key kk;
	MDB_val key, data;
	uint64_t id;
	int rc, found = 1;

	if (lmdb_rtxn_enter(l, &rt) != 0)
		return (1); /* cannot tell: assume so */
	key = lmdb_idx_key(kb, k, 0);
	rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND ||
	    (rc == 0 && lmdb_idx_key_dec(&key, &kk, &id) == 0 &&
	     !sto_key_eq(&kk, k)))
		found = 0;
	lmdb_rtxn_leave(l, rt);
	return (found);
}

static int
lmdb_unlink(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct sto_bytes vn, vv;
	struct lmdb_job *j;
	struct sto_obj *c;
	size_t qbytes;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	if (!lmdb_writable(l))
		return (EROFS);
	if (sto_obj_flags(o) & STO_F_DISKBODY) {
		j = lmdb_job_new(LJ_DELID);
		if (j == NULL)
			return (ENOMEM);
		j->j_key = o->o_key;
		j->j_id = o->o_dsk.dl_id;
		STO_AZ(lmdb_q_push(l, j));
		return (0);
	}
	/* Nothing stored under the key, and no object queued or being
	 * written that could be: nothing to delete. */
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	qbytes = l->l_qbytes;
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	if (qbytes == 0 && !key_stored(l, &o->o_key))
		return (ENOENT);
	/* A small copy (key, hash inputs, Vary), not o and its body. */
	if (sto_obj_new(&c, &o->o_key, sto_obj_hashin(o), o->o_hashin_len) != 0)
		return (ENOMEM);
	vn = sto_obj_vary_names(o);
	vv = sto_obj_vary_vals(o);
	if ((vn.ptr != NULL || vv.ptr != NULL) &&
	    sto_obj_set_vary(c, vn.ptr, vn.len, vv.ptr, vv.len) != 0) {
		sto_obj_deref(&c);
		return (ENOMEM);
	}
	j = lmdb_job_new(LJ_DELVAR);
	if (j == NULL) {
		sto_obj_deref(&c);
		return (ENOMEM);
	}
	/* Until the delete is committed no lookup may find the copies it
	 * deletes: a tombstone over the key and hash inputs hides every
	 * variant meanwhile (a miss at worst, never the superseded copy). */
	j->j_tomb =
	    lmdb_tomb_add(l, &o->o_key, sto_obj_hashin(o), o->o_hashin_len);
	if (j->j_tomb == NULL) {
		lmdb_job_free(&j);
		sto_obj_deref(&c);
		return (ENOMEM);
	}
	j->j_key = o->o_key;
	j->j_obj = c;
	STO_AZ(lmdb_q_push(l, j));
	return (0);
}

static int
lmdb_foreach(struct sto_tier *t, sto_iter_f *fn, void *priv)
{
	struct sto_lmdb *l = lmdb_of(t);
	uint8_t ob[LMDB_OBJ_KLEN];
	struct lmdb_rtxn *rt;
	struct lmdb_meta m;
	struct sto_obj *o;
	struct sto_key k;
	MDB_val key, data, okey, rec;
	uint64_t id;
	int rc, r = 0, err;

	err = lmdb_rtxn_enter(l, &rt);
	if (err != 0)
		return (err);
	for (rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_FIRST);
	     rc == 0 && r == 0;
	     rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_NEXT)) {
		if (lmdb_idx_key_dec(&key, &k, &id) != 0)
			continue;
		okey = lmdb_id_key(ob, id);
		rc = mdb_get(rt->rt_txn, l->l_dbi[LDB_OBJ], &okey, &rec);
		if (rc != 0 || lmdb_meta_dec(&m, &rec, id, &k) != 0) {
			if (rc != 0 && rc != MDB_NOTFOUND)
				break;
			lmdb_corrupt(l, &k, id);
			rc = 0;
			continue;
		}
		r = lmdb_meta_obj(&o, &m, id, 1);
		if (r != 0)
			break;
		r = fn(o, priv);
		sto_obj_deref(&o);
	}
	lmdb_rtxn_leave(l, rt);
	if (r != 0)
		return (r);
	return (rc == 0 || rc == MDB_NOTFOUND ? 0 : lmdb_err(rc));
}

static void
lmdb_stats(struct sto_tier *t, struct sto_stats *st)
{
	struct sto_lmdb *l = lmdb_of(t);

	STO_AN(st);
#define X(name, help) st->name = LMDB_CTR_GET(l, name);
	STO_STATS_LIST(X)
#undef X
	st->budget = l->l_mapsize;
}

void
sto_lmdb_stats(struct sto_tier *t, struct sto_lmdb_stats *st)
{
	struct sto_lmdb *l = lmdb_of(t);

	STO_AN(st);
#define X(name, help) st->name = LMDB_CTR_GET(l, name);
	STO_LMDB_STATS_LIST(X)
#undef X
}

int
sto_lmdb_touch_key(struct sto_tier *t, const struct sto_key *k)
{
	STO_AN(k);
	/* Id 0 is never given out: the job's "every id under k". */
	return (lmdb_q_id(lmdb_of(t), LJ_TOUCH, k, 0));
}

int
sto_lmdb_flush(struct sto_tier *t)
{
	struct sto_lmdb *l = lmdb_of(t);

	if (!lmdb_writable(l))
		return (0);
	return (lmdb_q_flush(l));
}

/* Objects are not indexed here: nothing to charge, nothing to publish. */
static void
lmdb_charge(struct sto_tier *t, struct sto_obj *o)
{
	(void)t;
	(void)o;
}

static void
lmdb_publish(struct sto_tier *t, struct sto_obj *o)
{
	(void)t;
	(void)o;
}

/* ---- open and close ---- */

static int
open_err(char *err, size_t errlen, int code, const char *dir, const char *why)
{
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "lmdb %s: %s", dir, why);
	return (code);
}

/* Read-only, and nothing to read: ENOENT. */
static int
no_store(char *err, size_t errlen, const char *dir)
{
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "no store in %s", dir);
	return (ENOENT);
}

/* mkdir -p: each missing component 0755. 0 or an errno. */
static int
mkdir_p(const char *dir)
{
	char path[PATH_MAX], *p;
	struct stat sb;

	if (strlen(dir) >= sizeof path)
		return (ENAMETOOLONG);
	strcpy(path, dir);
	for (p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;
			*p = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				return (errno);
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	if (stat(dir, &sb) != 0)
		return (errno);
	return (S_ISDIR(sb.st_mode) ? 0 : ENOTDIR);
}

static const char *const lmdb_db_names[LDB__N] = {
#define X(NAME, name) name,
    LMDB_DB_LIST(X)
#undef X
};

/*
 * Open the databases and read (or, on a new store, write) the store
 * record, in one transaction. 0, STO_EFORMAT, ENOENT (read-only and no
 * store), or an errno; the reason in err.
 */
static int
store_init(struct sto_lmdb *l, struct lmdb_store *st, char *err, size_t errlen)
{
	const char *dir = l->l_conf.lc_dir, *why;
	unsigned ro = l->l_conf.lc_readonly, u;
	uint8_t buf[LMDB_STORE_LEN];
	MDB_val key = {5, "store"}, data;
	MDB_dbi main_dbi;
	MDB_stat ms;
	MDB_txn *txn;
	int rc, code, created = 0;

	rc = mdb_txn_begin(l->l_env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc != 0)
		return (
		    open_err(err, errlen, lmdb_err(rc), dir, mdb_strerror(rc)));
	rc = mdb_dbi_open(txn, "info", 0, &l->l_dbi[LDB_INFO]);
	if (rc == MDB_NOTFOUND) {
		/* A new environment, or someone else's. */
		rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
		if (rc == 0)
			rc = mdb_stat(txn, main_dbi, &ms);
		if (rc != 0)
			goto fail_rc;
		if (ms.ms_entries > 0) {
			mdb_txn_abort(txn);
			return (open_err(err, errlen, STO_EFORMAT, dir,
					 "not an accel store (other "
					 "databases)"));
		}
		if (ro) {
			mdb_txn_abort(txn);
			return (no_store(err, errlen, dir));
		}
		created = 1;
		rc = mdb_dbi_open(txn, "info", MDB_CREATE, &l->l_dbi[LDB_INFO]);
	}
	if (rc != 0)
		goto fail_rc;
	if (created) {
		memset(st, 0, sizeof *st);
		st->ls_format = LMDB_FORMAT;
		st->ls_chunk = (uint32_t)(l->l_conf.lc_chunk - LMDB_CHUNK_PAD);
		st->ls_next_id = 1;
		lmdb_store_enc(buf, st);
		data.mv_size = sizeof buf;
		data.mv_data = buf;
		rc = mdb_put(txn, l->l_dbi[LDB_INFO], &key, &data, 0);
		if (rc != 0)
			goto fail_rc;
	} else {
		rc = mdb_get(txn, l->l_dbi[LDB_INFO], &key, &data);
		if (rc == MDB_NOTFOUND) {
			mdb_txn_abort(txn);
			return (open_err(err, errlen, STO_EFORMAT, dir,
					 "the store record is missing"));
		}
		if (rc != 0)
			goto fail_rc;
		if (lmdb_store_dec(st, &data, &why) != 0) {
			mdb_txn_abort(txn);
			return (open_err(err, errlen, STO_EFORMAT, dir, why));
		}
	}
	for (u = LDB_INFO + 1; u < LDB__N; u++) {
		rc = mdb_dbi_open(txn, lmdb_db_names[u], ro ? 0 : MDB_CREATE,
				  &l->l_dbi[u]);
		if (rc == MDB_NOTFOUND && u >= LDB_TAG) {
			l->l_dbi[u] = 0; /* reserved, absent: unused yet */
			continue;
		}
		if (rc == MDB_NOTFOUND) {
			mdb_txn_abort(txn);
			return (open_err(err, errlen, STO_EFORMAT, dir,
					 "a database of the store is "
					 "missing"));
		}
		if (rc != 0)
			goto fail_rc;
	}
	/* A read-only txn is committed too: that keeps the handles. */
	rc = mdb_txn_commit(txn);
	if (rc != 0)
		return (
		    open_err(err, errlen, lmdb_err(rc), dir, mdb_strerror(rc)));
	return (0);
fail_rc:
	mdb_txn_abort(txn);
	code = lmdb_err(rc);
	return (open_err(err, errlen, code, dir, mdb_strerror(rc)));
}

static void lmdb_close(struct sto_tier **tp);

/* Free what open built; l may be partly set up. */
static void
lmdb_free(struct sto_lmdb *l)
{
	struct lmdb_rtxn *rt;

	while ((rt = l->l_rtxns) != NULL) {
		l->l_rtxns = rt->rt_next;
		if (rt->rt_idx != NULL)
			mdb_cursor_close(rt->rt_idx);
		mdb_txn_abort(rt->rt_txn);
		rt->magic = 0;
		free(rt);
	}
	if (l->l_env != NULL)
		mdb_env_close(l->l_env);
	lmdb_q_fini(l);
	STO_AZ(pthread_mutex_destroy(&l->l_rmtx));
	l->magic = 0;
	free(l);
}

int
sto_lmdb_open(struct sto_tier **tp, const struct sto_lmdb_conf *lc, char *err,
	      size_t errlen)
{
	const char *dir;
	struct lmdb_store st;
	struct sto_lmdb *l;
	struct stat sb;
	char path[PATH_MAX + 16];
	unsigned flags;
	MDB_envinfo ei;
	MDB_stat ms;
	int rc, e, dead;

	STO_AN(tp);
	STO_AN(lc);
	*tp = NULL;
	if (err != NULL && errlen > 0)
		*err = '\0';
	dir = lc->lc_dir;
	if (dir[0] == '\0' || memchr(dir, '\0', sizeof lc->lc_dir) == NULL)
		return (open_err(err, errlen, STO_ESPEC, "", "no directory"));
	if (lc->lc_chunk < LMDB_CHUNK_MIN || lc->lc_chunk > LMDB_CHUNK_MAX ||
	    lc->lc_queue == 0 || !(lc->lc_low > 0) ||
	    !(lc->lc_low < lc->lc_high) || !(lc->lc_high <= 1.0) ||
	    lc->lc_batch_ms > 1000 ||
	    (lc->lc_mapsize != 0 && lc->lc_mapsize < ((size_t)1 << 20)))
		return (open_err(err, errlen, STO_ESPEC, dir, "bad settings"));
	if (lc->lc_readonly) {
		(void)snprintf(path, sizeof path, "%s/data.mdb", dir);
		if (stat(path, &sb) != 0)
			return (no_store(err, errlen, dir));
	} else {
		e = mkdir_p(dir);
		if (e != 0)
			return (open_err(err, errlen, e, dir, strerror(e)));
	}
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return (ENOMEM);
	l->l_tier.magic = STO_TIER_MAGIC;
	l->l_tier.t_ops = &sto_lmdb_ops;
	l->magic = STO_LMDB_MAGIC;
	l->l_conf = *lc;
	if (pthread_mutex_init(&l->l_rmtx, NULL) != 0) {
		free(l);
		return (ENOMEM);
	}
	e = lmdb_q_init(l);
	if (e != 0) {
		STO_AZ(pthread_mutex_destroy(&l->l_rmtx));
		free(l);
		return (e);
	}
	rc = mdb_env_create(&l->l_env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(l->l_env, 16);
	if (rc == 0)
		rc = mdb_env_set_maxreaders(l->l_env, 1024);
	if (rc == 0 && !lc->lc_readonly)
		rc = mdb_env_set_mapsize(l->l_env,
					 lc->lc_mapsize != 0
					     ? lc->lc_mapsize
					     : sto_lmdb_default_mapsize(dir));
	if (rc != 0) {
		lmdb_free(l);
		return (
		    open_err(err, errlen, lmdb_err(rc), dir, mdb_strerror(rc)));
	}
	flags = MDB_NOTLS | MDB_NORDAHEAD;
	if (!lc->lc_sync)
		flags |= MDB_NOSYNC;
	if (lc->lc_readonly)
		flags |= MDB_RDONLY;
	rc = mdb_env_open(l->l_env, dir, flags, 0644);
	if (rc != 0) {
		e = lmdb_err(rc);
		lmdb_free(l);
		return (open_err(err, errlen, e, dir,
				 e == STO_EFORMAT ? "data.mdb is not an LMDB "
						    "file of this version"
						  : mdb_strerror(rc)));
	}
	/* Reader slots of killed processes would pin old pages forever. */
	(void)mdb_reader_check(l->l_env, &dead);
	if (lc->lc_mapsize == 0 && !lc->lc_readonly) {
		/* Keep the store's own size, now that LMDB read it. */
		(void)mdb_env_set_mapsize(l->l_env, 0);
	}
	e = store_init(l, &st, err, errlen);
	if (e != 0) {
		lmdb_free(l);
		return (e);
	}
	STO_AZ(mdb_env_info(l->l_env, &ei));
	STO_AZ(mdb_env_stat(l->l_env, &ms));
	l->l_chunk = st.ls_chunk;
	atomic_init(&l->l_next_id, st.ls_next_id);
	l->l_psize = ms.ms_psize;
	l->l_mapsize = ei.me_mapsize;
	l->l_pages_max = l->l_mapsize / l->l_psize;
	LMDB_CTR_SET(l, objects, st.ls_objects);
	LMDB_CTR_SET(l, bytes, st.ls_bytes);
	LMDB_CTR_SET(l, page_size, l->l_psize);
	LMDB_CTR_SET(l, pages_max, l->l_pages_max);
	LMDB_CTR_SET(l, pages_used, ei.me_last_pgno + 1);
	l->l_serial = atomic_fetch_add(&lmdb_serial_next, 1);
	STO_AZ(pthread_mutex_lock(&lmdb_live_mtx));
	l->l_live_next = lmdb_live;
	lmdb_live = l;
	STO_AZ(pthread_mutex_unlock(&lmdb_live_mtx));
	if (!lc->lc_readonly) {
		e = lmdb_writer_start(l);
		if (e != 0) {
			struct sto_tier *t = &l->l_tier;

			lmdb_close(&t);
			return (open_err(err, errlen, e, dir,
					 "cannot start the writer"));
		}
	}
	*tp = &l->l_tier;
	return (0);
}

static int
lmdb_open_op(struct sto_tier **tp, const char *arg)
{
	struct sto_lmdb_conf lc;
	char err[PATH_MAX + 128];
	int e;

	if (arg == NULL)
		return (STO_ESPEC); /* a disk tier needs its directory */
	e = sto_lmdb_conf_parse(&lc, arg, err, sizeof err);
	if (e == 0)
		e = sto_lmdb_open(tp, &lc, err, sizeof err);
	if (e != 0 && err[0] != '\0')
		(void)fprintf(stderr, "storage: %s\n", err);
	return (e);
}

/* Drain, stop the writer, then no thread can reach the pool: free it. */
static void
lmdb_close(struct sto_tier **tp)
{
	struct sto_lmdb *l, **pp;

	STO_AN(tp);
	l = lmdb_of(*tp);
	*tp = NULL;
	if (l->l_thr_live)
		lmdb_writer_stop(l);
	STO_AZ(pthread_mutex_lock(&lmdb_live_mtx));
	for (pp = &lmdb_live; *pp != NULL; pp = &(*pp)->l_live_next) {
		if (*pp == l) {
			*pp = l->l_live_next;
			break;
		}
	}
	STO_AZ(pthread_mutex_unlock(&lmdb_live_mtx));
	lmdb_free(l);
}

const struct sto_tier_ops sto_lmdb_ops = {
    .name = "lmdb",
    .blocking = 1,
    .open = lmdb_open_op,
    .close = lmdb_close,
    .lookup = lmdb_lookup,
    .insert = lmdb_insert,
    .remove = lmdb_remove,
    .unlink = lmdb_unlink,
    .foreach = lmdb_foreach,
    .stats = lmdb_stats,
    .charge = lmdb_charge,
    .publish = lmdb_publish,
};
