/*
 * storage.h: the object store's public API: keys, objects whose bodies
 * readers follow while a fetch still fills them, and the tier interface
 * (the memory tier today, the LMDB tier beside it next).
 *
 * Threads: every function may be called from any thread unless its comment
 * says otherwise. An object is shared by all threads; who may write which
 * field, and when, is stated field by field below.
 *
 * Errors: functions return 0 on success, a positive errno value (ENOMEM,
 * ENOENT, EINVAL, ...) or one of the negative STO_* codes below;
 * sto_strerror() names either kind.
 *
 * Nothing here includes accel headers: storage is a library.
 */
#ifndef STO_STORAGE_H
#define STO_STORAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ---- */

/* X(name, value, text): the negative codes private to storage. */
#define STO_ERR_LIST(X)                                                        \
	X(STO_WAIT, -1, "no more body bytes yet: wait for the writer")         \
	X(STO_EOF, -2, "end of body")                                          \
	X(STO_EFAILED, -3, "object fetch failed: body incomplete")             \
	X(STO_ETOOBIG, -4, "object larger than the tier's budget")             \
	X(STO_ESTATE, -5, "object in the wrong state or tier for this call")   \
	X(STO_ESPEC, -6, "bad storage specification")                        \
	X(STO_ECORRUPT, -7, "checksum mismatch: stored object dropped")        \
	X(STO_EFORMAT, -8, "not an accel store, or another format version")

enum sto_err {
#define X(name, val, text) name = val,
	STO_ERR_LIST(X)
#undef X
};

/* A static string for 0, a positive errno or a STO_* code; never NULL. */
const char *sto_strerror(int err);

/*
 * Called instead of abort()'s message when an invariant fails inside
 * storage, so the daemon can print what the request was doing. NULL (the
 * default): print one line to stderr and abort(). The hook must not return.
 * Set it once at start-up, before threads run.
 */
extern void (*sto_panic_hook)(const char *file, int line, const char *func,
			      const char *cond);

/* "256M", "1G", "4096", "512k": binary multiples (k=1024). 0 or STO_ESPEC. */
int sto_parse_size(const char *s, size_t *out);

/* ---- keys ---- */

/*
 * A key is XXH3-128 over the hash inputs (vcl_hash's hash_data(), by default
 * host and URL). The hash inputs are kept as one byte string, each input
 * preceded by its length as 4 little-endian bytes, so ("ab","c") and
 * ("a","bc") differ. The object keeps that exact string and a lookup compares
 * it, so two inputs with one hash never see each other's object.
 */
struct sto_key {
	uint64_t hi;
	uint64_t lo;
};

/* Builds the hash-input string in caller memory (a request workspace);
 * no allocation. Fields are read-only for callers. */
struct sto_hashin {
	uint8_t *hi_buf; /* caller's buffer, borrowed */
	size_t hi_len;   /* bytes used */
	size_t hi_cap;   /* size of hi_buf */
	int hi_overflow; /* sticky: an add did not fit */
};

void sto_hashin_init(struct sto_hashin *h, void *buf, size_t cap);
/* Append one input, length-prefixed. 0, or ENOSPC (sticky) when full. */
int sto_hashin_add(struct sto_hashin *h, const void *p, size_t len);
/*
 * Walk the inputs of a hash-input string: *off starts at 0; each call sets
 * (*pp, *lenp) to the next input (pointing into hashin) and returns 0, then
 * STO_EOF at the end, or EINVAL when the string is malformed (it may come
 * from disk: never trusted).
 */
int sto_hashin_next(const void *hashin, size_t len, size_t *off,
		    const void **pp, size_t *lenp);

/* The key of a hash-input string: XXH3-128, or the test hook when set. */
void sto_key_make(struct sto_key *k, const void *hashin, size_t len);
/*
 * Tests only: when non-NULL, sto_key_make() calls this instead of XXH3 (to
 * force two inputs onto one key). Set it before threads run.
 */
