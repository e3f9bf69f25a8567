/*
 * req_fsm.c: the request state machine. Every request walks these steps,
 * each a function returning the next; req_drive() is the one loop that
 * runs them. A step that must wait for the network returns R_WAIT and the
 * event that ends the wait (fetch.c, sess.c) sets req->step and calls
 * req_drive() again. What each VCL action leads to, restarts and the
 * synthetic answer's bytes are req_vcl.c's.
 *
 *   RECV     parsed head: vcl_recv decides (the built-in VCL: GET/HEAD
 *            -> HASH, PURGE -> HASH then PURGE, CONNECT -> SYNTH 405,
 *            anything else or a body -> PASS); restart comes back here
 *   HASH     the cache key from vcl_hash's hash_data() (host and path)
 *   LOOKUP   find a fresh object: HIT, else MISS
 *   HIT      vcl_hit and vcl_deliver once the object can answer, then
 *            the stored head, Age, body by reference
 *   MISS     vcl_miss, then the fetch, storing the response when RFC
 *            9111 allows it
 *   PURGE    remove every variant of the key, then vcl_purge (vcl_recv
 *            decided who may)
 *   PASS     vcl_pass, then an uncached fetch
 *   FETCH    send the request to an origin, wait for its response head
 *   DELIVER  vcl_deliver, then the response head; the body streams
 *            origin -> client (and into the object on a stored miss)
 *   SYNTH    vcl_synth, then the answer it describes (errors, synth())
 *   DONE     log, then the next request on the connection or close
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/head.h"
#include "accel/rfc9111.h"
#include "accel/vcl_resp.h"

#include <string.h>

/* What RECV does once per request (not again after a restart). */
static void
req_recv_prep(struct req *req)
{
	/* The client's method decides whether a body goes back, whatever
	 * VCL makes of req.method (Varnish's rule too). */
	if (req->h.meth == H1M_HEAD)
		req->no_body = 1;
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
}

