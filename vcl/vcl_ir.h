/*
 * vcl_ir.h: the compiled form of a VCL program, private to vcl/. The
 * checker (vcl_check.c) emits it from the AST; the interpreter
 * (vcl_exec.c) runs it. docs/vcl-internals.md says why it looks so.
 *
 * A program's code is one array of nodes (struct vcl_ir); a node names
 * others by index into that array (0 is "none": node 0 is never used).
 * Statements of a body are chained through next; so are the items of an
 * n-ary expression (CONCAT) and the arguments of a call. Every name was
 * resolved by the checker: a variable is its id, a header a struct vcl_hdr
 * of the program, a regex its compiled code, a subroutine its first
 * statement. Types were checked and conversions made explicit (CONV), so
 * the interpreter never looks at a name or guesses a type.
 *
 * Ownership: everything here belongs to the program and lives until its
 * last reference is released (vcl_prog_rel).
 */
#ifndef VCL_IR_H
#define VCL_IR_H

#include <stdatomic.h>
#include <stdint.h>

#include "vcl/vcl.h"

typedef uint32_t vcl_ix; /* an index into vcl_prog.ir; 0: none */

/*
 * Opcodes. S_ statements, E_ expressions (their node's type is the
 * value's). Operands a, b, c as each line says; "k" is an index into
 * vcl_prog.k (constants), "h" into .hdrs, "re" into .re, "acl" into .acls,
 * "be" into .backends, "obj" into .objs.
 */
#define VCL_IR_LIST(X)                                                         \
	/* statements */                                                       \
	X(S_SET_VAR)	/* a: var id, b: expr */                               \
	X(S_UNSET_VAR)	/* a: var id */                                        \
	X(S_SET_HDR)	/* a: where, b: h, c: expr (STRING) */                 \
	X(S_UNSET_HDR)	/* a: where, b: h */                                   \
	X(S_IF)		/* a: cond (BOOL), b: then (first stmt), c: else */    \
	X(S_RETURN)	/* a: action, b: first arg expr, c: second */          \
	X(S_CALL)	/* a: the callee's first stmt */                       \
	X(S_HASH_DATA)	/* a: expr (STRING) */                                 \
	X(S_SYNTHETIC)	/* a: expr (STRING) */                                 \
	X(S_BAN)	/* a: expr (STRING) */                                 \
	X(S_EXPR)	/* a: expr (a call whose value is dropped) */          \
	X(S_NEW)	/* a: obj, b: the constructor call (E_FUNC) */         \
	X(S_IF_METHOD)	/* a: a set of methods (E_METHOD_IN's a), b: then,    \
			   c: else: an S_IF whose condition is that set */     \
	/* expressions */                                                      \
	X(E_CONST)	/* a: k */                                             \
	X(E_VAR)	/* a: var id */                                        \
	X(E_HDR)	/* a: where, b: h */                                   \
	X(E_BACKEND)	/* a: be */                                            \
	X(E_OBJ)	/* a: obj (a director as a BACKEND: its .backend()) */ \
	X(E_NOT)	/* a: BOOL */                                          \
	X(E_NEG)	/* a: INT, REAL, DURATION */                           \
	X(E_AND)	/* a, b: BOOL, b only when a is true */                \
	X(E_OR)		/* a, b: BOOL, b only when a is false */               \
	X(E_CMP)	/* a, b: operands, c: enum vcl_op (EQ..GE); the        \
			   operands' type in the node's flags */               \
	X(E_MATCH)	/* a: STRING, b: re, c: 1 for !~ */                    \
	X(E_ACL)	/* a: IP, b: acl, c: 1 for !~ */                       \
	X(E_ARITH)	/* a, b: operands, c: enum vcl_op (ADD SUB MUL DIV);   \
			   types in flags (vcl_ir_arith) */                    \
	X(E_CONCAT)	/* a: first item (STRING), chained by next */          \
	X(E_CONV)	/* a: expr, c: its type; to the node's type */         \
	X(E_DEFINED)	/* a: STRING expr: 1 when set (if (req.http.x)) */     \
	X(E_FUNC)	/* a: func id, b: first arg, c: re for regsub */       \
	X(E_METHOD)	/* a: func id, b: first arg, c: obj */              \
	/* the checker's for the hot shapes (BOOL) */                          \
	X(E_VAR_EQ_K)	/* a: STRING var id, b: k (STRING); flags: 1 for != */ \
	X(E_HDR_EQ_K)	/* a: where, b: h, c: k (STRING); flags: 1 for != */   \
	X(E_HDR_DEFINED) /* a: where, b: h: the header is set */          \
	X(E_METHOD_IN)	/* a: a set of methods (VCL_METH_BIT): req.method   \
			   is one of them */

