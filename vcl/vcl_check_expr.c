/*
 * vcl_check_expr.c: expressions: names resolved (variables, backends,
 * ACLs, objects), every value typed, Varnish's implicit conversions made
 * explicit (E_CONV to STRING, INT to REAL, E_DEFINED for a STRING or a
 * BACKEND in a condition), operators checked, calls matched with their
 * arguments by position and by name, defaults filled in. A bad
 * expression gives one error and 0: its parents report nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_check_int.h"

#define IRT(ck, ix) ((enum vcl_type)(ck)->p->ir[ix].type)

/* Types that convert to STRING where a string is wanted. */
static int
ck_stringable(enum vcl_type t)
{
	switch (t) {
	case VCL_T_STRING:
	case VCL_T_INT:
	case VCL_T_REAL:
	case VCL_T_DURATION:
	case VCL_T_BYTES:
	case VCL_T_TIME:
	case VCL_T_IP:
	case VCL_T_BOOL:
	case VCL_T_BACKEND:
		return (1);
	default:
		return (0);
	}
}

vcl_ix
ck_conv(struct vcl_ck *ck, vcl_ix ix, enum vcl_type want,
    const struct vcl_pos *pos)
{
	enum vcl_type have;

	if (ix == 0)
		return (0);
	have = IRT(ck, ix);
	if (have == want)
		return (ix);
	if (want == VCL_T_BODY && ck_stringable(have))
		return (ck_conv(ck, ix, VCL_T_STRING, pos));
	if (want == VCL_T_STRING && ck_stringable(have))
		return (ck_emit(ck, VCL_IR_E_CONV, want, ix, 0, have, pos));
	if (want == VCL_T_REAL && have == VCL_T_INT) {
		struct vcl_ir *n = &ck->p->ir[ix];
		if (n->op == VCL_IR_E_CONST) {
			union vcl_val v = ck->p->k[n->a];
			v.r = (double)v.i;
			n->a = ck_k(ck, v);
			n->type = VCL_T_REAL;
			return (ix);
		}
		return (ck_emit(ck, VCL_IR_E_CONV, want, ix, 0, have, pos));
	}
	if (want == VCL_T_BOOL && have == VCL_T_STRING &&
	    ck->p->ir[ix].op == VCL_IR_E_HDR)
		return (ck_emit(ck, VCL_IR_E_HDR_DEFINED, VCL_T_BOOL,
		    ck->p->ir[ix].a, ck->p->ir[ix].b, 0, pos));
	if (want == VCL_T_BOOL && (have == VCL_T_STRING ||
	    have == VCL_T_BACKEND))
		return (ck_emit(ck, VCL_IR_E_DEFINED, VCL_T_BOOL, ix, 0, 0,
		    pos));
	ck_err(ck, pos, "expected %s, got %s", vcl_type_name(want),
	    vcl_type_name(have));
	return (0);
}

vcl_ix
ck_expr_as(struct vcl_ck *ck, const struct vcl_node *n, enum vcl_type want)
{
	return (ck_conv(ck, ck_expr(ck, n), want, &n->pos));
}

static vcl_ix
ck_const(struct vcl_ck *ck, enum vcl_type t, union vcl_val v,
    const struct vcl_pos *pos)
{
	return (ck_emit(ck, VCL_IR_E_CONST, t, ck_k(ck, v), 0, 0, pos));
}

static vcl_ix
ck_literal(struct vcl_ck *ck, const struct vcl_node *n)
{
	union vcl_val v;

	memset(&v, 0, sizeof v);
	switch (n->kind) {
	case VCL_N_STRING:
		return (ck_const_str(ck, VCL_T_STRING, n->u.str.s,
		    n->u.str.len, &n->pos));
	case VCL_N_INT:
		v.i = n->u.num.i;
		return (ck_const(ck, VCL_T_INT, v, &n->pos));
	case VCL_N_REAL:
		v.r = n->u.num.d;
		return (ck_const(ck, VCL_T_REAL, v, &n->pos));
	case VCL_N_DURATION:
		v.r = n->u.num.d;
		return (ck_const(ck, VCL_T_DURATION, v, &n->pos));
	case VCL_N_BYTES:
		v.i = (int64_t)n->u.num.d;
		return (ck_const(ck, VCL_T_BYTES, v, &n->pos));
	case VCL_N_BOOL:
		v.b = n->u.boolean;
		return (ck_const(ck, VCL_T_BOOL, v, &n->pos));
	default:
		VCL_WRONG("not a literal");
	}
}

/* --- variables --- */

