/*
 * sto_lmdb_int.h: private to the LMDB tier (sto_lmdb*.c). Not for the
 * daemon (storage/sto_lmdb.h) nor for accelctl.
 *
 * Modules:
 *   sto_lmdb_fmt.c   records and keys: encode, decode, check (no LMDB
 *                    calls but MDB_val; everything read is untrusted)
 *   sto_lmdb_conf.c  -s lmdb=... settings
 *   sto_lmdb.c       the environment, per-thread read transactions, the
 *                    tier ops, sto_lmdb_read()
 *   sto_lmdb_q.c     the write-behind queue and the tombstones
 *   sto_lmdb_st.c    streaming writes (sto_lmdb_stream_*): the caller's
 *                    side; their jobs run in sto_lmdb_wr.c
 *   sto_lmdb_wr.c    write transactions: the writer thread, deleting
 *                    objects, eviction
 *   sto_lmdb_ctl.c   accelctl's walk, get, body, delete, info
 *
 * Threads and locks. Any thread: the ops, read, flush, the ctl functions.
 * The writer thread alone: every write transaction of the daemon (and
 * sto_lmdb_delete()'s, on the caller's thread, in accelctl), l_store,
 * l_wrtxn, l_pages_max. Locks, never nested but as noted: l_qmtx (the
 * queue), l_tmtx (tombstones), l_rmtx (the pool of read transactions,
 * taken inside the process-wide lmdb_live_mtx, sto_lmdb.c).
 */
#ifndef STO_LMDB_INT_H
#define STO_LMDB_INT_H

#include <lmdb.h>
#include <pthread.h>

#include "storage/sto_common.h"
#include "storage/sto_lmdb.h"

/* ---- format (docs/storage-lmdb.md) ---- */

#define LMDB_FORMAT 1
#define LMDB_SUM    8 /* XXH3-64 after each record */
/* The store record: 48 bytes of fields and their checksum. */
#define LMDB_STORE_LEN (48 + LMDB_SUM)
/* The metadata record's fixed part, before the variable fields. */
#define LMDB_META_FIXED 104
/* Key sizes: object key (16) + id; id; id + chunk; u32 + id. */
#define LMDB_IDX_KLEN   24
#define LMDB_OBJ_KLEN   8
#define LMDB_CHUNK_KLEN 12
#define LMDB_ORD_KLEN   12 /* exp (dead_at, id) and lru (gen, id) */
#define LMDB_IDX_VLEN   12
/* Chunk sizes -s takes (a chunk record's size: a multiple of the page
 * size makes every full chunk fill whole overflow pages). */
#define LMDB_CHUNK_MIN ((size_t)1 << 10)
#define LMDB_CHUNK_MAX ((size_t)64 << 20)
/*
 * Body bytes per chunk are the record size less LMDB's overflow page
 * header (16) and our checksum (8): a 64 KiB chunk holds 65512 body
 * bytes in 16 pages, where 65536 would take 17 (a 16 KiB one: 5 pages
 * for 4, a quarter of the store wasted).
 */
#define LMDB_CHUNK_PAD 24
/* Body bytes per chunk a record may carry: decoding refuses others. */
#define LMDB_CHUNK_BODY_MIN (LMDB_CHUNK_MIN - LMDB_CHUNK_PAD)
#define LMDB_CHUNK_BODY_MAX (LMDB_CHUNK_MAX - LMDB_CHUNK_PAD)
/* The generation advances each 1/LMDB_GEN_DIV of the map written. */
#define LMDB_GEN_DIV 64

/* X(NAME, name): the named databases, in creation order. */
#define LMDB_DB_LIST(X)                                                        \
	X(INFO, "info")                                                        \
	X(IDX, "idx")                                                          \
	X(OBJ, "obj")                                                          \
	X(CHUNK, "chunk")                                                      \
	X(EXP, "exp")                                                          \
	X(LRU, "lru")                                                          \
	X(TAG, "tag")                                                          \
	X(BAN, "ban")

