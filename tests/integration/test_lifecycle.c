/*
 * test_lifecycle.c: the process around the proxy: graceful shutdown on
 * SIGTERM/SIGINT (drain, drain_timeout), command-line errors (exit 2 with
 * one line), -V, the counters line at exit, the access log.
 */
#include "tests/integration/harness.h"

#include "accel/counters.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* SIGTERM while a slow request is in flight: the client still gets its
 * whole response, new connections are no longer served, exit status 0. */
static void
sigterm_drains_inflight_request(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port), *late;
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 10\r\n\r\n0123456789", .delay_ms = 1500,
	    .trickle_bytes = 20, .trickle_ms = 200 });
	hx_send(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 2000);
	hx_accel_signal(a, SIGTERM);
	hx_sleep_ms(300);
	/* no longer accepting: refused, or closed without an answer */
	late = hx_try_connect(a->port);
	if (late != NULL) {
		char *got;
		size_t n;

		const char *req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

		hx_send_maybe(late, req, strlen(req));
		if (!hx_wait_closed(late, 2000, &got, &n) || n > 0)
			HX_FAIL("a connection made after SIGTERM was %s",
			    n ? got : "left open");
		hx_close(late);
	}
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "0123456789");
	hx_close(c);
	if (hx_accel_wait(a, 5000) < 0)
		HX_FAIL("accel still running 5 s after the drained request ended");
	hx_accel_stop_ok(a);
	assert_int_equal(hx_origin_nreq(o), 1);
}