enum vcl_where
ck_where(const struct vcl_var *v)
{
	switch (v->vv_id) {
	case VCL_V_BEREQ_HTTP:
		return (VCL_W_BEREQ);
	case VCL_V_BERESP_HTTP:
		return (VCL_W_BERESP);
	case VCL_V_OBJ_HTTP:
		return (VCL_W_OBJ);
	case VCL_V_RESP_HTTP:
		return (VCL_W_RESP);
	default:
		return (VCL_W_REQ); /* req.http, req_top.http */
	}
}

static const char *const acc_verb[] = {"read", "set", "unset"};

/* The first built-in sub of mask where v may not be accessed so, or -1. */
static int
ck_var_denied(const struct vcl_ck *ck, const struct vcl_var *v,
    const char *hdr, size_t hdrlen, enum vcl_access acc)
{
	unsigned s;

	for (s = 0; s < VCL_SUB__MAX; s++)
		if ((ck->mask & VCL_SUBM(s)) != 0 && !vcl_var_allowed(v, hdr,
		    hdrlen, acc, (enum vcl_sub)s, ck->syntax))
			return ((int)s);
	return (-1);
}

const struct vcl_var *
ck_var(struct vcl_ck *ck, const struct vcl_node *id, enum vcl_access acc,
    const char **hdr, size_t *hdrlen)
{
	const char *name = id->u.ident.name;
	const struct vcl_var *v;
	unsigned any;
	int s;

	v = vcl_var_lookup(name, strlen(name), hdr, hdrlen);
	if (v == NULL) {
		ck_err(ck, &id->pos, "unknown variable '%s'", name);
		return (NULL);
	}
	if (v->vv_flags & VCL_VF_UNSUPPORTED) {
		ck_err(ck, &id->pos, "accel does not support '%s'%s%s", name,
		    v->vv_note ? ": " : "", v->vv_note ? v->vv_note : "");
		return (NULL);
	}
	any = vcl_var_subs(v, VCL_ACC_READ, ck->syntax) |
	    vcl_var_subs(v, VCL_ACC_WRITE, ck->syntax) |
	    vcl_var_subs(v, VCL_ACC_UNSET, ck->syntax);
	if (any == 0) {
		ck_err(ck, &id->pos, "'%s' does not exist in vcl %u.%u", name,
		    ck->syntax / 10, ck->syntax % 10);
		return (NULL);
	}
	if (vcl_var_subs(v, acc, ck->syntax) == 0 || (acc != VCL_ACC_READ &&
	    *hdr != NULL && vcl_hdr_protected(*hdr, *hdrlen))) {
		if (acc == VCL_ACC_WRITE)
			ck_err(ck, &id->pos, "'%s' is read-only", name);
		else
			ck_err(ck, &id->pos, "'%s' cannot be %s", name,
			    acc_verb[acc]);
		return (NULL);
	}
	s = ck_var_denied(ck, v, *hdr, *hdrlen, acc);
	if (s >= 0) {
		ck_err(ck, &id->pos, "'%s' cannot be %s in %s%s", name,
		    acc_verb[acc], vcl_sub_name((enum vcl_sub)s), ck_via(ck));
		return (NULL);
	}
	return (v);
}

vcl_ix
ck_var_read(struct vcl_ck *ck, const struct vcl_var *v, const char *hdr,
    size_t hdrlen, const struct vcl_pos *pos)
{
	if (v->vv_flags & VCL_VF_HDR)
		return (ck_emit(ck, VCL_IR_E_HDR, VCL_T_STRING, ck_where(v),
		    ck_hdr(ck, hdr, hdrlen), 0, pos));
	return (ck_emit(ck, VCL_IR_E_VAR, v->vv_type, v->vv_id, 0, 0, pos));
}

/* A name in an expression: a variable, a backend or a director. */
static vcl_ix
ck_ident(struct vcl_ck *ck, const struct vcl_node *n)
{
	const char *name = n->u.ident.name, *hdr = NULL;
	struct ck_sym *s = ck_sym_find(ck, name);
	const struct vcl_var *v;
	size_t hdrlen = 0;

	if (s != NULL) {
		s->used = 1;
		switch (s->kind) {
		case CK_BACKEND:
			return (ck_emit(ck, VCL_IR_E_BACKEND, VCL_T_BACKEND,
			    s->idx, 0, 0, &n->pos));
		case CK_OBJ:
			return (ck_emit(ck, VCL_IR_E_OBJ, VCL_T_BACKEND,
			    s->idx, 0, 0, &n->pos));
		case CK_ACL:
			ck_err(ck, &n->pos, "ACL '%s' can only be used after "
			    "~ or !~", name);
			return (0);
		default:
			ck_err(ck, &n->pos, "%s '%s' is not a value",
			    s->kind == CK_SUB ? "sub" : "probe", name);
			return (0);
		}
	}
	v = ck_var(ck, n, VCL_ACC_READ, &hdr, &hdrlen);
	if (v == NULL)
		return (0);
	if (v->vv_type == VCL_T_BODY || v->vv_type == VCL_T_HTTP) {
		ck_err(ck, &n->pos, "'%s' cannot be read", name);
		return (0);
	}
	return (ck_var_read(ck, v, hdr, hdrlen, &n->pos));
}

