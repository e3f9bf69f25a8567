/*
 * vcl_parse.c: the parser's token stream (with includes spliced in as they
 * come), its helpers, the top-level declarations and the entry points.
 * Statements are in vcl_parse_stmt.c, expressions in vcl_parse_expr.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_parse_int.h"

/* --- errors and the token stream --- */

void
vcl_p_error(struct vcl_parser *p, const struct vcl_pos *pos, const char *fmt,
	    ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vcl_diag_addv(p->d, VCL_SEV_ERROR, p->a, pos, fmt, ap);
	va_end(ap);
}

static int
tok_is(const struct vcl_tok *t, const char *s)
{
	return (t->kind == VCL_TK_ID && t->len == strlen(s) &&
		memcmp(t->p, s, t->len) == 0);
}

int
vcl_p_is_id(const struct vcl_parser *p, const char *s)
{
	return (tok_is(&p->tok, s));
}

const char *
vcl_p_got(struct vcl_parser *p)
{
	return (vcl_tok_describe(&p->tok, p->got, sizeof p->got));
}

/* A raw token from the top lexer: 0, or -1 after reporting its error. */
static int
lex_one(struct vcl_parser *p, struct vcl_tok *t)
{
	struct vcl_lex *lx = &p->lex[p->nlex - 1];

	if (vcl_lex_next(lx, t) != VCL_TK_ERROR)
		return (0);
	vcl_p_error(p, &t->pos, "%s", lx->err);
	return (-1);
}

/* Is the realpath real that of a source being read (an include cycle)? */
static int
include_cycle(const struct vcl_parser *p, const char *real)
{
	const struct vcl_src *s;

	if (real == NULL)
		return (0);
	for (unsigned i = 0; i < p->nlex; i++) {
		s = p->a->srcs[p->lex[i].src];
		if (s->real != NULL && strcmp(s->real, real) == 0)
			return (1);
	}
	return (0);
}

/* Open the file an include names and push a lexer on it. */
static int
include_open(struct vcl_parser *p, const struct vcl_pos *ipos,
	     const struct vcl_tok *file)
{
	struct vcl_lex *lx = &p->lex[p->nlex - 1];
	char *name, *path, *real;
	int i = -1;

	name = vcl_p_strdup(p, file->s, file->slen);
	if (name == NULL)
		return (-1);
	path = vcl_src_resolve(p->a->srcs[lx->src], name);
	if (path == NULL) {
		vcl_p_error(p, ipos, "out of memory");
		return (-1);
	}
	real = realpath(path, NULL);
	if (include_cycle(p, real)) {
		vcl_p_error(p, ipos,
			    "include cycle: '%s' is already being read", path);
		free(real);
	} else {
		i = vcl_src_load(p->a, path, real, (int)lx->src, ipos, p->d);
		p->failed |= i < 0;
	}
	free(path);
	if (i < 0)
		return (-1);
	vcl_lex_init(&p->lex[p->nlex++], (unsigned)i, p->a->srcs[i]->text,
		     p->a->srcs[i]->len);
	return (0);
}

/* include "file"; (the 'include' just read): the file's tokens follow. */
static int
include(struct vcl_parser *p, const struct vcl_tok *kw)
{
	struct vcl_tok file, semi;
	char b[VCL_TOK_QUOTE_MAX + 16];

	if (lex_one(p, &file) != 0)
		return (-1);
	if (file.kind != VCL_TK_STRING) {
		vcl_p_error(
		    p, &file.pos,
		    "expected a file name (a string) after 'include', got %s",
		    vcl_tok_describe(&file, b, sizeof b));
		return (-1);
	}
	if (lex_one(p, &semi) != 0)
		return (-1);
	if (semi.kind != VCL_TK_SEMI) {
		vcl_p_error(p, &semi.pos,
			    "expected ';' after include statement, got %s",
			    vcl_tok_describe(&semi, b, sizeof b));
		return (-1);
	}
	if (p->flags & VCL_PARSE_NO_INCLUDE) {
		vcl_p_error(p, &kw->pos, "include is not allowed here");
		return (-1);
	}
	if (file.slen == 0) {
		vcl_p_error(p, &kw->pos, "include of an empty file name");
		return (-1);
	}
	if (p->nlex > VCL_MAX_INCLUDE_DEPTH) {
		vcl_p_error(p, &kw->pos,
			    "includes nested too deeply (more than %d levels)",
			    VCL_MAX_INCLUDE_DEPTH);
		return (-1);
	}
	/* Errors about the file point at its name, as Varnish does. */
	return (include_open(p, &file.pos, &file));
}

