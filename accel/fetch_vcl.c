/*
 * fetch_vcl.c: the fetch's side of VCL: bereq made from the client's
 * request as accel sends it, edited by vcl_backend_fetch and written to
 * the origin; beresp around vcl_backend_response (accel's RFC 9111
 * lifetimes in, VCL's out); vcl_backend_error's answer for the client.
 * fetch.c and cache.c decide when these run (docs/vcl-internals.md).
 *
 * Lifetimes: bereq's and beresp's views and every string the runs make
 * live in the busyobj's workspace (bo->ws), as long as the busyobj.
 * bereq's entries point into the client's request (req->h) until
 * fetch_vcl_own() copies them, which a fetch must do before it detaches.
 * beresp's point into the origin connection's buffer (bo->resp), valid
 * until fetch.c drains the head. A be_synth is in the request's
 * workspace: the busyobj ends before SYNTH writes it.
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/hdrs.h"
#include "accel/rfc9111.h"

#include <string.h>
#include <strings.h>

/* Request fields a fill replaces: the client's Range and conditionals
 * (we want the whole representation; the object answers them). If-Match
 * and If-Unmodified-Since, which a cache may ignore (RFC 9110 section
 * 13.1.1, 13.1.4), go too: the 412 they can bring is not storable, and
 * would make the key hit-for-miss (and replace a stale object) for
 * everyone because of one client's fields. */
static int
cond_field(const struct h1_hdr *h)
{
	static const struct {
		const char *n;
		size_t l;
	} f[] = {{"range", 5}, {"if-range", 8}, {"if-none-match", 13},
	    {"if-modified-since", 17}, {"if-match", 8},
	    {"if-unmodified-since", 19}};
	for (unsigned i = 0; i < ARRAY_LEN(f); i++)
		if (h->name_len == f[i].l &&
		    strncasecmp(h->name, f[i].n, f[i].l) == 0)
			return (1);
	return (0);
}

static struct h1_hdr
fld(const char *n, size_t nl, const char *v, size_t vl, enum h1_hk kind)
{
	return ((struct h1_hdr){n, nl, v, vl, kind});
}

/* The seen bits (hdrs.h) of a field array. */
static uint32_t
seen_of(const struct h1_hdr *h, unsigned n)
{
	uint32_t seen = 0;

	for (unsigned i = 0; i < n; i++)
		seen |= 1u << h[i].kind;
	return (seen);
}

/* The values of every field of that kind, comma-joined, then tail: in
 * bo->ws (NULL when full). */
static const char *
joined(struct busyobj *bo, const struct h1_req *r, enum h1_hk kind,
    const char *tail, size_t tlen, size_t *len)
{
	size_t cap = tlen + 1, n = 0;
	char *p;

	for (unsigned i = 0; i < r->nhdrs; i++)
		if (r->hdrs[i].kind == kind)
			cap += r->hdrs[i].value_len + 2;
	if ((p = ws_alloc(&bo->ws, cap)) == NULL)
		return (NULL);
	for (unsigned i = 0; i < r->nhdrs; i++) {
		if (r->hdrs[i].kind != kind)
			continue;
		memcpy(p + n, r->hdrs[i].value, r->hdrs[i].value_len);
		n += r->hdrs[i].value_len;
		memcpy(p + n, ", ", 2);
		n += 2;
	}
	memcpy(p + n, tail, tlen);
	*len = n + tlen;
	return (p);
}

/* Does the client's field go to the origin as it is? Host, framing,
 * Expect and the forwarding fields are accel's; hop-by-hop ones stop
 * here; a fill drops Range and the conditionals. */
static int
bereq_keeps(const struct busyobj *bo, const struct h1_req *r,
    const struct h1_hdr *h, int conn)
{
	switch (h->kind) {
	case H1H_HOST:
	case H1H_CONTENT_LENGTH:
	case H1H_EXPECT:
	case H1H_X_FORWARDED_FOR:
	case H1H_X_FORWARDED_PROTO:
	case H1H_VIA:
		return (0);
	default:
		if (conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind))
			return (0);
		/* By name, whatever kind the parser gives these. */
		return (!(bo->strip_cond && cond_field(h)));
	}
}

