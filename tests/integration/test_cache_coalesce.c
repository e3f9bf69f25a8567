/*
 * test_cache_coalesce.c: one origin fetch per key (accel/cache.c,
 * accel/cache_wait.c): requests that find a fetch in flight wait on its
 * busy object and follow the body as it arrives, on every worker thread;
 * hit-for-miss keys are fetched in parallel; a waited-on fetch that fails
 * or a waiter that leaves disturbs no one else.
 *
 * Timing: an origin that holds its answer (delay_ms) keeps the object
 * busy; the requests that must coalesce are all sent well inside that
 * window, and a test that depends on it says so.
 */
#include "tests/integration/cache_test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Does the response's Cache-Status start with prefix? */
static int
cs_starts(const struct hx_resp *r, const char *prefix)
{
	const char *cs = hx_resp_hdr(r, "Cache-Status");

	return cs != NULL && strncmp(cs, prefix, strlen(prefix)) == 0;
}

/* The whole n-byte pattern body, by length and CRC. */
#define ASSERT_PATTERN(r, n) assert_pattern_at(r, n, __FILE__, __LINE__)
static void
assert_pattern_at(const struct hx_resp *r, uint64_t n, const char *file,
    int line)
{
	if (r->status != 200 || r->body.total != n ||
	    r->body.crc != hx_pattern_crc(n) || !r->body.pattern_ok)
		hx_fail_at(file, line, "want 200 with %" PRIu64 " pattern bytes, "
		    "got %d with %" PRIu64 " bytes (CRC %08x, want %08x):\n%.*s",
		    n, r->status, r->body.total, r->body.crc, hx_pattern_crc(n),
		    (int)r->head_len, r->head);
}

/* Send GET target on each of c[0..n). */
static void
send_all(struct hx_conn **c, int n, const char *target)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);

	for (int i = 0; i < n; i++)
		hx_send(c[i], req);
}

/* n new client connections. */
static struct hx_conn **
connect_n(struct hx_accel *a, int n)
{
	struct hx_conn **c = hx_alloc((size_t)n * sizeof(*c));

	for (int i = 0; i < n; i++)
		c[i] = hx_connect(a->port);
	return c;
}

/* ------------------------------------------------------------------ */
/* Many clients, one fetch                                             */

#define NCLIENTS 100
#define BIG_BODY (300u * 1024)
#define HOLD_MS 500

/*
 * 100 clients ask for one cold URL whose origin holds its head 500 ms,
 * then sends 300 KiB. The first request's fetch creates the busy object;
 * the 99 others, sent while the origin holds its answer, find it busy and
 * wait ("collapsed"), on whichever worker accepted them. The origin sees
 * one request; every client gets the whole body byte for byte.
 */
static void
coalesce_many(const char *params)
{
	struct rig *t = RIG_START(params);
	struct hx_conn **c = connect_n(t->a, NCLIENTS - 1);
	int collapsed = 0, hits = 0;
	int64_t t_head, sent_ms;
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = hx_printf("HTTP/1.1 200 OK\r\n" MAX_AGE_60
	    "Content-Length: %u\r\n\r\n", BIG_BODY),
	    .stream_len = BIG_BODY, .delay_ms = HOLD_MS });

	hx_send(t->c, "GET /hot HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	t_head = hx_now_ms();
	send_all(c, NCLIENTS - 1, "/hot");
	sent_ms = hx_now_ms() - t_head;

	r = hx_recv(t->c);
	ASSERT_PATTERN(r, BIG_BODY);
	ASSERT_STORED_MISS(r, 60);
	for (int i = 0; i < NCLIENTS - 1; i++) {
		r = hx_recv(c[i]);
		ASSERT_PATTERN(r, BIG_BODY);
		HX_ASSERT_HDR(r, "Content-Length", hx_printf("%u", BIG_BODY));
		if (cs_starts(r, "accel; fwd=miss; collapsed; ttl="))
			collapsed++;
		else if (cs_starts(r, "accel; hit; ttl="))
			hits++; /* came after the head: an ordinary hit */
		else
			HX_FAIL("client %d: neither collapsed nor a hit:\n%.*s", i,
			    (int)r->head_len, r->head);
	}
	for (int i = 0; i < NCLIENTS - 1; i++)
		hx_close(c[i]);

	RIG_DONE(t, 1);
	assert_int_equal(hx_origin_conns(t->o), 1);
	assert_int_equal(collapsed + hits, NCLIENTS - 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), collapsed);
	/* Sent with 200 ms of the origin's hold to spare, every one of them
	 * found the fetch in flight. */
	if (sent_ms < HOLD_MS - 200)
		assert_int_equal(collapsed, NCLIENTS - 1);
	else
		fprintf(stderr, "# the 99 requests took %" PRId64 " ms to send: "
		    "%d collapsed, %d hits\n", sent_ms, collapsed, hits);
	assert_int_equal(hx_counter(t->a, "cache_miss"), 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
	assert_int_equal(hx_counter(t->a, "fetch_total"), 1);
	assert_int_equal(log_lines_with(t->a, "GET /hot ", " 200 "), NCLIENTS);
}

