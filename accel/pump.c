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
	p->tee = NULL;
	p->tee_priv = NULL;
	p->tee_failed = 0;
	p->done = (in == H1B_NONE || (in == H1B_LENGTH && length == 0));
	if (in == H1B_CHUNKED)
		h1_chunk_init(&p->ck);
}

/* Give the tee a copy of src's first n bytes, segment by segment. */
static void
tee_copy(struct pump *p, struct evbuffer *src, size_t n)
{
	size_t off = 0;
	while (off < n && !p->tee_failed) {
		struct evbuffer_ptr at;
		struct evbuffer_iovec v[16];
		if (evbuffer_ptr_set(src, &at, off, EVBUFFER_PTR_SET) != 0)
			break;
		int nv = evbuffer_peek(src, (ev_ssize_t)(n - off), &at, v, 16);
		if (nv > 16)
			nv = 16;
		for (int i = 0; i < nv && off < n; i++) {
			size_t take = v[i].iov_len < n - off ? v[i].iov_len : n - off;
			if (p->tee(p->tee_priv, v[i].iov_base, take) != 0) {
				p->tee_failed = 1;
				return;
			}
			off += take;
		}
		if (nv <= 0)
			break;
	}
}

/* Move n data bytes, framing them as a chunk when the sink is chunked. */
static int
move_data(struct pump *p, struct evbuffer *src, struct evbuffer *dst, size_t n)
{
	if (p->limit != 0 && p->bytes + n > p->limit)
		return (PUMP_TOOBIG);
	if (p->tee != NULL && !p->tee_failed)
		tee_copy(p, src, n);
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
