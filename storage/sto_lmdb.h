/*
 * sto_lmdb.h: the disk tier. One LMDB environment (a directory holding
 * data.mdb and lock.mdb) keeps objects across restarts and holds far more
 * than RAM. docs/storage-lmdb.md describes the file format, the writer,
 * eviction and integrity rules this file implements; read it first.
 *
 * The daemon uses it behind the memory tier:
 *
 *   lookup    a memory miss looks here (sto_lookup on this tier). A found
 *             object comes back COMPLETE with STO_F_ONDISK set, and either
 *               - its body loaded into memory segments (body <= promote
 *                 limit): an ordinary object the daemon may insert into
 *                 the memory tier (promotion), or
 *               - STO_F_DISKBODY set and no body in memory: the daemon
 *                 reads the body with sto_lmdb_read(), chunk by chunk.
 *             Every lookup that finds an object counts as a hit on disk
 *             (its recency and hit count are updated behind).
 *   insert    write-behind: a COMPLETE object is queued for the writer
 *             thread, which writes it in its next batch (group commit).
 *             The tier takes its own reference until written. The object
 *             is NOT indexed by this tier (o_tier is untouched: it stays
 *             in the memory tier). Never blocks.
 *   remove    PURGE: every object under the key (and hash inputs) goes
 *             away; lookups stop finding them at once (a tombstone until
 *             the writer has committed the delete).
 *   unlink    drop o's variant from disk (an expired object, a corrupt
 *             one, one replaced by a hit-for-miss marker).
 *
 * Threads: lookup, insert, remove, unlink, read and stats may be called
 * from any thread at any time. Each calling thread keeps one read
 * transaction that it renews at the start of a call and resets before
 * returning: no call holds a read transaction after it returns, so a
 * worker never holds one across a wait on the network. One writer thread
 * per tier does every write.
 *
 * Integrity: every chunk and every metadata record carries an XXH3-64
 * checksum, checked on every read. A mismatch returns STO_ECORRUPT, drops
 * the object (behind, like a remove) and counts it; nothing corrupt is
 * ever returned.
 *
 * The functions below the ops are for the daemon (read, touch_key, flush,
 * streams) and for accelctl (read-only walks and synchronous edits).
 */
#ifndef STO_LMDB_H
#define STO_LMDB_H

#include "storage/storage.h"

#include <limits.h>

/* -s lmdb=DIR[,SIZE][,sync=on|off][,chunk=SIZE][,promote=SIZE][,batch=MS]
 *      [,queue=SIZE] */
struct sto_lmdb_conf {
	char lc_dir[PATH_MAX]; /* the environment's directory (created) */
	size_t lc_mapsize;     /* bytes the store may use (default: see
				  sto_lmdb_conf_default); 0: the store's
				  own (accelctl; a new store then gets
				  sto_lmdb_default_mapsize(lc_dir)).
				  Ignored when read-only */
	unsigned lc_sync;      /* 1 (default): fsync at every batch commit;
				  0: MDB_NOSYNC (the OS writes back; a
				  process crash loses nothing, a power cut
				  may lose recent batches) */
	size_t lc_chunk;       /* chunk record size for a new store (64
				  KiB): each holds lc_chunk - 24 body
				  bytes, so that a chunk fills whole pages
				  (docs/storage-lmdb.md); an existing
				  store keeps its own */
	size_t lc_promote;     /* bodies up to this are loaded into memory
				  on a disk hit (default 1 MiB) */
	unsigned lc_batch_ms;  /* writer: longest wait to fill a batch (2) */
	size_t lc_queue;       /* write-behind queue limit in body bytes
				  (64 MiB); beyond it objects are not
				  written (counted) rather than wait */
	unsigned lc_readonly;  /* accelctl: MDB_RDONLY, no writer thread */
	double lc_high;        /* eviction starts above this fraction of the
				  map in use (0.90) */
	double lc_low;         /* and goes on down to this (0.80) */
};

/*
 * Every field to its default: lc_dir "" (set it), lc_mapsize
 * sto_lmdb_default_mapsize(".").
 */
void sto_lmdb_conf_default(struct sto_lmdb_conf *lc);
/* min(1 GiB, half the free space of the file system holding dir or its
 * nearest existing parent), at least 16 MiB. */
size_t sto_lmdb_default_mapsize(const char *dir);
/*
 * Parse the text after "lmdb=" onto lc (defaults first): "DIR",
 * "DIR,200G", "DIR,1G,sync=off,chunk=256k"; without a SIZE, lc_mapsize is
 * sto_lmdb_default_mapsize(DIR). 0, or STO_ESPEC with a reason in err
 * (errlen bytes, may be NULL): "lmdb=ARG: bad size 'x'".
 */
int sto_lmdb_conf_parse(struct sto_lmdb_conf *lc, const char *arg, char *err,
			size_t errlen);

