/*
 * test_cache.c: the first cut of the cache (accel/cache.c): a miss stored
 * when RFC 9111 allows it and nothing unbuilt is needed (no Vary, no
 * revalidation), hits from memory with Age and Cache-Status, freshness
 * (s-maxage > max-age > Expires > heuristic > default_ttl) and expiry,
 * request directives that force a refetch, HEAD, PURGE and its ACL,
 * invalidation by unsafe methods, the key (Host, path, query), large and
 * chunked bodies, responses cut short, pipelined hits, and the counters.
 *
 * The origin's freshness is in the canned responses; a test that depends
 * on time sleeps past a 1 s lifetime (and sends no Date, whose whole
 * seconds would add up to 1 s of apparent age).
 */
#include "tests/integration/harness.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Local helpers                                                       */

/* A 200 with these header fields (each ending in CRLF) and body. */
static const char *
ok(const char *fields, const char *body)
{
	return hx_printf("HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n%s",
	    fields, strlen(body), body);
}

/* Queue the origin's next answer. */
static void
respond(struct hx_origin *o, const char *raw)
{
	hx_origin_push(o, (struct hx_action){ .raw = raw });
}

/* t as an IMF-fixdate. */
static const char *
http_time(time_t t)
{
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return hx_strdup(buf);
}

/* An IMF-fixdate `offset` seconds from now. */
static const char *
http_date(long offset)
{
	return http_time(time(NULL) + offset);
}

/* Requests: origin-form, Host: h unless the fields say otherwise. */
#define GET(c, target) \
	hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target))
#define GETX(c, target, fields) \
	hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n%s\r\n", \
	    target, fields))
#define HEAD(c, target) \
	hx_request_ex(c, hx_printf("HEAD %s HTTP/1.1\r\nHost: h\r\n\r\n", \
	    target), HX_HEAD)

/* An integer header field of a response; fails when absent or not one. */
#define HDR_INT(r, name) hdr_int_at(r, name, __FILE__, __LINE__)
static long
hdr_int_at(const struct hx_resp *r, const char *name, const char *file,
    int line)
{
	const char *v = hx_resp_hdr(r, name);
	char *end;
	long n;

	if (v == NULL)
		hx_fail_at(file, line, "no %s field in:\n%.*s", name,
		    (int)r->head_len, r->head);
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0')
		hx_fail_at(file, line, "%s: \"%s\" is not an integer", name, v);
	return n;
}

/* Cache-Status of a forwarded response, exactly. */
#define ASSERT_CS(r, want) HX_ASSERT_HDR(r, "Cache-Status", want)
#define ASSERT_MISS(r) ASSERT_CS(r, "accel; fwd=miss")
#define ASSERT_STORED_MISS(r, ttl) \
	ASSERT_CS(r, hx_printf("accel; fwd=miss; stored; ttl=%d", ttl))
/* Cache-Status holding `part`. */
#define ASSERT_CS_HAS(r, part) assert_cs_has_at(r, part, __FILE__, __LINE__)
static void
assert_cs_has_at(const struct hx_resp *r, const char *part, const char *file,
    int line)
{
	const char *cs = hx_resp_hdr(r, "Cache-Status");

	if (cs == NULL || strstr(cs, part) == NULL)
		hx_fail_at(file, line, "want a Cache-Status with \"%s\", got:\n%.*s",
		    part, (int)r->head_len, r->head);
}

/* A hit: "Cache-Status: accel; hit; ttl=N" with lo <= N <= hi, one Age
 * field holding whole seconds, and our Via. Returns N. */
#define ASSERT_HIT(r, lo, hi) assert_hit_at(r, lo, hi, __FILE__, __LINE__)
static long
assert_hit_at(const struct hx_resp *r, long lo, long hi, const char *file,
    int line)
{
	const char *cs = hx_resp_hdr(r, "Cache-Status");
	char *end;
	long ttl;

	if (cs == NULL || strncmp(cs, "accel; hit; ttl=", 16) != 0)
		hx_fail_at(file, line, "want a hit (Cache-Status: accel; hit; "
		    "ttl=%ld..%ld), got:\n%.*s", lo, hi, (int)r->head_len, r->head);
	ttl = strtol(cs + 16, &end, 10);
	if (end == cs + 16 || *end != '\0' || ttl < lo || ttl > hi)
		hx_fail_at(file, line, "Cache-Status: %s, want ttl in %ld..%ld",
		    cs, lo, hi);
	if (hx_resp_hdr_count(r, "Age") != 1)
		hx_fail_at(file, line, "a hit needs exactly one Age field, got "
		    "%d in:\n%.*s", hx_resp_hdr_count(r, "Age"), (int)r->head_len,
		    r->head);
	(void)hdr_int_at(r, "Age", file, line);
	hx_assert_hdr_at(r, "Via", "1.1 accel", file, line);
	return ttl;
}