/* Two workers: the waiters sit on both, and the fetch's thread wakes the
 * other one through its eventfd. */
static void
coalesce_100_clients_two_threads(void **state)
{
	coalesce_many("-t 2");
}

/* One worker: every waiter is woken on the fetch's own thread. */
static void
coalesce_100_clients_one_thread(void **state)
{
	coalesce_many("-t 1");
}

/* ------------------------------------------------------------------ */
/* Following a body as it arrives                                      */

#define PIECE 128
#define NPIECES 10

/*
 * The origin sends its head at once, then the body in 10 pieces 100 ms
 * apart. A second client that comes after the third piece gets the head
 * and the bytes already there at once, then the rest as it arrives: its
 * first body bytes come while the origin is still sending.
 */
static void
late_client_follows_streaming_body(void **state)
{
	struct rig *t = RIG_START("");
	char body[PIECE * NPIECES + 1];
	const char *head;
	struct hx_conn *c2;
	struct hx_resp *r1, *r2;
	int64_t t_req, t_first, t_end;
	uint64_t sent_at_first, total;
	char *first, *rest;

	for (int i = 0; i < PIECE * NPIECES; i++)
		body[i] = (char)('a' + i % 26);
	body[PIECE * NPIECES] = '\0';
	/* A head of exactly PIECE bytes, so every trickled piece after it
	 * is PIECE body bytes. */
	head = hx_printf("HTTP/1.1 200 OK\r\n" MAX_AGE_60
	    "Content-Length: %d\r\nX-Pad: ", PIECE * NPIECES);
	head = hx_printf("%s%.*s\r\n\r\n", head, (int)(PIECE - strlen(head) - 4),
	    "................................................................"
	    "................................................................");
	assert_int_equal(strlen(head), PIECE);
	total = PIECE + PIECE * NPIECES;
	hx_origin_push(t->o, (struct hx_action){ .raw = hx_printf("%s%s", head,
	    body), .trickle_bytes = PIECE, .trickle_ms = 100 });

	hx_send(t->c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	r1 = hx_recv_ex(t->c, HX_HEAD_ONLY);
	ASSERT_STORED_MISS(r1, 60);

	/* Mid-body: the head and three pieces are out. */
	for (int64_t end = hx_now_ms() + 3000;
	     hx_origin_bytes_sent(t->o) < PIECE * 4; hx_sleep_ms(5))
		if (hx_now_ms() > end)
			HX_FAIL("the origin sent %" PRIu64 " bytes in 3 s",
			    hx_origin_bytes_sent(t->o));
	c2 = hx_connect(t->a->port);
	t_req = hx_now_ms();
	hx_send(c2, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	r2 = hx_recv_ex(c2, HX_HEAD_ONLY);
	ASSERT_HIT(r2, 59, 60);
	HX_ASSERT_HDR(r2, "Content-Length", hx_printf("%d", PIECE * NPIECES));
	first = hx_recv_exact(c2, PIECE);
	t_first = hx_now_ms();
	sent_at_first = hx_origin_bytes_sent(t->o);
	rest = hx_recv_exact(c2, PIECE * (NPIECES - 1));
	t_end = hx_now_ms();

	assert_memory_equal(first, body, PIECE);
	assert_memory_equal(rest, body + PIECE, PIECE * (NPIECES - 1));
	if (sent_at_first >= total)
		HX_FAIL("the first body bytes came only after the origin had "
		    "sent everything (%" PRIu64 " bytes)", sent_at_first);
	/* Six pieces, 600 ms, were still to come: the first bytes came well
	 * before the last. */
	if (t_end - t_first < 200)
		HX_FAIL("first body bytes %" PRId64 " ms after the request, the "
		    "last %" PRId64 " ms after: not streamed", t_first - t_req,
		    t_end - t_req);

	hx_recv_body(t->c, r1, 0);
	HX_ASSERT_BODY(r1, body);
	GET_HIT(c2, "/slow", body, 58, 60);
	hx_close(c2);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
}

/*
 * Regression: a client that finds more than buffer_high bytes of a
 * filling object already there queues that much at once, and a fresh
 * loopback socket takes it all in one write. It used to wait for a drain
 * event that such a write never brings, and stalled for good at 256 KiB.
 * Here the origin sends its head and 400 KB at once, the other 200 KB a
 * second later.
 */
static void
late_client_finds_more_than_buffer_high(void **state)
{
	struct rig *t = RIG_START("");
	const uint64_t n = 600000, first = 400000;
	struct hx_conn *c2;
	struct hx_resp *r, *r1;
	const char *head = hx_printf("HTTP/1.1 200 OK\r\n" MAX_AGE_60
	    "Content-Length: %" PRIu64 "\r\n\r\n", n);
	size_t hl = strlen(head);
	char *raw = hx_alloc(hl + n);

	memcpy(raw, head, hl);
	for (uint64_t k = 0; k < n; k++)
		raw[hl + k] = (char)hx_pattern_byte(k);
	hx_origin_push(t->o, (struct hx_action){ .raw = raw, .raw_len = hl + n,
	    .trickle_bytes = (int)(hl + first), .trickle_ms = 1000 });

	hx_send(t->c, "GET /much HTTP/1.1\r\nHost: h\r\n\r\n");
	r1 = hx_recv_ex(t->c, HX_HEAD_ONLY);
	ASSERT_STORED_MISS(r1, 60);
	for (int64_t end = hx_now_ms() + 3000;
	     hx_origin_bytes_sent(t->o) < hl + first; hx_sleep_ms(5))
		if (hx_now_ms() > end)
			HX_FAIL("the origin sent %" PRIu64 " bytes in 3 s",
			    hx_origin_bytes_sent(t->o));
	hx_sleep_ms(100); /* accel reads and stores them */

	c2 = hx_connect(t->a->port);
	r = GET(c2, "/much");
	ASSERT_PATTERN(r, n);
	ASSERT_HIT(r, 58, 60);
	hx_recv_body(t->c, r1, 0);
	ASSERT_PATTERN(r1, n);
	hx_close(c2);
	RIG_DONE(t, 1);
}

/*
 * The origin holds a chunked answer (length unknown until its end), then
 * trickles it: the waiters, woken at the head, get it as HTTP/1.1 chunks,
 * or close-delimited for HTTP/1.0; a HEAD waiter gets the head alone; a
 * waiter with a second request pipelined behind the first gets both
 * answers. The stored object then has a Content-Length.
 */
static void
waiters_of_every_kind(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 4);
	char body[10 * 64 + 1];
	const char *head, *raw;
	struct hx_resp *r;
	size_t len;

	for (int i = 0; i < 10 * 64; i++)
		body[i] = (char)('A' + i % 26);
	body[10 * 64] = '\0';
	head = "HTTP/1.1 200 OK\r\n" MAX_AGE_60 "Transfer-Encoding: chunked\r\n";
	/* A head of exactly PIECE bytes: the trickle sends it alone. */
	head = hx_printf("%sX-Pad: %.*s\r\n\r\n", head,
	    (int)(PIECE - strlen(head) - 11),
	    "................................................................");
	assert_int_equal(strlen(head), PIECE);
	raw = head;
	for (int i = 0; i < 10; i++)
		raw = hx_printf("%s40\r\n%.64s\r\n", raw, body + 64 * i);
	raw = hx_printf("%s0\r\n\r\n", raw);
	/* The head after 300 ms, then PIECE bytes every 100 ms. */
	hx_origin_push(t->o, (struct hx_action){ .raw = raw, .delay_ms = 300,
	    .trickle_bytes = PIECE, .trickle_ms = 100 });

	hx_send(t->c, "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	hx_send(c[0], "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_send(c[1], "GET /k HTTP/1.0\r\nHost: h\r\n\r\n");
	hx_send(c[2], "HEAD /k HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_send(c[3], "GET /k HTTP/1.1\r\nHost: h\r\n\r\n"
		      "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");

	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, body);
	assert_true(r->chunked);
	r = hx_recv(c[0]);
	HX_ASSERT_BODY(r, body);
	assert_true(r->chunked);
	ASSERT_CS_HAS(r, "collapsed");
	r = hx_recv(c[1]);
	HX_ASSERT_BODY(r, body);
	assert_true(r->close_delimited);
	ASSERT_CS_HAS(r, "collapsed");
	(void)hx_recv_until_close(c[1], &len);
	assert_int_equal(len, 0);
	r = hx_recv_ex(c[2], HX_HEAD);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_NO_HDR(r, "Content-Length");
	ASSERT_CS_HAS(r, "collapsed");
	r = hx_recv(c[3]);
	HX_ASSERT_BODY(r, body);
	ASSERT_CS_HAS(r, "collapsed");
	r = hx_recv(c[3]);
	HX_ASSERT_BODY(r, body);
	ASSERT_HIT(r, 58, 60);
	HX_ASSERT_HDR(r, "Content-Length", "640");
	assert_int_equal(hx_pending(c[2]), 0);
	r = GET(c[2], "/k");
	HX_ASSERT_BODY(r, body);
	for (int i = 0; i < 4; i++)
		hx_close(c[i]);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 4);
}