int
fetch_vcl_bereq(struct busyobj *bo)
{
	const struct req *req = bo->req;
	const struct h1_req *r = &req->h;
	const struct sto_obj *c = bo->cond;
	unsigned cap = r->nhdrs + 8, n = 0;
	struct h1_hdr *h = ws_alloc(&bo->ws, cap * sizeof *h);
	int conn = h1_conn_names(r->hdrs, r->nhdrs);
	const char *xff, *via;
	size_t xff_len, via_len;

	snprintf(bo->client_ip, sizeof bo->client_ip, "%s", req->sp->peer);
	bo->t_bereq = now_real();
	if (h == NULL)
		return (-1);
	if (r->host != NULL)
		h[n++] = fld("Host", 4, r->host, r->host_len, H1H_HOST);
	for (unsigned i = 0; i < r->nhdrs; i++)
		if (bereq_keeps(bo, r, &r->hdrs[i], conn))
			h[n++] = r->hdrs[i];
	/* Revalidation (RFC 9111 section 4.3.1): the stored validators. The
	 * object is bo's (one reference) until fetch_finish(). */
	if (c != NULL && sto_obj_etag(c).ptr != NULL)
		h[n++] = fld("If-None-Match", 13,
		    (const char *)sto_obj_etag(c).ptr, sto_obj_etag(c).len,
		    H1H_IF_NONE_MATCH);
	if (c != NULL && sto_obj_lastmod(c).ptr != NULL)
		h[n++] = fld("If-Modified-Since", 17,
		    (const char *)sto_obj_lastmod(c).ptr,
		    sto_obj_lastmod(c).len, H1H_IF_MODIFIED_SINCE);
	xff = joined(bo, r, H1H_X_FORWARDED_FOR, req->sp->peer,
	    strlen(req->sp->peer), &xff_len);
	via = joined(bo, r, H1H_VIA, "1.1 accel", 9, &via_len);
	if (xff == NULL || via == NULL)
		return (-1);
	h[n++] = fld("X-Forwarded-For", 15, xff, xff_len, H1H_X_FORWARDED_FOR);
	h[n++] = fld("X-Forwarded-Proto", 17, "http", 4, H1H_X_FORWARDED_PROTO);
	h[n++] = fld("Via", 3, via, via_len, H1H_VIA);
	hdrs_init(&bo->bereq, h, n, seen_of(h, n));
	bo->bereq.cap = cap; /* ours already, in bo->ws */
	/* A HEAD miss fills the object with a GET. */
	if (bo->meth != r->meth)
		bo->bereq_method = (struct vcl_str){"GET", 3};
	else
		bo->bereq_method = (struct vcl_str){r->method, r->method_len};
	bo->bereq_url = (struct vcl_str){r->path, r->path_len};
	return (0);
}

/* A copy of s in bo->ws; s itself when empty. 0 or -1. */
static int
own_str(struct busyobj *bo, const char **p, size_t len)
{
	char *q;

	if (len == 0 || *p == NULL)
		return (0);
	if ((q = ws_alloc(&bo->ws, len)) == NULL)
		return (-1);
	memcpy(q, *p, len);
	*p = q;
	return (0);
}

int
fetch_vcl_own(struct busyobj *bo)
{
	struct hdrs *hs = &bo->bereq;

	if (bo->bereq_owned)
		return (0);
	for (unsigned i = 0; i < hs->n; i++)
		if (own_str(bo, &hs->h[i].name, hs->h[i].name_len) != 0 ||
		    own_str(bo, &hs->h[i].value, hs->h[i].value_len) != 0)
			return (-1);
	if (own_str(bo, &bo->bereq_method.p, bo->bereq_method.len) != 0 ||
	    own_str(bo, &bo->bereq_url.p, bo->bereq_url.len) != 0)
		return (-1);
	bo->bereq_owned = 1;
	return (0);
}

/* Host when the client sent none: the backend's (its .host_header, else
 * .host; -b's HOST:PORT); before the pick (a head written before
 * connecting), the VCL's choice, or the program's first backend. */
