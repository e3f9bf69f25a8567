/* test_rfc9111_vary.c: Vary (secondary keys and normalisation),
 * invalidation by unsafe methods, and the Cache-Status field
 * (accel/rfc9111*.c), one test per rule, exact values.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

/* ---------------- Vary ---------------- */

static void
t_vary_next(void **state UNUSED)
{
	const char *v = " Accept-Encoding ,, user-agent,";
	const char *name;
	size_t pos = 0, nlen;

	assert_int_equal(rfc_vary_next(v, strlen(v), &pos, &name, &nlen), 1);
	assert_int_equal(nlen, 15);
	assert_memory_equal(name, "Accept-Encoding", 15);
	assert_int_equal(rfc_vary_next(v, strlen(v), &pos, &name, &nlen), 1);
	assert_memory_equal(name, "user-agent", 10);
	assert_int_equal(rfc_vary_next(v, strlen(v), &pos, &name, &nlen), 0);
	pos = 0;
	assert_int_equal(rfc_vary_next("*", 1, &pos, &name, &nlen), -1);
	pos = 0;
	v = "Accept, *";
	assert_int_equal(rfc_vary_next(v, strlen(v), &pos, &name, &nlen), 1);
	assert_int_equal(rfc_vary_next(v, strlen(v), &pos, &name, &nlen), -1);
	pos = 0;
	assert_int_equal(rfc_vary_next("a b", 3, &pos, &name, &nlen), -1);
	pos = 0;
	assert_int_equal(rfc_vary_next("", 0, &pos, &name, &nlen), 0);
}

static int
vn(const char *name, const struct h1_hdr *rq, unsigned n, char *out,
   size_t outlen)
{
	return (rfc_vary_normalise(name, strlen(name), rq, n, out, outlen));
}

static void
t_vary_norm_accept_encoding(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("accept-encoding", "GZIP,  deflate ,br,,")};
	char out[64];

	assert_int_equal(vn("Accept-Encoding", rq, 1, out, sizeof out), 17);
	assert_string_equal(out, "gzip, deflate, br");
}

static void
t_vary_norm_params(void **state UNUSED)
{
	struct h1_hdr rq[] = {
	    H("Accept", "Text/HTML ; q=0.5,  */*;q=0.1, a/b;  x = \"Q  R\"")};
	char out[128];

	assert_true(vn("accept", rq, 1, out, sizeof out) > 0);
	assert_string_equal(out, "text/html;q=0.5, */*;q=0.1, a/b;x=\"Q  R\"");
}

static void
t_vary_norm_multi_lines(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("Accept-Language", "en-US"), H("Host", "x"),
			      H("Accept-Language", " , fr;q=0.5")};
	char out[64];

	assert_int_equal(vn("Accept-Language", rq, 3, out, sizeof out), 15);
	assert_string_equal(out, "en-us, fr;q=0.5");
}

static void
t_vary_norm_absent_vs_empty(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("Accept-Encoding", ""), H("X-Foo", "")};
	char out[16];

	assert_int_equal(vn("Accept-Encoding", rq, 2, out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(vn("X-Foo", rq, 2, out, sizeof out), 0);
	assert_int_equal(vn("X-Bar", rq, 2, out, sizeof out), RFC_VARY_ABSENT);
	assert_int_equal(vn("X-Bar", NULL, 0, out, sizeof out),
			 RFC_VARY_ABSENT);
}

static void
t_vary_norm_cookie(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("Cookie", "A=B; c=D"), H("cookie", "e=F,g")};
	char out[64];

	assert_int_equal(vn("Cookie", rq, 2, out, sizeof out), 15);
	assert_string_equal(out, "A=B; c=D; e=F,g");
}

static void
t_vary_norm_opaque(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("User-Agent", "Mozilla/5.0 (X11;  Linux)"),
			      H("X-A", "1,2"), H("X-A", "Three")};
	char out[64];

	assert_true(vn("user-agent", rq, 3, out, sizeof out) > 0);
	assert_string_equal(out, "Mozilla/5.0 (X11;  Linux)");
	assert_true(vn("X-A", rq, 3, out, sizeof out) > 0);
	assert_string_equal(out, "1,2, Three");
}

static void
t_vary_norm_nospace(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("Accept-Encoding", "gzip, br")};
	char out[9];

	assert_int_equal(vn("Accept-Encoding", rq, 1, out, 8),
			 RFC_VARY_NOSPACE);
	assert_string_equal(out, "");
	assert_int_equal(vn("Accept-Encoding", rq, 1, out, 9), 8);
	assert_int_equal(vn("Accept-Encoding", rq, 1, out, 0),
			 RFC_VARY_NOSPACE);
}

