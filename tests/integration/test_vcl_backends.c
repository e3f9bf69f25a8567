/*
 * test_vcl_backends.c: where accel fetches from when a VCL program says
 * so: backends declared in the VCL, req.backend_hint set in vcl_recv,
 * directors made in vcl_init, each backend's .host_header, timeouts and
 * .max_connections; -b as a generated program, and -b with -f refused.
 * The programs are written to a temporary file with the origins' ports.
 */
#include "tests/integration/harness.h"

#include <stdio.h>
#include <stdlib.h>

/* A VCL file made from fmt (printf-style: the ports); its path. */
static const char *
vcl_file(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
vcl_file(const char *fmt, ...)
{
	char *path = hx_printf("%s/test.vcl", hx_tmpdir());
	FILE *f = fopen(path, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	return (path);
}

/* One request on a new connection; the response. */
static struct hx_resp *
get(struct hx_accel *a, const char *url)
{
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r = hx_request(c, hx_printf("GET %s HTTP/1.1\r\n"
	    "Host: h\r\n\r\n", url));

	hx_close(c);
	return (r);
}

/* Two origins, a and b; vcl_recv routes /b/ to b, the rest to the
 * default (the first declared); origins see their own requests only. */
static void
hint_by_url_prefix(void **state)
{
	struct hx_origin *oa = hx_origin_start(), *ob = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend a { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "backend b { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_recv {\n"
	    "\tif (req.url ~ \"^/b/\") {\n"
	    "\t\tset req.backend_hint = b;\n"
	    "\t} elsif (req.url ~ \"^/a/\") {\n"
	    "\t\tset req.backend_hint = a;\n"
	    "\t}\n"
	    "\treturn (pass);\n"
	    "}\n", oa->port, ob->port);
	struct hx_accel *a = hx_accel_start("-f %s", f);

	HX_ASSERT_STATUS(get(a, "/a/1"), 200);
	HX_ASSERT_STATUS(get(a, "/b/1"), 200);
	HX_ASSERT_STATUS(get(a, "/b/2"), 200);
	HX_ASSERT_STATUS(get(a, "/other"), 200); /* the default: a */
	assert_int_equal(hx_origin_nreq(oa), 2);
	assert_int_equal(hx_origin_nreq(ob), 2);
	assert_string_equal(hx_origin_req(oa, 0)->target, "/a/1");
	assert_string_equal(hx_origin_req(oa, 1)->target, "/other");
	assert_string_equal(hx_origin_req(ob, 0)->target, "/b/1");
	assert_string_equal(hx_origin_req(ob, 1)->target, "/b/2");
	hx_accel_stop_ok(a);
	/* The access log names the VCL's backend. */
	assert_int_equal(hx_accel_log_count(a, "be=b "), 2);
}

/* A round_robin director made in vcl_init: the origins take turns. */
static void
round_robin_director_alternates(void **state)
{
	struct hx_origin *o1 = hx_origin_start(), *o2 = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\nimport directors;\n"
	    "backend s1 { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "backend s2 { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_init {\n"
	    "\tnew rr = directors.round_robin();\n"
	    "\trr.add_backend(s1);\n"
	    "\trr.add_backend(s2);\n"
	    "}\n"
	    "sub vcl_recv {\n"
	    "\tset req.backend_hint = rr.backend();\n"
	    "\treturn (pass);\n"
	    "}\n", o1->port, o2->port);
	struct hx_accel *a = hx_accel_start("-f %s", f);
	int i;

	for (i = 0; i < 6; i++)
		HX_ASSERT_STATUS(get(a, hx_printf("/%d", i)), 200);
	assert_int_equal(hx_origin_nreq(o1), 3);
	assert_int_equal(hx_origin_nreq(o2), 3);
	hx_accel_stop_ok(a);
}

/*
 * A fallback director, its first backend dead (a closed port). Without
 * probes (the origins issue) accel learns it is dead from a failed
 * connect: at most that one request gets a 503, then the director skips
 * it (std.healthy false) and the second one serves.
 */
static void
fallback_director_skips_dead(void **state)
{
	struct hx_origin *o = hx_origin_start();
	int dead = hx_free_port(), i, n503 = 0;
	const char *f = vcl_file("vcl 4.1;\nimport directors;\nimport std;\n"
	    "backend dead { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "backend live { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_init {\n"
	    "\tnew fb = directors.fallback();\n"
	    "\tfb.add_backend(dead);\n"
	    "\tfb.add_backend(live);\n"
	    "}\n"
	    "sub vcl_recv {\n"
	    "\tset req.backend_hint = fb.backend();\n"
	    "\tset req.http.X-Dead-Healthy = std.healthy(dead);\n"
	    "\treturn (pass);\n"
	    "}\n", dead, o->port);
	struct hx_accel *a = hx_accel_start("-f %s", f);
	struct hx_conn *c = hx_connect(a->port);
	int nfalse = 0;

	for (i = 0; i < 6; i++) {
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\n"
		    "Host: h\r\n\r\n");

		/* The first one, and one more if the machine is so slow that
		 * the mark's second passed: a 503 each. */
		if (r->status == 503) {
			n503++;
			continue;
		}
		HX_ASSERT_STATUS(r, 200);
	}
	if (n503 > 2)
		HX_FAIL("%d answers 503: the dead backend was not skipped", n503);
	assert_int_equal(hx_origin_nreq(o), 6 - n503);
	/* Once the connect failed, std.healthy() says so. */
	for (i = 0; i < hx_origin_nreq(o); i++)
		nfalse += strcmp(hx_req_hdr(hx_origin_req(o, i),
		    "X-Dead-Healthy"), "false") == 0;
	assert_true(nfalse >= 6 - 2 * n503);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_connect"), n503);
}

/* Host for a request without one (HTTP/1.0): .host_header, else .host. */
static void
host_header_for_http10(void **state)
{
	struct hx_origin *o1 = hx_origin_start(), *o2 = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend named { .host = \"127.0.0.1\"; .port = \"%d\";\n"
	    "\t.host_header = \"www.example.org\"; }\n"
	    "backend plain { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_recv {\n"
	    "\tif (req.url ~ \"^/plain\") { set req.backend_hint = plain; }\n"
	    "\treturn (pass);\n"
	    "}\n", o1->port, o2->port);
	struct hx_accel *a = hx_accel_start("-f %s", f);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r = hx_request(c, "GET /named HTTP/1.0\r\n\r\n");

	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	c = hx_connect(a->port);
	r = hx_request(c, "GET /plain HTTP/1.0\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	assert_string_equal(hx_req_hdr(hx_origin_req(o1, 0), "Host"),
	    "www.example.org");
	assert_string_equal(hx_req_hdr(hx_origin_req(o2, 0), "Host"),
	    "127.0.0.1");
	/* A request's own Host wins. */
	r = get(a, "/named2");
	HX_ASSERT_STATUS(r, 200);
	assert_string_equal(hx_req_hdr(hx_origin_req(o1, 1), "Host"), "h");
	hx_accel_stop_ok(a);
}

/* .first_byte_timeout shorter than -p timeout_first_byte: 504 at it. */
static void
first_byte_timeout_from_vcl(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend slow { .host = \"127.0.0.1\"; .port = \"%d\";\n"
	    "\t.first_byte_timeout = 300ms; }\n"
	    "sub vcl_recv { return (pass); }\n", o->port);
	struct hx_accel *a = hx_accel_start("-p timeout_first_byte=20 -f %s", f);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\n\r\nok", .delay_ms = 3000});
	r = hx_request(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 504);
	if (r->elapsed_ms < 250 || r->elapsed_ms > 2500)
		HX_FAIL("504 after %lld ms, want about 300",
		    (long long)r->elapsed_ms);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 1);
}

/* .between_bytes_timeout: a body that stalls is cut at it. */
static void
between_bytes_timeout_from_vcl(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend stall { .host = \"127.0.0.1\"; .port = \"%d\";\n"
	    "\t.between_bytes_timeout = 300ms; }\n"
	    "sub vcl_recv { return (pass); }\n", o->port);
	struct hx_accel *a = hx_accel_start("-p timeout_between_bytes=20 -f %s",
	    f);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0 = hx_now_ms(), dt;

	hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 10\r\n\r\nab", .hang_after = 1});
	hx_send(c, "GET /stall HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_TRUNC_OK);
	dt = hx_now_ms() - t0;
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	if (dt < 250 || dt > 2500)
		HX_FAIL("cut after %lld ms, want about 300", (long long)dt);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 1);
}

/* .max_connections = 1: a second fetch while the first holds the only
 * connection gets a 503 at once (Varnish: the backend is busy). */
static void
max_connections_busy_503(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend one { .host = \"127.0.0.1\"; .port = \"%d\";\n"
	    "\t.max_connections = 1; }\n"
	    "sub vcl_recv { return (pass); }\n", o->port);
	struct hx_accel *a = hx_accel_start("-f %s", f);
	struct hx_conn *c1 = hx_connect(a->port), *c2 = hx_connect(a->port);
	struct hx_resp *r;
	int i;

	hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 4\r\n\r\nslow", .delay_ms = 1000});
	hx_send(c1, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 3000);
	r = hx_request(c2, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 503);
	r = hx_recv(c1);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "slow");
	/* The slot is free again once the first fetch ended: after its
	 * client's response is written out, which the client may see
	 * before accel's thread has run on. */
	for (i = 0; i < 20; i++) {
		hx_sleep_ms(100);
		r = hx_request(c2, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
		if (r->status != 503)
			break;
	}
	HX_ASSERT_STATUS(r, 200);
	hx_close(c1);
	hx_close(c2);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_busy"), 1 + i);
}

/* `backend default none;`: a VCL that answers itself starts; a fetch
 * has nowhere to go (503). A VCL without any backend is refused. */
static void
backend_none_and_no_backend(void **state)
{
	const char *f = vcl_file("vcl 4.1;\nbackend default none;\n"
	    "sub vcl_recv {\n"
	    "\tif (req.url == \"/synth\") { return (synth(204)); }\n"
	    "\treturn (pass);\n"
	    "}\n");
	struct hx_accel *a = hx_accel_start("-f %s", f);

	HX_ASSERT_STATUS(get(a, "/synth"), 204);
	HX_ASSERT_STATUS(get(a, "/fetch"), 503);
	hx_accel_stop_ok(a);

	f = vcl_file("vcl 4.1;\nsub vcl_recv { return (synth(204)); }\n");
	a = hx_accel_spawn("-a 127.0.0.1:0 -n %s -f %s", hx_tmpdir(), f);
	assert_int_equal(hx_accel_wait(a, 20000), 2);
	if (strstr(hx_accel_log(a), "no backend") == NULL)
		HX_FAIL("want the refusal, got:\n%s", hx_accel_log(a));
}

/* A .host that does not resolve: the load fails at the backend's name. */
static void
unresolvable_host_refused_with_place(void **state)
{
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend nowhere {\n\t.host = \"no-such-host.invalid\";\n}\n");
	struct hx_accel *a = hx_accel_spawn("-C -f %s", f);
	const char *want = hx_printf("%s:2:9: error: backend 'nowhere': "
	    "cannot resolve no-such-host.invalid", f);

	assert_int_equal(hx_accel_wait(a, 20000), 2);
	if (strstr(hx_accel_log(a), want) == NULL)
		HX_FAIL("want '%s', got:\n%s", want, hx_accel_log(a));
}

/* vcl_init returning fail refuses the program. */
static void
vcl_init_fail_refused(void **state)
{
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend a { .host = \"127.0.0.1\"; .port = \"9\"; }\n"
	    "sub vcl_init { return (fail); }\n");
	struct hx_accel *a = hx_accel_spawn("-a 127.0.0.1:0 -n %s -f %s",
	    hx_tmpdir(), f);

	assert_int_equal(hx_accel_wait(a, 20000), 2);
	if (strstr(hx_accel_log(a), "vcl_init failed") == NULL)
		HX_FAIL("want the refusal, got:\n%s", hx_accel_log(a));
}

/* -b and -f together: refused, as varnishd does. */
static void
b_with_f_refused(void **state)
{
	const char *f = vcl_file("vcl 4.1;\n"
	    "backend a { .host = \"127.0.0.1\"; .port = \"9\"; }\n");
	struct hx_accel *a = hx_accel_spawn("-a 127.0.0.1:0 -b 127.0.0.1:9 "
	    "-f %s", f);

	assert_int_equal(hx_accel_wait(a, 20000), 2);
	if (strstr(hx_accel_log(a), "-b and -f do not go together") == NULL)
		HX_FAIL("want the refusal, got:\n%s", hx_accel_log(a));
}

/* -b alone is a generated program: -C -d prints it; it runs as -b did. */
static void
b_alone_is_generated_vcl(void **state)
{
	struct hx_accel *a = hx_accel_spawn("-C -d -b 127.0.0.1:8080 "
	    "-b [::1]:8081");
	FILE *f;
	char buf[8192];
	size_t n;

	assert_int_equal(hx_accel_wait(a, 20000), 0);
	f = fopen(a->stdout_path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "backend b0 {\n\t.host = \"127.0.0.1\";\n"
	    "\t.port = \"8080\";\n\t.host_header = \"127.0.0.1:8080\";\n}\n"));
	assert_non_null(strstr(buf, "backend b1 {\n\t.host = \"::1\";\n"
	    "\t.port = \"8081\";\n\t.host_header = \"[::1]:8081\";\n}\n"));
	assert_non_null(strstr(buf, "sub vcl_recv {")); /* the compiled form */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(hint_by_url_prefix),
	    HX_TEST(round_robin_director_alternates),
	    HX_TEST(fallback_director_skips_dead),
	    HX_TEST(host_header_for_http10),
	    HX_TEST(first_byte_timeout_from_vcl),
	    HX_TEST(between_bytes_timeout_from_vcl),
	    HX_TEST(max_connections_busy_503),
	    HX_TEST(backend_none_and_no_backend),
	    HX_TEST(unresolvable_host_refused_with_place),
	    HX_TEST(vcl_init_fail_refused),
	    HX_TEST(b_with_f_refused),
	    HX_TEST(b_alone_is_generated_vcl),
	};
	return HX_RUN(tests);
}
