/*
 * vcl_active.c: the VCL program the daemon runs, and its reload.
 *
 * The source is -f FILE (the built-in VCL appended), or a program
 * generated from the -b backends (one `backend bN` each; without
 * req.backend_hint accel's round-robin with failover picks among them,
 * as accel did before VCL). Loading resolves the backends into the
 * registry (backend.c: vcl_backend.priv is the entry) and runs vcl_init.
 *
 * Reload without a lock on the request path (docs/vcl-internals.md):
 * the active program is one atomic pointer, written by the main thread.
 * Each worker keeps the program it last took (wrk->vcl_cur, one reference)
 * and, per program, a count of its requests and fetches on it: a plain
 * integer in the program's per-worker slot, touched only by that worker.
 * A request takes the worker's program at its first run (RECV: one
 * acquire load and a compare with the active one) and keeps it to DONE;
 * a fetch keeps its request's, detached or not. A worker holds one
 * reference on each program that is its current one or still counts work
 * on it; the last reference runs vcl_fini and frees the program, on the
 * thread that lets it go (a worker finishing the last request on it, or
 * the main thread at reload or exit).
 *
 * The only lock: a worker that sees a new active program takes its
 * reference under acc_mtx, which the main thread holds while it replaces
 * the pointer, so the main thread's reference on the old one cannot be
 * dropped between the worker's load and its increment. That happens once
 * per worker per reload.
 */
#include "accel/accel.h"
#include "accel/vcl_host.h"

#include <pthread.h>
#include <stdalign.h>
#include <string.h>

/* A worker's count of requests and fetches on a program, alone on its
 * cache line (each worker writes its own). */
struct acc_vcl_wc {
	unsigned n;
	char pad[64 - sizeof(unsigned)];
};

/*
 * A loaded program as the daemon runs it. Made by the main thread,
 * immutable once published but for refs and the per-worker counts.
 * Lifetime: refs counts the main thread's (while active) and one per
 * worker (see above); the last vcl_rel frees it.
 */
struct acc_vcl {
	unsigned magic;
#define ACC_VCL_MAGIC 0x5c1a77e2
	struct vcl_prog *prog;	 /* one reference, ours */
	atomic_uint refs;
	unsigned rr : 1;	 /* generated for -b: no hint, round-robin */
	unsigned inited : 1;	 /* vcl_init ran: vcl_fini runs at the end */
	unsigned hit_fixed : 1;	 /* vcl_hit and vcl_deliver only deliver */
	unsigned obj_hits : 1;	 /* the program reads obj.hits */
	struct vcl_backend *vb;	 /* the program's backends (priv: the
				    registry's entry; NULL: `none`) */
	unsigned nbe;
	struct acc_vcl_wc *wc;	 /* nwc slots, one per worker */
	unsigned nwc;
};

static _Atomic(struct acc_vcl *) acc_active;
static pthread_mutex_t acc_mtx = PTHREAD_MUTEX_INITIALIZER;

/* The source: -f's path (argv's), or the -b backends (argv's). */
static const char *src_file;
static struct {
	const char *spec;
	char host[256], port[16];
} specs[MAX_BACKENDS];
static unsigned nspecs;

int
acc_vcl_backend_spec(const char *spec, char *err, size_t errlen)
{
	if (nspecs >= MAX_BACKENDS) {
		snprintf(err, errlen, "-b %s: too many backends (max %d)", spec,
		    MAX_BACKENDS);
		return (-1);
	}
	if (be_spec(spec, specs[nspecs].host, sizeof specs[nspecs].host,
	    specs[nspecs].port, sizeof specs[nspecs].port, err, errlen) != 0)
		return (-1);
	specs[nspecs++].spec = spec;
	return (0);
}

/* The program -b stands for, as VCL (malloc'd; the caller frees). The
 * Host fallback stays what -b gave, as before VCL. */
