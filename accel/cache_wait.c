/*
 * cache_wait.c: delivering an object that is still being filled, and the
 * waiting that goes with it (request coalescing, RFC 9111 section 4's
 * "collapsed" requests).
 *
 * A request that finds a BUSY object (a fetch for its key in flight) or a
 * STREAMING one (body still arriving) reads it with a cursor: it writes the
 * head once the metadata is published and queues body spans by reference
 * as they are published. When the cursor says STO_WAIT it parks on its
 * worker's `waiting` list, after setting its thread's bit in o_waiters.
 *
 * The writer (a fetch, on any thread) calls the notify hook, cache_obj_notify(),
 * after each publish: it reads o_waiters and kicks each worker named
 * there. A kick from another thread is one eventfd write, coalesced by
 * the worker's `kicked` flag until the worker runs; a kick of our own
 * thread is an event_active. The woken worker re-drives every parked
 * request; those that still find nothing park again.
 *
 * No lost wake: the reader sets its bit and then looks at the object
 * again (both sequentially consistent); the writer publishes and then
 * reads the bits after a sequentially consistent fence. Either the reader
 * sees the bytes, or the writer sees the bit.
 *
 * Lifetimes: the parked request holds its reference on the object
 * (req->obj), so the object outlives the wait; the waiting list holds
 * pointers to requests of this thread only, and a request leaves it in
 * cache_req_fini() before its session can be freed.
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/head.h"
#include "accel/rfc9111.h"
#include "accel/vcl_resp.h"

#include <string.h>

void
cache_obj_notify(struct sto_obj *o, void *priv)
{
	(void)priv;
	atomic_thread_fence(memory_order_seq_cst);
	uint64_t m = atomic_load(&o->o_waiters);
	while (m != 0) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		m &= m - 1;
		/* Past 64 workers, a bit stands for every id equal mod 64. */
		for (unsigned j = i; j < nworkers; j += 64)
			wrk_kick(&workers[j]);
	}
}

/* Park req until its object grows: set our bit, then look again. Returns
 * 1 when parked, 0 when the caller should look again now. */
static int
park(struct req *req)
{
	struct worker *wrk = req->sp->wrk;
	uint64_t bit = 1ull << (wrk->id & 63);

	if ((atomic_load(&req->obj->o_waiters) & bit) == 0) {
		atomic_fetch_or(&req->obj->o_waiters, bit);
		atomic_thread_fence(memory_order_seq_cst);
		return (0);
	}
	AZ(req->on_waitlist);
	TAILQ_INSERT_TAIL(&wrk->waiting, req, wlist);
	req->on_waitlist = 1;
	return (1);
}

void
cache_wake_all(struct worker *wrk)
{
	TAILQ_HEAD(, req) list = TAILQ_HEAD_INITIALIZER(list);
	struct req *req;

	/* Take the whole list first: a woken request may park again. */
	TAILQ_CONCAT(&list, &wrk->waiting, wlist);
	while ((req = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, req, wlist);
		req->on_waitlist = 0;
		req_drive(req); /* step is R_HIT */
	}
}

void
cache_req_fini(struct req *req)
{
	if (req->on_waitlist) {
		TAILQ_REMOVE(&req->sp->wrk->waiting, req, wlist);
		req->on_waitlist = 0;
	}
	if (req->obj != NULL)
		sto_obj_deref(&req->obj);
	if (req->stale != NULL)
		sto_obj_deref(&req->stale);
	if (req->busy != NULL) {
		/* A miss that never reached its fetch: let waiters go on. */
		(void)sto_obj_finish(req->busy, 0);
		sto_obj_deref(&req->busy);
	}
}

/* The status line and fields of stream_head() with vcl_deliver's edits
 * (vcl_resp.h). */
static void
stream_head_edited(struct hb *hb, struct req *req, const struct sto_obj *o,
    const struct resp_ed *ed)
{
	struct sto_bytes sh = sto_obj_hdrs(o);

	if (ed->close)
		req->sp->close_after = 1;
	if (ed->status != 0)
		req->resp_status = (int)resp_ed_wire_status(ed->status);
	resp_ed_status_line(hb, ed, o->o_status);
	/* None of the names edited stored: the block as is, unwalked. */
	if (cache_hdrs_lack(o, ed->names))
		hb_add(hb, sh.ptr, sh.len);
	else
		cache_hdrs_edited(hb, (const char *)sh.ptr, sh.len, ed);
	if (!resp_ed_drops_own(ed, RESP_ED_AGE)) {
		hb_lit(hb, "Age: ");
		hb_num(hb, (uint64_t)req->age, 10);
		hb_lit(hb, "\r\n");
	}
	if (!resp_ed_drops_own(ed, RESP_ED_CACHE_STATUS))
		cache_status_hdr(hb, req, o->o_ttl - req->age);
	resp_ed_write(hb, ed);
}

