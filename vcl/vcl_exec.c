/*
 * vcl_exec.c: the interpreter. vcl_run() walks one subroutine's statement
 * chain of the IR (vcl_ir.h) and evaluates expressions by recursion on the
 * nodes, touching the request only through the host's operations.
 *
 * Cost: this runs on every hit. One switch per node, no lookups by name,
 * constant strings compared length first, nothing allocated but the
 * strings an expression makes (from the host's arena).
 *
 * Semantics taken from Varnish 7:
 *   - a string that is not set compares as "" (VRT_CompareStrands): an
 *     absent header == "" is true; it matches a regex as "" too;
 *   - in a concatenation, a string that is not set adds nothing;
 *   - setting a header to a string that is not set sets it to "";
 *   - a return in a called subroutine ends the whole run;
 *   - INT or REAL division by zero fails the run.
 */
#include <math.h>
#include <string.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_rt.h"

/* A fixed bound on nested calls beside the program's own. */
#define VX_MAX_DEPTH 64

struct vx {
	struct vcl_rt rt;
	struct vcl_ret *ret;
	const struct vcl_ir *ir;
	unsigned depth; /* bounded at S_CALL by vx_maxdepth() */
	int meth;	/* req.method's bit in E_METHOD_IN sets, -1: not read
			   yet in this run (or written since) */
};

static int vx_eval(struct vx *x, vcl_ix i, union vcl_val *v);
static inline int vx_cond(struct vx *x, vcl_ix i)
    __attribute__((always_inline));
static int vx_bool(struct vx *x, vcl_ix i);

int
vcl_rt_fail(struct vcl_rt *rt, const char *why)
{
	if (rt->err == NULL)
		rt->err = why;
	return (-1);
}

void *
vcl_rt_alloc(struct vcl_rt *rt, size_t n)
{
	void *m = rt->ops->ho_alloc(rt->ctx, n == 0 ? 1 : n);

	if (m == NULL)
		(void)vcl_rt_fail(rt, "out of workspace");
	return (m);
}

/* A host operation's result: -1 fails the run. */
static int
vx_host(struct vx *x, int r, const char *why)
{
	return (r < 0 ? vcl_rt_fail(&x->rt, why) : 0);
}

/*
 * The same, naming what could not be written: "cannot set req.url",
 * "cannot unset req.http.Content-Length" (made in the arena, on this
 * failure only; the bare why when it is full).
 */
static __attribute__((noinline)) int
vx_host_failed(struct vx *x, const char *why, const char *where,
    const char *name, size_t len)
{
	size_t n = strlen(why) + strlen(where) + len + 8;
	char *m = x->rt.err == NULL ? x->rt.ops->ho_alloc(x->rt.ctx, n) : NULL;

	if (m == NULL)
		return (vcl_rt_fail(&x->rt, why));
	(void)snprintf(m, n, "%s %s%.*s", why, where, (int)len, name);
	return (vcl_rt_fail(&x->rt, m));
}

static const char *const vx_where[] = {
	"req.http.", "bereq.http.", "beresp.http.", "obj.http.", "resp.http.",
};

static int
vx_host_hdr(struct vx *x, int r, const char *why, unsigned where,
    const struct vcl_hdr *h)
{
	if (__builtin_expect(r >= 0, 1))
		return (0);
	return (vx_host_failed(x, why, where < 5 ? vx_where[where] : "",
	    h->name, h->len));
}

static int
vx_host_var(struct vx *x, int r, const char *why, unsigned id)
{
	const struct vcl_var *v;

	if (__builtin_expect(r >= 0, 1))
		return (0);
	v = vcl_var_get((enum vcl_var_id)id);
	return (vx_host_failed(x, why, "", v != NULL ? v->vv_name : "?",
	    v != NULL ? strlen(v->vv_name) : 1));
}

static int
vx_is_int(enum vcl_type t)
{
	return (t == VCL_T_INT || t == VCL_T_BYTES);
}

/* A numeric operand as a double. */
static double
vx_num(const struct vcl_ir *n, const union vcl_val *v)
{
	return (vx_is_int(n->type) ? (double)v->i : v->r);
}

/*
 * Whether a and b, both n bytes long, are equal: the short ones of the
 * hot comparisons (a method, a header's "1") without a call and without
 * a loop, as two overlapping words of each (the head and the tail).
 */
