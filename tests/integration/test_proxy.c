/*
 * test_proxy.c: accel as a pass-through HTTP/1.1 proxy: every method with
 * its body in both framings, header rewriting (hop-by-hop, Via,
 * X-Forwarded-*), bodiless responses, request-target forms, HTTP/1.0
 * clients, pipelining, keep-alive toward the origin, Expect: 100-continue.
 */
#include "tests/integration/harness.h"

#include <inttypes.h>
#include <stdio.h>

static struct hx_accel *
proxy(struct hx_origin *o)
{
	return hx_accel_start("-b 127.0.0.1:%d", o->port);
}

/* METHOD with an 11-byte body, Content-Length or chunked (with chunk
 * extensions and a trailer, which must not reach the origin); the origin
 * echoes the body back. A second request on the same connection proves
 * the framing of the first was consumed exactly. */
static void
check_method(const char *method, int chunked)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	int is_head = strcmp(method, "HEAD") == 0;
	const struct hx_req *q;
	struct hx_resp *r;

	if (chunked)
		hx_sendf(c, "%s /m/%s?x=1 HTTP/1.1\r\nHost: example.com\r\n"
			    "Transfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n"
			    "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n"
			    "X-Trailer: t\r\n\r\n", method, method);
	else
		hx_sendf(c, "%s /m/%s?x=1 HTTP/1.1\r\nHost: example.com\r\n"
			    "Content-Length: 11\r\n\r\nhello world", method, method);
	r = hx_recv_ex(c, is_head ? HX_HEAD : 0);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Method", method);
	HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/m/%s?x=1", method));
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", "11");
	if (!is_head)
		HX_ASSERT_BODY(r, "hello world");
	else
		assert_int_equal(r->body.total, 0);

	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_string_equal(q->method, method);
	assert_string_equal(q->target, hx_printf("/m/%s?x=1", method));
	assert_string_equal(q->body.buf, "hello world");
	HX_ASSERT_REQ_HDR(q, "Host", "example.com");
	if (chunked) {
		/* de-chunked and re-chunked: valid framing, no trailers */
		assert_true(q->chunked);
		HX_ASSERT_REQ_NO_HDR(q, "Content-Length");
		HX_ASSERT_REQ_NO_HDR(q, "Trailer");
		assert_int_equal(q->trailer_bytes, 0);
		assert_non_null(q->raw_body);
		assert_null(strstr(q->raw_body, "X-Trailer"));
		assert_null(strstr(q->raw_body, "ext=1"));
	} else {
		assert_false(q->chunked);
		HX_ASSERT_REQ_HDR(q, "Content-Length", "11");
		assert_int_equal(q->raw_body_total, 11);
	}

	/* the connection is still in sync */
	r = hx_request(c, "GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/next");
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_total"), 2);
	if (!chunked)
		assert_int_equal(hx_counter(a, "req_body_bytes"), 11);
}

static void method_get_cl(void **state) { check_method("GET", 0); }
static void method_get_chunked(void **state) { check_method("GET", 1); }
static void method_head_cl(void **state) { check_method("HEAD", 0); }
static void method_head_chunked(void **state) { check_method("HEAD", 1); }
static void method_post_cl(void **state) { check_method("POST", 0); }
static void method_post_chunked(void **state) { check_method("POST", 1); }
static void method_put_cl(void **state) { check_method("PUT", 0); }
static void method_put_chunked(void **state) { check_method("PUT", 1); }
static void method_delete_cl(void **state) { check_method("DELETE", 0); }
static void method_delete_chunked(void **state) { check_method("DELETE", 1); }
static void method_options_cl(void **state) { check_method("OPTIONS", 0); }
static void method_options_chunked(void **state) { check_method("OPTIONS", 1); }
static void method_patch_cl(void **state) { check_method("PATCH", 0); }
static void method_patch_chunked(void **state) { check_method("PATCH", 1); }
static void method_extension_cl(void **state) { check_method("PROPFIND", 0); }

/* A bodiless GET reaches the origin without any body framing. */
static void
get_without_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	const struct hx_req *q;
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 5\r\nX-Origin: yes\r\n\r\nhello" });
	r = hx_request(c, "GET /plain HTTP/1.1\r\nHost: example.com\r\n"
			  "User-Agent: it\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello");
	HX_ASSERT_HDR(r, "X-Origin", "yes");
	HX_ASSERT_HDR(r, "Content-Length", "5");
	q = hx_origin_req(o, 0);
	assert_string_equal(q->method, "GET");
	assert_string_equal(q->target, "/plain");
	assert_string_equal(q->version, "HTTP/1.1");
	HX_ASSERT_REQ_HDR(q, "User-Agent", "it");
	HX_ASSERT_REQ_NO_HDR(q, "Content-Length");
	HX_ASSERT_REQ_NO_HDR(q, "Transfer-Encoding");
	assert_int_equal(q->raw_body_total, 0);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* POST with Content-Length: 0 passes with an empty body. */
