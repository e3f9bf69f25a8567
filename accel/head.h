/*
 * head.h: the pieces every response head the daemon writes shares, inline
 * because a hit writes them: the status line and Age + Cache-Status of an
 * answer from the cache, and the Connection field and blank line that end
 * any head (with its bytes counted). Include after accel.h and hb.h.
 */
#ifndef ACCEL_HEAD_H
#define ACCEL_HEAD_H

#include <string.h>

/* The status line of an answer from the cache. */
static inline void
cache_head_begin(struct hb *hb, unsigned status)
{
	const char *reason = h1_reason((int)status);
	hb_lit(hb, "HTTP/1.1 ");
	hb_num(hb, status, 10);
	hb_lit(hb, " ");
	hb_add(hb, reason, strlen(reason));
	hb_lit(hb, "\r\n");
}

/* Age and Cache-Status of an answer from o (Via is among the stored
 * fields, ours last). */
static inline void
cache_head_age(struct hb *hb, const struct req *req, const struct sto_obj *o)
{
	hb_lit(hb, "Age: ");
	hb_num(hb, (uint64_t)req->age, 10);
	hb_lit(hb, "\r\n");
	cache_status_hdr(hb, req, o->o_ttl - req->age);
}

/* End a response head: Connection as the client needs it (close when it
 * asked, when the session must close, or when draining; keep-alive spelled
 * out for HTTP/1.0), the blank line, and the head's bytes counted in
 * req->resp_bytes. */
static inline void
req_head_close(struct hb *hb, struct req *req)
{
	struct sess *sp = req->sp;
	if (sp->close_after || !req->h.keep_alive || sp->wrk->draining) {
		sp->close_after = 1;
		hb_lit(hb, "Connection: close\r\n\r\n");
	} else if (req->h.minor == 0)
		hb_lit(hb, "Connection: keep-alive\r\n\r\n");
	else
		hb_lit(hb, "\r\n");
	req->resp_bytes += hb->len;
}

#endif