static inline int
vx_memeq(const char *a, const char *b, size_t n)
{
	uint64_t a0, a1, b0, b1;
	uint32_t c0, c1, d0, d1;
	uint16_t e0, e1, f0, f1;

	if (n > 16)
		return (memcmp(a, b, n) == 0);
	if (n >= 8) {
		memcpy(&a0, a, 8);
		memcpy(&b0, b, 8);
		memcpy(&a1, a + n - 8, 8);
		memcpy(&b1, b + n - 8, 8);
		return (((a0 ^ b0) | (a1 ^ b1)) == 0);
	}
	if (n >= 4) {
		memcpy(&c0, a, 4);
		memcpy(&d0, b, 4);
		memcpy(&c1, a + n - 4, 4);
		memcpy(&d1, b + n - 4, 4);
		return (((c0 ^ d0) | (c1 ^ d1)) == 0);
	}
	if (n >= 2) {
		memcpy(&e0, a, 2);
		memcpy(&f0, b, 2);
		memcpy(&e1, a + n - 2, 2);
		memcpy(&f1, b + n - 2, 2);
		return (((e0 ^ f0) | (e1 ^ f1)) == 0);
	}
	return (n == 0 || a[0] == b[0]);
}

/* Strings compare as Varnish's strands: not set is "". */
static int
vx_str_cmp(const struct vcl_str *a, const struct vcl_str *b)
{
	size_t m = a->len < b->len ? a->len : b->len;
	int r = m == 0 ? 0 : memcmp(a->p, b->p, m);

	if (r != 0)
		return (r);
	return (a->len < b->len ? -1 : a->len > b->len);
}

static int
vx_ip_cmp(const struct vcl_ip *a, const struct vcl_ip *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	if (a->family != b->family)
		return (1);
	return (memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) != 0);
}

/* E_CMP: c is the operator (VCL_RT_OP_EQ..GE), the operands' type theirs. */
static int
vx_cmp(struct vx *x, const struct vcl_ir *n, union vcl_val *v)
{
	const struct vcl_ir *na = &x->ir[n->a];
	union vcl_val a, b;
	int r;

	if (vx_eval(x, n->a, &a) || vx_eval(x, n->b, &b))
		return (-1);
	switch (na->type) {
	case VCL_T_STRING:
		/* length first: most comparisons with a constant end here */
		if (a.s.len != b.s.len && (n->c == VCL_RT_OP_EQ ||
		    n->c == VCL_RT_OP_NE))
			r = 1;
		else
			r = vx_str_cmp(&a.s, &b.s);
		break;
	case VCL_T_INT:
	case VCL_T_BYTES:
		r = (a.i > b.i) - (a.i < b.i);
		break;
	case VCL_T_REAL:
	case VCL_T_DURATION:
	case VCL_T_TIME:
		r = (a.r > b.r) - (a.r < b.r);
		break;
	case VCL_T_BOOL:
		r = !a.b != !b.b;
		break;
	case VCL_T_IP:
		r = vx_ip_cmp(a.ip, b.ip);
		break;
	case VCL_T_BACKEND:
		r = a.be != b.be;
		break;
	default:
		return (vcl_rt_fail(&x->rt, "comparison of this type"));
	}
	switch (n->c) {
	case VCL_RT_OP_EQ: v->b = r == 0; break;
	case VCL_RT_OP_NE: v->b = r != 0; break;
	case VCL_RT_OP_LT: v->b = r < 0; break;
	case VCL_RT_OP_GT: v->b = r > 0; break;
	case VCL_RT_OP_LE: v->b = r <= 0; break;
	case VCL_RT_OP_GE: v->b = r >= 0; break;
	default: VCL_WRONG("E_CMP operator");
	}
	return (0);
}

/* E_ARITH: integers stay integers (wrapping, never UB); anything with a
 * REAL, DURATION or TIME is computed in doubles. */
