/*
 * harness.h: integration test harness for accel, in the spirit of
 * varnishtest. A test reads like the exchange it checks:
 *
 *	struct hx_origin *o = hx_origin_start();
 *	hx_origin_push(o, (struct hx_action){ .raw = "HTTP/1.1 200 OK\r\n"
 *	    "Content-Length: 2\r\n\r\nok" });
 *	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
 *	struct hx_conn *c = hx_connect(a->port);
 *	struct hx_resp *r = hx_request(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
 *	HX_ASSERT_STATUS(r, 200);
 *	HX_ASSERT_BODY(r, "ok");
 *	assert_string_equal(hx_req_hdr(hx_origin_req(o, 0), "Via"), "1.1 accel");
 *	hx_accel_stop_ok(a);
 *	assert_int_equal(hx_counter(a, "fetch_total"), 1);
 *
 * Pieces:
 * - a scripted origin (hx_origin_*): its own accept thread on 127.0.0.1:0
 *   and one thread per connection; every request it receives is parsed,
 *   recorded (raw head, raw body bytes as on the wire, de-chunked body,
 *   framing errors) and answered by the next queued action, or the
 *   default action (echo) when the queue is empty;
 * - an accel process (hx_accel_*): started with the harness defaults
 *   (-a 127.0.0.1:0 -t 2 -n TMPDIR) unless the test gives its own, waits
 *   for "accel: listening on", stderr in a file (access log, counters);
 * - a raw client (hx_connect, hx_send*, hx_recv*): exact bytes, strict
 *   response parsing, every wait bounded by a timeout.
 *
 * Every object is registered with the running test and released by
 * hx_teardown (even when the test failed half-way), so tests never free.
 * Failures are reported at the test's file and line.
 *
 * Only the test thread may call functions that fail the test; the origin
 * threads record problems in the origin (hx_origin_errors).
 */
#ifndef ACCEL_TESTS_HARNESS_H
#define ACCEL_TESTS_HARNESS_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

/* Test cases have cmocka's `void **state` parameter and seldom use it. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* ------------------------------------------------------------------ */
/* Test plumbing                                                       */

/* cmocka setup/teardown for every test: per-test alarm, resource list. */
int hx_setup(void **state);
int hx_teardown(void **state);
/* Group setup: signals, ACCEL_BIN check, HX_FILTER env (test name glob). */
int hx_group_setup(void **state);

#define HX_TEST(f) cmocka_unit_test_setup_teardown(f, hx_setup, hx_teardown)
/* main() must return it (`return HX_RUN(tests);`): a main that drops it
 * returns 0 and its failures never fail `make test` (a warning says so). */
#define HX_RUN(tests) \
	hx_run_result((hx_filter_from_env(), \
	    cmocka_run_group_tests(tests, hx_group_setup, NULL)))
static inline __attribute__((warn_unused_result)) int
hx_run_result(int failed)
{
	return failed;
}
void hx_filter_from_env(void);

/* Give the running test more (or less) time before the watchdog kills
 * the binary (default 60 s per test). */
void hx_set_test_timeout(unsigned seconds);

/* Monotonic clock in milliseconds. */
int64_t hx_now_ms(void);
void hx_sleep_ms(int ms);

/* Allocation freed at teardown. */
void *hx_alloc(size_t n);
char *hx_strdup(const char *s);
char *hx_memdup(const void *p, size_t n); /* NUL-terminated copy */
char *hx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fail the test at the caller's location. */
void hx_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
#define HX_FAIL(...) hx_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* A 127.0.0.1 port nothing listens on (bound then closed). */
int hx_free_port(void);
/* A new temporary directory, removed at teardown. */
char *hx_tmpdir(void);
/* A VCL file in a new temporary directory: "vcl 4.1;", one backend named
 * default on 127.0.0.1:port, then body. Its path (freed at teardown). */
const char *hx_vcl_file(int port, const char *body);

/* ------------------------------------------------------------------ */
/* Bodies: a sink that counts, stores (up to cap), CRCs and checks the  */
/* generated pattern.                                                  */

struct hx_body {
	char *buf;	  /* first min(total, cap) bytes, NUL-terminated */
	size_t len;	  /* bytes in buf */
	size_t cap;	  /* storage limit */
	uint64_t total;	  /* bytes seen */
	uint32_t crc;	  /* CRC-32 of all bytes seen (when do_crc) */
	int do_crc;
	int pattern_ok;	  /* every byte so far matched hx_pattern */
	void **slot_;	  /* private: cleanup slot owning buf */
};

