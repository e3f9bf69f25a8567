/*
 * vcl_check_stmt.c: statements. The scan before the checks collects each
 * body's calls (the call graph) and the objects made by `new`; then each
 * statement is checked against the subroutines it runs in (ck->mask) and
 * emitted, chained through next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_check_int.h"

/* --- the scan --- */

static void
ck_scan_new(struct vcl_ck *ck, struct ck_sub *s, const struct vcl_node *n)
{
	struct vcl_prog *p = ck->p;
	const struct vcl_node *fc = n->u.named.value;
	const struct vcl_objtype *ot = NULL;
	struct vcl_object *o;

	if (s->builtin != VCL_SUB_INIT)
		return; /* refused when checked */
	if (fc->kind == VCL_N_FCALL)
		ot = vcl_objtype_lookup(fc->u.call.name,
		    strlen(fc->u.call.name));
	if (ck_grow(ck, &p->objs, &ck->cap_objs, p->nobjs,
	    sizeof *p->objs) != 0)
		return;
	if (ck_declare(ck, n->u.named.name, CK_OBJ, p->nobjs,
	    &n->u.named.namepos) == NULL)
		return;
	o = &p->objs[p->nobjs++];
	memset(o, 0, sizeof *o);
	o->name = ck_strdup(ck, n->u.named.name, strlen(n->u.named.name));
	o->type = ot != NULL && !(ot->vo_flags & VCL_FF_UNSUPPORTED)
	    ? ot->vo_id : VCL_O_NONE;
}

static void
ck_scan_call(struct vcl_ck *ck, struct ck_sub *s, const struct vcl_node *n)
{
	const struct vcl_node *id = n->u.one.expr;
	struct ck_sym *sym = ck_sym_find(ck, id->u.ident.name);
	struct ck_call *c;

	if (sym == NULL || sym->kind != CK_SUB) {
		if (vcl_sub_by_name(id->u.ident.name,
		    strlen(id->u.ident.name)) >= 0)
			ck_err(ck, &id->pos, "a built-in subroutine (%s) "
			    "cannot be called", id->u.ident.name);
		else
			ck_err(ck, &id->pos, "undefined subroutine '%s'",
			    id->u.ident.name);
		return;
	}
	sym->used = 1;
	c = realloc(s->calls, (s->ncalls + 1) * sizeof *c);
	if (c == NULL) {
		ck->oom = 1;
		return;
	}
	s->calls = c;
	c[s->ncalls].callee = sym->idx;
	c[s->ncalls].pos = id->pos;
	s->ncalls++;
}

void
ck_scan(struct vcl_ck *ck, struct ck_sub *s, const struct vcl_node *list)
{
	const struct vcl_node *n, *b;

	for (n = list; n != NULL && !ck->oom; n = n->next) {
		switch (n->kind) {
		case VCL_N_CALL:
			ck_scan_call(ck, s, n);
			break;
		case VCL_N_NEW:
			ck_scan_new(ck, s, n);
			break;
		case VCL_N_BLOCK:
			ck_scan(ck, s, n->u.list.items);
			break;
		case VCL_N_IF:
			for (b = n->u.ifs.branches; b != NULL; b = b->next)
				ck_scan(ck, s, b->u.branch.body->u.list.items);
			if (n->u.ifs.els != NULL)
				ck_scan(ck, s, n->u.ifs.els->u.list.items);
			break;
		default:
			break;
		}
	}
}

/* --- statements --- */

