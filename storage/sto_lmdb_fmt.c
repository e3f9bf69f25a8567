/*
 * sto_lmdb_fmt.c: the LMDB tier's records and keys (docs/storage-lmdb.md,
 * "What a store holds"): encoding what the writer stores, and decoding
 * and checking what anyone reads. A record read from disk is input: every
 * length is checked against the record's size before it is used, and a
 * record that fails is an error code, never an assert.
 *
 * Keys are big-endian (LMDB compares bytes: numeric order); integers in
 * values little-endian; doubles and floats as their IEEE bits.
 */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static const uint8_t store_magic[4] = {'A', 'C', 'S', 'T'};
static const uint8_t meta_magic[4] = {'A', 'C', 'O', 'B'};

/* ---- integers ---- */

uint64_t
lmdb_get64be(const uint8_t *p)
{
	return ((uint64_t)lmdb_get32be(p) << 32 | lmdb_get32be(p + 4));
}

uint32_t
lmdb_get32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3]);
}

void
lmdb_put64be(uint8_t *p, uint64_t v)
{
	lmdb_put32be(p, (uint32_t)(v >> 32));
	lmdb_put32be(p + 4, (uint32_t)v);
}

void
lmdb_put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16le(const uint8_t *p)
{
	return ((uint16_t)(p[0] | p[1] << 8));
}

static uint32_t
get32le(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24);
}

static uint64_t
get64le(const uint8_t *p)
{
	return ((uint64_t)get32le(p) | (uint64_t)get32le(p + 4) << 32);
}

static void
put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put64le(uint8_t *p, uint64_t v)
{
	put32le(p, (uint32_t)v);
	put32le(p + 4, (uint32_t)(v >> 32));
}

static void
putdbl(uint8_t *p, double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	put64le(p, u);
}

static double
getdbl(const uint8_t *p)
{
	uint64_t u = get64le(p);
	double d;

	memcpy(&d, &u, sizeof d);
	return (d);
}

static void
putflt(uint8_t *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	put32le(p, u);
}

static float
getflt(const uint8_t *p)
{
	uint32_t u = get32le(p);
	float f;

	memcpy(&f, &u, sizeof f);
	return (f);
}

/* ---- keys ---- */

MDB_val
lmdb_idx_key(uint8_t *buf, const struct sto_key *k, uint64_t id)
{
	MDB_val v = {LMDB_IDX_KLEN, buf};

	lmdb_put64be(buf, k->hi);
	lmdb_put64be(buf + 8, k->lo);
	lmdb_put64be(buf + 16, id);
	return (v);
}

MDB_val
lmdb_id_key(uint8_t *buf, uint64_t id)
{
	MDB_val v = {LMDB_OBJ_KLEN, buf};

	lmdb_put64be(buf, id);
	return (v);
}

MDB_val
lmdb_chunk_key(uint8_t *buf, uint64_t id, uint32_t n)
{
	MDB_val v = {LMDB_CHUNK_KLEN, buf};

	lmdb_put64be(buf, id);
	lmdb_put32be(buf + 8, n);
	return (v);
}

MDB_val
lmdb_ord_key(uint8_t *buf, uint32_t ord, uint64_t id)
{
	MDB_val v = {LMDB_ORD_KLEN, buf};

	lmdb_put32be(buf, ord);
	lmdb_put64be(buf + 4, id);
	return (v);
}

int
lmdb_idx_key_dec(const MDB_val *v, struct sto_key *k, uint64_t *id)
{
	const uint8_t *p = v->mv_data;

	if (v->mv_size != LMDB_IDX_KLEN)
		return (STO_ECORRUPT);
	k->hi = lmdb_get64be(p);
	k->lo = lmdb_get64be(p + 8);
	*id = lmdb_get64be(p + 16);
	return (0);
}

/* ---- the store record ---- */

