/* test_rfc9111_cond.c: validators and conditional requests: ETag
 * comparison, If-None-Match / If-Modified-Since, and 304 headers
 * (accel/rfc9111*.c), one test per rule, exact values.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

/* ---------------- validators and conditionals ---------------- */

#define WEAK(l, e)   rfc_etag_match_weak(l, strlen(l), e, e ? strlen(e) : 0)
#define STRONG(l, e) rfc_etag_match_strong(l, strlen(l), e, e ? strlen(e) : 0)

static void
t_etag_weak(void **state UNUSED)
{
	const char *none = NULL;

	assert_true(WEAK("\"a\"", "\"a\""));
	assert_true(WEAK("W/\"a\"", "\"a\""));
	assert_true(WEAK("\"a\"", "W/\"a\""));
	assert_true(WEAK("W/\"a\"", "W/\"a\""));
	assert_true(WEAK("\"x\", W/\"a\"", "\"a\""));
	assert_true(WEAK(" \"x\" ,, \"a\" ", "\"a\""));
	assert_true(WEAK("\"\"", "\"\"")); /* empty opaque-tag */
	assert_false(WEAK("\"b\"", "\"a\""));
	assert_false(WEAK("\"A\"", "\"a\"")); /* case-sensitive */
	assert_true(WEAK("*", "\"a\""));
	assert_true(WEAK(" * ", none));
	assert_false(WEAK("\"a\"", none));
	assert_false(WEAK("a", "a"));            /* unquoted */
	assert_false(WEAK("\"a\", b", "\"a\"")); /* malformed: ignored */
	assert_false(WEAK("", "\"a\""));
	assert_false(WEAK("*, \"a\"", "\"a\""));
	assert_false(WEAK("w/\"a\"", "\"a\"")); /* W is case-sensitive */
	assert_false(WEAK("\"a\"", "a"));       /* stored etag malformed */
}

static void
t_etag_strong(void **state UNUSED)
{
	assert_true(STRONG("\"a\"", "\"a\""));
	assert_false(STRONG("W/\"a\"", "\"a\""));
	assert_false(STRONG("\"a\"", "W/\"a\""));
	assert_false(STRONG("W/\"a\"", "W/\"a\""));
	assert_true(STRONG("W/\"a\", \"a\"", "\"a\""));
	assert_true(STRONG("*", "W/\"a\""));
	assert_false(STRONG("\"b\"", "\"a\""));
}

static void
t_etag_chars(void **state UNUSED)
{
	assert_false(WEAK("\"a b\"", "\"a b\"")); /* SP is not etagc */
	assert_false(WEAK("\"a\"b\"", "\"a\"b\""));
	assert_true(WEAK("\"\x80\xff!#~\"", "\"\x80\xff!#~\""));
	assert_false(WEAK("\"a", "\"a"));
	assert_false(WEAK("W/", "W/"));
	/* a comma is an etagc: "a,b" is one entity-tag, not two */
	assert_true(WEAK("\"a,b\"", "\"a,b\""));
	assert_true(WEAK("\"x\", \"a,b\"", "W/\"a,b\""));
	assert_false(WEAK("\"a,b\"", "\"a\""));
	assert_false(WEAK("\"a\" \"b\"", "\"a\"")); /* no comma */
	assert_false(WEAK("\"a\"x", "\"a\""));
	assert_true(STRONG("\"a,b\"", "\"a,b\""));
}

static int
nm(enum h1_method m, const struct h1_hdr *rq, unsigned n, const char *etag,
   const char *lm, double date)
{
	return (rfc_not_modified(m, rq, n, etag, etag ? strlen(etag) : 0, lm,
				 lm ? strlen(lm) : 0, date, D));
}

static void
t_nm_if_none_match(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-None-Match", "\"x\", W/\"v1\"")};
	struct h1_hdr star[] = {H("If-None-Match", "*")};

	assert_int_equal(nm(H1M_GET, rq, 1, "\"v1\"", NULL, 0), 1);
	assert_int_equal(nm(H1M_HEAD, rq, 1, "\"v1\"", NULL, 0), 1);
	assert_int_equal(nm(H1M_GET, rq, 1, "\"v2\"", NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, star, 1, NULL, NULL, 0), 1);
	assert_int_equal(nm(H1M_POST, rq, 1, "\"v1\"", NULL, 0), 0);
}

static void
t_nm_inm_precedence(void **state UNUSED)
{
	/* If-None-Match fails, If-Modified-Since would pass: 200 */
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D),
			      H("If-None-Match", "\"old\"")};
	/* a malformed If-None-Match still disables If-Modified-Since */
	struct h1_hdr bad[] = {H("If-None-Match", "old"),
			       H("If-Modified-Since", DATE_D)};
	/* a second, malformed If-None-Match line voids the match */
	struct h1_hdr two[] = {H("If-None-Match", "\"v1\""),
			       H("If-None-Match", "junk")};
	struct h1_hdr two_ok[] = {H("If-None-Match", "\"a\""),
				  H("If-None-Match", "\"v1\"")};

	assert_int_equal(nm(H1M_GET, rq, 2, "\"v1\"", DATE_D, D), 0);
	assert_int_equal(nm(H1M_GET, rq, 1, "\"v1\"", DATE_D, D), 1);
	assert_int_equal(nm(H1M_GET, bad, 2, "\"v1\"", DATE_D, D), 0);
	assert_int_equal(nm(H1M_GET, two, 2, "\"v1\"", NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, two_ok, 2, "\"v1\"", NULL, 0), 1);
}

