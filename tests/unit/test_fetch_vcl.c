/*
 * test_fetch_vcl.c: the fetch's side of VCL without a network
 * (accel/fetch_vcl.c, accel/vcl_host_be.c): bereq as accel builds it from
 * a parsed client request, vcl_backend_fetch's edits in the written head
 * (and after the busyobj copied bereq away from the request), the values
 * the host refuses (a request line VCL may not write, no Host, a field
 * value with CR LF; the checker refuses the framing fields), and
 * vcl_backend_error's answer as the client gets it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/accel.h"

static const char vcl_text[] =
    "vcl 4.1;\n"
    "backend default { .host = \"127.0.0.1\"; .port = \"8080\"; }\n"
    "sub vcl_backend_fetch {\n"
    "\tif (bereq.http.X-Case == \"url\") { set bereq.url = \"/a b\"; }\n"
    "\tif (bereq.http.X-Case == \"method\") { set bereq.method = \"G T\"; }\n"
    "\tif (bereq.http.X-Case == \"host\") { unset bereq.http.Host; }\n"
    "\tif (bereq.http.X-Case == \"inject\") {\n"
    "\t\tset bereq.http.X-Bad = \"a\" + {\"\r\n\"} + \"b\";\n"
    "\t}\n"
    "\tset bereq.http.X-A = client.ip;\n"
    "\tunset bereq.http.Cookie;\n"
    "\tset bereq.url = \"/q\" + bereq.url;\n"
    "}\n"
    "sub vcl_backend_error {\n"
    "\tset beresp.http.X-Err = beresp.status;\n"
    "\tsynthetic(\"down\");\n"
    "\treturn (deliver);\n"
    "}\n";

static struct sess sp;
static struct worker wrk; /* the program's users are counted per worker */
static struct h1_hdr hdrs[32];
static char reqbuf[1024];
static char reqws[16384];
static char bows[16384];
static struct busyobj bo;

static int
group_setup(void **state)
{
	char path[] = "/tmp/test_fetch_vcl_XXXXXX";
	char err[256];
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, vcl_text, sizeof vcl_text - 1),
	    (ssize_t)(sizeof vcl_text - 1));
	close(fd);
	prm_defaults(&prm);
	assert_int_equal(acc_vcl_init(path, err, sizeof err), 0);
	unlink(path);
	return (0);
}

/* The busyobj's and the request's hold on the program, let go. */
static void
release(void)
{
	if (bo.vcl != NULL)
		acc_vcl_bo_fini(&bo);
	if (sp.req.vcl != NULL)
		acc_vcl_req_fini(&sp.req);
}

static int
group_teardown(void **state)
{
	(void)state;
	release();
	acc_vcl_wrk_fini(&wrk);
	acc_vcl_fini();
	return (0);
}

/* A client request with these extra fields, parsed, and a busyobj on it
 * filling the cache (strip_cond), its bereq built. */
static void
setup(const char *fields)
{
	const struct h1_limits lim = {8192, 8192, 8192, 32, 0};
	struct req *req = &sp.req;
	int n;

	release();
	memset(&sp, 0, sizeof sp);
	sp.wrk = &wrk;
	snprintf(sp.peer, sizeof sp.peer, "192.0.2.7");
	req->magic = REQ_MAGIC;
	req->sp = &sp;
	ws_init(&req->ws, reqws, sizeof reqws);
	n = snprintf(reqbuf, sizeof reqbuf, "GET /p HTTP/1.1\r\nHost: h\r\n"
	    "Cookie: c=1\r\nX-Keep: k\r\nConnection: close\r\n"
	    "X-Forwarded-For: 10.0.0.1\r\nVia: 1.0 up\r\nRange: bytes=0-1\r\n"
	    "%s\r\n", fields);
	assert_true(h1_parse_request(reqbuf, (size_t)n, &lim, &req->h, hdrs,
	    32) == n);
	memset(&bo, 0, sizeof bo);
	bo.magic = BUSYOBJ_MAGIC;
	bo.wrk = &wrk;
	bo.req = req;
	acc_vcl_bo_init(&bo, req);
	bo.meth = H1M_GET;
	bo.strip_cond = 1;
	ws_init(&bo.ws, bows, sizeof bows);
	assert_int_equal(fetch_vcl_bereq(&bo), 0);
}

/* The head written from bereq, as a string. */
static const char *
written(void)
{
	static char out[2048];
	struct evbuffer *b = evbuffer_new();
	size_t n;

	assert_non_null(b);
	assert_int_equal(fetch_vcl_write(&bo, b), 0);
	n = evbuffer_get_length(b);
	assert_true(n < sizeof out);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
	return (out);
}

static void
bereq_is_what_accel_sends(void **state)
{
	(void)state;
	setup("");
	/* hop-by-hop, Range gone; forwarding fields ours; no VCL run yet */
	assert_string_equal(written(),
	    "GET /p HTTP/1.1\r\nHost: h\r\nCookie: c=1\r\nX-Keep: k\r\n"
	    "X-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n"
	    "X-Forwarded-Proto: http\r\nVia: 1.0 up, 1.1 accel\r\n\r\n");
}

static void
vcl_edits_reach_the_head_after_own(void **state)
{
	struct vcl_ret ret;
	(void)state;

	setup("");
	assert_int_equal(acc_vcl_be_run(&bo, VCL_SUB_BACKEND_FETCH, &ret),
	    VCL_A_FETCH);
	/* the request may go: bereq no longer points into it */
	assert_int_equal(fetch_vcl_own(&bo), 0);
	memset(reqbuf, 'Z', sizeof reqbuf);
	memset(&sp.peer, 'Z', sizeof sp.peer - 1);
	bo.req = NULL;
	assert_string_equal(written(),
	    "GET /q/p HTTP/1.1\r\nHost: h\r\nX-Keep: k\r\n"
	    "X-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n"
	    "X-Forwarded-Proto: http\r\nVia: 1.0 up, 1.1 accel\r\n"
	    "X-A: 192.0.2.7\r\n\r\n");
}

/* What VCL may not write makes vcl_backend_fetch fail. */
static void
refused_values_fail_the_sub(void **state)
{
	static const char *const cases[] = {"url", "method", "host",
	    "inject"};
	struct vcl_ret ret;
	(void)state;

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char f[64];

		snprintf(f, sizeof f, "X-Case: %s\r\n", cases[i]);
		setup(f);
		if (acc_vcl_be_run(&bo, VCL_SUB_BACKEND_FETCH, &ret) !=
		    VCL_A_FAIL)
			fail_msg("case %s did not fail", cases[i]);
	}
}

static void
backend_error_answer_for_the_client(void **state)
{
	struct req *req = &sp.req;
	struct evbuffer *b = evbuffer_new();
	char out[512];
	size_t n;
	(void)state;

	setup("");
	assert_int_equal(fetch_vcl_error(&bo, 504), VCL_A_DELIVER);
	assert_non_null(req->be_synth);
	assert_int_equal(req->err_status, 504);
	/* the busyobj's workspace may go: the answer is the request's */
	memset(bows, 'Z', sizeof bows);
	fetch_vcl_synth_write(req, b);
	n = evbuffer_get_length(b);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
	assert_string_equal(out, "HTTP/1.1 504 Gateway Timeout\r\n"
	    "X-Err: 504\r\nContent-Length: 4\r\nVia: 1.1 accel\r\n\r\ndown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bereq_is_what_accel_sends),
	    cmocka_unit_test(vcl_edits_reach_the_head_after_own),
	    cmocka_unit_test(refused_values_fail_the_sub),
	    cmocka_unit_test(backend_error_answer_for_the_client),
	};
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