/* The generated body: byte k of any pattern body is hx_pattern_byte(k).
 * Its period is a prime, so chunk reordering or loss is caught. */
#define HX_PATTERN_PERIOD 65521u
unsigned char hx_pattern_byte(uint64_t k);
/* Pointer to `want` (<= HX_PATTERN_PERIOD) contiguous pattern bytes
 * starting at offset k. */
const unsigned char *hx_pattern_at(uint64_t k);
uint32_t hx_crc32(uint32_t crc, const void *p, size_t n);
/* CRC-32 of the first n pattern bytes. */
uint32_t hx_pattern_crc(uint64_t n);

/* ------------------------------------------------------------------ */
/* Headers                                                             */

struct hx_hdr {
	char *name;
	char *value; /* OWS trimmed */
};

/* ------------------------------------------------------------------ */
/* Scripted origin                                                     */

enum hx_action_kind {
	HX_RESPOND = 0, /* send raw (delay/trickle), keep or close after */
	HX_ECHO,	/* 200 with the request body; X-Echo-* headers */
	HX_STREAM,	/* send raw (a head), then stream_len pattern bytes */
	HX_CLOSE,	/* close without answering (after reading the request) */
	HX_HANG,	/* never answer; keep the connection until the peer or
			   the origin's stop closes it */
};

struct hx_action {
	enum hx_action_kind kind;
	const char *raw;	/* bytes to send (copied at push) */
	size_t raw_len;		/* 0: strlen(raw) */
	int delay_ms;		/* before answering */
	int trickle_bytes;	/* send raw in pieces of this size... */
	int trickle_ms;		/* ...with this pause between them */
	int close_after;	/* close after the answer, whatever it says */
	int hang_after;		/* after the answer, keep the connection open
				   without reading (stall) until closed */
	int rst;		/* close with RST (SO_LINGER 0) */
	uint64_t stream_len;	/* HX_STREAM: body bytes after raw */
	int stream_chunked;	/* HX_STREAM: frame the body as chunks */
	int no_read_body;	/* answer after the head, before the body */
	int read_delay_ms;	/* wait this long before reading the body */
};

/* One request as the origin received it. */
struct hx_req {
	int index;	  /* 0-based, in order of completion */
	int conn;	  /* 0-based connection index */
	int seq_on_conn;  /* 0 for the first request on its connection */
	char *head;	  /* raw head through the blank line, NUL-terminated */
	size_t head_len;
	char *method;
	char *target;
	char *version;
	struct hx_hdr *hdrs;
	int nhdrs;
	int chunked;	  /* Transfer-Encoding: chunked */
	int has_cl;
	uint64_t cl;
	char *raw_body;	  /* body bytes as on the wire (capped), with framing */
	size_t raw_body_len;
	uint64_t raw_body_total;
	struct hx_body body; /* decoded body */
	size_t trailer_bytes; /* bytes of trailer fields after the last chunk */
	int complete;	  /* whole request incl. body was read and valid */
	char *error;	  /* framing error seen (then complete == 0) */
};

struct hx_origin;

struct hx_origin_opts {
	size_t body_cap;	/* decoded body bytes stored per request (1 MiB) */
	int no_crc;		/* skip CRC of request bodies (bulk) */
	int listen_backlog;	/* default 64 */
	int no_accept;		/* listen but never accept */
};

struct hx_origin {
	int port;
	/* private below */
	struct hx_origin_priv *p;
};

struct hx_origin *hx_origin_start(void);
struct hx_origin *hx_origin_start_opts(const struct hx_origin_opts *opts);
/* Queue the answer to the next request not yet answered. */
void hx_origin_push(struct hx_origin *o, struct hx_action a);
/* The answer when the queue is empty (initially HX_ECHO). */
void hx_origin_default(struct hx_origin *o, struct hx_action a);
/* Counts (thread-safe snapshots). */
int hx_origin_conns(struct hx_origin *o);    /* accepted connections */
int hx_origin_nreq(struct hx_origin *o);     /* complete requests */
int hx_origin_nheads(struct hx_origin *o);   /* request heads seen */
uint64_t hx_origin_bytes(struct hx_origin *o); /* bytes received at all */
uint64_t hx_origin_bytes_sent(struct hx_origin *o); /* bytes written */
int hx_origin_open_conns(struct hx_origin *o); /* connections still open */
/* Request i (complete or failed) in order; fails the test when absent. */
#define hx_origin_req(o, i) hx_origin_req_at(o, i, __FILE__, __LINE__)
const struct hx_req *hx_origin_req_at(struct hx_origin *o, int i,
    const char *file, int line);
