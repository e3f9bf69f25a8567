/*
 * test_cache_reval.c: conditional revalidation of stored objects
 * (accel/cache.c: cache_lookup, fill_refresh; accel/fetch.c: the stored
 * validators sent). A stale object with an ETag or a Last-Modified is
 * revalidated with If-None-Match / If-Modified-Since; a 304 refreshes it
 * (new freshness and updated fields, the stored body and length), a 200
 * replaces it. The client's own conditionals and Range never reach the
 * origin on a fill: accel asks for the whole representation.
 *
 * Objects turn stale by time (max-age=1 and a 1.1 s sleep) where the
 * test is about that, and otherwise at once (max-age=0) to keep the file
 * short. Origins send no Date (its whole seconds would add apparent age).
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>

#define STALE_MS 1100

/* A 304 with these fields (each ending in CRLF). */
static const char *
not_modified(const char *fields)
{
	return hx_printf("HTTP/1.1 304 Not Modified\r\n%s\r\n", fields);
}

/* ------------------------------------------------------------------ */
/* 304 refreshes                                                       */

/*
 * ETag "v1", max-age=1. Once stale, the next GET sends If-None-Match:
 * "v1"; the origin answers 304 with max-age=60 and X-Version: 2. The
 * client gets 200 with the stored body and the updated field; the object
 * is then hit for 60 s with the new field.
 */
static void
etag_revalidated_by_304(void **state)
{
	struct rig *t = RIG_START("");
	const struct hx_req *q;
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=1\r\nETag: \"v1\"\r\n"
	    "X-Version: 1\r\nContent-Type: text/plain\r\n", "stored body"));
	respond(t->o, not_modified("ETag: \"v1\"\r\n" MAX_AGE_60
	    "X-Version: 2\r\n"));

	r = GET_STORED(t->c, "/e", "stored body", 1);
	HX_ASSERT_HDR(r, "X-Version", "1");
	GET_HIT(t->c, "/e", "stored body", 0, 1);
	hx_sleep_ms(STALE_MS);

	r = GET(t->c, "/e");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "stored body");
	HX_ASSERT_HDR(r, "Content-Length", "11");
	HX_ASSERT_HDR(r, "X-Version", "2");
	HX_ASSERT_HDR(r, "Content-Type", "text/plain");
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	HX_ASSERT_HDR(r, "Cache-Control", "max-age=60");
	HX_ASSERT_HDR(r, "Via", "1.1 accel");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	q = hx_origin_req(t->o, 1);
	HX_ASSERT_REQ_HDR(q, "If-None-Match", "\"v1\"");
	HX_ASSERT_REQ_NO_HDR(q, "If-Modified-Since");

	r = GET_HIT(t->c, "/e", "stored body", 59, 60);
	HX_ASSERT_HDR(r, "X-Version", "2");
	assert_int_equal(hx_resp_hdr_count(r, "X-Version"), 1);
	assert_int_equal(hx_resp_hdr_count(r, "Cache-Control"), 1);
	HX_ASSERT_HDR(r, "Content-Length", "11");

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 1);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
}

/* Last-Modified only: If-Modified-Since carries the stored value. */
static void
last_modified_revalidated_by_304(void **state)
{
	struct rig *t = RIG_START("");
	const char *lm = http_date(-3600);
	const struct hx_req *q;
	struct hx_resp *r;

	respond(t->o, ok(hx_printf("Cache-Control: max-age=1\r\n"
	    "Last-Modified: %s\r\n", lm), "dated"));
	respond(t->o, not_modified(MAX_AGE_60 "X-Version: 2\r\n"));

	GET_STORED(t->c, "/lm", "dated", 1);
	hx_sleep_ms(STALE_MS);

	r = GET(t->c, "/lm");
	HX_ASSERT_BODY(r, "dated");
	HX_ASSERT_HDR(r, "X-Version", "2");
	HX_ASSERT_HDR(r, "Last-Modified", lm);
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	q = hx_origin_req(t->o, 1);
	HX_ASSERT_REQ_HDR(q, "If-Modified-Since", lm);
	HX_ASSERT_REQ_NO_HDR(q, "If-None-Match");

	GET_HIT(t->c, "/lm", "dated", 59, 60);
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 1);
}

