/*
 * vcl_host.c: accel's side of the VCL interface (vcl/vcl.h): the host
 * operations (acc_vcl_ops) and the client side's request variables:
 * req.* (url, method and Host writable: they drive the key, the origin
 * request and the log), req.http.*, client.ip, server.ip, local.ip. The
 * response side (resp.*, obj.*, synthetic()) is vcl_host_resp.c; the
 * backend side vcl_host_be.c. Where accel runs which subroutine is
 * req_fsm.c.
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
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* server.ip and local.ip: our end of the client's connection (accel
 * speaks no PROXY protocol, so both are that address). */
static int
local_ip(struct req *req, union vcl_val *v)
{
	struct vcl_ip *ip = ws_alloc(&req->ws, sizeof *ip);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	if (ip == NULL || getsockname(req->sp->fd, (struct sockaddr *)&ss,
	    &sl) != 0)
		return (-1);
	memset(ip, 0, sizeof *ip);
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&ss;
		ip->family = 4;
		memcpy(ip->addr, &s4->sin_addr, 4);
		ip->port = ntohs(s4->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&ss;
		ip->family = 6;
		memcpy(ip->addr, &s6->sin6_addr, 16);
		ip->port = ntohs(s6->sin6_port);
	} else
		return (-1);
	v->ip = ip;
	return (0);
}

/* server.hostname, server.identity: the host's name (accel has no -i),
 * read once by whichever thread asks first. XXX vcl_vars.def still marks
 * both unsupported (and test_vcl_sym.c checks that it does), so the
 * checker refuses them and this is not reached yet. */
static char host_name_buf[256];
static pthread_once_t host_name_once = PTHREAD_ONCE_INIT;

static void
host_name_read(void)
{
	if (gethostname(host_name_buf, sizeof host_name_buf - 1) != 0)
		snprintf(host_name_buf, sizeof host_name_buf, "localhost");
}

struct vcl_str
acc_host_name(void)
{
	(void)pthread_once(&host_name_once, host_name_read);
	return (str_of(host_name_buf, strlen(host_name_buf)));
}

/* req.xid: unique among this process's requests, taken on first read. */
static uint64_t
req_xid(struct req *req)
{
	static _Atomic uint64_t next;

	if (req->xid == 0)
		req->xid = atomic_fetch_add_explicit(&next, 1,
		    memory_order_relaxed) + 1;
	return (req->xid);
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
		v->i = req->restarts;
		return (0);
	case VCL_V_REQ_ESI_LEVEL:
		v->i = 0;
		return (0);
	case VCL_V_REQ_XID:
		v->i = (int64_t)req_xid(req);
		return (0);
	case VCL_V_REQ_HASH_ALWAYS_MISS:
		v->b = (req->lookup_vcl & REQ_LK_ALWAYS_MISS) != 0;
		return (0);
	case VCL_V_REQ_HASH_IGNORE_BUSY:
		v->b = (req->lookup_vcl & REQ_LK_IGNORE_BUSY) != 0;
		return (0);
	case VCL_V_REQ_IS_HITMISS:
		v->b = req->hfm;
		return (0);
	case VCL_V_REQ_IS_HITPASS:
		v->b = 0; /* accel makes hit-for-miss markers only */
		return (0);
	case VCL_V_REQ_TTL:
		v->r = req->vcl_limits ? req->vcl_ttl : -1;
		return (0);
	case VCL_V_REQ_GRACE:
		v->r = req->vcl_limits ? req->vcl_grace : -1;
		return (0);
	case VCL_V_REQ_CAN_GZIP:
		v->b = 0; /* accel does not compress yet */
		return (0);
	case VCL_V_REQ_TIME:
		v->r = now_real();
		return (0);
	case VCL_V_REQ_TRANSPORT:
		v->s = str_of("HTTP/1", 6);
		return (0);
	case VCL_V_CLIENT_IP:
		return (client_ip(req, v));
	case VCL_V_REQ_BACKEND_HINT:
		return (acc_req_backend_get(req, v));
	case VCL_V_SERVER_IP:
	case VCL_V_LOCAL_IP:
		return (local_ip(req, v));
	case VCL_V_SERVER_HOSTNAME:
	case VCL_V_SERVER_IDENTITY:
		v->s = acc_host_name();
		return (0);
	case VCL_V_NOW:
		v->r = now_real();
		return (0);
	default:
		return (acc_resp_get(req, id, v));
	}
}