enum vcl_irop {
#define X(name) VCL_IR_##name,
	VCL_IR_LIST(X)
#undef X
	VCL_IR__MAX
};

struct vcl_ir {
	uint8_t op;	/* enum vcl_irop */
	uint8_t type;	/* enum vcl_type of an expression's value */
	uint16_t flags; /* per op (E_CMP/E_ARITH: the operands' type) */
	uint32_t a, b, c;
	vcl_ix next; /* the next statement, item or argument */
};

/* An argument left out of a call: E_CONST of its default, made by the
 * checker, so a call node always has all its arguments in order. */

/*
 * Added by the checker (vcl_check*.c), beside the comments above:
 * - E_ARITH's flags: the operands' types, VCL_IR_ARITH(left, right), read
 *   back with VCL_IR_ARITH_L/_R. The checker made the pairs few: INT INT,
 *   REAL REAL, DURATION DURATION, DURATION REAL (* /), REAL DURATION (*),
 *   TIME DURATION, TIME TIME (-), BYTES BYTES. STRING + x is an E_CONCAT.
 * - E_CMP's flags: the operands' type (both the same after conversion).
 * - S_RETURN with a == VCL_A__MAX: a plain `return;` in a user's sub
 *   (back to the caller).
 * - E_CONST of type VOID (a: 0, k[0] is a zero value): an optional
 *   argument left out that has no default ("not given").
 * - E_CONST of type REGEX: the pattern as a STRING constant, in the
 *   argument list of regsub/regsuball; the compiled regex is E_FUNC's c.
 *   E_CONST of type ENUM: the word as a STRING constant.
 * - E_HDR of type HEADER: a HEADER argument (std.collect(req.http.X)).
 * - E_DEFINED: a is a STRING or a BACKEND (ir[a].type says which).
 * - E_VAR_EQ_K, E_HDR_EQ_K: what E_CMP of a STRING variable or header
 *   == or != a constant string becomes (the same value: not set is "");
 *   E_HDR_DEFINED: E_DEFINED of a header. The nodes of the operands stay
 *   in the array, unused. docs/vcl-internals.md, "Cost budget".
 * - E_METHOD_IN, S_IF_METHOD: req.method against constants, below.
 * - S_NEW: b is an E_FUNC whose a is the object type (enum vcl_obj_id),
 *   not a function id, and whose b is the constructor's arguments.
 * - vcl_acl_add returns -2 when a name does not resolve (the checker
 *   allows it in a parenthesised entry, as Varnish does).
 */
#define VCL_IR_ARITH(l, r) ((uint16_t)((unsigned)(l) | ((unsigned)(r) << 8)))
#define VCL_IR_ARITH_L(flags) ((enum vcl_type)((flags)&0xff))
#define VCL_IR_ARITH_R(flags) ((enum vcl_type)((flags) >> 8))

/*
 * E_METHOD_IN: req.method compared with constant strings, the built-in
 * vcl_recv's first three conditions. The checker puts each distinct
 * constant once in vcl_prog.meth (at most VCL_METH_MAX); a set is a bit
 * mask over them, bit 0 standing for every other value. So `req.method
 * == "GET"` is the set {GET}, `!= "GET"` its complement (every bit but
 * GET's: constants added later are other values), and &&, || and ! of two
 * sets are one set (&, |, ~). At run time req.method is read once (one
 * host call), looked up in vcl_prog.meth, and kept for the rest of the
 * run; a `set` or `unset` of req.method forgets it. An `if` whose whole
 * condition is a set is an S_IF_METHOD, the set in the statement itself
 * (the built-in vcl_recv's first three). A method the table
 * does not hold (an extension method, "get") is bit 0: in no set of
 * constants, in every complement, as a string comparison says.
 */
#define VCL_METH_MAX 31
#define VCL_METH_BIT(i) (1u << ((i) + 1)) /* vcl_prog.meth[i] */
#define VCL_METH_OTHER 1u		  /* none of vcl_prog.meth */
#define VCL_METH_SHORT 16 /* lengths vcl_prog.meth_len indexes */
/* The index of constant k in p->meth, added (with its meth_len bit) when
 * new; -1 when the table is full. The checker's (vcl_exec.c). */
