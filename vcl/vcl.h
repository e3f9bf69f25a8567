/*
 * vcl.h: what accel sees of VCL. Load a program (parse, check, compile),
 * run one of its subroutines against a request or a fetch, release it.
 * docs/vcl-internals.md is the map; docs/vcl.md the user's reference.
 *
 * A program (struct vcl_prog) is immutable once loaded and shared by every
 * thread: vcl_prog_ref() and vcl_prog_rel() count its users (atomically);
 * the last release runs nothing (vcl_fini is the caller's to run) and frees
 * it. Everything a run reads of the program stays valid while the caller
 * holds a reference.
 *
 * A run (vcl_run) touches the request only through the host's operations
 * (struct vcl_host_ops, implemented by accel) and allocates only through
 * ho_alloc (accel's per-request arena): nothing on the heap, no lock.
 */
#ifndef VCL_H
#define VCL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vcl/vcl_diag.h"
#include "vcl/vcl_sym.h"

struct vcl_prog;
struct vcl_ctx; /* the host's: a request or a fetch; opaque here */

/* A string value: not NUL-terminated; p == NULL is "not set". */
struct vcl_str {
	const char *p;
	size_t len;
};

/* An address, as accel gives it (client.ip) or as VCL makes it. */
struct vcl_ip {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint16_t port;
};

/*
 * A value. Its type is known where it is used (the checker typed every
 * expression), so it carries none.
 */
union vcl_val {
	struct vcl_str s;	   /* STRING */
	int64_t i;		   /* INT, BYTES */
	double r;		   /* REAL, DURATION (s), TIME (s since epoch) */
	int b;			   /* BOOL */
	const struct vcl_ip *ip;   /* IP: host's or arena memory */
	const struct vcl_backend *be; /* BACKEND: the program's */
};

/* Where a header lives: req.http.X, bereq.http.X, ... */
enum vcl_where {
	VCL_W_REQ,
	VCL_W_BEREQ,
	VCL_W_BERESP,
	VCL_W_OBJ,
	VCL_W_RESP,
};

/*
 * A header name as a program uses it: its text as written (for setting),
 * its length, and the host's hint for it (ho_hdr_hint at load; for accel
 * the parser's known-header kind, so that an absent known header costs one
 * bit test).
 */
struct vcl_hdr {
	const char *name;
	uint16_t len;
	int16_t hint;
};

/*
 * A backend declared in the program (or generated for -b). The host
 * attaches its own state to priv when it activates the program (and owns
 * it); timeouts are seconds, 0 when the VCL does not set them.
 */
struct vcl_backend {
	const char *name;
	const char *host;
	const char *port;
	const char *host_header; /* NULL: none */
	double connect_timeout, first_byte_timeout, between_bytes_timeout;
	unsigned max_connections; /* 0: no limit */
	const struct vcl_probe *probe; /* NULL: none */
	void *priv;
};

/* A probe (parsed and checked now; the origins issue acts on it). */
struct vcl_probe {
	const char *name; /* NULL for an inline one */
	const char *url;
	const char *request; /* the lines joined with CRLF, or NULL */
	unsigned expected_response;
	double timeout, interval;
	unsigned window, threshold, initial;
};

/*
 * What accel implements. ctx is the host's own (a request or a fetch);
 * every operation returns 0, or -1 when it cannot (the subroutine then
 * ends in fail, as Varnish's VCL does on a failed operation).
 */