/* drain_timeout bounds the wait for a request that does not end. */
static void
drain_timeout_bounds_exit(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p drain_timeout=1",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	int64_t t0;
	int st;

	hx_origin_push(o, (struct hx_action){ .kind = HX_HANG });
	hx_send(c, "GET /hang HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 2000);
	t0 = hx_now_ms();
	st = hx_accel_stop_sig(a, SIGTERM, 5000);
	if (hx_now_ms() - t0 < 800 || hx_now_ms() - t0 > 3000)
		HX_FAIL("exit %" PRId64 " ms after SIGTERM, want about 1000 "
			"(drain_timeout=1)", hx_now_ms() - t0);
	if (st != 0) {
		hx_accel_dump_log(a, 40);
		HX_FAIL("exit status %d after drain_timeout, want 0", st);
	}
	assert_non_null(a->counters_line);
	/* the client is not left hanging */
	if (!hx_wait_closed(c, 1000, NULL, NULL))
		HX_FAIL("client connection still open after accel exited");
	hx_close(c);
}

/* Idle keep-alive connections do not hold up the shutdown. */
static void
sigterm_does_not_wait_for_idle_clients(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_idle=30",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	t0 = hx_now_ms();
	hx_accel_signal(a, SIGTERM);
	if (hx_accel_wait(a, 3000) < 0)
		HX_FAIL("accel still running 3 s after SIGTERM with only an idle "
			"keep-alive client");
	print_message("lifecycle: exit %" PRId64 " ms after SIGTERM\n",
	    hx_now_ms() - t0);
	hx_accel_stop_ok(a);
	HX_ASSERT_CLOSED(c, 1000);
	hx_close(c);
}

static void
sigint_exits_0(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int st;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	st = hx_accel_stop_sig(a, SIGINT, 5000);
	if (st != 0) {
		hx_accel_dump_log(a, 40);
		HX_FAIL("exit status %d after SIGINT, want 0", st);
	}
	assert_non_null(a->counters_line);
}

/* A command-line error: exit status 2 and exactly one line on stderr. */
static void
usage_error(const char *args)
{
	struct hx_accel *a = hx_accel_spawn("-t 1 -n %s %s", hx_tmpdir(), args);
	int st = hx_accel_wait(a, 5000);
	const char *log;
	int lines = 0;
	const char *p;

	if (st < 0)
		HX_FAIL("accel %s: still running after 5 s", args);
	log = hx_accel_log(a);
	for (p = log; *p; p++)
		lines += *p == '\n';
	if (st != 2)
		HX_FAIL("accel %s: exit status %d, want 2; stderr:\n%s", args, st, log);
	if (lines != 1 || log[strlen(log) - 1] != '\n')
		HX_FAIL("accel %s: want one line on stderr, got %d:\n%s", args, lines,
		    log);
}

static void bad_flag_exit_2(void **state) { usage_error("-Z -b 127.0.0.1:80"); }
static void missing_flag_argument_exit_2(void **state) { usage_error("-b"); }
static void unknown_param_exit_2(void **state)
{
	usage_error("-b 127.0.0.1:80 -p no_such_param=1");
}
static void bad_duration_exit_2(void **state)
{
	usage_error("-b 127.0.0.1:80 -p timeout_idle=abc");
}
static void bad_size_exit_2(void **state)
{
	usage_error("-b 127.0.0.1:80 -p max_body=12q");
}
static void param_without_value_exit_2(void **state)
{
	usage_error("-b 127.0.0.1:80 -p timeout_idle");
}
static void bad_backend_exit_2(void **state)
{
	usage_error("-b not-an-address");
}
static void bad_listen_syntax_exit_2(void **state)
{
	usage_error("-a 127.0.0.1:notaport -b 127.0.0.1:80");
}
static void bad_listen_host_exit_2(void **state)
{
	usage_error("-a 256.1.1.1:80 -b 127.0.0.1:80");
}

/* A listen address that cannot be bound (in use) is fatal: status 2. */
static void
listen_address_in_use_exit_2(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct hx_accel *a;
	int st;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	a = hx_accel_spawn("-a 127.0.0.1:%d -b 127.0.0.1:80 -t 1 -n %s",
	    ntohs(sin.sin_port), hx_tmpdir());
	st = hx_accel_wait(a, 5000);
	close(fd);
	if (st != 2)
		HX_FAIL("listen address in use: exit status %d, want 2; stderr:\n%s",
		    st, hx_accel_log(a));
	assert_true(strlen(hx_accel_log(a)) > 0);
}

/* An address that is not local cannot be bound either. */
static void
listen_address_not_local_exit_2(void **state)
{
	struct hx_accel *a = hx_accel_spawn("-a 192.0.2.1:8080 -b 127.0.0.1:80 "
	    "-t 1 -n %s", hx_tmpdir());
	int st = hx_accel_wait(a, 5000);

	if (st != 2)
		HX_FAIL("non-local listen address: exit status %d, want 2; stderr:"
			"\n%s", st, hx_accel_log(a));
}

static void
version_flag(void **state)
{
	struct hx_accel *a = hx_accel_spawn("-V");
	int st = hx_accel_wait(a, 5000);
	size_t n;
	char *out;
	regex_t re;

	if (st != 0)
		HX_FAIL("-V: exit status %d, want 0; stderr:\n%s", st,
		    hx_accel_log(a));
	(void)n;
	out = hx_strdup(hx_accel_log(a)); /* stderr, for the message */
	{
		FILE *f = fopen(a->stdout_path, "r");
		char buf[256] = "";

		assert_non_null(f);
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = 0;
		fclose(f);
		assert_int_equal(regcomp(&re, "^accel [0-9]+\\.[0-9]+", REG_EXTENDED), 0);
		if (regexec(&re, buf, 0, NULL, 0) != 0) {
			regfree(&re);
			HX_FAIL("-V printed \"%s\" on stdout (stderr: \"%s\"), want "
				"\"accel X.Y...\"", buf, out);
		}
		regfree(&re);
	}
}

/* The counters line at exit: every counter of counters.h, with values
 * that match the traffic. */
static void
counters_line_at_exit(void **state)
{
	static const char *names[] = {
#define X(name, help) #name,
		COUNTER_LIST(X)
#undef X
	};
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-t 1 -b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port), *bad;
	struct hx_resp *r;
	uint64_t resp_bytes = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		r = hx_request(c, "POST / HTTP/1.1\r\nHost: h\r\n"
				  "Content-Length: 4\r\n\r\nbody");
		HX_ASSERT_STATUS(r, 200);
		resp_bytes += r->head_len + r->body.total;
	}
	hx_close(c);
	bad = hx_connect(a->port);
	r = hx_request(bad, "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n");
	HX_ASSERT_STATUS(r, 400);
	resp_bytes += r->head_len + r->body.total;
	hx_close(bad);
	hx_accel_stop_ok(a);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)hx_counter(a, names[i]);
	assert_int_equal(hx_counter(a, "sess_accepted"), 2);
	assert_int_equal(hx_counter(a, "sess_refused"), 0);
	assert_int_equal(hx_counter(a, "req_bad"), 1);
	assert_int_equal(hx_counter(a, "req_timeout"), 0);
	assert_int_equal(hx_counter(a, "fetch_total"), 3);
	assert_int_equal(hx_counter(a, "fetch_retry"), 0);
	assert_int_equal(hx_counter(a, "fetch_err_connect"), 0);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 0);
	assert_int_equal(hx_counter(a, "fetch_err_proto"), 0);
	assert_int_equal(hx_counter(a, "backend_conn_new"), 1);
	assert_int_equal(hx_counter(a, "backend_conn_reuse"), 2);
	assert_int_equal(hx_counter(a, "req_body_bytes"), 12);
	assert_int_equal(hx_counter(a, "resp_bytes"), resp_bytes);
	if (hx_counter(a, "req_total") < 3 || hx_counter(a, "req_total") > 4)
		HX_FAIL("req_total=%" PRIu64 ", want 3 (or 4 counting the bad one)",
		    hx_counter(a, "req_total"));
}

/* NCSA combined: host ident user [time] "request line" status bytes
 * "referer" "user-agent", then extra fields. */
#define COMBINED_RE                                                            \
	"^127\\.0\\.0\\.1 - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:"    \
	"[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\] "

