/*
 * test_cache_collide.c: xxHash is not collision-proof, so the cache must
 * tell URLs apart by the hash inputs each object keeps, not by the key.
 * With -p debug_hash_collide=1 every URL gets one key: each must still be
 * served its own object and never another's, and PURGE and invalidation
 * must remove exactly the objects of the URL they name.
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>

#define COLLIDE "-p debug_hash_collide=1"

/* Start the rig with every key colliding, and check accel says so. */
static struct rig *
rig_collide(void)
{
	struct rig *t = RIG_START(COLLIDE);

	if (strstr(hx_accel_log(t->a), "debug_hash_collide") == NULL)
		HX_FAIL("accel did not report debug_hash_collide:\n%s",
			hx_accel_log(t->a));
	return t;
}

/* GET path: a miss, stored with the body "<path> body". */
#define STORE(t, path)                                                         \
	get_expect_at(t->c, path, hx_printf("%s body", path), WANT_STORED, 60, \
		      60, __FILE__, __LINE__)
/* GET path: a hit on "<path> body". */
#define HIT(t, path)                                                           \
	get_expect_at(t->c, path, hx_printf("%s body", path), WANT_HIT, 55,    \
		      60, __FILE__, __LINE__)

/* Queue "<path> body", fresh for 60 s, for each path. */
static void
bodies(struct hx_origin *o, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		respond_fresh(o, hx_printf("%s body", paths[i]));
}

/* /x and /y share a key: each is stored (a plain miss, not a hit on the
 * other), each hits its own body, and /z is a miss. */
static void
colliding_urls_served_their_own(void **state)
{
	static const char *const p[] = {"/x", "/y", "/z"};
	struct rig *t = rig_collide();

	bodies(t->o, p, 3);
	STORE(t, "/x");
	STORE(t, "/y");
	HIT(t, "/x");
	HIT(t, "/y");
	STORE(t, "/z");
	HIT(t, "/z");
	HIT(t, "/y");
	HIT(t, "/x");

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 3);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 5);
}

/* PURGE /x removes /x only: a second PURGE /x finds nothing, /y hits. */
static void
purge_removes_only_its_url(void **state)
{
	static const char *const p[] = {"/x", "/y", "/x"};
	struct rig *t = rig_collide();

	bodies(t->o, p, 3);
	STORE(t, "/x");
	STORE(t, "/y");
	rig_close(t);

	PURGE_EXPECT(t, "/x", 200);
	PURGE_EXPECT(t, "/x", 404);
	PURGE_EXPECT(t, "/nothing", 404);

	RIG_RECONNECT(t);
	HIT(t, "/y");
	STORE(t, "/x");
	HIT(t, "/x");

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 3);
}

/* An unsafe method invalidates its target and its Location, not the
 * other URLs under the same key. */
static void
invalidation_removes_only_its_urls(void **state)
{
	static const char *const p[] = {"/x", "/y", "/z", "/x", "/y"};
	struct rig *t = rig_collide();
	struct hx_resp *r;

	bodies(t->o, p, 3);
	STORE(t, "/x");
	STORE(t, "/y");
	STORE(t, "/z");

	respond(t->o, "HTTP/1.1 204 No Content\r\n\r\n");
	r = POST(t->c, "/w"); /* nothing cached under /w */
	HX_ASSERT_STATUS(r, 204);
	HIT(t, "/x");
	HIT(t, "/y");
	HIT(t, "/z");

	respond(t->o, "HTTP/1.1 201 Created\r\nLocation: /y\r\n"
		      "Content-Length: 0\r\n\r\n");
	r = POST(t->c, "/x");
	HX_ASSERT_STATUS(r, 201);
	HIT(t, "/z");
	bodies(t->o, p + 3, 2);
	STORE(t, "/x");
	STORE(t, "/y");

	RIG_DONE(t, 7);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 1);
}

/* Variants of /x and an object of /y without Vary (which would match any
 * request) share a key: /y is never a variant of /x. */
static void
variants_stay_with_their_url(void **state)
{
	struct rig *t = rig_collide();
	struct hx_resp *r;

	respond(t->o, ok(MAX_AGE_60 "Vary: Accept-Encoding\r\n", "x gzip"));
	respond_fresh(t->o, "/y body");
	respond(t->o, ok(MAX_AGE_60 "Vary: Accept-Encoding\r\n", "x identity"));

	r = GETX(t->c, "/x", "Accept-Encoding: gzip\r\n");
	HX_ASSERT_BODY(r, "x gzip");
	STORE(t, "/y");
	r = GETX(t->c, "/x", "Accept-Encoding: identity\r\n");
	HX_ASSERT_BODY(r, "x identity");
	ASSERT_CS(r, "accel; fwd=vary-miss; stored; ttl=60");
	r = GETX(t->c, "/x", "Accept-Encoding: gzip\r\n");
	HX_ASSERT_BODY(r, "x gzip");
	ASSERT_HIT(r, 55, 60);
	HIT(t, "/y");

	RIG_DONE(t, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(colliding_urls_served_their_own),
	    HX_TEST(purge_removes_only_its_url),
	    HX_TEST(invalidation_removes_only_its_urls),
	    HX_TEST(variants_stay_with_their_url),
	};

	return HX_RUN(tests);
}