/* ------------------------------------------------------------------ */
/* Hit-for-miss                                                        */

/*
 * An uncacheable answer (`fields`) leaves a hit-for-miss marker: the next
 * three concurrent requests go to the origin in parallel. The origin
 * holds each answer 500 ms and sees all three heads before it answers
 * the first, so the three took well under 2 x 500 ms. Once the origin
 * answers cacheably, the answer is stored and then hit.
 */
static void
hfm_parallel(const char *fields)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 3);
	uint64_t sent_before;
	int64_t t0, elapsed;
	struct hx_resp *r;

	respond(t->o, ok(fields, "first"));
	for (int i = 0; i < 3; i++)
		hx_origin_push(t->o, (struct hx_action){ .raw = ok(fields,
		    "parallel"), .delay_ms = HOLD_MS });
	respond_fresh(t->o, "cacheable");

	r = GET_MISS(t->c, "/hfm", "first");
	HX_ASSERT_STATUS(r, 200);
	/* The origin counts its bytes after send() returns, which may be
	 * after our client read them. */
	sent_before = strlen(ok(fields, "first"));
	for (int64_t end = hx_now_ms() + 1000;
	     hx_origin_bytes_sent(t->o) != sent_before; hx_sleep_ms(1))
		if (hx_now_ms() > end)
			HX_FAIL("the origin sent %" PRIu64 " bytes, want %" PRIu64,
			    hx_origin_bytes_sent(t->o), sent_before);

	t0 = hx_now_ms();
	send_all(c, 3, "/hfm");
	hx_origin_wait_heads(t->o, 4, 3000);
	if (hx_origin_bytes_sent(t->o) != sent_before)
		HX_FAIL("the origin answered one of the three before it saw the "
		    "third: the requests were serialised");
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "parallel");
		ASSERT_MISS(r);
	}
	elapsed = hx_now_ms() - t0;
	if (elapsed >= 2 * HOLD_MS)
		HX_FAIL("three hit-for-miss requests took %" PRId64 " ms: not "
		    "parallel", elapsed);
	for (int i = 0; i < 3; i++)
		hx_close(c[i]);

	GET_STORED(t->c, "/hfm", "cacheable", 60);
	GET_HIT(t->c, "/hfm", "cacheable", 59, 60);

	RIG_DONE(t, 5);
	/* One marker, by the first answer; the parallel fetches fill none. */
	assert_int_equal(hx_counter(t->a, "cache_hfm"), 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 0);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
}

