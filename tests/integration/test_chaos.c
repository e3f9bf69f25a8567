/*
 * test_chaos.c: adversarial exchanges found by reviewing the event-driven
 * core (sess.c, req_fsm.c, fetch.c, pump.c, worker.c, log.c) and by a
 * randomized chaos loop: events that end a request while a caller still
 * holds it, an origin that fails half-way through a request body, stale
 * bytes on pooled origin connections, timers that never fire (interim
 * responses, trickled heads, lingering closes), memory a single client
 * can make accel hold, the access log, and the resources a burst of
 * abusive clients leaves behind.
 *
 * Two tests freeze accel with SIGSTOP while they make several things
 * happen on its sockets, then let it run (SIGCONT): its next epoll_wait()
 * then returns every event at once, in the order they happened, which is
 * how a busy worker sees them. That makes orderings that are rare on an
 * idle machine (an origin failure and a client reset in one batch; stale
 * bytes on a pooled connection and a new request in one batch)
 * deterministic.
 */
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_QUARANTINE "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:" \
	"quarantine_size_mb=16"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* A raw origin socket on 127.0.0.1 with a kernel-chosen port. */
static int
raw_listen(int backlog, int *port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Accept within ms; -1 when nobody came. */
static int
raw_accept(int lfd, int ms)
{
	struct pollfd pf = { lfd, POLLIN, 0 };

	if (poll(&pf, 1, ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* Read from fd into buf (NUL-terminated) until needle shows up, the peer
 * closes or ms pass; returns the bytes read. */
static size_t
raw_read_until(int fd, char *buf, size_t cap, const char *needle, int ms)
{
	int64_t deadline = hx_now_ms() + ms;
	size_t len = 0;

	buf[0] = 0;
	while (len + 1 < cap && strstr(buf, needle) == NULL) {
		struct pollfd pf = { fd, POLLIN, 0 };
		int64_t left = deadline - hx_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, (int)left) != 1)
			break;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
	}
	return len;
}

/* Close so that the peer gets a RST. */
static void
rst_close_fd(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void
rst_conn(struct hx_conn *c)
{
	rst_close_fd(c->fd);
	c->fd = -1;
}

/* Stop accel and wait until the kernel says it is stopped. */
static void
freeze(struct hx_accel *a)
{
	char path[64], st[512];
	int64_t deadline = hx_now_ms() + 2000;

	hx_accel_signal(a, SIGSTOP);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)a->pid);
	while (hx_now_ms() < deadline) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(st, 1, sizeof(st) - 1, f) : 0;
		const char *p;

		if (f)
			fclose(f);
		st[n] = 0;
		p = strrchr(st, ')');
		if (p != NULL && (p[2] == 'T' || p[2] == 't'))
			return;
		hx_sleep_ms(5);
	}
	hx_accel_signal(a, SIGCONT);
	HX_FAIL("accel did not stop on SIGSTOP");
}

static void
thaw(struct hx_accel *a)
{
	hx_accel_signal(a, SIGCONT);
}

/* What a process's fds point at, one "fd -> target" per line. */
static const char *
describe_fds(pid_t pid)
{
	char path[64], tgt[256], *out = hx_strdup("");
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return out;
	while ((e = readdir(d)) != NULL) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), e->d_name, tgt, sizeof(tgt) - 1);
		tgt[n > 0 ? n : 0] = 0;
		out = hx_printf("%s  %s -> %s\n", out, e->d_name, tgt);
	}
	closedir(d);
	return out;
}

static int
count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The access log lines of accel's stderr that contain needle. */
static const char *
log_line_with(struct hx_accel *a, const char *needle)
{
	const char *log = a->log ? a->log : hx_accel_log(a);
	const char *p = strstr(log, needle), *bol, *eol;

	if (p == NULL)
		return NULL;
	for (bol = p; bol > log && bol[-1] != '\n'; bol--)
		;
	eol = strchr(p, '\n');
	return hx_memdup(bol, eol ? (size_t)(eol - bol) : strlen(bol));
}

/* The bytes field of a combined log line: `"request" status BYTES "`. */
static long long
log_bytes(const char *line)
{
	const char *q = strstr(line, "\" ");
	int st;
	long long bytes;

	if (q == NULL || sscanf(q + 2, "%d %lld", &st, &bytes) != 2)
		return -1;
	return bytes;
}

/* ------------------------------------------------------------------ */
/* An origin that fails while the request body is still coming          */

/* The origin sends its head and part of the body at once, then stops
 * reading the request body. The request body cannot be sent: after
 * timeout_first_byte accel gives up on the origin. The client already
 * has a 200 head and 10 body bytes; the only honest end is closing its
 * connection short of the Content-Length. A 504 written into the
 * middle of the 200's body (fetch.c vbc_wcb -> fetch_fail after
 * head_done) is a corrupted response. */
