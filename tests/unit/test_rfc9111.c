/* test_rfc9111.c: HTTP caching rules (accel/rfc9111*.c), one test per rule,
 * exact values. Times are seconds since the epoch; D is the classic
 * "Sun, 06 Nov 1994 08:49:37 GMT". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "accel/rfc9111.h"

#define UNUSED __attribute__((unused))
#define D      784111777.0
#define DATE_D "Sun, 06 Nov 1994 08:49:37 GMT"

/* Designated, so fields the codec adds (kind) start zeroed: every
 * rfc_* function matches names, not kinds. */
#define H(n, v)                                                                \
	{                                                                      \
		.name = n, .name_len = sizeof(n) - 1, .value = v,              \
		.value_len = sizeof(v) - 1                                     \
	}
#define NH(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static struct rfc_cc
cc_of(const char *v)
{
	struct rfc_cc cc;

	rfc_cc_init(&cc);
	rfc_cc_parse(v, strlen(v), &cc);
	return (cc);
}

static double
date_of(const char *v)
{
	double t = -12345;

	assert_int_equal(rfc_date_parse(v, strlen(v), &t), 0);
	return (t);
}

static int
date_bad(const char *v)
{
	double t = -12345;

	return (rfc_date_parse(v, strlen(v), &t) == -1 && t == -12345);
}

static struct rfc_opts
opts(void)
{
	struct rfc_opts o;

	rfc_opts_default(&o);
	return (o);
}

static struct rfc_fresh
fresh_of(int status, const struct h1_hdr *h, unsigned n, double rt,
	 const struct rfc_opts *o)
{
	struct rfc_fresh f;

	rfc_freshness(status, h, n, rt, o, &f);
	return (f);
}

/* ---------------- Cache-Control ---------------- */

static void
t_cc_init(void **state UNUSED)
{
	struct rfc_cc cc;

	memset(&cc, 0x55, sizeof cc);
	rfc_cc_init(&cc);
	assert_int_equal(cc.cc_flags, 0);
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(cc.cc_s_maxage, -1);
	assert_int_equal(cc.cc_swr, -1);
	assert_int_equal(cc.cc_sie, -1);
	assert_int_equal(cc.cc_max_stale, -1);
	assert_int_equal(cc.cc_min_fresh, -1);
}

static void
t_cc_flags(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("no-store, no-cache, private, public, "
				 "must-revalidate, proxy-revalidate, "
				 "no-transform, immutable, must-understand, "
				 "only-if-cached");

	assert_int_equal(cc.cc_flags,
			 RFC_CC_NO_STORE | RFC_CC_NO_CACHE | RFC_CC_PRIVATE |
			     RFC_CC_PUBLIC | RFC_CC_MUST_REVALIDATE |
			     RFC_CC_PROXY_REVALIDATE | RFC_CC_NO_TRANSFORM |
			     RFC_CC_IMMUTABLE | RFC_CC_MUST_UNDERSTAND |
			     RFC_CC_ONLY_IF_CACHED);
	assert_int_equal(cc.cc_max_age, -1);
}

static void
t_cc_case_insensitive(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("No-Store, MAX-AGE=10, S-MaxAge=20");

	assert_int_equal(cc.cc_flags, RFC_CC_NO_STORE);
	assert_int_equal(cc.cc_max_age, 10);
	assert_int_equal(cc.cc_s_maxage, 20);
}

static void
t_cc_numbers(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("max-age=60, s-maxage=120, "
				 "stale-while-revalidate=30, "
				 "stale-if-error=600, min-fresh=5, "
				 "max-stale=7");

	assert_int_equal(cc.cc_max_age, 60);
	assert_int_equal(cc.cc_s_maxage, 120);
	assert_int_equal(cc.cc_swr, 30);
	assert_int_equal(cc.cc_sie, 600);
	assert_int_equal(cc.cc_min_fresh, 5);
	assert_int_equal(cc.cc_max_stale, 7);
	assert_int_equal(cc.cc_flags, 0);
}

static void
t_cc_quoted(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("max-age=\"60\"");

	assert_int_equal(cc.cc_max_age, 60);
	/* a comma inside a quoted argument does not split the list */
	cc = cc_of("no-cache=\"max-age=5, private\", public");
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE | RFC_CC_PUBLIC);
	assert_int_equal(cc.cc_max_age, -1);
	cc = cc_of("no-cache=\"a\\\"b, max-age=3\", s-maxage=9");
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(cc.cc_s_maxage, 9);
	/* unterminated quote: the rest is the argument */
	cc = cc_of("no-cache=\"x, max-age=5");
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	assert_int_equal(cc.cc_max_age, -1);
}

static void
t_cc_field_lists_whole(void **state UNUSED)
{
	/* qualified no-cache / private count as unqualified (shared cache) */
	struct rfc_cc cc = cc_of("private=\"Set-Cookie\"");

	assert_int_equal(cc.cc_flags, RFC_CC_PRIVATE);
	cc = cc_of("no-cache=Set-Cookie");
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
}

static void
t_cc_malformed_max_age(void **state UNUSED)
{
	static const char *bad[] = {
	    "max-age=abc",  "max-age=",    "max-age",
	    "max-age=-1",   "max-age=1.5", "max-age 60",
	    "max-age=\"\"", "max-age=6 0", "max-age=0x10"};
	unsigned i;

	for (i = 0; i < NH(bad); i++) {
		struct rfc_cc cc = cc_of(bad[i]);
		assert_int_equal(cc.cc_max_age, 0);
	}
	assert_int_equal(cc_of("s-maxage=x").cc_s_maxage, 0);
	assert_int_equal(cc_of("stale-while-revalidate").cc_swr, 0);
	assert_int_equal(cc_of("stale-if-error=-3").cc_sie, 0);
	/* a malformed duplicate wins: most restrictive */
	assert_int_equal(cc_of("max-age=60, max-age=oops").cc_max_age, 0);
}

static void
t_cc_request_malformed_ignored(void **state UNUSED)
{
	assert_int_equal(cc_of("max-stale").cc_max_stale, RFC_DELTA_MAX);
	assert_int_equal(cc_of("max-stale=abc").cc_max_stale, -1);
	assert_int_equal(cc_of("min-fresh=x").cc_min_fresh, -1);
	assert_int_equal(cc_of("min-fresh").cc_min_fresh, -1);
	assert_int_equal(cc_of("max-stale=\"30\"").cc_max_stale, 30);
}

static void
t_cc_overflow(void **state UNUSED)
{
	assert_int_equal(cc_of("max-age=99999999999999999999999").cc_max_age,
			 RFC_DELTA_MAX);
	assert_int_equal(cc_of("max-age=2147483648").cc_max_age, RFC_DELTA_MAX);
	assert_int_equal(cc_of("max-age=2147483649").cc_max_age, RFC_DELTA_MAX);
	assert_int_equal(cc_of("max-age=2147483647").cc_max_age, 2147483647LL);
	assert_int_equal(cc_of("max-age=000000000000000000000042").cc_max_age,
			 42);
}

static void
t_cc_duplicates(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("max-age=60, max-age=30");

	assert_int_equal(cc.cc_max_age, 30);
	/* accumulates over field lines */
	rfc_cc_parse("max-age=10", 10, &cc);
	assert_int_equal(cc.cc_max_age, 10);
	rfc_cc_parse("max-age=100, public", 19, &cc);
	assert_int_equal(cc.cc_max_age, 10);
	assert_true(cc.cc_flags & RFC_CC_PUBLIC);
	/* min-fresh: the largest is the most restrictive */
	assert_int_equal(cc_of("min-fresh=5, min-fresh=9").cc_min_fresh, 9);
	assert_int_equal(cc_of("max-stale, max-stale=4").cc_max_stale, 4);
}

static void
t_cc_unknown_and_empty(void **state UNUSED)
{
	struct rfc_cc cc = cc_of(",, foo, bar=baz, x=\"y,z\" ,max-age=5, ,");

	assert_int_equal(cc.cc_max_age, 5);
	assert_int_equal(cc.cc_flags, 0);
	cc = cc_of("");
	assert_int_equal(cc.cc_max_age, -1);
	cc = cc_of("max-ages=5, nostore, =5");
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(cc.cc_flags, 0);
}

static void
t_cc_ows(void **state UNUSED)
{
	struct rfc_cc cc = cc_of("  max-age = 60 ,public\t,\tprivate ");

	assert_int_equal(cc.cc_max_age, 60);
	assert_int_equal(cc.cc_flags, RFC_CC_PUBLIC | RFC_CC_PRIVATE);
	/* junk after a flag name still sets it (conservative) */
	assert_int_equal(cc_of("no-store x").cc_flags, RFC_CC_NO_STORE);
}

/* ---------------- targeted fields (RFC 9213) ---------------- */

static int
tcc(const char *v, struct rfc_cc *cc)
{
	rfc_cc_init(cc);
	return (rfc_tcc_parse(v, strlen(v), cc));
}

static void
t_tcc_valid(void **state UNUSED)
{
	struct rfc_cc cc;

	assert_int_equal(tcc("max-age=60, no-store", &cc), 0);
	assert_int_equal(cc.cc_max_age, 60);
	assert_int_equal(cc.cc_flags, RFC_CC_NO_STORE);
	assert_int_equal(tcc("none", &cc), 0); /* unknown: valid, ignored */
	assert_int_equal(cc.cc_flags, 0);
	assert_int_equal(tcc("max-age=60;foo=bar;x, private", &cc), 0);
	assert_int_equal(cc.cc_max_age, 60);
	assert_int_equal(cc.cc_flags, RFC_CC_PRIVATE);
	assert_int_equal(tcc("no-cache=\"set-cookie\"", &cc), 0);
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	assert_int_equal(tcc("a=(1 2 \"x\");p, b=:aGk=:, c=?1, d=@17, "
			     "e=%\"x%20y\", f=tok/en:x, g=-1.5",
			     &cc),
			 0);
	assert_int_equal(tcc("max-stale", &cc), 0);
	assert_int_equal(cc.cc_max_stale, RFC_DELTA_MAX);
	assert_int_equal(tcc("s-maxage=999999999999999", &cc), 0);
	assert_int_equal(cc.cc_s_maxage, RFC_DELTA_MAX);
}

