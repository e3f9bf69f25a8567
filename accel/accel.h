/*
 * accel.h: the daemon's private types: workers, client sessions, requests,
 * origin fetches and backend connections, and the functions that pass them
 * between modules. Nothing outside accel/ includes this file.
 *
 * Threading: every struct here belongs to exactly one worker thread (its
 * libevent base) and is touched only from it; nothing on the request path
 * takes a lock. The shared, mutable state: the connection count (an
 * atomic), the backend registry (entries added by the main thread before
 * the program that uses them is published; their health and connection
 * counts are atomics) and the active VCL program (vcl_active.c).
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/event_struct.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/types.h>
#include <stdatomic.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "accel/common.h"
#include "accel/counters.h"
#include "accel/hdrs.h"
#include "accel/http1.h"
#include "accel/params.h"
#include "storage/storage.h"
#include "storage/sto_lmdb.h"
#include "vcl/vcl.h"

#define ACCEL_VERSION "0.1.0"
#define MAX_LISTEN 16
#define MAX_BACKENDS 64
#define RESP_MAX_HDRS 128

/* ---- workspace: a per-request bump arena (ws.c) ---- */

/* Allocations live until ws_reset(); overflow is sticky and checked once
 * by the caller (ws_overflowed) instead of after every allocation. */
struct ws {
	char *base;
	size_t size;
	size_t used;
	int overflow;
};

void ws_init(struct ws *ws, char *mem, size_t size);
void ws_reset(struct ws *ws);
void *ws_alloc(struct ws *ws, size_t len);
char *ws_dup(struct ws *ws, const char *s, size_t len);

/* ---- backends (backend.c) ---- */

/*
 * An origin as accel connects to it: one entry of the registry per
 * distinct backend (address, Host fallback and settings) any loaded VCL
 * program declared since start. The registry only grows (at most
 * MAX_BACKENDS entries; a program that would add more does not load), so
 * an entry lives until exit and its index names the per-worker pool of
 * connections to it (wrk->pools[idx]): a reload that keeps a backend
 * keeps its pooled connections and its health. Written by the main thread
 * before the program that uses it is published; then read-only but for
 * the atomics.
 */
struct backend {
	unsigned magic;
#define BACKEND_MAGIC 0x6d0b5a11
	unsigned idx;
	char name[256];	 /* Host when the request has none: .host_header,
			    else .host ("host:port" for -b) */
	char label[128]; /* for the log: the VCL name ("host:port" for -b) */
	char host[256], port[16]; /* as declared */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	/* The VCL's timeouts, or the -p defaults (seconds). */
	double t_connect, t_first_byte, t_between_bytes;
	unsigned max_conn; /* .max_connections; 0: no limit */
	atomic_uint nconn; /* fetches holding a connection to it */
	/* Passive health: a failed connect makes it sick for a second for
	 * every worker (monotonic microseconds; relaxed). */
	_Atomic int64_t sick_until_us;
};

extern struct backend backends[MAX_BACKENDS];
extern unsigned nbackends;

/* Split "host:port" / "[v6]:port" (-b) and check that it resolves; on
 * error writes one line into err and returns -1. */
int be_spec(const char *spec, char *host, size_t hl, char *port, size_t pl,
    char *err, size_t errlen);
/* Can vb's .host and .port be resolved (vcl_host_ops.ho_backend_check)? */
int be_check(const struct vcl_backend *vb, char *err, size_t errlen);
/* The registry entry for vb (found or added), label its log name; NULL
 * with one line in err (no address, registry full). Main thread. */
struct backend *be_get(const struct vcl_backend *vb, const char *label,
    char *err, size_t errlen);
/* Passive health: sick after a failed connect (any thread). */
int be_sick(const struct backend *be);
void be_mark_sick(struct backend *be);
/* .max_connections: take a slot (0, or -1 when full) or give it back. */
int be_acquire(struct backend *be);
void be_release(struct backend **bep);

/* ---- backend connections (fetch.c) ---- */

struct vbc {
	unsigned magic;
#define VBC_MAGIC 0x3e1c44b2
	int fd;
	struct worker *wrk;
	const struct backend *be;
	struct event rev, wev;
	struct evbuffer *in, *out;
	struct busyobj *bo; /* NULL while idle in the pool */
	unsigned connected : 1;
	unsigned reused : 1;
	TAILQ_ENTRY(vbc) list; /* in the pool while idle */
};
TAILQ_HEAD(vbc_head, vbc);

/* Per-thread, per-backend state: the idle pool. */
struct be_pool {
	struct vbc_head idle;
	unsigned nidle;
};

/* ---- the worker thread (worker.c) ---- */