static void
origin_send_timeout_after_head_no_synth_in_body(void **state)
{
	static char data[65536];
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -t 1 "
	    "-p timeout_first_byte=0.3 -p timeout_between_bytes=3", o->port);
	struct hx_conn *c = hx_connect(a->port);
	char *got = hx_alloc(1 << 16);
	size_t glen = 0;
	int64_t deadline = hx_now_ms() + 4500;
	int eof = 0;
	const char *body;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 100\r\n\r\n0123456789", .no_read_body = 1,
	    .hang_after = 1 });
	memset(data, 'x', sizeof(data));
	hx_send(c, "POST /up HTTP/1.1\r\nHost: h\r\n"
		   "Content-Length: 1000000000\r\n\r\n");
	/* push the body as fast as accel takes it, read what comes back */
	while (!eof && hx_now_ms() < deadline) {
		struct pollfd pf = { c->fd, POLLIN | POLLOUT, 0 };

		if (poll(&pf, 1, 50) < 0)
			break;
		if (pf.revents & POLLOUT)
			(void)send(c->fd, data, sizeof(data), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = recv(c->fd, got + glen, (1 << 16) - 1 - glen, 0);

			if (n <= 0)
				eof = 1;
			else
				glen += (size_t)n;
			got[glen] = 0;
		}
	}
	if (!eof)
		HX_FAIL("client connection still open 4.5 s after the origin "
			"stopped reading (timeout_first_byte=0.3); got: %s", got);
	if (strncmp(got, "HTTP/1.1 200 ", 13) != 0)
		HX_FAIL("want the origin's 200 head first, got: %s", got);
	body = strstr(got, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	if (strstr(got, "HTTP/1.1 50") != NULL || strcmp(body, "0123456789") != 0)
		HX_FAIL("after the 200 head the client must get the 10 body bytes "
			"then the close, nothing else; got body \"%s\"", body);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_timeout"), 1);
}

/* The origin closes its connection (502) in the same event-loop batch in
 * which the client resets its own, in the middle of a chunked request
 * body. The 502 cannot be written (the write consumes the reset), the
 * client read then sees EOF: req_client_readable() ends the session in
 * req_client_error() and then touches it (sess_want_read on freed sp). */