static void
t_tcc_invalid(void **state UNUSED)
{
	static const char *bad[] = {"",
				    " ",
				    "max-age=60,,",
				    "max-age=60,",
				    "Max-Age=60",
				    "max-age=6 0",
				    "max-age=\"60",
				    "max-age=1.",
				    "a=(1",
				    "no-store;",
				    "a=?2",
				    "a=1234567890123456",
				    "max-age=60 no-store",
				    "a=\"\x01\"",
				    "a=:bad*:",
				    "1a",
				    "a=1.2345"};
	struct rfc_cc cc;
	unsigned i;

	for (i = 0; i < NH(bad); i++) {
		rfc_cc_init(&cc);
		cc.cc_max_age = 7;
		assert_int_equal(rfc_tcc_parse(bad[i], strlen(bad[i]), &cc),
				 -1);
		assert_int_equal(cc.cc_max_age, 7); /* untouched */
	}
}

static void
t_tcc_wrong_types_ignored(void **state UNUSED)
{
	struct rfc_cc cc;

	/* valid dictionaries, but values SHOULD NOT be consumed */
	assert_int_equal(tcc("max-age=\"60\"", &cc), 0);
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(tcc("max-age=1.5", &cc), 0);
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(tcc("max-age=-5", &cc), 0);
	assert_int_equal(cc.cc_max_age, -1);
	assert_int_equal(tcc("max-age=tok", &cc), 0);
	assert_int_equal(cc.cc_max_age, -1);
}

static void
t_tcc_last_wins(void **state UNUSED)
{
	struct rfc_cc cc;

	assert_int_equal(tcc("no-store=?0", &cc), 0);
	assert_int_equal(cc.cc_flags, 0);
	assert_int_equal(tcc("no-store, no-store=?0", &cc), 0);
	assert_int_equal(cc.cc_flags, 0);
	assert_int_equal(tcc("max-age=10, max-age=20", &cc), 0);
	assert_int_equal(cc.cc_max_age, 20);
	assert_int_equal(tcc("private=?1", &cc), 0);
	assert_int_equal(cc.cc_flags, RFC_CC_PRIVATE);
}

static void
t_resp_cc_precedence(void **state UNUSED)
{
	struct h1_hdr all[] = {H("Cache-Control", "max-age=10"),
			       H("CDN-Cache-Control", "max-age=20"),
			       H("Accel-Cache-Control", "max-age=30")};
	struct h1_hdr bad_accel[] = {H("Cache-Control", "max-age=10"),
				     H("cdn-cache-control", "max-age=20"),
				     H("Accel-Cache-Control", "MAX-AGE=30")};
	struct h1_hdr empty_cdn[] = {H("Cache-Control", "max-age=10"),
				     H("CDN-Cache-Control", "")};
	struct h1_hdr two_lines_one_bad[] = {
	    H("Cache-Control", "max-age=10, public"),
	    H("CDN-Cache-Control", "max-age=20"),
	    H("CDN-Cache-Control", "max-age=,")};
	struct h1_hdr none[] = {H("Expires", "0")};
	struct rfc_cc cc;

	assert_int_equal(rfc_resp_cc(all, 3, &cc), RFC_CCS_ACCEL);
	assert_int_equal(cc.cc_max_age, 30);
	assert_int_equal(rfc_resp_cc(all, 2, &cc), RFC_CCS_CDN);
	assert_int_equal(cc.cc_max_age, 20);
	assert_int_equal(rfc_resp_cc(all, 1, &cc), RFC_CCS_CACHE_CONTROL);
	assert_int_equal(cc.cc_max_age, 10);
	assert_int_equal(rfc_resp_cc(bad_accel, 3, &cc), RFC_CCS_CDN);
	assert_int_equal(cc.cc_max_age, 20);
	assert_int_equal(rfc_resp_cc(empty_cdn, 2, &cc), RFC_CCS_CACHE_CONTROL);
	assert_int_equal(cc.cc_max_age, 10);
	assert_int_equal(rfc_resp_cc(two_lines_one_bad, 3, &cc),
			 RFC_CCS_CACHE_CONTROL);
	assert_int_equal(cc.cc_max_age, 10);
	assert_int_equal(cc.cc_flags, RFC_CC_PUBLIC);
	assert_int_equal(rfc_resp_cc(none, 1, &cc), RFC_CCS_NONE);
	assert_int_equal(cc.cc_max_age, -1);
}

static void
t_req_cc_pragma(void **state UNUSED)
{
	struct h1_hdr p[] = {H("Pragma", "no-cache")};
	struct h1_hdr pc[] = {H("Pragma", "no-cache"),
			      H("Cache-Control", "max-age=5")};
	struct h1_hdr px[] = {H("Pragma", "x, No-Cache")};
	struct h1_hdr two[] = {H("Cache-Control", "max-age=5"),
			       H("cache-control", "no-cache, max-age=3")};
	struct h1_hdr tgt[] = {H("CDN-Cache-Control", "no-store")};
	struct rfc_cc cc;

	rfc_req_cc(p, 1, &cc);
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	rfc_req_cc(pc, 2, &cc);
	assert_int_equal(cc.cc_flags, 0);
	assert_int_equal(cc.cc_max_age, 5);
	rfc_req_cc(px, 1, &cc);
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	rfc_req_cc(two, 2, &cc);
	assert_int_equal(cc.cc_flags, RFC_CC_NO_CACHE);
	assert_int_equal(cc.cc_max_age, 3);
	rfc_req_cc(tgt, 1, &cc); /* targeted fields are response-only */
	assert_int_equal(cc.cc_flags, 0);
}

/* ---------------- dates ---------------- */