/* Per-thread access log buffer, flushed on a timer and when full. */
struct logbuf {
	char buf[65536];
	size_t len;
};

struct worker {
	unsigned magic;
#define WORKER_MAGIC 0x77a7c3d1
	unsigned id;
	pthread_t thr;
	struct event_base *base;
	int lfd[MAX_LISTEN];
	struct event *lev[MAX_LISTEN];
	unsigned nlisten;
	int ctl_fd; /* eventfd: main thread asks us to drain */
	struct event *ctl_ev;
	struct event *log_ev;
	struct event *drain_ev;
	struct event *accept_pause_ev;
	struct counters ctr;
	struct be_pool pools[MAX_BACKENDS];
	unsigned rr_next;
	/* The VCL program this worker last took (one reference; vcl_active.c):
	 * new requests start on it while it is the active one. */
	struct acc_vcl *vcl_cur;
	double vcl_fail_said; /* monotonic: the last failure said on stderr */
	struct logbuf log;
	unsigned nsess;
	int draining;
	char *ws_free[16]; /* spare request workspaces */
	unsigned nws_free;
	struct busyobj *bo_free[16]; /* spare busyobjs (fetch.c) */
	unsigned nbo_free;
	TAILQ_HEAD(, sess) sessions;
	/* Requests parked until an object they read grows (cache_wait.c):
	 * touched by this thread only. Other threads reach us through
	 * wrk_kick(): `kicked` then kick_fd, an eventfd. */
	TAILQ_HEAD(, req) waiting;
	int kick_fd;
	struct event *kick_ev;
	atomic_int kicked;
	/* Fetches that fill an object with no request attached (a stored
	 * miss whose client reads the object, a background refresh). */
	TAILQ_HEAD(, busyobj) detached;
	unsigned ndetached;
};

/* Set up a worker on its listening sockets; run it; ask it to drain (from
 * the main thread); free it once its thread has been joined. */
int wrk_init(struct worker *wrk, unsigned id, const int *lfds, unsigned nl);
void *wrk_thread(void *priv);
void wrk_signal_drain(struct worker *wrk);
void wrk_fini(struct worker *wrk);
/* Wake wrk's waiting requests (any thread; coalesced until it runs). */
void wrk_kick(struct worker *wrk);
/* The worker running on this thread, NULL off the worker threads. */
struct worker *wrk_self(void);
/* A detached fetch of wrk ended: a draining worker may stop now. */
void wrk_detached_gone(struct worker *wrk);
/* A session of wrk ended: a draining worker stops after its last one. */
void wrk_sess_gone(struct worker *wrk);

extern struct worker *workers;
extern unsigned nworkers;
extern atomic_uint n_conns;

/* A duration in seconds as a timeval (negative: 0). */
static inline struct timeval
tv_of(double s)
{
	if (s < 0)
		s = 0;
	struct timeval tv = {(time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6)};
	return (tv);
}

/* Monotonic clock in seconds; wall clock in seconds since the epoch. */
double now_mono(void);
double now_real(void);
/* Take or give back a request workspace of ws_size() bytes. */
char *wrk_ws_get(struct worker *wrk);
void wrk_ws_put(struct worker *wrk, char *mem);
size_t ws_size(void);

/* ---- the client session and its request (sess.c, req_fsm.c) ---- */

/* The steps of a request; req_fsm.c has one function per step and the
 * driver loop. X(NAME, function) */
#define REQ_STEP_LIST(X)                                                       \
	X(RECV, req_recv)                                                      \
	X(HASH, req_hash)                                                      \
	X(LOOKUP, req_lookup)                                                  \
	X(HIT, req_hit)                                                        \
	X(MISS, req_miss)                                                      \
	X(PURGE, req_purge)                                                    \
	X(PASS, req_pass)                                                      \
	X(FETCH, req_fetch)                                                    \
	X(DELIVER, req_deliver)                                                \
	X(SYNTH, req_synth)                                                    \
	X(DONE, req_done)

enum req_step {
#define X(n, f) R_##n,
	REQ_STEP_LIST(X)
#undef X
	R_WAIT, /* returned by a step: parked until an event resumes it */
	R_FREE, /* the session is gone: the driver must not touch it */
};