static void
origin_close_and_client_reset_in_one_batch(void **state)
{
	int port, lfd = raw_listen(16, &port), ofd;
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -t 1", port);
	struct hx_conn *c = hx_connect(a->port), *c2;
	struct hx_resp *r;
	char buf[4096];

	hx_send(c, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
		   "\r\n5\r\nhello\r\n");
	ofd = raw_accept(lfd, 3000);
	if (ofd < 0)
		HX_FAIL("accel did not connect to the origin");
	raw_read_until(ofd, buf, sizeof(buf), "hello", 3000);
	if (strstr(buf, "hello") == NULL)
		HX_FAIL("the first chunk did not reach the origin: %s", buf);
	hx_sleep_ms(100); /* accel is back in epoll_wait, reading the client */
	freeze(a);
	close(ofd);	   /* first event: the origin closed, no answer (502) */
	hx_sleep_ms(30);
	rst_conn(c);	   /* second event: the client reset */
	hx_sleep_ms(30);
	thaw(a);
	/* a sanitizer report takes a moment to print before the exit */
	if (hx_accel_wait(a, 1000) >= 0) {
		hx_accel_dump_log(a, 150);
		HX_FAIL("accel exited with status %d after an origin close and a "
			"client reset in one batch", a->status);
	}
	/* and it still serves */
	c2 = hx_connect(a->port);
	hx_send(c2, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	ofd = raw_accept(lfd, 3000);
	if (ofd < 0)
		HX_FAIL("accel did not connect to the origin for the next request");
	raw_read_until(ofd, buf, sizeof(buf), "\r\n\r\n", 3000);
	if (send(ofd, HX_200_OK, strlen(HX_200_OK), MSG_NOSIGNAL) < 0)
		HX_FAIL("origin send failed");
	r = hx_recv(c2);
	HX_ASSERT_STATUS(r, 200);
	hx_close(c2);
	close(ofd);
	close(lfd);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_err_proto"), 1);
}

/* ------------------------------------------------------------------ */
/* Connection pool                                                     */

/* The origin answers A, and a moment later sends an unsolicited second
 * response on the same (pooled) connection. Request B arrives in the
 * same batch as those stale bytes: B must not be answered with them. A
 * pooled connection with bytes (or EOF) waiting is not reusable; a
 * reuse check (recv MSG_PEEK|MSG_DONTWAIT) before taking it catches
 * what the idle read event did not get to see yet. */
static void
stale_bytes_on_pooled_connection_not_a_response(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -t 1", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = hx_printf("%s%s", ok,
	    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL"),
	    .trickle_bytes = (int)strlen(ok), .trickle_ms = 400 });
	r = hx_request(c, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "ok");
	hx_sleep_ms(50);	/* A is done, its connection pooled */
	freeze(a);
	hx_send(c, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_sleep_ms(550);	/* the stale answer lands on the pooled connection */
	thaw(a);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	if (r->body.buf != NULL && strcmp(r->body.buf, "EVIL") == 0)
		HX_FAIL("request B got the stale bytes left on a pooled origin "
			"connection as its response");
	HX_ASSERT_HDR(r, "X-Echo-Target", "/b");
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

/* timeout_first_byte is "from request sent to response head": an origin
 * that sends interim 103s forever never sends a head. Each 103 re-arms
 * the persistent read timeout: before 5b0af8e the request waited for as
 * long as the origin kept talking. */
static void
interim_responses_do_not_extend_first_byte_timeout(void **state)
{
	static const char hint[] = "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n";
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d "
	    "-p timeout_first_byte=1 -p timeout_between_bytes=1", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	char *raw = hx_alloc(sizeof(hint) * 40 + 64);
	int i;

	raw[0] = 0;
	for (i = 0; i < 40; i++)
		strcat(raw, hint);
	strcat(raw, HX_200_OK);
	hx_origin_push(o, (struct hx_action){ .raw = raw,
	    .trickle_bytes = (int)strlen(hint), .trickle_ms = 200 });
	c->timeout_ms = 4000;
	r = hx_request(c, "GET /hints HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 504);
	if (r->elapsed_ms > 2500)
		HX_FAIL("504 after %" PRId64 " ms, want about 1000", r->elapsed_ms);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* A response head trickled a byte at a time, each byte well within
 * timeout_between_bytes, never completes within timeout_first_byte. */
static void
trickled_response_head_bounded_by_first_byte_timeout(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d "
	    "-p timeout_first_byte=1 -p timeout_between_bytes=1", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
	    "Content-Length: 2\r\n\r\nok", .trickle_bytes = 1, .trickle_ms = 60 });
	c->timeout_ms = 4000;
	r = hx_request(c, "GET /slowhead HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 504);
	if (r->elapsed_ms > 2500)
		HX_FAIL("504 after %" PRId64 " ms, want about 1000", r->elapsed_ms);
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* After an error answer accel lingers: "what the client still sends is
 * read and dropped for up to 2 s". A client that keeps trickling bytes
 * re-arms the persistent read timeout and holds the connection (and a
 * max_connections slot) forever. */
static void
linger_is_bounded_for_trickling_client(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int64_t t0;
	int closed = 0;

	r = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n");
	HX_ASSERT_STATUS(r, 400);
	HX_ASSERT_CONN_CLOSE(r);
	t0 = hx_now_ms();
	while (hx_now_ms() - t0 < 4500) {
		hx_sleep_ms(200);
		if (send(c->fd, "x", 1, MSG_NOSIGNAL) < 0) {
			closed = 1;
			break;
		}
	}
	if (!closed)
		HX_FAIL("lingering connection still open %" PRId64 " ms after the "
			"400 while the client trickles bytes (want at most ~2 s)",
		    hx_now_ms() - t0);
	hx_close(c);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	hx_accel_stop_ok(a);
}

/* The client's read event stays armed while the origin works (a0b8e8c),
 * re-added with event_add(ev, NULL) -- which in libevent keeps a timeout
 * that is already scheduled: timeout_idle from SS_IDLE, or the head
 * deadline from SS_HEAD. An origin slower than that, or a download
 * longer than that, is then cut by sess_timeout() as a client error
 * (logged 499, the client gets a silent close or a short body). Only
 * timeout_first_byte / timeout_between_bytes may end these. */
static void
slow_answers_not_cut_by_idle_or_head_timers(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p timeout_idle=0.3 "
	    "-p timeout_header=0.5 -p timeout_first_byte=5 "
	    "-p timeout_between_bytes=5", o->port);
	struct hx_conn *c;
	struct hx_resp *r;

	/* a slow first byte after a head that came at once (SS_IDLE timer) */
	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 4\r\n\r\nslow",
	    .delay_ms = 1000 });
	c = hx_connect(a->port);
	r = hx_request(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "slow");
	hx_close(c);
	/* a body that takes longer than timeout_idle */
	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 20\r\n\r\n"
	    "0123456789abcdefghij", .trickle_bytes = 12, .trickle_ms = 250 });
	c = hx_connect(a->port);
	r = hx_request(c, "GET /trickle HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "0123456789abcdefghij");
	hx_close(c);
	/* a head sent in pieces (SS_HEAD deadline), then a slow origin */
	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 4\r\n\r\nhead",
	    .delay_ms = 1000 });
	c = hx_connect(a->port);
	assert_int_equal(hx_send_trickle(c, "GET /pieces HTTP/1.1\r\nHost: h\r\n\r\n",
	    12, 50), 0);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "head");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_accel_log_count(a, "\" 499 "), 0);
}

