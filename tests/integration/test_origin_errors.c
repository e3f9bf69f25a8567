/*
 * test_origin_errors.c: what the client gets when the origin fails:
 * unreachable (503), slow (504), malformed or truncated heads (502),
 * bodies cut short (the client connection is closed early), pooled
 * connections closed under accel (one retry, for idempotent requests
 * without a body), and backend pools with dead members.
 */
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static struct hx_accel *
proxy(struct hx_origin *o, const char *params)
{
	return hx_accel_start("-b 127.0.0.1:%d %s", o->port, params ? params : "");
}

/* One request, one expected status; the origin answers with raw. */
static struct hx_accel *
bad_answer(const char *raw, int close_after, int status)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = raw,
	    .close_after = close_after });
	r = hx_request(c, "GET /bad HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, status);
	hx_close(c);
	hx_accel_stop_ok(a);
	return a;
}

static void
unreachable_origin_503_fast(void **state)
{
	int port = hx_free_port();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 503);
	if (r->elapsed_ms > 1000)
		HX_FAIL("503 for a refused connection took %" PRId64 " ms",
		    r->elapsed_ms);
	/* the client connection survives an origin failure */
	if (!hx_list_has(hx_resp_hdr_all(r, "Connection"), "close")) {
		r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		HX_ASSERT_STATUS(r, 503);
	}
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_true(hx_counter(a, "fetch_err_connect") >= 1);
}

/* An origin whose accept queue is full never completes the handshake:
 * timeout_connect gives 503. */
static void
connect_timeout_503(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), port;
	struct hx_accel *a;
	struct hx_conn *filler, *c;
	struct hx_resp *r;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	filler = hx_connect(port); /* fills the backlog of 0 */
	(void)filler;

	a = hx_accel_start("-b 127.0.0.1:%d -p timeout_connect=0.5", port);
	c = hx_connect(a->port);
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	close(lfd);
	HX_ASSERT_STATUS(r, 503);
	if (r->elapsed_ms < 400 || r->elapsed_ms > 2500)
		HX_FAIL("503 after %" PRId64 " ms, want about 500", r->elapsed_ms);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_true(hx_counter(a, "fetch_err_connect") >= 1);
}

static void
first_byte_timeout_504(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, "-p timeout_first_byte=0.5");
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_HANG });
	r = hx_request(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 504);
	if (r->elapsed_ms < 400 || r->elapsed_ms > 2500)
		HX_FAIL("504 after %" PRId64 " ms, want about 500", r->elapsed_ms);
	hx_close(c);
	/* accel gave up on the origin connection */
	hx_origin_wait_closed(o, 2000);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 1);
}

/* A response head trickled in but never finished is a first-byte /
 * head timeout too, not a hang. */
static void
head_never_finished_504(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, "-p timeout_first_byte=0.5 "
	    "-p timeout_between_bytes=0.5");
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\nX-A: 1\r\n",
	    .hang_after = 1 });
	c->timeout_ms = 4000;
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 504);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Origin stalls in the middle of the body: the client has the head, so
 * the only honest signal left is closing its connection early. */
static void
between_bytes_timeout_closes_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, "-p timeout_between_bytes=0.5");
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 100\r\n\r\n0123456789", .hang_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	t0 = hx_now_ms();
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	assert_int_equal(r->body.total, 10);
	if (hx_now_ms() - t0 > 2500)
		HX_FAIL("client closed after %" PRId64 " ms, want about 500",
		    hx_now_ms() - t0);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 1);
}

static void
garbage_response_502(void **state)
{
	struct hx_accel *a = bad_answer("garbage garbage\r\n\r\n", 1, 502);

	assert_int_equal(hx_counter(a, "fetch_err_proto"), 1);
}

static void
not_http_at_all_502(void **state)
{
	bad_answer("SSH-2.0-OpenSSH_9.2\r\n", 1, 502);
}

static void
truncated_head_502(void **state)
{
	struct hx_accel *a = bad_answer("HTTP/1.1 200 OK\r\nContent-Le", 1, 502);

	assert_int_equal(hx_counter(a, "fetch_err_proto"), 1);
}

/* A fresh connection closed without one byte of answer. */
static void
close_without_answer_502(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 502);
	hx_close(c);
	hx_accel_stop_ok(a);
	/* a fresh connection is not retried */
	assert_int_equal(hx_origin_nreq(o), 1);
}

static void
response_two_content_lengths_502(void **state)
{
	bad_answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
		   "\r\nok!", 1, 502);
}

