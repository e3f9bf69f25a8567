/*
 * test_cache_store.c: what the cache (accel/cache.c) stores, and for how
 * long: a miss is stored when RFC 9111 allows it and nothing unbuilt is
 * needed (no revalidation); hop-by-hop fields are not kept;
 * freshness (s-maxage > max-age > Expires > heuristic > default_ttl), Age
 * arithmetic and expiry; request directives that force a refetch.
 * Hits, HEAD, PURGE, invalidation, keys and bodies: test_cache_ops.c.
 *
 * The origin's freshness is in the canned responses; a test that depends
 * on time sleeps past a 1 s lifetime (and sends no Date, whose whole
 * seconds would add up to 1 s of apparent age).
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/*
 * The exchange behind the storability rules: accel with `params`; two
 * GET /obj on one connection, each with req_fields; the origin answers
 * "v1" then "v2", both 200 with resp_fields (a 60 s lifetime when
 * stored). Stored: the first is "fwd=miss; stored; ttl=60", the second a
 * hit on "v1" and the origin sees one request. Not stored: both reach the
 * origin, both are "fwd=miss".
 */
static void
get_twice(const char *params, const char *resp_fields, const char *req_fields,
    int stored)
{
	struct rig *t = RIG_START(params);
	struct hx_resp *r;

	respond(t->o, ok(resp_fields, "v1"));
	respond(t->o, ok(resp_fields, "v2"));

	r = GETX(t->c, "/obj", req_fields);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "v1");
	if (stored)
		ASSERT_STORED_MISS(r, 60);
	else
		ASSERT_MISS(r);

	r = GETX(t->c, "/obj", req_fields);
	HX_ASSERT_STATUS(r, 200);
	if (stored) {
		HX_ASSERT_BODY(r, "v1");
		ASSERT_HIT(r, 59, 60);
	} else {
		HX_ASSERT_BODY(r, "v2");
		ASSERT_MISS(r);
	}

	RIG_DONE(t, stored ? 1 : 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), stored ? 1 : 0);
	assert_int_equal(hx_counter(t->a, "cache_hit"), stored ? 1 : 0);
}

/*
 * The origin answers "v1" then "v2", both 200 with resp_fields giving a
 * 1 s lifetime: GET target stores v1 (ttl=1) and hits it at once; 1.2 s
 * later v1 is stale and GET target fetches and stores v2. Returns the rig
 * for what the test checks next.
 */
static struct rig *
stale_after_one_second(const char *resp_fields, const char *target)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(resp_fields, "v1"));
	respond(t->o, ok(resp_fields, "v2"));

	GET_STORED(t->c, target, "v1", 1);
	GET_HIT(t->c, target, "v1", 0, 1);

	hx_sleep_ms(1200);
	r = GET_BODY(t->c, target, "v2");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=1");
	return t;
}

/* ------------------------------------------------------------------ */
/* What is kept of a stored response                                   */

/* Hop-by-hop fields (Connection and what it lists, Keep-Alive) and Age
 * are not stored; the origin's Via is, with ours after it, as one field. */
static void
hop_by_hop_not_stored(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60
		      "Connection: keep-alive, X-Hop\r\n"
		      "X-Hop: 1\r\n"
		      "Keep-Alive: timeout=30\r\n"
		      "Via: 1.1 upstream\r\n"
		      "Age: 0\r\n"
		      "X-End-To-End: kept\r\n", "hop"));

	r = GET_BODY(t->c, "/hop", "hop");
	HX_ASSERT_HDR(r, "Via", "1.1 upstream, 1.1 accel");
	r = GET_HIT(t->c, "/hop", "hop", 59, 60);
	HX_ASSERT_HDR(r, "X-End-To-End", "kept");
	HX_ASSERT_NO_HDR(r, "X-Hop");
	HX_ASSERT_NO_HDR(r, "Keep-Alive");
	HX_ASSERT_NO_HDR(r, "Connection");
	HX_ASSERT_HDR(r, "Via", "1.1 upstream, 1.1 accel");
	assert_int_equal(hx_resp_hdr_count(r, "Content-Length"), 1);
	RIG_DONE(t, 1);
}