static char *
gen_text(size_t *lenp)
{
	size_t cap = 512 + (size_t)nspecs * 1024, o;
	char *b = malloc(cap);

	if (b == NULL)
		return (NULL);
	o = (size_t)snprintf(b, cap, "vcl 4.1;\n\n"
	    "# Generated from -b. Without req.backend_hint accel picks these\n"
	    "# round-robin, skipping for a second one whose connect failed\n"
	    "# and trying the next one when a connect fails.\n");
	for (unsigned i = 0; i < nspecs && o < cap; i++)
		o += (size_t)snprintf(b + o, cap - o, "\nbackend b%u {\n"
		    "\t.host = \"%s\";\n\t.port = \"%s\";\n"
		    "\t.host_header = \"%s\";\n}\n", i, specs[i].host,
		    specs[i].port, specs[i].spec);
	*lenp = o < cap ? o : cap - 1;
	return (b);
}

/* What the source is called in messages. */
static const char *
src_name(void)
{
	if (src_file != NULL)
		return (src_file);
	return (nspecs > 0 ? "-b" : "the built-in VCL");
}

/*
 * Parse, check and compile the source; messages go to stderr (a
 * generated program's warnings, such as unused backends, are left out).
 * The program with one reference, or NULL after printing why.
 */
static struct vcl_prog *
load_prog(int dump)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p;
	char *text = NULL, e[256];
	size_t len = 0;
	unsigned nerr, nbe = 0;

	if (d == NULL) {
		fprintf(stderr, "accel: out of memory\n");
		return (NULL);
	}
	/* acc_vcl_load: the built-in VCL with -p purge_acl in its ACL. */
	e[0] = '\0';
	if (src_file != NULL)
		p = acc_vcl_load(src_file, NULL, NULL, 0, d, e, sizeof e);
	else if (nspecs > 0 && (text = gen_text(&len)) != NULL) {
		if (dump)
			fwrite(text, 1, len, stdout);
		p = acc_vcl_load(NULL, "<-b>", text, len, d, e, sizeof e);
	} else if (nspecs > 0)
		p = NULL;
	else
		p = acc_vcl_load(NULL, NULL, NULL, 0, d, e, sizeof e);
	free(text);
	if (e[0] != '\0')
		fprintf(stderr, "accel: %s\n", e);
	nerr = vcl_diag_errors(d);
	if (src_file != NULL || p == NULL || nerr > 0)
		vcl_diag_print(d, stderr);
	vcl_diag_free(&d);
	if (p != NULL && nerr > 0)
		vcl_prog_rel(&p);
	if (p != NULL && src_file != NULL) {
		(void)vcl_prog_backends(p, &nbe);
		if (nbe == 0) {
			/* Varnish's rule: a program says where it fetches
			 * from, if only `backend default none;`. */
			fprintf(stderr, "%s: error: no backend: declare one "
			    "(`backend default none;` for a VCL that never "
			    "fetches)\n", src_file);
			vcl_prog_rel(&p);
			nerr = 1;
		}
	}
	if (p == NULL)
		fprintf(stderr, "accel: %s: %u error%s\n", src_name(),
		    nerr, nerr == 1 ? "" : "s");
	return (p);
}

/* vcl_init or vcl_fini: no request, a workspace on the stack. */
static enum vcl_action
run_global(const struct vcl_prog *p, enum vcl_sub sub, struct vcl_ret *ret)
{
	alignas(16) char mem[8192];
	struct ws ws;
	struct vcl_ctx c = {NULL, NULL, &ws, NULL};

	ws_init(&ws, mem, sizeof mem);
	return (vcl_run(p, sub, &c, ret));
}

static void
vcl_free(struct acc_vcl *v)
{
	struct vcl_ret ret;

	CHECK_OBJ_NOTNULL(v, ACC_VCL_MAGIC);
	if (v->inited &&
	    run_global(v->prog, VCL_SUB_FINI, &ret) != VCL_A_OK)
		fprintf(stderr, "accel: vcl_fini failed: %.*s\n",
		    (int)ret.reason.len, ret.reason.p != NULL ? ret.reason.p :
		    "");
	vcl_prog_rel(&v->prog);
	free(v->wc);
	v->magic = 0;
	free(v);
}

