/*
 * test_cache_stale.c: serving stale objects (accel/cache.c: cache_lookup,
 * cache_bg_refresh, cache_fetch_failed; RFC 5861 and RFC 9111 section
 * 4.2.4): stale-while-revalidate answers at once and refreshes once in
 * the background; stale-if-error stands in for a failed or erring origin;
 * must-revalidate forbids both; the request's max-stale and
 * only-if-cached; objects gone for good once past ttl, grace and keep.
 *
 * Most objects arrive stale already: the origin sends `Age: 2` with
 * max-age=1, so no test sleeps for staleness unless time is its subject.
 * Origins send no Date (its whole seconds would add apparent age).
 */
#include "tests/integration/cache_test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define STALE_MS 1100
#define REFRESH_HOLD_MS 500

/* Response fields of an object 2 s old with a 1 s lifetime (stale by
 * 1 s on arrival), plus `cc` in its Cache-Control. */
#define STALE_ON_ARRIVAL(cc) "Cache-Control: max-age=1" cc "\r\nAge: 2\r\n"

/* A stale hit: "accel; hit; ttl=N" with N <= -1, an Age of at least 2,
 * and the body. Returns the response. */
#define GET_STALE_HIT(c, target, body) \
	get_stale_hit_at(c, target, "", body, __FILE__, __LINE__)
#define GETX_STALE_HIT(c, target, fields, body) \
	get_stale_hit_at(c, target, fields, body, __FILE__, __LINE__)
static struct hx_resp *
get_stale_hit_at(struct hx_conn *c, const char *target, const char *fields,
    const char *body, const char *file, int line)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n%s\r\n",
	    target, fields);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);
	long ttl = assert_hit_at(r, -1000, -1, file, line);

	hx_assert_status_at(r, 200, file, line);
	hx_assert_body_at(r, body, strlen(body), file, line);
	if (hdr_int_at(r, "Age", file, line) < 1 - ttl)
		hx_fail_at(file, line, "Age %ld with ttl=%ld: want Age >= %ld",
		    hdr_int_at(r, "Age", file, line), ttl, 1 - ttl);
	return r;
}

/* Fail unless the response came within ms (it did not wait for an origin
 * that holds its answer longer). */
#define ASSERT_QUICK(r, ms) assert_quick_at(r, ms, __FILE__, __LINE__)
static void
assert_quick_at(const struct hx_resp *r, int64_t ms, const char *file,
    int line)
{
	if (r->elapsed_ms > ms)
		hx_fail_at(file, line, "the answer took %" PRId64 " ms, want at "
		    "most %" PRId64, r->elapsed_ms, ms);
}

/* GET target until the body is `body` (a background refresh landed), for
 * at most 3 s; each answer before is the stale `old`. Returns the first
 * response with the new body. */
#define GET_UNTIL(c, target, old, body) \
	get_until_at(c, target, old, body, __FILE__, __LINE__)
static struct hx_resp *
get_until_at(struct hx_conn *c, const char *target, const char *old,
    const char *body, const char *file, int line)
{
	int64_t end = hx_now_ms() + 3000;

	for (;;) {
		const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n",
		    target);
		struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file,
		    line);

		hx_assert_status_at(r, 200, file, line);
		if (r->body.len == strlen(body) &&
		    memcmp(r->body.buf, body, r->body.len) == 0)
			return r;
		hx_assert_body_at(r, old, strlen(old), file, line);
		if (hx_now_ms() > end)
			hx_fail_at(file, line, "still \"%s\" after 3 s", old);
		hx_sleep_ms(50);
	}
}

/* The 304 that refreshes an object with this ETag for 60 s. */
#define NOT_MODIFIED_60(etag, extra) \
	"HTTP/1.1 304 Not Modified\r\nETag: " etag "\r\n" MAX_AGE_60 extra "\r\n"

/* ------------------------------------------------------------------ */
/* stale-while-revalidate                                              */

/*
 * max-age=1, stale-while-revalidate=30, stale on arrival: the next GETs
 * are answered at once from the stale object (a hit with a negative ttl)
 * while one background fetch, held 500 ms by the origin, refreshes it;
 * five requests during the refresh start no other. Then the new body is
 * served.
 */