static int
vx_arith(struct vx *x, const struct vcl_ir *n, union vcl_val *v)
{
	const struct vcl_ir *na = &x->ir[n->a], *nb = &x->ir[n->b];
	union vcl_val a, b;
	double ra, rb;

	if (vx_eval(x, n->a, &a) || vx_eval(x, n->b, &b))
		return (-1);
	if (vx_is_int(na->type) && vx_is_int(nb->type) &&
	    vx_is_int(n->type)) {
		uint64_t ua = (uint64_t)a.i, ub = (uint64_t)b.i;

		switch (n->c) {
		case VCL_RT_OP_ADD: v->i = (int64_t)(ua + ub); return (0);
		case VCL_RT_OP_SUB: v->i = (int64_t)(ua - ub); return (0);
		case VCL_RT_OP_MUL: v->i = (int64_t)(ua * ub); return (0);
		case VCL_RT_OP_DIV:
			if (b.i == 0)
				return (vcl_rt_fail(&x->rt,
				    "INT division by zero"));
			if (a.i == INT64_MIN && b.i == -1)
				v->i = INT64_MIN;
			else
				v->i = a.i / b.i;
			return (0);
		default: VCL_WRONG("E_ARITH operator");
		}
	}
	ra = vx_num(na, &a);
	rb = vx_num(nb, &b);
	switch (n->c) {
	case VCL_RT_OP_ADD: ra += rb; break;
	case VCL_RT_OP_SUB: ra -= rb; break;
	case VCL_RT_OP_MUL: ra *= rb; break;
	case VCL_RT_OP_DIV:
		if (rb == 0.0)
			return (vcl_rt_fail(&x->rt, "REAL division by zero"));
		ra /= rb;
		break;
	default: VCL_WRONG("E_ARITH operator");
	}
	if (!isfinite(ra))
		return (vcl_rt_fail(&x->rt, "arithmetic out of range"));
	if (!vx_is_int(n->type)) {
		v->r = ra;
		return (0);
	}
	if (!(ra > -9.2e18 && ra < 9.2e18))
		return (vcl_rt_fail(&x->rt, "arithmetic out of range"));
	v->i = (int64_t)ra;
	return (0);
}

/* E_CONCAT: one allocation for the whole; items not set add nothing. A
 * concatenation whose items are all unset is "" (set), as in Varnish. */
static int
vx_concat(struct vx *x, const struct vcl_ir *n, union vcl_val *v)
{
	struct vcl_str part[16], *pp = part;
	size_t len = 0, cnt = 0, k;
	vcl_ix i;
	char *m;

	for (i = n->a; i != 0; i = x->ir[i].next)
		cnt++;
	if (cnt > sizeof(part) / sizeof(part[0])) {
		pp = vcl_rt_alloc(&x->rt, cnt * sizeof(*pp));
		if (pp == NULL)
			return (-1);
	}
	for (i = n->a, k = 0; i != 0; i = x->ir[i].next, k++) {
		union vcl_val iv;

		if (vx_eval(x, i, &iv))
			return (-1);
		pp[k] = iv.s;
		if (iv.s.p != NULL)
			len += iv.s.len;
	}
	m = vcl_rt_alloc(&x->rt, len + 1);
	if (m == NULL)
		return (-1);
	v->s.p = m;
	v->s.len = len;
	for (k = 0; k < cnt; k++) {
		if (pp[k].p != NULL && pp[k].len != 0) {
			memcpy(m, pp[k].p, pp[k].len);
			m += pp[k].len;
		}
	}
	*m = '\0';
	return (0);
}

/* The arguments of a call, chained from first. */
static int
vx_args(struct vx *x, vcl_ix first, struct vcl_args *a)
{
	vcl_ix i;

	a->n = 0;
	a->given = 0;
	for (i = first; i != 0; i = x->ir[i].next) {
		const struct vcl_ir *n = &x->ir[i];

		if (a->n == VCL_MAXARGS)
			return (vcl_rt_fail(&x->rt, "too many arguments"));
		if (n->type != VCL_T_VOID && n->type != VCL_T_HEADER &&
		    n->type != VCL_T_REGEX) {
			if (vx_eval(x, i, &a->v[a->n]))
				return (-1);
			a->given |= 1u << a->n;
		}
		a->n++;
	}
	return (0);
}

/* regsub(s, re, sub) / regsuball: the regex is the node's c; the REGEX
 * argument, if the checker keeps it in the chain, is skipped. */
static int
vx_regsub(struct vx *x, const struct vcl_ir *n, const struct vcl_args *a,
    union vcl_val *v)
{
	struct vcl_str s = a->v[0].s, sub = a->v[a->n - 1].s;

	VCL_ASSERT(n->c < x->rt.p->nre);
	if (s.p == NULL)
		s.p = "";
	if (sub.p == NULL) {
		sub.p = "";
		sub.len = 0;
	}
	if (vcl_re_sub(x->rt.p->re[n->c], s, sub, n->a == VCL_F_REGSUBALL,
	    x->rt.ops->ho_alloc, x->rt.ctx, &v->s) < 0)
		return (vcl_rt_fail(&x->rt, "regsub failed"));
	return (0);
}

static int
vx_func(struct vx *x, const struct vcl_ir *n, union vcl_val *v)
{
	struct vcl_args a;

	if (vx_args(x, n->b, &a))
		return (-1);
	if (n->op == VCL_IR_E_METHOD) {
		VCL_ASSERT(n->c < x->rt.p->nobjs);
		return (vcl_dir_call(&x->rt, &x->rt.p->objs[n->c], n->a, &a,
		    v));
	}
	if (n->a == VCL_F_REGSUB || n->a == VCL_F_REGSUBALL)
		return (vx_regsub(x, n, &a, v));
	return (vcl_std_call(&x->rt, n->a, &a, v));
}

