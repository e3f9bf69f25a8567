/*
 * vcl_host_be.c: the backend side of the VCL host operations: bereq.*,
 * beresp.*, client.ip and now on a busyobj, for vcl_backend_fetch,
 * vcl_backend_response and vcl_backend_error (fetch_vcl.c runs them).
 *
 * The context is the busyobj, never the request: a fetch may go on after
 * its client left (a detached fill, a background refresh). Strings go to
 * the busyobj's workspace (bo->ws, as long as the busyobj); so do header
 * edits, through the views bo->bereq and bo->beresp (accel/hdrs.h). The
 * checker has already refused what a subroutine may not read or write:
 * what fails here is a value accel cannot take (a request line or field
 * with a control byte, a full workspace) or a variable accel lacks.
 */
#include "accel/accel.h"
#include "accel/hdrs.h"
#include "accel/rfc9111.h"
#include "accel/vcl_host.h"

#include <arpa/inet.h>
#include <string.h>

enum vcl_action
acc_vcl_be_run(struct busyobj *bo, enum vcl_sub sub, struct vcl_ret *ret)
{
	struct vcl_ctx c = {bo->req, bo, &bo->ws, NULL};

	enum vcl_action a;

	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	a = vcl_run(acc_vcl_prog_bo(bo), sub, &c, ret);
	if (__builtin_expect(a == VCL_A_FAIL, 0))
		acc_vcl_failed(bo->wrk, sub, ret);
	return (a);
}

static struct vcl_str
str_of(const char *p, size_t len)
{
	return ((struct vcl_str){p, len});
}

/* client.ip from the text kept in the busyobj (the client may be gone). */
static int
be_client_ip(struct busyobj *bo, union vcl_val *v)
{
	struct vcl_ip *ip = ws_alloc(&bo->ws, sizeof *ip);

	if (ip == NULL)
		return (-1);
	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, bo->client_ip, ip->addr) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, bo->client_ip, ip->addr) == 1)
		ip->family = 6;
	else
		return (-1);
	v->ip = ip;
	return (0);
}

/* The backend the fetch uses, as the program declares it (the VCL's
 * choice; for -b's round-robin the one picked last), or NULL. */
static const struct vcl_backend *
be_backend(const struct busyobj *bo)
{
	return (acc_bo_backend(bo));
}

/* set bereq.backend: the backend this fetch is to use (a director was
 * resolved by the expression); the next pick takes it, so in
 * vcl_backend_response it is where a retry goes. */
static int
be_backend_set(struct busyobj *bo, const struct vcl_backend *be)
{
	if (be == NULL)
		return (-1);
	acc_bo_set_backend(bo, be);
	return (0);
}

/* A timeout as bereq shows it: the fetch's own (negative: not set), else
 * the backend's (picked, else chosen), else the parameter's. which: 0
 * connect, 1 first byte, 2 between bytes. */
static double
bo_tmo(const struct busyobj *bo, double own, int which)
{
	const struct backend *be = bo->be;

	if (own >= 0)
		return (own);
	if (be == NULL && bo->vbe != NULL)
		be = bo->vbe->priv;
	switch (which) {
	case 0:
		return (be != NULL ? be->t_connect : prm.timeout_connect);
	case 1:
		return (be != NULL ? be->t_first_byte : prm.timeout_first_byte);
	default:
		return (be != NULL ? be->t_between_bytes :
		    prm.timeout_between_bytes);
	}
}

/* beresp.age: the origin's Age field (0 when absent or invalid). */
static double
be_age(const struct busyobj *bo)
{
	const struct h1_hdr *h = h1_find(bo->beresp.h, bo->beresp.n, "Age");
	double age = 0;

	if (h == NULL || rfc_age_header_parse(h->value, h->value_len, &age))
		return (0);
	return (age);
}

