/*
 * test_vcl_client.c: the client side of a user's VCL (accel -f FILE), as
 * real configurations use it: request headers, URL and Host rewritten
 * before the key is made, pass on a session cookie, PURGE guarded by an
 * ACL written in VCL, synth() with a body of its own, hash_data() on a
 * header, restarts, vcl_miss / vcl_pass / vcl_deliver decisions, the
 * response's headers edited on misses, hits and passes (obj.hits for
 * X-Cache), and req.method rewritten.
 *
 * Each test writes its VCL (a backend on the test's origin, then the
 * subroutines) to a temporary file and starts accel on it.
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The rig of cache_test_util.h on a VCL: "vcl 4.1;", a backend on the
 * origin, then `subs`; `params` are more accel arguments. */
#define VCL_RIG(subs, params) vcl_rig_at(subs, params, __FILE__, __LINE__)
static struct rig *
vcl_rig_at(const char *subs, const char *params, const char *file, int line)
{
	struct rig *t = hx_alloc(sizeof(*t));

	t->o = hx_origin_start();
	t->a = hx_accel_start_at(file, line, "-f %s %s", hx_vcl_file(t->o->port,
	    hx_printf("import std;\n\n%s\n", subs)), params);
	t->c = hx_connect_at(t->a->port, file, line);
	return t;
}

/* A request with these fields on the rig's connection. */
static struct hx_resp *
req_on(struct rig *t, const char *method, const char *target,
    const char *fields)
{
	return hx_request_ex(t->c, hx_printf("%s %s HTTP/1.1\r\n%s\r\n",
	    method, target, fields), strcmp(method, "HEAD") == 0 ? HX_HEAD : 0);
}

#define NOT_FOUND "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n"

/* ------------------------------------------------------------------ */
/* Requests rewritten in vcl_recv                                      */

static void
req_headers_reach_the_origin(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tset req.http.X-Added = \"yes\";\n"
	    "\tset req.http.X-Copy = req.http.User-Agent + \"!\";\n"
	    "\tunset req.http.X-Drop;\n"
	    "}\n", "");
	const struct hx_req *q;

	respond(t->o, ok("", "a"));
	HX_ASSERT_STATUS(req_on(t, "GET", "/h",
	    "Host: h\r\nUser-Agent: ua\r\nX-Drop: 1\r\n"), 200);
	q = hx_origin_req(t->o, 0);
	assert_string_equal(hx_req_hdr(q, "X-Added"), "yes");
	assert_string_equal(hx_req_hdr(q, "X-Copy"), "ua!");
	assert_null(hx_req_hdr(q, "X-Drop"));
	RIG_DONE(t, 1);
}

/* Marketing parameters off the URL: one object for both, and the origin
 * is asked for the clean URL. */
static void
url_normalised_shares_one_object(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tset req.url = regsub(req.url, \"\\?utm_source=[^&]*$\", \"\");\n"
	    "}\n", "");

	respond_fresh(t->o, "page");
	GET_STORED(t->c, "/a?utm_source=x", "page", 60);
	GET_HIT(t->c, "/a", "page", 58, 60);
	assert_string_equal(hx_origin_req(t->o, 0)->target, "/a");
	RIG_STOP(t);
	/* the access log shows the URL the request was served as */
	assert_true(hx_accel_log_count(t->a, "\"GET /a HTTP/1.1\"") >= 1);
	ASSERT_ORIGIN_NREQ(t->o, 1);
}