static int
vx_eval(struct vx *x, vcl_ix i, union vcl_val *v)
{
	const struct vcl_ir *n = &x->ir[i];
	const struct vcl_prog *p = x->rt.p;
	union vcl_val a;
	int r;

	VCL_ASSERT(i != 0 && i < p->nir);
	switch (n->op) {
	case VCL_IR_E_CONST:
		*v = p->k[n->a];
		return (0);
	case VCL_IR_E_VAR:
		return (vx_host(x, x->rt.ops->ho_var_get(x->rt.ctx, n->a, v),
		    "cannot read variable"));
	case VCL_IR_E_HDR:
		return (vx_host(x, x->rt.ops->ho_hdr_get(x->rt.ctx, n->a,
		    &p->hdrs[n->b], &v->s), "cannot read header"));
	case VCL_IR_E_BACKEND:
		v->be = &p->backends[n->a];
		return (0);
	case VCL_IR_E_OBJ:
		v->be = vcl_dir_pick(&x->rt, &p->objs[n->a]);
		return (x->rt.err != NULL ? -1 : 0);
	case VCL_IR_E_NOT:
		if (vx_eval(x, n->a, &a))
			return (-1);
		v->b = !a.b;
		return (0);
	case VCL_IR_E_NEG:
		if (vx_eval(x, n->a, &a))
			return (-1);
		if (vx_is_int(n->type))
			v->i = (int64_t)(0 - (uint64_t)a.i);
		else
			v->r = -a.r;
		return (0);
	case VCL_IR_E_AND:
	case VCL_IR_E_OR:
		if (vx_eval(x, n->a, &a))
			return (-1);
		if ((a.b != 0) == (n->op == VCL_IR_E_OR)) {
			v->b = a.b != 0;
			return (0);
		}
		if (vx_eval(x, n->b, &a))
			return (-1);
		v->b = a.b != 0;
		return (0);
	case VCL_IR_E_CMP:
		return (vx_cmp(x, n, v));
	case VCL_IR_E_MATCH:
		if (vx_eval(x, n->a, &a))
			return (-1);
		VCL_ASSERT(n->b < p->nre);
		r = vcl_re_match(p->re[n->b], a.s.p == NULL ? "" : a.s.p,
		    a.s.p == NULL ? 0 : a.s.len);
		if (r < 0)
			return (vcl_rt_fail(&x->rt, "regex match failed"));
		v->b = r != (int)n->c;
		return (0);
	case VCL_IR_E_ACL:
		if (vx_eval(x, n->a, &a))
			return (-1);
		VCL_ASSERT(n->b < p->nacls);
		r = a.ip != NULL && vcl_acl_match(p->acls[n->b], a.ip);
		v->b = r != (int)n->c;
		return (0);
	case VCL_IR_E_ARITH:
		return (vx_arith(x, n, v));
	case VCL_IR_E_CONCAT:
		return (vx_concat(x, n, v));
	case VCL_IR_E_CONV:
		if (vx_eval(x, n->a, &a))
			return (-1);
		return (vcl_conv(&x->rt, n->type, x->ir[n->a].type, &a, v));
	case VCL_IR_E_DEFINED: /* a STRING or a BACKEND */
		if (vx_eval(x, n->a, &a))
			return (-1);
		v->b = x->ir[n->a].type == VCL_T_BACKEND ? a.be != NULL :
		    a.s.p != NULL;
		return (0);
	case VCL_IR_E_FUNC:
	case VCL_IR_E_METHOD:
		return (vx_func(x, n, v));
	case VCL_IR_E_VAR_EQ_K:
	case VCL_IR_E_HDR_EQ_K:
	case VCL_IR_E_HDR_DEFINED:
	case VCL_IR_E_METHOD_IN:
		r = vx_cond(x, i);
		if (r < 0)
			return (-1);
		v->b = r;
		return (0);
	default:
		VCL_WRONG("not an expression");
	}
}

/*
 * The hot shapes of the built-in VCL, evaluated without the generic
 * dispatch or a union copied by value: a STRING variable or header read
 * straight from the host, and conditions computed as an int.
 */

