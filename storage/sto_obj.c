/*
 * sto_obj.c: objects: references, metadata, and a body of segments that one
 * writer appends to while readers on other threads follow it.
 *
 * The body protocol: the writer fills the tail segment to its capacity
 * before it links the next one, and after copying bytes it stores the new
 * body length into o_published with release order. A reader loads
 * o_published with acquire order, so every byte and every sg_next link
 * below that length is visible to it, and it never reads past it: no lock
 * on either side, and segments never move or shrink until the last deref.
 */
#include "storage/sto_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sto_seg {
	struct sto_seg *sg_next; /* written before the bytes it leads to are
				    published; NULL for the tail */
	uint32_t sg_cap;         /* bytes of sg_data, fixed at allocation
				    (at most STO_SEG_MAX_HI) */
	uint32_t sg_used;        /* writer only: bytes of sg_data written
				    (readers go by o_published) */
	uint8_t sg_data[];
};

/* Smallest segment for a body of unknown length. */
#define STO_SEG_MIN 1024
/* Bounds for sto_seg_max_set(). */
#define STO_SEG_MAX_LO 1024
#define STO_SEG_MAX_HI (1024 * 1024)

/* 64 KiB: see docs/storage.md (segment size) for the measurement. */
static _Atomic size_t sto_seg_max = 64 * 1024;

void
sto_seg_max_set(size_t n)
{
	if (n < STO_SEG_MAX_LO)
		n = STO_SEG_MAX_LO;
	if (n > STO_SEG_MAX_HI)
		n = STO_SEG_MAX_HI;
	atomic_store_explicit(&sto_seg_max, n, memory_order_relaxed);
}

size_t
sto_seg_max_get(void)
{
	return (atomic_load_explicit(&sto_seg_max, memory_order_relaxed));
}

int
sto_obj_new(struct sto_obj **op, const struct sto_key *key, const void *hashin,
	    size_t hashin_len)
{
	struct sto_obj *o;

	STO_AN(op);
	STO_AN(key);
	*op = NULL;
	if ((hashin == NULL && hashin_len > 0) || hashin_len > UINT32_MAX)
		return (EINVAL);
	o = calloc(1, sizeof *o + hashin_len);
	if (o == NULL)
		return (ENOMEM);
	o->magic = STO_OBJ_MAGIC;
	atomic_init(&o->o_refcnt, 1);
	atomic_init(&o->o_state, STO_OBJ_BUSY);
	atomic_init(&o->o_flags, 0);
	atomic_init(&o->o_published, 0);
	atomic_init(&o->o_footprint, sizeof *o + hashin_len);
	atomic_init(&o->o_tier, NULL);
	atomic_init(&o->o_mem.ml_freq, 0);
	o->o_key = *key;
	if (hashin_len > 0)
		memcpy(o + 1, hashin, hashin_len);
	o->o_hashin_len = (uint32_t)hashin_len;
	o->o_content_length = -1;
	*op = o;
	return (0);
}

struct sto_obj *
sto_obj_ref(struct sto_obj *o)
{
	unsigned old;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	/* Relaxed: a new reference is made from one we already hold. */
	old = atomic_fetch_add_explicit(&o->o_refcnt, 1, memory_order_relaxed);
	STO_ASSERT(old > 0 && old < UINT32_MAX);
	return (o);
}

/* Frees segments and metadata: only once nobody can reach the object. */
static void
obj_free(struct sto_obj *o)
{
	struct sto_seg *sg, *next;

	STO_ASSERT(atomic_load(&o->o_tier) == NULL);
	for (sg = o->o_seg_head; sg != NULL; sg = next) {
		next = sg->sg_next;
		if (sg != o->o_seg_head || !o->o_seg_inline)
			free(sg);
	}
	free(o->o_meta); /* with the first segment if o_seg_inline */
	o->magic = 0;
	free(o);
}

void
sto_obj_deref(struct sto_obj **op)
{
	struct sto_obj *o;
	unsigned old;

	STO_AN(op);
	o = *op;
	*op = NULL;
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	/* Release our writes to whoever frees; acquire theirs if we free. */
	old = atomic_fetch_sub_explicit(&o->o_refcnt, 1, memory_order_acq_rel);
	STO_ASSERT(old > 0);
	if (old == 1)
		obj_free(o);
}

