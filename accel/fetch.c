/*
 * fetch.c: a request to an origin, the second state machine beside
 * req_fsm.c: vcl_backend_fetch on bereq (fetch_vcl.c), pick a backend (the
 * VCL's req.backend_hint, or for -b's generated program round-robin,
 * skipping one whose connects fail), take a pooled connection or connect,
 * send the head and stream the request body, read the response head (1xx
 * skipped), let the cache decide (cache_fill_begin(), which runs
 * vcl_backend_response), hand it to the request (DELIVER), then stream the
 * body (fetch_body.c), and give the connection back to the pool when it
 * can be reused. A fetch that fails before a head runs vcl_backend_error
 * for its client; VCL's retry starts it again (fetch_restart()).
 *
 * A fetch whose answer is stored detaches from its request once the head
 * is in (cache_fill_begin() says CF_STREAM): it fills the object at the
 * origin's pace and every client, the one that caused it included, reads
 * the object (cache_wait.c). A background refresh is detached from the
 * start. A detached fetch keeps bereq in its workspace and its request
 * head in bo->reqhead, for its retries.
 *
 * Lifetime: the busyobj is malloc'd by fetch_start*() and freed by
 * fetch_finish(); while detached it is on its worker's list, so a drain
 * can end it. A vbc is malloc'd at connect and freed when closed; while
 * idle it sits in its worker's pool for that backend.
 */
#include "accel/accel.h"
#include "accel/fetch_int.h"
#include "accel/hb.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

static void vbc_rcb(evutil_socket_t fd, short what, void *priv);
static void vbc_wcb(evutil_socket_t fd, short what, void *priv);
static int fetch_connect(struct busyobj *bo, int fresh);
static void fetch_connect_failed(struct busyobj *bo);

static void
vbc_close(struct vbc **vp)
{
	struct vbc *vc = *vp;
	*vp = NULL;
	CHECK_OBJ_NOTNULL(vc, VBC_MAGIC);
	event_del(&vc->rev);
	event_del(&vc->wev);
	close(vc->fd);
	evbuffer_free(vc->in);
	evbuffer_free(vc->out);
	vc->magic = 0;
	free(vc);
}

void
vbc_arm_read(struct vbc *vc)
{
	struct busyobj *bo = vc->bo;
	if (bo == NULL) {
		struct timeval tv = tv_of(prm.timeout_backend_idle);
		event_add(&vc->rev, &tv);
	} else if (!bo->req_sent && !bo->head_done) {
		event_add(&vc->rev, NULL);
	} else if (bo->head_done) {
		struct timeval tv = tv_of(fetch_tmo(bo->tmo_between_bytes,
		    vc->be->t_between_bytes));
		event_add(&vc->rev, &tv);
	} else {
		/* A deadline, not an idle timer: a head trickled byte by byte
		 * or behind 1xx answers must not extend it. */
		double left = bo->t_sent + fetch_tmo(bo->tmo_first_byte,
		    vc->be->t_first_byte) - now_mono();
		struct timeval tv = tv_of(left > 0 ? left : 0);
		event_add(&vc->rev, &tv);
	}
}

static int
retryable(const struct busyobj *bo)
{
	if (bo->req != NULL && bo->req->h.body != H1B_NONE)
		return (0);
	switch (bo->meth) {
	case H1M_GET:
	case H1M_HEAD:
	case H1M_PUT:
	case H1M_DELETE:
	case H1M_OPTIONS:
	case H1M_TRACE:
		return (1);
	default:
		return (0);
	}
}

/* Write the origin request head into dst from bereq (fetch_vcl.c). */
static int
fetch_build_req(struct busyobj *bo, struct evbuffer *dst)
{
	return (fetch_vcl_write(bo, dst));
}

/* The request head and body are all written: the first-byte deadline
 * starts now (and never again for this request). */
static void
fetch_sent(struct busyobj *bo)
{
	if (bo->req_sent)
		return;
	bo->req_sent = 1;
	bo->t_sent = now_mono();
	vbc_arm_read(bo->vbc);
}

/* Write the connection's output; arm the write event for what is left. */
static int
vbc_flush(struct vbc *vc)
{
	if (evbuffer_get_length(vc->out) > 0) {
		int n = evbuffer_write(vc->out, vc->fd);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return (-1);
	}
	if (evbuffer_get_length(vc->out) > 0) {
		struct timeval tv = tv_of(vc->be->t_first_byte);
		event_add(&vc->wev, &tv);
	} else
		event_del(&vc->wev);
	return (0);
}