static int
bereq_get(struct busyobj *bo, enum vcl_var_id id, union vcl_val *v)
{
	switch (id) {
	case VCL_V_BEREQ_METHOD:
		v->s = bo->bereq_method;
		return (0);
	case VCL_V_BEREQ_URL:
		v->s = bo->bereq_url;
		return (0);
	case VCL_V_BEREQ_PROTO:
		v->s = str_of("HTTP/1.1", 8); /* what accel sends, always */
		return (0);
	case VCL_V_BEREQ_UNCACHEABLE:
		v->b = bo->uncacheable;
		return (0);
	case VCL_V_BEREQ_RETRIES:
		v->i = bo->retries;
		return (0);
	case VCL_V_BEREQ_IS_BGFETCH:
		v->b = bo->is_bg;
		return (0);
	case VCL_V_BEREQ_IS_HITMISS:
		v->b = bo->is_hitmiss;
		return (0);
	case VCL_V_BEREQ_IS_HITPASS:
		v->b = 0; /* accel's pass markers are hit-for-miss ones */
		return (0);
	case VCL_V_BEREQ_TIME:
		v->r = bo->t_bereq;
		return (0);
	case VCL_V_BEREQ_CONNECT_TIMEOUT:
		v->r = bo_tmo(bo, bo->tmo_connect, 0);
		return (0);
	case VCL_V_BEREQ_FIRST_BYTE_TIMEOUT:
		v->r = bo_tmo(bo, bo->tmo_first_byte, 1);
		return (0);
	case VCL_V_BEREQ_BETWEEN_BYTES_TIMEOUT:
		v->r = bo_tmo(bo, bo->tmo_between_bytes, 2);
		return (0);
	case VCL_V_BEREQ_BACKEND:
		v->be = be_backend(bo);
		return (v->be != NULL ? 0 : -1);
	default:
		return (-1);
	}
}

static int
beresp_get(struct busyobj *bo, enum vcl_var_id id, union vcl_val *v)
{
	switch (id) {
	case VCL_V_BERESP_STATUS:
		v->i = bo->resp.status;
		return (0);
	case VCL_V_BERESP_REASON:
		if (bo->resp.reason != NULL)
			v->s = str_of(bo->resp.reason, bo->resp.reason_len);
		else
			v->s = str_of(h1_reason(bo->resp.status),
			    strlen(h1_reason(bo->resp.status)));
		return (0);
	case VCL_V_BERESP_PROTO:
		v->s = str_of(bo->resp.minor == 0 ? "HTTP/1.0" : "HTTP/1.1", 8);
		return (0);
	case VCL_V_BERESP_TTL:
		v->r = bo->be_ttl;
		return (0);
	case VCL_V_BERESP_GRACE:
		v->r = bo->be_grace;
		return (0);
	case VCL_V_BERESP_KEEP:
		v->r = bo->be_keep;
		return (0);
	case VCL_V_BERESP_UNCACHEABLE:
		v->b = bo->beresp_uncacheable;
		return (0);
	case VCL_V_BERESP_AGE:
		v->r = be_age(bo);
		return (0);
	case VCL_V_BERESP_TIME:
		v->r = now_real();
		return (0);
	case VCL_V_BERESP_WAS_304:
		v->b = bo->was_304;
		return (0);
	case VCL_V_BERESP_DO_STREAM:
		v->b = 1; /* accel always streams */
		return (0);
	case VCL_V_BERESP_DO_GZIP:
		v->b = bo->do_gzip;
		return (0);
	case VCL_V_BERESP_DO_GUNZIP:
		v->b = bo->do_gunzip;
		return (0);
	case VCL_V_BERESP_BACKEND_NAME:
		if (bo->be == NULL)
			return (-1);
		v->s = str_of(bo->be->name, strlen(bo->be->name));
		return (0);
	case VCL_V_BERESP_BACKEND:
		v->be = be_backend(bo);
		return (v->be != NULL ? 0 : -1);
	default:
		return (-1);
	}
}

