/*
 * sess.c: a client connection. Reads request heads (with the idle and
 * header timeouts), hands each parsed request to the state machine in
 * req_fsm.c, writes what the machine queues in sp->out, and decides after
 * each response whether to read the next request, close, or linger.
 *
 * Lifetime: a sess is calloc'd at accept and freed by sess_close(); its
 * request (sp->req) is embedded, one at a time; the request's workspace is
 * taken from the worker at the first byte of a head and given back when the
 * connection goes idle.
 */
#include "accel/accel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static void sess_rcb(evutil_socket_t fd, short what, void *priv);
static void sess_wcb(evutil_socket_t fd, short what, void *priv);

void
sess_new(struct worker *wrk, int fd, const struct sockaddr *sa)
{
	struct sess *sp = calloc(1, sizeof *sp);
	if (sp == NULL) {
		close(fd);
		atomic_fetch_sub(&n_conns, 1);
		return;
	}
	sp->magic = SESS_MAGIC;
	sp->wrk = wrk;
	sp->fd = fd;
	sp->in = evbuffer_new();
	sp->out = evbuffer_new();
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    sp->peer, sizeof sp->peer);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    sp->peer, sizeof sp->peer);
	else
		strcpy(sp->peer, "-");
	sp->req.magic = REQ_MAGIC;
	sp->req.sp = sp;
	event_assign(&sp->rev, wrk->base, fd, EV_READ | EV_PERSIST, sess_rcb, sp);
	event_assign(&sp->wev, wrk->base, fd, EV_WRITE | EV_PERSIST, sess_wcb, sp);
	TAILQ_INSERT_TAIL(&wrk->sessions, sp, list);
	wrk->nsess++;
	sp->state = SS_IDLE;
	if (sp->in == NULL || sp->out == NULL) {
		sess_close(sp);
		return;
	}
	sess_want_read(sp, 1);
}

void
sess_close(struct sess *sp)
{
	struct worker *wrk = sp->wrk;
	CHECK_OBJ_NOTNULL(sp, SESS_MAGIC);
	AZ(sp->req.bo);
	event_del(&sp->rev);
	event_del(&sp->wev);
	close(sp->fd);
	if (sp->in != NULL)
		evbuffer_free(sp->in);
	if (sp->out != NULL)
		evbuffer_free(sp->out);
	/* After the buffer: it may hold spans of the object. */
	cache_req_fini(&sp->req);
	acc_vcl_req_fini(&sp->req);
	wrk_ws_put(wrk, sp->ws_mem);
	TAILQ_REMOVE(&wrk->sessions, sp, list);
	wrk->nsess--;
	atomic_fetch_sub(&n_conns, 1);
	sp->magic = 0;
	free(sp);
	wrk_sess_gone(wrk);
}

/* Arm reads with the timeout of the state we are in. */
void
sess_want_read(struct sess *sp, int on)
{
	if (!on) {
		if (sp->reading)
			event_del(&sp->rev);
		sp->reading = 0;
		return;
	}
	if (sp->rd_eof)
		return;
	struct timeval tv;
	switch (sp->state) {
	case SS_IDLE: tv = tv_of(prm.timeout_idle); break;
	case SS_HEAD: tv = tv_of(sp->head_deadline - now_mono()); break;
	case SS_CLOSE: tv = tv_of(sp->head_deadline - now_mono()); break;
	case SS_BUSY:
		if (sp->req.reqbody == NULL || sp->req.body_done) {
			/* Only watching for a pipelined request or an EOF
			 * while the origin works: no timer, and staying armed
			 * spares two epoll_ctl per request. */
			/* event_add(ev, NULL) keeps a timeout already
			 * scheduled (SS_IDLE's, SS_HEAD's): drop it. */
			event_remove_timer(&sp->rev);
			event_add(&sp->rev, NULL);
			sp->reading = 1;
			return;
		}
		tv = tv_of(prm.timeout_between_bytes);
		break;
	}
	event_add(&sp->rev, &tv);
	sp->reading = 1;
}

/* Write what out holds now; arm the write event for the rest. Never calls
 * back into the request: the write callback does that. */
void
sess_flush(struct sess *sp)
{
	if (evbuffer_get_length(sp->out) > 0) {
		int n = evbuffer_write(sp->out, sp->fd);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			/* Let the write callback see the error and clean up. */
			event_active(&sp->wev, EV_WRITE, 0);
			return;
		}
	}
	if (evbuffer_get_length(sp->out) > 0 && !sp->writing) {
		struct timeval tv = tv_of(prm.timeout_send);
		event_add(&sp->wev, &tv);
		sp->writing = 1;
	}
}

/* Close after the output is flushed: shut our side, then read and discard
 * what the client still sends for a moment, so an error response is not
 * destroyed by a reset caused by unread request bytes. */
