/* test_rfc9111_fresh.c: freshness lifetime, Age and the evaluation of a
 * request against a stored response (RFC 9111 sections 4.2 and 5.2.1) in
 * accel/rfc9111*.c, one test per rule, plus one whole exchange.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

static struct rfc_fresh
fresh_of(int status, const struct h1_hdr *h, unsigned n, double rt,
	 const struct rfc_opts *o)
{
	struct rfc_fresh f;

	rfc_freshness(status, h, n, rt, o, &f);
	return (f);
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
	    cmocka_unit_test(t_flow_miss_hit_revalidate),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