/* Empty bodies are objects too: a 200 with Content-Length: 0 and a 204. */
static void
empty_bodies_stored(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "");
	respond(t->o, "HTTP/1.1 204 No Content\r\n" MAX_AGE_60 "\r\n");

	GET_STORED(t->c, "/empty", "", 60);
	r = GET_HIT(t->c, "/empty", "", 59, 60);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "0");

	r = GET(t->c, "/none");
	HX_ASSERT_STATUS(r, 204);
	ASSERT_STORED_MISS(r, 60);
	r = GET(t->c, "/none");
	HX_ASSERT_STATUS(r, 204);
	HX_ASSERT_NO_HDR(r, "Content-Length");
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	ASSERT_HIT(r, 59, 60);
	/* the connection is still in sync */
	r = GET(t->c, "/empty");
	HX_ASSERT_STATUS(r, 200);
	ASSERT_HIT(r, 58, 60);

	RIG_DONE(t, 2);
}

/* ------------------------------------------------------------------ */
/* What is stored (RFC 9111 section 3)                                 */

/* A 200 with no freshness information at all has a lifetime of 0. */
static void
no_freshness_not_stored(void **state)
{
	get_twice("", "", "", 0);
}

static void
no_store_not_stored(void **state)
{
	get_twice("", "Cache-Control: no-store, max-age=60\r\n", "", 0);
}

static void
private_not_stored(void **state)
{
	get_twice("", "Cache-Control: private, max-age=60\r\n", "", 0);
}

static void
set_cookie_not_stored(void **state)
{
	get_twice("", MAX_AGE_60 "Set-Cookie: s=1\r\n", "", 0);
}

static void
store_set_cookie_param_stores(void **state)
{
	get_twice("-p store_set_cookie=1", MAX_AGE_60 "Set-Cookie: s=1\r\n", "",
	    1);
}

/* Section 3.5: a response to a request with Authorization is not stored
 * by a shared cache unless public, s-maxage or must-revalidate allow it. */
static void
authorization_not_stored(void **state)
{
	get_twice("", MAX_AGE_60, "Authorization: Bearer t\r\n", 0);
}

static void
authorization_public_stored(void **state)
{
	get_twice("", "Cache-Control: public, max-age=60\r\n",
	    "Authorization: Bearer t\r\n", 1);
}

static void
authorization_s_maxage_stored(void **state)
{
	get_twice("", "Cache-Control: s-maxage=60\r\n",
	    "Authorization: Bearer t\r\n", 1);
}

static void
authorization_must_revalidate_stored(void **state)
{
	get_twice("", "Cache-Control: must-revalidate, max-age=60\r\n",
	    "Authorization: Bearer t\r\n", 1);
}

/* Request Cache-Control: no-store (section 5.2.1.5). */
static void
request_no_store_not_stored(void **state)
{
	get_twice("", MAX_AGE_60, "Cache-Control: no-store\r\n", 0);
}

/* Response no-cache needs validation before each use: not built yet. */
static void
response_no_cache_not_stored(void **state)
{
	get_twice("", "Cache-Control: no-cache, max-age=60\r\n", "", 0);
}

/* A response with Vary is stored as a variant; the same request fields
 * select it (variants themselves: test_cache_vary.c). */
static void
vary_stored(void **state)
{
	get_twice("", MAX_AGE_60 "Vary: Accept-Encoding\r\n",
	    "Accept-Encoding: gzip\r\n", 1);
}

/* A close-delimited body might be cut short unnoticed: not stored, but
 * passed on whole. */
static void
close_delimited_not_stored(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	hx_origin_push(t->o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    MAX_AGE_60 "\r\nuntil close", .close_after = 1 });
	respond_fresh(t->o, "v2");

	r = GET_MISS(t->c, "/eof", "until close");
	HX_ASSERT_STATUS(r, 200);

	RIG_RECONNECT(t);
	GET_STORED(t->c, "/eof", "v2", 60);
	RIG_DONE(t, 2);
}

/* ------------------------------------------------------------------ */
/* Freshness lifetime (RFC 9111 section 4.2.1)                         */

/* s-maxage applies to a shared cache and beats max-age. */
static void
s_maxage_beats_max_age(void **state)
{
	struct rig *t = stale_after_one_second(
	    "Cache-Control: s-maxage=1, max-age=60\r\n", "/s");

	RIG_DONE(t, 2);
}