/* RECV: the head is parsed and valid (again after a restart). */
static enum req_step
req_recv(struct req *req)
{
	struct vcl_ret ret;
	enum vcl_action a;

	if (req->restarts == 0)
		req_recv_prep(req);
	a = acc_vcl_run(req, VCL_SUB_RECV, &ret);
	if (a == VCL_A_HASH)
		return (R_HASH);
	switch (a) {
	case VCL_A_PURGE:
		req->purging = 1;
		return (R_HASH);
	case VCL_A_PASS:
	case VCL_A_PIPE: /* no tunnels: a pipe is a pass (vcl_pass runs) */
		return (R_PASS);
	case VCL_A_SYNTH:
		return (req_synth_of(req, &ret));
	case VCL_A_RESTART:
		return (req_restart(req));
	default:
		return (req_vcl_failed(req));
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
	if (req->lookup_vcl != 0) {
		if (req->lookup_vcl & REQ_LK_IGNORE_BUSY)
			req->waited = 1; /* as after one wait: no coalescing */
		if (req->lookup_vcl & REQ_LK_ALWAYS_MISS) {
			/* req.hash_always_miss: fetch; the answer (when
			 * stored) replaces what is there. */
			req->cs_kind = RFC_CS_MISS;
			return (R_MISS);
		}
	}
	return (cache_lookup(req));
}

/* HIT: deliver the object, following it while it fills; vcl_hit and
 * vcl_deliver run once it can answer (req_vcl_hit). */
static enum req_step
req_hit(struct req *req)
{
	return (cache_deliver_obj(req));
}

/* MISS: vcl_miss, then the fetch under a busy object others wait on; the
 * response head decides whether it is stored (a HEAD miss is fetched as a
 * GET). */
static enum req_step
req_miss(struct req *req)
{
	struct vcl_ret ret;

	switch (acc_vcl_run(req, VCL_SUB_MISS, &ret)) {
	case VCL_A_FETCH:
		return (cache_miss(req));
	case VCL_A_PASS:
		req->cacheable = 0; /* nothing stored, no marker either */
		if (req->stale != NULL)
			sto_obj_deref(&req->stale);
		return (R_PASS);
	case VCL_A_SYNTH:
		return (req_synth_of(req, &ret));
	case VCL_A_RESTART:
		return (req_restart(req));
	default:
		return (req_vcl_failed(req));
	}
}

/* PURGE: remove the key's objects from the cache, then vcl_purge. Who may
 * purge was vcl_recv's decision (the built-in VCL: -p purge_acl). */
static enum req_step
req_purge(struct req *req)
{
	struct vcl_ret ret;
	unsigned n = cache_purge(req);

	switch (acc_vcl_run(req, VCL_SUB_PURGE, &ret)) {
	case VCL_A_SYNTH:
		/* The built-in's synth(200), without a reason, is a 404 when
		 * the key held nothing (VCL has no variable for that). */
		if (ret.status == 200 && ret.reason.p == NULL && n == 0)
			ret.status = 404;
		return (req_synth_of(req, &ret));
	case VCL_A_RESTART:
		return (req_restart(req));
	default:
		return (req_vcl_failed(req));
	}
}

/* PASS: vcl_pass, then the origin without the cache. */
static enum req_step
req_pass(struct req *req)
{
	struct vcl_ret ret;

	switch (acc_vcl_run(req, VCL_SUB_PASS, &ret)) {
	case VCL_A_FETCH:
		break;
	case VCL_A_SYNTH:
		return (req_synth_of(req, &ret));
	case VCL_A_RESTART:
		return (req_restart(req));
	default:
		return (req_vcl_failed(req));
	}
	req->sp->wrk->ctr.cache_pass++;
	req->cs_kind = RFC_CS_METHOD;
	return (R_FETCH);
}

/* FETCH: start the origin request; fetch.c resumes us at DELIVER or SYNTH. */
static enum req_step
req_fetch(struct req *req)
{
	struct sess *sp = req->sp;

	req->fetched = 1;
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

/*
 * vcl_deliver of a miss or a pass, before its head: a synth or a restart
 * ends this fetch, but not from here (fetch_head() still uses it when we
 * return): deliver_failed makes it call req_resp_abort(), which finishes
 * the fetch and goes on at redo_step. Returns 0 to write the head.
 */
static int
req_deliver_vcl(struct req *req)
{
	switch (req_vcl_deliver(req)) {
	case VCL_A_DELIVER:
		return (0);
	case VCL_A_RESTART:
		req->redo_step = R_RECV;
		break;
	default:
		req->redo_step = R_SYNTH;
		break;
	}
	req->redo = 1;
	req->bo->deliver_failed = 1;
	return (-1);
}

/* The origin's fields that go to the client (not hop-by-hop, not the
 * framing, not Via: req_deliver writes them), less what VCL changed. */
static void
req_deliver_fields(struct hb *hb, const struct busyobj *bo,
    const struct resp_ed *ed, const struct h1_hdr **via)
{
	const struct h1_resp *r = &bo->resp;
	int conn = h1_conn_names(r->hdrs, r->nhdrs);

	for (unsigned i = 0; i < r->nhdrs; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		switch (h->kind) {
		case H1H_VIA:
			if (*via == NULL)
				*via = h;
			continue;
		case H1H_CONTENT_LENGTH:
			/* A bodiless answer (HEAD, 304) keeps the length the
			 * origin announced for the representation. */
			if ((r->body == H1B_NONE || bo->head_only) && r->status >= 200 &&
			    r->status != 204)
				hb_field(hb, h->name, h->name_len, h->value, h->value_len);
			continue;
		default:
			if (conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind))
				continue;
			if (ed != NULL && resp_ed_drops(ed, h))
				continue;
			hb_field(hb, h->name, h->name_len, h->value, h->value_len);
		}
	}
}

/* The status line of a miss or a pass: the origin's, or VCL's. */
static void
req_deliver_status(struct hb *hb, struct req *req, const struct h1_resp *r)
{
	const struct resp_ed *ed = req->resp_ed;

	if (ed != NULL) {
		resp_ed_status_line(hb, ed, (unsigned)r->status);
		if (ed->status != 0)
			req->resp_status = (int)resp_ed_wire_status(ed->status);
		if (ed->close)
			req->sp->close_after = 1;
		return;
	}
	hb_lit(hb, "HTTP/1.1 ");
	hb_num(hb, (unsigned)r->status, 10);
	hb_lit(hb, " ");
	if (r->reason_len > 0)
		hb_add(hb, r->reason, r->reason_len);
	else
		hb_add(hb, h1_reason(r->status), strlen(h1_reason(r->status)));
	hb_lit(hb, "\r\n");
}

/* DELIVER: the origin's head is parsed in bo->resp (pointing into the
 * origin buffer, valid until fetch.c drains it after we return): run
 * vcl_deliver, then write the client's head in one reserved region.
 * fetch.c streams the body and calls req_resp_done(). DELIVER never ends
 * the request itself: fetch_head() still uses the origin connection after
 * it returns. */
static enum req_step
req_deliver(struct req *req)
{
	struct sess *sp = req->sp;
	struct busyobj *bo = req->bo;
	const struct h1_resp *r;
	const struct h1_hdr *via = NULL;
	const struct resp_ed *ed;
	int out_chunked = 0;
	struct hb hb;

	CHECK_OBJ_NOTNULL(bo, BUSYOBJ_MAGIC);
	r = &bo->resp;
	req->resp_status = r->status;
	req->be_status = r->status;
	if (!req->vcl_deliver_done && req_deliver_vcl(req) != 0)
		return (R_WAIT);
	ed = req->resp_ed;
	if (hb_begin(&hb, sp->out, h1_hdrs_bytes(r->hdrs, r->nhdrs) +
	    r->reason_len + 256 + (ed != NULL ? resp_ed_bytes(ed) : 0)) != 0) {
		bo->deliver_failed = 1; /* fetch_head() ends the request */
		return (R_WAIT);
	}
	req_deliver_status(&hb, req, r);
	req_deliver_fields(&hb, bo, ed, &via);
	if (ed == NULL || !resp_ed_drops_own(ed, RESP_ED_VIA)) {
		hb_lit(&hb, "Via: ");
		if (via != NULL) {
			hb_add(&hb, via->value, via->value_len);
			hb_lit(&hb, ", ");
		}
		hb_lit(&hb, "1.1 accel\r\n");
	}
	if (ed == NULL || !resp_ed_drops_own(ed, RESP_ED_CACHE_STATUS))
		cache_status_hdr(&hb, req, 0);
	if (ed != NULL)
		resp_ed_write(&hb, ed);
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
	if (req_body_pending(req))
		sp->close_after = 1; /* the origin answered before the body ended */
	req_head_close(&hb, req);
	AZ(hb_end(&hb)); /* the bound above covers every byte written */
	pump_init(&bo->body, r->body, r->content_length, out_chunked, 0);
	cache_fill_tee(bo);
	if (!req->cacheable)
		cache_invalidate(req, r);
	return (R_WAIT);
}

/* SYNTH: an answer made here (errors, synth() from VCL): vcl_synth says
 * what it is (the built-in VCL: "STATUS REASON" in text/plain). */
static enum req_step
req_synth(struct req *req)
{
	struct sess *sp = req->sp;
	struct vcl_ret ret;
	enum vcl_action a = VCL_A_FAIL;
	size_t before;

	if (req->bo != NULL)
		fetch_finish(&req->bo);
	if (req->be_synth != NULL) {
		/* vcl_backend_error's answer is the response as it made it
		 * (no vcl_synth; vcl_deliver does not run on it yet). */
		if (req->err_status < 500 || req_body_pending(req) ||
		    !req->h.keep_alive)
			sp->close_after = 1;
		req->resp_status = req->err_status;
		before = evbuffer_get_length(sp->out);
		fetch_vcl_synth_write(req, sp->out);
	} else {
		if (req->err_status == 0)
			req->err_status = 500;
		req->resp_ed = NULL;
		req->synth_body = NULL;
		req->synth_len = 0;
		/* A request the parser refused never reached VCL: no VCL. */
		if (req->h.method != NULL && resp_ed_of(req) != NULL)
			a = acc_vcl_run(req, VCL_SUB_SYNTH, &ret);
		if (a == VCL_A_RESTART && req->restarts < prm.max_restarts)
			return (req_restart(req));
		before = evbuffer_get_length(sp->out);
		req_synth_write(req, a);
	}
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
	acc_vcl_req_fini(req);
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

	if (req->redo) {
		/* Not a failure: vcl_deliver asked for a restart or a synth
		 * before anything was written. */
		req->redo = 0;
		fetch_finish(&req->bo);
		req->step = req->redo_step == R_RECV ? req_restart(req) :
		    (enum req_step)req->redo_step;
		req_drive(req);
		return;
	}
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

