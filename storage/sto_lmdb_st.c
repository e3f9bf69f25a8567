/*
 * sto_lmdb_st.c: streaming writes, the caller's side. A stream copies the
 * body into one chunk buffer at a time; each full chunk, sealed with its
 * checksum here (on the caller's thread, not the writer's), goes to the
 * write-behind queue as a job of its own, and the end queues the last
 * chunk with the metadata. The writer's side (what the jobs do, eviction
 * leaving live streams alone) is in sto_lmdb_wr.c; the design and its
 * bounds in docs/storage-lmdb.md, "Streaming writes".
 *
 * A stream's memory: its handle, the chunk being filled, and its chunks
 * queued and not yet committed, which count in the queue's bytes (so a
 * producer faster than the disk gets ENOSPC instead of growing memory)
 * and in the stream's own bound (lmdb_stream_qmax).
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A stream may hold at least this many chunks queued. */
#define LMDB_STREAM_MIN_CHUNKS 8
/* And at most this fraction of the queue. */
#define LMDB_STREAM_QDIV 8

struct sto_lmdb_wstream {
	unsigned magic;
#define LMDB_WSTREAM_MAGIC 0x3e8a1f64
	struct sto_lmdb *ws_l;
	struct sto_obj *ws_obj;    /* our reference */
	struct lmdb_stream *ws_ss; /* our reference */
	uint64_t ws_len;           /* the announced body length */
	uint64_t ws_off;           /* bytes appended */
	uint32_t ws_chunk;         /* body bytes per chunk (the store's) */
	uint32_t ws_cn;            /* chunks queued */
	uint8_t *ws_buf;           /* the chunk being filled (ws_chunk +
				      LMDB_SUM bytes), NULL between chunks */
	size_t ws_fill;            /* its body bytes */
	int ws_err;                /* sticky: why the stream broke */
};

/* Queue bytes of one chunk job. */
static size_t
chunk_job_bytes(uint32_t chunk)
{
	return ((size_t)chunk + LMDB_SUM + sizeof(struct lmdb_job));
}

size_t
lmdb_stream_qmax(const struct sto_lmdb *l)
{
	size_t min = LMDB_STREAM_MIN_CHUNKS * chunk_job_bytes(l->l_chunk);
	size_t q = l->l_conf.lc_queue / LMDB_STREAM_QDIV;

	return (q > min ? q : min);
}

void
lmdb_stream_link(struct sto_lmdb *l, struct lmdb_stream *ss)
{
	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	STO_ASSERT(!ss->ss_live);
	ss->ss_prev = NULL;
	ss->ss_next = l->l_streams;
	if (l->l_streams != NULL)
		l->l_streams->ss_prev = ss;
	l->l_streams = ss;
	l->l_nstreams++;
	ss->ss_live = 1;
}

void
lmdb_stream_unlink(struct sto_lmdb *l, struct lmdb_stream *ss)
{
	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	if (!ss->ss_live)
		return;
	if (ss->ss_prev != NULL)
		ss->ss_prev->ss_next = ss->ss_next;
	else
		l->l_streams = ss->ss_next;
	if (ss->ss_next != NULL)
		ss->ss_next->ss_prev = ss->ss_prev;
	ss->ss_prev = ss->ss_next = NULL;
	STO_ASSERT(l->l_nstreams > 0);
	l->l_nstreams--;
	ss->ss_live = 0;
}

struct lmdb_stream *
lmdb_stream_ref(struct lmdb_stream *ss)
{
	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	atomic_fetch_add(&ss->ss_refcnt, 1);
	return (ss);
}

void
lmdb_stream_deref(struct lmdb_stream **ssp)
{
	struct lmdb_stream *ss;

	STO_AN(ssp);
	ss = *ssp;
	*ssp = NULL;
	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	if (atomic_fetch_sub(&ss->ss_refcnt, 1) != 1)
		return;
	/* Off l_streams before its end job or handle let go. */
	STO_ASSERT(!ss->ss_live);
	ss->magic = 0;
	free(ss);
}

void
lmdb_stream_break(struct sto_lmdb *l, struct lmdb_stream *ss, int count)
{
	STO_CHECK_OBJ_NOTNULL(ss, LMDB_STREAM_MAGIC);
	if (atomic_exchange(&ss->ss_broken, 1) == 0 && count)
		LMDB_CTR_ADD(l, wb_dropped, 1);
}