enum lmdb_db {
#define X(NAME, name) LDB_##NAME,
	LMDB_DB_LIST(X)
#undef X
	    LDB__N
};

/* The store record, decoded. */
struct lmdb_store {
	uint32_t ls_format;
	uint32_t ls_chunk;
	uint32_t ls_gen;       /* current recency generation */
	uint64_t ls_next_id;   /* the next id to give out (ids start at 1) */
	uint64_t ls_gen_bytes; /* record bytes written in this generation */
	uint64_t ls_objects;   /* idx entries */
	uint64_t ls_bytes;     /* record bytes: metadata + chunk values */
};

/*
 * A metadata record, decoded and checked. The pointers are into the
 * record: valid only inside the read or write transaction that read it.
 */
struct lmdb_meta {
	struct sto_key lm_key;
	uint64_t lm_body; /* body length */
	uint32_t lm_chunk;
	uint16_t lm_status;
	unsigned lm_cflags;
	double lm_t_req, lm_t_resp, lm_date, lm_ttl;
	float lm_age_recv, lm_grace, lm_keep, lm_sie;
	const uint8_t *lm_hashin;
	uint32_t lm_hashin_len;
	/* Fields as sto_obj_meta() gives them: ptr NULL when never set. */
	struct sto_bytes lm_f[STO_META__N];
};

/* An idx value. */
struct lmdb_idxv {
	uint32_t iv_gen;
	uint32_t iv_hits;
	uint32_t iv_dead_at;
};

uint64_t lmdb_get64be(const uint8_t *p);
uint32_t lmdb_get32be(const uint8_t *p);
void lmdb_put64be(uint8_t *p, uint64_t v);
void lmdb_put32be(uint8_t *p, uint32_t v);

/* Key builders: buf must hold the key's length; returns the MDB_val. */
MDB_val lmdb_idx_key(uint8_t *buf, const struct sto_key *k, uint64_t id);
MDB_val lmdb_id_key(uint8_t *buf, uint64_t id);
MDB_val lmdb_chunk_key(uint8_t *buf, uint64_t id, uint32_t n);
MDB_val lmdb_ord_key(uint8_t *buf, uint32_t ord, uint64_t id);
/* Split an idx key; 0, or STO_ECORRUPT when it has the wrong length. */
int lmdb_idx_key_dec(const MDB_val *v, struct sto_key *k, uint64_t *id);

void lmdb_store_enc(uint8_t *buf, const struct lmdb_store *s);
/* 0, or STO_EFORMAT with a static reason in *why. */
int lmdb_store_dec(struct lmdb_store *s, const MDB_val *v, const char **why);

void lmdb_idxv_enc(uint8_t *buf, const struct lmdb_idxv *iv);
int lmdb_idxv_dec(struct lmdb_idxv *iv, const MDB_val *v);

/* The second after which nothing can use o (saturated to u32). */
uint32_t lmdb_dead_at(const struct sto_obj *o);
/* Bytes of o's metadata record. */
size_t lmdb_meta_size(const struct sto_obj *o);
/* Write o's record (lmdb_meta_size(o) bytes) for id into p; body: the
 * body length it records (sto_obj_len(o), or a stream's announced one). */
void lmdb_meta_enc(uint8_t *p, size_t len, const struct sto_obj *o, uint64_t id,
		   uint64_t body, uint32_t chunk);
/*
 * Decode and check the record of id: 0 or STO_ECORRUPT (checksum,
 * lengths, magic, chunk size). k, when not NULL, is the key the record
 * must carry.
 */
int lmdb_meta_dec(struct lmdb_meta *m, const MDB_val *v, uint64_t id,
		  const struct sto_key *k);
/* Whether m was stored under these hash inputs. */
int lmdb_meta_hashin_eq(const struct lmdb_meta *m, const void *hashin,
			size_t len);
/*
 * A new object holding the caller's reference, from record m: metadata
 * set. diskbody: COMPLETE, STO_F_DISKBODY, o_dsk = (id, chunk size);
 * else BUSY with o_content_length = the body length, for the caller to
 * append the body and finish. 0, ENOMEM or EINVAL.
 */
