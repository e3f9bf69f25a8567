/*
 * hb.h: a head builder. Reserves one contiguous region at the end of an
 * evbuffer, appends into it with plain memcpy, and commits once: a response
 * or request head costs one reservation instead of a dozen evbuffer_add
 * calls. The caller sizes the region with an upper bound; appends past it
 * are dropped and flagged, and hb_end() then reports failure.
 */
#ifndef ACCEL_HB_H
#define ACCEL_HB_H

#include <event2/buffer.h>
#include <stdint.h>
#include <string.h>

struct hb {
	struct evbuffer *b;
	struct evbuffer_iovec v;
	size_t len;
	int overflow;
};

/* Reserve cap bytes at the end of b; -1 when memory is short. */
static inline int
hb_begin(struct hb *hb, struct evbuffer *b, size_t cap)
{
	hb->b = b;
	hb->len = 0;
	hb->overflow = 0;
	if (evbuffer_reserve_space(b, (ev_ssize_t)cap, &hb->v, 1) != 1)
		return (-1);
	return (0);
}

static inline void
hb_add(struct hb *hb, const void *p, size_t n)
{
	if (hb->overflow || n > hb->v.iov_len - hb->len) {
		hb->overflow = 1;
		return;
	}
	memcpy((char *)hb->v.iov_base + hb->len, p, n);
	hb->len += n;
}

#define hb_lit(hb, s) hb_add((hb), (s), sizeof(s) - 1)

/* Decimal, or lower-case hex when base is 16. */
static inline void
hb_num(struct hb *hb, uint64_t v, unsigned base)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	hb_add(hb, tmp + i, sizeof tmp - i);
}

/* "Name: value\r\n" */
static inline void
hb_field(struct hb *hb, const char *n, size_t nl, const char *v, size_t vl)
{
	hb_add(hb, n, nl);
	hb_lit(hb, ": ");
	hb_add(hb, v, vl);
	hb_lit(hb, "\r\n");
}

/* Commit what was written; -1 (nothing committed) after an overflow. */
static inline int
hb_end(struct hb *hb)
{
	hb->v.iov_len = hb->overflow ? 0 : hb->len;
	evbuffer_commit_space(hb->b, &hb->v, 1);
	return (hb->overflow ? -1 : 0);
}

#endif
