/*
 * test_cache_ops.c: how the cache (accel/cache.c) serves what it stored:
 * hits from memory with Age and Cache-Status, HEAD, PURGE and its ACL,
 * invalidation by unsafe methods, the key (Host, path, query), large and
 * chunked bodies, responses cut short, objects still being fetched,
 * pipelined hits, and the counters. What is stored and for how long:
 * test_cache_store.c.
 */
#include "tests/integration/cache_test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Miss, then hit                                                      */

static void
miss_then_hit(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *miss, *hit;
	static const char *const same[] = { "Cache-Control", "Content-Type",
		"ETag", "X-Origin", "Content-Length", "Via" };

	respond(t->o, "HTTP/1.1 200 OK\r\n"
		      "Cache-Control: max-age=60\r\n"
		      "Content-Type: text/plain\r\n"
		      "ETag: \"v1\"\r\n"
		      "X-Origin: one\r\n"
		      "Content-Length: 11\r\n"
		      "\r\n"
		      "hello world");

	miss = GET_STORED(t->c, "/page", "hello world", 60);
	HX_ASSERT_STATUS(miss, 200);
	HX_ASSERT_HDR(miss, "Via", "1.1 accel");

	hit = GET_HIT(t->c, "/page", "hello world", 59, 60);
	HX_ASSERT_STATUS(hit, 200);
	if (HDR_INT(hit, "Age") > 1)
		HX_FAIL("Age %ld on a hit a moment after the miss", HDR_INT(hit, "Age"));
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		HX_ASSERT_HDR(hit, same[i], hx_resp_hdr(miss, same[i]));
		assert_int_equal(hx_resp_hdr_count(hit, same[i]), 1);
	}
	HX_ASSERT_NO_HDR(hit, "Transfer-Encoding");

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_miss"), 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
	assert_int_equal(log_lines_with(t->a, "GET /page", "cache=miss-stored"), 1);
	assert_int_equal(log_lines_with(t->a, "GET /page", "cache=hit"), 1);
}

/* ------------------------------------------------------------------ */
/* HEAD                                                                */

/* HEAD is answered from a stored GET: the same head, no body. */
static void
head_on_stored_get(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60 "X-Origin: one\r\n", "hello world"));

	GET_BODY(t->c, "/doc", "hello world");
	r = HEAD(t->c, "/doc");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "11");
	HX_ASSERT_HDR(r, "X-Origin", "one");
	assert_int_equal(r->body.total, 0);
	ASSERT_HIT(r, 59, 60);
	/* no stray body bytes: the next response parses */
	GET_HIT(t->c, "/doc", "hello world", 59, 60);

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
}

/* A HEAD miss is forwarded as HEAD and not stored (its answer has no
 * body); a GET then stores, and HEAD hits. */
/* A HEAD miss is fetched as a GET, so the object is filled: the client
 * gets the head only, and GET and HEAD then hit. */
static void
head_miss_fetches_get_and_stores(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "hello");

	r = HEAD(t->c, "/h");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "5");
	ASSERT_STORED_MISS(r, 60);
	assert_string_equal(hx_origin_req(t->o, 0)->method, "GET");
	r = HEAD(t->c, "/h");
	HX_ASSERT_HDR(r, "Content-Length", "5");
	ASSERT_HIT(r, 59, 60);
	GET_HIT(t->c, "/h", "hello", 59, 60);

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
}

/* A HEAD miss whose GET answer is not stored still gets the head, with
 * the length of the representation and no body. */
static void
head_miss_not_storable(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: no-store\r\n", "hello"));
	respond(t->o, ok("Cache-Control: no-store\r\n", "hello"));

	r = HEAD(t->c, "/h");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "5");
	ASSERT_MISS(r);
	/* the connection goes on: the body was not sent */
	GET_MISS(t->c, "/h", "hello");

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* ------------------------------------------------------------------ */
/* PURGE                                                               */