struct req {
	unsigned magic;
#define REQ_MAGIC 0x2a5f8e01
	struct sess *sp;
	enum req_step step;
	struct ws ws;
	struct h1_req h;
	struct h1_hdr *hdrs;
	/* synthetic answers: the status (and reason, NULL: the standard one)
	 * req_synth sends; the body VCL's synthetic() built (workspace,
	 * synth_len bytes; NULL: none). vcl_synth's run starts it empty. */
	int err_status;
	const char *synth_reason;
	uint32_t synth_reason_len;
	uint32_t synth_len;
	const char *synth_body;
	/* VCL: vcl_deliver's and vcl_synth's response edits (vcl_resp.h; in
	 * the workspace, NULL when VCL changed nothing); the restarts so far;
	 * req.xid (0 until read); req.ttl / req.grace (when vcl_limits;
	 * negative: not set). Packed: a reset costs per byte. */
	struct resp_ed *resp_ed;
	uint64_t xid;
	float vcl_ttl, vcl_grace;
	uint16_t restarts;
	/* DELIVER of a miss or pass: vcl_deliver asked for a restart or a
	 * synth; req_resp_abort() ends the fetch and goes on at redo_step */
	uint8_t redo_step; /* enum req_step */
	uint8_t lookup_vcl; /* REQ_LK_* from VCL: one test when none */
#define REQ_LK_ALWAYS_MISS 0x1 /* req.hash_always_miss */
#define REQ_LK_IGNORE_BUSY 0x2 /* req.hash_ignore_busy */
	unsigned redo : 1;
	unsigned vcl_limits : 1;  /* vcl_ttl or vcl_grace is set */
	unsigned no_body : 1;	  /* the client sent HEAD: whatever method
				     VCL makes of it, no body goes back */
	unsigned fetched : 1;	  /* a fetch started: a later HIT step
				     delivers its answer (no vcl_hit) */
	unsigned vcl_deliver_done : 1; /* vcl_deliver ran for this answer */
	/* The request's program (req->vcl; set with it): its vcl_hit and
	 * vcl_deliver only deliver; it reads obj.hits (hits are counted). */
	unsigned vcl_hit_fixed : 1;
	unsigned vcl_obj_hits : 1;
	/* vcl_backend_error's answer (fetch_vcl.c writes it, req_synth sends
	 * it), in the request's workspace; NULL: accel's own text */
	const struct be_synth *be_synth;
	/* request body toward the origin */
	struct pump *reqbody; /* NULL when the request has none */
	unsigned body_done : 1;	  /* the whole request body was read */
	unsigned sent_continue : 1;
	/* response */
	int resp_status;
	uint64_t resp_bytes; /* bytes queued to the client, head included */
	struct busyobj *bo;
	/* cache: the key and its inputs (in the workspace), the object a hit
	 * delivers (one reference, dropped at DONE or close) */
	struct sto_key key;
	const uint8_t *hashin;
	size_t hashin_len;
	struct sto_obj *obj;
	/* A BUSY object this miss created and will fill (one reference,
	 * handed to the fetch at fetch_start); NULL when not storing or when
	 * the fetch decides at the head (hit-for-miss). */
	struct sto_obj *busy;
	/* The stale object a miss may revalidate or fall back on (stale-if-
	 * error); one reference, dropped at DONE or close. */
	struct sto_obj *stale;
	double age;
	int cs_kind;		/* enum rfc_cs_kind, for Cache-Status and the log */
	int cs_fwd_status;	/* Cache-Status fwd-status (revalidation), 0: none */
	unsigned stored : 1;	/* this miss is being stored */
	unsigned no_store : 1;	/* fetch without storing */
	unsigned cacheable : 1; /* went through LOOKUP */
	unsigned hfm : 1;	/* hit-for-miss: fetch without coalescing */
	unsigned waited : 1;	/* waited on a busy object once already */
	unsigned collapsed : 1; /* served from another request's fetch */
	/* delivery from an object still filling (cache_wait.c) */
	unsigned streaming : 1;	/* head written; body follows the object */
	unsigned stream_chunked : 1; /* writing chunked framing */
	unsigned on_waitlist : 1;    /* in wrk->waiting */
	unsigned disk : 1;	/* streaming a STO_F_DISKBODY body (dsk_*) */
	unsigned disk_clean : 1; /* the disk had nothing under the key */
	unsigned purging : 1;	/* vcl_recv returned purge */
	struct sto_cursor cur;
	uint64_t dsk_pos, dsk_end; /* body bytes still to read from disk */
	TAILQ_ENTRY(req) wlist;
	/* The VCL program of this request from its first run (RECV) to DONE,
	 * restarts included (counted on its worker; vcl_active.c), and the
	 * backend vcl_recv chose (the program's; be_hint_set: chosen, maybe
	 * NULL when a director had none healthy). */
	struct acc_vcl *vcl;
	const struct vcl_backend *be_hint;
	unsigned be_hint_set : 1;
	const char *be_name;
	int be_status;
	double t_start, t_first_byte;
};

