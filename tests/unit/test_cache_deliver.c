/*
 * test_cache_deliver.c: the pure parts of a hit's delivery
 * (accel/cache_deliver.c, included for its static functions): the stored
 * header block walk, the block less the fields an edit list drops
 * (cache_hdrs_edited), the multipart boundary, which answer a request gets
 * (whole, 304, 206, multipart, 416) and which stored fields each carries.
 * The exchanges themselves: tests/integration/test_cache_range.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/cache_deliver.c"

#define UNUSED __attribute__((unused))

/* ---------------- the stored header block ---------------- */

/* Walk b and return the fields as "name=value;" for easy comparison. */
static const char *
walk(const char *b)
{
	static char out[512];
	struct h1_hdr h;
	size_t pos = 0, n = 0;

	out[0] = '\0';
	while (dl_hdr_next(b, strlen(b), &pos, &h)) {
		n += (size_t)snprintf(out + n, sizeof out - n, "%.*s=%.*s;",
				      (int)h.name_len, h.name, (int)h.value_len,
				      h.value);
		assert_true(n < sizeof out);
	}
	assert_int_equal(pos, strlen(b));
	return (out);
}

static void
t_hdr_next(void **state UNUSED)
{
	assert_string_equal(walk(""), "");
	assert_string_equal(walk("A: 1\r\nContent-Type: text/plain\r\n"
				 "ETag: \"x\"\r\n"),
			    "A=1;Content-Type=text/plain;ETag=\"x\";");
	/* OWS trimmed, empty values kept, colons in values kept */
	assert_string_equal(walk("X:  a b \t\r\nY:\r\nZ: http://h/\r\n"),
			    "X=a b;Y=;Z=http://h/;");
	/* no colon, or no name: skipped; LF alone and a last line without
	 * CRLF still end a line */
	assert_string_equal(walk("junk\r\n: v\r\nA: 1\nB: 2"), "A=1;B=2;");
	assert_string_equal(walk("\r\n\r\nA: 1\r\n"), "A=1;");
}

static void
t_hdr_next_kind(void **state UNUSED)
{
	const char *b = "via: 1.1 x\r\nX-Other: y\r\n";
	struct h1_hdr h;
	size_t pos = 0;

	assert_true(dl_hdr_next(b, strlen(b), &pos, &h));
	assert_int_equal(h.kind, H1H_VIA);
	assert_true(dl_hdr_next(b, strlen(b), &pos, &h));
	assert_int_equal(h.kind, H1H_OTHER);
	assert_false(dl_hdr_next(b, strlen(b), &pos, &h));
	assert_false(dl_hdr_next(b, strlen(b), &pos, &h)); /* stays at end */
}

/* cache_hdrs_edited(block, the list of these unsets) as a string. */
static const char *
edited(const char *b, const char *const *unset, unsigned n)
{
	static char out[512], wsmem[4096];
	struct req r;
	struct hb hb;
	struct evbuffer *eb = evbuffer_new();

	memset(&r, 0, sizeof r);
	ws_init(&r.ws, wsmem, sizeof wsmem);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(resp_ed_put(&r, h1_kind_of(unset[i],
		    strlen(unset[i])), unset[i], strlen(unset[i]), NULL, 0), 0);
	assert_non_null(r.resp_ed);
	assert_int_equal(hb_begin(&hb, eb, strlen(b) + 1), 0);
	cache_hdrs_edited(&hb, b, strlen(b), r.resp_ed);
	assert_int_equal(hb_end(&hb), 0);
	assert_true(evbuffer_get_length(eb) < sizeof out);
	out[evbuffer_remove(eb, out, sizeof out - 1)] = '\0';
	evbuffer_free(eb);
	return (out);
}

/* The stored lines but those the list names, as stored; names compared
 * in any case, known kinds by kind, names sharing a filter bit by name. */