/* Host normalised: case and default port removed, one key. */
static void
host_normalised_shares_one_object(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tset req.http.host = std.tolower(regsub(req.http.host, "
	    "\":[0-9]+$\", \"\"));\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "site");
	r = req_on(t, "GET", "/", "Host: Example.com:80\r\n");
	HX_ASSERT_BODY(r, "site");
	r = req_on(t, "GET", "/", "Host: example.com\r\n");
	HX_ASSERT_BODY(r, "site");
	ASSERT_HIT(r, 58, 60);
	assert_string_equal(hx_req_hdr(hx_origin_req(t->o, 0), "Host"),
	    "example.com");
	RIG_DONE(t, 1);
}

/* A session cookie passes; other requests are cached. */
static void
session_cookie_passes(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.http.Cookie ~ \"(^|; )sessionid=\") {\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "private1");
	respond_fresh(t->o, "private2");
	respond_fresh(t->o, "public");
	r = req_on(t, "GET", "/c", "Host: h\r\nCookie: a=1; sessionid=s\r\n");
	HX_ASSERT_BODY(r, "private1");
	ASSERT_CS(r, "accel; fwd=method");
	r = req_on(t, "GET", "/c", "Host: h\r\nCookie: sessionid=s\r\n");
	HX_ASSERT_BODY(r, "private2");
	GET_STORED(t->c, "/c", "public", 60);
	r = req_on(t, "GET", "/c", "Host: h\r\nCookie: theme=dark\r\n");
	HX_ASSERT_BODY(r, "public");
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_pass"), 2);
}

/* req.method: a HEAD looked up as a GET (the client still gets no body),
 * and a method taken from a header on a pass. */
static void
method_rewritten(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.http.X-Method) {\n"
	    "\t\tset req.method = req.http.X-Method;\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "\tif (req.method == \"HEAD\") {\n"
	    "\t\tset req.method = \"GET\";\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "body");
	respond(t->o, ok("", "deleted"));
	r = req_on(t, "HEAD", "/m", "Host: h\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "4");
	assert_string_equal(hx_origin_req(t->o, 0)->method, "GET");
	GET_HIT(t->c, "/m", "body", 58, 60);
	r = req_on(t, "GET", "/m", "Host: h\r\nX-Method: DELETE\r\n");
	HX_ASSERT_BODY(r, "deleted");
	assert_string_equal(hx_origin_req(t->o, 1)->method, "DELETE");
	RIG_DONE(t, 2);
}

/* ------------------------------------------------------------------ */
/* PURGE written in VCL                                                */

#define PURGE_VCL(acl)                                                  \
	"acl purgers {\n" acl "}\n"                                     \
	"sub vcl_recv {\n"                                              \
	"\tif (req.method == \"PURGE\") {\n"                            \
	"\t\tif (client.ip !~ purgers) {\n"                             \
	"\t\t\treturn (synth(403, \"Not allowed\"));\n"                 \
	"\t\t}\n"                                                       \
	"\t\treturn (purge);\n"                                         \
	"\t}\n"                                                         \
	"}\n"                                                           \
	"sub vcl_purge {\n"                                             \
	"\treturn (synth(200, \"Purged\"));\n"                          \
	"}\n"

/* The VCL's ACL decides, not -p purge_acl (which excludes us here). */
static void
purge_acl_in_vcl_allows(void **state)
{
	struct rig *t = VCL_RIG(PURGE_VCL("\t\"127.0.0.1\";\n"),
	    "-p purge_acl=10.0.0.0/8");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "v2");
	GET_STORED(t->c, "/p", "v1", 60);
	r = PURGE_EXPECT(t, "/p", 200);
	assert_string_equal(r->reason, "Purged");
	GET_STORED(t->c, "/p", "v2", 60);
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 1);
}

/* An ACL that excludes us: the VCL's own refusal, the object stays. */
static void
purge_acl_in_vcl_refuses(void **state)
{
	struct rig *t = VCL_RIG(PURGE_VCL("\t\"127.0.0.0\"/8;\n"
	    "\t! \"127.0.0.1\";\n"), "");
	struct hx_resp *r;

	respond_fresh(t->o, "kept");
	GET_STORED(t->c, "/p", "kept", 60);
	r = PURGE_EXPECT(t, "/p", 403);
	assert_string_equal(r->reason, "Not allowed");
	HX_ASSERT_BODY(r, "403 Not allowed\n");
	GET_HIT(t->c, "/p", "kept", 58, 60);
	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 0);
}

/* The built-in VCL's PURGE rule follows -p purge_acl. */
static void
builtin_purge_follows_purge_acl(void **state)
{
	struct rig *t = VCL_RIG("", "-p purge_acl=10.0.0.0/8,127.0.0.1/32");

	respond_fresh(t->o, "v1");
	GET_STORED(t->c, "/p", "v1", 60);
	PURGE_EXPECT(t, "/p", 200);
	PURGE_EXPECT(t, "/p", 404); /* nothing left: the built-in's 404 */
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* synth() and vcl_synth                                               */

static void
synth_418_with_body_and_header(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.url == \"/teapot\") {\n"
	    "\t\treturn (synth(418, \"I'm a teapot\"));\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_synth {\n"
	    "\tif (resp.status == 418) {\n"
	    "\t\tset resp.http.Content-Type = \"text/html\";\n"
	    "\t\tset resp.http.X-Tea = \"earl grey\";\n"
	    "\t\tsynthetic({\"<p>\"short\" and\n"
	    "stout</p>\"});\n"
	    "\t\tsynthetic(\"!\");\n"
	    "\t\treturn (deliver);\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	r = GET(t->c, "/teapot");
	HX_ASSERT_STATUS(r, 418);
	assert_string_equal(r->reason, "I'm a teapot");
	HX_ASSERT_HDR(r, "X-Tea", "earl grey");
	HX_ASSERT_HDR(r, "Content-Type", "text/html");
	HX_ASSERT_BODY(r, "<p>\"short\" and\nstout</p>!");
	HX_ASSERT_NO_HDR(r, "Connection");
	/* HEAD: the same head, no body; the connection goes on */
	r = req_on(t, "HEAD", "/teapot", "Host: h\r\n");
	HX_ASSERT_STATUS(r, 418);
	HX_ASSERT_HDR(r, "Content-Length", "25");
	r = GET(t->c, "/teapot");
	HX_ASSERT_STATUS(r, 418);
	RIG_DONE(t, 0);
}

/* synth(1404): VCL reads 1404, the client gets 404 (Varnish's rule);
 * a status below 100 is a 503. */
static void
synth_status_above_999(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.url == \"/low\") {\n"
	    "\t\treturn (synth(42));\n"
	    "\t}\n"
	    "\treturn (synth(1404));\n"
	    "}\n"
	    "sub vcl_synth {\n"
	    "\tset resp.http.X-Status = resp.status;\n"
	    "}\n", "");
	struct hx_resp *r;

	r = GET(t->c, "/x");
	HX_ASSERT_STATUS(r, 404);
	assert_string_equal(r->reason, "Not Found");
	HX_ASSERT_HDR(r, "X-Status", "1404");
	RIG_RECONNECT(t); /* a synth below 500: the built-in closes */
	r = GET(t->c, "/low");
	HX_ASSERT_STATUS(r, 503);
	RIG_DONE(t, 0);
}

/* ------------------------------------------------------------------ */
/* vcl_hash                                                            */

static void
hash_data_on_a_header(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_hash {\n"
	    "\thash_data(req.http.X-Tenant);\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "for a");
	respond_fresh(t->o, "for b");
	r = req_on(t, "GET", "/t", "Host: h\r\nX-Tenant: a\r\n");
	HX_ASSERT_BODY(r, "for a");
	r = req_on(t, "GET", "/t", "Host: h\r\nX-Tenant: b\r\n");
	HX_ASSERT_BODY(r, "for b");
	r = req_on(t, "GET", "/t", "Host: h\r\nX-Tenant: a\r\n");
	HX_ASSERT_BODY(r, "for a");
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 2);
}

/* ------------------------------------------------------------------ */
/* vcl_deliver: the response's headers on a miss, a hit and a pass     */

static void
deliver_edits_every_response(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.url ~ \"^/pass\") {\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_deliver {\n"
	    "\tunset resp.http.X-Powered-By;\n"
	    "\tunset resp.http.Server;\n"
	    "\tset resp.http.X-Hits = obj.hits;\n"
	    "\tif (obj.hits > 0) {\n"
	    "\t\tset resp.http.X-Cache = \"HIT\";\n"
	    "\t} else {\n"
	    "\t\tset resp.http.X-Cache = \"MISS\";\n"
	    "\t}\n"
	    "}\n", "");
	const char *fields = "Server: apache\r\nX-Powered-By: php\r\n"
	    "X-Kept: 1\r\n";
	struct hx_resp *r;
	int i;

	respond(t->o, ok(MAX_AGE_60 "Server: apache\r\nX-Powered-By: php\r\n"
	    "X-Kept: 1\r\n", "obj"));
	respond(t->o, ok(fields, "passed"));
	r = GET_STORED(t->c, "/o", "obj", 60);
	HX_ASSERT_HDR(r, "X-Cache", "MISS");
	HX_ASSERT_HDR(r, "X-Hits", "0");
	for (i = 1; i <= 2; i++) {
		r = GET_HIT(t->c, "/o", "obj", 58, 60);
		HX_ASSERT_HDR(r, "X-Cache", "HIT");
		HX_ASSERT_HDR(r, "X-Hits", hx_printf("%d", i));
		HX_ASSERT_NO_HDR(r, "Server");
		HX_ASSERT_NO_HDR(r, "X-Powered-By");
		HX_ASSERT_HDR(r, "X-Kept", "1");
		HX_ASSERT_HDR(r, "Content-Length", "3");
	}
	r = GET(t->c, "/pass");
	HX_ASSERT_BODY(r, "passed");
	HX_ASSERT_HDR(r, "X-Cache", "MISS");
	HX_ASSERT_NO_HDR(r, "Server");
	HX_ASSERT_NO_HDR(r, "X-Powered-By");
	HX_ASSERT_HDR(r, "X-Kept", "1");
	RIG_DONE(t, 2);
}

