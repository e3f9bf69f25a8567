/*
 * test_cache_range.c: what a hit answers to a client's conditionals and
 * Range (accel/cache_deliver.c; RFC 9110 sections 13 and 14, RFC 9111
 * section 4.3.2): 304 for If-None-Match / If-Modified-Since, 206 with one
 * part or multipart/byteranges, 416, If-Range, Accept-Ranges, and ranges
 * across the segments of a large object.
 *
 * Every test stores the object on a first GET (a miss) and sends the
 * conditional or the Range on the hits that follow: the origin sees one
 * request.
 */
#include "tests/integration/cache_test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define ALPHA "abcdefghijklmnopqrstuvwxyz"

/* The object's Last-Modified: an hour before the test. */
static const char *lm;

/* The usual stored fields: a type, a strong ETag and Last-Modified an
 * hour back (STORE adds Date, so Last-Modified is a strong validator for
 * If-Range, RFC 9110 section 8.8.2.2). */
static const char *
fields_std(void)
{
	lm = http_date(-3600);
	return hx_printf("Content-Type: text/plain\r\nETag: \"v1\"\r\n"
			 "Last-Modified: %s\r\n",
			 lm);
}

/* Start a rig whose origin answers GET /r once with the 26 letters, fresh
 * for 60 s, with these fields (and Date, taken once accel is up, unless
 * STORE_NO_DATE); the GET stores it. */
#define STORE(fields)         store_at(fields, 1, __FILE__, __LINE__)
#define STORE_NO_DATE(fields) store_at(fields, 0, __FILE__, __LINE__)
static struct rig *
store_at(const char *fields, int date, const char *file, int line)
{
	struct rig *t = rig_start_at("", file, line);

	struct hx_resp *r;
	const char *cs;

	if (date)
		fields = hx_printf("%sDate: %s\r\n", fields, http_date(0));
	respond(t->o, ok(hx_printf(MAX_AGE_60 "%s", fields), ALPHA));
	r = get_expect_at(t->c, "/r", ALPHA, WANT_ANY, 0, 0, file, line);
	/* Date has whole seconds: up to one of apparent age */
	cs = hx_resp_hdr(r, "Cache-Status");
	if (cs == NULL ||
	    (strcmp(cs, "accel; fwd=miss; stored; ttl=60") != 0 &&
	     (!date || strcmp(cs, "accel; fwd=miss; stored; ttl=59") != 0)))
		hx_fail_at(file, line, "want the GET stored, got:\n%.*s",
			   (int)r->head_len, r->head);
	return t;
}

/* GET / HEAD /r with these request fields (each ending in CRLF). */
#define GETR(t, fields) GETX((t)->c, "/r", fields)
#define HEADR(t, fields)                                                       \
	hx_request_ex(                                                         \
	    (t)->c,                                                            \
	    hx_printf("HEAD /r HTTP/1.1\r\nHost: h\r\n%s\r\n", fields),        \
	    HX_HEAD)

/* A 304 from the cache: no body, no Content-Length, a hit. */
#define ASSERT_304(r) assert_304_at(r, __FILE__, __LINE__)
static void
assert_304_at(const struct hx_resp *r, const char *file, int line)
{
	hx_assert_status_at(r, 304, file, line);
	hx_assert_hdr_at(r, "Content-Length", NULL, file, line);
	if (r->body.total != 0)
		hx_fail_at(file, line, "a 304 with %" PRIu64 " body bytes",
			   r->body.total);
	(void)assert_hit_at(r, 58, 60, file, line);
}

/* The whole object, 200, from the cache. */
#define ASSERT_FULL(r) assert_full_at(r, __FILE__, __LINE__)
static void
assert_full_at(const struct hx_resp *r, const char *file, int line)
{
	hx_assert_status_at(r, 200, file, line);
	hx_assert_body_at(r, ALPHA, strlen(ALPHA), file, line);
	hx_assert_hdr_at(r, "Content-Length", "26", file, line);
	hx_assert_hdr_at(r, "Content-Range", NULL, file, line);
	(void)assert_hit_at(r, 58, 60, file, line);
}

/* A 206 of one part: its Content-Range and bytes, from the cache. */
#define ASSERT_206(r, range, body)                                             \
	assert_206_at(r, range, body, __FILE__, __LINE__)