/* The next token with includes expanded and finished includes popped. */
static void
fetch(struct vcl_parser *p, struct vcl_tok *t)
{
	while (!p->failed) {
		if (lex_one(p, t) != 0)
			break;
		if (t->kind == VCL_TK_EOF && p->nlex > 1) {
			p->nlex--;
			continue;
		}
		if (!tok_is(t, "include"))
			return;
		if (include(p, t) != 0)
			break;
	}
	t->kind = VCL_TK_ERROR;
}

void
vcl_p_next(struct vcl_parser *p)
{
	if (p->has_la) {
		p->tok = p->la;
		p->has_la = 0;
	} else
		fetch(p, &p->tok);
	if (p->failed)
		p->tok.kind = VCL_TK_ERROR;
}

const struct vcl_tok *
vcl_p_peek(struct vcl_parser *p)
{
	if (!p->has_la) {
		fetch(p, &p->la);
		p->has_la = 1;
	}
	return (&p->la);
}

int
vcl_p_expect(struct vcl_parser *p, enum vcl_tok_kind k, const char *ctx)
{
	if (p->tok.kind != k) {
		vcl_p_error(p, &p->tok.pos, "expected '%s' %s, got %s",
			    vcl_tok_kind_name(k), ctx, vcl_p_got(p));
		return (-1);
	}
	vcl_p_next(p);
	return (p->failed ? -1 : 0);
}

int
vcl_p_enter(struct vcl_parser *p)
{
	if (p->nest >= VCL_MAX_NEST) {
		vcl_p_error(p, &p->tok.pos,
			    "nesting too deep (more than %d levels)",
			    VCL_MAX_NEST);
		return (-1);
	}
	p->nest++;
	return (0);
}

void
vcl_p_leave(struct vcl_parser *p)
{
	VCL_ASSERT(p->nest > 0);
	p->nest--;
}

/* --- nodes --- */

static void
no_memory(struct vcl_parser *p, const struct vcl_pos *pos)
{
	vcl_p_error(p, pos,
		    "out of memory for the syntax tree (at most %u MiB)",
		    VCL_MAX_ARENA >> 20);
}

struct vcl_node *
vcl_p_node(struct vcl_parser *p, enum vcl_kind k, const struct vcl_pos *pos)
{
	struct vcl_node *n;

	if (p->failed)
		return (NULL);
	n = vcl_arena_alloc(p->a->arena, sizeof *n);
	if (n == NULL) {
		no_memory(p, pos);
		return (NULL);
	}
	n->magic = VCL_NODE_MAGIC;
	n->kind = k;
	n->pos = *pos;
	n->depth = 1;
	return (n);
}

void *
vcl_p_alloc(struct vcl_parser *p, size_t size)
{
	void *r = vcl_arena_alloc(p->a->arena, size);

	if (r == NULL)
		no_memory(p, &p->tok.pos);
	return (r);
}

char *
vcl_p_strdup(struct vcl_parser *p, const char *s, size_t len)
{
	char *r = vcl_arena_strndup(p->a->arena, s, len);

	if (r == NULL)
		no_memory(p, &p->tok.pos);
	return (r);
}

int
vcl_p_hold(struct vcl_parser *p, struct vcl_node *n, const struct vcl_node *c)
{
	if (c == NULL)
		return (0);
	if (c->depth + 1 > n->depth)
		n->depth = c->depth + 1;
	if (n->depth <= VCL_MAX_DEPTH)
		return (0);
	vcl_p_error(
	    p, &p->tok.pos,
	    "too deeply nested: the syntax tree would be more than %d levels "
	    "deep",
	    VCL_MAX_DEPTH);
	return (-1);
}

