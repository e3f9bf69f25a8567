/*
 * cache_fill.c: filling an object from a fetch. At the response head
 * (cache_fill_begin for a miss or a pass, cache_fill_bg for a background
 * refresh): accel's RFC 9111 rules give the lifetimes and whether it may
 * be stored, vcl_backend_response may change both (fill_vcl), and the
 * answer is stored (fill_store, a body larger than memory to disk as it
 * passes), refreshes the stale object on a 304 (fill_refresh), becomes a
 * hit-for-miss marker (fill_hfm), or passes. Then the body is teed into
 * the object (cache_fill_tee) and the object completed (cache_fill_end).
 *
 * Lifetimes: bo->fill holds the writer's reference until fetch_finish();
 * header copies go through a workspace (the request's, or one on
 * cache_fill_bg's stack) and are copied into the object.
 */
#include "accel/accel.h"
#include "accel/cache_int.h"
#include "accel/rfc9111.h"

#include <string.h>
#include <strings.h>

static int
fill_tee(void *priv, const void *p, size_t n)
{
	return (sto_obj_append(priv, p, n));
}

/*
 * Serialise the response fields worth storing: not hop-by-hop, not the
 * framing, not Age (recomputed on every hit). Via lines become one, last,
 * with ours appended when via_self (RFC 9110 section 7.6.3), so a hit
 * sends the stored block as is. conn: h1_conn_names() of the message the
 * fields came from.
 */
static int
fill_hdrs(struct sto_obj *o, const struct h1_hdr *hdrs, unsigned n, int conn,
    int via_self, struct ws *ws)
{
	size_t cap = h1_hdrs_bytes(hdrs, n) + 32, len = 0;
	char *buf = ws_alloc(ws, cap);
	unsigned nvia = 0;
	uint32_t names = 0; /* hdrs_name_bit of each name written */
	if (buf == NULL)
		return (-1);
	for (unsigned i = 0; i < n; i++) {
		const struct h1_hdr *h = &hdrs[i];
		if (h->kind == H1H_CONTENT_LENGTH || h->kind == H1H_VIA ||
		    (conn ? h1_is_hop(h, hdrs, n) : h1_kind_hop(h->kind)) ||
		    (h->name_len == 3 && strncasecmp(h->name, "age", 3) == 0))
			continue;
		names |= hdrs_name_bit(h->name, h->name_len);
		memcpy(buf + len, h->name, h->name_len);
		len += h->name_len;
		memcpy(buf + len, ": ", 2);
		len += 2;
		memcpy(buf + len, h->value, h->value_len);
		len += h->value_len;
		memcpy(buf + len, "\r\n", 2);
		len += 2;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct h1_hdr *h = &hdrs[i];
		if (h->kind != H1H_VIA)
			continue;
		const char *sep = nvia++ == 0 ? "Via: " : ", ";
		memcpy(buf + len, sep, strlen(sep));
		len += strlen(sep);
		memcpy(buf + len, h->value, h->value_len);
		len += h->value_len;
	}
	if (via_self) {
		const char *me = nvia == 0 ? "Via: 1.1 accel" : ", 1.1 accel";
		memcpy(buf + len, me, strlen(me));
		len += strlen(me);
		nvia++;
	}
	if (nvia > 0) {
		memcpy(buf + len, "\r\n", 2);
		len += 2;
		names |= hdrs_name_bit("Via", 3);
	}
	if (sto_obj_set_hdrs(o, buf, len) != 0)
		return (-1);
	/* fill_meta set the other flags before calling us. */
	o->o_cflags = (o->o_cflags & ~HDRS_NAME_FILTER) | OC_HNAMES | names;
	return (0);
}

/* The fields of a stored header block ("Name: value\r\n" lines, written
 * by fill_hdrs) as h1_hdr pointing into it. Returns how many (<= max). */
static unsigned
block_hdrs(const struct sto_bytes *b, struct h1_hdr *out, unsigned max)
{
	const char *p = (const char *)b->ptr, *end = p + b->len;
	unsigned n = 0;
	while (p != NULL && p < end && n < max) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (eol == NULL || colon == NULL || colon > eol)
			break;
		struct h1_hdr *h = &out[n++];
		h->name = p;
		h->name_len = (size_t)(colon - p);
		h->value = colon + 2 <= eol ? colon + 2 : eol;
		h->value_len = (size_t)(eol - h->value);
		h->kind = h1_kind_of(h->name, h->name_len);
		p = eol + 2;
	}
	return (n);
}

