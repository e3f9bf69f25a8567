/*
 * cache_int.h: what cache.c and cache_fill.c share inside the cache
 * module; nothing else includes it.
 */
#ifndef ACCEL_CACHE_INT_H
#define ACCEL_CACHE_INT_H

#include "accel/accel.h"
#include "accel/rfc9111.h"

/* The RFC 9111 options from the -p parameters (read-only once workers
 * run), and the memory tier's byte budget: a larger body is not kept in
 * memory. */
extern struct rfc_opts cache_opts;
extern uint64_t cache_budget;

/* Nobody may use o any more: out of memory, and off the disk. */
void cache_unlink(struct sto_obj *o);
/*
 * A complete object worth keeping goes to disk behind (write-behind: the
 * disk tier's writer thread writes it in its next batch), also when the
 * memory tier evicted it meanwhile. Not one purged, invalidated or
 * replaced while it filled (STO_F_REMOVED), nor markers, nor promoted
 * copies (already on disk).
 */
void cache_persist(struct sto_obj *o);
/* Append callback for sto_lmdb_read(): into an object being filled. */
int cache_read_append(void *priv, const void *p, size_t n);
/* The age of a stored object at now (RFC 9111 section 4.2.3). */
double cache_obj_age(const struct sto_obj *o, double now);

#endif