int
sto_lmdb_stream_begin(struct sto_tier *t, struct sto_obj *o,
		      struct sto_lmdb_wstream **wsp)
{
	struct sto_lmdb *l = lmdb_of(t);
	struct sto_lmdb_wstream *ws;
	struct lmdb_stream *ss;
	enum sto_obj_state st;
	unsigned fl;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	STO_AN(wsp);
	*wsp = NULL;
	if (l->l_conf.lc_readonly)
		return (EROFS);
	st = sto_obj_state(o);
	if ((st != STO_OBJ_STREAMING && st != STO_OBJ_COMPLETE) ||
	    (sto_obj_flags(o) & (STO_F_HFM | STO_F_HFP | STO_F_NOPERSIST |
				 STO_F_ONDISK | STO_F_DISKBODY)) != 0)
		return (STO_ESTATE);
	if (o->o_content_length < 0)
		return (EINVAL);
	if ((uint64_t)o->o_content_length > l->l_mapsize / 8 ||
	    lmdb_meta_size(o) > l->l_mapsize / 8 ||
	    lmdb_nchunks((uint64_t)o->o_content_length, l->l_chunk) >
		UINT32_MAX) {
		LMDB_CTR_ADD(l, toobig, 1);
		return (STO_ETOOBIG);
	}
	ws = calloc(1, sizeof *ws);
	ss = calloc(1, sizeof *ss);
	if (ws == NULL || ss == NULL) {
		free(ws);
		free(ss);
		return (ENOMEM);
	}
	/* The flag is the claim, as for insert. */
	fl = atomic_fetch_or(&o->o_flags, STO_F_ONDISK);
	if (fl & STO_F_ONDISK) {
		free(ws);
		free(ss);
		return (STO_ESTATE);
	}
	ss->magic = LMDB_STREAM_MAGIC;
	atomic_init(&ss->ss_refcnt, 1);
	atomic_init(&ss->ss_broken, 0);
	ss->ss_key = o->o_key;
	/* Above every id the store used; the writer keeps the store's
	 * next id above it once a chunk of it is committed. */
	ss->ss_id = atomic_fetch_add(&l->l_next_id, 1);
	ws->magic = LMDB_WSTREAM_MAGIC;
	ws->ws_l = l;
	ws->ws_obj = sto_obj_ref(o);
	ws->ws_ss = ss;
	ws->ws_len = (uint64_t)o->o_content_length;
	ws->ws_chunk = l->l_chunk;
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	lmdb_stream_link(l, ss);
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	*wsp = ws;
	return (0);
}

/* Seal the chunk being filled into job j, which takes the buffer. */
static void
ws_give(struct sto_lmdb_wstream *ws, struct lmdb_job *j)
{
	struct lmdb_stream *ss = ws->ws_ss;

	lmdb_chunk_seal(ws->ws_buf, ws->ws_fill, ss->ss_id, ws->ws_cn);
	j->j_key = ss->ss_key;
	j->j_id = ss->ss_id;
	j->j_ss = lmdb_stream_ref(ss);
	j->j_buf = ws->ws_buf;
	j->j_blen = ws->ws_fill + LMDB_SUM;
	j->j_cn = ws->ws_cn;
	ws->ws_buf = NULL;
	ws->ws_fill = 0;
}

/* The stream broke (err): count it if the queue was full (ENOSPC). */
static int
ws_fail(struct sto_lmdb_wstream *ws, int err)
{
	if (ws->ws_err == 0) {
		ws->ws_err = err;
		lmdb_stream_break(ws->ws_l, ws->ws_ss, err == ENOSPC);
	}
	return (err == ENOMEM ? ENOMEM : ENOSPC);
}

/* Queue the full chunk being filled. */
static int
ws_push(struct sto_lmdb_wstream *ws)
{
	struct lmdb_job *j;

	j = lmdb_job_new(LJ_SCHUNK);
	if (j == NULL)
		return (ws_fail(ws, ENOMEM));
	ws_give(ws, j);
	j->j_bytes = chunk_job_bytes(ws->ws_chunk);
	if (lmdb_q_push(ws->ws_l, j) != 0) /* j freed, the chunk with it */
		return (ws_fail(ws, ENOSPC));
	ws->ws_cn++;
	return (0);
}

int
sto_lmdb_stream_append(struct sto_lmdb_wstream *ws, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t k;
	int err;

	STO_CHECK_OBJ_NOTNULL(ws, LMDB_WSTREAM_MAGIC);
	if (ws->ws_err != 0)
		return (ws->ws_err == ENOMEM ? ENOMEM : ENOSPC);
	if (atomic_load(&ws->ws_ss->ss_broken)) /* the writer dropped it */
		return (ws_fail(ws, ENOSPC));
	if (n > ws->ws_len - ws->ws_off)
		return (ws_fail(ws, STO_EFAILED));
	while (n > 0) {
		if (ws->ws_buf == NULL) {
			ws->ws_buf = malloc((size_t)ws->ws_chunk + LMDB_SUM);
			if (ws->ws_buf == NULL)
				return (ws_fail(ws, ENOMEM));
		}
		k = ws->ws_chunk - ws->ws_fill;
		if (k > n)
			k = n;
		memcpy(ws->ws_buf + ws->ws_fill, b, k);
		ws->ws_fill += k;
		ws->ws_off += k;
		b += k;
		n -= k;
		/* The last chunk waits for the end, with the metadata. */
		if (ws->ws_fill == ws->ws_chunk && ws->ws_off < ws->ws_len &&
		    (err = ws_push(ws)) != 0)
			return (err);
	}
	return (0);
}