int
acc_be_var_get(struct vcl_ctx *c, enum vcl_var_id id, union vcl_val *v)
{
	struct busyobj *bo = c->bo;

	switch (id) {
	case VCL_V_CLIENT_IP:
		return (be_client_ip(bo, v));
	case VCL_V_NOW:
		v->r = now_real();
		return (0);
	case VCL_V_SERVER_HOSTNAME:
	case VCL_V_SERVER_IDENTITY:
		v->s = acc_host_name();
		return (0);
	default:
		break;
	}
	if (bereq_get(bo, id, v) == 0)
		return (0);
	return (beresp_get(bo, id, v));
}

/* A method a request line can carry: a token (RFC 9110 5.6.2). */
static int
token_ok(const struct vcl_str *s)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";

	if (s->p == NULL || s->len == 0)
		return (0);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char ch = (unsigned char)s->p[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || strchr(tchar, ch) != NULL) ||
		    ch == '\0')
			return (0);
	}
	return (1);
}

/* A request target: no space and no control byte (no request line
 * injection through VCL). */
static int
target_ok(const struct vcl_str *s)
{
	if (s->p == NULL || s->len == 0)
		return (0);
	for (size_t i = 0; i < s->len; i++)
		if ((unsigned char)s->p[i] <= 0x20 ||
		    (unsigned char)s->p[i] == 0x7f)
			return (0);
	return (1);
}

/* A timeout VCL gives: at least 0. */
static int
set_tmo(double *t, double v)
{
	if (!(v >= 0))
		return (-1);
	*t = v;
	return (0);
}

static int
bereq_set(struct busyobj *bo, enum vcl_var_id id, const union vcl_val *v)
{
	switch (id) {
	case VCL_V_BEREQ_METHOD:
		if (!token_ok(&v->s))
			return (-1);
		bo->bereq_method = v->s;
		/* The response is read as the answer to this method (a
		 * HEAD's has no body), and stored only for a GET. */
		bo->meth = h1_method_of(v->s.p, v->s.len);
		return (0);
	case VCL_V_BEREQ_URL:
		if (!target_ok(&v->s))
			return (-1);
		bo->bereq_url = v->s;
		return (0);
	case VCL_V_BEREQ_PROTO:
		/* vcl 4.0 only: accel speaks HTTP/1.1 to origins. */
		return (v->s.len == 8 && memcmp(v->s.p, "HTTP/1.1", 8) == 0 ?
		    0 : -1);
	case VCL_V_BEREQ_CONNECT_TIMEOUT:
		return (set_tmo(&bo->tmo_connect, v->r));
	case VCL_V_BEREQ_FIRST_BYTE_TIMEOUT:
		return (set_tmo(&bo->tmo_first_byte, v->r));
	case VCL_V_BEREQ_BETWEEN_BYTES_TIMEOUT:
		return (set_tmo(&bo->tmo_between_bytes, v->r));
	case VCL_V_BEREQ_BACKEND:
		return (be_backend_set(bo, v->be));
	default:
		return (-1);
	}
}

static int
beresp_set(struct busyobj *bo, enum vcl_var_id id, const union vcl_val *v)
{
	switch (id) {
	case VCL_V_BERESP_STATUS:
		/* A final status, and none that says "no body" on a response
		 * that has one: the client would read its body as the next
		 * response. */
		if (v->i < 200 || v->i > 999 ||
		    ((v->i == 204 || v->i == 304) && bo->resp.body != H1B_NONE))
			return (-1);
		bo->resp.status = (int)v->i;
		return (0);
	case VCL_V_BERESP_REASON:
		if (v->s.p != NULL && !hdrs_value_ok(v->s.p, v->s.len))
			return (-1);
		bo->resp.reason = v->s.p;
		bo->resp.reason_len = v->s.len;
		return (0);
	case VCL_V_BERESP_TTL:
		bo->be_ttl = v->r;
		return (0);
	case VCL_V_BERESP_GRACE:
		bo->be_grace = v->r;
		return (0);
	case VCL_V_BERESP_KEEP:
		bo->be_keep = v->r;
		return (0);
	case VCL_V_BERESP_UNCACHEABLE:
		bo->beresp_uncacheable = v->b != 0;
		bo->beresp_unc_set = 1;
		return (0);
	case VCL_V_BERESP_DO_STREAM:
		return (0); /* accel always streams */
	case VCL_V_BERESP_DO_GZIP:
		bo->do_gzip = v->b != 0; /* XXX compression issue */
		return (0);
	case VCL_V_BERESP_DO_GUNZIP:
		bo->do_gunzip = v->b != 0;
		return (0);
	default:
		return (-1); /* beresp.proto (vcl 4.0): accel keeps it */
	}
}