extern void (*sto_key_hash_hook)(struct sto_key *k, const void *hashin,
				 size_t len);

static inline int
sto_key_eq(const struct sto_key *a, const struct sto_key *b)
{
	return (a->hi == b->hi && a->lo == b->lo);
}

/* 32 hex digits and a NUL into buf (at least 33 bytes); returns buf. */
char *sto_key_hex(const struct sto_key *k, char *buf);

/* ---- objects ---- */

/*
 * An object's life:
 *
 *   sto_obj_new()          BUSY      metadata being set by its creator; a
 *                                    lookup may already find it (a fetch in
 *                                    flight: wait on it)
 *   sto_obj_publish()      STREAMING metadata final and readable; body
 *     (or the first append)          bytes appear as the writer appends
 *   sto_obj_finish(o, 1)   COMPLETE  immutable from here on
 *   sto_obj_finish(o, 0)   FAILED    never served; dropped from its tier
 *
 * Only the thread that created the object (the writer, usually the fetch)
 * sets metadata, appends and finishes. Readers on any thread read metadata
 * once sto_obj_state() returned STREAMING or later, and read the body
 * through a cursor at any time.
 */
enum sto_obj_state {
	STO_OBJ_BUSY = 0,
	STO_OBJ_STREAMING = 1,
	STO_OBJ_COMPLETE = 2,
	STO_OBJ_FAILED = 3,
};

/* X(name, bit, text): flags, readable and settable at any time (atomic). */
#define STO_OBJ_FLAG_LIST(X)                                                   \
	X(HFM, 0, "hit-for-miss: fetch without waiting on others")             \
	X(HFP, 1, "hit-for-pass: do not cache, pass")                          \
	X(EXPIRED, 2, "soft-purged: treat as past its ttl (grace still ok)")   \
	X(NOPERSIST, 3, "keep in memory only, never write to a disk tier")    \
	X(ONDISK, 4, "a copy is on the disk tier: not written again")          \
	X(DISKBODY, 5, "body on disk only: sto_lmdb_read(), not a cursor")    \
	X(REMOVED, 6, "removed, unlinked or replaced (not evicted) by a tier")

enum sto_obj_flag {
#define X(name, bit, text) STO_F_##name = 1u << (bit),
	STO_OBJ_FLAG_LIST(X)
#undef X
};

/*
 * A view of bytes the object owns (sto_obj_hdrs() and the other metadata
 * accessors): valid while the caller holds a reference on the object.
 */
struct sto_bytes {
	const uint8_t *ptr; /* NULL when never set */
	size_t len;
};

/*
 * X(NAME, name, text): the variable-length metadata. An object keeps them
 * all in one allocation (o_meta), in this order, each followed by a NUL;
 * sto_obj_<name>(o) returns one as a struct sto_bytes. The header block
 * comes first and may be up to 4 GiB; each of the others is less than
 * 64 KiB (16-bit lengths: 8 bytes less in every object).
 */
#define STO_META_LIST(X)                                                       \
	X(HDRS, hdrs, "serialized response header block")                      \
	X(ETAG, etag, "ETag value, as received")                               \
	X(LASTMOD, lastmod, "Last-Modified value, as received")                \
	X(VARY_NAMES, vary_names, "Vary header names, normalised")             \
	X(VARY_VALS, vary_vals, "request values they had, normalised")

enum sto_meta {
#define X(NAME, name, text) STO_META_##NAME,
	STO_META_LIST(X)
#undef X
	    STO_META__N
};

struct sto_seg;  /* a body segment: private to sto_obj.c */
struct sto_tier; /* below */

