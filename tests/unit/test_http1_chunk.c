/*
 * test_http1_chunk.c: the chunked transfer-coding decoder of
 * accel/http1.h, fed whole and in pieces; one test per rule, exact return
 * values and decoded bytes.
 * Shared helpers: h1_test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accel/http1.h"
#include "h1_test_util.h"

/* --- chunked bodies --- */

struct dec {
	int rc;      /* last return: H1C_DONE, H1C_ERROR, or H1C_SKIP/DATA */
	size_t used; /* input consumed through DONE */
	char data[8192]; /* DATA bytes, concatenated */
	size_t ndata;
	uint64_t total;
};

/* Decode s[0..len), fed in pieces of `step` bytes (0: all at once). */
static void
decode(const char *s, size_t len, size_t step, struct dec *d)
{
	struct h1_chunk c;
	size_t off = 0, n;

	memset(d, 0, sizeof *d);
	h1_chunk_init(&c);
	d->rc = 0;
	while (off < len) {
		size_t piece = step == 0 || len - off < step ? len - off : step;
		const char *p = s + off;
		while (piece > 0) {
			d->rc = h1_chunk_next(&c, p, piece, &n);
			if (d->rc == H1C_ERROR)
				return;
			assert_true(n > 0 && n <= piece);
			if (d->rc == H1C_DATA) {
				assert_true(d->ndata + n <= sizeof d->data);
				memcpy(d->data + d->ndata, p, n);
				d->ndata += n;
			}
			off += n;
			p += n;
			piece -= n;
			if (d->rc == H1C_DONE) {
				d->used = off;
				d->total = c.total;
				return;
			}
		}
	}
	d->total = c.total;
}

static void
t_chunk_simple(void **st)
{
	struct h1_chunk c;
	const char *m = "5\r\nhello\r\n0\r\n\r\n";
	size_t n;
	(void)st;
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, m, strlen(m), &n), H1C_SKIP);
	assert_int_equal(n, 3);
	assert_int_equal(h1_chunk_next(&c, m + 3, strlen(m) - 3, &n), H1C_DATA);
	assert_int_equal(n, 5);
	assert_int_equal(h1_chunk_next(&c, m + 8, strlen(m) - 8, &n), H1C_DONE);
	assert_int_equal(n, 7);
	assert_int_equal(c.total, 5);
}

static void
t_chunk_data_partial(void **st)
{
	struct h1_chunk c;
	size_t n;
	(void)st;
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("a\r\n"), &n), H1C_SKIP);
	assert_int_equal(n, 3);
	assert_int_equal(h1_chunk_next(&c, S("0123"), &n), H1C_DATA);
	assert_int_equal(n, 4);
	assert_int_equal(c.remaining, 6);
	assert_int_equal(h1_chunk_next(&c, S("456789\r\n1\r\n"), &n), H1C_DATA);
	assert_int_equal(n, 6);
	assert_int_equal(c.total, 10);
}

static void
t_chunk_many(void **st)
{
	struct dec d;
	(void)st;
	decode(S("3\r\nabc\r\n1\r\nd\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"),
	       0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	assert_int_equal(d.ndata, 20);
	assert_memory_equal(d.data, "abcd0123456789abcdef", 20);
	assert_int_equal(d.total, 20);
}

static void
t_chunk_extensions(void **st)
{
	struct dec d;
	(void)st;
	decode(S("3;name=val;q=\"a b\"\r\nabc\r\n0;last\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	assert_memory_equal(d.data, "abc", 3);
	/* BWS before ';' */
	decode(S("3 \t;x\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	/* a CTL inside an extension */
	decode(S("3;a\x01\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_trailers(void **st)
{
	struct dec d;
	const char m[] = "2\r\nhi\r\n0\r\nX-Sum: 12\r\nY:\r\n\r\nNEXT";
	(void)st;
	decode(m, sizeof m - 1, 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	assert_int_equal(d.used, sizeof m - 1 - 4);
	assert_memory_equal(d.data, "hi", 2);
}

static void
t_chunk_trailer_bad(void **st)
{
	struct dec d;
	(void)st;
	decode(S("0\r\nX: a\r\n b\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\nX : a\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\nX: a\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\nX: a\rb\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\nX: \x00\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\nNoColon\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_split_everywhere(void **st)
{
	const char m[] =
	    "4;e=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
	    "0\r\nT: v\r\n\r\n";
	size_t len = sizeof m - 1, k;
	struct dec ref, d;
	struct h1_chunk c;
	size_t n, off, got;
	char buf[64];
	int rc;
	(void)st;
	decode(m, len, 0, &ref);
	assert_int_equal(ref.rc, H1C_DONE);
	assert_int_equal(ref.used, len);
	assert_int_equal(ref.ndata, 23);
	assert_memory_equal(ref.data, "Wikipedia in\r\n\r\nchunks.", 23);
	for (k = 1; k <= len; k++) {
		decode(m, len, k, &d);
		assert_int_equal(d.rc, H1C_DONE);
		assert_int_equal(d.used, len);
		assert_int_equal(d.ndata, ref.ndata);
		assert_memory_equal(d.data, ref.data, ref.ndata);
	}
	/* two segments split at every byte */
	for (k = 1; k < len; k++) {
		h1_chunk_init(&c);
		off = 0;
		got = 0;
		rc = 0;
		while (rc != H1C_DONE) {
			size_t end = off < k ? k : len;
			rc = h1_chunk_next(&c, m + off, end - off, &n);
			assert_true(rc > 0);
			if (rc == H1C_DATA) {
				memcpy(buf + got, m + off, n);
				got += n;
			}
			off += n;
		}
		assert_int_equal(off, len);
		assert_int_equal(got, 23);
		assert_memory_equal(buf, ref.data, 23);
	}
}

static void
t_chunk_size_overflow(void **st)
{
	struct h1_chunk c;
	size_t n;
	(void)st;
	/* 2^62 is the largest size */
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("4000000000000000\r\n"), &n),
			 H1C_SKIP);
	assert_true(c.remaining == UINT64_C(1) << 62);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("4000000000000001\r\n"), &n),
			 H1C_ERROR);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("ffffffffffffffff\r\n"), &n),
			 H1C_ERROR);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("10000000000000000\r\n"), &n),
			 H1C_ERROR);
}

static void
t_chunk_hex_digits(void **st)
{
	struct h1_chunk c;
	size_t n;
	(void)st;
	/* 16 digits with leading zeros pass, 17 do not */
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("000000000000000a\r\n"), &n),
			 H1C_SKIP);
	assert_int_equal(c.remaining, 10);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("0000000000000000a\r\n"), &n),
			 H1C_ERROR);
}