void
lmdb_store_enc(uint8_t *buf, const struct lmdb_store *s)
{
	memcpy(buf, store_magic, 4);
	put32le(buf + 4, s->ls_format);
	put32le(buf + 8, s->ls_chunk);
	put32le(buf + 12, s->ls_gen);
	put64le(buf + 16, s->ls_next_id);
	put64le(buf + 24, s->ls_gen_bytes);
	put64le(buf + 32, s->ls_objects);
	put64le(buf + 40, s->ls_bytes);
	put64le(buf + 48, XXH3_64bits(buf, LMDB_STORE_LEN - LMDB_SUM));
}

int
lmdb_store_dec(struct lmdb_store *s, const MDB_val *v, const char **why)
{
	const uint8_t *p = v->mv_data;

	*why = NULL;
	if (v->mv_size < 8 || memcmp(p, store_magic, 4) != 0)
		*why = "not an accel store (bad magic)";
	else if (get32le(p + 4) != LMDB_FORMAT)
		*why = "another format version";
	else if (v->mv_size != LMDB_STORE_LEN)
		*why = "store record of the wrong size";
	else if (get64le(p + 48) != XXH3_64bits(p, LMDB_STORE_LEN - LMDB_SUM))
		*why = "store record checksum mismatch";
	if (*why != NULL)
		return (STO_EFORMAT);
	s->ls_format = get32le(p + 4);
	s->ls_chunk = get32le(p + 8);
	s->ls_gen = get32le(p + 12);
	s->ls_next_id = get64le(p + 16);
	s->ls_gen_bytes = get64le(p + 24);
	s->ls_objects = get64le(p + 32);
	s->ls_bytes = get64le(p + 40);
	if (s->ls_chunk < LMDB_CHUNK_BODY_MIN ||
	    s->ls_chunk > LMDB_CHUNK_BODY_MAX) {
		*why = "store record: bad chunk size";
		return (STO_EFORMAT);
	}
	if (s->ls_next_id == 0) {
		*why = "store record: bad next id";
		return (STO_EFORMAT);
	}
	return (0);
}

/* ---- idx values ---- */

void
lmdb_idxv_enc(uint8_t *buf, const struct lmdb_idxv *iv)
{
	put32le(buf, iv->iv_gen);
	put32le(buf + 4, iv->iv_hits);
	put32le(buf + 8, iv->iv_dead_at);
}

int
lmdb_idxv_dec(struct lmdb_idxv *iv, const MDB_val *v)
{
	const uint8_t *p = v->mv_data;

	if (v->mv_size != LMDB_IDX_VLEN)
		return (STO_ECORRUPT);
	iv->iv_gen = get32le(p);
	iv->iv_hits = get32le(p + 4);
	iv->iv_dead_at = get32le(p + 8);
	return (0);
}

/* ---- metadata records ---- */

uint32_t
lmdb_dead_at(const struct sto_obj *o)
{
	double w = o->o_grace > o->o_sie ? o->o_grace : o->o_sie;
	double d = o->o_t_resp + o->o_ttl + w + o->o_keep;
	uint32_t u;

	/* NaN and the past alike: dead. */
	if (!(d > 0))
		return (0);
	if (d >= (double)UINT32_MAX)
		return (UINT32_MAX);
	u = (uint32_t)d;
	return ((double)u < d ? u + 1 : u); /* rounded up */
}

/* Body bytes of field m in a record (its span less the NUL). */
static size_t
span_len(size_t span)
{
	return (span > 0 ? span - 1 : 0);
}

size_t
lmdb_meta_size(const struct sto_obj *o)
{
	size_t n = LMDB_META_FIXED + o->o_hashin_len + LMDB_SUM;
	unsigned m;

	for (m = 0; m < STO_META__N; m++)
		n += span_len(sto_obj_meta_span(o, m));
	return (n);
}

/*
 * Layout (offsets): 0 magic, 4 status, 6 reserved, 8 cflags, 12 hash-input
 * length, 16 header-block span, 20..27 the other four spans (u16 each),
 * 28 body length, 36 key hi, 44 key lo, 52 t_req, 60 t_resp, 68 date,
 * 76 ttl, 84 age_recv, 88 grace, 92 keep, 96 sie, 100 chunk size, 104 the
 * variable part. A span is a field's length + 1, 0 when never set (as in
 * the object), so "set, empty" and "not set" survive a round trip: the
 * Vary names tell sto_same_variant() which.
 */