/* A detached fetch ends: its object is complete when the whole body came. */
static void
fetch_detached_end(struct busyobj *bo)
{
	fetch_finish(&bo);
}

static int fetch_begin(struct busyobj *bo);

/*
 * Fetch again (return (retry)): a fresh connection (the old one may hold
 * an unread body), the backends tried anew, vcl_backend_fetch again on
 * bereq as the last run left it. What fetch_begin() returns.
 */
static int
fetch_restart(struct busyobj *bo)
{
	bo->retries++;
	bo->wrk->ctr.fetch_retry++;
	if (bo->vbc != NULL)
		vbc_close(&bo->vbc);
	bo->head_done = 0;
	bo->body_done = 0;
	bo->req_sent = 0;
	bo->paused = 0;
	bo->retried = 0;
	bo->tries = 0;
	bo->was_304 = 0;
	return (fetch_begin(bo));
}

/* May bo fetch again? Not past max_retries, nor once a request body has
 * started toward the origin (accel does not keep it). */
static int
fetch_may_retry(const struct busyobj *bo)
{
	return (bo->retries < prm.max_retries &&
	    (bo->req == NULL || bo->req->reqbody == NULL));
}

/*
 * vcl_backend_error for the attached bo, which failed with status (or
 * -1: abandon) before any head reached its client; it may retry. 0 when
 * a retry is on its way; -1 when the fetch is over and req->err_status
 * (with req->be_synth when the VCL delivered) is the client's answer.
 */
static int
fetch_error(struct busyobj *bo, int status)
{
	struct req *req = bo->req;

	while (status > 0) {
		enum vcl_action a = fetch_vcl_error(bo, status);
		if (a == VCL_A_DELIVER)
			return (-1); /* req->be_synth */
		if (a != VCL_A_RETRY || !fetch_may_retry(bo))
			break;
		status = fetch_restart(bo);
	}
	if (status == 0)
		return (0);
	req->err_status = 503; /* abandon, fail, too many retries */
	return (-1);
}

/* The fetch is over without a response (status, or -1 for abandon): a
 * detached one fails its object; an attached one's client gets what
 * vcl_backend_error says, unless it retried. */
static void
fetch_end_failed(struct busyobj *bo, int status)
{
	struct req *req = bo->req;

	if (req == NULL) {
		fetch_detached_end(bo); /* the object fails; readers see it */
		return;
	}
	if (fetch_error(bo, status) == 0)
		return;
	req->step = R_SYNTH; /* req_synth() ends the fetch */
	req_drive(req);
}

/* The request failed before any response byte: a stale object when
 * stale-if-error allows it, else vcl_backend_error for the origin's
 * failures (502, 503, 504), else SYNTH with `status`. */
static void
fetch_fail(struct busyobj *bo, int status)
{
	struct req *req = bo->req;
	if (req == NULL) {
		fetch_detached_end(bo); /* the object fails; readers see it */
		return;
	}
	if (bo->head_done) {
		/* The client has the origin's head already: no synthetic
		 * answer can follow it, only the cut. */
		req_resp_abort(req);
		return;
	}
	req->err_status = status;
	if (cache_fetch_failed(req)) {
		fetch_finish(&req->bo);
		req->step = R_HIT;
	} else if (status >= 502 && status <= 504) {
		fetch_end_failed(bo, status);
		return;
	} else
		req->step = R_SYNTH; /* req_synth() ends the fetch */
	req_drive(req);
}

/* vcl_backend_response said retry, error or abandon: nothing of this
 * head reaches anyone, and its body is not read. */
static void
fetch_head_redo(struct busyobj *bo, enum fill_rc rc)
{
	int st;

	vbc_close(&bo->vbc);
	bo->head_done = 0;
	if (rc == CF_ABANDON)
		st = -1;
	else if (rc == CF_ERROR)
		st = (int)bo->err_status;
	else if (fetch_may_retry(bo))
		st = fetch_restart(bo);
	else
		st = 503; /* too many retries: vcl_backend_error */
	if (st != 0)
		fetch_end_failed(bo, st);
}

/* The connection broke before a response byte: retry once on a fresh
 * connection when that is safe, else answer 502. */