static void
t_chunk_leading_zeros(void **st)
{
	struct dec d;
	(void)st;
	decode(S("000a\r\n0123456789\r\n000\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	assert_int_equal(d.ndata, 10);
}

static void
t_chunk_uppercase_hex(void **st)
{
	struct h1_chunk c;
	size_t n;
	(void)st;
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("aBcDeF\r\n"), &n), H1C_SKIP);
	assert_int_equal(c.remaining, 0xabcdef);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("1F\r\n"), &n), H1C_SKIP);
	assert_int_equal(c.remaining, 31);
}

static void
t_chunk_missing_crlf(void **st)
{
	struct dec d;
	(void)st;
	decode(S("3\r\nabcd\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	assert_int_equal(d.ndata, 3);
	decode(S("3\r\nabc0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3\r\nabc\r0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_bare_lf(void **st)
{
	struct dec d;
	(void)st;
	decode(S("3\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3\r\nabc\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0\r\n\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3;x\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_bad_size(void **st)
{
	struct dec d;
	(void)st;
	decode(S("\r\nabc\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S(" 3\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3 \r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("+3\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("0x3\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3g\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	decode(S("3 x\r\nabc\r\n0\r\n\r\n"), 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_line_limit(void **st)
{
	static char m[8192];
	struct dec d;
	size_t len;
	(void)st;
	/* "1;" + 4094 bytes: a 4096-byte size line passes */
	m[0] = '1';
	m[1] = ';';
	memset(m + 2, 'x', 4094);
	memcpy(m + 4096, "\r\nZ\r\n0\r\n\r\n", 10);
	len = 4096 + 10;
	decode(m, len, 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	m[1] = ';';
	memset(m + 2, 'x', 4095);
	memcpy(m + 4097, "\r\nZ\r\n0\r\n\r\n", 10);
	decode(m, len + 1, 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_trailer_limit(void **st)
{
	static char m[21000];
	struct dec d;
	size_t len = 0;
	int i;
	(void)st;
	memcpy(m, "0\r\n", 3);
	len = 3;
	/* 5 lines of 4000 bytes: each line fits, the section does not */
	for (i = 0; i < 5; i++) {
		memcpy(m + len, "X:", 2);
		memset(m + len + 2, 'v', 3996);
		memcpy(m + len + 3998, "\r\n", 2);
		len += 4000;
	}
	memcpy(m + len, "\r\n", 2);
	len += 2;
	decode(m, len, 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
	/* four of them pass */
	memcpy(m + 3 + 16000, "\r\n", 2);
	decode(m, 3 + 16000 + 2, 0, &d);
	assert_int_equal(d.rc, H1C_DONE);
	/* one trailer line over 4096 */
	memcpy(m + 3, "X:", 2);
	memset(m + 5, 'v', 4095);
	memcpy(m + 5 + 4095, "\r\n\r\n", 4);
	decode(m, 5 + 4095 + 4, 0, &d);
	assert_int_equal(d.rc, H1C_ERROR);
}

static void
t_chunk_error_sticky(void **st)
{
	struct h1_chunk c;
	size_t n;
	(void)st;
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, S("z"), &n), H1C_ERROR);
	assert_int_equal(h1_chunk_next(&c, S("5\r\n"), &n), H1C_ERROR);
}

static void
t_chunk_done_then_next(void **st)
{
	struct h1_chunk c;
	const char m[] = "0\r\n\r\n0\r\n\r\n";
	size_t n;
	(void)st;
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, m, sizeof m - 1, &n), H1C_DONE);
	assert_int_equal(n, 5);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_next(&c, m + 5, sizeof m - 6, &n), H1C_DONE);
	assert_int_equal(n, 5);
	assert_int_equal(c.total, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_chunk_simple),
	    cmocka_unit_test(t_chunk_data_partial),
	    cmocka_unit_test(t_chunk_many),
	    cmocka_unit_test(t_chunk_extensions),
	    cmocka_unit_test(t_chunk_trailers),
	    cmocka_unit_test(t_chunk_trailer_bad),
	    cmocka_unit_test(t_chunk_split_everywhere),
	    cmocka_unit_test(t_chunk_size_overflow),
	    cmocka_unit_test(t_chunk_hex_digits),
	    cmocka_unit_test(t_chunk_leading_zeros),
	    cmocka_unit_test(t_chunk_uppercase_hex),
	    cmocka_unit_test(t_chunk_missing_crlf),
	    cmocka_unit_test(t_chunk_bare_lf),
	    cmocka_unit_test(t_chunk_bad_size),
	    cmocka_unit_test(t_chunk_line_limit),
	    cmocka_unit_test(t_chunk_trailer_limit),
	    cmocka_unit_test(t_chunk_error_sticky),
	    cmocka_unit_test(t_chunk_done_then_next),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