/* Lines of accel's log holding both needles. */
static int
log_lines_with(struct hx_accel *a, const char *n1, const char *n2)
{
	const char *p = a->log ? a->log : hx_accel_log(a);
	int found = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		char *line = hx_memdup(p, eol ? (size_t)(eol - p) : strlen(p));

		if (strstr(line, n1) != NULL && strstr(line, n2) != NULL)
			found++;
		p += strlen(line) + (eol ? 1 : 0);
	}
	return found;
}

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
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d %s", o->port, params);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok(resp_fields, "v1"));
	respond(o, ok(resp_fields, "v2"));

	r = GETX(c, "/obj", req_fields);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "v1");
	if (stored)
		ASSERT_STORED_MISS(r, 60);
	else
		ASSERT_MISS(r);

	r = GETX(c, "/obj", req_fields);
	HX_ASSERT_STATUS(r, 200);
	if (stored) {
		HX_ASSERT_BODY(r, "v1");
		ASSERT_HIT(r, 59, 60);
	} else {
		HX_ASSERT_BODY(r, "v2");
		ASSERT_MISS(r);
	}
	assert_int_equal(hx_origin_nreq(o), stored ? 1 : 2);

	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_stored"), stored ? 1 : 0);
	assert_int_equal(hx_counter(a, "cache_hit"), stored ? 1 : 0);
}

/* ------------------------------------------------------------------ */
/* Miss, then hit                                                      */

static void
miss_then_hit(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *miss, *hit;
	static const char *const same[] = { "Cache-Control", "Content-Type",
		"ETag", "X-Origin", "Content-Length", "Via" };

	respond(o, "HTTP/1.1 200 OK\r\n"
		   "Cache-Control: max-age=60\r\n"
		   "Content-Type: text/plain\r\n"
		   "ETag: \"v1\"\r\n"
		   "X-Origin: one\r\n"
		   "Content-Length: 11\r\n"
		   "\r\n"
		   "hello world");

	miss = GET(c, "/page");
	HX_ASSERT_STATUS(miss, 200);
	HX_ASSERT_BODY(miss, "hello world");
	ASSERT_STORED_MISS(miss, 60);
	HX_ASSERT_HDR(miss, "Via", "1.1 accel");

	hit = GET(c, "/page");
	HX_ASSERT_STATUS(hit, 200);
	HX_ASSERT_BODY(hit, "hello world");
	ASSERT_HIT(hit, 59, 60);
	if (HDR_INT(hit, "Age") > 1)
		HX_FAIL("Age %ld on a hit a moment after the miss", HDR_INT(hit, "Age"));
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		HX_ASSERT_HDR(hit, same[i], hx_resp_hdr(miss, same[i]));
		assert_int_equal(hx_resp_hdr_count(hit, same[i]), 1);
	}
	HX_ASSERT_NO_HDR(hit, "Transfer-Encoding");

	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_miss"), 1);
	assert_int_equal(hx_counter(a, "cache_hit"), 1);
	assert_int_equal(hx_counter(a, "cache_stored"), 1);
	assert_int_equal(log_lines_with(a, "GET /page", "cache=miss-stored"), 1);
	assert_int_equal(log_lines_with(a, "GET /page", "cache=hit"), 1);
}

/* Hop-by-hop fields (Connection and what it lists, Keep-Alive), the
 * origin's Via and Age are not stored: the hit has its own. */
static void
hop_by_hop_not_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n"
		      "Connection: keep-alive, X-Hop\r\n"
		      "X-Hop: 1\r\n"
		      "Keep-Alive: timeout=30\r\n"
		      "Via: 1.1 upstream\r\n"
		      "Age: 0\r\n"
		      "X-End-To-End: kept\r\n", "hop"));

	r = GET(c, "/hop");
	HX_ASSERT_BODY(r, "hop");
	HX_ASSERT_HDR(r, "Via", "1.1 upstream, 1.1 accel");
	r = GET(c, "/hop");
	HX_ASSERT_BODY(r, "hop");
	ASSERT_HIT(r, 59, 60);
	HX_ASSERT_HDR(r, "X-End-To-End", "kept");
	HX_ASSERT_NO_HDR(r, "X-Hop");
	HX_ASSERT_NO_HDR(r, "Keep-Alive");
	HX_ASSERT_NO_HDR(r, "Connection");
	assert_int_equal(hx_resp_hdr_count(r, "Via"), 1);
	assert_int_equal(hx_resp_hdr_count(r, "Content-Length"), 1);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Empty bodies are objects too: a 200 with Content-Length: 0 and a 204. */