/* accel's own fields can go too; a conditional hit keeps its 304 with
 * the edits. */
static void
deliver_removes_accel_fields(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tunset resp.http.Via;\n"
	    "\tunset resp.http.Age;\n"
	    "\tunset resp.http.Cache-Status;\n"
	    "\tunset resp.http.ETag;\n"
	    "\tset resp.http.X-Edited = \"1\";\n"
	    "}\n", "");
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60 "ETag: \"e1\"\r\n", "obj"));
	r = GET(t->c, "/v");
	HX_ASSERT_BODY(r, "obj");
	HX_ASSERT_NO_HDR(r, "Via");
	HX_ASSERT_NO_HDR(r, "Cache-Status");
	r = GET(t->c, "/v");
	HX_ASSERT_BODY(r, "obj");
	HX_ASSERT_NO_HDR(r, "Via");
	HX_ASSERT_NO_HDR(r, "Age");
	HX_ASSERT_NO_HDR(r, "Cache-Status");
	HX_ASSERT_NO_HDR(r, "ETag");
	HX_ASSERT_HDR(r, "X-Edited", "1");
	r = req_on(t, "GET", "/v", "Host: h\r\nIf-None-Match: \"e1\"\r\n");
	HX_ASSERT_STATUS(r, 304);
	HX_ASSERT_HDR(r, "X-Edited", "1");
	HX_ASSERT_NO_HDR(r, "ETag");
	RIG_DONE(t, 1);
}

