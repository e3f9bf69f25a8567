/*
 * test_http1.c: one test per rule of accel/http1.h, exact return values and
 * field contents.
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

#define NH 64

static const struct h1_limits lim_def = {
    .max_req_line = 8192,
    .max_url = 8192,
    .max_head = 32768,
    .max_headers = 64,
    .max_body = 0,
};

static struct h1_req rq;
static struct h1_resp rs;
static struct h1_hdr hd[NH];

/* Parse a NUL-terminated request with the given limits. */
static int
preq_lim(const char *s, const struct h1_limits *lim)
{
	memset(&rq, 0xa5, sizeof rq);
	return (h1_parse_request(s, strlen(s), lim, &rq, hd, NH));
}

/* Parse a NUL-terminated request with the default limits. */
static int
preq(const char *s)
{
	return (preq_lim(s, &lim_def));
}

/* Parse a NUL-terminated response. */
static int
presp(const char *s, int head_req)
{
	memset(&rs, 0xa5, sizeof rs);
	return (
	    h1_parse_response(s, strlen(s), &lim_def, head_req, &rs, hd, NH));
}

/* A (pointer, length) field equals a string. */
#define assert_span(p, n, str)                                                 \
	do {                                                                   \
		assert_int_equal((n), strlen(str));                            \
		assert_memory_equal((p), (str), strlen(str));                  \
	} while (0)

#define RL(s) ((int)strlen(s))

/* --- requests: valid forms --- */

static void
t_req_get(void **st)
{
	const char *m = "GET /index.html?x=1 HTTP/1.1\r\n"
			"Host: example.com\r\nAccept: */*\r\n\r\n";
	(void)st;
	assert_int_equal(preq(m), RL(m));
	assert_span(rq.method, rq.method_len, "GET");
	assert_int_equal(rq.meth, H1M_GET);
	assert_span(rq.target, rq.target_len, "/index.html?x=1");
	assert_span(rq.path, rq.path_len, "/index.html?x=1");
	assert_span(rq.host, rq.host_len, "example.com");
	assert_int_equal(rq.minor, 1);
	assert_ptr_equal(rq.hdrs, hd);
	assert_int_equal(rq.nhdrs, 2);
	assert_span(hd[0].name, hd[0].name_len, "Host");
	assert_span(hd[1].name, hd[1].name_len, "Accept");
	assert_span(hd[1].value, hd[1].value_len, "*/*");
	assert_int_equal(rq.body, H1B_NONE);
	assert_int_equal(rq.keep_alive, 1);
	assert_int_equal(rq.expect_continue, 0);
}

static void
t_req_post_length(void **st)
{
	const char *h =
	    "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
	char m[128];
	(void)st;
	snprintf(m, sizeof m, "%shello", h);
	assert_int_equal(preq(m), RL(h));
	assert_int_equal(rq.meth, H1M_POST);
	assert_int_equal(rq.body, H1B_LENGTH);
	assert_int_equal(rq.content_length, 5);
}

static void
t_req_cl_zero(void **st)
{
	(void)st;
	assert_true(
	    preq("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n") > 0);
	assert_int_equal(rq.body, H1B_LENGTH);
	assert_int_equal(rq.content_length, 0);
}

static void
t_req_post_chunked(void **st)
{
	(void)st;
	assert_true(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			 "Transfer-Encoding: chunked\r\n\r\n") > 0);
	assert_int_equal(rq.body, H1B_CHUNKED);
	assert_true(preq("POST / HTTP/1.1\r\nHost: a\r\n"
			 "transfer-encoding:   ChUnKeD  \r\n\r\n") > 0);
	assert_int_equal(rq.body, H1B_CHUNKED);
}

static void
t_req_absolute(void **st)
{
	const char *m = "GET http://Example.com:8080/a/b?q=1 HTTP/1.1\r\n"
			"Host: other.example\r\n\r\n";
	(void)st;
	assert_int_equal(preq(m), RL(m));
	assert_span(rq.target, rq.target_len,
		    "http://Example.com:8080/a/b?q=1");
	assert_span(rq.host, rq.host_len, "Example.com:8080");
	assert_span(rq.path, rq.path_len, "/a/b?q=1");
}

