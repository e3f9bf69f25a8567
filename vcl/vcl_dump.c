/*
 * vcl_dump.c: print an AST as VCL-like text, stable for tests and `accel -C`.
 * Operators are printed with full parentheses below the top of an
 * expression, juxtaposed terms as (concat ...), strings with C escapes.
 * Recursion follows the tree, whose depth the parser bounds.
 */
#include <stdio.h>
#include <string.h>

#include "vcl/vcl_parse_int.h"

#define INDENT "  "

static void dump_expr(FILE *f, const struct vcl_node *n, int top);
static void dump_stmts(FILE *f, const struct vcl_node *n, unsigned ind);
static void dump_fields(FILE *f, const struct vcl_node *n, unsigned ind);

static void
indent(FILE *f, unsigned ind)
{
	while (ind-- > 0)
		fputs(INDENT, f);
}

static void
dump_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Items of a list, each printed nested, separated by sep. */
static void
dump_list(FILE *f, const struct vcl_node *n, const char *sep, int top)
{
	for (; n != NULL; n = n->next) {
		dump_expr(f, n, top);
		if (n->next != NULL)
			fputs(sep, f);
	}
}

static void
dump_expr(FILE *f, const struct vcl_node *n, int top)
{
	VCL_CHECK_OBJ_NOTNULL(n, VCL_NODE_MAGIC);
	switch (n->kind) {
	case VCL_N_STRING: dump_string(f, n->u.str.s, n->u.str.len); break;
	case VCL_N_INT:
	case VCL_N_REAL:
	case VCL_N_DURATION:
	case VCL_N_BYTES:
		fprintf(f, "%s%s", n->u.num.text, vcl_unit_name(n->u.num.unit));
		break;
	case VCL_N_BOOL: fputs(n->u.boolean ? "true" : "false", f); break;
	case VCL_N_IDENT: fputs(n->u.ident.name, f); break;
	case VCL_N_FCALL:
		fprintf(f, "%s(", n->u.call.name);
		dump_list(f, n->u.call.args, ", ", 1);
		fputc(')', f);
		break;
	case VCL_N_ARG:
		fprintf(f, "%s=", n->u.named.name);
		dump_expr(f, n->u.named.value, 1);
		break;
	case VCL_N_UNARY:
		fprintf(f, "%s%s", top ? "" : "(", vcl_op_name(n->u.unary.op));
		dump_expr(f, n->u.unary.arg, 0);
		fputs(top ? "" : ")", f);
		break;
	case VCL_N_BINARY:
		fputs(top ? "" : "(", f);
		dump_expr(f, n->u.binary.l, 0);
		fprintf(f, " %s ", vcl_op_name(n->u.binary.op));
		dump_expr(f, n->u.binary.r, 0);
		fputs(top ? "" : ")", f);
		break;
	case VCL_N_AND:
	case VCL_N_OR:
		fputs(top ? "" : "(", f);
		dump_list(f, n->u.list.items,
			  n->kind == VCL_N_AND ? " && " : " || ", 0);
		fputs(top ? "" : ")", f);
		break;
	case VCL_N_CONCAT:
		fputs("(concat ", f);
		dump_list(f, n->u.list.items, " ", 0);
		fputc(')', f);
		break;
	case VCL_N_STRLIST: dump_list(f, n->u.list.items, " ", 1); break;
	default: fprintf(f, "<%s>", vcl_kind_name(n->kind)); break;
	}
}

/* "{", the statements, "}" at ind (the caller wrote what precedes). */
static void
dump_body(FILE *f, const struct vcl_node *stmts, unsigned ind)
{
	fputs("{\n", f);
	dump_stmts(f, stmts, ind + 1);
	indent(f, ind);
	fputc('}', f);
}

static void
dump_if(FILE *f, const struct vcl_node *n, unsigned ind)
{
	const struct vcl_node *b;

	for (b = n->u.ifs.branches; b != NULL; b = b->next) {
		fputs(b == n->u.ifs.branches ? "if (" : " elsif (", f);
		dump_expr(f, b->u.branch.cond, 1);
		fputs(") ", f);
		dump_body(f, b->u.branch.body->u.list.items, ind);
	}
	if (n->u.ifs.els != NULL) {
		fputs(" else ", f);
		dump_body(f, n->u.ifs.els->u.list.items, ind);
	}
	fputc('\n', f);
}

/* A statement of one expression between pre and post, e.g. "unset x;". */
static void
dump_one(FILE *f, const char *pre, const struct vcl_node *e, const char *post)
{
	fputs(pre, f);
	dump_expr(f, e, 1);
	fputs(post, f);
}

