/*
 * test_cache_vary.c: Vary variants under one key (RFC 9111 section 4.1,
 * accel/cache_vary.c). A response with Vary is stored as the variant
 * selected by the request fields it names, normalised as
 * rfc_vary_normalise() says; each variant is served to the requests that
 * select it and to no other; a new copy of a variant replaces only that
 * variant; PURGE drops them all; Vary: * is never stored.
 */
#include "tests/integration/cache_test_util.h"

#include <stdio.h>
#include <stdlib.h>

#define VARY_AE "Vary: Accept-Encoding\r\n"
#define VARY_AL "Vary: Accept-Language\r\n"

/* Cache-Status of a miss stored beside other variants of its URL. */
#define VARY_MISS_STORED "accel; fwd=vary-miss; stored; ttl=60"
#define MISS_STORED      "accel; fwd=miss; stored; ttl=60"
/* Stands for "a hit with a ttl of 55..60" in vget(). */
#define HIT NULL

/* GET target with these request fields (each ending in CRLF): the body is
 * `body`, and the Cache-Status is `cs` exactly, or a hit when cs is HIT. */
#define VGET(t, target, fields, body, cs)                                      \
	vget_at(t->c, target, fields, body, cs, __FILE__, __LINE__)
static struct hx_resp *
vget_at(struct hx_conn *c, const char *target, const char *fields,
	const char *body, const char *cs, const char *file, int line)
{
	const char *req =
	    hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n%s\r\n", target, fields);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	hx_assert_status_at(r, 200, file, line);
	hx_assert_body_at(r, body, strlen(body), file, line);
	if (cs == HIT)
		(void)assert_hit_at(r, 55, 60, file, line);
	else
		hx_assert_hdr_at(r, "Cache-Status", cs, file, line);
	return r;
}

/* The origin's next answer: 200, fresh for 60 s, with these fields. */
static void
respond_vary(struct hx_origin *o, const char *fields, const char *body)
{
	respond(o, ok(hx_printf(MAX_AGE_60 "%s", fields), body));
}

/* ------------------------------------------------------------------ */
/* Variants side by side                                               */

/* Two Accept-Encoding variants: two origin requests, then each request
 * is served its own variant, HEAD included. */
static void
two_variants_accept_encoding(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_vary(t->o, VARY_AE, "gzip body");
	respond_vary(t->o, VARY_AE, "identity body!");

	VGET(t, "/v", "Accept-Encoding: gzip\r\n", "gzip body", MISS_STORED);
	VGET(t, "/v", "Accept-Encoding: identity\r\n", "identity body!",
	     VARY_MISS_STORED);
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 0), "Accept-Encoding", "gzip");
	HX_ASSERT_REQ_HDR(hx_origin_req(t->o, 1), "Accept-Encoding",
			  "identity");

	r = VGET(t, "/v", "Accept-Encoding: gzip\r\n", "gzip body", HIT);
	HX_ASSERT_HDR(r, "Vary", "Accept-Encoding");
	VGET(t, "/v", "Accept-Encoding: identity\r\n", "identity body!", HIT);
	VGET(t, "/v", "Accept-Encoding: gzip\r\n", "gzip body", HIT);
	r = hx_request_ex(t->c,
			  "HEAD /v HTTP/1.1\r\nHost: h\r\n"
			  "Accept-Encoding: identity\r\n\r\n",
			  HX_HEAD);
	HX_ASSERT_HDR(r, "Content-Length", "14");
	ASSERT_HIT(r, 55, 60);

	RIG_DONE(t, 2);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 2);
	assert_int_equal(hx_counter(t->a, "cache_hit"), 4);
}

/* Three Accept-Language variants, hit in another order; a fourth
 * language is one more variant. */
static void
three_variants_accept_language(void **state)
{
	static const char *const lang[] = {"en", "fr", "de", "es"};
	struct rig *t = RIG_START("");

	for (int i = 0; i < 4; i++)
		respond_vary(t->o, VARY_AL, hx_printf("body %s", lang[i]));

	for (int i = 0; i < 3; i++)
		VGET(t, "/l", hx_printf("Accept-Language: %s\r\n", lang[i]),
		     hx_printf("body %s", lang[i]),
		     i == 0 ? MISS_STORED : VARY_MISS_STORED);
	for (int i = 2; i >= 0; i--)
		VGET(t, "/l", hx_printf("Accept-Language: %s\r\n", lang[i]),
		     hx_printf("body %s", lang[i]), HIT);
	ASSERT_ORIGIN_NREQ(t->o, 3);

	VGET(t, "/l", "Accept-Language: es\r\n", "body es", VARY_MISS_STORED);
	for (int i = 0; i < 4; i++)
		VGET(t, "/l", hx_printf("Accept-Language: %s\r\n", lang[i]),
		     hx_printf("body %s", lang[i]), HIT);

	RIG_DONE(t, 4);
}