int lmdb_meta_obj(struct sto_obj **op, const struct lmdb_meta *m, uint64_t id,
		  int diskbody);

/* The key a record carries, unchecked (deleting a corrupt object): 0,
 * or STO_ECORRUPT when too short to hold one. */
int lmdb_meta_rawkey(const MDB_val *v, struct sto_key *k);
/* Bytes of records for a body: chunk values (body + checksums). */
uint64_t lmdb_chunks_size(uint64_t body, uint32_t chunk);
/* Number of chunks of a body. */
uint64_t lmdb_nchunks(uint64_t body, uint32_t chunk);
/* Seal chunk n of id: its n bytes at p, the checksum written after. */
void lmdb_chunk_seal(uint8_t *p, size_t n, uint64_t id, uint32_t cn);
/* Check a chunk value that must hold want body bytes: 0 or STO_ECORRUPT. */
int lmdb_chunk_check(const MDB_val *v, uint64_t id, uint32_t cn, size_t want);

/* ---- the tier ---- */

/* The write-behind queue's jobs. */
enum lmdb_job_kind {
	LJ_PUT,    /* write j_obj */
	LJ_DEL,    /* remove(): j_tomb's key (and hash inputs) */
	LJ_DELID,  /* unlink(): delete exactly (j_key, j_id) */
	LJ_RETIRE, /* a reader met (j_key, j_id) dead: delete it */
	LJ_DROP,   /* a reader met (j_key, j_id) corrupt: delete it */
	LJ_DELVAR, /* unlink(): what j_obj (a metadata copy) replaces */
	LJ_TOUCH,  /* a disk hit on (j_key, j_id); j_id 0: every id under
		      j_key, used in memory (sto_lmdb_touch_key) */
	LJ_SCHUNK, /* a stream's chunk j_cn (j_buf, sealed) of j_id */
	LJ_SEND,   /* a stream's end: j_obj set, its last chunk (j_buf, may
		      be NULL) and metadata; j_obj NULL, delete what it
		      wrote */
};

struct lmdb_tomb;
struct sto_lmdb;

/*
 * A stream's state, shared by its caller's handle (sto_lmdb_wstream,
 * sto_lmdb_st.c) and its queued jobs: freed with the last reference.
 * From begin until its end job is done it is on l_streams: eviction
 * skips its id.
 */
struct lmdb_stream {
	unsigned magic;
#define LMDB_STREAM_MAGIC 0x4c9d2e71
	_Atomic unsigned ss_refcnt;
	uint64_t ss_id; /* immutable */
	struct sto_key ss_key;
	/* Under l_qmtx. */
	struct lmdb_stream *ss_prev, *ss_next; /* l_streams */
	unsigned ss_live;                      /* on l_streams */
	size_t ss_qbytes; /* bytes of its jobs queued or being written */
	/* Set once (atomic exchange) by whoever drops the stream: the
	 * writer skips its chunks, append answers ENOSPC. */
	_Atomic int ss_broken;
	/* Writer only: the generation of its lru entry, which every chunk
	 * job (re)writes so that any committed chunk has one. */
	uint32_t ss_gen;
	unsigned ss_haslru;
};

/* Take and drop a reference (the last one frees). */
struct lmdb_stream *lmdb_stream_ref(struct lmdb_stream *ss);
void lmdb_stream_deref(struct lmdb_stream **ssp);
/* Mark ss dropped; count it in wb_dropped if count and it was not yet. */
void lmdb_stream_break(struct sto_lmdb *l, struct lmdb_stream *ss, int count);