/* ------------------------------------------------------------------ */
/* Client side                                                         */

/* Complete requests that arrived before the client's FIN are answered:
 * three pipelined requests then shutdown(SHUT_WR) get three responses.
 * Before 5b0af8e the EOF was read while looking for the second head and
 * the third request was dropped, after a second response that did not
 * say Connection: close. */
static void
half_closed_pipeline_all_answered(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	int i;

	hx_send(c, "GET /h1 HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /h2 HTTP/1.1\r\nHost: h\r\n\r\n"
		   "GET /h3 HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_shutdown_wr(c);
	for (i = 1; i <= 3; i++) {
		r = hx_recv(c);
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/h%d", i));
	}
	HX_ASSERT_CLOSED(c, 3000);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_origin_nreq(o), 3);
}

/* One client pipelines tiny requests as fast as it can while reading
 * the answers. accel must stop reading it while it holds unparsed
 * requests (a head at most): before 5b0af8e every pipelined request
 * triggered a further 64 KiB read into sp->in, so the whole flood ended
 * up in accel's memory (300 MB for 256 MB sent). */
static void
pipelined_flood_memory_bounded(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	static char blob[65536 - 65536 % (sizeof(req) - 1)];
	struct hx_origin *o;
	struct hx_accel *a;
	struct hx_conn *c;
	static char sink[1 << 16];
	uint64_t sent = 0, got = 0;
	int64_t t0;
	long base, hwm;
	size_t off = 0;

	for (size_t i = 0; i + sizeof(req) - 1 <= sizeof(blob); i += sizeof(req) - 1)
		memcpy(blob + i, req, sizeof(req) - 1);
	o = hx_origin_start();
	hx_origin_default(o, (struct hx_action){ .raw = HX_200_OK });
	hx_accel_env(SMALL_QUARANTINE);
	a = hx_accel_start("-b 127.0.0.1:%d -t 1 -p access_log=off", o->port);
	hx_accel_env(NULL);
	c = hx_connect(a->port);
	base = hx_accel_mem_kb(a, "VmRSS");
	t0 = hx_now_ms();
	while (hx_now_ms() - t0 < 3000 && sent < (256u << 20)) {
		struct pollfd pf = { c->fd, POLLIN | POLLOUT, 0 };

		if (poll(&pf, 1, 50) < 0)
			break;
		if (pf.revents & POLLOUT) {
			ssize_t n = send(c->fd, blob + off, sizeof(blob) - off,
			    MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0) {
				sent += (uint64_t)n;
				off = (off + (size_t)n) % sizeof(blob);
			}
		}
		if (pf.revents & POLLIN) {
			ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

			if (n <= 0)
				break;
			got += (uint64_t)n;
		}
	}
	hwm = hx_accel_mem_kb(a, "VmHWM");
	print_message("chaos: flood: sent %" PRIu64 " MB of pipelined requests, "
	    "got %" PRIu64 " KB of answers; accel VmRSS %ld kB at start, "
	    "VmHWM %ld kB\n", sent >> 20, got >> 10, base, hwm);
	hx_close(c);
	assert_true(base > 0 && hwm > 0);
	if (hwm - base > 96 * 1024)
		HX_FAIL("one pipelining client grew accel by %ld kB (sent %" PRIu64
			" MB, answers %" PRIu64 " KB)", hwm - base, sent >> 20,
		    got >> 10);
	hx_accel_stop_ok(a);
}

/* Very many pipelined requests in one packet: all answered, in order,
 * without recursion (sess_next defers the next one to the event loop). */
static void
many_pipelined_requests_in_one_packet(void **state)
{
	enum { N = 800 };
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p access_log=off",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	size_t cap = N * 40, len = 0;
	char *all = hx_alloc(cap);
	int i;

	for (i = 0; i < N; i++)
		len += (size_t)snprintf(all + len, cap - len,
		    "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
	hx_send_n(c, all, len);
	for (i = 0; i < N; i++) {
		struct hx_resp *r = hx_recv(c);

		HX_ASSERT_STATUS(r, 200);
		if (i % 97 == 0 || i == N - 1)
			HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/%d", i));
	}
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "req_total"), N);
}

/* A chunked request body made of many one-byte chunks with extensions
 * and a trailer reaches the origin re-framed: same bytes, valid chunked
 * framing, no extension, no trailer. */