void
lmdb_meta_enc(uint8_t *p, size_t len, const struct sto_obj *o, uint64_t id,
	      uint32_t chunk)
{
	struct sto_bytes b;
	size_t off = LMDB_META_FIXED;
	unsigned m;

	STO_ASSERT(len == lmdb_meta_size(o));
	memcpy(p, meta_magic, 4);
	put16le(p + 4, o->o_status);
	put16le(p + 6, 0);
	put32le(p + 8, o->o_cflags);
	put32le(p + 12, o->o_hashin_len);
	put32le(p + 16, (uint32_t)sto_obj_meta_span(o, STO_META_HDRS));
	for (m = 1; m < STO_META__N; m++)
		put16le(p + 20 + 2 * (m - 1),
			(uint16_t)sto_obj_meta_span(o, m));
	put64le(p + 28, sto_obj_len(o));
	put64le(p + 36, o->o_key.hi);
	put64le(p + 44, o->o_key.lo);
	putdbl(p + 52, o->o_t_req);
	putdbl(p + 60, o->o_t_resp);
	putdbl(p + 68, o->o_date);
	putdbl(p + 76, o->o_ttl);
	putflt(p + 84, o->o_age_recv);
	putflt(p + 88, o->o_grace);
	putflt(p + 92, o->o_keep);
	putflt(p + 96, o->o_sie);
	put32le(p + 100, chunk);
	if (o->o_hashin_len > 0)
		memcpy(p + off, sto_obj_hashin(o), o->o_hashin_len);
	off += o->o_hashin_len;
	for (m = 0; m < STO_META__N; m++) {
		b = sto_obj_meta(o, (enum sto_meta)m);
		if (b.len > 0)
			memcpy(p + off, b.ptr, b.len);
		off += b.len;
	}
	STO_ASSERT(off + LMDB_SUM == len);
	put64le(p + off, XXH3_64bits_withSeed(p, off, id));
}

int
lmdb_meta_dec(struct lmdb_meta *m, const MDB_val *v, uint64_t id,
	      const struct sto_key *k)
{
	const uint8_t *p = v->mv_data;
	size_t span[STO_META__N], off;
	uint64_t need;
	unsigned f;

	memset(m, 0, sizeof *m);
	if (v->mv_size < LMDB_META_FIXED + LMDB_SUM ||
	    memcmp(p, meta_magic, 4) != 0)
		return (STO_ECORRUPT);
	/* The checksum first: then the lengths are the writer's. */
	off = v->mv_size - LMDB_SUM;
	if (get64le(p + off) != XXH3_64bits_withSeed(p, off, id))
		return (STO_ECORRUPT);
	m->lm_hashin_len = get32le(p + 12);
	span[STO_META_HDRS] = get32le(p + 16);
	for (f = 1; f < STO_META__N; f++)
		span[f] = get16le(p + 20 + 2 * (f - 1));
	/* Sizes in 64 bits: no sum of 32-bit lengths can wrap. */
	need = LMDB_META_FIXED + (uint64_t)m->lm_hashin_len + LMDB_SUM;
	for (f = 0; f < STO_META__N; f++)
		need += span_len(span[f]);
	if (need != v->mv_size)
		return (STO_ECORRUPT);
	m->lm_status = get16le(p + 4);
	m->lm_cflags = get32le(p + 8);
	m->lm_body = get64le(p + 28);
	m->lm_key.hi = get64le(p + 36);
	m->lm_key.lo = get64le(p + 44);
	m->lm_t_req = getdbl(p + 52);
	m->lm_t_resp = getdbl(p + 60);
	m->lm_date = getdbl(p + 68);
	m->lm_ttl = getdbl(p + 76);
	m->lm_age_recv = getflt(p + 84);
	m->lm_grace = getflt(p + 88);
	m->lm_keep = getflt(p + 92);
	m->lm_sie = getflt(p + 96);
	m->lm_chunk = get32le(p + 100);
	if (m->lm_chunk < LMDB_CHUNK_BODY_MIN ||
	    m->lm_chunk > LMDB_CHUNK_BODY_MAX || m->lm_body > INT64_MAX)
		return (STO_ECORRUPT);
	if (k != NULL && !sto_key_eq(k, &m->lm_key))
		return (STO_ECORRUPT);
	off = LMDB_META_FIXED;
	m->lm_hashin = p + off;
	off += m->lm_hashin_len;
	for (f = 0; f < STO_META__N; f++) {
		if (span[f] > 0) {
			m->lm_f[f].ptr = p + off;
			m->lm_f[f].len = span[f] - 1;
		}
		off += span_len(span[f]);
	}
	return (0);
}