extern const struct sto_tier_ops sto_lmdb_ops;

/*
 * Open (creating DIR and the store when absent) and, unless read-only,
 * start the writer thread. No scan: the cost is independent of the number
 * of objects. 0, STO_ESPEC (bad conf), STO_EFORMAT (not an accel store,
 * or another format version), or an errno (EACCES, ENOSPC...) with the
 * reason in err; read-only without a store: ENOENT, "no store in DIR".
 * A read-only tier refuses insert, remove, unlink and sto_lmdb_delete
 * with EROFS; lookups on it count no hits on disk. One process opens a
 * directory once (LMDB's rule): two tiers need two directories.
 */
int sto_lmdb_open(struct sto_tier **tp, const struct sto_lmdb_conf *lc,
		  char *err, size_t errlen);

/*
 * Stream body bytes [off, off + len) of a STO_F_DISKBODY object (one that
 * lookup returned) to fn, one call per chunk piece, inside a read
 * transaction: (p, n) is valid only during the call (copy it, e.g.
 * evbuffer_add). Every chunk touched is checked whole before fn sees any
 * of it. fn returning nonzero stops the read (that value is returned).
 * 0; ENOENT (the object left the store meanwhile: evicted, purged);
 * STO_ECORRUPT (a checksum failed: the object is dropped); EINVAL (range
 * past the body); STO_ESTATE (o is not a disk view).
 */
typedef int sto_read_f(void *priv, const void *p, size_t n);
int sto_lmdb_read(struct sto_tier *t, const struct sto_obj *o, uint64_t off,
		  uint64_t len, sto_read_f *fn, void *priv);

/* Bytes from body offset pos to the end of its chunk, for a STO_F_DISKBODY
 * object: reads that stop there touch one chunk each. */
static inline uint64_t
sto_lmdb_chunk_room(const struct sto_obj *o, uint64_t pos)
{
	uint64_t c = o->o_dsk.dl_chunk > 0 ? o->o_dsk.dl_chunk : 65536;
	return (c - pos % c);
}

/*
 * The memory tier served an object under k and has now evicted it: move
 * every object stored under k (each variant, each colliding URL: which
 * one it was is not known) to the current recency generation, so that
 * disk eviction does not take first what memory kept hot. No hit is
 * counted (le_hits counts disk hits). Queued as a touch (behind, capped
 * with the disk hits' touches: past the cap it is dropped), never
 * waiting on the writer, only on the queue's mutex. 0 (also on a
 * read-only tier, which ignores it), or ENOMEM.
 */
int sto_lmdb_touch_key(struct sto_tier *t, const struct sto_key *k);

/* Wait until everything queued before the call is committed (tests,
 * clean shutdown; close does it too). 0 or an errno. */
int sto_lmdb_flush(struct sto_tier *t);

/*
 * Streaming writes: an object larger than memory goes to disk chunk by
 * chunk as its body arrives, never whole in memory (docs/storage-lmdb.md,
 * "Streaming writes"). One thread drives a stream (begin, appends, end);
 * streams of one tier may run on any threads at once. Every stream must
 * end before its tier closes.
 */
struct sto_lmdb_wstream; /* opaque */
/*
 * Begin writing o's body to disk as it arrives. o: a published object
 * (STREAMING or COMPLETE) whose metadata is final (status, header block,
 * ETag, Last-Modified, Vary, times, o_content_length >= 0 known), usually
 * not indexed by any tier, without HFM, HFP, NOPERSIST, ONDISK or
 * DISKBODY. Sets STO_F_ONDISK on o (the claim: insert and another
 * begin then refuse it; an end that drops the stream clears it). Takes
 * a reference on o (released by end). Assigns the object's id now.
 * 0; STO_ETOOBIG (length over the tier's limit for
 * one object, an eighth of the map; counted in toobig); EROFS; ENOMEM;
 * STO_ESTATE (o's state or flags); EINVAL (o_content_length < 0).
 */
int sto_lmdb_stream_begin(struct sto_tier *t, struct sto_obj *o,
			  struct sto_lmdb_wstream **wsp);
/*
 * Copy n body bytes; each full chunk is queued for the writer (a copy,
 * one chunk's worth, sealed with its checksum on the caller's thread).
 * Never blocks on I/O (only on the queue's mutex). 0, or ENOSPC when the
 * write-behind queue is over its limit (lc_queue), the stream's own
 * chunks queued and not yet committed are over the stream's limit
 * (lc_queue / 8, at least 8 chunks), the writer dropped one of its chunks
 * (no room on disk), or the stream went over the announced length: the
 * stream is then broken (every later append answers ENOSPC) and the
 * caller must end(ws, 0). ENOMEM (no chunk buffer) breaks it too.
 */
int sto_lmdb_stream_append(struct sto_lmdb_wstream *ws, const void *p,
			   size_t n);