static void
purge_removes_object(void **state)
{
	struct rig *t = RIG_START("");

	respond_fresh(t->o, "p1");
	respond_fresh(t->o, "other");
	respond_fresh(t->o, "p2");

	GET_BODY(t->c, "/p", "p1");
	GET_BODY(t->c, "/other", "other");
	rig_close(t);

	PURGE_EXPECT(t, "/p", 200);
	ASSERT_ORIGIN_NREQ(t->o, 2); /* PURGE stays here */

	RIG_RECONNECT(t);
	GET_STORED(t->c, "/p", "p2", 60);
	GET_HIT(t->c, "/other", "other", 58, 60); /* another key: untouched */
	rig_close(t);

	PURGE_EXPECT(t, "/nothing", 404);

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 2);
}

static void
purge_refused_outside_acl(void **state)
{
	struct rig *t = RIG_START("-p purge_acl=10.0.0.0/8");

	respond_fresh(t->o, "kept");

	GET_BODY(t->c, "/p", "kept");
	PURGE_EXPECT(t, "/p", 405);
	GET_HIT(t->c, "/p", "kept", 58, 60);

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 0);
}

/* ------------------------------------------------------------------ */
/* Invalidation by unsafe methods (RFC 9111 section 4.4)               */

static void
post_200_invalidates(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond(t->o, ok("", "posted"));
	respond_fresh(t->o, "v2");

	GET_BODY(t->c, "/r", "v1");
	r = POST(t->c, "/r");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "posted");
	ASSERT_CS(r, "accel; fwd=method");
	GET_STORED(t->c, "/r", "v2", 60);

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 1);
	assert_int_equal(hx_counter(t->a, "cache_pass"), 1);
}

static void
post_500_does_not_invalidate(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond(t->o, "HTTP/1.1 500 Internal Server Error\r\n"
		      "Content-Length: 4\r\n\r\nfail");

	GET_BODY(t->c, "/r", "v1");
	r = POST(t->c, "/r");
	HX_ASSERT_STATUS(r, 500);
	GET_HIT(t->c, "/r", "v1", 58, 60);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 0);
}

/* PUT 201, DELETE 204, PATCH 200 and POST 303 each invalidate their
 * target; other URLs stay. */
static void
unsafe_methods_invalidate(void **state)
{
	static const struct {
		const char *method, *answer;
	} unsafe[] = {
		{ "PUT", "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n" },
		{ "DELETE", "HTTP/1.1 204 No Content\r\n\r\n" },
		{ "PATCH", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" },
		{ "POST", "HTTP/1.1 303 See Other\r\nLocation: /x\r\n"
			  "Content-Length: 0\r\n\r\n" },
	};
	struct rig *t = RIG_START("");
	struct hx_resp *r;
	size_t n = sizeof(unsafe) / sizeof(unsafe[0]);

	respond_fresh(t->o, "bystander");
	GET_BODY(t->c, "/bystander", "bystander");

	for (size_t i = 0; i < n; i++) {
		const char *path = hx_printf("/u/%s", unsafe[i].method);

		respond_fresh(t->o, "old");
		respond(t->o, unsafe[i].answer);
		respond_fresh(t->o, "new");
		GET_BODY(t->c, path, "old");
		r = GET(t->c, path);
		ASSERT_HIT(r, 58, 60);
		r = hx_request(t->c, hx_printf("%s %s HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 1\r\n\r\nx", unsafe[i].method, path));
		assert_true(r->status >= 200 && r->status < 400);
		GET_STORED(t->c, path, "new", 60);
	}
	GET_HIT(t->c, "/bystander", "bystander", 55, 60);

	RIG_DONE(t, 1 + 3 * (int)n);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), n);
}

/* ------------------------------------------------------------------ */
/* The key: Host, path and query                                       */

static void
host_is_part_of_key(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "site a");
	respond_fresh(t->o, "site b");

	r = hx_request(t->c, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site a");
	ASSERT_STORED_MISS(r, 60);
	r = hx_request(t->c, "GET / HTTP/1.1\r\nHost: b.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site b");
	ASSERT_STORED_MISS(r, 60);
	r = hx_request(t->c, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site a");
	ASSERT_HIT(r, 58, 60);
	r = hx_request(t->c, "GET / HTTP/1.1\r\nHost: b.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site b");
	ASSERT_HIT(r, 58, 60);

	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "Host", "b.example");
	RIG_DONE(t, 2);
}

