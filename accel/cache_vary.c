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

/* Is the published object o an answer to req: do the values req's fields
 * have for o's Vary names equal those o recorded? An object without Vary
 * answers every request. Called under a tier lock (cache_lookup's match)
 * and on a woken waiter: reads only o's immutable metadata. */
int
cache_obj_usable(const struct req *req, const struct sto_obj *o)
{
	struct sto_bytes names = sto_obj_vary_names(o);
	struct sto_bytes vals = sto_obj_vary_vals(o);

	if (names.ptr == NULL)
		return (1);
	return (rfc_vary_match((const char *)names.ptr, names.len,
	    (const char *)vals.ptr, vals.len, req->h.hdrs, req->h.nhdrs));
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

/*
 * A background refresh has no request of its own: the new object o takes
 * the Vary record of the stale object c it replaces, when the response
 * varies on the same fields (the refresh was sent with the fields of a
 * request c answered). 0 (also when r has no Vary), or -1 when the Vary
 * changed: the response must then not be stored.
 */
int
cache_vary_copy(struct sto_obj *o, const struct sto_obj *c,
    const struct h1_resp *r)
{
	struct sto_bytes cn = sto_obj_vary_names(c), cv = sto_obj_vary_vals(c);
	char names[1024], vals[8];
	size_t nused = 0, vused = 0;

	if (h1_find(r->hdrs, r->nhdrs, "Vary") == NULL)
		return (cn.ptr == NULL ? 0 : -1);
	if (cn.ptr == NULL ||
	    rfc_vary_build(r->hdrs, r->nhdrs, NULL, 0, names, sizeof names,
	    &nused, vals, sizeof vals, &vused) != 0 ||
	    nused != cn.len || memcmp(names, cn.ptr, nused) != 0)
		return (-1);
	return (sto_obj_set_vary(o, cn.ptr, cn.len, cv.ptr, cv.len) == 0 ?
	    0 : -1);
}