/*
 * A 304 describes the stored representation, never a new body: its
 * Content-Length (here a wrong 0) changes neither the length nor the
 * body. A changed ETag in it replaces the stored one, and the next
 * revalidation sends the new one.
 */
static void
not_modified_keeps_length_updates_etag(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	/* max-age=0: stale at once, kept for revalidation by its ETag. */
	respond(t->o, ok("Cache-Control: max-age=0\r\nETag: \"a\"\r\n",
	    "0123456789"));
	respond(t->o, not_modified("ETag: \"b\"\r\nCache-Control: max-age=0\r\n"
	    "Content-Length: 0\r\n"));
	respond(t->o, not_modified("ETag: \"b\"\r\n" MAX_AGE_60));

	r = GET_BODY(t->c, "/n", "0123456789");
	ASSERT_CS(r, "accel; fwd=miss; stored; ttl=0");

	r = GET(t->c, "/n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "10");
	HX_ASSERT_BODY(r, "0123456789");
	HX_ASSERT_HDR(r, "ETag", "\"b\"");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=0");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "If-None-Match", "\"a\"");

	r = GET(t->c, "/n");
	HX_ASSERT_BODY(r, "0123456789");
	HX_ASSERT_HDR(r, "ETag", "\"b\"");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 2), "If-None-Match", "\"b\"");

	r = GET_HIT(t->c, "/n", "0123456789", 59, 60);
	HX_ASSERT_HDR(r, "Content-Length", "10");
	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 2);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 2);
}

/* A 200 to the conditional request replaces the object: the new body is
 * served, then hit. */
static void
conditional_200_replaces_object(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=1\r\nETag: \"v1\"\r\n", "old"));
	respond(t->o, ok(MAX_AGE_60 "ETag: \"v2\"\r\n", "the new body"));

	GET_STORED(t->c, "/r", "old", 1);
	hx_sleep_ms(STALE_MS);

	r = GET(t->c, "/r");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "the new body");
	HX_ASSERT_HDR(r, "ETag", "\"v2\"");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=60");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "If-None-Match", "\"v1\"");

	r = GET_HIT(t->c, "/r", "the new body", 59, 60);
	HX_ASSERT_HDR(r, "ETag", "\"v2\"");
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 1);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 0);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 2);
}

/*
 * Cache-Control: no-cache with an ETag: stored, but validated before
 * every use. Each GET reaches the origin as a conditional request; a 304
 * serves the stored body, a 200 replaces it.
 */
static void
no_cache_revalidated_every_time(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: no-cache\r\nETag: \"nc1\"\r\n",
	    "validated"));
	for (int i = 0; i < 3; i++)
		respond(t->o, not_modified("ETag: \"nc1\"\r\n"
		    "Cache-Control: no-cache\r\n"));
	respond(t->o, ok("Cache-Control: no-cache\r\nETag: \"nc2\"\r\n",
	    "changed"));
	respond(t->o, not_modified("ETag: \"nc2\"\r\nCache-Control: no-cache\r\n"));

	r = GET_BODY(t->c, "/nc", "validated");
	ASSERT_CS(r, "accel; fwd=miss; stored; ttl=0");
	for (int i = 1; i <= 3; i++) {
		r = GET_BODY(t->c, "/nc", "validated");
		ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=0");
		ASSERT_ORIGIN_NREQ(t->o, 1 + i);
		HX_ASSERT_REQ_HDR(hx_origin_req(t->o, i), "If-None-Match",
		    "\"nc1\"");
	}
	r = GET_BODY(t->c, "/nc", "changed");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=0");
	r = GET_BODY(t->c, "/nc", "changed");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=0");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 5), "If-None-Match", "\"nc2\"");

	RIG_DONE(t, 6);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 0);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 5);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 4);
}

