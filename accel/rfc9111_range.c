/*
 * rfc9111_range.c: Range requests served from a complete stored object
 * (RFC 9110 section 14): the Range field, Content-Range values, and the
 * framing of multipart/byteranges.
 */
#include "accel/rfc9111.h"

#include <inttypes.h>
#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* 1*DIGIT at v[*i..len), saturating at UINT64_MAX; -1 when none. */
static int
pos(const char *v, size_t len, size_t *i, uint64_t *x)
{
	size_t s = *i;
	uint64_t r = 0;

	while (*i < len && rfc__digit(v[*i])) {
		unsigned d = (unsigned)(v[*i] - '0');
		r = r > (UINT64_MAX - d) / 10 ? UINT64_MAX : r * 10 + d;
		(*i)++;
	}
	*x = r;
	return (*i > s ? 0 : -1);
}

/* Insertion sort by first byte: n is small (bounded by max). */
static void
sort(struct rfc_range *r, unsigned n)
{
	struct rfc_range x;
	unsigned i, j;

	for (i = 1; i < n; i++) {
		x = r[i];
		for (j = i; j > 0 && r[j - 1].first > x.first; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Range field to absolute, sorted, coalesced byte ranges. */
enum rfc_range_rc
rfc_range_parse(const char *v, size_t len, uint64_t size,
		struct rfc_range *ranges, unsigned max, unsigned *n)
{
	size_t i, s, e, k, end;
	uint64_t a, b;
	unsigned cnt = 0, specs = 0, j, w;
	int suffix_seen = 0;

	AN(ranges);
	AN(n);
	assert_acc(max >= 1);
	*n = 0;
	if (v == NULL || len < 6 || !rfc__ieq(v, 5, "bytes") || v[5] != '=')
		return (RFC_RANGE_FULL);
	for (i = 6; i < len; i = end + 1) {
		for (end = i; end < len && v[end] != ','; end++)
			;
		s = i;
		e = end;
		rfc__trim(v, &s, &e);
		if (s == e)
			continue; /* the list rule tolerates empty elements */
		if (++specs > max)
			return (RFC_RANGE_FULL);
		k = s;
		if (v[k] == '-') {
			/* suffix-range = "-" suffix-length */
			k++;
			if (pos(v, e, &k, &b) != 0 || k != e)
				return (RFC_RANGE_FULL);
			if (size == 0) {
				suffix_seen = 1;
				continue;
			}
			if (b == 0)
				continue; /* unsatisfiable */
			a = b >= size ? 0 : size - b;
			b = size - 1;
		} else {
			/* int-range = first-pos "-" [ last-pos ] */
			if (pos(v, e, &k, &a) != 0 || k >= e || v[k] != '-')
				return (RFC_RANGE_FULL);
			k++;
			if (k == e)
				b = UINT64_MAX;
			else if (pos(v, e, &k, &b) != 0 || k != e)
				return (RFC_RANGE_FULL);
			else if (b < a)
				return (RFC_RANGE_FULL); /* invalid */
			if (a >= size)
				continue; /* unsatisfiable */
			if (b >= size)
				b = size - 1;
		}
		ranges[cnt].first = a;
		ranges[cnt].last = b;
		cnt++;
	}
	if (specs == 0)
		return (RFC_RANGE_FULL);
	if (cnt == 0)
		return (suffix_seen ? RFC_RANGE_FULL : RFC_RANGE_UNSAT);
	sort(ranges, cnt);
	for (j = 1, w = 0; j < cnt; j++) {
		if (ranges[j].first <= ranges[w].last + 1) {
			if (ranges[j].last > ranges[w].last)
				ranges[w].last = ranges[j].last;
		} else {
			ranges[++w] = ranges[j];
		}
	}
	*n = w + 1;
	return (RFC_RANGE_OK);
}

/* snprintf into buf: the length, or -1 (buf "") when it does not fit. */
static int
fit(char *buf, size_t len, int r)
{
	if (r < 0 || (size_t)r >= len) {
		if (len > 0)
			buf[0] = '\0';
		return (-1);
	}
	return (r);
}

/* Content-Range for one range of a 206. */
int
rfc_content_range_fmt(char *buf, size_t len, const struct rfc_range *r,
		      uint64_t size)
{
	AN(buf);
	AN(r);
	return (fit(buf, len,
		    snprintf(buf, len, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
			     r->first, r->last, size)));
}

/* Content-Range of a 416. */
int
rfc_content_range_unsat_fmt(char *buf, size_t len, uint64_t size)
{
	AN(buf);
	return (fit(buf, len, snprintf(buf, len, "bytes */%" PRIu64, size)));
}

/* Boundary and headers that open one part of multipart/byteranges. */
int
rfc_multipart_part_fmt(char *buf, size_t len, const char *boundary,
		       const char *ctype, size_t ctlen,
		       const struct rfc_range *r, uint64_t size, int first)
{
	AN(buf);
	AN(boundary);
	AN(r);
	if (ctype == NULL)
		return (fit(buf, len,
			    snprintf(buf, len,
				     "%s--%s\r\nContent-Range: bytes %" PRIu64
				     "-%" PRIu64 "/%" PRIu64 "\r\n\r\n",
				     first ? "" : "\r\n", boundary, r->first,
				     r->last, size)));
	if (ctlen > INT32_MAX)
		return (fit(buf, len, -1));
	return (fit(
	    buf, len,
	    snprintf(
		buf, len,
		"%s--%s\r\nContent-Type: %.*s\r\nContent-Range: bytes %" PRIu64
		"-%" PRIu64 "/%" PRIu64 "\r\n\r\n",
		first ? "" : "\r\n", boundary, (int)ctlen, ctype, r->first,
		r->last, size)));
}

/* The closing boundary. */
int
rfc_multipart_end_fmt(char *buf, size_t len, const char *boundary)
{
	AN(buf);
	AN(boundary);
	return (fit(buf, len, snprintf(buf, len, "\r\n--%s--\r\n", boundary)));
}

/* Content-Type of a multipart/byteranges response. */
int
rfc_multipart_ctype_fmt(char *buf, size_t len, const char *boundary)
{
	AN(buf);
	AN(boundary);
	return (fit(
	    buf, len,
	    snprintf(buf, len, "multipart/byteranges; boundary=%s", boundary)));
}

/* Decimal digits of x. */
static uint64_t
ndigits(uint64_t x)
{
	uint64_t d = 1;

	while (x >= 10) {
		x /= 10;
		d++;
	}
	return (d);
}

/* Bytes of the whole multipart body, for Content-Length. */
uint64_t
rfc_multipart_length(const char *boundary, const char *ctype, size_t ctlen,
		     const struct rfc_range *r, unsigned n, uint64_t size)
{
	uint64_t bl, total = 0;
	unsigned i;

	AN(boundary);
	AN(r != NULL || n == 0);
	bl = strlen(boundary);
	for (i = 0; i < n; i++) {
		/* ["\r\n"] "--" B "\r\n" */
		total += (i ? 2 : 0) + 2 + bl + 2;
		if (ctype != NULL) /* "Content-Type: " T "\r\n" */
			total += 14 + ctlen + 2;
		/* "Content-Range: bytes " F "-" L "/" S "\r\n\r\n" */
		total += 21 + ndigits(r[i].first) + 1 + ndigits(r[i].last) + 1 +
			 ndigits(size) + 4;
		total += r[i].last - r[i].first + 1;
	}
	return (total + 2 + 2 + bl + 2 + 2); /* "\r\n--" B "--\r\n" */
}