static void
assert_206_at(const struct hx_resp *r, const char *range, const char *body,
	      const char *file, int line)
{
	hx_assert_status_at(r, 206, file, line);
	hx_assert_hdr_at(r, "Content-Range", range, file, line);
	hx_assert_hdr_at(r, "Content-Length", hx_printf("%zu", strlen(body)),
			 file, line);
	hx_assert_body_at(r, body, strlen(body), file, line);
	(void)assert_hit_at(r, 58, 60, file, line);
}

/* Byte k of the body is the pattern's byte off + k, for n bytes. */
#define ASSERT_PATTERN(p, off, n)                                              \
	assert_pattern_at(p, off, n, __FILE__, __LINE__)
static void
assert_pattern_at(const char *p, uint64_t off, uint64_t n, const char *file,
		  int line)
{
	for (uint64_t k = 0; k < n; k++)
		if ((unsigned char)p[k] != hx_pattern_byte(off + k))
			hx_fail_at(file, line,
				   "byte %" PRIu64 " is not the "
				   "pattern's byte %" PRIu64,
				   k, off + k);
}

/* ------------------------------------------------------------------ */
/* multipart/byteranges                                                */

struct part {
	const char *ctype; /* NULL when the part has none */
	uint64_t first, last, size;
	const char *data; /* into the response body */
};

/*
 * Split a multipart/byteranges response (RFC 9110 section 14.6) into its
 * parts; fails the test on any deviation from the framing accel writes:
 * "--B\r\n" fields "\r\n" data, parts separated by "\r\n", the body
 * ending "\r\n--B--\r\n". Returns the number of parts.
 */
#define PARTS(r, p, max) parts_at(r, p, max, __FILE__, __LINE__)
static int
parts_at(const struct hx_resp *r, struct part *p, int max, const char *file,
	 int line)
{
	static const char pfx[] = "multipart/byteranges; boundary=";
	const char *ct = hx_resp_hdr(r, "Content-Type");
	const char *s = r->body.buf, *end = r->body.buf + r->body.len, *b;
	size_t bl;
	int n = 0;

	hx_assert_status_at(r, 206, file, line);
	if (hx_resp_hdr_count(r, "Content-Type") != 1 || ct == NULL ||
	    strncmp(ct, pfx, sizeof pfx - 1) != 0)
		hx_fail_at(file, line,
			   "want one multipart/byteranges "
			   "Content-Type, got:\n%.*s",
			   (int)r->head_len, r->head);
	hx_assert_hdr_at(r, "Content-Range", NULL, file, line);
	b = ct + sizeof pfx - 1;
	bl = strlen(b);
	if (bl == 0 || r->body.len != r->body.total)
		hx_fail_at(file, line, "no boundary, or body over the cap");
#define EXPECT(str, len)                                                       \
	do {                                                                   \
		if ((size_t)(end - s) < (len) || memcmp(s, str, len) != 0)     \
			hx_fail_at(file, line,                                 \
				   "part %d: want \"%.*s\" at "                \
				   "offset %zu",                               \
				   n, (int)(len), str,                         \
				   (size_t)(s - r->body.buf));                 \
		s += (len);                                                    \
	} while (0)
	for (;;) {
		const char *hend, *f;
		struct part *q;

		if (n > 0)
			EXPECT("\r\n", 2);
		EXPECT("--", 2);
		EXPECT(b, bl);
		if (n > 0 && end - s == 4 && memcmp(s, "--\r\n", 4) == 0)
			break;
		EXPECT("\r\n", 2);
		if (n == max)
			hx_fail_at(file, line, "more than %d parts", max);
		q = &p[n];
		q->ctype = NULL;
		q->size = 0;
		hend = memmem(s, (size_t)(end - s), "\r\n\r\n", 4);
		if (hend == NULL)
			hx_fail_at(file, line, "part %d: fields never end", n);
		for (f = s; f < hend + 2;) {
			const char *eol = strstr(f, "\r\n");
			char *fl = hx_memdup(f, (size_t)(eol - f));
			int used = 0;

			if (strncmp(fl, "Content-Type: ", 14) == 0)
				q->ctype = fl + 14;
			else if (sscanf(fl,
					"Content-Range: bytes %" SCNu64
					"-%" SCNu64 "/%" SCNu64 "%n",
					&q->first, &q->last, &q->size,
					&used) != 3 ||
				 fl[used] != '\0')
				hx_fail_at(file, line, "part %d: field \"%s\"",
					   n, fl);
			f = eol + 2;
		}
		if (q->size == 0 || q->last < q->first)
			hx_fail_at(file, line, "part %d: no Content-Range", n);
		s = hend + 4;
		if ((uint64_t)(end - s) < q->last - q->first + 1)
			hx_fail_at(file, line, "part %d: data cut", n);
		q->data = s;
		s += q->last - q->first + 1;
		n++;
	}
#undef EXPECT
	return n;
}

