/*
 * req_vcl.c: what the request state machine (req_fsm.c) does with the
 * actions VCL returns, and the synthetic answer vcl_synth describes:
 * synth(status, reason), a failed subroutine, restarts, vcl_hit and
 * vcl_deliver around a hit, vcl_deliver before the head of a miss or a
 * pass, and the head and body of a synthetic response (vcl_resp.h's
 * edits: its status, reason and fields, synthetic()'s body).
 *
 * Lifetimes: the reasons and bodies are VCL's strings (the request's
 * workspace, or the program, which the request holds): valid until the
 * request ends.
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/hdrs.h"
#include "accel/rfc9111.h"
#include "accel/vcl_resp.h"

#include <stdio.h>
#include <string.h>

/* SYNTH with VCL's synth(status[, "reason"]) (the reason is the
 * program's or the workspace's: it outlives the request's steps). */
enum req_step
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
enum req_step
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
enum req_step
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
	req->be_synth = NULL;
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
enum vcl_action
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

/* The common case (both subroutines only deliver, as the built-in
 * VCL's) is a test and no run: the hit path is measured in instructions
 * (make bench-instr). obj.hits is counted only for a program that reads
 * it (an atomic operation on a shared object per hit otherwise). */
enum req_step
req_vcl_hit(struct req *req)
{
	struct vcl_ret ret;
	enum vcl_action a;

	req->vcl_deliver_done = 1;
	if (req->vcl_obj_hits && !req->fetched)
		cache_obj_hit(req->obj);
	if (req->vcl_hit_fixed)
		return (R_HIT);
	if (!req->fetched) {
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
	if (!resp_ed_drops_own(ed, RESP_ED_VIA))
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

	if (ed->close || req_body_pending(req) || !req->h.keep_alive)
		req->sp->close_after = 1;
	req->resp_status = st;
	return (synth_write(req, ed, (unsigned)st));
}

/* Write the synthetic answer for what vcl_synth returned (a): its own when
 * it delivered, else accel's plain one (503 when vcl_synth failed or
 * restarted once too often, 500 when memory was short, a refused
 * request's status when VCL never ran). */
void
req_synth_write(struct req *req, enum vcl_action a)
{
	int st;

	if (a == VCL_A_DELIVER && synth_deliver(req) == 0)
		return;
	st = a == VCL_A_DELIVER ? 500 : req->h.method != NULL ? 503 :
	    synth_wire_status(req, NULL);
	req->sp->close_after = 1;
	req->resp_status = st;
	synth_plain(req, st);
}