/* The head of a response from an object whose length may be unknown. */
static int
stream_head(struct req *req, const struct sto_obj *o)
{
	struct sess *sp = req->sp;
	int bodyless = o->o_status == 204 || o->o_status == 304;
	const struct resp_ed *ed = req->resp_ed;
	struct hb hb;

	req->resp_status = (int)o->o_status;
	if (hb_begin(&hb, sp->out, sto_obj_hdrs(o).len + 512 +
	    (ed != NULL ? resp_ed_bytes(ed) : 0)) != 0)
		return (-1);
	if (ed == NULL) {
		cache_head_begin(&hb, o->o_status);
		hb_add(&hb, sto_obj_hdrs(o).ptr, sto_obj_hdrs(o).len);
		cache_head_age(&hb, req, o);
	} else
		stream_head_edited(&hb, req, o, ed);
	if (!bodyless && o->o_content_length >= 0) {
		hb_lit(&hb, "Content-Length: ");
		hb_num(&hb, (uint64_t)o->o_content_length, 10);
		hb_lit(&hb, "\r\n");
	} else if (!bodyless && req->h.meth != H1M_HEAD && !req->no_body) {
		if (req->h.minor == 1) {
			hb_lit(&hb, "Transfer-Encoding: chunked\r\n");
			req->stream_chunked = 1;
		} else
			sp->close_after = 1; /* HTTP/1.0: the close ends it */
	}
	req_head_close(&hb, req);
	return (hb_end(&hb));
}

/* The response is all queued: DONE once written. */
static enum req_step
stream_done(struct req *req)
{
	struct sess *sp = req->sp;
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings DONE */
	return (R_DONE);
}

/* Queue what the object has published, by reference; park for more. */
static enum req_step
stream_body(struct req *req)
{
	struct sess *sp = req->sp;
	const void *p;
	size_t n;

	for (;;) {
		if (evbuffer_get_length(sp->out) >= prm.buffer_high) {
			sess_flush(sp);
			/* req_client_drained() drives us again, but only when
			 * the flush left bytes (it then armed the write event):
			 * a socket that took them all brings no drain. */
			if (evbuffer_get_length(sp->out) > 0)
				return (R_WAIT);
			continue;
		}
		int rc = sto_cursor_next(&req->cur, 0, &p, &n);
		if (rc == 0) {
			if (req->stream_chunked)
				evbuffer_add_printf(sp->out, "%zx\r\n", n);
			/* req->obj outlives the span: it is dropped only once
			 * sp->out is empty or freed. */
			evbuffer_add_reference(sp->out, p, n, NULL, NULL);
			if (req->stream_chunked)
				evbuffer_add(sp->out, "\r\n", 2);
			req->resp_bytes += n;
			continue;
		}
		if (rc == STO_EOF) {
			if (req->stream_chunked) {
				evbuffer_add(sp->out, "0\r\n\r\n", 5);
				req->resp_bytes += 5;
			}
			return (stream_done(req));
		}
		if (rc == STO_EFAILED) {
			/* The fetch broke: what is queued is valid, the close
			 * (short of the length or the last chunk) cuts it. */
			sp->close_after = 1;
			sess_flush(sp);
			return (R_DONE); /* drops the spans not yet written */
		}
		/* STO_WAIT */
		sess_flush(sp);
		if (park(req))
			return (R_WAIT);
	}
}

/*
 * HIT: deliver req->obj. A complete object goes to cache_deliver_hit()
 * (conditionals, ranges); one still filling is streamed as it grows; a
 * busy one is waited on, then looked at again.
 */
enum req_step
cache_deliver_obj(struct req *req)
{
	struct sto_obj *o = req->obj;

	if (req->streaming)
		return (req->disk ? cache_deliver_disk(req) : stream_body(req));
	for (;;) {
		enum sto_obj_state st = sto_obj_state(o);
		if (st == STO_OBJ_BUSY) {
			if (park(req))
				return (R_WAIT);
			continue;
		}
		if (st == STO_OBJ_FAILED || (sto_obj_flags(o) & STO_F_HFM)) {
			/* The fetch we waited on failed, or its answer cannot
			 * be shared: fetch ourselves, without waiting again
			 * (hit-for-miss: no one else waits on us either). */
			if (sto_obj_flags(o) & STO_F_HFM)
				req->hfm = 1;
			sto_obj_deref(&req->obj);
			req->waited = 1;
			req->collapsed = 0;
			return (R_LOOKUP);
		}
		break;
	}
	if (req->collapsed) {
		/* Published under us: it is a fresh answer to this request
		 * only when it is our variant. */
		if (!cache_obj_usable(req, o)) {
			sto_obj_deref(&req->obj);
			req->waited = 1;
			req->collapsed = 0;
			return (R_LOOKUP);
		}
		req->age = (double)(int64_t)rfc_age(o->o_date, o->o_age_recv,
		    o->o_t_req, o->o_t_resp, now_real());
	}
	/* vcl_hit and vcl_deliver, once the object can answer and before
	 * its head: they may restart, pass or synth instead. */
	if (!req->vcl_deliver_done) {
		enum req_step next = req_vcl_hit(req);
		if (next != R_HIT)
			return (next);
	}
	if (sto_obj_state(o) == STO_OBJ_COMPLETE)
		return (cache_deliver_hit(req));
	if (stream_head(req, o) != 0) {
		req->err_status = 503;
		sto_obj_deref(&req->obj);
		return (R_SYNTH);
	}
	req->streaming = 1;
	if (req->h.meth == H1M_HEAD || req->no_body || o->o_status == 204 ||
	    o->o_status == 304)
		return (stream_done(req));
	sto_cursor_init(&req->cur, o);
	return (stream_body(req));
}