static void
post_empty_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	const struct hx_req *q;
	struct hx_resp *r;

	r = hx_request(c, "POST /empty HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "");
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_int_equal(q->body.total, 0);
	r = hx_request(c, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_HDR(r, "X-Echo-Target", "/after");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* "Transfer-Encoding: Chunked" (any case) is chunked. */
static void
chunked_case_insensitive(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "POST / HTTP/1.1\r\nHost: h\r\n"
			  "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "abc");
	assert_true(hx_origin_req(o, 0)->chunked);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Request direction: Connection and every name it lists, Keep-Alive, TE,
 * Upgrade, Proxy-*, Trailer never reach the origin; end-to-end fields do. */
static void
hop_by_hop_stripped_from_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	const struct hx_req *q;
	struct hx_resp *r;

	r = hx_request(c, "GET /hop HTTP/1.1\r\nHost: h\r\n"
			  "Connection: keep-alive, X-Hop-One, x-hop-two\r\n"
			  "X-Hop-One: 1\r\n"
			  "X-Hop-Two: 2\r\n"
			  "Keep-Alive: timeout=30\r\n"
			  "TE: trailers\r\n"
			  "Upgrade: websocket\r\n"
			  "Proxy-Connection: keep-alive\r\n"
			  "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
			  "Trailer: X-Checksum\r\n"
			  "X-End-To-End: kept\r\n"
			  "Authorization: Bearer kept\r\n"
			  "\r\n");
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(o, 0);
	HX_ASSERT_REQ_HDR(q, "X-End-To-End", "kept");
	HX_ASSERT_REQ_HDR(q, "Authorization", "Bearer kept");
	HX_ASSERT_REQ_NO_HDR(q, "X-Hop-One");
	HX_ASSERT_REQ_NO_HDR(q, "X-Hop-Two");
	HX_ASSERT_REQ_NO_HDR(q, "Keep-Alive");
	HX_ASSERT_REQ_NO_HDR(q, "TE");
	HX_ASSERT_REQ_NO_HDR(q, "Upgrade");
	HX_ASSERT_REQ_NO_HDR(q, "Proxy-Connection");
	HX_ASSERT_REQ_NO_HDR(q, "Proxy-Authorization");
	HX_ASSERT_REQ_NO_HDR(q, "Trailer");
	/* accel may send its own Connection field, never the client's list */
	{
		const char *conn = hx_req_hdr_all(q, "Connection");

		assert_false(hx_list_has(conn, "x-hop-one"));
		assert_false(hx_list_has(conn, "x-hop-two"));
	}
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Response direction: the same set is removed before the client. */
static void
hop_by_hop_stripped_from_response(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *conn;

	hx_origin_push(o, (struct hx_action){ .raw =
	    "HTTP/1.1 200 OK\r\n"
	    "Connection: X-Resp-Hop\r\n"
	    "X-Resp-Hop: secret\r\n"
	    "Keep-Alive: timeout=5, max=100\r\n"
	    "Proxy-Authenticate: Basic realm=\"x\"\r\n"
	    "Proxy-Connection: keep-alive\r\n"
	    "Upgrade: h2c\r\n"
	    "Trailer: X-Checksum\r\n"
	    "X-End-To-End: kept\r\n"
	    "Content-Length: 2\r\n\r\nok" });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "ok");
	HX_ASSERT_HDR(r, "X-End-To-End", "kept");
	HX_ASSERT_NO_HDR(r, "X-Resp-Hop");
	HX_ASSERT_NO_HDR(r, "Keep-Alive");
	HX_ASSERT_NO_HDR(r, "Proxy-Authenticate");
	HX_ASSERT_NO_HDR(r, "Proxy-Connection");
	HX_ASSERT_NO_HDR(r, "Upgrade");
	HX_ASSERT_NO_HDR(r, "Trailer");
	conn = hx_resp_hdr_all(r, "Connection");
	assert_false(hx_list_has(conn, "x-resp-hop"));
	/* the client connection is still usable */
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
via_added_to_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "Via", "1.1 accel");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
via_appended_to_existing(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\nVia: 1.0 fred\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "Via", "1.0 fred, 1.1 accel");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* RFC 9110 7.6.3: a proxy sends Via in each message it forwards,
 * responses included. */
static void
via_added_to_response(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *via;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Via: 1.1 upstream\r\nContent-Length: 2\r\n\r\nok" });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	via = hx_resp_hdr_all(r, "Via");
	if (via == NULL || strcmp(via, "1.1 upstream, 1.1 accel") != 0)
		HX_FAIL("want Via: 1.1 upstream, 1.1 accel on the response, got "
			"%s", via ? via : "(absent)");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
xff_added(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "X-Forwarded-For", "127.0.0.1");
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "X-Forwarded-Proto", "http");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
xff_appended_to_existing(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n"
			  "X-Forwarded-For: 203.0.113.7, 198.51.100.2\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "X-Forwarded-For",
	    "203.0.113.7, 198.51.100.2, 127.0.0.1");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* X-Forwarded-Proto is set, not appended: a client cannot claim https. */
static void
xfp_overrides_client_value(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n"
			  "X-Forwarded-Proto: https\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(o, 0);
	assert_int_equal(hx_req_hdr_count(q, "X-Forwarded-Proto"), 1);
	HX_ASSERT_REQ_HDR(q, "X-Forwarded-Proto", "http");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The answer to HEAD has no body even though the origin announces a
 * length; the next response on the connection is intact. */
static void
head_response_has_no_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 1000\r\nContent-Type: text/plain\r\n\r\n" });
	hx_origin_push(o, (struct hx_action){ .raw = HX_200_OK });
	r = hx_request_ex(c, "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n", HX_HEAD);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "1000");
	HX_ASSERT_HDR(r, "Content-Type", "text/plain");
	HX_ASSERT_QUIET(c, 200);
	r = hx_request(c, "GET /g HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "ok");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
check_bodiless_status(const char *raw, int status)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = raw });
	hx_origin_push(o, (struct hx_action){ .raw = HX_200_OK });
	r = hx_request(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, status);
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	assert_int_equal(r->body.total, 0);
	HX_ASSERT_QUIET(c, 200);
	r = hx_request(c, "GET /y HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "ok");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
status_204_has_no_body(void **state)
{
	check_bodiless_status("HTTP/1.1 204 No Content\r\nETag: \"v1\"\r\n\r\n", 204);
}

static void
status_304_has_no_body(void **state)
{
	check_bodiless_status("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
			      "Content-Length: 1234\r\n\r\n", 304);
}

/* absolute-form: the origin gets origin-form and the target's authority
 * as Host (RFC 9112 3.2.2). */
static void
absolute_form_target(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;

	r = hx_request(c, "GET http://www.example.com/abs/path?q=1 HTTP/1.1\r\n"
			  "Host: other.example\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(o, 0);
	assert_string_equal(q->target, "/abs/path?q=1");
	HX_ASSERT_REQ_HDR(q, "Host", "www.example.com");
	r = hx_request(c, "GET http://www.example.com HTTP/1.1\r\n"
			  "Host: www.example.com\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_string_equal(hx_origin_req(o, 1)->target, "/");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The request-target reaches the origin byte for byte. */
static void
target_passed_verbatim(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *t = "/a%20b/./c/../d;m=1?x=%2F&y=%zz&z=a+b";

	r = hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", t));
	HX_ASSERT_STATUS(r, 200);
	assert_string_equal(hx_origin_req(o, 0)->target, t);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* An HTTP/1.0 client without keep-alive gets its answer, then the close. */
static void
http10_client_closes_by_default(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 5\r\n\r\nhello" });
	r = hx_request(c, "GET /old HTTP/1.0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello");
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	assert_string_equal(hx_origin_req(o, 0)->target, "/old");
	hx_accel_stop_ok(a);
}

/* HTTP/1.0 with Connection: keep-alive keeps the connection, and says
 * so (a 1.0 client waits for the close otherwise). */
static void
http10_client_keep_alive(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->has_cl);
	assert_true(hx_list_has(hx_resp_hdr_all(r, "Connection"), "keep-alive"));
	r = hx_request(c, "GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/2");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A chunked origin response reaches an HTTP/1.0 client without chunked
 * framing (RFC 9112 7: never chunked toward a 1.0 recipient). */
static void
http10_client_gets_no_chunked(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n"
	    "0\r\n\r\n" });
	r = hx_request(c, "GET / HTTP/1.0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	HX_ASSERT_BODY(r, "hello world");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Connection: close from an HTTP/1.1 client: answered, then closed. */
static void
http11_connection_close(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Three requests in one write (one with a body) come back in order. */
static void
pipelined_requests_in_order(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	/* the first answer is slow: a proxy that answers out of order, or
	 * in parallel, gets caught */
	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO, .delay_ms = 300 });
	hx_send(c, "GET /p1 HTTP/1.1\r\nHost: h\r\n\r\n"
		   "POST /p2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
		   "GET /p3 HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/p1");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/p2");
	HX_ASSERT_BODY(r, "hello");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/p3");
	assert_int_equal(hx_origin_nreq(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "req_total"), 3);
}

/* Ten sequential requests on one client connection use one origin
 * connection. */
static void
keepalive_reuse_one_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	int i;

	for (i = 0; i < 10; i++) {
		struct hx_resp *r = hx_request(c, hx_printf("GET /k%d HTTP/1.1\r\n"
		    "Host: h\r\n\r\n", i));

		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_HDR(r, "X-Origin-Conn", "0");
	}
	assert_int_equal(hx_origin_nreq(o), 10);
	assert_int_equal(hx_origin_conns(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_total"), 10);
	assert_int_equal(hx_counter(a, "backend_conn_new"), 1);
	assert_int_equal(hx_counter(a, "backend_conn_reuse"), 9);
}

/* Ten client connections one after the other (one worker thread): the
 * origin connection is pooled across them. */
static void
keepalive_reuse_across_clients(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-t 1 -b 127.0.0.1:%d", o->port);
	int i;

	for (i = 0; i < 10; i++) {
		struct hx_conn *c = hx_connect(a->port);
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

		HX_ASSERT_STATUS(r, 200);
		hx_close(c);
	}
	assert_int_equal(hx_origin_nreq(o), 10);
	if (hx_origin_conns(o) > 2)
		HX_FAIL("10 requests used %d origin connections", hx_origin_conns(o));
	hx_accel_stop_ok(a);
	assert_true(hx_counter(a, "backend_conn_reuse") >= 8);
}

/* Expect: 100-continue: the interim answer comes before the body is sent. */
static void
expect_100_continue(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;

	hx_send(c, "PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
		   "Content-Length: 5\r\n\r\n");
	c->timeout_ms = 2000;
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 100);
	assert_int_equal(r->minor, 1);
	assert_int_equal(hx_origin_nreq(o), 0);
	hx_send(c, "hello");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello");
	q = hx_origin_req(o, 0);
	assert_string_equal(q->body.buf, "hello");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A chunked response with trailers reaches the client as a valid
 * message with the same body. */
static void
chunked_response_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
	    "5;a=b\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Sum: 1\r\n\r\n" });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello world");
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A close-delimited origin response reaches the client whole. */
static void
close_delimited_response_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\n\r\nall of this until the close",
	    .close_after = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "all of this until the close");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Several fields of one name (Set-Cookie) all pass, in order. */
static void
repeated_response_fields_pass(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Set-Cookie: a=1\r\nSet-Cookie: b=2; Path=/\r\n"
	    "Content-Length: 0\r\n\r\n" });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\nCookie: x=1\r\n"
			  "Cookie: y=2\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(hx_resp_hdr_count(r, "Set-Cookie"), 2);
	HX_ASSERT_HDR(r, "Set-Cookie", "a=1, b=2; Path=/");
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "Cookie", "x=1, y=2");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Origin status codes and reason phrases pass unchanged. */
static void
origin_status_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 500 Internal "
	    "Server Error\r\nContent-Length: 4\r\n\r\noops" });
	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 404 Not Found\r\n"
	    "Content-Length: 4\r\n\r\nnope" });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 500);
	HX_ASSERT_BODY(r, "oops");
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 404);
	HX_ASSERT_BODY(r, "nope");
	assert_string_equal(r->reason, "Not Found");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A 4 KiB header value passes intact. */