int
lmdb_meta_rawkey(const MDB_val *v, struct sto_key *k)
{
	const uint8_t *p = v->mv_data;

	if (v->mv_size < LMDB_META_FIXED)
		return (STO_ECORRUPT);
	k->hi = get64le(p + 36);
	k->lo = get64le(p + 44);
	return (0);
}

int
lmdb_meta_hashin_eq(const struct lmdb_meta *m, const void *hashin, size_t len)
{
	return (m->lm_hashin_len == len &&
		(len == 0 || memcmp(m->lm_hashin, hashin, len) == 0));
}

int
lmdb_meta_obj(struct sto_obj **op, const struct lmdb_meta *m, uint64_t id,
	      int diskbody)
{
	struct sto_obj *o;
	unsigned f, mask = 0;
	int err;

	err = sto_obj_new(&o, &m->lm_key, m->lm_hashin, m->lm_hashin_len);
	if (err != 0)
		return (err);
	o->o_status = m->lm_status;
	o->o_cflags = m->lm_cflags;
	o->o_t_req = m->lm_t_req;
	o->o_t_resp = m->lm_t_resp;
	o->o_date = m->lm_date;
	o->o_ttl = m->lm_ttl;
	o->o_age_recv = m->lm_age_recv;
	o->o_grace = m->lm_grace;
	o->o_keep = m->lm_keep;
	o->o_sie = m->lm_sie;
	for (f = 0; f < STO_META__N; f++)
		if (m->lm_f[f].ptr != NULL)
			mask |= 1u << f;
	if (mask != 0) {
		err = sto_obj_set_meta(o, mask, m->lm_f);
		if (err != 0) {
			sto_obj_deref(&o);
			return (err);
		}
	}
	if (diskbody) {
		sto_obj_set_diskbody(o, (size_t)m->lm_body);
		o->o_dsk.dl_id = id;
		o->o_dsk.dl_chunk = m->lm_chunk;
	} else
		o->o_content_length = (int64_t)m->lm_body;
	*op = o;
	return (0);
}

/* ---- chunks ---- */

uint64_t
lmdb_nchunks(uint64_t body, uint32_t chunk)
{
	return (body / chunk + (body % chunk != 0));
}

uint64_t
lmdb_chunks_size(uint64_t body, uint32_t chunk)
{
	return (body + lmdb_nchunks(body, chunk) * LMDB_SUM);
}

/* Seeded with the chunk's place: a chunk moved elsewhere fails. */
static uint64_t
chunk_seed(uint64_t id, uint32_t cn)
{
	return ((id << 32) + cn);
}

void
lmdb_chunk_seal(uint8_t *p, size_t n, uint64_t id, uint32_t cn)
{
	put64le(p + n, XXH3_64bits_withSeed(p, n, chunk_seed(id, cn)));
}

int
lmdb_chunk_check(const MDB_val *v, uint64_t id, uint32_t cn, size_t want)
{
	const uint8_t *p = v->mv_data;

	if (v->mv_size != want + LMDB_SUM ||
	    get64le(p + want) !=
		XXH3_64bits_withSeed(p, want, chunk_seed(id, cn)))
		return (STO_ECORRUPT);
	return (0);
}