/* --- operators --- */

/* Append item to a concatenation (items chained from *first). */
static void
ck_cat_add(struct vcl_ck *ck, vcl_ix *first, vcl_ix *last, vcl_ix item)
{
	struct vcl_ir *ir = ck->p->ir;

	if (ir[item].op == VCL_IR_E_CONCAT) {
		vcl_ix i = ir[item].a, nx;
		for (; i != 0; i = nx) {
			nx = ck->p->ir[i].next;
			ck->p->ir[i].next = 0;
			ck_cat_add(ck, first, last, i);
		}
		return;
	}
	/* Two constants side by side are one (folding "a" + "b"). */
	if (*last != 0 && ir[*last].op == VCL_IR_E_CONST &&
	    ir[item].op == VCL_IR_E_CONST) {
		const struct vcl_str *x = &ck->p->k[ir[*last].a].s;
		const struct vcl_str *y = &ck->p->k[ir[item].a].s;
		char *p = ck_alloc(ck, x->len + y->len + 1);
		union vcl_val v;

		if (p == NULL)
			return;
		memcpy(p, x->p, x->len);
		memcpy(p + x->len, y->p, y->len);
		v.s.p = p;
		v.s.len = x->len + y->len;
		ck->p->ir[*last].a = ck_k(ck, v);
		return;
	}
	if (*last == 0)
		*first = item;
	else
		ir[*last].next = item;
	*last = item;
}

/* Items (already checked, 0 for an error) joined as one STRING. */
static vcl_ix
ck_concat(struct vcl_ck *ck, const vcl_ix *items, const struct vcl_pos *pos,
    unsigned n)
{
	vcl_ix first = 0, last = 0, ix;
	unsigned i;

	for (i = 0; i < n; i++) {
		ix = ck_conv(ck, items[i], VCL_T_STRING, &pos[i]);
		if (ix == 0)
			return (0);
		ck_cat_add(ck, &first, &last, ix);
	}
	if (first == last)
		return (first);
	return (ck_emit(ck, VCL_IR_E_CONCAT, VCL_T_STRING, first, 0, 0,
	    &pos[0]));
}

static int
ck_is_num(enum vcl_type t)
{
	return (t == VCL_T_INT || t == VCL_T_REAL);
}

vcl_ix
ck_arith(struct vcl_ck *ck, enum vcl_op op, vcl_ix l, vcl_ix r,
    const struct vcl_pos *rpos)
{
	enum vcl_type lt, rt, res = VCL_T_VOID;
	int add = op == VCL_OP_ADD || op == VCL_OP_SUB;
	vcl_ix ix;

	if (l == 0 || r == 0)
		return (0);
	lt = IRT(ck, l);
	rt = IRT(ck, r);
	if (op == VCL_OP_ADD && (lt == VCL_T_STRING || rt == VCL_T_STRING)) {
		vcl_ix items[2] = {l, r};
		struct vcl_pos pos[2] = {ck->p->pos[l], *rpos};
		return (ck_concat(ck, items, pos, 2));
	}
	if (ck_is_num(lt) && ck_is_num(rt)) {
		res = lt == VCL_T_REAL || rt == VCL_T_REAL ? VCL_T_REAL
		    : VCL_T_INT;
		l = ck_conv(ck, l, res, rpos);
		r = ck_conv(ck, r, res, rpos);
	} else if (lt == VCL_T_DURATION && rt == VCL_T_DURATION && add)
		res = VCL_T_DURATION;
	else if (lt == VCL_T_DURATION && ck_is_num(rt) && !add) {
		res = VCL_T_DURATION;
		r = ck_conv(ck, r, VCL_T_REAL, rpos);
	} else if (ck_is_num(lt) && rt == VCL_T_DURATION &&
	    op == VCL_OP_MUL) {
		res = VCL_T_DURATION;
		l = ck_conv(ck, l, VCL_T_REAL, rpos);
	} else if (lt == VCL_T_TIME && rt == VCL_T_DURATION && add)
		res = VCL_T_TIME;
	else if (lt == VCL_T_TIME && rt == VCL_T_TIME && op == VCL_OP_SUB)
		res = VCL_T_DURATION;
	else if (lt == VCL_T_BYTES && rt == VCL_T_BYTES && add)
		res = VCL_T_BYTES;
	if (res == VCL_T_VOID || l == 0 || r == 0) {
		ck_err(ck, rpos, "operator '%s' cannot take %s and %s",
		    vcl_op_name(op), vcl_type_name(lt), vcl_type_name(rt));
		return (0);
	}
	ix = ck_emit(ck, VCL_IR_E_ARITH, res, l, r, op, &ck->p->pos[l]);
	if (ix != 0)
		ck->p->ir[ix].flags = VCL_IR_ARITH(IRT(ck, l), IRT(ck, r));
	return (ix);
}

