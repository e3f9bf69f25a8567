/*
 * vcl_parse_int.h: what the parser's files share (private to vcl/): the
 * arena, the sources, the token stream with its include stack, and the
 * parser's state.
 */
#ifndef VCL_PARSE_INT_H
#define VCL_PARSE_INT_H

#include "vcl/vcl_assert.h"
#include "vcl/vcl_ast.h"

/* --- arena (vcl_ast.c) --- */

/* NULL when the arena is over VCL_MAX_ARENA or memory is short. */
void *vcl_arena_alloc(struct vcl_arena *ar, size_t size);
/* A NUL-terminated copy of s[0..len) in the arena, or NULL. */
char *vcl_arena_strndup(struct vcl_arena *ar, const char *s, size_t len);
struct vcl_ast *vcl_ast_new(void);

/* --- sources (vcl_src.c) --- */

/*
 * Add a source: a copy of text named name, included by source parent (-1:
 * none) at incl (NULL: none). Returns its index, or -1 after an error in d
 * at incl (too many sources or bytes, no memory).
 */
int vcl_src_add(struct vcl_ast *a, const char *name, const char *text,
		size_t len, int parent, const struct vcl_pos *incl,
		struct vcl_diag *d);
/*
 * Read the file at path as a source the same way; real is its realpath
 * (taken over; NULL if unknown). Errors (cannot open, too large) go to d
 * at incl, or without a place when incl is NULL.
 */
int vcl_src_load(struct vcl_ast *a, const char *path, char *real, int parent,
		 const struct vcl_pos *incl, struct vcl_diag *d);
/* The path an include of file in source from names (malloc'd, or NULL). */
char *vcl_src_resolve(const struct vcl_src *from, const char *file);

/* --- the parser (vcl_parse.c, vcl_parse_expr.c) --- */

struct vcl_parser {
	unsigned magic;
#define VCL_PARSER_MAGIC 0x9a125e77u
	struct vcl_ast *a;
	struct vcl_diag *d; /* may be NULL */
	/* the include stack: lex[0] the source parsed, lex[nlex-1] the top */
	struct vcl_lex lex[VCL_MAX_INCLUDE_DEPTH + 1];
	unsigned nlex;
	struct vcl_tok tok; /* the current token */
	struct vcl_tok la;  /* the one after it, when has_la */
	int has_la;
	unsigned nest;  /* recursion depth, bounded by VCL_MAX_NEST */
	int failed;     /* an error was reported: everything unwinds */
	unsigned flags; /* VCL_PARSE_* */
	char got[VCL_TOK_QUOTE_MAX + 16]; /* vcl_p_got's buffer */
};

/* Report an error at pos (the first one only) and mark the parse failed. */
void vcl_p_error(struct vcl_parser *p, const struct vcl_pos *pos,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Move to the next token (reading includes as they come). */
void vcl_p_next(struct vcl_parser *p);
/* The token after the current one. */
const struct vcl_tok *vcl_p_peek(struct vcl_parser *p);
/* The current token is an identifier spelled s. */
int vcl_p_is_id(const struct vcl_parser *p, const char *s);
/*
 * Expect a token of kind k: skip it and return 0, or report
 * "expected 'k' <ctx>, got <token>" and return -1.
 */
int vcl_p_expect(struct vcl_parser *p, enum vcl_tok_kind k, const char *ctx);
/* Enter/leave a nested construct; enter fails past VCL_MAX_NEST. */
int vcl_p_enter(struct vcl_parser *p);
void vcl_p_leave(struct vcl_parser *p);

/* A node of kind k at pos (depth 1), or NULL after an error. */
struct vcl_node *vcl_p_node(struct vcl_parser *p, enum vcl_kind k,
			    const struct vcl_pos *pos);
/* size zeroed bytes in the arena, or NULL after an error. */
void *vcl_p_alloc(struct vcl_parser *p, size_t size);
/* An arena copy of s[0..len), or NULL after an error. */
char *vcl_p_strdup(struct vcl_parser *p, const char *s, size_t len);
/*
 * Raise n's depth to hold child c (NULL: nothing) or a list starting at
 * c; returns -1 after an error when n gets deeper than VCL_MAX_DEPTH.
 */
int vcl_p_hold(struct vcl_parser *p, struct vcl_node *n,
	       const struct vcl_node *c);
int vcl_p_hold_list(struct vcl_parser *p, struct vcl_node *n,
		    const struct vcl_node *list);

/* Nodes chained through next, appended at the tail in O(1). */
struct vcl_list {
	struct vcl_node *head;
	struct vcl_node **tailp;
};

static inline void
vcl_list_init(struct vcl_list *l)
{
	l->head = NULL;
	l->tailp = &l->head;
}

static inline void
vcl_list_add(struct vcl_list *l, struct vcl_node *n)
{
	*l->tailp = n;
	l->tailp = &n->next;
}

/* An expression (vcl_parse_expr.c); NULL after an error. */
struct vcl_node *vcl_p_expr(struct vcl_parser *p);
/*
 * The current identifier as an IDENT, or as an FCALL with its arguments
 * when a '(' follows (return actions, call statements, terms).
 */
struct vcl_node *vcl_p_call(struct vcl_parser *p);
/* The current token, a string literal, as a STRING node. */
struct vcl_node *vcl_p_string(struct vcl_parser *p);
/* A statement (vcl_parse_stmt.c), the current token its first. */
struct vcl_node *vcl_p_stmt(struct vcl_parser *p);
/*
 * '{' statements '}' (the current token is the '{') into *items, raising
 * owner's depth; what names the block in a message. 0 or -1.
 */
int vcl_p_block(struct vcl_parser *p, struct vcl_node *owner,
		struct vcl_node **items, const char *what);
/*
 * '{' items '}' (the current token is the '{'; what says where, for the
 * message when it is not) into *items, each parsed by item, which reports
 * its own errors; raises owner's depth. 0 or -1.
 */
int vcl_p_braced(struct vcl_parser *p, struct vcl_node *owner,
		 struct vcl_node **items, const char *what,
		 struct vcl_node *(*item)(struct vcl_parser *));
/* The current token as a name of a what ("subroutine"): no '.' in it. */
const char *vcl_p_name(struct vcl_parser *p, const char *what,
		       struct vcl_pos *pos);
/* Describe the current token for a message (in p, until the next call). */
const char *vcl_p_got(struct vcl_parser *p);
/* An identifier that is a statement keyword: it never starts a term. */
int vcl_p_is_keyword(const struct vcl_tok *t);

#endif
