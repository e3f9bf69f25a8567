/*
 * sto_lmdb_q.c: the LMDB tier's write-behind queue and its tombstones.
 *
 * Any thread queues; the writer thread takes everything queued at once
 * and commits it as one batch (sto_lmdb_wr.c). The queue is bounded by
 * the bytes of the objects and stream chunks it holds, counted until
 * their batch is done (their memory is ours until then); a PUT or chunk
 * that does not fit is refused, never waited for. A stream's chunks are
 * bounded on their own too (lmdb_stream_qmax). Deletes always go in: they are
 * small, and a remove that did not reach the disk would come back after a
 * restart. Touches (disk hits) are capped in number and do not start a batch on
 * their own before LMDB_TOUCH_DELAY_MS: a read-only load costs about one commit
 * a second, not one per batch interval.
 *
 * Tombstones: remove() files one before it queues its delete, and the
 * writer takes it away after the commit that applied the delete. A lookup
 * checks them before it renews its snapshot, so it either sees the
 * tombstone or a snapshot that has the delete.
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LMDB_TOUCH_MAX      65536 /* touches queued at most */
#define LMDB_TOUCH_DELAY_MS 1000  /* touches alone wait this long */
#define LMDB_BATCH_FEW      64    /* fewer jobs: wait batch ms for more */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	STO_AZ(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Wait on cv until the monotonic time ms (or a signal). */
static void
wait_until(pthread_cond_t *cv, pthread_mutex_t *mtx, uint64_t ms)
{
	struct timespec ts;
	int e;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	e = pthread_cond_timedwait(cv, mtx, &ts);
	STO_ASSERT(e == 0 || e == ETIMEDOUT);
}

int
lmdb_q_init(struct sto_lmdb *l)
{
	pthread_condattr_t ca;

	if (pthread_condattr_init(&ca) != 0)
		return (ENOMEM);
	STO_AZ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	if (pthread_mutex_init(&l->l_qmtx, NULL) != 0)
		goto fail0;
	if (pthread_cond_init(&l->l_qcv, &ca) != 0)
		goto fail1;
	if (pthread_cond_init(&l->l_donecv, NULL) != 0)
		goto fail2;
	if (pthread_mutex_init(&l->l_tmtx, NULL) != 0)
		goto fail3;
	STO_AZ(pthread_condattr_destroy(&ca));
	l->l_qhead = NULL;
	l->l_qtail = &l->l_qhead;
	atomic_init(&l->l_ntomb, 0);
	return (0);
fail3:
	STO_AZ(pthread_cond_destroy(&l->l_donecv));
fail2:
	STO_AZ(pthread_cond_destroy(&l->l_qcv));
fail1:
	STO_AZ(pthread_mutex_destroy(&l->l_qmtx));
fail0:
	STO_AZ(pthread_condattr_destroy(&ca));
	return (ENOMEM);
}

/* The writer is gone: free what is left (nothing, after a drain). */
void
lmdb_q_fini(struct sto_lmdb *l)
{
	struct lmdb_tomb *tb;
	struct lmdb_job *j;
	unsigned u;

	if (l->l_qtail == NULL)
		return; /* never initialised */
	while ((j = l->l_qhead) != NULL) {
		l->l_qhead = j->j_next;
		if (j->j_kind == LJ_SEND)
			lmdb_stream_unlink(l, j->j_ss);
		lmdb_job_free(&j);
	}
	/* Streams not ended (the caller's bug): their handles keep them. */
	while (l->l_streams != NULL)
		lmdb_stream_unlink(l, l->l_streams);
	for (u = 0; u < LMDB_TOMB_BUCKETS; u++) {
		while ((tb = l->l_tomb[u]) != NULL) {
			l->l_tomb[u] = tb->tb_next;
			free(tb->tb_hashin);
			tb->magic = 0;
			free(tb);
		}
	}
	STO_AZ(pthread_mutex_destroy(&l->l_tmtx));
	STO_AZ(pthread_cond_destroy(&l->l_donecv));
	STO_AZ(pthread_cond_destroy(&l->l_qcv));
	STO_AZ(pthread_mutex_destroy(&l->l_qmtx));
	l->l_qtail = NULL;
}

struct lmdb_job *
lmdb_job_new(enum lmdb_job_kind kind)
{
	struct lmdb_job *j;

	j = calloc(1, sizeof *j);
	if (j == NULL)
		return (NULL);
	j->magic = LMDB_JOB_MAGIC;
	j->j_kind = kind;
	return (j);
}

void
lmdb_job_free(struct lmdb_job **jp)
{
	struct lmdb_job *j;

	STO_AN(jp);
	j = *jp;
	*jp = NULL;
	STO_CHECK_OBJ_NOTNULL(j, LMDB_JOB_MAGIC);
	if (j->j_obj != NULL)
		sto_obj_deref(&j->j_obj);
	if (j->j_ss != NULL)
		lmdb_stream_deref(&j->j_ss);
	free(j->j_buf);
	j->magic = 0;
	free(j);
}