static void
hfm_no_store_fetches_in_parallel(void **state)
{
	hfm_parallel("Cache-Control: no-store\r\n");
}

static void
hfm_private_fetches_in_parallel(void **state)
{
	hfm_parallel("Cache-Control: private, max-age=60\r\n");
}

/*
 * Requests that waited on a fetch whose answer turns out uncacheable
 * cannot share it: each then fetches for itself, in parallel, and gets
 * its own answer.
 */
static void
waiters_on_uncacheable_answer_fetch_themselves(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 3);
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .raw = ok(
	    "Cache-Control: no-store\r\n", "mine"), .delay_ms = 300 });
	hx_origin_default(t->o, (struct hx_action){ .raw = ok(
	    "Cache-Control: no-store\r\n", "theirs") });

	hx_send(t->c, "GET /u HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	send_all(c, 3, "/u");
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "mine");
	ASSERT_MISS(r);
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "theirs");
		ASSERT_MISS(r);
		hx_close(c[i]);
	}
	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 3);
	assert_int_equal(hx_counter(t->a, "cache_hfm"), 1);
}

/* With -p hfm_ttl=1 the marker lasts a second: then a cacheable answer is
 * fetched once for concurrent requests again. */
static void
hfm_ttl_expires_then_coalesces(void **state)
{
	struct rig *t = RIG_START("-p hfm_ttl=1");
	struct hx_conn **c = connect_n(t->a, 3);
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: no-store\r\n", "uncacheable"));
	hx_origin_push(t->o, (struct hx_action){ .raw = ok(MAX_AGE_60,
	    "cacheable"), .delay_ms = HOLD_MS });

	GET_MISS(t->c, "/t", "uncacheable");
	hx_sleep_ms(1100);

	hx_send(t->c, "GET /t HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 2, 3000);
	send_all(c, 3, "/t");
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "cacheable");
	ASSERT_STORED_MISS(r, 60);
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_BODY(r, "cacheable");
		ASSERT_CS_HAS(r, "collapsed");
		hx_close(c[i]);
	}
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 3);
}