static void
dump_stmt(FILE *f, const struct vcl_node *n, unsigned ind)
{
	VCL_CHECK_OBJ_NOTNULL(n, VCL_NODE_MAGIC);
	indent(f, ind);
	switch (n->kind) {
	case VCL_N_SET:
		fputs("set ", f);
		dump_expr(f, n->u.set.target, 1);
		fprintf(f, " %s ", vcl_op_name(n->u.set.op));
		dump_expr(f, n->u.set.value, 1);
		fputs(";\n", f);
		break;
	case VCL_N_UNSET:
	case VCL_N_CALL:
		fprintf(f, "%s ", vcl_kind_name(n->kind));
		dump_one(f, "", n->u.one.expr, ";\n");
		break;
	case VCL_N_HASH_DATA:
	case VCL_N_SYNTHETIC:
	case VCL_N_BAN:
		fprintf(f, "%s(", vcl_kind_name(n->kind));
		dump_one(f, "", n->u.one.expr, ");\n");
		break;
	case VCL_N_CALL_STMT: dump_one(f, "", n->u.one.expr, ";\n"); break;
	case VCL_N_RETURN:
		if (n->u.one.expr == NULL)
			fputs("return;\n", f);
		else
			dump_one(f, "return (", n->u.one.expr, ");\n");
		break;
	case VCL_N_NEW:
		fprintf(f, "new %s = ", n->u.named.name);
		dump_expr(f, n->u.named.value, 1);
		fputs(";\n", f);
		break;
	case VCL_N_IF: dump_if(f, n, ind); break;
	case VCL_N_BLOCK:
		dump_body(f, n->u.list.items, ind);
		fputc('\n', f);
		break;
	default: fprintf(f, "<%s>\n", vcl_kind_name(n->kind)); break;
	}
}

static void
dump_stmts(FILE *f, const struct vcl_node *n, unsigned ind)
{
	for (; n != NULL; n = n->next)
		dump_stmt(f, n, ind);
}

static void
dump_field(FILE *f, const struct vcl_node *n, unsigned ind)
{
	const struct vcl_node *v = n->u.named.value;

	indent(f, ind);
	fprintf(f, ".%s = ", n->u.named.name);
	if (v->kind == VCL_N_OBJECT) {
		fputs("{\n", f);
		dump_fields(f, v->u.list.items, ind + 1);
		indent(f, ind);
		fputs("}\n", f);
		return;
	}
	dump_expr(f, v, 1);
	fputs(";\n", f);
}

static void
dump_fields(FILE *f, const struct vcl_node *n, unsigned ind)
{
	for (; n != NULL; n = n->next)
		dump_field(f, n, ind);
}

static void
dump_acl(FILE *f, const struct vcl_node *n)
{
	const struct vcl_node *e;

	fprintf(f, "acl %s", n->u.acl.name);
	for (e = n->u.acl.flags; e != NULL; e = e->next)
		fprintf(f, " %c%s", e->u.aclflag.on ? '+' : '-',
			e->u.aclflag.name);
	fputs(" {\n", f);
	for (e = n->u.acl.entries; e != NULL; e = e->next) {
		fprintf(f, INDENT "%s%s", e->u.aclent.negated ? "!" : "",
			e->u.aclent.paren ? "(" : "");
		dump_expr(f, e->u.aclent.addr, 1);
		if (e->u.aclent.mask >= 0)
			fprintf(f, "/%d", e->u.aclent.mask);
		fputs(e->u.aclent.paren ? ");\n" : ";\n", f);
	}
	fputs("}\n", f);
}

static void
dump_decl(FILE *f, const struct vcl_node *n)
{
	VCL_CHECK_OBJ_NOTNULL(n, VCL_NODE_MAGIC);
	switch (n->kind) {
	case VCL_N_VERSION:
		fprintf(f, "vcl %u.%u;\n", n->u.version.major,
			n->u.version.minor);
		break;
	case VCL_N_IMPORT:
		fprintf(f, "import %s", n->u.import.name);
		if (n->u.import.from != NULL) {
			fputs(" from ", f);
			dump_string(f, n->u.import.from,
				    strlen(n->u.import.from));
		}
		fputs(";\n", f);
		break;
	case VCL_N_BACKEND:
	case VCL_N_PROBE:
		fprintf(f, "%s %s ", vcl_kind_name(n->kind), n->u.decl.name);
		if (n->u.decl.none) {
			fputs("none;\n", f);
			break;
		}
		fputs("{\n", f);
		dump_fields(f, n->u.decl.items, 1);
		fputs("}\n", f);
		break;
	case VCL_N_ACL: dump_acl(f, n); break;
	case VCL_N_SUB:
		fprintf(f, "sub %s ", n->u.decl.name);
		dump_body(f, n->u.decl.items, 0);
		fputc('\n', f);
		break;
	default: fprintf(f, "<%s>\n", vcl_kind_name(n->kind)); break;
	}
}

void
vcl_ast_dump(const struct vcl_ast *a, FILE *f)
{
	const struct vcl_node *n;
	unsigned src = 0;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	for (n = a->decls; n != NULL; n = n->next) {
		if (n->pos.src != src && n->pos.src < a->nsrc) {
			src = n->pos.src;
			fprintf(f, "// %s\n", a->srcs[src]->name);
		}
		dump_decl(f, n);
	}
}