/* What == != compare: what converts to STRING; < > only the ordered. */
static int
ck_cmp_ok(enum vcl_type t, enum vcl_op op)
{
	if (t == VCL_T_BOOL || t == VCL_T_IP || t == VCL_T_BACKEND)
		return (op == VCL_OP_EQ || op == VCL_OP_NE);
	return (ck_stringable(t));
}

/*
 * A STRING variable or header == or != a constant string, the built-in
 * VCL's every comparison: node ix becomes E_VAR_EQ_K or E_HDR_EQ_K, which
 * the interpreter runs without evaluating its operands as nodes; one of
 * req.method becomes an E_METHOD_IN (vcl_ir.h).
 */
static void
ck_cmp_k(struct vcl_prog *p, vcl_ix ix)
{
	struct vcl_ir *n = &p->ir[ix];
	const struct vcl_ir *l = &p->ir[n->a], *k = &p->ir[n->b];
	uint16_t ne = n->c == VCL_OP_NE;
	int m;

	if (n->flags != VCL_T_STRING || (n->c != VCL_OP_EQ &&
	    n->c != VCL_OP_NE) || k->op != VCL_IR_E_CONST ||
	    k->type != VCL_T_STRING || l->type != VCL_T_STRING)
		return;
	if (l->op == VCL_IR_E_VAR && l->a == VCL_V_REQ_METHOD &&
	    (m = vcl_meth_add(p, &p->k[k->a].s)) >= 0) {
		n->op = VCL_IR_E_METHOD_IN;
		n->a = ne ? ~VCL_METH_BIT(m) : VCL_METH_BIT(m);
		n->b = n->c = 0;
		n->flags = 0;
	} else if (l->op == VCL_IR_E_VAR) {
		n->op = VCL_IR_E_VAR_EQ_K;
		n->a = l->a;
		n->b = k->a;
		n->c = 0;
		n->flags = ne;
	} else if (l->op == VCL_IR_E_HDR) {
		n->op = VCL_IR_E_HDR_EQ_K;
		n->c = k->a;
		n->a = l->a;
		n->b = l->b;
		n->flags = ne;
	}
}

static vcl_ix
ck_cmp(struct vcl_ck *ck, const struct vcl_node *n)
{
	const struct vcl_node *ln = n->u.binary.l, *rn = n->u.binary.r;
	enum vcl_op op = n->u.binary.op;
	vcl_ix l = ck_expr(ck, ln), r;
	enum vcl_type lt, rt;

	if (l == 0)
		return (0);
	lt = IRT(ck, l);
	if (!ck_cmp_ok(lt, op)) {
		ck_err(ck, &ln->pos, "operator '%s' cannot compare %s values",
		    vcl_op_name(op), vcl_type_name(lt));
		return (0);
	}
	r = ck_expr(ck, rn);
	if (r == 0)
		return (0);
	rt = IRT(ck, r);
	if (ck_is_num(lt) && ck_is_num(rt) && lt != rt) {
		l = ck_conv(ck, l, VCL_T_REAL, &ln->pos);
		r = ck_conv(ck, r, VCL_T_REAL, &rn->pos);
		lt = VCL_T_REAL;
	} else if (lt == VCL_T_STRING && ck_stringable(rt))
		r = ck_conv(ck, r, VCL_T_STRING, &rn->pos);
	else if (lt != rt) {
		ck_err(ck, &rn->pos, "cannot compare %s with %s",
		    vcl_type_name(lt), vcl_type_name(rt));
		return (0);
	}
	r = ck_emit(ck, VCL_IR_E_CMP, VCL_T_BOOL, l, r, op, &n->u.binary.oppos);
	if (r != 0) {
		ck->p->ir[r].flags = (uint16_t)lt;
		ck_cmp_k(ck->p, r);
	}
	return (r);
}

