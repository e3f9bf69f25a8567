/*
 * sto_evict.c: the memory tier's eviction policies: plain LRU, segmented
 * LRU, and S3-FIFO (Yang et al., "FIFO queues are all you need for cache
 * eviction", SOSP 2023). docs/storage.md has the hit ratios that chose the
 * default. All sizes are the bytes an object is charged in the budget.
 */
#include "storage/sto_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GHOST_WAYS     4
#define GHOST_SETS_MIN 256
#define FREQ_MAX       3

/* ---- queues ---- */

/* Put o at the head (newest end) of queue qi. */
static void
q_push(struct sto_evict *ev, unsigned qi, struct sto_obj *o)
{
	struct sto_queue *q = &ev->ev_q[qi];
	struct sto_mem_link *ml = &o->o_mem;

	STO_ASSERT(ml->ml_queue == STO_Q_NONE);
	ml->ml_queue = (uint8_t)qi;
	ml->ml_prev = NULL;
	ml->ml_next = q->q_head;
	if (q->q_head != NULL)
		q->q_head->o_mem.ml_prev = o;
	else
		q->q_tail = o;
	q->q_head = o;
	q->q_bytes += ml->ml_size;
	q->q_n++;
}

/* Take o out of whichever queue holds it. */
static void
q_del(struct sto_evict *ev, struct sto_obj *o)
{
	struct sto_mem_link *ml = &o->o_mem;
	struct sto_queue *q;

	STO_ASSERT(ml->ml_queue != STO_Q_NONE && ml->ml_queue < STO_NQ);
	q = &ev->ev_q[ml->ml_queue];
	if (ml->ml_prev != NULL)
		ml->ml_prev->o_mem.ml_next = ml->ml_next;
	else
		q->q_head = ml->ml_next;
	if (ml->ml_next != NULL)
		ml->ml_next->o_mem.ml_prev = ml->ml_prev;
	else
		q->q_tail = ml->ml_prev;
	STO_ASSERT(q->q_bytes >= ml->ml_size && q->q_n > 0);
	q->q_bytes -= ml->ml_size;
	q->q_n--;
	ml->ml_prev = ml->ml_next = NULL;
	ml->ml_queue = STO_Q_NONE;
}

/* Move o to the head of queue qi (the same or another). */
static void
q_move(struct sto_evict *ev, unsigned qi, struct sto_obj *o)
{
	q_del(ev, o);
	q_push(ev, qi, o);
}

void
sto_evict_resize(struct sto_evict *ev, struct sto_obj *o, size_t size)
{
	struct sto_mem_link *ml = &o->o_mem;

	if (ml->ml_queue != STO_Q_NONE) {
		struct sto_queue *q = &ev->ev_q[ml->ml_queue];
		q->q_bytes = q->q_bytes - ml->ml_size + size;
	}
	ml->ml_size = size;
}

/* Shared by every policy: out of the queues, for remove and replace. */
static void
pol_dequeue(struct sto_evict *ev, struct sto_obj *o)
{
	if (o->o_mem.ml_queue != STO_Q_NONE)
		q_del(ev, o);
}

/* ---- LRU ---- */

static void
lru_enqueue(struct sto_evict *ev, struct sto_obj *o, unsigned hint)
{
	(void)hint;
	q_push(ev, STO_Q_A, o);
}

/* Every hit takes the eviction lock: LRU's price under concurrency. */
static void
lru_touch(struct sto_evict *ev, struct sto_obj *o)
{
	STO_AZ(pthread_mutex_lock(&ev->ev_mtx));
	if (o->o_mem.ml_queue == STO_Q_A && ev->ev_q[STO_Q_A].q_head != o)
		q_move(ev, STO_Q_A, o);
	STO_AZ(pthread_mutex_unlock(&ev->ev_mtx));
}

static struct sto_obj *
lru_victim(struct sto_evict *ev)
{
	struct sto_obj *o = ev->ev_q[STO_Q_A].q_tail;

	if (o != NULL)
		q_del(ev, o);
	return (o);
}

static const struct sto_policy_ops pol_lru = {
    .name = "lru",
    .enqueue = lru_enqueue,
    .dequeue = pol_dequeue,
    .touch = lru_touch,
    .victim = lru_victim,
};

/* ---- segmented LRU: probation (A) and protected (B) ---- */

/* Keep protected within its share by demoting its oldest to probation. */
static void
slru_balance(struct sto_evict *ev)
{
	struct sto_queue *p = &ev->ev_q[STO_Q_B];

	while (p->q_bytes > ev->ev_budget - ev->ev_small && p->q_n > 1)
		q_move(ev, STO_Q_A, p->q_tail);
}