static void
t_date_imf(void **state UNUSED)
{
	assert_true(date_of(DATE_D) == D);
	assert_true(date_of("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
	assert_true(date_of("Fri, 01 Jan 2038 00:00:00 GMT") == 2145916800.0);
}

static void
t_date_rfc850(void **state UNUSED)
{
	assert_true(date_of("Sunday, 06-Nov-94 08:49:37 GMT") == D);
	assert_true(date_of("Friday, 01-Jan-38 00:00:00 GMT") == 2145916800.0);
	assert_true(date_of("Thursday, 01-Jan-70 00:00:00 GMT") == 0);
	assert_true(date_bad("Sun, 06-Nov-94 08:49:37 GMT"));
	assert_true(date_bad("Sunday, 06-Nov-1994 08:49:37 GMT"));
}

static void
t_date_asctime(void **state UNUSED)
{
	assert_true(date_of("Sun Nov  6 08:49:37 1994") == D);
	assert_true(date_of("Sun Nov 06 08:49:37 1994") == D);
	assert_true(date_of("Wed Nov 16 08:49:37 1994") == D + 10 * 86400);
	assert_true(date_bad("Sun Nov 6 08:49:37 1994"));
	assert_true(date_bad("Sun Nov  6 08:49:37 1994 GMT"));
	assert_true(date_bad("Sun Nov   6 08:49:37 1994"));
}

static void
t_date_rfc850_years(void **state UNUSED)
{
	double t;
	const char *v = "Friday, 01-Jan-38 00:00:00 GMT";
	const char *w = "Friday, 01-Jan-99 00:00:00 GMT";

	/* with a clock: the year within (Y-50, Y+50] */
	assert_int_equal(rfc_date_parse_at(v, strlen(v), 3786912000.0, &t),
			 0);            /* now 2090 */
	assert_true(t == 5301590400.0); /* 2138 */
	assert_int_equal(rfc_date_parse_at(v, strlen(v), 1735689600.0, &t),
			 0); /* now 2025 */
	assert_true(t == 2145916800.0);
	assert_int_equal(rfc_date_parse_at(w, strlen(w), 1735689600.0, &t), 0);
	assert_true(t == 915148800.0); /* 1999, not 2099 */
}

static void
t_date_invalid(void **state UNUSED)
{
	static const char *bad[] = {"0",
				    "-1",
				    "",
				    "garbage",
				    "Sun, 06 Nov 1994 08:49:37 UTC",
				    "Sun, 6 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 24:00:00 GMT",
				    "Sun, 06 Nov 1994 08:60:00 GMT",
				    "Sun, 06 Nov 1994 08:49:61 GMT",
				    "Sun, 06 Nov 1994 08:49:37 GMT ",
				    " Sun, 06 Nov 1994 08:49:37 GMT",
				    "Sun, 31 Nov 1994 08:49:37 GMT",
				    "Sun, 00 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Foo 1994 08:49:37 GMT",
				    "Sun, 06 Nov 94 08:49:37 GMT",
				    "Sun,06 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 8:49:37 GMT",
				    "Xyz, 06 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08:49:37",
				    "Sun, 06 Nov 1994 08:49:37 GMTX",
				    "Sun, 06  Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08-49-37 GMT",
				    "1994-11-06T08:49:37Z",
				    "Sun, 06 Nov +994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08:49:3 GMT",
				    "Sun, 32 Jan 1994 08:49:37 GMT",
				    "Sun"};
	unsigned i;

	for (i = 0; i < NH(bad); i++)
		if (!date_bad(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(rfc_date_parse(DATE_D, 10, &(double){0}), -1);
}

static void
t_date_years(void **state UNUSED)
{
	assert_true(date_bad("Sun, 31 Dec 1899 23:59:59 GMT"));
	assert_true(date_of("Mon, 01 Jan 1900 00:00:00 GMT") == -2208988800.0);
	assert_true(date_of("Fri, 31 Dec 9999 23:59:59 GMT") == 253402300799.0);
	assert_true(date_bad("Fri, 31 Dec 0000 23:59:59 GMT"));
}

static void
t_date_leap_days(void **state UNUSED)
{
	assert_true(date_of("Thu, 29 Feb 2024 00:00:00 GMT") == 1709164800.0);
	assert_true(date_of("Tue, 29 Feb 2000 00:00:00 GMT") == 951782400.0);
	assert_true(date_bad("Wed, 29 Feb 2023 00:00:00 GMT"));
	assert_true(date_bad("Thu, 29 Feb 1900 00:00:00 GMT"));
	assert_true(date_bad("Thu, 30 Feb 2024 00:00:00 GMT"));
	assert_true(date_of("Thu Feb 29 00:00:00 2024") == 1709164800.0);
	assert_true(date_bad("Wed Feb 29 00:00:00 2023"));
}

static void
t_date_leap_second(void **state UNUSED)
{
	assert_true(date_of("Sat, 31 Dec 2016 23:59:60 GMT") == 1483228800.0);
}

static void
t_date_lenient_names(void **state UNUSED)
{
	/* names are matched case-insensitively; the weekday is not checked
	 * against the date */
	assert_true(date_of("sun, 06 nov 1994 08:49:37 gmt") == D);
	assert_true(date_of("SUNDAY, 06-NOV-94 08:49:37 GMT") == D);
	assert_true(date_of("Mon, 06 Nov 1994 08:49:37 GMT") == D);
}

static void
t_date_fmt(void **state UNUSED)
{
	char b[RFC_DATE_LEN];

	assert_int_equal(rfc_date_fmt(D, b), 29);
	assert_string_equal(b, DATE_D);
	assert_int_equal(rfc_date_fmt(0, b), 29);
	assert_string_equal(b, "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(-1, b), 29);
	assert_string_equal(b, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(-0.5, b), 29);
	assert_string_equal(b, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(D + 0.9, b), 29);
	assert_string_equal(b, DATE_D);
	assert_int_equal(rfc_date_fmt(1709164800.0, b), 29);
	assert_string_equal(b, "Thu, 29 Feb 2024 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(253402300799.0, b), 29);
	assert_string_equal(b, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(-2208988800.0, b), 29);
	assert_string_equal(b, "Mon, 01 Jan 1900 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(253402300800.0, b), -1);
	assert_string_equal(b, "");
	assert_int_equal(rfc_date_fmt(-2208988801.0, b), -1);
	assert_int_equal(rfc_date_fmt(NAN, b), -1);
	assert_int_equal(rfc_date_fmt(INFINITY, b), -1);
}

static void
t_date_roundtrip(void **state UNUSED)
{
	char b[RFC_DATE_LEN];
	double t, back;

	/* every ~3.7 days over 1900..9999, plus odd seconds */
	for (t = -2208988800.0; t < 253402300800.0; t += 318751.0 * 1013) {
		assert_int_equal(rfc_date_fmt(t, b), 29);
		assert_int_equal(rfc_date_parse(b, 29, &back), 0);
		assert_true(back == t);
	}
	for (t = 946684800.0 - 86400 * 400; t < 946684800.0 + 86400 * 400;
	     t += 86399) {
		assert_int_equal(rfc_date_fmt(t, b), 29);
		assert_int_equal(rfc_date_parse(b, 29, &back), 0);
		assert_true(back == t);
	}
}

/* ---------------- storing ---------------- */

static int
storable(enum h1_method m, const struct h1_hdr *rq, unsigned nrq, int st,
	 const struct h1_hdr *rs, unsigned nrs, const struct rfc_opts *o,
	 const char *want)
{
	const char *why = NULL;
	int r = rfc_storable(m, rq, nrq, st, rs, nrs, o, &why);

	assert_non_null(why);
	if (strcmp(why, want) != 0)
		fail_msg("reason %s, expected %s", why, want);
	return (r);
}

static void
t_store_basic(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Cache-Control", "max-age=60")};
	struct rfc_opts o = opts();

	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 1, &o, "storable"),
			 1);
}

static void
t_store_method(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Cache-Control", "max-age=60")};
	struct rfc_opts o = opts();

	assert_int_equal(storable(H1M_POST, NULL, 0, 200, rs, 1, &o, "method"),
			 0);
	assert_int_equal(storable(H1M_HEAD, NULL, 0, 200, rs, 1, &o, "method"),
			 0);
	assert_int_equal(storable(H1M_OTHER, NULL, 0, 200, rs, 1, &o, "method"),
			 0);
	assert_int_equal(storable(H1M_PUT, NULL, 0, 200, rs, 1, &o, "method"),
			 0);
}

static void
t_store_status(void **state UNUSED)
{
	struct h1_hdr ma[] = {H("Cache-Control", "max-age=60")};
	struct rfc_opts o = opts();
	static const int heur[] = {200, 203, 204, 300, 301, 308,
				   404, 405, 410, 414, 501};
	unsigned i;

	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 100, ma, 1, &o, "not-final"), 0);
	assert_int_equal(storable(H1M_GET, NULL, 0, 206, ma, 1, &o, "partial"),
			 0);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 304, ma, 1, &o, "not-modified"), 0);
	/* heuristically cacheable: storable with nothing at all */
	for (i = 0; i < NH(heur); i++)
		assert_int_equal(storable(H1M_GET, NULL, 0, heur[i], NULL, 0,
					  &o, "storable"),
				 1);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 302, NULL, 0, &o, "no-freshness"), 0);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 500, NULL, 0, &o, "no-freshness"), 0);
	assert_int_equal(storable(H1M_GET, NULL, 0, 302, ma, 1, &o, "storable"),
			 1);
	assert_int_equal(storable(H1M_GET, NULL, 0, 503, ma, 1, &o, "storable"),
			 1);
	/* default_ttl does not make other statuses storable */
	o.ro_default_ttl = 120;
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 302, NULL, 0, &o, "no-freshness"), 0);
}

static void
t_store_status_sets(void **state UNUSED)
{
	assert_true(rfc_status_heuristic(206));
	assert_false(rfc_status_heuristic(302));
	assert_false(rfc_status_heuristic(201));
	assert_true(rfc_status_understood(302));
	assert_true(rfc_status_understood(404));
	assert_true(rfc_status_understood(503));
	assert_false(rfc_status_understood(299));
	assert_false(rfc_status_understood(418));
}

static void
t_store_no_store(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Cache-Control", "max-age=60, no-store")};
	struct h1_hdr ok[] = {H("Cache-Control", "max-age=60")};
	struct h1_hdr rq[] = {H("Cache-Control", "no-store")};
	struct rfc_opts o = opts();

	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 1, &o, "no-store"),
			 0);
	assert_int_equal(
	    storable(H1M_GET, rq, 1, 200, ok, 1, &o, "req-no-store"), 0);
}

static void
t_store_must_understand(void **state UNUSED)
{
	struct h1_hdr rs[] = {
	    H("Cache-Control", "must-understand, no-store, max-age=60")};
	struct rfc_opts o = opts();

	/* understood status: no-store is ignored (section 5.2.2.3) */
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 1, &o, "storable"),
			 1);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 299, rs, 1, &o, "must-understand"), 0);
}

static void
t_store_private(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Cache-Control", "private, max-age=60")};
	struct h1_hdr p[] = {H("Cache-Control", "private")};
	struct rfc_opts o = opts();

	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 1, &o, "private"),
			 0);
	o.ro_shared = 0;
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 1, &o, "storable"),
			 1);
	/* a private cache may store on private alone */
	assert_int_equal(storable(H1M_GET, NULL, 0, 302, p, 1, &o, "storable"),
			 1);
}

static void
t_store_authorization(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("Authorization", "Basic eDp5")};
	struct h1_hdr ma[] = {H("Cache-Control", "max-age=60")};
	struct h1_hdr pub[] = {H("Cache-Control", "public, max-age=60")};
	struct h1_hdr sm[] = {H("Cache-Control", "s-maxage=60")};
	struct h1_hdr mr[] = {H("Cache-Control", "must-revalidate")};
	struct rfc_opts o = opts();

	assert_int_equal(
	    storable(H1M_GET, rq, 1, 200, ma, 1, &o, "authorization"), 0);
	assert_int_equal(
	    storable(H1M_GET, rq, 1, 200, NULL, 0, &o, "authorization"), 0);
	assert_int_equal(storable(H1M_GET, rq, 1, 200, pub, 1, &o, "storable"),
			 1);
	assert_int_equal(storable(H1M_GET, rq, 1, 200, sm, 1, &o, "storable"),
			 1);
	assert_int_equal(storable(H1M_GET, rq, 1, 200, mr, 1, &o, "storable"),
			 1);
	o.ro_shared = 0;
	assert_int_equal(storable(H1M_GET, rq, 1, 200, ma, 1, &o, "storable"),
			 1);
}

static void
t_store_set_cookie(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Cache-Control", "max-age=60"),
			      H("Set-Cookie", "a=b")};
	struct rfc_opts o = opts();

	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 200, rs, 2, &o, "set-cookie"), 0);
	o.ro_store_set_cookie = 1;
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, rs, 2, &o, "storable"),
			 1);
}

static void
t_store_vary_star(void **state UNUSED)
{
	struct h1_hdr s1[] = {H("Vary", "Accept-Encoding, *")};
	struct h1_hdr s2[] = {H("Vary", "Accept-Encoding"), H("Vary", "*")};
	struct h1_hdr s3[] = {H("Vary", "Accept Encoding")};
	struct h1_hdr s4[] = {H("Vary", "Accept-Encoding, , Cookie")};
	struct rfc_opts o = opts();

	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 200, s1, 1, &o, "vary-star"), 0);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 200, s2, 2, &o, "vary-star"), 0);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 200, s3, 1, &o, "vary-star"), 0);
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, s4, 1, &o, "storable"),
			 1);
}

static void
t_store_targeted(void **state UNUSED)
{
	/* RFC 9213 section 3.1 examples */
	struct h1_hdr a[] = {H("CDN-Cache-Control", "max-age=600"),
			     H("Cache-Control", "no-store")};
	struct h1_hdr b[] = {H("Cache-Control", "no-store"),
			     H("CDN-Cache-Control", "none")};
	struct h1_hdr c[] = {H("Cache-Control", "max-age=60"),
			     H("CDN-Cache-Control", "no-store")};
	struct h1_hdr d[] = {H("Cache-Control", "max-age=60"),
			     H("CDN-Cache-Control", "max-age=60"),
			     H("Accel-Cache-Control", "private")};
	/* Expires is ignored under a targeted field */
	struct h1_hdr e[] = {H("Expires", DATE_D),
			     H("CDN-Cache-Control", "none")};
	struct rfc_opts o = opts();

	assert_int_equal(storable(H1M_GET, NULL, 0, 200, a, 2, &o, "storable"),
			 1);
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, b, 2, &o, "storable"),
			 1);
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, c, 2, &o, "no-store"),
			 0);
	assert_int_equal(storable(H1M_GET, NULL, 0, 200, d, 3, &o, "private"),
			 0);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 302, e, 2, &o, "no-freshness"), 0);
	assert_int_equal(storable(H1M_GET, NULL, 0, 302, e, 1, &o, "storable"),
			 1);
}