static void
query_is_part_of_key(void **state)
{
	struct rig *t = RIG_START("");

	respond_fresh(t->o, "one");
	respond_fresh(t->o, "two");
	respond_fresh(t->o, "none");

	GET_BODY(t->c, "/q?a=1", "one");
	GET_BODY(t->c, "/q?a=2", "two");
	GET_BODY(t->c, "/q", "none");
	GET_HIT(t->c, "/q?a=1", "one", 58, 60);
	GET_HIT(t->c, "/q?a=2", "two", 58, 60);
	GET_HIT(t->c, "/q", "none", 58, 60);

	assert_string_equal(hx_origin_req(t->o, 1)->target, "/q?a=2");
	RIG_DONE(t, 3);
}

/* The absolute form names the same resource as Host + origin form. */
static void
absolute_form_shares_key(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "abs");

	r = hx_request(t->c, "GET /abs?x=1 HTTP/1.1\r\nHost: h.example\r\n\r\n");
	HX_ASSERT_BODY(r, "abs");
	r = hx_request(t->c, "GET http://h.example/abs?x=1 HTTP/1.1\r\n"
			     "Host: h.example\r\n\r\n");
	HX_ASSERT_BODY(r, "abs");
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 1);
}

/* A GET with a body is passed: neither served from nor stored in the
 * cache (and, being safe, invalidates nothing). */
static void
get_with_body_passes(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "with body");

	GET_BODY(t->c, "/g", "v1");
	r = hx_request(t->c, "GET /g HTTP/1.1\r\nHost: h\r\n"
			     "Content-Length: 3\r\n\r\nabc");
	HX_ASSERT_BODY(r, "with body");
	ASSERT_CS(r, "accel; fwd=method");
	assert_string_equal(hx_origin_req(t->o, 1)->body.buf, "abc");
	GET_HIT(t->c, "/g", "v1", 58, 60);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_pass"), 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 0);
}

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

#define BIG (5u << 20)

/* A pattern body of n bytes answering a GET, framed by Content-Length or
 * as chunks, fresh for 60 s. */
static void
respond_pattern(struct hx_origin *o, uint64_t n, int chunked)
{
	if (chunked)
		hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
		    .raw = "HTTP/1.1 200 OK\r\n" MAX_AGE_60
			   "Transfer-Encoding: chunked\r\n\r\n",
		    .stream_len = n, .stream_chunked = 1 });
	else
		hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
		    .raw = hx_printf("HTTP/1.1 200 OK\r\n" MAX_AGE_60
		    "Content-Length: %" PRIu64 "\r\n\r\n", n), .stream_len = n });
}

/* GET target: the whole n-byte pattern body, by its CRC. */
#define GET_PATTERN(c, target, n) get_pattern_at(c, target, n, __FILE__, __LINE__)
static struct hx_resp *
get_pattern_at(struct hx_conn *c, const char *target, uint64_t n,
    const char *file, int line)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	if (r->body.total != n || r->body.crc != hx_pattern_crc(n))
		hx_fail_at(file, line, "GET %s: %" PRIu64 " bytes, CRC %08x; want "
		    "%" PRIu64 " pattern bytes, CRC %08x", target, r->body.total,
		    r->body.crc, n, hx_pattern_crc(n));
	return r;
}

/* 5 MiB stored on the miss, served byte-identical twice from memory. */
static void
big_body_cached(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_pattern(t->o, BIG, 0);

	for (int i = 0; i < 3; i++) {
		r = GET_PATTERN(t->c, "/big", BIG);
		HX_ASSERT_STATUS(r, 200);
		assert_true(r->body.pattern_ok);
		if (i == 0)
			ASSERT_STORED_MISS(r, 60);
		else {
			HX_ASSERT_HDR(r, "Content-Length", hx_printf("%u", BIG));
			ASSERT_HIT(r, 55, 60);
		}
	}
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
}

/* Larger than the memory tier (-s mem=1M, no disk tier): passed on
 * whole, not kept, with a Content-Length and chunked alike. (With a disk
 * tier the chunked one goes to disk: test_disk.c.) */