static void
swr_serves_stale_and_refreshes_once(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_conn *c[5];
	struct hx_resp *r;
	int64_t t0;

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-while-revalidate=30"), "v1"));
	hx_origin_push(t->o, (struct hx_action){ .raw = ok(MAX_AGE_60, "v2"),
	    .delay_ms = REFRESH_HOLD_MS });

	r = GET_BODY(t->c, "/swr", "v1");
	ASSERT_CS(r, "accel; fwd=miss; stored; ttl=-1");
	HX_ASSERT_HDR(r, "Age", "2");

	r = GET_STALE_HIT(t->c, "/swr", "v1");
	ASSERT_QUICK(r, REFRESH_HOLD_MS - 200);
	hx_origin_wait_heads(t->o, 2, 3000); /* the background fetch */
	t0 = hx_now_ms();
	for (int i = 0; i < 5; i++)
		c[i] = hx_connect(t->a->port);
	for (int i = 0; i < 5; i++)
		hx_send(c[i], "GET /swr HTTP/1.1\r\nHost: h\r\n\r\n");
	for (int i = 0; i < 5; i++) {
		r = hx_recv(c[i]);
		HX_ASSERT_BODY(r, "v1");
		ASSERT_HIT(r, -1000, -1);
		hx_close(c[i]);
	}
	if (hx_now_ms() - t0 > REFRESH_HOLD_MS - 100)
		HX_FAIL("five stale hits took %" PRId64 " ms", hx_now_ms() - t0);

	GET_UNTIL(t->c, "/swr", "v1", "v2");
	GET_HIT(t->c, "/swr", "v2", 59, 60);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_bg_fetch"), 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 2);
	if (hx_counter(t->a, "cache_stale_hit") < 6)
		HX_FAIL("cache_stale_hit %" PRIu64 ", want at least 6",
		    hx_counter(t->a, "cache_stale_hit"));
}

/*
 * After its 1 s lifetime an object with an ETag and
 * stale-while-revalidate is served at once (Age: 1, ttl=0) while the
 * background refresh asks the origin with If-None-Match; the 304
 * refreshes it (new lifetime, updated field, stored body).
 */
static void
swr_background_refresh_revalidates(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=1, stale-while-revalidate=30\r\n"
	    "ETag: \"e1\"\r\nX-Version: 1\r\n", "the body"));
	hx_origin_push(t->o, (struct hx_action){ .raw = NOT_MODIFIED_60("\"e1\"",
	    "X-Version: 2\r\n"), .delay_ms = REFRESH_HOLD_MS });

	GET_STORED(t->c, "/bg", "the body", 1);
	hx_sleep_ms(STALE_MS);

	r = GET(t->c, "/bg");
	HX_ASSERT_BODY(r, "the body");
	ASSERT_CS(r, "accel; hit; ttl=0");
	HX_ASSERT_HDR(r, "Age", "1");
	HX_ASSERT_HDR(r, "X-Version", "1");
	ASSERT_QUICK(r, REFRESH_HOLD_MS - 200);
	hx_origin_wait_reqs(t->o, 2, 3000); /* recorded whole */
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "If-None-Match", "\"e1\"");

	for (int64_t end = hx_now_ms() + 3000;; hx_sleep_ms(50)) {
		r = GET_BODY(t->c, "/bg", "the body");
		if (strcmp(hx_resp_hdr(r, "X-Version"), "2") == 0)
			break;
		if (hx_now_ms() > end)
			HX_FAIL("not refreshed after 3 s");
	}
	ASSERT_HIT(r, 59, 60);
	HX_ASSERT_HDR(r, "Content-Length", "8");

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_bg_fetch"), 1);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 1);
	assert_int_equal(hx_counter(t->a, "cache_reval_304"), 1);
}

/* A refresh that fails in the background (the origin answers 503) keeps
 * the stale object; the next request starts another refresh. */