int
lmdb_q_push(struct sto_lmdb *l, struct lmdb_job *j)
{
	STO_CHECK_OBJ_NOTNULL(j, LMDB_JOB_MAGIC);
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	STO_ASSERT(!l->l_stop);
	if (lmdb_job_data(j)) {
		/*
		 * One object bigger than the queue may go alone. A stream's
		 * end always goes in: its chunk is memory the stream holds
		 * already, and the stream would be lost for want of one.
		 */
		if (j->j_kind != LJ_SEND &&
		    ((l->l_qbytes > 0 &&
		      l->l_qbytes + j->j_bytes > l->l_conf.lc_queue) ||
		     (j->j_ss != NULL && j->j_ss->ss_qbytes > 0 &&
		      j->j_ss->ss_qbytes + j->j_bytes > lmdb_stream_qmax(l)))) {
			STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
			lmdb_job_free(&j);
			return (ENOSPC);
		}
		l->l_qbytes += j->j_bytes;
		LMDB_CTR_SET(l, queue_bytes, l->l_qbytes);
		if (j->j_ss != NULL)
			j->j_ss->ss_qbytes += j->j_bytes;
	} else if (j->j_kind == LJ_TOUCH) {
		if (l->l_qtouch >= LMDB_TOUCH_MAX) {
			STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
			lmdb_job_free(&j);
			return (0);
		}
		if (l->l_qtouch++ == 0)
			l->l_qtouch_t0 = now_ms();
	}
	j->j_seq = ++l->l_qseq;
	j->j_next = NULL;
	*l->l_qtail = j;
	l->l_qtail = &j->j_next;
	l->l_qn++;
	STO_AZ(pthread_cond_signal(&l->l_qcv));
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	return (0);
}

int
lmdb_q_id(struct sto_lmdb *l, enum lmdb_job_kind kind, const struct sto_key *k,
	  uint64_t id)
{
	struct lmdb_job *j;

	STO_ASSERT(kind == LJ_RETIRE || kind == LJ_DROP || kind == LJ_TOUCH);
	if (l->l_conf.lc_readonly)
		return (0);
	j = lmdb_job_new(kind);
	if (j == NULL)
		return (ENOMEM);
	j->j_key = *k;
	j->j_id = id;
	/* These always go in, or (touches past the cap) are dropped: 0. */
	return (lmdb_q_push(l, j));
}

/* Whether the writer should start a batch now; l_qmtx held. */
static int
q_ready(const struct sto_lmdb *l)
{
	if (l->l_qn == 0)
		return (0);
	return (l->l_qn > l->l_qtouch || l->l_stop || l->l_flushing > 0 ||
		l->l_qtouch >= LMDB_TOUCH_MAX / 2 ||
		now_ms() >= l->l_qtouch_t0 + LMDB_TOUCH_DELAY_MS);
}

struct lmdb_job *
lmdb_q_take(struct sto_lmdb *l)
{
	struct lmdb_job *jobs;
	uint64_t until;

	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	while (!q_ready(l)) {
		if (l->l_stop && l->l_qn == 0) {
			STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
			return (NULL);
		}
		if (l->l_qn > 0)
			wait_until(&l->l_qcv, &l->l_qmtx,
				   l->l_qtouch_t0 + LMDB_TOUCH_DELAY_MS);
		else
			STO_AZ(pthread_cond_wait(&l->l_qcv, &l->l_qmtx));
	}
	/* Group commit: a few jobs wait up to batch ms for company. */
	until = now_ms() + l->l_conf.lc_batch_ms;
	while (!l->l_stop && l->l_flushing == 0 &&
	       l->l_qn - l->l_qtouch < LMDB_BATCH_FEW && now_ms() < until)
		wait_until(&l->l_qcv, &l->l_qmtx, until);
	jobs = l->l_qhead;
	l->l_qhead = NULL;
	l->l_qtail = &l->l_qhead;
	l->l_qn = 0;
	l->l_qtouch = 0;
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	return (jobs);
}

