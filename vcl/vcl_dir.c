/*
 * vcl_dir.c: the directors of vmod_directors, made by `new` in vcl_init:
 * round_robin, random, fallback, hash, and a small shard (a consistent-
 * hash ring; its full behaviour, warmup and rampup, comes with the origins
 * issue).
 *
 * A director is the program's and shared by every thread: its backend
 * list is changed only in vcl_init (add_backend, remove_backend elsewhere
 * fail the run), so picking reads it without a lock. The round-robin
 * rotation and the fallback's sticky choice are relaxed atomics; random
 * uses a per-thread generator.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_rt.h"

struct dir_be {
	const struct vcl_backend *be;
	double weight;
};

struct dir_point {
	uint32_t h;
	unsigned be; /* index into dir.be */
};

struct dir {
	unsigned magic;
#define DIR_MAGIC 0x5d1a7e03u
	enum vcl_obj_id type;
	struct dir_be *be;
	unsigned n, cap;
	_Atomic unsigned next; /* round_robin: the rotation; fallback: the
				  sticky choice */
	int sticky;
	/* shard: the ring, sorted by h */
	struct dir_point *ring;
	unsigned nring, replicas;
};

int
vcl_dir_new(struct vcl_rt *rt, struct vcl_object *o, const struct vcl_args *a)
{
	struct dir *d;

	if (o->state != NULL)
		return (vcl_rt_fail(rt, "object made twice"));
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return (vcl_rt_fail(rt, "out of memory"));
	d->magic = DIR_MAGIC;
	d->type = o->type;
	d->replicas = 67;
	if (o->type == VCL_O_FALLBACK && a->n > 0 && VCL_ARG_GIVEN(a, 0))
		d->sticky = a->v[0].b;
	atomic_init(&d->next, 0);
	o->state = d;
	return (0);
}

void
vcl_dir_free(struct vcl_object *o)
{
	struct dir *d = o->state;

	if (d == NULL)
		return;
	VCL_CHECK_OBJ(d, DIR_MAGIC);
	free(d->be);
	free(d->ring);
	free(d);
	o->state = NULL;
}

static int
point_cmp(const void *va, const void *vb)
{
	const struct dir_point *a = va, *b = vb;

	if (a->h != b->h)
		return (a->h < b->h ? -1 : 1);
	return (a->be < b->be ? -1 : a->be > b->be);
}

/* shard: replicas points per backend, hashed from its name. */
static int
dir_ring(struct dir *d)
{
	unsigned i, r;
	struct dir_point *np;

	free(d->ring);
	d->ring = NULL;
	d->nring = 0;
	if (d->n == 0)
		return (0);
	np = calloc((size_t)d->n * d->replicas, sizeof(*np));
	if (np == NULL)
		return (-1);
	for (i = 0; i < d->n; i++) {
		const char *nm = d->be[i].be->name;

		for (r = 0; r < d->replicas; r++) {
			np[d->nring].h = (uint32_t)(XXH3_64bits_withSeed(nm,
			    strlen(nm), r) >> 32);
			np[d->nring].be = i;
			d->nring++;
		}
	}
	qsort(np, d->nring, sizeof(*np), point_cmp);
	d->ring = np;
	return (0);
}

static int
dir_add(struct vcl_rt *rt, struct dir *d, const struct vcl_backend *be,
    double weight)
{
	if (be == NULL)
		return (vcl_rt_fail(rt, "add_backend: no backend"));
	if (d->n == d->cap) {
		unsigned cap = d->cap == 0 ? 4 : d->cap * 2;
		struct dir_be *nb = realloc(d->be, cap * sizeof(*nb));

		if (nb == NULL)
			return (vcl_rt_fail(rt, "out of memory"));
		d->be = nb;
		d->cap = cap;
	}
	d->be[d->n].be = be;
	d->be[d->n].weight = weight;
	d->n++;
	if (d->type == VCL_O_SHARD && dir_ring(d) != 0)
		return (vcl_rt_fail(rt, "out of memory"));
	return (0);
}

/* Removes every entry of be (every entry when be is NULL). */
static int
dir_remove(struct vcl_rt *rt, struct dir *d, const struct vcl_backend *be)
{
	unsigned i, j;

	for (i = j = 0; i < d->n; i++)
		if (be != NULL && d->be[i].be != be)
			d->be[j++] = d->be[i];
	d->n = j;
	if (d->type == VCL_O_SHARD && dir_ring(d) != 0)
		return (vcl_rt_fail(rt, "out of memory"));
	return (0);
}