static vcl_ix
ck_set(struct vcl_ck *ck, const struct vcl_node *n)
{
	static const enum vcl_op arith[] = {
	    [VCL_OP_ADD_ASSIGN] = VCL_OP_ADD, [VCL_OP_SUB_ASSIGN] = VCL_OP_SUB,
	    [VCL_OP_MUL_ASSIGN] = VCL_OP_MUL, [VCL_OP_DIV_ASSIGN] = VCL_OP_DIV};
	const struct vcl_node *t = n->u.set.target, *val = n->u.set.value;
	const char *hdr = NULL, *h2;
	size_t hdrlen = 0, h2len;
	const struct vcl_var *v;
	enum vcl_type vt;
	vcl_ix x;

	if (t->kind != VCL_N_IDENT || ck_sym_find(ck, t->u.ident.name)) {
		ck_err(ck, &t->pos, "only a variable can be set");
		return (0);
	}
	v = ck_var(ck, t, VCL_ACC_WRITE, &hdr, &hdrlen);
	if (v == NULL)
		return (0);
	vt = v->vv_flags & VCL_VF_HDR ? VCL_T_STRING : v->vv_type;
	if (n->u.set.op == VCL_OP_ASSIGN)
		x = ck_expr_as(ck, val, vt);
	else {
		/* set x += e is set x = x + e */
		if (ck_var(ck, t, VCL_ACC_READ, &h2, &h2len) == NULL)
			return (0);
		x = ck_var_read(ck, v, hdr, hdrlen, &t->pos);
		x = ck_arith(ck, arith[n->u.set.op], x, ck_expr(ck, val),
		    &val->pos);
		x = ck_conv(ck, x, vt, &val->pos);
	}
	if (x == 0)
		return (0);
	if (v->vv_flags & VCL_VF_HDR)
		return (ck_emit(ck, VCL_IR_S_SET_HDR, VCL_T_VOID, ck_where(v),
		    ck_hdr(ck, hdr, hdrlen), x, &n->pos));
	return (ck_emit(ck, VCL_IR_S_SET_VAR, VCL_T_VOID, v->vv_id, x, 0,
	    &n->pos));
}

static vcl_ix
ck_unset(struct vcl_ck *ck, const struct vcl_node *n)
{
	const struct vcl_node *t = n->u.one.expr;
	const char *hdr = NULL;
	size_t hdrlen = 0;
	const struct vcl_var *v;

	if (t->kind != VCL_N_IDENT) {
		ck_err(ck, &t->pos, "only a variable can be unset");
		return (0);
	}
	v = ck_var(ck, t, VCL_ACC_UNSET, &hdr, &hdrlen);
	if (v == NULL)
		return (0);
	if (v->vv_flags & VCL_VF_HDR)
		return (ck_emit(ck, VCL_IR_S_UNSET_HDR, VCL_T_VOID,
		    ck_where(v), ck_hdr(ck, hdr, hdrlen), 0, &n->pos));
	return (ck_emit(ck, VCL_IR_S_UNSET_VAR, VCL_T_VOID, v->vv_id, 0, 0,
	    &n->pos));
}

/* The first sub of ck->mask where return (a) is not allowed, or -1. */
static int
ck_action_denied(const struct vcl_ck *ck, int a)
{
	unsigned s;

	for (s = 0; s < VCL_SUB__MAX; s++)
		if ((ck->mask & VCL_SUBM(s)) != 0 &&
		    !(vcl_sub_actions((enum vcl_sub)s) & (1u << a)))
			return ((int)s);
	return (-1);
}

static void
ck_allowed_list(unsigned m, char *buf, size_t len)
{
	unsigned a;
	size_t o = 0;

	buf[0] = '\0';
	for (a = 0; a < VCL_A__MAX && o < len; a++)
		if (m & (1u << a))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o ? ", " : "", vcl_action_name((enum vcl_action)a));
}