/* STRING ~ "regex", IP ~ acl. */
static vcl_ix
ck_match(struct vcl_ck *ck, const struct vcl_node *n)
{
	const struct vcl_node *rn = n->u.binary.r;
	int neg = n->u.binary.op == VCL_OP_NOMATCH, re;
	struct ck_sym *s = rn->kind == VCL_N_IDENT
	    ? ck_sym_find(ck, rn->u.ident.name) : NULL;
	vcl_ix l;

	if (s != NULL && s->kind == CK_ACL) {
		s->used = 1;
		l = ck_expr_as(ck, n->u.binary.l, VCL_T_IP);
		if (l == 0)
			return (0);
		return (ck_emit(ck, VCL_IR_E_ACL, VCL_T_BOOL, l, s->idx,
		    (uint32_t)neg, &n->u.binary.oppos));
	}
	if (rn->kind == VCL_N_IDENT && ck_sym_find(ck, rn->u.ident.name) ==
	    NULL && vcl_var_lookup(rn->u.ident.name,
	    strlen(rn->u.ident.name), NULL, NULL) == NULL) {
		ck_err(ck, &rn->pos, "unknown ACL '%s'", rn->u.ident.name);
		return (0);
	}
	l = ck_expr_as(ck, n->u.binary.l, VCL_T_STRING);
	if (l == 0)
		return (0);
	re = ck_regex(ck, rn);
	if (re < 0)
		return (0);
	return (ck_emit(ck, VCL_IR_E_MATCH, VCL_T_BOOL, l, (uint32_t)re,
	    (uint32_t)neg, &n->u.binary.oppos));
}

static vcl_ix
ck_binary(struct vcl_ck *ck, const struct vcl_node *n)
{
	vcl_ix l, r;

	switch (n->u.binary.op) {
	case VCL_OP_MATCH:
	case VCL_OP_NOMATCH:
		return (ck_match(ck, n));
	case VCL_OP_EQ:
	case VCL_OP_NE:
	case VCL_OP_LT:
	case VCL_OP_GT:
	case VCL_OP_LE:
	case VCL_OP_GE:
		return (ck_cmp(ck, n));
	default:
		l = ck_expr(ck, n->u.binary.l);
		if (l == 0)
			return (0);
		r = ck_expr(ck, n->u.binary.r);
		return (ck_arith(ck, n->u.binary.op, l, r,
		    &n->u.binary.r->pos));
	}
}

/* Whether ix is a set of methods (E_METHOD_IN). */
static int
ck_is_methods(const struct vcl_ck *ck, vcl_ix ix)
{
	return (ck->p->ir[ix].op == VCL_IR_E_METHOD_IN);
}

/* && and ||: each operand a condition, folded left. Two sets of methods
 * are one (`req.method != "GET" && req.method != "HEAD"`): the set's node
 * is acc's own (made for this expression alone), r's stays unused. */
static vcl_ix
ck_logic(struct vcl_ck *ck, const struct vcl_node *n)
{
	enum vcl_irop op = n->kind == VCL_N_AND ? VCL_IR_E_AND : VCL_IR_E_OR;
	const struct vcl_node *it = n->u.list.items;
	vcl_ix acc = ck_expr_as(ck, it, VCL_T_BOOL), r;

	for (it = it->next; it != NULL && acc != 0; it = it->next) {
		r = ck_expr_as(ck, it, VCL_T_BOOL);
		if (r != 0 && ck_is_methods(ck, acc) && ck_is_methods(ck, r)) {
			if (op == VCL_IR_E_AND)
				ck->p->ir[acc].a &= ck->p->ir[r].a;
			else
				ck->p->ir[acc].a |= ck->p->ir[r].a;
			continue;
		}
		acc = r == 0 ? 0 : ck_emit(ck, op, VCL_T_BOOL, acc, r, 0,
		    &n->pos);
	}
	return (acc);
}

static vcl_ix
ck_unary(struct vcl_ck *ck, const struct vcl_node *n)
{
	vcl_ix a;
	enum vcl_type t;

	if (n->u.unary.op == VCL_OP_NOT) {
		a = ck_expr_as(ck, n->u.unary.arg, VCL_T_BOOL);
		if (a != 0 && ck_is_methods(ck, a)) {
			/* the complement (the node is this expression's) */
			ck->p->ir[a].a = ~ck->p->ir[a].a;
			return (a);
		}
		return (a == 0 ? 0 : ck_emit(ck, VCL_IR_E_NOT, VCL_T_BOOL, a,
		    0, 0, &n->pos));
	}
	a = ck_expr(ck, n->u.unary.arg);
	if (a == 0)
		return (0);
	t = IRT(ck, a);
	if (!ck_is_num(t) && t != VCL_T_DURATION) {
		ck_err(ck, &n->u.unary.arg->pos, "'-' cannot take %s",
		    vcl_type_name(t));
		return (0);
	}
	return (ck_emit(ck, VCL_IR_E_NEG, t, a, 0, 0, &n->pos));
}