/* By weight among the healthy: u in [0, 1). */
static const struct vcl_backend *
dir_weighted(struct vcl_rt *rt, const struct dir *d, double u)
{
	double tot = 0, acc = 0;
	unsigned i, last = d->n;

	for (i = 0; i < d->n; i++)
		if (d->be[i].weight > 0 && vcl_rt_healthy(rt, d->be[i].be))
			tot += d->be[i].weight;
	if (tot <= 0)
		return (NULL);
	u *= tot;
	for (i = 0; i < d->n; i++) {
		if (d->be[i].weight <= 0 || !vcl_rt_healthy(rt, d->be[i].be))
			continue;
		acc += d->be[i].weight;
		last = i;
		if (u < acc)
			return (d->be[i].be);
	}
	return (last < d->n ? d->be[last].be : NULL);
}

/* The first healthy from start, wrapping; its index in *ix. */
static const struct vcl_backend *
dir_first(struct vcl_rt *rt, const struct dir *d, unsigned start,
    unsigned *ix)
{
	unsigned k;

	for (k = 0; k < d->n; k++) {
		unsigned i = (start + k) % d->n;

		if (vcl_rt_healthy(rt, d->be[i].be)) {
			*ix = i;
			return (d->be[i].be);
		}
	}
	return (NULL);
}

static double
dir_unit(uint64_t h)
{
	return ((double)(h >> 11) * 0x1p-53);
}

/* shard: the alt-th distinct backend from key on the ring; healthy only
 * unless ignore_health. */