static void
empty_bodies_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", ""));
	respond(o, "HTTP/1.1 204 No Content\r\nCache-Control: max-age=60\r\n\r\n");

	r = GET(c, "/empty");
	HX_ASSERT_BODY(r, "");
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/empty");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "0");
	HX_ASSERT_BODY(r, "");
	ASSERT_HIT(r, 59, 60);

	r = GET(c, "/none");
	HX_ASSERT_STATUS(r, 204);
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/none");
	HX_ASSERT_STATUS(r, 204);
	HX_ASSERT_NO_HDR(r, "Content-Length");
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	ASSERT_HIT(r, 59, 60);
	/* the connection is still in sync */
	r = GET(c, "/empty");
	HX_ASSERT_STATUS(r, 200);
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
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
	get_twice("", "Cache-Control: max-age=60\r\nSet-Cookie: s=1\r\n", "", 0);
}

static void
store_set_cookie_param_stores(void **state)
{
	get_twice("-p store_set_cookie=1",
	    "Cache-Control: max-age=60\r\nSet-Cookie: s=1\r\n", "", 1);
}

/* Section 3.5: a response to a request with Authorization is not stored
 * by a shared cache unless public, s-maxage or must-revalidate allow it. */
static void
authorization_not_stored(void **state)
{
	get_twice("", "Cache-Control: max-age=60\r\n",
	    "Authorization: Bearer t\r\n", 0);
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
	get_twice("", "Cache-Control: max-age=60\r\n",
	    "Cache-Control: no-store\r\n", 0);
}

/* Response no-cache needs validation before each use: not built yet. */
static void
response_no_cache_not_stored(void **state)
{
	get_twice("", "Cache-Control: no-cache, max-age=60\r\n", "", 0);
}

/* Vary is not built yet: any Vary means not stored. */
static void
vary_not_stored(void **state)
{
	get_twice("", "Cache-Control: max-age=60\r\nVary: Accept-Encoding\r\n",
	    "Accept-Encoding: gzip\r\n", 0);
}

/* A close-delimited body might be cut short unnoticed: not stored, but
 * passed on whole. */
static void
close_delimited_not_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c;
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: max-age=60\r\n\r\nuntil close", .close_after = 1 });
	respond(o, ok("Cache-Control: max-age=60\r\n", "v2"));

	c = hx_connect(a->port);
	r = GET(c, "/eof");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "until close");
	ASSERT_MISS(r);
	hx_close(c);

	c = hx_connect(a->port);
	r = GET(c, "/eof");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_STORED_MISS(r, 60);
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* Freshness lifetime (RFC 9111 section 4.2.1)                         */

/* s-maxage applies to a shared cache and beats max-age. */
static void
s_maxage_beats_max_age(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: s-maxage=1, max-age=60\r\n", "v1"));
	respond(o, ok("Cache-Control: s-maxage=1, max-age=60\r\n", "v2"));

	r = GET(c, "/s");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_STORED_MISS(r, 1);
	r = GET(c, "/s");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 0, 1);

	hx_sleep_ms(1200);
	r = GET(c, "/s");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=1");
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* max-age beats Expires: an Expires in the past does not make it stale. */
static void
max_age_beats_expires(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok(hx_printf("Date: %s\r\nExpires: %s\r\n"
	    "Cache-Control: max-age=60\r\n", http_date(0), http_date(-3600)), "v1"));

	r = GET(c, "/m");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/m");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 58, 60);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Expires - Date is the lifetime. */
static void
expires_future_with_date_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	time_t now = time(NULL);
	struct hx_resp *r;

	respond(o, ok(hx_printf("Date: %s\r\nExpires: %s\r\n", http_time(now),
	    http_time(now + 60)), "v1"));

	r = GET(c, "/e");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/e");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 58, 60);
	HX_ASSERT_HDR(r, "Expires", http_time(now + 60));
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
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
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	time_t now = time(NULL);
	struct hx_resp *r;

	respond(o, ok(hx_printf("Date: %s\r\nLast-Modified: %s\r\n",
	    http_time(now), http_time(now - 10 * 86400)), "old"));
	respond(o, ok(hx_printf("Date: %s\r\nLast-Modified: %s\r\n",
	    http_time(now), http_time(now - 1000)), "recent"));

	/* 10 days old: 10% is a day, the cap */
	r = GET(c, "/old");
	HX_ASSERT_BODY(r, "old");
	ASSERT_STORED_MISS(r, 86400);
	r = GET(c, "/old");
	HX_ASSERT_BODY(r, "old");
	ASSERT_HIT(r, 86398, 86400);

	/* 1000 s old (relative to the same Date): 100 s */
	r = GET(c, "/recent");
	HX_ASSERT_BODY(r, "recent");
	ASSERT_STORED_MISS(r, 100);
	r = GET(c, "/recent");
	HX_ASSERT_BODY(r, "recent");
	ASSERT_HIT(r, 97, 100);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* 302 is not heuristically cacheable: Last-Modified alone gives nothing. */
static void
no_heuristic_for_302(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	const char *found = hx_printf("HTTP/1.1 302 Found\r\nDate: %s\r\n"
	    "Last-Modified: %s\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
	    http_date(0), http_date(-10 * 86400));
	struct hx_resp *r;

	respond(o, found);
	respond(o, found);

	r = GET(c, "/moved");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);
	r = GET(c, "/moved");
	HX_ASSERT_STATUS(r, 302);
	HX_ASSERT_HDR(r, "Location", "/elsewhere");
	ASSERT_MISS(r);
	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_stored"), 0);
}