static void
swr_failed_refresh_keeps_stale(void **state)
{
	struct rig *t = RIG_START("");

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-while-revalidate=30"), "v1"));
	respond(t->o, "HTTP/1.1 503 Service Unavailable\r\n"
		      "Content-Length: 4\r\n\r\ndown");
	respond_fresh(t->o, "v2");

	GET_BODY(t->c, "/f", "v1");
	GET_STALE_HIT(t->c, "/f", "v1");
	hx_origin_wait_reqs(t->o, 2, 3000);
	hx_sleep_ms(100); /* the 503 is read */
	GET_STALE_HIT(t->c, "/f", "v1");
	GET_UNTIL(t->c, "/f", "v1", "v2");
	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_bg_fetch"), 2);
}

/* ------------------------------------------------------------------ */
/* stale-if-error                                                      */

/*
 * stale-if-error=60, stale, and the origin gone (connections refused):
 * the stale body, 200. Without stale-if-error (an ETag keeps the object
 * for revalidation) the client gets 503. A request's own stale-if-error
 * allows it too.
 */
static void
sie_origin_down(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-if-error=60"), "saved"));
	respond(t->o, ok(STALE_ON_ARRIVAL("") "ETag: \"n1\"\r\n", "not saved"));
	GET_BODY(t->c, "/sie", "saved");
	GET_BODY(t->c, "/nosie", "not saved");
	rig_close(t);
	hx_origin_stop(t->o);

	RIG_RECONNECT(t);
	r = GET(t->c, "/sie");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "saved");
	ASSERT_CS(r, "accel; fwd=stale");
	if (HDR_INT(r, "Age") < 2)
		HX_FAIL("Age %ld on a stale object 2 s old", HDR_INT(r, "Age"));

	r = GET(t->c, "/nosie");
	HX_ASSERT_STATUS(r, 503);
	r = GETX(t->c, "/nosie", "Cache-Control: stale-if-error=60\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "not saved");

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 2);
	assert_int_equal(hx_counter(t->a, "cache_stale_hit"), 2);
}

/* The origin answers the refetch of a stale-if-error object with 503,
 * then 500: the stale body both times (fwd-status says why); when it
 * recovers, its answer replaces the object. */
static void
sie_on_origin_error_status(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-if-error=60"), "saved"));
	respond(t->o, "HTTP/1.1 503 Service Unavailable\r\n"
		      "Content-Length: 4\r\n\r\ndown");
	respond(t->o, "HTTP/1.1 500 Internal Server Error\r\n"
		      "Content-Length: 6\r\n\r\nbroken");
	respond_fresh(t->o, "recovered");

	GET_BODY(t->c, "/e", "saved");
	r = GET(t->c, "/e");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "saved");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=503");
	r = GET(t->c, "/e");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "saved");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=500");
	r = GET(t->c, "/e");
	HX_ASSERT_BODY(r, "recovered");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=60");
	GET_HIT(t->c, "/e", "recovered", 59, 60);

	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 2);
}

/*
 * Without stale-if-error the origin's 503 to a revalidation reaches the
 * client, but the stored object stays (as after a background refresh's
 * error): the next request revalidates it again, and the 304 serves the
 * stored body. The error leaves no hit-for-miss marker.
 */
static void
origin_error_keeps_stored_object(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL("") "ETag: \"z1\"\r\n", "kept"));
	respond(t->o, "HTTP/1.1 503 Service Unavailable\r\n"
		      "Content-Length: 4\r\n\r\ndown");
	respond(t->o, NOT_MODIFIED_60("\"z1\"", ""));

	GET_BODY(t->c, "/z", "kept");
	r = GET(t->c, "/z");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_BODY(r, "down");
	ASSERT_CS(r, "accel; fwd=stale");
	r = GET_BODY(t->c, "/z", "kept");
	ASSERT_CS(r, "accel; fwd=stale; fwd-status=304; stored; ttl=60");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 2), "If-None-Match", "\"z1\"");
	GET_HIT(t->c, "/z", "kept", 59, 60);

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_hfm"), 0);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 0);
}

/* An origin that does not answer within timeout_first_byte fails the
 * fetch too: stale-if-error serves the stale body; without it, 504. */