enum sess_state {
	SS_IDLE,  /* keep-alive: waiting for the first byte of a request */
	SS_HEAD,  /* reading a request head */
	SS_BUSY,  /* a request is being processed */
	SS_CLOSE, /* flushing, then closing */
};

struct sess {
	unsigned magic;
#define SESS_MAGIC 0x5e55c0de
	struct worker *wrk;
	int fd;
	enum sess_state state;
	struct event rev, wev;
	struct evbuffer *in, *out;
	char peer[64]; /* client IP as text */
	double head_deadline;	/* SS_HEAD: head timeout; SS_CLOSE: linger end */
	size_t linger_budget;	/* SS_CLOSE: bytes still read and dropped */
	char *ws_mem;	/* the request's workspace while one is in progress */
	struct req req; /* one request at a time; pipelined ones wait in in */
	unsigned rd_eof : 1;	  /* the client closed its side */
	unsigned close_after : 1; /* close once the response is flushed */
	unsigned reading : 1;	  /* rev is armed */
	unsigned writing : 1;	  /* wev is armed */
	unsigned resp_done : 1;	  /* the whole response is queued in out */
	unsigned quick_close : 1; /* close without lingering (sess_next) */
	TAILQ_ENTRY(sess) list;
};

void sess_new(struct worker *wrk, int fd, const struct sockaddr *sa);
/* Start reading the next request or close; called when a request ends. */
void sess_next(struct sess *sp);
/* Arm or disarm client reads/writes; writes are flushed from sp->out. */
void sess_want_read(struct sess *sp, int on);
void sess_flush(struct sess *sp);
/* Tear the session down now (frees it; any busyobj must be gone). */
void sess_close(struct sess *sp);
/* Worker asks every session to finish: idle ones close now. */
void sess_drain_all(struct worker *wrk);

/* Run the request state machine from req->step until it parks or ends. */
void req_drive(struct req *req);

/* ---- what the request does with VCL's actions (req_vcl.c) ---- */

/* The request body is not all read (an answer now closes the
 * connection). */
static inline int
req_body_pending(const struct req *req)
{
	return (req->reqbody != NULL && !req->body_done);
}
/* synth(status[, reason]) from a subroutine: R_SYNTH with them. */
enum req_step req_synth_of(struct req *req, const struct vcl_ret *ret);
/* A subroutine failed, or returned what accel cannot act on: a 503. */
enum req_step req_vcl_failed(struct req *req);
/* return (restart): the request's cache and fetch state let go; R_RECV,
 * or R_SYNTH (503) past max_restarts. */
enum req_step req_restart(struct req *req);
/* vcl_deliver before a head: deliver, synth (req->err_status set) or
 * restart (the caller restarts once it may). */
enum vcl_action req_vcl_deliver(struct req *req);
/* HIT, once req->obj can answer: vcl_hit (unless the object is the
 * answer of this request's own fetch), then vcl_deliver. R_HIT to write
 * it, else the step VCL chose (R_RECV for a restart, R_PASS, R_SYNTH). */
enum req_step req_vcl_hit(struct req *req);
/* SYNTH: write the answer after vcl_synth returned a. */
void req_synth_write(struct req *req, enum vcl_action a);
/* Events from the session and the fetch resume the machine with these. */
void req_client_readable(struct req *req);
void req_client_drained(struct req *req);
void req_client_error(struct req *req);
/* From the fetch: the whole response is queued / it was cut short. */
void req_resp_done(struct req *req);
void req_resp_abort(struct req *req);

/* ---- body pumps (pump.c) ---- */

/* Moves one message body between two evbuffers, decoding its framing on
 * the way in and writing the framing of the way out. The data itself moves
 * between buffers without being copied (evbuffer_remove_buffer). */
struct pump {
	enum h1_body in;      /* framing of the source */
	int out_chunked;      /* write chunked framing to the sink */
	uint64_t remaining;   /* H1B_LENGTH: bytes left */
	struct h1_chunk ck;   /* H1B_CHUNKED decoder */
	uint64_t bytes;	      /* body bytes moved */
	uint64_t limit;	      /* 0 or the most body bytes allowed */
	int done;
	/* optional copy of every body byte moved (the cache fill) */
	int (*tee)(void *priv, const void *p, size_t n);
	void *tee_priv;
	int tee_failed; /* the tee refused bytes: stop copying */
};

enum { PUMP_MORE = 0, PUMP_DONE = 1, PUMP_ERR = -1, PUMP_TOOBIG = -2 };

void pump_init(struct pump *p, enum h1_body in, uint64_t length,
    int out_chunked, uint64_t limit);