int
acc_be_var_set(struct vcl_ctx *c, enum vcl_var_id id, const union vcl_val *v)
{
	struct busyobj *bo = c->bo;

	if (bereq_set(bo, id, v) == 0)
		return (0);
	return (beresp_set(bo, id, v));
}

int
acc_be_var_unset(struct vcl_ctx *c, enum vcl_var_id id)
{
	struct busyobj *bo = c->bo;

	/* An unset timeout is the backend's again. */
	switch (id) {
	case VCL_V_BEREQ_CONNECT_TIMEOUT:
		bo->tmo_connect = -1;
		return (0);
	case VCL_V_BEREQ_FIRST_BYTE_TIMEOUT:
		bo->tmo_first_byte = -1;
		return (0);
	case VCL_V_BEREQ_BETWEEN_BYTES_TIMEOUT:
		bo->tmo_between_bytes = -1;
		return (0);
	default:
		return (-1); /* bereq.body: accel does not keep bodies */
	}
}

/* The view a header of w lives in, or NULL. */
static struct hdrs *
be_view(struct busyobj *bo, enum vcl_where w)
{
	if (w == VCL_W_BEREQ)
		return (&bo->bereq);
	if (w == VCL_W_BERESP)
		return (&bo->beresp);
	return (NULL);
}

/* The framing is accel's on both sides: VCL may not write it. */
static int
be_hdr_framing(const struct vcl_hdr *h)
{
	return (h->hint == H1H_CONTENT_LENGTH ||
	    h->hint == H1H_TRANSFER_ENCODING);
}

int
acc_be_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	struct hdrs *hs = be_view(c->bo, w);
	const struct h1_hdr *f;

	s->p = NULL;
	s->len = 0;
	if (hs == NULL)
		return (-1);
	f = hdrs_get(hs, (enum h1_hk)h->hint, h->name, h->len);
	if (f != NULL)
		*s = str_of(f->value, f->value_len);
	return (0);
}

int
acc_be_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	struct hdrs *hs = be_view(c->bo, w);

	/* bereq.http.Host may change (the key is made already). */
	if (hs == NULL || be_hdr_framing(h))
		return (-1);
	return (hdrs_set(hs, c->ws, (enum h1_hk)h->hint, h->name, h->len,
	    s->p != NULL ? s->p : "", s->len));
}

int
acc_be_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	struct hdrs *hs = be_view(c->bo, w);

	/* An HTTP/1.1 request has a Host. */
	if (hs == NULL || be_hdr_framing(h) ||
	    (w == VCL_W_BEREQ && h->hint == H1H_HOST))
		return (-1);
	return (hdrs_unset(hs, c->ws, (enum h1_hk)h->hint, h->name, h->len));
}

/* synthetic() in vcl_backend_error: appended to the body, in bo->ws. */
int
acc_be_synthetic(struct vcl_ctx *c, const struct vcl_str *s)
{
	struct busyobj *bo = c->bo;
	size_t len = bo->synth.len + s->len;
	char *p;

	if (s->len == 0)
		return (0);
	if ((p = ws_alloc(c->ws, len)) == NULL)
		return (-1);
	if (bo->synth.len > 0)
		memcpy(p, bo->synth.p, bo->synth.len);
	memcpy(p + bo->synth.len, s->p, s->len);
	bo->synth = str_of(p, len);
	return (0);
}
