/*
 * vcl_host.h: accel's side of the VCL interface, inside accel.
 *
 *   vcl_host.c     the host operations (acc_vcl_ops) and the client-side
 *                  variables and headers (req.*, resp.*, obj.*, client.*)
 *   vcl_host_be.c  the backend side: bereq.* and beresp.* on a busyobj
 *   vcl_active.c   the program requests run: loading it (-f), running a
 *                  subroutine for a request or a fetch, reload
 *
 * A run's context lives on the caller's stack for the run; what it points
 * to outlives it.
 */
#ifndef ACCEL_VCL_HOST_H
#define ACCEL_VCL_HOST_H

#include "vcl/vcl.h"

struct req;
struct busyobj;
struct ws;
struct sto_hashin;

struct vcl_ctx {
	struct req *req;	 /* the client's request; on the backend side
				    NULL once the fetch is detached */
	struct busyobj *bo;	 /* backend subs: the fetch; NULL on the
				    client side */
	struct ws *ws;		 /* where the run's strings go */
	struct sto_hashin *hash; /* vcl_hash: where hash_data() goes */
};

/* server.hostname and server.identity: the machine's name (read once;
 * accel has no -i, so the identity is the name too). */
struct vcl_str acc_host_name(void);

/* Headers VCL may not write: the key's authority and the framing. */
int acc_hdr_locked(const struct vcl_hdr *h);

/* The backend side (vcl_host_be.c): the host operations when c->bo is
 * set. Same contracts as struct vcl_host_ops. */
int acc_be_var_get(struct vcl_ctx *c, enum vcl_var_id id, union vcl_val *v);
int acc_be_var_set(struct vcl_ctx *c, enum vcl_var_id id,
    const union vcl_val *v);
int acc_be_var_unset(struct vcl_ctx *c, enum vcl_var_id id);
int acc_be_hdr_get(struct vcl_ctx *c, enum vcl_where w,
    const struct vcl_hdr *h, struct vcl_str *s);
int acc_be_hdr_set(struct vcl_ctx *c, enum vcl_where w,
    const struct vcl_hdr *h, const struct vcl_str *s);
int acc_be_hdr_unset(struct vcl_ctx *c, enum vcl_where w,
    const struct vcl_hdr *h);
int acc_be_synthetic(struct vcl_ctx *c, const struct vcl_str *s);

/* The response side (vcl_host_resp.c): resp.* and obj.* variables,
 * resp.http.* and obj.http.*, synthetic(). Same contracts as struct
 * vcl_host_ops; acc_resp_hdr_put() unsets when s is NULL. */
int acc_resp_get(struct req *req, enum vcl_var_id id, union vcl_val *v);
int acc_resp_set(struct req *req, enum vcl_var_id id, const union vcl_val *v);
int acc_resp_hdr_get(struct req *req, enum vcl_where w,
    const struct vcl_hdr *h, struct vcl_str *s);
int acc_resp_hdr_put(struct req *req, const struct vcl_hdr *h,
    const struct vcl_str *s);
int acc_synthetic(struct vcl_ctx *c, const struct vcl_str *s);

/* The program a request's runs use, and a fetch's (vcl_active.c): a
 * request and the fetches it starts finish on the program it started on. */
const struct vcl_prog *acc_vcl_prog_req(struct req *req);
const struct vcl_prog *acc_vcl_prog_bo(struct busyobj *bo);

/* req.backend_hint (vcl_active.c): set, the backend the request's fetch
 * goes to (a director's choice is made when vcl_recv evaluates it); read,
 * that or the default: the program's first backend (NULL with none, or
 * for -b's round-robin before it picks). */
int acc_req_backend_get(struct req *req, union vcl_val *v);
int acc_req_backend_set(struct req *req, const union vcl_val *v);
/* bereq.backend: the backend of the fetch, the program's (NULL: none yet,
 * -b's round-robin before its pick). Valid while bo is. Setting it before
 * the fetch connects sends the fetch there instead. */
const struct vcl_backend *acc_bo_backend(const struct busyobj *bo);
void acc_bo_set_backend(struct busyobj *bo, const struct vcl_backend *be);
/* std.healthy() and the directors: not sick from a failed connect (no
 * probes before the origins issue). */
int acc_be_healthy(struct vcl_ctx *c, const struct vcl_backend *be);
/* At load: does a backend's .host resolve (backend.c's be_check). */
int acc_be_check(const struct vcl_backend *be, char *err, size_t errlen);

#endif