/* Move what src holds until dst holds `high` bytes or the body ends. */
int pump_move(struct pump *p, struct evbuffer *src, struct evbuffer *dst,
    size_t high);
/* The source hit EOF: finishes an H1B_EOF body, else the body was cut. */
int pump_eof(struct pump *p, struct evbuffer *dst);

/* ---- origin fetch (fetch.c) ---- */

/*
 * The answer vcl_backend_error delivered for an attached request: status,
 * reason, the beresp.http fields it left and its synthetic() body. Copied
 * into the request's workspace (the busyobj ends before SYNTH writes it);
 * valid until the request ends.
 */
struct be_synth {
	int status;
	struct vcl_str reason;
	const struct h1_hdr *hdrs;
	unsigned nhdrs;
	struct vcl_str body;
};

/*
 * One request to an origin. Attached: on behalf of req, whose client gets
 * the response streamed (pass, and misses not stored). Detached (req NULL):
 * it fills bo->fill at the origin's pace and readers follow the object
 * (stored misses once their head arrived, background refreshes). Lifetime:
 * malloc'd by fetch_start*(), freed by fetch_finish(); while detached it
 * is on its worker's `detached` list.
 */
struct busyobj {
	unsigned magic;
#define BUSYOBJ_MAGIC 0x0b5b0b1e
	struct req *req;  /* NULL when detached */
	struct worker *wrk;
	enum h1_method meth;  /* method sent (GET for a HEAD miss) */
	struct evbuffer *reqhead; /* detached from the start: the request
				     head, kept for a retry */
	struct evbuffer *scratch; /* detached: the pump's sink, drained */
	struct sto_obj *cond;	  /* revalidating this object: its
				     validators were sent (one reference) */
	unsigned detached : 1;
	unsigned strip_cond : 1;  /* filling: drop the client's Range and
				     conditionals (we want the whole 200) */
	unsigned head_only : 1;   /* a HEAD client on a GET fetch */
	TAILQ_ENTRY(busyobj) dlist;
	struct vbc *vbc;
	const struct backend *be;
	/* The program of the request that started the fetch, kept to its
	 * end even detached (counted on wrk); the VCL backend it goes to
	 * (the program's; NULL: none, or be_rr not yet picked); be_rr: no
	 * backend_hint in a program generated for -b, accel's round-robin
	 * with failover picks; held: the backend whose .max_connections
	 * slot this fetch holds. */
	struct acc_vcl *vcl;
	const struct vcl_backend *vbe;
	unsigned be_rr : 1;
	struct backend *held;
	unsigned tries;	       /* backends tried (connect failures) */
	unsigned retried : 1;  /* the one retry on a fresh connection used */
	unsigned head_done : 1;
	unsigned body_done : 1;
	unsigned req_sent : 1; /* request head and body fully written */
	unsigned paused : 1;   /* origin reads paused: client buffer full */
	unsigned disk_paused : 1; /* origin reads paused: dstream has no room
				     (dwait_ev polls until it has) */
	unsigned deliver_failed : 1; /* no memory for the client head */
	int resp_status;
	struct sto_obj *fill; /* the object this miss fills, or NULL */
	/* A body larger than memory going to the disk tier as it passes to
	 * the client (cache.c fill_disk_stream), or NULL. */
	struct sto_lmdb_wstream *dstream;
	struct event *dwait_ev; /* timer for disk_paused, or NULL */
	double t_sent_real;   /* wall clock when the request was sent */
	struct h1_resp resp;
	struct pump body;
	double t_sent;
	/* Timeouts of this fetch: the -p values, or bereq.*_timeout. */
	double tmo_connect, tmo_first_byte, tmo_between_bytes;
	/*
	 * VCL on the fetch (fetch_vcl.c, vcl_host_be.c). The workspace is a
	 * spare of the worker's (wrk_ws_get) taken by bo_new() and given
	 * back by fetch_finish(): the runs' strings, the bereq and beresp
	 * views and the synthetic body live there, as long as the busyobj.
	 */
	char *ws_mem;
	struct ws ws;
	/* bereq: the origin request as vcl_backend_fetch left it, without
	 * the framing fields (fetch_vcl_write adds them). Its entries point
	 * into the client's request until fetch_vcl_own() copies them into
	 * ws: fetch_detach() and fetch_start_bg() do, before a fetch whose
	 * head may still be written or retried goes on alone. Once the
	 * response head is in, nothing reads bereq again. */
	struct hdrs bereq;
	struct vcl_str bereq_method, bereq_url;
	double t_bereq; /* bereq.time */
	/* beresp (vcl_backend_response, vcl_backend_error): the response's
	 * fields (written back into resp after the run), its lifetimes */
	struct hdrs beresp;
	double be_ttl, be_grace, be_keep;
	struct vcl_str synth;	   /* synthetic() in vcl_backend_error */
	unsigned err_status;	   /* return (error(STATUS)) */
	struct vcl_str err_reason; /* its reason, or unset */
	unsigned retries;	   /* bereq.retries */
	char client_ip[64];	   /* client.ip as text: survives the client */
	unsigned bereq_owned : 1;  /* bereq copied into ws */
	unsigned uncacheable : 1;  /* bereq.uncacheable: a pass */
	unsigned is_bg : 1;	   /* bereq.is_bgfetch */
	unsigned is_hitmiss : 1;   /* bereq.is_hitmiss */
	unsigned beresp_uncacheable : 1;
	unsigned beresp_unc_set : 1; /* VCL wrote beresp.uncacheable */
	unsigned was_304 : 1;
	unsigned do_gzip : 1, do_gunzip : 1; /* accepted, not acted on */
	unsigned vcl_error : 1;	   /* the failure is the VCL's error() */
	struct h1_hdr resp_hdrs[RESP_MAX_HDRS];
};