/* Tell the indexing tier the footprint changed, so the budget sees it. */
static void
obj_charge(struct sto_obj *o)
{
	struct sto_tier *t;

	t = atomic_load(&o->o_tier);
	if (t != NULL)
		t->t_ops->charge(t, o);
}

/* Bytes of the metadata allocation: every field set, with its NUL. */
static size_t
meta_size(const struct sto_obj *o)
{
	size_t n = 0;
	unsigned m;

	for (m = 0; m < STO_META__N; m++)
		n += sto_obj_meta_span(o, m);
	return (n);
}

/*
 * Replace the fields whose bit is set in mask with copies of nv[], keeping
 * the others: a new allocation holds them all (one malloc per object, not
 * one per field), and the old one is freed. Each field gets a NUL after
 * it: text fields can be read as strings, and a field set to 0 bytes is
 * told from one never set.
 */
static int
obj_meta_set(struct sto_obj *o, unsigned mask, const struct sto_bytes *nv)
{
	size_t len[STO_META__N], total = 0, off = 0, max;
	struct sto_bytes cur;
	uint8_t *d;
	unsigned m;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	/* Metadata is immutable once readers may look at it. */
	STO_ASSERT(atomic_load_explicit(&o->o_state, memory_order_relaxed) ==
		   STO_OBJ_BUSY);
	for (m = 0; m < STO_META__N; m++) {
		max = m == STO_META_HDRS ? UINT32_MAX : UINT16_MAX;
		if ((mask & (1u << m)) == 0) {
			len[m] = sto_obj_meta_span(o, m);
		} else if ((nv[m].ptr == NULL && nv[m].len > 0) ||
			   nv[m].len >= max) {
			return (EINVAL);
		} else
			len[m] = nv[m].len + 1;
		total += len[m];
	}
	STO_ASSERT(total > 0); /* mask names at least one field */
	d = malloc(total);
	if (d == NULL)
		return (ENOMEM);
	for (m = 0; m < STO_META__N; m++) {
		if (mask & (1u << m)) {
			if (nv[m].len > 0)
				memcpy(d + off, nv[m].ptr, nv[m].len);
			d[off + nv[m].len] = '\0';
		} else if (len[m] > 0) {
			cur = sto_obj_meta(o, (enum sto_meta)m);
			memcpy(d + off, cur.ptr, len[m]); /* with its NUL */
		}
		off += len[m];
	}
	/* Modular arithmetic: right whether it grew or shrank. */
	atomic_fetch_add(&o->o_footprint, total - meta_size(o));
	free(o->o_meta);
	o->o_meta = d;
	o->o_meta_hdrs = (uint32_t)len[STO_META_HDRS];
	for (m = 1; m < STO_META__N; m++)
		o->o_meta_len[m - 1] = (uint16_t)len[m];
	obj_charge(o);
	return (0);
}

/* Set the one field m. */
static int
obj_meta_set1(struct sto_obj *o, enum sto_meta m, const void *p, size_t len)
{
	struct sto_bytes nv[STO_META__N] = {{NULL, 0}};

	nv[m].ptr = p;
	nv[m].len = len;
	return (obj_meta_set(o, 1u << m, nv));
}

int
sto_obj_set_meta(struct sto_obj *o, unsigned mask, const struct sto_bytes *nv)
{
	STO_AN(nv);
	if (mask == 0 || mask >= (1u << STO_META__N))
		return (EINVAL);
	return (obj_meta_set(o, mask, nv));
}

int
sto_obj_set_hdrs(struct sto_obj *o, const void *p, size_t len)
{
	return (obj_meta_set1(o, STO_META_HDRS, p, len));
}

int
sto_obj_set_etag(struct sto_obj *o, const void *p, size_t len)
{
	return (obj_meta_set1(o, STO_META_ETAG, p, len));
}

int
sto_obj_set_lastmod(struct sto_obj *o, const void *p, size_t len)
{
	return (obj_meta_set1(o, STO_META_LASTMOD, p, len));
}