static void
check_combined(const char *log, const char *rest)
{
	regex_t re;
	char *pat = hx_printf("%s%s", COMBINED_RE, rest);
	const char *p = log;
	int found = 0;

	assert_int_equal(regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE), 0);
	while (*p) {
		const char *eol = strchr(p, '\n');
		char *line = hx_memdup(p, eol ? (size_t)(eol - p) : strlen(p));

		if (regexec(&re, line, 0, NULL, 0) == 0)
			found++;
		p += strlen(line) + (eol ? 1 : 0);
	}
	regfree(&re);
	if (found != 1)
		HX_FAIL("want one access log line matching /%s/, found %d in:\n%s",
		    pat, found, log);
}

static void
access_log_combined_format(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 201 Created\r\n"
	    "Content-Length: 5\r\n\r\nhello" });
	r = hx_request(c, "GET /logme?x=1 HTTP/1.1\r\nHost: h\r\n"
			  "Referer: http://ref.example/page\r\n"
			  "User-Agent: it-agent/1.0 (test)\r\n\r\n");
	HX_ASSERT_STATUS(r, 201);
	r = hx_request_ex(c, "HEAD /second HTTP/1.1\r\nHost: h\r\n\r\n", HX_HEAD);
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
	check_combined(a->log, "\"GET /logme\\?x=1 HTTP/1\\.1\" 201 [0-9]+ "
	    "\"http://ref\\.example/page\" \"it-agent/1\\.0 \\(test\\)\"");
	check_combined(a->log, "\"HEAD /second HTTP/1\\.1\" 200 [0-9]+ \"-\" \"-\"");
	assert_int_equal(hx_accel_log_count(a, "127.0.0.1 - - ["), 2);
}

/* Requests accel answers itself are logged too. */
static void
access_log_has_errors(void **state)
{
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", hx_free_port());
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET /down HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 503);
	hx_close(c);
	c = hx_connect(a->port);
	r = hx_request(c, "GET /bad HTTP/1.1\r\nHost: h\r\nX A: 1\r\n\r\n");
	HX_ASSERT_STATUS(r, 400);
	hx_close(c);
	hx_accel_stop_ok(a);
	check_combined(a->log, "\"GET /down HTTP/1\\.1\" 503 ");
	assert_int_equal(hx_accel_log_count(a, "127.0.0.1 - - ["), 2);
}

static void
access_log_to_file(void **state)
{
	struct hx_origin *o = hx_origin_start();
	char *path = hx_printf("%s/access.log", hx_tmpdir());
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p access_log=%s",
	    o->port, path);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	FILE *f;
	char line[1024] = "";

	r = hx_request(c, "GET /tofile HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_accel_log_count(a, "/tofile"), 0);
	f = fopen(path, "r");
	if (f == NULL)
		HX_FAIL("no access log file at %s", path);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = 0;
	fclose(f);
	check_combined(line, "\"GET /tofile HTTP/1\\.1\" 200 ");
}

static void
access_log_off(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p access_log=off",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	r = hx_request(c, "GET /quiet HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_accel_log_count(a, "/quiet"), 0);
	assert_int_equal(hx_accel_log_count(a, "127.0.0.1 - -"), 0);
}

/* Several -a: one listening line each, all served. */
static void
several_listen_addresses(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-a 127.0.0.1:0 -a 127.0.0.1:0 "
	    "-b 127.0.0.1:%d", o->port);
	int i;

	assert_int_equal(a->nports, 2);
	assert_int_not_equal(a->ports[0], a->ports[1]);
	for (i = 0; i < 2; i++) {
		struct hx_conn *c = hx_connect(a->ports[i]);
		struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");

		HX_ASSERT_STATUS(r, 200);
		hx_close(c);
	}
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "sess_accepted"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(sigterm_drains_inflight_request),
		HX_TEST(drain_timeout_bounds_exit),
		HX_TEST(sigterm_does_not_wait_for_idle_clients),
		HX_TEST(sigint_exits_0),
		HX_TEST(bad_flag_exit_2),
		HX_TEST(missing_flag_argument_exit_2),
		HX_TEST(unknown_param_exit_2),
		HX_TEST(bad_duration_exit_2),
		HX_TEST(bad_size_exit_2),
		HX_TEST(param_without_value_exit_2),
		HX_TEST(bad_backend_exit_2),
		HX_TEST(bad_listen_syntax_exit_2),
		HX_TEST(bad_listen_host_exit_2),
		HX_TEST(listen_address_in_use_exit_2),
		HX_TEST(listen_address_not_local_exit_2),
		HX_TEST(version_flag),
		HX_TEST(counters_line_at_exit),
		HX_TEST(access_log_combined_format),
		HX_TEST(access_log_has_errors),
		HX_TEST(access_log_to_file),
		HX_TEST(access_log_off),
		HX_TEST(several_listen_addresses),
	};

	return HX_RUN(tests);
}