static vcl_ix
ck_return(struct vcl_ck *ck, const struct vcl_node *n)
{
	const struct vcl_node *e = n->u.one.expr, *args = NULL;
	const char *name;
	unsigned nargs;
	int a, where;
	vcl_ix x1 = 0, x2 = 0;
	char list[200];

	if (e == NULL) {
		if (ck->cur->builtin >= 0) {
			ck_err(ck, &n->pos, "return without an action in %s",
			    ck->cur->name);
			return (0);
		}
		return (ck_emit(ck, VCL_IR_S_RETURN, VCL_T_VOID, VCL_A__MAX,
		    0, 0, &n->pos));
	}
	name = e->kind == VCL_N_FCALL ? e->u.call.name : e->u.ident.name;
	if (e->kind == VCL_N_FCALL)
		args = e->u.call.args;
	a = vcl_action_by_name(name, strlen(name));
	if (a < 0) {
		ck_err(ck, &e->pos, "unknown return action '%s'", name);
		return (0);
	}
	where = ck_action_denied(ck, a);
	if (where >= 0) {
		ck_allowed_list(vcl_sub_actions((enum vcl_sub)where), list,
		    sizeof list);
		ck_err(ck, &e->pos, "return (%s) is not allowed in %s%s "
		    "(allowed: %s)", name, vcl_sub_name((enum vcl_sub)where),
		    ck_via(ck), list);
		return (0);
	}
	nargs = vcl_list_len(args);
	for (; args != NULL && args->kind != VCL_N_ARG; args = args->next)
		;
	if (args != NULL) {
		ck_err(ck, &args->pos, "return (%s()) takes no named "
		    "arguments", name);
		return (0);
	}
	args = e->kind == VCL_N_FCALL ? e->u.call.args : NULL;
	switch (vcl_action_arg((enum vcl_action)a)) {
	case VCL_AA_LABEL:
		ck_err(ck, &e->pos, "accel does not support return (vcl(...)): "
		    "it has one program at a time");
		return (0);
	case VCL_AA_NONE:
		if (nargs > 0) {
			ck_err(ck, &args->pos, "return (%s) takes no argument",
			    name);
			return (0);
		}
		break;
	case VCL_AA_REASON:
	case VCL_AA_DURATION:
		if (nargs > 1) {
			ck_err(ck, &args->next->pos, "return (%s()) takes "
			    "one argument", name);
			return (0);
		}
		if (nargs == 1 && vcl_action_arg((enum vcl_action)a) ==
		    VCL_AA_DURATION && (ck->mask & ~vcl_action_arg_subs(
		    (enum vcl_action)a)) != 0) {
			ck_err(ck, &args->pos, "return (%s()) takes a "
			    "duration only in vcl_backend_response", name);
			return (0);
		}
		if (nargs == 1 && (x1 = ck_expr_as(ck, args,
		    vcl_action_arg((enum vcl_action)a) == VCL_AA_REASON
		    ? VCL_T_STRING : VCL_T_DURATION)) == 0)
			return (0);
		break;
	case VCL_AA_STATUS:
		if (nargs == 0 && vcl_action_arg_required((enum vcl_action)a)) {
			ck_err(ck, &e->pos, "return (%s()) needs a status",
			    name);
			return (0);
		}
		if (nargs > 2) {
			ck_err(ck, &args->next->next->pos, "return (%s()) "
			    "takes a status and a reason", name);
			return (0);
		}
		if (nargs >= 1 && (x1 = ck_expr_as(ck, args, VCL_T_INT)) == 0)
			return (0);
		if (nargs == 2 && (x2 = ck_expr_as(ck, args->next,
		    VCL_T_STRING)) == 0)
			return (0);
		break;
	}
	return (ck_emit(ck, VCL_IR_S_RETURN, VCL_T_VOID, (uint32_t)a, x1, x2,
	    &n->pos));
}

static vcl_ix
ck_if(struct vcl_ck *ck, const struct vcl_node *n,
    const struct vcl_node *br)
{
	vcl_ix cond, then = 0, last = 0, els = 0;

	cond = ck_expr_as(ck, br->u.branch.cond, VCL_T_BOOL);
	ck_stmts(ck, br->u.branch.body->u.list.items, &then, &last);
	if (br->next != NULL)
		els = ck_if(ck, n, br->next);
	else if (n->u.ifs.els != NULL) {
		last = 0;
		ck_stmts(ck, n->u.ifs.els->u.list.items, &els, &last);
	}
	if (cond == 0)
		return (0);
	/* a set of methods alone: tested by the statement (vcl_ir.h) */
	if (ck->p->ir[cond].op == VCL_IR_E_METHOD_IN)
		return (ck_emit(ck, VCL_IR_S_IF_METHOD, VCL_T_VOID,
		    ck->p->ir[cond].a, then, els, br == n->u.ifs.branches ?
		    &n->pos : &br->pos));
	return (ck_emit(ck, VCL_IR_S_IF, VCL_T_VOID, cond, then, els,
	    br == n->u.ifs.branches ? &n->pos : &br->pos));
}