/* Links a tier keeps in the object. Private to sto_mem.c, under its locks. */
struct sto_mem_link {
	struct sto_obj *ml_hnext; /* hash chain, shard lock */
	struct sto_obj *ml_prev;  /* eviction queue, eviction lock */
	struct sto_obj *ml_next;  /* eviction queue, eviction lock */
	/* Bytes counted in the budget and in its queue: written with both
	 * locks held once queued (before, under the shard lock), so either
	 * lock suffices to read it. */
	size_t ml_size;
	uint8_t ml_queue;        /* which queue (0: none), eviction lock */
	uint8_t ml_linked;       /* in the hash table, shard lock */
	uint8_t ml_was_linked;   /* ever inserted: never again, shard lock */
	_Atomic uint8_t ml_freq; /* S3-FIFO hit counter, relaxed atomic */
	/* A lookup returned it while indexed: whether eviction calls
	 * mc_evicted. Set once, shard lock. In the tail padding: free. */
	uint8_t ml_hit;
};

/* Where a STO_F_DISKBODY object's body is. Private to sto_lmdb.c. */
struct sto_disk_link {
	uint64_t dl_id;    /* the object's id in the store */
	uint32_t dl_chunk; /* the store's chunk size */
};

struct sto_obj {
	unsigned magic;
#define STO_OBJ_MAGIC 0x5f0b7e11
	/* Atomics, any thread, through the functions below only. */
	_Atomic unsigned o_refcnt;  /* sto_obj_ref() / sto_obj_deref() */
	_Atomic int o_state;        /* enum sto_obj_state: sto_obj_state() */
	_Atomic unsigned o_flags;   /* STO_F_*: sto_obj_flags() */
	_Atomic size_t o_published; /* body bytes readable: sto_obj_len() */
	_Atomic size_t o_footprint; /* bytes this object allocated: struct,
				       hash inputs, metadata, segments (not
				       malloc's own overhead) */

	/* Identity: immutable from sto_obj_new() to the last deref. The
	 * hash-input string follows the struct: sto_obj_hashin(). */
	struct sto_key o_key;
	uint32_t o_hashin_len;

	/*
	 * Metadata: written by the writer while BUSY only, read by anyone
	 * once STREAMING or later; immutable from then on. Times are seconds
	 * since the epoch (double), durations seconds (RFC 9111 section
	 * 4.2.3). The lifetime is a double; the other durations are floats,
	 * exact to the second up to 2^24 s (194 days) and within 2^-24 of
	 * their value beyond (RFC 9111 caps delta-seconds at 2^31).
	 * Ordered to leave no padding but the end of o_mem (o_hits took the
	 * one byte there was here):
	 * every object pays for each byte (docs/storage.md: memory).
	 */
	uint16_t o_status;    /* response status, 100..999 */
	uint8_t o_seg_inline; /* private to sto_obj.c: the first body
				 segment lives in o_meta's allocation */
	/* The daemon's: hits served from this object (VCL's obj.hits),
	 * relaxed atomic, stopping at 255; in what was the padding byte. */
	_Atomic uint8_t o_hits;
	unsigned o_cflags;    /* the daemon's cache-control bits, opaque
				 to storage (kept with the metadata) */
	float o_age_recv;     /* Age header value received, 0 if none */
	float o_grace;        /* stale-while-revalidate window after ttl */
	float o_keep;         /* kept for conditional refetch after grace */
	float o_sie;          /* stale-if-error window after ttl */
	/*
	 * STO_META_LIST: set through sto_obj_set_*() while BUSY, read through
	 * sto_obj_hdrs() and the like. One allocation, owned by the object,
	 * holds them all in the list's order. The bytes field m takes there
	 * (its length + 1 for the NUL; 0 when never set) is o_meta_hdrs for
	 * the header block, o_meta_len[m - 1] for the others:
	 * sto_obj_meta_span().
	 */
	uint32_t o_meta_hdrs;
	uint16_t o_meta_len[STO_META__N - 1];
	uint8_t *o_meta;
	double o_t_req;           /* request_time: when the fetch was sent */
	double o_t_resp;          /* response_time: when the head arrived */
	double o_date;            /* Date header value, 0 if none */
	double o_ttl;             /* freshness lifetime from o_t_resp */
	int64_t o_content_length; /* body length if known, else -1 */