/* A request-target VCL may set: origin-form, no byte a request line may
 * not hold. */
static int
url_ok(const struct vcl_str *s)
{
	if (s->p == NULL || s->len == 0 || (s->p[0] != '/' &&
	    !(s->len == 1 && s->p[0] == '*')))
		return (0);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char ch = (unsigned char)s->p[i];
		if (ch <= 0x20 || ch == 0x7f)
			return (0);
	}
	return (1);
}

/* A method VCL may set: a token (RFC 9110 5.6.2). */
static int
method_ok(const struct vcl_str *s)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";

	if (s->p == NULL || s->len == 0 || s->len > 64)
		return (0);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char ch = (unsigned char)s->p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch != 0 &&
		    strchr(tchar, ch) != NULL)))
			return (0);
	}
	return (1);
}

/*
 * req.url: the path everything downstream uses (the key in vcl_hash, the
 * origin request, invalidation, the access log's request line). The
 * string is VCL's: in the workspace or the program, both outliving the
 * request.
 */
static int
set_url(struct req *req, const struct vcl_str *s)
{
	if (!url_ok(s))
		return (-1);
	req->h.path = s->p;
	req->h.path_len = s->len;
	req->h.target = s->p;
	req->h.target_len = s->len;
	return (0);
}

/* req.method: the method of the fetch; the client still gets no body
 * when it sent HEAD (req->no_body). */
static int
set_method(struct req *req, const struct vcl_str *s)
{
	if (!method_ok(s))
		return (-1);
	req->h.method = s->p;
	req->h.method_len = s->len;
	req->h.meth = h1_method_of(s->p, s->len);
	return (0);
}

static void
req_lookup_flag(struct req *req, uint8_t flag, int on)
{
	if (on)
		req->lookup_vcl |= flag;
	else
		req->lookup_vcl &= (uint8_t)~flag;
}

/* req.ttl and req.grace are read only once vcl_limits is set: the
 * first write makes both "not set" (negative). */
static void
req_limits(struct req *req)
{
	if (!req->vcl_limits) {
		req->vcl_ttl = req->vcl_grace = -1;
		req->vcl_limits = 1;
	}
}

static int
acc_var_set(struct vcl_ctx *c, enum vcl_var_id id, const union vcl_val *v)
{
	struct req *req = c->req;

	if (c->bo != NULL)
		return (acc_be_var_set(c, id, v));
	switch (id) {
	case VCL_V_REQ_BACKEND_HINT:
		return (acc_req_backend_set(c->req, v));
	case VCL_V_REQ_URL:
		return (set_url(req, &v->s));
	case VCL_V_REQ_METHOD:
		return (set_method(req, &v->s));
	case VCL_V_REQ_HASH_ALWAYS_MISS:
		req_lookup_flag(req, REQ_LK_ALWAYS_MISS, v->b);
		return (0);
	case VCL_V_REQ_HASH_IGNORE_BUSY:
		req_lookup_flag(req, REQ_LK_IGNORE_BUSY, v->b);
		return (0);
	case VCL_V_REQ_TTL:
		req_limits(req);
		req->vcl_ttl = (float)v->r;
		return (0);
	case VCL_V_REQ_GRACE:
		req_limits(req);
		req->vcl_grace = (float)v->r;
		return (0);
	default:
		return (acc_resp_set(req, id, v));
	}
}