static void
response_cl_and_te_502(void **state)
{
	bad_answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: "
		   "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 1, 502);
}

static void
response_te_not_chunked_502(void **state)
{
	bad_answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", 1, 502);
}

static void
response_bare_lf_502(void **state)
{
	bad_answer("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 1, 502);
}

static void
response_obs_fold_502(void **state)
{
	bad_answer("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
	    1, 502);
}

static void
response_bad_status_line_502(void **state)
{
	bad_answer("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok", 1, 502);
}

static void
response_head_too_big_502(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, "-p max_resp_head=4k");
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char *v = hx_alloc(8001);

	memset(v, 'v', 8000);
	hx_origin_push(o, (struct hx_action){ .raw = hx_printf("HTTP/1.1 200 OK"
	    "\r\nX-Big: %s\r\nContent-Length: 2\r\n\r\nok", v), .close_after = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 502);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Body cut short after the head was passed on: the client gets the head
 * and part of the body, then its connection closes (never a body that
 * looks complete). */
static void
truncated_body_cl_closes_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 100\r\n\r\n0123456789", .close_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	assert_true(r->body.total <= 10);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
truncated_body_chunked_closes_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", .close_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	if (!r->truncated)
		HX_FAIL("the client got a complete-looking body (%s) from a "
			"truncated chunked origin response", r->chunked ?
			"chunked, with a last chunk" : "close-delimited");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Bad chunked framing in the origin's body: a 502 when nothing was sent
 * yet, else the client connection is closed early; never a body that
 * looks complete, and never a silent close without any answer. */
static void
bad_chunk_in_response_closes_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	size_t n;
	char *got;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nxx\r\n0\r\n\r\n",
	    .hang_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	if (!hx_wait_closed(c, 3000, &got, &n))
		HX_FAIL("client connection still open 3 s after bad chunked "
			"framing from the origin; got %zu bytes", n);
	if (n == 0)
		HX_FAIL("the client got no answer at all: accel closed the "
			"connection without a byte (want 502, or the head and a "
			"truncated body)");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	if (r->status == 200 && !r->truncated)
		HX_FAIL("bad chunked framing from the origin passed as a complete "
			"body");
	if (r->status != 200)
		HX_ASSERT_STATUS(r, 502);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Same, with the bad framing arriving after the head and a good chunk
 * were passed on: the client has a 200 head, then an early close. */
static void
bad_chunk_in_response_later_closes_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *part1 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			    "\r\n5\r\nhello\r\n";

	hx_origin_push(o, (struct hx_action){ .raw = hx_printf("%s%s", part1,
	    "zz\r\nxx\r\n0\r\n\r\n"), .trickle_bytes = (int)strlen(part1),
	    .trickle_ms = 300, .hang_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	if (!r->truncated)
		HX_FAIL("bad chunked framing from the origin passed as a complete "
			"body of %" PRIu64 " bytes", r->body.total);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_proto"), 1);
}

/* The origin closes a pooled connection while it is idle: the next
 * request goes out on a new connection and succeeds. */
static void
pooled_conn_closed_while_idle(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	/* keep-alive by its headers, but closed right after */
	hx_origin_push(o, (struct hx_action){ .raw = HX_200_OK, .close_after = 1 });
	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_origin_wait_closed(o, 2000);
	hx_sleep_ms(100);
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/2");
	assert_int_equal(hx_origin_conns(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The origin takes the request on a pooled connection and closes it
 * without a byte of answer: one retry on a fresh connection. */
static void
check_pooled_retry(int rst)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE, .rst = rst });
	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/2");
	HX_ASSERT_HDR(r, "X-Origin-Conn", "1");
	assert_int_equal(hx_origin_conns(o), 2);
	assert_int_equal(hx_origin_nreq(o), 3);
	assert_string_equal(hx_origin_req(o, 1)->target, "/2");
	assert_string_equal(hx_origin_req(o, 2)->target, "/2");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 1);
}

static void
pooled_conn_closed_after_request_retried(void **state)
{
	check_pooled_retry(0);
}

static void
pooled_conn_reset_after_request_retried(void **state)
{
	check_pooled_retry(1);
}

/* Only one retry: when the fresh connection fails too, 502. */
static void
retry_only_once(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 502);
	hx_sleep_ms(100);
	assert_int_equal(hx_origin_nreq(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 1);
}

/* A request with a body is never retried: the origin may have acted. */
static void
post_not_retried(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c, "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
			  "\r\nhello");
	HX_ASSERT_STATUS(r, 502);
	hx_sleep_ms(100);
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 0);
}

