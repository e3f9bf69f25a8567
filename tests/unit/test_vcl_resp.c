/*
 * test_vcl_resp.c: the response edit list (accel/vcl_resp.h,
 * accel/vcl_host_resp.c): a name is found by kind when known and by name
 * in any case otherwise, names the list does not hold are not found
 * (through its kind mask and name filter), accel's own fields (Age,
 * Cache-Status, Via) are flagged, the last change of a name wins, and
 * framing fields are ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/vcl_resp.h"

static char mem[8192];

static void
req_init(struct req *req)
{
	memset(req, 0, sizeof *req);
	ws_init(&req->ws, mem, sizeof mem);
}

/* Record a set (v not NULL) or an unset of name, its kind the parser's. */
static int
put(struct req *req, const char *name, const char *v)
{
	return (resp_ed_put(req, h1_kind_of(name, strlen(name)), name,
	    strlen(name), v, v != NULL ? strlen(v) : 0));
}

static const struct resp_ed_f *
find(const struct req *req, const char *name)
{
	return (resp_ed_find(req->resp_ed, h1_kind_of(name, strlen(name)),
	    name, strlen(name)));
}

static void
find_by_name_and_kind(void **state)
{
	struct req req;
	const struct resp_ed_f *f;

	(void)state;
	req_init(&req);
	assert_int_equal(put(&req, "X-Served-By", "accel"), 0);
	assert_int_equal(put(&req, "x-powered-by", NULL), 0);
	assert_int_equal(put(&req, "Via", NULL), 0);
	assert_int_equal(req.resp_ed->n, 3);

	f = find(&req, "X-SERVED-BY");
	assert_non_null(f);
	assert_int_equal(f->value_len, 5);
	assert_memory_equal(f->value, "accel", 5);
	f = find(&req, "X-Powered-By");
	assert_non_null(f);
	assert_null(f->value);
	assert_non_null(find(&req, "vIA"));
	/* not in the list: other names, other kinds, same lengths */
	assert_null(find(&req, "X-Served-Bz"));
	assert_null(find(&req, "Server"));
	assert_null(find(&req, "Host"));
	assert_null(find(&req, "Cache-Control"));
	assert_null(find(&req, ""));

	/* the last change wins, in place */
	assert_int_equal(put(&req, "x-served-by", NULL), 0);
	assert_int_equal(req.resp_ed->n, 3);
	assert_null(find(&req, "X-Served-By")->value);
}

/* Names whose filter bit is set by another name still compare names. */
static void
filter_bit_shared(void **state)
{
	struct req req;
	char a[8], b[8];
	int found = 0;

	(void)state;
	req_init(&req);
	/* two names of one bit: the middle byte varied (24 bits for 26
	 * letters) */
	strcpy(a, "X-aaaa");
	for (int c = 'a'; c <= 'z' && !found; c++) {
		strcpy(b, "X-aaaa");
		b[3] = (char)c;
		if (c != 'a' &&
		    hdrs_name_bit(a, 6) == hdrs_name_bit(b, 6))
			found = 1;
	}
	assert_true(found);
	assert_int_equal(put(&req, a, "1"), 0);
	assert_non_null(find(&req, a));
	assert_null(find(&req, b));
}

/* Many names: the list grows in the workspace, all still found. */
static void
many_names(void **state)
{
	struct req req;
	char names[40][16];

	(void)state;
	req_init(&req);
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "X-%d", i);
		assert_int_equal(put(&req, names[i], "v"), 0);
	}
	for (int i = 0; i < 40; i++)
		assert_non_null(find(&req, names[i]));
	assert_null(find(&req, "X-40"));
	assert_null(find(&req, "X-400"));
}

static void
own_fields(void **state)
{
	struct req req;

	(void)state;
	req_init(&req);
	assert_false(resp_ed_drops_own(NULL, RESP_ED_AGE));
	assert_int_equal(put(&req, "X-A", "1"), 0);
	assert_false(resp_ed_drops_own(req.resp_ed,
	    RESP_ED_AGE | RESP_ED_CACHE_STATUS | RESP_ED_VIA));
	assert_int_equal(put(&req, "age", NULL), 0);
	assert_true(resp_ed_drops_own(req.resp_ed, RESP_ED_AGE));
	assert_false(resp_ed_drops_own(req.resp_ed, RESP_ED_CACHE_STATUS));
	assert_int_equal(put(&req, "CACHE-STATUS", "x"), 0);
	assert_true(resp_ed_drops_own(req.resp_ed, RESP_ED_CACHE_STATUS));
	assert_false(resp_ed_drops_own(req.resp_ed, RESP_ED_VIA));
	assert_int_equal(put(&req, "Via", "1.1 other"), 0);
	assert_true(resp_ed_drops_own(req.resp_ed, RESP_ED_VIA));
	/* Ages of other lengths are other names */
	req_init(&req);
	assert_int_equal(put(&req, "Ages", NULL), 0);
	assert_false(resp_ed_drops_own(req.resp_ed, RESP_ED_AGE));
}

/* A stored field is dropped when the list names it. */
static void
drops_stored_field(void **state)
{
	struct req req;
	struct h1_hdr h = {"server", 6, "nginx", 5, H1H_OTHER};
	struct h1_hdr k = {"Cache-Control", 13, "max-age=1", 9,
	    H1H_CACHE_CONTROL};

	(void)state;
	req_init(&req);
	assert_false(resp_ed_drops(NULL, &h));
	assert_int_equal(put(&req, "Server", NULL), 0);
	assert_true(resp_ed_drops(req.resp_ed, &h));
	assert_false(resp_ed_drops(req.resp_ed, &k));
	assert_int_equal(put(&req, "cache-control", "no-store"), 0);
	assert_true(resp_ed_drops(req.resp_ed, &k));
}

/* Framing is accel's: Content-Length and Transfer-Encoding are not
 * recorded; Connection only as close. */
static void
framing_ignored(void **state)
{
	struct req req;

	(void)state;
	req_init(&req);
	assert_int_equal(put(&req, "Content-Length", "5"), 0);
	assert_int_equal(put(&req, "Transfer-Encoding", NULL), 0);
	assert_null(req.resp_ed);
	assert_int_equal(put(&req, "Connection", "close"), 0);
	assert_non_null(req.resp_ed);
	assert_int_equal(req.resp_ed->n, 0);
	assert_true(req.resp_ed->close);
	assert_null(find(&req, "Connection"));
	assert_int_equal(put(&req, "X-Bad", "a\r\nInjected: 1"), -1);
	assert_null(find(&req, "X-Bad"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(find_by_name_and_kind),
	    cmocka_unit_test(filter_bit_shared),
	    cmocka_unit_test(many_names),
	    cmocka_unit_test(own_fields),
	    cmocka_unit_test(drops_stored_field),
	    cmocka_unit_test(framing_ignored),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