/* ------------------------------------------------------------------ */
/* If-None-Match                                                       */

static void
if_none_match_304(void **state)
{
	struct rig *t = STORE(hx_printf("%sX-Origin: one\r\n", fields_std()));
	struct hx_resp *r;

	r = GETR(t, "If-None-Match: \"v1\"\r\n");
	ASSERT_304(r);
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	HX_ASSERT_HDR(r, "Cache-Control", "max-age=60");
	assert_non_null(hx_resp_hdr(r, "Date"));
	/* RFC 9110 section 15.4.5: only the fields a 304 carries */
	HX_ASSERT_NO_HDR(r, "Content-Type");
	HX_ASSERT_NO_HDR(r, "X-Origin");
	HX_ASSERT_NO_HDR(r, "Last-Modified"); /* there is an ETag */
	HX_ASSERT_NO_HDR(r, "Accept-Ranges");

	/* a list holding it; and the connection is in step after */
	ASSERT_304(GETR(t, "If-None-Match: \"v0\", \"v1\"\r\n"));
	ASSERT_FULL(GETR(t, ""));

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 3);
	assert_int_equal(
	    log_lines_with(t->a, "\"GET /r HTTP/1.1\" 304 ", "cache=hit"), 2);
}

static void
if_none_match_other_200(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_FULL(GETR(t, "If-None-Match: \"v2\"\r\n"));
	ASSERT_FULL(GETR(t, "If-None-Match: W/\"v2\", \"v0\"\r\n"));
	/* a malformed list is ignored as a whole */
	ASSERT_FULL(GETR(t, "If-None-Match: \"v1\", v2\r\n"));
	RIG_DONE(t, 1);
}

static void
if_none_match_star(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_304(GETR(t, "If-None-Match: *\r\n"));
	RIG_DONE(t, 1);
}

/* Weak comparison: W/ ignored on either side. */
static void
if_none_match_weak(void **state)
{
	struct rig *t = STORE("ETag: W/\"x\"\r\n");
	struct hx_resp *r;

	r = GETR(t, "If-None-Match: W/\"x\"\r\n");
	ASSERT_304(r);
	HX_ASSERT_HDR(r, "ETag", "W/\"x\"");
	ASSERT_304(GETR(t, "If-None-Match: \"x\"\r\n"));
	ASSERT_FULL(GETR(t, "If-None-Match: W/\"y\"\r\n"));
	RIG_DONE(t, 1);
}