static void
fetch_broken(struct busyobj *bo)
{
	struct worker *wrk = bo->wrk;
	if (bo->vbc->reused && !bo->retried && !bo->head_done &&
	    evbuffer_get_length(bo->vbc->in) == 0 && retryable(bo)) {
		bo->retried = 1;
		wrk->ctr.fetch_retry++;
		vbc_close(&bo->vbc);
		if (fetch_connect(bo, 1) != 0)
			fetch_fail(bo, 503);
		return;
	}
	wrk->ctr.fetch_err_proto++;
	fetch_fail(bo, 502);
}

/* Move request body bytes from the client toward the origin, write them,
 * and only then decide whether to read more from the client: the write may
 * have emptied the origin buffer, and nothing else would wake us. */
void
fetch_pump_reqbody(struct busyobj *bo)
{
	struct req *req = bo->req;
	struct sess *sp = req->sp;
	struct vbc *vc = bo->vbc;

	if (req->reqbody == NULL || req->body_done || vc == NULL)
		return;
	for (;;) {
		size_t before = evbuffer_get_length(vc->out);
		int rc = pump_move(req->reqbody, sp->in, vc->out, prm.buffer_high);
		sp->wrk->ctr.req_body_bytes += evbuffer_get_length(vc->out) - before;
		if (rc == PUMP_ERR || rc == PUMP_TOOBIG) {
			/* Bad framing or too big mid-stream: the origin gets
			 * a cut request on a connection we close. */
			if (bo->head_done) {
				req_client_error(req);
				return;
			}
			sp->wrk->ctr.req_bad++;
			fetch_fail(bo, rc == PUMP_TOOBIG ? 413 : 400);
			return;
		}
		if (rc == PUMP_DONE)
			req->body_done = 1;
		if (vc->connected && vbc_flush(vc) != 0) {
			if (bo->head_done)
				req_client_error(req);
			else
				fetch_broken(bo);
			return;
		}
		if (req->body_done || evbuffer_get_length(sp->in) == 0 ||
		    evbuffer_get_length(vc->out) >= prm.buffer_high)
			break;
	}
	if (req->body_done) {
		sess_want_read(sp, 1); /* now only watching, see sess_want_read */
		if (vc->connected && evbuffer_get_length(vc->out) == 0)
			fetch_sent(bo);
		return;
	}
	if (sp->rd_eof && evbuffer_get_length(sp->in) == 0) {
		req_client_error(req); /* the client went away mid-body */
		return;
	}
	sess_want_read(sp, evbuffer_get_length(vc->out) < prm.buffer_high);
}

/* Send the request on bo->vbc (new or pooled). */
static void
fetch_send(struct busyobj *bo)
{
	struct vbc *vc = bo->vbc;
	struct req *req = bo->req;

	vc->bo = bo;
	bo->t_sent_real = now_real(); /* request_time, RFC 9111 4.2.3 */
	if (bo->reqhead != NULL) {
		size_t n = evbuffer_get_length(bo->reqhead);
		if (evbuffer_add(vc->out, evbuffer_pullup(bo->reqhead, -1), n) != 0) {
			fetch_fail(bo, 500);
			return;
		}
	} else if (fetch_build_req(bo, vc->out) != 0) {
		fetch_fail(bo, 500);
		return;
	}
	bo->wrk->ctr.fetch_total++;
	if (bo->cond != NULL &&
	    (sto_obj_etag(bo->cond).ptr != NULL ||
	    sto_obj_lastmod(bo->cond).ptr != NULL))
		bo->wrk->ctr.cache_reval++;
	if (req != NULL)
		req->be_name = bo->be->label;
	bo->req_sent = 0;
	if (req == NULL || req->reqbody == NULL || req->body_done) {
		if (vc->connected) {
			if (vbc_flush(vc) != 0) {
				fetch_broken(bo);
				return;
			}
			if (evbuffer_get_length(vc->out) == 0)
				fetch_sent(bo);
		}
		vbc_arm_read(vc);
		return;
	}
	vbc_arm_read(vc);
	fetch_pump_reqbody(bo);
}

/* The backend to try next. The VCL's choice (req.backend_hint, the
 * first backend by default) is tried once. With -b's generated program
 * and no hint: round-robin over its backends, skipping sick ones while
 * any other is left, each tried at most once per fetch. NULL when there
 * is nothing (left) to try. */