static void
body_larger_than_memory_tier_not_stored(void **state)
{
	struct rig *t = RIG_START("-s mem=1M -s lmdb=off");
	struct hx_resp *r;
	uint64_t n = 2u << 20;

	for (int i = 0; i < 2; i++)
		respond_pattern(t->o, n, 0);
	for (int i = 0; i < 2; i++)
		respond_pattern(t->o, n, 1);

	for (int i = 0; i < 2; i++) {
		r = GET_PATTERN(t->c, "/cl", n);
		ASSERT_MISS(r);
	}
	for (int i = 0; i < 2; i++) {
		r = GET_PATTERN(t->c, "/chunked", n);
		if (i == 1 && strstr(hx_resp_hdr(r, "Cache-Status"), "hit") != NULL)
			HX_FAIL("a 2 MiB object hit in a 1 MiB tier");
	}
	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 0);
}

/* The body is stored decoded: a chunked miss becomes a Content-Length
 * hit with the same bytes. */
static void
chunked_response_stored_with_content_length(void **state)
{
	struct rig *t = RIG_START("");
	uint64_t n = 200000;
	struct hx_resp *r;

	respond_pattern(t->o, n, 1);

	r = GET_PATTERN(t->c, "/chunked", n);
	assert_true(r->chunked);
	ASSERT_STORED_MISS(r, 60);

	r = GET_PATTERN(t->c, "/chunked", n);
	assert_false(r->chunked);
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	HX_ASSERT_HDR(r, "Content-Length", "200000");
	ASSERT_HIT(r, 58, 60);

	RIG_DONE(t, 1);
}

/* A body cut short (origin closes) is not kept: the next GET is a miss
 * that stores the whole answer. */
static void
check_cut_short(const char *raw)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .raw = raw, .close_after = 1 });
	respond_fresh(t->o, "complete");

	hx_send(t->c, "GET /cut HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(t->c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);

	RIG_RECONNECT(t);
	GET_STORED(t->c, "/cut", "complete", 60);
	GET_HIT(t->c, "/cut", "complete", 58, 60);

	RIG_DONE(t, 2);
}

static void
cut_short_content_length_not_stored(void **state)
{
	check_cut_short("HTTP/1.1 200 OK\r\n" MAX_AGE_60
			"Content-Length: 100\r\n\r\n0123456789");
}

static void
cut_short_chunked_not_stored(void **state)
{
	check_cut_short("HTTP/1.1 200 OK\r\n" MAX_AGE_60
			"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
}

/* A request for an object whose body is still arriving is a hit that
 * follows the body as it streams in: the origin sees one request; both
 * clients get the whole body. (Waiting on a fetch whose head has not come
 * yet is in test_cache_coalesce.c.) */
static void
streaming_object_hit(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn *c2;
	const char *head = "HTTP/1.1 200 OK\r\n" MAX_AGE_60
			   "Content-Length: 10\r\n\r\n";
	struct hx_resp *r1, *r2;

	/* the head, then the body 800 ms later */
	hx_origin_push(t->o, (struct hx_action){ .raw = hx_printf("%s0123456789",
	    head), .trickle_bytes = (int)strlen(head), .trickle_ms = 800 });
	respond_fresh(t->o, "second");

	hx_send(t->c, "GET /busy HTTP/1.1\r\nHost: h\r\n\r\n");
	r1 = hx_recv_ex(t->c, HX_HEAD_ONLY);
	ASSERT_STORED_MISS(r1, 60);

	c2 = hx_connect(t->a->port);
	hx_send(c2, "GET /busy HTTP/1.1\r\nHost: h\r\n\r\n");
	r2 = hx_recv(c2);
	HX_ASSERT_BODY(r2, "0123456789");
	ASSERT_HIT(r2, 59, 60);

	hx_recv_body(t->c, r1, 0);
	HX_ASSERT_BODY(r1, "0123456789");
	GET_HIT(c2, "/busy", "0123456789", 58, 60);

	hx_close(c2);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
}

/* ------------------------------------------------------------------ */
/* Connections and counters                                            */

/* Hits (and a HEAD hit) pipelined in one write come back in order. */
static void
pipelined_hits(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "body a");
	respond_fresh(t->o, "the body of b");
	GET_BODY(t->c, "/a", "body a");
	GET_BODY(t->c, "/b", "the body of b");

	hx_send(t->c, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
		      "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
		      "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
		      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "body a");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv_ex(t->c, HX_HEAD);
	HX_ASSERT_HDR(r, "Content-Length", "13");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "the body of b");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "body a");
	ASSERT_HIT(r, 58, 60);
	assert_int_equal(hx_pending(t->c), 0);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 4);
}