static const struct vcl_backend *
dir_shard(struct vcl_rt *rt, struct dir *d, uint32_t key, int64_t alt,
    int ignore_health)
{
	unsigned lo = 0, hi = d->nring, k, seen = 0;
	unsigned char mark[256];

	if (d->nring == 0)
		return (NULL);
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (d->ring[mid].h < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(mark, 0, sizeof(mark));
	for (k = 0; k < d->nring && seen < d->n; k++) {
		const struct dir_point *pt = &d->ring[(lo + k) % d->nring];
		const struct vcl_backend *be = d->be[pt->be].be;

		if (pt->be < 256 * 8) {
			if (mark[pt->be / 8] & (1u << (pt->be % 8)))
				continue;
			mark[pt->be / 8] |= (unsigned char)(1u << (pt->be % 8));
		}
		seen++;
		if (!ignore_health && !vcl_rt_healthy(rt, be))
			continue;
		if (alt-- <= 0)
			return (be);
	}
	return (NULL);
}

/* The shard key of a string (shard.key(), by=URL). */
static uint32_t
dir_key(struct vcl_str s)
{
	return ((uint32_t)(XXH3_64bits(s.p == NULL ? "" : s.p, s.len) >> 32));
}

/* shard.backend(by, key, key_blob, alt, warmup, rampup, healthy ...). */
static const struct vcl_backend *
dir_shard_backend(struct vcl_rt *rt, struct dir *d, const struct vcl_args *a)
{
	struct vcl_str by = {"HASH", 4}, health = {"CHOSEN", 6};
	union vcl_val url;
	uint32_t key;
	int64_t alt = 0;

	if (a != NULL && a->n > 0 && VCL_ARG_GIVEN(a, 0))
		by = a->v[0].s;
	if (a != NULL && a->n > 3 && VCL_ARG_GIVEN(a, 3))
		alt = a->v[3].i;
	if (a != NULL && a->n > 6 && VCL_ARG_GIVEN(a, 6))
		health = a->v[6].s;
	if (by.len == 3 && memcmp(by.p, "KEY", 3) == 0) {
		key = a != NULL && a->n > 1 && VCL_ARG_GIVEN(a, 1) ?
		    (uint32_t)a->v[1].i : 0;
	} else {
		/* HASH: accel has no req.hash for VCL; the URL stands in */
		enum vcl_var_id v = vcl_sub_group(rt->sub) ==
			VCL_SUBM_BACKEND ? VCL_V_BEREQ_URL : VCL_V_REQ_URL;

		if (rt->ops->ho_var_get(rt->ctx, v, &url) < 0) {
			(void)vcl_rt_fail(rt, "shard: cannot read the URL");
			return (NULL);
		}
		key = dir_key(url.s);
	}
	return (dir_shard(rt, d, key, alt,
	    health.len == 6 && memcmp(health.p, "IGNORE", 6) == 0));
}

/* The director's choice with default arguments (a NULL: none given). */
static const struct vcl_backend *
dir_pick(struct vcl_rt *rt, struct dir *d, const struct vcl_args *a)
{
	unsigned ix, start;
	const struct vcl_backend *be;

	if (d->n == 0)
		return (NULL);
	switch (d->type) {
	case VCL_O_ROUND_ROBIN:
		start = atomic_fetch_add_explicit(&d->next, 1,
		    memory_order_relaxed);
		return (dir_first(rt, d, start % d->n, &ix));
	case VCL_O_FALLBACK:
		start = d->sticky ? atomic_load_explicit(&d->next,
		    memory_order_relaxed) : 0;
		be = dir_first(rt, d, start < d->n ? start : 0, &ix);
		if (be != NULL && d->sticky && ix != start)
			atomic_store_explicit(&d->next, ix,
			    memory_order_relaxed);
		return (be);
	case VCL_O_RANDOM:
		return (dir_weighted(rt, d, dir_unit(vcl_rand64())));
	case VCL_O_HASH:
		if (a == NULL || a->n == 0)
			return (dir_weighted(rt, d, 0));
		return (dir_weighted(rt, d, dir_unit(XXH3_64bits(
		    a->v[0].s.p == NULL ? "" : a->v[0].s.p, a->v[0].s.len))));
	case VCL_O_SHARD:
		return (dir_shard_backend(rt, d, a));
	default:
		return (NULL);
	}
}

const struct vcl_backend *
vcl_dir_pick(struct vcl_rt *rt, const struct vcl_object *o)
{
	struct dir *d = o->state;

	if (d == NULL) {
		(void)vcl_rt_fail(rt, "director not made");
		return (NULL);
	}
	VCL_CHECK_OBJ(d, DIR_MAGIC);
	return (dir_pick(rt, d, NULL));
}

int
vcl_dir_call(struct vcl_rt *rt, struct vcl_object *o, enum vcl_func_id f,
    const struct vcl_args *a, union vcl_val *out)
{
	struct dir *d = o->state;
	double w = 1;
	int r;

	if (d == NULL)
		return (vcl_rt_fail(rt, "director not made"));
	VCL_CHECK_OBJ(d, DIR_MAGIC);
	switch (f) {
	case VCL_F_ROUND_ROBIN_BACKEND:
	case VCL_F_FALLBACK_BACKEND:
	case VCL_F_RANDOM_BACKEND:
	case VCL_F_HASH_BACKEND:
	case VCL_F_SHARD_BACKEND:
		out->be = dir_pick(rt, d, a);
		return (rt->err != NULL ? -1 : 0);
	case VCL_F_SHARD_KEY:
		out->i = dir_key(a->v[0].s);
		return (0);
	case VCL_F_SHARD_SET_RAMPUP:
	case VCL_F_SHARD_SET_WARMUP:
		return (0);
	default:
		break;
	}
	/* the rest change the backend list: vcl_init only (no lock) */
	if (rt->sub != VCL_SUB_INIT)
		return (vcl_rt_fail(rt, "a director changes only in vcl_init"));
	switch (f) {
	case VCL_F_RANDOM_ADD_BACKEND:
	case VCL_F_HASH_ADD_BACKEND:
		if (a->n > 1 && VCL_ARG_GIVEN(a, 1))
			w = a->v[1].r;
		/* FALLTHROUGH */
	case VCL_F_ROUND_ROBIN_ADD_BACKEND:
	case VCL_F_FALLBACK_ADD_BACKEND:
		return (dir_add(rt, d, a->v[0].be, w));
	case VCL_F_SHARD_ADD_BACKEND:
		r = dir_add(rt, d, a->v[0].be, 1);
		out->b = r == 0;
		return (r);
	case VCL_F_ROUND_ROBIN_REMOVE_BACKEND:
	case VCL_F_FALLBACK_REMOVE_BACKEND:
	case VCL_F_RANDOM_REMOVE_BACKEND:
	case VCL_F_HASH_REMOVE_BACKEND:
		return (a->v[0].be == NULL ? 0 : dir_remove(rt, d,
		    a->v[0].be));
	case VCL_F_SHARD_REMOVE_BACKEND:
		out->b = 1;
		if (!VCL_ARG_GIVEN(a, 0) || a->v[0].be == NULL)
			return (0);
		return (dir_remove(rt, d, a->v[0].be));
	case VCL_F_SHARD_CLEAR:
		out->b = 1;
		return (dir_remove(rt, d, NULL));
	case VCL_F_SHARD_RECONFIGURE:
		if (a->n > 0 && VCL_ARG_GIVEN(a, 0) && a->v[0].i > 0 &&
		    a->v[0].i <= 1000)
			d->replicas = (unsigned)a->v[0].i;
		out->b = dir_ring(d) == 0;
		return (out->b ? 0 : vcl_rt_fail(rt, "out of memory"));
	default:
		return (vcl_rt_fail(rt, "method not supported"));
	}
}