static void
t_hdrs_edited(void **state UNUSED)
{
	static const char b[] = "Server: nginx\r\nX-Powered-By: php\r\n"
	    "Cache-Control: max-age=60\r\nx-served-by: origin\r\n"
	    "Via: 1.1 a, 1.1 accel\r\n";
	const char *u1[] = {"X-POWERED-BY"};
	const char *u2[] = {"server", "Via"};
	const char *u3[] = {"Cache-Control", "X-Served-By"};
	const char *u4[] = {"X-Absent"};
	const char *u5[] = {"X-Custom"}; /* X-Served-By's bit, not its name */

	assert_int_equal(hdrs_name_bit("X-Custom", 8),
	    hdrs_name_bit("X-Served-By", 11));
	assert_string_equal(edited(b, u1, 1), "Server: nginx\r\n"
	    "Cache-Control: max-age=60\r\nx-served-by: origin\r\n"
	    "Via: 1.1 a, 1.1 accel\r\n");
	assert_string_equal(edited(b, u2, 2), "X-Powered-By: php\r\n"
	    "Cache-Control: max-age=60\r\nx-served-by: origin\r\n");
	assert_string_equal(edited(b, u3, 2), "Server: nginx\r\n"
	    "X-Powered-By: php\r\nVia: 1.1 a, 1.1 accel\r\n");
	assert_string_equal(edited(b, u4, 1), b);
	assert_string_equal(edited(b, u5, 1), b);
	assert_string_equal(edited("", u1, 1), "");
	assert_string_equal(edited("X-Powered-By: php\r\n", u1, 1), "");
}

/* ---------------- a fake object and request ---------------- */

#define BODY_LEN 26

static struct sto_obj *obj; /* the last mkobj() */
static struct req rq;
static struct h1_hdr rh[20];

#define T_RESP (784111777.0 + 3600)

/* A complete 200 of 26 bytes, a storage object as a fill makes it, with
 * these stored fields and this Date (0: none); ETag and Last-Modified set
 * when the fields hold them, as fill_meta() does. */
static struct sto_obj *
mkobj_date(unsigned status, const char *hdrs, double date)
{
	static const struct sto_key k = {1, 2};
	struct h1_hdr h;

	if (obj != NULL)
		sto_obj_deref(&obj);
	assert_int_equal(sto_obj_new(&obj, &k, "t", 1), 0);
	obj->o_status = status;
	obj->o_date = date;
	obj->o_t_resp = T_RESP;
	obj->o_content_length = BODY_LEN;
	assert_int_equal(sto_obj_set_hdrs(obj, hdrs, strlen(hdrs)), 0);
	/* h points into obj's metadata: a setter may copy from there */
	if (dl_stored(obj, "ETag", &h) != NULL)
		assert_int_equal(sto_obj_set_etag(obj, h.value, h.value_len),
				 0);
	if (dl_stored(obj, "Accept-Ranges", &h) != NULL)
		obj->o_cflags |= OC_ACCEPT_RANGES;
	if (dl_stored(obj, "Last-Modified", &h) != NULL)
		assert_int_equal(sto_obj_set_lastmod(obj, h.value, h.value_len),
				 0);
	assert_int_equal(
	    sto_obj_append(obj, "abcdefghijklmnopqrstuvwxyz", BODY_LEN), 0);
	assert_int_equal(sto_obj_finish(obj, 1), 0);
	return (obj);
}

static struct sto_obj *
mkobj(unsigned status, const char *hdrs)
{
	return (mkobj_date(status, hdrs, T_RESP));
}

/* A request with fields "Name: value" given as alternating strings. */
static struct req *
mkreq(enum h1_method meth, unsigned n, const char *const *kv)
{
	memset(&rq, 0, sizeof rq);
	rq.h.meth = meth;
	rq.h.hdrs = rh;
	rq.h.nhdrs = n;
	for (unsigned i = 0; i < n; i++) {
		rh[i].name = kv[2 * i];
		rh[i].name_len = strlen(kv[2 * i]);
		rh[i].value = kv[2 * i + 1];
		rh[i].value_len = strlen(kv[2 * i + 1]);
		rh[i].kind = h1_kind_of(rh[i].name, rh[i].name_len);
		rq.h.seen |= (1u << rh[i].kind) & ~1u;
	}
	return (&rq);
}

#define STD                                                                    \
	"Content-Type: text/plain\r\nETag: \"v1\"\r\n"                         \
	"Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"                     \
	"Cache-Control: max-age=60\r\nX-Origin: one\r\n"

/* Plan GET/HEAD with these request fields against o. */
#define PLAN(pl, o, meth, ...)                                                 \
	do {                                                                   \
		static const char *const kv_[] = {__VA_ARGS__};                \
		dl_plan(mkreq(meth, (unsigned)(ARRAY_LEN(kv_) / 2), kv_), o,   \
			pl);                                                   \
	} while (0)

