/*
 * sto_mem.c: the memory tier: a byte budget over a sharded hash table of
 * objects, with a pluggable eviction policy (sto_evict.c).
 *
 * Why shards: a lookup is the hot path of every hit, on every worker
 * thread; it takes one shard mutex (of 64 by default, chosen by key bits)
 * for a chain walk and a reference, so two threads meet on a lock only
 * when their keys share a shard, and nothing is allocated. The eviction
 * queues are global, behind their own mutex, because the policy needs to
 * see the whole cache to choose well; see sto_mem.h for the lock order.
 *
 * Accounting: an object is charged its footprint (struct, hash inputs,
 * metadata allocation, segment allocations) while it is indexed. Growth of a
 * BUSY object is charged as each new segment is allocated (sto_obj.c calls
 * our charge op), and eviction runs on the thread that made the cache go
 * over budget, after it has released its shard lock.
 */
#include "storage/sto_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Objects unlinked under one lock hold, then dereferenced outside it. */
#define MEM_BATCH       32
#define MEM_BUCKETS_MIN 64
#define MEM_SHARDS_MAX  1024

struct sto_shard {
	_Alignas(64) pthread_mutex_t sh_mtx; /* own cache line: no false
						sharing between shards */
	struct sto_obj **sh_tab; /* bucket heads, chained by ml_hnext */
	size_t sh_mask;          /* buckets - 1, a power of two */
	size_t sh_nobj;
	struct sto_stats sh_st; /* hits, misses, ... under sh_mtx */
};

struct sto_mem {
	struct sto_tier m_tier; /* first: a tier pointer is ours */
	unsigned magic;
#define STO_MEM_MAGIC 0x6d3e0a91
	struct sto_mem_conf m_conf;
	_Atomic size_t m_bytes; /* charged bytes of indexed objects */
	unsigned m_nshards;
	struct sto_shard *m_shards;
	struct sto_evict m_ev;
};

static struct sto_mem *
mem_of(struct sto_tier *t)
{
	struct sto_mem *m;

	STO_CHECK_OBJ_NOTNULL(t, STO_TIER_MAGIC);
	STO_ASSERT(t->t_ops == &sto_mem_ops);
	m = (struct sto_mem *)t;
	STO_CHECK_OBJ(m, STO_MEM_MAGIC);
	return (m);
}

static struct sto_shard *
shard_of(const struct sto_mem *m, const struct sto_key *k)
{
	return (&m->m_shards[k->hi & (m->m_nshards - 1)]);
}

static struct sto_obj **
bucket_of(const struct sto_shard *sh, const struct sto_key *k)
{
	return (&sh->sh_tab[k->lo & sh->sh_mask]);
}

/* Double the buckets, keeping chain order (newest first per key). */
static void
shard_grow(struct sto_shard *sh)
{
	size_t nb = (sh->sh_mask + 1) * 2, i;
	struct sto_obj **nt, *o, *next, **pp;

	nt = calloc(nb, sizeof *nt);
	if (nt == NULL)
		return; /* longer chains, still correct */
	for (i = 0; i <= sh->sh_mask; i++) {
		for (o = sh->sh_tab[i]; o != NULL; o = next) {
			next = o->o_mem.ml_hnext;
			pp = &nt[o->o_key.lo & (nb - 1)];
			while (*pp != NULL)
				pp = &(*pp)->o_mem.ml_hnext;
			o->o_mem.ml_hnext = NULL;
			*pp = o;
		}
	}
	free(sh->sh_tab);
	sh->sh_tab = nt;
	sh->sh_mask = nb - 1;
}

/* Index o: the tier's reference, its chain, its charge. Shard lock held. */
static void
hash_link(struct sto_mem *m, struct sto_shard *sh, struct sto_obj *o)
{
	struct sto_obj **pp;

	(void)sto_obj_ref(o);
	pp = bucket_of(sh, &o->o_key);
	o->o_mem.ml_hnext = *pp;
	*pp = o;
	o->o_mem.ml_linked = 1;
	o->o_mem.ml_was_linked = 1;
	/* Not queued yet: the shard lock alone may write ml_size. */
	o->o_mem.ml_size = atomic_load(&o->o_footprint);
	atomic_fetch_add(&m->m_bytes, o->o_mem.ml_size);
	atomic_store(&o->o_tier, &m->m_tier);
	sh->sh_nobj++;
	if (sh->sh_nobj > sh->sh_mask + 1)
		shard_grow(sh);
}