static void
sess_linger(struct sess *sp)
{
	sp->state = SS_CLOSE;
	if (evbuffer_get_length(sp->out) > 0) {
		sess_flush(sp);
		if (evbuffer_get_length(sp->out) > 0)
			return; /* sess_wcb comes back here */
	}
	if (sp->rd_eof || sp->quick_close) {
		/* Nothing more will come (the client closed, or said it
		 * would and sent nothing more): no reset can destroy the
		 * response, so the close needs no lingering (as nginx). */
		sess_close(sp);
		return;
	}
	shutdown(sp->fd, SHUT_WR);
	/* At most 2 s and 256 KiB of what the client still sends. */
	sp->head_deadline = now_mono() + 2.0;
	sp->linger_budget = 256 * 1024;
	sess_want_read(sp, 1);
}

/* Parse the head in sp->in, if it is all there. */
static void
sess_try_head(struct sess *sp)
{
	struct req *req = &sp->req;
	const struct h1_limits lim = {
	    .max_req_line = prm.max_req_line,
	    .max_url = prm.max_url,
	    .max_head = prm.max_head,
	    .max_headers = (unsigned)prm.max_headers,
	    .max_body = prm.max_body,
	};

	size_t len = evbuffer_get_length(sp->in);
	if (len == 0)
		return;
	size_t n = len < prm.max_head + 2 ? len : prm.max_head + 2;
	const char *p = (const char *)evbuffer_pullup(sp->in, (ev_ssize_t)n);
	if (p == NULL)
		return;
	if (sp->ws_mem == NULL) {
		sp->ws_mem = wrk_ws_get(sp->wrk);
		if (sp->ws_mem == NULL) {
			sess_close(sp);
			return;
		}
	}
	ws_init(&req->ws, sp->ws_mem, ws_size());
	memset(&req->h, 0, sizeof req->h);
	req->hdrs = ws_alloc(&req->ws, prm.max_headers * sizeof *req->hdrs);
	AN(req->hdrs);
	int r = h1_parse_request(p, n, &lim, &req->h, req->hdrs,
	    (unsigned)prm.max_headers);
	if (r == 0 && len <= prm.max_head) {
		if (sp->rd_eof)
			sess_close(sp); /* a partial head, then EOF */
		else
			sess_want_read(sp, 1);
		return;
	}
	sp->state = SS_BUSY;
	sess_want_read(sp, 1);
	req->t_start = now_mono();
	sp->wrk->ctr.req_total++;
	if (r <= 0) {
		memset(&req->h, 0, sizeof req->h);
		req->err_status = r == 0 ? 431 : -r;
		sp->close_after = 1;
		sp->wrk->ctr.req_bad++;
		req->step = R_SYNTH;
		req_drive(req);
		return;
	}
	/* Keep the head in the workspace and point the parse at the copy. */
	char *copy = ws_alloc(&req->ws, (size_t)r);
	AN(copy);
	memcpy(copy, p, (size_t)r);
#define REBASE(f)                                                              \
	do {                                                                   \
		if ((f) != NULL && (f) >= p && (f) < p + r)                    \
			(f) = copy + ((f) - p);                                \
	} while (0)
	REBASE(req->h.method);
	REBASE(req->h.target);
	REBASE(req->h.path);
	REBASE(req->h.host);
	for (unsigned i = 0; i < req->h.nhdrs; i++) {
		REBASE(req->hdrs[i].name);
		REBASE(req->hdrs[i].value);
	}
#undef REBASE
	req->h.hdrs = req->hdrs;
	evbuffer_drain(sp->in, (size_t)r);
	req->step = R_RECV;
	req_drive(req);
}

void
sess_next(struct sess *sp)
{
	struct req *req = &sp->req;
	/* A client that half-closed after pipelining still gets an answer to
	 * every whole request it sent. */
	int keep = !sp->close_after && req->h.keep_alive && !sp->wrk->draining &&
	    (!sp->rd_eof || evbuffer_get_length(sp->in) > 0) &&
	    (req->reqbody == NULL || req->body_done);
	/* A client that asked for the close, sent its whole request and
	 * nothing after it, and got an answer that is not an error. */
	sp->quick_close = !req->h.keep_alive && req->h.method != NULL &&
	    evbuffer_get_length(sp->in) == 0 &&
	    (req->reqbody == NULL || req->body_done) && req->resp_status < 400;
	/* Reset the request for the next one. */
	struct ws ws = req->ws;
	memset(req, 0, sizeof *req);
	req->magic = REQ_MAGIC;
	req->sp = sp;
	req->ws = ws;
	sp->resp_done = 0;
	if (!keep) {
		sess_linger(sp);
		return;
	}
	if (evbuffer_get_length(sp->in) > 0) {
		/* Pipelined: run it from the event loop, not from this stack. */
		sp->state = SS_HEAD;
		sp->head_deadline = now_mono() + prm.timeout_header;
		sess_want_read(sp, 1);
		event_active(&sp->rev, EV_READ, 0);
		return;
	}
	sp->state = SS_IDLE;
	wrk_ws_put(sp->wrk, sp->ws_mem);
	sp->ws_mem = NULL;
	sess_want_read(sp, 1);
}