/* One queued job; owned by the queue, then by the writer. */
struct lmdb_job {
	unsigned magic;
#define LMDB_JOB_MAGIC 0x1a0b5c3e
	struct lmdb_job *j_next;
	enum lmdb_job_kind j_kind;
	unsigned j_done;          /* writer: applied in a committed txn */
	uint64_t j_seq;           /* queue order */
	struct sto_key j_key;     /* all but PUT: the key */
	uint64_t j_id;            /* DELID, RETIRE, DROP, TOUCH (0: the
				     whole key) */
	struct sto_obj *j_obj;    /* PUT, DELVAR: the job's reference */
	struct lmdb_tomb *j_tomb; /* DEL, DELVAR: its tombstone (the queue's) */
	size_t j_bytes;           /* PUT, SCHUNK, SEND: bytes charged to
				     the queue */
	struct lmdb_stream *j_ss; /* SCHUNK, SEND: the job's reference */
	uint8_t *j_buf;           /* SCHUNK, SEND: a chunk value (body and
				     checksum), owned; NULL: none */
	size_t j_blen;            /* its bytes */
	uint32_t j_cn;            /* its chunk number */
	uint64_t j_nch;           /* SEND: chunks of the whole body */
	uint64_t j_body;          /* SEND: body length */
};

/* Jobs that write data: bounded by the queue's bytes, and run alone when
 * a batch does not fit (sto_lmdb_wr.c). */
static inline int
lmdb_job_data(const struct lmdb_job *j)
{
	return (j->j_kind == LJ_PUT || j->j_kind == LJ_SCHUNK ||
		j->j_kind == LJ_SEND);
}

/* A key being removed: lookups miss it until the delete is committed. */
struct lmdb_tomb {
	unsigned magic;
#define LMDB_TOMB_MAGIC 0x7b3d9e21
	struct lmdb_tomb *tb_next; /* bucket chain, l_tmtx */
	struct sto_key tb_key;
	uint8_t *tb_hashin; /* owned copy; NULL: every object under the key */
	size_t tb_hashin_len;
};

#define LMDB_TOMB_BUCKETS 64

/* A read transaction of one thread, pooled by its tier. */
struct lmdb_rtxn {
	unsigned magic;
#define LMDB_RTXN_MAGIC 0x2c4e6a80
	struct lmdb_rtxn *rt_next;   /* l_rtxns, l_rmtx */
	unsigned rt_busy;            /* a thread's slot holds it, l_rmtx */
	MDB_txn *rt_txn;             /* reset between calls */
	MDB_cursor *rt_idx;          /* idx cursor, renewed with rt_txn */
	struct lmdb_rtxn *rt_parent; /* a nested call's: the outer one
					(rt_txn is its), else NULL */
};

/* X(name): every counter the tier keeps (both lists' names). */
struct lmdb_ctr {
#define X(name, help) _Atomic uint64_t name;
	STO_STATS_LIST(X)
	STO_LMDB_STATS_LIST(X)
#undef X
};

struct sto_lmdb {
	struct sto_tier l_tier; /* first: a tier pointer is ours */
	unsigned magic;
#define STO_LMDB_MAGIC 0x1d3b0c57
	struct sto_lmdb_conf l_conf;
	/* Fixed after open. */
	MDB_env *l_env;
	MDB_dbi l_dbi[LDB__N];
	uint32_t l_chunk;  /* body bytes per chunk, the store's */
	size_t l_psize;    /* page size */
	size_t l_mapsize;  /* the map's size in bytes */
	uint64_t l_serial; /* unique in the process: names the tier in
			      threads' read slots */
	/* The next id to give out: streams take theirs at begin (any
	 * thread), the writer for each PUT; the store record's next id is
	 * kept above every id a committed write used. */
	_Atomic uint64_t l_next_id;
	struct sto_lmdb *l_live_next; /* lmdb_live list, lmdb_live_mtx */

	/* Read transactions handed to threads (sto_lmdb.c). */
	pthread_mutex_t l_rmtx;
	struct lmdb_rtxn *l_rtxns;