static void
t_store_explicit_freshness(void **state UNUSED)
{
	struct h1_hdr ex[] = {H("Expires", "garbage")};
	struct h1_hdr pub[] = {H("Cache-Control", "public")};
	struct h1_hdr sm[] = {H("Cache-Control", "s-maxage=5")};
	struct rfc_opts o = opts();

	/* an Expires field makes it storable even when invalid (stale) */
	assert_int_equal(storable(H1M_GET, NULL, 0, 302, ex, 1, &o, "storable"),
			 1);
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 307, pub, 1, &o, "storable"), 1);
	assert_int_equal(storable(H1M_GET, NULL, 0, 307, sm, 1, &o, "storable"),
			 1);
	o.ro_shared = 0; /* s-maxage is for shared caches */
	assert_int_equal(
	    storable(H1M_GET, NULL, 0, 307, sm, 1, &o, "no-freshness"), 0);
}

/* ---------------- freshness ---------------- */

static void
t_fresh_s_maxage_wins(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Date", DATE_D),
			      H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
			      H("Cache-Control", "max-age=50, s-maxage=100")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 3, D, &o);

	assert_true(f.f_ttl == 100);
	assert_int_equal(f.f_src, RFC_FS_S_MAXAGE);
	assert_int_equal(f.f_must_revalidate, 1); /* section 5.2.2.10 */
	o.ro_shared = 0;
	f = fresh_of(200, rs, 3, D, &o);
	assert_true(f.f_ttl == 50);
	assert_int_equal(f.f_src, RFC_FS_MAX_AGE);
	assert_int_equal(f.f_must_revalidate, 0);
}

static void
t_fresh_max_age_over_expires(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Date", DATE_D),
			      H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
			      H("Cache-Control", "max-age=50")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 3, D, &o);

	assert_true(f.f_ttl == 50);
	assert_int_equal(f.f_src, RFC_FS_MAX_AGE);
	f = fresh_of(200, rs, 2, D, &o);
	assert_true(f.f_ttl == 3600);
	assert_int_equal(f.f_src, RFC_FS_EXPIRES);
}

static void
t_fresh_expires_over_heuristic(void **state UNUSED)
{
	struct h1_hdr rs[] = {
	    H("Date", DATE_D), H("Expires", "Sun, 06 Nov 1994 08:50:37 GMT"),
	    H("Last-Modified", "Sun, 06 Oct 1994 08:49:37 GMT")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 3, D + 5, &o);

	assert_true(f.f_ttl == 60);
	assert_int_equal(f.f_src, RFC_FS_EXPIRES);
	assert_int_equal(f.f_validator, 1);
}

static void
t_fresh_expires_invalid(void **state UNUSED)
{
	static const char *bad[] = {"0", "-1", "garbage", "", "Thu, 01 Jan"};
	struct h1_hdr rs[] = {
	    H("Date", DATE_D), H("Expires", "0"),
	    H("Last-Modified", "Sun, 06 Oct 1994 08:49:37 GMT")};
	struct rfc_opts o = opts();
	struct rfc_fresh f;
	unsigned i;

	o.ro_default_ttl = 300;
	for (i = 0; i < NH(bad); i++) {
		rs[1].value = bad[i];
		rs[1].value_len = strlen(bad[i]);
		f = fresh_of(200, rs, 3, D, &o);
		assert_true(f.f_ttl == 0);
		assert_int_equal(f.f_src, RFC_FS_EXPIRES);
	}
}

static void
t_fresh_expires_past(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Date", DATE_D),
			      H("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")};
	struct h1_hdr eq[] = {H("Date", DATE_D), H("Expires", DATE_D)};
	struct rfc_opts o = opts();

	assert_true(fresh_of(200, rs, 2, D, &o).f_ttl == 0);
	assert_true(fresh_of(200, eq, 2, D, &o).f_ttl == 0);
}

static void
t_fresh_no_date_uses_response_time(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Expires", "Sun, 06 Nov 1994 08:51:17 GMT")};
	struct h1_hdr bad_date[] = {
	    H("Date", "yesterday"),
	    H("Expires", "Sun, 06 Nov 1994 08:51:17 GMT")};
	struct rfc_opts o = opts();

	assert_true(fresh_of(200, rs, 1, D, &o).f_ttl == 100);
	assert_true(fresh_of(200, rs, 1, D + 40, &o).f_ttl == 60);
	assert_true(fresh_of(200, bad_date, 2, D + 40, &o).f_ttl == 60);
}

static void
t_fresh_rfc850_years_by_clock(void **state UNUSED)
{
	/* section 5.6.7: in 2025, "75" is 2075 (not more than 50 years
	 * ahead), so this Expires is 50 years out, not in the past */
	struct h1_hdr rs[] = {H("Date", "Wed, 01 Jan 2025 00:00:00 GMT"),
			      H("Expires", "Tuesday, 01-Jan-75 00:00:00 GMT")};
	struct rfc_opts o = opts();

	assert_true(fresh_of(200, rs, 2, 1735689600.0, &o).f_ttl ==
		    1577836800.0);
	/* in 1994 it is 1975: already expired */
	assert_true(fresh_of(200, rs + 1, 1, D, &o).f_ttl == 0);
}

static void
t_fresh_expires_multiple(void **state UNUSED)
{
	struct h1_hdr differ[] = {
	    H("Date", DATE_D), H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
	    H("Expires", "Sun, 06 Nov 1994 10:49:37 GMT")};
	struct h1_hdr same[] = {H("Date", DATE_D),
				H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
				H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT")};
	struct rfc_opts o = opts();

	assert_true(fresh_of(200, differ, 3, D, &o).f_ttl == 0);
	assert_true(fresh_of(200, same, 3, D, &o).f_ttl == 3600);
}

static void
t_fresh_heuristic(void **state UNUSED)
{
	/* Date - Last-Modified = 10000 s: 10 % is 1000 */
	struct h1_hdr rs[] = {
	    H("Date", DATE_D),
	    H("Last-Modified", "Sun, 06 Nov 1994 06:02:57 GMT")};
	struct h1_hdr old[] = {
	    H("Date", DATE_D),
	    H("Last-Modified", "Mon, 01 Jan 1990 00:00:00 GMT")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 2, D, &o);

	assert_true(f.f_ttl == 1000);
	assert_int_equal(f.f_src, RFC_FS_HEURISTIC);
	f = fresh_of(404, old, 2, D, &o);
	assert_true(f.f_ttl == 86400); /* capped */
	o.ro_heur_pct = 20;
	o.ro_heur_cap = 1e9;
	assert_true(fresh_of(200, rs, 2, D, &o).f_ttl == 2000);
	/* without Date, response_time stands in */
	o = opts();
	assert_true(fresh_of(200, rs + 1, 1, D + 10000, &o).f_ttl == 2000);
}

static void
t_fresh_heuristic_status(void **state UNUSED)
{
	struct h1_hdr rs[] = {
	    H("Date", DATE_D),
	    H("Last-Modified", "Sun, 06 Nov 1994 06:02:57 GMT")};
	struct h1_hdr pub[] = {
	    H("Date", DATE_D),
	    H("Last-Modified", "Sun, 06 Nov 1994 06:02:57 GMT"),
	    H("Cache-Control", "public")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(302, rs, 2, D, &o);

	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_NONE);
	f = fresh_of(302, pub, 3, D, &o); /* public allows heuristics */
	assert_true(f.f_ttl == 1000);
	assert_int_equal(f.f_src, RFC_FS_HEURISTIC);
	f = fresh_of(500, rs, 2, D, &o);
	assert_true(f.f_ttl == 0);
}

static void
t_fresh_heuristic_bad_lm(void **state UNUSED)
{
	struct h1_hdr fut[] = {
	    H("Date", DATE_D),
	    H("Last-Modified", "Mon, 07 Nov 1994 08:49:37 GMT")};
	struct h1_hdr bad[] = {H("Date", DATE_D), H("Last-Modified", "x")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, fut, 2, D, &o);

	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_NONE);
	o.ro_default_ttl = 120;
	f = fresh_of(200, fut, 2, D, &o);
	assert_true(f.f_ttl == 120);
	assert_int_equal(f.f_src, RFC_FS_DEFAULT);
	f = fresh_of(200, bad, 2, D, &o);
	assert_true(f.f_ttl == 120);
	assert_int_equal(f.f_src, RFC_FS_DEFAULT);
	/* LM == Date: a heuristic of 0, not the default */
	struct h1_hdr same[] = {H("Date", DATE_D), H("Last-Modified", DATE_D)};
	f = fresh_of(200, same, 2, D, &o);
	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_HEURISTIC);
}

static void
t_fresh_default_ttl(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Date", DATE_D)};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 1, D, &o);

	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_NONE);
	o.ro_default_ttl = 120;
	f = fresh_of(200, rs, 1, D, &o);
	assert_true(f.f_ttl == 120);
	assert_int_equal(f.f_src, RFC_FS_DEFAULT);
	f = fresh_of(302, rs, 1, D, &o);
	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_NONE);
	o.ro_default_ttl = 0;
	f = fresh_of(200, rs, 1, D, &o);
	assert_int_equal(f.f_src, RFC_FS_DEFAULT);
}

static void
t_fresh_no_cache(void **state UNUSED)
{
	struct h1_hdr rs[] = {
	    H("Cache-Control",
	      "no-cache, max-age=600, stale-while-revalidate=60")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 1, D, &o);

	assert_true(f.f_ttl == 0);
	assert_true(f.f_grace == 0);
	assert_int_equal(f.f_no_cache, 1);
	assert_int_equal(f.f_src, RFC_FS_NO_CACHE);
}

static void
t_fresh_invalid_max_age(void **state UNUSED)
{
	struct h1_hdr rs[] = {H("Date", DATE_D),
			      H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
			      H("Cache-Control", "max-age=soon")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 3, D, &o);

	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_MAX_AGE);
}

static void
t_fresh_grace_sie(void **state UNUSED)
{
	struct h1_hdr rs[] = {H(
	    "Cache-Control", "max-age=60, "
			     "stale-while-revalidate=30, stale-if-error=600")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 1, D, &o);

	assert_true(f.f_ttl == 60);
	assert_true(f.f_grace == 30);
	assert_true(f.f_sie == 600);
	assert_true(f.f_keep == 570); /* kept long enough for stale-if-error */
	assert_int_equal(f.f_validator, 0);
}