/* Start fetching req from a backend (filling req->busy when set): 0 on
 * its way; 1 when it failed and req is served a stale object (req->obj,
 * stale-if-error); -1 when it failed: req->err_status (and req->be_synth)
 * are the answer. */
int fetch_start(struct req *req);
/* A background refresh of req's key into `fill` (BUSY, one reference
 * handed over), revalidating `cond` when not NULL; req is not attached.
 * 0, or -1 when no backend could be tried (fill is then failed). */
int fetch_start_bg(struct req *req, struct sto_obj *fill, struct sto_obj *cond);
/* The client of bo left before the head: go on filling bo->fill alone.
 * 0, or -1 when it cannot (then fetch_finish() it). */
int fetch_detach(struct busyobj *bo);
/* Drain: end every detached fetch of wrk now (their objects fail). */
void fetch_abort_detached(struct worker *wrk);
/* The client's buffer drained: resume origin reads if paused. */
void fetch_resume(struct busyobj *bo);
/* Request body bytes are waiting in the client buffer: move them. */
void fetch_pump_reqbody(struct busyobj *bo);
/* End the fetch; the connection goes back to the pool when reusable. */
void fetch_finish(struct busyobj **bop);
/* Close idle pooled connections (drain). */
void fetch_pool_close_all(struct worker *wrk);

/* ---- the cache (cache.c) ---- */

struct hb;
extern struct sto_tier *cache_tier; /* memory */
extern struct sto_tier *cache_disk; /* LMDB, behind memory; NULL: none */
/* Open the storage from -s and read the cache tunables; -1 with err. */
/* specs: the -s arguments (n of them); the disk tier defaults to
 * state_dir/store. 0, or -1 with a message in err. */
int cache_init(const char *const *specs, unsigned n, const char *state_dir,
    char *err, size_t errlen);
void cache_fini(void);
/* Write what the disk tier has queued (at a stop, before the counters). */
void cache_flush(void);
int cache_hash(struct req *req);
enum req_step cache_lookup(struct req *req);
/* HIT (cache_deliver.c): answer from req->obj, a COMPLETE object. */
enum req_step cache_deliver_hit(struct req *req);
/* The next field of a stored header block b[0..len) from *pos (start at
 * 0): 1 with *h pointing into b, 0 at the end (cache_deliver.c). */
int cache_hdr_next(const char *b, size_t len, size_t *pos, struct h1_hdr *h);
struct resp_ed;
/* Write the stored header block b[0..len) into hb but the fields the edit
 * list ed replaces or removes (cache_deliver.c). */
void cache_hdrs_edited(struct hb *hb, const char *b, size_t len,
    const struct resp_ed *ed);
/* A hit served from o: obj.hits one higher. A lost race retries; at 255
 * the count stays (it is one byte). */
static inline void
cache_obj_hit(struct sto_obj *o)
{
	uint8_t h = atomic_load_explicit(&o->o_hits, memory_order_relaxed);

	while (h < UINT8_MAX && !atomic_compare_exchange_weak_explicit(
	    &o->o_hits, &h, (uint8_t)(h + 1), memory_order_relaxed,
	    memory_order_relaxed))
		;
}
/* HIT, a body on disk being streamed (cache_deliver.c). */
enum req_step cache_deliver_disk(struct req *req);
/* Remove every variant of req's key from both tiers: how many there
 * were. Who may purge is vcl_recv's decision. */
