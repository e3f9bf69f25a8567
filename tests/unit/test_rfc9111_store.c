/* test_rfc9111_store.c: whether a response may be stored (RFC 9111
 * section 3) in accel/rfc9111*.c, one test per rule, exact reasons.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
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
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