static void
t_plan_whole(void **state UNUSED)
{
	struct dl_plan pl;

	PLAN(&pl, mkobj(200, STD), H1M_GET, "X-A", "1");
	assert_int_equal(pl.what, DL_WHOLE);
	assert_int_equal(pl.status, 200);
	assert_true(pl.has_clen);
	assert_int_equal(pl.clen, BODY_LEN);
	assert_true(pl.body);
	assert_true(pl.accept_ranges);

	PLAN(&pl, mkobj(200, STD), H1M_HEAD, "X-A", "1");
	assert_int_equal(pl.what, DL_WHOLE);
	assert_true(pl.has_clen);
	assert_false(pl.body);
	assert_true(pl.accept_ranges);

	/* the origin's Accept-Ranges stays alone */
	PLAN(&pl, mkobj(200, STD "accept-ranges: none\r\n"), H1M_GET, "X-A",
	     "1");
	assert_false(pl.accept_ranges);

	/* not a 200: no Accept-Ranges; 204 has no Content-Length */
	PLAN(&pl, mkobj(404, STD), H1M_GET, "X-A", "1");
	assert_int_equal(pl.status, 404);
	assert_false(pl.accept_ranges);
	PLAN(&pl, mkobj(204, STD), H1M_GET, "X-A", "1");
	assert_false(pl.has_clen);
	assert_false(pl.body);
}

static void
t_plan_304(void **state UNUSED)
{
	struct dl_plan pl;

	PLAN(&pl, mkobj(200, STD), H1M_GET, "If-None-Match", "\"v1\"");
	assert_int_equal(pl.what, DL_304);
	assert_int_equal(pl.status, 304);
	assert_false(pl.has_clen);
	assert_false(pl.body);
	PLAN(&pl, mkobj(200, STD), H1M_HEAD, "If-None-Match", "*");
	assert_int_equal(pl.what, DL_304);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "If-Modified-Since",
	     "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(pl.what, DL_304);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "If-Modified-Since",
	     "Sun, 06 Nov 1994 08:49:36 GMT");
	assert_int_equal(pl.what, DL_WHOLE);
	/* before Range */
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-1",
	     "If-None-Match", "\"v1\"");
	assert_int_equal(pl.what, DL_304);
	/* preconditions only for a 2xx */
	PLAN(&pl, mkobj(404, STD), H1M_GET, "If-None-Match", "\"v1\"");
	assert_int_equal(pl.what, DL_WHOLE);
	assert_int_equal(pl.status, 404);
}

static void
t_plan_range(void **state UNUSED)
{
	struct dl_plan pl;

	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4");
	assert_int_equal(pl.what, DL_PART);
	assert_int_equal(pl.status, 206);
	assert_int_equal(pl.clen, 5);
	assert_true(pl.body);
	assert_false(pl.accept_ranges);

	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=30-");
	assert_int_equal(pl.what, DL_416);
	assert_int_equal(pl.status, 416);
	assert_true(pl.has_clen);
	assert_int_equal(pl.clen, 0);
	assert_false(pl.body);

	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-1,3-4");
	assert_int_equal(pl.what, DL_MULTI);
	assert_int_equal(pl.nr, 2);
	assert_int_equal(pl.ctlen, 10);
	assert_memory_equal(pl.ctype, "text/plain", 10);
	assert_int_equal(strlen(pl.boundary), 30);
	assert_int_equal(pl.clen,
			 rfc_multipart_length(pl.boundary, "text/plain", 10,
					      pl.r, 2, BODY_LEN));

	/* ignored: HEAD, another status, two fields, bad syntax */
	PLAN(&pl, mkobj(200, STD), H1M_HEAD, "Range", "bytes=0-4");
	assert_int_equal(pl.what, DL_WHOLE);
	assert_true(pl.accept_ranges);
	PLAN(&pl, mkobj(203, STD), H1M_GET, "Range", "bytes=0-4");
	assert_int_equal(pl.what, DL_WHOLE);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4", "Range",
	     "bytes=0-4");
	assert_int_equal(pl.what, DL_WHOLE);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=4-0");
	assert_int_equal(pl.what, DL_WHOLE);
	/* 17 range-specs */
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range",
	     "bytes=0-0,2-2,4-4,6-6,8-8,10-10,12-12,14-14,16-16,18-18,20-20,"
	     "22-22,24-24,1-1,3-3,5-5,7-7");
	assert_int_equal(pl.what, DL_WHOLE);
}