/* A STRING expression's value into *s: 0, or -1 with the run failed. */
static inline int
vx_sval(struct vx *x, vcl_ix i, struct vcl_str *s)
{
	const struct vcl_ir *n = &x->ir[i];
	union vcl_val v;

	if (n->op == VCL_IR_E_HDR) {
		VCL_ASSERT(n->b < x->rt.p->nhdrs);
		return (vx_host(x, x->rt.ops->ho_hdr_get(x->rt.ctx, n->a,
		    &x->rt.p->hdrs[n->b], s), "cannot read header"));
	}
	if (n->op == VCL_IR_E_VAR) {
		if (vx_host(x, x->rt.ops->ho_var_get(x->rt.ctx, n->a, &v),
		    "cannot read variable"))
			return (-1);
	} else if (vx_eval(x, i, &v))
		return (-1);
	*s = v.s;
	return (0);
}

int
vcl_meth_add(struct vcl_prog *p, const struct vcl_str *k)
{
	unsigned i;

	for (i = 0; i < p->nmeth; i++)
		if (p->meth[i].len == k->len && (k->len == 0 ||
		    memcmp(p->meth[i].p, k->p, k->len) == 0))
			return ((int)i);
	if (p->nmeth == VCL_METH_MAX)
		return (-1);
	p->meth[p->nmeth] = *k;
	if (k->len < VCL_METH_SHORT)
		p->meth_len[k->len] |= 1u << p->nmeth;
	return ((int)p->nmeth++);
}

/* The lowest bit set in m (not 0). */
static inline unsigned
vx_lowbit(uint32_t m)
{
#if defined(__GNUC__)
	return ((unsigned)__builtin_ctz(m));
#else
	unsigned i = 0;

	while (!(m & 1u)) {
		m >>= 1;
		i++;
	}
	return (i);
#endif
}

/*
 * req.method's bit (vcl_ir.h, E_METHOD_IN): read from the host once per
 * run and looked up among the program's method constants of its length;
 * 0 for a value that is none of them. -1 with the run failed.
 */
static int
vx_meth(struct vx *x)
{
	const struct vcl_prog *p = x->rt.p;
	union vcl_val v;
	uint32_t m;
	unsigned i;

	if (vx_host(x, x->rt.ops->ho_var_get(x->rt.ctx, VCL_V_REQ_METHOD, &v),
	    "cannot read variable"))
		return (-1);
	if (v.s.p == NULL)
		v.s.len = 0; /* not set compares as "" */
	x->meth = 0;
	if (v.s.len < VCL_METH_SHORT) {
		for (m = p->meth_len[v.s.len]; m != 0; m &= m - 1) {
			i = vx_lowbit(m);
			if (vx_memeq(p->meth[i].p, v.s.p, v.s.len)) {
				x->meth = (int)i + 1;
				break;
			}
		}
		return (x->meth);
	}
	for (i = 0; i < p->nmeth; i++) {
		if (p->meth[i].len == v.s.len &&
		    vx_memeq(p->meth[i].p, v.s.p, v.s.len)) {
			x->meth = (int)i + 1;
			break;
		}
	}
	return (x->meth);
}

/* Whether req.method is in set (E_METHOD_IN, S_IF_METHOD): 1 or 0, or
 * -1 with the run failed. */
static inline int
vx_methods(struct vx *x, uint32_t set)
{
	if (x->meth < 0 && vx_meth(x) < 0)
		return (-1);
	return ((int)((set >> x->meth) & 1u));
}

/*
 * A BOOL expression: 1 or 0, or -1 with the run failed. Inlined where a
 * condition is tested, so that the checker's leaves (E_VAR_EQ_K,
 * E_HDR_EQ_K, E_HDR_DEFINED, E_METHOD_IN: every condition of the
 * built-in VCL) cost no call; the rest is vx_bool's.
 */
static inline __attribute__((always_inline)) int
vx_leaf(struct vx *x, vcl_ix i)
{
	const struct vcl_ir *n = &x->ir[i];
	const struct vcl_prog *p = x->rt.p;
	const struct vcl_str *ks;
	struct vcl_str s;
	union vcl_val v;

	VCL_ASSERT(i != 0 && i < p->nir);
	switch (n->op) {
	case VCL_IR_E_VAR_EQ_K:
		VCL_ASSERT(n->b < p->nk);
		if (vx_host(x, x->rt.ops->ho_var_get(x->rt.ctx, n->a, &v),
		    "cannot read variable"))
			return (-1);
		ks = &p->k[n->b].s;
		return ((v.s.len == ks->len && vx_memeq(v.s.p, ks->p,
		    ks->len)) != n->flags);
	case VCL_IR_E_HDR_EQ_K:
		VCL_ASSERT(n->b < p->nhdrs && n->c < p->nk);
		if (vx_host(x, x->rt.ops->ho_hdr_get(x->rt.ctx, n->a,
		    &p->hdrs[n->b], &s), "cannot read header"))
			return (-1);
		ks = &p->k[n->c].s;
		return ((s.len == ks->len && vx_memeq(s.p, ks->p, ks->len)) !=
		    n->flags);
	case VCL_IR_E_HDR_DEFINED:
		VCL_ASSERT(n->b < p->nhdrs);
		if (vx_host(x, x->rt.ops->ho_hdr_get(x->rt.ctx, n->a,
		    &p->hdrs[n->b], &s), "cannot read header"))
			return (-1);
		return (s.p != NULL);
	case VCL_IR_E_METHOD_IN:
		return (vx_methods(x, n->a));
	default:
		return (vx_bool(x, i));
	}
}