/*
 * Take *pp off its chain and out of the budget; shard lock held. The caller
 * then dequeues it under the eviction lock and, after unlocking, drops
 * the tier's reference.
 */
static void
hash_unlink(struct sto_mem *m, struct sto_shard *sh, struct sto_obj **pp)
{
	struct sto_obj *o = *pp;

	STO_ASSERT(o->o_mem.ml_linked);
	*pp = o->o_mem.ml_hnext;
	o->o_mem.ml_hnext = NULL;
	o->o_mem.ml_linked = 0;
	/* ml_size stays: the queue still counts it until the dequeue. */
	atomic_fetch_sub(&m->m_bytes, o->o_mem.ml_size);
	atomic_store(&o->o_tier, NULL);
	STO_ASSERT(sh->sh_nobj > 0);
	sh->sh_nobj--;
}

/* The chain link pointing at o, or NULL if o is not in sh. */
static struct sto_obj **
hash_find(struct sto_shard *sh, const struct sto_obj *o)
{
	struct sto_obj **pp;

	for (pp = bucket_of(sh, &o->o_key); *pp != NULL;
	     pp = &(*pp)->o_mem.ml_hnext)
		if (*pp == o)
			return (pp);
	return (NULL);
}

/* Out of the queues; shard lock held, eviction lock taken here. */
static void
ev_dequeue(struct sto_mem *m, struct sto_obj *const *v, unsigned n)
{
	unsigned u;

	STO_AZ(pthread_mutex_lock(&m->m_ev.ev_mtx));
	for (u = 0; u < n; u++)
		m->m_ev.ev_ops->dequeue(&m->m_ev, v[u]);
	STO_AZ(pthread_mutex_unlock(&m->m_ev.ev_mtx));
}

static void
deref_all(struct sto_obj **v, unsigned n)
{
	unsigned u;

	for (u = 0; u < n; u++)
		sto_obj_deref(&v[u]);
}

/*
 * Evict until the budget holds. Never called with a lock held. A victim is
 * chosen under the eviction lock alone and referenced there (the tier's
 * reference keeps it alive until then); its shard lock is then taken alone.
 * If a remove or replace unlinked it meanwhile there is nothing left to do.
 * A victim that was hit goes to mc_evicted once no lock is held, while our
 * reference keeps it.
 */
static void
mem_evict(struct sto_mem *m)
{
	struct sto_obj *v, *tref;
	struct sto_shard *sh;
	struct sto_obj **pp;
	size_t charged;
	int hit;

	while (atomic_load(&m->m_bytes) > m->m_conf.mc_budget) {
		STO_AZ(pthread_mutex_lock(&m->m_ev.ev_mtx));
		v = m->m_ev.ev_ops->victim(&m->m_ev);
		if (v != NULL)
			(void)sto_obj_ref(v);
		STO_AZ(pthread_mutex_unlock(&m->m_ev.ev_mtx));
		if (v == NULL)
			return;
		tref = NULL;
		hit = 0;
		sh = shard_of(m, &v->o_key);
		STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
		if (v->o_mem.ml_linked) {
			pp = hash_find(sh, v);
			STO_AN(pp);
			charged = v->o_mem.ml_size;
			hash_unlink(m, sh, pp);
			sh->sh_st.evictions++;
			sh->sh_st.evicted_bytes += charged;
			hit = v->o_mem.ml_hit;
			tref = v;
		}
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		if (hit && m->m_conf.mc_evicted != NULL)
			m->m_conf.mc_evicted(v, m->m_conf.mc_evicted_priv);
		if (tref != NULL)
			sto_obj_deref(&tref);
		sto_obj_deref(&v);
	}
}

static int
mem_lookup(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	   size_t hashin_len, sto_match_f *match, void *priv,
	   struct sto_obj **op)
{
	struct sto_mem *m = mem_of(t);
	struct sto_shard *sh;
	struct sto_obj *o;

	STO_AN(k);
	STO_AN(op);
	*op = NULL;
	sh = shard_of(m, k);
	STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
	for (o = *bucket_of(sh, k); o != NULL; o = o->o_mem.ml_hnext) {
		if (!sto_key_eq(&o->o_key, k) ||
		    !sto_hashin_eq(o, hashin, hashin_len))
			continue;
		if (atomic_load_explicit(&o->o_state, memory_order_acquire) ==
		    STO_OBJ_FAILED)
			continue;
		if (match != NULL && !match(o, priv))
			continue;
		*op = sto_obj_ref(o);
		/* For mc_evicted. Stored once: a hot object's line is not
		 * written again by every hit on every core. */
		if (!o->o_mem.ml_hit)
			o->o_mem.ml_hit = 1;
		break;
	}
	if (*op != NULL)
		sh->sh_st.hits++;
	else
		sh->sh_st.misses++;
	STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	if (*op == NULL)
		return (ENOENT);
	/* After the shard lock: LRU and SLRU lock their queues here. */
	m->m_ev.ev_ops->touch(&m->m_ev, *op);
	return (0);
}