static void
sie_origin_timeout(void **state)
{
	struct rig *t = RIG_START("-p timeout_first_byte=0.3");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-if-error=60"), "saved"));
	respond(t->o, ok(STALE_ON_ARRIVAL("") "ETag: \"t1\"\r\n", "not saved"));
	hx_origin_push(t->o, (struct hx_action){ .kind = HX_HANG });
	hx_origin_push(t->o, (struct hx_action){ .kind = HX_HANG });

	GET_BODY(t->c, "/sie", "saved");
	GET_BODY(t->c, "/nosie", "not saved");
	r = GET(t->c, "/sie");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "saved");
	ASSERT_CS(r, "accel; fwd=stale");
	if (r->elapsed_ms < 250 || r->elapsed_ms > 2500)
		HX_FAIL("stale served after %" PRId64 " ms, want about 300",
		    r->elapsed_ms);
	r = GET(t->c, "/nosie");
	HX_ASSERT_STATUS(r, 504);

	rig_close(t);
	hx_origin_stop(t->o); /* ends the hung connections */
	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 1);
	assert_int_equal(hx_counter(t->a, "fetch_err_timeout"), 2);
}

/* An error other than 500/502/503/504 is an answer, not a failure: a 404
 * is passed on, not covered by stale-if-error. */
static void
sie_not_for_404(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL(", stale-if-error=60"), "saved"));
	respond(t->o, "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone");

	GET_BODY(t->c, "/404", "saved");
	r = GET(t->c, "/404");
	HX_ASSERT_STATUS(r, 404);
	HX_ASSERT_BODY(r, "gone");
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 0);
}

/* ------------------------------------------------------------------ */
/* must-revalidate                                                     */

/*
 * must-revalidate forbids serving stale, whatever stale-while-revalidate
 * and stale-if-error say: a stale GET waits for the origin (no stale
 * hit), its 503 reaches the client, and with the origin gone the client
 * gets 503 too.
 */
static void
must_revalidate_forbids_stale(void **state)
{
	struct rig *t = RIG_START("");
	const char *cc = STALE_ON_ARRIVAL(", must-revalidate, "
	    "stale-while-revalidate=30, stale-if-error=60");
	struct hx_resp *r;

	respond(t->o, ok(cc, "strict one"));
	respond(t->o, ok(cc, "strict two"));
	hx_origin_push(t->o, (struct hx_action){ .raw = "HTTP/1.1 503 Service "
	    "Unavailable\r\nContent-Length: 4\r\n\r\ndown", .delay_ms = 300 });

	GET_BODY(t->c, "/mr1", "strict one");
	GET_BODY(t->c, "/mr2", "strict two");

	r = GET(t->c, "/mr1");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_BODY(r, "down");
	ASSERT_CS(r, "accel; fwd=stale");
	if (r->elapsed_ms < 250)
		HX_FAIL("answered after %" PRId64 " ms: did not wait for the "
		    "origin", r->elapsed_ms);
	rig_close(t);
	hx_origin_stop(t->o);

	RIG_RECONNECT(t);
	r = GET(t->c, "/mr2");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_BODY(r, "503 Service Unavailable\n");

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_stale_hit"), 0);
	assert_int_equal(hx_counter(t->a, "cache_sie"), 0);
	assert_int_equal(hx_counter(t->a, "cache_bg_fetch"), 0);
}

/* ------------------------------------------------------------------ */
/* Request directives                                                  */

/*
 * Request max-stale=10 takes a stale object (stale by about 2 s, kept by
 * its ETag) at once, and accel refreshes it in the background; a
 * max-stale=1 request for another such object waits for the origin.
 */
static void
request_max_stale_allows_stale_hit(void **state)
{
	struct rig *t = RIG_START("");
	const char *old3 = "Cache-Control: max-age=1\r\nAge: 3\r\nETag: \"x1\"\r\n";
	struct hx_resp *r;

	respond(t->o, ok(old3, "old"));
	respond(t->o, ok(old3, "old too"));
	hx_origin_push(t->o, (struct hx_action){ .raw = NOT_MODIFIED_60("\"x1\"",
	    ""), .delay_ms = 300 });

	GET_BODY(t->c, "/ms", "old");
	GET_BODY(t->c, "/ms2", "old too");

	r = GETX_STALE_HIT(t->c, "/ms", "Cache-Control: max-stale=10\r\n", "old");
	ASSERT_QUICK(r, 250);
	/* the request is recorded whole, not only its head (the origin
	 * may still be reading it when the head is counted) */
	hx_origin_wait_reqs(t->o, 3, 3000);
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 2), "If-None-Match", "\"x1\"");
	for (int64_t end = hx_now_ms() + 3000;; hx_sleep_ms(50)) {
		r = GET_BODY(t->c, "/ms", "old");
		if (strncmp(hx_resp_hdr(r, "Cache-Status"), "accel; hit; ttl=6",
		    17) == 0)
			break;
		if (hx_now_ms() > end)
			HX_FAIL("not refreshed after 3 s");
	}
	ASSERT_HIT(r, 59, 60);

	respond(t->o, ok(MAX_AGE_60, "new"));
	r = GETX(t->c, "/ms2", "Cache-Control: max-stale=1\r\n");
	HX_ASSERT_BODY(r, "new");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=60");

	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_bg_fetch"), 1);
}

