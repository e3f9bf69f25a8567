/*
 * cache_vary.c: Vary variants under one key (RFC 9111 section 4.1).
 *
 * Every variant of a URL lives under the URL's one key and hash inputs,
 * so PURGE and invalidation (sto_remove) drop them all at once. A filled
 * object records the response's Vary names and the values the request
 * that fetched it had for them, normalised (rfc_vary_build); a lookup
 * takes the newest object whose recorded values this request's fields
 * match (rfc_vary_match), and an object without Vary matches every
 * request. The tier replaces an older object only when the key, the hash
 * inputs and both Vary strings are equal, so variants coexist and a new
 * copy of one variant replaces just that one.
 */
#include "accel/accel.h"
#include "accel/rfc9111.h"

#include <string.h>
#include <strings.h>

/* What vary_match() is given, and what it saw. Lives on the caller's
 * stack for the duration of one sto_lookup(). */
struct vary_look {
	unsigned magic;
#define VARY_LOOK_MAGIC 0x7a4e1c93
	const struct req *vl_req;
	unsigned vl_rejected; /* published objects of another variant */
};

/* sto_match_f: does this request select o? Runs under a tier lock. */
static int
vary_match(const struct sto_obj *o, void *priv)
{
	struct vary_look *vl;

	CAST_OBJ_NOTNULL(vl, priv, VARY_LOOK_MAGIC);
	/* A fetch in flight: its Vary is not known until it is published.
	 * Whoever waits on it must look up again once it is. */
	if (sto_obj_state(o) == STO_OBJ_BUSY)
		return (1);
	if (rfc_vary_match((const char *)o->o_vary_names.ptr,
			   o->o_vary_names.len,
			   (const char *)o->o_vary_vals.ptr, o->o_vary_vals.len,
			   vl->vl_req->h.hdrs, vl->vl_req->h.nhdrs))
		return (1);
	vl->vl_rejected++;
	return (0);
}

/*
 * Look up the variant of req's key that its header fields select: 0 and
 * a referenced *op (the caller derefs it), or ENOENT. A miss on a URL
 * that holds only other variants sets req->cs_kind to RFC_CS_VARY_MISS
 * (RFC 9211 fwd=vary-miss).
 */
int
cache_vary_lookup(struct req *req, struct sto_obj **op)
{
	struct vary_look vl = {.magic = VARY_LOOK_MAGIC, .vl_req = req};
	int rc;

	rc = sto_lookup(cache_tier, &req->key, req->hashin, req->hashin_len,
			vary_match, &vl, op);
	if (rc != 0 && vl.vl_rejected > 0)
		req->cs_kind = RFC_CS_VARY_MISS;
	return (rc);
}

/*
 * Bytes rfc_vary_build() needs for response r and request q: each name
 * lowercased and a '\n'; for each name '=' or '!', the request's lines of
 * that field normalised and joined with ", ", and a '\n'. Normalising
 * never lengthens an element, and the ", " that replaces a ',' adds one
 * byte, so twice a line's length (and 2 for the join) always fits.
 * 0, or -1 for "Vary: *" or a member that is not a token.
 */
static int
vary_room(const struct h1_resp *r, const struct h1_req *q, size_t *nsize,
	  size_t *vsize)
{
	const struct h1_hdr *h;
	const char *name;
	size_t pos, nlen;
	int rc;

	*nsize = *vsize = 0;
	for (unsigned i = 0; i < r->nhdrs; i++) {
		h = &r->hdrs[i];
		if (!h1_name_eq(h, "Vary"))
			continue;
		pos = 0;
		while ((rc = rfc_vary_next(h->value, h->value_len, &pos, &name,
					   &nlen)) == 1) {
			*nsize += nlen + 1;
			*vsize += 2;
			for (unsigned k = 0; k < q->nhdrs; k++)
				if (q->hdrs[k].name_len == nlen &&
				    strncasecmp(q->hdrs[k].name, name, nlen) ==
					0)
					*vsize += 2 * q->hdrs[k].value_len + 2;
		}
		if (rc < 0)
			return (-1);
	}
	return (0);
}

/*
 * Record on o (BUSY, not yet inserted) the Vary of response r and the
 * values req's fields have for it, so that the tier files o as that
 * variant. 0 (also when r has no Vary), or -1 when it cannot be recorded
 * (Vary: * or a malformed Vary, no room in the workspace, no memory):
 * the response must then not be stored.
 */
int
cache_vary_set(struct sto_obj *o, struct req *req, const struct h1_resp *r)
{
	size_t nsize, vsize, nused, vused;
	char *names, *vals;

	if (vary_room(r, &req->h, &nsize, &vsize) != 0)
		return (-1);
	if (nsize == 0)
		return (0); /* no Vary, or one that names no field */
	names = ws_alloc(&req->ws, nsize);
	vals = ws_alloc(&req->ws, vsize);
	if (names == NULL || vals == NULL)
		return (-1);
	if (rfc_vary_build(r->hdrs, r->nhdrs, req->h.hdrs, req->h.nhdrs, names,
			   nsize, &nused, vals, vsize, &vused) != 0)
		return (-1);
	return (sto_obj_set_vary(o, names, nused, vals, vused) == 0 ? 0 : -1);
}
