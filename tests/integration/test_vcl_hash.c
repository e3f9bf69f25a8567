/*
 * test_vcl_hash.c: the cache key as vcl_hash makes it, in the daemon. The
 * built-in vcl_hash alone (hash_data(req.http.host); hash_data(req.url))
 * is made by accel without a run, from those two values read through its
 * host operations (docs/vcl-internals.md, "Cost budget"); a user's
 * vcl_hash before it is run by the interpreter. Both must give the keys
 * the VCL says.
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>

/* GET target with Host: host and these fields (each ending in CRLF);
 * its body is `body` and its Cache-Status holds `cs`. */
#define GET_KEY(c, host, target, fields, body, cs) \
	get_key_at(c, host, target, fields, body, cs, __FILE__, __LINE__)
static struct hx_resp *
get_key_at(struct hx_conn *c, const char *host, const char *target,
    const char *fields, const char *body, const char *cs, const char *file,
    int line)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
	    target, host, fields);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	hx_assert_body_at(r, body, strlen(body), file, line);
	assert_cs_has_at(r, cs, file, line);
	return r;
}

/* The built-in key: the host and the URL (path and query), nothing
 * else; an absent Host (HTTP/1.0) is a key of its own. */
static void
builtin_key_is_host_then_url(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	(void)state;
	respond_fresh(t->o, "a");
	respond_fresh(t->o, "b");
	respond_fresh(t->o, "c");
	respond_fresh(t->o, "d");
	GET_KEY(t->c, "h", "/k", "", "a", "stored");
	GET_KEY(t->c, "h", "/k", "X-Variant: 2\r\nCookie: x=1\r\n", "a", "hit");
	GET_KEY(t->c, "other", "/k", "", "b", "stored");
	GET_KEY(t->c, "h", "/k?q", "", "c", "stored");
	GET_KEY(t->c, "other", "/k", "", "b", "hit");
	r = hx_request(t->c, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "\r\n");
	HX_ASSERT_BODY(r, "d");
	ASSERT_CS_HAS(r, "stored");
	RIG_DONE(t, 4);
}

/*
 * The rig on tests/vcl/daemon/hash-variant.vcl, its backend the origin:
 * with -f alone, or with -b too for an accel that wants both (before the
 * VCL's backends were bound; the probe is a start that fails at once).
 */
static struct rig *
variant_rig(void)
{
	struct rig *t = hx_alloc(sizeof(*t));
	const char *path = hx_printf("%s/hash-variant.vcl", hx_tmpdir());
	char text[4096];
	struct hx_accel *probe;
	FILE *f = fopen("tests/vcl/daemon/hash-variant.vcl", "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	t->o = hx_origin_start();
	f = fopen(path, "w");
	assert_non_null(f);
	/* the file's backend is 127.0.0.1:8080: the origin's port instead */
	assert_non_null(strstr(text, "\"8080\""));
	fprintf(f, "%.*s\"%d\"%s", (int)(strstr(text, "\"8080\"") - text),
	    text, t->o->port, strstr(text, "\"8080\"") + 6);
	fclose(f);
	probe = hx_accel_spawn("-a 127.0.0.1:0 -t 1 -f %s -n %s/probe", path,
	    hx_tmpdir());
	if (hx_accel_wait(probe, 1000) == -1) {
		(void)hx_accel_stop(probe);
		t->a = hx_accel_start("-f %s", path);
	} else
		t->a = hx_accel_start("-b 127.0.0.1:%d -f %s", t->o->port,
		    path);
	t->c = hx_connect(t->a->port);
	return t;
}

/* A user's vcl_hash adding X-Variant: run, its inputs before the
 * built-in ones; requests without the header share the built-in key. */
static void
user_vcl_hash_is_run(void **state)
{
	struct rig *t = variant_rig();

	(void)state;
	respond_fresh(t->o, "one");
	respond_fresh(t->o, "two");
	respond_fresh(t->o, "none");
	GET_KEY(t->c, "h", "/k", "X-Variant: 1\r\n", "one", "stored");
	GET_KEY(t->c, "h", "/k", "X-Variant: 1\r\n", "one", "hit");
	GET_KEY(t->c, "h", "/k", "X-Variant: 2\r\n", "two", "stored");
	GET_KEY(t->c, "h", "/k", "", "none", "stored");
	GET_KEY(t->c, "h", "/k", "X-Variant: 2\r\n", "two", "hit");
	GET_KEY(t->c, "h", "/k", "", "none", "hit");
	RIG_DONE(t, 3);
}

/* An origin and accel running `vcl` (after a backend on the origin). */
static struct rig *
vcl_rig(const char *vcl)
{
	struct rig *t = hx_alloc(sizeof(*t));

	t->o = hx_origin_start();
	t->a = hx_accel_start("-f %s", hx_vcl_file(t->o->port, vcl));
	t->c = hx_connect(t->a->port);
	return t;
}

/* A vcl_hash that hashes more than the host and the URL (an 8 KB
 * cookie): the key's inputs grow in the workspace, and two cookies that
 * differ in their last byte are two objects. */
static void
user_vcl_hash_hashes_a_long_cookie(void **state)
{
	struct rig *t = vcl_rig("sub vcl_hash {\n\thash_data(req.http.Cookie);\n}\n");
	char *big = hx_alloc(8001);

	(void)state;
	memset(big, 'b', 8000);
	big[8000] = '\0';
	respond_fresh(t->o, "one");
	respond_fresh(t->o, "two");
	big[7999] = '1';
	GET_KEY(t->c, "h", "/c", hx_printf("Cookie: %s\r\n", big), "one",
	    "stored");
	big[7999] = '2';
	GET_KEY(t->c, "h", "/c", hx_printf("Cookie: %s\r\n", big), "two",
	    "stored");
	big[7999] = '1';
	GET_KEY(t->c, "h", "/c", hx_printf("Cookie: %s\r\n", big), "one",
	    "hit");
	RIG_DONE(t, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(builtin_key_is_host_then_url),
	    HX_TEST(user_vcl_hash_is_run),
	    HX_TEST(user_vcl_hash_hashes_a_long_cookie),
	};
	return HX_RUN(tests);
}