/* A condition: a leaf, or && / || of two (the built-in's Content-Length
 * || Transfer-Encoding) without a call either; the rest is vx_bool's. */
static inline int
vx_cond(struct vx *x, vcl_ix i)
{
	const struct vcl_ir *n = &x->ir[i];
	int r;

	VCL_ASSERT(i < x->rt.p->nir);
	if (n->op != VCL_IR_E_OR && n->op != VCL_IR_E_AND)
		return (vx_leaf(x, i));
	r = vx_leaf(x, n->a);
	if (r < 0 || r == (n->op == VCL_IR_E_OR))
		return (r);
	return (vx_leaf(x, n->b));
}

/* The other BOOL expressions: &&, || and ! over conditions, or any. */
static int
vx_bool(struct vx *x, vcl_ix i)
{
	const struct vcl_ir *n = &x->ir[i];
	union vcl_val v;
	int r;

	switch (n->op) {
	case VCL_IR_E_CMP:
		/* a STRING (not a variable or header: those are E_VAR_EQ_K
		 * and E_HDR_EQ_K) == or != a constant: no operand copied */
		if (x->ir[n->a].type == VCL_T_STRING && (n->c ==
		    VCL_RT_OP_EQ || n->c == VCL_RT_OP_NE) &&
		    x->ir[n->b].op == VCL_IR_E_CONST) {
			const struct vcl_str *k =
			    &x->rt.p->k[x->ir[n->b].a].s;
			struct vcl_str s;

			if (vx_sval(x, n->a, &s))
				return (-1);
			r = s.len == k->len && (s.len == 0 ||
			    memcmp(s.p, k->p, s.len) == 0);
			return (r == (n->c == VCL_RT_OP_EQ));
		}
		break;
	case VCL_IR_E_DEFINED:
		if (x->ir[n->a].type == VCL_T_STRING) {
			struct vcl_str s;

			if (vx_sval(x, n->a, &s))
				return (-1);
			return (s.p != NULL);
		}
		break;
	case VCL_IR_E_MATCH: {
		/* a typical VCL's every test (req.url ~ "..."): the
		 * subject straight from the host */
		const struct vcl_prog *p = x->rt.p;
		struct vcl_str s;

		if (vx_sval(x, n->a, &s))
			return (-1);
		VCL_ASSERT(n->b < p->nre);
		r = vcl_re_match(p->re[n->b], s.p == NULL ? "" : s.p,
		    s.p == NULL ? 0 : s.len);
		if (r < 0)
			return (vcl_rt_fail(&x->rt, "regex match failed"));
		return (r != (int)n->c);
	}
	case VCL_IR_E_AND:
	case VCL_IR_E_OR:
		r = vx_cond(x, n->a);
		if (r < 0 || r == (n->op == VCL_IR_E_OR))
			return (r);
		return (vx_cond(x, n->b));
	case VCL_IR_E_NOT:
		r = vx_cond(x, n->a);
		return (r < 0 ? r : !r);
	default:
		break;
	}
	if (vx_eval(x, i, &v))
		return (-1);
	return (v.b != 0);
}

/* A string argument of a statement: not set is "". */
static int
vx_str(struct vx *x, vcl_ix i, struct vcl_str *s)
{
	union vcl_val v;

	if (vx_eval(x, i, &v))
		return (-1);
	*s = v.s;
	if (s->p == NULL) {
		s->p = "";
		s->len = 0;
	}
	return (0);
}

/* S_RETURN: the action and its arguments. */
static int
vx_return(struct vx *x, const struct vcl_ir *n)
{
	struct vcl_ret *ret = x->ret;
	union vcl_val v;

	if (n->a == VCL_A__MAX)
		return (2); /* a plain return; back to the caller */
	ret->action = n->a;
	switch (vcl_action_arg(n->a)) {
	case VCL_AA_STATUS:
		if (n->b != 0) {
			if (vx_eval(x, n->b, &v))
				return (-1);
			if (v.i < 0 || v.i > 65535)
				return (vcl_rt_fail(&x->rt,
				    "status out of range"));
			ret->status = (unsigned)v.i;
		}
		if (n->c != 0 && vx_eval(x, n->c, &v) == 0)
			ret->reason = v.s;
		break;
	case VCL_AA_REASON:
		if (n->b != 0 && vx_eval(x, n->b, &v) == 0)
			ret->reason = v.s;
		break;
	case VCL_AA_DURATION:
		if (n->b != 0 && vx_eval(x, n->b, &v) == 0)
			ret->duration = v.r;
		break;
	default:
		break;
	}
	return (x->rt.err != NULL ? -1 : 1);
}