static void
vcl_rel(struct acc_vcl **vp)
{
	struct acc_vcl *v = *vp;

	*vp = NULL;
	if (v != NULL && atomic_fetch_sub(&v->refs, 1) == 1)
		vcl_free(v);
}

/*
 * The daemon's form of p (whose reference it takes): its backends in the
 * registry, vcl_init run. NULL with one line in err (p released).
 */
static struct acc_vcl *
vcl_make(struct vcl_prog *p, char *err, size_t errlen)
{
	struct acc_vcl *v = calloc(1, sizeof *v);
	struct vcl_ret ret;
	char e[256];

	if (v == NULL) {
		vcl_prog_rel(&p);
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	v->magic = ACC_VCL_MAGIC;
	v->prog = p;
	atomic_init(&v->refs, 1);
	v->rr = src_file == NULL;
	v->nwc = nworkers > 0 ? nworkers : 1;
	v->wc = calloc(v->nwc, sizeof *v->wc);
	if (v->wc == NULL) {
		snprintf(err, errlen, "out of memory");
		vcl_free(v);
		return (NULL);
	}
	v->vb = vcl_prog_backends(p, &v->nbe);
	for (unsigned i = 0; i < v->nbe; i++) {
		struct vcl_backend *vb = &v->vb[i];

		if (vb->host == NULL) {
			vb->priv = NULL; /* `backend x none;`: a fetch 503s */
			continue;
		}
		vb->priv = be_get(vb, v->rr ? vb->host_header : vb->name, e,
		    sizeof e);
		if (vb->priv == NULL) {
			snprintf(err, errlen, "%s: backend '%s': %s", src_name(),
			    vb->name, e);
			vcl_free(v);
			return (NULL);
		}
	}
	/* Directors are made here; `return (fail)` refuses the program. */
	if (run_global(p, VCL_SUB_INIT, &ret) != VCL_A_OK) {
		snprintf(err, errlen, "%s: vcl_init failed%s%.*s", src_name(),
		    ret.reason.p != NULL ? ": " : "", (int)ret.reason.len,
		    ret.reason.p != NULL ? ret.reason.p : "");
		vcl_free(v);
		return (NULL);
	}
	v->inited = 1;
	/* The hit path's shortcuts (req_vcl_hit), decided once. */
	v->hit_fixed = vcl_sub_fixed(p, VCL_SUB_HIT) == VCL_A_DELIVER &&
	    vcl_sub_fixed(p, VCL_SUB_DELIVER) == VCL_A_DELIVER;
	v->obj_hits = vcl_prog_reads(p, VCL_V_OBJ_HITS);
	return (v);
}

/* Main thread: v becomes the active program (its reference moves to the
 * pointer); the old one loses the main thread's reference. */
static void
vcl_publish(struct acc_vcl *v)
{
	struct acc_vcl *old;

	AZ(pthread_mutex_lock(&acc_mtx));
	old = atomic_load_explicit(&acc_active, memory_order_relaxed);
	atomic_store_explicit(&acc_active, v, memory_order_release);
	AZ(pthread_mutex_unlock(&acc_mtx));
	vcl_rel(&old);
}

int
acc_vcl_init(const char *file, char *err, size_t errlen)
{
	struct vcl_prog *p;
	struct acc_vcl *v;

	src_file = file;
	p = load_prog(0);
	if (p == NULL) {
		snprintf(err, errlen, "%s: the VCL does not load", src_name());
		return (-1);
	}
	v = vcl_make(p, err, errlen);
	if (v == NULL)
		return (-1);
	vcl_publish(v);
	return (0);
}

int
acc_vcl_check(const char *file, int dump)
{
	struct vcl_prog *p;

	src_file = file;
	p = load_prog(dump);
	if (p == NULL)
		return (2);
	if (dump)
		vcl_prog_dump(p, stdout);
	vcl_prog_rel(&p);
	fprintf(stderr, "accel: %s: VCL OK\n", src_name());
	return (0);
}

int
acc_vcl_reload(void)
{
	struct vcl_prog *p = load_prog(0);
	struct acc_vcl *v = NULL;
	char err[512];

	if (p != NULL) {
		v = vcl_make(p, err, sizeof err);
		if (v == NULL)
			fprintf(stderr, "accel: %s\n", err);
	}
	if (v == NULL) {
		fprintf(stderr, "accel: VCL reload failed, keeping the running "
		    "one\n");
		return (-1);
	}
	vcl_publish(v);
	fprintf(stderr, "accel: VCL reloaded from %s\n", src_name());
	return (0);
}

void
acc_vcl_fini(void)
{
	vcl_publish(NULL);
}

/* ---- the worker's side ---- */

/* Take the active program as the worker's current one (a reference, under
 * the lock: see the top); the old one goes when nothing of the worker's
 * runs on it. */
static void
wrk_switch(struct worker *wrk)
{
	struct acc_vcl *v, *old;

	AZ(pthread_mutex_lock(&acc_mtx));
	v = atomic_load_explicit(&acc_active, memory_order_relaxed);
	if (v != NULL)
		atomic_fetch_add(&v->refs, 1);
	AZ(pthread_mutex_unlock(&acc_mtx));
	old = wrk->vcl_cur;
	wrk->vcl_cur = v;
	if (old != NULL && old->wc[wrk->id].n == 0)
		vcl_rel(&old);
}

/* The program new work of wrk starts on: one load and a compare. */
static inline struct acc_vcl *
wrk_cur(struct worker *wrk)
{
	if (atomic_load_explicit(&acc_active, memory_order_acquire) !=
	    wrk->vcl_cur)
		wrk_switch(wrk);
	return (wrk->vcl_cur);
}

/* One piece of work of wrk on v ends. */
static void
wrk_unuse(struct worker *wrk, struct acc_vcl **vp)
{
	struct acc_vcl *v = *vp;

	*vp = NULL;
	CHECK_OBJ_NOTNULL(v, ACC_VCL_MAGIC);
	assert_acc(wrk->id < v->nwc && v->wc[wrk->id].n > 0);
	if (--v->wc[wrk->id].n == 0 && v != wrk->vcl_cur)
		vcl_rel(&v);
}

void
acc_vcl_wrk_sync(struct worker *wrk)
{
	(void)wrk_cur(wrk);
}

void
acc_vcl_wrk_fini(struct worker *wrk)
{
	struct acc_vcl *v = wrk->vcl_cur;

	wrk->vcl_cur = NULL;
	if (v != NULL && v->wc[wrk->id].n == 0)
		vcl_rel(&v);
}

/* A request's first run: it takes its worker's program. Out of line:
 * the runs after it (three more on a hit) only read req->vcl. */
static __attribute__((noinline)) struct acc_vcl *
req_take(struct req *req)
{
	struct worker *wrk = req->sp->wrk;

	req->vcl = wrk_cur(wrk);
	req->vcl->wc[wrk->id].n++;
	req->vcl_hit_fixed = req->vcl->hit_fixed;
	req->vcl_obj_hits = req->vcl->obj_hits;
	return (req->vcl);
}

static inline const struct vcl_prog *
req_prog(struct req *req)
{
	struct acc_vcl *v = req->vcl;

	if (__builtin_expect(v == NULL, 0))
		v = req_take(req);
	return (v->prog);
}

const struct vcl_prog *
acc_vcl_prog_req(struct req *req)
{
	return (req_prog(req));
}

/* Once per request, on the hit path too: the count goes down; the rest
 * only when the program was replaced meanwhile. */
void
acc_vcl_req_fini(struct req *req)
{
	struct acc_vcl *v = req->vcl;
	struct worker *wrk;

	if (v == NULL)
		return;
	req->vcl = NULL;
	wrk = req->sp->wrk;
	if (--v->wc[wrk->id].n == 0 && v != wrk->vcl_cur)
		vcl_rel(&v);
}

const struct vcl_prog *
acc_vcl_prog_bo(struct busyobj *bo)
{
	return (bo->vcl != NULL ? bo->vcl->prog : NULL);
}

/* The program's default backend: its first (Varnish's rule). */
static const struct vcl_backend *
vcl_default_be(const struct acc_vcl *v)
{
	return (v->nbe > 0 ? &v->vb[0] : NULL);
}

void
acc_vcl_bo_init(struct busyobj *bo, struct req *req)
{
	(void)acc_vcl_prog_req(req);
	assert_acc(bo->wrk == req->sp->wrk);
	bo->vcl = req->vcl;
	bo->vcl->wc[bo->wrk->id].n++;
	bo->be_rr = 0;
	if (req->be_hint_set)
		bo->vbe = req->be_hint;
	else if (bo->vcl->rr) {
		bo->vbe = NULL;
		bo->be_rr = 1;
	} else
		bo->vbe = vcl_default_be(bo->vcl);
}

void
acc_vcl_bo_fini(struct busyobj *bo)
{
	bo->vbe = NULL;
	if (bo->vcl != NULL)
		wrk_unuse(bo->wrk, &bo->vcl);
}

const struct vcl_backend *
acc_vcl_be_at(const struct acc_vcl *v, unsigned i)
{
	return (i < v->nbe ? &v->vb[i] : NULL);
}

unsigned
acc_vcl_nbe(const struct acc_vcl *v)
{
	return (v->nbe);
}

/* ---- backends as VCL sees them ---- */

int
acc_req_backend_get(struct req *req, union vcl_val *v)
{
	(void)acc_vcl_prog_req(req);
	v->be = req->be_hint_set ? req->be_hint : vcl_default_be(req->vcl);
	return (0);
}

int
acc_req_backend_set(struct req *req, const union vcl_val *v)
{
	req->be_hint = v->be;
	req->be_hint_set = 1;
	return (0);
}

const struct vcl_backend *
acc_bo_backend(const struct busyobj *bo)
{
	return (bo->vbe);
}

void
acc_bo_set_backend(struct busyobj *bo, const struct vcl_backend *be)
{
	bo->vbe = be;
	bo->be_rr = 0;
}

int
acc_be_healthy(struct vcl_ctx *c, const struct vcl_backend *vb)
{
	const struct backend *be = vb->priv;

	(void)c;
	return (be != NULL && !be_sick(be));
}

int
acc_be_check(const struct vcl_backend *vb, char *err, size_t errlen)
{
	return (be_check(vb, err, errlen));
}

enum vcl_action
acc_vcl_run(struct req *req, enum vcl_sub sub, struct vcl_ret *ret)
{
	struct vcl_ctx c = {req, NULL, &req->ws, NULL};

	enum vcl_action a = vcl_run(req_prog(req), sub, &c, ret);

	if (__builtin_expect(a == VCL_A_FAIL, 0))
		acc_vcl_failed(req->sp->wrk, sub, ret);
	return (a);
}

void
acc_vcl_failed(struct worker *wrk, enum vcl_sub sub, const struct vcl_ret *ret)
{
	double now;

	if (wrk == NULL)
		return;
	wrk->ctr.vcl_fail++;
	now = now_mono();
	if (wrk->vcl_fail_said != 0 && now < wrk->vcl_fail_said + 1.0)
		return; /* a broken VCL on a busy site: not a line per request */
	wrk->vcl_fail_said = now;
	fprintf(stderr, "accel: VCL failed in %s: %.*s\n", vcl_sub_name(sub),
	    ret->reason.p != NULL ? (int)ret->reason.len : 4,
	    ret->reason.p != NULL ? ret->reason.p : "fail");
}

int
acc_vcl_hash(struct req *req, struct sto_hashin *hi, struct vcl_ret *ret)
{
	struct vcl_ctx c = {req, NULL, &req->ws, hi};

	enum vcl_action a = vcl_run(req_prog(req), VCL_SUB_HASH, &c, ret);

	if (a == VCL_A_FAIL)
		acc_vcl_failed(req->sp->wrk, VCL_SUB_HASH, ret);
	return (a == VCL_A_LOOKUP && !hi->hi_overflow ? 0 : -1);
}