static vcl_ix
ck_concat_node(struct vcl_ck *ck, const struct vcl_node *n)
{
	vcl_ix items[64], *it = items, ix = 0;
	struct vcl_pos pos[64], *ps = pos;
	unsigned i = 0, cnt = vcl_list_len(n->u.list.items);
	const struct vcl_node *c;

	if (cnt > 64) {
		it = malloc(cnt * sizeof *it);
		ps = malloc(cnt * sizeof *ps);
		if (it == NULL || ps == NULL) {
			ck->oom = 1;
			goto out;
		}
	}
	for (c = n->u.list.items; c != NULL; c = c->next, i++) {
		it[i] = ck_expr(ck, c);
		ps[i] = c->pos;
		if (it[i] == 0)
			goto out;
	}
	ix = ck_concat(ck, it, ps, cnt);
out:
	if (it != items)
		free(it);
	if (ps != pos)
		free(ps);
	return (ix);
}

vcl_ix
ck_expr(struct vcl_ck *ck, const struct vcl_node *n)
{
	if (ck->oom)
		return (0);
	switch (n->kind) {
	case VCL_N_STRING:
	case VCL_N_INT:
	case VCL_N_REAL:
	case VCL_N_DURATION:
	case VCL_N_BYTES:
	case VCL_N_BOOL:
		return (ck_literal(ck, n));
	case VCL_N_IDENT:
		return (ck_ident(ck, n));
	case VCL_N_FCALL:
		return (ck_call(ck, n, 0));
	case VCL_N_UNARY:
		return (ck_unary(ck, n));
	case VCL_N_BINARY:
		return (ck_binary(ck, n));
	case VCL_N_AND:
	case VCL_N_OR:
		return (ck_logic(ck, n));
	case VCL_N_CONCAT:
		return (ck_concat_node(ck, n));
	default:
		ck_err(ck, &n->pos, "%s is not an expression",
		    vcl_kind_name(n->kind));
		return (0);
	}
}

/* --- calls --- */

int
ck_func_where(struct vcl_ck *ck, const struct vcl_func *f,
    const struct vcl_pos *pos)
{
	unsigned s;

	for (s = 0; s < VCL_SUB__MAX; s++)
		if ((ck->mask & VCL_SUBM(s)) != 0 &&
		    (f->vf_subs & VCL_SUBM(s)) == 0) {
			ck_err(ck, pos, "%s() cannot be called in %s%s",
			    f->vf_name, vcl_sub_name((enum vcl_sub)s),
			    ck_via(ck));
			return (0);
		}
	return (1);
}

#define CK_MAX_ARGS 16

/* The default of a left-out argument (E_CONST; VOID when none). */
static vcl_ix
ck_arg_default(struct vcl_ck *ck, const struct vcl_arg *a,
    const struct vcl_pos *pos)
{
	union vcl_val v;

	memset(&v, 0, sizeof v);
	if (!(a->va_flags & VCL_AF_DEF))
		return (ck_emit(ck, VCL_IR_E_CONST, VCL_T_VOID, 0, 0, 0, pos));
	if (a->va_defstr != NULL)
		return (ck_const_str(ck, a->va_type, a->va_defstr,
		    strlen(a->va_defstr), pos));
	switch (a->va_type) {
	case VCL_T_INT:
	case VCL_T_BYTES:
		v.i = (int64_t)a->va_defnum;
		break;
	case VCL_T_BOOL:
		v.b = a->va_defnum != 0;
		break;
	default:
		v.r = a->va_defnum;
		break;
	}
	return (ck_const(ck, a->va_type, v, pos));
}

