/* test_rfc9111_range.c: Range requests: Range parsing, If-Range,
 * Content-Range and multipart/byteranges (accel/rfc9111*.c), one test per
 * rule, exact values.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

/* ---------------- ranges ---------------- */

static enum rfc_range_rc
rp(const char *v, uint64_t size, struct rfc_range *r, unsigned max, unsigned *n)
{
	return (rfc_range_parse(v, strlen(v), size, r, max, n));
}

static void
t_range_simple(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n = 9;

	assert_int_equal(rp("bytes=0-0", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 0);
	assert_int_equal(rp("bytes=0-499", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].last, 499);
	assert_int_equal(rp("Bytes=10-19", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 10);
	assert_int_equal(r[0].last, 19);
	assert_int_equal(rp("bytes=999-999", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 999);
}

static void
t_range_suffix(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=-500", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=-500", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=-1", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 99);
	assert_int_equal(rp("bytes=-0", 100, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(n, 0);
}

static void
t_range_open(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=500-", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=0-", 1, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].last, 0);
}

static void
t_range_multiple(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=0-9, 20-29,-5", 100, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 9);
	assert_int_equal(r[1].first, 20);
	assert_int_equal(r[1].last, 29);
	assert_int_equal(r[2].first, 95);
	assert_int_equal(r[2].last, 99);
	/* empty list elements are allowed */
	assert_int_equal(rp("bytes=0-1,,\t, 4-5", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(n, 2);
}

static void
t_range_coalesce(void **state UNUSED)
{
	struct rfc_range r[8];
	unsigned n;

	/* overlapping and adjacent ranges merge */
	assert_int_equal(rp("bytes=0-9,5-14,15-20", 100, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 20);
	/* out of order: sorted; a gap keeps them apart */
	assert_int_equal(rp("bytes=50-59,0-9,-10,8-12", 100, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 12);
	assert_int_equal(r[1].first, 50);
	assert_int_equal(r[1].last, 59);
	assert_int_equal(r[2].first, 90);
	assert_int_equal(r[2].last, 99);
	/* the same range many times is one */
	assert_int_equal(rp("bytes=0-0,0-0,0-0,0-0,0-0", 10, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
}

static void
t_range_beyond(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=500-2000", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=1000-1100", 1000, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=1000-", 1000, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=0-1,5000-6000", 1000, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].last, 1);
}

static void
t_range_zero_size(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=0-", 0, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=0-0", 0, r, 4, &n), RFC_RANGE_UNSAT);
	/* a suffix of an empty representation is the whole of it */
	assert_int_equal(rp("bytes=-5", 0, r, 4, &n), RFC_RANGE_FULL);
	assert_int_equal(rp("bytes=-0", 0, r, 4, &n), RFC_RANGE_FULL);
}

static void
t_range_ignored(void **state UNUSED)
{
	static const char *bad[] = {
	    "items=0-5",   "bytes 0-5",  "bytes=5-1",   "bytes=abc",
	    "bytes=",      "bytes=,",    "bytes=0-5;x", "bytes = 0-5",
	    "bytes",       "bytes=--5",  "bytes=-",     "bytes=1-2-3",
	    "bytes=0 -5",  "bytes=+1-2", "bytesx=0-1",  "",
	    "bytes=0-1,x", "bytes=0x1-2"};
	struct rfc_range r[4];
	unsigned i, n = 7;

	for (i = 0; i < NH(bad); i++) {
		if (rp(bad[i], 1000, r, 4, &n) != RFC_RANGE_FULL)
			fail_msg("\"%s\" not ignored", bad[i]);
		assert_int_equal(n, 0);
	}
	assert_int_equal(rfc_range_parse(NULL, 0, 10, r, 4, &n),
			 RFC_RANGE_FULL);
}

static void
t_range_huge_numbers(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(
	    rp("bytes=0-99999999999999999999999999", 100, r, 4, &n),
	    RFC_RANGE_OK);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=99999999999999999999999999-", 100, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=-99999999999999999999999999", 100, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=18446744073709551615-18446744073709551615",
			    UINT64_MAX, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(
	    rp("bytes=18446744073709551614-", UINT64_MAX, r, 4, &n),
	    RFC_RANGE_OK);
	assert_true(r[0].first == UINT64_MAX - 1);
	assert_true(r[0].last == UINT64_MAX - 1);
	/* last-pos saturates, so "huge-huger" is not last < first */
	assert_int_equal(rp("bytes=99999999999999999999999-88888888888888888888"
			    "88888888",
			    100, r, 4, &n),
			 RFC_RANGE_UNSAT);
}

static void
t_range_max(void **state UNUSED)
{
	struct rfc_range r[3];
	unsigned n;

	assert_int_equal(rp("bytes=0-0,2-2,4-4", 10, r, 3, &n), RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rp("bytes=0-0,2-2,4-4,6-6", 10, r, 3, &n),
			 RFC_RANGE_FULL);
	/* unsatisfiable specs count too: the bound is on work */
	assert_int_equal(rp("bytes=0-0,20-,30-,40-", 10, r, 3, &n),
			 RFC_RANGE_FULL);
	assert_int_equal(rp("bytes=0-0,,,,,,,,,2-2", 10, r, 3, &n),
			 RFC_RANGE_OK);
}

static void
t_if_range_etag(void **state UNUSED)
{
	assert_int_equal(rfc_if_range("\"v1\"", 4, "\"v1\"", 4, NULL, 0, 0), 1);
	assert_int_equal(rfc_if_range("\"v2\"", 4, "\"v1\"", 4, NULL, 0, 0), 0);
	assert_int_equal(rfc_if_range("W/\"v1\"", 6, "\"v1\"", 4, NULL, 0, 0),
			 0);
	assert_int_equal(rfc_if_range("\"v1\"", 4, "W/\"v1\"", 6, NULL, 0, 0),
			 0);
	assert_int_equal(rfc_if_range("\"v1\"", 4, NULL, 0, DATE_D, 29, D + 5),
			 0);
	assert_int_equal(rfc_if_range("\"v1", 3, "\"v1", 3, NULL, 0, 0), 0);
	assert_int_equal(rfc_if_range("*", 1, "\"v1\"", 4, NULL, 0, 0), 0);
}

static void
t_if_range_date(void **state UNUSED)
{
	const char *lm = DATE_D;

	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, D + 1), 1);
	/* same instant in another format is the same date */
	assert_int_equal(rfc_if_range("Sun Nov  6 08:49:37 1994", 24, NULL, 0,
				      lm, 29, D + 60),
			 1);
	/* Last-Modified not a second before Date: weak, no range */
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, D + 0.5), 0);
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, 0), 0);
	assert_int_equal(rfc_if_range("Sun, 06 Nov 1994 08:49:38 GMT", 29, NULL,
				      0, lm, 29, D + 60),
			 0);
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, NULL, 0, D + 60), 0);
	assert_int_equal(rfc_if_range("garbage", 7, "\"a\"", 3, lm, 29, D + 60),
			 0);
	assert_int_equal(rfc_if_range(lm, 29, "\"a\"", 3, lm, 29, D + 60), 1);
}