static void
t_fresh_grace_forbidden(void **state UNUSED)
{
	struct h1_hdr mr[] = {H(
	    "Cache-Control", "max-age=60, must-revalidate, "
			     "stale-while-revalidate=30, stale-if-error=600")};
	struct h1_hdr pr[] = {H("Cache-Control",
				"max-age=60, proxy-revalidate, "
				"stale-while-revalidate=30")};
	struct h1_hdr sm[] = {H("Cache-Control", "s-maxage=60, "
						 "stale-while-revalidate=30")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, mr, 1, D, &o);

	assert_true(f.f_grace == 0 && f.f_sie == 0);
	assert_int_equal(f.f_must_revalidate, 1);
	f = fresh_of(200, pr, 1, D, &o);
	assert_true(f.f_grace == 0);
	assert_int_equal(f.f_must_revalidate, 1);
	f = fresh_of(200, sm, 1, D, &o);
	assert_true(f.f_grace == 0);
	o.ro_shared = 0; /* proxy-revalidate is for shared caches */
	f = fresh_of(200, pr, 1, D, &o);
	assert_true(f.f_grace == 30);
	assert_int_equal(f.f_must_revalidate, 0);
}

static void
t_fresh_keep(void **state UNUSED)
{
	struct h1_hdr et[] = {H("Cache-Control", "max-age=60"),
			      H("ETag", "\"v1\"")};
	struct rfc_opts o = opts();
	struct rfc_fresh f;

	o.ro_keep = 300;
	f = fresh_of(200, et, 2, D, &o);
	assert_int_equal(f.f_validator, 1);
	assert_true(f.f_keep == 300);
	f = fresh_of(200, et, 1, D, &o);
	assert_int_equal(f.f_validator, 0);
	assert_true(f.f_keep == 0);
}

static void
t_fresh_targeted(void **state UNUSED)
{
	/* RFC 9213 section 3.1: a CDN uses 600 */
	struct h1_hdr rs[] = {H("Cache-Control", "max-age=60, s-maxage=120"),
			      H("CDN-Cache-Control", "max-age=600")};
	/* under a targeted field, Expires is ignored too */
	struct h1_hdr ex[] = {H("Date", DATE_D),
			      H("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
			      H("Accel-Cache-Control", "public")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 2, D, &o);

	assert_true(f.f_ttl == 600);
	assert_int_equal(f.f_src, RFC_FS_MAX_AGE);
	assert_int_equal(f.f_must_revalidate, 0);
	f = fresh_of(200, ex, 3, D, &o);
	assert_true(f.f_ttl == 0);
	assert_int_equal(f.f_src, RFC_FS_NONE);
	f = fresh_of(200, ex, 2, D, &o);
	assert_true(f.f_ttl == 3600);
}

static void
t_fresh_immutable(void **state UNUSED)
{
	struct h1_hdr rs[] = {
	    H("Cache-Control", "max-age=31536000, immutable")};
	struct rfc_opts o = opts();
	struct rfc_fresh f = fresh_of(200, rs, 1, D, &o);

	assert_int_equal(f.f_immutable, 1);
	assert_true(f.f_ttl == 31536000);
}

/* ---------------- age ---------------- */

static void
t_age_simple(void **state UNUSED)
{
	/* sent at D-1, received at D, Date D: 1 s delay, 10 s resident */
	assert_true(rfc_age(D, 0, D - 1, D, D + 10) == 11);
	assert_true(rfc_age(D, 0, D - 1, D, D) == 1);
}

static void
t_age_header(void **state UNUSED)
{
	/* Age 100 from upstream + 2 s delay beats apparent age 0 */
	assert_true(rfc_age(D, 100, D - 2, D, D + 30) == 132);
	/* fractional times stay exact */
	assert_true(rfc_age(D, 0, D - 0.25, D, D + 0.5) == 0.75);
}

static void
t_age_clock_skew(void **state UNUSED)
{
	/* origin clock behind: apparent_age 30 beats 10 + 1 */
	assert_true(rfc_age(D - 30, 10, D - 1, D, D + 5) == 35);
	/* origin clock ahead: apparent_age clamps at 0 */
	assert_true(rfc_age(D + 50, 0, D - 1, D, D + 5) == 6);
	assert_true(rfc_age(D + 50, 7, D - 1, D, D) == 8);
}

static void
t_age_no_date(void **state UNUSED)
{
	assert_true(rfc_age(0, 0, D - 3, D, D + 7) == 10);
	assert_true(rfc_age(0, 20, D, D, D + 7) == 27);
}

static void
t_age_clamps(void **state UNUSED)
{
	/* clock stepped back: no negative resident time or delay */
	assert_true(rfc_age(D, 0, D + 5, D, D - 100) == 0);
	assert_true(rfc_age(D, (double)RFC_DELTA_MAX, D - 1, D, D + 100) ==
		    (double)RFC_DELTA_MAX);
	assert_true(rfc_age(1, 0, D, D, D) == D - 1);
	assert_true(rfc_age(D, 0, D, D, D + 3e9) == (double)RFC_DELTA_MAX);
}

static void
t_age_header_parse(void **state UNUSED)
{
	double a = -1;

	assert_int_equal(rfc_age_header_parse("10", 2, &a), 0);
	assert_true(a == 10);
	assert_int_equal(rfc_age_header_parse("10, 20", 6, &a), 0);
	assert_true(a == 10);
	assert_int_equal(rfc_age_header_parse(" 7 ", 3, &a), 0);
	assert_true(a == 7);
	assert_int_equal(rfc_age_header_parse("0", 1, &a), 0);
	assert_true(a == 0);
	assert_int_equal(rfc_age_header_parse("99999999999", 11, &a), 0);
	assert_true(a == (double)RFC_DELTA_MAX);
	a = 5;
	assert_int_equal(rfc_age_header_parse("abc", 3, &a), -1);
	assert_int_equal(rfc_age_header_parse("", 0, &a), -1);
	assert_int_equal(rfc_age_header_parse("-1", 2, &a), -1);
	assert_int_equal(rfc_age_header_parse("1.5", 3, &a), -1);
	assert_int_equal(rfc_age_header_parse(", 3", 3, &a), -1);
	assert_true(a == 5);
}

/* ---------------- using a stored response ---------------- */

static struct rfc_fresh
fr(double ttl, double grace, int validator)
{
	struct rfc_fresh f;

	memset(&f, 0, sizeof f);
	f.f_ttl = ttl;
	f.f_grace = grace;
	f.f_validator = validator;
	return (f);
}

static void
t_eval_fresh_and_stale(void **state UNUSED)
{
	struct rfc_cc rq = cc_of("");
	struct rfc_fresh f = fr(100, 0, 1);

	assert_int_equal(rfc_req_eval(&rq, &f, 0), RFC_USE_FRESH);
	assert_int_equal(rfc_req_eval(&rq, &f, 99.9), RFC_USE_FRESH);
	/* fresh means freshness_lifetime > current_age */
	assert_int_equal(rfc_req_eval(&rq, &f, 100), RFC_USE_MUST_REVALIDATE);
	f.f_validator = 0;
	assert_int_equal(rfc_req_eval(&rq, &f, 100), RFC_USE_MISS);
}

static void
t_eval_grace(void **state UNUSED)
{
	struct rfc_cc rq = cc_of("");
	struct rfc_fresh f = fr(100, 30, 1);

	assert_int_equal(rfc_req_eval(&rq, &f, 110), RFC_USE_STALE_SERVABLE);
	assert_int_equal(rfc_req_eval(&rq, &f, 129.9), RFC_USE_STALE_SERVABLE);
	assert_int_equal(rfc_req_eval(&rq, &f, 130), RFC_USE_MUST_REVALIDATE);
}

static void
t_eval_req_no_cache(void **state UNUSED)
{
	struct h1_hdr pragma[] = {H("Pragma", "no-cache")};
	struct rfc_cc rq = cc_of("no-cache");
	struct rfc_fresh f = fr(100, 30, 1);

	assert_int_equal(rfc_req_eval(&rq, &f, 1), RFC_USE_MUST_REVALIDATE);
	rfc_req_cc(pragma, 1, &rq);
	assert_int_equal(rfc_req_eval(&rq, &f, 1), RFC_USE_MUST_REVALIDATE);
	f.f_validator = 0;
	assert_int_equal(rfc_req_eval(&rq, &f, 1), RFC_USE_MISS);
}

static void
t_eval_req_max_age(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 60, 1);
	struct rfc_cc rq = cc_of("max-age=30");

	assert_int_equal(rfc_req_eval(&rq, &f, 30), RFC_USE_FRESH);
	assert_int_equal(rfc_req_eval(&rq, &f, 50), RFC_USE_MUST_REVALIDATE);
	rq = cc_of("max-age=0");
	assert_int_equal(rfc_req_eval(&rq, &f, 0.5), RFC_USE_MUST_REVALIDATE);
	assert_int_equal(rfc_req_eval(&rq, &f, 0), RFC_USE_FRESH);
	/* max-stale does not lift max-age */
	rq = cc_of("max-age=30, max-stale");
	assert_int_equal(rfc_req_eval(&rq, &f, 120), RFC_USE_MUST_REVALIDATE);
	/* within max-age but stale: grace still applies */
	f = fr(10, 60, 1);
	rq = cc_of("max-age=30");
	assert_int_equal(rfc_req_eval(&rq, &f, 20), RFC_USE_STALE_SERVABLE);
}

static void
t_eval_min_fresh(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 60, 1);
	struct rfc_cc rq = cc_of("min-fresh=60");

	assert_int_equal(rfc_req_eval(&rq, &f, 50), RFC_USE_MUST_REVALIDATE);
	rq = cc_of("min-fresh=50");
	assert_int_equal(rfc_req_eval(&rq, &f, 50), RFC_USE_FRESH);
	/* stale objects never satisfy min-fresh, grace or not */
	rq = cc_of("min-fresh=0");
	assert_int_equal(rfc_req_eval(&rq, &f, 110), RFC_USE_MUST_REVALIDATE);
}

