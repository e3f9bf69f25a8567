/*
 * test_smuggling.c: malformed and ambiguous requests. Each one gets its
 * 4xx (or 501/505) with Connection: close, the connection is closed after
 * it, and the origin never receives the request: for faults in the head
 * not one byte reaches the origin; for faults in a chunked body (which
 * may be found after the head was forwarded) the origin never gets a
 * complete request. Also the size limits (414, 431, 413).
 */
#include "tests/integration/harness.h"

#include <inttypes.h>
#include <stdio.h>

/* Where the fault sits, which decides what the origin may have seen. */
enum where { IN_HEAD, IN_BODY };

static void
reject(const char *params, const char *req, size_t len, int status,
    enum where where)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d %s", o->port,
	    params ? params : "");
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_send_n(c, req, len);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, status);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	if (where == IN_HEAD)
		HX_ASSERT_ORIGIN_UNTOUCHED(o);
	else
		HX_ASSERT_ORIGIN_NO_REQUEST(o);
	hx_accel_stop_ok(a);
	if (status == 400 || status == 413 || status == 414 || status == 431)
		assert_int_equal(hx_counter(a, "req_bad"), 1);
	if (where == IN_HEAD)
		assert_int_equal(hx_counter(a, "fetch_total"), 0);
}

#define REJECT(req, status) reject(NULL, req, sizeof(req) - 1, status, IN_HEAD)
#define REJECT_BODY(req, status) \
	reject(NULL, req, sizeof(req) - 1, status, IN_BODY)

/* --- framing ambiguity --- */

static void
cl_and_te(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n"
	       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400);
}

static void
te_and_cl(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	       "Content-Length: 3\r\n\r\n0\r\n\r\n", 400);
}

static void
two_content_lengths_differ(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	       "Content-Length: 6\r\n\r\nhello!", 400);
}

static void
two_content_lengths_same(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	       "Content-Length: 5\r\n\r\nhello", 400);
}

static void
content_length_list(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n"
	       "hello", 400);
}

static void
content_length_plus_sign(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello",
	    400);
}

static void
content_length_negative(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400);
}

static void
content_length_hex(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x5\r\n\r\nhello",
	    400);
}

static void
content_length_inner_space(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 0\r\n\r\n"
	       "0123456789", 400);
}

static void
content_length_empty(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", 400);
}

static void
content_length_too_many_digits(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\n"
	       "Content-Length: 99999999999999999999\r\n\r\n", 400);
}

/* --- Transfer-Encoding --- */

static void
te_chunked_identity(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\n"
	       "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400);
}

static void
te_identity(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n"
	       "\r\n", 400);
}

static void
te_unknown_coding(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n"
	       "\r\n0\r\n\r\n", 400);
}

static void
te_gzip_chunked_not_implemented(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\n"
	       "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
}

static void
te_two_fields(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

static void
te_in_http10(void **state)
{
	REJECT("POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	       "\r\n0\r\n\r\n", 400);
}

/* --- chunked body --- */

static void
chunk_size_not_hex(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\nzz\r\nhello\r\n0\r\n\r\n", 400);
}

static void
chunk_size_bad_mid_body(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n5\r\nhello\r\n5x\r\nworld\r\n0\r\n\r\n", 400);
}

static void
chunk_size_negative(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n-5\r\nhello\r\n0\r\n\r\n", 400);
}

static void
chunk_size_overflow(void **state)
{
	/* 2^64 + 5 wraps to 5 in a careless parser */
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n10000000000000005\r\nhello\r\n0\r\n\r\n", 400);
}

static void
chunk_size_huge(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\nffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400);
}

static void
chunk_data_without_crlf(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n5\r\nhelloXX0\r\n\r\n", 400);
}

static void
chunk_size_bare_lf(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n5\nhello\r\n0\r\n\r\n", 400);
}

static void
chunk_last_bare_lf(void **state)
{
	REJECT_BODY("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n5\r\nhello\r\n0\n\n", 400);
}

/* --- head syntax --- */

static void
obs_fold(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400);
}

static void
obs_fold_tab(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", 400);
}

static void
bare_cr_in_value(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400);
}

static void
bare_cr_line_end(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\rX-A: b\r\n\r\n", 400);
}

static void
bare_lf_everywhere(void **state)
{
	REJECT("GET / HTTP/1.1\nHost: h\n\n", 400);
}

static void
bare_lf_one_header(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n", 400);
}

static void
bare_lf_end_of_head(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\n\n", 400);
}

static void
space_before_colon(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n"
	       "0\r\n\r\n", 400);
}