/*
 * only-if-cached: 504 on a miss and on a stale object, without asking the
 * origin; a fresh object is served; with max-stale a stale one too.
 */
static void
request_only_if_cached(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(STALE_ON_ARRIVAL("") "ETag: \"o1\"\r\n", "stale"));
	respond_fresh(t->o, "fresh");
	GET_BODY(t->c, "/stale", "stale");
	GET_BODY(t->c, "/fresh", "fresh");

	r = GETX(t->c, "/none", "Cache-Control: only-if-cached\r\n");
	HX_ASSERT_STATUS(r, 504);
	r = GETX(t->c, "/stale", "Cache-Control: only-if-cached\r\n");
	HX_ASSERT_STATUS(r, 504);
	r = GETX(t->c, "/fresh", "Cache-Control: only-if-cached\r\n");
	HX_ASSERT_BODY(r, "fresh");
	ASSERT_HIT(r, 59, 60);
	respond(t->o, NOT_MODIFIED_60("\"o1\"", ""));
	GETX_STALE_HIT(t->c, "/stale",
	    "Cache-Control: only-if-cached, max-stale\r\n", "stale");

	hx_origin_wait_reqs(t->o, 3, 3000); /* that hit's refresh */
	RIG_DONE(t, 3);
	assert_int_equal(log_lines_with(t->a, "GET /none ", " 504 "), 1);
}

/* ------------------------------------------------------------------ */
/* Past ttl, grace and keep                                            */

/*
 * With -p keep=0 an object with an ETag is kept no longer than its 1 s
 * lifetime, like one without validators: after it, the GET is an
 * unconditional miss (fwd=stale) that stores the new answer.
 */
static void
expired_beyond_keep(void **state)
{
	struct rig *t = RIG_START("-p keep=0");
	struct hx_resp *r;

	respond(t->o, ok("Cache-Control: max-age=1\r\nETag: \"k1\"\r\n", "k1"));
	respond(t->o, ok("Cache-Control: max-age=1\r\n", "plain"));
	respond(t->o, ok(MAX_AGE_60 "ETag: \"k2\"\r\n", "k2"));
	respond_fresh(t->o, "plain 2");

	GET_STORED(t->c, "/k", "k1", 1);
	GET_STORED(t->c, "/p", "plain", 1);
	GET_HIT(t->c, "/k", "k1", 0, 1);
	hx_sleep_ms(STALE_MS);

	r = GET_BODY(t->c, "/k", "k2");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=60");
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 2), "If-None-Match");
	r = GET_BODY(t->c, "/p", "plain 2");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=60");
	GET_HIT(t->c, "/k", "k2", 59, 60);

	RIG_DONE(t, 4);
	assert_int_equal(hx_counter(t->a, "cache_reval"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(swr_serves_stale_and_refreshes_once),
		HX_TEST(swr_background_refresh_revalidates),
		HX_TEST(swr_failed_refresh_keeps_stale),
		HX_TEST(sie_origin_down),
		HX_TEST(sie_on_origin_error_status),
		HX_TEST(origin_error_keeps_stored_object),
		HX_TEST(sie_origin_timeout),
		HX_TEST(sie_not_for_404),
		HX_TEST(must_revalidate_forbids_stale),
		HX_TEST(request_max_stale_allows_stale_hit),
		HX_TEST(request_only_if_cached),
		HX_TEST(expired_beyond_keep),
	};

	return HX_RUN(tests);
}
