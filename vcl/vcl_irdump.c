/*
 * vcl_irdump.c: the compiled form of a program as text (accel -C -d).
 * Each built-in subroutine, then each subroutine it calls (named by its
 * first node, "sub @12"), statements one a line and indented, expressions
 * in prefix form with their types: (== BOOL (var STRING req.method)
 * "CONNECT").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_rt.h"

static const char *const where_name[] = {
	[VCL_W_REQ] = "req", [VCL_W_BEREQ] = "bereq",
	[VCL_W_BERESP] = "beresp", [VCL_W_OBJ] = "obj", [VCL_W_RESP] = "resp",
};

static const char *
op_name(uint32_t op)
{
	static const char *const n[] = {
		[VCL_RT_OP_MUL] = "*", [VCL_RT_OP_DIV] = "/",
		[VCL_RT_OP_ADD] = "+", [VCL_RT_OP_SUB] = "-",
		[VCL_RT_OP_EQ] = "==", [VCL_RT_OP_NE] = "!=",
		[VCL_RT_OP_LT] = "<", [VCL_RT_OP_GT] = ">",
		[VCL_RT_OP_LE] = "<=", [VCL_RT_OP_GE] = ">=",
	};

	return (op < sizeof(n) / sizeof(n[0]) && n[op] != NULL ? n[op] : "?");
}

static const char *
var_name(uint32_t id)
{
	const struct vcl_var *v = vcl_var_get(id);

	return (v == NULL ? "?" : v->vv_name);
}

static const char *
func_name(uint32_t id)
{
	const struct vcl_func *fn = vcl_func_get(id);

	return (fn == NULL ? "?" : fn->vf_name);
}

/* A string, quoted, its unprintable bytes as %XX (VCL's own escape). */
static void
dump_str(FILE *f, struct vcl_str s)
{
	size_t i;

	if (s.p == NULL) {
		fputs("(unset)", f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
dump_const(FILE *f, const struct vcl_prog *p, const struct vcl_ir *n)
{
	const union vcl_val *v = &p->k[n->a];
	char buf[64];

	switch (n->type) {
	case VCL_T_STRING:
	case VCL_T_ENUM:
		dump_str(f, v->s);
		return;
	case VCL_T_INT: fprintf(f, "%" PRId64, v->i); return;
	case VCL_T_BYTES: fprintf(f, "%" PRId64 "B", v->i); return;
	case VCL_T_REAL: fprintf(f, "%g", v->r); return;
	case VCL_T_DURATION: fprintf(f, "%gs", v->r); return;
	case VCL_T_BOOL: fputs(v->b ? "true" : "false", f); return;
	case VCL_T_TIME:
		if (vcl_fmt_time(v->r, buf) != 0) {
			fprintf(f, "\"%s\"", buf);
			return;
		}
		break;
	case VCL_T_BACKEND:
		fputs(v->be == NULL ? "(none)" : v->be->name, f);
		return;
	case VCL_T_VOID:
		fputs("(left out)", f);
		return;
	default:
		break;
	}
	fprintf(f, "(const %s)", vcl_type_name(n->type));
}

static void dump_expr(FILE *f, const struct vcl_prog *p, vcl_ix i);

/* A header read: (hdr TYPE req.http.Name). */
static void
dump_hdr(FILE *f, const struct vcl_prog *p, const char *t, uint32_t w,
    uint32_t h)
{
	fprintf(f, "(hdr %s %s.http.%.*s)", t, w < 5 ? where_name[w] : "?",
	    h < p->nhdrs ? (int)p->hdrs[h].len : 1, h < p->nhdrs ?
	    p->hdrs[h].name : "?");
}

/* A STRING constant by its index in k. */
static void
dump_k(FILE *f, const struct vcl_prog *p, uint32_t k)
{
	if (k < p->nk)
		dump_str(f, p->k[k].s);
	else
		fputs("(bad k)", f);
}

/* The items chained from i, each after a space. */
static void
dump_list(FILE *f, const struct vcl_prog *p, vcl_ix i)
{
	for (; i != 0; i = p->ir[i].next) {
		fputc(' ', f);
		dump_expr(f, p, i);
	}
}

/* E_METHOD_IN: "(method-in BOOL "GET" "HEAD")", or the complement as
 * "method-not-in" (a set holding every other value). */
static void
dump_methods(FILE *f, const struct vcl_prog *p, uint32_t set, const char *t)
{
	int other = (set & VCL_METH_OTHER) != 0;
	unsigned i;

	fprintf(f, "(%s %s", other ? "method-not-in" : "method-in", t);
	for (i = 0; i < p->nmeth; i++)
		if (((set & VCL_METH_BIT(i)) != 0) != other)
			fprintf(f, " \"%.*s\"", (int)p->meth[i].len,
			    p->meth[i].p);
	fputc(')', f);
}

static void
dump_expr(FILE *f, const struct vcl_prog *p, vcl_ix i)
{
	const struct vcl_ir *n;
	const char *t;

	if (i == 0 || i >= p->nir) {
		fprintf(f, "(bad @%u)", i);
		return;
	}
	n = &p->ir[i];
	t = vcl_type_name(n->type);
	switch (n->op) {
	case VCL_IR_E_CONST:
		dump_const(f, p, n);
		return;
	case VCL_IR_E_VAR:
		fprintf(f, "(var %s %s)", t, var_name(n->a));
		return;
	case VCL_IR_E_HDR:
		dump_hdr(f, p, t, n->a, n->b);
		return;
	case VCL_IR_E_BACKEND:
		fprintf(f, "(backend %s)", n->a < p->nbackends ?
		    p->backends[n->a].name : "?");
		return;
	case VCL_IR_E_OBJ:
		fprintf(f, "(object %s)", n->a < p->nobjs ?
		    p->objs[n->a].name : "?");
		return;
	case VCL_IR_E_CMP:
	case VCL_IR_E_ARITH:
		fprintf(f, "(%s %s", op_name(n->c), t);
		break;
	case VCL_IR_E_MATCH:
	case VCL_IR_E_ACL:
		fprintf(f, "(%s %s %s #%u", n->c ? "!~" : "~", t,
		    n->op == VCL_IR_E_ACL ? "acl" : "re", n->b);
		fputc(' ', f);
		dump_expr(f, p, n->a);
		fputc(')', f);
		return;
	case VCL_IR_E_CONCAT:
		fprintf(f, "(concat %s", t);
		dump_list(f, p, n->a);
		fputc(')', f);
		return;
	case VCL_IR_E_CONV:
		fprintf(f, "(conv %s ", t);
		dump_expr(f, p, n->a);
		fputc(')', f);
		return;
	case VCL_IR_E_FUNC:
	case VCL_IR_E_METHOD:
		if (n->op == VCL_IR_E_METHOD)
			fprintf(f, "(%s.%s %s", n->c < p->nobjs ?
			    p->objs[n->c].name : "?",
			    vcl_func_short(vcl_func_get(n->a)), t);
		else
			fprintf(f, "(%s %s", func_name(n->a), t);
		if (n->a == VCL_F_REGSUB || n->a == VCL_F_REGSUBALL)
			fprintf(f, " re #%u", n->c);
		dump_list(f, p, n->b);
		fputc(')', f);
		return;
	case VCL_IR_E_NOT:
	case VCL_IR_E_NEG:
	case VCL_IR_E_DEFINED:
		fprintf(f, "(%s %s ", n->op == VCL_IR_E_NOT ? "!" :
		    n->op == VCL_IR_E_NEG ? "neg" : "defined", t);
		dump_expr(f, p, n->a);
		fputc(')', f);
		return;
	case VCL_IR_E_AND:
	case VCL_IR_E_OR:
		fprintf(f, "(%s %s", n->op == VCL_IR_E_AND ? "&&" : "||", t);
		break;
	/* as the E_CMP and E_DEFINED they were made from */
	case VCL_IR_E_VAR_EQ_K:
		fprintf(f, "(%s %s (var STRING %s) ", n->flags ? "!=" : "==",
		    t, var_name(n->a));
		dump_k(f, p, n->b);
		fputc(')', f);
		return;
	case VCL_IR_E_HDR_EQ_K:
	case VCL_IR_E_HDR_DEFINED:
		if (n->op == VCL_IR_E_HDR_EQ_K)
			fprintf(f, "(%s %s ", n->flags ? "!=" : "==", t);
		else
			fprintf(f, "(defined %s ", t);
		dump_hdr(f, p, "STRING", n->a, n->b);
		if (n->op == VCL_IR_E_HDR_EQ_K) {
			fputc(' ', f);
			dump_k(f, p, n->c);
		}
		fputc(')', f);
		return;
	case VCL_IR_E_METHOD_IN:
		dump_methods(f, p, n->a, t);
		return;
	default:
		fprintf(f, "(op%u?)", n->op);
		return;
	}
	/* binary */
	fputc(' ', f);
	dump_expr(f, p, n->a);
	fputc(' ', f);
	dump_expr(f, p, n->b);
	fputc(')', f);
}

static void
dump_body(FILE *f, const struct vcl_prog *p, vcl_ix i, int ind,
    unsigned char *callees)
{
	for (; i != 0 && i < p->nir; i = p->ir[i].next) {
		const struct vcl_ir *n = &p->ir[i];

		fprintf(f, "%*s", ind * 4, "");
		switch (n->op) {
		case VCL_IR_S_SET_VAR:
			fprintf(f, "set %s = ", var_name(n->a));
			dump_expr(f, p, n->b);
			break;
		case VCL_IR_S_UNSET_VAR:
			fprintf(f, "unset %s", var_name(n->a));
			break;
		case VCL_IR_S_SET_HDR:
		case VCL_IR_S_UNSET_HDR:
			fprintf(f, "%s %s.http.%.*s", n->op == VCL_IR_S_SET_HDR ?
			    "set" : "unset", n->a < 5 ? where_name[n->a] : "?",
			    n->b < p->nhdrs ? (int)p->hdrs[n->b].len : 1,
			    n->b < p->nhdrs ? p->hdrs[n->b].name : "?");
			if (n->op == VCL_IR_S_SET_HDR) {
				fputs(" = ", f);
				dump_expr(f, p, n->c);
			}
			break;
		case VCL_IR_S_IF:
		case VCL_IR_S_IF_METHOD:
			fputs("if ", f);
			if (n->op == VCL_IR_S_IF_METHOD)
				dump_methods(f, p, n->a, "BOOL");
			else
				dump_expr(f, p, n->a);
			fputs(" {\n", f);
			dump_body(f, p, n->b, ind + 1, callees);
			if (n->c != 0) {
				fprintf(f, "%*s} else {\n", ind * 4, "");
				dump_body(f, p, n->c, ind + 1, callees);
			}
			fprintf(f, "%*s}", ind * 4, "");
			break;
		case VCL_IR_S_RETURN:
			if (n->a == VCL_A__MAX) { /* back to the caller */
				fputs("return", f);
				break;
			}
			fprintf(f, "return %s", vcl_action_name(n->a));
			if (n->b != 0) {
				fputc(' ', f);
				dump_expr(f, p, n->b);
			}
			if (n->c != 0) {
				fputc(' ', f);
				dump_expr(f, p, n->c);
			}
			break;
		case VCL_IR_S_CALL:
			fprintf(f, "call sub @%u", n->a);
			if (n->a < p->nir)
				callees[n->a] = 1;
			break;
		case VCL_IR_S_HASH_DATA:
		case VCL_IR_S_SYNTHETIC:
		case VCL_IR_S_BAN:
		case VCL_IR_S_EXPR:
			fputs(n->op == VCL_IR_S_HASH_DATA ? "hash_data " :
			    n->op == VCL_IR_S_SYNTHETIC ? "synthetic " :
			    n->op == VCL_IR_S_BAN ? "ban " : "", f);
			dump_expr(f, p, n->a);
			break;
		case VCL_IR_S_NEW:
			fprintf(f, "new %s = %s", n->a < p->nobjs ?
			    p->objs[n->a].name : "?", n->a < p->nobjs ?
			    vcl_objtype_get(p->objs[n->a].type)->vo_name : "?");
			if (n->b != 0 && n->b < p->nir)
				dump_list(f, p, p->ir[n->b].b);
			break;
		default:
			fprintf(f, "(op%u?)", n->op);
			break;
		}
		fputc('\n', f);
	}
}

void
vcl_prog_dump(const struct vcl_prog *p, FILE *f)
{
	unsigned char *callees, *done;
	unsigned s, i, more;

	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	callees = calloc(p->nir + 1, 2);
	if (callees == NULL)
		return;
	done = callees + p->nir + 1;
	fprintf(f, "# %u nodes, %u constants, %u headers, %u regexes, "
	    "%u ACLs, %u backends, %u objects\n", p->nir, p->nk, p->nhdrs,
	    p->nre, p->nacls, p->nbackends, p->nobjs);
	for (s = 0; s < VCL_SUB__MAX; s++) {
		if (p->sub[s] == 0)
			continue;
		fprintf(f, "sub %s {\n", vcl_sub_name(s));
		dump_body(f, p, p->sub[s], 1, callees);
		fputs("}\n", f);
	}
	do {
		more = 0;
		for (i = 1; i < p->nir; i++) {
			if (!callees[i] || done[i])
				continue;
			done[i] = 1;
			more = 1;
			fprintf(f, "sub @%u {\n", i);
			dump_body(f, p, i, 1, callees);
			fputs("}\n", f);
		}
	} while (more);
	free(callees);
}