int
vcl_p_hold_list(struct vcl_parser *p, struct vcl_node *n,
		const struct vcl_node *list)
{
	for (; list != NULL; list = list->next)
		if (vcl_p_hold(p, n, list) != 0)
			return (-1);
	return (0);
}

int
vcl_p_braced(struct vcl_parser *p, struct vcl_node *owner,
	     struct vcl_node **items, const char *what,
	     struct vcl_node *(*item)(struct vcl_parser *))
{
	struct vcl_pos open = p->tok.pos;
	struct vcl_list l;
	struct vcl_node *s;

	if (vcl_p_expect(p, VCL_TK_LBRACE, what) != 0 || vcl_p_enter(p) != 0)
		return (-1);
	vcl_list_init(&l);
	while (p->tok.kind != VCL_TK_RBRACE) {
		if (p->tok.kind == VCL_TK_EOF) {
			vcl_p_error(
			    p, &p->tok.pos,
			    "end of input inside a block: a '}' is missing");
			vcl_diag_add(p->d, VCL_SEV_NOTE, p->a, &open,
				     "the block starts here");
			return (-1);
		}
		s = item(p);
		if (s == NULL || vcl_p_hold(p, owner, s) != 0)
			return (-1);
		vcl_list_add(&l, s);
	}
	vcl_p_leave(p);
	*items = l.head;
	vcl_p_next(p);
	return (p->failed ? -1 : 0);
}

const char *
vcl_p_name(struct vcl_parser *p, const char *what, struct vcl_pos *pos)
{
	const char *name;

	if (p->tok.kind != VCL_TK_ID) {
		vcl_p_error(p, &p->tok.pos, "expected %s %s name, got %s",
			    strchr("aeiou", what[0]) != NULL ? "an" : "a", what,
			    vcl_p_got(p));
		return (NULL);
	}
	if (memchr(p->tok.p, '.', p->tok.len) != NULL) {
		vcl_p_error(p, &p->tok.pos,
			    "invalid %s name %s: a name cannot contain '.'",
			    what, vcl_p_got(p));
		return (NULL);
	}
	if (pos != NULL)
		*pos = p->tok.pos;
	name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	return (p->failed ? NULL : name);
}

/* --- declarations --- */

static struct vcl_node *
p_version(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_VERSION, &p->tok.pos);
	const char *v;
	unsigned syntax;

	vcl_p_next(p);
	if (n == NULL || p->failed)
		return (NULL);
	v = p->tok.p;
	if (p->tok.kind != VCL_TK_REAL || p->tok.len != 3) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "expected a version (4.0 or 4.1) after 'vcl', got %s",
		    vcl_p_got(p));
		return (NULL);
	}
	n->u.version.major = (unsigned)(v[0] - '0');
	n->u.version.minor = (unsigned)(v[2] - '0');
	syntax = n->u.version.major * 10 + n->u.version.minor;
	if (syntax != 40 && syntax != 41) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "VCL version %.3s is not supported (4.0 and 4.1 are)", v);
		return (NULL);
	}
	if (p->a->syntax != 0 && syntax > p->a->syntax) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "VCL version %.3s is higher than the main VCL's %u.%u", v,
		    p->a->syntax / 10, p->a->syntax % 10);
		return (NULL);
	}
	if (p->a->syntax == 0)
		p->a->syntax = syntax;
	vcl_p_next(p);
	if (vcl_p_expect(p, VCL_TK_SEMI, "after the VCL version") != 0)
		return (NULL);
	return (n);
}

static struct vcl_node *
p_import(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_IMPORT, &p->tok.pos);

	vcl_p_next(p);
	if (n == NULL ||
	    (n->u.import.name = vcl_p_name(p, "vmod", NULL)) == NULL)
		return (NULL);
	if (vcl_p_is_id(p, "from")) {
		vcl_p_next(p);
		if (p->tok.kind != VCL_TK_STRING) {
			vcl_p_error(
			    p, &p->tok.pos,
			    "expected a path (a string) after 'from', got %s",
			    vcl_p_got(p));
			return (NULL);
		}
		n->u.import.from = vcl_p_strdup(p, p->tok.s, p->tok.slen);
		vcl_p_next(p);
	}
	if (vcl_p_expect(p, VCL_TK_SEMI, "after import statement") != 0)
		return (NULL);
	return (n);
}