/* A hit reads and replaces stored fields by name in any case (the
 * stored block's name filter says which names may be there: a name it
 * holds is found, one it lacks reads as unset), and an added field the
 * origin did not send leaves the stored ones as they were. */
static void
deliver_finds_stored_fields_on_hit(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tif (resp.http.x-custom == \"a\") {\n"
	    "\t\tset resp.http.X-Seen = resp.http.X-CUSTOM;\n"
	    "\t}\n"
	    "\tif (resp.http.X-Absent) {\n"
	    "\t\tset resp.http.X-Bad = \"1\";\n"
	    "\t}\n"
	    "\tif (resp.http.server) {\n"
	    "\t\tunset resp.http.SERVER;\n"
	    "\t}\n"
	    "\tset resp.http.X-custom = \"b\";\n"
	    "\tset resp.http.X-Served-By = \"accel\";\n"
	    "\tset resp.http.X-Etag = resp.http.etag;\n"
	    "}\n", "");
	struct hx_resp *r;
	int i;

	respond(t->o, ok(MAX_AGE_60 "Server: apache\r\nX-Custom: a\r\n"
	    "ETag: \"e1\"\r\nX-Kept: 1\r\n", "obj"));
	for (i = 0; i < 3; i++) {
		r = i == 0 ? GET_STORED(t->c, "/s", "obj", 60) :
		    GET_HIT(t->c, "/s", "obj", 58, 60);
		HX_ASSERT_HDR(r, "X-Seen", "a");
		HX_ASSERT_HDR(r, "X-Custom", "b");
		assert_int_equal(hx_resp_hdr_count(r, "X-Custom"), 1);
		HX_ASSERT_NO_HDR(r, "X-Bad");
		HX_ASSERT_NO_HDR(r, "Server");
		HX_ASSERT_HDR(r, "X-Served-By", "accel");
		HX_ASSERT_HDR(r, "X-Etag", "\"e1\"");
		HX_ASSERT_HDR(r, "ETag", "\"e1\"");
		HX_ASSERT_HDR(r, "X-Kept", "1");
		HX_ASSERT_HDR(r, "Content-Length", "3");
	}
	RIG_DONE(t, 1);
}

/* The typical vcl_deliver (perf-typical.vcl's): a field added, one
 * removed when the origin sent it. On a hit whose stored block holds
 * neither name the block goes out whole; a 304 still keeps only its
 * fields, a Range its 206. */