static const struct h1_hdr *
find_name(const struct h1_hdr *hdrs, unsigned n, const char *name, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (hdrs[i].name_len == len && strncasecmp(hdrs[i].name, name, len) == 0)
			return (&hdrs[i]);
	return (NULL);
}

/* Set o's metadata (BUSY) from a response head. 0 or -1. */
static int
fill_meta(struct sto_obj *o, const struct busyobj *bo, int status,
    const struct h1_hdr *hdrs, unsigned n, int conn, int via_self,
    const struct rfc_fresh *f, double t_resp, int64_t clen, struct ws *ws)
{
	const struct h1_hdr *h;

	o->o_status = (unsigned)status;
	o->o_t_req = bo->t_sent_real;
	o->o_t_resp = t_resp;
	o->o_ttl = f->f_ttl;
	o->o_grace = f->f_grace;
	o->o_sie = f->f_sie;
	o->o_keep = f->f_keep;
	o->o_cflags = (f->f_no_cache ? OC_NO_CACHE : 0) |
	    (f->f_must_revalidate ? OC_MUST_REVALIDATE : 0) |
	    (h1_find(hdrs, n, "Accept-Ranges") != NULL ? OC_ACCEPT_RANGES : 0);
	o->o_content_length = clen;
	h = h1_find(hdrs, n, "Date");
	if (h == NULL || rfc_date_parse(h->value, h->value_len, &o->o_date) != 0)
		o->o_date = 0;
	h = h1_find(hdrs, n, "Age");
	double age = 0;
	if (h != NULL && rfc_age_header_parse(h->value, h->value_len, &age) != 0)
		age = 0;
	o->o_age_recv = (float)age;
	if ((h = h1_find(hdrs, n, "ETag")) != NULL &&
	    sto_obj_set_etag(o, h->value, h->value_len) != 0)
		return (-1);
	if ((h = h1_find(hdrs, n, "Last-Modified")) != NULL &&
	    sto_obj_set_lastmod(o, h->value, h->value_len) != 0)
		return (-1);
	return (fill_hdrs(o, hdrs, n, conn, via_self, ws));
}

/* Give up on bo's object: it fails, and its waiters fetch themselves. */
static void
fill_drop(struct busyobj *bo)
{
	if (bo->fill == NULL)
		return;
	(void)sto_obj_finish(bo->fill, 0);
	sto_obj_deref(&bo->fill);
}

/* An uncacheable answer: bo's object becomes a hit-for-miss marker for
 * ttl seconds, so the key's next requests go to the origin in parallel,
 * not queued. */
static void
fill_hfm(struct busyobj *bo, int status, struct req *req, double ttl)
{
	struct sto_obj *o = bo->fill;
	if (o == NULL)
		return;
	/* The marker is a variant like any answer (when its Vary can be
	 * recorded): it must not shadow, nor replace, the other variants. */
	if (req != NULL)
		(void)cache_vary_set(o, req, &bo->resp);
	else if (bo->cond != NULL)
		(void)cache_vary_copy(o, bo->cond, &bo->resp);
	o->o_status = (unsigned)status;
	o->o_t_req = bo->t_sent_real;
	o->o_t_resp = now_real();
	o->o_ttl = ttl;
	sto_obj_flags_set(o, STO_F_HFM);
	sto_obj_publish(o);
	(void)sto_obj_finish(o, 1);
	/* The disk's copy of this variant would outlive the marker. */
	if (cache_disk != NULL)
		(void)sto_unlink(cache_disk, o);
	sto_obj_deref(&bo->fill);
	bo->wrk->ctr.cache_hfm++;
}

/*
 * A 304 answered our revalidation of bo->cond (RFC 9111 section 4.3.4):
 * a new object with the stored fields updated by the 304's (section 3.2),
 * the new times and freshness, and the stored body. It goes into
 * bo->fill when there is one (waiters get it), else a new object. Returns
 * the complete object (one reference), or NULL.
 */