/*
 * Bytes append would take now without ENOSPC (0 when broken): a producer
 * that can wait (stop reading from the origin a while) asks before it
 * appends instead of losing the stream. The queue drains as the writer
 * commits; nothing wakes the caller: poll.
 */
size_t sto_lmdb_stream_room(const struct sto_lmdb_wstream *ws);
/*
 * ok != 0 and exactly o_content_length bytes appended: the last chunk and
 * the metadata are queued; the object becomes findable by lookups once
 * that batch commits (sto_lmdb_flush() waits for it), replacing older
 * copies of its variant as a PUT does, unless the writer finds a chunk
 * missing (then it deletes the rest: never an object with a hole).
 * Otherwise the chunks already written are deleted (behind). Frees *wsp,
 * sets it NULL, drops the reference on o. Never refused for room: the
 * end goes into the queue whatever it holds (its chunk is memory the
 * stream held already). 0 (also for ok == 0), or the reason it was
 * dropped: STO_EFAILED (a length other than announced), ENOSPC (broken:
 * an append answered ENOSPC), ENOMEM.
 */
int sto_lmdb_stream_end(struct sto_lmdb_wstream **wsp, int ok);

/* X(name, help): counters beyond struct sto_stats. */
#define STO_LMDB_STATS_LIST(X)                                                 \
	X(commits, "write transactions committed")                             \
	X(queued, "objects queued for writing")                                \
	X(written, "objects written")                                          \
	X(streamed, "objects written by streaming (counted in written too)")   \
	X(wb_dropped, "objects not written: queue full, too big, or no room")  \
	X(corrupt, "objects dropped for a checksum mismatch")                  \
	X(map_full, "MDB_MAP_FULL or ENOSPC met by the writer (then evicted)") \
	X(expired, "objects evicted because they were dead")                   \
	X(touches, "recency updates written")                                  \
	X(chunks_read, "chunks read and checked")                              \
	X(pages_used, "pages in use (map pages minus free pages)")             \
	X(pages_max, "pages the map may hold")                                 \
	X(page_size, "bytes per page")                                         \
	X(queue_bytes, "bytes the write-behind queue holds now (a gauge)")

struct sto_lmdb_stats {
#define X(name, help) uint64_t name;
	STO_LMDB_STATS_LIST(X)
#undef X
};
void sto_lmdb_stats(struct sto_tier *t, struct sto_lmdb_stats *st);

/* ---- for accelctl ---- */

/* One stored object as a walk sees it. */
struct sto_lmdb_ent {
	struct sto_key le_key;
	uint64_t le_id;         /* the object's id in the store */
	uint32_t le_gen;        /* recency generation */
	uint32_t le_hits;       /* hits served from disk */
	uint64_t le_dead_at;    /* when nothing can use it any more */
	uint64_t le_disk;       /* bytes of records (metadata + chunks) */
	struct sto_obj *le_obj; /* metadata only (STO_F_DISKBODY), borrowed
				   for the callback; NULL when the metadata
				   record failed its checksum (le_err) */
	int le_err;             /* 0 or STO_ECORRUPT */
};

/*
 * Call fn for every object in key order (one read transaction for the
 * walk). verify != 0 also checks every body chunk (le_err reports it).
 * fn returning nonzero stops the walk with that value.
 */
typedef int sto_walk_f(const struct sto_lmdb_ent *e, void *priv);
int sto_lmdb_walk(struct sto_tier *t, int verify, sto_walk_f *fn, void *priv);
/* The objects under one key (all variants), same callback. ENOENT when
 * none. */
int sto_lmdb_get(struct sto_tier *t, const struct sto_key *k, sto_walk_f *fn,
		 void *priv);
/* Stream a stored object's whole body by id (accelctl show --body). */
int sto_lmdb_body(struct sto_tier *t, uint64_t id, sto_read_f *fn, void *priv);
/*
 * Delete now, in one write transaction of the caller's (not through the
 * writer thread: accelctl has none): the objects under k whose hash inputs
 * equal hashin (NULL: all under k), or exactly id when id != 0. Needs a
 * tier opened read-write. *n gets the count. 0, ENOENT, or an errno.
 */
int sto_lmdb_delete(struct sto_tier *t, const struct sto_key *k,
		    const void *hashin, size_t hashin_len, uint64_t id,
		    unsigned *n);

/* The store's fixed facts (from its info record). */
struct sto_lmdb_info {
	unsigned li_format;  /* format version */
	size_t li_chunk;     /* body bytes per chunk (-s chunk= less 24) */
	size_t li_mapsize;   /* bytes */
	uint64_t li_next_id; /* ids below this were given out */
	uint32_t li_gen;     /* current recency generation */
	uint64_t li_objects; /* objects indexed */
	uint64_t li_bytes;   /* record bytes (metadata + chunks) */
};
int sto_lmdb_info(struct sto_tier *t, struct sto_lmdb_info *li);

#endif
