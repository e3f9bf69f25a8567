/*
 * vcl_host_resp.c: the response side of the client's VCL: resp.* in
 * vcl_deliver and vcl_synth (recorded in the edit list of vcl_resp.h),
 * obj.* in vcl_hit and vcl_deliver, synthetic(), and the hit counter
 * behind obj.hits.
 *
 * What resp.* reads depends on the step the request is in: HIT reads the
 * stored object (req->obj), DELIVER the origin's head (req->bo->resp, a
 * miss or a pass), SYNTH nothing but what VCL set. The edit list comes
 * first: a field VCL set or unset reads as VCL left it.
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/hdrs.h"
#include "accel/rfc9111.h"
#include "accel/vcl_host.h"
#include "accel/vcl_resp.h"

#include <string.h>
#include <strings.h>

/* ---- the edit list ---- */

static int
ed_is(const struct resp_ed_f *f, enum h1_hk kind, const char *name,
    size_t len)
{
	if (kind != H1H_OTHER || f->kind != H1H_OTHER)
		return (f->kind == kind);
	return (f->name_len == len && strncasecmp(f->name, name, len) == 0);
}

const struct resp_ed_f *
resp_ed_find_slow(const struct resp_ed *e, enum h1_hk kind, const char *name,
    size_t len)
{
	for (unsigned i = 0; i < e->n; i++)
		if (ed_is(&e->f[i], kind, name, len))
			return (&e->f[i]);
	return (NULL);
}

/* Which of accel's own fields (RESP_ED_*) that name is: 0 for others. */
static unsigned
ed_own(enum h1_hk kind, const char *name, size_t len)
{
	if (kind == H1H_VIA)
		return (RESP_ED_VIA);
	if (kind != H1H_OTHER)
		return (0);
	if (len == 3 && strncasecmp(name, "Age", 3) == 0)
		return (RESP_ED_AGE);
	if (len == 12 && strncasecmp(name, "Cache-Status", 12) == 0)
		return (RESP_ED_CACHE_STATUS);
	return (0);
}

struct resp_ed *
resp_ed_of(struct req *req)
{
	struct resp_ed *e = req->resp_ed;

	if (e == NULL && (e = ws_alloc(&req->ws, sizeof *e)) != NULL) {
		memset(e, 0, sizeof *e);
		req->resp_ed = e;
	}
	return (e);
}

/* Room for one more entry (the old array stays in the workspace). */
static int
ed_room(struct resp_ed *e, struct ws *ws)
{
	struct resp_ed_f *nf;
	unsigned cap;

	if (e->n < e->cap)
		return (0);
	cap = e->cap == 0 ? 8 : e->cap * 2;
	if ((nf = ws_alloc(ws, cap * sizeof *nf)) == NULL)
		return (-1);
	if (e->n > 0)
		memcpy(nf, e->f, e->n * sizeof *nf);
	e->f = nf;
	e->cap = cap;
	return (0);
}

int
resp_ed_put(struct req *req, enum h1_hk kind, const char *name, size_t len,
    const char *value, size_t vlen)
{
	struct resp_ed *e;
	struct resp_ed_f *f;

	if (kind == H1H_CONTENT_LENGTH || kind == H1H_TRANSFER_ENCODING)
		return (0); /* framing is accel's: the change is ignored */
	if ((e = resp_ed_of(req)) == NULL)
		return (-1);
	if (kind == H1H_CONNECTION) {
		/* accel writes Connection itself; "close" is honoured. */
		if (value != NULL && vlen == 5 &&
		    strncasecmp(value, "close", 5) == 0)
			e->close = 1;
		return (0);
	}
	if (value != NULL && !hdrs_value_ok(value, vlen))
		return (-1); /* no header injection through VCL */
	f = (struct resp_ed_f *)(uintptr_t)resp_ed_find(e, kind, name, len);
	if (f == NULL) {
		if (ed_room(e, &req->ws) != 0)
			return (-1);
		f = &e->f[e->n++];
		f->name = name;
		f->name_len = len;
		f->kind = kind;
		if (kind != H1H_OTHER)
			e->kinds |= 1u << kind;
		e->names |= hdrs_name_bit(name, len);
		e->own |= ed_own(kind, name, len);
	}
	f->value = value;
	f->value_len = value != NULL ? vlen : 0;
	if (value != NULL)
		e->bytes += len + vlen + 4;
	return (0);
}

size_t
resp_ed_bytes(const struct resp_ed *e)
{
	return (e->bytes + e->reason_len + 32);
}