/* A response varying on two fields: a variant per pair of values; the
 * Vary names may come in one line or two. */
static void
vary_on_two_fields(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, "Vary: Accept-Encoding, Accept-Language\r\n",
		     "gzip en");
	respond_vary(t->o, "Vary: Accept-Encoding, Accept-Language\r\n",
		     "gzip fr");
	respond_vary(t->o, "Vary: Accept-Encoding\r\nVary: Accept-Language\r\n",
		     "br en");

	VGET(t, "/2", "Accept-Encoding: gzip\r\nAccept-Language: en\r\n",
	     "gzip en", MISS_STORED);
	VGET(t, "/2", "Accept-Encoding: gzip\r\nAccept-Language: fr\r\n",
	     "gzip fr", VARY_MISS_STORED);
	VGET(t, "/2", "Accept-Encoding: br\r\nAccept-Language: en\r\n", "br en",
	     VARY_MISS_STORED);

	VGET(t, "/2", "Accept-Encoding: gzip\r\nAccept-Language: en\r\n",
	     "gzip en", HIT);
	/* field order in the request does not matter */
	VGET(t, "/2", "Accept-Language: fr\r\nAccept-Encoding: gzip\r\n",
	     "gzip fr", HIT);
	VGET(t, "/2", "Accept-Encoding: br\r\nAccept-Language: en\r\n", "br en",
	     HIT);

	RIG_DONE(t, 3);
}

/* ------------------------------------------------------------------ */
/* Normalisation (rfc_vary_normalise)                                  */

/*
 * Accept-Encoding is a list with case-insensitive values: elements are
 * trimmed, joined with ", ", lowercased, and several lines are one list.
 * Element order still matters.
 */
static void
list_values_normalised(void **state)
{
	static const char *const same[] = {
	    "Accept-Encoding: gzip, deflate\r\n",
	    "Accept-Encoding: gzip,deflate\r\n",
	    "Accept-Encoding: GZIP ,  Deflate\r\n",
	    "Accept-Encoding: gzip,, deflate,\r\n",
	    "Accept-Encoding: gzip\r\nAccept-Encoding: deflate\r\n",
	};
	struct rig *t = RIG_START("");

	respond_vary(t->o, VARY_AE, "gz-df");
	respond_vary(t->o, VARY_AE, "df-gz");

	VGET(t, "/n", "Accept-Encoding: gzip,  deflate\r\n", "gz-df",
	     MISS_STORED);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		VGET(t, "/n", same[i], "gz-df", HIT);
	VGET(t, "/n", "Accept-Encoding: deflate, gzip\r\n", "df-gz",
	     VARY_MISS_STORED);
	VGET(t, "/n", "Accept-Encoding: deflate,gzip\r\n", "df-gz", HIT);

	RIG_DONE(t, 2);
}

/* A field we do not know as a list is compared byte for byte (lines
 * joined with ", "): other spacing or case is another variant. */
static void
other_fields_kept_as_is(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, "Vary: X-Flavor\r\n", "a,b");
	respond_vary(t->o, "Vary: X-Flavor\r\n", "a, b");
	respond_vary(t->o, "Vary: X-Flavor\r\n", "A,b");

	VGET(t, "/o", "X-Flavor: a,b\r\n", "a,b", MISS_STORED);
	VGET(t, "/o", "X-Flavor: a, b\r\n", "a, b", VARY_MISS_STORED);
	VGET(t, "/o", "X-Flavor: A,b\r\n", "A,b", VARY_MISS_STORED);
	VGET(t, "/o", "X-Flavor: a\r\nX-Flavor: b\r\n", "a, b", HIT);
	VGET(t, "/o", "X-Flavor: a,b\r\n", "a,b", HIT);

	RIG_DONE(t, 3);
}

/* A request without the field and one with it empty select different
 * variants: absent is not the empty value. */