/* The bound on nested calls: the program's deepest chain plus one, at
 * most VX_MAX_DEPTH (computed at a call, not at every run). */
static unsigned
vx_maxdepth(const struct vcl_prog *p)
{
	return (p->max_call_depth < VX_MAX_DEPTH ? p->max_call_depth + 1 :
	    VX_MAX_DEPTH);
}

static int vx_body(struct vx *x, vcl_ix i);

/*
 * The statements vx_body() does not run itself (they are rarer on a hit,
 * and out of line they keep vx_body's frame small): 0, or as vx_body.
 */
static __attribute__((noinline)) int
vx_stmt(struct vx *x, const struct vcl_ir *n)
{
	const struct vcl_prog *p = x->rt.p;
	const struct vcl_host_ops *o = x->rt.ops;
	struct vcl_ctx *ctx = x->rt.ctx;
	union vcl_val v;
	struct vcl_str s;
	int r;

	switch (n->op) {
	case VCL_IR_S_SET_VAR:
		if (vx_eval(x, n->b, &v))
			return (-1);
		if (n->a == VCL_V_REQ_METHOD)
			x->meth = -1; /* E_METHOD_IN reads it again */
		return (vx_host_var(x, o->ho_var_set(ctx, n->a, &v),
		    "cannot set", n->a));
	case VCL_IR_S_UNSET_VAR:
		if (n->a == VCL_V_REQ_METHOD)
			x->meth = -1;
		return (vx_host_var(x, o->ho_var_unset(ctx, n->a),
		    "cannot unset", n->a));
	case VCL_IR_S_SET_HDR:
		if (vx_str(x, n->c, &s))
			return (-1);
		return (vx_host_hdr(x, o->ho_hdr_set(ctx, n->a, &p->hdrs[n->b],
		    &s), "cannot set", n->a, &p->hdrs[n->b]));
	case VCL_IR_S_RETURN:
		return (vx_return(x, n));
	case VCL_IR_S_CALL:
		if (++x->depth > vx_maxdepth(p))
			return (vcl_rt_fail(&x->rt, "subroutine calls too deep"));
		r = vx_body(x, n->a);
		x->depth--;
		return (r == 1 || r < 0 ? r : 0);
	case VCL_IR_S_SYNTHETIC:
		if (vx_str(x, n->a, &s))
			return (-1);
		return (vx_host(x, o->ho_synthetic(ctx, &s),
		    "synthetic failed"));
	case VCL_IR_S_BAN:
		if (vx_str(x, n->a, &s))
			return (-1);
		return (vx_host(x, o->ho_ban(ctx, &s), "ban failed"));
	case VCL_IR_S_EXPR:
		return (vx_eval(x, n->a, &v));
	case VCL_IR_S_NEW: {
		struct vcl_args a;

		if (x->rt.sub != VCL_SUB_INIT)
			return (vcl_rt_fail(&x->rt, "new outside vcl_init"));
		VCL_ASSERT(n->a < p->nobjs);
		if (vx_args(x, x->ir[n->b].b, &a) ||
		    vcl_dir_new(&x->rt, &p->objs[n->a], &a))
			return (-1);
		return (0);
	}
	default:
		VCL_WRONG("not a statement");
	}
}

/*
 * Runs the statements chained from i: 0 when the chain ends, 1 after a
 * return (x->ret set), 2 after a plain `return;` (S_RETURN with a ==
 * VCL_A__MAX: the checker's, back to the caller), -1 on a failure
 * (x->rt.err set). The statements of a hit (if, return without
 * arguments, hash_data, unset of a header) are run here; vx_stmt() runs
 * the others.
 */