/*
 * Unlink up to MEM_BATCH objects that o replaces; shard lock held. The
 * caller dequeues them and drops the tier's references.
 */
static unsigned
drop_variants(struct sto_mem *m, struct sto_shard *sh, struct sto_obj *o,
	      struct sto_obj **v)
{
	struct sto_obj **pp;
	unsigned n = 0;

	for (pp = bucket_of(sh, &o->o_key); *pp != NULL && n < MEM_BATCH;) {
		if (sto_same_variant(*pp, o)) {
			sto_obj_flags_set(*pp, STO_F_REMOVED);
			v[n++] = *pp;
			hash_unlink(m, sh, pp);
		} else
			pp = &(*pp)->o_mem.ml_hnext;
	}
	sh->sh_st.replaced += n;
	return (n);
}

static void mem_publish(struct sto_tier *t, struct sto_obj *o);

/*
 * An object is indexed at most once in its life: once unlinked it stays
 * out, so an evictor that chose it and finds it still linked knows it is
 * the same indexing that it dequeued.
 */
static int
mem_insert(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_mem *m = mem_of(t);
	struct sto_obj *v[MEM_BATCH], *tref;
	struct sto_shard *sh;
	unsigned n = 0, u, hint = STO_Q_NONE;
	int st;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	sh = shard_of(m, &o->o_key);
	STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
	/* A disk view's o_dsk shares memory with o_mem: never index one. */
	if ((atomic_load(&o->o_flags) & STO_F_DISKBODY) ||
	    o->o_mem.ml_was_linked || atomic_load(&o->o_tier) != NULL ||
	    atomic_load(&o->o_state) == STO_OBJ_FAILED) {
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		return (STO_ESTATE);
	}
	if ((o->o_content_length > 0 &&
	     (uint64_t)o->o_content_length > m->m_conf.mc_budget) ||
	    atomic_load(&o->o_footprint) > m->m_conf.mc_budget) {
		sh->sh_st.toobig++;
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		return (STO_ETOOBIG);
	}
	hash_link(m, sh, o);
	/*
	 * The state is read after o_tier is set, and the writer reads o_tier
	 * after storing a state (both seq_cst): a publish or failure racing
	 * with this insert is seen here, or the writer calls our publish or
	 * unlink op, which waits for this shard lock. Either is harmless.
	 */
	st = atomic_load(&o->o_state);
	if (st == STO_OBJ_FAILED) {
		struct sto_obj **pp = hash_find(sh, o);

		STO_AN(pp);
		tref = o;
		hash_unlink(m, sh, pp);
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		sto_obj_deref(&tref);
		return (STO_ESTATE);
	}
	/* A BUSY object replaces nothing yet: until its headers arrive the
	 * old copy may still serve (grace). mem_publish() does it then. */
	if (st != STO_OBJ_BUSY)
		n = drop_variants(m, sh, o, v);
	sh->sh_st.inserts++;
	STO_AZ(pthread_mutex_lock(&m->m_ev.ev_mtx));
	for (u = 0; u < n; u++) {
		if (v[u]->o_mem.ml_queue == STO_Q_B)
			hint = STO_Q_B;
		m->m_ev.ev_ops->dequeue(&m->m_ev, v[u]);
	}
	m->m_ev.ev_ops->enqueue(&m->m_ev, o, hint);
	STO_AZ(pthread_mutex_unlock(&m->m_ev.ev_mtx));
	STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	deref_all(v, n);
	/* More copies than one batch (not in practice): drop the rest. */
	if (n == MEM_BATCH)
		mem_publish(t, o);
	mem_evict(m);
	return (0);
}

/* o became STREAMING: drop the older copies of its variant now. */
static void
mem_publish(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_mem *m = mem_of(t);
	struct sto_obj *v[MEM_BATCH];
	struct sto_shard *sh;
	unsigned n;

	sh = shard_of(m, &o->o_key);
	do {
		n = 0;
		STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
		if (o->o_mem.ml_linked && atomic_load(&o->o_tier) == t) {
			n = drop_variants(m, sh, o, v);
			if (n > 0)
				ev_dequeue(m, v, n);
		}
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		deref_all(v, n);
	} while (n == MEM_BATCH);
}

