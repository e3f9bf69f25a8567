/*
 * sto_mem.h: private to the memory tier (sto_mem.c) and its eviction
 * policies (sto_evict.c). Not for the daemon: it uses storage.h.
 *
 * Locks: each shard has a mutex over its hash chains and the o_mem fields
 * marked "shard lock"; one eviction mutex covers the policy's queues and the
 * fields marked "eviction lock". The order is shard, then eviction: insert
 * and unlink take both that way; the evictor picks a victim under the
 * eviction lock alone, drops it, then takes the victim's shard lock alone.
 * A hit takes the shard lock, and for LRU and SLRU afterwards (not nested)
 * the eviction lock; S3-FIFO hits touch only an atomic counter. Under the
 * shard lock a hit also sets o_mem.ml_hit (once), which the evictor reads
 * under the same lock to decide on calling mc_evicted after unlocking.
 */
#ifndef STO_MEM_H
#define STO_MEM_H

#include <pthread.h>

#include "storage/sto_common.h"

/* o_mem.ml_queue values: which queue of the policy holds the object. A
 * new object is zeroed: in no queue. ev_q[STO_Q_NONE] stays empty. */
#define STO_Q_NONE 0
#define STO_Q_A    1 /* LRU: the list; SLRU: probation; S3-FIFO: small */
#define STO_Q_B    2 /* SLRU: protected; S3-FIFO: main */
#define STO_NQ     3

/* A doubly linked queue through o_mem.ml_prev/ml_next; head is newest. */
struct sto_queue {
	struct sto_obj *q_head;
	struct sto_obj *q_tail;
	size_t q_bytes;
	size_t q_n;
};

/* An S3-FIFO ghost entry: a key fingerprint and when it entered. */
struct sto_ghost_ent {
	uint64_t ge_fp;    /* 0: empty */
	uint64_t ge_clock; /* ev_ghost_clock (bytes evicted) at entry */
};

struct sto_policy_ops;

/* One policy instance; everything below is under ev_mtx. */
struct sto_evict {
	unsigned magic;
#define STO_EVICT_MAGIC 0x4e1c7a05
	pthread_mutex_t ev_mtx;
	const struct sto_policy_ops *ev_ops;
	size_t ev_budget;
	size_t ev_small;     /* S3-FIFO small / SLRU probation target */
	unsigned ev_promote; /* S3-FIFO hits to move small -> main */
	int ev_has_evicted;  /* S3-FIFO: fill main directly until then */
	struct sto_queue ev_q[STO_NQ];
	/* S3-FIFO ghost: a 4-way set-associative table of fingerprints; an
	 * entry counts while less than ev_ghost_window bytes were evicted
	 * after it (a FIFO by bytes, without a list). */
	struct sto_ghost_ent *ev_ghost;
	size_t ev_ghost_sets; /* power of two */
	uint64_t ev_ghost_clock;
	uint64_t ev_ghost_window;
};

/*
 * A policy. enqueue/dequeue/victim/resize run under ev_mtx; touch runs with
 * no lock held (the object is referenced) and locks what it needs.
 */
struct sto_policy_ops {
	const char *name;
	/* New object o; hint is the queue of the object it replaces, or
	 * STO_Q_NONE. */
	void (*enqueue)(struct sto_evict *ev, struct sto_obj *o, unsigned hint);
	void (*dequeue)(struct sto_evict *ev, struct sto_obj *o);
	void (*touch)(struct sto_evict *ev, struct sto_obj *o);
	/* Choose and dequeue the next victim; NULL when empty. */
	struct sto_obj *(*victim)(struct sto_evict *ev);
};

extern const struct sto_policy_ops *const sto_policies[STO_POL__N];

int sto_evict_init(struct sto_evict *ev, const struct sto_mem_conf *mc);
void sto_evict_fini(struct sto_evict *ev);
/* o's size changed to size: its queue's count and ml_size (under ev_mtx
 * and o's shard lock: either lock reads ml_size). */
void sto_evict_resize(struct sto_evict *ev, struct sto_obj *o, size_t size);

#endif