static int p_fields(struct vcl_parser *p, struct vcl_node *owner,
		    struct vcl_node **items, const char *what);

/* A field's value: { fields }, "adjacent" "strings", or an expression. */
static struct vcl_node *
p_field_value(struct vcl_parser *p, const char *field)
{
	struct vcl_node *n;
	struct vcl_list l;

	if (p->tok.kind == VCL_TK_LBRACE) {
		n = vcl_p_node(p, VCL_N_OBJECT, &p->tok.pos);
		if (n == NULL || p_fields(p, n, &n->u.list.items, field) != 0)
			return (NULL);
		if (p->tok.kind == VCL_TK_SEMI)
			vcl_p_next(p);
		return (n);
	}
	if (p->tok.kind != VCL_TK_STRING || vcl_p_peek(p)->kind != VCL_TK_STRING)
		n = vcl_p_expr(p);
	else if ((n = vcl_p_node(p, VCL_N_STRLIST, &p->tok.pos)) != NULL) {
		vcl_list_init(&l);
		while (p->tok.kind == VCL_TK_STRING) {
			struct vcl_node *s = vcl_p_string(p);

			if (s == NULL || p->failed)
				return (NULL);
			vcl_list_add(&l, s);
		}
		n->u.list.items = l.head;
		(void)vcl_p_hold_list(p, n, l.head);
	}
	if (n == NULL || p->failed)
		return (NULL);
	if (vcl_p_expect(p, VCL_TK_SEMI, field) != 0)
		return (NULL);
	return (n);
}

/* .name = value */
static struct vcl_node *
p_field(struct vcl_parser *p)
{
	struct vcl_node *n;
	char ctx[96];

	if (p->tok.kind != VCL_TK_DOT) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "expected a field ('.name = value;') or '}', got %s",
		    vcl_p_got(p));
		return (NULL);
	}
	n = vcl_p_node(p, VCL_N_FIELD, &p->tok.pos);
	vcl_p_next(p);
	if (n == NULL || p->failed)
		return (NULL);
	if (p->tok.kind != VCL_TK_ID) {
		vcl_p_error(p, &p->tok.pos,
			    "expected a field name after '.', got %s",
			    vcl_p_got(p));
		return (NULL);
	}
	n->u.named.namepos = p->tok.pos;
	n->u.named.name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	snprintf(ctx, sizeof ctx, "after '.%.40s'", n->u.named.name);
	if (vcl_p_expect(p, VCL_TK_ASSIGN, ctx) != 0)
		return (NULL);
	snprintf(ctx, sizeof ctx, "after the value of '.%.40s'",
		 n->u.named.name);
	n->u.named.value = p_field_value(p, ctx);
	if (vcl_p_hold(p, n, n->u.named.value) != 0)
		return (NULL);
	return (n->u.named.value != NULL ? n : NULL);
}

/* { .field = value; ... } into *items (the current token is the '{'). */
static int
p_fields(struct vcl_parser *p, struct vcl_node *owner, struct vcl_node **items,
	 const char *what)
{
	return (vcl_p_braced(p, owner, items, what, p_field));
}

/* backend name { fields } | backend name none; | probe name { fields } */
static struct vcl_node *
p_backend(struct vcl_parser *p)
{
	enum vcl_kind k = vcl_p_is_id(p, "probe") ? VCL_N_PROBE : VCL_N_BACKEND;
	struct vcl_node *n = vcl_p_node(p, k, &p->tok.pos);
	const char *what = vcl_kind_name(k);

	vcl_p_next(p);
	if (n == NULL ||
	    (n->u.decl.name = vcl_p_name(p, what, &n->u.decl.namepos)) == NULL)
		return (NULL);
	if (k == VCL_N_BACKEND && vcl_p_is_id(p, "none")) {
		n->u.decl.none = 1;
		vcl_p_next(p);
		if (vcl_p_expect(p, VCL_TK_SEMI, "after 'none'") != 0)
			return (NULL);
		return (n);
	}
	if (p_fields(p, n, &n->u.decl.items,
		     k == VCL_N_BACKEND ? "or 'none' after the backend name"
					: "after the probe name") != 0)
		return (NULL);
	return (n);
}