static void
deliver_adds_field_on_hit(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tset resp.http.X-Served-By = \"accel\";\n"
	    "\tif (resp.http.X-Powered-By) {\n"
	    "\t\tunset resp.http.X-Powered-By;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;
	int i;

	respond(t->o, ok(MAX_AGE_60 "Server: nginx\r\nETag: \"e1\"\r\n"
	    "Content-Type: text/plain\r\n", "obj"));
	respond(t->o, ok(MAX_AGE_60 "X-Powered-By: php\r\nX-Kept: 1\r\n",
	    "php"));
	for (i = 0; i < 3; i++) {
		r = i == 0 ? GET_STORED(t->c, "/a", "obj", 60) :
		    GET_HIT(t->c, "/a", "obj", 58, 60);
		HX_ASSERT_HDR(r, "X-Served-By", "accel");
		HX_ASSERT_HDR(r, "Server", "nginx");
		HX_ASSERT_HDR(r, "ETag", "\"e1\"");
		HX_ASSERT_HDR(r, "Content-Type", "text/plain");
		assert_int_equal(hx_resp_hdr_count(r, "X-Served-By"), 1);
	}
	r = req_on(t, "GET", "/a", "Host: h\r\nIf-None-Match: \"e1\"\r\n");
	HX_ASSERT_STATUS(r, 304);
	HX_ASSERT_HDR(r, "X-Served-By", "accel");
	HX_ASSERT_NO_HDR(r, "Content-Type");
	r = req_on(t, "GET", "/a", "Host: h\r\nRange: bytes=1-1\r\n");
	HX_ASSERT_STATUS(r, 206);
	HX_ASSERT_BODY(r, "b");
	HX_ASSERT_HDR(r, "X-Served-By", "accel");
	for (i = 0; i < 2; i++) {
		r = i == 0 ? GET_STORED(t->c, "/p", "php", 60) :
		    GET_HIT(t->c, "/p", "php", 58, 60);
		HX_ASSERT_NO_HDR(r, "X-Powered-By");
		HX_ASSERT_HDR(r, "X-Kept", "1");
		HX_ASSERT_HDR(r, "X-Served-By", "accel");
	}
	RIG_DONE(t, 2);
}

