/*
 * vcl_host.c: accel's side of the VCL interface (vcl/vcl.h): the program
 * the daemon runs, and the host operations it calls on a request.
 *
 * Today the daemon runs the built-in VCL (vcl/builtin.vcl) on the client
 * side: vcl_recv decides hash / pass / purge / synth, vcl_hash gives the
 * cache key's inputs, vcl_hit and vcl_deliver may only deliver. The
 * backend subroutines, -f, restarts and reload come next (the VCL issue;
 * docs/vcl-internals.md).
 *
 * A run's context (struct vcl_ctx) lives on the caller's stack for the
 * run; the request it points to outlives it. Strings the program makes
 * come from the request's workspace (ws_alloc), and so do header edits
 * (accel/hdrs.c), which are written back into req->h so that everything
 * downstream (the origin request, the log) sees them.
 */
#include "accel/accel.h"
#include "accel/hdrs.h"
#include "accel/vcl_host.h"

#include <arpa/inet.h>
#include <string.h>

static int16_t
acc_hdr_hint(const char *name, size_t len)
{
	return ((int16_t)h1_kind_of(name, len));
}

static struct vcl_str
str_of(const char *p, size_t len)
{
	return ((struct vcl_str){p, len});
}

/* client.ip from the peer's text: per request, in the workspace. */
static int
client_ip(struct req *req, union vcl_val *v)
{
	struct vcl_ip *ip = ws_alloc(&req->ws, sizeof *ip);

	if (ip == NULL)
		return (-1);
	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, req->sp->peer, ip->addr) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, req->sp->peer, ip->addr) == 1)
		ip->family = 6;
	else
		return (-1);
	v->ip = ip;
	return (0);
}

static int
acc_var_get(struct vcl_ctx *c, enum vcl_var_id id, union vcl_val *v)
{
	struct req *req = c->req;

	if (c->bo != NULL)
		return (acc_be_var_get(c, id, v));

	switch (id) {
	case VCL_V_REQ_METHOD:
		v->s = str_of(req->h.method, req->h.method_len);
		return (0);
	case VCL_V_REQ_URL:
		v->s = str_of(req->h.path, req->h.path_len);
		return (0);
	case VCL_V_REQ_PROTO:
		v->s = req->h.minor == 1 ? str_of("HTTP/1.1", 8) :
		    str_of("HTTP/1.0", 8);
		return (0);
	case VCL_V_REQ_RESTARTS:
	case VCL_V_REQ_ESI_LEVEL:
		v->i = 0;
		return (0);
	case VCL_V_CLIENT_IP:
		return (client_ip(req, v));
	case VCL_V_NOW:
		v->r = now_real();
		return (0);
	case VCL_V_RESP_STATUS:
		v->i = req->err_status;
		return (0);
	case VCL_V_RESP_REASON: {
		const char *r = h1_reason(req->err_status);
		v->s = str_of(r, strlen(r));
		return (0);
	}
	default:
		return (-1); /* not on the request path yet */
	}
}

static int
acc_var_set(struct vcl_ctx *c, enum vcl_var_id id, const union vcl_val *v)
{
	if (c->bo != NULL)
		return (acc_be_var_set(c, id, v));
	(void)id;
	(void)v;
	return (-1); /* the built-in VCL sets none on the client side */
}

static int
acc_var_unset(struct vcl_ctx *c, enum vcl_var_id id)
{
	if (c->bo != NULL)
		return (acc_be_var_unset(c, id));
	(void)id;
	return (-1);
}

/* The request's header view, made on first use from the parsed head. */
static struct hdrs
req_view(const struct req *req)
{
	struct hdrs hs;

	hdrs_init(&hs, req->h.hdrs, req->h.nhdrs, req->h.seen);
	return (hs);
}

/* An edited view becomes the request's head: everything downstream (the
 * origin request, the log) reads req->h. */
static void
req_view_store(struct req *req, const struct hdrs *hs)
{
	req->h.hdrs = hs->h;
	req->h.nhdrs = hs->n;
	req->h.seen = hs->seen;
}