static int
acc_var_unset(struct vcl_ctx *c, enum vcl_var_id id)
{
	struct req *req = c->req;

	if (c->bo != NULL)
		return (acc_be_var_unset(c, id));
	switch (id) {
	case VCL_V_REQ_TTL:
		req_limits(req);
		req->vcl_ttl = -1;
		return (0);
	case VCL_V_REQ_GRACE:
		req_limits(req);
		req->vcl_grace = -1;
		return (0);
	default:
		return (-1);
	}
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

/* Headers VCL may not write on the request: the framing. */
int
acc_hdr_locked(const struct vcl_hdr *h)
{
	return (h->hint == H1H_CONTENT_LENGTH ||
	    h->hint == H1H_TRANSFER_ENCODING);
}

/*
 * req.http.host set (s not NULL) or unset: req->h.host is what the key
 * (the built-in vcl_hash), the origin request's Host and invalidation
 * use; the Host fields follow so that reads agree. An absolute-form
 * target's authority was the host; after this the field is.
 */
static int
set_host(struct req *req, const struct vcl_hdr *h, const struct vcl_str *s)
{
	struct hdrs hs = req_view(req);

	if (s != NULL) {
		const char *p = s->p != NULL ? s->p : "";
		if (hdrs_set(&hs, &req->ws, H1H_HOST, h->name, h->len, p,
		    s->len) != 0)
			return (-1);
		req->h.host = p;
		req->h.host_len = s->len;
	} else {
		if (hdrs_unset(&hs, &req->ws, H1H_HOST, h->name, h->len) != 0)
			return (-1);
		req->h.host = NULL;
		req->h.host_len = 0;
	}
	req_view_store(req, &hs);
	return (0);
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
	if (w == VCL_W_RESP || w == VCL_W_OBJ)
		return (acc_resp_hdr_get(c->req, w, h, s));
	if (w != VCL_W_REQ)
		return (-1); /* bereq in vcl_pipe: accel never pipes */
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
	if (w == VCL_W_RESP)
		return (acc_resp_hdr_put(req, h, s));
	if (w != VCL_W_REQ || acc_hdr_locked(h))
		return (-1);
	if (h->hint == H1H_HOST)
		return (set_host(req, h, s));
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
	if (w == VCL_W_RESP)
		return (acc_resp_hdr_put(req, h, NULL));
	if (w != VCL_W_REQ || acc_hdr_locked(h))
		return (-1);
	if (h->hint == H1H_HOST)
		return (set_host(req, h, NULL));
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

/* The most hash-input bytes a key may have (a vcl_hash that hashes more
 * fails, and the request gets a 414). */
#define ACC_HASHIN_MAX (64u << 10)

/*
 * hash_data(): appended to the key's inputs. cache_hash sized their
 * buffer for the usual host and URL; a vcl_hash that hashes more (a
 * cookie, several headers) moves them to a buffer twice as large in the
 * workspace (the old one stays there until the request ends).
 */
static int
acc_hash_data(struct vcl_ctx *c, const struct vcl_str *s)
{
	struct sto_hashin *hi = c->hash;
	const char *p = s->p != NULL ? s->p : "";

	if (hi == NULL)
		return (-1);
	if (sto_hashin_add(hi, p, s->len) != 0 &&
	    s->len <= ACC_HASHIN_MAX - hi->hi_len - 8) {
		size_t need = hi->hi_len + s->len + 8;
		size_t cap = 2 * hi->hi_cap > need ? 2 * hi->hi_cap : need;
		uint8_t *nb = ws_alloc(c->ws, cap);

		if (nb == NULL)
			return (-1);
		memcpy(nb, hi->hi_buf, hi->hi_len);
		hi->hi_buf = nb;
		hi->hi_cap = cap;
		hi->hi_overflow = 0;
		(void)sto_hashin_add(hi, p, s->len);
	}
	return (hi->hi_overflow ? -1 : 0);
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
	.ho_healthy = acc_be_healthy,
	.ho_backend_check = acc_be_check,
};