static int
mem_remove(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	   size_t hashin_len, unsigned *nremoved)
{
	struct sto_mem *m = mem_of(t);
	struct sto_obj *v[MEM_BATCH], **pp;
	struct sto_shard *sh;
	unsigned n, total = 0;

	STO_AN(k);
	sh = shard_of(m, k);
	do {
		n = 0;
		STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
		for (pp = bucket_of(sh, k); *pp != NULL && n < MEM_BATCH;) {
			if (sto_key_eq(&(*pp)->o_key, k) &&
			    (hashin == NULL ||
			     sto_hashin_eq(*pp, hashin, hashin_len))) {
				sto_obj_flags_set(*pp, STO_F_REMOVED);
				v[n++] = *pp;
				hash_unlink(m, sh, pp);
			} else
				pp = &(*pp)->o_mem.ml_hnext;
		}
		if (n > 0)
			ev_dequeue(m, v, n);
		sh->sh_st.removed += n;
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		deref_all(v, n);
		total += n;
	} while (n == MEM_BATCH);
	if (nremoved != NULL)
		*nremoved = total;
	return (total > 0 ? 0 : ENOENT);
}

static int
mem_unlink(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_mem *m = mem_of(t);
	struct sto_shard *sh;
	struct sto_obj **pp = NULL, *tref = o;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	sh = shard_of(m, &o->o_key);
	STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
	if (o->o_mem.ml_linked && atomic_load(&o->o_tier) == t) {
		pp = hash_find(sh, o);
		STO_AN(pp);
		sto_obj_flags_set(o, STO_F_REMOVED);
		hash_unlink(m, sh, pp);
		ev_dequeue(m, &o, 1);
		sh->sh_st.removed++;
	}
	STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	if (pp == NULL)
		return (ENOENT);
	/* The tier's reference; the caller still holds its own. */
	sto_obj_deref(&tref);
	return (0);
}

/*
 * o grew: charge the difference. An object that alone outgrows the budget
 * is dropped from the index rather than let it flush the whole cache; its
 * writer and readers go on with it as with any unindexed object.
 */
static void
mem_charge(struct sto_tier *t, struct sto_obj *o)
{
	struct sto_mem *m = mem_of(t);
	struct sto_shard *sh;
	struct sto_obj *drop = NULL;
	size_t nb;

	sh = shard_of(m, &o->o_key);
	STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
	if (!o->o_mem.ml_linked || atomic_load(&o->o_tier) != t) {
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
		return;
	}
	nb = atomic_load(&o->o_footprint);
	/* ml_size changes under both locks: readers hold either. */
	STO_AZ(pthread_mutex_lock(&m->m_ev.ev_mtx));
	/* Modular arithmetic: also right if the footprint shrank. */
	atomic_fetch_add(&m->m_bytes, nb - o->o_mem.ml_size);
	sto_evict_resize(&m->m_ev, o, nb);
	if (nb > m->m_conf.mc_budget) {
		struct sto_obj **pp = hash_find(sh, o);
		STO_AN(pp);
		hash_unlink(m, sh, pp);
		m->m_ev.ev_ops->dequeue(&m->m_ev, o);
		sh->sh_st.toobig++;
		drop = o;
	}
	STO_AZ(pthread_mutex_unlock(&m->m_ev.ev_mtx));
	STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	if (drop != NULL)
		sto_obj_deref(&drop);
	mem_evict(m);
}

static int
mem_foreach(struct sto_tier *t, sto_iter_f *fn, void *priv)
{
	struct sto_mem *m = mem_of(t);
	struct sto_shard *sh;
	struct sto_obj *o;
	unsigned u;
	size_t b;
	int r = 0;

	for (u = 0; u < m->m_nshards && r == 0; u++) {
		sh = &m->m_shards[u];
		STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
		for (b = 0; b <= sh->sh_mask && r == 0; b++)
			for (o = sh->sh_tab[b]; o != NULL && r == 0;
			     o = o->o_mem.ml_hnext)
				r = fn(o, priv);
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	}
	return (r);
}

