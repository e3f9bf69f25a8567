/*
 * test_vcl_backend.c: the backend subroutines with real VCL in front of
 * a scripted origin: vcl_backend_fetch editing the origin request,
 * vcl_backend_response changing what is stored and for how long (ttl,
 * grace, uncacheable, headers, pass, retry, abandon), vcl_backend_error
 * answering when the origin cannot be reached, and a background refresh
 * running both of the first two.
 *
 * Each test writes its VCL into the test's temporary directory, with a
 * backend naming the test's origin, and starts accel with -b and -f.
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>

/* An origin, accel running `vcl` in front of it, one client connection. */
static struct rig *
vcl_rig(const char *vcl, const char *params)
{
	struct rig *t = hx_alloc(sizeof(*t));

	t->o = hx_origin_start();
	t->a = hx_accel_start("-f %s %s", hx_vcl_file(t->o->port, vcl), params);
	t->c = hx_connect(t->a->port);
	return t;
}

/* ---- vcl_backend_fetch ---- */

static void
bereq_header_set_and_unset_reach_the_origin(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tset bereq.http.X-Foo = \"1\";\n"
	    "\tunset bereq.http.Cookie;\n"
	    "\tset bereq.http.X-Was = bereq.method + \" \" + bereq.url;\n"
	    "}\n", "");
	struct hx_resp *r;
	const struct hx_req *q;
	(void)state;

	respond_fresh(t->o, "a");
	r = GETX(t->c, "/a", "Cookie: s=1\r\nX-Keep: k\r\n");
	HX_ASSERT_STATUS(r, 200);
	q = hx_origin_req(t->o, 0);
	assert_string_equal(hx_req_hdr(q, "X-Foo"), "1");
	assert_null(hx_req_hdr(q, "Cookie"));
	assert_string_equal(hx_req_hdr(q, "X-Keep"), "k");
	assert_string_equal(hx_req_hdr(q, "X-Was"), "GET /a");
	/* accel's own fields are in bereq and stay */
	assert_string_equal(hx_req_hdr(q, "Via"), "1.1 accel");
	assert_string_equal(hx_req_hdr(q, "X-Forwarded-For"), "127.0.0.1");
	assert_string_equal(hx_req_hdr(q, "Host"), "h");
	RIG_DONE(t, 1);
}

static void
bereq_url_rewrite_and_host(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tset bereq.url = regsub(bereq.url, \"^/old/\", \"/new/\");\n"
	    "\tset bereq.http.Host = \"origin.example\";\n"
	    "}\n", "");
	const struct hx_req *q;
	(void)state;

	respond_fresh(t->o, "n");
	GET_STORED(t->c, "/old/x?q=1", "n", 60);
	q = hx_origin_req(t->o, 0);
	assert_string_equal(q->target, "/new/x?q=1");
	assert_string_equal(hx_req_hdr(q, "Host"), "origin.example");
	assert_int_equal(hx_req_hdr_count(q, "Host"), 1);
	/* stored under the client's URL */
	GET_HIT(t->c, "/old/x?q=1", "n", 58, 60);
	RIG_DONE(t, 1);
}

/* A bad request line is refused: the sub fails, the client gets 503. */
static void
bereq_url_with_a_space_fails(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tset bereq.url = \"/a b\";\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	r = GET(t->c, "/x");
	HX_ASSERT_STATUS(r, 503);
	RIG_DONE(t, 0);
}