int vcl_meth_add(struct vcl_prog *p, const struct vcl_str *k);

/*
 * Regexes (vcl_re.c): PCRE2, compiled (and JIT-compiled when PCRE2 can) at
 * load. Matching uses a match-data block per thread, made on the thread's
 * first match and sized for the most captures of any loaded program: no
 * allocation per request after that.
 */
struct vcl_re;
/* NULL with a message in err (PCRE2's, with the offset in the pattern). */
struct vcl_re *vcl_re_compile(const char *pat, size_t len, char *err,
    size_t errlen);
void vcl_re_free(struct vcl_re **rep);
unsigned vcl_re_captures(const struct vcl_re *re);
/* 1 on a match, 0 on none, -1 on a PCRE2 error (match limit). */
int vcl_re_match(const struct vcl_re *re, const char *s, size_t len);
/*
 * regsub (all = 0: the first match) or regsuball: subject s with each
 * match replaced by sub, where \0..\9 are the captures. The result is
 * made in memory from alloc(ctx, n). 0, or -1 (no memory, PCRE2 error).
 * No match gives s itself, not a copy.
 */
int vcl_re_sub(const struct vcl_re *re, struct vcl_str s, struct vcl_str sub,
    int all, void *(*alloc)(struct vcl_ctx *, size_t), struct vcl_ctx *ctx,
    struct vcl_str *out);

/*
 * ACLs (vcl_acl.c): entries with a prefix length, negation; the longest
 * matching prefix decides (a negated one refuses), as in Varnish. Names
 * ("localhost") are resolved at load, each of their addresses an entry.
 */
struct vcl_acl;
struct vcl_acl *vcl_acl_new(const char *name);
/* 0, or -1 with err set (bad address, prefix length out of range), or
 * -2 with err set when addr is a name that does not resolve. */
int vcl_acl_add(struct vcl_acl *acl, const char *addr, int prefixlen,
    int negated, char *err, size_t errlen);
void vcl_acl_free(struct vcl_acl **aclp);
int vcl_acl_match(const struct vcl_acl *acl, const struct vcl_ip *ip);

/* An object made by `new` in vcl_init (a director). */
struct vcl_object {
	const char *name;
	enum vcl_obj_id type;
	void *state; /* the object's own, made at vcl_init; freed with the
			program */
};

struct vcl_prog {
	unsigned magic;
#define VCL_PROG_MAGIC 0x7c1b0a9du
	_Atomic unsigned refcnt;
	const struct vcl_host_ops *ops;
	unsigned syntax; /* 40 or 41 */

	struct vcl_ir *ir; /* nir nodes; ir[0] unused */
	uint32_t nir;
	/* Where each node came from (for run-time errors and -C -d). */
	struct vcl_pos *pos;

	/* The first statement of each built-in subroutine (the user's body
	 * and the built-in VCL's one after the other), 0 when empty. */
	vcl_ix sub[VCL_SUB__MAX];
	/* A built-in subroutine that is one `return (action)` and nothing
	 * else (the built-in VCL's vcl_hit, vcl_deliver): the action + 1,
	 * which vcl_run returns without running anything; else 0. */
	uint8_t quick[VCL_SUB__MAX];
	/* vcl_hash is the built-in VCL's alone (vcl_hash_is_default). */
	int hash_default;

	union vcl_val *k; /* constants; strings point into strs */
	uint32_t nk;
	struct vcl_hdr *hdrs;
	uint32_t nhdrs;
	struct vcl_re **re;
	uint32_t nre;
	struct vcl_acl **acls;
	uint32_t nacls;
	struct vcl_backend *backends;
	uint32_t nbackends;
	struct vcl_probe *probes;
	uint32_t nprobes;
	struct vcl_object *objs;
	uint32_t nobjs;

	/* The constants req.method is compared with (E_METHOD_IN). */
	struct vcl_str meth[VCL_METH_MAX];
	unsigned nmeth;
	/* Per length below VCL_METH_SHORT, which of them have it (bit i:
	 * meth[i]): the run compares req.method with those alone. */
	uint32_t meth_len[VCL_METH_SHORT];

	/* The deepest call chain (subroutines), for the interpreter's
	 * bound, and the most captures any regex has (match data size). */
	unsigned max_call_depth;
	unsigned max_captures;

	/* Memory the above point into (one arena, freed with the program)
	 * and the sources, kept for messages and -C output. */
	void *mem;
	char **src_names;
	unsigned nsrc;
};

#endif