static struct backend *
fetch_pick(struct busyobj *bo)
{
	struct worker *wrk = bo->wrk;
	unsigned n = bo->vcl != NULL ? acc_vcl_nbe(bo->vcl) : 0;

	if (!bo->be_rr)
		return (bo->tries == 0 && bo->vbe != NULL ? bo->vbe->priv : NULL);
	if (bo->tries >= n)
		return (NULL);
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n; i++) {
			unsigned ix = (wrk->rr_next + i) % n;
			const struct vcl_backend *vb = acc_vcl_be_at(bo->vcl, ix);
			struct backend *be = vb->priv;
			if (be == NULL || (pass == 0 && be_sick(be)))
				continue;
			wrk->rr_next = ix + 1;
			bo->vbe = vb;
			return (be);
		}
	}
	return (NULL);
}

/* Get a connection to a backend: pooled unless `fresh`, else connect.
 * Returns 0 with bo->vbc set and the request on its way, -1 when no
 * backend could be reached (req->err_status is left for the caller). */
static int
fetch_connect(struct busyobj *bo, int fresh)
{
	struct worker *wrk = bo->wrk;
	struct backend *be;

	while ((be = (fresh && bo->held != NULL) ? bo->held : fetch_pick(bo)) != NULL) {
		struct be_pool *pool = &wrk->pools[be->idx];
		if (bo->held != be) {
			/* .max_connections: past it, this backend is busy. */
			be_release(&bo->held);
			if (be_acquire(be) != 0) {
				bo->tries++;
				wrk->ctr.fetch_err_busy++;
				continue;
			}
			bo->held = be;
		}
		bo->be = be;
		while (!fresh && pool->nidle > 0) {
			struct vbc *vc = TAILQ_FIRST(&pool->idle);
			TAILQ_REMOVE(&pool->idle, vc, list);
			pool->nidle--;
			event_del(&vc->rev);
			/* Bytes or an EOF that arrived while it sat idle (and
			 * that its idle event has not seen yet) would be taken
			 * for the answer to the next request: drop it. */
			char c;
			ssize_t pk = recv(vc->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
			if (pk >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				vbc_close(&vc);
				continue;
			}
			vc->reused = 1;
			bo->vbc = vc;
			wrk->ctr.backend_conn_reuse++;
			fetch_send(bo);
			return (0);
		}
		fresh = 0;
		bo->tries++;
		int fd = socket(be->addr.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		int one = 1;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, (const struct sockaddr *)&be->addr, be->addrlen) != 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			be_mark_sick(be);
			wrk->ctr.fetch_err_connect++;
			continue;
		}
		struct vbc *vc = calloc(1, sizeof *vc);
		if (vc == NULL) {
			close(fd);
			break;
		}
		vc->magic = VBC_MAGIC;
		vc->fd = fd;
		vc->wrk = wrk;
		vc->be = be;
		vc->in = evbuffer_new();
		vc->out = evbuffer_new();
		AN(vc->in);
		AN(vc->out);
		event_assign(&vc->rev, wrk->base, fd, EV_READ | EV_PERSIST, vbc_rcb, vc);
		event_assign(&vc->wev, wrk->base, fd, EV_WRITE | EV_PERSIST, vbc_wcb, vc);
		struct timeval tv = tv_of(fetch_tmo(bo->tmo_connect,
		    be->t_connect));
		event_add(&vc->wev, &tv);
		bo->vbc = vc;
		wrk->ctr.backend_conn_new++;
		fetch_send(bo);
		return (0);
	}
	return (-1);
}

static struct busyobj *
bo_new(struct worker *wrk)
{
	/* The header array is written by the parser only: no need to zero.
	 * Spare ones wait on the worker's free list (a miss is not worth a
	 * 5 KiB malloc). */
	struct busyobj *bo = wrk->nbo_free > 0 ? wrk->bo_free[--wrk->nbo_free] :
	    malloc(sizeof *bo);
	if (bo == NULL)
		return (NULL);
	memset(bo, 0, offsetof(struct busyobj, resp_hdrs));
	/* The VCL runs' workspace, a request's spare: fetch_finish() gives
	 * it back. */
	if ((bo->ws_mem = wrk_ws_get(wrk)) == NULL) {
		free(bo);
		return (NULL);
	}
	ws_init(&bo->ws, bo->ws_mem, ws_size());
	bo->magic = BUSYOBJ_MAGIC;
	bo->wrk = wrk;
	/* The backend's timeouts unless VCL sets bereq's (fetch_tmo). */
	bo->tmo_connect = bo->tmo_first_byte = bo->tmo_between_bytes = -1;
	return (bo);
}

