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
#include "accel/hdrs.h"
#include "accel/head.h"
#include "accel/rfc9111.h"
#include "accel/vcl_resp.h"

#include <stdio.h>
#include <string.h>

static int
synth_needed_close(const struct req *req)
{
	return (req->reqbody != NULL && !req->body_done);
}

/* SYNTH with VCL's synth(status[, "reason"]) (the reason is the
 * program's or the workspace's: it outlives the request's steps). */
static enum req_step
req_synth_of(struct req *req, const struct vcl_ret *ret)
{
	/* Varnish's range: 100 to 65535 (sent modulo 1000 above 999). */
	req->err_status = ret->status >= 100 && ret->status <= 65535 ?
	    (int)ret->status : 503;
	req->synth_reason = NULL;
	req->synth_reason_len = 0;
	/* A reason is a status line's: none with a CR or LF (a long
	 * string may hold one), else the status's own. */
	if (ret->reason.p != NULL && ret->reason.len <= 1024 &&
	    hdrs_value_ok(ret->reason.p, ret->reason.len)) {
		req->synth_reason = ret->reason.p;
		req->synth_reason_len = (uint32_t)ret->reason.len;
	}
	return (R_SYNTH);
}

/* A subroutine failed (or returned what accel cannot act on there). */
static enum req_step
req_vcl_failed(struct req *req)
{
	req->err_status = 503;
	req->synth_reason = NULL;
	return (R_SYNTH);
}

/*
 * return (restart): back to RECV with req.restarts one higher and the
 * request as VCL left it. What the last round held of the cache (the
 * object, a stale one, a busy one not yet handed to a fetch) is released,
 * and so is the fetch (the caller has made sure nothing was written to
 * the client). Past max_restarts, or with a request body already sent to
 * an origin (it cannot be sent again), a 503.
 */
static enum req_step
req_restart(struct req *req)
{
	if (req->bo != NULL)
		fetch_finish(&req->bo);
	cache_req_fini(req);
	if (req->restarts >= prm.max_restarts || req->restarts == UINT16_MAX ||
	    (req->fetched && req->reqbody != NULL)) {
		req->err_status = 503;
		req->synth_reason = NULL;
		req->resp_ed = NULL;
		req->vcl_deliver_done = 1; /* the 503 goes out as it is */
		return (R_SYNTH);
	}
	req->restarts++;
	req->hashin = NULL;
	req->hashin_len = 0;
	req->age = 0;
	req->cs_kind = 0;
	req->cs_fwd_status = 0;
	req->err_status = 0;
	req->synth_reason = NULL;
	req->resp_ed = NULL;
	req->resp_status = 0;
	req->stored = req->no_store = req->cacheable = req->hfm = 0;
	req->waited = req->collapsed = req->streaming = 0;
	req->stream_chunked = req->disk = req->disk_clean = 0;
	req->purging = req->fetched = req->vcl_deliver_done = 0;
	req->redo = 0;
	return (R_RECV);
}

/* What vcl_deliver asked for other than deliver: synth (for fail too,
 * with 503) or restart. The response's edits go: vcl_synth makes its own. */
static enum vcl_action
req_deliver_not(struct req *req, enum vcl_action a, const struct vcl_ret *ret)
{
	req->resp_ed = NULL;
	if (a == VCL_A_RESTART)
		return (VCL_A_RESTART);
	if (a == VCL_A_SYNTH)
		(void)req_synth_of(req, ret);
	else
		(void)req_vcl_failed(req);
	return (VCL_A_SYNTH);
}

/* vcl_deliver, before the head of any answer but a synthetic one. */
static enum vcl_action
req_vcl_deliver(struct req *req)
{
	struct vcl_ret ret;
	enum vcl_action a;

	req->vcl_deliver_done = 1;
	a = acc_vcl_run(req, VCL_SUB_DELIVER, &ret);
	if (a == VCL_A_DELIVER)
		return (a);
	return (req_deliver_not(req, a, &ret));
}

/* What vcl_hit asked for other than deliver. */
static enum req_step
req_hit_not(struct req *req, enum vcl_action a, const struct vcl_ret *ret)
{
	switch (a) {
	case VCL_A_PASS:
		/* Not this object: an uncached fetch. */
		sto_obj_deref(&req->obj);
		req->cacheable = 0;
		req->collapsed = 0;
		req->vcl_deliver_done = 0;
		return (R_PASS);
	case VCL_A_RESTART:
		return (req_restart(req));
	case VCL_A_SYNTH:
		return (req_synth_of(req, ret));
	default:
		return (req_vcl_failed(req));
	}
}

/* The common case (both subroutines deliver) is two tests and two runs:
 * the hit path is measured in instructions (make bench-instr). */