static void
backend_fetch_error_and_abandon(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tif (bereq.url == \"/teapot\") {\n"
	    "\t\treturn (error(418, \"Short and stout\"));\n"
	    "\t}\n"
	    "\tif (bereq.url == \"/gone\") {\n"
	    "\t\treturn (abandon);\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_backend_error {\n"
	    "\tset beresp.http.X-Err = beresp.status;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	r = GET(t->c, "/teapot");
	HX_ASSERT_STATUS(r, 418);
	assert_string_equal(r->reason, "Short and stout");
	HX_ASSERT_HDR(r, "X-Err", "418");
	HX_ASSERT_BODY(r, "418 Short and stout\n");
	RIG_RECONNECT(t); /* below 500: the connection closes */
	r = GET(t->c, "/gone");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_NO_HDR(r, "X-Err"); /* abandon skips vcl_backend_error */
	RIG_DONE(t, 0);
}

/* bereq.first_byte_timeout applies to this fetch only. */
static void
bereq_first_byte_timeout(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tif (bereq.url == \"/slow\") {\n"
	    "\t\tset bereq.first_byte_timeout = 0.3s;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	hx_origin_push(t->o, (struct hx_action){.raw = ok("", "late"),
	    .delay_ms = 1500});
	hx_origin_push(t->o, (struct hx_action){.raw = ok("", "fine"),
	    .delay_ms = 500});
	r = GET(t->c, "/slow");
	HX_ASSERT_STATUS(r, 504);
	HX_ASSERT_BODY(r, "504 Gateway Timeout\n");
	if (r->elapsed_ms > 1200)
		HX_FAIL("the 504 came after %lld ms", (long long)r->elapsed_ms);
	/* the -p value (60 s) for the others */
	r = GET_BODY(t->c, "/fast", "fine");
	HX_ASSERT_STATUS(r, 200);
	RIG_STOP(t);
}

/* ---- vcl_backend_response ---- */

static void
beresp_ttl_override(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.ttl = 1h;\n"
	    "}\n", "");
	(void)state;

	respond_fresh(t->o, "t"); /* max-age=60 */
	GET_STORED(t->c, "/t", "t", 3600);
	GET_HIT(t->c, "/t", "t", 3598, 3600);
	RIG_DONE(t, 1);
}

static void
beresp_grace_override_serves_stale(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.ttl = 1s;\n"
	    "\tset beresp.grace = 1h;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond_fresh(t->o, "old");
	respond_fresh(t->o, "new");
	GET_STORED(t->c, "/g", "old", 1);
	hx_sleep_ms(2100);
	/* stale within grace: served at once, refreshed behind */
	r = GET_BODY(t->c, "/g", "old");
	ASSERT_CS_HAS(r, "hit");
	hx_origin_wait_reqs(t->o, 2, 5000);
	RIG_DONE(t, 2);
}