	/*
	 * Readers that found no more bytes and wait set their thread's bit
	 * (atomic OR, sequentially consistent) and then look again; the
	 * notify hook (sto_obj_notify_set) reads it after a sequentially
	 * consistent fence. Bits are never cleared: a stale one costs a
	 * spurious wake, a missing one a lost wake. Owned by the daemon;
	 * storage only zeroes it.
	 */
	_Atomic uint64_t o_waiters;

	/* Body segments: private to sto_obj.c (readers use a cursor). */
	struct sto_seg *o_seg_head; /* first segment, written before publish */
	struct sto_seg *o_seg_tail; /* writer only */

	/* The tier indexing this object (NULL: none); set by the tier. */
	struct sto_tier *_Atomic o_tier;
	/* An object is in the memory tier or is a disk view, never both. */
	union {
		struct sto_mem_link o_mem;  /* indexed by the memory tier */
		struct sto_disk_link o_dsk; /* STO_F_DISKBODY objects */
	};
};

/* Every object pays for each byte (docs/storage.md: memory per object):
 * a field added must find room in a hole or the tail padding. LP64. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct sto_obj) == 208,
	       "struct sto_obj grew");

/*
 * A new BUSY object holding one reference (the caller's), the hash inputs
 * copied in. 0, ENOMEM or EINVAL. o_content_length starts at -1.
 */
int sto_obj_new(struct sto_obj **op, const struct sto_key *key,
		const void *hashin, size_t hashin_len);
/* The hash-input string the object was stored under (o_hashin_len bytes),
 * immutable, valid while the caller holds a reference. */
static inline const uint8_t *
sto_obj_hashin(const struct sto_obj *o)
{
	return ((const uint8_t *)(o + 1));
}
/*
 * The writer calls fn(o, priv) on the writer's thread, with no storage
 * lock held, after each publish (metadata, body bytes, finish), so the
 * daemon can wake readers waiting in other threads. One hook for every
 * object; NULL (the default) calls nothing. Set it once at start-up,
 * before threads run (tests may change it while no object is written).
 */
void sto_obj_notify_set(void (*fn)(struct sto_obj *o, void *priv), void *priv);
/* Take one more reference; the caller must already hold one. Returns o. */
struct sto_obj *sto_obj_ref(struct sto_obj *o);
/* Drop the reference in *op and set *op = NULL; the last one frees. */
void sto_obj_deref(struct sto_obj **op);

_Static_assert(STO_META_HDRS == 0, "the header block comes first");

/* Bytes field m takes in o_meta (its length + 1), 0 when never set. */
static inline size_t
sto_obj_meta_span(const struct sto_obj *o, unsigned m)
{
	return (m == STO_META_HDRS ? o->o_meta_hdrs : o->o_meta_len[m - 1]);
}

/*
 * Metadata field m of o: a view into the object's metadata allocation, or
 * (NULL, 0) when never set. Readable by the writer, and by anyone once
 * sto_obj_state() returned STREAMING or later; valid while the caller
 * holds a reference.
 */
static inline struct sto_bytes
sto_obj_meta(const struct sto_obj *o, enum sto_meta m)
{
	struct sto_bytes b = {NULL, 0};
	size_t off = 0, span = sto_obj_meta_span(o, m);
	unsigned u;

	if (span == 0)
		return (b);
	for (u = 0; u < (unsigned)m; u++)
		off += sto_obj_meta_span(o, u);
	b.ptr = o->o_meta + off;
	b.len = span - 1;
	return (b);
}

/* sto_obj_hdrs(o), sto_obj_etag(o), sto_obj_lastmod(o),
 * sto_obj_vary_names(o), sto_obj_vary_vals(o): sto_obj_meta() by name. */
