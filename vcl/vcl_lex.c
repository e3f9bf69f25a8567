/* vcl_lex.c: the VCL lexer (see vcl_lex.h for the token rules). */
#include "vcl/vcl_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_assert.h"

/* A number longer than this is refused, not truncated. */
#define LEX_MAX_NUMBER 64

static const char *const tok_names[] = {
#define VCL_TOK_NAME(name, str) [VCL_TK_##name] = str,
    VCL_TOKENS(VCL_TOK_NAME)
#undef VCL_TOK_NAME
};

static const struct {
	const char *name;
	double factor;
} units[] = {
#define VCL_UNIT_DEF(name, str, f) [VCL_U_##name] = {str, f},
    VCL_UNITS(VCL_UNIT_DEF)
#undef VCL_UNIT_DEF
};

/* Operators, longest first where one is a prefix of another. */
static const struct {
	const char *s;
	enum vcl_tok_kind kind;
} ops[] = {
    {"==", VCL_TK_EQ},         {"!=", VCL_TK_NE},
    {"<=", VCL_TK_LE},         {">=", VCL_TK_GE},
    {"!~", VCL_TK_NOMATCH},    {"&&", VCL_TK_AND},
    {"||", VCL_TK_OR},         {"+=", VCL_TK_ADD_ASSIGN},
    {"-=", VCL_TK_SUB_ASSIGN}, {"*=", VCL_TK_MUL_ASSIGN},
    {"/=", VCL_TK_DIV_ASSIGN}, {"{", VCL_TK_LBRACE},
    {"}", VCL_TK_RBRACE},      {"(", VCL_TK_LPAREN},
    {")", VCL_TK_RPAREN},      {";", VCL_TK_SEMI},
    {",", VCL_TK_COMMA},       {".", VCL_TK_DOT},
    {"=", VCL_TK_ASSIGN},      {"<", VCL_TK_LT},
    {">", VCL_TK_GT},          {"~", VCL_TK_MATCH},
    {"!", VCL_TK_NOT},         {"+", VCL_TK_PLUS},
    {"-", VCL_TK_MINUS},       {"*", VCL_TK_STAR},
    {"/", VCL_TK_SLASH},
};

const char *
vcl_tok_kind_name(enum vcl_tok_kind k)
{
	VCL_ASSERT(k < VCL_TK__COUNT);
	return (tok_names[k]);
}

const char *
vcl_unit_name(enum vcl_unit u)
{
	VCL_ASSERT(u < VCL_U__COUNT);
	return (units[u].name);
}

double
vcl_unit_factor(enum vcl_unit u)
{
	VCL_ASSERT(u < VCL_U__COUNT);
	return (units[u].factor);
}

int
vcl_unit_is_bytes(enum vcl_unit u)
{
	return (u >= VCL_U_B && u <= VCL_U_TB);
}

static int
is_alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int
is_digit(int c)
{
	return (c >= '0' && c <= '9');
}

/* May continue an identifier component. */
static int
is_ident(int c)
{
	return (is_alpha(c) || is_digit(c) || c == '_' || c == '-');
}

static int
is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		c == '\f');
}

void
vcl_lex_init(struct vcl_lex *lx, unsigned src, const char *text, size_t len)
{
	VCL_AN(lx);
	VCL_AN(text != NULL || len == 0);
	memset(lx, 0, sizeof *lx);
	lx->magic = VCL_LEX_MAGIC;
	lx->text = text != NULL ? text : "";
	lx->len = len;
	lx->src = src;
	lx->line = 1;
	lx->col = 1;
}

/* The byte at off + i, or 0 past the end (the text need not end in NUL). */
static int
at(const struct vcl_lex *lx, size_t i)
{
	return (lx->off + i < lx->len ? (unsigned char)lx->text[lx->off + i]
				      : 0);
}

static int
starts(const struct vcl_lex *lx, const char *s)
{
	size_t n = strlen(s);
	return (lx->len - lx->off >= n &&
		memcmp(lx->text + lx->off, s, n) == 0);
}

/* Move n bytes on, counting lines and columns. */
static void
adv(struct vcl_lex *lx, size_t n)
{
	VCL_ASSERT(n <= lx->len - lx->off);
	for (; n > 0; n--, lx->off++) {
		if (lx->text[lx->off] == '\n') {
			lx->line++;
			lx->col = 1;
		} else
			lx->col++;
	}
}

static void
here(const struct vcl_lex *lx, struct vcl_pos *pos)
{
	pos->src = lx->src;
	pos->line = lx->line;
	pos->col = lx->col;
	pos->off = lx->off;
}

/* Make t an error at the lexer's place; the lexer does not move. */
static enum vcl_tok_kind lex_error(struct vcl_lex *lx, struct vcl_tok *t,
				   const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum vcl_tok_kind
lex_error(struct vcl_lex *lx, struct vcl_tok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->err, sizeof lx->err, fmt, ap);
	va_end(ap);
	here(lx, &lx->errpos);
	lx->failed = 1;
	t->pos = lx->errpos;
	t->kind = VCL_TK_ERROR;
	t->p = lx->text + lx->off;
	t->len = 0;
	return (VCL_TK_ERROR);
}