static void
t_req_absolute_no_path(void **st)
{
	(void)st;
	assert_true(preq("GET http://h.example HTTP/1.1\r\nHost: x\r\n\r\n") >
		    0);
	assert_span(rq.host, rq.host_len, "h.example");
	assert_span(rq.path, rq.path_len, "/");
}

static void
t_req_absolute_https_case(void **st)
{
	(void)st;
	assert_true(
	    preq("GET HTTPS://[::1]:8443/x HTTP/1.1\r\nHost: x\r\n\r\n") > 0);
	assert_span(rq.host, rq.host_len, "[::1]:8443");
	assert_span(rq.path, rq.path_len, "/x");
}

static void
t_req_absolute_bad(void **st)
{
	(void)st;
	/* userinfo */
	assert_int_equal(preq("GET http://u:p@h/ HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET http://@h/ HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	/* a query but no path */
	assert_int_equal(preq("GET http://h?q HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	/* empty authority */
	assert_int_equal(preq("GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET http:// HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	/* another scheme, a relative path */
	assert_int_equal(preq("GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET index.html HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
	/* a bad port */
	assert_int_equal(preq("GET http://h:8x/ HTTP/1.1\r\nHost: h\r\n\r\n"),
			 -400);
}

static void
t_req_absolute_needs_host(void **st)
{
	(void)st;
	assert_int_equal(preq("GET http://h/ HTTP/1.1\r\n\r\n"), -400);
	/* HTTP/1.0 takes the authority without a Host field */
	assert_true(preq("GET http://h/ HTTP/1.0\r\n\r\n") > 0);
	assert_span(rq.host, rq.host_len, "h");
}

static void
t_req_options_star(void **st)
{
	(void)st;
	assert_true(preq("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_int_equal(rq.meth, H1M_OPTIONS);
	assert_span(rq.path, rq.path_len, "*");
	assert_int_equal(preq("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
}

static void
t_req_connect(void **st)
{
	(void)st;
	assert_true(preq("CONNECT h.example:443 HTTP/1.1\r\nHost: "
			 "h.example:443\r\n\r\n") > 0);
	assert_int_equal(rq.meth, H1M_CONNECT);
	assert_span(rq.host, rq.host_len, "h.example:443");
	assert_span(rq.path, rq.path_len, "h.example:443");
	/* a port is required, and only authority-form goes */
	assert_int_equal(preq("CONNECT h.example HTTP/1.1\r\nHost: a\r\n\r\n"),
			 -400);
	assert_int_equal(preq("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	/* authority-form for anything else */
	assert_int_equal(preq("GET h.example:443 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 -400);
}

static void
t_req_http10_no_host(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.0\r\n\r\n") > 0);
	assert_int_equal(rq.minor, 0);
	assert_null(rq.host);
	assert_int_equal(rq.keep_alive, 0);
}

static void
t_req_http10_host(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.0\r\nHost: a.b\r\n\r\n") > 0);
	assert_span(rq.host, rq.host_len, "a.b");
}

static void
t_req_keepalive_10(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") >
		    0);
	assert_int_equal(rq.keep_alive, 1);
	assert_true(
	    preq("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n") >
	    0);
	assert_int_equal(rq.keep_alive, 0);
}

static void
t_req_keepalive_11(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, CLOSE "
			 "\r\n\r\n") > 0);
	assert_int_equal(rq.keep_alive, 0);
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n") >
	    0);
	assert_int_equal(rq.keep_alive, 1);
	/* a second Connection field counts too */
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: x\r\n"
			 "Connection: close\r\n\r\n") > 0);
	assert_int_equal(rq.keep_alive, 0);
}

static void
t_req_leading_crlf(void **st)
{
	const char *m = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
	(void)st;
	assert_int_equal(preq(m), RL(m));
	assert_ptr_equal(rq.method, m + 4);
	assert_span(rq.method, rq.method_len, "GET");
}

static void
t_req_leading_crlf_max(void **st)
{
	char m[256];
	(void)st;
	snprintf(m, sizeof m, "%sGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n");
	assert_int_equal(preq(m), RL(m));
	snprintf(m, sizeof m, "%sGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		 "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n");
	assert_int_equal(preq(m), -400);
}

static void
t_req_leading_bare_lf(void **st)
{
	(void)st;
	assert_int_equal(preq("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("\r\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq(" GET / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
}

static void
t_req_incremental(void **st)
{
	const char *m = "\r\nPOST http://h:1/p?q HTTP/1.1\r\nHost: h\r\n"
			"X-A:  v  \r\nContent-Length: 12\r\n\r\n";
	size_t n = strlen(m), k;
	(void)st;
	for (k = 0; k < n; k++) {
		char *p = malloc(k + 1);
		assert_non_null(p);
		memcpy(p, m, k);
		assert_int_equal(h1_parse_request(p, k, &lim_def, &rq, hd, NH),
				 0);
		free(p);
	}
	assert_int_equal(preq(m), (int)n);
	assert_span(rq.host, rq.host_len, "h:1");
	assert_span(rq.path, rq.path_len, "/p?q");
	assert_int_equal(rq.nhdrs, 3);
	assert_span(hd[1].value, hd[1].value_len, "v");
	assert_int_equal(rq.content_length, 12);
}

static void
t_req_incremental_early_error(void **st)
{
	/* the head is not complete, but what is there is already wrong */
	const char nul[] = "GET / HTTP/1.1\r\nX: a\0b";
	(void)st;
	assert_int_equal(
	    h1_parse_request(nul, sizeof nul - 1, &lim_def, &rq, hd, NH), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nX: a\nY"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nX: a\rY"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\n X"), -400);
	assert_int_equal(preq("GET / HTTP/2.0\r\n"), -505);
	assert_int_equal(preq("GET / HTTX"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r"), 0);
	assert_int_equal(preq(""), 0);
}

static void
t_req_method_other(void **st)
{
	(void)st;
	assert_true(preq("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_int_equal(rq.meth, H1M_OTHER);
	assert_span(rq.method, rq.method_len, "BREW");
	/* methods are case-sensitive */
	assert_true(preq("get / HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_int_equal(rq.meth, H1M_OTHER);
	assert_int_equal(preq("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
}

/* --- requests: request line syntax --- */

static void
t_req_double_space(void **st)
{
	(void)st;
	assert_int_equal(preq("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET /  HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), -400);
}

static void
t_req_bad_version(void **st)
{
	(void)st;
	assert_int_equal(preq("GET /\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1x\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/11.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.x\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / FOO/1.1\r\nHost: a\r\n\r\n"), -400);
}

static void
t_req_version_505(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), -505);
	assert_int_equal(preq("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), -505);
	assert_int_equal(preq("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), -505);
}

static void
t_req_version_lowercase(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / http/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / Http/1.1\r\nHost: a\r\n\r\n"), -400);
}

static void
t_req_target_chars(void **st)
{
	(void)st;
	assert_int_equal(preq("GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	/* obs-text is not a CTL */
	assert_true(preq("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	assert_span(rq.path, rq.path_len, "/caf\xc3\xa9");
}

static void
t_req_bare_lf_request_line(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\rHost: a\r\n\r\n"), -400);
}

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

/* --- requests: Host --- */

static void
t_host_missing(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHostx: a\r\n\r\n"), -400);
}

static void
t_host_two(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"),
			 -400);
}

static void
t_host_invalid(void **st)
{
	(void)st;
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a:123456\r\n\r\n"),
			 -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: :80\r\n\r\n"), -400);
	/* the Host field is checked even when the authority wins */
	assert_int_equal(preq("GET http://a/ HTTP/1.1\r\nHost: a b\r\n\r\n"),
			 -400);
}

static void
t_host_valid(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n") >
		    0);
	assert_span(rq.host, rq.host_len, "[2001:db8::1]:8080");
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: xn--caf-dma.example:\r\n\r\n") > 0);
	assert_true(preq("GET / HTTP/1.1\r\nHost: a%41_b~c\r\n\r\n") > 0);
	/* empty Host: the target has no authority (RFC 9112 §3.2) */
	assert_true(preq("GET / HTTP/1.1\r\nHost:\r\n\r\n") > 0);
	assert_non_null(rq.host);
	assert_int_equal(rq.host_len, 0);
}

/* --- requests: limits --- */

static const struct h1_limits lim_small = {
    .max_req_line = 32,
    .max_url = 16,
    .max_head = 64,
    .max_headers = 3,
    .max_body = 100,
};

static void
t_limit_url(void **st)
{
	(void)st;
	/* 16 bytes of target pass, 17 do not */
	assert_true(preq_lim("GET /234567890123456 HTTP/1.1\r\nHost: a\r\n\r\n",
			     &lim_small) > 0);
	assert_int_equal(
	    preq_lim("GET /2345678901234567 HTTP/1.1\r\nHost: a\r\n\r\n",
		     &lim_small),
	    -414);
}

static void
t_limit_url_incomplete(void **st)
{
	(void)st;
	assert_int_equal(preq_lim("GET /234567890123456", &lim_small), 0);
	assert_int_equal(preq_lim("GET /2345678901234567", &lim_small), -414);
}

static void
t_limit_req_line(void **st)
{
	(void)st;
	/* 32 bytes of request line (CRLF excluded) pass, 33 do not */
	assert_true(
	    preq_lim("ABCDEFGHIJKLMNOPQRS /23 HTTP/1.1\r\nHost: a\r\n\r\n",
		     &lim_small) > 0);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRST /23 HTTP/1.1\r\nHost: a\r\n\r\n",
		     &lim_small),
	    -414);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRS /234 HTTP/1.1\r\nHost: a\r\n\r\n",
		     &lim_small),
	    -414);
}

static void
t_limit_req_line_incomplete(void **st)
{
	(void)st;
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", &lim_small), 0);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", &lim_small), -414);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRS /23 HTTP/1.1\r", &lim_small), 0);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRS /23 HTTP/1.1", &lim_small), 0);
	assert_int_equal(
	    preq_lim("ABCDEFGHIJKLMNOPQRS /234 HTTP/1.1", &lim_small), -414);
}

static void
t_limit_req_line_over_head(void **st)
{
	struct h1_limits l = lim_small;
	(void)st;
	/* a request line too long for the head is still a long line */
	l.max_req_line = 1000;
	l.max_url = 1000;
	l.max_head = 20;
	assert_int_equal(preq_lim("GET /2345678901234567890 HTTP/1.1\r\n", &l),
			 -414);
	assert_int_equal(preq_lim("GET /2345678901234567890", &l), -414);
	/* a line that fits, but not with its CRLF */
	assert_int_equal(
	    preq_lim("GET /234567 HTTP/1.1\r\nHost: a\r\n\r\n", &l), -431);
}

static void
t_limit_head(void **st)
{
	/* request line 16 + CRLF, Host: a (7) + CRLF, final CRLF = 29;
	 * "X: " + value + CRLF fills the rest up to 64 */
	char m[256];
	int n;
	(void)st;
	n = snprintf(m, sizeof m, "GET / HTTP/1.1\r\nHost: a\r\nX: %s\r\n\r\n",
		     "abcdefghijklmnopqrstuvwxyzabcdef");
	assert_int_equal(n, 64);
	assert_int_equal(preq_lim(m, &lim_small), 64);
	snprintf(m, sizeof m, "GET / HTTP/1.1\r\nHost: a\r\nX: %s\r\n\r\n",
		 "abcdefghijklmnopqrstuvwxyzabcdefg");
	assert_int_equal(preq_lim(m, &lim_small), -431);
}

static void
t_limit_head_leading_crlf(void **st)
{
	char m[256];
	(void)st;
	/* the empty lines before the request line count in the head */
	snprintf(m, sizeof m, "\r\nGET / HTTP/1.1\r\nHost: a\r\nX: %s\r\n\r\n",
		 "abcdefghijklmnopqrstuvwxyzabcd");
	assert_int_equal(preq_lim(m, &lim_small), 64);
	snprintf(m, sizeof m, "\r\nGET / HTTP/1.1\r\nHost: a\r\nX: %s\r\n\r\n",
		 "abcdefghijklmnopqrstuvwxyzabcde");
	assert_int_equal(preq_lim(m, &lim_small), -431);
}

static void
t_limit_head_incomplete(void **st)
{
	char m[256];
	(void)st;
	snprintf(m, sizeof m, "GET / HTTP/1.1\r\nHost: a\r\nX: %s",
		 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	assert_int_equal(preq_lim(m, &lim_small), -431);
	/* no end in sight, still within the limit */
	assert_int_equal(
	    preq_lim("GET / HTTP/1.1\r\nHost: a\r\nX: abc", &lim_small), 0);
}

static void
t_limit_count(void **st)
{
	(void)st;
	assert_true(
	    preq_lim("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n",
		     &lim_small) > 0);
	assert_int_equal(rq.nhdrs, 3);
	assert_int_equal(
	    preq_lim(
		"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
		&lim_small),
	    -431);
	/* as soon as the fourth field begins */
	assert_int_equal(
	    preq_lim("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC",
		     &lim_small),
	    -431);
}

static void
t_limit_count_array(void **st)
{
	struct h1_hdr two[2];
	const char *m = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
	(void)st;
	assert_int_equal(h1_parse_request(m, strlen(m), &lim_def, &rq, two, 2),
			 -431);
	assert_int_equal(h1_parse_request(m, strlen(m), &lim_def, &rq, hd, 3),
			 (int)strlen(m));
}

static void
t_limit_body(void **st)
{
	(void)st;
	assert_int_equal(
	    preq_lim("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n",
		     &lim_small),
	    -413);
	assert_true(
	    preq_lim("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n",
		     &lim_small) > 0);
	assert_int_equal(rq.content_length, 100);
	/* max_body 0: no limit */
	assert_true(preq("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: "
			 "99999999999\r\n\r\n") > 0);
}

/* --- requests: Expect --- */

static void
t_expect_continue(void **st)
{
	(void)st;
	assert_true(preq("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
			 "Content-Length: 3\r\n\r\n") > 0);
	assert_int_equal(rq.expect_continue, 1);
}

static void
t_expect_other(void **st)
{
	(void)st;
	assert_int_equal(
	    preq("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n"), -417);
	assert_int_equal(
	    preq(
		"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\n\r\n"),
	    -417);
	assert_int_equal(preq("PUT / HTTP/1.1\r\nHost: a\r\nExpect:\r\n\r\n"),
			 -417);
}

static void
t_expect_http10(void **st)
{
	(void)st;
	assert_true(preq("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n") > 0);
	assert_int_equal(rq.expect_continue, 0);
}

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

#define S(x) x, sizeof(x) - 1

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

/* --- helpers --- */

static void
t_name_eq(void **st)
{
	struct h1_hdr h = {"Content-Type", 12, "x", 1, H1H_OTHER};
	(void)st;
	assert_true(h1_name_eq(&h, "content-type"));
	assert_true(h1_name_eq(&h, "CONTENT-TYPE"));
	assert_false(h1_name_eq(&h, "content-typ"));
	assert_false(h1_name_eq(&h, "content-types"));
	assert_false(h1_name_eq(&h, ""));
}

static void
t_find(void **st)
{
	(void)st;
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n") > 0);
	assert_ptr_equal(h1_find(hd, rq.nhdrs, "X-a"), &hd[1]);
	assert_null(h1_find(hd, rq.nhdrs, "X-B"));
	assert_null(h1_find(hd, 0, "Host"));
}

static void
t_list_has(void **st)
{
	(void)st;
	assert_true(h1_list_has(S("a, b ,\tc"), "b"));
	assert_true(h1_list_has(S("a, b ,\tc"), "C"));
	assert_true(h1_list_has(S(",,Close,"), "close"));
	assert_false(h1_list_has(S("closed, xclose"), "close"));
	assert_false(h1_list_has(S(""), "close"));
	assert_false(h1_list_has(S("a b"), "a"));
}

static void
t_is_hop(void **st)
{
	static const char *const hop[] = {"Connection",
					  "keep-alive",
					  "Proxy-Connection",
					  "proxy-authenticate",
					  "Proxy-Authorization",
					  "TE",
					  "Trailer",
					  "Transfer-Encoding",
					  "UPGRADE"};
	struct h1_hdr h;
	unsigned i;
	(void)st;
	for (i = 0; i < sizeof hop / sizeof hop[0]; i++) {
		h.name = hop[i];
		h.name_len = strlen(hop[i]);
		h.kind = h1_kind_of(h.name, h.name_len);
		assert_true(h1_is_hop(&h, NULL, 0));
	}
	h.name = "Content-Length";
	h.name_len = 14;
	h.kind = h1_kind_of(h.name, h.name_len);
	assert_false(h1_is_hop(&h, NULL, 0));
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-foo\r\n"
		 "X-Foo: 1\r\nConnection: keep-alive, X-Bar\r\nX-Bar: 2\r\n"
		 "X-Baz: 3\r\n\r\n") > 0);
	assert_true(h1_is_hop(&hd[2], hd, rq.nhdrs));
	assert_true(h1_is_hop(&hd[4], hd, rq.nhdrs));
	assert_false(h1_is_hop(&hd[5], hd, rq.nhdrs));
	assert_false(h1_is_hop(&hd[0], hd, rq.nhdrs));
}

/* The parser tags well-known names whatever their case, and only those. */
static void
t_kind_of(void **st)
{
	(void)st;
	assert_int_equal(h1_kind_of(S("Host")), H1H_HOST);
	assert_int_equal(h1_kind_of(S("CONTENT-LENGTH")), H1H_CONTENT_LENGTH);
	assert_int_equal(h1_kind_of(S("transfer-encoding")), H1H_TRANSFER_ENCODING);
	assert_int_equal(h1_kind_of(S("X-Forwarded-Proto")), H1H_X_FORWARDED_PROTO);
	assert_int_equal(h1_kind_of(S("x-forwarded-for")), H1H_X_FORWARDED_FOR);
	assert_int_equal(h1_kind_of(S("Proxy-Authorization")), H1H_PROXY_AUTHORIZATION);
	assert_int_equal(h1_kind_of(S("proxy-authenticate")), H1H_PROXY_AUTHENTICATE);
	assert_int_equal(h1_kind_of(S("TE")), H1H_TE);
	assert_int_equal(h1_kind_of(S("Hosts")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("Hos")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("Xost")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("x-forwarded-fox")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("a-very-long-header-name-over-31-bytes")), H1H_OTHER);
	assert_true(
	    preq("GET / HTTP/1.1\r\nhOsT: a\r\nVia: 1.0 x\r\nX-A: 1\r\n\r\n") > 0);
	assert_int_equal(hd[0].kind, H1H_HOST);
	assert_int_equal(hd[1].kind, H1H_VIA);
	assert_int_equal(hd[2].kind, H1H_OTHER);
	assert_ptr_equal(h1_find_kind(hd, rq.nhdrs, H1H_VIA), &hd[1]);
	assert_null(h1_find_kind(hd, rq.nhdrs, H1H_EXPECT));
}

/* Only a Connection token naming a header makes h1_is_hop look further. */
static void
t_conn_names(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
			 "Connection: Close\r\n\r\n") > 0);
	assert_false(h1_conn_names(hd, rq.nhdrs));
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Foo\r\n\r\n") > 0);
	assert_true(h1_conn_names(hd, rq.nhdrs));
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: close\r\n\r\n") > 0);
	assert_false(h1_conn_names(hd, rq.nhdrs));
	assert_false(h1_conn_names(hd, 0));
}

static void
t_method_of(void **st)
{
	(void)st;
	assert_int_equal(h1_method_of(S("GET")), H1M_GET);
	assert_int_equal(h1_method_of(S("HEAD")), H1M_HEAD);
	assert_int_equal(h1_method_of(S("POST")), H1M_POST);
	assert_int_equal(h1_method_of(S("PUT")), H1M_PUT);
	assert_int_equal(h1_method_of(S("DELETE")), H1M_DELETE);
	assert_int_equal(h1_method_of(S("OPTIONS")), H1M_OPTIONS);
	assert_int_equal(h1_method_of(S("PATCH")), H1M_PATCH);
	assert_int_equal(h1_method_of(S("TRACE")), H1M_TRACE);
	assert_int_equal(h1_method_of(S("CONNECT")), H1M_CONNECT);
	assert_int_equal(h1_method_of(S("PURGE")), H1M_PURGE);
	assert_int_equal(h1_method_of(S("Get")), H1M_OTHER);
	assert_int_equal(h1_method_of(S("GETS")), H1M_OTHER);
	assert_int_equal(h1_method_of("GET", 2), H1M_OTHER);
}

static void
t_reason(void **st)
{
	(void)st;
	assert_string_equal(h1_reason(200), "OK");
	assert_string_equal(h1_reason(304), "Not Modified");
	assert_string_equal(h1_reason(400), "Bad Request");
	assert_string_equal(h1_reason(413), "Content Too Large");
	assert_string_equal(h1_reason(414), "URI Too Long");
	assert_string_equal(h1_reason(417), "Expectation Failed");
	assert_string_equal(h1_reason(431), "Request Header Fields Too Large");
	assert_string_equal(h1_reason(502), "Bad Gateway");
	assert_string_equal(h1_reason(505), "HTTP Version Not Supported");
	assert_string_equal(h1_reason(299), "Unknown");
	assert_string_equal(h1_reason(-400), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_req_get),
	    cmocka_unit_test(t_req_post_length),
	    cmocka_unit_test(t_req_cl_zero),
	    cmocka_unit_test(t_req_post_chunked),
	    cmocka_unit_test(t_req_absolute),
	    cmocka_unit_test(t_req_absolute_no_path),
	    cmocka_unit_test(t_req_absolute_https_case),
	    cmocka_unit_test(t_req_absolute_bad),
	    cmocka_unit_test(t_req_absolute_needs_host),
	    cmocka_unit_test(t_req_options_star),
	    cmocka_unit_test(t_req_connect),
	    cmocka_unit_test(t_req_http10_no_host),
	    cmocka_unit_test(t_req_http10_host),
	    cmocka_unit_test(t_req_keepalive_10),
	    cmocka_unit_test(t_req_keepalive_11),
	    cmocka_unit_test(t_req_leading_crlf),
	    cmocka_unit_test(t_req_leading_crlf_max),
	    cmocka_unit_test(t_req_leading_bare_lf),
	    cmocka_unit_test(t_req_incremental),
	    cmocka_unit_test(t_req_incremental_early_error),
	    cmocka_unit_test(t_req_method_other),
	    cmocka_unit_test(t_req_double_space),
	    cmocka_unit_test(t_req_bad_version),
	    cmocka_unit_test(t_req_version_505),
	    cmocka_unit_test(t_req_version_lowercase),
	    cmocka_unit_test(t_req_target_chars),
	    cmocka_unit_test(t_req_bare_lf_request_line),
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
	    cmocka_unit_test(t_host_missing),
	    cmocka_unit_test(t_host_two),
	    cmocka_unit_test(t_host_invalid),
	    cmocka_unit_test(t_host_valid),
	    cmocka_unit_test(t_limit_url),
	    cmocka_unit_test(t_limit_url_incomplete),
	    cmocka_unit_test(t_limit_req_line),
	    cmocka_unit_test(t_limit_req_line_incomplete),
	    cmocka_unit_test(t_limit_req_line_over_head),
	    cmocka_unit_test(t_limit_head),
	    cmocka_unit_test(t_limit_head_leading_crlf),
	    cmocka_unit_test(t_limit_head_incomplete),
	    cmocka_unit_test(t_limit_count),
	    cmocka_unit_test(t_limit_count_array),
	    cmocka_unit_test(t_limit_body),
	    cmocka_unit_test(t_expect_continue),
	    cmocka_unit_test(t_expect_other),
	    cmocka_unit_test(t_expect_http10),
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
	    cmocka_unit_test(t_name_eq),
	    cmocka_unit_test(t_find),
	    cmocka_unit_test(t_list_has),
	    cmocka_unit_test(t_is_hop),
	    cmocka_unit_test(t_kind_of),
	    cmocka_unit_test(t_conn_names),
	    cmocka_unit_test(t_method_of),
	    cmocka_unit_test(t_reason),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
