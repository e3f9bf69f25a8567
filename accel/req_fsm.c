/*
 * req_fsm.c: the request state machine. Every request walks these steps,
 * each a function returning the next; req_drive() is the one loop that
 * runs them. A step that must wait for the network returns R_WAIT and the
 * event that ends the wait (fetch.c, sess.c) sets req->step and calls
 * req_drive() again.
 *
 *   RECV     parsed head: vcl_recv decides (the built-in VCL: GET/HEAD
 *            -> HASH, PURGE -> HASH then PURGE, CONNECT -> SYNTH 405,
 *            anything else or a body -> PASS)
 *   HASH     the cache key from vcl_hash's hash_data() (host and path)
 *   LOOKUP   find a fresh object: HIT, else MISS
 *   HIT      deliver the object: stored head, Age, body by reference
 *   MISS     fetch, storing the response when RFC 9111 allows it
 *   PURGE    remove every variant of the key (ACL-checked)
 *   PASS     an uncached fetch
 *   FETCH    send the request to an origin, wait for its response head
 *   DELIVER  write the response head; the body streams origin -> client
 *            (and into the object on a stored miss)
 *   SYNTH    a response made here (errors)
 *   DONE     log, then the next request on the connection or close
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/head.h"
#include "accel/rfc9111.h"

#include <string.h>

static int
synth_needed_close(const struct req *req)
{
	return (req->reqbody != NULL && !req->body_done);
}

/* RECV: the head is parsed and valid. */
static enum req_step
req_recv(struct req *req)
{
	struct vcl_ret ret;

	if (req->h.meth == H1M_CONNECT) {
		/* accel is not a forward proxy: no tunnels (the built-in
		 * vcl_recv answers 405); the connection closes after it. */
		req->sp->close_after = 1;
	} else if (req->h.body != H1B_NONE) {
		req->reqbody = ws_alloc(&req->ws, sizeof *req->reqbody);
		AN(req->reqbody);
		pump_init(req->reqbody, req->h.body, req->h.content_length,
		    req->h.body == H1B_CHUNKED, prm.max_body);
		req->body_done = req->reqbody->done;
	}
	switch (acc_vcl_run(req, VCL_SUB_RECV, &ret)) {
	case VCL_A_HASH:
		return (R_HASH);
	case VCL_A_PURGE:
		req->purging = 1;
		return (R_HASH);
	case VCL_A_PASS:
	case VCL_A_PIPE: /* no tunnels: a pipe is a pass */
		return (R_PASS);
	case VCL_A_SYNTH:
		req->err_status = (int)ret.status;
		return (R_SYNTH);
	default: /* fail; restart comes with -f */
		req->err_status = 503;
		return (R_SYNTH);
	}
}

/* HASH: the key from the hash inputs. */
static enum req_step
req_hash(struct req *req)
{
	if (cache_hash(req) != 0) {
		req->err_status = 414; /* the workspace could not hold the key */
		return (R_SYNTH);
	}
	return (req->purging ? R_PURGE : R_LOOKUP);
}

/* LOOKUP: a fresh object is a hit; anything else a miss. */
static enum req_step
req_lookup(struct req *req)
{
	req->cacheable = 1;
	return (cache_lookup(req));
}

/* HIT: deliver from the object, following it while it fills. */
static enum req_step
req_hit(struct req *req)
{
	struct vcl_ret ret;

	/* vcl_hit, then vcl_deliver: once, before the head is written. */
	if (!req->vcl_hit_done) {
		req->vcl_hit_done = 1;
		if (acc_vcl_run(req, VCL_SUB_HIT, &ret) != VCL_A_DELIVER ||
		    acc_vcl_run(req, VCL_SUB_DELIVER, &ret) != VCL_A_DELIVER) {
			req->err_status = 503;
			return (R_SYNTH);
		}
	}
	return (cache_deliver_obj(req));
}

/* MISS: fetch it, under a busy object others wait on; the response head
 * decides whether it is stored (a HEAD miss is fetched as a GET). */
static enum req_step
req_miss(struct req *req)
{
	return (cache_miss(req));
}

/* PURGE: remove the key's objects from the cache. */
static enum req_step
req_purge(struct req *req)
{
	return (cache_purge(req));
}

/* PASS: nothing to look up; go to the origin. */
static enum req_step
req_pass(struct req *req)
{
	req->sp->wrk->ctr.cache_pass++;
	req->cs_kind = RFC_CS_METHOD;
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
	switch (fetch_start(req)) {
	case 0:
		return (R_WAIT);
	case 1:
		return (R_HIT); /* a stale object (stale-if-error) */
	default:
		return (R_SYNTH);
	}
}

/* DELIVER: the origin's head is parsed in bo->resp (pointing into the
 * origin buffer, valid until fetch.c drains it after we return): write the
 * client's head in one reserved region. fetch.c streams the body and calls
 * req_resp_done(). DELIVER never ends the request itself: fetch_head()
 * still uses the origin connection after it returns. */
