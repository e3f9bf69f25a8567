/*
 * vcl_parse_expr.c: expressions, by Varnish's precedence, loosest first:
 *
 *   expr  := and { '||' and }                      OR (n-ary)
 *   and   := not { '&&' not }                      AND (n-ary)
 *   not   := [ '!' ] cmp                           ! applies to a comparison:
 *                                                  !client.ip ~ acl
 *   cmp   := add [ ('=='|'!='|'<'|'>'|'<='|'>='|'~'|'!~') add ]
 *   add   := mul { ('+'|'-') mul | term-start mul }  a term directly after
 *                                                  a term (a string or a
 *                                                  name) is juxtaposed:
 *                                                  CONCAT
 *   mul   := unary { ('*'|'/') unary }
 *   unary := '-' unary | primary                   '-' and a number: a
 *                                                  negative literal
 *   primary := STRING | number [unit] | true | false | NAME [ '(' args ')' ]
 *            | '(' expr ')'
 *   args  := [ arg { ',' arg } ]   arg := NAME '=' expr | expr
 *
 * A number followed by a separate unit name (0.3 s) is a duration or a
 * byte count, as in Varnish. Chains are built by loops; recursion goes
 * through vcl_p_enter, so both are bounded.
 */
#include <string.h>

#include "vcl/vcl_parse_int.h"

static struct vcl_node *p_add(struct vcl_parser *p);

/* Statement keywords never start a juxtaposed term. */
static const char *const keywords[] = {
    "set",   "unset",     "remove",    "if",     "else",
    "elsif", "elseif",    "elif",      "return", "call",
    "new",   "hash_data", "synthetic", "ban",    "include",
};

int
vcl_p_is_keyword(const struct vcl_tok *t)
{
	if (t->kind != VCL_TK_ID)
		return (0);
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strlen(keywords[i]) == t->len &&
		    memcmp(keywords[i], t->p, t->len) == 0)
			return (1);
	return (0);
}

struct vcl_node *
vcl_p_string(struct vcl_parser *p)
{
	struct vcl_node *n;

	VCL_ASSERT(p->tok.kind == VCL_TK_STRING);
	n = vcl_p_node(p, VCL_N_STRING, &p->tok.pos);
	if (n == NULL)
		return (NULL);
	n->u.str.s = vcl_p_strdup(p, p->tok.s, p->tok.slen);
	n->u.str.len = p->tok.slen;
	n->u.str.quote = p->tok.quote;
	vcl_p_next(p);
	return (p->failed ? NULL : n);
}

static enum vcl_kind
num_kind(enum vcl_tok_kind k)
{
	switch (k) {
	case VCL_TK_INT: return (VCL_N_INT);
	case VCL_TK_REAL: return (VCL_N_REAL);
	case VCL_TK_DURATION: return (VCL_N_DURATION);
	case VCL_TK_BYTES: return (VCL_N_BYTES);
	default: return (VCL_N__COUNT);
	}
}

/* A unit written apart from its number: 0.3 s */
static void
p_unit(struct vcl_parser *p, struct vcl_node *n, double num)
{
	enum vcl_unit u;

	if (p->tok.kind != VCL_TK_ID)
		return;
	u = vcl_unit_parse(p->tok.p, p->tok.len);
	if (u == VCL_U_NONE)
		return;
	n->kind = vcl_unit_is_bytes(u) ? VCL_N_BYTES : VCL_N_DURATION;
	n->u.num.unit = u;
	n->u.num.i = 0;
	n->u.num.d = num * vcl_unit_factor(u);
	vcl_p_next(p);
}

