/*
 * vcl_ast.h: the syntax tree of a VCL program and the parser that builds it.
 *
 * A parse yields one struct vcl_ast: the sources it read (the main file and
 * every include, in the order they were opened), an arena that holds every
 * node and string, and the top-level declarations in source order, with
 * each include's contents spliced in where the include statement stood.
 * vcl_ast_free releases all of it at once: a node, a name or a string from
 * the tree is valid until then and never freed on its own.
 *
 * The parser checks syntax only: names, types and what may be returned
 * where are the checker's business. It stops at the first error (as
 * Varnish does), which goes to the vcl_diag with its place.
 */
#ifndef VCL_AST_H
#define VCL_AST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vcl/vcl_diag.h"
#include "vcl/vcl_lex.h"

/*
 * Limits: input past one of them is an error with its place, never a crash.
 * SOURCE_BYTES: all sources of an AST together; SOURCES: files, the main
 * one included; INCLUDE_DEPTH: include within include; NEST: nested (),
 * calls, unary operators, ifs and blocks while parsing; DEPTH: a node's
 * depth (see vcl_node.depth); ARENA: bytes of nodes and strings.
 */
#define VCL_MAX_SOURCE_BYTES  (16u << 20)
#define VCL_MAX_SOURCES       256
#define VCL_MAX_INCLUDE_DEPTH 10
#define VCL_MAX_NEST          100
#define VCL_MAX_DEPTH         400
#define VCL_MAX_ARENA         (256u << 20)

/* Node kinds; the enum and the names the dump uses come from this list. */
#define VCL_NODES(X)                                                           \
	/* top-level declarations */                                           \
	X(VERSION, "vcl")                                                      \
	X(IMPORT, "import")                                                    \
	X(BACKEND, "backend")                                                  \
	X(PROBE, "probe")                                                      \
	X(ACL, "acl")                                                          \
	X(SUB, "sub")                                                          \
	/* parts of declarations */                                            \
	X(FIELD, "field")         /* .name = value in a backend or probe */    \
	X(OBJECT, "object")       /* { .field = ...; } as a field's value */   \
	X(STRLIST, "strings")     /* "a" "b" "c" as a field's value */         \
	X(ACL_FLAG, "acl flag")   /* +log, -pedantic */                        \
	X(ACL_ENTRY, "acl entry") /* ! ( "addr" / len ) */                     \
	/* statements */                                                       \
	X(BLOCK, "block")                                                      \
	X(SET, "set")                                                          \
	X(UNSET, "unset")                                                      \
	X(IF, "if")                                                            \
	X(BRANCH, "branch") /* if/elsif (cond) { body } inside an IF */        \
	X(RETURN, "return")                                                    \
	X(CALL, "call")                                                        \
	X(NEW, "new")                                                          \
	X(HASH_DATA, "hash_data")                                              \
	X(SYNTHETIC, "synthetic")                                              \
	X(BAN, "ban")                                                          \
	X(CALL_STMT, "call statement") /* std.log("x"); */                     \
	/* expressions */                                                      \
	X(STRING, "string")                                                    \
	X(INT, "integer")                                                      \
	X(REAL, "real")                                                        \
	X(DURATION, "duration")                                                \
	X(BYTES, "bytes")                                                      \
	X(BOOL, "bool")                                                        \
	X(IDENT, "identifier")                                                 \
	X(FCALL, "function call")                                              \
	X(ARG, "named argument") /* name = value inside a call */              \
	X(UNARY, "unary")                                                      \
	X(BINARY, "binary")                                                    \
	X(AND, "&&")                                                           \
	X(OR, "||")                                                            \
	X(CONCAT, "concatenation") /* "a" req.url "b": juxtaposed terms */

enum vcl_kind {
#define VCL_NODE_ENUM(name, str) VCL_N_##name,
	VCL_NODES(VCL_NODE_ENUM)
#undef VCL_NODE_ENUM
	    VCL_N__COUNT
};