static void
t_vary_build_match(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Vary", "Accept-Encoding"),
			      H("Vary", "X-Missing, Cookie")};
	struct h1_hdr rq[] = {H("Accept-Encoding", "gzip,br"),
			      H("Cookie", "s=1")};
	struct h1_hdr same[] = {H("Cookie", "s=1"),
				H("accept-encoding", "GZIP , br")};
	struct h1_hdr other[] = {H("Accept-Encoding", "gzip"),
				 H("Cookie", "s=1")};
	struct h1_hdr cookie_case[] = {H("Accept-Encoding", "gzip, br"),
				       H("Cookie", "S=1")};
	struct h1_hdr present[] = {H("Accept-Encoding", "gzip, br"),
				   H("Cookie", "s=1"), H("X-Missing", "")};
	struct h1_hdr no_cookie[] = {H("Accept-Encoding", "gzip, br")};
	char names[128], vals[128];
	size_t nu, vu;

	assert_int_equal(rfc_vary_build(rs, 2, rq, 2, names, sizeof names, &nu,
					vals, sizeof vals, &vu),
			 0);
	assert_int_equal(nu, 33);
	assert_memory_equal(names, "accept-encoding\nx-missing\ncookie\n", 33);
	assert_int_equal(vu, 17);
	assert_memory_equal(vals, "=gzip, br\n!\n=s=1\n", 17);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, rq, 2), 1);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, same, 2), 1);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, other, 2), 0);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, cookie_case, 2),
			 0);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, present, 3), 0);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, no_cookie, 1), 0);
	/* a stored value that is a prefix of the request's is no match */
	assert_int_equal(rfc_vary_match("a\n", 2, "=x\n", 3,
					(struct h1_hdr[]){H("A", "xy")}, 1),
			 0);
	/* a name in the middle of a Vary list, present in the request */
	struct h1_hdr mid[] = {H("Vary", "X-A, X-B")};
	struct h1_hdr mrq[] = {H("x-a", "1"), H("X-B", "2")};
	assert_int_equal(rfc_vary_build(mid, 1, mrq, 2, names, sizeof names,
					&nu, vals, sizeof vals, &vu),
			 0);
	assert_int_equal(vu, 6);
	assert_memory_equal(vals, "=1\n=2\n", 6);
	assert_int_equal(rfc_vary_match(names, nu, vals, vu, mrq, 2), 1);
	/* too small */
	assert_int_equal(rfc_vary_build(rs, 2, rq, 2, names, 10, &nu, vals,
					sizeof vals, &vu),
			 -2);
	assert_int_equal(rfc_vary_build(rs, 2, rq, 2, names, sizeof names, &nu,
					vals, 5, &vu),
			 -2);
}

static void
t_vary_build_star(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Vary", "Accept"), H("Vary", "*")};
	char names[64], vals[64];
	size_t nu = 9, vu = 9;

	assert_int_equal(rfc_vary_build(rs, 2, NULL, 0, names, sizeof names,
					&nu, vals, sizeof vals, &vu),
			 -1);
	assert_int_equal(nu, 0);
}

static void
t_vary_none(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Content-Type", "text/plain"), H("Vary", "")};
	char names[8], vals[8];
	size_t nu = 9, vu = 9;

	assert_int_equal(rfc_vary_build(rs, 2, NULL, 0, names, sizeof names,
					&nu, vals, sizeof vals, &vu),
			 0);
	assert_int_equal(nu, 0);
	assert_int_equal(vu, 0);
	assert_int_equal(rfc_vary_match(NULL, 0, NULL, 0, rs, 2), 1);
	/* corrupt stored keys never match */
	assert_int_equal(rfc_vary_match("a\n", 2, "", 0, rs, 2), 0);
	assert_int_equal(rfc_vary_match("a\n", 2, "x\n", 2, rs, 2), 0);
	assert_int_equal(rfc_vary_match("a\n", 2, "!x\n", 3, rs, 2), 0);
}

/* ---------------- invalidation ---------------- */

static void
t_invalidates(void **state UNUSED)
{
	assert_true(rfc_invalidates(H1M_POST, 200));
	assert_true(rfc_invalidates(H1M_PUT, 204));
	assert_true(rfc_invalidates(H1M_DELETE, 302));
	assert_true(rfc_invalidates(H1M_PATCH, 201));
	assert_true(rfc_invalidates(H1M_OTHER, 301)); /* unknown: unsafe */
	assert_true(rfc_invalidates(H1M_POST, 399));
	assert_false(rfc_invalidates(H1M_POST, 404));
	assert_false(rfc_invalidates(H1M_DELETE, 500));
	assert_false(rfc_invalidates(H1M_POST, 100));
	assert_false(rfc_invalidates(H1M_GET, 200));
	assert_false(rfc_invalidates(H1M_HEAD, 200));
	assert_false(rfc_invalidates(H1M_OPTIONS, 200));
	assert_false(rfc_invalidates(H1M_TRACE, 200));
}