struct vcl_host_ops {
	/* At load: a hint for a header name (any value; 0 for none). */
	int16_t (*ho_hdr_hint)(const char *name, size_t len);
	/* Every variable but the headers, by id (vcl_vars.def). */
	int (*ho_var_get)(struct vcl_ctx *, enum vcl_var_id, union vcl_val *);
	int (*ho_var_set)(struct vcl_ctx *, enum vcl_var_id,
	    const union vcl_val *);
	int (*ho_var_unset)(struct vcl_ctx *, enum vcl_var_id);
	/* Headers: get gives p == NULL when absent (the first of several
	 * fields of that name; Varnish's rule); set replaces every field of
	 * that name by one; unset removes them all. */
	int (*ho_hdr_get)(struct vcl_ctx *, enum vcl_where,
	    const struct vcl_hdr *, struct vcl_str *);
	int (*ho_hdr_set)(struct vcl_ctx *, enum vcl_where,
	    const struct vcl_hdr *, const struct vcl_str *);
	int (*ho_hdr_unset)(struct vcl_ctx *, enum vcl_where,
	    const struct vcl_hdr *);
	/* Memory for the run's strings and small arrays, aligned to 8
	 * bytes: valid until the request or fetch ends; NULL when the arena
	 * is full (the run fails). */
	void *(*ho_alloc)(struct vcl_ctx *, size_t);
	int (*ho_hash_data)(struct vcl_ctx *, const struct vcl_str *);
	int (*ho_synthetic)(struct vcl_ctx *, const struct vcl_str *);
	int (*ho_ban)(struct vcl_ctx *, const struct vcl_str *);
	void (*ho_log)(struct vcl_ctx *, const struct vcl_str *);
	/* std.healthy(); backends and directors (NULL: always healthy). */
	int (*ho_healthy)(struct vcl_ctx *, const struct vcl_backend *);
	/* At load, once per backend declared with a .host: can the host
	 * reach it (accel: does .host resolve)? 0, or -1 with one line in
	 * err, reported as an error at the backend's name (file:line:col).
	 * NULL: every backend is taken. */
	int (*ho_backend_check)(const struct vcl_backend *, char *err,
	    size_t errlen);
};

/* What a run returns beside its action. */
struct vcl_ret {
	enum vcl_action action;
	unsigned status;	/* synth(status), error(status): 0 if none */
	struct vcl_str reason;	/* synth(s, reason), fail("why"), or unset */
	double duration;	/* pass(DURATION): -1 if none */
};

/* Flags of vcl_load(). */
#define VCL_LOAD_NO_BUILTIN 0x1u /* do not append the built-in VCL */

/*
 * Load the VCL in file (or, with file NULL, the built-in VCL alone, or the
 * text src named name when src is not NULL): parse, check and compile it.
 * Errors and warnings go to d (print them with vcl_diag_print). Returns
 * the program with one reference, or NULL when there was an error.
 */
struct vcl_prog *vcl_load(const char *file, const char *name,
    const char *src, size_t srclen, unsigned flags,
    const struct vcl_host_ops *ops, struct vcl_diag *d);

/*
 * vcl_load(file, name, src, srclen, 0, ...) with builtin[0..builtin_len)
 * in place of the built-in VCL (the host's copy with its parameters'
 * values filled in; read during the call only).
 */
struct vcl_prog *vcl_load_builtin(const char *file, const char *name,
    const char *src, size_t srclen, const char *builtin, size_t builtin_len,
    const struct vcl_host_ops *ops, struct vcl_diag *d);

struct vcl_prog *vcl_prog_ref(struct vcl_prog *p);
void vcl_prog_rel(struct vcl_prog **pp);

/*
 * Run subroutine sub of p for ctx (the user's code, then the built-in
 * VCL's, as one body). Returns the action (also in ret).
 */
enum vcl_action vcl_run(const struct vcl_prog *p, enum vcl_sub sub,
    struct vcl_ctx *ctx, struct vcl_ret *ret);

/*
 * 1 when p's vcl_hash is `hash_data(req.http.host); hash_data(req.url);
 * return (lookup);` and nothing else (the built-in VCL's, with no user
 * code before it), else 0. The host may then make the cache key from
 * those two values itself instead of running vcl_hash, on one condition:
 * it reads them as a run would (its own ho_hdr_get and ho_var_get, at
 * hash time, so that what vcl_recv wrote is what is hashed) and hashes
 * them as its ho_hash_data would. docs/vcl-internals.md, "Cost budget".
 */
int vcl_hash_is_default(const struct vcl_prog *p);

/*
 * At load, for the host's fast paths: the action sub always returns when
 * it is a lone `return (action)` (the built-in vcl_hit and vcl_deliver),
 * else -1; and whether any expression of the program reads variable id
 * (accel counts obj.hits only for a program that reads it).
 */
int vcl_sub_fixed(const struct vcl_prog *p, enum vcl_sub sub);
int vcl_prog_reads(const struct vcl_prog *p, enum vcl_var_id id);

/* The program's backends, in declaration order; the first is the default
 * (Varnish's rule when vcl_recv sets none). */
struct vcl_backend *vcl_prog_backends(const struct vcl_prog *p,
    unsigned *n);

/* Print the compiled form (accel -C -d). */
void vcl_prog_dump(const struct vcl_prog *p, FILE *f);

/* The built-in VCL's text (vcl/builtin.vcl, compiled in). */
extern const char vcl_builtin_text[];
extern const size_t vcl_builtin_len;

#endif