static void
mem_stats(struct sto_tier *t, struct sto_stats *st)
{
	struct sto_mem *m = mem_of(t);
	struct sto_shard *sh;
	unsigned u;

	STO_AN(st);
	memset(st, 0, sizeof *st);
	for (u = 0; u < m->m_nshards; u++) {
		sh = &m->m_shards[u];
		STO_AZ(pthread_mutex_lock(&sh->sh_mtx));
		st->objects += sh->sh_nobj;
#define X(name, help) st->name += sh->sh_st.name;
		STO_STATS_LIST(X)
#undef X
		STO_AZ(pthread_mutex_unlock(&sh->sh_mtx));
	}
	st->bytes = atomic_load(&m->m_bytes);
	st->budget = m->m_conf.mc_budget;
}

/* Free shards [0, n) and the tier itself. */
static void
mem_free(struct sto_mem *m, unsigned n)
{
	unsigned u;

	for (u = 0; u < n; u++) {
		STO_AZ(pthread_mutex_destroy(&m->m_shards[u].sh_mtx));
		free(m->m_shards[u].sh_tab);
	}
	free(m->m_shards);
	if (m->m_ev.magic == STO_EVICT_MAGIC)
		sto_evict_fini(&m->m_ev);
	m->magic = 0;
	free(m);
}

int
sto_mem_open(struct sto_tier **tp, const struct sto_mem_conf *mc)
{
	struct sto_mem *m;
	struct sto_shard *sh;
	unsigned u;
	int err;

	STO_AN(tp);
	STO_AN(mc);
	*tp = NULL;
	if (mc->mc_budget == 0 || mc->mc_shards == 0 ||
	    mc->mc_shards > MEM_SHARDS_MAX ||
	    (mc->mc_shards & (mc->mc_shards - 1)) != 0 ||
	    (unsigned)mc->mc_policy >= STO_POL__N || mc->mc_small_pct >= 100)
		return (STO_ESPEC);
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return (ENOMEM);
	m->m_tier.magic = STO_TIER_MAGIC;
	m->m_tier.t_ops = &sto_mem_ops;
	m->magic = STO_MEM_MAGIC;
	m->m_conf = *mc;
	atomic_init(&m->m_bytes, 0);
	m->m_nshards = mc->mc_shards;
	m->m_shards = aligned_alloc(_Alignof(struct sto_shard),
				    m->m_nshards * sizeof *m->m_shards);
	if (m->m_shards == NULL) {
		mem_free(m, 0);
		return (ENOMEM);
	}
	memset(m->m_shards, 0, m->m_nshards * sizeof *m->m_shards);
	for (u = 0; u < m->m_nshards; u++) {
		sh = &m->m_shards[u];
		sh->sh_tab = calloc(MEM_BUCKETS_MIN, sizeof *sh->sh_tab);
		if (sh->sh_tab == NULL ||
		    pthread_mutex_init(&sh->sh_mtx, NULL) != 0) {
			free(sh->sh_tab);
			sh->sh_tab = NULL;
			mem_free(m, u);
			return (ENOMEM);
		}
		sh->sh_mask = MEM_BUCKETS_MIN - 1;
	}
	err = sto_evict_init(&m->m_ev, mc);
	if (err != 0) {
		mem_free(m, m->m_nshards);
		return (err);
	}
	*tp = &m->m_tier;
	return (0);
}

static int
mem_open(struct sto_tier **tp, const char *arg)
{
	struct sto_mem_conf mc;
	int err;

	err = sto_mem_conf_parse(&mc, arg);
	if (err != 0)
		return (err);
	return (sto_mem_open(tp, &mc));
}

/* No other call may run; objects others hold survive, unindexed. */
static void
mem_close(struct sto_tier **tp)
{
	struct sto_mem *m;
	struct sto_shard *sh;
	struct sto_obj *o;
	unsigned u;
	size_t b;

	STO_AN(tp);
	m = mem_of(*tp);
	*tp = NULL;
	for (u = 0; u < m->m_nshards; u++) {
		sh = &m->m_shards[u];
		for (b = 0; b <= sh->sh_mask; b++) {
			while ((o = sh->sh_tab[b]) != NULL) {
				hash_unlink(m, sh, &sh->sh_tab[b]);
				m->m_ev.ev_ops->dequeue(&m->m_ev, o);
				sto_obj_deref(&o);
			}
		}
	}
	STO_ASSERT(atomic_load(&m->m_bytes) == 0);
	mem_free(m, m->m_nshards);
}

const struct sto_tier_ops sto_mem_ops = {
    .name = "mem",
    .blocking = 0,
    .open = mem_open,
    .close = mem_close,
    .lookup = mem_lookup,
    .insert = mem_insert,
    .remove = mem_remove,
    .unlink = mem_unlink,
    .foreach = mem_foreach,
    .stats = mem_stats,
    .charge = mem_charge,
    .publish = mem_publish,
};
