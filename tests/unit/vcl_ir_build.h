/*
 * vcl_ir_build.h: for the interpreter's unit tests, programs built by hand
 * (a small IR builder) and a mock host (a fake request: variables, headers
 * per place, an arena of a few KiB, what hash_data/synthetic/log/ban got,
 * the health of each backend).
 */
#ifndef VCL_IR_BUILD_H
#define VCL_IR_BUILD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vcl/vcl_rt.h"

/* Not every test uses every helper. */
#define IRB_FN static __attribute__((unused))

/* --- the mock host ------------------------------------------------------ */

#define MOCK_NHDR 16
struct mock_hdr {
	enum vcl_where where;
	char name[32];
	struct vcl_str val;
};

struct vcl_ctx {
	union vcl_val vars[VCL_V__MAX];
	unsigned char vset[VCL_V__MAX];
	struct mock_hdr hdr[MOCK_NHDR];
	unsigned nhdr;
	_Alignas(16) char arena[4096];
	size_t used, limit;
	int fail_op;	/* the host operations return -1 */
	unsigned nvar_get; /* ho_var_get calls */
	char hashed[256];
	size_t nhashed;
	char synth[256];
	char logged[256];
	char banned[256];
	unsigned sick; /* bit i: backend i of the program is unhealthy */
	const struct vcl_backend *be0;
};

IRB_FN struct mock_hdr *
mock_hdr_find(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	unsigned i;

	for (i = 0; i < c->nhdr; i++)
		if (c->hdr[i].where == w && strlen(c->hdr[i].name) == h->len &&
		    strncasecmp(c->hdr[i].name, h->name, h->len) == 0)
			return (&c->hdr[i]);
	return (NULL);
}

IRB_FN int
mock_var_get(struct vcl_ctx *c, enum vcl_var_id v, union vcl_val *val)
{
	c->nvar_get++;
	if (c->fail_op)
		return (-1);
	*val = c->vars[v];
	return (0);
}

IRB_FN int
mock_var_set(struct vcl_ctx *c, enum vcl_var_id v, const union vcl_val *val)
{
	if (c->fail_op)
		return (-1);
	c->vars[v] = *val;
	c->vset[v] = 1;
	return (0);
}

IRB_FN int
mock_var_unset(struct vcl_ctx *c, enum vcl_var_id v)
{
	memset(&c->vars[v], 0, sizeof(c->vars[v]));
	c->vset[v] = 0;
	return (c->fail_op ? -1 : 0);
}

IRB_FN int
mock_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	struct mock_hdr *m = mock_hdr_find(c, w, h);

	if (c->fail_op)
		return (-1);
	s->p = m == NULL ? NULL : m->val.p;
	s->len = m == NULL ? 0 : m->val.len;
	return (0);
}

IRB_FN int
mock_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	struct mock_hdr *m = mock_hdr_find(c, w, h);

	if (c->fail_op)
		return (-1);
	if (m == NULL) {
		assert_true(c->nhdr < MOCK_NHDR);
		m = &c->hdr[c->nhdr++];
		m->where = w;
		snprintf(m->name, sizeof(m->name), "%.*s", (int)h->len,
		    h->name);
	}
	m->val = *s;
	return (0);
}

IRB_FN int
mock_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	struct mock_hdr *m = mock_hdr_find(c, w, h);

	if (c->fail_op)
		return (-1);
	if (m != NULL)
		*m = c->hdr[--c->nhdr];
	return (0);
}

IRB_FN void *
mock_alloc(struct vcl_ctx *c, size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c->used + n > c->limit)
		return (NULL);
	p = c->arena + c->used;
	c->used += n;
	return (p);
}

/* Appends s to buf (with a '|' after it). */
IRB_FN int
mock_append(char *buf, size_t size, const struct vcl_str *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%.*s|", (int)s->len,
	    s->p == NULL ? "(null)" : s->p);
	return (0);
}

IRB_FN int
mock_hash_data(struct vcl_ctx *c, const struct vcl_str *s)
{
	return (c->fail_op ? -1 : mock_append(c->hashed, sizeof(c->hashed), s));
}

IRB_FN int
mock_synthetic(struct vcl_ctx *c, const struct vcl_str *s)
{
	return (c->fail_op ? -1 : mock_append(c->synth, sizeof(c->synth), s));
}