/*
 * Requests for a stale object while its revalidation is in flight wait on
 * it: the origin sees one conditional request, and every client gets the
 * refreshed object.
 */
static void
concurrent_requests_share_one_revalidation(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn *c[3];
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=0\r\nETag: \"s1\"\r\n",
	    "shared"));
	hx_origin_push(t->o, (struct hx_action){ .raw = not_modified(
	    "ETag: \"s1\"\r\n" MAX_AGE_60 "X-Version: 2\r\n"),
	    .delay_ms = 300 });

	GET_BODY(t->c, "/s", "shared");
	for (int i = 0; i < 3; i++)
		c[i] = hx_connect(t->a->port);
	hx_send(t->c, "GET /s HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 2, 3000);
	for (int i = 0; i < 3; i++)
		hx_send(c[i], "GET /s HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(t->c);
	HX_ASSERT_BODY(r, "shared");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	for (int i = 0; i < 3; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "shared");
		HX_ASSERT_HDR(r, "X-Version", "2");
		ASSERT_CS_HAS(r, "collapsed");
		hx_close(c[i]);
	}
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 1);
	assert_int_equal(hx_counter(t->a, "cache_coalesced"), 3);
}

/* ------------------------------------------------------------------ */
/* The client's conditionals and Range                                 */

/*
 * A client conditional on a stale object: the client's If-None-Match and
 * If-Modified-Since are not forwarded; accel revalidates with its own
 * stored ETag. The client's answer comes from the refreshed object: 304
 * when accel answers conditionals from the cache at all (as a fresh hit
 * tells, asked first), else the whole 200.
 */
static void
client_conditional_on_stale_object(void **state)
{
	struct rig *t = RIG_START("");
	const char *cond = hx_printf("If-None-Match: \"v0\", \"v1\"\r\n"
	    "If-Modified-Since: %s\r\n", http_date(0));
	const struct hx_req *q;
	struct hx_resp *r;
	int answers_conditionals;

	respond(t->o, ok("Cache-Control: max-age=1\r\nETag: \"v1\"\r\n", "body"));
	respond(t->o, not_modified("ETag: \"v1\"\r\n" MAX_AGE_60));

	GET_STORED(t->c, "/c", "body", 1);
	r = GETX(t->c, "/c", cond);
	answers_conditionals = r->status == 304;
	if (!answers_conditionals)
		HX_ASSERT_BODY(r, "body");
	ASSERT_HIT(r, 0, 1);
	hx_sleep_ms(STALE_MS);

	r = GETX(t->c, "/c", cond);
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	if (answers_conditionals) {
		HX_ASSERT_STATUS(r, 304);
		assert_int_equal(r->body.total, 0);
	} else {
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_BODY(r, "body");
	}
	q = hx_origin_req(t->o, 1);
	HX_ASSERT_REQ_HDR(q, "If-None-Match", "\"v1\"");
	HX_ASSERT_REQ_NO_HDR(q, "If-Modified-Since");

	GET_HIT(t->c, "/c", "body", 59, 60);
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 1);
}

/* A response to a Range request: 206 with exactly the bytes [first,last]
 * of body, or the whole body with 200. Returns the status. */
#define ASSERT_RANGE_OR_FULL(r, body, first, last) \
	assert_range_or_full_at(r, body, first, last, __FILE__, __LINE__)
static int
assert_range_or_full_at(const struct hx_resp *r, const char *body, int first,
    int last, const char *file, int line)
{
	size_t len = strlen(body);

	if (r->status == 206) {
		hx_assert_hdr_at(r, "Content-Range", hx_printf("bytes %d-%d/%zu",
		    first, last, len), file, line);
		hx_assert_body_at(r, body + first, (size_t)(last - first + 1),
		    file, line);
	} else {
		hx_assert_status_at(r, 200, file, line);
		hx_assert_body_at(r, body, len, file, line);
		if (hx_resp_hdr(r, "Content-Range") != NULL)
			hx_fail_at(file, line, "a 200 with Content-Range");
	}
	return r->status;
}