/* -p default_ttl=5: the lifetime of a heuristically cacheable response
 * without freshness information; a 302 still gets none. */
static void
default_ttl_for_200_without_freshness(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p default_ttl=5",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	const char *found = "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
			    "Content-Length: 0\r\n\r\n";
	struct hx_resp *r;

	respond(o, ok("", "plain"));
	respond(o, found);
	respond(o, found);

	r = GET(c, "/plain");
	HX_ASSERT_BODY(r, "plain");
	ASSERT_STORED_MISS(r, 5);
	r = GET(c, "/plain");
	HX_ASSERT_BODY(r, "plain");
	ASSERT_HIT(r, 4, 5);

	r = GET(c, "/found");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);
	r = GET(c, "/found");
	HX_ASSERT_STATUS(r, 302);
	ASSERT_MISS(r);

	assert_int_equal(hx_origin_nreq(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A 404 with explicit freshness is stored and served as a 404. */
static void
not_found_with_max_age_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, "HTTP/1.1 404 Not Found\r\nCache-Control: max-age=60\r\n"
		   "Content-Length: 9\r\n\r\nnot found");

	r = GET(c, "/gone");
	HX_ASSERT_STATUS(r, 404);
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/gone");
	HX_ASSERT_STATUS(r, 404);
	HX_ASSERT_BODY(r, "not found");
	HX_ASSERT_HDR(r, "Content-Length", "9");
	ASSERT_HIT(r, 59, 60);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* Age (RFC 9111 section 4.2.3)                                        */

/* Age from upstream and an old Date both enter current_age: a response
 * with Age: 30 and a Date 10 s old is 30 s old on arrival, and has 30 s
 * left of max-age=60. Age is not stored as a field (one Age on the hit). */
static void
age_header_enters_age_arithmetic(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok(hx_printf("Date: %s\r\nAge: 30\r\n"
	    "Cache-Control: max-age=60\r\n", http_date(-10)), "aged"));

	r = GET(c, "/aged");
	HX_ASSERT_BODY(r, "aged");
	HX_ASSERT_HDR(r, "Age", "30");
	r = GET(c, "/aged");
	HX_ASSERT_BODY(r, "aged");
	ASSERT_HIT(r, 27, 30);
	if (HDR_INT(r, "Age") < 30 || HDR_INT(r, "Age") > 32)
		HX_FAIL("Age: %ld on the hit, want 30..32", HDR_INT(r, "Age"));
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* Without Age, apparent_age = response_time - Date counts: a Date 40 s
 * old leaves 20 s of max-age=60. */
static void
old_date_enters_age_arithmetic(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok(hx_printf("Date: %s\r\nCache-Control: max-age=60\r\n",
	    http_date(-40)), "dated"));

	r = GET(c, "/dated");
	HX_ASSERT_BODY(r, "dated");
	r = GET(c, "/dated");
	HX_ASSERT_BODY(r, "dated");
	ASSERT_HIT(r, 17, 20);
	if (HDR_INT(r, "Age") < 40 || HDR_INT(r, "Age") > 42)
		HX_FAIL("Age: %ld on the hit, want 40..42", HDR_INT(r, "Age"));
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* RFC 9211 section 2.7: ttl is the remaining freshness lifetime when the
 * response is sent, also on the miss that stored it: 60 - 30 = 30. */
static void
stored_miss_ttl_is_remaining_freshness(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Age: 30\r\nCache-Control: max-age=60\r\n", "aged"));

	r = GET(c, "/aged");
	HX_ASSERT_BODY(r, "aged");
	if (hx_resp_hdr(r, "Cache-Status") == NULL ||
	    (strcmp(hx_resp_hdr(r, "Cache-Status"), "accel; fwd=miss; stored; ttl=30") != 0 &&
	     strcmp(hx_resp_hdr(r, "Cache-Status"), "accel; fwd=miss; stored; ttl=29") != 0))
		HX_FAIL("Cache-Status: %s on a miss with Age: 30 and max-age=60, "
			"want \"accel; fwd=miss; stored; ttl=30\" (or 29)",
		    hx_resp_hdr(r, "Cache-Status"));
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* Expiry and request directives (RFC 9111 sections 4.2, 5.2.1)        */

/* max-age=1: a hit at once; stale after 1.2 s, refetched and replaced;
 * then the new one is a hit. */
static void
expired_object_refetched(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=1\r\n", "v1"));
	respond(o, ok("Cache-Control: max-age=1\r\n", "v2"));

	r = GET(c, "/short");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_STORED_MISS(r, 1);
	r = GET(c, "/short");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 0, 1);

	hx_sleep_ms(1200);
	r = GET(c, "/short");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS(r, "accel; fwd=stale; stored; ttl=1");
	r = GET(c, "/short");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_HIT(r, 0, 1);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 2);
	assert_int_equal(hx_counter(a, "cache_miss"), 2);
	assert_int_equal(hx_counter(a, "cache_stored"), 2);
}