static enum fill_rc fill_vcl(struct busyobj *bo, struct rfc_fresh *f,
    int *store, double *hfm_ttl);

/*
 * vcl_backend_response for a 304 that refreshes bo->cond: beresp is the
 * object as it will be (the stored fields updated by the 304's, *m and
 * *n, the stored *status; beresp.was_304), and bo->resp stays the 304.
 * CF_STREAM to go on with what VCL left in *m, *n, *status, *f and
 * *keep; else its other answer.
 */
static enum fill_rc
fill_vcl_304(struct busyobj *bo, struct h1_hdr **m, unsigned *n, int *status,
    struct rfc_fresh *f, int *keep)
{
	struct h1_resp saved = bo->resp;
	enum fill_rc rc;
	double hfm_ttl;

	bo->resp.hdrs = *m;
	bo->resp.nhdrs = *n;
	bo->resp.status = *status;
	bo->resp.body = H1B_LENGTH; /* the stored body (beresp.status) */
	bo->resp.reason = NULL;
	bo->resp.reason_len = 0;
	bo->was_304 = 1;
	rc = fill_vcl(bo, f, keep, &hfm_ttl);
	*m = bo->resp.hdrs;
	*n = bo->resp.nhdrs;
	*status = bo->resp.status;
	bo->resp = saved;
	return (rc);
}

static struct sto_obj *
fill_refresh(struct busyobj *bo, const struct h1_hdr *rq, unsigned nrq,
    struct ws *ws, enum fill_rc *vrc)
{
	const struct sto_obj *c = bo->cond;
	const struct h1_resp *r = &bo->resp;
	unsigned max = RESP_MAX_HDRS * 2, n = 0;
	struct h1_hdr *m = ws_alloc(ws, max * sizeof *m);
	int conn = h1_conn_names(r->hdrs, r->nhdrs);
	double t_resp = now_real();
	struct rfc_fresh f;
	const char *why;

	*vrc = CF_STREAM; /* unless vcl_backend_response answers otherwise */
	if (m == NULL)
		return (NULL);
	/* The stored fields the 304 does not replace, then the 304's. */
	struct sto_bytes ch = sto_obj_hdrs(c);
	unsigned ns = block_hdrs(&ch, m, RESP_MAX_HDRS);
	for (unsigned i = 0; i < ns; i++) {
		const struct h1_hdr *nh = find_name(r->hdrs, r->nhdrs, m[i].name,
		    m[i].name_len);
		if (nh != NULL && rfc_304_update_hdr(nh) && nh->kind != H1H_VIA &&
		    !(conn && h1_is_hop(nh, r->hdrs, r->nhdrs)))
			continue;
		m[n++] = m[i];
	}
	for (unsigned i = 0; i < r->nhdrs && n < max; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		/* The stored Via, ours included, stays. */
		if ((conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind)) ||
		    !rfc_304_update_hdr(h) || h->kind == H1H_VIA)
			continue;
		m[n++] = *h;
	}
	rfc_freshness((int)c->o_status, m, n, t_resp, &cache_opts, &f);
	int keep = rfc_storable(H1M_GET, rq, nrq, (int)c->o_status, m, n,
	    &cache_opts, &why);
	int status = (int)c->o_status;
	if ((*vrc = fill_vcl_304(bo, &m, &n, &status, &f, &keep)) != CF_STREAM)
		return (NULL);

	struct sto_obj *o = bo->fill;
	bo->fill = NULL;
	if (o == NULL) {
		if (sto_obj_new(&o, &c->o_key, sto_obj_hashin(c), c->o_hashin_len) != 0)
			return (NULL);
		if (sto_insert(cache_tier, o) != 0)
			keep = 0;
	}
	if (fill_meta(o, bo, status, m, n, 0, 0, &f, t_resp,
	    (int64_t)sto_obj_len(c), ws) != 0 ||
	    (sto_obj_vary_names(c).ptr != NULL &&
	    sto_obj_set_vary(o, sto_obj_vary_names(c).ptr,
	    sto_obj_vary_names(c).len, sto_obj_vary_vals(c).ptr,
	    sto_obj_vary_vals(c).len) != 0)) {
		(void)sto_obj_finish(o, 0);
		sto_obj_deref(&o);
		return (NULL);
	}
	/* The body is the stored one: copied, since objects are immutable
	 * and each owns its segments. */
	struct sto_cursor cur;
	const void *p;
	size_t len;
	int rc;
	sto_obj_publish(o);
	if (sto_obj_flags(c) & STO_F_DISKBODY) {
		rc = sto_lmdb_read(cache_disk, c, 0, sto_obj_len(c),
		    cache_read_append, o);
		if (rc == 0)
			rc = STO_EOF;
	} else {
		sto_cursor_init(&cur, c);
		while ((rc = sto_cursor_next(&cur, 0, &p, &len)) == 0)
			if (sto_obj_append(o, p, len) != 0)
				break;
	}
	if (rc != STO_EOF || sto_obj_finish(o, 1) != 0) {
		(void)sto_obj_finish(o, 0);
		sto_obj_deref(&o);
		return (NULL);
	}
	if (!keep) {
		cache_unlink(o); /* serve it once, keep none */
		if (cache_disk != NULL && (sto_obj_flags(c) & STO_F_ONDISK))
			(void)sto_unlink(cache_disk, (struct sto_obj *)(uintptr_t)c);
	}
	else
		cache_persist(o);
	bo->wrk->ctr.cache_reval_304++;
	return (o);
}