static void
tiny_chunks_request_reframed(void **state)
{
	enum { N = 3000 };
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	char *body = hx_alloc(N * 16 + 64);
	size_t len = 0;
	const struct hx_req *q;
	struct hx_resp *r;
	int i;

	for (i = 0; i < N; i++)
		len += (size_t)sprintf(body + len, "1;e=%d\r\n%c\r\n", i,
		    (char)hx_pattern_byte((uint64_t)i));
	len += (size_t)sprintf(body + len, "0\r\nX-Trailer: t\r\n\r\n");
	hx_send(c, "POST /tiny HTTP/1.1\r\nHost: h\r\n"
		   "Transfer-Encoding: chunked\r\n\r\n");
	hx_send_n(c, body, len);
	r = hx_recv(c);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Echo-Body-Length", hx_printf("%d", N));
	q = hx_origin_req(o, 0);
	assert_true(q->complete);
	assert_true(q->chunked);
	assert_int_equal(q->body.total, N);
	assert_true(q->body.pattern_ok);
	assert_int_equal(q->trailer_bytes, 0);
	/* data bytes may be ';': look for the extensions themselves */
	assert_null(memmem(q->raw_body, q->raw_body_len, ";e=", 3));
	hx_close(c);
	hx_accel_stop_ok(a);
}

/* ------------------------------------------------------------------ */
/* Backends                                                            */

/* A fresh origin connection accepted then reset after reading the
 * request: 502, not retried (it was not a pooled connection), and the
 * client connection stays usable. */
static void
backend_accepts_then_resets_502(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;

	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE, .rst = 1 });
	r = hx_request(c, "GET /rst HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 502);
	if (!hx_list_has(hx_resp_hdr_all(r, "Connection"), "close")) {
		r = hx_request(c, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_HDR(r, "X-Echo-Target", "/next");
	}
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "fetch_retry"), 0);
	assert_int_equal(hx_counter(a, "fetch_err_proto"), 1);
}

/* ------------------------------------------------------------------ */
/* Access log and counters                                             */

/* A close-delimited origin body re-chunked for an HTTP/1.1 client: the
 * log's byte count and resp_bytes are what the client received,
 * including the last chunk that pump_eof() writes. */
static void
log_bytes_match_wire_for_close_delimited_body(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	const char *line;
	size_t n;
	char *got;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\n\r\nhello", .close_after = 1 });
	hx_send(c, "GET /eof HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	got = hx_recv_until_close(c, &n);
	if (strstr(got, "5\r\nhello\r\n0\r\n\r\n") == NULL)
		HX_FAIL("want a chunked 'hello', got: %s", got);
	hx_close(c);
	hx_accel_stop_ok(a);
	line = log_line_with(a, "\"GET /eof HTTP/1.1\"");
	if (line == NULL)
		HX_FAIL("no access log line for GET /eof");
	if (log_bytes(line) != (long long)n)
		HX_FAIL("the client received %zu bytes, the log says: %s", n, line);
	assert_int_equal(hx_counter(a, "resp_bytes"), n);
}

/* A client that goes away in the middle of a big response still gets
 * its access log line (status 200, the bytes queued so far). Requests
 * that ended in req_client_error() were not logged before 5b0af8e, and
 * their bytes never reached resp_bytes. */
static void
client_abort_mid_response_is_logged(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *line;

	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 64000000\r\n\r\n",
	    .stream_len = 64000000 });
	hx_send(c, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
	r = hx_recv_ex(c, HX_HEAD_ONLY);
	HX_ASSERT_STATUS(r, 200);
	hx_sleep_ms(200);
	rst_conn(c);
	hx_origin_wait_closed(o, 3000);
	hx_accel_stop_ok(a);
	line = log_line_with(a, "\"GET /big HTTP/1.1\"");
	if (line == NULL)
		HX_FAIL("no access log line for a request whose client went away "
			"mid-response");
	if (strstr(line, "\" 200 ") == NULL || log_bytes(line) <= 0)
		HX_FAIL("want status 200 and the bytes sent in: %s", line);
	assert_true(hx_counter(a, "resp_bytes") > 0);
}

/* Header values with obs-text, quotes and backslashes: forwarded to the
 * origin byte for byte, escaped in the access log (one line, no raw
 * byte >= 0x7f, no unescaped quote inside a field). */
