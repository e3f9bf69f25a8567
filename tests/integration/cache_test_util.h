/*
 * cache_test_util.h: what the cache tests (test_cache_*.c) share: canned
 * origin answers, request shorthands, Cache-Status assertions, and the
 * exchange most of them are made of (an origin, accel in front of it, one
 * client connection; a GET whose body and Cache-Status are checked; the
 * origin's request count, then a clean stop).
 *
 * Assertions report at the test's own line: each helper is a function
 * taking file and line behind a macro, as in harness.h. Every function is
 * static and marked unused, since no test file uses them all.
 */
#ifndef ACCEL_TESTS_CACHE_TEST_UTIL_H
#define ACCEL_TESTS_CACHE_TEST_UTIL_H

#include "tests/integration/harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CT_UNUSED __attribute__((unused))

/* ------------------------------------------------------------------ */
/* Origin answers                                                      */

/* The response field that makes an answer fresh for 60 s. */
#define MAX_AGE_60 "Cache-Control: max-age=60\r\n"

/* A 200 with these header fields (each ending in CRLF) and body. */
static CT_UNUSED const char *
ok(const char *fields, const char *body)
{
	return hx_printf("HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n%s",
	    fields, strlen(body), body);
}

/* Queue the origin's next answer. */
static CT_UNUSED void
respond(struct hx_origin *o, const char *raw)
{
	hx_origin_push(o, (struct hx_action){ .raw = raw });
}

/* Queue a 200 with this body, fresh for 60 s (Cache-Control: max-age=60). */
static CT_UNUSED void
respond_fresh(struct hx_origin *o, const char *body)
{
	respond(o, ok(MAX_AGE_60, body));
}

/* t as an IMF-fixdate. */
static CT_UNUSED const char *
http_time(time_t t)
{
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return hx_strdup(buf);
}

/* An IMF-fixdate `offset` seconds from now. */
static CT_UNUSED const char *
http_date(long offset)
{
	return http_time(time(NULL) + offset);
}

/* ------------------------------------------------------------------ */
/* Requests: origin-form, Host: h unless the fields say otherwise      */

#define GET(c, target) \
	hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target))
#define GETX(c, target, fields) \
	hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n%s\r\n", \
	    target, fields))
#define HEAD(c, target) \
	hx_request_ex(c, hx_printf("HEAD %s HTTP/1.1\r\nHost: h\r\n\r\n", \
	    target), HX_HEAD)
/* A POST with the one-byte body "x". */
#define POST(c, target) \
	hx_request(c, hx_printf("POST %s HTTP/1.1\r\nHost: h\r\n" \
	    "Content-Length: 1\r\n\r\nx", target))

/* ------------------------------------------------------------------ */
/* Assertions on responses                                             */

/* An integer header field of a response; fails when absent or not one. */
#define HDR_INT(r, name) hdr_int_at(r, name, __FILE__, __LINE__)
static CT_UNUSED long
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
static CT_UNUSED void
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
static CT_UNUSED long
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
	/* Ours is the last Via member (the origin's stay before it). */
	const char *via = hx_resp_hdr(r, "Via");
	size_t vl = via != NULL ? strlen(via) : 0;
	if (hx_resp_hdr_count(r, "Via") != 1 || vl < 9 ||
	    strcmp(via + vl - 9, "1.1 accel") != 0 ||
	    (vl > 9 && strncmp(via + vl - 11, ", ", 2) != 0))
		hx_fail_at(file, line, "a hit needs one Via ending in \"1.1 "
		    "accel\", got \"%s\"", via != NULL ? via : "(none)");
	return ttl;
}

/* Lines of accel's log holding both needles. */
static CT_UNUSED int
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

/* ------------------------------------------------------------------ */
/* GET exchanges: the request, its body, its Cache-Status              */

/* What a GET's Cache-Status must be. */
enum cache_want {
	WANT_ANY,	/* not checked */
	WANT_MISS,	/* "accel; fwd=miss" */
	WANT_STORED,	/* "accel; fwd=miss; stored; ttl=<t>", lo <= t <= hi */
	WANT_HIT,	/* a hit with lo <= ttl <= hi (ASSERT_HIT) */
};

static CT_UNUSED struct hx_resp *
get_expect_at(struct hx_conn *c, const char *target, const char *body,
    enum cache_want want, long lo, long hi, const char *file, int line)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	hx_assert_body_at(r, body, strlen(body), file, line);
	switch (want) {
	case WANT_ANY:
		break;
	case WANT_MISS:
		hx_assert_hdr_at(r, "Cache-Status", "accel; fwd=miss", file,
		    line);
		break;
	case WANT_STORED: {
		/* ttl=hi, or any of lo..hi-1 (a Date a second old) */
		const char *cs = hx_resp_hdr(r, "Cache-Status");
		long ttl = lo;
		for (; ttl < hi; ttl++)
			if (cs != NULL && strcmp(cs, hx_printf("accel; fwd=miss; "
			    "stored; ttl=%ld", ttl)) == 0)
				break;
		hx_assert_hdr_at(r, "Cache-Status", hx_printf("accel; fwd=miss; "
		    "stored; ttl=%ld", ttl), file, line);
		break;
	}
	case WANT_HIT:
		(void)assert_hit_at(r, lo, hi, file, line);
		break;
	}
	return r;
}

