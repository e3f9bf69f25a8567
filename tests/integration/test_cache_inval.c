/*
 * test_cache_inval.c: invalidation after unsafe methods (RFC 9111
 * section 4.4): a non-error answer invalidates the target and the
 * same-origin URIs its Location and Content-Location name, absolute or
 * relative (resolved against the request's path); other origins and
 * error answers invalidate nothing. The target alone: test_cache_ops.c.
 *
 * Every object here is cached as "old <path>"; after the unsafe request
 * a GET either still hits it or is a miss that stores "new <path>".
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>

/* GET path: a miss, stored with the body "old <path>". */
#define STORE(t, path) store_at(t, path, __FILE__, __LINE__)
static void
store_at(struct rig *t, const char *path, const char *file, int line)
{
	const char *body = hx_printf("old %s", path);

	respond_fresh(t->o, body);
	get_expect_at(t->c, path, body, WANT_STORED, 60, 60, file, line);
}

/* GET path: not invalidated, still a hit on "old <path>". */
#define KEPT(t, path)                                                          \
	get_expect_at(t->c, path, hx_printf("old %s", path), WANT_HIT, 55, 60, \
		      __FILE__, __LINE__)

/* GET path: invalidated, a miss that stores "new <path>". */
#define GONE(t, path) gone_at(t, path, __FILE__, __LINE__)
static void
gone_at(struct rig *t, const char *path, const char *file, int line)
{
	const char *body = hx_printf("new %s", path);

	respond_fresh(t->o, body);
	get_expect_at(t->c, path, body, WANT_STORED, 60, 60, file, line);
}

/* `method path` with the one-byte body "x", which the origin answers
 * with `answer`; the client gets the answer's status. */
#define UNSAFE(t, method, path, answer, status)                                \
	unsafe_at(t, method, path, answer, status, __FILE__, __LINE__)
static void
unsafe_at(struct rig *t, const char *method, const char *path,
	  const char *answer, int status, const char *file, int line)
{
	const char *req = hx_printf("%s %s HTTP/1.1\r\nHost: h\r\n"
				    "Content-Length: 1\r\n\r\nx",
				    method, path);
	struct hx_resp *r;

	respond(t->o, answer);
	r = hx_request_at(t->c, req, strlen(req), 0, file, line);
	hx_assert_status_at(r, status, file, line);
}

/* An empty answer with this status line and these fields. */
static const char *
answer(const char *status, const char *fields)
{
	return hx_printf("HTTP/1.1 %s\r\n%sContent-Length: 0\r\n\r\n", status,
			 fields);
}

/* ------------------------------------------------------------------ */
/* What invalidates                                                    */

/* POST /a answered 201 with Location: /b drops /a and /b, not /c. */
static void
location_invalidates(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/a");
	STORE(t, "/b");
	STORE(t, "/c");
	UNSAFE(t, "POST", "/a", answer("201 Created", "Location: /b\r\n"), 201);
	GONE(t, "/b");
	GONE(t, "/a");
	KEPT(t, "/c");

	RIG_DONE(t, 6);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 1);
}

/* Content-Location likewise, and both fields in one answer. */
static void
content_location_invalidates(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/c");
	STORE(t, "/d");
	STORE(t, "/e");
	STORE(t, "/f");
	UNSAFE(t, "POST", "/a", answer("200 OK", "Content-Location: /c\r\n"),
	       200);
	GONE(t, "/c");
	KEPT(t, "/d");
	UNSAFE(
	    t, "POST", "/a",
	    answer("303 See Other", "Location: /d\r\nContent-Location: /e\r\n"),
	    303);
	GONE(t, "/d");
	GONE(t, "/e");
	KEPT(t, "/f");

	RIG_DONE(t, 9);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 2);
}

/* An absolute URI of the same origin: the scheme and host compared
 * without case, the default port filled in; its query is part of it. */
static void
absolute_same_origin_invalidates(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/b");
	STORE(t, "/d?x=1");
	STORE(t, "/d");
	UNSAFE(
	    t, "POST", "/a",
	    answer("201 Created", "Location: http://h/b\r\nContent-Location: "
				  "HTTP://H:80/d?x=1\r\n"),
	    201);
	GONE(t, "/b");
	GONE(t, "/d?x=1");
	KEPT(t, "/d");

	RIG_DONE(t, 6);
}