/* max-age beats Expires: an Expires in the past does not make it stale. */
static void
max_age_beats_expires(void **state)
{
	struct rig *t = RIG_START("");

	respond(t->o, ok(hx_printf("Date: %s\r\nExpires: %s\r\n" MAX_AGE_60,
	    http_date(0), http_date(-3600)), "v1"));

	GET_STORED(t->c, "/m", "v1", 60);
	GET_HIT(t->c, "/m", "v1", 58, 60);
	RIG_DONE(t, 1);
}

/* Expires - Date is the lifetime. */
static void
expires_future_with_date_stored(void **state)
{
	struct rig *t = RIG_START("");
	time_t now = time(NULL);
	struct hx_resp *r;

	respond(t->o, ok(hx_printf("Date: %s\r\nExpires: %s\r\n", http_time(now),
	    http_time(now + 60)), "v1"));

	GET_STORED(t->c, "/e", "v1", 60);
	r = GET_HIT(t->c, "/e", "v1", 58, 60);
	HX_ASSERT_HDR(r, "Expires", http_time(now + 60));
	RIG_DONE(t, 1);
}

/* An invalid Expires ("0") means already expired (section 5.3). */
static void
invalid_expires_not_stored(void **state)
{
	get_twice("", hx_printf("Date: %s\r\nExpires: 0\r\n", http_date(0)), "", 0);
}

/* Section 4.2.2: 10% of Date - Last-Modified, at most one day, for a
 * heuristically cacheable status. */
static void
heuristic_freshness_from_last_modified(void **state)
{
	struct rig *t = RIG_START("");
	time_t now = time(NULL);

	respond(t->o, ok(hx_printf("Date: %s\r\nLast-Modified: %s\r\n",
	    http_time(now), http_time(now - 10 * 86400)), "old"));
	respond(t->o, ok(hx_printf("Date: %s\r\nLast-Modified: %s\r\n",
	    http_time(now), http_time(now - 1000)), "recent"));

	/* 10 days old: 10% is a day, the cap. The Date is this second's:
	 * when the next second has begun by the time accel reads it, the
	 * response is 1 s old on arrival (Age: 1, a second less to live). */
	get_expect_at(t->c, "/old", "old", WANT_STORED, 86399, 86400,
	    __FILE__, __LINE__);
	GET_HIT(t->c, "/old", "old", 86398, 86400);

	/* 1000 s old (relative to the same Date): 100 s */
	get_expect_at(t->c, "/recent", "recent", WANT_STORED, 99, 100,
	    __FILE__, __LINE__);
	GET_HIT(t->c, "/recent", "recent", 97, 100);

	RIG_DONE(t, 2);
}

/* 302 is not heuristically cacheable: Last-Modified alone gives nothing. */
static void
no_heuristic_for_302(void **state)
{
	struct rig *t = RIG_START("");
	const char *found = hx_printf("HTTP/1.1 302 Found\r\nDate: %s\r\n"
	    "Last-Modified: %s\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
	    http_date(0), http_date(-10 * 86400));
	struct hx_resp *r;

	respond(t->o, found);
	respond(t->o, found);

	r = GET(t->c, "/moved");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);
	r = GET(t->c, "/moved");
	HX_ASSERT_STATUS(r, 302);
	HX_ASSERT_HDR(r, "Location", "/elsewhere");
	ASSERT_MISS(r);
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* -p default_ttl=5: the lifetime of a heuristically cacheable response
 * without freshness information; a 302 still gets none. */
static void
default_ttl_for_200_without_freshness(void **state)
{
	struct rig *t = RIG_START("-p default_ttl=5");
	const char *found = "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
			    "Content-Length: 0\r\n\r\n";
	struct hx_resp *r;

	respond(t->o, ok("", "plain"));
	respond(t->o, found);
	respond(t->o, found);

	GET_STORED(t->c, "/plain", "plain", 5);
	GET_HIT(t->c, "/plain", "plain", 4, 5);

	r = GET(t->c, "/found");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);
	r = GET(t->c, "/found");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);

	RIG_DONE(t, 3);
}

/* A 404 with explicit freshness is stored and served as a 404. */
static void
not_found_with_max_age_stored(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, "HTTP/1.1 404 Not Found\r\n" MAX_AGE_60
		      "Content-Length: 9\r\n\r\nnot found");

	r = GET(t->c, "/gone");
	HX_ASSERT_STATUS(r, 404);
	ASSERT_STORED_MISS(r, 60);
	r = GET_HIT(t->c, "/gone", "not found", 59, 60);
	HX_ASSERT_STATUS(r, 404);
	HX_ASSERT_HDR(r, "Content-Length", "9");
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* Age (RFC 9111 section 4.2.3)                                        */