static void
bo_detach(struct busyobj *bo)
{
	struct worker *wrk = bo->wrk;
	if (bo->req != NULL) {
		bo->req->bo = NULL;
		bo->req = NULL;
	}
	bo->detached = 1;
	TAILQ_INSERT_TAIL(&wrk->detached, bo, dlist);
	wrk->ndetached++;
}

/*
 * The client of a fetch that fills a busy object went away before the
 * head: carry on detached, since others may be waiting on the object.
 * The request head is kept for the one retry (its request is going).
 * 0, or -1 when the fetch cannot go on alone (the caller ends it).
 */
int
fetch_detach(struct busyobj *bo)
{
	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	if (bo->fill == NULL || bo->head_done || bo->req == NULL ||
	    bo->req->reqbody != NULL || bo->be == NULL)
		return (-1);
	/* bereq stops pointing into the request, which is going. */
	if (fetch_vcl_own(bo) != 0)
		return (-1);
	if (bo->reqhead == NULL) {
		bo->reqhead = evbuffer_new();
		if (bo->reqhead == NULL || fetch_build_req(bo, bo->reqhead) != 0)
			return (-1);
	}
	bo->head_only = 0; /* the fill was a GET anyway */
	bo_detach(bo);
	return (0);
}

/*
 * vcl_backend_fetch on bereq, then the connection. 0 when the request is
 * on its way; -1 for abandon (or fail); else the status vcl_backend_error
 * starts from (the VCL's error(), 503 when no backend could be reached).
 */
static int
fetch_begin(struct busyobj *bo)
{
	struct vcl_ret ret;

	switch (acc_vcl_be_run(bo, VCL_SUB_BACKEND_FETCH, &ret)) {
	case VCL_A_FETCH:
		break;
	case VCL_A_ERROR:
		bo->vcl_error = 1;
		bo->err_status = ret.status != 0 ? ret.status : 503;
		bo->err_reason = ret.reason;
		return ((int)bo->err_status);
	default:
		return (-1);
	}
	if (bo->reqhead != NULL) {
		/* Detached: the head as this run left bereq. */
		evbuffer_drain(bo->reqhead, evbuffer_get_length(bo->reqhead));
		if (fetch_build_req(bo, bo->reqhead) != 0)
			return (-1);
	}
	if (fetch_connect(bo, 0) != 0)
		return (503);
	return (0);
}

int
fetch_start(struct req *req)
{
	struct busyobj *bo = bo_new(req->sp->wrk);
	int st;

	if (bo == NULL) {
		req->err_status = 500;
		return (cache_fetch_failed(req) ? 1 : -1);
	}
	bo->req = req;
	bo->meth = req->h.meth;
	req->bo = bo;
	if (req->busy != NULL) {
		/* The writer's reference moves to the fetch. */
		bo->fill = req->busy;
		req->busy = NULL;
		bo->strip_cond = 1;
		if (req->h.meth == H1M_HEAD) {
			bo->meth = H1M_GET;
			bo->head_only = 1;
		}
		if (req->stale != NULL &&
		    (sto_obj_etag(req->stale).ptr != NULL ||
		    sto_obj_lastmod(req->stale).ptr != NULL))
			bo->cond = sto_obj_ref(req->stale);
	} else if (req->hfm)
		bo->strip_cond = 1; /* may store: fetch the whole 200 */
	acc_vcl_bo_init(bo, req);
	if (req->no_body && bo->meth != H1M_HEAD)
		bo->head_only = 1; /* a HEAD client VCL made a GET of */
	bo->uncacheable = !req->cacheable || req->no_store;
	bo->is_hitmiss = req->hfm;
	if (fetch_vcl_bereq(bo) != 0) {
		fetch_finish(&req->bo);
		req->err_status = 500; /* the workspace is too small */
		return (cache_fetch_failed(req) ? 1 : -1);
	}
	if ((st = fetch_begin(bo)) == 0)
		return (0);
	/* A stale object first (stale-if-error), unless VCL chose error. */
	if (st > 0 && !bo->vcl_error) {
		req->err_status = st;
		if (cache_fetch_failed(req)) {
			fetch_finish(&req->bo);
			return (1);
		}
	}
	if (fetch_error(bo, st) == 0)
		return (0);
	if (req->bo != NULL)
		fetch_finish(&req->bo);
	return (-1);
}