/* Nor is a non-idempotent method without a body. */
static void
bodiless_post_not_retried(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c, "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
			  "\r\n");
	HX_ASSERT_STATUS(r, 502);
	hx_sleep_ms(100);
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The origin says Connection: close: accel does not reuse that
 * connection (no retry needed, no error). */
static void
origin_connection_close_honoured(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = proxy(o, NULL);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int i;

	hx_origin_default(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\nContent-Length: 2\r\n\r\nok", .close_after = 1 });
	for (i = 0; i < 3; i++) {
		r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "ok");
	}
	assert_int_equal(hx_origin_conns(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 0);
	assert_int_equal(hx_counter(a, "backend_conn_reuse"), 0);
}

/* Two backends, the first dead: every request still succeeds. */
static void
one_dead_backend_skipped(void **state)
{
	struct hx_origin *o = hx_origin_start();
	int dead = hx_free_port(), i;
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -b 127.0.0.1:%d",
	    dead, o->port);
	struct hx_conn *ka = hx_connect(a->port);

	for (i = 0; i < 10; i++) {
		struct hx_conn *c = hx_connect(a->port);
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

		HX_ASSERT_STATUS(r, 200);
		hx_close(c);
		r = hx_request(ka, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		HX_ASSERT_STATUS(r, 200);
	}
	assert_int_equal(hx_origin_nreq(o), 20);
	hx_close(ka);
	hx_accel_stop_ok(a);
}

/* Same with the dead one last. */
static void
one_dead_backend_skipped_last(void **state)
{
	struct hx_origin *o = hx_origin_start();
	int dead = hx_free_port(), i;
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -b 127.0.0.1:%d",
	    o->port, dead);

	for (i = 0; i < 10; i++) {
		struct hx_conn *c = hx_connect(a->port);
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

		HX_ASSERT_STATUS(r, 200);
		hx_close(c);
	}
	hx_accel_stop_ok(a);
}

static void
all_backends_dead_503(void **state)
{
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -b 127.0.0.1:%d",
	    hx_free_port(), hx_free_port());
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 503);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Two live backends share the requests round-robin. */
static void
round_robin_two_backends(void **state)
{
	struct hx_origin *o1 = hx_origin_start(), *o2 = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-t 1 -b 127.0.0.1:%d -b 127.0.0.1:%d",
	    o1->port, o2->port);
	int i;

	for (i = 0; i < 10; i++) {
		struct hx_conn *c = hx_connect(a->port);
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

		HX_ASSERT_STATUS(r, 200);
		hx_close(c);
	}
	if (hx_origin_nreq(o1) < 4 || hx_origin_nreq(o2) < 4)
		HX_FAIL("round-robin split 10 requests %d / %d", hx_origin_nreq(o1),
		    hx_origin_nreq(o2));
	hx_accel_stop_ok(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(unreachable_origin_503_fast),
		HX_TEST(connect_timeout_503),
		HX_TEST(first_byte_timeout_504),
		HX_TEST(head_never_finished_504),
		HX_TEST(between_bytes_timeout_closes_client),
		HX_TEST(garbage_response_502),
		HX_TEST(not_http_at_all_502),
		HX_TEST(truncated_head_502),
		HX_TEST(close_without_answer_502),
		HX_TEST(response_two_content_lengths_502),
		HX_TEST(response_cl_and_te_502),
		HX_TEST(response_te_not_chunked_502),
		HX_TEST(response_bare_lf_502),
		HX_TEST(response_obs_fold_502),
		HX_TEST(response_bad_status_line_502),
		HX_TEST(response_head_too_big_502),
		HX_TEST(truncated_body_cl_closes_client),
		HX_TEST(truncated_body_chunked_closes_client),
		HX_TEST(bad_chunk_in_response_closes_client),
		HX_TEST(bad_chunk_in_response_later_closes_client),
		HX_TEST(pooled_conn_closed_while_idle),
		HX_TEST(pooled_conn_closed_after_request_retried),
		HX_TEST(pooled_conn_reset_after_request_retried),
		HX_TEST(retry_only_once),
		HX_TEST(post_not_retried),
		HX_TEST(bodiless_post_not_retried),
		HX_TEST(origin_connection_close_honoured),
		HX_TEST(one_dead_backend_skipped),
		HX_TEST(one_dead_backend_skipped_last),
		HX_TEST(all_backends_dead_503),
		HX_TEST(round_robin_two_backends),
	};

	return HX_RUN(tests);
}
