/*
 * test_vcl_reload.c: SIGHUP loads the -f file again. A program that
 * loads replaces the running one for new requests, without dropping a
 * connection; requests in flight finish on the program they started on;
 * one that does not load is refused with its errors (file:line:col) and
 * the old one goes on. Many reloads under load neither crash nor leak
 * (the san build: the exit status carries LeakSanitizer's verdict).
 */
#include "tests/integration/harness.h"

#include <stdio.h>
#include <stdlib.h>

/* Write fmt (printf-style) to path. */
static void
write_file(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
write_file(const char *path, const char *fmt, ...)
{
	char *tmp = hx_printf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* A program that marks what reaches the origin with X-V: v. */
static void
write_marking(const char *path, int port, int v)
{
	write_file(path, "vcl 4.1;\n"
	    "backend o { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_recv {\n"
	    "\tset req.http.X-V = \"%d\";\n"
	    "\tif (req.url == \"/gone\") { return (synth(410)); }\n"
	    "\treturn (pass);\n"
	    "}\n", port, v);
}

static const char *
vcl_path(void)
{
	return (hx_printf("%s/main.vcl", hx_tmpdir()));
}

/* SIGHUP, then wait for its n-th "reloaded" (or "failed") line. */
static void
reload(struct hx_accel *a, const char *line, int n)
{
	hx_accel_signal(a, SIGHUP);
	hx_accel_wait_log(a, line, n, 10000);
}

#define GET "GET / HTTP/1.1\r\nHost: h\r\n\r\n"

/* GET url on a connection of its own (a 4xx synth closes it). */
static int
status_of(struct hx_accel *a, const char *url)
{
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r = hx_request(c, hx_printf("GET %s HTTP/1.1\r\n"
	    "Host: h\r\n\r\n", url));

	hx_close(c);
	return (r->status);
}

/* A change takes effect for the next request on the same connection. */
static void
change_applies_without_dropping(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_path();
	struct hx_accel *a;
	struct hx_conn *c;

	write_marking(f, o->port, 1);
	a = hx_accel_start("-f %s", f);
	c = hx_connect(a->port);
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	assert_int_equal(status_of(a, "/gone"), 410);
	/* Version 2: another mark, and /gone is fetched now. */
	write_file(f, "vcl 4.1;\n"
	    "backend o { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_recv {\n"
	    "\tset req.http.X-V = \"2\";\n"
	    "\tif (req.url == \"/new\") { return (synth(403)); }\n"
	    "\treturn (pass);\n"
	    "}\n", o->port);
	reload(a, hx_printf("accel: VCL reloaded from %s", f), 1);
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	HX_ASSERT_STATUS(hx_request(c, "GET /gone HTTP/1.1\r\nHost: h\r\n\r\n"),
	    200);
	assert_int_equal(status_of(a, "/new"), 403);
	assert_int_equal(hx_origin_nreq(o), 3);
	assert_string_equal(hx_req_hdr(hx_origin_req(o, 0), "X-V"), "1");
	assert_string_equal(hx_req_hdr(hx_origin_req(o, 1), "X-V"), "2");
	assert_string_equal(hx_req_hdr(hx_origin_req(o, 2), "X-V"), "2");
	assert_int_equal(hx_origin_conns(o), 1); /* the pool survived too */
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "sess_accepted"), 3);
}

/* A program with an error: the errors with their place on stderr, the
 * running program stays. */
static void
bad_program_keeps_old(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_path();
	struct hx_accel *a;
	struct hx_conn *c;

	write_marking(f, o->port, 1);
	a = hx_accel_start("-f %s", f);
	c = hx_connect(a->port);
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	write_file(f, "vcl 4.1;\n"
	    "backend o { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_recv {\n"
	    "\tset req.http.X-V = 2 +;\n"
	    "}\n", o->port);
	reload(a, "accel: VCL reload failed, keeping the running one", 1);
	if (strstr(hx_accel_log(a), hx_printf("%s:4:", f)) == NULL ||
	    strstr(hx_accel_log(a), "error:") == NULL)
		HX_FAIL("want the error at %s:4, got:\n%s", f, hx_accel_log(a));
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	assert_int_equal(status_of(a, "/gone"), 410);
	assert_string_equal(hx_req_hdr(hx_origin_req(o, 1), "X-V"), "1");
	/* A file that does not load for another reason (a backend that
	 * does not resolve) is refused the same way. */
	write_file(f, "vcl 4.1;\nbackend o { .host = \"no-such-host.invalid\"; }\n");
	reload(a, "accel: VCL reload failed, keeping the running one", 2);
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_accel_log_count(a, "VCL reloaded"), 0);
}