/* GET target: its body is `body` (and nothing else is checked). */
#define GET_BODY(c, target, body) \
	get_expect_at(c, target, body, WANT_ANY, 0, 0, __FILE__, __LINE__)
/* GET target: `body`, forwarded and not stored ("accel; fwd=miss"). */
#define GET_MISS(c, target, body) \
	get_expect_at(c, target, body, WANT_MISS, 0, 0, __FILE__, __LINE__)
/* GET target: `body`, a miss stored with this ttl, or one second less:
 * the test's Date (or the origin's) may be a second old when accel gets
 * the response, which makes its age 1. */
#define GET_STORED(c, target, body, ttl) \
	get_expect_at(c, target, body, WANT_STORED, (ttl) > 0 ? (ttl) - 1 : (ttl), \
	    ttl, __FILE__, __LINE__)
/* GET target: `body`, a hit with lo <= ttl <= hi. */
#define GET_HIT(c, target, body, lo, hi) \
	get_expect_at(c, target, body, WANT_HIT, lo, hi, __FILE__, __LINE__)

/* ------------------------------------------------------------------ */
/* The rig: an origin, accel in front of it, one client connection     */

struct rig {
	struct hx_origin *o;
	struct hx_accel *a;
	struct hx_conn *c;	/* NULL once closed by the test */
};

/* Start an origin, accel with "-b ORIGIN params" (harness defaults for
 * the rest) and connect to it. */
#define RIG_START(params) rig_start_at(params, __FILE__, __LINE__)
static CT_UNUSED struct rig *
rig_start_at(const char *params, const char *file, int line)
{
	struct rig *t = hx_alloc(sizeof(*t));

	t->o = hx_origin_start();
	t->a = hx_accel_start_at(file, line, "-b 127.0.0.1:%d %s", t->o->port,
	    params);
	t->c = hx_connect_at(t->a->port, file, line);
	return t;
}

/* Close the client connection (if open). */
static CT_UNUSED void
rig_close(struct rig *t)
{
	if (t->c != NULL)
		hx_close(t->c);
	t->c = NULL;
}

/* Close the client connection (if open) and open a new one. */
#define RIG_RECONNECT(t) rig_reconnect_at(t, __FILE__, __LINE__)
static CT_UNUSED void
rig_reconnect_at(struct rig *t, const char *file, int line)
{
	rig_close(t);
	t->c = hx_connect_at(t->a->port, file, line);
}

/* PURGE target on a connection of its own, closed after; the answer has
 * this status. The rig's connection is not touched. */
#define PURGE_EXPECT(t, target, status) \
	purge_expect_at(t, target, status, __FILE__, __LINE__)
static CT_UNUSED struct hx_resp *
purge_expect_at(struct rig *t, const char *target, int status,
    const char *file, int line)
{
	struct hx_conn *c = hx_connect_at(t->a->port, file, line);
	const char *req = hx_printf("PURGE %s HTTP/1.1\r\nHost: h\r\n\r\n",
	    target);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	hx_assert_status_at(r, status, file, line);
	hx_close(c);
	return r;
}

/* The origin completed exactly n requests. */
#define ASSERT_ORIGIN_NREQ(o, n) \
	assert_origin_nreq_at(o, n, __FILE__, __LINE__)
static CT_UNUSED void
assert_origin_nreq_at(struct hx_origin *o, int n, const char *file, int line)
{
	int got = hx_origin_nreq(o);

	if (got != n)
		hx_fail_at(file, line, "the origin got %d requests, want %d",
		    got, n);
}

/* Close the client connection (if open) and stop accel cleanly (exit 0,
 * counters line); its counters and log can be read after. */
#define RIG_STOP(t) rig_stop_at(t, __FILE__, __LINE__)
static CT_UNUSED void
rig_stop_at(struct rig *t, const char *file, int line)
{
	rig_close(t);
	hx_accel_stop_ok_at(t->a, file, line);
}

/* The usual end: the origin completed exactly n requests, then RIG_STOP. */
#define RIG_DONE(t, n) rig_done_at(t, n, __FILE__, __LINE__)
static CT_UNUSED void
rig_done_at(struct rig *t, int n, const char *file, int line)
{
	assert_origin_nreq_at(t->o, n, file, line);
	rig_stop_at(t, file, line);
}

#endif