void
resp_ed_status_line(struct hb *hb, const struct resp_ed *e, unsigned status)
{
	unsigned st = resp_ed_wire_status(e->status != 0 ? e->status : status);
	const char *reason;

	hb_lit(hb, "HTTP/1.1 ");
	hb_num(hb, st, 10);
	hb_lit(hb, " ");
	if (e->reason != NULL)
		hb_add(hb, e->reason, e->reason_len);
	else {
		reason = h1_reason((int)st);
		hb_add(hb, reason, strlen(reason));
	}
	hb_lit(hb, "\r\n");
}

void
resp_ed_write(struct hb *hb, const struct resp_ed *e)
{
	for (unsigned i = 0; i < e->n; i++)
		if (e->f[i].value != NULL)
			hb_field(hb, e->f[i].name, e->f[i].name_len,
			    e->f[i].value, e->f[i].value_len);
}

/* ---- what the response is built from ---- */

static struct vcl_str
str_of(const char *p, size_t len)
{
	return ((struct vcl_str){p, len});
}

/* The status before VCL's changes. */
static unsigned
resp_base_status(const struct req *req)
{
	if (req->step == R_DELIVER && req->bo != NULL)
		return ((unsigned)req->bo->resp.status);
	if (req->step == R_HIT && req->obj != NULL)
		return (req->obj->o_status);
	return ((unsigned)(req->err_status ? req->err_status : 500));
}

/* The first stored field of that name in o's header block, or NULL. */
static int
obj_hdr(const struct sto_obj *o, const struct vcl_hdr *h, struct vcl_str *s)
{
	struct sto_bytes b;
	struct h1_hdr f;
	size_t pos = 0;

	/* Most names VCL asks for are not stored: no walk for them. */
	if (cache_hdrs_lack(o, hdrs_name_bit(h->name, h->len)))
		return (0);
	b = sto_obj_hdrs(o);
	while (cache_hdr_next((const char *)b.ptr, b.len, &pos, &f))
		if (f.name_len == h->len &&
		    strncasecmp(f.name, h->name, h->len) == 0) {
			*s = str_of(f.value, f.value_len);
			return (1);
		}
	return (0);
}

/* resp.http.NAME before VCL's changes. */
static void
resp_base_hdr(const struct req *req, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	const struct h1_resp *r;
	struct hdrs hs;
	const struct h1_hdr *f;

	if (req->step == R_DELIVER && req->bo != NULL) {
		r = &req->bo->resp;
		hdrs_init(&hs, (struct h1_hdr *)(uintptr_t)r->hdrs, r->nhdrs,
		    ~0u);
		f = hdrs_get(&hs, (enum h1_hk)h->hint, h->name, h->len);
		if (f != NULL)
			*s = str_of(f->value, f->value_len);
	} else if (req->step == R_HIT && req->obj != NULL)
		(void)obj_hdr(req->obj, h, s);
}

int
acc_resp_hdr_get(struct req *req, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	const struct resp_ed_f *f;

	s->p = NULL;
	s->len = 0;
	if (w == VCL_W_OBJ) {
		if (req->obj != NULL)
			(void)obj_hdr(req->obj, h, s);
		return (0);
	}
	if (req->resp_ed != NULL &&
	    (f = resp_ed_find(req->resp_ed, (enum h1_hk)h->hint, h->name,
	    h->len)) != NULL) {
		*s = str_of(f->value, f->value_len);
		return (0);
	}
	resp_base_hdr(req, h, s);
	return (0);
}

int
acc_resp_hdr_put(struct req *req, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	if (s == NULL)
		return (resp_ed_put(req, (enum h1_hk)h->hint, h->name, h->len,
		    NULL, 0));
	return (resp_ed_put(req, (enum h1_hk)h->hint, h->name, h->len,
	    s->p != NULL ? s->p : "", s->len));
}

/* ---- resp.* and obj.* ---- */

static int
resp_reason(const struct req *req, union vcl_val *v)
{
	const struct resp_ed *e = req->resp_ed;
	const char *r;

	if (e != NULL && e->reason != NULL) {
		v->s = str_of(e->reason, e->reason_len);
		return (0);
	}
	if (e == NULL || e->status == 0) {
		if (req->step == R_DELIVER && req->bo != NULL &&
		    req->bo->resp.reason_len > 0) {
			v->s = str_of(req->bo->resp.reason,
			    req->bo->resp.reason_len);
			return (0);
		}
		if (req->step == R_SYNTH && req->synth_reason != NULL) {
			v->s = str_of(req->synth_reason, req->synth_reason_len);
			return (0);
		}
	}
	r = h1_reason((int)resp_ed_wire_status(e != NULL && e->status != 0 ?
	    e->status : resp_base_status(req)));
	v->s = str_of(r, strlen(r));
	return (0);
}