/* A fresh object (max-age=60); a request with `fields` refuses it: the
 * origin is asked again, its answer replaces the object, and the next
 * plain GET is a hit on the new one. */
static void
refetch_forced_by(const char *fields)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "v2"));

	r = GET(c, "/f");
	HX_ASSERT_BODY(r, "v1");
	r = GETX(c, "/f", fields);
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS_HAS(r, "; stored; ttl=60");
	assert_int_equal(hx_origin_nreq(o), 2);
	r = GET(c, "/f");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_HIT(r, 59, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
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
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));

	r = GET(c, "/f");
	HX_ASSERT_BODY(r, "v1");
	r = GETX(c, "/f", "Cache-Control: max-age=30\r\n");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 59, 60);
	r = GETX(c, "/f", "Cache-Control: min-fresh=10\r\n");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 59, 60);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* RFC 9211 section 2.2: a fresh object the request's directives refuse
 * is fwd=request, not fwd=stale. */
static void
request_forced_refetch_is_fwd_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "v2"));

	r = GET(c, "/f");
	HX_ASSERT_BODY(r, "v1");
	r = GETX(c, "/f", "Cache-Control: no-cache\r\n");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_CS(r, "accel; fwd=request; stored; ttl=60");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* HEAD                                                                */

/* HEAD is answered from a stored GET: the same head, no body. */
static void
head_on_stored_get(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\nX-Origin: one\r\n",
	    "hello world"));

	r = GET(c, "/doc");
	HX_ASSERT_BODY(r, "hello world");
	r = HEAD(c, "/doc");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "11");
	HX_ASSERT_HDR(r, "X-Origin", "one");
	assert_int_equal(r->body.total, 0);
	ASSERT_HIT(r, 59, 60);
	/* no stray body bytes: the next response parses */
	r = GET(c, "/doc");
	HX_ASSERT_BODY(r, "hello world");
	ASSERT_HIT(r, 59, 60);

	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 2);
}

/* A HEAD miss is forwarded as HEAD and not stored (its answer has no
 * body); a GET then stores, and HEAD hits. */
static void
head_miss_not_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	const char *head = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
			   "Content-Length: 5\r\n\r\n";
	struct hx_resp *r;

	respond(o, head);
	respond(o, head);
	respond(o, ok("Cache-Control: max-age=60\r\n", "hello"));

	r = HEAD(c, "/h");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "5");
	ASSERT_MISS(r);
	assert_string_equal(hx_origin_req(o, 0)->method, "HEAD");
	r = HEAD(c, "/h");
	ASSERT_MISS(r);
	assert_string_equal(hx_origin_req(o, 1)->method, "HEAD");

	r = GET(c, "/h");
	HX_ASSERT_BODY(r, "hello");
	ASSERT_STORED_MISS(r, 60);
	r = HEAD(c, "/h");
	HX_ASSERT_HDR(r, "Content-Length", "5");
	ASSERT_HIT(r, 59, 60);

	assert_int_equal(hx_origin_nreq(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_stored"), 1);
}

/* ------------------------------------------------------------------ */
/* PURGE                                                               */

static void
purge_removes_object(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "p1"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "other"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "p2"));

	r = GET(c, "/p");
	HX_ASSERT_BODY(r, "p1");
	r = GET(c, "/other");
	HX_ASSERT_BODY(r, "other");
	hx_close(c);

	c = hx_connect(a->port);
	r = hx_request(c, "PURGE /p HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	assert_int_equal(hx_origin_nreq(o), 2); /* PURGE stays here */

	c = hx_connect(a->port);
	r = GET(c, "/p");
	HX_ASSERT_BODY(r, "p2");
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/other"); /* another key: untouched */
	HX_ASSERT_BODY(r, "other");
	ASSERT_HIT(r, 58, 60);
	hx_close(c);

	c = hx_connect(a->port);
	r = hx_request(c, "PURGE /nothing HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 404);
	hx_close(c);

	assert_int_equal(hx_origin_nreq(o), 3);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_purge"), 2);
}

static void
purge_refused_outside_acl(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d "
	    "-p purge_acl=10.0.0.0/8", o->port);
	struct hx_conn *c = hx_connect(a->port), *c2;
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "kept"));

	r = GET(c, "/p");
	HX_ASSERT_BODY(r, "kept");

	c2 = hx_connect(a->port);
	r = hx_request(c2, "PURGE /p HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 405);
	hx_close(c2);

	r = GET(c, "/p");
	HX_ASSERT_BODY(r, "kept");
	ASSERT_HIT(r, 58, 60);
	hx_close(c);

	assert_int_equal(hx_origin_nreq(o), 1);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_purge"), 0);
}