/* Age from upstream and an old Date both enter current_age: a response
 * with Age: 30 and a Date 10 s old is 30 s old on arrival, and has 30 s
 * left of max-age=60. Age is not stored as a field (one Age on the hit). */
static void
age_header_enters_age_arithmetic(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(hx_printf("Date: %s\r\nAge: 30\r\n" MAX_AGE_60,
	    http_date(-10)), "aged"));

	r = GET_BODY(t->c, "/aged", "aged");
	HX_ASSERT_HDR(r, "Age", "30");
	r = GET_HIT(t->c, "/aged", "aged", 27, 30);
	if (HDR_INT(r, "Age") < 30 || HDR_INT(r, "Age") > 32)
		HX_FAIL("Age: %ld on the hit, want 30..32", HDR_INT(r, "Age"));
	RIG_DONE(t, 1);
}

/* Without Age, apparent_age = response_time - Date counts: a Date 40 s
 * old leaves 20 s of max-age=60. */
static void
old_date_enters_age_arithmetic(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok(hx_printf("Date: %s\r\n" MAX_AGE_60, http_date(-40)),
	    "dated"));

	GET_BODY(t->c, "/dated", "dated");
	r = GET_HIT(t->c, "/dated", "dated", 17, 20);
	if (HDR_INT(r, "Age") < 40 || HDR_INT(r, "Age") > 42)
		HX_FAIL("Age: %ld on the hit, want 40..42", HDR_INT(r, "Age"));
	RIG_DONE(t, 1);
}

/* RFC 9211 section 2.7: ttl is the remaining freshness lifetime when the
 * response is sent, also on the miss that stored it: 60 - 30 = 30. */
static void
stored_miss_ttl_is_remaining_freshness(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, ok("Age: 30\r\n" MAX_AGE_60, "aged"));

	r = GET_BODY(t->c, "/aged", "aged");
	if (hx_resp_hdr(r, "Cache-Status") == NULL ||
	    (strcmp(hx_resp_hdr(r, "Cache-Status"), "accel; fwd=miss; stored; ttl=30") != 0 &&
	     strcmp(hx_resp_hdr(r, "Cache-Status"), "accel; fwd=miss; stored; ttl=29") != 0))
		HX_FAIL("Cache-Status: %s on a miss with Age: 30 and max-age=60, "
			"want \"accel; fwd=miss; stored; ttl=30\" (or 29)",
		    hx_resp_hdr(r, "Cache-Status"));
	RIG_STOP(t);
}

/* ------------------------------------------------------------------ */
/* Expiry and request directives (RFC 9111 sections 4.2, 5.2.1)        */

/* max-age=1: a hit at once; stale after 1.2 s, refetched and replaced;
 * then the new one is a hit. */
static void
expired_object_refetched(void **state)
{
	struct rig *t = stale_after_one_second("Cache-Control: max-age=1\r\n",
	    "/short");

	GET_HIT(t->c, "/short", "v2", 0, 1);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 2);
	assert_int_equal(hx_counter(t->a, "cache_miss"), 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 2);
}

/* A fresh object (max-age=60); a request with `fields` refuses it: the
 * origin is asked again, its answer replaces the object, and the next
 * plain GET is a hit on the new one. */
static void
refetch_forced_by(const char *fields)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "v2");

	GET_BODY(t->c, "/f", "v1");
	r = GETX(t->c, "/f", fields);
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS_HAS(r, "; stored; ttl=60");
	ASSERT_ORIGIN_NREQ(t->o, 2);
	GET_HIT(t->c, "/f", "v2", 59, 60);

	RIG_DONE(t, 2);
}

static void
request_no_cache_refetches(void **state)
{
	refetch_forced_by("Cache-Control: no-cache\r\n");
}

static void
request_max_age_0_refetches(void **state)
{
	refetch_forced_by("Cache-Control: max-age=0\r\n");
}

static void
request_pragma_no_cache_refetches(void **state)
{
	refetch_forced_by("Pragma: no-cache\r\n");
}