/* ------------------------------------------------------------------ */
/* The fetch waited on fails                                           */

/*
 * The origin closes without answering the first request: its client
 * gets 502. The requests waiting on that fetch do not hang: the object
 * failed, so each fetches again on its own (at most one more origin
 * request per waiter) and gets the origin's next answer.
 */
static void
waited_fetch_closed_without_answer(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 3);
	struct hx_resp *r;
	int64_t t0;

	hx_origin_push(t->o, (struct hx_action){ .kind = HX_CLOSE,
	    .delay_ms = 300 });
	hx_origin_default(t->o, (struct hx_action){ .raw = ok(MAX_AGE_60,
	    "retried") });

	hx_send(t->c, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	send_all(c, 3, "/f");
	t0 = hx_now_ms();
	r = hx_recv(t->c);
	HX_ASSERT_STATUS(r, 502);
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "retried");
		hx_close(c[i]);
	}
	if (hx_now_ms() - t0 > 2000)
		HX_FAIL("the waiters took %" PRId64 " ms", hx_now_ms() - t0);
	GET_HIT(t->c, "/f", "retried", 58, 60);

	int n = hx_origin_nreq(t->o);
	if (n < 2 || n > 4)
		HX_FAIL("the origin got %d requests; want the failed one and 1 "
		    "to 3 retries", n);
	RIG_STOP(t);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 3);
}

/*
 * The origin goes away while requests wait on its fetch: the fetch's own
 * client gets 502 (closed without an answer), and the waiters, whose
 * retries find no origin, an error of accel's; nobody hangs.
 */
