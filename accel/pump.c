/*
 * pump.c: move one HTTP message body from a source buffer to a sink
 * buffer, decoding the source's framing and writing the sink's. Body bytes
 * change buffers by reference (evbuffer_remove_buffer moves whole chains),
 * so a 1 GiB body passes through with only `high` bytes held at a time.
 */
#include "accel/accel.h"

#include <event2/buffer.h>

void
pump_init(struct pump *p, enum h1_body in, uint64_t length, int out_chunked,
    uint64_t limit)
{
	p->in = in;
	p->out_chunked = out_chunked;
	p->remaining = length;
	p->bytes = 0;
	p->limit = limit;
	p->done = (in == H1B_NONE || (in == H1B_LENGTH && length == 0));
	if (in == H1B_CHUNKED)
		h1_chunk_init(&p->ck);
}

/* Move n data bytes, framing them as a chunk when the sink is chunked. */
static int
move_data(struct pump *p, struct evbuffer *src, struct evbuffer *dst, size_t n)
{
	if (p->limit != 0 && p->bytes + n > p->limit)
		return (PUMP_TOOBIG);
	if (p->out_chunked)
		evbuffer_add_printf(dst, "%zx\r\n", n);
	if (evbuffer_remove_buffer(src, dst, n) != (int)n)
		return (PUMP_ERR);
	if (p->out_chunked)
		evbuffer_add(dst, "\r\n", 2);
	p->bytes += n;
	return (PUMP_MORE);
}

static void
finish(struct pump *p, struct evbuffer *dst)
{
	p->done = 1;
	if (p->out_chunked)
		evbuffer_add(dst, "0\r\n\r\n", 5);
}

int
pump_move(struct pump *p, struct evbuffer *src, struct evbuffer *dst,
    size_t high)
{
	int rc;

	if (p->done)
		return (PUMP_DONE);
	while (evbuffer_get_length(dst) < high) {
		size_t avail = evbuffer_get_length(src);
		if (avail == 0)
			return (PUMP_MORE);
		switch (p->in) {
		case H1B_LENGTH: {
			size_t n = avail < p->remaining ? avail : (size_t)p->remaining;
			if ((rc = move_data(p, src, dst, n)) != PUMP_MORE)
				return (rc);
			p->remaining -= n;
			if (p->remaining == 0) {
				finish(p, dst);
				return (PUMP_DONE);
			}
			break;
		}
		case H1B_EOF:
			if ((rc = move_data(p, src, dst, avail)) != PUMP_MORE)
				return (rc);
			break;
		case H1B_CHUNKED: {
			/* Decode from the first contiguous segment only; the
			 * decoder keeps its state between segments. */
			struct evbuffer_iovec v;
			if (evbuffer_peek(src, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
				return (PUMP_ERR);
			size_t n = 0;
			int r = h1_chunk_next(&p->ck, v.iov_base, v.iov_len, &n);
			if (r == H1C_DATA) {
				if ((rc = move_data(p, src, dst, n)) != PUMP_MORE)
					return (rc);
			} else if (r == H1C_SKIP) {
				evbuffer_drain(src, n);
			} else if (r == H1C_DONE) {
				evbuffer_drain(src, n);
				finish(p, dst);
				return (PUMP_DONE);
			} else
				return (PUMP_ERR);
			break;
		}
		case H1B_NONE:
			finish(p, dst);
			return (PUMP_DONE);
		}
	}
	return (PUMP_MORE);
}

int
pump_eof(struct pump *p, struct evbuffer *dst)
{
	if (p->done)
		return (PUMP_DONE);
	if (p->in == H1B_EOF) {
		finish(p, dst);
		return (PUMP_DONE);
	}
	return (PUMP_ERR);
}