/* The current number token as a literal, negated when neg (at pos). */
static struct vcl_node *
p_number(struct vcl_parser *p, int neg, const struct vcl_pos *pos)
{
	const struct vcl_tok *t = &p->tok;
	struct vcl_node *n = vcl_p_node(p, num_kind(t->kind), pos);
	size_t nl = t->unit == VCL_U_NONE ? t->len : t->numlen;
	double num = neg ? -t->num : t->num;
	char *text;

	if (n == NULL || (text = vcl_p_alloc(p, (size_t)neg + nl + 1)) == NULL)
		return (NULL);
	text[0] = '-';
	memcpy(text + neg, t->p, nl);
	text[neg + nl] = '\0';
	n->u.num.text = text;
	n->u.num.unit = t->unit;
	n->u.num.i = neg ? -t->i : t->i;
	n->u.num.d =
	    t->unit == VCL_U_NONE ? num : num * vcl_unit_factor(t->unit);
	vcl_p_next(p);
	if (n->kind == VCL_N_INT || n->kind == VCL_N_REAL)
		p_unit(p, n, num);
	return (p->failed ? NULL : n);
}

/* An argument: name = expr, or expr. */
static struct vcl_node *
p_arg(struct vcl_parser *p)
{
	struct vcl_node *a;

	if (p->tok.kind != VCL_TK_ID || vcl_p_peek(p)->kind != VCL_TK_ASSIGN)
		return (vcl_p_expr(p));
	a = vcl_p_node(p, VCL_N_ARG, &p->tok.pos);
	if (a == NULL)
		return (NULL);
	a->u.named.namepos = p->tok.pos;
	a->u.named.name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	vcl_p_next(p);
	a->u.named.value = vcl_p_expr(p);
	if (a->u.named.value == NULL || vcl_p_hold(p, a, a->u.named.value))
		return (NULL);
	return (a);
}

/* '(' args ')' of the call n (the current token is the '('). */
static int
p_args(struct vcl_parser *p, struct vcl_node *n)
{
	struct vcl_list l;
	struct vcl_node *a;

	vcl_p_next(p);
	vcl_list_init(&l);
	/* after a ',' an argument must follow */
	while (l.head != NULL || p->tok.kind != VCL_TK_RPAREN) {
		a = p_arg(p);
		if (a == NULL || vcl_p_hold(p, n, a) != 0)
			return (-1);
		vcl_list_add(&l, a);
		if (p->tok.kind == VCL_TK_RPAREN)
			break;
		if (p->tok.kind != VCL_TK_COMMA) {
			vcl_p_error(
			    p, &p->tok.pos,
			    "expected ',' or ')' after an argument of '%s', "
			    "got %s",
			    n->u.call.name, vcl_p_got(p));
			return (-1);
		}
		vcl_p_next(p);
	}
	n->u.call.args = l.head;
	vcl_p_next(p);
	return (p->failed ? -1 : 0);
}

struct vcl_node *
vcl_p_call(struct vcl_parser *p)
{
	struct vcl_node *n;
	const char *name;

	VCL_ASSERT(p->tok.kind == VCL_TK_ID);
	n = vcl_p_node(p, VCL_N_IDENT, &p->tok.pos);
	name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	if (n == NULL || name == NULL || p->failed)
		return (NULL);
	if (p->tok.kind != VCL_TK_LPAREN) {
		n->u.ident.name = name;
		return (n);
	}
	n->kind = VCL_N_FCALL;
	n->u.call.name = name;
	if (vcl_p_enter(p) != 0)
		return (NULL);
	if (p_args(p, n) != 0)
		return (NULL);
	vcl_p_leave(p);
	return (n);
}

static struct vcl_node *
p_primary(struct vcl_parser *p)
{
	struct vcl_node *n;

	switch (p->tok.kind) {
	case VCL_TK_STRING: return (vcl_p_string(p));
	case VCL_TK_INT:
	case VCL_TK_REAL:
	case VCL_TK_DURATION:
	case VCL_TK_BYTES: return (p_number(p, 0, &p->tok.pos));
	case VCL_TK_ID:
		if (vcl_p_is_id(p, "true") || vcl_p_is_id(p, "false")) {
			n = vcl_p_node(p, VCL_N_BOOL, &p->tok.pos);
			if (n != NULL)
				n->u.boolean = vcl_p_is_id(p, "true");
			vcl_p_next(p);
			return (p->failed ? NULL : n);
		}
		return (vcl_p_call(p));
	case VCL_TK_LPAREN:
		vcl_p_next(p);
		n = vcl_p_expr(p);
		if (n == NULL || vcl_p_expect(p, VCL_TK_RPAREN,
					      "to close the parenthesis") != 0)
			return (NULL);
		return (n);
	default:
		vcl_p_error(p, &p->tok.pos, "expected an expression, got %s",
			    vcl_p_got(p));
		return (NULL);
	}
}