static void
beresp_uncacheable_true_is_not_stored(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.uncacheable = true;\n"
	    "}\n", "");
	(void)state;

	respond_fresh(t->o, "1");
	respond_fresh(t->o, "2");
	GET_MISS(t->c, "/u", "1");
	GET_MISS(t->c, "/u", "2");
	RIG_STOP(t);
	ASSERT_ORIGIN_NREQ(t->o, 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

static void
set_cookie_unset_and_uncacheable_false_is_stored(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.http.Set-Cookie && bereq.url ~ \"^/static/\") {\n"
	    "\t\tunset beresp.http.Set-Cookie;\n"
	    "\t\tset beresp.uncacheable = false;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, ok(MAX_AGE_60 "Set-Cookie: s=1\r\n", "c"));
	r = GET_STORED(t->c, "/static/c", "c", 60);
	HX_ASSERT_NO_HDR(r, "Set-Cookie");
	r = GET_HIT(t->c, "/static/c", "c", 58, 60);
	HX_ASSERT_NO_HDR(r, "Set-Cookie");
	/* elsewhere, Set-Cookie keeps it out of the cache as before */
	respond(t->o, ok(MAX_AGE_60 "Set-Cookie: s=2\r\n", "d"));
	r = GET_MISS(t->c, "/d", "d");
	HX_ASSERT_HDR(r, "Set-Cookie", "s=2");
	RIG_DONE(t, 2);
}

static void
beresp_headers_reach_the_miss_and_the_hit(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.http.X-Be = \"yes \" + beresp.status;\n"
	    "\tunset beresp.http.Server;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, ok(MAX_AGE_60 "Server: origin/1\r\n", "h"));
	r = GET_STORED(t->c, "/h", "h", 60);
	HX_ASSERT_HDR(r, "X-Be", "yes 200");
	HX_ASSERT_NO_HDR(r, "Server");
	r = GET_HIT(t->c, "/h", "h", 58, 60);
	HX_ASSERT_HDR(r, "X-Be", "yes 200");
	HX_ASSERT_NO_HDR(r, "Server");
	RIG_DONE(t, 1);
}

/* A pass's answer: beresp edits reach the client, nothing is stored. */
static void
beresp_on_a_pass(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.http.X-Unc = bereq.uncacheable;\n"
	    "\tset beresp.status = 201;\n"
	    "\tset beresp.reason = \"Made\";\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, ok("", "p"));
	r = POST(t->c, "/p");
	HX_ASSERT_STATUS(r, 201);
	assert_string_equal(r->reason, "Made");
	HX_ASSERT_HDR(r, "X-Unc", "true");
	RIG_DONE(t, 1);
}

static void
return_pass_duration_marks_the_key(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (bereq.url == \"/hfp\") {\n"
	    "\t\treturn (pass(10s));\n"
	    "\t}\n"
	    "}\n", "");
	(void)state;

	respond_fresh(t->o, "1");
	respond_fresh(t->o, "2");
	GET_MISS(t->c, "/hfp", "1");
	GET_MISS(t->c, "/hfp", "2");
	RIG_STOP(t);
	ASSERT_ORIGIN_NREQ(t->o, 2);
	assert_int_equal(hx_counter(t->a, "cache_hfm"), 1);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* The marker of return (pass(1s)) lasts a second, not -p hfm_ttl. */
static void
return_pass_duration_expires(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.http.X-Pass) {\n"
	    "\t\treturn (pass(1s));\n"
	    "\t}\n"
	    "}\n", "");
	(void)state;

	respond(t->o, ok(MAX_AGE_60 "X-Pass: 1\r\n", "1"));
	respond_fresh(t->o, "2");
	GET_MISS(t->c, "/e", "1");
	hx_sleep_ms(1100);
	GET_STORED(t->c, "/e", "2", 60);
	RIG_DONE(t, 2);
}

static void
return_retry_counts_retries(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.status == 500) {\n"
	    "\t\treturn (retry);\n"
	    "\t}\n"
	    "\tset beresp.http.X-Retries = bereq.retries;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, "HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nx");
	respond_fresh(t->o, "r");
	r = GET_STORED(t->c, "/r", "r", 60);
	HX_ASSERT_HDR(r, "X-Retries", "1");
	RIG_DONE(t, 2);
}

/* A retry keeps the busy object: a request waiting on it gets the
 * answer of the retried fetch, not a fetch of its own. */
static void
return_retry_keeps_the_waiters(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.status == 500) {\n"
	    "\t\treturn (retry);\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_conn *c2 = hx_connect(t->a->port);
	struct hx_resp *r;
	(void)state;

	hx_origin_push(t->o, (struct hx_action){.raw = "HTTP/1.1 500 Oops\r\n"
	    "Content-Length: 1\r\n\r\nx", .delay_ms = 400});
	respond_fresh(t->o, "r");
	hx_send(t->c, "GET /w HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 5000);
	r = GET_BODY(c2, "/w", "r"); /* waits on the fill */
	ASSERT_CS_HAS(r, "collapsed");
	r = hx_recv(t->c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "r");
	hx_close(c2);
	RIG_DONE(t, 2);
}

/* Past max_retries the fetch fails: vcl_backend_error's 503. */
static void
return_retry_is_bounded(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\treturn (retry);\n"
	    "}\n", "-p max_retries=2");
	struct hx_resp *r;
	(void)state;

	hx_origin_default(t->o, (struct hx_action){.raw = ok("", "x")});
	r = GET(t->c, "/b");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_BODY(r, "503 Service Unavailable\n");
	RIG_DONE(t, 3);
}

static void
return_abandon_is_503(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\treturn (abandon);\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond_fresh(t->o, "a");
	r = GET(t->c, "/a");
	HX_ASSERT_STATUS(r, 503);
	RIG_STOP(t);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* return (error(...)) in vcl_backend_response: vcl_backend_error's answer. */
static void
beresp_error_goes_to_backend_error(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.status == 404) {\n"
	    "\t\treturn (error(503, \"Hidden\"));\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_backend_error {\n"
	    "\tsynthetic(\"no: \" + beresp.reason);\n"
	    "\treturn (deliver);\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx");
	r = GET(t->c, "/nf");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_BODY(r, "no: Hidden");
	RIG_DONE(t, 1);
}

/* A 304 refreshing a stored object: vcl_backend_response sees the object
 * as it will be (beresp.was_304, the stored status and fields updated by
 * the 304's), and its edits reach the refreshed object. */
static void
beresp_was_304_on_a_refresh(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tif (beresp.was_304) {\n"
	    "\t\tset beresp.http.X-Seen = beresp.status + \" \" +\n"
	    "\t\t    beresp.http.X-Version;\n"
	    "\t\tset beresp.ttl = 1h;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond(t->o, ok("Cache-Control: max-age=1\r\nETag: \"v1\"\r\n"
	    "X-Version: 1\r\n", "body"));
	respond(t->o, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
	    MAX_AGE_60 "X-Version: 2\r\n\r\n");
	r = GET_STORED(t->c, "/r", "body", 1);
	HX_ASSERT_NO_HDR(r, "X-Seen");
	hx_sleep_ms(1100);
	r = GET(t->c, "/r");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "body");
	HX_ASSERT_HDR(r, "X-Seen", "200 2");
	ASSERT_CS_HAS(r, "fwd-status=304; stored; ttl=3600");
	r = GET_HIT(t->c, "/r", "body", 3598, 3600);
	HX_ASSERT_HDR(r, "X-Seen", "200 2");
	RIG_DONE(t, 2);
}

