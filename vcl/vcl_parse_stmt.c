/*
 * vcl_parse_stmt.c: statements inside a subroutine:
 *
 *   set NAME op expr;        op: = += -= *= /=
 *   unset NAME;
 *   if (expr) { } [elsif|elseif|elif|else if (expr) { }]... [else { }]
 *   return; | return (action); | return (action(args));
 *   call NAME;
 *   new NAME = expr;
 *   hash_data(expr); synthetic(expr); ban(expr);
 *   NAME(args);              a function or method call
 *   { statements }           a nested block (Varnish's compound statement)
 */
#include <string.h>

#include "vcl/vcl_parse_int.h"

/* A statement node of kind k at the keyword, which is skipped. */
static struct vcl_node *
stmt_node(struct vcl_parser *p, enum vcl_kind k)
{
	struct vcl_node *n = vcl_p_node(p, k, &p->tok.pos);

	vcl_p_next(p);
	return (p->failed ? NULL : n);
}

/* The statement's ';', then n (NULL after an error). */
static struct vcl_node *
stmt_end(struct vcl_parser *p, struct vcl_node *n)
{
	char ctx[64];

	if (n == NULL || p->failed)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after %s statement", vcl_kind_name(n->kind));
	if (vcl_p_expect(p, VCL_TK_SEMI, ctx) != 0)
		return (NULL);
	return (n);
}

/* A variable name after kw, as an IDENT held by n. */
static struct vcl_node *
p_target(struct vcl_parser *p, struct vcl_node *n, const char *kw)
{
	struct vcl_node *t;

	if (p->tok.kind != VCL_TK_ID) {
		vcl_p_error(p, &p->tok.pos, "expected a %s after '%s', got %s",
			    n->kind == VCL_N_CALL ? "subroutine name"
						  : "variable name",
			    kw, vcl_p_got(p));
		return (NULL);
	}
	t = vcl_p_node(p, VCL_N_IDENT, &p->tok.pos);
	if (t == NULL)
		return (NULL);
	t->u.ident.name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	if (p->failed || vcl_p_hold(p, n, t) != 0)
		return (NULL);
	return (t);
}

static struct vcl_node *
p_set(struct vcl_parser *p)
{
	static const enum vcl_tok_kind toks[] = {
	    VCL_TK_ASSIGN, VCL_TK_ADD_ASSIGN, VCL_TK_SUB_ASSIGN, VCL_TK_MUL_ASSIGN,
	    VCL_TK_DIV_ASSIGN};
	struct vcl_node *n = stmt_node(p, VCL_N_SET);
	size_t i;

	if (n == NULL || (n->u.set.target = p_target(p, n, "set")) == NULL)
		return (NULL);
	for (i = 0; i < sizeof toks / sizeof toks[0]; i++)
		if (p->tok.kind == toks[i])
			break;
	if (i == sizeof toks / sizeof toks[0]) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "expected '=', '+=', '-=', '*=' or '/=' after 'set %.40s', "
		    "got %s",
		    n->u.set.target->u.ident.name, vcl_p_got(p));
		return (NULL);
	}
	n->u.set.op = (enum vcl_op)(VCL_OP_ASSIGN + i);
	vcl_p_next(p);
	n->u.set.value = vcl_p_expr(p);
	if (n->u.set.value == NULL || vcl_p_hold(p, n, n->u.set.value) != 0)
		return (NULL);
	return (stmt_end(p, n));
}

/* unset NAME; call NAME; */
static struct vcl_node *
p_named(struct vcl_parser *p)
{
	enum vcl_kind k = vcl_p_is_id(p, "call") ? VCL_N_CALL : VCL_N_UNSET;
	struct vcl_node *n = stmt_node(p, k);

	if (n == NULL ||
	    (n->u.one.expr = p_target(p, n, vcl_kind_name(k))) == NULL)
		return (NULL);
	return (stmt_end(p, n));
}

/* hash_data(expr); synthetic(expr); ban(expr); */
static struct vcl_node *
p_builtin(struct vcl_parser *p)
{
	static const enum vcl_kind kinds[] = {VCL_N_HASH_DATA, VCL_N_SYNTHETIC,
					      VCL_N_BAN};
	enum vcl_kind k = VCL_N_BAN;
	struct vcl_node *n;
	char ctx[64];

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (vcl_p_is_id(p, vcl_kind_name(kinds[i])))
			k = kinds[i];
	if ((n = stmt_node(p, k)) == NULL)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after '%s'", vcl_kind_name(k));
	if (vcl_p_expect(p, VCL_TK_LPAREN, ctx) != 0)
		return (NULL);
	n->u.one.expr = vcl_p_expr(p);
	if (n->u.one.expr == NULL || vcl_p_hold(p, n, n->u.one.expr) != 0)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after the argument of '%s'",
		 vcl_kind_name(k));
	if (vcl_p_expect(p, VCL_TK_RPAREN, ctx) != 0)
		return (NULL);
	return (stmt_end(p, n));
}