static enum req_step
req_deliver(struct req *req)
{
	struct sess *sp = req->sp;
	struct busyobj *bo = req->bo;
	const struct h1_resp *r;
	const struct h1_hdr *via = NULL;
	int out_chunked = 0, conn;
	struct hb hb;

	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	r = &bo->resp;
	conn = h1_conn_names(r->hdrs, r->nhdrs);
	req->resp_status = r->status;
	req->be_status = r->status;
	if (hb_begin(&hb, sp->out, h1_hdrs_bytes(r->hdrs, r->nhdrs) +
	    r->reason_len + 256) != 0) {
		bo->deliver_failed = 1; /* fetch_head() ends the request */
		return (R_WAIT);
	}
	hb_lit(&hb, "HTTP/1.1 ");
	hb_num(&hb, (unsigned)r->status, 10);
	hb_lit(&hb, " ");
	if (r->reason_len > 0)
		hb_add(&hb, r->reason, r->reason_len);
	else
		hb_add(&hb, h1_reason(r->status), strlen(h1_reason(r->status)));
	hb_lit(&hb, "\r\n");
	for (unsigned i = 0; i < r->nhdrs; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		switch (h->kind) {
		case H1H_VIA:
			if (via == NULL)
				via = h;
			continue;
		case H1H_CONTENT_LENGTH:
			/* A bodiless answer (HEAD, 304) keeps the length the
			 * origin announced for the representation. */
			if ((r->body == H1B_NONE || bo->head_only) && r->status >= 200 &&
			    r->status != 204)
				hb_field(&hb, h->name, h->name_len, h->value, h->value_len);
			continue;
		default:
			if (conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind))
				continue;
			hb_field(&hb, h->name, h->name_len, h->value, h->value_len);
		}
	}
	hb_lit(&hb, "Via: ");
	if (via != NULL) {
		hb_add(&hb, via->value, via->value_len);
		hb_lit(&hb, ", ");
	}
	hb_lit(&hb, "1.1 accel\r\n");
	cache_status_hdr(&hb, req, 0);
	switch (bo->head_only ? H1B_NONE : r->body) {
	case H1B_NONE:
		break;
	case H1B_LENGTH:
		hb_lit(&hb, "Content-Length: ");
		hb_num(&hb, r->content_length, 10);
		hb_lit(&hb, "\r\n");
		break;
	case H1B_CHUNKED:
	case H1B_EOF:
		if (req->h.minor == 1) {
			hb_lit(&hb, "Transfer-Encoding: chunked\r\n");
			out_chunked = 1;
		} else
			sp->close_after = 1; /* HTTP/1.0: the close ends it */
		break;
	}
	if (synth_needed_close(req))
		sp->close_after = 1; /* the origin answered before the body ended */
	req_head_close(&hb, req);
	AZ(hb_end(&hb)); /* the bound above covers every byte written */
	pump_init(&bo->body, r->body, r->content_length, out_chunked, 0);
	cache_fill_tee(bo);
	if (!req->cacheable)
		cache_invalidate(req, r);
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
	if (req->be_synth != NULL)
		fetch_vcl_synth_write(req, sp->out); /* vcl_backend_error's */
	else
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
	/* Spans of req->obj may still be queued after a cut: drop them
	 * before the object may go. */
	if (req->obj != NULL && evbuffer_get_length(sp->out) > 0 &&
	    req->streaming)
		evbuffer_drain(sp->out, evbuffer_get_length(sp->out));
	cache_req_fini(req); /* sp->out holds no span of its objects */
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
	if (sp->rd_eof && req->reqbody != NULL && !req->body_done) {
		req_client_error(req); /* sp is gone */
		return;
	}
	/* Otherwise: bytes of a pipelined request wait in sp->in; past what
	 * one head may need, the rest waits in the kernel. */
	if (evbuffer_get_length(sp->in) > prm.max_head + 2)
		sess_want_read(sp, 0);
}

void
req_client_drained(struct req *req)
{
	if (req->sp->resp_done && (req->step == R_SYNTH || req->step == R_DELIVER ||
	    req->step == R_HIT)) {
		req->step = R_DONE;
		req_drive(req);
		return;
	}
	if (req->step == R_HIT && req->streaming && !req->on_waitlist) {
		req_drive(req); /* room again for the object's spans */
		return;
	}
	if (req->bo != NULL)
		fetch_resume(req->bo);
}

void
req_client_error(struct req *req)
{
	struct sess *sp = req->sp;
	/* A fill others may wait on goes on without this client. */
	if (req->bo != NULL && fetch_detach(req->bo) != 0)
		fetch_finish(&req->bo);
	sp->close_after = 1;
	if (sp->state == SS_BUSY) {
		/* The request ended early: it still gets its log line, with
		 * what was queued for the client so far. */
		if (req->resp_status == 0)
			req->resp_status = 499; /* XXX nginx's "client closed" */
		sp->wrk->ctr.resp_bytes += req->resp_bytes;
		log_request(sp->wrk, req);
	}
	sess_close(sp);
}

