/*
 * test_harness.c: the harness checked by itself, without accel: the raw
 * client talks straight to the scripted origin. When these fail, the
 * other integration tests cannot be trusted.
 */
#include "tests/integration/harness.h"

#include <inttypes.h>

static void
client_origin_echo_cl(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	const struct hx_req *q;

	r = hx_request(c, "POST /echo?x=1 HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 5\r\n\r\nhello");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello");
	HX_ASSERT_HDR(r, "X-Echo-Method", "POST");
	HX_ASSERT_HDR(r, "X-Echo-Target", "/echo?x=1");
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_string_equal(q->method, "POST");
	assert_string_equal(q->target, "/echo?x=1");
	assert_string_equal(q->version, "HTTP/1.1");
	HX_ASSERT_REQ_HDR(q, "host", "h");
	assert_int_equal(q->body.total, 5);
	assert_string_equal(q->body.buf, "hello");
	assert_int_equal(hx_origin_conns(o), 1);
	assert_null(hx_origin_errors(o));
}

static void
client_origin_chunked_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	const struct hx_req *q;

	r = hx_request(c, "PUT / HTTP/1.1\r\nHost: h\r\n"
			  "Transfer-Encoding: chunked\r\n\r\n"
			  "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n"
			  "X-T: 1\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello world");
	q = hx_origin_req(o, 0);
	assert_true(q->chunked);
	assert_true(q->complete);
	assert_string_equal(q->body.buf, "hello world");
	assert_int_equal(q->trailer_bytes, strlen("X-T: 1\r\n"));
	assert_int_equal(q->body.crc, hx_crc32(0, "hello world", 11));
}

static void
client_origin_bad_chunk_recorded(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	const struct hx_req *q;

	hx_send(c, "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		   "\r\nzz\r\nhello\r\n0\r\n\r\n");
	HX_ASSERT_CLOSED(c, 2000);
	hx_origin_wait_heads(o, 1, 1000);
	q = hx_origin_req(o, 0);
	assert_false(q->complete);
	assert_non_null(q->error);
	HX_ASSERT_ORIGIN_NO_REQUEST(o);
}

static void
client_origin_pipelined(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	int i;

	hx_send(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
	for (i = 1; i <= 3; i++) {
		r = hx_recv(c);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/%d", i));
	}
	assert_int_equal(hx_origin_nreq(o), 3);
	assert_int_equal(hx_origin_req(o, 2)->seq_on_conn, 2);
}

static void
client_origin_stream_chunked(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	uint64_t n = 8u << 20;

	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    .stream_len = n, .stream_chunked = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->chunked);
	assert_int_equal(r->body.total, n);
	assert_true(r->body.pattern_ok);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	/* the connection stays usable */
	r = hx_request(c, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
}

static void
client_origin_stream_big(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	uint64_t n = 256u << 20;
	int64_t t0 = hx_now_ms();

	c->no_crc = 1;
	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 268435456\r\n\r\n",
	    .stream_len = n });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, n);
	assert_true(r->body.pattern_ok);
	print_message("harness: 256 MiB origin->client in %" PRId64 " ms\n",
	    hx_now_ms() - t0);
}

static void
client_origin_upload_big(void **state)
{
	struct hx_origin_opts oo = { .no_crc = 1, .body_cap = 1 };
	struct hx_origin *o = hx_origin_start_opts(&oo);
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	uint64_t n = 256u << 20;
	const struct hx_req *q;
	int64_t t0 = hx_now_ms();

	hx_sendf(c, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: %" PRIu64
		 "\r\n\r\n", n);
	hx_send_pattern(c, n);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", "268435456");
	q = hx_origin_req(o, 0);
	assert_int_equal(q->body.total, n);
	assert_true(q->body.pattern_ok);
	print_message("harness: 256 MiB client->origin in %" PRId64 " ms\n",
	    hx_now_ms() - t0);
}

static void
client_origin_close_delimited(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){
	    .raw = "HTTP/1.1 200 OK\r\nX-A: b\r\n\r\nuntil close",
	    .close_after = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->close_delimited);
	HX_ASSERT_BODY(r, "until close");
	HX_ASSERT_HDR(r, "x-a", "b");
}

static void
client_origin_close_and_delay(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;
	int64_t t0;

	hx_origin_push(o, (struct hx_action){ .raw = HX_200_OK, .delay_ms = 300 });
	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE });
	t0 = hx_now_ms();
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_true(hx_now_ms() - t0 >= 290);
	HX_ASSERT_BODY(r, "ok");
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_CLOSED(c, 2000);
	hx_origin_wait_closed(o, 2000);
	assert_int_equal(hx_origin_nreq(o), 2);
}

static void
client_origin_trickle_and_truncation(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
	    .trickle_bytes = 7, .trickle_ms = 20, .close_after = 1 });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	assert_int_equal(r->body.total, 3);
}

static void
client_origin_head_and_quiet(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_conn *c = hx_connect(o->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" });
	r = hx_request_ex(c, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", HX_HEAD);
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, 0);
	HX_ASSERT_QUIET(c, 100);
	HX_ASSERT_ORIGIN_NO_REQUEST(hx_origin_start());
	HX_ASSERT_ORIGIN_UNTOUCHED(hx_origin_start());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(client_origin_echo_cl),
		HX_TEST(client_origin_chunked_request),
		HX_TEST(client_origin_bad_chunk_recorded),
		HX_TEST(client_origin_pipelined),
		HX_TEST(client_origin_stream_chunked),
		HX_TEST(client_origin_stream_big),
		HX_TEST(client_origin_upload_big),
		HX_TEST(client_origin_close_delimited),
		HX_TEST(client_origin_close_and_delay),
		HX_TEST(client_origin_trickle_and_truncation),
		HX_TEST(client_origin_head_and_quiet),
	};

	return HX_RUN(tests);
}