void
lmdb_q_done(struct sto_lmdb *l, struct lmdb_job *jobs)
{
	struct lmdb_job *j;
	uint64_t seq = 0;
	size_t bytes = 0;

	for (j = jobs; j != NULL; j = j->j_next) {
		STO_CHECK_OBJ(j, LMDB_JOB_MAGIC);
		bytes += j->j_bytes;
		/* A delete that failed keeps its tombstone: the key stays
		 * hidden rather than come back (until close). */
		if ((j->j_kind == LJ_DEL || j->j_kind == LJ_DELVAR) &&
		    j->j_done && j->j_tomb != NULL)
			lmdb_tomb_del(l, &j->j_tomb);
		if (j->j_seq > seq)
			seq = j->j_seq;
	}
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	STO_ASSERT(l->l_qbytes >= bytes);
	l->l_qbytes -= bytes;
	LMDB_CTR_SET(l, queue_bytes, l->l_qbytes);
	for (j = jobs; j != NULL; j = j->j_next) {
		if (j->j_ss == NULL)
			continue;
		STO_ASSERT(j->j_ss->ss_qbytes >= j->j_bytes);
		j->j_ss->ss_qbytes -= j->j_bytes;
		/* Its end is done: eviction may take it now. */
		if (j->j_kind == LJ_SEND)
			lmdb_stream_unlink(l, j->j_ss);
	}
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	/* References dropped before a flush returns. */
	while ((j = jobs) != NULL) {
		jobs = j->j_next;
		lmdb_job_free(&j);
	}
	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	if (seq > l->l_done)
		l->l_done = seq;
	STO_AZ(pthread_cond_broadcast(&l->l_donecv));
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
}

int
lmdb_q_flush(struct sto_lmdb *l)
{
	uint64_t seq;

	STO_AZ(pthread_mutex_lock(&l->l_qmtx));
	seq = l->l_qseq;
	l->l_flushing++;
	STO_AZ(pthread_cond_signal(&l->l_qcv));
	while (l->l_done < seq && l->l_thr_live)
		STO_AZ(pthread_cond_wait(&l->l_donecv, &l->l_qmtx));
	l->l_flushing--;
	STO_AZ(pthread_mutex_unlock(&l->l_qmtx));
	return (0);
}

/* ---- tombstones ---- */

static struct lmdb_tomb **
tomb_bucket(struct sto_lmdb *l, const struct sto_key *k)
{
	return (&l->l_tomb[k->lo % LMDB_TOMB_BUCKETS]);
}

struct lmdb_tomb *
lmdb_tomb_add(struct sto_lmdb *l, const struct sto_key *k, const void *hashin,
	      size_t len)
{
	struct lmdb_tomb *tb, **bp;

	tb = calloc(1, sizeof *tb);
	if (tb == NULL)
		return (NULL);
	tb->magic = LMDB_TOMB_MAGIC;
	tb->tb_key = *k;
	if (hashin != NULL) {
		/* One byte at least: non-NULL means "these inputs". */
		tb->tb_hashin = malloc(len > 0 ? len : 1);
		if (tb->tb_hashin == NULL) {
			free(tb);
			return (NULL);
		}
		if (len > 0)
			memcpy(tb->tb_hashin, hashin, len);
		tb->tb_hashin_len = len;
	}
	STO_AZ(pthread_mutex_lock(&l->l_tmtx));
	bp = tomb_bucket(l, k);
	tb->tb_next = *bp;
	*bp = tb;
	atomic_fetch_add(&l->l_ntomb, 1);
	STO_AZ(pthread_mutex_unlock(&l->l_tmtx));
	return (tb);
}

void
lmdb_tomb_del(struct sto_lmdb *l, struct lmdb_tomb **tbp)
{
	struct lmdb_tomb *tb, **pp;

	STO_AN(tbp);
	tb = *tbp;
	*tbp = NULL;
	STO_CHECK_OBJ_NOTNULL(tb, LMDB_TOMB_MAGIC);
	STO_AZ(pthread_mutex_lock(&l->l_tmtx));
	for (pp = tomb_bucket(l, &tb->tb_key); *pp != NULL;
	     pp = &(*pp)->tb_next) {
		if (*pp == tb) {
			*pp = tb->tb_next;
			break;
		}
	}
	/* After the commit it covers (seq_cst: see lmdb_tomb_hit). */
	atomic_fetch_sub(&l->l_ntomb, 1);
	STO_AZ(pthread_mutex_unlock(&l->l_tmtx));
	free(tb->tb_hashin);
	tb->magic = 0;
	free(tb);
}

int
lmdb_tomb_hit(struct sto_lmdb *l, const struct sto_key *k, const void *hashin,
	      size_t len)
{
	struct lmdb_tomb *tb;
	int hit = 0;

	/* The common case, no remove pending: no lock. */
	if (atomic_load(&l->l_ntomb) == 0)
		return (0);
	STO_AZ(pthread_mutex_lock(&l->l_tmtx));
	for (tb = *tomb_bucket(l, k); tb != NULL && !hit; tb = tb->tb_next)
		hit = sto_key_eq(&tb->tb_key, k) &&
		      (tb->tb_hashin == NULL ||
		       (tb->tb_hashin_len == len &&
			(len == 0 || memcmp(tb->tb_hashin, hashin, len) == 0)));
	STO_AZ(pthread_mutex_unlock(&l->l_tmtx));
	return (hit);
}