static void
request_min_fresh_refetches(void **state)
{
	refetch_forced_by("Cache-Control: min-fresh=3600\r\n");
}

/* Request max-age larger than the object's age, min-fresh within its
 * remaining lifetime: still hits. */
static void
request_max_age_within_age_hits(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");

	GET_BODY(t->c, "/f", "v1");
	r = GETX(t->c, "/f", "Cache-Control: max-age=30\r\n");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 59, 60);
	r = GETX(t->c, "/f", "Cache-Control: min-fresh=10\r\n");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 59, 60);
	RIG_DONE(t, 1);
}

/* RFC 9211 section 2.2: a fresh object the request's directives refuse
 * is fwd=request, not fwd=stale. */
static void
request_forced_refetch_is_fwd_request(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "v2");

	GET_BODY(t->c, "/f", "v1");
	r = GETX(t->c, "/f", "Cache-Control: no-cache\r\n");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS(r, "accel; fwd=request; stored; ttl=60");
	RIG_STOP(t);
}

/* ------------------------------------------------------------------ */
/* Targeted cache control (RFC 9213): Accel-Cache-Control, then
 * CDN-Cache-Control, replace Cache-Control for this cache. */

static void
cdn_cache_control_beats_cache_control(void **state)
{
	get_twice("", "Cache-Control: no-store\r\n"
		      "CDN-Cache-Control: max-age=60\r\n", "", 1);
}

static void
cdn_cache_control_no_store_wins(void **state)
{
	get_twice("", MAX_AGE_60 "CDN-Cache-Control: no-store\r\n", "", 0);
}

static void
accel_cache_control_beats_cdn(void **state)
{
	get_twice("", "Cache-Control: private\r\n"
		      "CDN-Cache-Control: no-store\r\n"
		      "Accel-Cache-Control: max-age=60\r\n", "", 1);
	get_twice("", MAX_AGE_60 "CDN-Cache-Control: max-age=60\r\n"
		      "Accel-Cache-Control: no-store\r\n", "", 0);
}

/* The targeted lifetime is the one used: 1 s, not Cache-Control's 60. */
static void
cdn_cache_control_lifetime(void **state)
{
	struct rig *t = stale_after_one_second(
	    "Cache-Control: max-age=60\r\nCDN-Cache-Control: max-age=1\r\n",
	    "/t");

	RIG_DONE(t, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(hop_by_hop_not_stored),
		HX_TEST(empty_bodies_stored),
		HX_TEST(no_freshness_not_stored),
		HX_TEST(no_store_not_stored),
		HX_TEST(private_not_stored),
		HX_TEST(set_cookie_not_stored),
		HX_TEST(store_set_cookie_param_stores),
		HX_TEST(authorization_not_stored),
		HX_TEST(authorization_public_stored),
		HX_TEST(authorization_s_maxage_stored),
		HX_TEST(authorization_must_revalidate_stored),
		HX_TEST(request_no_store_not_stored),
		HX_TEST(response_no_cache_not_stored),
		HX_TEST(vary_stored),
		HX_TEST(close_delimited_not_stored),
		HX_TEST(s_maxage_beats_max_age),
		HX_TEST(max_age_beats_expires),
		HX_TEST(expires_future_with_date_stored),
		HX_TEST(invalid_expires_not_stored),
		HX_TEST(heuristic_freshness_from_last_modified),
		HX_TEST(no_heuristic_for_302),
		HX_TEST(default_ttl_for_200_without_freshness),
		HX_TEST(not_found_with_max_age_stored),
		HX_TEST(age_header_enters_age_arithmetic),
		HX_TEST(old_date_enters_age_arithmetic),
		HX_TEST(stored_miss_ttl_is_remaining_freshness),
		HX_TEST(expired_object_refetched),
		HX_TEST(request_no_cache_refetches),
		HX_TEST(request_max_age_0_refetches),
		HX_TEST(request_pragma_no_cache_refetches),
		HX_TEST(request_min_fresh_refetches),
		HX_TEST(request_max_age_within_age_hits),
		HX_TEST(request_forced_refetch_is_fwd_request),
		HX_TEST(cdn_cache_control_beats_cache_control),
		HX_TEST(cdn_cache_control_no_store_wins),
		HX_TEST(accel_cache_control_beats_cdn),
		HX_TEST(cdn_cache_control_lifetime),
	};

	return HX_RUN(tests);
}