/* Every cache counter and the access log's cache= field after a known
 * sequence. */
static void
counters_at_exit(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");				/* GET /c */
	respond(t->o, ok("", "not stored"));			/* GET /n */
	respond(t->o, ok("", "posted"));			/* POST /c */
	respond_fresh(t->o, "v2");				/* GET /c */
	respond_fresh(t->o, "v3");				/* HEAD /c */

	r = GET(t->c, "/c");
	ASSERT_STORED_MISS(r, 60);			/* miss 1, stored 1 */
	r = GET(t->c, "/c");
	ASSERT_HIT(r, 58, 60);				/* hit 1 */
	r = GET(t->c, "/c");
	ASSERT_HIT(r, 58, 60);				/* hit 2 */
	r = GET(t->c, "/n");
	ASSERT_MISS(r);					/* miss 2 */
	r = POST(t->c, "/c");
	ASSERT_CS(r, "accel; fwd=method");		/* pass 1, invalidate 1 */
	r = GET(t->c, "/c");
	ASSERT_STORED_MISS(r, 60);			/* miss 3, stored 2 */
	rig_close(t);
	hx_accel_wait_log(t->a, "cache=", 6, 3000);	/* all six done */
	PURGE_EXPECT(t, "/c", 200);			/* purge 1 */
	PURGE_EXPECT(t, "/c", 404);			/* purge 2 */
	RIG_RECONNECT(t);
	r = HEAD(t->c, "/c");
	ASSERT_STORED_MISS(r, 60);			/* miss 4, stored 3 */

	RIG_DONE(t, 5);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
	assert_int_equal(hx_counter(t->a, "cache_miss"), 4);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 3);
	assert_int_equal(hx_counter(t->a, "cache_pass"), 1);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 2);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 1);
	assert_int_equal(hx_counter(t->a, "fetch_total"), 5);
	assert_int_equal(log_lines_with(t->a, "GET /c ", "cache=miss-stored"), 2);
	assert_int_equal(log_lines_with(t->a, "GET /c ", "cache=hit"), 2);
	assert_int_equal(log_lines_with(t->a, "GET /n ", "cache=miss "), 1);
	assert_int_equal(log_lines_with(t->a, "HEAD /c ", "cache=miss-stored"), 1);
	assert_int_equal(log_lines_with(t->a, "POST /c ", "cache=pass"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(miss_then_hit),
		HX_TEST(head_on_stored_get),
		HX_TEST(head_miss_fetches_get_and_stores),
		HX_TEST(head_miss_not_storable),
		HX_TEST(purge_removes_object),
		HX_TEST(purge_refused_outside_acl),
		HX_TEST(post_200_invalidates),
		HX_TEST(post_500_does_not_invalidate),
		HX_TEST(unsafe_methods_invalidate),
		HX_TEST(host_is_part_of_key),
		HX_TEST(query_is_part_of_key),
		HX_TEST(absolute_form_shares_key),
		HX_TEST(get_with_body_passes),
		HX_TEST(big_body_cached),
		HX_TEST(body_larger_than_memory_tier_not_stored),
		HX_TEST(chunked_response_stored_with_content_length),
		HX_TEST(cut_short_content_length_not_stored),
		HX_TEST(cut_short_chunked_not_stored),
		HX_TEST(streaming_object_hit),
		HX_TEST(pipelined_hits),
		HX_TEST(counters_at_exit),
	};

	return HX_RUN(tests);
}