/* ------------------------------------------------------------------ */
/* Invalidation by unsafe methods (RFC 9111 section 4.4)               */

static void
post_200_invalidates(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));
	respond(o, ok("", "posted"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "v2"));

	r = GET(c, "/r");
	HX_ASSERT_BODY(r, "v1");
	r = hx_request(c, "POST /r HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 1\r\n\r\nx");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "posted");
	ASSERT_CS(r, "accel; fwd=method");
	r = GET(c, "/r");
	HX_ASSERT_BODY(r, "v2");
	ASSERT_STORED_MISS(r, 60);

	assert_int_equal(hx_origin_nreq(o), 3);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_invalidate"), 1);
	assert_int_equal(hx_counter(a, "cache_pass"), 1);
}

static void
post_500_does_not_invalidate(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));
	respond(o, "HTTP/1.1 500 Internal Server Error\r\n"
		   "Content-Length: 4\r\n\r\nfail");

	r = GET(c, "/r");
	HX_ASSERT_BODY(r, "v1");
	r = hx_request(c, "POST /r HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 1\r\n\r\nx");
	HX_ASSERT_STATUS(r, 500);
	r = GET(c, "/r");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_invalidate"), 0);
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
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	size_t n = sizeof(unsafe) / sizeof(unsafe[0]);

	respond(o, ok("Cache-Control: max-age=60\r\n", "bystander"));
	r = GET(c, "/bystander");
	HX_ASSERT_BODY(r, "bystander");

	for (size_t i = 0; i < n; i++) {
		const char *path = hx_printf("/u/%s", unsafe[i].method);

		respond(o, ok("Cache-Control: max-age=60\r\n", "old"));
		respond(o, unsafe[i].answer);
		respond(o, ok("Cache-Control: max-age=60\r\n", "new"));
		r = GET(c, path);
		HX_ASSERT_BODY(r, "old");
		r = GET(c, path);
		ASSERT_HIT(r, 58, 60);
		r = hx_request(c, hx_printf("%s %s HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 1\r\n\r\nx", unsafe[i].method, path));
		assert_true(r->status >= 200 && r->status < 400);
		r = GET(c, path);
		HX_ASSERT_BODY(r, "new");
		ASSERT_STORED_MISS(r, 60);
	}
	r = GET(c, "/bystander");
	HX_ASSERT_BODY(r, "bystander");
	ASSERT_HIT(r, 55, 60);

	assert_int_equal(hx_origin_nreq(o), 1 + 3 * (int)n);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_invalidate"), n);
}

/* ------------------------------------------------------------------ */
/* The key: Host, path and query                                       */

static void
host_is_part_of_key(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "site a"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "site b"));

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site a");
	ASSERT_STORED_MISS(r, 60);
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: b.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site b");
	ASSERT_STORED_MISS(r, 60);
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site a");
	ASSERT_HIT(r, 58, 60);
	r = hx_request(c, "GET / HTTP/1.1\r\nHost: b.example\r\n\r\n");
	HX_ASSERT_BODY(r, "site b");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 1), "Host", "b.example");
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
query_is_part_of_key(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "one"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "two"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "none"));

	r = GET(c, "/q?a=1");
	HX_ASSERT_BODY(r, "one");
	r = GET(c, "/q?a=2");
	HX_ASSERT_BODY(r, "two");
	r = GET(c, "/q");
	HX_ASSERT_BODY(r, "none");
	r = GET(c, "/q?a=1");
	HX_ASSERT_BODY(r, "one");
	ASSERT_HIT(r, 58, 60);
	r = GET(c, "/q?a=2");
	HX_ASSERT_BODY(r, "two");
	ASSERT_HIT(r, 58, 60);
	r = GET(c, "/q");
	HX_ASSERT_BODY(r, "none");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 3);
	assert_string_equal(hx_origin_req(o, 1)->target, "/q?a=2");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* The absolute form names the same resource as Host + origin form. */
static void
absolute_form_shares_key(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "abs"));

	r = hx_request(c, "GET /abs?x=1 HTTP/1.1\r\nHost: h.example\r\n\r\n");
	HX_ASSERT_BODY(r, "abs");
	r = hx_request(c, "GET http://h.example/abs?x=1 HTTP/1.1\r\n"
			  "Host: h.example\r\n\r\n");
	HX_ASSERT_BODY(r, "abs");
	ASSERT_HIT(r, 58, 60);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A GET with a body is passed: neither served from nor stored in the
 * cache (and, being safe, invalidates nothing). */
static void
get_with_body_passes(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "with body"));

	r = GET(c, "/g");
	HX_ASSERT_BODY(r, "v1");
	r = hx_request(c, "GET /g HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 3\r\n\r\nabc");
	HX_ASSERT_BODY(r, "with body");
	ASSERT_CS(r, "accel; fwd=method");
	assert_string_equal(hx_origin_req(o, 1)->body.buf, "abc");
	r = GET(c, "/g");
	HX_ASSERT_BODY(r, "v1");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_pass"), 1);
	assert_int_equal(hx_counter(a, "cache_stored"), 1);
	assert_int_equal(hx_counter(a, "cache_invalidate"), 0);
}

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