static struct vcl_node *
p_unary(struct vcl_parser *p)
{
	struct vcl_node *n;
	struct vcl_pos pos = p->tok.pos;

	if (p->tok.kind != VCL_TK_MINUS)
		return (p_primary(p));
	vcl_p_next(p);
	if (num_kind(p->tok.kind) != VCL_N__COUNT)
		return (p_number(p, 1, &pos));
	n = vcl_p_node(p, VCL_N_UNARY, &pos);
	if (n == NULL || vcl_p_enter(p) != 0)
		return (NULL);
	n->u.unary.op = VCL_OP_NEG;
	n->u.unary.arg = p_unary(p);
	if (n->u.unary.arg == NULL || vcl_p_hold(p, n, n->u.unary.arg) != 0)
		return (NULL);
	vcl_p_leave(p);
	return (n);
}

/* l op r, at l's place; NULL after an error. */
static struct vcl_node *
binary(struct vcl_parser *p, enum vcl_op op, const struct vcl_pos *oppos,
       struct vcl_node *l, struct vcl_node *r)
{
	struct vcl_node *n;

	if (l == NULL || r == NULL)
		return (NULL);
	n = vcl_p_node(p, VCL_N_BINARY, &l->pos);
	if (n == NULL)
		return (NULL);
	n->u.binary.op = op;
	n->u.binary.l = l;
	n->u.binary.r = r;
	n->u.binary.oppos = *oppos;
	if (vcl_p_hold(p, n, l) != 0 || vcl_p_hold(p, n, r) != 0)
		return (NULL);
	return (n);
}

/* The operator of the current token among the n (token, op) pairs. */
static int
tok_op(const struct vcl_parser *p, const enum vcl_tok_kind *toks,
       const enum vcl_op *ops, size_t n, enum vcl_op *op)
{
	for (size_t i = 0; i < n; i++) {
		if (p->tok.kind == toks[i]) {
			*op = ops[i];
			return (1);
		}
	}
	return (0);
}

static struct vcl_node *
p_mul(struct vcl_parser *p)
{
	static const enum vcl_tok_kind toks[] = {VCL_TK_STAR, VCL_TK_SLASH};
	static const enum vcl_op ops[] = {VCL_OP_MUL, VCL_OP_DIV};
	struct vcl_node *l = p_unary(p);
	struct vcl_pos oppos;
	enum vcl_op op;

	while (l != NULL && tok_op(p, toks, ops, 2, &op)) {
		oppos = p->tok.pos;
		vcl_p_next(p);
		l = binary(p, op, &oppos, l, p_unary(p));
	}
	return (l);
}

/* A token after a complete term that starts a juxtaposed one. */
static int
starts_term(const struct vcl_tok *t)
{
	return (t->kind == VCL_TK_STRING ||
		(t->kind == VCL_TK_ID && !vcl_p_is_keyword(t)));
}

/* Add r to the CONCAT *cat (items in *l), making one of l unless it is. */
static struct vcl_node *
concat(struct vcl_parser *p, struct vcl_node **cat, struct vcl_list *items,
       struct vcl_node *l, struct vcl_node *r)
{
	if (l == NULL || r == NULL)
		return (NULL);
	if (l != *cat) {
		*cat = vcl_p_node(p, VCL_N_CONCAT, &l->pos);
		if (*cat == NULL || vcl_p_hold(p, *cat, l) != 0)
			return (NULL);
		vcl_list_init(items);
		vcl_list_add(items, l);
	}
	vcl_list_add(items, r);
	(*cat)->u.list.items = items->head;
	if (vcl_p_hold(p, *cat, r) != 0)
		return (NULL);
	return (*cat);
}