static void
t_nm_if_modified_since(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D)};
	struct h1_hdr bad[] = {H("If-Modified-Since", "yesterday")};
	struct h1_hdr two[] = {H("If-Modified-Since", DATE_D),
			       H("If-Modified-Since", DATE_D)};

	/* Last-Modified at or before the date: 304 */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, DATE_D, 0), 1);
	assert_int_equal(
	    nm(H1M_GET, rq, 1, NULL, "Sat, 05 Nov 1994 08:49:37 GMT", 0), 1);
	assert_int_equal(nm(H1M_HEAD, rq, 1, NULL, DATE_D, 0), 1);
	assert_int_equal(
	    nm(H1M_GET, rq, 1, NULL, "Sun, 06 Nov 1994 08:49:38 GMT", 0), 0);
	assert_int_equal(nm(H1M_GET, bad, 1, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_GET, two, 2, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_POST, rq, 1, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_GET, NULL, 0, "\"a\"", DATE_D, 0), 0);
	/* If-Match / If-Unmodified-Since are not a cache's to answer */
	struct h1_hdr im[] = {H("If-Match", "\"a\""),
			      H("If-Unmodified-Since", DATE_D)};
	assert_int_equal(nm(H1M_GET, im, 2, "\"a\"", DATE_D, 0), 0);
}

static void
t_nm_ims_fallbacks(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D)};

	/* no Last-Modified: the stored Date */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, D - 10), 1);
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, D + 10), 0);
	/* invalid Last-Modified: likewise */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, "bogus", D + 10), 0);
	/* no Date either: response_time (D here) */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, 0), 1);
	assert_int_equal(
	    rfc_not_modified(H1M_GET, rq, 1, NULL, 0, NULL, 0, 0, D + 1), 0);
}

static void
t_304_hdr(void **state UNUSED)
{
	static const char *keep[] = {"Cache-Control", "content-location",
				     "Date",          "ETAG",
				     "Expires",       "Vary"};
	static const char *drop[] = {"Content-Length", "Content-Type",
				     "Set-Cookie", "Content-Encoding",
				     "Transfer-Encoding"};
	struct h1_hdr h;
	unsigned i;

	for (i = 0; i < NH(keep); i++) {
		h = (struct h1_hdr){.name = keep[i],
				    .name_len = strlen(keep[i])};
		assert_true(rfc_304_hdr(&h, 1));
	}
	for (i = 0; i < NH(drop); i++) {
		h = (struct h1_hdr){.name = drop[i],
				    .name_len = strlen(drop[i])};
		assert_false(rfc_304_hdr(&h, 0));
	}
	h = (struct h1_hdr)H("Last-Modified", DATE_D);
	assert_false(rfc_304_hdr(&h, 1));
	assert_true(rfc_304_hdr(&h, 0));
}

static void
t_304_update_hdr(void **state UNUSED)
{
	static const char *upd[] = {
	    "Cache-Control", "ETag",          "Expires",
	    "Date",          "Last-Modified", "Content-Type",
	    "X-Custom",      "Vary",          "Set-Cookie"};
	static const char *keep[] = {"Content-Length",
				     "content-range",
				     "Transfer-Encoding",
				     "Connection",
				     "Keep-Alive",
				     "TE",
				     "Trailer",
				     "Upgrade",
				     "Proxy-Authenticate",
				     "Age",
				     "Proxy-Authentication-Info",
				     "Proxy-Connection",
				     "Proxy-Authorization"};
	struct h1_hdr h;
	unsigned i;

	for (i = 0; i < NH(upd); i++) {
		h = (struct h1_hdr){.name = upd[i], .name_len = strlen(upd[i])};
		assert_true(rfc_304_update_hdr(&h));
	}
	for (i = 0; i < NH(keep); i++) {
		h = (struct h1_hdr){.name = keep[i],
				    .name_len = strlen(keep[i])};
		assert_false(rfc_304_update_hdr(&h));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_etag_weak),
	    cmocka_unit_test(t_etag_strong),
	    cmocka_unit_test(t_etag_chars),
	    cmocka_unit_test(t_nm_if_none_match),
	    cmocka_unit_test(t_nm_inm_precedence),
	    cmocka_unit_test(t_nm_if_modified_since),
	    cmocka_unit_test(t_nm_ims_fallbacks),
	    cmocka_unit_test(t_304_hdr),
	    cmocka_unit_test(t_304_update_hdr),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