static void
obs_text_forwarded_and_escaped_in_log(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r;
	const char *line;

	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\n"
	    "X-Resp: caf\xe9\r\nContent-Length: 2\r\n\r\nok" });
	r = hx_request(c, "GET /obs HTTP/1.1\r\nHost: h\r\n"
			  "User-Agent: ua\xe9\xff \"q\" \\b 1.1 - - [x]\r\n"
			  "Referer: \x80\"\r\nX-Obs: caf\xe9\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Resp", "caf\xe9");
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "X-Obs", "caf\xe9");
	HX_ASSERT_REQ_HDR(hx_origin_req(o, 0), "User-Agent",
	    "ua\xe9\xff \"q\" \\b 1.1 - - [x]");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_accel_log_count(a, "\"GET /obs HTTP/1.1\""), 1);
	line = log_line_with(a, "\"GET /obs HTTP/1.1\"");
	assert_non_null(line);
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p >= 0x7f || (unsigned char)*p < 0x20)
			HX_FAIL("raw byte 0x%02x in the access log line: %s",
			    (unsigned char)*p, line);
	if (strstr(line, "\"\\x80\\x22\" \"ua\\xe9\\xff \\x22q\\x22 \\x5cb 1.1 - - [x]\"")
	    == NULL)
		HX_FAIL("referer/user-agent not escaped as expected: %s", line);
}

/* An access log nobody reads (a FIFO whose reader stalls, a stderr pipe
 * to a stuck collector) must not stop the worker: log_flush() does a
 * blocking write(2) from the event loop, so once the pipe is full every
 * request of that worker hangs. */
static void
stalled_access_log_does_not_stop_serving(void **state)
{
	struct hx_origin *o = hx_origin_start();
	char *fifo = hx_printf("%s/log.fifo", hx_tmpdir());
	char *target = hx_alloc(1901);
	struct hx_accel *a;
	struct hx_conn *c;
	int rfd, i;

	memset(target, 'a', 1900);
	target[0] = '/';
	target[1900] = 0;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rfd >= 0);
	a = hx_accel_start("-b 127.0.0.1:%d -t 1 -p access_log=%s", o->port, fifo);
	c = hx_connect(a->port);
	for (i = 0; i < 100; i++) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		struct hx_resp *r;

		hx_sendf(c, "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);
		if (poll(&pf, 1, 2000) != 1) {
			close(rfd);
			HX_FAIL("request %d not answered within 2 s: the worker is "
				"blocked writing the access log to a full pipe", i);
		}
		r = hx_recv(c);
		HX_ASSERT_STATUS(r, 200);
	}
	hx_close(c);
	close(rfd);
	hx_accel_stop_ok(a);
}

/* The same stalled log at exit: every line is either written or counted
 * in log_dropped. The final log_flush() after the loop ends gives up on
 * a full pipe and, when less than half the buffer is pending, neither
 * writes nor counts it: the last lines vanish without a trace. */
static void
access_log_lines_lost_at_exit_are_counted(void **state)
{
	enum { N = 36, TLEN = 1900 };
	struct hx_origin *o = hx_origin_start();
	char *fifo = hx_printf("%s/log.fifo", hx_tmpdir());
	char *target = hx_alloc(TLEN + 1), *buf = hx_alloc(1 << 20);
	struct hx_accel *a;
	struct hx_conn *c;
	size_t len = 0;
	int rfd, i, lines = 0;
	uint64_t dropped;

	memset(target, 'b', TLEN);
	target[0] = '/';
	target[TLEN] = 0;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rfd >= 0);
	hx_origin_default(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: no-store\r\nContent-Length: 2\r\n\r\nok" });
	a = hx_accel_start("-b 127.0.0.1:%d -t 1 -p access_log=%s", o->port, fifo);
	c = hx_connect(a->port);
	for (i = 0; i < N; i++) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		struct hx_resp *r;

		hx_sendf(c, "GET %s%d HTTP/1.1\r\nHost: h\r\n\r\n", target, i);
		if (poll(&pf, 1, 2000) != 1) {
			close(rfd);
			HX_FAIL("request %d not answered within 2 s", i);
		}
		r = hx_recv(c);
		HX_ASSERT_STATUS(r, 200);
	}
	hx_close(c);
	hx_sleep_ms(300);
	hx_accel_stop_ok(a);
	for (;;) {
		ssize_t n = read(rfd, buf + len, (1 << 20) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(rfd);
	for (size_t k = 0; k < len; k++)
		lines += buf[k] == '\n';
	dropped = hx_counter(a, "log_dropped");
	print_message("chaos: %d of %d log lines written, log_dropped=%" PRIu64
	    "\n", lines, N, dropped);
	if (lines < N && dropped < (uint64_t)(N - lines) * TLEN)
		HX_FAIL("%d of %d access log lines reached the log and log_dropped "
			"is %" PRIu64 " bytes: %d lines vanished uncounted", lines, N,
		    dropped, N - lines);
}

/* ------------------------------------------------------------------ */
/* Drain                                                               */

/* SIGTERM while a request body is half-uploaded and while a client
 * waits in 100-continue: both requests finish (Connection: close), then
 * accel exits 0. */
static void
sigterm_mid_upload_and_mid_continue(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *up = hx_connect(a->port), *ex = hx_connect(a->port);
	struct hx_resp *r;

	hx_send(up, "PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234");
	hx_send(ex, "PUT /ex HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
		    "Content-Length: 5\r\n\r\n");
	r = hx_recv(ex);
	HX_ASSERT_STATUS(r, 100);
	hx_origin_wait_heads(o, 2, 2000);
	hx_accel_signal(a, SIGTERM);
	hx_sleep_ms(200);
	hx_send(up, "56789");
	hx_send(ex, "hello");
	r = hx_recv(up);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "0123456789");
	HX_ASSERT_CONN_CLOSE(r);
	r = hx_recv(ex);
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, "hello");
	HX_ASSERT_CONN_CLOSE(r);
	hx_close(up);
	hx_close(ex);
	if (hx_accel_wait(a, 4000) < 0)
		HX_FAIL("accel still running 4 s after its last request ended");
	hx_accel_stop_ok(a);
	assert_int_equal(hx_origin_nreq(o), 2);
}

