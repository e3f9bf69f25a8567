/*
 * vcl_check_int.h: what the checker's files share (private to vcl/):
 * its state, the symbol table of declared names, the subroutines with
 * their call graph, and the IR emitters. vcl_check.c holds declarations,
 * the call graph and the driver; vcl_check_expr.c expressions and calls;
 * vcl_check_stmt.c statements.
 */
#ifndef VCL_CHECK_INT_H
#define VCL_CHECK_INT_H

#include "vcl/vcl_assert.h"
#include "vcl/vcl_ast.h"
#include "vcl/vcl_ir.h"

/* What a declared name is. */
enum ck_kind { CK_BACKEND, CK_PROBE, CK_ACL, CK_SUB, CK_OBJ };

struct ck_sym {
	const char *name; /* the AST's: valid while checking */
	enum ck_kind kind;
	uint32_t idx;	  /* into the prog's array of that kind, or subs */
	struct vcl_pos pos;
	int used;
};

/* A call statement found in a body (the call graph's edges). */
struct ck_call {
	uint32_t callee; /* index into ck.subs */
	struct vcl_pos pos;
};

/*
 * A subroutine: subs[0..VCL_SUB__MAX) are the built-in ones (their
 * definitions, the user's then builtin.vcl's), the rest the user's.
 */
struct ck_sub {
	const char *name;
	struct vcl_pos pos; /* the first definition's name */
	const struct vcl_node **defs;
	unsigned ndefs;
	int builtin;	  /* enum vcl_sub, or -1 */
	unsigned mask;	  /* VCL_SUBM of the built-in subs reaching it */
	struct ck_call *calls;
	unsigned ncalls;
	int color;	  /* DFS: 0 new, 1 on the stack, 2 done */
	unsigned depth;	  /* the longest call chain from here (1: none) */
	int used;
	vcl_ix first;	  /* its IR's first statement */
};

/* A S_CALL whose callee's IR is made later. */
struct ck_fix {
	vcl_ix at;
	uint32_t callee;
};

struct ck_mem;

/* A backend's .probe until every probe is declared: a name or inline. */
struct ck_beprobe {
	const char *name; /* NULL: none, or inline (idx) */
	struct vcl_pos pos;
	int idx;	  /* an inline probe's index in p->probes, or -1 */
};

struct vcl_ck {
	unsigned magic;
#define VCL_CK_MAGIC 0xc4ec4001u
	const struct vcl_ast *a;
	struct vcl_diag *d;
	struct vcl_prog *p;
	unsigned syntax;
	int oom;

	struct ck_mem *mem; /* the program's arena (p->mem) */
	uint32_t cap_ir, cap_k, cap_hdrs, cap_re, cap_acls, cap_be, cap_pr,
	    cap_objs;

	struct ck_sym *syms;
	unsigned nsyms, cap_syms;
	struct ck_sub *subs;
	unsigned nsubs, cap_subs;
	struct ck_fix *fix;
	unsigned nfix, cap_fix;
	struct ck_beprobe *bep; /* one per backend */
	uint32_t cap_bep;
	unsigned imported; /* 1 << enum vcl_mod_id */

	/* The subroutine being checked and the built-in ones it runs in. */
	struct ck_sub *cur;
	unsigned mask;
};

