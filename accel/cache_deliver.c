/*
 * cache_deliver.c: a hit delivered from a complete stored object: the head
 * from the stored fields with Age, Via and Cache-Status, the body from the
 * object's segments by reference, never copied.
 *
 * Lifetimes: req->obj holds one reference from LOOKUP until DONE (or the
 * session's close), which keeps every span queued in the client buffer by
 * evbuffer_add_reference valid until it is written or dropped.
 */
#include "accel/accel.h"
#include "accel/hb.h"

#include <string.h>

/* HIT: the head from the stored fields, the body by reference. */
enum req_step
cache_deliver_hit(struct req *req)
{
	struct sess *sp = req->sp;
	const struct sto_obj *o = req->obj;
	struct hb hb;
	size_t len = sto_obj_len(o);
	const char *reason = h1_reason((int)o->o_status);

	req->resp_status = (int)o->o_status;
	if (hb_begin(&hb, sp->out, o->o_hdrs.len + 512) != 0) {
		req->err_status = 503;
		return (R_SYNTH);
	}
	hb_lit(&hb, "HTTP/1.1 ");
	hb_num(&hb, o->o_status, 10);
	hb_lit(&hb, " ");
	hb_add(&hb, reason, strlen(reason));
	hb_lit(&hb, "\r\n");
	hb_add(&hb, o->o_hdrs.ptr, o->o_hdrs.len);
	hb_lit(&hb, "Via: 1.1 accel\r\nAge: ");
	hb_num(&hb, (uint64_t)req->age, 10);
	hb_lit(&hb, "\r\n");
	cache_status_hdr(&hb, req, o->o_ttl - req->age);
	if (o->o_status != 204 && o->o_status != 304) {
		hb_lit(&hb, "Content-Length: ");
		hb_num(&hb, len, 10);
		hb_lit(&hb, "\r\n");
	}
	if (!req->h.keep_alive || sp->close_after || sp->wrk->draining) {
		sp->close_after = 1;
		hb_lit(&hb, "Connection: close\r\n\r\n");
	} else if (req->h.minor == 0)
		hb_lit(&hb, "Connection: keep-alive\r\n\r\n");
	else
		hb_lit(&hb, "\r\n");
	req->resp_bytes += hb.len;
	AZ(hb_end(&hb));
	if (req->h.meth != H1M_HEAD && o->o_status != 204 && o->o_status != 304) {
		struct sto_cursor c;
		const void *p;
		size_t n;
		sto_cursor_init(&c, o);
		while (sto_cursor_next(&c, 0, &p, &n) == 0) {
			/* The object outlives the buffer's use of p: req->obj
			 * is dropped only once sp->out is empty or freed. */
			evbuffer_add_reference(sp->out, p, n, NULL, NULL);
			req->resp_bytes += n;
		}
	}
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings DONE */
	return (R_DONE);
}