static struct vcl_node *
p_add(struct vcl_parser *p)
{
	static const enum vcl_tok_kind toks[] = {VCL_TK_PLUS, VCL_TK_MINUS};
	static const enum vcl_op ops[] = {VCL_OP_ADD, VCL_OP_SUB};
	struct vcl_node *l = p_mul(p), *cat = NULL;
	struct vcl_list items;
	struct vcl_pos oppos;
	enum vcl_op op;

	vcl_list_init(&items);
	while (l != NULL) {
		if (tok_op(p, toks, ops, 2, &op)) {
			oppos = p->tok.pos;
			vcl_p_next(p);
			l = binary(p, op, &oppos, l, p_mul(p));
		} else if (starts_term(&p->tok))
			l = concat(p, &cat, &items, l, p_mul(p));
		else
			break;
	}
	return (l);
}

static struct vcl_node *
p_cmp(struct vcl_parser *p)
{
	static const enum vcl_tok_kind toks[] = {
	    VCL_TK_EQ, VCL_TK_NE, VCL_TK_LT,    VCL_TK_GT,
	    VCL_TK_LE, VCL_TK_GE, VCL_TK_MATCH, VCL_TK_NOMATCH};
	static const enum vcl_op ops[] = {
	    VCL_OP_EQ, VCL_OP_NE, VCL_OP_LT,    VCL_OP_GT,
	    VCL_OP_LE, VCL_OP_GE, VCL_OP_MATCH, VCL_OP_NOMATCH};
	struct vcl_node *l = p_add(p);
	struct vcl_pos oppos;
	enum vcl_op op;

	if (l == NULL || !tok_op(p, toks, ops, 8, &op))
		return (l);
	oppos = p->tok.pos;
	vcl_p_next(p);
	return (binary(p, op, &oppos, l, p_add(p)));
}

static struct vcl_node *
p_not(struct vcl_parser *p)
{
	struct vcl_node *n;

	if (p->tok.kind != VCL_TK_NOT)
		return (p_cmp(p));
	n = vcl_p_node(p, VCL_N_UNARY, &p->tok.pos);
	vcl_p_next(p);
	if (n == NULL)
		return (NULL);
	n->u.unary.op = VCL_OP_NOT;
	n->u.unary.arg = p_cmp(p);
	if (n->u.unary.arg == NULL || vcl_p_hold(p, n, n->u.unary.arg) != 0)
		return (NULL);
	return (n);
}

/* operand { tok operand }: one operand as is, more as an n-ary kind. */
static struct vcl_node *
p_chain(struct vcl_parser *p, enum vcl_tok_kind tok, enum vcl_kind kind,
	struct vcl_node *(*operand)(struct vcl_parser *))
{
	struct vcl_node *first = operand(p), *n, *e;
	struct vcl_list l;

	if (first == NULL || p->tok.kind != tok)
		return (first);
	n = vcl_p_node(p, kind, &first->pos);
	if (n == NULL || vcl_p_hold(p, n, first) != 0)
		return (NULL);
	vcl_list_init(&l);
	vcl_list_add(&l, first);
	while (p->tok.kind == tok) {
		vcl_p_next(p);
		e = operand(p);
		if (e == NULL || vcl_p_hold(p, n, e) != 0)
			return (NULL);
		vcl_list_add(&l, e);
	}
	n->u.list.items = l.head;
	return (n);
}

static struct vcl_node *
p_and(struct vcl_parser *p)
{
	return (p_chain(p, VCL_TK_AND, VCL_N_AND, p_not));
}

struct vcl_node *
vcl_p_expr(struct vcl_parser *p)
{
	struct vcl_node *n;

	if (vcl_p_enter(p) != 0)
		return (NULL);
	n = p_chain(p, VCL_TK_OR, VCL_N_OR, p_and);
	if (n != NULL)
		vcl_p_leave(p);
	return (n);
}