#define X(NAME, name, text)                                                    \
	static inline struct sto_bytes sto_obj_##name(const struct sto_obj *o) \
	{                                                                      \
		return (sto_obj_meta(o, STO_META_##NAME));                     \
	}
STO_META_LIST(X)
#undef X

/*
 * Copy metadata into the object: writer only, while BUSY. 0, ENOMEM or
 * EINVAL (too long: see STO_META_LIST). Setting one twice replaces the
 * earlier copy. Each call rebuilds the one metadata allocation (the fields
 * are small and set once or twice per fill); p may point into the
 * object's own metadata.
 */
int sto_obj_set_hdrs(struct sto_obj *o, const void *p, size_t len);
int sto_obj_set_etag(struct sto_obj *o, const void *p, size_t len);
int sto_obj_set_lastmod(struct sto_obj *o, const void *p, size_t len);
int sto_obj_set_vary(struct sto_obj *o, const void *names, size_t nlen,
		     const void *vals, size_t vlen);

/*
 * BUSY -> STREAMING: metadata final. Replaces older objects of the same
 * variant in the object's tier. With a known o_content_length, the first
 * body segment is allocated here, inside the metadata allocation (one
 * allocation less per object). Writer only; a no-op when not BUSY.
 */
void sto_obj_publish(struct sto_obj *o);
/*
 * Copy len bytes to the body end and publish them (publishing the metadata
 * first if still BUSY). Writer only. 0, or ENOMEM (the bytes that fit are
 * published; the writer should then finish(o, 0)).
 */
int sto_obj_append(struct sto_obj *o, const void *data, size_t len);
/*
 * End of body: ok != 0 makes the object COMPLETE, else FAILED (dropped from
 * its tier, never served). Returns 0, or STO_EFAILED when ok but the body
 * length differs from a known o_content_length: the object is then FAILED.
 */
int sto_obj_finish(struct sto_obj *o, int ok);

/* Acquire loads: what they return happened before the call returned. */
enum sto_obj_state sto_obj_state(const struct sto_obj *o);
size_t sto_obj_len(const struct sto_obj *o);
unsigned sto_obj_flags(const struct sto_obj *o);
/* Set flag bits (atomic OR); any thread, any state. */
void sto_obj_flags_set(struct sto_obj *o, unsigned flags);

/*
 * Largest body segment, in bytes (default 64 KiB, clamped to 1 KiB..1 MiB);
 * applies to segments allocated after the call. A tunable for the daemon
 * and the segment-size benchmark.
 */
void sto_seg_max_set(size_t n);
size_t sto_seg_max_get(void);

/* ---- reading a body ---- */

/*
 * A reader's position in an object's body. Plain memory of the reader's
 * (its stack or request): no allocation, no lock. The reader must hold a
 * reference on the object for as long as it uses the cursor or any span
 * the cursor returned; spans stay valid until that reference is dropped,
 * even if the object is evicted or replaced meanwhile.
 */
struct sto_cursor {
	unsigned magic;
#define STO_CURSOR_MAGIC 0x3c0a5e7d
	const struct sto_obj *c_obj; /* borrowed: the reader holds a ref */
	const struct sto_seg *c_seg; /* NULL until the first byte */
	size_t c_segoff;             /* offset inside c_seg */
	size_t c_pos;                /* offset in the body */
};

void sto_cursor_init(struct sto_cursor *c, const struct sto_obj *o);
/*
 * The next span of published bytes, at most max (0: no limit) and never
 * crossing a segment: 0 with (*pp, *lenp), len > 0, and the cursor moved
 * past it. Else STO_WAIT (the writer has not published more yet: wait for
 * the notify hook and call again), STO_EOF (complete and all read), or
 * STO_EFAILED (the fetch failed; every published byte was returned first).
 */
int sto_cursor_next(struct sto_cursor *c, size_t max, const void **pp,
		    size_t *lenp);
/*
 * Move to body offset pos (a Range request). 0; STO_WAIT when pos is not
 * published yet; STO_EOF when the body is complete and shorter than pos.
 */
int sto_cursor_seek(struct sto_cursor *c, size_t pos);

/* ---- tiers ---- */

/*
 * Decides whether an object under the looked-up key and hash inputs is the
 * variant the request wants (Vary). Called under a tier lock: it must be
 * quick, must not block and must not call into storage. It sees BUSY
 * objects too (whose Vary fields are not set yet: sto_obj_state() tells);
 * for STREAMING and later objects it may read the metadata. Nonzero: use
 * this one. A NULL match takes the newest object that is not FAILED.
 */
typedef int sto_match_f(const struct sto_obj *o, void *priv);
/* foreach callback, same constraints as sto_match_f; nonzero stops. */
typedef int sto_iter_f(struct sto_obj *o, void *priv);

/* X(name, help): tier counters, summed over shards on read. */
#define STO_STATS_LIST(X)                                                      \
	X(objects, "objects indexed")                                          \
	X(bytes, "bytes charged: indexed objects, metadata and body")          \
	X(budget, "byte budget")                                               \
	X(hits, "lookups that returned an object")                             \
	X(misses, "lookups that found none")                                   \
	X(inserts, "objects inserted")                                         \
	X(replaced, "objects dropped for a newer one of the same variant")     \
	X(removed, "objects dropped by remove or unlink")                      \
	X(evictions, "objects evicted for space")                              \
	X(evicted_bytes, "bytes evicted for space")                            \
	X(toobig, "objects refused or dropped as larger than the budget")

struct sto_stats {
#define X(name, help) uint64_t name;
	STO_STATS_LIST(X)
#undef X
};

/*
 * A storage tier (Varnish calls it a stevedore). Implementations embed
 * struct sto_tier first in their private state and provide one const ops
 * table. A lookup returns a referenced object the caller derefs; the tier
 * holds its own reference on every object it indexes, so an object
 * evicted or removed stays valid for its holders until their last deref.
 */
struct sto_tier_ops {
	const char *name; /* as in -s NAME=ARG */
	/* Non-zero if lookup may block on I/O (a disk tier): the daemon then
	 * calls it off the event loop. */
	unsigned blocking;

	/* arg: the text after "NAME=" in -s (may be NULL: defaults). */
	int (*open)(struct sto_tier **tp, const char *arg);
	/* Drop the index and the tier's references; objects still held by
	 * others survive. No other call may run on the tier meanwhile. */
	void (*close)(struct sto_tier **tp);

	/* 0 and a referenced *op, or ENOENT. FAILED objects are skipped. */
	int (*lookup)(struct sto_tier *t, const struct sto_key *k,
		      const void *hashin, size_t hashin_len, sto_match_f *match,
		      void *priv, struct sto_obj **op);
	/*
	 * Index o (any state but FAILED) under its key; the tier takes its own
	 * reference, the caller keeps its. A published object replaces those
	 * of the same key, hash inputs and Vary values; a BUSY one does so
	 * when published. 0, STO_ESTATE (FAILED, or indexed before: an
	 * object is indexed once in its life, by one tier), STO_ETOOBIG
	 * (o_content_length or the footprint over the budget), ENOMEM.
	 * It reads o_content_length: call it from the writer's thread (the
	 * fetch inserts its own object), or once the object is published.
	 */
	int (*insert)(struct sto_tier *t, struct sto_obj *o);
	/*
	 * Drop every object (every variant) under k whose hash inputs equal
	 * hashin; hashin NULL drops every object under k whatever its inputs
	 * (tools that only know a key). *nremoved (may be NULL) gets the
	 * count. 0, or ENOENT when none.
	 */
	int (*remove)(struct sto_tier *t, const struct sto_key *k,
		      const void *hashin, size_t hashin_len,
		      unsigned *nremoved);
	/* Drop exactly o if this tier indexes it. 0 or ENOENT. */
	int (*unlink)(struct sto_tier *t, struct sto_obj *o);
	/* Call fn for every indexed object (under a tier lock). */
	int (*foreach)(struct sto_tier *t, sto_iter_f *fn, void *priv);
	void (*stats)(struct sto_tier *t, struct sto_stats *st);

	/* Called by sto_obj.c, not by the daemon: o's footprint grew. */
	void (*charge)(struct sto_tier *t, struct sto_obj *o);
	/* Called by sto_obj.c, not by the daemon: o was published. */
	void (*publish)(struct sto_tier *t, struct sto_obj *o);
};

struct sto_tier {
	unsigned magic;
#define STO_TIER_MAGIC 0x71e2a0c3
	const struct sto_tier_ops *t_ops;
};

/* "mem", "mem=256M", "mem=1G,policy=lru": pick the ops by name, open. */
int sto_tier_open(struct sto_tier **tp, const char *spec);
void sto_tier_close(struct sto_tier **tp);

static inline int
sto_lookup(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	   size_t hashin_len, sto_match_f *match, void *priv,
	   struct sto_obj **op)
{
	return (t->t_ops->lookup(t, k, hashin, hashin_len, match, priv, op));
}

static inline int
sto_insert(struct sto_tier *t, struct sto_obj *o)
{
	return (t->t_ops->insert(t, o));
}

static inline int
sto_remove(struct sto_tier *t, const struct sto_key *k, const void *hashin,
	   size_t hashin_len, unsigned *nremoved)
{
	return (t->t_ops->remove(t, k, hashin, hashin_len, nremoved));
}

static inline int
sto_unlink(struct sto_tier *t, struct sto_obj *o)
{
	return (t->t_ops->unlink(t, o));
}

static inline void
sto_stats(struct sto_tier *t, struct sto_stats *st)
{
	t->t_ops->stats(t, st);
}

/* ---- the memory tier ---- */

/* X(name, text): eviction policies. */
#define STO_POLICY_LIST(X)                                                     \
	X(LRU, "lru")                                                          \
	X(SLRU, "slru")                                                        \
	X(S3FIFO, "s3fifo")

enum sto_policy {
#define X(name, text) STO_POL_##name,
	STO_POLICY_LIST(X)
#undef X
	    STO_POL__N
};

/* -s mem=SIZE[,policy=NAME][,shards=N][,small=PCT][,promote=N] */
struct sto_mem_conf {
	size_t mc_budget;          /* bytes (default 256 MiB) */
	unsigned mc_shards;        /* hash shards, a power of two (64) */
	enum sto_policy mc_policy; /* default: see sto_mem_conf_default */
	unsigned mc_small_pct;     /* S3-FIFO small queue (10), SLRU
				      probation (20), % of the budget */
	unsigned mc_promote;       /* S3-FIFO: hits in the small queue to
				      move to main (1) */
	/*
	 * Optional (NULL: none; not settable through -s): called for each
	 * object evicted for the budget that a lookup returned while it was
	 * indexed (never for one only inserted, nor on remove, unlink,
	 * replacement, the too-big rule or close). It runs on the thread
	 * whose insert or growth went over budget, with no storage lock
	 * held, while the evictor still holds a reference on o: o is valid
	 * for the call (take a reference to keep it longer). It must be
	 * quick and must not block: the daemon tells the disk tier that
	 * the object was in use (sto_lmdb_touch_key). Lookups pay nothing
	 * for it: a hit sets a byte under the shard lock it holds anyway.
	 */
	void (*mc_evicted)(struct sto_obj *o, void *priv);
	void *mc_evicted_priv; /* its priv, passed as is */
};

extern const struct sto_tier_ops sto_mem_ops;

void sto_mem_conf_default(struct sto_mem_conf *mc);
/* Parse the text after "mem=" onto mc (defaults first). 0 or STO_ESPEC. */
int sto_mem_conf_parse(struct sto_mem_conf *mc, const char *arg);
int sto_mem_open(struct sto_tier **tp, const struct sto_mem_conf *mc);
const char *sto_policy_name(enum sto_policy p);

#endif