IRB_FN int
mock_ban(struct vcl_ctx *c, const struct vcl_str *s)
{
	return (c->fail_op ? -1 : mock_append(c->banned, sizeof(c->banned), s));
}

IRB_FN void
mock_log(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)mock_append(c->logged, sizeof(c->logged), s);
}

IRB_FN int
mock_healthy(struct vcl_ctx *c, const struct vcl_backend *be)
{
	return (!((c->sick >> (be - c->be0)) & 1u));
}

static const struct vcl_host_ops mock_ops = {
	.ho_var_get = mock_var_get,
	.ho_var_set = mock_var_set,
	.ho_var_unset = mock_var_unset,
	.ho_hdr_get = mock_hdr_get,
	.ho_hdr_set = mock_hdr_set,
	.ho_hdr_unset = mock_hdr_unset,
	.ho_alloc = mock_alloc,
	.ho_hash_data = mock_hash_data,
	.ho_synthetic = mock_synthetic,
	.ho_ban = mock_ban,
	.ho_log = mock_log,
	.ho_healthy = mock_healthy,
};

/* --- the IR builder ----------------------------------------------------- */

struct irb {
	struct vcl_prog p;
	struct vcl_ir ir[2048];
	union vcl_val k[1024];
	struct vcl_hdr hdrs[256];
	struct vcl_backend be[8];
	struct vcl_object objs[8];
	struct vcl_re *re[8];
	struct vcl_acl *acls[4];
	struct vcl_ctx ctx;
	struct vcl_ret ret;
};

IRB_FN struct irb *
irb_new(void)
{
	static const char *const names[] = {"b0", "b1", "b2", "b3", "b4",
	    "b5", "b6", "b7"};
	struct irb *b = calloc(1, sizeof(*b));
	unsigned i;

	assert_non_null(b);
	b->p.magic = VCL_PROG_MAGIC;
	b->p.ops = &mock_ops;
	b->p.syntax = VCL_SYNTAX_41;
	b->p.ir = b->ir;
	b->p.nir = 1;
	b->p.k = b->k;
	b->p.hdrs = b->hdrs;
	b->p.re = b->re;
	b->p.acls = b->acls;
	b->p.backends = b->be;
	b->p.nbackends = 8;
	b->p.objs = b->objs;
	b->p.max_call_depth = 4;
	for (i = 0; i < 8; i++)
		b->be[i].name = names[i];
	b->ctx.limit = sizeof(b->ctx.arena);
	b->ctx.be0 = b->be;
	return (b);
}

IRB_FN void
irb_free(struct irb *b)
{
	unsigned i;

	for (i = 0; i < b->p.nobjs; i++)
		vcl_dir_free(&b->objs[i]);
	free(b);
}

IRB_FN vcl_ix
irb_node(struct irb *b, enum vcl_irop op, enum vcl_type t, uint32_t a,
    uint32_t bb, uint32_t c)
{
	struct vcl_ir *n;

	assert_true(b->p.nir < 2048);
	n = &b->ir[b->p.nir];
	n->op = (uint8_t)op;
	n->type = (uint8_t)t;
	n->a = a;
	n->b = bb;
	n->c = c;
	return (b->p.nir++);
}

/* Chains the nodes given (0-terminated) through next; the first. */
IRB_FN vcl_ix
irb_chain(struct irb *b, vcl_ix first, ...)
{
	va_list ap;
	vcl_ix prev = first, i;

	va_start(ap, first);
	while ((i = va_arg(ap, vcl_ix)) != 0) {
		b->ir[prev].next = i;
		prev = i;
	}
	va_end(ap);
	return (first);
}

IRB_FN vcl_ix
irb_k(struct irb *b, enum vcl_type t, union vcl_val v)
{
	assert_true(b->p.nk < 1024);
	b->k[b->p.nk] = v;
	return (irb_node(b, VCL_IR_E_CONST, t, b->p.nk++, 0, 0));
}

IRB_FN vcl_ix
irb_str(struct irb *b, const char *s)
{
	union vcl_val v = {.s = {s, s == NULL ? 0 : strlen(s)}};

	return (irb_k(b, VCL_T_STRING, v));
}

IRB_FN vcl_ix
irb_int(struct irb *b, enum vcl_type t, int64_t i)
{
	union vcl_val v = {.i = i};

	return (irb_k(b, t, v));
}

