/*
 * test_bulk.c: bodies stream both ways with bounded memory. 1 GiB up and
 * down through accel with byte counts and pattern checks, accel's peak
 * RSS (VmHWM) bounded; chunked and close-delimited bodies of some MB
 * compared by CRC; backpressure when either side stops reading.
 *
 * The ASan build keeps freed memory in a quarantine (256 MiB by default)
 * that shows up in RSS without being held by accel; the memory tests run
 * accel with a 16 MiB quarantine so that VmHWM measures what accel holds.
 */
#include "tests/integration/harness.h"

#include <inttypes.h>
#include <stdio.h>

#define GIB (1024ull * 1024 * 1024)
#define MEM_LIMIT_KB (250L * 1024)
#define SMALL_QUARANTINE "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:" \
	"quarantine_size_mb=16"

static void
check_hwm(struct hx_accel *a, const char *what)
{
	long hwm = hx_accel_mem_kb(a, "VmHWM");

	print_message("bulk: %s: accel VmHWM %ld kB\n", what, hwm);
	assert_true(hwm > 0);
	if (hwm > MEM_LIMIT_KB)
		HX_FAIL("%s: accel VmHWM %ld kB, over %ld kB", what, hwm,
		    MEM_LIMIT_KB);
}

static void
upload_1gib_content_length(void **state)
{
	struct hx_origin_opts oo = { .no_crc = 1, .body_cap = 1 };
	struct hx_origin *o = hx_origin_start_opts(&oo);
	struct hx_accel *a;
	struct hx_conn *c;
	struct hx_resp *r;
	const struct hx_req *q;
	int64_t t0;

	hx_set_test_timeout(120);
	hx_accel_env(SMALL_QUARANTINE);
	a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	c = hx_connect(a->port);
	c->timeout_ms = 10000;
	t0 = hx_now_ms();
	hx_sendf(c, "PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: %llu\r\n\r\n",
	    GIB);
	hx_send_pattern(c, GIB);
	r = hx_recv(c);
	print_message("bulk: 1 GiB upload in %" PRId64 " ms\n", hx_now_ms() - t0);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", "1073741824");
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_int_equal(q->body.total, GIB);
	assert_true(q->body.pattern_ok);
	HX_ASSERT_REQ_HDR(q, "Content-Length", "1073741824");
	check_hwm(a, "1 GiB upload");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "req_body_bytes"), GIB);
}