/* Operators of SET, UNARY and BINARY nodes, and the token of each. */
#define VCL_OPS(X)                                                             \
	X(ASSIGN, ASSIGN)                                                      \
	X(ADD_ASSIGN, ADD_ASSIGN)                                              \
	X(SUB_ASSIGN, SUB_ASSIGN)                                              \
	X(MUL_ASSIGN, MUL_ASSIGN)                                              \
	X(DIV_ASSIGN, DIV_ASSIGN)                                              \
	X(NOT, NOT)                                                            \
	X(NEG, MINUS)                                                          \
	X(MUL, STAR)                                                           \
	X(DIV, SLASH)                                                          \
	X(ADD, PLUS)                                                           \
	X(SUB, MINUS)                                                          \
	X(EQ, EQ)                                                              \
	X(NE, NE)                                                              \
	X(LT, LT)                                                              \
	X(GT, GT)                                                              \
	X(LE, LE)                                                              \
	X(GE, GE)                                                              \
	X(MATCH, MATCH)                                                        \
	X(NOMATCH, NOMATCH)

enum vcl_op {
#define VCL_OP_ENUM(name, tok) VCL_OP_##name,
	VCL_OPS(VCL_OP_ENUM)
#undef VCL_OP_ENUM
	    VCL_OP__COUNT
};

/*
 * A node. Lists (fields, statements, arguments, ...) are chained through
 * next, in source order. Which union member is valid depends on kind; the
 * comment at each says for which kinds. Names and strings are NUL-terminated
 * copies in the arena.
 */
struct vcl_node {
	unsigned magic;
#define VCL_NODE_MAGIC 0x7a0de001u
	enum vcl_kind kind;
	struct vcl_pos pos;    /* its first token (a decl: the keyword) */
	struct vcl_node *next; /* the next node of the list it is in */
	/*
	 * 1 for a leaf, else 1 + the deepest child; never above VCL_MAX_DEPTH,
	 * so a walker may recurse over the tree.
	 */
	unsigned depth;
	union {
		/* VERSION: vcl 4.1; */
		struct {
			unsigned major, minor;
		} version;
		/* IMPORT: import name [from "path"]; (from: NULL if none) */
		struct {
			const char *name;
			const char *from;
		} import;
		/*
		 * BACKEND, PROBE: items are FIELDs; none is 1 for
		 * "backend name none;" (then no items).
		 * SUB: items are the statements of its body.
		 */
		struct {
			const char *name;
			struct vcl_pos namepos;
			struct vcl_node *items;
			int none;
		} decl;
		/* ACL: flags are ACL_FLAGs, entries ACL_ENTRYs */
		struct {
			const char *name;
			struct vcl_pos namepos;
			struct vcl_node *flags;
			struct vcl_node *entries;
		} acl;
		/* ACL_FLAG: +name (on = 1) or -name (on = 0) */
		struct {
			const char *name;
			int on;
		} aclflag;
		/*
		 * ACL_ENTRY: [!] ["("] "addr" [/mask] [")"]; mask is -1
		 * when absent; addr is a STRING node.
		 */
		struct {
			int negated;
			int paren;
			struct vcl_node *addr;
			int mask;
		} aclent;
		/*
		 * FIELD: .name = value (value: an expression, an OBJECT or a
		 * STRLIST). NEW: new name = value. ARG: name = value.
		 */
		struct {
			const char *name;
			struct vcl_pos namepos;
			struct vcl_node *value;
		} named;
		/*
		 * OBJECT (FIELDs), STRLIST (STRINGs), BLOCK (statements),
		 * CONCAT (terms, two or more), AND, OR (operands, two or more)
		 */
		struct {
			struct vcl_node *items;
		} list;
		/* SET: set target op value; (target: an IDENT) */
		struct {
			struct vcl_node *target;
			enum vcl_op op;
			struct vcl_node *value;
		} set;
		/*
		 * UNSET, CALL: expr is the IDENT named.
		 * HASH_DATA, SYNTHETIC, BAN: the argument.
		 * CALL_STMT: the FCALL.
		 * RETURN: the action, an IDENT or an FCALL (synth(404, "x")),
		 * or NULL for a plain "return;".
		 */
		struct {
			struct vcl_node *expr;
		} one;
		/* IF: branches are BRANCHes (if, then each elsif); els a
		 * BLOCK or NULL */
		struct {
			struct vcl_node *branches;
			struct vcl_node *els;
		} ifs;
		/* BRANCH: (cond) body, body a BLOCK */
		struct {
			struct vcl_node *cond;
			struct vcl_node *body;
		} branch;
		/* STRING: the bytes between the quotes (len: without NUL) */
		struct {
			const char *s;
			size_t len;
			enum vcl_quote quote;
		} str;
		/*
		 * INT, REAL, DURATION, BYTES: text is the number as written,
		 * without its unit, with a '-' when negated; i is the value
		 * of an INT; d the value of a REAL, a DURATION in seconds, a
		 * BYTES in bytes; unit VCL_U_NONE for INT and REAL.
		 */
		struct {
			const char *text;
			int64_t i;
			double d;
			enum vcl_unit unit;
		} num;
		/* BOOL: true or false */
		int boolean;
		/* IDENT: the dotted name, e.g. req.http.X-Forwarded-For */
		struct {
			const char *name;
		} ident;
		/* FCALL: name(args); args are expressions and ARGs */
		struct {
			const char *name;
			struct vcl_node *args;
		} call;
		/* UNARY: op is NOT or NEG */
		struct {
			enum vcl_op op;
			struct vcl_node *arg;
		} unary;
		/* BINARY: l op r; oppos is the operator's place */
		struct {
			enum vcl_op op;
			struct vcl_node *l, *r;
			struct vcl_pos oppos;
		} binary;
	} u;
};