#define BIG (5u << 20)

/* 5 MiB stored on the miss, served byte-identical twice from memory. */
static void
big_body_cached(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = hx_printf("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
	    "Content-Length: %u\r\n\r\n", BIG), .stream_len = BIG });

	for (int i = 0; i < 3; i++) {
		r = GET(c, "/big");
		HX_ASSERT_STATUS(r, 200);
		assert_int_equal(r->body.total, BIG);
		assert_true(r->body.pattern_ok);
		assert_int_equal(r->body.crc, hx_pattern_crc(BIG));
		if (i == 0)
			ASSERT_STORED_MISS(r, 60);
		else {
			HX_ASSERT_HDR(r, "Content-Length", hx_printf("%u", BIG));
			ASSERT_HIT(r, 55, 60);
		}
	}
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 2);
}

/* Larger than the memory tier (-s mem=1M): passed on whole, not kept,
 * with a Content-Length and chunked alike. */
static void
body_larger_than_memory_tier_not_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -s mem=1M", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	uint64_t n = 2u << 20;

	for (int i = 0; i < 2; i++)
		hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
		    .raw = hx_printf("HTTP/1.1 200 OK\r\nCache-Control: max-age=60"
		    "\r\nContent-Length: %" PRIu64 "\r\n\r\n", n), .stream_len = n });
	for (int i = 0; i < 2; i++)
		hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
		    .raw = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n",
		    .stream_len = n, .stream_chunked = 1 });

	for (int i = 0; i < 2; i++) {
		r = GET(c, "/cl");
		assert_int_equal(r->body.total, n);
		assert_int_equal(r->body.crc, hx_pattern_crc(n));
		ASSERT_MISS(r);
	}
	for (int i = 0; i < 2; i++) {
		r = GET(c, "/chunked");
		assert_int_equal(r->body.total, n);
		assert_int_equal(r->body.crc, hx_pattern_crc(n));
		if (i == 1 && hx_resp_hdr(r, "Age") != NULL)
			HX_FAIL("a 2 MiB object hit in a 1 MiB tier");
	}
	assert_int_equal(hx_origin_nreq(o), 4);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 0);
}

/* The body is stored decoded: a chunked miss becomes a Content-Length
 * hit with the same bytes. */
static void
chunked_response_stored_with_content_length(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	uint64_t n = 200000;
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n",
	    .stream_len = n, .stream_chunked = 1 });

	r = GET(c, "/chunked");
	assert_true(r->chunked);
	assert_int_equal(r->body.total, n);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	ASSERT_STORED_MISS(r, 60);

	r = GET(c, "/chunked");
	assert_false(r->chunked);
	HX_ASSERT_NO_HDR(r, "Transfer-Encoding");
	HX_ASSERT_HDR(r, "Content-Length", "200000");
	assert_int_equal(r->body.total, n);
	assert_int_equal(r->body.crc, hx_pattern_crc(n));
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 1);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A body cut short (origin closes) is not kept: the next GET is a miss
 * that stores the whole answer. */
static void
check_cut_short(const char *raw)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = raw, .close_after = 1 });
	respond(o, ok("Cache-Control: max-age=60\r\n", "complete"));

	hx_send(c, "GET /cut HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	hx_close(c);

	c = hx_connect(a->port);
	r = GET(c, "/cut");
	HX_ASSERT_BODY(r, "complete");
	ASSERT_STORED_MISS(r, 60);
	r = GET(c, "/cut");
	HX_ASSERT_BODY(r, "complete");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
}

static void
cut_short_content_length_not_stored(void **state)
{
	check_cut_short("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
			"Content-Length: 100\r\n\r\n0123456789");
}

static void
cut_short_chunked_not_stored(void **state)
{
	check_cut_short("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
			"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
}

/* An object still being fetched is not served: a second request is
 * fetched too, without storing; the first completes and hits follow. */
static void
busy_object_fetched_again_not_stored(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c1 = hx_connect(a->port), *c2;
	const char *head = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
			   "Content-Length: 10\r\n\r\n";
	struct hx_resp *r1, *r;

	/* the head, then the body 800 ms later */
	hx_origin_push(o, (struct hx_action){ .raw = hx_printf("%s0123456789",
	    head), .trickle_bytes = (int)strlen(head), .trickle_ms = 800 });
	respond(o, ok("Cache-Control: max-age=60\r\n", "second"));

	hx_send(c1, "GET /busy HTTP/1.1\r\nHost: h\r\n\r\n");
	r1 = hx_recv_ex(c1, HX_HEAD_ONLY);
	ASSERT_STORED_MISS(r1, 60);

	c2 = hx_connect(a->port);
	r = GET(c2, "/busy");
	HX_ASSERT_BODY(r, "second");
	ASSERT_MISS(r);
	assert_int_equal(hx_origin_nreq(o), 2);

	hx_recv_body(c1, r1, 0);
	HX_ASSERT_BODY(r1, "0123456789");
	/* the client may see the last byte before accel completes the object;
	 * the access log line comes after */
	hx_accel_wait_log(a, "cache=miss-stored", 1, 3000);
	r = GET(c2, "/busy");
	HX_ASSERT_BODY(r, "0123456789");
	ASSERT_HIT(r, 58, 60);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c1);
	hx_close(c2);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_stored"), 1);
}