/* Chunk jobs that fit in a bound of lim with used taken (the first one
 * always does). */
static uint64_t
fits(size_t used, size_t lim, size_t jb)
{
	if (used == 0)
		return (lim / jb > 0 ? lim / jb : 1);
	return (used + jb <= lim ? (lim - used) / jb : 0);
}

size_t
sto_lmdb_stream_room(const struct sto_lmdb_wstream *ws)
{
	struct sto_lmdb *l;
	uint64_t kq, ks, room, left;
	size_t jb;

	STO_CHECK_OBJ_NOTNULL(ws, LMDB_WSTREAM_MAGIC);
	l = ws->ws_l;
	if (ws->ws_err != 0 || atomic_load(&ws->ws_ss->ss_broken))
		return (0);
	jb = chunk_job_bytes(ws->ws_chunk);
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	kq = fits(l->l_qbytes, l->l_conf.lc_queue, jb);
	ks = fits(ws->ws_ss->ss_qbytes, lmdb_stream_qmax(l), jb);
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	if (ks < kq)
		kq = ks;
	/* k pushes: the rest of this chunk and k - 1 more, and one byte
	 * short of the next. */
	room = (kq + 1) * ws->ws_chunk - ws->ws_fill - 1;
	left = ws->ws_len - ws->ws_off;
	return ((size_t)(room < left ? room : left));
}

/* Queue the end: the last chunk and the metadata. 0 or an error. */
static int
ws_finish(struct sto_lmdb_wstream *ws)
{
	struct sto_lmdb *l = ws->ws_l;
	struct lmdb_job *j;

	j = lmdb_job_new(LJ_SEND);
	if (j == NULL)
		return (ENOMEM);
	if (ws->ws_buf != NULL && ws->ws_fill > 0)
		ws_give(ws, j);
	else {
		j->j_key = ws->ws_ss->ss_key;
		j->j_id = ws->ws_ss->ss_id;
		j->j_ss = lmdb_stream_ref(ws->ws_ss);
	}
	j->j_obj = sto_obj_ref(ws->ws_obj);
	j->j_body = ws->ws_len;
	j->j_nch = lmdb_nchunks(ws->ws_len, ws->ws_chunk);
	j->j_bytes = sizeof *j + j->j_blen + lmdb_meta_size(ws->ws_obj);
	STO_AZ(lmdb_q_push(l, j)); /* an end always goes in */
	LMDB_CTR_ADD(l, queued, 1);
	return (0);
}

int
sto_lmdb_stream_end(struct sto_lmdb_wstream **wsp, int ok)
{
	struct sto_lmdb_wstream *ws;
	struct lmdb_stream *ss;
	struct sto_lmdb *l;
	struct lmdb_job *j;
	int err = 0;

	STO_AN(wsp);
	ws = *wsp;
	*wsp = NULL;
	STO_CHECK_OBJ_NOTNULL(ws, LMDB_WSTREAM_MAGIC);
	l = ws->ws_l;
	ss = ws->ws_ss;
	if (ok) {
		if (ws->ws_err != 0)
			err = ws->ws_err;
		else if (atomic_load(&ss->ss_broken))
			err = ENOSPC;
		else if (ws->ws_off != ws->ws_len)
			err = STO_EFAILED;
		else if ((err = ws_finish(ws)) == 0)
			goto done;
	}
	/* Dropped: queued chunks are skipped, written ones deleted. */
	lmdb_stream_break(l, ss, 0);
	j = ws->ws_cn > 0 ? lmdb_job_new(LJ_SEND) : NULL;
	if (j != NULL) {
		j->j_key = ss->ss_key;
		j->j_id = ss->ss_id;
		j->j_ss = lmdb_stream_ref(ss);
		STO_AZ(lmdb_q_push(l, j)); /* a delete: always goes in */
	} else {
		/*
		 * Nothing queued, or no memory for the delete: chunks
		 * already written keep their lru entry, and eviction takes
		 * them once the stream is off the list.
		 */
		STO_AZ(pthread_mutex_lock(&l->l_qmtx));
		lmdb_stream_unlink(l, ss);
		STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	}
	/* Not on disk: the object may be written otherwise. */
	atomic_fetch_and(&ws->ws_obj->o_flags, ~(unsigned)STO_F_ONDISK);
done:
	free(ws->ws_buf);
	sto_obj_deref(&ws->ws_obj);
	lmdb_stream_deref(&ws->ws_ss);
	ws->magic = 0;
	free(ws);
	return (err);
}