static void
waited_fetch_origin_gone(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 3);
	struct hx_resp *r;
	int64_t t0;

	hx_origin_push(t->o, (struct hx_action){ .kind = HX_HANG });

	hx_send(t->c, "GET /gone HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	send_all(c, 3, "/gone");
	hx_sleep_ms(100); /* let them park */
	hx_origin_stop(t->o);
	t0 = hx_now_ms();
	r = hx_recv(t->c);
	HX_ASSERT_STATUS(r, 502);
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		/* 503 when the retry is refused; 502 when it connected in
		 * the moment before the origin's listener closed, and was
		 * then reset. */
		if (r->status != 503 && r->status != 502)
			HX_FAIL("waiter %d: want 503 or 502, got:\n%.*s", i,
			    (int)r->head_len, r->head);
		HX_ASSERT_HDR(r, "Via", "1.1 accel");
		hx_close(c[i]);
	}
	if (hx_now_ms() - t0 > 2000)
		HX_FAIL("the waiters took %" PRId64 " ms", hx_now_ms() - t0);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 3);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* ------------------------------------------------------------------ */
/* Clients that leave                                                  */

/* Close with RST instead of FIN. */
static void
close_rst(struct hx_conn *c)
{
	struct linger lg = { 1, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	hx_close(c);
}

/*
 * Of four waiters, one closes its connection and one resets it while the
 * origin holds its answer: the others still get the whole body, accel
 * neither crashes nor leaks (the sanitizers see to that at stop), and the
 * object is then hit.
 */
static void
waiters_that_leave_disturb_no_one(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 4);
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\n" MAX_AGE_60 "Content-Length: 100000\r\n\r\n",
	    .stream_len = 100000, .delay_ms = HOLD_MS });

	hx_send(t->c, "GET /w HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	send_all(c, 4, "/w");
	hx_sleep_ms(100);
	hx_close(c[1]);
	close_rst(c[2]);

	r = hx_recv(t->c);
	ASSERT_PATTERN(r, 100000);
	for (int i = 0; i < 4; i += 3) {
		r = hx_recv(c[i]);
		ASSERT_PATTERN(r, 100000);
		ASSERT_CS_HAS(r, "collapsed");
		hx_close(c[i]);
	}
	r = GET(t->c, "/w");
	ASSERT_PATTERN(r, 100000);
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 4);
}

/*
 * The client whose request started the fetch resets its connection
 * before the origin answers: the requests waiting on that fetch still
 * get the body (whether the fetch goes on for them or one of them
 * fetches again), and accel stays up.
 */
static void
fetching_client_leaves(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn **c = connect_n(t->a, 3);
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .raw = ok(MAX_AGE_60, "kept"),
	    .delay_ms = HOLD_MS });
	hx_origin_default(t->o, (struct hx_action){ .raw = ok(MAX_AGE_60,
	    "kept") });

	hx_send(t->c, "GET /l HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 3000);
	send_all(c, 3, "/l");
	hx_sleep_ms(100);
	close_rst(t->c);
	t->c = NULL;
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "kept");
	}
	r = GET(c[0], "/l");
	HX_ASSERT_BODY(r, "kept");
	ASSERT_HIT(r, 58, 60);
	for (int i = 0; i < 3; i++)
		hx_close(c[i]);
	/* The fetch went on without its client: one origin request. */
	int n = hx_origin_nreq(t->o);
	if (n != 1)
		HX_FAIL("the origin got %d requests for 4 clients", n);
	RIG_STOP(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(coalesce_100_clients_two_threads),
		HX_TEST(coalesce_100_clients_one_thread),
		HX_TEST(late_client_follows_streaming_body),
		HX_TEST(late_client_finds_more_than_buffer_high),
		HX_TEST(waiters_of_every_kind),
		HX_TEST(hfm_no_store_fetches_in_parallel),
		HX_TEST(hfm_private_fetches_in_parallel),
		HX_TEST(waiters_on_uncacheable_answer_fetch_themselves),
		HX_TEST(hfm_ttl_expires_then_coalesces),
		HX_TEST(waited_fetch_closed_without_answer),
		HX_TEST(waited_fetch_origin_gone),
		HX_TEST(waiters_that_leave_disturb_no_one),
		HX_TEST(fetching_client_leaves),
	};

	return HX_RUN(tests);
}