static void
t_content_range_fmt(void **state UNUSED)
{
	char b[80];
	struct rfc_range r = {0, 499};

	assert_int_equal(rfc_content_range_fmt(b, sizeof b, &r, 1234), 16);
	assert_string_equal(b, "bytes 0-499/1234");
	assert_int_equal(rfc_content_range_unsat_fmt(b, sizeof b, 1234), 12);
	assert_string_equal(b, "bytes */1234");
	assert_int_equal(rfc_content_range_fmt(b, 16, &r, 1234), -1);
	assert_string_equal(b, "");
	assert_int_equal(rfc_content_range_fmt(b, 17, &r, 1234), 16);
	r.first = r.last = UINT64_MAX - 1;
	assert_int_equal(rfc_content_range_fmt(b, sizeof b, &r, UINT64_MAX),
			 68);
	assert_string_equal(b, "bytes 18446744073709551614-18446744073709551614"
			       "/18446744073709551615");
}

static void
t_multipart(void **state UNUSED)
{
	char b[256];
	struct rfc_range r[2] = {{0, 4}, {10, 19}};
	uint64_t total = 0;
	int len;

	len = rfc_multipart_part_fmt(b, sizeof b, "XyZ", "text/plain", 10,
				     &r[0], 100, 1);
	assert_string_equal(b, "--XyZ\r\nContent-Type: text/plain\r\n"
			       "Content-Range: bytes 0-4/100\r\n\r\n");
	assert_int_equal(len, (int)strlen(b));
	len =
	    rfc_multipart_part_fmt(b, sizeof b, "XyZ", NULL, 0, &r[1], 100, 0);
	assert_string_equal(b, "\r\n--XyZ\r\nContent-Range: bytes 10-19/100"
			       "\r\n\r\n");
	assert_int_equal(rfc_multipart_end_fmt(b, sizeof b, "XyZ"), 11);
	assert_string_equal(b, "\r\n--XyZ--\r\n");
	assert_int_equal(rfc_multipart_ctype_fmt(b, sizeof b, "XyZ"), 34);
	assert_string_equal(b, "multipart/byteranges; boundary=XyZ");
	assert_int_equal(
	    rfc_multipart_part_fmt(b, 10, "XyZ", NULL, 0, &r[1], 100, 0), -1);
	/* the announced length is what the parts add up to */
	for (int i = 0; i < 2; i++) {
		len = rfc_multipart_part_fmt(b, sizeof b, "XyZ", "text/plain",
					     10, &r[i], 100, i == 0);
		total += (uint64_t)len + (r[i].last - r[i].first + 1);
	}
	total += (uint64_t)rfc_multipart_end_fmt(b, sizeof b, "XyZ");
	assert_int_equal(
	    rfc_multipart_length("XyZ", "text/plain", 10, r, 2, 100), total);
	len = rfc_multipart_part_fmt(b, sizeof b, "b", NULL, 0, &r[0], 5, 1);
	total = (uint64_t)len + 5 + 9; /* "\r\n--b--\r\n" */
	assert_int_equal(rfc_multipart_length("b", NULL, 0, r, 1, 5), total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_range_simple),
	    cmocka_unit_test(t_range_suffix),
	    cmocka_unit_test(t_range_open),
	    cmocka_unit_test(t_range_multiple),
	    cmocka_unit_test(t_range_coalesce),
	    cmocka_unit_test(t_range_beyond),
	    cmocka_unit_test(t_range_zero_size),
	    cmocka_unit_test(t_range_ignored),
	    cmocka_unit_test(t_range_huge_numbers),
	    cmocka_unit_test(t_range_max),
	    cmocka_unit_test(t_if_range_etag),
	    cmocka_unit_test(t_if_range_date),
	    cmocka_unit_test(t_content_range_fmt),
	    cmocka_unit_test(t_multipart),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
