/*
 * req_fsm.c: the request state machine. Every request walks these steps,
 * each a function returning the next; req_drive() is the one loop that
 * runs them. A step that must wait for the network returns R_WAIT and the
 * event that ends the wait (fetch.c, sess.c) sets req->step and calls
 * req_drive() again.
 *
 *   RECV     parsed head: decide (pass; later vcl_recv: hash, purge, synth)
 *   PASS     set up an uncached fetch (later: HASH, LOOKUP, MISS before it)
 *   FETCH    send the request to an origin, wait for its response head
 *   DELIVER  write the response head; the body streams origin -> client
 *   SYNTH    a response made here (errors)
 *   DONE     log, then the next request on the connection or close
 */
#include "accel/accel.h"

#include <string.h>

static const char *const step_names[] = {
#define X(n, f) #n,
    REQ_STEP_LIST(X)
#undef X
};

static int
synth_needed_close(const struct req *req)
{
	return (req->reqbody != NULL && !req->body_done);
}

/* RECV: the head is parsed and valid. */
static enum req_step
req_recv(struct req *req)
{
	if (req->h.meth == H1M_CONNECT) {
		/* accel is not a forward proxy: no tunnels. */
		req->err_status = 405;
		req->sp->close_after = 1;
		return (R_SYNTH);
	}
	if (req->h.body != H1B_NONE) {
		req->reqbody = ws_alloc(&req->ws, sizeof *req->reqbody);
		AN(req->reqbody);
		pump_init(req->reqbody, req->h.body, req->h.content_length,
		    req->h.body == H1B_CHUNKED, prm.max_body);
		req->body_done = req->reqbody->done;
	}
	return (R_PASS);
}

/* PASS: nothing to look up; go to the origin. */
static enum req_step
req_pass(struct req *req)
{
	return (R_FETCH);
}

/* FETCH: start the origin request; fetch.c resumes us at DELIVER or SYNTH. */
static enum req_step
req_fetch(struct req *req)
{
	struct sess *sp = req->sp;

	if (req->reqbody != NULL && !req->body_done && req->h.expect_continue &&
	    req->h.minor == 1 && evbuffer_get_length(sp->in) == 0) {
		evbuffer_add(sp->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		req->sent_continue = 1;
		sess_flush(sp);
	}
	if (fetch_start(req) != 0)
		return (R_SYNTH);
	return (R_WAIT);
}

/* Headers of a response that are ours to write, not the origin's. */
static int
resp_skip(const struct h1_hdr *h, const struct h1_resp *r)
{
	return (h1_is_hop(h, r->hdrs, r->nhdrs) || h1_name_eq(h, "Content-Length") ||
	    h1_name_eq(h, "Via"));
}

/* DELIVER: the origin's head is parsed in bo->resp (pointing into the
 * origin buffer, valid until fetch.c drains it after we return): write the
 * client's head. fetch.c streams the body and calls req_resp_done(). */
static enum req_step
req_deliver(struct req *req)
{
	struct sess *sp = req->sp;
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	struct evbuffer *out = sp->out;
	size_t before = evbuffer_get_length(out);
	const struct h1_hdr *via = NULL;
	int out_chunked = 0;

	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	req->resp_status = r->status;
	req->be_status = r->status;
	if (r->reason_len > 0)
		evbuffer_add_printf(out, "HTTP/1.1 %d %.*s\r\n", r->status,
		    (int)r->reason_len, r->reason);
	else
		evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", r->status,
		    h1_reason(r->status));
	for (unsigned i = 0; i < r->nhdrs; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		if (h1_name_eq(h, "Via") && via == NULL)
			via = h;
		if (resp_skip(h, r)) {
			/* A bodiless answer (HEAD, 304) keeps the length the
			 * origin announced for the representation. */
			if (r->body == H1B_NONE && h1_name_eq(h, "Content-Length") &&
			    r->status >= 200 && r->status != 204)
				evbuffer_add_printf(out, "Content-Length: %.*s\r\n",
				    (int)h->value_len, h->value);
			continue;
		}
		evbuffer_add(out, h->name, h->name_len);
		evbuffer_add(out, ": ", 2);
		evbuffer_add(out, h->value, h->value_len);
		evbuffer_add(out, "\r\n", 2);
	}
	if (via != NULL)
		evbuffer_add_printf(out, "Via: %.*s, 1.1 accel\r\n",
		    (int)via->value_len, via->value);
	else
		evbuffer_add(out, "Via: 1.1 accel\r\n", 16);
	switch (r->body) {
	case H1B_NONE:
		break;
	case H1B_LENGTH:
		evbuffer_add_printf(out, "Content-Length: %llu\r\n",
		    (unsigned long long)r->content_length);
		break;
	case H1B_CHUNKED:
	case H1B_EOF:
		if (req->h.minor == 1) {
			evbuffer_add(out, "Transfer-Encoding: chunked\r\n", 28);
			out_chunked = 1;
		} else
			sp->close_after = 1; /* HTTP/1.0: the close ends it */
		break;
	}
	if (synth_needed_close(req))
		sp->close_after = 1; /* the origin answered before the body ended */
	if (sp->close_after || !req->h.keep_alive || sp->wrk->draining) {
		sp->close_after = 1;
		evbuffer_add(out, "Connection: close\r\n\r\n", 21);
	} else if (req->h.minor == 0)
		evbuffer_add(out, "Connection: keep-alive\r\n\r\n", 26);
	else
		evbuffer_add(out, "\r\n", 2);
	req->resp_bytes += evbuffer_get_length(out) - before;
	pump_init(&bo->body, r->body, r->content_length, out_chunked, 0);
	return (R_WAIT);
}