/* return; | return (action) ; | return (action(args)) ; */
static struct vcl_node *
p_return(struct vcl_parser *p)
{
	struct vcl_node *n = stmt_node(p, VCL_N_RETURN);

	if (n == NULL || p->tok.kind == VCL_TK_SEMI)
		return (stmt_end(p, n));
	if (vcl_p_expect(p, VCL_TK_LPAREN, "or ';' after 'return'") != 0)
		return (NULL);
	if (p->tok.kind != VCL_TK_ID) {
		vcl_p_error(p, &p->tok.pos,
			    "expected an action after 'return (', got %s",
			    vcl_p_got(p));
		return (NULL);
	}
	n->u.one.expr = vcl_p_call(p);
	if (n->u.one.expr == NULL || vcl_p_hold(p, n, n->u.one.expr) != 0)
		return (NULL);
	if (vcl_p_expect(p, VCL_TK_RPAREN, "after the return action") != 0)
		return (NULL);
	return (stmt_end(p, n));
}

/* new NAME = expr; */
static struct vcl_node *
p_new(struct vcl_parser *p)
{
	struct vcl_node *n = stmt_node(p, VCL_N_NEW);
	char ctx[80];

	if (n == NULL || (n->u.named.name = vcl_p_name(
			      p, "object", &n->u.named.namepos)) == NULL)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after 'new %.40s'", n->u.named.name);
	if (vcl_p_expect(p, VCL_TK_ASSIGN, ctx) != 0)
		return (NULL);
	n->u.named.value = vcl_p_expr(p);
	if (n->u.named.value == NULL || vcl_p_hold(p, n, n->u.named.value) != 0)
		return (NULL);
	return (stmt_end(p, n));
}

/* (cond) { body } of an if or elsif, at pos (the keyword). */
static struct vcl_node *
p_branch(struct vcl_parser *p, const struct vcl_pos *pos, const char *kw)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_BRANCH, pos), *b;
	char ctx[64];

	snprintf(ctx, sizeof ctx, "after '%s'", kw);
	if (n == NULL || vcl_p_expect(p, VCL_TK_LPAREN, ctx) != 0)
		return (NULL);
	n->u.branch.cond = vcl_p_expr(p);
	if (n->u.branch.cond == NULL ||
	    vcl_p_hold(p, n, n->u.branch.cond) != 0 ||
	    vcl_p_expect(p, VCL_TK_RPAREN, "after the if condition") != 0)
		return (NULL);
	b = vcl_p_node(p, VCL_N_BLOCK, &p->tok.pos);
	if (b == NULL ||
	    vcl_p_block(p, b, &b->u.list.items, "after the if condition") != 0)
		return (NULL);
	n->u.branch.body = b;
	return (vcl_p_hold(p, n, b) != 0 ? NULL : n);
}

/* The else { } of n (the 'else' skipped, at the '{'). */
static int
p_else(struct vcl_parser *p, struct vcl_node *n)
{
	struct vcl_node *b = vcl_p_node(p, VCL_N_BLOCK, &p->tok.pos);

	if (b == NULL ||
	    vcl_p_block(p, b, &b->u.list.items, "after 'else'") != 0)
		return (-1);
	n->u.ifs.els = b;
	return (vcl_p_hold(p, n, b));
}

static int
is_elsif(const struct vcl_parser *p)
{
	return (vcl_p_is_id(p, "elsif") || vcl_p_is_id(p, "elseif") ||
		vcl_p_is_id(p, "elif"));
}

static struct vcl_node *
p_if(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_IF, &p->tok.pos), *b;
	struct vcl_pos pos = p->tok.pos;
	struct vcl_list l;
	const char *kw = "if";

	vcl_list_init(&l);
	vcl_p_next(p);
	while (n != NULL) {
		b = p_branch(p, &pos, kw);
		if (b == NULL || vcl_p_hold(p, n, b) != 0)
			return (NULL);
		vcl_list_add(&l, b);
		n->u.ifs.branches = l.head;
		pos = p->tok.pos;
		if (is_elsif(p)) {
			kw = "elsif";
			vcl_p_next(p);
			continue;
		}
		if (!vcl_p_is_id(p, "else"))
			break;
		vcl_p_next(p);
		if (p->tok.kind == VCL_TK_LBRACE)
			return (p_else(p, n) != 0 ? NULL : n);
		if (!vcl_p_is_id(p, "if")) {
			vcl_p_error(p, &p->tok.pos,
				    "expected 'if' or '{' after 'else', got %s",
				    vcl_p_got(p));
			return (NULL);
		}
		kw = "else if";
		vcl_p_next(p);
	}
	return (p->failed ? NULL : n);
}