/* A refreshed protected object stays protected; others start on probation. */
static void
slru_enqueue(struct sto_evict *ev, struct sto_obj *o, unsigned hint)
{
	q_push(ev, hint == STO_Q_B ? STO_Q_B : STO_Q_A, o);
	if (hint == STO_Q_B)
		slru_balance(ev);
}

static void
slru_touch(struct sto_evict *ev, struct sto_obj *o)
{
	STO_AZ(pthread_mutex_lock(&ev->ev_mtx));
	if (o->o_mem.ml_queue != STO_Q_NONE && ev->ev_q[STO_Q_B].q_head != o) {
		q_move(ev, STO_Q_B, o);
		slru_balance(ev);
	}
	STO_AZ(pthread_mutex_unlock(&ev->ev_mtx));
}

static struct sto_obj *
slru_victim(struct sto_evict *ev)
{
	struct sto_obj *o = ev->ev_q[STO_Q_A].q_tail;

	if (o == NULL)
		o = ev->ev_q[STO_Q_B].q_tail;
	if (o != NULL)
		q_del(ev, o);
	return (o);
}

static const struct sto_policy_ops pol_slru = {
    .name = "slru",
    .enqueue = slru_enqueue,
    .dequeue = pol_dequeue,
    .touch = slru_touch,
    .victim = slru_victim,
};

/* ---- S3-FIFO: small (A), main (B), ghost ---- */

static uint64_t
ghost_fp(const struct sto_obj *o)
{
	uint64_t fp = o->o_key.lo ^ (o->o_key.hi * 0x9e3779b97f4a7c15ULL);

	return (fp != 0 ? fp : 1);
}

static int
ghost_live(const struct sto_evict *ev, const struct sto_ghost_ent *e)
{
	return (e->ge_fp != 0 &&
		ev->ev_ghost_clock - e->ge_clock < ev->ev_ghost_window);
}

/* Store fp in its set: over its own old entry, a dead one, or the oldest. */
static void
ghost_put(struct sto_evict *ev, uint64_t fp, uint64_t clock)
{
	struct sto_ghost_ent *set, *pick;
	unsigned w;

	if (ev->ev_ghost == NULL)
		return;
	set = &ev->ev_ghost[(fp & (ev->ev_ghost_sets - 1)) * GHOST_WAYS];
	pick = &set[0];
	for (w = 0; w < GHOST_WAYS; w++) {
		if (set[w].ge_fp == fp || !ghost_live(ev, &set[w])) {
			pick = &set[w];
			break;
		}
		if (set[w].ge_clock < pick->ge_clock)
			pick = &set[w];
	}
	pick->ge_fp = fp;
	pick->ge_clock = clock;
}

/* Whether fp was evicted from small recently; a hit consumes the entry. */
static int
ghost_take(struct sto_evict *ev, uint64_t fp)
{
	struct sto_ghost_ent *set;
	unsigned w;

	if (ev->ev_ghost == NULL)
		return (0);
	set = &ev->ev_ghost[(fp & (ev->ev_ghost_sets - 1)) * GHOST_WAYS];
	for (w = 0; w < GHOST_WAYS; w++) {
		if (set[w].ge_fp == fp) {
			int live = ghost_live(ev, &set[w]);
			set[w].ge_fp = 0;
			return (live);
		}
	}
	return (0);
}

/*
 * Keep at least two ghost slots per cached object, so live entries are
 * rarely overwritten. On allocation failure the ghost just stays smaller.
 */
static void
ghost_grow(struct sto_evict *ev)
{
	struct sto_ghost_ent *old = ev->ev_ghost, *nt;
	size_t osets = ev->ev_ghost_sets, nsets, i;
	size_t nobj = ev->ev_q[STO_Q_A].q_n + ev->ev_q[STO_Q_B].q_n;

	if (old == NULL || nobj * 2 <= osets * GHOST_WAYS)
		return;
	nsets = osets * 2;
	nt = calloc(nsets * GHOST_WAYS, sizeof *nt);
	if (nt == NULL)
		return;
	ev->ev_ghost = nt;
	ev->ev_ghost_sets = nsets;
	for (i = 0; i < osets * GHOST_WAYS; i++)
		if (ghost_live(ev, &old[i]))
			ghost_put(ev, old[i].ge_fp, old[i].ge_clock);
	free(old);
}

/*
 * Ghost hits and refreshed main objects go to main; others to small, except
 * before the first eviction, when main fills directly (as libCacheSim's
 * S3FIFO does: the warm-up objects are not pushed out through small).
 */