/* Requests that drain_timeout cuts still get their access log line, like
 * any request that ends early (req_client_error logs them since aeda1b7):
 * wrk_drain_timeout() closes sessions with sess_close() directly. */
static void
drain_timeout_cut_requests_are_logged(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -p drain_timeout=0.5",
	    o->port);
	struct hx_conn *c = hx_connect(a->port), *up = hx_connect(a->port);

	hx_origin_push(o, (struct hx_action){ .kind = HX_HANG });
	hx_send(c, "GET /hang HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 2000);
	hx_send(up, "POST /halfup HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234");
	hx_origin_wait_heads(o, 2, 2000);
	hx_accel_stop_ok(a);
	hx_close(c);
	hx_close(up);
	if (log_line_with(a, "\"GET /hang HTTP/1.1\"") == NULL ||
	    log_line_with(a, "\"POST /halfup HTTP/1.1\"") == NULL)
		HX_FAIL("requests cut by drain_timeout have no access log line");
}

/* ------------------------------------------------------------------ */
/* Resources after abuse                                               */

/* A burst of abusive clients (partial heads then reset, partial bodies
 * then half-close, bad requests, a reader that never reads, a
 * 100-continue without body, an origin that resets) leaves nothing
 * behind: once every timer has run, accel's fd count is back at its
 * baseline and all max_connections slots serve again (n_conns did not
 * drift). */
static void
abuse_leaves_no_fds_or_slots(void **state)
{
	enum { MAXC = 16 };
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -t 2 "
	    "-p max_connections=%d -p timeout_idle=0.5 -p timeout_header=0.5 "
	    "-p timeout_between_bytes=0.5 -p timeout_send=0.5 "
	    "-p timeout_backend_idle=0.5", o->port, MAXC);
	struct hx_conn *c[MAXC];
	int base, now = -1, i;
	int64_t t0;
	const char *fds0;

	hx_origin_push(o, (struct hx_action){ .kind = HX_CLOSE, .rst = 1 });
	hx_origin_push(o, (struct hx_action){ .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nContent-Length: 32000000\r\n\r\n",
	    .stream_len = 32000000 });
	/* "listening on" comes before the workers open their event bases */
	hx_sleep_ms(300);
	base = count_fds(a->pid);
	fds0 = describe_fds(a->pid);
	assert_true(base > 0);
	c[0] = hx_connect(a->port);	/* origin resets: 502 */
	hx_send(c[0], "GET /r HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 1, 2000);
	c[1] = hx_connect(a->port);	/* never reads a 32 MB answer */
	hx_send(c[1], "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_origin_wait_heads(o, 2, 2000);
	c[2] = hx_connect(a->port);	/* partial head, reset */
	hx_send(c[2], "GET /par");
	c[3] = hx_connect(a->port);	/* partial body, half-close */
	hx_send(c[3], "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nab");
	c[4] = hx_connect(a->port);	/* 100-continue, no body */
	hx_send(c[4], "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
		      "Content-Length: 10\r\n\r\n");
	c[5] = hx_connect(a->port);	/* bad request, then junk */
	hx_send(c[5], "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		      "Transfer-Encoding: chunked\r\n\r\nxxxxxxxx");
	c[6] = hx_connect(a->port);	/* bad chunk mid body, reset */
	hx_send(c[6], "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked"
		      "\r\n\r\n3\r\nabc\r\nzz\r\n");
	c[7] = hx_connect(a->port);	/* pipelined, then reset mid-way */
	hx_send(c[7], "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n"
		      "Host: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
	hx_sleep_ms(200);
	rst_conn(c[2]);
	hx_shutdown_wr(c[3]);
	rst_conn(c[6]);
	rst_conn(c[7]);
	hx_sleep_ms(300);
	for (i = 0; i < 8; i++)
		if (i != 1 && c[i]->fd >= 0)
			hx_close(c[i]);
	/* all the timers above are 0.5 s, a lingering close 2 s */
	t0 = hx_now_ms();
	while (hx_now_ms() - t0 < 4000) {
		hx_sleep_ms(200);
		now = count_fds(a->pid);
		if (now == base)
			break;
	}
	hx_close(c[1]);
	if (now != base) {
		HX_FAIL("accel holds %d fds after the abuse ended, %d before:\n%s"
			"before:\n%s", now, base, describe_fds(a->pid), fds0);
	}
	/* every max_connections slot is free again */
	for (i = 0; i < MAXC; i++) {
		c[i] = hx_connect(a->port);
		hx_send(c[i], hx_printf("GET /slot%d HTTP/1.1\r\nHost: h\r\n\r\n", i));
	}
	for (i = 0; i < MAXC; i++) {
		struct hx_resp *r = hx_recv(c[i]);

		HX_ASSERT_STATUS(r, 200);
		HX_ASSERT_HDR(r, "X-Echo-Target", hx_printf("/slot%d", i));
		hx_close(c[i]);
	}
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "sess_refused"), 0);
}

/* utime + stime of a process, in clock ticks. */
static long long
cpu_ticks(pid_t pid)
{
	char path[64], st[1024];
	FILE *f;
	size_t n;
	const char *p;
	unsigned long long ut, stime;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = 0;
	p = strrchr(st, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
	    "%*u %llu %llu", &ut, &stime) != 2)
		return -1;
	return (long long)(ut + stime);
}