/* NAME(args); */
static struct vcl_node *
p_call_stmt(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_CALL_STMT, &p->tok.pos);
	char ctx[80];

	if (n == NULL)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after the call to '%.*s'",
		 (int)(p->tok.len > 40 ? 40 : p->tok.len), p->tok.p);
	n->u.one.expr = vcl_p_call(p);
	if (n->u.one.expr == NULL || vcl_p_hold(p, n, n->u.one.expr) != 0)
		return (NULL);
	if (vcl_p_expect(p, VCL_TK_SEMI, ctx) != 0)
		return (NULL);
	return (n);
}

/* Statements of older VCL, refused with what to write instead. */
static const struct {
	const char *kw;
	const char *hint;
} vcl3[] = {
    {"remove", "'remove' is VCL 3: use unset"},
    {"error", "'error' is VCL 3: use return (synth(status, reason))"},
    {"esi", "'esi' is VCL 3: use set beresp.do_esi = true"},
    {"purge", "'purge' is VCL 3: use return (purge) in vcl_recv"},
    {"log", "'log' is VCL 3: use std.log() (import std)"},
    {"rollback", "'rollback' is not supported: use std.rollback()"},
    {"else", "'else' without 'if'"},
    {"elsif", "'elsif' without 'if'"},
    {"elseif", "'elseif' without 'if'"},
    {"elif", "'elif' without 'if'"},
};

static const struct {
	const char *kw;
	struct vcl_node *(*parse)(struct vcl_parser *);
} stmts[] = {
    {"set", p_set},           {"unset", p_named},
    {"call", p_named},        {"if", p_if},
    {"return", p_return},     {"new", p_new},
    {"hash_data", p_builtin}, {"synthetic", p_builtin},
    {"ban", p_builtin},
};

/* A statement that starts with an identifier. */
static struct vcl_node *
p_id_stmt(struct vcl_parser *p)
{
	const struct vcl_tok *nx;
	size_t i;

	for (i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
		if (vcl_p_is_id(p, stmts[i].kw))
			return (stmts[i].parse(p));
	for (i = 0; i < sizeof vcl3 / sizeof vcl3[0]; i++) {
		if (vcl_p_is_id(p, vcl3[i].kw)) {
			vcl_p_error(p, &p->tok.pos, "%s", vcl3[i].hint);
			return (NULL);
		}
	}
	nx = vcl_p_peek(p);
	if (nx->kind == VCL_TK_LPAREN)
		return (p_call_stmt(p));
	if (nx->kind == VCL_TK_ASSIGN || nx->kind == VCL_TK_ADD_ASSIGN ||
	    nx->kind == VCL_TK_SUB_ASSIGN || nx->kind == VCL_TK_MUL_ASSIGN ||
	    nx->kind == VCL_TK_DIV_ASSIGN) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "expected a statement, got %s: an assignment starts with "
		    "'set'",
		    vcl_p_got(p));
		return (NULL);
	}
	vcl_p_error(
	    p, &p->tok.pos,
	    "expected a statement, got %s (statements: set, unset, if, "
	    "return, call, new, hash_data, synthetic, ban, or a function call)",
	    vcl_p_got(p));
	return (NULL);
}

struct vcl_node *
vcl_p_stmt(struct vcl_parser *p)
{
	struct vcl_node *n;

	if (p->tok.kind == VCL_TK_ID)
		return (p_id_stmt(p));
	if (p->tok.kind == VCL_TK_LBRACE) {
		n = vcl_p_node(p, VCL_N_BLOCK, &p->tok.pos);
		if (n == NULL ||
		    vcl_p_block(p, n, &n->u.list.items, "to open a block") != 0)
			return (NULL);
		return (n);
	}
	vcl_p_error(p, &p->tok.pos, "expected a statement or '}', got %s",
		    vcl_p_got(p));
	return (NULL);
}

int
vcl_p_block(struct vcl_parser *p, struct vcl_node *owner,
	    struct vcl_node **items, const char *what)
{
	return (vcl_p_braced(p, owner, items, what, vcl_p_stmt));
}
