/*
 * vcl_lex.h: the VCL lexer. It scans one source on demand, a token at a
 * time, into storage the caller owns: no allocation at all.
 *
 * Identifiers are Varnish's: a letter, then letters, digits, '_' and '-';
 * a '.' followed by one of those joins components, so req.http.X-Forwarded-For
 * and std.tolower are one token ("a-b" is one identifier, "a - b" is a
 * subtraction). Strings are "..." (no escapes, no newline), {"..."} and
 * """...""" (both may span lines). Numbers are integers and reals, and the
 * same directly followed by a unit (10s, 1.5h, 10MB). Comments are //, #
 * and C's block comments (which do not nest). Inline C is refused.
 */
#ifndef VCL_LEX_H
#define VCL_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "vcl/vcl_diag.h"

/* Token kinds: the enum and their names come from this one list. */
#define VCL_TOKENS(X)                                                          \
	X(EOF, "end of input")                                                 \
	X(ERROR, "error")                                                      \
	X(ID, "identifier")                                                    \
	X(STRING, "string")                                                    \
	X(INT, "integer")                                                      \
	X(REAL, "real")                                                        \
	X(DURATION, "duration")                                                \
	X(BYTES, "bytes")                                                      \
	X(LBRACE, "{")                                                         \
	X(RBRACE, "}")                                                         \
	X(LPAREN, "(")                                                         \
	X(RPAREN, ")")                                                         \
	X(SEMI, ";")                                                           \
	X(COMMA, ",")                                                          \
	X(DOT, ".")                                                            \
	X(ASSIGN, "=")                                                         \
	X(EQ, "==")                                                            \
	X(NE, "!=")                                                            \
	X(LT, "<")                                                             \
	X(GT, ">")                                                             \
	X(LE, "<=")                                                            \
	X(GE, ">=")                                                            \
	X(MATCH, "~")                                                          \
	X(NOMATCH, "!~")                                                       \
	X(AND, "&&")                                                           \
	X(OR, "||")                                                            \
	X(NOT, "!")                                                            \
	X(PLUS, "+")                                                           \
	X(MINUS, "-")                                                          \
	X(STAR, "*")                                                           \
	X(SLASH, "/")                                                          \
	X(ADD_ASSIGN, "+=")                                                    \
	X(SUB_ASSIGN, "-=")                                                    \
	X(MUL_ASSIGN, "*=")                                                    \
	X(DIV_ASSIGN, "/=")

enum vcl_tok_kind {
#define VCL_TOK_ENUM(name, str) VCL_TK_##name,
	VCL_TOKENS(VCL_TOK_ENUM)
#undef VCL_TOK_ENUM
	    VCL_TK__COUNT
};

/* Units of durations and byte counts, as Varnish spells them. */
#define VCL_UNITS(X)                                                           \
	X(NONE, "", 0.0)                                                       \
	X(MS, "ms", 1e-3)                                                      \
	X(S, "s", 1.0)                                                         \
	X(M, "m", 60.0)                                                        \
	X(H, "h", 3600.0)                                                      \
	X(D, "d", 86400.0)                                                     \
	X(W, "w", 604800.0)                                                    \
	X(Y, "y", 31536000.0)                                                  \
	X(B, "B", 1.0)                                                         \
	X(KB, "KB", 1024.0)                                                    \
	X(MB, "MB", 1048576.0)                                                 \
	X(GB, "GB", 1073741824.0)                                              \
	X(TB, "TB", 1099511627776.0)

enum vcl_unit {
#define VCL_UNIT_ENUM(name, str, f) VCL_U_##name,
	VCL_UNITS(VCL_UNIT_ENUM)
#undef VCL_UNIT_ENUM
	    VCL_U__COUNT
};

/* The three ways to quote a string. */
enum vcl_quote {
	VCL_Q_PLAIN,  /* "..." */
	VCL_Q_BRACE,  /* {"..."} */
	VCL_Q_TRIPLE, /* """...""" */
};

/*
 * One token. Its pointers point into the source text the lexer was given
 * and are valid as long as that text is.
 */
struct vcl_tok {
	enum vcl_tok_kind kind;
	struct vcl_pos pos; /* where it starts */
	const char *p;      /* its bytes in the source */
	size_t len;
	/* VCL_TK_STRING: the bytes between the quotes, and how it was quoted */
	const char *s;
	size_t slen;
	enum vcl_quote quote;
	/* VCL_TK_INT, _REAL, _DURATION, _BYTES: the number (before any unit) */
	int64_t i;          /* VCL_TK_INT: the value */
	double num;         /* the number's value, for every numeric kind */
	size_t numlen;      /* bytes of the number in p (the unit follows) */
	enum vcl_unit unit; /* VCL_U_NONE for INT and REAL */
};

/* A token's text is quoted in messages up to this many bytes. */
#define VCL_TOK_QUOTE_MAX 40

struct vcl_lex {
	unsigned magic;
#define VCL_LEX_MAGIC 0x1e7c0a55u
	const char *text; /* not owned; must outlive the lexer and its tokens */
	size_t len;
	unsigned src; /* the source index put in every position */
	size_t off;   /* where scanning resumes */
	unsigned line, col;
	int failed;            /* an error was returned: it is returned again */
	struct vcl_pos errpos; /* where that error is */
	char err[192];         /* the message of that error */
};

/* Start scanning text[0..len) of source number src. */
void vcl_lex_init(struct vcl_lex *lx, unsigned src, const char *text,
		  size_t len);

/*
 * Scan the next token into *t and return its kind. At the end of the text
 * the kind is VCL_TK_EOF, as often as asked. On bad input it is VCL_TK_ERROR:
 * lx->err says what is wrong and t->pos where; the lexer then stays put
 * and returns the same error again.
 */
enum vcl_tok_kind vcl_lex_next(struct vcl_lex *lx, struct vcl_tok *t);

/* "identifier", "==", ... (a static string). */
const char *vcl_tok_kind_name(enum vcl_tok_kind k);

/* "ms", "KB", ... and the factor to seconds or bytes. */
const char *vcl_unit_name(enum vcl_unit u);
double vcl_unit_factor(enum vcl_unit u);
/* The unit spelled exactly by the n bytes at s, or VCL_U_NONE. */
enum vcl_unit vcl_unit_parse(const char *s, size_t n);
/* 1 for B, KB, MB, GB, TB; 0 for the rest. */
int vcl_unit_is_bytes(enum vcl_unit u);

/*
 * Describe a token for a message into buf: "end of input", or its text in
 * single quotes (cut at a newline or VCL_TOK_QUOTE_MAX bytes, with "...").
 * Returns buf.
 */
const char *vcl_tok_describe(const struct vcl_tok *t, char *buf, size_t size);

#endif