int
sto_obj_set_vary(struct sto_obj *o, const void *names, size_t nlen,
		 const void *vals, size_t vlen)
{
	struct sto_bytes nv[STO_META__N] = {{NULL, 0}};

	nv[STO_META_VARY_NAMES].ptr = names;
	nv[STO_META_VARY_NAMES].len = nlen;
	nv[STO_META_VARY_VALS].ptr = vals;
	nv[STO_META_VARY_VALS].len = vlen;
	return (obj_meta_set(
	    o, (1u << STO_META_VARY_NAMES) | (1u << STO_META_VARY_VALS), nv));
}

/* The notify hook and its argument: set before threads run. */
static void (*sto_notify_fn)(struct sto_obj *, void *);
static void *sto_notify_priv;

void
sto_obj_notify_set(void (*fn)(struct sto_obj *o, void *priv), void *priv)
{
	sto_notify_fn = fn;
	sto_notify_priv = priv;
}

/* Wake readers: the daemon's hook, on the writer's thread, no lock held. */
static void
obj_notify(struct sto_obj *o)
{
	if (sto_notify_fn != NULL)
		sto_notify_fn(o, sto_notify_priv);
}

/* Body bytes appended so far. Relaxed: only the writer stores them. */
static size_t
obj_body_len(const struct sto_obj *o)
{
	return (atomic_load_explicit(&o->o_published, memory_order_relaxed));
}

static size_t seg_size(const struct sto_obj *o, size_t body_len, size_t want);

/*
 * At publish, when the body length is known: grow the metadata allocation
 * to hold the first body segment too, so that a small object is two
 * allocations (the struct with its hash inputs, and this one) instead of
 * three. realloc() often grows it in place; if it cannot, the segment is
 * allocated on the first append as usual. Returns whether o grew. The
 * object is still BUSY: no reader looks at o_meta or the segments yet.
 */
static int
obj_seg_first(struct sto_obj *o)
{
	size_t off, cap, total;
	struct sto_seg *sg;
	uint8_t *d;

	if (o->o_content_length <= 0 || o->o_seg_head != NULL)
		return (0);
	off = meta_size(o);
	off = (off + _Alignof(struct sto_seg) - 1) &
	      ~(_Alignof(struct sto_seg) - 1);
	cap = seg_size(o, 0, 0);
	total = off + sizeof *sg + cap;
	d = realloc(o->o_meta, total);
	if (d == NULL)
		return (0);
	atomic_fetch_add(&o->o_footprint, total - meta_size(o));
	o->o_meta = d;
	sg = (struct sto_seg *)(void *)(d + off);
	sg->sg_next = NULL;
	sg->sg_cap = (uint32_t)cap;
	sg->sg_used = 0;
	o->o_seg_head = o->o_seg_tail = sg;
	o->o_seg_inline = 1;
	return (1);
}

/* BUSY -> STREAMING without the notify (callers notify once at the end). */
static void
obj_publish_meta(struct sto_obj *o)
{
	struct sto_tier *t;
	int grew;

	if (atomic_load_explicit(&o->o_state, memory_order_relaxed) !=
	    STO_OBJ_BUSY)
		return;
	grew = obj_seg_first(o);
	/* The metadata written so far happens-before any reader's acquire
	 * load that sees STREAMING; seq_cst, not just release, because an
	 * insert on another thread may set o_tier meanwhile (mem_insert). */
	atomic_store(&o->o_state, STO_OBJ_STREAMING);
	t = atomic_load(&o->o_tier);
	if (t != NULL) {
		t->t_ops->publish(t, o);
		/* After publishing: eviction may run here, on our thread. */
		if (grew)
			t->t_ops->charge(t, o);
	}
}

void
sto_obj_publish(struct sto_obj *o)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	if (atomic_load_explicit(&o->o_state, memory_order_relaxed) !=
	    STO_OBJ_BUSY)
		return;
	obj_publish_meta(o);
	obj_notify(o);
}

/*
 * Capacity of the next segment. A known length gets exact-fit segments (a
 * 500-byte body costs 500 bytes, not a whole segment). An unknown one gets
 * segments of an eighth of the body so far (at least the bytes at hand),
 * so the unused end of the last one is at most about 12.5% of the body,
 * or STO_SEG_MIN; doubling would waste up to half (docs/storage.md).
 */