/* One given argument of type a->va_type; *re set for a REGEX. */
static vcl_ix
ck_arg(struct vcl_ck *ck, const char *fname, const struct vcl_arg *a,
    const struct vcl_node *v, int *re)
{
	const char *hdr = NULL;
	size_t hdrlen = 0;
	const struct vcl_var *var;

	if (a->va_flags & VCL_AF_UNSUPPORTED) {
		ck_err(ck, &v->pos, "accel does not support the argument "
		    "'%s' of %s()", a->va_name ? a->va_name : "?", fname);
		return (0);
	}
	switch (a->va_type) {
	case VCL_T_REGEX:
		*re = ck_regex(ck, v);
		if (*re < 0)
			return (0);
		return (ck_const_str(ck, VCL_T_REGEX, v->u.str.s, v->u.str.len,
		    &v->pos));
	case VCL_T_ENUM:
		if (v->kind != VCL_N_IDENT || !vcl_arg_enum_ok(a,
		    v->u.ident.name, strlen(v->u.ident.name))) {
			ck_err(ck, &v->pos, "argument '%s' of %s() is one of "
			    "the words %s%s...", a->va_name, fname,
			    a->va_enum[0], a->va_enum[1] ? ", " : "");
			return (0);
		}
		return (ck_const_str(ck, VCL_T_ENUM, v->u.ident.name,
		    strlen(v->u.ident.name), &v->pos));
	case VCL_T_HEADER:
		if (v->kind != VCL_N_IDENT) {
			ck_err(ck, &v->pos, "%s() wants a header, like "
			    "req.http.X", fname);
			return (0);
		}
		var = ck_var(ck, v, VCL_ACC_WRITE, &hdr, &hdrlen);
		if (var == NULL)
			return (0);
		if (!(var->vv_flags & VCL_VF_HDR)) {
			ck_err(ck, &v->pos, "%s() wants a header, like "
			    "req.http.X", fname);
			return (0);
		}
		return (ck_emit(ck, VCL_IR_E_HDR, VCL_T_HEADER, ck_where(var),
		    ck_hdr(ck, hdr, hdrlen), 0, &v->pos));
	case VCL_T_STRING:
	case VCL_T_INT:
	case VCL_T_REAL:
	case VCL_T_BOOL:
	case VCL_T_DURATION:
	case VCL_T_BYTES:
	case VCL_T_TIME:
	case VCL_T_IP:
	case VCL_T_BACKEND:
		return (ck_expr_as(ck, v, a->va_type));
	default:
		ck_err(ck, &v->pos, "accel does not support %s arguments "
		    "(of %s())", vcl_type_name(a->va_type), fname);
		return (0);
	}
}

/*
 * The arguments of a call against args[0..n): by position, then by name;
 * the left-out ones their default. Returns the first (chained by next)
 * in *first; 0, or -1 after an error. *re: the REGEX argument's regex.
 */
static int
ck_args(struct vcl_ck *ck, const char *fname, const struct vcl_arg *args,
    unsigned n, const struct vcl_node *fc, vcl_ix *first, int *re)
{
	const struct vcl_node *given[CK_MAX_ARGS] = {NULL};
	const struct vcl_node *g;
	vcl_ix ix[CK_MAX_ARGS];
	unsigned i, pos = 0;
	int named = 0, rc = 0;

	VCL_ASSERT(n <= CK_MAX_ARGS);
	for (g = fc->u.call.args; g != NULL; g = g->next) {
		if (g->kind == VCL_N_ARG) {
			const struct vcl_arg *a = vcl_arg_find(args, n,
			    g->u.named.name, strlen(g->u.named.name));
			named = 1;
			if (a == NULL) {
				ck_err(ck, &g->pos, "%s() has no argument "
				    "'%s'", fname, g->u.named.name);
				return (-1);
			}
			i = (unsigned)(a - args);
			if (given[i] != NULL) {
				ck_err(ck, &g->pos, "argument '%s' of %s() is "
				    "given twice", g->u.named.name, fname);
				return (-1);
			}
			given[i] = g->u.named.value;
			continue;
		}
		if (named) {
			ck_err(ck, &g->pos, "an argument by position after "
			    "one by name in %s()", fname);
			return (-1);
		}
		if (pos >= n) {
			ck_err(ck, &g->pos, "too many arguments to %s() (it "
			    "takes %u)", fname, n);
			return (-1);
		}
		given[pos++] = g;
	}
	for (i = 0; i < n; i++) {
		if (given[i] != NULL)
			ix[i] = ck_arg(ck, fname, &args[i], given[i], re);
		else if (!(args[i].va_flags & VCL_AF_OPT)) {
			ck_err(ck, &fc->pos, "%s() needs its argument %s%s%s",
			    fname, args[i].va_name ? "'" : "",
			    args[i].va_name ? args[i].va_name : "",
			    args[i].va_name ? "'" : "");
			return (-1);
		} else
			ix[i] = ck_arg_default(ck, &args[i], &fc->pos);
		if (ix[i] == 0)
			rc = -1;
	}
	if (rc != 0)
		return (-1);
	*first = n > 0 ? ix[0] : 0;
	for (i = 0; i + 1 < n; i++)
		ck->p->ir[ix[i]].next = ix[i + 1];
	return (0);
}

/* The object named by the part of name before its last dot, or NULL. */
static struct ck_sym *
ck_method_obj(struct vcl_ck *ck, const char *name, const char **meth)
{
	const char *dot = strrchr(name, '.');
	char buf[256];
	struct ck_sym *s;

	if (dot == NULL || (size_t)(dot - name) >= sizeof buf)
		return (NULL);
	memcpy(buf, name, (size_t)(dot - name));
	buf[dot - name] = '\0';
	s = ck_sym_find(ck, buf);
	if (s == NULL || s->kind != CK_OBJ)
		return (NULL);
	*meth = dot + 1;
	return (s);
}

