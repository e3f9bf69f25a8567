/*
 * test_limits.c: client-side timeouts and the connection limit: slowloris
 * heads (408), idle keep-alive connections, silent connections,
 * max_connections, and a client that stops reading (timeout_send).
 */
#include "tests/integration/harness.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>

/* 1 when the peer has something to say (bytes or a close). */
static int
readable(struct hx_conn *c, int ms)
{
	struct pollfd pf = { c->fd, POLLIN | POLLRDHUP, 0 };

	return hx_pending(c) > 0 || poll(&pf, 1, ms) > 0;
}

/* Trickle a never-ending head one byte per 100 ms until accel answers;
 * returns the milliseconds that took (fails past limit_ms). */
static int64_t
trickle_until_answer(struct hx_conn *c, int64_t t0, int limit_ms)
{
	while (!readable(c, 100)) {
		if (hx_now_ms() - t0 > limit_ms)
			HX_FAIL("no answer to a trickled head after %d ms", limit_ms);
		if (hx_send_maybe(c, "a", 1) != 0)
			break;
	}
	return hx_now_ms() - t0;
}

/* A head trickled slower than timeout_header in total (though each byte
 * comes well within it) gets 408 and the close. */
static void
slowloris_gets_408(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_header=1",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0 = hx_now_ms(), took;

	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
	took = trickle_until_answer(c, t0, 5000);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 408);
	HX_ASSERT_CONN_CLOSE(r);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	if (took < 800 || took > 2500)
		HX_FAIL("408 after %" PRId64 " ms, want about 1000", took);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "req_timeout"), 1);
}

/* The request line itself unfinished. */
static void
partial_request_line_gets_408(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_header=1",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_send(c, "GET / HT");
	c->timeout_ms = 3000;
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 408);
	HX_ASSERT_CONN_CLOSE(r);
	if (r->elapsed_ms < 800 || r->elapsed_ms > 2500)
		HX_FAIL("408 after %" PRId64 " ms, want about 1000", r->elapsed_ms);
	HX_ASSERT_CLOSED(c, 2000);
	hx_close(c);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
}

/* The head timer runs again for the second request of a keep-alive
 * connection. */
static void
slow_second_request_gets_408(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_header=1 "
	    "-p timeout_idle=10", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;

	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	t0 = hx_now_ms();
	hx_send(c, "GET /2 HTTP/1.1\r\nHost: h\r\nX-Slow: ");
	trickle_until_answer(c, t0, 5000);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 408);
	HX_ASSERT_CONN_CLOSE(r);
	hx_close(c);
	assert_int_equal(hx_origin_nheads(o), 1);
	hx_accel_stop_ok(a);
}

/* A head that arrives slowly but within timeout_header is served. */
static void
slow_head_within_timeout_served(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_header=3",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	assert_int_equal(hx_send_trickle(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n",
	    4, 100), 0);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/slow");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* An idle keep-alive connection is closed after timeout_idle. */