static void
head_if_none_match(void **state)
{
	struct rig *t = STORE(fields_std());
	struct hx_resp *r;

	ASSERT_304(HEADR(t, "If-None-Match: \"v1\"\r\n"));
	r = HEADR(t, "If-None-Match: \"v2\"\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "26");
	assert_int_equal(r->body.total, 0);
	ASSERT_HIT(r, 58, 60);
	ASSERT_FULL(GETR(t, ""));
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* If-Modified-Since                                                   */

static void
if_modified_since(void **state)
{
	const char *lmod = http_date(-3600);
	struct rig *t = STORE(hx_printf("Last-Modified: %s\r\n", lmod));
	struct hx_resp *r;

	/* equal */
	r = GETR(t, hx_printf("If-Modified-Since: %s\r\n", lmod));
	ASSERT_304(r);
	/* no ETag: the 304 carries Last-Modified */
	HX_ASSERT_HDR(r, "Last-Modified", lmod);
	/* later */
	ASSERT_304(
	    GETR(t, hx_printf("If-Modified-Since: %s\r\n", http_date(-60))));
	/* earlier */
	ASSERT_FULL(
	    GETR(t, hx_printf("If-Modified-Since: %s\r\n", http_date(-7200))));
	/* not a date: ignored */
	ASSERT_FULL(GETR(t, "If-Modified-Since: yesterday\r\n"));
	RIG_DONE(t, 1);
}

/* If-None-Match present: If-Modified-Since is not evaluated (RFC 9110
 * section 13.1.3). */
static void
if_modified_since_ignored_with_if_none_match(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_FULL(GETR(t, hx_printf("If-None-Match: \"v2\"\r\n"
				      "If-Modified-Since: %s\r\n",
				      http_date(0))));
	ASSERT_304(GETR(t, hx_printf("If-None-Match: \"v1\"\r\n"
				     "If-Modified-Since: %s\r\n",
				     http_date(-7200))));
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* Range: one part                                                     */

static void
range_single(void **state)
{
	struct rig *t = STORE(fields_std());
	struct hx_resp *r;

	r = GETR(t, "Range: bytes=0-4\r\n");
	ASSERT_206(r, "bytes 0-4/26", "abcde");
	HX_ASSERT_HDR(r, "Content-Type", "text/plain");
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	ASSERT_206(GETR(t, "Range: bytes=-3\r\n"), "bytes 23-25/26", "xyz");
	ASSERT_206(GETR(t, "Range: bytes=5-\r\n"), "bytes 5-25/26", &ALPHA[5]);
	ASSERT_206(GETR(t, "Range: bytes=25-25\r\n"), "bytes 25-25/26", "z");
	/* clipped at the end */
	ASSERT_206(GETR(t, "Range: bytes=20-100\r\n"), "bytes 20-25/26",
		   "uvwxyz");
	ASSERT_206(GETR(t, "Range: bytes=-100\r\n"), "bytes 0-25/26", ALPHA);
	/* one satisfiable range among unsatisfiable ones: one part */
	ASSERT_206(GETR(t, "Range: bytes=30-40, 2-3\r\n"), "bytes 2-3/26",
		   "cd");
	ASSERT_FULL(GETR(t, ""));

	RIG_DONE(t, 1);
	assert_int_equal(
	    log_lines_with(t->a, "\"GET /r HTTP/1.1\" 206 ", "cache=hit"), 7);
}

static void
range_unsatisfiable_416(void **state)
{
	struct rig *t = STORE(hx_printf("%sX-Origin: one\r\n", fields_std()));
	struct hx_resp *r;

	r = GETR(t, "Range: bytes=26-30\r\n");
	HX_ASSERT_STATUS(r, 416);
	HX_ASSERT_HDR(r, "Content-Range", "bytes */26");
	HX_ASSERT_HDR(r, "Content-Length", "0");
	assert_int_equal(r->body.total, 0);
	HX_ASSERT_NO_HDR(r, "Content-Type");
	HX_ASSERT_NO_HDR(r, "Cache-Control");
	HX_ASSERT_NO_HDR(r, "X-Origin");
	HX_ASSERT_HDR(r, "ETag", "\"v1\"");
	ASSERT_HIT(r, 58, 60);

	r = GETR(t, "Range: bytes=100-, -0\r\n");
	HX_ASSERT_STATUS(r, 416);
	HX_ASSERT_HDR(r, "Content-Range", "bytes */26");
	ASSERT_FULL(GETR(t, ""));

	RIG_DONE(t, 1);
	assert_int_equal(
	    log_lines_with(t->a, "\"GET /r HTTP/1.1\" 416 ", "cache=hit"), 2);
}

/* Syntax Range does not define: the whole object (RFC 9110 section
 * 14.2). */
static void
range_invalid_ignored(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_FULL(GETR(t, "Range: bytes=5-1\r\n"));
	ASSERT_FULL(GETR(t, "Range: items=0-4\r\n"));
	ASSERT_FULL(GETR(t, "Range: bytes=a-b\r\n"));
	ASSERT_FULL(GETR(t, "Range: bytes=\r\n"));
	ASSERT_FULL(GETR(t, "Range: bytes 0-4\r\n"));
	/* two Range fields */
	ASSERT_FULL(GETR(t, "Range: bytes=0-1\r\nRange: bytes=3-4\r\n"));
	RIG_DONE(t, 1);
}

/* A Range on HEAD: the plain 200 head. */
static void
range_on_head(void **state)
{
	struct rig *t = STORE(fields_std());
	struct hx_resp *r;

	r = HEADR(t, "Range: bytes=0-4\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "Content-Length", "26");
	HX_ASSERT_HDR(r, "Accept-Ranges", "bytes");
	HX_ASSERT_NO_HDR(r, "Content-Range");
	assert_int_equal(r->body.total, 0);
	ASSERT_HIT(r, 58, 60);
	ASSERT_FULL(GETR(t, ""));
	RIG_DONE(t, 1);
}

/* A conditional that holds wins over Range: 304, not 206. */
static void
range_with_matching_if_none_match_304(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_304(GETR(t, "Range: bytes=0-4\r\nIf-None-Match: \"v1\"\r\n"));
	ASSERT_206(GETR(t, "Range: bytes=0-4\r\nIf-None-Match: \"v2\"\r\n"),
		   "bytes 0-4/26", "abcde");
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* Range: several parts                                                */

static void
range_multipart(void **state)
{
	struct rig *t = STORE(fields_std());
	struct part p[16];
	struct hx_resp *r;
	int n;

	r = GETR(t, "Range: bytes=0-2,10-12\r\n");
	n = PARTS(r, p, 16);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].ctype, "text/plain");
	assert_int_equal(p[0].first, 0);
	assert_int_equal(p[0].last, 2);
	assert_int_equal(p[0].size, 26);
	assert_memory_equal(p[0].data, "abc", 3);
	assert_string_equal(p[1].ctype, "text/plain");
	assert_int_equal(p[1].first, 10);
	assert_int_equal(p[1].last, 12);
	assert_memory_equal(p[1].data, "klm", 3);
	HX_ASSERT_HDR(r, "Content-Length", hx_printf("%zu", r->body.len));
	ASSERT_HIT(r, 58, 60);

	/* out of order and overlapping: coalesced and sorted */
	r = GETR(t, "Range: bytes=20-22, 0-1, 1-3, -2\r\n");
	n = PARTS(r, p, 16);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].first, 0);
	assert_int_equal(p[0].last, 3);
	assert_memory_equal(p[0].data, "abcd", 4);
	assert_int_equal(p[1].first, 20);
	assert_int_equal(p[1].last, 22);
	assert_memory_equal(p[1].data, "uvw", 3);
	assert_int_equal(p[2].first, 24);
	assert_int_equal(p[2].last, 25);
	assert_memory_equal(p[2].data, "yz", 2);

	/* a boundary per response */
	const char *b1 = hx_strdup(hx_resp_hdr(r, "Content-Type"));
	r = GETR(t, "Range: bytes=0-0,2-2\r\n");
	assert_int_equal(PARTS(r, p, 16), 2);
	if (strcmp(b1, hx_resp_hdr(r, "Content-Type")) == 0)
		HX_FAIL("the same boundary twice: %s", b1);

	ASSERT_FULL(GETR(t, ""));
	RIG_DONE(t, 1);
}

/* Without a stored Content-Type the parts carry none. */
static void
range_multipart_without_type(void **state)
{
	struct rig *t = STORE("ETag: \"v1\"\r\n");
	struct part p[4];

	assert_int_equal(PARTS(GETR(t, "Range: bytes=0-0,-1\r\n"), p, 4), 2);
	assert_null(p[0].ctype);
	assert_memory_equal(p[0].data, "a", 1);
	assert_memory_equal(p[1].data, "z", 1);
	RIG_DONE(t, 1);
}

/* Up to 16 range-specs are served; more are ignored (amplification). */
static void
range_count_bounded(void **state)
{
	static const char body[] = ALPHA "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct rig *t = RIG_START("");
	struct part p[16];
	char *spec = hx_strdup("Range: bytes=0-0");
	struct hx_resp *r;
	int n;

	respond(t->o, ok(MAX_AGE_60, body));
	GET_STORED(t->c, "/r", body, 60);
	for (int i = 1; i < 16; i++)
		spec = hx_printf("%s,%d-%d", spec, 2 * i, 2 * i);
	n = PARTS(GETR(t, hx_printf("%s\r\n", spec)), p, 16);
	assert_int_equal(n, 16);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(p[i].first, 2 * i);
		assert_int_equal(p[i].last, 2 * i);
		assert_int_equal(p[i].data[0], body[2 * i]);
	}
	r = GETR(t, hx_printf("%s,%d-%d\r\n", spec, 40, 40));
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_BODY(r, body);
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* If-Range                                                            */

static void
if_range_etag(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_206(GETR(t, "Range: bytes=0-4\r\nIf-Range: \"v1\"\r\n"),
		   "bytes 0-4/26", "abcde");
	ASSERT_FULL(GETR(t, "Range: bytes=0-4\r\nIf-Range: \"v2\"\r\n"));
	/* a weak tag never matches for If-Range */
	ASSERT_FULL(GETR(t, "Range: bytes=0-4\r\nIf-Range: W/\"v1\"\r\n"));
	/* If-Range without Range: ignored */
	ASSERT_FULL(GETR(t, "If-Range: \"v1\"\r\n"));
	RIG_DONE(t, 1);
}

/* The stored ETag is weak: If-Range never holds. */
static void
if_range_weak_stored_etag(void **state)
{
	struct rig *t = STORE("ETag: W/\"v1\"\r\n");

	ASSERT_FULL(GETR(t, "Range: bytes=0-4\r\nIf-Range: W/\"v1\"\r\n"));
	ASSERT_FULL(GETR(t, "Range: bytes=0-4\r\nIf-Range: \"v1\"\r\n"));
	ASSERT_206(GETR(t, "Range: bytes=0-4\r\n"), "bytes 0-4/26", "abcde");
	RIG_DONE(t, 1);
}

static void
if_range_date(void **state)
{
	struct rig *t = STORE(fields_std());

	ASSERT_206(
	    GETR(t, hx_printf("Range: bytes=-2\r\nIf-Range: %s\r\n", lm)),
	    "bytes 24-25/26", "yz");
	/* a date other than Last-Modified, even a later one */
	ASSERT_FULL(GETR(t, hx_printf("Range: bytes=-2\r\nIf-Range: %s\r\n",
				      http_date(-60))));
	ASSERT_FULL(GETR(t, "Range: bytes=-2\r\nIf-Range: tomorrow\r\n"));
	RIG_DONE(t, 1);
}

/* No Date from the origin: the response's date is when it arrived, so
 * an hour-old Last-Modified is still strong. */
static void
if_range_date_without_date_field(void **state)
{
	const char *lmod = http_date(-3600);
	struct rig *t = STORE_NO_DATE(hx_printf("Last-Modified: %s\r\n", lmod));

	ASSERT_206(
	    GETR(t, hx_printf("Range: bytes=1-2\r\nIf-Range: %s\r\n", lmod)),
	    "bytes 1-2/26", "bc");
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* Accept-Ranges                                                       */

static void
accept_ranges_on_200(void **state)
{
	struct rig *t = STORE(fields_std());
	struct hx_resp *r;

	r = GETR(t, "");
	ASSERT_FULL(r);
	HX_ASSERT_HDR(r, "Accept-Ranges", "bytes");
	assert_int_equal(hx_resp_hdr_count(r, "Accept-Ranges"), 1);
	r = HEADR(t, "");
	HX_ASSERT_HDR(r, "Accept-Ranges", "bytes");
	RIG_DONE(t, 1);
}

/* The origin's Accept-Ranges is kept and not doubled. */
static void
accept_ranges_from_origin_kept(void **state)
{
	struct rig *t = STORE("Accept-Ranges: none\r\n");
	struct hx_resp *r;

	r = GETR(t, "");
	ASSERT_FULL(r);
	HX_ASSERT_HDR(r, "Accept-Ranges", "none");
	assert_int_equal(hx_resp_hdr_count(r, "Accept-Ranges"), 1);
	RIG_DONE(t, 1);
}

/* A stored 404 has neither conditionals, Range nor Accept-Ranges (RFC
 * 9110 section 13.2.1). */
static void
not_200_served_whole(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond(t->o, "HTTP/1.1 404 Not Found\r\n" MAX_AGE_60
		      "ETag: \"v1\"\r\nContent-Length: 4\r\n\r\ngone");
	GET_STORED(t->c, "/r", "gone", 60);
	r = GETR(t, "If-None-Match: \"v1\"\r\nRange: bytes=0-1\r\n");
	HX_ASSERT_STATUS(r, 404);
	HX_ASSERT_BODY(r, "gone");
	HX_ASSERT_NO_HDR(r, "Accept-Ranges");
	ASSERT_HIT(r, 58, 60);
	RIG_DONE(t, 1);
}

/* ------------------------------------------------------------------ */
/* A large object: ranges across segments                              */

#define LARGE (1u << 20)

static void
large_object_ranges(void **state)
{
	struct rig *t = RIG_START("");
	struct part p[8];
	struct hx_resp *r;
	int n;

	hx_origin_push(
	    t->o,
	    (struct hx_action){
		.kind = HX_STREAM,
		.raw = hx_printf("HTTP/1.1 200 OK\r\n" MAX_AGE_60
				 "Content-Type: application/octet-stream\r\n"
				 "Content-Length: %u\r\n\r\n",
				 LARGE),
		.stream_len = LARGE});
	r = GET(t->c, "/big");
	ASSERT_STORED_MISS(r, 60);
	assert_int_equal(r->body.total, LARGE);
	assert_int_equal(r->body.crc, hx_pattern_crc(LARGE));

	/* across two 64 KiB segment boundaries */
	r = GETX(t->c, "/big", "Range: bytes=65000-200000\r\n");
	HX_ASSERT_STATUS(r, 206);
	HX_ASSERT_HDR(r, "Content-Range",
		      hx_printf("bytes 65000-200000/%u", LARGE));
	assert_int_equal(r->body.total, 200000 - 65000 + 1);
	ASSERT_PATTERN(r->body.buf, 65000, 200000 - 65000 + 1);
	ASSERT_HIT(r, 58, 60);

	/* exactly one segment's end and the next one's start */
	r = GETX(t->c, "/big", "Range: bytes=65535-65536\r\n");
	HX_ASSERT_HDR(r, "Content-Range",
		      hx_printf("bytes 65535-65536/%u", LARGE));
	ASSERT_PATTERN(r->body.buf, 65535, 2);

	/* the tail */
	r = GETX(t->c, "/big", "Range: bytes=-70000\r\n");
	HX_ASSERT_HDR(
	    r, "Content-Range",
	    hx_printf("bytes %u-%u/%u", LARGE - 70000, LARGE - 1, LARGE));
	assert_int_equal(r->body.total, 70000);
	ASSERT_PATTERN(r->body.buf, LARGE - 70000, 70000);

	/* several parts, in several segments */
	r = GETX(t->c, "/big",
		 "Range: bytes=0-99,65530-65545,131071-300000,"
		 "1048000-\r\n");
	n = PARTS(r, p, 8);
	assert_int_equal(n, 4);
	static const uint64_t want[4][2] = {
	    {0, 99}, {65530, 65545}, {131071, 300000}, {1048000, LARGE - 1}};
	for (int i = 0; i < n; i++) {
		assert_int_equal(p[i].first, want[i][0]);
		assert_int_equal(p[i].last, want[i][1]);
		assert_int_equal(p[i].size, LARGE);
		assert_string_equal(p[i].ctype, "application/octet-stream");
		ASSERT_PATTERN(p[i].data, p[i].first,
			       p[i].last - p[i].first + 1);
	}

	/* and the whole object is still whole */
	r = GET(t->c, "/big");
	HX_ASSERT_STATUS(r, 200);
	assert_int_equal(r->body.crc, hx_pattern_crc(LARGE));

	RIG_DONE(t, 1);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(if_none_match_304),
	    HX_TEST(if_none_match_other_200),
	    HX_TEST(if_none_match_star),
	    HX_TEST(if_none_match_weak),
	    HX_TEST(head_if_none_match),
	    HX_TEST(if_modified_since),
	    HX_TEST(if_modified_since_ignored_with_if_none_match),
	    HX_TEST(range_single),
	    HX_TEST(range_unsatisfiable_416),
	    HX_TEST(range_invalid_ignored),
	    HX_TEST(range_on_head),
	    HX_TEST(range_with_matching_if_none_match_304),
	    HX_TEST(range_multipart),
	    HX_TEST(range_multipart_without_type),
	    HX_TEST(range_count_bounded),
	    HX_TEST(if_range_etag),
	    HX_TEST(if_range_weak_stored_etag),
	    HX_TEST(if_range_date),
	    HX_TEST(if_range_date_without_date_field),
	    HX_TEST(accept_ranges_on_200),
	    HX_TEST(accept_ranges_from_origin_kept),
	    HX_TEST(not_200_served_whole),
	    HX_TEST(large_object_ranges),
	};

	return HX_RUN(tests);
}