/* resp.status and resp.reason on a hit and on a miss not stored. */
static void
deliver_sets_status(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tif (req.http.X-Status) {\n"
	    "\t\tset resp.status = std.integer(req.http.X-Status, 500);\n"
	    "\t\tset resp.reason = \"Changed\";\n"
	    "\t}\n"
	    "\tset resp.http.X-Was = resp.status;\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "s");
	respond(t->o, ok("", "u"));
	GET_STORED(t->c, "/s", "s", 60);
	r = req_on(t, "GET", "/s", "Host: h\r\nX-Status: 299\r\n");
	HX_ASSERT_STATUS(r, 299);
	assert_string_equal(r->reason, "Changed");
	HX_ASSERT_HDR(r, "X-Was", "299");
	HX_ASSERT_BODY(r, "s");
	r = req_on(t, "GET", "/u", "Host: h\r\nX-Status: 1203\r\n");
	HX_ASSERT_STATUS(r, 203); /* above 999: modulo 1000, as Varnish */
	HX_ASSERT_HDR(r, "X-Was", "1203");
	HX_ASSERT_BODY(r, "u");
	RIG_DONE(t, 2);
}

/* vcl_miss returns pass: nothing stored, each request fetched. */
static void
miss_returns_pass(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_miss {\n"
	    "\tif (req.url ~ \"^/nocache\") {\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_pass {\n"
	    "\tset req.http.X-Passed = \"1\";\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "n1");
	respond_fresh(t->o, "n2");
	r = GET(t->c, "/nocache");
	HX_ASSERT_BODY(r, "n1");
	r = GET(t->c, "/nocache");
	HX_ASSERT_BODY(r, "n2");
	assert_string_equal(hx_req_hdr(hx_origin_req(t->o, 1), "X-Passed"),
	    "1");
	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/* vcl_hit returns pass (the object stays); vcl_pass answers a synth. */
static void
hit_pass_and_pass_synth(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.http.X-Block) {\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_hit {\n"
	    "\tif (req.http.X-Bypass) {\n"
	    "\t\treturn (pass);\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_pass {\n"
	    "\tif (req.http.X-Block) {\n"
	    "\t\treturn (synth(451, \"Blocked\"));\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "v2");
	GET_STORED(t->c, "/h", "v1", 60);
	r = req_on(t, "GET", "/h", "Host: h\r\nX-Bypass: 1\r\n");
	HX_ASSERT_BODY(r, "v2");
	GET_HIT(t->c, "/h", "v1", 58, 60);
	r = req_on(t, "GET", "/h", "Host: h\r\nX-Block: 1\r\n");
	HX_ASSERT_STATUS(r, 451);
	assert_string_equal(r->reason, "Blocked");
	RIG_DONE(t, 2);
}

/* vcl_deliver answers with a synth on a hit: nothing of the hit was
 * written before. */
static void
deliver_synth_on_hit(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tif (obj.hits > 0 && req.http.X-Deny) {\n"
	    "\t\treturn (synth(403));\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "obj");
	GET_STORED(t->c, "/d", "obj", 60);
	r = req_on(t, "GET", "/d", "Host: h\r\nX-Deny: 1\r\n");
	HX_ASSERT_STATUS(r, 403);
	HX_ASSERT_BODY(r, "403 Forbidden\n");
	RIG_DONE(t, 1);
}

/* req.hash_always_miss: a fresh object is fetched again and replaced. */
static void
always_miss_replaces(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.http.X-Refresh) {\n"
	    "\t\tset req.hash_always_miss = true;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "v1");
	respond_fresh(t->o, "v2");
	GET_STORED(t->c, "/m", "v1", 60);
	r = req_on(t, "GET", "/m", "Host: h\r\nX-Refresh: 1\r\n");
	HX_ASSERT_BODY(r, "v2");
	GET_HIT(t->c, "/m", "v2", 58, 60);
	RIG_DONE(t, 2);
}

/* req.ttl: an object older than the request accepts is fetched again. */
static void
req_ttl_limits_the_age(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.http.X-Young) {\n"
	    "\t\tset req.ttl = 10s;\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60 "Age: 30\r\n", "v1"));
	respond(t->o, ok(MAX_AGE_60 "Age: 30\r\n", "v2"));
	GET_BODY(t->c, "/t", "v1");
	r = GET(t->c, "/t");
	HX_ASSERT_BODY(r, "v1"); /* 30 s old of 60: a hit */
	ASSERT_CS_HAS(r, "hit");
	r = req_on(t, "GET", "/t", "Host: h\r\nX-Young: 1\r\n");
	HX_ASSERT_BODY(r, "v2"); /* 30 s old, more than 10 */
	GET_BODY(t->c, "/t", "v2");
	RIG_DONE(t, 2);
}

/* ------------------------------------------------------------------ */
/* Restarts                                                            */

/* A 404 restarts once with another URL; req.restarts counts it. */
static void
deliver_restarts_on_404(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tif (resp.status == 404 && req.restarts == 0) {\n"
	    "\t\tset req.url = \"/fallback\";\n"
	    "\t\treturn (restart);\n"
	    "\t}\n"
	    "\tset resp.http.X-Restarts = req.restarts;\n"
	    "}\n", "");
	struct hx_resp *r;

	respond(t->o, NOT_FOUND);
	respond_fresh(t->o, "fallback");
	r = GET(t->c, "/missing");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "fallback");
	HX_ASSERT_HDR(r, "X-Restarts", "1");
	assert_string_equal(hx_origin_req(t->o, 0)->target, "/missing");
	assert_string_equal(hx_origin_req(t->o, 1)->target, "/fallback");
	/* the connection goes on, the fallback is stored */
	r = GET(t->c, "/fallback");
	ASSERT_HIT(r, 58, 60);
	HX_ASSERT_HDR(r, "X-Restarts", "0");
	RIG_DONE(t, 2);
}

/* A hit restarted from vcl_deliver: the object goes, the request comes
 * back as a miss of another URL. */
static void
deliver_restarts_after_hit(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\tif (req.restarts > 0) {\n"
	    "\t\tset req.url = \"/other\";\n"
	    "\t}\n"
	    "}\n"
	    "sub vcl_deliver {\n"
	    "\tif (obj.hits > 0 && req.restarts == 0) {\n"
	    "\t\treturn (restart);\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond_fresh(t->o, "first");
	respond_fresh(t->o, "other");
	GET_STORED(t->c, "/r", "first", 60);
	r = GET(t->c, "/r");
	HX_ASSERT_BODY(r, "other");
	RIG_DONE(t, 2);
}

/* Restarting forever ends in a 503 after max_restarts. */
static void
restarts_are_bounded(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\treturn (restart);\n"
	    "}\n"
	    "sub vcl_synth {\n"
	    "\tset resp.http.X-Restarts = req.restarts;\n"
	    "}\n", "");
	struct hx_resp *r;

	r = GET(t->c, "/loop");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_HDR(r, "X-Restarts", "4");
	RIG_DONE(t, 0);

	t = VCL_RIG(
	    "sub vcl_recv {\n"
	    "\treturn (restart);\n"
	    "}\n"
	    "sub vcl_synth {\n"
	    "\tset resp.http.X-Restarts = req.restarts;\n"
	    "}\n", "-p max_restarts=1");
	r = GET(t->c, "/loop");
	HX_ASSERT_STATUS(r, 503);
	HX_ASSERT_HDR(r, "X-Restarts", "1");
	RIG_DONE(t, 0);
}

/* A request body went to the origin: it cannot be sent again, so the
 * restart is a 503. */
static void
restart_after_body_sent_is_503(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tif (req.method == \"POST\") {\n"
	    "\t\treturn (restart);\n"
	    "\t}\n"
	    "}\n", "");
	struct hx_resp *r;

	respond(t->o, ok("", "posted"));
	r = POST(t->c, "/b");
	HX_ASSERT_STATUS(r, 503);
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* Read-only variables                                                 */

static void
request_facts_readable(void **state)
{
	struct rig *t = VCL_RIG(
	    "sub vcl_deliver {\n"
	    "\tset resp.http.X-Xid = req.xid;\n"
	    "\tset resp.http.X-Server = server.ip;\n"
	    "\tset resp.http.X-Local = local.ip;\n"
	    "\tset resp.http.X-Hitmiss = req.is_hitmiss;\n"
	    "\tset resp.http.X-Name = server.hostname + \"/\" + "
	    "server.identity;\n"
	    "}\n", "");
	struct hx_resp *r;
	const char *x1;

	respond(t->o, ok("", "a"));
	respond(t->o, ok("", "b"));
	r = GET(t->c, "/f");
	x1 = hx_strdup(hx_resp_hdr(r, "X-Xid"));
	HX_ASSERT_HDR(r, "X-Server", "127.0.0.1");
	HX_ASSERT_HDR(r, "X-Local", "127.0.0.1");
	{
		char name[256] = "";

		assert_int_equal(gethostname(name, sizeof name - 1), 0);
		HX_ASSERT_HDR(r, "X-Name", hx_printf("%s/%s", name, name));
	}
	r = GET(t->c, "/f");
	/* the first answer could not be stored: a hit-for-miss now */
	HX_ASSERT_HDR(r, "X-Hitmiss", "true");
	assert_string_not_equal(hx_resp_hdr(r, "X-Xid"), x1);
	RIG_DONE(t, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(req_headers_reach_the_origin),
	    HX_TEST(url_normalised_shares_one_object),
	    HX_TEST(host_normalised_shares_one_object),
	    HX_TEST(session_cookie_passes),
	    HX_TEST(method_rewritten),
	    HX_TEST(purge_acl_in_vcl_allows),
	    HX_TEST(purge_acl_in_vcl_refuses),
	    HX_TEST(builtin_purge_follows_purge_acl),
	    HX_TEST(synth_418_with_body_and_header),
	    HX_TEST(synth_status_above_999),
	    HX_TEST(hash_data_on_a_header),
	    HX_TEST(deliver_edits_every_response),
	    HX_TEST(deliver_removes_accel_fields),
	    HX_TEST(deliver_finds_stored_fields_on_hit),
	    HX_TEST(deliver_adds_field_on_hit),
	    HX_TEST(deliver_sets_status),
	    HX_TEST(miss_returns_pass),
	    HX_TEST(hit_pass_and_pass_synth),
	    HX_TEST(deliver_synth_on_hit),
	    HX_TEST(always_miss_replaces),
	    HX_TEST(req_ttl_limits_the_age),
	    HX_TEST(deliver_restarts_on_404),
	    HX_TEST(deliver_restarts_after_hit),
	    HX_TEST(restarts_are_bounded),
	    HX_TEST(restart_after_body_sent_is_503),
	    HX_TEST(request_facts_readable),
	};
	return (HX_RUN(tests));
}