/* hash_data(), synthetic(), ban(): a STRING to the host. */
static vcl_ix
ck_strstmt(struct vcl_ck *ck, const struct vcl_node *n, enum vcl_func_id f,
    enum vcl_irop op)
{
	vcl_ix x;

	if (!ck_func_where(ck, vcl_func_get(f), &n->pos))
		return (0);
	x = ck_expr_as(ck, n->u.one.expr, VCL_T_STRING);
	return (x == 0 ? 0 : ck_emit(ck, op, VCL_T_VOID, x, 0, 0, &n->pos));
}

static vcl_ix
ck_call_stmt(struct vcl_ck *ck, const struct vcl_node *n)
{
	struct ck_sym *s = ck_sym_find(ck, n->u.one.expr->u.ident.name);
	vcl_ix x;

	if (s == NULL || s->kind != CK_SUB)
		return (0); /* reported by the scan */
	x = ck_emit(ck, VCL_IR_S_CALL, VCL_T_VOID, 0, 0, 0, &n->pos);
	if (x == 0 || ck_grow(ck, &ck->fix, &ck->cap_fix, ck->nfix,
	    sizeof *ck->fix) != 0)
		return (0);
	ck->fix[ck->nfix].at = x;
	ck->fix[ck->nfix++].callee = s->idx;
	return (x);
}

/* One statement: its first node and, for a block, its last in *last. */
static vcl_ix
ck_stmt(struct vcl_ck *ck, const struct vcl_node *n, vcl_ix *last)
{
	vcl_ix x = 0, first = 0;
	struct ck_sym *s;

	*last = 0;
	switch (n->kind) {
	case VCL_N_SET:
		return (ck_set(ck, n));
	case VCL_N_UNSET:
		return (ck_unset(ck, n));
	case VCL_N_IF:
		return (ck_if(ck, n, n->u.ifs.branches));
	case VCL_N_RETURN:
		return (ck_return(ck, n));
	case VCL_N_CALL:
		return (ck_call_stmt(ck, n));
	case VCL_N_HASH_DATA:
		return (ck_strstmt(ck, n, VCL_F_HASH_DATA,
		    VCL_IR_S_HASH_DATA));
	case VCL_N_SYNTHETIC:
		return (ck_strstmt(ck, n, VCL_F_SYNTHETIC,
		    VCL_IR_S_SYNTHETIC));
	case VCL_N_BAN:
		return (ck_strstmt(ck, n, VCL_F_BAN, VCL_IR_S_BAN));
	case VCL_N_CALL_STMT:
		x = ck_call(ck, n->u.one.expr, 1);
		return (x == 0 ? 0 : ck_emit(ck, VCL_IR_S_EXPR, VCL_T_VOID, x,
		    0, 0, &n->pos));
	case VCL_N_NEW:
		s = ck_sym_find(ck, n->u.named.name);
		if (ck->cur->builtin != VCL_SUB_INIT || s == NULL ||
		    s->kind != CK_OBJ) {
			if (ck->cur->builtin != VCL_SUB_INIT)
				ck_err(ck, &n->pos, "new is only allowed in "
				    "vcl_init");
			return (0);
		}
		return (ck_new(ck, n, s->idx));
	case VCL_N_BLOCK:
		ck_stmts(ck, n->u.list.items, &first, last);
		return (first);
	default:
		ck_err(ck, &n->pos, "%s is not a statement",
		    vcl_kind_name(n->kind));
		return (0);
	}
}

void
ck_stmts(struct vcl_ck *ck, const struct vcl_node *list, vcl_ix *first,
    vcl_ix *last)
{
	const struct vcl_node *n;
	int returned = 0;
	vcl_ix x, blast;

	for (n = list; n != NULL && !ck->oom; n = n->next) {
		if (returned == 1) {
			ck_warn(ck, &n->pos, "unreachable statement (after "
			    "return)");
			returned = 2;
		}
		if (n->kind == VCL_N_RETURN && returned == 0)
			returned = 1;
		x = ck_stmt(ck, n, &blast);
		if (x == 0)
			continue;
		if (*last == 0)
			*first = x;
		else
			ck->p->ir[*last].next = x;
		*last = blast != 0 ? blast : x;
	}
}