enum req_step
req_vcl_hit(struct req *req)
{
	struct vcl_ret ret;
	enum vcl_action a;

	req->vcl_deliver_done = 1;
	if (!req->fetched) {
		cache_obj_hit(req->obj);
		a = acc_vcl_run(req, VCL_SUB_HIT, &ret);
		if (a != VCL_A_DELIVER)
			return (req_hit_not(req, a, &ret));
	}
	a = acc_vcl_run(req, VCL_SUB_DELIVER, &ret);
	if (a == VCL_A_DELIVER)
		return (R_HIT);
	if (req_deliver_not(req, a, &ret) == VCL_A_RESTART)
		return (req_restart(req)); /* nothing was written */
	return (R_SYNTH);
}

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
	if (fetch_start(req) != 0)
		return (cache_fetch_failed(req) ? R_HIT : R_SYNTH);
	return (R_WAIT);
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
	if (ed == NULL || !resp_ed_drops_name(ed, "Via")) {
		hb_lit(&hb, "Via: ");
		if (via != NULL) {
			hb_add(&hb, via->value, via->value_len);
			hb_lit(&hb, ", ");
		}
		hb_lit(&hb, "1.1 accel\r\n");
	}
	if (ed == NULL || !resp_ed_drops_name(ed, "Cache-Status"))
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

/* The fixed answer when vcl_synth fails (or cannot run): "503 Service
 * Unavailable", as before VCL. */
static void
synth_plain(struct req *req, int st)
{
	char body[64];
	const char *reason = h1_reason(st);
	int blen = snprintf(body, sizeof body, "%d %s\n", st, reason);

	req->synth_body = NULL;
	req->synth_len = 0;
	evbuffer_add_printf(req->sp->out,
	    "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %d\r\nVia: 1.1 accel\r\n%s\r\n%s",
	    st, reason, blen,
	    req->sp->close_after ? "Connection: close\r\n" : "",
	    req->no_body || req->h.meth == H1M_HEAD ? "" : body);
}

/* The answer vcl_synth made: its status and reason, the fields it set,
 * then accel's (Content-Length, Via, Connection) and the body. */
static int
synth_write(struct req *req, const struct resp_ed *ed, unsigned st)
{
	struct sess *sp = req->sp;
	struct hb hb;
	const char *reason = req->synth_reason;
	size_t rlen = req->synth_reason_len;

	if (hb_begin(&hb, sp->out, resp_ed_bytes(ed) + rlen + 160) != 0)
		return (-1);
	if (ed->status == 0 && ed->reason == NULL && reason != NULL) {
		hb_lit(&hb, "HTTP/1.1 ");
		hb_num(&hb, st, 10);
		hb_lit(&hb, " ");
		hb_add(&hb, reason, rlen);
		hb_lit(&hb, "\r\n");
	} else
		resp_ed_status_line(&hb, ed, st);
	resp_ed_write(&hb, ed);
	hb_lit(&hb, "Content-Length: ");
	hb_num(&hb, req->synth_len, 10);
	hb_lit(&hb, "\r\n");
	if (!resp_ed_drops_name(ed, "Via"))
		hb_lit(&hb, "Via: 1.1 accel\r\n");
	if (sp->close_after)
		hb_lit(&hb, "Connection: close\r\n");
	hb_lit(&hb, "\r\n");
	if (hb_end(&hb) != 0)
		return (-1);
	if (!req->no_body && req->h.meth != H1M_HEAD && req->synth_len > 0 &&
	    evbuffer_add(sp->out, req->synth_body, req->synth_len) != 0)
		return (-1);
	return (0);
}

/* The status a synthetic answer is sent with: VCL's (resp.status, else
 * synth()'s) modulo 1000 above 999, as Varnish; 503 for what is no
 * status then. */
static int
synth_wire_status(const struct req *req, const struct resp_ed *ed)
{
	unsigned st = resp_ed_wire_status(ed != NULL && ed->status != 0 ?
	    ed->status : (unsigned)req->err_status);

	return (st < 100 ? 503 : (int)st);
}

/* What vcl_synth made, written: 0, or -1 when memory was short (then
 * nothing of it was committed). */
static int
synth_deliver(struct req *req)
{
	const struct resp_ed *ed = req->resp_ed;
	int st = synth_wire_status(req, ed);

	if (ed->close || synth_needed_close(req) || !req->h.keep_alive)
		req->sp->close_after = 1;
	req->resp_status = st;
	return (synth_write(req, ed, (unsigned)st));
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
	int st;

	if (req->bo != NULL)
		fetch_finish(&req->bo);
	if (req->err_status == 0)
		req->err_status = 500;
	req->resp_ed = NULL;
	req->synth_body = NULL;
	req->synth_len = 0;
	/* A request the parser refused never reached VCL: no VCL now. */
	if (req->h.method != NULL && resp_ed_of(req) != NULL)
		a = acc_vcl_run(req, VCL_SUB_SYNTH, &ret);
	if (a == VCL_A_RESTART && req->restarts < prm.max_restarts)
		return (req_restart(req));
	before = evbuffer_get_length(sp->out);
	if (a != VCL_A_DELIVER || synth_deliver(req) != 0) {
		/* vcl_synth failed or restarted once too often (503), memory
		 * was short (500), or a refused request (its status). */
		st = a == VCL_A_DELIVER ? 500 : req->h.method != NULL ? 503 :
		    synth_wire_status(req, NULL);
		sp->close_after = 1;
		req->resp_status = st;
		synth_plain(req, st);
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