/* Can this response be stored at all, whatever VCL says? A GET's answer
 * whose end we can tell (not close-delimited). */
static int
fill_can_store(const struct busyobj *bo)
{
	return (bo->meth == H1M_GET && bo->resp.body != H1B_EOF);
}

/* A reason to keep it: fresh, grace, stale-if-error or keep. */
static int
fill_has_life(const struct rfc_fresh *f)
{
	return (f->f_ttl + f->f_grace + f->f_sie + f->f_keep > 0);
}

/*
 * May this response be stored? Sets *f (always: vcl_backend_response sees
 * it). The rules of RFC 9111 section 3 and a body whose end we can tell.
 * Whether it has a reason to be kept (fill_has_life) is decided after
 * vcl_backend_response, which may give it a ttl, as in Varnish: the
 * built-in VCL makes a response without one hit-for-miss.
 */
static int
fill_storable(const struct busyobj *bo, const struct h1_hdr *rq, unsigned nrq,
    struct rfc_fresh *f, double t_resp)
{
	const struct h1_resp *r = &bo->resp;
	const char *why = NULL;
	rfc_freshness(r->status, r->hdrs, r->nhdrs, t_resp, &cache_opts, f);
	if (!fill_can_store(bo))
		return (0);
	/* Set-Cookie is judged after vcl_backend_response, which may remove
	 * it (fetch_vcl_response). */
	struct rfc_opts o = cache_opts;

	o.ro_store_set_cookie = 1;
	return (rfc_storable(bo->meth, rq, nrq, r->status, r->hdrs, r->nhdrs,
	    &o, &why));
}

/*
 * vcl_backend_response, once accel's rules set *f and *store: CF_STREAM
 * to go on with *store and *f as VCL left them (*hfm_ttl: how long a
 * hit-for-miss marker lasts), or CF_RETRY, CF_ERROR, CF_ABANDON (the fill
 * is dropped but for a retry, where waiters wait on).
 */
static enum fill_rc
fill_vcl(struct busyobj *bo, struct rfc_fresh *f, int *store, double *hfm_ttl)
{
	struct vcl_ret ret;

	*hfm_ttl = prm.hfm_ttl;
	switch (fetch_vcl_response(bo, f, store, &ret)) {
	case VCL_A_DELIVER:
		break;
	case VCL_A_PASS:
		/* Hit-for-pass: accel's hit-for-miss marker, for the time
		 * given (docs/vcl.md). */
		*store = 0;
		if (ret.duration >= 0)
			*hfm_ttl = ret.duration;
		break;
	case VCL_A_RETRY:
		return (CF_RETRY);
	case VCL_A_ERROR:
		fill_drop(bo);
		return (CF_ERROR);
	default: /* abandon, fail */
		fill_drop(bo);
		return (CF_ABANDON);
	}
	/* VCL may store what RFC 9111 would not (beresp.uncacheable =
	 * false), never what accel cannot keep. */
	*store = *store && fill_can_store(bo) && fill_has_life(f);
	return (CF_STREAM);
}

