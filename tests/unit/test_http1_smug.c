/*
 * test_http1_smug.c: request smuggling defences of accel/http1.h:
 * Content-Length / Transfer-Encoding conflicts, obs-fold, bare CR/LF and
 * field-name/value syntax; one test per rule, exact return values.
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

/* --- requests: smuggling --- */

static void
t_smug_cl_te(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\n"
		 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
	    -400);
}

static void
t_smug_two_cl(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		 "Content-Length: 5\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		 "content-length: 6\r\n\r\n"),
	    -400);
}

static void
t_smug_cl_list(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,5\r\n\r\n"),
	    -400);
}

static void
t_smug_cl_sign(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n"),
	    -400);
}

static void
t_smug_cl_ows(void **st)
{
	(void)st;
	assert_true(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  5 \r\n\r\n") >
	    0);
	assert_int_equal(rq.content_length, 5);
	assert_true(preq("POST / HTTP/1.1\r\nHost: "
			 "a\r\nContent-Length:\t007\t\r\n\r\n") > 0);
	assert_int_equal(rq.content_length, 7);
}

static void
t_smug_cl_space_inside(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n"),
	    -400);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"),
	    -400);
}

static void
t_smug_cl_digits(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Content-Length: 10000000000000000000\r\n\r\n"),
			 -400);
	assert_true(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			 "Content-Length: 9999999999999999999\r\n\r\n") > 0);
	assert_true(rq.content_length == UINT64_C(9999999999999999999));
}

static void
t_smug_te_identity(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: identity, chunked\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: chunked, identity\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: identity\r\n\r\n"),
			 -400);
}

static void
t_smug_te_twice(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: chunked, chunked\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: "
			      "chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 -400);
}

static void
t_smug_te_xchunked(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: xchunked\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: chunked;q=1\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: \"chunked\"\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: \r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: gzip,,chunked\r\n\r\n"),
			 -400);
}

static void
t_te_known_codings_501(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: gzip, chunked\r\n\r\n"),
			 -501);
	assert_int_equal(
	    preq("POST / HTTP/1.1\r\nHost: a\r\n"
		 "Transfer-Encoding: deflate,compress ,chunked\r\n\r\n"),
	    -501);
	/* not ending in chunked: the length is unknowable */
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: gzip\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding: chunked, gzip\r\n\r\n"),
			 -400);
}

static void
t_smug_te_http10(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.0\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n"),
			 -400);
}

static void
t_smug_obs_fold(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), -400);
	assert_int_equal(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n"), -400);
	/* whitespace before the first field line */
	assert_int_equal(preq("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), -400);
}

static void
t_smug_bare_cr_value(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\r\n\r\n"),
			 -400);
}

static void
t_smug_bare_lf(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\n\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n"), -400);
}

static void
t_smug_space_before_colon(void **st)
{
	(void)st;
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			      "Transfer-Encoding : chunked\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"), -400);
}

static void
t_smug_space_in_name(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX\"Y: b\r\n\r\n"),
			 -400);
}

static void
t_smug_nul_value(void **st)
{
	const char m[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
	(void)st;
	assert_int_equal(
	    h1_parse_request(m, sizeof m - 1, &lim_def, &rq, hd, NH), -400);
}

static void
t_value_ctl(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n"),
			 -400);
	assert_int_equal(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\x1b[m\r\n\r\n"), -400);
	/* HTAB inside and obs-text are fine */
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb \xff\r\n\r\n") >
		    0);
	assert_span(hd[1].value, hd[1].value_len, "a\tb \xff");
}

static void
t_name_syntax(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"),
			 -400);
	assert_int_equal(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: b\r\n\r\n"), -400);
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09azAZ: "
			 "b\r\n\r\n") > 0);
	assert_span(hd[1].name, hd[1].name_len, "!#$%&'*+-.^_`|~09azAZ");
}

static void
t_value_ows(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.1\r\nHost:a\r\nX: \t v  w \t "
			 "\r\nY:\r\nZ:   \r\n\r\n") > 0);
	assert_int_equal(rq.nhdrs, 4);
	assert_span(hd[0].value, hd[0].value_len, "a");
	assert_span(hd[1].value, hd[1].value_len, "v  w");
	assert_span(hd[2].value, hd[2].value_len, "");
	assert_span(hd[3].value, hd[3].value_len, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_smug_cl_te),
	    cmocka_unit_test(t_smug_two_cl),
	    cmocka_unit_test(t_smug_cl_list),
	    cmocka_unit_test(t_smug_cl_sign),
	    cmocka_unit_test(t_smug_cl_ows),
	    cmocka_unit_test(t_smug_cl_space_inside),
	    cmocka_unit_test(t_smug_cl_digits),
	    cmocka_unit_test(t_smug_te_identity),
	    cmocka_unit_test(t_smug_te_twice),
	    cmocka_unit_test(t_smug_te_xchunked),
	    cmocka_unit_test(t_te_known_codings_501),
	    cmocka_unit_test(t_smug_te_http10),
	    cmocka_unit_test(t_smug_obs_fold),
	    cmocka_unit_test(t_smug_bare_cr_value),
	    cmocka_unit_test(t_smug_bare_lf),
	    cmocka_unit_test(t_smug_space_before_colon),
	    cmocka_unit_test(t_smug_space_in_name),
	    cmocka_unit_test(t_smug_nul_value),
	    cmocka_unit_test(t_value_ctl),
	    cmocka_unit_test(t_name_syntax),
	    cmocka_unit_test(t_value_ows),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