int
fetch_start_bg(struct req *req, struct sto_obj *fill, struct sto_obj *cond)
{
	struct worker *wrk = req->sp->wrk;
	struct busyobj *bo = bo_new(wrk);
	if (bo == NULL) {
		(void)sto_obj_finish(fill, 0);
		sto_obj_deref(&fill);
		return (-1);
	}
	bo->req = req; /* for building bereq only */
	acc_vcl_bo_init(bo, req);
	bo->meth = H1M_GET;
	bo->fill = fill;
	bo->strip_cond = 1;
	bo->is_bg = 1;
	/* The stale object: its validators (if any) make the request
	 * conditional, and its Vary record goes to the new object. */
	if (cond != NULL)
		bo->cond = sto_obj_ref(cond);
	bo->reqhead = evbuffer_new();
	if (bo->reqhead == NULL || fetch_vcl_bereq(bo) != 0 ||
	    fetch_vcl_own(bo) != 0) {
		bo->req = NULL;
		fetch_finish(&bo);
		return (-1);
	}
	bo->req = NULL;
	bo_detach(bo);
	wrk->ctr.cache_bg_fetch++;
	/* vcl_backend_fetch runs detached: an error or abandon fails the
	 * refresh, and the stale object stays. */
	if (fetch_begin(bo) != 0) {
		fetch_finish(&bo);
		return (-1);
	}
	return (0);
}

/* A connect failed: mark the backend, try the next one or answer 503. */
static void
fetch_connect_failed(struct busyobj *bo)
{
	struct worker *wrk = bo->wrk;
	be_mark_sick(bo->held);
	wrk->ctr.fetch_err_connect++;
	vbc_close(&bo->vbc);
	if (fetch_connect(bo, 0) != 0)
		fetch_fail(bo, 503);
}

static void
vbc_wcb(evutil_socket_t fd, short what, void *priv)
{
	struct vbc *vc;
	CAST_OBJ_NOTNULL(vc, (struct vbc *)priv, VBC_MAGIC);
	struct busyobj *bo = vc->bo;
	if (bo == NULL) {
		event_del(&vc->wev);
		return;
	}
	if (!vc->connected) {
		int err = 0;
		socklen_t sl = sizeof err;
		if ((what & EV_TIMEOUT) ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 || err != 0) {
			fetch_connect_failed(bo);
			return;
		}
		vc->connected = 1;
	} else if (what & EV_TIMEOUT) {
		bo->wrk->ctr.fetch_err_timeout++;
		fetch_fail(bo, 504);
		return;
	}
	if (vbc_flush(vc) != 0) {
		fetch_broken(bo);
		return;
	}
	struct req *req = bo->req;
	if (req != NULL && req->reqbody != NULL && !req->body_done) {
		if (evbuffer_get_length(vc->out) < prm.buffer_high)
			fetch_pump_reqbody(bo);
		return;
	}
	if (evbuffer_get_length(vc->out) > 0)
		return;
	fetch_sent(bo);
}

/* The head of a detached fetch arrived (a background refresh). */
static int
fetch_head_detached(struct busyobj *bo, size_t hlen)
{
	struct vbc *vc = bo->vbc;
	enum fill_rc rc = cache_fill_bg(bo);
	if (rc == CF_RETRY || rc == CF_ERROR || rc == CF_ABANDON) {
		fetch_head_redo(bo, rc); /* closes vc */
		return (-1);
	}
	evbuffer_drain(vc->in, hlen);
	if (rc != CF_STREAM) {
		/* Refreshed by a 304, or nothing to store: the body (if any)
		 * is not read; fetch_finish() pools or closes. */
		bo->body_done = bo->resp.body == H1B_NONE;
		fetch_detached_end(bo);
		return (-1);
	}
	bo->scratch = evbuffer_new();
	AN(bo->scratch);
	pump_init(&bo->body, bo->resp.body, bo->resp.content_length, 0, 0);
	cache_fill_tee(bo);
	vbc_arm_read(vc);
	return (1);
}

/* Parse the response head once it is all in vc->in; skip 1xx. Returns 1
 * when the head was delivered, 0 to wait, -1 when the request is over. */