/* Wait until at least n request heads / complete requests / connections
 * were seen; fails after ms. */
#define hx_origin_wait_heads(o, n, ms) \
	hx_origin_wait_at(o, 'h', n, ms, __FILE__, __LINE__)
#define hx_origin_wait_reqs(o, n, ms) \
	hx_origin_wait_at(o, 'r', n, ms, __FILE__, __LINE__)
#define hx_origin_wait_conns(o, n, ms) \
	hx_origin_wait_at(o, 'c', n, ms, __FILE__, __LINE__)
#define hx_origin_wait_closed(o, ms) \
	hx_origin_wait_at(o, 'x', 0, ms, __FILE__, __LINE__)
void hx_origin_wait_at(struct hx_origin *o, int what, int n, int ms,
    const char *file, int line);
/* Problems the origin's threads saw (NULL when none). */
const char *hx_origin_errors(struct hx_origin *o);
/* The origin got nothing at all: no byte on any connection. */
#define HX_ASSERT_ORIGIN_UNTOUCHED(o) \
	hx_assert_origin_untouched(o, 0, __FILE__, __LINE__)
/* The origin completed no request (it may have seen a partial one). */
#define HX_ASSERT_ORIGIN_NO_REQUEST(o) \
	hx_assert_origin_untouched(o, 1, __FILE__, __LINE__)
void hx_assert_origin_untouched(struct hx_origin *o, int partial_ok,
    const char *file, int line);
void hx_origin_stop(struct hx_origin *o);

/* Header lookups on a recorded request (case-insensitive names). */
const char *hx_req_hdr(const struct hx_req *q, const char *name);
int hx_req_hdr_count(const struct hx_req *q, const char *name);
/* All values of a field joined with ", " (NULL when absent). */
const char *hx_req_hdr_all(const struct hx_req *q, const char *name);

/* ------------------------------------------------------------------ */
/* accel process                                                       */

#define HX_MAX_PORTS 8

struct hx_accel {
	pid_t pid;
	int port;		/* first listening port */
	int ports[HX_MAX_PORTS];
	int nports;
	char *dir;		/* temp dir (state dir is dir/state) */
	char *stderr_path;
	char *stdout_path;
	int exited;
	int status;		/* after stop/wait: exit code, or 128+signal */
	char *log;		/* stderr contents after stop (or hx_accel_log) */
	/* counters line parsed at stop */
	char *counters_line;
};

/* Start accel with printf-formatted arguments split on spaces; adds
 * -a 127.0.0.1:0, -t 2 and -n DIR/state when absent; waits (5 s) for
 * one "accel: listening on" line per -a. Fails the test otherwise. */