static const char *
host_fallback(const struct busyobj *bo)
{
	const struct backend *be = bo->be;

	if (be == NULL && bo->vbe != NULL)
		be = bo->vbe->priv;
	if (be == NULL && bo->vcl != NULL && acc_vcl_nbe(bo->vcl) > 0)
		be = acc_vcl_be_at(bo->vcl, 0)->priv;
	return (be != NULL ? be->name : NULL);
}

int
fetch_vcl_write(struct busyobj *bo, struct evbuffer *dst)
{
	const struct req *req = bo->req;
	const struct hdrs *hs = &bo->bereq;
	const char *fb = host_fallback(bo);
	struct hb hb;

	if (hb_begin(&hb, dst, bo->bereq_method.len + bo->bereq_url.len +
	    h1_hdrs_bytes(hs->h, hs->n) + (fb != NULL ? strlen(fb) : 0) +
	    128) != 0)
		return (-1);
	hb_add(&hb, bo->bereq_method.p, bo->bereq_method.len);
	hb_lit(&hb, " ");
	hb_add(&hb, bo->bereq_url.p, bo->bereq_url.len);
	hb_lit(&hb, " HTTP/1.1\r\n");
	/* No Host (an HTTP/1.0 client): the backend's name. */
	if (!(hs->seen & H1_SEEN(HOST)) && fb != NULL)
		hb_field(&hb, "Host", 4, fb, strlen(fb));
	for (unsigned i = 0; i < hs->n; i++) {
		const struct h1_hdr *h = &hs->h[i];
		/* The framing is accel's (VCL cannot set it either). */
		if (h->kind == H1H_CONTENT_LENGTH ||
		    h->kind == H1H_TRANSFER_ENCODING)
			continue;
		hb_field(&hb, h->name, h->name_len, h->value, h->value_len);
	}
	if (req != NULL && req->h.body == H1B_LENGTH) {
		hb_lit(&hb, "Content-Length: ");
		hb_num(&hb, req->h.content_length, 10);
		hb_lit(&hb, "\r\n");
	} else if (req != NULL && req->h.body == H1B_CHUNKED)
		hb_lit(&hb, "Transfer-Encoding: chunked\r\n");
	hb_lit(&hb, "\r\n");
	return (hb_end(&hb));
}

enum vcl_action
fetch_vcl_response(struct busyobj *bo, struct rfc_fresh *f, int *store,
    struct vcl_ret *ret)
{
	struct h1_resp *r = &bo->resp;
	enum vcl_action a;

	hdrs_init(&bo->beresp, r->hdrs, r->nhdrs, seen_of(r->hdrs, r->nhdrs));
	bo->be_ttl = f->f_ttl;
	bo->be_grace = f->f_grace;
	bo->be_keep = f->f_keep;
	bo->beresp_uncacheable = !*store;
	bo->beresp_unc_set = 0;
	a = acc_vcl_be_run(bo, VCL_SUB_BACKEND_RESPONSE, ret);
	/* The client's head (req_deliver) and the stored one (fill_hdrs)
	 * are written from bo->resp: the edited fields become it. */
	r->hdrs = bo->beresp.h;
	r->nhdrs = bo->beresp.n;
	f->f_ttl = bo->be_ttl;
	f->f_grace = bo->be_grace > 0 ? bo->be_grace : 0;
	f->f_keep = bo->be_keep > 0 ? bo->be_keep : 0;
	*store = !bo->beresp_uncacheable;
	/* Set-Cookie is judged on what VCL left, as Varnish's built-in VCL
	 * does after yours: unset it to store the answer. A VCL that says
	 * beresp.uncacheable = false itself stores it with the field. */
	if (*store && !bo->beresp_unc_set && !prm.store_set_cookie &&
	    h1_find(r->hdrs, r->nhdrs, "Set-Cookie") != NULL)
		*store = 0;
	if (a == VCL_A_ERROR) {
		bo->vcl_error = 1;
		bo->err_status = ret->status != 0 ? ret->status : 503;
		bo->err_reason = ret->reason;
	}
	return (a);
}

/* A copy of s in ws ("" when unset); 0 or -1. */
static int
synth_dup(struct ws *ws, struct vcl_str *d, const char *p, size_t len)
{
	char *q = ws_alloc(ws, len + 1);

	if (q == NULL)
		return (-1);
	if (len > 0)
		memcpy(q, p, len);
	*d = (struct vcl_str){q, len};
	return (0);
}