void
sess_drain_all(struct worker *wrk)
{
	struct sess *sp, *next;
	for (sp = TAILQ_FIRST(&wrk->sessions); sp != NULL; sp = next) {
		next = TAILQ_NEXT(sp, list);
		sp->close_after = 1;
		if (sp->state == SS_IDLE)
			sess_close(sp);
	}
}

static void
sess_timeout(struct sess *sp)
{
	switch (sp->state) {
	case SS_IDLE:
	case SS_CLOSE:
		sess_close(sp);
		return;
	case SS_HEAD:
		sess_want_read(sp, 0);
		sp->state = SS_BUSY;
		sp->close_after = 1;
		sp->wrk->ctr.req_timeout++;
		memset(&sp->req.h, 0, sizeof sp->req.h);
		sp->req.t_start = now_mono();
		sp->req.err_status = 408;
		sp->req.step = R_SYNTH;
		req_drive(&sp->req);
		return;
	case SS_BUSY:
		req_client_error(&sp->req);
		return;
	}
}

static void
sess_rcb(evutil_socket_t fd, short what, void *priv)
{
	struct sess *sp;
	CAST_OBJ_NOTNULL(sp, (struct sess *)priv, SESS_MAGIC);

	if (what & EV_TIMEOUT) {
		sess_timeout(sp);
		return;
	}
	if (sp->state == SS_CLOSE) {
		char junk[16384];
		ssize_t n = read(sp->fd, junk, sizeof junk);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
		    (n > 0 && (size_t)n >= sp->linger_budget) ||
		    now_mono() >= sp->head_deadline) {
			sess_close(sp);
			return;
		}
		if (n > 0)
			sp->linger_budget -= (size_t)n;
		sess_want_read(sp, 1); /* re-arm with what is left of 2 s */
		return;
	}
	ssize_t n = -1;
	errno = EAGAIN;
	/* Pipelined requests wait in the kernel, not in our buffer: read only
	 * while what we hold could still be short of one whole head. */
	int body = sp->state == SS_BUSY && sp->req.reqbody != NULL &&
	    !sp->req.body_done;
	if (!sp->rd_eof && body)
		n = buf_read(sp->in, sp->fd, 65536);
	else if (!sp->rd_eof && evbuffer_get_length(sp->in) <= prm.max_head + 2)
		n = buf_read_copy(sp->in, sp->fd);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		if (sp->state == SS_BUSY)
			req_client_error(&sp->req);
		else
			sess_close(sp);
		return;
	}
	if (n == 0) {
		sp->rd_eof = 1;
		sess_want_read(sp, 0);
		if (sp->state == SS_BUSY) {
			req_client_readable(&sp->req);
			return;
		}
		if (evbuffer_get_length(sp->in) == 0 || sp->state == SS_IDLE) {
			sess_close(sp);
			return;
		}
		/* A partial head then EOF: answer what the parser says. */
	}
	switch (sp->state) {
	case SS_IDLE:
		if (evbuffer_get_length(sp->in) == 0)
			return;
		sp->state = SS_HEAD;
		sp->head_deadline = now_mono() + prm.timeout_header;
		/* FALLTHROUGH */
	case SS_HEAD:
		sess_try_head(sp); /* sp may be gone after this */
		return;
	case SS_BUSY:
		req_client_readable(&sp->req);
		return;
	case SS_CLOSE:
		return;
	}
}

static void
sess_wcb(evutil_socket_t fd, short what, void *priv)
{
	struct sess *sp;
	CAST_OBJ_NOTNULL(sp, (struct sess *)priv, SESS_MAGIC);

	if (what & EV_TIMEOUT)
		goto fail;
	if (evbuffer_get_length(sp->out) > 0) {
		int n = evbuffer_write(sp->out, sp->fd);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto fail;
	}
	if (evbuffer_get_length(sp->out) > 0)
		return;
	event_del(&sp->wev);
	sp->writing = 0;
	if (sp->state == SS_CLOSE) {
		sess_linger(sp);
		return;
	}
	if (sp->state == SS_BUSY)
		req_client_drained(&sp->req);
	return;
fail:
	if (sp->state == SS_BUSY)
		req_client_error(&sp->req);
	else
		sess_close(sp);
}