/*
 * Requests in flight during the reload finish on their program: the
 * first fetches a slow, cacheable answer; the second waits on it (its
 * vcl_recv ran). The new program's vcl_deliver refuses to deliver, so a
 * request that ran it instead of its own would not get a 200. A new
 * request after the reload, a hit, does run it.
 */
static void
in_flight_finish_on_old(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_path();
	struct hx_accel *a;
	struct hx_conn *c1, *c2;
	struct hx_resp *r;

	write_file(f, "vcl 4.1;\n"
	    "backend o { .host = \"127.0.0.1\"; .port = \"%d\"; }\n", o->port);
	a = hx_accel_start("-f %s", f);
	c1 = hx_connect(a->port);
	c2 = hx_connect(a->port);
	hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: max-age=60\r\nContent-Length: 4\r\n\r\nslow",
	    .delay_ms = 1500});
	hx_send(c1, "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 3000);
	hx_send(c2, "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_sleep_ms(200); /* c2 waits on the busy object */
	write_file(f, "vcl 4.1;\n"
	    "backend o { .host = \"127.0.0.1\"; .port = \"%d\"; }\n"
	    "sub vcl_deliver { return (synth(418)); }\n", o->port);
	reload(a, "accel: VCL reloaded from", 1);
	r = hx_recv(c1);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "slow");
	r = hx_recv(c2);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "slow");
	hx_close(c1);
	hx_close(c2);
	c1 = hx_connect(a->port);
	r = hx_request(c1, "GET /k HTTP/1.1\r\nHost: h\r\n\r\n");
	if (r->status == 200)
		HX_FAIL("a request after the reload ran the old vcl_deliver");
	hx_close(c1);
	assert_int_equal(hx_origin_nreq(o), 1);
	hx_accel_stop_ok(a);
}

/* -b's generated program reloads too (the same program again). */
static void
generated_program_reloads(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);

	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	reload(a, "accel: VCL reloaded from -b", 1);
	HX_ASSERT_STATUS(hx_request(c, GET), 200);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/*
 * Reload many times while requests flow on several connections, some of
 * them slow (in flight across reloads), bad programs in between: every
 * request is answered by one of the programs, and the exit is clean (no
 * leak, no use after free under ASan).
 */
static void
many_reloads_under_load(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_path();
	struct hx_accel *a;
	struct hx_conn *c[4], *slow;
	int i, k, ok = 0, bad = 0;

	hx_set_test_timeout(120);
	write_marking(f, o->port, 0);
	a = hx_accel_start("-f %s", f);
	for (k = 0; k < 4; k++)
		c[k] = hx_connect(a->port);
	slow = hx_connect(a->port);
	for (i = 1; i <= 30; i++) {
		/* One request kept in flight over this reload. */
		hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 1\r\n\r\ns", .delay_ms = 50});
		hx_send(slow, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
		if (i % 7 == 0) {
			write_file(f, "vcl 4.1;\nsub vcl_recv { oops }\n");
			reload(a, "VCL reload failed", ++bad);
		} else {
			write_marking(f, o->port, i);
			reload(a, "VCL reloaded from", ++ok);
		}
		for (k = 0; k < 4; k++)
			HX_ASSERT_STATUS(hx_request(c[k], GET), 200);
		HX_ASSERT_STATUS(hx_recv(slow), 200);
	}
	for (k = 0; k < 4; k++)
		hx_close(c[k]);
	hx_close(slow);
	hx_accel_stop_ok(a);
}

/* SIGHUPs back to back, while the main thread is busy reloading: none
 * may land on a thread that would take its default action (the disk
 * tier's writer is started before the workers). accel goes on. */
static void
sighup_storm_survives(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *f = vcl_path();
	struct hx_accel *a;
	int i;

	write_marking(f, o->port, 1);
	a = hx_accel_start("-f %s", f);
	for (i = 0; i < 20; i++)
		hx_accel_signal(a, SIGHUP);
	hx_accel_wait_log(a, "VCL reloaded from", 1, 10000);
	hx_sleep_ms(300);
	assert_int_equal(status_of(a, "/"), 200);
	hx_accel_stop_ok(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(change_applies_without_dropping),
	    HX_TEST(bad_program_keeps_old),
	    HX_TEST(in_flight_finish_on_old),
	    HX_TEST(generated_program_reloads),
	    HX_TEST(many_reloads_under_load),
	    HX_TEST(sighup_storm_survives),
	};
	return HX_RUN(tests);
}