/* vcl_backend_error's answer into the request's workspace. 0 or -1. */
static int
synth_copy(struct busyobj *bo, struct req *req)
{
	const struct hdrs *hs = &bo->beresp;
	struct be_synth *s = ws_alloc(&req->ws, sizeof *s);
	struct h1_hdr *h = ws_alloc(&req->ws, (hs->n + 1) * sizeof *h);
	const char *rp = bo->resp.reason;
	size_t rl = bo->resp.reason_len;
	struct vcl_str v;

	if (s == NULL || h == NULL)
		return (-1);
	if (rp == NULL) {
		rp = h1_reason(bo->resp.status);
		rl = strlen(rp);
	}
	for (unsigned i = 0; i < hs->n; i++) {
		if (synth_dup(&req->ws, &v, hs->h[i].name, hs->h[i].name_len))
			return (-1);
		h[i] = hs->h[i];
		h[i].name = v.p;
		if (synth_dup(&req->ws, &v, hs->h[i].value,
		    hs->h[i].value_len))
			return (-1);
		h[i].value = v.p;
	}
	s->status = bo->resp.status;
	s->hdrs = h;
	s->nhdrs = hs->n;
	if (synth_dup(&req->ws, &s->reason, rp, rl) != 0 ||
	    synth_dup(&req->ws, &s->body, bo->synth.p, bo->synth.len) != 0)
		return (-1);
	req->be_synth = s;
	req->err_status = s->status;
	return (0);
}

enum vcl_action
fetch_vcl_error(struct busyobj *bo, int status)
{
	struct vcl_ret ret;
	enum vcl_action a;

	bo->resp.minor = 1;
	bo->resp.status = status;
	bo->resp.body = H1B_NONE; /* the answer's body is synthetic() */
	bo->resp.reason = bo->vcl_error ? bo->err_reason.p : NULL;
	bo->resp.reason_len = bo->vcl_error ? bo->err_reason.len : 0;
	bo->vcl_error = 0;
	hdrs_init(&bo->beresp, NULL, 0, 0);
	bo->synth = (struct vcl_str){NULL, 0};
	bo->be_ttl = bo->be_grace = bo->be_keep = 0;
	bo->beresp_uncacheable = 1;
	a = acc_vcl_be_run(bo, VCL_SUB_BACKEND_ERROR, &ret);
	if (a == VCL_A_DELIVER && bo->req != NULL &&
	    synth_copy(bo, bo->req) != 0)
		return (VCL_A_FAIL); /* the request's workspace is full */
	return (a);
}

void
fetch_vcl_synth_write(struct req *req, struct evbuffer *out)
{
	const struct be_synth *s = req->be_synth;

	evbuffer_add_printf(out, "HTTP/1.1 %d ", s->status);
	evbuffer_add(out, s->reason.p, s->reason.len);
	evbuffer_add(out, "\r\n", 2);
	for (unsigned i = 0; i < s->nhdrs; i++) {
		const struct h1_hdr *h = &s->hdrs[i];
		/* Framing and the connection's fate are accel's. */
		if (h->kind == H1H_CONTENT_LENGTH ||
		    h->kind == H1H_TRANSFER_ENCODING ||
		    h->kind == H1H_CONNECTION)
			continue;
		evbuffer_add(out, h->name, h->name_len);
		evbuffer_add(out, ": ", 2);
		evbuffer_add(out, h->value, h->value_len);
		evbuffer_add(out, "\r\n", 2);
	}
	/* A 204 or a 304 has no body (RFC 9110 15.3.5, 15.4.5). */
	int body = s->status != 204 && s->status != 304;
	if (body)
		evbuffer_add_printf(out, "Content-Length: %zu\r\n", s->body.len);
	evbuffer_add_printf(out, "Via: 1.1 accel\r\n%s\r\n",
	    req->sp->close_after ? "Connection: close\r\n" : "");
	if (body && req->h.meth != H1M_HEAD && !req->no_body)
		evbuffer_add(out, s->body.p, s->body.len);
}