#define SO(s, h, r) rfc_same_origin(s, h, strlen(h), r, strlen(r))

static void
t_same_origin(void **state UNUSED)
{
	assert_true(SO("http", "example.com", "/x"));
	assert_true(SO("http", "example.com", "x/y"));
	assert_true(SO("http", "example.com", "?q"));
	assert_true(SO("http", "example.com", "http://Example.COM/x"));
	assert_true(SO("http", "example.com", "HTTP://example.com"));
	assert_true(SO("http", "example.com", "http://example.com:80/x"));
	assert_true(SO("http", "example.com:80", "http://example.com/x"));
	assert_true(SO("http", "example.com", "http://example.com:/x"));
	assert_true(SO("http", "example.com", "//example.com/x"));
	assert_true(SO("https", "example.com", "https://example.com:443/"));
	assert_true(
	    SO("http", "example.com:8080", "http://example.com:8080?q"));
	assert_true(SO("http", "[::1]:8080", "http://[::1]:8080/"));
	assert_false(SO("http", "example.com", "https://example.com/"));
	assert_false(SO("http", "example.com", "http://other.com/"));
	assert_false(SO("http", "example.com", "http://example.com.evil/"));
	assert_false(SO("http", "example.com", "http://user@example.com/"));
	assert_false(SO("http", "example.com", "http://example.com:8080/"));
	assert_false(SO("http", "example.com:8080", "http://example.com/"));
	assert_false(SO("http", "example.com", "//other.com/x"));
	assert_false(SO("http", "example.com", "http:/x"));
	assert_false(SO("http", "example.com", "http://example.com:99999/"));
	assert_false(SO("http", "", "http:///x"));
	assert_false(SO("http", "example.com", "ftp://example.com/"));
	assert_false(SO("http", "[::1]", "http://[::2]/"));
}

static void
t_ref_path(void **state UNUSED)
{
	static const struct {
		const char *ref, *want;
	} c[] = {
	    {"d", "/a/b/d"},
	    {"../d", "/a/d"},
	    {"./d/./e/../f", "/a/b/d/f"},
	    {"/x?y#frag", "/x?y"},
	    {"http://h/p/q?r", "/p/q?r"},
	    {"http://h", "/"},
	    {"http://h?z", "/?z"},
	    {"//h/n", "/n"},
	    {"?z", "/a/b/c?z"},
	    {"#f", "/a/b/c?q"},
	    {"./", "/a/b/"},
	    {"..", "/a/"},
	    {".", "/a/b/"},
	    {"../../../../g", "/g"},
	    {"/./x/../y/.", "/y/"},
	    {"g;x?y", "/a/b/g;x?y"},
	};
	const char *base = "/a/b/c?q";
	char out[64];
	unsigned i;

	for (i = 0; i < NH(c); i++) {
		int r = rfc_ref_path(base, strlen(base), c[i].ref,
				     strlen(c[i].ref), out, sizeof out);
		if (r < 0 || strcmp(out, c[i].want) != 0)
			fail_msg("%s: got %s (%d), want %s", c[i].ref, out, r,
				 c[i].want);
		assert_int_equal(r, (int)strlen(c[i].want));
	}
	assert_int_equal(rfc_ref_path(base, 8, "", 0, out, sizeof out), -1);
	assert_int_equal(rfc_ref_path(base, 8, "x", 1, out, 4), -1);
	assert_int_equal(rfc_ref_path("/", 1, "x", 1, out, sizeof out), 2);
	assert_string_equal(out, "/x");
}

/* ---------------- Cache-Status ---------------- */

static const char *
cs(const struct rfc_cs *s)
{
	static char b[256];

	assert_true(rfc_cache_status_fmt(b, sizeof b, "accel", s) > 0);
	return (b);
}

static void
t_cs_hit(void **state UNUSED)
{
	struct rfc_cs s = {
	    .cs_kind = RFC_CS_HIT, .cs_has_ttl = 1, .cs_ttl = 3540};

	assert_string_equal(cs(&s), "accel; hit; ttl=3540");
	s.cs_stored = 1; /* forward-only parameters are not emitted */
	s.cs_fwd_status = 200;
	assert_string_equal(cs(&s), "accel; hit; ttl=3540");
	s.cs_ttl = -15; /* served stale */
	assert_string_equal(cs(&s), "accel; hit; ttl=-15");
	s.cs_ttl = 0;
	assert_string_equal(cs(&s), "accel; hit; ttl=0");
	s.cs_ttl = INT64_MIN; /* the extremes of the hand-written format */
	assert_string_equal(cs(&s), "accel; hit; ttl=-9223372036854775808");
	s.cs_ttl = INT64_MAX;
	assert_string_equal(cs(&s), "accel; hit; ttl=9223372036854775807");
	s.cs_has_ttl = 0;
	assert_string_equal(cs(&s), "accel; hit");
}