/*
 * Skip blanks and comments. Returns 0, or -1 with an error in t (an
 * unterminated or nested block comment).
 */
static int
skip_blank(struct vcl_lex *lx, struct vcl_tok *t)
{
	size_t i;

	for (;;) {
		if (is_space(at(lx, 0))) {
			adv(lx, 1);
		} else if (at(lx, 0) == '#' || starts(lx, "//")) {
			for (i = 0; at(lx, i) != '\n' && lx->off + i < lx->len;)
				i++;
			adv(lx, i);
		} else if (starts(lx, "/*")) {
			for (i = 2; lx->off + i < lx->len; i++) {
				if (at(lx, i) == '*' && at(lx, i + 1) == '/')
					break;
				if (at(lx, i) == '/' && at(lx, i + 1) == '*') {
					adv(lx, i);
					lex_error(lx, t,
						  "'/*' inside a /* comment "
						  "(comments do not nest)");
					return (-1);
				}
			}
			if (lx->off + i >= lx->len) {
				lex_error(lx, t, "unterminated /* comment");
				return (-1);
			}
			adv(lx, i + 2);
		} else
			return (0);
	}
}

/* Finish t as a token of kind k that covers the next n bytes. */
static enum vcl_tok_kind
take(struct vcl_lex *lx, struct vcl_tok *t, enum vcl_tok_kind k, size_t n)
{
	t->kind = k;
	t->p = lx->text + lx->off;
	t->len = n;
	adv(lx, n);
	return (k);
}

/* Where the delimiter d occurs at or after off + i; the length when none. */
static size_t
find(const struct vcl_lex *lx, size_t i, const char *d)
{
	size_t n = strlen(d);

	for (; lx->off + i + n <= lx->len; i++)
		if (memcmp(lx->text + lx->off + i, d, n) == 0)
			return (i);
	return (lx->len - lx->off);
}

/* Where c1 or c2 occurs at or after off + i; the length when neither. */
static size_t
find_either(const struct vcl_lex *lx, size_t i, char c1, char c2)
{
	for (; lx->off + i < lx->len; i++)
		if (lx->text[lx->off + i] == c1 || lx->text[lx->off + i] == c2)
			return (i);
	return (lx->len - lx->off);
}

/* A NUL byte between off + b and off + e: an error at it, else 0. */
static int
check_nul(struct vcl_lex *lx, struct vcl_tok *t, size_t b, size_t e)
{
	const char *z = memchr(lx->text + lx->off + b, '\0', e - b);

	if (z == NULL)
		return (0);
	adv(lx, (size_t)(z - (lx->text + lx->off)));
	lex_error(lx, t, "NUL byte in a string");
	return (-1);
}

/* A string quoted q..q, q being "\"", "{\"" or "\"\"\"". */
static enum vcl_tok_kind
lex_string(struct vcl_lex *lx, struct vcl_tok *t, enum vcl_quote quote)
{
	static const char *const open[] = {"\"", "{\"", "\"\"\""};
	static const char *const close[] = {"\"", "\"}", "\"\"\""};
	size_t ol = strlen(open[quote]), cl = strlen(close[quote]), e;

	/* one pass, so that many strings on one long line stay linear */
	e = quote == VCL_Q_PLAIN ? find_either(lx, ol, '"', '\n')
				 : find(lx, ol, close[quote]);
	if (lx->off + e < lx->len && lx->text[lx->off + e] == '\n')
		return (lex_error(
		    lx, t,
		    "unterminated string (a \"...\" string cannot span "
		    "lines; use {\"...\"} for that)"));
	if (lx->off + e >= lx->len)
		return (
		    lex_error(lx, t, "unterminated %s",
			      quote == VCL_Q_PLAIN ? "string" : "long string"));
	if (check_nul(lx, t, ol, e) != 0)
		return (VCL_TK_ERROR);
	t->s = lx->text + lx->off + ol;
	t->slen = e - ol;
	t->quote = quote;
	return (take(lx, t, VCL_TK_STRING, e + cl));
}

static enum vcl_tok_kind
lex_ident(struct vcl_lex *lx, struct vcl_tok *t)
{
	size_t i = 1;

	for (;;) {
		if (is_ident(at(lx, i)))
			i++;
		else if (at(lx, i) == '.' && is_ident(at(lx, i + 1)))
			i += 2;
		else
			break;
	}
	return (take(lx, t, VCL_TK_ID, i));
}

enum vcl_unit
vcl_unit_parse(const char *s, size_t n)
{
	for (unsigned u = VCL_U_NONE + 1; u < VCL_U__COUNT; u++)
		if (strlen(units[u].name) == n &&
		    memcmp(units[u].name, s, n) == 0)
			return ((enum vcl_unit)u);
	return (VCL_U_NONE);
}