/*
 * A Range request on a miss: the origin is asked for the whole object
 * (no Range reaches it) and the client gets 206 with its bytes or the
 * whole 200 (the object was still filling). The object is complete and
 * stored: the next Range request is answered from it, by the origin no
 * more.
 */
static void
client_range_on_miss_fetches_whole(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;
	int miss_st, hit_st;

	respond_fresh(t->o, "0123456789");

	r = GETX(t->c, "/range", "Range: bytes=0-3\r\n");
	miss_st = ASSERT_RANGE_OR_FULL(r, "0123456789", 0, 3);
	ASSERT_STORED_MISS(r, 60);
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "Range");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "If-Range");

	r = GETX(t->c, "/range", "Range: bytes=2-5\r\n");
	hit_st = ASSERT_RANGE_OR_FULL(r, "0123456789", 2, 5);
	ASSERT_HIT(r, 59, 60);
	/* Whatever answered the miss's Range answers the hit's too. */
	if (miss_st == 206 && hit_st != 206)
		HX_FAIL("the filling miss answered 206, the complete hit %d",
		    hit_st);
	GET_HIT(t->c, "/range", "0123456789", 59, 60);

	RIG_DONE(t, 1);
}

/* An If-Range request on a miss reaches the origin without If-Range or
 * Range either: the stored answer is the whole 200. */
static void
client_if_range_on_miss_fetches_whole(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60 "ETag: \"r1\"\r\n", "abcdefghij"));

	r = GETX(t->c, "/ir", "Range: bytes=5-\r\nIf-Range: \"r1\"\r\n");
	ASSERT_RANGE_OR_FULL(r, "abcdefghij", 5, 9);
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "Range");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "If-Range");
	GET_HIT(t->c, "/ir", "abcdefghij", 59, 60);
	RIG_DONE(t, 1);
}

/*
 * If-Match and If-Unmodified-Since are for origins; a cache may ignore
 * them (RFC 9110 section 13.1.1). On a fill they would let one client
 * turn the shared answer into a 412, which is not storable: the key would
 * become hit-for-miss and the stale object be replaced. So neither
 * reaches the origin on a miss or a revalidation; the answer is stored
 * for everyone.
 */
static void
client_if_match_not_forwarded_on_fill(void **state)
{
	struct rig *t = RIG_START("");
	const char *cond = hx_printf("If-Match: \"nope\"\r\n"
	    "If-Unmodified-Since: %s\r\n", http_date(-86400));
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=0\r\nETag: \"m1\"\r\n", "mine"));
	respond(t->o, not_modified("ETag: \"m1\"\r\n" MAX_AGE_60));

	r = GETX(t->c, "/m", cond);
	HX_ASSERT_BODY(r, "mine");
	ASSERT_CS(r, "accel; fwd=miss; stored; ttl=0");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "If-Match");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "If-Unmodified-Since");

	r = GETX(t->c, "/m", cond);
	HX_ASSERT_BODY(r, "mine");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 1), "If-Match");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 1), "If-Unmodified-Since");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "If-None-Match", "\"m1\"");

	GET_HIT(t->c, "/m", "mine", 59, 60);
	RIG_DONE(t, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(etag_revalidated_by_304),
		HX_TEST(last_modified_revalidated_by_304),
		HX_TEST(not_modified_keeps_length_updates_etag),
		HX_TEST(conditional_200_replaces_object),
		HX_TEST(no_cache_revalidated_every_time),
		HX_TEST(concurrent_requests_share_one_revalidation),
		HX_TEST(client_conditional_on_stale_object),
		HX_TEST(client_range_on_miss_fetches_whole),
		HX_TEST(client_if_range_on_miss_fetches_whole),
		HX_TEST(client_if_match_not_forwarded_on_fill),
	};

	return HX_RUN(tests);
}