IRB_FN vcl_ix
irb_real(struct irb *b, enum vcl_type t, double r)
{
	union vcl_val v = {.r = r};

	return (irb_k(b, t, v));
}

IRB_FN vcl_ix
irb_bool(struct irb *b, int x)
{
	union vcl_val v = {.b = x};

	return (irb_k(b, VCL_T_BOOL, v));
}

/* A left-out optional argument. */
IRB_FN vcl_ix
irb_none(struct irb *b)
{
	return (irb_node(b, VCL_IR_E_CONST, VCL_T_VOID, 0, 0, 0));
}

IRB_FN uint32_t
irb_hname(struct irb *b, const char *name)
{
	assert_true(b->p.nhdrs < 256);
	b->hdrs[b->p.nhdrs].name = name;
	b->hdrs[b->p.nhdrs].len = (uint16_t)strlen(name);
	return (b->p.nhdrs++);
}

IRB_FN vcl_ix
irb_hdr(struct irb *b, enum vcl_where w, const char *name)
{
	return (irb_node(b, VCL_IR_E_HDR, VCL_T_STRING, w, irb_hname(b, name),
	    0));
}

IRB_FN vcl_ix
irb_var(struct irb *b, enum vcl_var_id v, enum vcl_type t)
{
	return (irb_node(b, VCL_IR_E_VAR, t, v, 0, 0));
}

IRB_FN vcl_ix
irb_ret(struct irb *b, enum vcl_action a, vcl_ix arg1, vcl_ix arg2)
{
	return (irb_node(b, VCL_IR_S_RETURN, VCL_T_VOID, a, arg1, arg2));
}

/* A function call with its arguments (already chained). */
IRB_FN vcl_ix
irb_func(struct irb *b, enum vcl_func_id f, enum vcl_type t, vcl_ix args)
{
	return (irb_node(b, VCL_IR_E_FUNC, t, f, args, 0));
}

/* Runs sub (whose body starts at first). */
IRB_FN enum vcl_action
irb_run(struct irb *b, enum vcl_sub sub, vcl_ix first)
{
	b->p.sub[sub] = first;
	return (vcl_run(&b->p, sub, &b->ctx, &b->ret));
}

/* A request header of the mock. */
IRB_FN void
mock_req_hdr(struct vcl_ctx *c, const char *name, const char *val)
{
	struct vcl_hdr h = {name, (uint16_t)strlen(name), 0};
	struct vcl_str s = {val, strlen(val)};

	assert_int_equal(mock_hdr_set(c, VCL_W_REQ, &h, &s), 0);
}

/* The value of an expression of type t, evaluated by a run of
 * `set req.http.X-Out = e` after converting e to STRING (when it is not
 * one): the text, NUL-terminated in the arena. NULL: the run failed. */
IRB_FN const char *
irb_eval_str(struct irb *b, vcl_ix e)
{
	vcl_ix s, r;
	struct vcl_hdr h = {"X-Out", 5, 0};
	struct mock_hdr *m;
	static char out[512];

	if (b->ir[e].type != VCL_T_STRING)
		e = irb_node(b, VCL_IR_E_CONV, VCL_T_STRING, e, 0,
		    b->ir[e].type);
	s = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-Out"), e);
	r = irb_ret(b, VCL_A_HASH, 0, 0);
	irb_chain(b, s, r, 0);
	if (irb_run(b, VCL_SUB_RECV, s) != VCL_A_HASH)
		return (NULL);
	m = mock_hdr_find(&b->ctx, VCL_W_REQ, &h);
	assert_non_null(m);
	snprintf(out, sizeof(out), "%.*s", (int)m->val.len, m->val.p);
	return (out);
}

/* The BOOL value of e (-1: the run failed). */
IRB_FN int
irb_eval_bool(struct irb *b, vcl_ix e)
{
	vcl_ix r = irb_ret(b, VCL_A_PASS, 0, 0), h = irb_ret(b, VCL_A_HASH, 0,
	    0);
	vcl_ix s = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, e, r, h);
	enum vcl_action a = irb_run(b, VCL_SUB_RECV, s);

	return (a == VCL_A_PASS ? 1 : a == VCL_A_HASH ? 0 : -1);
}

#endif