/* A source the AST read: the main text and each included file. */
struct vcl_src {
	unsigned magic;
#define VCL_SRC_MAGIC 0x5c0e5a11u
	char *name; /* as given, or the include path resolved (see below) */
	char *text; /* the bytes, NUL-terminated (text[len] == 0) */
	size_t len;
	char *dir;  /* where its includes are looked for ("" = the cwd) */
	char *real; /* realpath(3) of a file, for cycles; NULL otherwise */
	int parent; /* index of the source that included it, -1 if none */
	struct vcl_pos incl; /* the include statement in the parent */
};

struct vcl_arena;

struct vcl_ast {
	unsigned magic;
#define VCL_AST_MAGIC 0xa57a57c1u
	struct vcl_src **srcs; /* nsrc sources, indexed by vcl_pos.src */
	unsigned nsrc;
	size_t src_bytes;        /* their total length */
	struct vcl_arena *arena; /* every node and string */
	struct vcl_node *decls;  /* top-level declarations in order */
	struct vcl_node *last;   /* the last of decls (for appending) */
	unsigned syntax;         /* the main version: 40 (4.0) or 41 (4.1) */
};

/*
 * Parse a file, or a text in memory named name. Returns NULL on error (the
 * reason is in d, which may be NULL). Include paths are relative to the
 * directory part of the including source's name: a file "/etc/x/main.vcl"
 * includes "b.vcl" as "/etc/x/b.vcl", a text named "main.vcl" (no '/')
 * relative to the current working directory. An absolute path is used as is.
 */
struct vcl_ast *vcl_parse_file(const char *path, struct vcl_diag *d);
struct vcl_ast *vcl_parse_string(const char *name, const char *text, size_t len,
				 struct vcl_diag *d);

/*
 * Flags of vcl_parse_append. NO_VERSION: "vcl 4.x;" is optional (the
 * built-in VCL). NO_INCLUDE: an include is an error (untrusted text).
 */
#define VCL_PARSE_NO_VERSION 0x1u
#define VCL_PARSE_NO_INCLUDE 0x2u

/*
 * Parse another source into a, after what is there (the built-in VCL goes
 * after the user's this way). Returns 0, or -1 with the error in d; then a
 * holds every declaration that was complete before the error, and may be
 * used or freed as usual.
 */
int vcl_parse_append(struct vcl_ast *a, const char *name, const char *text,
		     size_t len, unsigned flags, struct vcl_diag *d);

/* Free a and everything in it; *ap becomes NULL. */
void vcl_ast_free(struct vcl_ast **ap);

/*
 * Print the tree in a stable, readable form: VCL-like, one declaration or
 * statement a line, each operator below the top of an expression in
 * parentheses (a + (b * c)), juxtaposed terms as (concat "a" req.url),
 * strings with C escapes, "// name" before declarations from another
 * source than the one before.
 */
void vcl_ast_dump(const struct vcl_ast *a, FILE *f);

/* Names of node kinds and operators (static strings). */
const char *vcl_kind_name(enum vcl_kind k);
const char *vcl_op_name(enum vcl_op op);

/* The number of nodes in a list. */
unsigned vcl_list_len(const struct vcl_node *n);

#endif