static void
t_eval_max_stale(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 0, 1);
	struct rfc_cc rq = cc_of("max-stale=30");

	assert_int_equal(rfc_req_eval(&rq, &f, 120), RFC_USE_STALE_SERVABLE);
	assert_int_equal(rfc_req_eval(&rq, &f, 130), RFC_USE_STALE_SERVABLE);
	assert_int_equal(rfc_req_eval(&rq, &f, 131), RFC_USE_MUST_REVALIDATE);
	rq = cc_of("max-stale");
	assert_int_equal(rfc_req_eval(&rq, &f, 1e9), RFC_USE_STALE_SERVABLE);
}

static void
t_eval_must_revalidate(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 0, 1);
	struct rfc_cc rq = cc_of("max-stale");

	f.f_must_revalidate = 1;
	assert_int_equal(rfc_req_eval(&rq, &f, 50), RFC_USE_FRESH);
	assert_int_equal(rfc_req_eval(&rq, &f, 101), RFC_USE_MUST_REVALIDATE);
	f.f_grace = 30; /* even if the caller left a grace */
	assert_int_equal(rfc_req_eval(&rq, &f, 101), RFC_USE_MUST_REVALIDATE);
}

static void
t_eval_resp_no_cache(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 30, 1);
	struct rfc_cc rq = cc_of("max-stale");

	f.f_no_cache = 1;
	assert_int_equal(rfc_req_eval(&rq, &f, 0), RFC_USE_MUST_REVALIDATE);
	f.f_validator = 0;
	assert_int_equal(rfc_req_eval(&rq, &f, 0), RFC_USE_MISS);
}

static void
t_eval_only_if_cached(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 10, 1);
	struct rfc_cc rq = cc_of("only-if-cached");

	assert_int_equal(rfc_req_eval(&rq, &f, 5), RFC_USE_FRESH);
	assert_int_equal(rfc_req_eval(&rq, &f, 105), RFC_USE_STALE_SERVABLE);
	assert_int_equal(rfc_req_eval(&rq, &f, 200),
			 RFC_USE_ONLY_IF_CACHED_504);
	rq = cc_of("only-if-cached, no-cache");
	assert_int_equal(rfc_req_eval(&rq, &f, 5), RFC_USE_ONLY_IF_CACHED_504);
}

static void
t_stale_if_error(void **state UNUSED)
{
	struct rfc_fresh f = fr(100, 0, 1);
	struct rfc_cc rq = cc_of("");

	f.f_sie = 600;
	assert_int_equal(rfc_stale_if_error(&rq, &f, 50), 1);
	assert_int_equal(rfc_stale_if_error(&rq, &f, 700), 1);
	assert_int_equal(rfc_stale_if_error(&rq, &f, 700.5), 0);
	rq = cc_of("stale-if-error=1000");
	assert_int_equal(rfc_stale_if_error(&rq, &f, 1100), 1);
	assert_int_equal(rfc_stale_if_error(&rq, &f, 1101), 0);
	rq = cc_of("no-cache, stale-if-error=1000");
	assert_int_equal(rfc_stale_if_error(&rq, &f, 150), 0);
	rq = cc_of("");
	f.f_must_revalidate = 1;
	assert_int_equal(rfc_stale_if_error(&rq, &f, 150), 0);
	f.f_must_revalidate = 0;
	f.f_sie = 0;
	assert_int_equal(rfc_stale_if_error(&rq, &f, 150), 0);
}

static void
t_is_error_status(void **state UNUSED)
{
	assert_true(rfc_is_error_status(500));
	assert_true(rfc_is_error_status(502));
	assert_true(rfc_is_error_status(503));
	assert_true(rfc_is_error_status(504));
	assert_false(rfc_is_error_status(501));
	assert_false(rfc_is_error_status(404));
	assert_false(rfc_is_error_status(200));
}

/* ---------------- validators and conditionals ---------------- */

#define WEAK(l, e)   rfc_etag_match_weak(l, strlen(l), e, e ? strlen(e) : 0)
#define STRONG(l, e) rfc_etag_match_strong(l, strlen(l), e, e ? strlen(e) : 0)

static void
t_etag_weak(void **state UNUSED)
{
	const char *none = NULL;

	assert_true(WEAK("\"a\"", "\"a\""));
	assert_true(WEAK("W/\"a\"", "\"a\""));
	assert_true(WEAK("\"a\"", "W/\"a\""));
	assert_true(WEAK("W/\"a\"", "W/\"a\""));
	assert_true(WEAK("\"x\", W/\"a\"", "\"a\""));
	assert_true(WEAK(" \"x\" ,, \"a\" ", "\"a\""));
	assert_true(WEAK("\"\"", "\"\"")); /* empty opaque-tag */
	assert_false(WEAK("\"b\"", "\"a\""));
	assert_false(WEAK("\"A\"", "\"a\"")); /* case-sensitive */
	assert_true(WEAK("*", "\"a\""));
	assert_true(WEAK(" * ", none));
	assert_false(WEAK("\"a\"", none));
	assert_false(WEAK("a", "a"));            /* unquoted */
	assert_false(WEAK("\"a\", b", "\"a\"")); /* malformed: ignored */
	assert_false(WEAK("", "\"a\""));
	assert_false(WEAK("*, \"a\"", "\"a\""));
	assert_false(WEAK("w/\"a\"", "\"a\"")); /* W is case-sensitive */
	assert_false(WEAK("\"a\"", "a"));       /* stored etag malformed */
}

static void
t_etag_strong(void **state UNUSED)
{
	assert_true(STRONG("\"a\"", "\"a\""));
	assert_false(STRONG("W/\"a\"", "\"a\""));
	assert_false(STRONG("\"a\"", "W/\"a\""));
	assert_false(STRONG("W/\"a\"", "W/\"a\""));
	assert_true(STRONG("W/\"a\", \"a\"", "\"a\""));
	assert_true(STRONG("*", "W/\"a\""));
	assert_false(STRONG("\"b\"", "\"a\""));
}

static void
t_etag_chars(void **state UNUSED)
{
	assert_false(WEAK("\"a b\"", "\"a b\"")); /* SP is not etagc */
	assert_false(WEAK("\"a\"b\"", "\"a\"b\""));
	assert_true(WEAK("\"\x80\xff!#~\"", "\"\x80\xff!#~\""));
	assert_false(WEAK("\"a", "\"a"));
	assert_false(WEAK("W/", "W/"));
	/* a comma is an etagc: "a,b" is one entity-tag, not two */
	assert_true(WEAK("\"a,b\"", "\"a,b\""));
	assert_true(WEAK("\"x\", \"a,b\"", "W/\"a,b\""));
	assert_false(WEAK("\"a,b\"", "\"a\""));
	assert_false(WEAK("\"a\" \"b\"", "\"a\"")); /* no comma */
	assert_false(WEAK("\"a\"x", "\"a\""));
	assert_true(STRONG("\"a,b\"", "\"a,b\""));
}

static int
nm(enum h1_method m, const struct h1_hdr *rq, unsigned n, const char *etag,
   const char *lm, double date)
{
	return (rfc_not_modified(m, rq, n, etag, etag ? strlen(etag) : 0, lm,
				 lm ? strlen(lm) : 0, date, D));
}

static void
t_nm_if_none_match(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-None-Match", "\"x\", W/\"v1\"")};
	struct h1_hdr star[] = {H("If-None-Match", "*")};

	assert_int_equal(nm(H1M_GET, rq, 1, "\"v1\"", NULL, 0), 1);
	assert_int_equal(nm(H1M_HEAD, rq, 1, "\"v1\"", NULL, 0), 1);
	assert_int_equal(nm(H1M_GET, rq, 1, "\"v2\"", NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, star, 1, NULL, NULL, 0), 1);
	assert_int_equal(nm(H1M_POST, rq, 1, "\"v1\"", NULL, 0), 0);
}

static void
t_nm_inm_precedence(void **state UNUSED)
{
	/* If-None-Match fails, If-Modified-Since would pass: 200 */
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D),
			      H("If-None-Match", "\"old\"")};
	/* a malformed If-None-Match still disables If-Modified-Since */
	struct h1_hdr bad[] = {H("If-None-Match", "old"),
			       H("If-Modified-Since", DATE_D)};
	/* a second, malformed If-None-Match line voids the match */
	struct h1_hdr two[] = {H("If-None-Match", "\"v1\""),
			       H("If-None-Match", "junk")};
	struct h1_hdr two_ok[] = {H("If-None-Match", "\"a\""),
				  H("If-None-Match", "\"v1\"")};

	assert_int_equal(nm(H1M_GET, rq, 2, "\"v1\"", DATE_D, D), 0);
	assert_int_equal(nm(H1M_GET, rq, 1, "\"v1\"", DATE_D, D), 1);
	assert_int_equal(nm(H1M_GET, bad, 2, "\"v1\"", DATE_D, D), 0);
	assert_int_equal(nm(H1M_GET, two, 2, "\"v1\"", NULL, 0), 0);
	assert_int_equal(nm(H1M_GET, two_ok, 2, "\"v1\"", NULL, 0), 1);
}

static void
t_nm_if_modified_since(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D)};
	struct h1_hdr bad[] = {H("If-Modified-Since", "yesterday")};
	struct h1_hdr two[] = {H("If-Modified-Since", DATE_D),
			       H("If-Modified-Since", DATE_D)};

	/* Last-Modified at or before the date: 304 */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, DATE_D, 0), 1);
	assert_int_equal(
	    nm(H1M_GET, rq, 1, NULL, "Sat, 05 Nov 1994 08:49:37 GMT", 0), 1);
	assert_int_equal(nm(H1M_HEAD, rq, 1, NULL, DATE_D, 0), 1);
	assert_int_equal(
	    nm(H1M_GET, rq, 1, NULL, "Sun, 06 Nov 1994 08:49:38 GMT", 0), 0);
	assert_int_equal(nm(H1M_GET, bad, 1, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_GET, two, 2, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_POST, rq, 1, NULL, DATE_D, 0), 0);
	assert_int_equal(nm(H1M_GET, NULL, 0, "\"a\"", DATE_D, 0), 0);
	/* If-Match / If-Unmodified-Since are not a cache's to answer */
	struct h1_hdr im[] = {H("If-Match", "\"a\""),
			      H("If-Unmodified-Since", DATE_D)};
	assert_int_equal(nm(H1M_GET, im, 2, "\"a\"", DATE_D, 0), 0);
}