static size_t
seg_size(const struct sto_obj *o, size_t body_len, size_t want)
{
	size_t max = sto_seg_max_get();
	size_t n;

	if (o->o_content_length >= 0 &&
	    (uint64_t)o->o_content_length > body_len) {
		uint64_t rem = (uint64_t)o->o_content_length - body_len;
		return (rem < max ? (size_t)rem : max);
	}
	n = body_len / 8;
	if (n < want)
		n = want;
	if (n < STO_SEG_MIN)
		n = STO_SEG_MIN;
	return (n < max ? n : max);
}

int
sto_obj_append(struct sto_obj *o, const void *data, size_t len)
{
	const uint8_t *src = data;
	struct sto_seg *sg;
	int grew = 0, err = 0;
	size_t n, body_len;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	STO_ASSERT(atomic_load_explicit(&o->o_state, memory_order_relaxed) <=
		   STO_OBJ_STREAMING);
	STO_ASSERT(data != NULL || len == 0);
	obj_publish_meta(o);
	body_len = obj_body_len(o);
	while (len > 0) {
		if (o->o_seg_tail == NULL ||
		    o->o_seg_tail->sg_used == o->o_seg_tail->sg_cap) {
			n = seg_size(o, body_len, len);
			sg = malloc(sizeof *sg + n);
			if (sg == NULL) {
				err = ENOMEM;
				break;
			}
			sg->sg_next = NULL;
			sg->sg_cap = (uint32_t)n;
			sg->sg_used = 0;
			/* Readers reach sg only through bytes published
			 * below, after this link. */
			if (o->o_seg_tail != NULL)
				o->o_seg_tail->sg_next = sg;
			else
				o->o_seg_head = sg;
			o->o_seg_tail = sg;
			atomic_fetch_add(&o->o_footprint, sizeof *sg + n);
			grew = 1;
		}
		sg = o->o_seg_tail;
		n = sg->sg_cap - sg->sg_used;
		if (n > len)
			n = len;
		memcpy(sg->sg_data + sg->sg_used, src, n);
		sg->sg_used += (uint32_t)n;
		body_len += n;
		src += n;
		len -= n;
	}
	atomic_store_explicit(&o->o_published, body_len, memory_order_release);
	/* Charge after publishing: eviction may run here, on our thread. */
	if (grew)
		obj_charge(o);
	obj_notify(o);
	return (err);
}

int
sto_obj_finish(struct sto_obj *o, int ok)
{
	struct sto_tier *t;
	int err = 0;

	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	STO_ASSERT(atomic_load_explicit(&o->o_state, memory_order_relaxed) <=
		   STO_OBJ_STREAMING);
	/* A body that does not match its announced length is truncated or
	 * overlong: never let it be served as complete. */
	if (ok && o->o_content_length >= 0 &&
	    (uint64_t)o->o_content_length != obj_body_len(o)) {
		ok = 0;
		err = STO_EFAILED;
	}
	if (ok)
		obj_publish_meta(o);
	/* seq_cst before reading o_tier, as in obj_publish_meta(). */
	atomic_store(&o->o_state, ok ? STO_OBJ_COMPLETE : STO_OBJ_FAILED);
	obj_notify(o);
	if (!ok) {
		t = atomic_load(&o->o_tier);
		if (t != NULL)
			(void)t->t_ops->unlink(t, o);
	}
	return (err);
}

void
sto_obj_set_diskbody(struct sto_obj *o, size_t len)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	STO_ASSERT(atomic_load_explicit(&o->o_state, memory_order_relaxed) ==
		   STO_OBJ_BUSY);
	STO_ASSERT(o->o_seg_head == NULL && atomic_load(&o->o_tier) == NULL);
	atomic_fetch_or(&o->o_flags, STO_F_DISKBODY | STO_F_ONDISK);
	o->o_content_length = (int64_t)len;
	atomic_store_explicit(&o->o_published, len, memory_order_relaxed);
	atomic_store(&o->o_state, STO_OBJ_COMPLETE);
}

enum sto_obj_state
sto_obj_state(const struct sto_obj *o)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	return ((enum sto_obj_state)atomic_load_explicit(&o->o_state,
							 memory_order_acquire));
}

size_t
sto_obj_len(const struct sto_obj *o)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	return (atomic_load_explicit(&o->o_published, memory_order_acquire));
}

unsigned
sto_obj_flags(const struct sto_obj *o)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	return (atomic_load_explicit(&o->o_flags, memory_order_acquire));
}