	/* The queue (sto_lmdb_q.c), under l_qmtx. */
	pthread_mutex_t l_qmtx;
	pthread_cond_t l_qcv;    /* the writer waits for work */
	pthread_cond_t l_donecv; /* flushes wait for l_done */
	struct lmdb_job *l_qhead;
	struct lmdb_job **l_qtail;
	size_t l_qbytes; /* data job bytes queued or being written */
	struct lmdb_stream *l_streams; /* live streams */
	unsigned l_nstreams;
	unsigned l_qn;        /* jobs queued */
	unsigned l_qtouch;    /* of which touches */
	uint64_t l_qtouch_t0; /* when the first of them came (ms) */
	uint64_t l_qseq;      /* seq of the last job queued */
	uint64_t l_done;      /* jobs up to this seq are done */
	unsigned l_flushing;  /* flushes waiting: no batch wait */
	unsigned l_stop;      /* close: drain and exit */
	pthread_t l_thr;
	unsigned l_thr_live;

	/* Tombstones, under l_tmtx; l_ntomb is read without it. */
	pthread_mutex_t l_tmtx;
	struct lmdb_tomb *l_tomb[LMDB_TOMB_BUCKETS];
	_Atomic unsigned l_ntomb;

	/* Writer thread only. */
	MDB_txn *l_wrtxn;   /* its read txn: the free-list count */
	size_t l_pages_max; /* pages the store may use: the map's, or
			       those in use at the last ENOSPC */
	uint64_t l_batches; /* batches run: mdb_reader_check now and
			       then */

	struct lmdb_ctr l_ctr; /* relaxed atomics, any thread */
};

#define LMDB_CTR_ADD(l, name, n)                                               \
	atomic_fetch_add_explicit(&(l)->l_ctr.name, (uint64_t)(n),             \
				  memory_order_relaxed)
#define LMDB_CTR_SET(l, name, n)                                               \
	atomic_store_explicit(&(l)->l_ctr.name, (uint64_t)(n),                 \
			      memory_order_relaxed)
#define LMDB_CTR_GET(l, name)                                                  \
	atomic_load_explicit(&(l)->l_ctr.name, memory_order_relaxed)

/* The tier behind t (checked). */
struct sto_lmdb *lmdb_of(struct sto_tier *t);
/* An LMDB or errno code as a storage error (a positive errno or STO_*). */
int lmdb_err(int rc);
/* Wall clock, whole seconds, saturated to u32. */
uint32_t lmdb_now(void);

/*
 * The calling thread's read transaction on l, renewed: 0 and *rtp, or an
 * error. lmdb_rtxn_leave() resets it; every enter has its leave before
 * the call that entered returns. A call inside another (a callback) gets
 * the outer snapshot and a cursor of its own.
 */
int lmdb_rtxn_enter(struct sto_lmdb *l, struct lmdb_rtxn **rtp);
void lmdb_rtxn_leave(struct sto_lmdb *l, struct lmdb_rtxn *rt);

/* A record a reader found bad: counted, and deleted behind. */
void lmdb_corrupt(struct sto_lmdb *l, const struct sto_key *k, uint64_t id);
/*
 * Body bytes [off, off + len) of object (k, id), whose body is body bytes
 * in chunks of c, to fn, inside txn (a read or write transaction): see
 * sto_lmdb_read().
 */
int lmdb_read_range(struct sto_lmdb *l, MDB_txn *txn, const struct sto_key *k,
		    uint64_t id, uint64_t body, uint32_t c, uint64_t off,
		    uint64_t len, sto_read_f *fn, void *priv);

/* ---- the queue (sto_lmdb_q.c) ---- */

int lmdb_q_init(struct sto_lmdb *l);
void lmdb_q_fini(struct sto_lmdb *l);
/* A job of kind; NULL on ENOMEM. */
struct lmdb_job *lmdb_job_new(enum lmdb_job_kind kind);
/* Free a job and what it holds (j_obj's reference). */
void lmdb_job_free(struct lmdb_job **jp);
/*
 * Queue j (the queue owns it from here). PUTs and stream chunks are
 * refused with ENOSPC when their bytes do not fit (a chunk also when its
 * stream holds lmdb_stream_qmax already), touches silently past their
 * cap (0 with the job freed); the rest (stream ends included) always go
 * in. 0 or ENOSPC (j freed).
 */