static void
long_header_value_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char v[4097];

	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = 0;
	r = hx_request(c, hx_printf("GET / HTTP/1.1\r\nHost: h\r\nX-Long: %s\r\n"
				    "\r\n", v));
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "X-Long", v);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A request head sent one byte at a time is still one request. */
static void
request_in_tiny_pieces(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	assert_int_equal(hx_send_trickle(c, "POST /slow HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 1, 2), 0);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "abc");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* OPTIONS * reaches the origin as asterisk-form. */
static void
options_asterisk(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_string_equal(hx_origin_req(o, 0)->target, "*");
	assert_string_equal(hx_origin_req(o, 0)->method, "OPTIONS");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A chunked body with no data at all. */
static void
empty_chunked_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;

	r = hx_request(c, "POST / HTTP/1.1\r\nHost: h\r\n"
			  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_int_equal(q->body.total, 0);
	r = hx_request(c, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_HDR(r, "X-Echo-Target", "/after");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* HTTP/1.0 POST with Content-Length. */
static void
http10_post_with_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "POST /form HTTP/1.0\r\nContent-Length: 7\r\n\r\n"
			  "a=1&b=2");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "a=1&b=2");
	assert_string_equal(hx_origin_req(o, 0)->body.buf, "a=1&b=2");
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A client that half-closes after a complete request still gets the
 * answer (nc, some HTTP/1.0 tools). */
static void
client_half_close_after_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = HX_200_OK, .delay_ms = 200 });
	hx_send(c, "GET /hc HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	hx_shutdown_wr(c);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "ok");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* An interim 100 from the origin is not taken for the final answer. */
static void
origin_interim_100_then_final(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal" });
	hx_send(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
	do
		r = hx_recv(c);
	while (r->status == 100);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "final");
	r = hx_request(c, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/next");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* An origin that trickles its answer a few bytes at a time. */
static void
origin_trickled_response(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n"
	    "0\r\n\r\n", .trickle_bytes = 3, .trickle_ms = 5 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello world");
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* 64 clients at once, five rounds: every answer on its own connection,
 * none mixed up. */
static void
many_concurrent_clients(void **state)
{
	enum { N = 64, ROUNDS = 5 };
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o);
	struct hx_conn *c[N];
	int i, k;

	for (i = 0; i < N; i++)
		c[i] = hx_connect(a->port);
	for (k = 0; k < ROUNDS; k++) {
		for (i = 0; i < N; i++)
			hx_sendf(c[i], "POST /c%d/r%d HTTP/1.1\r\nHost: h\r\n"
				       "Content-Length: %zu\r\n\r\nbody-%d-%d",
			    i, k, strlen(hx_printf("body-%d-%d", i, k)), i, k);
		for (i = 0; i < N; i++) {
			struct hx_resp *r = hx_recv(c[i]);

			HX_ASSERT_STATUS(r, 200);
			HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/c%d/r%d", i, k));
			HX_ASSERT_BODY(r, hx_printf("body-%d-%d", i, k));
		}
	}
	for (i = 0; i < N; i++)
		hx_close(c[i]);
	assert_int_equal(hx_origin_nreq(o), N * ROUNDS);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_total"), N * ROUNDS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(method_get_cl),
		HX_TEST(method_get_chunked),
		HX_TEST(method_head_cl),
		HX_TEST(method_head_chunked),
		HX_TEST(method_post_cl),
		HX_TEST(method_post_chunked),
		HX_TEST(method_put_cl),
		HX_TEST(method_put_chunked),
		HX_TEST(method_delete_cl),
		HX_TEST(method_delete_chunked),
		HX_TEST(method_options_cl),
		HX_TEST(method_options_chunked),
		HX_TEST(method_patch_cl),
		HX_TEST(method_patch_chunked),
		HX_TEST(method_extension_cl),
		HX_TEST(get_without_body),
		HX_TEST(post_empty_body),
		HX_TEST(chunked_case_insensitive),
		HX_TEST(hop_by_hop_stripped_from_request),
		HX_TEST(hop_by_hop_stripped_from_response),
		HX_TEST(via_added_to_request),
		HX_TEST(via_appended_to_existing),
		HX_TEST(via_added_to_response),
		HX_TEST(xff_added),
		HX_TEST(xff_appended_to_existing),
		HX_TEST(xfp_overrides_client_value),
		HX_TEST(head_response_has_no_body),
		HX_TEST(status_204_has_no_body),
		HX_TEST(status_304_has_no_body),
		HX_TEST(absolute_form_target),
		HX_TEST(target_passed_verbatim),
		HX_TEST(http10_client_closes_by_default),
		HX_TEST(http10_client_keep_alive),
		HX_TEST(http10_client_gets_no_chunked),
		HX_TEST(http11_connection_close),
		HX_TEST(pipelined_requests_in_order),
		HX_TEST(keepalive_reuse_one_client),
		HX_TEST(keepalive_reuse_across_clients),
		HX_TEST(expect_100_continue),
		HX_TEST(chunked_response_passes),
		HX_TEST(close_delimited_response_passes),
		HX_TEST(repeated_response_fields_pass),
		HX_TEST(origin_status_passes),
		HX_TEST(long_header_value_passes),
		HX_TEST(request_in_tiny_pieces),
		HX_TEST(options_asterisk),
		HX_TEST(empty_chunked_body),
		HX_TEST(http10_post_with_body),
		HX_TEST(client_half_close_after_request),
		HX_TEST(origin_interim_100_then_final),
		HX_TEST(origin_trickled_response),
		HX_TEST(many_concurrent_clients),
	};

	return HX_RUN(tests);
}