unsigned cache_purge(struct req *req);
/* sto_obj.o_cflags: what the daemon keeps of a stored response's fields. */
enum {
	OC_NO_CACHE = 1u << 0,        /* validate before every use */
	OC_MUST_REVALIDATE = 1u << 1, /* never serve stale */
	OC_ACCEPT_RANGES = 1u << 2,   /* the origin sent Accept-Ranges */
	/* Bits 8..31 (HDRS_NAME_FILTER) hold the filter of the stored
	 * block's field names (hdrs_name_bit): a name whose bit is clear is
	 * not in the block. Set by fill_hdrs; an object stored before the
	 * filter existed (the LMDB tier keeps o_cflags as written) lacks
	 * the flag, and its block is walked as before. */
	OC_HNAMES = 1u << 3,
};

/* Whether o's stored block certainly has no field with a name of that
 * filter (hdrs_name_bit bits): 0 when it may have one, or o has no
 * filter. */
static inline int
cache_hdrs_lack(const struct sto_obj *o, uint32_t names)
{
	return ((o->o_cflags & OC_HNAMES) != 0 && (o->o_cflags & names) == 0);
}

/* What the fetch does with a response head (cache_fill_begin). */
enum fill_rc {
	CF_PASS,   /* stream it to the attached client (not stored) */
	CF_STREAM, /* stored: detach; the client reads the object */
	CF_OBJ,    /* the client is served req->obj (a 304 refreshed it, or
		      stale-if-error): end the fetch without its body */
	/* vcl_backend_response's other answers: nothing of the head is used
	 * and nothing was stored (bo->fill is kept for a retry only) */
	CF_RETRY,   /* fetch again */
	CF_ERROR,   /* vcl_backend_error with bo->err_status */
	CF_ABANDON, /* 503 (abandon, fail) */
};
enum fill_rc cache_fill_begin(struct req *req);
/* The same for a background refresh (bo has no request). */
enum fill_rc cache_fill_bg(struct busyobj *bo);
/* Is the published object o an answer to req (its Vary)? */
int cache_obj_usable(const struct req *req, const struct sto_obj *o);
/* The fetch failed before a response head: 1 when req is now served from
 * a stale object (stale-if-error), else 0. */
int cache_fetch_failed(struct req *req);
/* Drop the request's cache references (DONE or close; the client buffer
 * holds no span of them any more). */
void cache_req_fini(struct req *req);
/* MISS: prepare the fill (a BUSY object others wait on). */
enum req_step cache_miss(struct req *req);
/* HIT step: deliver req->obj, waiting on it while it fills. */
enum req_step cache_deliver_obj(struct req *req);
/* Wake every request of wrk that waits on an object (its kick). */
void cache_wake_all(struct worker *wrk);
/* The storage notify hook (sto_obj_notify_set): wakes an object's waiters. */
void cache_obj_notify(struct sto_obj *o, void *priv);
void cache_fill_tee(struct busyobj *bo);
void cache_fill_end(struct busyobj *bo);
/* Append the Cache-Status field of req, ttl_left seconds of freshness. */
void cache_status_hdr(struct hb *hb, const struct req *req, double ttl_left);
/* After an unsafe method's answer resp (RFC 9111 section 4.4). */
void cache_invalidate(struct req *req, const struct h1_resp *resp);

/* ---- Vary variants (cache_vary.c) ---- */

/* Record r's Vary and req's values for it on the BUSY object o, before
 * it is inserted. 0, or -1: do not store r. */
int cache_vary_set(struct sto_obj *o, struct req *req, const struct h1_resp *r);
/* The same for a background refresh: o takes the stale c's Vary record
 * when r varies on the same fields; -1 when it does not. */
int cache_vary_copy(struct sto_obj *o, const struct sto_obj *c,
    const struct h1_resp *r);

/* ---- buffers ---- */

/* Read up to max bytes from fd into b without libevent's 4 KiB cap.
 * Returns bytes read, 0 on EOF, -1 with errno (EAGAIN included). */
ssize_t buf_read(struct evbuffer *b, int fd, size_t max);
/* The same for small reads (request heads): read into a per-thread
 * buffer and copy what came, so an evbuffer chain of the read's size is
 * allocated, not one of 64 KiB per read. */
ssize_t buf_read_copy(struct evbuffer *b, int fd);

/* ---- access log (log.c) ---- */
int log_open(const char *spec, char *err, size_t errlen);
void log_request(struct worker *wrk, const struct req *req);
void log_flush(struct worker *wrk);
void log_close(void);

/* ---- VCL (vcl_host.c, vcl_active.c) ---- */
extern const struct vcl_host_ops acc_vcl_ops;
struct acc_vcl;
/* A -b HOST:PORT for the generated program (before acc_vcl_init). 0, or
 * -1 with a message in err. */
