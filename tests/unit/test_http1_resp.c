/*
 * test_http1_resp.c: response parsing in accel/http1.h: status line,
 * bodiless statuses, HEAD, framing, keep-alive and limits; one test per
 * rule, exact return values and field contents.
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

/* --- responses --- */

static void
t_resp_simple(void **st)
{
	const char *m = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX: y\r\n\r\n";
	(void)st;
	assert_int_equal(presp(m, 0), RL(m));
	assert_int_equal(rs.minor, 1);
	assert_int_equal(rs.status, 200);
	assert_span(rs.reason, rs.reason_len, "OK");
	assert_int_equal(rs.nhdrs, 2);
	assert_ptr_equal(rs.hdrs, hd);
	assert_int_equal(rs.body, H1B_LENGTH);
	assert_int_equal(rs.content_length, 12);
	assert_int_equal(rs.keep_alive, 1);
}

static void
t_resp_reason(void **st)
{
	(void)st;
	assert_true(
	    presp("HTTP/1.1 404 Not  Found \xe9\r\nContent-Length: 0\r\n\r\n",
		  0) > 0);
	assert_span(rs.reason, rs.reason_len, "Not  Found \xe9");
	assert_true(presp("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0) > 0);
	assert_int_equal(rs.reason_len, 0);
	assert_true(presp("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0) > 0);
	assert_int_equal(rs.reason_len, 0);
	assert_int_equal(rs.status, 200);
	assert_int_equal(presp("HTTP/1.1 200 O\x01K\r\n\r\n", 0), -502);
}

static void
t_resp_bad_status_line(void **st)
{
	(void)st;
	assert_int_equal(presp("HTTP/1.1 20 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 2000 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 099 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1  200 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/2.0 200 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.2 200 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("http/1.1 200 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("\r\nHTTP/1.1 200 OK\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\n\r\n", 0), -502);
	assert_true(presp("HTTP/1.1 999 X\r\n\r\n", 0) > 0);
	assert_int_equal(rs.status, 999);
}

static void
t_resp_bodiless(void **st)
{
	(void)st;
	assert_true(
	    presp("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0) >
	    0);
	assert_int_equal(rs.body, H1B_NONE);
	assert_true(
	    presp("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n"
		  "Content-Length: 5\r\n\r\n",
		  0) > 0);
	assert_int_equal(rs.body, H1B_NONE);
	assert_true(presp("HTTP/1.1 100 Continue\r\n\r\n", 0) > 0);
	assert_int_equal(rs.body, H1B_NONE);
	assert_int_equal(rs.status, 100);
	assert_true(
	    presp("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 0) >
	    0);
	assert_int_equal(rs.body, H1B_NONE);
}

static void
t_resp_head(void **st)
{
	(void)st;
	assert_true(presp("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 1) >
		    0);
	assert_int_equal(rs.body, H1B_NONE);
	assert_int_equal(rs.keep_alive, 1);
	assert_true(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		  1) > 0);
	assert_int_equal(rs.body, H1B_NONE);
}

static void
t_resp_eof(void **st)
{
	(void)st;
	assert_true(presp("HTTP/1.1 200 OK\r\nX: y\r\n\r\n", 0) > 0);
	assert_int_equal(rs.body, H1B_EOF);
	assert_int_equal(rs.keep_alive, 0);
}

static void
t_resp_chunked(void **st)
{
	(void)st;
	assert_true(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", 0) >
	    0);
	assert_int_equal(rs.body, H1B_CHUNKED);
	assert_int_equal(rs.keep_alive, 1);
}

static void
t_resp_bad_te(void **st)
{
	(void)st;
	assert_int_equal(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		  0),
	    -502);
	assert_int_equal(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0),
	    -502);
	assert_int_equal(
	    presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n",
		  0),
	    -502);
	assert_int_equal(
	    presp("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0),
	    -502);
}

static void
t_resp_cl_te(void **st)
{
	(void)st;
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n",
			       0),
			 -502);
}

static void
t_resp_two_cl(void **st)
{
	(void)st;
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nContent-Length: "
			       "3\r\nContent-Length: 3\r\n\r\n",
			       0),
			 -502);
	assert_int_equal(
	    presp("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\n", 0), -502);
	assert_int_equal(
	    presp("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nContent-Length: "
			       "10000000000000000000\r\n\r\n",
			       0),
			 -502);
}

static void
t_resp_keepalive(void **st)
{
	(void)st;
	assert_true(presp("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0) >
		    0);
	assert_int_equal(rs.minor, 0);
	assert_int_equal(rs.keep_alive, 0);
	assert_true(presp("HTTP/1.0 200 OK\r\nConnection: "
			  "keep-alive\r\nContent-Length: 0\r\n\r\n",
			  0) > 0);
	assert_int_equal(rs.keep_alive, 1);
	assert_true(presp("HTTP/1.1 200 OK\r\nConnection: "
			  "close\r\nContent-Length: 0\r\n\r\n",
			  0) > 0);
	assert_int_equal(rs.keep_alive, 0);
}

static void
t_resp_field_syntax(void **st)
{
	(void)st;
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 0),
			 -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nX: a\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", 0), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0), -502);
}

static void
t_resp_limits(void **st)
{
	struct h1_limits l = lim_def;
	const char *m = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n";
	(void)st;
	l.max_headers = 1;
	assert_int_equal(h1_parse_response(m, strlen(m), &l, 0, &rs, hd, NH),
			 -502);
	l = lim_def;
	l.max_head = strlen(m);
	assert_int_equal(h1_parse_response(m, strlen(m), &l, 0, &rs, hd, NH),
			 (int)strlen(m));
	l.max_head = strlen(m) - 1;
	assert_int_equal(h1_parse_response(m, strlen(m), &l, 0, &rs, hd, NH),
			 -502);
}

static void
t_resp_incremental(void **st)
{
	const char *m = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	size_t head = strlen(m) - 3, k;
	(void)st;
	for (k = 0; k < head; k++)
		assert_int_equal(
		    h1_parse_response(m, k, &lim_def, 0, &rs, hd, NH), 0);
	for (; k <= strlen(m); k++)
		assert_int_equal(
		    h1_parse_response(m, k, &lim_def, 0, &rs, hd, NH),
		    (int)head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_resp_simple),
	    cmocka_unit_test(t_resp_reason),
	    cmocka_unit_test(t_resp_bad_status_line),
	    cmocka_unit_test(t_resp_bodiless),
	    cmocka_unit_test(t_resp_head),
	    cmocka_unit_test(t_resp_eof),
	    cmocka_unit_test(t_resp_chunked),
	    cmocka_unit_test(t_resp_bad_te),
	    cmocka_unit_test(t_resp_cl_te),
	    cmocka_unit_test(t_resp_two_cl),
	    cmocka_unit_test(t_resp_keepalive),
	    cmocka_unit_test(t_resp_field_syntax),
	    cmocka_unit_test(t_resp_limits),
	    cmocka_unit_test(t_resp_incremental),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