static void
t_nm_ims_fallbacks(void **state UNUSED)
{
	struct h1_hdr rq[] = {H("If-Modified-Since", DATE_D)};

	/* no Last-Modified: the stored Date */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, D - 10), 1);
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, D + 10), 0);
	/* invalid Last-Modified: likewise */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, "bogus", D + 10), 0);
	/* no Date either: response_time (D here) */
	assert_int_equal(nm(H1M_GET, rq, 1, NULL, NULL, 0), 1);
	assert_int_equal(
	    rfc_not_modified(H1M_GET, rq, 1, NULL, 0, NULL, 0, 0, D + 1), 0);
}

static void
t_304_hdr(void **state UNUSED)
{
	static const char *keep[] = {"Cache-Control", "content-location",
				     "Date",          "ETAG",
				     "Expires",       "Vary"};
	static const char *drop[] = {"Content-Length", "Content-Type",
				     "Set-Cookie", "Content-Encoding",
				     "Transfer-Encoding"};
	struct h1_hdr h;
	unsigned i;

	for (i = 0; i < NH(keep); i++) {
		h = (struct h1_hdr){.name = keep[i],
				    .name_len = strlen(keep[i])};
		assert_true(rfc_304_hdr(&h, 1));
	}
	for (i = 0; i < NH(drop); i++) {
		h = (struct h1_hdr){.name = drop[i],
				    .name_len = strlen(drop[i])};
		assert_false(rfc_304_hdr(&h, 0));
	}
	h = (struct h1_hdr)H("Last-Modified", DATE_D);
	assert_false(rfc_304_hdr(&h, 1));
	assert_true(rfc_304_hdr(&h, 0));
}

static void
t_304_update_hdr(void **state UNUSED)
{
	static const char *upd[] = {
	    "Cache-Control", "ETag",          "Expires",
	    "Date",          "Last-Modified", "Content-Type",
	    "X-Custom",      "Vary",          "Set-Cookie"};
	static const char *keep[] = {"Content-Length",
				     "content-range",
				     "Transfer-Encoding",
				     "Connection",
				     "Keep-Alive",
				     "TE",
				     "Trailer",
				     "Upgrade",
				     "Proxy-Authenticate",
				     "Age",
				     "Proxy-Authentication-Info",
				     "Proxy-Connection",
				     "Proxy-Authorization"};
	struct h1_hdr h;
	unsigned i;

	for (i = 0; i < NH(upd); i++) {
		h = (struct h1_hdr){.name = upd[i], .name_len = strlen(upd[i])};
		assert_true(rfc_304_update_hdr(&h));
	}
	for (i = 0; i < NH(keep); i++) {
		h = (struct h1_hdr){.name = keep[i],
				    .name_len = strlen(keep[i])};
		assert_false(rfc_304_update_hdr(&h));
	}
}

/* ---------------- ranges ---------------- */

static enum rfc_range_rc
rp(const char *v, uint64_t size, struct rfc_range *r, unsigned max, unsigned *n)
{
	return (rfc_range_parse(v, strlen(v), size, r, max, n));
}