/* No status that says "no body" on a response that has one: the sub
 * fails (503). vcl_backend_error's 204 goes without a body. */
static void
bodiless_status_only_without_a_body(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tif (bereq.url == \"/e\") {\n"
	    "\t\treturn (error(204));\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_backend_response {\n"
	    "\tset beresp.status = 204;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	respond_fresh(t->o, "body");
	r = GET(t->c, "/b");
	HX_ASSERT_STATUS(r, 503);
	RIG_RECONNECT(t);
	r = GET(t->c, "/e");
	HX_ASSERT_STATUS(r, 204);
	HX_ASSERT_NO_HDR(r, "Content-Length");
	assert_int_equal(r->body.len, 0);
	RIG_DONE(t, 1);
}

/* ---- vcl_backend_error ---- */

static void
backend_error_custom_answer_when_origin_is_down(void **state)
{
	int port = hx_free_port(); /* nothing listens there */
	struct hx_accel *a = hx_accel_start("-f %s", hx_vcl_file(port,
	    "sub vcl_backend_error {\n"
	    "\tset beresp.http.X-Err = \"down\";\n"
	    "\tset beresp.http.Content-Type = \"text/html\";\n"
	    "\tsynthetic(\"<p>\" + beresp.status + \"</p>\");\n"
	    "\tsynthetic(\"<p>retries \" + bereq.retries + \"</p>\");\n"
	    "\treturn (deliver);\n"
	    "}\n"));
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	(void)state;

	r = GET(c, "/down");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_HDR(r, "X-Err", "down");
	HX_ASSERT_HDR(r, "Content-Type", "text/html");
	HX_ASSERT_BODY(r, "<p>503</p><p>retries 0</p>");
	/* a 503 keeps the connection */
	r = HEAD(c, "/down");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_HDR(r, "Content-Length", "26");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* retry from vcl_backend_error tries again, up to max_retries. */
static void
backend_error_retry(void **state)
{
	int port = hx_free_port();
	struct hx_accel *a = hx_accel_start("-f %s -p max_retries=3",
	    hx_vcl_file(port,
	    "sub vcl_backend_error {\n"
	    "\tset beresp.http.X-Retries = bereq.retries;\n"
	    "\tif (bereq.retries < 2) {\n"
	    "\t\treturn (retry);\n"
	    "\t}\n"
	    "}\n"));
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	(void)state;

	r = GET(c, "/down");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_HDR(r, "X-Retries", "2");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 2);
}

/* ---- a background refresh runs the backend subs ---- */

static void
background_refresh_runs_fetch_and_response(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_fetch {\n"
	    "\tset bereq.http.X-Bg = bereq.is_bgfetch;\n"
	    "}\n"
	    "sub vcl_backend_response {\n"
	    "\tset beresp.http.X-Fetched = beresp.http.X-N;\n"
	    "}\n", "");
	const char *swr = "Cache-Control: max-age=1, "
	    "stale-while-revalidate=60\r\n";
	struct hx_resp *r;
	(void)state;

	respond(t->o, ok(hx_printf("%sX-N: 1\r\n", swr), "one"));
	respond(t->o, ok(hx_printf("%sX-N: 2\r\n", swr), "two"));
	r = GET_BODY(t->c, "/bg", "one");
	HX_ASSERT_HDR(r, "X-Fetched", "1");
	assert_string_equal(hx_req_hdr(hx_origin_req(t->o, 0), "X-Bg"),
	    "false");
	hx_sleep_ms(2100);
	r = GET_BODY(t->c, "/bg", "one"); /* stale, refreshed behind */
	hx_origin_wait_reqs(t->o, 2, 5000);
	assert_string_equal(hx_req_hdr(hx_origin_req(t->o, 1), "X-Bg"),
	    "true");
	/* the refreshed object, with the header vcl_backend_response set */
	for (int i = 0; i < 50; i++) {
		r = GET(t->c, "/bg");
		if (strcmp(hx_resp_hdr(r, "X-N"), "2") == 0)
			break;
		hx_sleep_ms(50);
	}
	HX_ASSERT_BODY(r, "two");
	HX_ASSERT_HDR(r, "X-Fetched", "2");
	RIG_DONE(t, 2);
}

/* client.ip survives a fill whose client left before the head. */
static void
detached_fill_keeps_client_ip(void **state)
{
	struct rig *t = vcl_rig(
	    "sub vcl_backend_response {\n"
	    "\tset beresp.http.X-Client = client.ip;\n"
	    "}\n", "");
	struct hx_resp *r;
	(void)state;

	hx_origin_push(t->o, (struct hx_action){.raw = ok(MAX_AGE_60, "d"),
	    .delay_ms = 500});
	hx_send(t->c, "GET /d HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(t->o, 1, 5000);
	RIG_RECONNECT(t); /* the client leaves; the fill goes on */
	hx_origin_wait_reqs(t->o, 1, 5000);
	hx_sleep_ms(700);
	r = GET_HIT(t->c, "/d", "d", 58, 60);
	HX_ASSERT_HDR(r, "X-Client", "127.0.0.1");
	RIG_DONE(t, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(bereq_header_set_and_unset_reach_the_origin),
	    HX_TEST(bereq_url_rewrite_and_host),
	    HX_TEST(bereq_url_with_a_space_fails),
	    HX_TEST(backend_fetch_error_and_abandon),
	    HX_TEST(bereq_first_byte_timeout),
	    HX_TEST(beresp_ttl_override),
	    HX_TEST(beresp_grace_override_serves_stale),
	    HX_TEST(beresp_uncacheable_true_is_not_stored),
	    HX_TEST(set_cookie_unset_and_uncacheable_false_is_stored),
	    HX_TEST(beresp_headers_reach_the_miss_and_the_hit),
	    HX_TEST(beresp_on_a_pass),
	    HX_TEST(return_pass_duration_marks_the_key),
	    HX_TEST(return_pass_duration_expires),
	    HX_TEST(return_retry_counts_retries),
	    HX_TEST(return_retry_keeps_the_waiters),
	    HX_TEST(return_retry_is_bounded),
	    HX_TEST(return_abandon_is_503),
	    HX_TEST(beresp_error_goes_to_backend_error),
	    HX_TEST(beresp_was_304_on_a_refresh),
	    HX_TEST(bodiless_status_only_without_a_body),
	    HX_TEST(backend_error_custom_answer_when_origin_is_down),
	    HX_TEST(backend_error_retry),
	    HX_TEST(background_refresh_runs_fetch_and_response),
	    HX_TEST(detached_fill_keeps_client_ip),
	};
	return HX_RUN(tests);
}