static int
ck_imported(struct vcl_ck *ck, enum vcl_mod_id m, const char *name,
    const struct vcl_pos *pos)
{
	static const char *const mods[] = {"", "directors", "std"};

	if (m == VCL_MOD_CORE || (ck->imported & (1u << m)))
		return (1);
	ck_err(ck, pos, "%s() needs 'import %s;'", name, mods[m]);
	return (0);
}

vcl_ix
ck_call(struct vcl_ck *ck, const struct vcl_node *fc, int stmt)
{
	const char *name = fc->u.call.name, *meth = NULL;
	const struct vcl_func *f = vcl_func_lookup(name, strlen(name));
	struct ck_sym *obj = NULL;
	vcl_ix args = 0, ix;
	int re = 0;

	if (f == NULL && (obj = ck_method_obj(ck, name, &meth)) != NULL) {
		if (ck->p->objs[obj->idx].type == VCL_O_NONE)
			return (0); /* its new was refused */
		f = vcl_method_lookup(vcl_objtype_get(
		    ck->p->objs[obj->idx].type), meth, strlen(meth));
	}
	if (f == NULL) {
		if (obj != NULL)
			ck_err(ck, &fc->pos, "object '%s' has no method "
			    "'%s'", obj->name, meth);
		else if (vcl_objtype_lookup(name, strlen(name)) != NULL)
			ck_err(ck, &fc->pos, "%s() makes an object: only "
			    "with new, in vcl_init", name);
		else
			ck_err(ck, &fc->pos, "unknown function '%s'", name);
		return (0);
	}
	if (obj != NULL)
		obj->used = 1;
	if (f->vf_flags & VCL_FF_UNSUPPORTED) {
		ck_err(ck, &fc->pos, "accel does not support %s()%s%s", name,
		    f->vf_note ? ": " : "", f->vf_note ? f->vf_note : "");
		return (0);
	}
	if (!ck_imported(ck, f->vf_mod, name, &fc->pos) ||
	    !ck_func_where(ck, f, &fc->pos))
		return (0);
	if (!stmt && f->vf_ret == VCL_T_VOID) {
		ck_err(ck, &fc->pos, "%s() returns nothing: it is a "
		    "statement, not a value", name);
		return (0);
	}
	if (ck_args(ck, name, f->vf_args, f->vf_nargs, fc, &args, &re) != 0)
		return (0);
	if (obj != NULL)
		return (ck_emit(ck, VCL_IR_E_METHOD, f->vf_ret, f->vf_id, args,
		    obj->idx, &fc->pos));
	ix = ck_emit(ck, VCL_IR_E_FUNC, f->vf_ret, f->vf_id, args,
	    (uint32_t)re, &fc->pos);
	return (ix);
}

/* new NAME = directors.KIND(...): an S_NEW; obj is its index. */
vcl_ix
ck_new(struct vcl_ck *ck, const struct vcl_node *n, uint32_t obj)
{
	const struct vcl_node *fc = n->u.named.value;
	const struct vcl_objtype *ot;
	vcl_ix args = 0, call;
	int re = 0;

	if (fc->kind != VCL_N_FCALL) {
		ck_err(ck, &fc->pos, "new wants a constructor, like "
		    "directors.round_robin()");
		return (0);
	}
	ot = vcl_objtype_lookup(fc->u.call.name, strlen(fc->u.call.name));
	if (ot == NULL) {
		ck_err(ck, &fc->pos, "unknown object type '%s'",
		    fc->u.call.name);
		return (0);
	}
	if (ot->vo_flags & VCL_FF_UNSUPPORTED) {
		ck_err(ck, &fc->pos, "accel does not support %s()%s%s",
		    ot->vo_name, ot->vo_note ? ": " : "",
		    ot->vo_note ? ot->vo_note : "");
		return (0);
	}
	if (!ck_imported(ck, ot->vo_mod, ot->vo_name, &fc->pos) ||
	    ck_args(ck, ot->vo_name, ot->vo_args, ot->vo_nargs, fc, &args,
	    &re) != 0)
		return (0);
	call = ck_emit(ck, VCL_IR_E_FUNC, VCL_T_VOID, ot->vo_id, args, 0,
	    &fc->pos);
	return (call == 0 ? 0 : ck_emit(ck, VCL_IR_S_NEW, VCL_T_VOID, obj,
	    call, 0, &n->pos));
}