static void
missing_and_empty_differ(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, VARY_AL, "no field");
	respond_vary(t->o, VARY_AL, "empty field");
	respond_vary(t->o, VARY_AL, "english");

	VGET(t, "/e", "", "no field", MISS_STORED);
	HX_ASSERT_REQ_NO_HDR(hx_origin_req(t->o, 0), "Accept-Language");
	VGET(t, "/e", "Accept-Language:\r\n", "empty field", VARY_MISS_STORED);
	VGET(t, "/e", "Accept-Language: en\r\n", "english", VARY_MISS_STORED);

	VGET(t, "/e", "", "no field", HIT);
	VGET(t, "/e", "Accept-Language: \r\n", "empty field", HIT);
	VGET(t, "/e", "Accept-Language: en\r\n", "english", HIT);
	VGET(t, "/e", "X-Other: 1\r\n", "no field", HIT);

	RIG_DONE(t, 3);
}

/* ------------------------------------------------------------------ */
/* What is not stored, what replaces what, what PURGE drops            */

/* Vary: * varies on something a cache cannot see: never stored. */
static void
vary_star_not_stored(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, "Vary: *\r\n", "star 1");
	respond_vary(t->o, "Vary: Accept-Encoding, *\r\n", "star 2");
	respond_vary(t->o, "Vary: *\r\n", "star 3");

	VGET(t, "/s", "", "star 1", "accel; fwd=miss");
	VGET(t, "/s", "", "star 2", "accel; fwd=miss");
	VGET(t, "/s", "", "star 3", "accel; fwd=miss");

	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_stored"), 0);
}

/*
 * A new copy of one variant replaces that variant only, as soon as its
 * head is published: when its body is then cut short, the old copy is
 * gone too (the next request is a miss), while the other variant still
 * hits.
 */
static void
new_copy_replaces_only_its_variant(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_vary(t->o, VARY_AE, "gzip v1");
	respond_vary(t->o, VARY_AE, "identity v1");
	hx_origin_push(
	    t->o,
	    (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n" MAX_AGE_60 VARY_AE
				      "Content-Length: 100\r\n\r\ngzip v2, cut",
			       .close_after = 1});
	respond_vary(t->o, VARY_AE, "gzip v3");

	VGET(t, "/r", "Accept-Encoding: gzip\r\n", "gzip v1", MISS_STORED);
	VGET(t, "/r", "Accept-Encoding: identity\r\n", "identity v1",
	     VARY_MISS_STORED);

	/* the client asks for a fresh copy of the gzip variant */
	hx_send(t->c, "GET /r HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n"
		      "Cache-Control: no-cache\r\n\r\n");
	r = hx_recv_ex(t->c, HX_TRUNC_OK);
	ASSERT_CS(r, "accel; fwd=request; stored; ttl=60");
	assert_true(r->truncated);
	hx_accel_wait_log(t->a, "cache=miss-stored", 3, 3000);

	RIG_RECONNECT(t);
	VGET(t, "/r", "Accept-Encoding: identity\r\n", "identity v1", HIT);
	VGET(t, "/r", "Accept-Encoding: gzip\r\n", "gzip v3", VARY_MISS_STORED);
	VGET(t, "/r", "Accept-Encoding: gzip\r\n", "gzip v3", HIT);
	VGET(t, "/r", "Accept-Encoding: identity\r\n", "identity v1", HIT);

	RIG_DONE(t, 4);
}

/* PURGE drops every variant of the URL (and only that URL's): each is
 * a miss again, and the origin's new body for one variant is served. */
static void
purge_removes_every_variant(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, VARY_AE, "gzip v1");
	respond_vary(t->o, VARY_AE, "identity v1");
	respond_vary(t->o, VARY_AE, "none v1");
	respond_fresh(t->o, "bystander");
	respond_vary(t->o, VARY_AE, "gzip v2");
	respond_vary(t->o, VARY_AE, "identity v1");
	respond_vary(t->o, VARY_AE, "none v1");

	VGET(t, "/p", "Accept-Encoding: gzip\r\n", "gzip v1", MISS_STORED);
	VGET(t, "/p", "Accept-Encoding: identity\r\n", "identity v1",
	     VARY_MISS_STORED);
	VGET(t, "/p", "", "none v1", VARY_MISS_STORED);
	VGET(t, "/other", "", "bystander", MISS_STORED);
	VGET(t, "/p", "Accept-Encoding: gzip\r\n", "gzip v1", HIT);
	rig_close(t);

	PURGE_EXPECT(t, "/p", 200);
	PURGE_EXPECT(t, "/p", 404); /* nothing left under /p */

	RIG_RECONNECT(t);
	VGET(t, "/p", "Accept-Encoding: gzip\r\n", "gzip v2", MISS_STORED);
	VGET(t, "/p", "Accept-Encoding: identity\r\n", "identity v1",
	     VARY_MISS_STORED);
	VGET(t, "/p", "", "none v1", VARY_MISS_STORED);
	VGET(t, "/other", "", "bystander", HIT);
	VGET(t, "/p", "Accept-Encoding: gzip\r\n", "gzip v2", HIT);
	VGET(t, "/p", "Accept-Encoding: identity\r\n", "identity v1", HIT);
	VGET(t, "/p", "", "none v1", HIT);

	RIG_DONE(t, 7);
	assert_int_equal(hx_counter(t->a, "cache_purge"), 2);
}