static void
t_plan_if_range(void **state UNUSED)
{
	struct dl_plan pl;

	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4", "If-Range",
	     "\"v1\"");
	assert_int_equal(pl.what, DL_PART);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4", "If-Range",
	     "\"v2\"");
	assert_int_equal(pl.what, DL_WHOLE);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4", "If-Range",
	     "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(pl.what, DL_PART);
	PLAN(&pl, mkobj(200, STD), H1M_GET, "Range", "bytes=0-4", "If-Range",
	     "\"v1\"", "If-Range", "\"v1\"");
	assert_int_equal(pl.what, DL_WHOLE);
	/* no Date: the time it arrived stands in */
	mkobj_date(200, STD, 0);
	{
		static const char *const kv[] = {
		    "Range", "bytes=0-4", "If-Range",
		    "Sun, 06 Nov 1994 08:49:37 GMT"};
		dl_plan(mkreq(H1M_GET, 2, kv), obj, &pl);
	}
	assert_int_equal(pl.what, DL_PART);
}

/* A Content-Type too long for a part's fields: the whole object. */
static void
t_plan_long_ctype(void **state UNUSED)
{
	static char hdrs[DL_MAX_CTYPE + 64];
	struct dl_plan pl;

	strcpy(hdrs, "Content-Type: ");
	memset(hdrs + 14, 'x', DL_MAX_CTYPE + 1);
	strcpy(hdrs + 14 + DL_MAX_CTYPE + 1, "\r\n");
	PLAN(&pl, mkobj(200, hdrs), H1M_GET, "Range", "bytes=0-1,3-4");
	assert_int_equal(pl.what, DL_WHOLE);
	PLAN(&pl, mkobj(200, hdrs), H1M_GET, "Range", "bytes=0-1");
	assert_int_equal(pl.what, DL_PART);
}

/* ---------------- which stored fields each answer carries ---------------- */

/* The stored fields of STD that dl_keep lets into the answer pl->what. */
static const char *
kept(enum dl_what what, const char *hdrs)
{
	static char out[512];
	struct dl_plan pl;
	struct h1_hdr h;
	size_t pos = 0, n = 0;

	pl.what = what;
	mkobj(200, hdrs);
	out[0] = '\0';
	while (dl_hdr_next(hdrs, strlen(hdrs), &pos, &h))
		if (dl_keep(&pl, obj, &h))
			n += (size_t)snprintf(out + n, sizeof out - n, "%.*s;",
					      (int)h.name_len, h.name);
	return (out);
}

static void
t_keep(void **state UNUSED)
{
	const char *cr = STD "Content-Range: bytes 0-1/2\r\nDate: x\r\n";

	assert_string_equal(
	    kept(DL_WHOLE, cr),
	    "Content-Type;ETag;Last-Modified;Cache-Control;X-Origin;"
	    "Content-Range;Date;");
	assert_string_equal(kept(DL_304, cr), "ETag;Cache-Control;Date;");
	assert_string_equal(kept(DL_304, "Last-Modified: x\r\nVary: a\r\n"),
			    "Last-Modified;Vary;");
	assert_string_equal(
	    kept(DL_PART, cr),
	    "Content-Type;ETag;Last-Modified;Cache-Control;X-Origin;Date;");
	assert_string_equal(kept(DL_MULTI, cr),
			    "ETag;Last-Modified;Cache-Control;X-Origin;Date;");
	assert_string_equal(kept(DL_416, cr), "ETag;Last-Modified;Date;");
}

static void
t_boundary(void **state UNUSED)
{
	char a[32], b[32];

	dl_boundary(a, sizeof a);
	dl_boundary(b, sizeof b);
	assert_int_equal(strlen(a), 30);
	assert_memory_equal(a, "accel-", 6);
	assert_int_equal(strspn(a + 6, "0123456789abcdef"), 24);
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_hdr_next),
	    cmocka_unit_test(t_hdr_next_kind),
	    cmocka_unit_test(t_hdrs_edited),
	    cmocka_unit_test(t_plan_whole),
	    cmocka_unit_test(t_plan_304),
	    cmocka_unit_test(t_plan_range),
	    cmocka_unit_test(t_plan_if_range),
	    cmocka_unit_test(t_plan_long_ctype),
	    cmocka_unit_test(t_keep),
	    cmocka_unit_test(t_boundary),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