static int
fetch_head(struct busyobj *bo)
{
	struct vbc *vc = bo->vbc;
	struct req *req = bo->req;
	const struct h1_limits lim = {
	    .max_req_line = prm.max_resp_head,
	    .max_url = prm.max_resp_head,
	    .max_head = prm.max_resp_head,
	    .max_headers = RESP_MAX_HDRS,
	};
	for (;;) {
		size_t len = evbuffer_get_length(vc->in);
		if (len == 0) {
			vbc_arm_read(vc); /* the deadline, not a fresh timer */
			return (0);
		}
		size_t n = len < prm.max_resp_head + 2 ? len : prm.max_resp_head + 2;
		const char *p = (const char *)evbuffer_pullup(vc->in, (ev_ssize_t)n);
		int r = h1_parse_response(p, n, &lim, bo->meth == H1M_HEAD,
		    &bo->resp, bo->resp_hdrs, RESP_MAX_HDRS);
		if (r == 0 && len <= prm.max_resp_head) {
			vbc_arm_read(vc);
			return (0);
		}
		if (r <= 0 || bo->resp.status == 101) {
			bo->wrk->ctr.fetch_err_proto++;
			fetch_fail(bo, 502);
			return (-1);
		}
		if (bo->resp.status < 200) {
			evbuffer_drain(vc->in, (size_t)r); /* 100, 102, 103 */
			continue;
		}
		bo->head_done = 1;
		if (req == NULL)
			return (fetch_head_detached(bo, (size_t)r));
		req->t_first_byte = now_mono();
		req->be_status = bo->resp.status;
		enum fill_rc rc = cache_fill_begin(req);
		switch (rc) {
		case CF_RETRY:
		case CF_ERROR:
		case CF_ABANDON:
			fetch_head_redo(bo, rc); /* closes vc */
			return (-1);
		case CF_STREAM:
			/* Stored: the fetch fills the object on its own and
			 * the client reads it like any other reader. */
			evbuffer_drain(vc->in, (size_t)r);
			bo->scratch = evbuffer_new();
			AN(bo->scratch);
			pump_init(&bo->body, bo->resp.body, bo->resp.content_length,
			    0, 0);
			cache_fill_tee(bo);
			bo_detach(bo);
			vbc_arm_read(vc);
			req->obj = sto_obj_ref(bo->fill);
			req->step = R_HIT;
			req_drive(req); /* may end req: bo is no longer its */
			return (1);
		case CF_OBJ:
			evbuffer_drain(vc->in, (size_t)r);
			bo->body_done = bo->resp.body == H1B_NONE;
			fetch_finish(&req->bo);
			req->step = R_HIT;
			req_drive(req);
			return (-1);
		case CF_PASS:
			break;
		}
		req->step = R_DELIVER;
		req_drive(req); /* writes the client head from bo->resp */
		if (bo->deliver_failed) {
			req_resp_abort(req);
			return (-1);
		}
		evbuffer_drain(vc->in, (size_t)r);
		if (bo->head_only) {
			/* A HEAD client of a GET fetch that is not stored:
			 * it has its head; the body is not read. */
			bo->resp.keep_alive = 0;
			req_resp_done(req);
			return (-1);
		}
		vbc_arm_read(vc);
		return (1);
	}
}

static void
vbc_idle_event(struct vbc *vc)
{
	/* Idle in the pool: any byte, EOF or the idle timeout ends it. */
	struct be_pool *pool = &vc->wrk->pools[vc->be->idx];
	TAILQ_REMOVE(&pool->idle, vc, list);
	pool->nidle--;
	vbc_close(&vc);
}