static void
t_cs_miss_stored(void **state UNUSED)
{
	struct rfc_cs s = {.cs_kind = RFC_CS_MISS,
			   .cs_stored = 1,
			   .cs_has_ttl = 1,
			   .cs_ttl = 3600};

	assert_string_equal(cs(&s), "accel; fwd=miss; stored; ttl=3600");
	s = (struct rfc_cs){.cs_kind = RFC_CS_STALE, .cs_fwd_status = 304};
	assert_string_equal(cs(&s), "accel; fwd=stale; fwd-status=304");
	s = (struct rfc_cs){.cs_kind = RFC_CS_URI_MISS,
			    .cs_fwd_status = 200,
			    .cs_stored = 1,
			    .cs_collapsed = 1,
			    .cs_has_ttl = 1,
			    .cs_ttl = 0};
	assert_string_equal(cs(&s), "accel; fwd=uri-miss; fwd-status=200; "
				    "stored; collapsed; ttl=0");
}

static void
t_cs_kinds(void **state UNUSED)
{
	static const char *want[] = {
	    "accel; hit",           "accel; fwd=bypass",
	    "accel; fwd=method",    "accel; fwd=uri-miss",
	    "accel; fwd=vary-miss", "accel; fwd=miss",
	    "accel; fwd=request",   "accel; fwd=stale",
	    "accel; fwd=partial"};
	struct rfc_cs s;
	unsigned i;

	for (i = 0; i < NH(want); i++) {
		s = (struct rfc_cs){.cs_kind = (enum rfc_cs_kind)i};
		assert_string_equal(cs(&s), want[i]);
	}
}

static void
t_cs_key_detail(void **state UNUSED)
{
	struct rfc_cs s = {.cs_kind = RFC_CS_BYPASS, .cs_detail = "no-store"};

	assert_string_equal(cs(&s), "accel; fwd=bypass; detail=no-store");
	s.cs_detail = "too big";
	assert_string_equal(cs(&s), "accel; fwd=bypass; detail=\"too big\"");
	s.cs_detail = NULL;
	s.cs_key = "GET \"h\"/p\\q\x01";
	assert_string_equal(cs(&s),
			    "accel; fwd=bypass; key=\"GET \\\"h\\\"/p\\\\q?\"");
}

static void
t_cs_name(void **state UNUSED)
{
	struct rfc_cs s = {.cs_kind = RFC_CS_HIT};
	char b[64];

	assert_true(rfc_cache_status_fmt(b, sizeof b, "my cache", &s) > 0);
	assert_string_equal(b, "\"my cache\"; hit");
	assert_true(rfc_cache_status_fmt(b, sizeof b, "edge-1.example:80", &s) >
		    0);
	assert_string_equal(b, "edge-1.example:80; hit");
	assert_true(rfc_cache_status_fmt(b, sizeof b, "1cache", &s) > 0);
	assert_string_equal(b, "\"1cache\"; hit");
}

static void
t_cs_overflow(void **state UNUSED)
{
	struct rfc_cs s = {.cs_kind = RFC_CS_MISS, .cs_stored = 1};
	char b[32];

	assert_int_equal(rfc_cache_status_fmt(b, 20, "accel", &s), -1);
	assert_string_equal(b, "");
	assert_int_equal(rfc_cache_status_fmt(b, 23, "accel", &s), -1);
	assert_int_equal(rfc_cache_status_fmt(b, 24, "accel", &s), 23);
	assert_string_equal(b, "accel; fwd=miss; stored");
	assert_int_equal(rfc_cache_status_fmt(b, 0, "accel", &s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_vary_next),
	    cmocka_unit_test(t_vary_norm_accept_encoding),
	    cmocka_unit_test(t_vary_norm_params),
	    cmocka_unit_test(t_vary_norm_multi_lines),
	    cmocka_unit_test(t_vary_norm_absent_vs_empty),
	    cmocka_unit_test(t_vary_norm_cookie),
	    cmocka_unit_test(t_vary_norm_opaque),
	    cmocka_unit_test(t_vary_norm_nospace),
	    cmocka_unit_test(t_vary_build_match),
	    cmocka_unit_test(t_vary_build_star),
	    cmocka_unit_test(t_vary_none),
	    cmocka_unit_test(t_invalidates),
	    cmocka_unit_test(t_same_origin),
	    cmocka_unit_test(t_ref_path),
	    cmocka_unit_test(t_cs_hit),
	    cmocka_unit_test(t_cs_miss_stored),
	    cmocka_unit_test(t_cs_kinds),
	    cmocka_unit_test(t_cs_key_detail),
	    cmocka_unit_test(t_cs_name),
	    cmocka_unit_test(t_cs_overflow),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