/* SYNTH: an answer made here, from req->err_status. */
static enum req_step
req_synth(struct req *req)
{
	struct sess *sp = req->sp;
	int st = req->err_status ? req->err_status : 500;
	const char *reason = h1_reason(st);
	char body[256];
	int blen = snprintf(body, sizeof body, "%d %s\n", st, reason);

	if (req->bo != NULL)
		fetch_finish(&req->bo);
	if (st < 500 || synth_needed_close(req) || !req->h.keep_alive)
		sp->close_after = 1;
	req->resp_status = st;
	size_t before = evbuffer_get_length(sp->out);
	evbuffer_add_printf(sp->out,
	    "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %d\r\nVia: 1.1 accel\r\n%s\r\n%s",
	    st, reason, blen,
	    sp->close_after ? "Connection: close\r\n" : "",
	    req->h.meth == H1M_HEAD ? "" : body);
	req->resp_bytes += evbuffer_get_length(sp->out) - before;
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings us to DONE */
	return (R_DONE);
}

/* DONE: the whole response is written. */
static enum req_step
req_done(struct req *req)
{
	struct sess *sp = req->sp;
	if (req->bo != NULL)
		fetch_finish(&req->bo);
	sp->wrk->ctr.resp_bytes += req->resp_bytes;
	log_request(sp->wrk, req);
	sess_next(sp);
	return (R_FREE);
}

typedef enum req_step req_step_f(struct req *);
static req_step_f *const step_funcs[] = {
#define X(n, f) f,
    REQ_STEP_LIST(X)
#undef X
};

void
req_drive(struct req *req)
{
	CHECK_OBJ_NOTNULL(req, REQ_MAGIC);
	for (;;) {
		assert_acc(req->step < ARRAY_LEN(step_funcs));
		enum req_step next = step_funcs[req->step](req);
		if (next == R_WAIT || next == R_FREE)
			return;
		assert_acc(next < ARRAY_LEN(step_names));
		req->step = next;
	}
}

/* ---- events from the session and the fetch ---- */

/* The response is entirely queued; DONE once it is written. */
void
req_resp_done(struct req *req)
{
	struct sess *sp = req->sp;
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) == 0) {
		req->step = R_DONE;
		req_drive(req);
	}
}

/* The origin failed after the head was sent: what is queued is valid, so
 * it is written; then the close (without the final chunk, or short of the
 * Content-Length) tells the client the response was cut. */
void
req_resp_abort(struct req *req)
{
	struct sess *sp = req->sp;
	sp->close_after = 1;
	req->step = R_DONE;
	req_drive(req);
}

void
req_client_readable(struct req *req)
{
	struct sess *sp = req->sp;
	if (req->reqbody != NULL && !req->body_done && req->bo != NULL) {
		fetch_pump_reqbody(req->bo);
		return;
	}
	if (sp->rd_eof && req->reqbody != NULL && !req->body_done)
		req_client_error(req);
	/* Otherwise: bytes of a pipelined request; they wait in sp->in. */
	sess_want_read(sp, 0);
}

void
req_client_drained(struct req *req)
{
	if (req->sp->resp_done && (req->step == R_SYNTH || req->step == R_DELIVER)) {
		req->step = R_DONE;
		req_drive(req);
		return;
	}
	if (req->bo != NULL)
		fetch_resume(req->bo);
}

void
req_client_error(struct req *req)
{
	struct sess *sp = req->sp;
	if (req->bo != NULL)
		fetch_finish(&req->bo);
	sp->close_after = 1;
	sess_close(sp);
}

const char *
req_step_name(enum req_step s)
{
	return (s < ARRAY_LEN(step_names) ? step_names[s] : "?");
}