static void
idle_keepalive_closed(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_idle=1",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;
	char *got;
	size_t n;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	t0 = hx_now_ms();
	if (!hx_wait_closed(c, 4000, &got, &n))
		HX_FAIL("idle keep-alive connection still open after 4 s "
			"(timeout_idle=1)");
	if (n != 0)
		HX_FAIL("idle close sent bytes: %s", got);
	if (hx_now_ms() - t0 < 800 || hx_now_ms() - t0 > 2500)
		HX_FAIL("idle connection closed after %" PRId64 " ms, want about "
			"1000", hx_now_ms() - t0);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A pause shorter than timeout_idle keeps the connection. */
static void
idle_keepalive_kept_within_timeout(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_idle=3",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_QUIET(c, 1000);
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Target", "/2");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A connection that never sends a byte does not live forever. */
static void
silent_connection_closed(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_idle=1 "
	    "-p timeout_header=1", o->port);
	struct hx_conn *c = hx_connect(a->port);
	char *got;
	size_t n;

	if (!hx_wait_closed(c, 4000, &got, &n))
		HX_FAIL("a connection that sent nothing is still open after 4 s");
	if (n > 0 && strncmp(got, "HTTP/1.1 408 ", 13) != 0)
		HX_FAIL("a connection that sent nothing got: %s", got);
	hx_close(c);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
}

/* Past max_connections a new connection is closed at once, while the
 * existing ones keep working; a freed slot can be used again. */
static void
max_connections_enforced(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p max_connections=2",
	    o->port);
	struct hx_conn *c1 = hx_connect(a->port), *c2 = hx_connect(a->port), *c3;
	struct hx_resp *r;
	char *got;
	size_t n;
	int64_t t0;
	int ok = 0;
	const char *req4 = "GET /c4 HTTP/1.1\r\nHost: h\r\n\r\n";

	r = hx_request(c1, "GET /c1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c2, "GET /c2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);

	c3 = hx_connect(a->port); /* the kernel completes the handshake */
	hx_send_maybe(c3, "GET /c3 HTTP/1.1\r\nHost: h\r\n\r\n",
	    strlen("GET /c3 HTTP/1.1\r\nHost: h\r\n\r\n"));
	if (!hx_wait_closed(c3, 1000, &got, &n))
		HX_FAIL("the third connection is still open after 1 s "
			"(max_connections=2)");
	if (n > 0 && strstr(got, " 200 ") != NULL)
		HX_FAIL("the third connection was served: %s", got);
	hx_close(c3);

	r = hx_request(c1, "GET /c1b HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	r = hx_request(c2, "GET /c2b HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(hx_origin_nreq(o), 4);

	/* free a slot: a new connection is served again (accel notices the
	 * close asynchronously, so allow it a moment) */
	hx_close(c1);
	t0 = hx_now_ms();
	while (!ok && hx_now_ms() - t0 < 3000) {
		struct hx_conn *c4 = hx_connect(a->port);

		if (hx_send_maybe(c4, req4, strlen(req4)) == 0 &&
		    readable(c4, 1000)) {
			hx_wait_closed(c4, 100, &got, &n);
			ok = strncmp(got, "HTTP/1.1 200 ", 13) == 0;
		}
		hx_close(c4);
		if (!ok)
			hx_sleep_ms(100);
	}
	if (!ok)
		HX_FAIL("after closing one of two connections, new connections are "
			"still refused (max_connections=2)");
	hx_close(c2);
	hx_accel_stop_ok(a);
	assert_true(hx_counter(a, "sess_refused") >= 1);
}

/* A client that stops reading a large response is dropped after
 * timeout_send, and the origin fetch is abandoned with it. */
static void
stalled_reader_dropped_after_timeout_send(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_send=1",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	uint64_t n = 512u << 20;

	c->no_crc = 1;
	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = hx_printf("HTTP/1.1 200 OK\r\nContent-Length: %" PRIu64
	    "\r\n\r\n", n), .stream_len = n });
	hx_send(c, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_HEAD_ONLY);
	HX_ASSERT_STATUS(r, 200);
	hx_sleep_ms(3000); /* stop reading */
	c->timeout_ms = 3000;
	hx_recv_body(c, r, HX_TRUNC_OK);
	if (!r->truncated)
		HX_FAIL("the stalled client got the whole body (%" PRIu64 " bytes); "
			"timeout_send=1 did not drop it", r->body.total);
	assert_true(r->body.pattern_ok);
	hx_close(c);
	hx_origin_wait_closed(o, 3000);
	if (hx_origin_bytes_sent(o) > n / 2)
		HX_FAIL("the origin sent %" PRIu64 " bytes for a dropped client",
		    hx_origin_bytes_sent(o));
	hx_accel_stop_ok(a);
}

/* An idle pooled origin connection is closed after timeout_backend_idle;
 * the next request opens a new one. */
static void
backend_idle_connection_closed(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d "
	    "-p timeout_backend_idle=0.5 -p timeout_idle=10", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;

	r = hx_request(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	t0 = hx_now_ms();
	hx_origin_wait_closed(o, 3000);
	if (hx_now_ms() - t0 < 300)
		HX_FAIL("pooled origin connection closed after %" PRId64 " ms, "
			"before timeout_backend_idle=0.5", hx_now_ms() - t0);
	r = hx_request(c, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(hx_origin_conns(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(slowloris_gets_408),
		HX_TEST(partial_request_line_gets_408),
		HX_TEST(slow_second_request_gets_408),
		HX_TEST(slow_head_within_timeout_served),
		HX_TEST(idle_keepalive_closed),
		HX_TEST(idle_keepalive_kept_within_timeout),
		HX_TEST(silent_connection_closed),
		HX_TEST(max_connections_enforced),
		HX_TEST(stalled_reader_dropped_after_timeout_send),
		HX_TEST(backend_idle_connection_closed),
	};

	return HX_RUN(tests);
}