static void
vbc_rcb(evutil_socket_t fd, short what, void *priv)
{
	struct vbc *vc;
	CAST_OBJ_NOTNULL(vc, (struct vbc *)priv, VBC_MAGIC);
	struct busyobj *bo = vc->bo;

	if (bo == NULL) {
		vbc_idle_event(vc);
		return;
	}
	struct worker *wrk = bo->wrk;
	if (!vc->connected) {
		/* Readable before writable: refused, or an origin that speaks
		 * first; SO_ERROR tells which. */
		int err = 0;
		socklen_t sl = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 || err != 0) {
			fetch_connect_failed(bo);
			return;
		}
		vc->connected = 1;
		if (vbc_flush(vc) != 0) {
			fetch_broken(bo);
			return;
		}
		struct req *rq = bo->req;
		if (evbuffer_get_length(vc->out) == 0 &&
		    (rq == NULL || rq->reqbody == NULL || rq->body_done))
			fetch_sent(bo);
	}
	if (what & EV_TIMEOUT) {
		wrk->ctr.fetch_err_timeout++;
		if (!bo->head_done || bo->req == NULL)
			fetch_fail(bo, 504);
		else
			req_resp_abort(bo->req);
		return;
	}
	ssize_t n = buf_read(vc->in, fd, 65536);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (!bo->head_done) {
			if (evbuffer_get_length(vc->in) > 0) {
				wrk->ctr.fetch_err_proto++;
				fetch_fail(bo, 502); /* a truncated head */
			} else
				fetch_broken(bo);
			return;
		}
		if (bo->req == NULL) {
			fetch_pump_fill(bo, 1);
			return;
		}
		struct sess *sp = bo->req->sp;
		/* Move what is left, then the EOF decides. */
		size_t before = evbuffer_get_length(sp->out);
		int done = pump_move(&bo->body, vc->in, sp->out, SIZE_MAX) == PUMP_DONE ||
		    pump_eof(&bo->body, sp->out) == PUMP_DONE;
		bo->req->resp_bytes += evbuffer_get_length(sp->out) - before;
		if (done) {
			bo->body_done = 1;
			bo->resp.keep_alive = 0;
			event_del(&vc->rev);
			req_resp_done(bo->req);
		} else {
			wrk->ctr.fetch_err_proto++;
			req_resp_abort(bo->req);
		}
		return;
	}
	if (!bo->head_done) {
		if (fetch_head(bo) != 1)
			return;
		bo = vc->bo; /* still ours: DELIVER only writes the head */
	}
	fetch_pump_resp(bo);
}

void
fetch_finish(struct busyobj **bop)
{
	struct busyobj *bo = *bop;
	*bop = NULL;
	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	struct worker *wrk = bo->wrk;
	if (bo->req != NULL) {
		bo->req->bo = NULL;
		bo->req = NULL;
	}
	cache_fill_end(bo);
	if (bo->cond != NULL)
		sto_obj_deref(&bo->cond);
	if (bo->reqhead != NULL)
		evbuffer_free(bo->reqhead);
	if (bo->scratch != NULL)
		evbuffer_free(bo->scratch);
	if (bo->dwait_ev != NULL)
		event_free(bo->dwait_ev);
	be_release(&bo->held);
	acc_vcl_bo_fini(bo);
	struct vbc *vc = bo->vbc;
	bo->vbc = NULL;
	int reuse = vc != NULL && bo->head_done && bo->body_done && bo->req_sent &&
	    bo->resp.keep_alive && evbuffer_get_length(vc->in) == 0 &&
	    evbuffer_get_length(vc->out) == 0 && !wrk->draining;
	int detached = bo->detached;
	if (detached) {
		TAILQ_REMOVE(&wrk->detached, bo, dlist);
		wrk->ndetached--;
	}
	wrk_ws_put(wrk, bo->ws_mem);
	bo->ws_mem = NULL;
	bo->magic = 0;
	if (wrk->nbo_free < ARRAY_LEN(wrk->bo_free))
		wrk->bo_free[wrk->nbo_free++] = bo;
	else
		free(bo);
	if (vc != NULL && !reuse)
		vbc_close(&vc);
	else if (vc != NULL) {
		struct be_pool *pool = &wrk->pools[vc->be->idx];
		vc->bo = NULL;
		event_del(&vc->wev);
		TAILQ_INSERT_HEAD(&pool->idle, vc, list);
		pool->nidle++;
		vbc_arm_read(vc);
	}
	if (detached)
		wrk_detached_gone(wrk);
}

void
fetch_abort_detached(struct worker *wrk)
{
	struct busyobj *bo;
	while ((bo = TAILQ_FIRST(&wrk->detached)) != NULL)
		fetch_finish(&bo);
}

void
fetch_pool_close_all(struct worker *wrk)
{
	for (unsigned i = 0; i < MAX_BACKENDS; i++) {
		struct be_pool *pool = &wrk->pools[i];
		struct vbc *vc;
		while ((vc = TAILQ_FIRST(&pool->idle)) != NULL) {
			TAILQ_REMOVE(&pool->idle, vc, list);
			pool->nidle--;
			vbc_close(&vc);
		}
	}
}