/* A relative reference is resolved against the request's path. */
static void
relative_reference_resolved(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/dir/b");
	STORE(t, "/c");
	STORE(t, "/dir/c");
	STORE(t, "/dir/q?v=2");
	UNSAFE(
	    t, "POST", "/dir/a?x=1",
	    answer("201 Created", "Location: b\r\nContent-Location: ../c\r\n"),
	    201);
	GONE(t, "/dir/b");
	GONE(t, "/c");
	KEPT(t, "/dir/c");
	UNSAFE(t, "PATCH", "/dir/a",
	       answer("200 OK", "Content-Location: ./q?v=2#frag\r\n"), 200);
	GONE(t, "/dir/q?v=2");

	RIG_DONE(t, 9);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 2);
}

/* PUT and DELETE invalidate their target and what they name. */
static void
put_and_delete_invalidate(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/p");
	STORE(t, "/q");
	STORE(t, "/d");
	STORE(t, "/e");
	STORE(t, "/bystander");
	UNSAFE(t, "PUT", "/p", answer("201 Created", "Location: /q\r\n"), 201);
	UNSAFE(t, "DELETE", "/d",
	       answer("200 OK", "Content-Location: http://h/e\r\n"), 200);
	GONE(t, "/p");
	GONE(t, "/q");
	GONE(t, "/d");
	GONE(t, "/e");
	KEPT(t, "/bystander");

	RIG_DONE(t, 11);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 2);
}

/* ------------------------------------------------------------------ */
/* What does not                                                       */

/* Another host, scheme or port is another origin: nothing of ours is
 * named (and the target held nothing, so nothing was invalidated). */
static void
cross_origin_not_invalidated(void **state)
{
	static const char *const refs[] = {
	    "Location: http://other/b\r\n",
	    "Content-Location: http://other.example/b\r\n",
	    "Location: https://h/b\r\n",
	    "Location: http://h:8080/b\r\n",
	    "Location: //other/b\r\n",
	    "Location: http://user@h/b\r\n",
	};
	struct rig *t = RIG_START("");

	STORE(t, "/b");
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		UNSAFE(t, "POST", "/a", answer("201 Created", refs[i]), 201);
		KEPT(t, "/b");
	}

	RIG_DONE(t, 1 + 6);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 0);
}

/* An error answer invalidates nothing: not the target, not what its
 * fields name. */
static void
error_answer_invalidates_nothing(void **state)
{
	struct rig *t = RIG_START("");

	STORE(t, "/a");
	STORE(t, "/b");
	STORE(t, "/c");
	UNSAFE(t, "POST", "/a",
	       answer("500 Internal Server Error",
		      "Location: /b\r\nContent-Location: /c\r\n"),
	       500);
	UNSAFE(
	    t, "PUT", "/a",
	    answer("404 Not Found", "Location: /b\r\nContent-Location: /c\r\n"),
	    404);
	KEPT(t, "/a");
	KEPT(t, "/b");
	KEPT(t, "/c");

	RIG_DONE(t, 5);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 0);
}

/* A safe method's answer invalidates nothing, whatever it names. */
static void
safe_method_invalidates_nothing(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	STORE(t, "/b");
	respond(t->o, answer("201 Created", "Location: /b\r\n"));
	/* a GET with a body is passed, but still safe */
	r = hx_request(t->c, "GET /a HTTP/1.1\r\nHost: h\r\n"
			     "Content-Length: 1\r\n\r\nx");
	HX_ASSERT_STATUS(r, 201);
	KEPT(t, "/b");

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(location_invalidates),
	    HX_TEST(content_location_invalidates),
	    HX_TEST(absolute_same_origin_invalidates),
	    HX_TEST(relative_reference_resolved),
	    HX_TEST(put_and_delete_invalidate),
	    HX_TEST(cross_origin_not_invalidated),
	    HX_TEST(error_answer_invalidates_nothing),
	    HX_TEST(safe_method_invalidates_nothing),
	};

	return HX_RUN(tests);
}
