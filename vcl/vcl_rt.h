/*
 * vcl_rt.h: the run-time pieces of vcl/ beside the interpreter, private to
 * vcl/: conversions (vcl_conv.c), the std functions (vcl_std.c) and the
 * directors (vcl_dir.c). vcl_exec.c evaluates a call's arguments and hands
 * them over here; these never look at the IR.
 *
 * Memory: strings and addresses a function makes come from the run's
 * arena (vcl_rt_alloc, the host's ho_alloc) and live until the request or
 * fetch ends. A director's state is the program's (malloc at vcl_init,
 * vcl_dir_free when the program is freed).
 */
#ifndef VCL_RT_H
#define VCL_RT_H

#include <stddef.h>
#include <stdint.h>

#include "vcl/vcl_ir.h"

/*
 * The operators of E_CMP and E_ARITH (their c): enum vcl_op of vcl_ast.h,
 * whose header cannot be included with vcl_sym.h (the lexer's VCL_T_
 * token names clash with the types'). Same values; test_vcl_exec checks
 * them against vcl_op_name().
 */
enum vcl_rt_op {
	VCL_RT_OP_MUL = 7,
	VCL_RT_OP_DIV = 8,
	VCL_RT_OP_ADD = 9,
	VCL_RT_OP_SUB = 10,
	VCL_RT_OP_EQ = 11,
	VCL_RT_OP_NE = 12,
	VCL_RT_OP_LT = 13,
	VCL_RT_OP_GT = 14,
	VCL_RT_OP_LE = 15,
	VCL_RT_OP_GE = 16,
};

/* The state of one run, as the helpers see it. */
struct vcl_rt {
	const struct vcl_prog *p;
	const struct vcl_host_ops *ops;
	struct vcl_ctx *ctx;
	enum vcl_sub sub;
	const char *err; /* why the run fails (a static string) */
};

/*
 * A call's arguments in the order the function declares them. An optional
 * argument left out (no default) is not in given: the checker emits it as
 * a node of type VOID. HEADER and REGEX arguments are not evaluated (the
 * caller reads them from the IR) and are not in given either.
 */
#define VCL_MAXARGS 12
struct vcl_args {
	union vcl_val v[VCL_MAXARGS];
	unsigned n;
	unsigned given; /* bit i: v[i] holds argument i */
};
#define VCL_ARG_GIVEN(a, i) (((a)->given >> (i)) & 1u)

/* Fail the run with why; returns -1 so that callers can return it. */
int vcl_rt_fail(struct vcl_rt *rt, const char *why);
/* n bytes of the arena, or NULL with the run failed. */
void *vcl_rt_alloc(struct vcl_rt *rt, size_t n);

/* --- conversions (vcl_conv.c) ----------------------------------------- */

/* in (of type from) as a value of type to: 0, or -1 with the run failed
 * (no memory, a number out of range, a conversion the checker never
 * emits). To STRING: INT and BYTES "%jd", REAL and DURATION "%.3f", TIME
 * an IMF-fixdate, IP its address, BOOL "true"/"false", BACKEND its name. */
int vcl_conv(struct vcl_rt *rt, enum vcl_type to, enum vcl_type from,
    const union vcl_val *in, union vcl_val *out);

/* Parsers of the std conversions: 0 with *out set, or -1 when s is not
 * such a value (surrounding blanks allowed). */
int vcl_parse_int(const char *s, size_t len, int64_t *out);
int vcl_parse_real(const char *s, size_t len, double *out);
/* A number and a unit: ms s m h d w y ("1.5h"). */
int vcl_parse_duration(const char *s, size_t len, double *out);
/* A number and an optional unit: B, K[B], M[B], G[B], T[B], P[B] (1024). */
int vcl_parse_bytes(const char *s, size_t len, int64_t *out);
/* An HTTP date (IMF-fixdate, RFC 850, asctime) or a number of seconds. */
int vcl_parse_time(const char *s, size_t len, double *out);
/* A numeric IPv4 or IPv6 address (no name lookup). */
int vcl_parse_ip(const char *s, size_t len, struct vcl_ip *out);
/* t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", 29 bytes) in buf
 * (at least 30 bytes); returns the length, 0 when t is out of range. */
size_t vcl_fmt_time(double t, char *buf);

/* --- std and core functions (vcl_std.c) ------------------------------- */

/* Runs function f (not a method) on a: 0 with *out its value (untouched
 * for a VOID function), or -1 with the run failed. regsub is the
 * interpreter's (it needs the regex). */
int vcl_std_call(struct vcl_rt *rt, enum vcl_func_id f,
    const struct vcl_args *a, union vcl_val *out);

/* A per-thread xorshift64* (std.random, the random director): no lock. */
uint64_t vcl_rand64(void);

/* --- directors (vcl_dir.c) -------------------------------------------- */

/* `new o = directors.X(args)` in vcl_init: makes o->state. */
int vcl_dir_new(struct vcl_rt *rt, struct vcl_object *o,
    const struct vcl_args *a);
/* A method of o: add_backend, backend() ... */
int vcl_dir_call(struct vcl_rt *rt, struct vcl_object *o, enum vcl_func_id f,
    const struct vcl_args *a, union vcl_val *out);
/* o used as a BACKEND (E_OBJ): what its .backend() gives, with the
 * defaults of its arguments; NULL when none is healthy. */
const struct vcl_backend *vcl_dir_pick(struct vcl_rt *rt,
    const struct vcl_object *o);
/* Frees o->state (the loader calls it when it frees the program). */
void vcl_dir_free(struct vcl_object *o);

/* Healthy as the host says (no ho_healthy: always). */
static inline int
vcl_rt_healthy(struct vcl_rt *rt, const struct vcl_backend *be)
{
	if (be == NULL)
		return (0);
	if (rt->ops->ho_healthy == NULL)
		return (1);
	return (rt->ops->ho_healthy(rt->ctx, be));
}

#endif