#define hx_accel_start(...) hx_accel_start_at(__FILE__, __LINE__, __VA_ARGS__)
struct hx_accel *hx_accel_start_at(const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Spawn accel with exactly these arguments (no defaults, no waiting). */
struct hx_accel *hx_accel_spawn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Extra environment for the next start/spawn ("NAME=VALUE"), e.g. a
 * smaller ASan quarantine for memory measurements. NULL clears. */
void hx_accel_env(const char *kv);
/* Wait for exit up to ms; returns the status, or -1 when still running. */
int hx_accel_wait(struct hx_accel *a, int ms);
/* SIGTERM (or sig), wait up to ms, SIGKILL and fail past it; returns the
 * status and loads the log and counters. */
#define hx_accel_stop(a) hx_accel_stop_at(a, SIGTERM, 15000, __FILE__, __LINE__)
#define hx_accel_stop_sig(a, sig, ms) \
	hx_accel_stop_at(a, sig, ms, __FILE__, __LINE__)
int hx_accel_stop_at(struct hx_accel *a, int sig, int ms, const char *file,
    int line);
/* Stop and assert exit status 0 and a counters line. */
#define hx_accel_stop_ok(a) hx_accel_stop_ok_at(a, __FILE__, __LINE__)
void hx_accel_stop_ok_at(struct hx_accel *a, const char *file, int line);
void hx_accel_signal(struct hx_accel *a, int sig);
/* Current stderr contents (access log, messages). */
const char *hx_accel_log(struct hx_accel *a);
/* Number of lines of the log containing needle. */
int hx_accel_log_count(struct hx_accel *a, const char *needle);
/* Wait until the log holds at least n lines containing needle. */
#define hx_accel_wait_log(a, needle, n, ms) \
	hx_accel_wait_log_at(a, needle, n, ms, __FILE__, __LINE__)
void hx_accel_wait_log_at(struct hx_accel *a, const char *needle, int n,
    int ms, const char *file, int line);
/* A counter from the exit line; fails when absent. */
#define hx_counter(a, name) hx_counter_at(a, name, __FILE__, __LINE__)
uint64_t hx_counter_at(struct hx_accel *a, const char *name,
    const char *file, int line);
/* VmRSS / VmHWM ... in kB from /proc/PID/status (-1 when unreadable). */
long hx_accel_mem_kb(struct hx_accel *a, const char *field);
/* Print the tail of accel's stderr to the test output. */
void hx_accel_dump_log(struct hx_accel *a, int max_lines);

/* ------------------------------------------------------------------ */
/* Raw client                                                          */

struct hx_conn {
	int fd;
	int timeout_ms;	   /* per-operation timeout (default 5000) */
	size_t body_cap;   /* response body bytes stored (default 16 MiB) */
	int no_crc;	   /* skip CRC of response bodies */
	int read_pause_ms; /* slow reader: pause before each read... */
	size_t read_max;   /* ...of at most this many bytes (0: 256 KiB) */
	/* private */
	char *rbuf;
	size_t roff, rlen, rcap;
	int eof;	   /* peer closed (or reset) */
	int reset;	   /* ECONNRESET seen */
};

struct hx_resp {
	int minor;
	int status;
	char *reason;
	char *head; /* raw head through the blank line */
	size_t head_len;
	struct hx_hdr *hdrs;
	int nhdrs;
	int chunked;
	int close_delimited;
	int has_cl;
	uint64_t cl;
	struct hx_body body;
	size_t trailer_bytes;
	int truncated;	/* the body ended early (connection closed) */
	int64_t elapsed_ms; /* from the call to the end of the head */
};

#define hx_connect(port) hx_connect_at(port, __FILE__, __LINE__)
struct hx_conn *hx_connect_at(int port, const char *file, int line);
/* NULL when the connection cannot be made. */
struct hx_conn *hx_try_connect(int port);
void hx_close(struct hx_conn *c);
/* Half-close: no more bytes will be sent. */
void hx_shutdown_wr(struct hx_conn *c);

#define hx_send(c, s) hx_send_at(c, s, strlen(s), __FILE__, __LINE__)
#define hx_send_n(c, p, n) hx_send_at(c, p, n, __FILE__, __LINE__)
void hx_send_at(struct hx_conn *c, const void *p, size_t n, const char *file,
    int line);
#define hx_sendf(c, ...) hx_sendf_at(c, __FILE__, __LINE__, __VA_ARGS__)
void hx_sendf_at(struct hx_conn *c, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Send s in pieces of `piece` bytes with pause_ms between them. Stops
 * quietly (returns -1) when the peer closed, else 0. */
int hx_send_trickle(struct hx_conn *c, const char *s, size_t piece,
    int pause_ms);
/* Send without failing; -1 on error (peer closed). */
int hx_send_maybe(struct hx_conn *c, const void *p, size_t n);
/* Send n pattern bytes starting at pattern offset 0 at full speed. */
#define hx_send_pattern(c, n) hx_send_pattern_at(c, n, __FILE__, __LINE__)
void hx_send_pattern_at(struct hx_conn *c, uint64_t n, const char *file,
    int line);

/* Send pattern bytes [off, n) until done, or until no progress was
 * possible for stall_ms (the peer stopped reading); returns the offset
 * reached. Fails the test when the connection breaks. */
#define hx_send_pattern_partial(c, off, n, stall_ms) \
	hx_send_pattern_partial_at(c, off, n, stall_ms, __FILE__, __LINE__)
uint64_t hx_send_pattern_partial_at(struct hx_conn *c, uint64_t off,
    uint64_t n, int stall_ms, const char *file, int line);

/* Read one response. flags: HX_HEAD (request was HEAD: no body),
 * HX_TRUNC_OK (a body cut short by close sets ->truncated instead of
 * failing), HX_HEAD_ONLY (stop after the head; body left unread). */
#define HX_HEAD 1
#define HX_TRUNC_OK 2
#define HX_HEAD_ONLY 4
#define hx_recv(c) hx_recv_at(c, 0, __FILE__, __LINE__)
#define hx_recv_ex(c, fl) hx_recv_at(c, fl, __FILE__, __LINE__)
struct hx_resp *hx_recv_at(struct hx_conn *c, int flags, const char *file,
    int line);
/* Read the body of a response read with HX_HEAD_ONLY. */
#define hx_recv_body(c, r, fl) hx_recv_body_at(c, r, fl, __FILE__, __LINE__)
void hx_recv_body_at(struct hx_conn *c, struct hx_resp *r, int flags,
    const char *file, int line);
/* Send then read one response. */
#define hx_request(c, s) hx_request_at(c, s, strlen(s), 0, __FILE__, __LINE__)
#define hx_request_ex(c, s, fl) \
	hx_request_at(c, s, strlen(s), fl, __FILE__, __LINE__)
struct hx_resp *hx_request_at(struct hx_conn *c, const char *s, size_t n,
    int flags, const char *file, int line);
/* Read everything until the peer closes (fails after timeout). The
 * buffer is NUL-terminated; *len gets its length. */
#define hx_recv_until_close(c, len) \
	hx_recv_until_close_at(c, len, __FILE__, __LINE__)
char *hx_recv_until_close_at(struct hx_conn *c, size_t *len,
    const char *file, int line);
/* Wait up to ms for the peer to close. Returns 1 when closed, 0 when
 * still open; bytes that arrived meanwhile are kept in *got (if given). */
int hx_wait_closed(struct hx_conn *c, int ms, char **got, size_t *gotlen);
/* Assert the peer closes within ms with no further byte. */
#define HX_ASSERT_CLOSED(c, ms) hx_assert_closed_at(c, ms, __FILE__, __LINE__)
void hx_assert_closed_at(struct hx_conn *c, int ms, const char *file,
    int line);
/* Assert nothing arrives and the connection stays open for ms. */
#define HX_ASSERT_QUIET(c, ms) hx_assert_quiet_at(c, ms, __FILE__, __LINE__)
void hx_assert_quiet_at(struct hx_conn *c, int ms, const char *file, int line);
/* Read exactly n bytes (fails on timeout/close). */
#define hx_recv_exact(c, n) hx_recv_exact_at(c, n, __FILE__, __LINE__)
char *hx_recv_exact_at(struct hx_conn *c, size_t n, const char *file,
    int line);
/* Bytes already buffered but not consumed. */
size_t hx_pending(struct hx_conn *c);

/* Response header helpers (case-insensitive names). */
const char *hx_resp_hdr(const struct hx_resp *r, const char *name);
int hx_resp_hdr_count(const struct hx_resp *r, const char *name);
const char *hx_resp_hdr_all(const struct hx_resp *r, const char *name);
/* Non-zero when a comma-separated field value holds tok. */
int hx_list_has(const char *value, const char *tok);

/* Assertions that describe the response on failure. */
#define HX_ASSERT_STATUS(r, st) hx_assert_status_at(r, st, __FILE__, __LINE__)
void hx_assert_status_at(const struct hx_resp *r, int st, const char *file,
    int line);
#define HX_ASSERT_HDR(r, name, val) \
	hx_assert_hdr_at(r, name, val, __FILE__, __LINE__)
void hx_assert_hdr_at(const struct hx_resp *r, const char *name,
    const char *val, const char *file, int line);
#define HX_ASSERT_NO_HDR(r, name) hx_assert_hdr_at(r, name, NULL, __FILE__, __LINE__)
/* Connection: close present (token match). */
#define HX_ASSERT_CONN_CLOSE(r) hx_assert_conn_close_at(r, __FILE__, __LINE__)
void hx_assert_conn_close_at(const struct hx_resp *r, const char *file,
    int line);
#define HX_ASSERT_BODY(r, s) hx_assert_body_at(r, s, strlen(s), __FILE__, __LINE__)
void hx_assert_body_at(const struct hx_resp *r, const char *s, size_t n,
    const char *file, int line);
/* Recorded request: header equal / absent. */
#define HX_ASSERT_REQ_HDR(q, name, val) \
	hx_assert_req_hdr_at(q, name, val, __FILE__, __LINE__)
#define HX_ASSERT_REQ_NO_HDR(q, name) \
	hx_assert_req_hdr_at(q, name, NULL, __FILE__, __LINE__)
void hx_assert_req_hdr_at(const struct hx_req *q, const char *name,
    const char *val, const char *file, int line);

/* Canned origin responses. */
#define HX_200_OK "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

#endif