/* Unsafe methods invalidate every variant too. */
static void
post_invalidates_every_variant(void **state)
{
	struct rig *t = RIG_START("");
	struct hx_resp *r;

	respond_vary(t->o, VARY_AE, "gzip v1");
	respond_vary(t->o, VARY_AE, "identity v1");
	respond(t->o, ok("", "posted"));
	respond_vary(t->o, VARY_AE, "gzip v2");
	respond_vary(t->o, VARY_AE, "identity v2");

	VGET(t, "/i", "Accept-Encoding: gzip\r\n", "gzip v1", MISS_STORED);
	VGET(t, "/i", "Accept-Encoding: identity\r\n", "identity v1",
	     VARY_MISS_STORED);
	r = POST(t->c, "/i");
	HX_ASSERT_BODY(r, "posted");
	VGET(t, "/i", "Accept-Encoding: gzip\r\n", "gzip v2", MISS_STORED);
	VGET(t, "/i", "Accept-Encoding: identity\r\n", "identity v2",
	     VARY_MISS_STORED);

	RIG_DONE(t, 5);
	assert_int_equal(hx_counter(t->a, "cache_invalidate"), 1);
}

/* An origin that starts varying: its Vary answer replaces the copy that
 * did not vary, so a request of another variant is a miss, not served the
 * superseded copy. */
static void
origin_starts_varying(void **state)
{
	struct rig *t = RIG_START("");

	respond(t->o, ok("Cache-Control: max-age=1\r\n", "plain"));
	respond_vary(t->o, VARY_AE, "gzip body");
	respond_vary(t->o, VARY_AE, "br body");

	VGET(t, "/s", "Accept-Encoding: gzip\r\n", "plain",
	     "accel; fwd=miss; stored; ttl=1");
	hx_sleep_ms(1200);
	VGET(t, "/s", "Accept-Encoding: gzip\r\n", "gzip body",
	     "accel; fwd=stale; stored; ttl=60");
	VGET(t, "/s", "Accept-Encoding: br\r\n", "br body", VARY_MISS_STORED);
	VGET(t, "/s", "Accept-Encoding: gzip\r\n", "gzip body", HIT);
	RIG_DONE(t, 3);
}

/* An uncacheable answer for one variant (its hit-for-miss marker) leaves
 * the other variants cached. */
static void
uncacheable_variant_keeps_others(void **state)
{
	struct rig *t = RIG_START("");

	respond_vary(t->o, VARY_AE, "gzip body");
	respond(t->o, ok("Cache-Control: no-store\r\n" VARY_AE, "br once"));
	respond(t->o, ok("Cache-Control: no-store\r\n" VARY_AE, "br twice"));

	VGET(t, "/u", "Accept-Encoding: gzip\r\n", "gzip body", MISS_STORED);
	VGET(t, "/u", "Accept-Encoding: br\r\n", "br once",
	     "accel; fwd=vary-miss");
	VGET(t, "/u", "Accept-Encoding: gzip\r\n", "gzip body", HIT);
	VGET(t, "/u", "Accept-Encoding: br\r\n", "br twice", "accel; fwd=miss");
	VGET(t, "/u", "Accept-Encoding: gzip\r\n", "gzip body", HIT);
	RIG_DONE(t, 3);
	assert_int_equal(hx_counter(t->a, "cache_hfm"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		HX_TEST(origin_starts_varying),
		HX_TEST(uncacheable_variant_keeps_others),
	    HX_TEST(two_variants_accept_encoding),
	    HX_TEST(three_variants_accept_language),
	    HX_TEST(vary_on_two_fields),
	    HX_TEST(list_values_normalised),
	    HX_TEST(other_fields_kept_as_is),
	    HX_TEST(missing_and_empty_differ),
	    HX_TEST(vary_star_not_stored),
	    HX_TEST(new_copy_replaces_only_its_variant),
	    HX_TEST(purge_removes_every_variant),
	    HX_TEST(post_invalidates_every_variant),
	};

	return HX_RUN(tests);
}
