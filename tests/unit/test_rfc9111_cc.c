/* test_rfc9111_cc.c: Cache-Control parsing (RFC 9111 section 5.2) and the
 * targeted Cache-Control fields of RFC 9213 (accel/rfc9111*.c), one test per
 * rule, exact values.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

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
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