int acc_vcl_backend_spec(const char *spec, char *err, size_t errlen);
/* Load the daemon's program: file, or the one generated from the -b
 * backends; its diagnostics go to stderr; vcl_init runs. 0, or -1 with a
 * message in err. Main thread, before the workers start (nworkers set). */
int acc_vcl_init(const char *file, char *err, size_t errlen);
/* accel -C: load file or the generated program (-b) or the built-in VCL
 * alone, messages to stderr; -d prints the generated text then the
 * compiled form on stdout. Exit status 0 or 2. */
int acc_vcl_check(const char *file, int dump);
/* SIGHUP (main thread): load the same source again; on success publish
 * it (the workers switch at their next request, or when kicked); on
 * failure keep the running one. Logs one line either way. 0 or -1. */
int acc_vcl_reload(void);
/* Worker thread: take the active program now if it changed (the main
 * thread kicks the workers after a reload so that an idle one lets go of
 * the old program); at exit, drop what the worker holds. */
void acc_vcl_wrk_sync(struct worker *wrk);
void acc_vcl_wrk_fini(struct worker *wrk);
/* A run on wrk ended in fail: counted, and said on stderr (which
 * subroutine, why) at most once a second per worker. */
void acc_vcl_failed(struct worker *wrk, enum vcl_sub sub,
    const struct vcl_ret *ret);
/* A request ends (DONE, or its session closes): its program is let go. */
void acc_vcl_req_fini(struct req *req);
/* fetch_start: the fetch takes its request's program and backend choice.
 * fetch_finish: it lets them go. */
void acc_vcl_bo_init(struct busyobj *bo, struct req *req);
void acc_vcl_bo_fini(struct busyobj *bo);
/* The program's backend i for the generated round-robin (NULL past the
 * end), and how many there are. */
const struct vcl_backend *acc_vcl_be_at(const struct acc_vcl *v, unsigned i);
unsigned acc_vcl_nbe(const struct acc_vcl *v);
void acc_vcl_fini(void);
/* vcl_load(file, name, src, srclen) with the built-in VCL whose
 * accel_purge ACL is -p purge_acl (vcl_builtin.c); diagnostics into d.
 * The program, or NULL (a bad purge_acl: a message in err). */
struct vcl_prog *acc_vcl_load(const char *file, const char *name,
    const char *src, size_t srclen, struct vcl_diag *d, char *err,
    size_t errlen);
/* builtin.vcl with its accel_purge ACL made from purge_acl: a heap
 * string the caller frees, or NULL with a message in err. */
char *acc_vcl_builtin_text(const char *purge_acl, size_t *lenp, char *err,
    size_t errlen);
/* Run sub of the daemon's program for req (client-side subs). */
enum vcl_action acc_vcl_run(struct req *req, enum vcl_sub sub,
    struct vcl_ret *ret);
/* vcl_hash for req: its hash_data() inputs into hi. 0, or -1 (the sub did
 * not look up, or hi is full). */
int acc_vcl_hash(struct req *req, struct sto_hashin *hi, struct vcl_ret *ret);
/* Run a backend sub of the fetch's program for bo (vcl_host_be.c): its
 * context is the busyobj, its strings go to bo->ws. */
enum vcl_action acc_vcl_be_run(struct busyobj *bo, enum vcl_sub sub,
    struct vcl_ret *ret);

/* ---- the fetch's VCL (fetch_vcl.c) ---- */

struct rfc_fresh;
/* bereq from bo->req (attached) as accel sends it: 0, or -1 (no room). */
int fetch_vcl_bereq(struct busyobj *bo);
/* Copy bereq into bo->ws: the fetch may outlive the request. 0 or -1. */
int fetch_vcl_own(struct busyobj *bo);
/* Write the origin request head from bereq into dst. 0 or -1. */
int fetch_vcl_write(struct busyobj *bo, struct evbuffer *dst);
/* vcl_backend_response on the head in bo->resp: *f (accel's lifetimes by
 * RFC 9111) and *store (accel would store it) as VCL leaves them; the
 * edited fields are written back into bo->resp. The action, in ret. */
enum vcl_action fetch_vcl_response(struct busyobj *bo, struct rfc_fresh *f,
    int *store, struct vcl_ret *ret);
/* vcl_backend_error for a fetch that failed with status; on deliver with
 * a request attached, req->be_synth and req->err_status are its answer. */
enum vcl_action fetch_vcl_error(struct busyobj *bo, int status);
/* Queue req->be_synth's head and body into out (req_synth). */
void fetch_vcl_synth_write(struct req *req, struct evbuffer *out);

#endif
