/*
 * test_http1_req.c: request parsing in accel/http1.h: valid forms, the
 * request line, Host, limits and Expect; one test per rule, exact return
 * values and field contents. Smuggling defences: test_http1_smug.c.
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
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