static void
s3_enqueue(struct sto_evict *ev, struct sto_obj *o, unsigned hint)
{
	atomic_store_explicit(&o->o_mem.ml_freq, 0, memory_order_relaxed);
	if (ghost_take(ev, ghost_fp(o)) || hint == STO_Q_B ||
	    (!ev->ev_has_evicted && ev->ev_q[STO_Q_A].q_bytes >= ev->ev_small))
		q_push(ev, STO_Q_B, o);
	else
		q_push(ev, STO_Q_A, o);
	ghost_grow(ev);
}

/* A hit is one relaxed increment, no lock: lost updates are harmless. */
static void
s3_touch(struct sto_evict *ev, struct sto_obj *o)
{
	uint8_t f;

	(void)ev;
	f = atomic_load_explicit(&o->o_mem.ml_freq, memory_order_relaxed);
	if (f < FREQ_MAX)
		atomic_store_explicit(&o->o_mem.ml_freq, (uint8_t)(f + 1),
				      memory_order_relaxed);
}

static struct sto_obj *
s3_victim(struct sto_evict *ev)
{
	struct sto_queue *s = &ev->ev_q[STO_Q_A], *m = &ev->ev_q[STO_Q_B];
	struct sto_obj *o;
	uint8_t f;

	ev->ev_has_evicted = 1;
	for (;;) {
		if (s->q_n == 0 && m->q_n == 0)
			return (NULL);
		if (s->q_n == 0 || m->q_bytes > ev->ev_budget - ev->ev_small) {
			/* main: a CLOCK with a 2-bit counter */
			o = m->q_tail;
			f = atomic_load_explicit(&o->o_mem.ml_freq,
						 memory_order_relaxed);
			if (f > 0) {
				atomic_store_explicit(&o->o_mem.ml_freq,
						      (uint8_t)(f - 1),
						      memory_order_relaxed);
				q_move(ev, STO_Q_B, o);
				continue;
			}
			q_del(ev, o);
			return (o);
		}
		/* small: hit enough while in it -> main, else out, to ghost */
		o = s->q_tail;
		f = atomic_load_explicit(&o->o_mem.ml_freq,
					 memory_order_relaxed);
		if (f >= ev->ev_promote) {
			atomic_store_explicit(&o->o_mem.ml_freq, 0,
					      memory_order_relaxed);
			q_move(ev, STO_Q_B, o);
			continue;
		}
		q_del(ev, o);
		ev->ev_ghost_clock += o->o_mem.ml_size;
		ghost_put(ev, ghost_fp(o), ev->ev_ghost_clock);
		return (o);
	}
}

static const struct sto_policy_ops pol_s3fifo = {
    .name = "s3fifo",
    .enqueue = s3_enqueue,
    .dequeue = pol_dequeue,
    .touch = s3_touch,
    .victim = s3_victim,
};

const struct sto_policy_ops *const sto_policies[STO_POL__N] = {
    [STO_POL_LRU] = &pol_lru,
    [STO_POL_SLRU] = &pol_slru,
    [STO_POL_S3FIFO] = &pol_s3fifo,
};

int
sto_evict_init(struct sto_evict *ev, const struct sto_mem_conf *mc)
{
	unsigned pct = mc->mc_small_pct;

	memset(ev, 0, sizeof *ev);
	ev->magic = STO_EVICT_MAGIC;
	if ((unsigned)mc->mc_policy >= STO_POL__N || pct >= 100)
		return (EINVAL);
	ev->ev_ops = sto_policies[mc->mc_policy];
	if (pct == 0)
		pct = mc->mc_policy == STO_POL_SLRU ? 20 : 10;
	ev->ev_budget = mc->mc_budget;
	ev->ev_small =
	    mc->mc_budget / 100 * pct + mc->mc_budget % 100 * pct / 100;
	ev->ev_promote = mc->mc_promote > 0 ? mc->mc_promote : 1;
	ev->ev_ghost_window = ev->ev_budget - ev->ev_small;
	if (mc->mc_policy == STO_POL_S3FIFO) {
		ev->ev_ghost_sets = GHOST_SETS_MIN;
		ev->ev_ghost =
		    calloc(GHOST_SETS_MIN * GHOST_WAYS, sizeof *ev->ev_ghost);
		if (ev->ev_ghost == NULL)
			return (ENOMEM);
	}
	if (pthread_mutex_init(&ev->ev_mtx, NULL) != 0) {
		free(ev->ev_ghost);
		return (ENOMEM);
	}
	return (0);
}

void
sto_evict_fini(struct sto_evict *ev)
{
	STO_CHECK_OBJ(ev, STO_EVICT_MAGIC);
	STO_AZ(pthread_mutex_destroy(&ev->ev_mtx));
	free(ev->ev_ghost);
	ev->ev_ghost = NULL;
	ev->magic = 0;
}