/* Headers VCL may not write: the key's authority and the framing. */
int
acc_hdr_locked(const struct vcl_hdr *h)
{
	return (h->hint == H1H_HOST || h->hint == H1H_CONTENT_LENGTH ||
	    h->hint == H1H_TRANSFER_ENCODING);
}

static int
acc_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	const struct req *req = c->req;
	const struct h1_hdr *f;
	struct hdrs hs;

	if (c->bo != NULL)
		return (acc_be_hdr_get(c, w, h, s));
	s->p = NULL;
	s->len = 0;
	if (w != VCL_W_REQ)
		return (w == VCL_W_RESP ? 0 : -1);
	if (h->hint == H1H_HOST) {
		/* The absolute-form authority wins over Host (RFC 9112
		 * 3.2.2), as the parser's h.host says. */
		if (req->h.host != NULL)
			*s = str_of(req->h.host, req->h.host_len);
		return (0);
	}
	/* A known header the request lacks (the built-in vcl_recv's
	 * Content-Length and Transfer-Encoding): one bit test, no view.
	 * req->h.seen follows the edits (req_view_store). */
	if (h->hint != H1H_OTHER && !(req->h.seen & (1u << h->hint)))
		return (0);
	hs = req_view(req);
	f = hdrs_get(&hs, (enum h1_hk)h->hint, h->name, h->len);
	if (f != NULL)
		*s = str_of(f->value, f->value_len);
	return (0);
}

static int
acc_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	struct req *req = c->req;
	struct hdrs hs;

	if (c->bo != NULL)
		return (acc_be_hdr_set(c, w, h, s));
	if (w == VCL_W_RESP) {
		/* vcl_synth's Content-Type and Connection: accel writes its
		 * own synthetic head today (req_synth). */
		return (0);
	}
	if (w != VCL_W_REQ || acc_hdr_locked(h))
		return (-1);
	hs = req_view(req);
	if (hdrs_set(&hs, &req->ws, (enum h1_hk)h->hint, h->name, h->len,
	    s->p != NULL ? s->p : "", s->len) != 0)
		return (-1);
	req_view_store(req, &hs);
	return (0);
}

static int
acc_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	struct req *req = c->req;
	struct hdrs hs;

	if (c->bo != NULL)
		return (acc_be_hdr_unset(c, w, h));
	if (w != VCL_W_REQ || acc_hdr_locked(h))
		return (-1);
	hs = req_view(req);
	if (hdrs_unset(&hs, &req->ws, (enum h1_hk)h->hint, h->name,
	    h->len) != 0)
		return (-1);
	req_view_store(req, &hs);
	return (0);
}

static void *
acc_alloc(struct vcl_ctx *c, size_t n)
{
	return (ws_alloc(c->ws, n));
}

static int
acc_hash_data(struct vcl_ctx *c, const struct vcl_str *s)
{
	if (c->hash == NULL)
		return (-1);
	sto_hashin_add(c->hash, s->p != NULL ? s->p : "", s->len);
	return (c->hash->hi_overflow ? -1 : 0);
}

static int
acc_synthetic(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c;
	(void)s;
	return (0); /* req_synth writes accel's own body today */
}

static int
acc_ban(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c;
	(void)s;
	return (-1); /* bans come with the invalidation issue */
}

static void
acc_log(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c;
	(void)s;
}

const struct vcl_host_ops acc_vcl_ops = {
	.ho_hdr_hint = acc_hdr_hint,
	.ho_var_get = acc_var_get,
	.ho_var_set = acc_var_set,
	.ho_var_unset = acc_var_unset,
	.ho_hdr_get = acc_hdr_get,
	.ho_hdr_set = acc_hdr_set,
	.ho_hdr_unset = acc_hdr_unset,
	.ho_alloc = acc_alloc,
	.ho_hash_data = acc_hash_data,
	.ho_synthetic = acc_synthetic,
	.ho_ban = acc_ban,
	.ho_log = acc_log,
};