/* +flag or -flag after an acl's name */
static struct vcl_node *
p_acl_flag(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_ACL_FLAG, &p->tok.pos);

	if (n == NULL)
		return (NULL);
	n->u.aclflag.on = p->tok.kind == VCL_TK_PLUS;
	vcl_p_next(p);
	if (p->tok.kind != VCL_TK_ID) {
		vcl_p_error(p, &p->tok.pos,
			    "expected an acl flag name after "
			    "'%c', got %s",
			    n->u.aclflag.on ? '+' : '-', vcl_p_got(p));
		return (NULL);
	}
	n->u.aclflag.name = vcl_p_strdup(p, p->tok.p, p->tok.len);
	vcl_p_next(p);
	return (p->failed ? NULL : n);
}

/* /len after an acl entry's address: 0, or -1 after an error */
static int
p_acl_mask(struct vcl_parser *p, struct vcl_node *n)
{
	n->u.aclent.mask = -1;
	if (p->tok.kind != VCL_TK_SLASH)
		return (0);
	vcl_p_next(p);
	if (p->tok.kind != VCL_TK_INT) {
		vcl_p_error(p, &p->tok.pos,
			    "expected a prefix length after '/', got %s",
			    vcl_p_got(p));
		return (-1);
	}
	if (p->tok.i > 128) {
		vcl_p_error(p, &p->tok.pos,
			    "prefix length %s is out of range (0 to 128)",
			    vcl_p_got(p));
		return (-1);
	}
	n->u.aclent.mask = (int)p->tok.i;
	vcl_p_next(p);
	return (p->failed ? -1 : 0);
}

/* [!] ["("] [!] "address" [/len] [")"] ; */
static struct vcl_node *
p_acl_entry(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_ACL_ENTRY, &p->tok.pos);

	if (n == NULL)
		return (NULL);
	if (p->tok.kind == VCL_TK_NOT) {
		n->u.aclent.negated = 1;
		vcl_p_next(p);
	}
	if (p->tok.kind == VCL_TK_LPAREN) {
		n->u.aclent.paren = 1;
		vcl_p_next(p);
	}
	if (p->tok.kind == VCL_TK_NOT && !n->u.aclent.negated) {
		n->u.aclent.negated = 1;
		vcl_p_next(p);
	}
	if (p->tok.kind != VCL_TK_STRING) {
		vcl_p_error(p, &p->tok.pos,
			    "expected an address (a string) in the acl, got %s",
			    vcl_p_got(p));
		return (NULL);
	}
	n->u.aclent.addr = vcl_p_string(p);
	if (vcl_p_hold(p, n, n->u.aclent.addr) != 0 || p_acl_mask(p, n) != 0)
		return (NULL);
	if (n->u.aclent.paren &&
	    vcl_p_expect(p, VCL_TK_RPAREN, "after the acl entry") != 0)
		return (NULL);
	if (vcl_p_expect(p, VCL_TK_SEMI, "after the acl entry") != 0)
		return (NULL);
	return (n);
}

/* acl name [+flag -flag ...] { entries } */
static struct vcl_node *
p_acl(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_ACL, &p->tok.pos), *e;
	struct vcl_list flags;

	vcl_p_next(p);
	if (n == NULL ||
	    (n->u.acl.name = vcl_p_name(p, "acl", &n->u.acl.namepos)) == NULL)
		return (NULL);
	vcl_list_init(&flags);
	while (p->tok.kind == VCL_TK_PLUS || p->tok.kind == VCL_TK_MINUS) {
		if ((e = p_acl_flag(p)) == NULL)
			return (NULL);
		vcl_list_add(&flags, e);
	}
	n->u.acl.flags = flags.head;
	if (vcl_p_braced(p, n, &n->u.acl.entries, "after the acl name",
			 p_acl_entry) != 0)
		return (NULL);
	return (n);
}

/* sub name { statements } */
static struct vcl_node *
p_sub(struct vcl_parser *p)
{
	struct vcl_node *n = vcl_p_node(p, VCL_N_SUB, &p->tok.pos);

	vcl_p_next(p);
	if (n == NULL || (n->u.decl.name = vcl_p_name(
			      p, "subroutine", &n->u.decl.namepos)) == NULL)
		return (NULL);
	if (vcl_p_block(p, n, &n->u.decl.items, "after the subroutine name") !=
	    0)
		return (NULL);
	return (n);
}