static void
t_range_simple(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n = 9;

	assert_int_equal(rp("bytes=0-0", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 0);
	assert_int_equal(rp("bytes=0-499", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].last, 499);
	assert_int_equal(rp("Bytes=10-19", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 10);
	assert_int_equal(r[0].last, 19);
	assert_int_equal(rp("bytes=999-999", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 999);
}

static void
t_range_suffix(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=-500", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=-500", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=-1", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 99);
	assert_int_equal(rp("bytes=-0", 100, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(n, 0);
}

static void
t_range_open(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=500-", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=0-", 1, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].last, 0);
}

static void
t_range_multiple(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=0-9, 20-29,-5", 100, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 9);
	assert_int_equal(r[1].first, 20);
	assert_int_equal(r[1].last, 29);
	assert_int_equal(r[2].first, 95);
	assert_int_equal(r[2].last, 99);
	/* empty list elements are allowed */
	assert_int_equal(rp("bytes=0-1,,\t, 4-5", 100, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(n, 2);
}

static void
t_range_coalesce(void **state UNUSED)
{
	struct rfc_range r[8];
	unsigned n;

	/* overlapping and adjacent ranges merge */
	assert_int_equal(rp("bytes=0-9,5-14,15-20", 100, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 20);
	/* out of order: sorted; a gap keeps them apart */
	assert_int_equal(rp("bytes=50-59,0-9,-10,8-12", 100, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 12);
	assert_int_equal(r[1].first, 50);
	assert_int_equal(r[1].last, 59);
	assert_int_equal(r[2].first, 90);
	assert_int_equal(r[2].last, 99);
	/* the same range many times is one */
	assert_int_equal(rp("bytes=0-0,0-0,0-0,0-0,0-0", 10, r, 8, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
}

static void
t_range_beyond(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=500-2000", 1000, r, 4, &n), RFC_RANGE_OK);
	assert_int_equal(r[0].first, 500);
	assert_int_equal(r[0].last, 999);
	assert_int_equal(rp("bytes=1000-1100", 1000, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=1000-", 1000, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=0-1,5000-6000", 1000, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].last, 1);
}

static void
t_range_zero_size(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(rp("bytes=0-", 0, r, 4, &n), RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=0-0", 0, r, 4, &n), RFC_RANGE_UNSAT);
	/* a suffix of an empty representation is the whole of it */
	assert_int_equal(rp("bytes=-5", 0, r, 4, &n), RFC_RANGE_FULL);
	assert_int_equal(rp("bytes=-0", 0, r, 4, &n), RFC_RANGE_FULL);
}

static void
t_range_ignored(void **state UNUSED)
{
	static const char *bad[] = {
	    "items=0-5",   "bytes 0-5",  "bytes=5-1",   "bytes=abc",
	    "bytes=",      "bytes=,",    "bytes=0-5;x", "bytes = 0-5",
	    "bytes",       "bytes=--5",  "bytes=-",     "bytes=1-2-3",
	    "bytes=0 -5",  "bytes=+1-2", "bytesx=0-1",  "",
	    "bytes=0-1,x", "bytes=0x1-2"};
	struct rfc_range r[4];
	unsigned i, n = 7;

	for (i = 0; i < NH(bad); i++) {
		if (rp(bad[i], 1000, r, 4, &n) != RFC_RANGE_FULL)
			fail_msg("\"%s\" not ignored", bad[i]);
		assert_int_equal(n, 0);
	}
	assert_int_equal(rfc_range_parse(NULL, 0, 10, r, 4, &n),
			 RFC_RANGE_FULL);
}

static void
t_range_huge_numbers(void **state UNUSED)
{
	struct rfc_range r[4];
	unsigned n;

	assert_int_equal(
	    rp("bytes=0-99999999999999999999999999", 100, r, 4, &n),
	    RFC_RANGE_OK);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=99999999999999999999999999-", 100, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(rp("bytes=-99999999999999999999999999", 100, r, 4, &n),
			 RFC_RANGE_OK);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 99);
	assert_int_equal(rp("bytes=18446744073709551615-18446744073709551615",
			    UINT64_MAX, r, 4, &n),
			 RFC_RANGE_UNSAT);
	assert_int_equal(
	    rp("bytes=18446744073709551614-", UINT64_MAX, r, 4, &n),
	    RFC_RANGE_OK);
	assert_true(r[0].first == UINT64_MAX - 1);
	assert_true(r[0].last == UINT64_MAX - 1);
	/* last-pos saturates, so "huge-huger" is not last < first */
	assert_int_equal(rp("bytes=99999999999999999999999-88888888888888888888"
			    "88888888",
			    100, r, 4, &n),
			 RFC_RANGE_UNSAT);
}

static void
t_range_max(void **state UNUSED)
{
	struct rfc_range r[3];
	unsigned n;

	assert_int_equal(rp("bytes=0-0,2-2,4-4", 10, r, 3, &n), RFC_RANGE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rp("bytes=0-0,2-2,4-4,6-6", 10, r, 3, &n),
			 RFC_RANGE_FULL);
	/* unsatisfiable specs count too: the bound is on work */
	assert_int_equal(rp("bytes=0-0,20-,30-,40-", 10, r, 3, &n),
			 RFC_RANGE_FULL);
	assert_int_equal(rp("bytes=0-0,,,,,,,,,2-2", 10, r, 3, &n),
			 RFC_RANGE_OK);
}

static void
t_if_range_etag(void **state UNUSED)
{
	assert_int_equal(rfc_if_range("\"v1\"", 4, "\"v1\"", 4, NULL, 0, 0), 1);
	assert_int_equal(rfc_if_range("\"v2\"", 4, "\"v1\"", 4, NULL, 0, 0), 0);
	assert_int_equal(rfc_if_range("W/\"v1\"", 6, "\"v1\"", 4, NULL, 0, 0),
			 0);
	assert_int_equal(rfc_if_range("\"v1\"", 4, "W/\"v1\"", 6, NULL, 0, 0),
			 0);
	assert_int_equal(rfc_if_range("\"v1\"", 4, NULL, 0, DATE_D, 29, D + 5),
			 0);
	assert_int_equal(rfc_if_range("\"v1", 3, "\"v1", 3, NULL, 0, 0), 0);
	assert_int_equal(rfc_if_range("*", 1, "\"v1\"", 4, NULL, 0, 0), 0);
}

static void
t_if_range_date(void **state UNUSED)
{
	const char *lm = DATE_D;

	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, D + 1), 1);
	/* same instant in another format is the same date */
	assert_int_equal(rfc_if_range("Sun Nov  6 08:49:37 1994", 24, NULL, 0,
				      lm, 29, D + 60),
			 1);
	/* Last-Modified not a second before Date: weak, no range */
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, D + 0.5), 0);
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, lm, 29, 0), 0);
	assert_int_equal(rfc_if_range("Sun, 06 Nov 1994 08:49:38 GMT", 29, NULL,
				      0, lm, 29, D + 60),
			 0);
	assert_int_equal(rfc_if_range(lm, 29, NULL, 0, NULL, 0, D + 60), 0);
	assert_int_equal(rfc_if_range("garbage", 7, "\"a\"", 3, lm, 29, D + 60),
			 0);
	assert_int_equal(rfc_if_range(lm, 29, "\"a\"", 3, lm, 29, D + 60), 1);
}

static void
t_content_range_fmt(void **state UNUSED)
{
	char b[80];
	struct rfc_range r = {0, 499};

	assert_int_equal(rfc_content_range_fmt(b, sizeof b, &r, 1234), 16);
	assert_string_equal(b, "bytes 0-499/1234");
	assert_int_equal(rfc_content_range_unsat_fmt(b, sizeof b, 1234), 12);
	assert_string_equal(b, "bytes */1234");
	assert_int_equal(rfc_content_range_fmt(b, 16, &r, 1234), -1);
	assert_string_equal(b, "");
	assert_int_equal(rfc_content_range_fmt(b, 17, &r, 1234), 16);
	r.first = r.last = UINT64_MAX - 1;
	assert_int_equal(rfc_content_range_fmt(b, sizeof b, &r, UINT64_MAX),
			 68);
	assert_string_equal(b, "bytes 18446744073709551614-18446744073709551614"
			       "/18446744073709551615");
}

static void
t_multipart(void **state UNUSED)
{
	char b[256];
	struct rfc_range r[2] = {{0, 4}, {10, 19}};
	uint64_t total = 0;
	int len;

	len = rfc_multipart_part_fmt(b, sizeof b, "XyZ", "text/plain", 10,
				     &r[0], 100, 1);
	assert_string_equal(b, "--XyZ\r\nContent-Type: text/plain\r\n"
			       "Content-Range: bytes 0-4/100\r\n\r\n");
	assert_int_equal(len, (int)strlen(b));
	len =
	    rfc_multipart_part_fmt(b, sizeof b, "XyZ", NULL, 0, &r[1], 100, 0);
	assert_string_equal(b, "\r\n--XyZ\r\nContent-Range: bytes 10-19/100"
			       "\r\n\r\n");
	assert_int_equal(rfc_multipart_end_fmt(b, sizeof b, "XyZ"), 11);
	assert_string_equal(b, "\r\n--XyZ--\r\n");
	assert_int_equal(rfc_multipart_ctype_fmt(b, sizeof b, "XyZ"), 34);
	assert_string_equal(b, "multipart/byteranges; boundary=XyZ");
	assert_int_equal(
	    rfc_multipart_part_fmt(b, 10, "XyZ", NULL, 0, &r[1], 100, 0), -1);
	/* the announced length is what the parts add up to */
	for (int i = 0; i < 2; i++) {
		len = rfc_multipart_part_fmt(b, sizeof b, "XyZ", "text/plain",
					     10, &r[i], 100, i == 0);
		total += (uint64_t)len + (r[i].last - r[i].first + 1);
	}
	total += (uint64_t)rfc_multipart_end_fmt(b, sizeof b, "XyZ");
	assert_int_equal(
	    rfc_multipart_length("XyZ", "text/plain", 10, r, 2, 100), total);
	len = rfc_multipart_part_fmt(b, sizeof b, "b", NULL, 0, &r[0], 5, 1);
	total = (uint64_t)len + 5 + 9; /* "\r\n--b--\r\n" */
	assert_int_equal(rfc_multipart_length("b", NULL, 0, r, 1, 5), total);
}

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

/* ---------------- a whole exchange ---------------- */

static void
t_flow_miss_hit_revalidate(void **state UNUSED)
{
	/* origin answers at D with max-age=60, Age 10; fetch took 1 s */
	struct h1_hdr rs[] = {H("Date", DATE_D), H("Age", "10"),
			      H("Cache-Control", "max-age=60, "
						 "stale-while-revalidate=5"),
			      H("ETag", "\"v1\"")};
	struct h1_hdr rq[] = {H("Host", "x")};
	struct rfc_opts o = opts();
	struct rfc_fresh f;
	struct rfc_cc rc;
	const char *why;
	double agev, age;

	assert_int_equal(rfc_storable(H1M_GET, rq, 1, 200, rs, 4, &o, &why), 1);
	rfc_freshness(200, rs, 4, D, &o, &f);
	assert_true(f.f_ttl == 60 && f.f_grace == 5);
	assert_int_equal(
	    rfc_age_header_parse(rs[1].value, rs[1].value_len, &agev), 0);
	rfc_req_cc(rq, 1, &rc);
	/* initial age 11: fresh for another 49 s */
	age = rfc_age(D, agev, D - 1, D, D + 48);
	assert_true(age == 59);
	assert_int_equal(rfc_req_eval(&rc, &f, age), RFC_USE_FRESH);
	age = rfc_age(D, agev, D - 1, D, D + 49);
	assert_int_equal(rfc_req_eval(&rc, &f, age), RFC_USE_STALE_SERVABLE);
	age = rfc_age(D, agev, D - 1, D, D + 54);
	assert_int_equal(rfc_req_eval(&rc, &f, age), RFC_USE_MUST_REVALIDATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_cc_init),
	    cmocka_unit_test(t_cc_flags),
	    cmocka_unit_test(t_cc_case_insensitive),
	    cmocka_unit_test(t_cc_numbers),
	    cmocka_unit_test(t_cc_quoted),
	    cmocka_unit_test(t_cc_field_lists_whole),
	    cmocka_unit_test(t_cc_malformed_max_age),
	    cmocka_unit_test(t_cc_request_malformed_ignored),
	    cmocka_unit_test(t_cc_overflow),
	    cmocka_unit_test(t_cc_duplicates),
	    cmocka_unit_test(t_cc_unknown_and_empty),
	    cmocka_unit_test(t_cc_ows),
	    cmocka_unit_test(t_tcc_valid),
	    cmocka_unit_test(t_tcc_invalid),
	    cmocka_unit_test(t_tcc_wrong_types_ignored),
	    cmocka_unit_test(t_tcc_last_wins),
	    cmocka_unit_test(t_resp_cc_precedence),
	    cmocka_unit_test(t_req_cc_pragma),
	    cmocka_unit_test(t_date_imf),
	    cmocka_unit_test(t_date_rfc850),
	    cmocka_unit_test(t_date_asctime),
	    cmocka_unit_test(t_date_rfc850_years),
	    cmocka_unit_test(t_date_invalid),
	    cmocka_unit_test(t_date_years),
	    cmocka_unit_test(t_date_leap_days),
	    cmocka_unit_test(t_date_leap_second),
	    cmocka_unit_test(t_date_lenient_names),
	    cmocka_unit_test(t_date_fmt),
	    cmocka_unit_test(t_date_roundtrip),
	    cmocka_unit_test(t_store_basic),
	    cmocka_unit_test(t_store_method),
	    cmocka_unit_test(t_store_status),
	    cmocka_unit_test(t_store_status_sets),
	    cmocka_unit_test(t_store_no_store),
	    cmocka_unit_test(t_store_must_understand),
	    cmocka_unit_test(t_store_private),
	    cmocka_unit_test(t_store_authorization),
	    cmocka_unit_test(t_store_set_cookie),
	    cmocka_unit_test(t_store_vary_star),
	    cmocka_unit_test(t_store_targeted),
	    cmocka_unit_test(t_store_explicit_freshness),
	    cmocka_unit_test(t_fresh_s_maxage_wins),
	    cmocka_unit_test(t_fresh_max_age_over_expires),
	    cmocka_unit_test(t_fresh_expires_over_heuristic),
	    cmocka_unit_test(t_fresh_expires_invalid),
	    cmocka_unit_test(t_fresh_expires_past),
	    cmocka_unit_test(t_fresh_no_date_uses_response_time),
	    cmocka_unit_test(t_fresh_rfc850_years_by_clock),
	    cmocka_unit_test(t_fresh_expires_multiple),
	    cmocka_unit_test(t_fresh_heuristic),
	    cmocka_unit_test(t_fresh_heuristic_status),
	    cmocka_unit_test(t_fresh_heuristic_bad_lm),
	    cmocka_unit_test(t_fresh_default_ttl),
	    cmocka_unit_test(t_fresh_no_cache),
	    cmocka_unit_test(t_fresh_invalid_max_age),
	    cmocka_unit_test(t_fresh_grace_sie),
	    cmocka_unit_test(t_fresh_grace_forbidden),
	    cmocka_unit_test(t_fresh_keep),
	    cmocka_unit_test(t_fresh_targeted),
	    cmocka_unit_test(t_fresh_immutable),
	    cmocka_unit_test(t_age_simple),
	    cmocka_unit_test(t_age_header),
	    cmocka_unit_test(t_age_clock_skew),
	    cmocka_unit_test(t_age_no_date),
	    cmocka_unit_test(t_age_clamps),
	    cmocka_unit_test(t_age_header_parse),
	    cmocka_unit_test(t_eval_fresh_and_stale),
	    cmocka_unit_test(t_eval_grace),
	    cmocka_unit_test(t_eval_req_no_cache),
	    cmocka_unit_test(t_eval_req_max_age),
	    cmocka_unit_test(t_eval_min_fresh),
	    cmocka_unit_test(t_eval_max_stale),
	    cmocka_unit_test(t_eval_must_revalidate),
	    cmocka_unit_test(t_eval_resp_no_cache),
	    cmocka_unit_test(t_eval_only_if_cached),
	    cmocka_unit_test(t_stale_if_error),
	    cmocka_unit_test(t_is_error_status),
	    cmocka_unit_test(t_etag_weak),
	    cmocka_unit_test(t_etag_strong),
	    cmocka_unit_test(t_etag_chars),
	    cmocka_unit_test(t_nm_if_none_match),
	    cmocka_unit_test(t_nm_inm_precedence),
	    cmocka_unit_test(t_nm_if_modified_since),
	    cmocka_unit_test(t_nm_ims_fallbacks),
	    cmocka_unit_test(t_304_hdr),
	    cmocka_unit_test(t_304_update_hdr),
	    cmocka_unit_test(t_range_simple),
	    cmocka_unit_test(t_range_suffix),
	    cmocka_unit_test(t_range_open),
	    cmocka_unit_test(t_range_multiple),
	    cmocka_unit_test(t_range_coalesce),
	    cmocka_unit_test(t_range_beyond),
	    cmocka_unit_test(t_range_zero_size),
	    cmocka_unit_test(t_range_ignored),
	    cmocka_unit_test(t_range_huge_numbers),
	    cmocka_unit_test(t_range_max),
	    cmocka_unit_test(t_if_range_etag),
	    cmocka_unit_test(t_if_range_date),
	    cmocka_unit_test(t_content_range_fmt),
	    cmocka_unit_test(t_multipart),
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
	    cmocka_unit_test(t_flow_miss_hit_revalidate),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