static void
space_in_name(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX Foo: bar\r\n\r\n", 400);
}

static void
empty_header_name(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\n: bar\r\n\r\n", 400);
}

static void
header_without_colon(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", 400);
}

static void
nul_in_value(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n", 400);
}

static void
ctl_in_value(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01" "b\r\n\r\n", 400);
}

static void
missing_host_http11(void **state)
{
	REJECT("GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n", 400);
}

static void
two_hosts(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
	    400);
}

static void
host_with_slash(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: a.example/evil\r\n\r\n", 400);
}

static void
host_with_userinfo(void **state)
{
	REJECT("GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n", 400);
}

static void
expect_unknown(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n"
	       "Content-Length: 5\r\n\r\nhello", 417);
}

static void
version_unsupported(void **state)
{
	REJECT("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
}

static void
version_garbage(void **state)
{
	REJECT("GET / HTPT/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
version_lowercase(void **state)
{
	REJECT("GET / http/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
request_line_double_space(void **state)
{
	REJECT("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
request_line_tab(void **state)
{
	REJECT("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
request_line_missing_version(void **state)
{
	REJECT("GET /\r\nHost: h\r\n\r\n", 400);
}

static void
target_with_space(void **state)
{
	REJECT("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
method_not_token(void **state)
{
	REJECT("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
authority_form_without_connect(void **state)
{
	REJECT("GET example.com:80 HTTP/1.1\r\nHost: example.com\r\n\r\n", 400);
}

static void
asterisk_form_without_options(void **state)
{
	REJECT("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

/* The classic CL.TE desync: what follows the rejected request must not
 * be read as a second request. */
static void
smuggled_request_never_reaches_origin(void **state)
{
	REJECT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 35\r\n"
	       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	       "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

/* A good request, then a bad one in the same write: the first is
 * answered normally, the second rejected, nothing after it forwarded. */
static void
bad_request_after_good_one(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_send(c, "GET /good HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /bad HTTP/1.1\r\nHost: h\r\nX Bad: 1\r\n\r\n"
		   "GET /never HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/good");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 400);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	hx_sleep_ms(100);
	assert_int_equal(hx_origin_nheads(o), 1);
	assert_string_equal(hx_origin_req(o, 0)->target, "/good");
	hx_accel_stop_ok(a);
}

/* Bytes after a request with Connection: close are never a request. */
static void
nothing_forwarded_after_connection_close(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_send(c, "GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		   "GET /after-close HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/last");
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	hx_sleep_ms(100);
	assert_int_equal(hx_origin_nheads(o), 1);
	hx_accel_stop_ok(a);
}

/* --- limits --- */

static void
url_too_long_414(void **state)
{
	char *url = hx_alloc(2001);

	memset(url, 'u', 2000);
	url[0] = '/';
	char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", url);

	reject("-p max_url=1k", req, strlen(req), 414, IN_HEAD);
}

static void
request_line_too_long_414(void **state)
{
	/* target under max_url, but the whole line over max_req_line */
	char *url = hx_alloc(1021);

	memset(url, 'u', 1020);
	url[0] = '/';
	char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", url);

	reject("-p max_req_line=1k -p max_url=8k", req, strlen(req), 414,
	    IN_HEAD);
}

/* 414 comes as soon as the line is too long, before its CRLF arrives. */
static void
request_line_too_long_before_crlf(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p max_req_line=1k "
	    "-p max_url=1k", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char *url = hx_alloc(3001);

	memset(url, 'u', 3000);
	url[0] = '/';
	hx_sendf(c, "GET %s", url);
	c->timeout_ms = 2000;
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 414);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
}

static void
head_too_big_431(void **state)
{
	char *v = hx_alloc(6001);

	memset(v, 'v', 6000);
	char *req = hx_printf("GET / HTTP/1.1\r\nHost: h\r\nX-Big: %s\r\n\r\n",
	    v);

	reject("-p max_head=4k", req, strlen(req), 431, IN_HEAD);
}

/* 431 comes as soon as the head is too big, before its end arrives. */
static void
head_too_big_before_end(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p max_head=4k",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int i;

	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 0; i < 100; i++)
		hx_sendf(c, "X-Field-%03d: %060d\r\n", i, i);
	c->timeout_ms = 2000;
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 431);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
}

static void
too_many_headers_431(void **state)
{
	char *req = hx_strdup("GET / HTTP/1.1\r\nHost: h\r\n");
	int i;

	for (i = 0; i < 20; i++)
		req = hx_printf("%sX-H%d: %d\r\n", req, i, i);
	req = hx_printf("%s\r\n", req);
	reject("-p max_headers=10", req, strlen(req), 431, IN_HEAD);
}

static void
headers_at_limit_pass(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p max_headers=10",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char *req = hx_strdup("GET / HTTP/1.1\r\nHost: h\r\n");
	int i;

	for (i = 0; i < 9; i++)
		req = hx_printf("%sX-H%d: %d\r\n", req, i, i);
	req = hx_printf("%s\r\n", req);
	r = hx_request(c, req);
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
body_too_big_413(void **state)
{
	char *body = hx_alloc(2001);

	memset(body, 'b', 2000);
	char *req = hx_printf("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 2000\r\n\r\n%s", body);

	reject("-p max_body=1k", req, strlen(req), 413, IN_HEAD);
}

static void
body_too_big_chunked_413(void **state)
{
	char *chunk = hx_alloc(801);
	char *req;

	memset(chunk, 'c', 800);
	req = hx_printf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n320\r\n%s\r\n320\r\n%s\r\n0\r\n\r\n", chunk, chunk);
	reject("-p max_body=1k", req, strlen(req), 413, IN_BODY);
}

static void
body_at_limit_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p max_body=1k",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char *body = hx_alloc(1025);

	memset(body, 'b', 1024);
	r = hx_request(c, hx_printf("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 1024\r\n\r\n%s", body));
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", "1024");
	hx_close(c);
	hx_accel_stop_ok(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(cl_and_te),
		HX_TEST(te_and_cl),
		HX_TEST(two_content_lengths_differ),
		HX_TEST(two_content_lengths_same),
		HX_TEST(content_length_list),
		HX_TEST(content_length_plus_sign),
		HX_TEST(content_length_negative),
		HX_TEST(content_length_hex),
		HX_TEST(content_length_inner_space),
		HX_TEST(content_length_empty),
		HX_TEST(content_length_too_many_digits),
		HX_TEST(te_chunked_identity),
		HX_TEST(te_identity),
		HX_TEST(te_unknown_coding),
		HX_TEST(te_gzip_chunked_not_implemented),
		HX_TEST(te_two_fields),
		HX_TEST(te_in_http10),
		HX_TEST(chunk_size_not_hex),
		HX_TEST(chunk_size_bad_mid_body),
		HX_TEST(chunk_size_negative),
		HX_TEST(chunk_size_overflow),
		HX_TEST(chunk_size_huge),
		HX_TEST(chunk_data_without_crlf),
		HX_TEST(chunk_size_bare_lf),
		HX_TEST(chunk_last_bare_lf),
		HX_TEST(obs_fold),
		HX_TEST(obs_fold_tab),
		HX_TEST(bare_cr_in_value),
		HX_TEST(bare_cr_line_end),
		HX_TEST(bare_lf_everywhere),
		HX_TEST(bare_lf_one_header),
		HX_TEST(bare_lf_end_of_head),
		HX_TEST(space_before_colon),
		HX_TEST(space_in_name),
		HX_TEST(empty_header_name),
		HX_TEST(header_without_colon),
		HX_TEST(nul_in_value),
		HX_TEST(ctl_in_value),
		HX_TEST(missing_host_http11),
		HX_TEST(two_hosts),
		HX_TEST(host_with_slash),
		HX_TEST(host_with_userinfo),
		HX_TEST(expect_unknown),
		HX_TEST(version_unsupported),
		HX_TEST(version_garbage),
		HX_TEST(version_lowercase),
		HX_TEST(request_line_double_space),
		HX_TEST(request_line_tab),
		HX_TEST(request_line_missing_version),
		HX_TEST(target_with_space),
		HX_TEST(method_not_token),
		HX_TEST(authority_form_without_connect),
		HX_TEST(asterisk_form_without_options),
		HX_TEST(smuggled_request_never_reaches_origin),
		HX_TEST(bad_request_after_good_one),
		HX_TEST(nothing_forwarded_after_connection_close),
		HX_TEST(url_too_long_414),
		HX_TEST(request_line_too_long_414),
		HX_TEST(request_line_too_long_before_crlf),
		HX_TEST(head_too_big_431),
		HX_TEST(head_too_big_before_end),
		HX_TEST(too_many_headers_431),
		HX_TEST(headers_at_limit_pass),
		HX_TEST(body_too_big_413),
		HX_TEST(body_too_big_chunked_413),
		HX_TEST(body_at_limit_passes),
	};

	return HX_RUN(tests);
}