static int
obj_get(const struct req *req, enum vcl_var_id id, union vcl_val *v)
{
	const struct sto_obj *o = req->obj;
	double age;

	/* A pass, or a miss not stored, has no object: Varnish's values
	 * for its private one. */
	if (o == NULL) {
		if (id == VCL_V_OBJ_UNCACHEABLE)
			v->b = 1;
		else if (id == VCL_V_OBJ_HITS)
			v->i = 0;
		else
			v->r = 0;
		return (0);
	}
	age = rfc_age(o->o_date, o->o_age_recv, o->o_t_req, o->o_t_resp,
	    now_real());
	switch (id) {
	case VCL_V_OBJ_HITS:
		v->i = atomic_load_explicit(&((struct sto_obj *)(uintptr_t)o)->
		    o_hits, memory_order_relaxed);
		return (0);
	case VCL_V_OBJ_TTL: v->r = o->o_ttl - age; return (0);
	case VCL_V_OBJ_AGE: v->r = age; return (0);
	case VCL_V_OBJ_GRACE: v->r = o->o_grace; return (0);
	case VCL_V_OBJ_KEEP: v->r = o->o_keep; return (0);
	case VCL_V_OBJ_TIME: v->r = o->o_t_resp; return (0);
	case VCL_V_OBJ_STATUS: v->i = o->o_status; return (0);
	case VCL_V_OBJ_REASON: {
		const char *r = h1_reason((int)o->o_status);
		v->s = str_of(r, strlen(r));
		return (0);
	}
	case VCL_V_OBJ_PROTO: v->s = str_of("HTTP/1.1", 8); return (0);
	case VCL_V_OBJ_UNCACHEABLE:
		v->b = (sto_obj_flags(o) & (STO_F_HFM | STO_F_HFP)) != 0;
		return (0);
	case VCL_V_OBJ_CAN_ESI: v->b = 0; return (0);
	default: return (-1);
	}
}

int
acc_resp_get(struct req *req, enum vcl_var_id id, union vcl_val *v)
{
	const struct resp_ed *e = req->resp_ed;

	switch (id) {
	case VCL_V_RESP_STATUS:
		v->i = e != NULL && e->status != 0 ? e->status :
		    resp_base_status(req);
		return (0);
	case VCL_V_RESP_REASON:
		return (resp_reason(req, v));
	case VCL_V_RESP_PROTO:
		v->s = str_of("HTTP/1.1", 8);
		return (0);
	case VCL_V_RESP_IS_STREAMING:
		v->b = req->step == R_DELIVER ||
		    (req->obj != NULL && sto_obj_state(req->obj) !=
		    STO_OBJ_COMPLETE);
		return (0);
	case VCL_V_RESP_TIME:
		v->r = now_real();
		return (0);
	default:
		return (obj_get(req, id, v));
	}
}

int
acc_resp_set(struct req *req, enum vcl_var_id id, const union vcl_val *v)
{
	struct resp_ed *e;

	if ((e = resp_ed_of(req)) == NULL)
		return (-1);
	switch (id) {
	case VCL_V_RESP_STATUS:
		/* As in Varnish: 100 to 999, or above (sent modulo 1000);
		 * the reason becomes the new status's. */
		if (v->i < 100 || v->i > 65535 ||
		    resp_ed_wire_status((unsigned)v->i) < 100)
			return (-1);
		e->status = (unsigned)v->i;
		e->reason = NULL;
		e->reason_len = 0;
		return (0);
	case VCL_V_RESP_REASON:
		if (v->s.p == NULL || !hdrs_value_ok(v->s.p, v->s.len))
			return (-1);
		e->reason = v->s.p;
		e->reason_len = v->s.len;
		return (0);
	default:
		return (-1);
	}
}

int
acc_synthetic(struct vcl_ctx *c, const struct vcl_str *s)
{
	struct req *req = c->req;
	char *p;

	if (c->bo != NULL)
		return (acc_be_synthetic(c, s)); /* vcl_backend_error's */
	if (req == NULL || req->step != R_SYNTH)
		return (-1);
	if (s->p == NULL || s->len == 0)
		return (0);
	/* Appended: a copy of both pieces (bodies are small; the old copy
	 * stays in the workspace until the request ends). */
	if (s->len > UINT32_MAX - req->synth_len ||
	    (p = ws_alloc(&req->ws, req->synth_len + s->len)) == NULL)
		return (-1);
	if (req->synth_len > 0)
		memcpy(p, req->synth_body, req->synth_len);
	memcpy(p + req->synth_len, s->p, s->len);
	req->synth_body = p;
	req->synth_len += (uint32_t)s->len;
	return (0);
}