int lmdb_q_push(struct sto_lmdb *l, struct lmdb_job *j);
/* Queue a RETIRE, DROP or TOUCH (best effort: a lost one costs nothing
 * but a later retry). A TOUCH of id 0 is one of every id under k. 0
 * (also on a read-only tier, and for a touch past the cap), or ENOMEM. */
int lmdb_q_id(struct sto_lmdb *l, enum lmdb_job_kind kind,
	      const struct sto_key *k, uint64_t id);
/* Writer: wait for work and take it all; NULL when stopping and empty. */
struct lmdb_job *lmdb_q_take(struct sto_lmdb *l);
/* Writer: the jobs taken are done; free them, wake flushes. */
void lmdb_q_done(struct sto_lmdb *l, struct lmdb_job *jobs);
/* Wait until what was queued before the call is done. */
int lmdb_q_flush(struct sto_lmdb *l);
/* Bytes of queued chunks a stream may hold (sto_lmdb_st.c). */
size_t lmdb_stream_qmax(const struct sto_lmdb *l);
/* Add ss to l_streams / take it off (idempotent); l_qmtx held. */
void lmdb_stream_link(struct sto_lmdb *l, struct lmdb_stream *ss);
void lmdb_stream_unlink(struct sto_lmdb *l, struct lmdb_stream *ss);

/* A tombstone for (k, hashin) (hashin NULL: the whole key); NULL: ENOMEM. */
struct lmdb_tomb *lmdb_tomb_add(struct sto_lmdb *l, const struct sto_key *k,
				const void *hashin, size_t len);
void lmdb_tomb_del(struct sto_lmdb *l, struct lmdb_tomb **tbp);
/* Whether a lookup of (k, hashin) must miss. */
int lmdb_tomb_hit(struct sto_lmdb *l, const struct sto_key *k,
		  const void *hashin, size_t len);

/* ---- write transactions (sto_lmdb_wr.c) ---- */

/* One write transaction and what it changes, applied at commit. */
struct lmdb_wtx {
	unsigned magic;
#define LMDB_WTX_MAGIC 0x5e2f4a19
	struct sto_lmdb *w_l;
	MDB_txn *w_txn;
	struct lmdb_store w_st; /* read at begin, written at commit */
	uint32_t w_now;
	int w_dirty; /* w_st changed */
	/* Counted at commit. */
	uint64_t w_written, w_replaced, w_removed, w_evictions, w_evicted_bytes,
	    w_expired, w_corrupt, w_touches, w_streamed;
};

int lmdb_wtx_begin(struct sto_lmdb *l, struct lmdb_wtx *w);
/* Commit (the store record first if changed), then count what it did:
 * 0 or an LMDB code. The txn is ended either way. */
int lmdb_wtx_commit(struct lmdb_wtx *w);
void lmdb_wtx_abort(struct lmdb_wtx *w);

/*
 * Delete object id and everything of it (obj, chunks, idx, exp, lru). k:
 * its key when known, else the one its record carries. *freed (may be
 * NULL) gets the record bytes deleted, *n (may be NULL) one more if there
 * was something. 0 (also when there was nothing), or an LMDB code or
 * errno (the txn must then be aborted).
 */
int lmdb_del_id(struct lmdb_wtx *w, const struct sto_key *k, uint64_t id,
		uint64_t *freed, unsigned *n);
/*
 * Delete the objects under k whose hash inputs equal (hashin, len), all
 * of them when hashin is NULL, or those o replaces when o is not NULL
 * (sto_same_variant). *n gets the count. 0 or an LMDB code.
 */
int lmdb_del_key(struct lmdb_wtx *w, const struct sto_key *k,
		 const void *hashin, size_t len, const struct sto_obj *o,
		 unsigned *n);

int lmdb_writer_start(struct sto_lmdb *l);
/* Drain the queue, stop the writer, join it. */
void lmdb_writer_stop(struct sto_lmdb *l);

#endif