static void
download_1gib_content_length(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a;
	struct hx_conn *c;
	struct hx_resp *r;
	int64_t t0;

	hx_set_test_timeout(120);
	hx_accel_env(SMALL_QUARANTINE);
	a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	c = hx_connect(a->port);
	c->timeout_ms = 30000;
	c->no_crc = 1;
	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n",
	    .stream_len = GIB });
	t0 = hx_now_ms();
	r = hx_request(c, "GET /down HTTP/1.1\r\nHost: h\r\n\r\n");
	print_message("bulk: 1 GiB download in %" PRId64 " ms\n", hx_now_ms() - t0);
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, GIB);
	assert_true(r->body.pattern_ok);
	check_hwm(a, "1 GiB download");
	/* the connection is still usable */
	r = hx_request(c, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* 8 MiB sent in chunks of many sizes: the origin gets valid chunked
 * framing and the same bytes. */
static void
upload_chunked_checksum(void **state)
{
	static const size_t sizes[] = { 1, 2, 15, 16, 17, 255, 4096, 4097,
		65535, 65536, 100000, 262144, 300001, 1048576 };
	struct hx_origin_opts oo = { .body_cap = 1 };
	struct hx_origin *o = hx_origin_start_opts(&oo);
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;
	uint64_t n = 8u << 20, k = 0;
	unsigned i = 0;

	hx_send(c, "POST /chunks HTTP/1.1\r\nHost: h\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n");
	while (k < n) {
		size_t piece = sizes[i++ % (sizeof(sizes) / sizeof(sizes[0]))];

		if (piece > n - k)
			piece = (size_t)(n - k);
		hx_sendf(c, "%zx\r\n", piece);
		hx_send_n(c, hx_pattern_at(k), piece);
		hx_send(c, "\r\n");
		k += piece;
	}
	hx_send(c, "0\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", "8388608");
	HX_ASSERT_HDR(r, "X-Echo-Body-CRC", hx_printf("%08x", hx_pattern_crc(n)));
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_true(q->chunked);
	assert_int_equal(q->body.total, n);
	assert_int_equal(q->body.crc, hx_pattern_crc(n));
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* 32 MiB in small chunks of odd sizes with a 300 kB one every seventh,
 * each chunk its own write: the relay toward the origin fills past
 * buffer_high in the middle of buffered client bytes again and again,
 * and must resume with them once the origin side drains. */
static void
upload_chunked_mixed_chunks(void **state)
{
	struct hx_origin_opts oo = { .body_cap = 1 };
	struct hx_origin *o = hx_origin_start_opts(&oo);
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const struct hx_req *q;
	uint64_t n = 32u << 20, k = 0;
	unsigned i = 0;
	char *buf = hx_alloc(310000);

	hx_send(c, "POST /small HTTP/1.1\r\nHost: h\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n");
	while (k < n) {
		size_t piece = i % 7 == 6 ? 300000 : 1000 + (i * 397) % 4000;
		size_t hl;

		i++;

		if (piece > n - k)
			piece = (size_t)(n - k);
		hl = (size_t)sprintf(buf, "%zx\r\n", piece);
		memcpy(buf + hl, hx_pattern_at(k), piece);
		memcpy(buf + hl + piece, "\r\n", 2);
		hx_send_n(c, buf, hl + piece + 2);
		k += piece;
	}
	hx_send(c, "0\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-CRC", hx_printf("%08x", hx_pattern_crc(n)));
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_int_equal(q->body.total, n);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
download_chunked_checksum(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	uint64_t n = 8u << 20;

	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    .stream_len = n, .stream_chunked = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, n);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	r = hx_request(c, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
download_close_delimited_checksum(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	uint64_t n = 8u << 20;

	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		   "\r\n", .stream_len = n, .close_after = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, n);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The client stops reading a 512 MiB response: accel stops reading from
 * the origin (the origin gets stuck far short of the end) and its memory
 * stays bounded; when the client reads again every byte arrives. */
static void
download_backpressure(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a;
	struct hx_conn *c;
	struct hx_resp *r;
	uint64_t n = 512u << 20, sent;

	hx_set_test_timeout(90);
	hx_accel_env(SMALL_QUARANTINE);
	a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	c = hx_connect(a->port);
	c->timeout_ms = 30000;
	c->no_crc = 1;
	c->body_cap = 0;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = hx_printf("HTTP/1.1 200 OK\r\nContent-Length: %" PRIu64
	    "\r\n\r\n", n), .stream_len = n });
	hx_send(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_HEAD_ONLY);
	HX_ASSERT_STATUS(r, 200);
	hx_sleep_ms(1500);
	sent = hx_origin_bytes_sent(o);
	print_message("bulk: stalled client: origin sent %" PRIu64 " bytes\n", sent);
	if (sent > (64u << 20))
		HX_FAIL("the client stopped reading, yet the origin could send "
			"%" PRIu64 " bytes: accel buffers without bound", sent);
	check_hwm(a, "stalled download");
	hx_recv_body(c, r, 0);
	assert_int_equal(r->body.total, n);
	assert_true(r->body.pattern_ok);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A slow reader of a chunked response (chunks of many sizes): the relay
 * pauses and resumes again and again; every byte still comes, in a
 * valid chunked stream. */
static void
download_chunked_slow_reader(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	uint64_t n = 16u << 20;

	c->timeout_ms = 10000;
	c->body_cap = 0;
	c->read_pause_ms = 15;
	c->read_max = 200000;
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    .stream_len = n, .stream_chunked = 1 });
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.total, n);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The origin does not read a 512 MiB upload for a while: accel stops
 * reading from the client, memory stays bounded, and then every byte
 * arrives. */
static void
upload_backpressure(void **state)
{
	struct hx_origin_opts oo = { .no_crc = 1, .body_cap = 1 };
	struct hx_origin *o = hx_origin_start_opts(&oo);
	struct hx_accel *a;
	struct hx_conn *c;
	struct hx_resp *r;
	uint64_t n = 512u << 20, off;
	const struct hx_req *q;

	hx_set_test_timeout(90);
	hx_accel_env(SMALL_QUARANTINE);
	a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	c = hx_connect(a->port);
	c->timeout_ms = 30000;
	hx_origin_push(o, (struct hx_action){ .kind = HX_ECHO,
	    .read_delay_ms = 2500 });
	hx_sendf(c, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: %" PRIu64
		 "\r\n\r\n", n);
	off = hx_send_pattern_partial(c, 0, n, 1000);
	print_message("bulk: stalled origin: client could send %" PRIu64
	    " bytes\n", off);
	if (off > (64u << 20))
		HX_FAIL("the origin stopped reading, yet the client could send "
			"%" PRIu64 " bytes: accel buffers without bound", off);
	check_hwm(a, "stalled upload");
	while (off < n) {
		uint64_t was = off;

		off = hx_send_pattern_partial(c, off, n, 10000);
		if (off == was)
			HX_FAIL("upload stuck at %" PRIu64 " of %" PRIu64 " bytes for "
				"10 s after the origin resumed reading; origin got "
				"%" PRIu64 " bytes", off, n, hx_origin_bytes(o));
	}
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(o, 0);
	assert_int_equal(q->body.total, n);
	assert_true(q->body.pattern_ok);
	hx_close(c);
	hx_accel_stop_ok(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(upload_1gib_content_length),
		HX_TEST(download_1gib_content_length),
		HX_TEST(upload_chunked_checksum),
		HX_TEST(upload_chunked_mixed_chunks),
		HX_TEST(download_chunked_checksum),
		HX_TEST(download_close_delimited_checksum),
		HX_TEST(download_backpressure),
		HX_TEST(download_chunked_slow_reader),
		HX_TEST(upload_backpressure),
	};

	return HX_RUN(tests);
}
