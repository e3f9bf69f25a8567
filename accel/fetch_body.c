/*
 * fetch_body.c: the response body of a fetch, once its head is in:
 * streamed to the attached client with backpressure (its buffer full
 * pauses origin reads, fetch_resume() resumes them), or into the object
 * at the origin's pace when detached, or to the disk tier as it passes,
 * pausing while the disk is behind.
 *
 * Lifetimes: as fetch.c's. A detached fetch ends here when its body is
 * complete or cut (fetch_finish), which completes or fails its object.
 */
#include "accel/accel.h"
#include "accel/fetch_int.h"

#include <stdint.h>

void
fetch_pump_fill(struct busyobj *bo, int eof)
{
	struct vbc *vc = bo->vbc;
	int rc = pump_move(&bo->body, vc->in, bo->scratch, SIZE_MAX);
	if (rc != PUMP_DONE && eof)
		rc = pump_eof(&bo->body, bo->scratch);
	evbuffer_drain(bo->scratch, evbuffer_get_length(bo->scratch));
	if (rc == PUMP_DONE) {
		bo->body_done = 1;
		if (eof)
			bo->resp.keep_alive = 0;
		event_del(&vc->rev);
		fetch_finish(&bo);
		return;
	}
	if (rc == PUMP_ERR || eof || bo->body.tee_failed) {
		bo->wrk->ctr.fetch_err_proto += rc == PUMP_ERR || eof;
		fetch_finish(&bo); /* the object fails: readers are cut */
	}
}

/* Room the disk stream must have before the pump moves more: what one
 * pump_move can add (up to buffer_high past the client's buffer, plus one
 * origin read) fits in it. */
#define DSTREAM_ROOM_MIN (1u << 20)

/* Whether the disk stream lacks room for the next pump_move. Near the end
 * of the body the stream takes no more than what remains of it. */
static int
fetch_disk_full(const struct busyobj *bo)
{
	uint64_t need = DSTREAM_ROOM_MIN;
	if (bo->body.in == H1B_LENGTH && bo->body.remaining < need)
		need = bo->body.remaining;
	return (sto_lmdb_stream_room(bo->dstream) < need);
}

/* disk_paused: is there room in the disk stream again? Polled (2 ms): the
 * disk tier's writer wakes no one when its queue drains. */
static void
fetch_disk_wait(evutil_socket_t fd, short what, void *priv)
{
	struct busyobj *bo = priv;
	static const struct timeval tv = {0, 2000};
	(void)fd;
	(void)what;
	if (!bo->disk_paused || bo->vbc == NULL || bo->req == NULL)
		return;
	if (bo->dstream != NULL && fetch_disk_full(bo)) {
		evtimer_add(bo->dwait_ev, &tv);
		return;
	}
	bo->disk_paused = 0;
	if (bo->paused)
		return; /* the client's drain resumes us */
	vbc_arm_read(bo->vbc);
	if (evbuffer_get_length(bo->vbc->in) > 0)
		fetch_pump_resp(bo);
}

/* A body going to disk as it passes (bo->dstream) waits while the disk
 * is behind rather than lose the stream: 1 when paused. */
static int
fetch_disk_behind(struct busyobj *bo)
{
	static const struct timeval tv = {0, 2000};
	if (bo->dstream == NULL || !fetch_disk_full(bo))
		return (0);
	if (bo->dwait_ev == NULL)
		bo->dwait_ev = evtimer_new(bo->wrk->base, fetch_disk_wait, bo);
	if (bo->dwait_ev == NULL)
		return (0); /* no timer: append breaks the stream instead */
	bo->disk_paused = 1;
	event_del(&bo->vbc->rev);
	evtimer_add(bo->dwait_ev, &tv);
	return (1);
}

void
fetch_pump_resp(struct busyobj *bo)
{
	struct vbc *vc = bo->vbc;
	struct req *req = bo->req;

	if (req == NULL) {
		fetch_pump_fill(bo, 0);
		return;
	}
	if (bo->disk_paused || fetch_disk_behind(bo))
		return;
	struct sess *sp = req->sp;
	size_t before = evbuffer_get_length(sp->out);
	int rc = pump_move(&bo->body, vc->in, sp->out, prm.buffer_high);
	req->resp_bytes += evbuffer_get_length(sp->out) - before;
	if (rc == PUMP_ERR) {
		sp->wrk->ctr.fetch_err_proto++;
		req_resp_abort(req);
		return;
	}
	sess_flush(sp);
	if (rc == PUMP_DONE) {
		bo->body_done = 1;
		event_del(&vc->rev);
		req_resp_done(req);
		return;
	}
	if (evbuffer_get_length(sp->out) >= prm.buffer_high) {
		bo->paused = 1;
		event_del(&vc->rev);
	} else if (bo->paused) {
		bo->paused = 0;
		vbc_arm_read(vc);
	}
}

void
fetch_resume(struct busyobj *bo)
{
	if (bo->vbc == NULL || !bo->head_done || bo->body_done || bo->req == NULL)
		return;
	if (bo->paused && evbuffer_get_length(bo->req->sp->out) < prm.buffer_high) {
		bo->paused = 0;
		if (bo->disk_paused)
			return; /* fetch_disk_wait() resumes us */
		vbc_arm_read(bo->vbc);
		if (evbuffer_get_length(bo->vbc->in) > 0)
			fetch_pump_resp(bo);
	}
}