static int
vx_body(struct vx *x, vcl_ix i)
{
	const struct vcl_ir *ir = x->ir;
	const uint32_t nir = x->rt.p->nir;
	struct vcl_str s;
	int r;

	while (i != 0) {
		const struct vcl_ir *n = &ir[i];

		VCL_ASSERT(i < nir);
		if (n->op == VCL_IR_S_IF || n->op == VCL_IR_S_IF_METHOD) {
			/* the most frequent, first */
			r = n->op == VCL_IR_S_IF ? vx_cond(x, n->a) :
			    vx_methods(x, n->a);
			if (r < 0)
				return (-1);
			i = r ? n->b : n->c;
			if (i != 0 && (r = vx_body(x, i)) != 0)
				return (r);
			i = n->next;
			continue;
		}
		switch (n->op) {
		case VCL_IR_S_RETURN:
			if (n->b != 0 || n->c != 0 || n->a == VCL_A__MAX)
				return (vx_stmt(x, n));
			x->ret->action = n->a;
			return (1);
		case VCL_IR_S_HASH_DATA:
			if (vx_sval(x, n->a, &s) ||
			    vx_host(x, x->rt.ops->ho_hash_data(x->rt.ctx, &s),
			    "hash_data failed"))
				return (-1);
			break;
		case VCL_IR_S_UNSET_HDR:
			VCL_ASSERT(n->b < x->rt.p->nhdrs);
			if (vx_host_hdr(x, x->rt.ops->ho_hdr_unset(x->rt.ctx, n->a,
			    &x->rt.p->hdrs[n->b]), "cannot unset", n->a,
			    &x->rt.p->hdrs[n->b]))
				return (-1);
			break;
		default:
			if ((r = vx_stmt(x, n)) != 0)
				return (r);
			break;
		}
		i = n->next;
	}
	return (0);
}

/* What a subroutine that ends without return does (the built-in VCL
 * always returns; only a program loaded without it falls off). */
static enum vcl_action
vx_natural(enum vcl_sub sub, unsigned *status)
{
	static const enum vcl_action nat[VCL_SUB__MAX] = {
		[VCL_SUB_RECV] = VCL_A_HASH,
		[VCL_SUB_PIPE] = VCL_A_PIPE,
		[VCL_SUB_PASS] = VCL_A_FETCH,
		[VCL_SUB_HASH] = VCL_A_LOOKUP,
		[VCL_SUB_PURGE] = VCL_A_SYNTH,
		[VCL_SUB_HIT] = VCL_A_DELIVER,
		[VCL_SUB_MISS] = VCL_A_FETCH,
		[VCL_SUB_DELIVER] = VCL_A_DELIVER,
		[VCL_SUB_SYNTH] = VCL_A_DELIVER,
		[VCL_SUB_BACKEND_FETCH] = VCL_A_FETCH,
		[VCL_SUB_BACKEND_RESPONSE] = VCL_A_DELIVER,
		[VCL_SUB_BACKEND_ERROR] = VCL_A_DELIVER,
		[VCL_SUB_INIT] = VCL_A_OK,
		[VCL_SUB_FINI] = VCL_A_OK,
	};

	if (sub == VCL_SUB_PURGE)
		*status = 200;
	return (nat[sub]);
}

/* A run of the interpreter (vcl_run's slow path, out of line so that a
 * quick subroutine saves no registers). */
static __attribute__((noinline)) enum vcl_action
vx_run(const struct vcl_prog *p, enum vcl_sub sub, struct vcl_ctx *ctx,
    struct vcl_ret *ret)
{
	struct vx x;
	int r;

	x.rt.p = p;
	x.rt.ops = p->ops;
	x.rt.ctx = ctx;
	x.rt.sub = sub;
	x.rt.err = NULL;
	x.ret = ret;
	x.ir = p->ir;
	x.depth = 0;
	x.meth = -1;
	VCL_ASSERT(p->sub[sub] < p->nir);
	r = vx_body(&x, p->sub[sub]);
	if (r == 0 || r == 2)
		ret->action = vx_natural(sub, &ret->status);
	else if (r < 0) {
		ret->action = VCL_A_FAIL;
		ret->status = 0;
		ret->reason.p = x.rt.err;
		ret->reason.len = strlen(x.rt.err);
		ret->duration = -1;
	}
	return (ret->action);
}

enum vcl_action
vcl_run(const struct vcl_prog *p, enum vcl_sub sub, struct vcl_ctx *ctx,
    struct vcl_ret *ret)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	VCL_ASSERT((unsigned)sub < VCL_SUB__MAX);
	VCL_AN(ret);
	ret->action = VCL_A_FAIL;
	ret->status = 0;
	ret->reason.p = NULL;
	ret->reason.len = 0;
	ret->duration = -1;
	/* The built-in VCL's vcl_hit and vcl_deliver: nothing to run. */
	if (p->quick[sub] != 0) {
		ret->action = (enum vcl_action)(p->quick[sub] - 1);
		return (ret->action);
	}
	return (vx_run(p, sub, ctx, ret));
}
