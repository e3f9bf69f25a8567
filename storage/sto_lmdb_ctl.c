/*
 * sto_lmdb_ctl.c: the LMDB tier's functions for accelctl: walks over the
 * index (each in one read transaction of the caller's thread), a body by
 * id, a synchronous delete in a write transaction of the caller's (LMDB
 * serialises it with a daemon's writer, across processes), and the
 * store's facts. Any thread; they work on a read-only tier but delete.
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <string.h>

/* Discards chunk bytes: verify only checks them. */
static int
sink(void *priv, const void *p, size_t n)
{
	(void)priv;
	(void)p;
	(void)n;
	return (0);
}

/*
 * Fill e for the idx entry (key, data) of txn: its metadata-only object
 * (a new reference in e->le_obj the caller drops) or le_err. 0, or an
 * error that ends the walk.
 */
static int
ent_fill(struct sto_lmdb *l, MDB_txn *txn, const MDB_val *key,
	 const MDB_val *data, int verify, struct sto_lmdb_ent *e)
{
	uint8_t ob[LMDB_OBJ_KLEN];
	struct lmdb_idxv iv;
	struct lmdb_meta m;
	MDB_val okey, rec;
	int rc, err;

	memset(e, 0, sizeof *e);
	if (lmdb_idx_key_dec(key, &e->le_key, &e->le_id) != 0)
		return (STO_ECORRUPT);
	if (lmdb_idxv_dec(&iv, data) == 0) {
		e->le_gen = iv.iv_gen;
		e->le_hits = iv.iv_hits;
		e->le_dead_at = iv.iv_dead_at;
	} else
		e->le_err = STO_ECORRUPT;
	okey = lmdb_id_key(ob, e->le_id);
	rc = mdb_get(txn, l->l_dbi[LDB_OBJ], &okey, &rec);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return (lmdb_err(rc));
	if (rc == MDB_NOTFOUND ||
	    lmdb_meta_dec(&m, &rec, e->le_id, &e->le_key) != 0) {
		e->le_err = STO_ECORRUPT;
		e->le_disk = rc == 0 ? rec.mv_size : 0;
		return (0);
	}
	err = lmdb_meta_obj(&e->le_obj, &m, e->le_id, 1);
	if (err != 0)
		return (err);
	e->le_disk = rec.mv_size + lmdb_chunks_size(m.lm_body, m.lm_chunk);
	if (verify) {
		err = lmdb_read_range(l, txn, &e->le_key, e->le_id, m.lm_body,
				      m.lm_chunk, 0, m.lm_body, sink, NULL);
		if (err == STO_ECORRUPT || err == ENOENT)
			e->le_err = STO_ECORRUPT;
		else if (err != 0) {
			sto_obj_deref(&e->le_obj);
			return (err);
		}
	}
	return (0);
}

/* Walk idx from (k, 0) (k NULL: the start) while under k. *found counts. */
static int
walk(struct sto_lmdb *l, const struct sto_key *k, int verify, sto_walk_f *fn,
     void *priv, unsigned *found)
{
	uint8_t kb[LMDB_IDX_KLEN];
	struct sto_lmdb_ent e;
	struct lmdb_rtxn *rt;
	MDB_val key, data;
	int rc, r = 0;

	*found = 0;
	r = lmdb_rtxn_enter(l, &rt);
	if (r != 0)
		return (r);
	if (k != NULL) {
		key = lmdb_idx_key(kb, k, 0);
		rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_SET_RANGE);
	} else
		rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_FIRST);
	for (; rc == 0 && r == 0;
	     rc = mdb_cursor_get(rt->rt_idx, &key, &data, MDB_NEXT)) {
		r = ent_fill(l, rt->rt_txn, &key, &data, verify, &e);
		if (r == STO_ECORRUPT && e.le_obj == NULL) {
			r = 0; /* a key that is not ours: skip */
			continue;
		}
		if (r != 0)
			break;
		if (k != NULL && !sto_key_eq(&e.le_key, k)) {
			if (e.le_obj != NULL)
				sto_obj_deref(&e.le_obj);
			break;
		}
		(*found)++;
		r = fn(&e, priv);
		if (e.le_obj != NULL)
			sto_obj_deref(&e.le_obj);
	}
	lmdb_rtxn_leave(l, rt);
	if (r != 0)
		return (r);
	return (rc == 0 || rc == MDB_NOTFOUND ? 0 : lmdb_err(rc));
}