/* --- vcl_check.c --- */
void ck_err(struct vcl_ck *ck, const struct vcl_pos *pos, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void ck_warn(struct vcl_ck *ck, const struct vcl_pos *pos, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Grow *arr (elements of size sz) to hold n + 1; -1 (and oom) on failure. */
int ck_grow(struct vcl_ck *ck, void *arrp, uint32_t *cap, uint32_t n,
    size_t sz);
void *ck_alloc(struct vcl_ck *ck, size_t size);
char *ck_strdup(struct vcl_ck *ck, const char *s, size_t len);
struct ck_sym *ck_sym_find(struct vcl_ck *ck, const char *name);
/* pos moved n bytes on (same line), then past blanks. */
struct vcl_pos ck_pos_skip(const struct vcl_ck *ck, struct vcl_pos pos,
    size_t n);
/* Declarations of backends, probes, ACLs (vcl_check_decl.c). */
void ck_decl_backend(struct vcl_ck *ck, const struct vcl_node *n);
void ck_decl_probe(struct vcl_ck *ck, const struct vcl_node *n);
void ck_decl_acl(struct vcl_ck *ck, const struct vcl_node *n);
/* Resolve the backends' named probes (after every declaration). */
void ck_backends_probes(struct vcl_ck *ck);
struct ck_sym *ck_declare(struct vcl_ck *ck, const char *name,
    enum ck_kind kind, uint32_t idx, const struct vcl_pos *pos);
/* ", reached from vcl_recv" when checking a user sub, else "". */
const char *ck_via(const struct vcl_ck *ck);
/* The IR: one node (0 when out of memory); a constant; a header. */
vcl_ix ck_emit(struct vcl_ck *ck, enum vcl_irop op, enum vcl_type type,
    uint32_t a, uint32_t b, uint32_t c, const struct vcl_pos *pos);
uint32_t ck_k(struct vcl_ck *ck, union vcl_val v);
vcl_ix ck_const_str(struct vcl_ck *ck, enum vcl_type t, const char *s,
    size_t len, const struct vcl_pos *pos);
uint32_t ck_hdr(struct vcl_ck *ck, const char *name, size_t len);
/* A regex literal compiled into p->re: its index, or -1 after an error. */
int ck_regex(struct vcl_ck *ck, const struct vcl_node *lit);

/* --- vcl_check_expr.c --- */
/* An expression of any type (0 after an error, reported). */
vcl_ix ck_expr(struct vcl_ck *ck, const struct vcl_node *n);
/* An expression converted to want (errors as "expected want, got T"). */
vcl_ix ck_expr_as(struct vcl_ck *ck, const struct vcl_node *n,
    enum vcl_type want);
/* ix (made from n) converted to want, or 0 after an error at n. */
vcl_ix ck_conv(struct vcl_ck *ck, vcl_ix ix, enum vcl_type want,
    const struct vcl_pos *pos);
/* l op r for arithmetic (ADD SUB MUL DIV): both already checked. */
vcl_ix ck_arith(struct vcl_ck *ck, enum vcl_op op, vcl_ix l, vcl_ix r,
    const struct vcl_pos *rpos);
/* A call: a function (value or statement), a method, a constructor. */
vcl_ix ck_call(struct vcl_ck *ck, const struct vcl_node *fc, int stmt);
/* Resolve a variable for acc; NULL after an error at pos. */
const struct vcl_var *ck_var(struct vcl_ck *ck, const struct vcl_node *id,
    enum vcl_access acc, const char **hdr, size_t *hdrlen);
/* Read of v (an E_VAR or an E_HDR). */
vcl_ix ck_var_read(struct vcl_ck *ck, const struct vcl_var *v,
    const char *hdr, size_t hdrlen, const struct vcl_pos *pos);
/* Where a header family lives. */
enum vcl_where ck_where(const struct vcl_var *v);
/* 1 if f may be called in every subroutine of ck->mask, else an error. */
int ck_func_where(struct vcl_ck *ck, const struct vcl_func *f,
    const struct vcl_pos *pos);

/* new NAME = directors.KIND(...) as an S_NEW of object obj. */
vcl_ix ck_new(struct vcl_ck *ck, const struct vcl_node *n, uint32_t obj);

/* --- vcl_check_stmt.c --- */
/* The statements of list, chained after *last (first in *first). */
void ck_stmts(struct vcl_ck *ck, const struct vcl_node *list, vcl_ix *first,
    vcl_ix *last);
/* Collect the objects made by `new` and the calls of a body. */
void ck_scan(struct vcl_ck *ck, struct ck_sub *s, const struct vcl_node *list);



/* --- the driver (vcl_check.c) and the program's life (vcl_load.c) --- */
/* Check a and compile it: the program with one reference, or NULL after
 * errors in d. a is not changed (and still the caller's). */
struct vcl_prog *vcl_check(const struct vcl_ast *a,
    const struct vcl_host_ops *ops, struct vcl_diag *d);
/* Free p and all it owns, whatever its count (a failed check's). */
void vcl_prog_free(struct vcl_prog *p);
void ck_mem_free(struct ck_mem **mp);
#endif