/* Publish bo->fill (or a new object) with the response's metadata. */
static int
fill_store(struct busyobj *bo, const struct rfc_fresh *f, double t_resp,
    struct req *req, struct ws *ws)
{
	const struct h1_resp *r = &bo->resp;
	struct sto_obj *o = bo->fill;
	if (o == NULL) {
		/* Hit-for-miss requests create their object only now. */
		if (req == NULL ||
		    sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
			return (-1);
		if (cache_vary_set(o, req, r) != 0 || sto_insert(cache_tier, o) != 0) {
			sto_obj_deref(&o);
			return (-1);
		}
		bo->fill = o;
	} else if (req != NULL ? cache_vary_set(o, req, r) != 0 :
	    (bo->cond == NULL ? h1_find(r->hdrs, r->nhdrs, "Vary") != NULL :
	    cache_vary_copy(o, bo->cond, r) != 0)) {
		/* The variant is set before publishing, which is when the
		 * tier files o as that variant (replacing its old copy). */
		fill_drop(bo);
		return (-1);
	}
	if (fill_meta(o, bo, r->status, r->hdrs, r->nhdrs,
	    h1_conn_names(r->hdrs, r->nhdrs), 1, f, t_resp,
	    r->body == H1B_LENGTH ? (int64_t)r->content_length : -1, ws) != 0) {
		fill_drop(bo);
		return (-1);
	}
	sto_obj_publish(o);
	/* Publishing replaced the older copies of o's variant in memory;
	 * those on disk go too, whether or not this fill completes. */
	if (cache_disk != NULL && (req == NULL || !req->disk_clean))
		(void)sto_unlink(cache_disk, o);
	bo->wrk->ctr.cache_stored++;
	return (0);
}

/*
 * A body larger than the memory tier, of known length: its metadata goes
 * into an object no tier indexes, and its body to the disk tier chunk by
 * chunk as the pump passes it to the client (cache_fill_tee). It can be
 * found once the disk tier has written its last chunk. 0 or -1.
 */
static int
fill_disk_stream(struct req *req, const struct rfc_fresh *f, double t_resp)
{
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	struct sto_obj *o = NULL;
	int rc = -1;

	if (sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
		return (-1);
	if (cache_vary_set(o, req, r) == 0 &&
	    fill_meta(o, bo, r->status, r->hdrs, r->nhdrs,
	    h1_conn_names(r->hdrs, r->nhdrs), 1, f, t_resp,
	    (int64_t)r->content_length, &req->ws) == 0) {
		sto_obj_publish(o);
		rc = sto_lmdb_stream_begin(cache_disk, o, &bo->dstream) == 0 ?
		    0 : -1;
	}
	sto_obj_deref(&o); /* the stream holds its own */
	if (rc == 0)
		bo->wrk->ctr.cache_stored++;
	return (rc);
}

/*
 * The response head of a miss arrived: refresh the stale object on a 304,
 * fall back on it on an error (stale-if-error), store the response when
 * RFC 9111 lets us (CF_STREAM), else pass it on and mark the key
 * hit-for-miss. Whatever it returns, bo->fill is set only for CF_STREAM.
 */
enum fill_rc
cache_fill_begin(struct req *req)
{
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	double t_resp = now_real(), hfm_ttl;
	struct rfc_fresh f;
	enum fill_rc rc;
	int store;

	if (r->status == 304 && bo->cond != NULL) {
		struct sto_obj *o = fill_refresh(bo, req->h.hdrs, req->h.nhdrs,
		    &req->ws, &rc);
		if (o == NULL && rc != CF_STREAM)
			return (rc); /* vcl_backend_response's retry... */
		if (o != NULL) {
			req->obj = o;
			req->age = (double)(int64_t)cache_obj_age(o, now_real());
			req->cs_kind = RFC_CS_STALE;
			req->cs_fwd_status = 304;
			req->stored = 1;
			return (CF_OBJ);
		}
		fill_drop(bo);
		return (CF_PASS);
	}
	if (rfc_is_error_status(r->status) && cache_fetch_failed(req)) {
		req->cs_fwd_status = r->status;
		fill_drop(bo);
		return (CF_OBJ);
	}
	if (rfc_is_error_status(r->status) && req->stale != NULL) {
		/* The client gets the error, but the stored object stays for
		 * the next try, as after a background refresh's error: a
		 * hit-for-miss marker would replace it. */
		fill_drop(bo);
		return (CF_PASS);
	}
	store = fill_storable(bo, req->h.hdrs, req->h.nhdrs, &f, t_resp) &&
	    req->cacheable && !req->no_store;
	if ((rc = fill_vcl(bo, &f, &store, &hfm_ttl)) != CF_STREAM)
		return (rc);
	if (!req->cacheable || req->no_store || !store) {
		fill_hfm(bo, r->status, req, hfm_ttl);
		return (CF_PASS);
	}
	if (r->body == H1B_LENGTH && r->content_length > cache_budget) {
		/* Larger than memory: to disk as it passes, or not at all.
		 * Waiters fetch for themselves (no object to follow). */
		fill_drop(bo);
		if (cache_disk != NULL && !bo->head_only &&
		    fill_disk_stream(req, &f, t_resp) == 0) {
			req->age = 0;
			req->stored = 1;
		}
		return (CF_PASS);
	}
	if (fill_store(bo, &f, t_resp, req, &req->ws) != 0)
		return (CF_PASS);
	struct sto_obj *o = bo->fill;
	/* The object's age when it arrived, for Cache-Status' ttl. */
	req->age = (double)(int64_t)cache_obj_age(o, t_resp);
	req->stored = 1;
	return (CF_STREAM);
}

/* The same decision for a background refresh (no client waits on it). */
enum fill_rc
cache_fill_bg(struct busyobj *bo)
{
	const struct h1_resp *r = &bo->resp;
	double t_resp = now_real(), hfm_ttl;
	struct rfc_fresh f;
	enum fill_rc rc;
	int store;
	char wsmem[4096 + 2 * RESP_MAX_HDRS * sizeof(struct h1_hdr)];
	struct ws ws;

	/* The header copies go through a workspace: this one, on our
	 * stack, lives until we return (fill_hdrs copies into the object). */
	ws_init(&ws, wsmem, sizeof wsmem);
	if (r->status == 304 && bo->cond != NULL) {
		struct sto_obj *o = fill_refresh(bo, NULL, 0, &ws, &rc);
		if (o == NULL && rc != CF_STREAM)
			return (rc);
		if (o != NULL) {
			sto_obj_deref(&o);
			return (CF_OBJ);
		}
		fill_drop(bo);
		return (CF_PASS);
	}
	if (rfc_is_error_status(r->status)) {
		fill_drop(bo); /* keep serving the stale one */
		return (CF_PASS);
	}
	if (r->body == H1B_LENGTH && r->content_length > cache_budget) {
		fill_drop(bo); /* too big to refresh in memory: keep the old */
		return (CF_PASS);
	}
	store = fill_storable(bo, NULL, 0, &f, t_resp);
	if ((rc = fill_vcl(bo, &f, &store, &hfm_ttl)) != CF_STREAM)
		return (rc);
	if (!store) {
		fill_hfm(bo, r->status, NULL, hfm_ttl);
		return (CF_PASS);
	}
	if (fill_store(bo, &f, t_resp, NULL, &ws) != 0)
		return (CF_PASS);
	return (CF_STREAM);
}

static int
fill_tee_disk(void *priv, const void *p, size_t n)
{
	return (sto_lmdb_stream_append(priv, p, n));
}

/* Hook the fill into the response pump (after pump_init). */
void
cache_fill_tee(struct busyobj *bo)
{
	if (bo->fill != NULL) {
		bo->body.tee = fill_tee;
		bo->body.tee_priv = bo->fill;
	} else if (bo->dstream != NULL) {
		bo->body.tee = fill_tee_disk;
		bo->body.tee_priv = bo->dstream;
	}
}

/* The fetch ended: complete the object when its whole body came. */
void
cache_fill_end(struct busyobj *bo)
{
	int ok = bo->body_done && !bo->body.tee_failed;
	if (bo->dstream != NULL)
		(void)sto_lmdb_stream_end(&bo->dstream, ok);
	if (bo->fill == NULL)
		return;
	if (sto_obj_finish(bo->fill, ok) == 0 && ok)
		cache_persist(bo->fill);
	sto_obj_deref(&bo->fill);
}