static const struct {
	const char *kw;
	struct vcl_node *(*parse)(struct vcl_parser *);
} decls[] = {
    {"vcl", p_version},   {"import", p_import}, {"backend", p_backend},
    {"probe", p_backend}, {"acl", p_acl},       {"sub", p_sub},
};

static struct vcl_node *
p_decl(struct vcl_parser *p)
{
	for (size_t i = 0; i < sizeof decls / sizeof decls[0]; i++)
		if (vcl_p_is_id(p, decls[i].kw))
			return (decls[i].parse(p));
	if (vcl_p_is_id(p, "director")) {
		vcl_p_error(
		    p, &p->tok.pos,
		    "'director' is VCL 3: make directors with the directors "
		    "vmod in vcl_init");
		return (NULL);
	}
	vcl_p_error(
	    p, &p->tok.pos,
	    "expected a declaration ('vcl', 'import', 'include', 'backend', "
	    "'probe', 'acl' or 'sub'), got %s",
	    vcl_p_got(p));
	return (NULL);
}

/* Declarations to the end of the source, appended to a's list. */
static void
p_decls(struct vcl_parser *p)
{
	struct vcl_ast *a = p->a;
	struct vcl_node *n;

	while (!p->failed && p->tok.kind != VCL_TK_EOF) {
		n = p_decl(p);
		if (n == NULL)
			return;
		if (a->last == NULL)
			a->decls = n;
		else
			a->last->next = n;
		a->last = n;
	}
}

/* --- entry points --- */

/* Parse source number src of a into a's declarations: 0 or -1. */
static int
parse_source(struct vcl_ast *a, int src, unsigned flags, struct vcl_diag *d)
{
	struct vcl_parser *p;
	const struct vcl_src *s;
	int r;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	VCL_ASSERT(src >= 0 && (unsigned)src < a->nsrc);
	s = a->srcs[src];
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "out of memory");
		return (-1);
	}
	p->magic = VCL_PARSER_MAGIC;
	p->a = a;
	p->d = d;
	p->flags = flags;
	vcl_lex_init(&p->lex[0], (unsigned)src, s->text, s->len);
	p->nlex = 1;
	vcl_p_next(p);
	if (!(flags & VCL_PARSE_NO_VERSION) && !vcl_p_is_id(p, "vcl"))
		vcl_p_error(
		    p, &p->tok.pos,
		    "VCL version declaration missing: start with 'vcl 4.1;' "
		    "(or 'vcl 4.0;'), got %s",
		    vcl_p_got(p));
	p_decls(p);
	r = p->failed ? -1 : 0;
	VCL_ASSERT(r != 0 || p->nest == 0);
	p->magic = 0;
	free(p);
	return (r);
}

int
vcl_parse_append(struct vcl_ast *a, const char *name, const char *text,
		 size_t len, unsigned flags, struct vcl_diag *d)
{
	int src;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	VCL_AN(name);
	src = vcl_src_add(a, name, text, len, -1, NULL, d);
	if (src < 0)
		return (-1);
	return (parse_source(a, src, flags, d));
}

struct vcl_ast *
vcl_parse_string(const char *name, const char *text, size_t len,
		 struct vcl_diag *d)
{
	struct vcl_ast *a = vcl_ast_new();

	if (a == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "out of memory");
		return (NULL);
	}
	if (vcl_parse_append(a, name, text, len, 0, d) != 0)
		vcl_ast_free(&a);
	return (a);
}

struct vcl_ast *
vcl_parse_file(const char *path, struct vcl_diag *d)
{
	struct vcl_ast *a = vcl_ast_new();
	int src;

	VCL_AN(path);
	if (a == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "out of memory");
		return (NULL);
	}
	src = vcl_src_load(a, path, realpath(path, NULL), -1, NULL, d);
	if (src < 0 || parse_source(a, src, 0, d) != 0)
		vcl_ast_free(&a);
	return (a);
}