int
sto_lmdb_walk(struct sto_tier *t, int verify, sto_walk_f *fn, void *priv)
{
	unsigned found;

	STO_AN(fn);
	return (walk(lmdb_of(t), NULL, verify, fn, priv, &found));
}

int
sto_lmdb_get(struct sto_tier *t, const struct sto_key *k, sto_walk_f *fn,
	     void *priv)
{
	unsigned found;
	int r;

	STO_AN(k);
	STO_AN(fn);
	r = walk(lmdb_of(t), k, 0, fn, priv, &found);
	if (r == 0 && found == 0)
		return (ENOENT);
	return (r);
}

int
sto_lmdb_body(struct sto_tier *t, uint64_t id, sto_read_f *fn, void *priv)
{
	struct sto_lmdb *l = lmdb_of(t);
	uint8_t ob[LMDB_OBJ_KLEN];
	struct lmdb_rtxn *rt;
	struct lmdb_meta m;
	MDB_val okey, rec;
	int rc, err;

	STO_AN(fn);
	err = lmdb_rtxn_enter(l, &rt);
	if (err != 0)
		return (err);
	okey = lmdb_id_key(ob, id);
	rc = mdb_get(rt->rt_txn, l->l_dbi[LDB_OBJ], &okey, &rec);
	if (rc != 0)
		err = lmdb_err(rc);
	else if (lmdb_meta_dec(&m, &rec, id, NULL) != 0)
		err = STO_ECORRUPT;
	else
		err = lmdb_read_range(l, rt->rt_txn, &m.lm_key, id, m.lm_body,
				      m.lm_chunk, 0, m.lm_body, fn, priv);
	lmdb_rtxn_leave(l, rt);
	return (err);
}

int
sto_lmdb_delete(struct sto_tier *t, const struct sto_key *k, const void *hashin,
		size_t hashin_len, uint64_t id, unsigned *n)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct lmdb_wtx w;
	unsigned cnt = 0;
	int rc;

	if (n != NULL)
		*n = 0;
	if (l->l_conf.lc_readonly)
		return (EROFS);
	if (k == NULL && id == 0)
		return (EINVAL);
	rc = lmdb_wtx_begin(l, &w);
	if (rc != 0)
		return (lmdb_err(rc));
	if (id != 0)
		rc = lmdb_del_id(&w, k, id, NULL, &cnt);
	else
		rc = lmdb_del_key(&w, k, hashin, hashin_len, NULL, &cnt);
	if (rc != 0 || cnt == 0) {
		lmdb_wtx_abort(&w);
		return (rc != 0 ? lmdb_err(rc) : ENOENT);
	}
	w.w_removed = cnt;
	rc = lmdb_wtx_commit(&w);
	if (rc != 0)
		return (lmdb_err(rc));
	if (n != NULL)
		*n = cnt;
	return (0);
}

int
sto_lmdb_info(struct sto_tier *t, struct sto_lmdb_info *li)
{
	struct sto_lmdb *l = lmdb_of(t);
	MDB_val key = {5, "store"}, data;
	struct lmdb_store st;
	struct lmdb_rtxn *rt;
	MDB_envinfo ei;
	const char *why;
	int rc, err;

	STO_AN(li);
	memset(li, 0, sizeof *li);
	err = lmdb_rtxn_enter(l, &rt);
	if (err != 0)
		return (err);
	rc = mdb_get(rt->rt_txn, l->l_dbi[LDB_INFO], &key, &data);
	if (rc != 0)
		err = lmdb_err(rc);
	else
		err = lmdb_store_dec(&st, &data, &why);
	lmdb_rtxn_leave(l, rt);
	if (err != 0)
		return (err);
	STO_AZ(mdb_env_info(l->l_env, &ei));
	li->li_format = st.ls_format;
	li->li_chunk = st.ls_chunk;
	li->li_mapsize = ei.me_mapsize;
	li->li_next_id = st.ls_next_id;
	li->li_gen = st.ls_gen;
	li->li_objects = st.ls_objects;
	li->li_bytes = st.ls_bytes;
	return (0);
}