/* ------------------------------------------------------------------ */
/* Connections and counters                                            */

/* Hits (and a HEAD hit) pipelined in one write come back in order. */
static void
pipelined_hits(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "body a"));
	respond(o, ok("Cache-Control: max-age=60\r\n", "the body of b"));
	r = GET(c, "/a");
	HX_ASSERT_BODY(r, "body a");
	r = GET(c, "/b");
	HX_ASSERT_BODY(r, "the body of b");

	hx_send(c, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
		   "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv(c);
	HX_ASSERT_BODY(r, "body a");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv_ex(c, HX_HEAD);
	HX_ASSERT_HDR(r, "Content-Length", "13");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv(c);
	HX_ASSERT_BODY(r, "the body of b");
	ASSERT_HIT(r, 58, 60);
	r = hx_recv(c);
	HX_ASSERT_BODY(r, "body a");
	ASSERT_HIT(r, 58, 60);
	assert_int_equal(hx_pending(c), 0);

	assert_int_equal(hx_origin_nreq(o), 2);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 4);
}

/* Every cache counter and the access log's cache= field after a known
 * sequence. */
static void
counters_at_exit(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	respond(o, ok("Cache-Control: max-age=60\r\n", "v1"));	/* GET /c */
	respond(o, ok("", "not stored"));			/* GET /n */
	respond(o, ok("", "posted"));				/* POST /c */
	respond(o, ok("Cache-Control: max-age=60\r\n", "v2"));	/* GET /c */
	respond(o, "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n"
		   "Content-Length: 2\r\n\r\n");		/* HEAD /c */

	r = GET(c, "/c");
	ASSERT_STORED_MISS(r, 60);			/* miss 1, stored 1 */
	r = GET(c, "/c");
	ASSERT_HIT(r, 58, 60);				/* hit 1 */
	r = GET(c, "/c");
	ASSERT_HIT(r, 58, 60);				/* hit 2 */
	r = GET(c, "/n");
	ASSERT_MISS(r);					/* miss 2 */
	r = hx_request(c, "POST /c HTTP/1.1\r\nHost: h\r\n"
			  "Content-Length: 1\r\n\r\nx");
	ASSERT_CS(r, "accel; fwd=method");		/* pass 1, invalidate 1 */
	r = GET(c, "/c");
	ASSERT_STORED_MISS(r, 60);			/* miss 3, stored 2 */
	hx_close(c);
	hx_accel_wait_log(a, "cache=", 6, 3000);	/* all six done */
	c = hx_connect(a->port);
	r = hx_request(c, "PURGE /c HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);			/* purge 1 */
	hx_close(c);
	c = hx_connect(a->port);
	r = hx_request(c, "PURGE /c HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 404);			/* purge 2 */
	hx_close(c);
	c = hx_connect(a->port);
	r = HEAD(c, "/c");
	ASSERT_MISS(r);					/* miss 4 */
	hx_close(c);

	assert_int_equal(hx_origin_nreq(o), 5);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_hit"), 2);
	assert_int_equal(hx_counter(a, "cache_miss"), 4);
	assert_int_equal(hx_counter(a, "cache_stored"), 2);
	assert_int_equal(hx_counter(a, "cache_pass"), 1);
	assert_int_equal(hx_counter(a, "cache_purge"), 2);
	assert_int_equal(hx_counter(a, "cache_invalidate"), 1);
	assert_int_equal(hx_counter(a, "fetch_total"), 5);
	assert_int_equal(log_lines_with(a, "GET /c ", "cache=miss-stored"), 2);
	assert_int_equal(log_lines_with(a, "GET /c ", "cache=hit"), 2);
	assert_int_equal(log_lines_with(a, "GET /n ", "cache=miss "), 1);
	assert_int_equal(log_lines_with(a, "HEAD /c ", "cache=miss "), 1);
	assert_int_equal(log_lines_with(a, "POST /c ", "cache=pass"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(miss_then_hit),
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
		HX_TEST(vary_not_stored),
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
		HX_TEST(head_on_stored_get),
		HX_TEST(head_miss_not_stored),
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
		HX_TEST(busy_object_fetched_again_not_stored),
		HX_TEST(pipelined_hits),
		HX_TEST(counters_at_exit),
	};

	return HX_RUN(tests);
}