/* Digits of the integer part, then '.' and digits when a digit follows. */
static size_t
number_len(const struct vcl_lex *lx, int *isreal)
{
	size_t i = 0;

	while (is_digit(at(lx, i)))
		i++;
	*isreal = 0;
	if (at(lx, i) == '.' && is_digit(at(lx, i + 1))) {
		*isreal = 1;
		for (i++; is_digit(at(lx, i));)
			i++;
	}
	return (i);
}

/* The value of the n-byte number at the lexer: 0, or an error in t. */
static int
number_value(struct vcl_lex *lx, struct vcl_tok *t, size_t n, int isreal)
{
	char buf[LEX_MAX_NUMBER + 1];
	char *end;
	long long ll;

	if (n > LEX_MAX_NUMBER) {
		lex_error(lx, t, "number too long (more than %d digits)",
			  LEX_MAX_NUMBER);
		return (-1);
	}
	memcpy(buf, lx->text + lx->off, n);
	buf[n] = '\0';
	t->num = strtod(buf, &end);
	t->i = 0;
	if (isreal)
		return (0);
	errno = 0;
	ll = strtoll(buf, &end, 10);
	if (errno == ERANGE) {
		lex_error(lx, t, "integer '%s' is too large", buf);
		return (-1);
	}
	t->i = ll;
	return (0);
}

static enum vcl_tok_kind
lex_number(struct vcl_lex *lx, struct vcl_tok *t)
{
	int isreal;
	size_t n = number_len(lx, &isreal), u = n;
	enum vcl_unit unit;

	if (number_value(lx, t, n, isreal) != 0)
		return (VCL_TK_ERROR);
	while (is_alpha(at(lx, u)) || is_digit(at(lx, u)) || at(lx, u) == '_')
		u++;
	t->numlen = n;
	t->unit = VCL_U_NONE;
	if (u == n)
		return (take(lx, t, isreal ? VCL_TK_REAL : VCL_TK_INT, n));
	unit = vcl_unit_parse(lx->text + lx->off + n, u - n);
	if (unit == VCL_U_NONE) {
		adv(lx, n);
		return (lex_error(
		    lx, t,
		    "unknown unit '%.*s' (durations: ms, s, m, h, d, w, y; "
		    "bytes: B, KB, MB, GB, TB)",
		    (int)(u - n > 32 ? 32 : u - n), lx->text + lx->off));
	}
	t->unit = unit;
	return (take(
	    lx, t, vcl_unit_is_bytes(unit) ? VCL_TK_BYTES : VCL_TK_DURATION, u));
}

static enum vcl_tok_kind
lex_op(struct vcl_lex *lx, struct vcl_tok *t)
{
	int c = at(lx, 0);

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (starts(lx, ops[i].s))
			return (take(lx, t, ops[i].kind, strlen(ops[i].s)));
	if (c >= 0x21 && c < 0x7f)
		return (lex_error(lx, t, "unexpected character '%c'", c));
	return (lex_error(lx, t, "unexpected byte 0x%02x", (unsigned)c));
}

enum vcl_tok_kind
vcl_lex_next(struct vcl_lex *lx, struct vcl_tok *t)
{
	int c;

	VCL_CHECK_OBJ_NOTNULL(lx, VCL_LEX_MAGIC);
	VCL_AN(t);
	memset(t, 0, sizeof *t);
	if (lx->failed) {
		t->kind = VCL_TK_ERROR;
		t->pos = lx->errpos;
		t->p = lx->text + lx->errpos.off;
		return (VCL_TK_ERROR);
	}
	if (skip_blank(lx, t) != 0)
		return (VCL_TK_ERROR);
	here(lx, &t->pos);
	if (lx->off >= lx->len)
		return (take(lx, t, VCL_TK_EOF, 0));
	c = at(lx, 0);
	if (starts(lx, "\"\"\""))
		return (lex_string(lx, t, VCL_Q_TRIPLE));
	if (c == '"')
		return (lex_string(lx, t, VCL_Q_PLAIN));
	if (starts(lx, "{\""))
		return (lex_string(lx, t, VCL_Q_BRACE));
	if (starts(lx, "C{"))
		return (lex_error(lx, t, "inline C is not supported"));
	if (is_alpha(c))
		return (lex_ident(lx, t));
	if (is_digit(c))
		return (lex_number(lx, t));
	return (lex_op(lx, t));
}

const char *
vcl_tok_describe(const struct vcl_tok *t, char *buf, size_t size)
{
	size_t n;
	const char *nl;

	VCL_AN(t);
	VCL_AN(size > 0);
	if (t->kind == VCL_TK_EOF || t->kind == VCL_TK_ERROR) {
		snprintf(buf, size, "%s", tok_names[t->kind]);
		return (buf);
	}
	n = t->len;
	nl = memchr(t->p, '\n', n);
	if (nl != NULL)
		n = (size_t)(nl - t->p);
	if (n > VCL_TOK_QUOTE_MAX)
		n = VCL_TOK_QUOTE_MAX;
	snprintf(buf, size, "'%.*s%s'", (int)n, t->p, n < t->len ? "..." : "");
	return (buf);
}