/* Out of file descriptors (RLIMIT_NOFILE below max_connections, as with
 * the default max_connections=10000 and a 1024 ulimit): accept4() fails
 * with EMFILE, wrk_accept() returns, and the level-triggered listener
 * calls it again at once: the worker spins at 100% CPU for as long as
 * the clients stay. It must back off (pause the listener, or accept and
 * close with a reserved fd) and serve again once fds are free. */
static void
fd_exhaustion_does_not_spin(void **state)
{
	enum { N = 48 };
	struct hx_origin *o = hx_origin_start();
	struct rlimit old, low;
	struct hx_accel *a;
	struct hx_conn *c[N], *ok;
	struct hx_resp *r;
	long long t0, t1;
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 40;	/* inherited by accel */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	a = hx_accel_start("-b 127.0.0.1:%d -t 1", o->port);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (i = 0; i < N; i++)
		c[i] = hx_try_connect(a->port); /* the last ones wait in the backlog */
	hx_sleep_ms(300);
	t0 = cpu_ticks(a->pid);
	hx_sleep_ms(1000);
	t1 = cpu_ticks(a->pid);
	for (i = 0; i < N; i++)
		if (c[i] != NULL)
			hx_close(c[i]);
	assert_true(t0 >= 0 && t1 >= 0);
	print_message("chaos: at the fd limit accel used %lld ms of CPU in 1 s\n",
	    (t1 - t0) * 1000 / hz);
	if ((t1 - t0) * 1000 / hz > 300)
		HX_FAIL("accel used %lld ms of CPU in 1 s while out of fds and "
			"idle otherwise: the listener spins", (t1 - t0) * 1000 / hz);
	hx_sleep_ms(500);
	ok = hx_connect(a->port);
	r = hx_request(ok, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(ok);
	hx_accel_stop_ok(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(origin_send_timeout_after_head_no_synth_in_body),
		HX_TEST(origin_close_and_client_reset_in_one_batch),
		HX_TEST(stale_bytes_on_pooled_connection_not_a_response),
		HX_TEST(interim_responses_do_not_extend_first_byte_timeout),
		HX_TEST(trickled_response_head_bounded_by_first_byte_timeout),
		HX_TEST(linger_is_bounded_for_trickling_client),
		HX_TEST(slow_answers_not_cut_by_idle_or_head_timers),
		HX_TEST(half_closed_pipeline_all_answered),
		HX_TEST(pipelined_flood_memory_bounded),
		HX_TEST(many_pipelined_requests_in_one_packet),
		HX_TEST(tiny_chunks_request_reframed),
		HX_TEST(backend_accepts_then_resets_502),
		HX_TEST(log_bytes_match_wire_for_close_delimited_body),
		HX_TEST(client_abort_mid_response_is_logged),
		HX_TEST(obs_text_forwarded_and_escaped_in_log),
		HX_TEST(stalled_access_log_does_not_stop_serving),
		HX_TEST(access_log_lines_lost_at_exit_are_counted),
		HX_TEST(sigterm_mid_upload_and_mid_continue),
		HX_TEST(drain_timeout_cut_requests_are_logged),
		HX_TEST(abuse_leaves_no_fds_or_slots),
		HX_TEST(fd_exhaustion_does_not_spin),
	};

	return HX_RUN(tests);
}