void
sto_obj_flags_set(struct sto_obj *o, unsigned flags)
{
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	atomic_fetch_or_explicit(&o->o_flags, flags, memory_order_release);
}

/* ---- cursors ---- */

void
sto_cursor_init(struct sto_cursor *c, const struct sto_obj *o)
{
	STO_AN(c);
	STO_CHECK_OBJ_NOTNULL(o, STO_OBJ_MAGIC);
	c->magic = STO_CURSOR_MAGIC;
	c->c_obj = o;
	c->c_seg = NULL;
	c->c_segoff = 0;
	c->c_pos = 0;
}

/*
 * How many body bytes a reader may look at for position pos: 0 with *pubp
 * set, or the code that ends or pauses the read. The state is loaded
 * after o_published, and o_published again after a final state, because
 * the writer publishes its last bytes before it stores the final state.
 */
static int
cursor_avail(const struct sto_obj *o, size_t pos, size_t *pubp)
{
	size_t pub;
	int st;

	pub = atomic_load_explicit(&o->o_published, memory_order_acquire);
	if (pos < pub) {
		*pubp = pub;
		return (0);
	}
	st = atomic_load_explicit(&o->o_state, memory_order_acquire);
	if (st != STO_OBJ_COMPLETE && st != STO_OBJ_FAILED)
		return (STO_WAIT);
	pub = atomic_load_explicit(&o->o_published, memory_order_acquire);
	*pubp = pub;
	if (pos < pub)
		return (0);
	return (st == STO_OBJ_COMPLETE ? STO_EOF : STO_EFAILED);
}

int
sto_cursor_next(struct sto_cursor *c, size_t max, const void **pp, size_t *lenp)
{
	const struct sto_obj *o;
	size_t pub, n;
	int err;

	STO_CHECK_OBJ_NOTNULL(c, STO_CURSOR_MAGIC);
	STO_AN(pp);
	STO_AN(lenp);
	o = c->c_obj;
	if (atomic_load_explicit(&o->o_flags, memory_order_relaxed) &
	    STO_F_DISKBODY)
		return (STO_EFAILED); /* read it with sto_lmdb_read() */
	err = cursor_avail(o, c->c_pos, &pub);
	if (err != 0)
		return (err);
	/* pos < pub: the segment holding byte pos is linked and visible. */
	if (c->c_seg == NULL) {
		c->c_seg = o->o_seg_head;
		c->c_segoff = 0;
	} else if (c->c_segoff == c->c_seg->sg_cap) {
		c->c_seg = c->c_seg->sg_next;
		c->c_segoff = 0;
	}
	STO_AN(c->c_seg);
	n = c->c_seg->sg_cap - c->c_segoff;
	if (n > pub - c->c_pos)
		n = pub - c->c_pos;
	if (max > 0 && n > max)
		n = max;
	STO_ASSERT(n > 0);
	*pp = c->c_seg->sg_data + c->c_segoff;
	*lenp = n;
	c->c_segoff += n;
	c->c_pos += n;
	return (0);
}

int
sto_cursor_seek(struct sto_cursor *c, size_t pos)
{
	const struct sto_obj *o;
	const struct sto_seg *sg;
	size_t pub, off;
	int err;

	STO_CHECK_OBJ_NOTNULL(c, STO_CURSOR_MAGIC);
	o = c->c_obj;
	if (atomic_load_explicit(&o->o_flags, memory_order_relaxed) &
	    STO_F_DISKBODY)
		return (STO_EFAILED);
	if (pos > 0) {
		/* Byte pos - 1 must be published for the walk to be safe. */
		err = cursor_avail(o, pos - 1, &pub);
		if (err != 0)
			return (err == STO_EFAILED ? STO_EFAILED
				: err == STO_WAIT  ? STO_WAIT
						   : STO_EOF);
	}
	c->c_pos = pos;
	c->c_seg = NULL;
	c->c_segoff = 0;
	if (pos == 0)
		return (0);
	/* End on the segment holding byte pos - 1, possibly at its end:
	 * next() steps over, so we never read a link not yet published. */
	sg = o->o_seg_head;
	off = pos;
	while (off > sg->sg_cap) {
		off -= sg->sg_cap;
		sg = sg->sg_next;
		STO_AN(sg);
	}
	c->c_seg = sg;
	c->c_segoff = off;
	return (0);
}
