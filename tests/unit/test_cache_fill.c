/*
 * test_cache_fill.c: the stored header block's name filter
 * (accel/cache_fill.c's fill_hdrs, included for its static functions;
 * cache_hdrs_lack in accel/accel.h): every name written has its bit, Via
 * (ours appended) included, the framing fields not stored do not count,
 * and an object without the flag (one an older accel wrote to the disk
 * tier, whose o_cflags has bits 0..2 only) is never said to lack a name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/cache_fill.c"

#define UNUSED __attribute__((unused))

static char mem[16384];

static struct sto_obj *
obj_new(void)
{
	static const struct sto_key k = {1, 2};
	struct sto_obj *o;

	assert_int_equal(sto_obj_new(&o, &k, "t", 1), 0);
	return (o);
}

/* A BUSY object's last reference: finished first (storage frees
 * objects once finished). */
static void
obj_done(struct sto_obj **o)
{
	assert_int_equal(sto_obj_finish(*o, 1), 0);
	sto_obj_deref(o);
}

static uint32_t
bit(const char *name)
{
	return (hdrs_name_bit(name, strlen(name)));
}

static void
t_filter_of_block(void **state UNUSED)
{
	struct h1_hdr h[] = {
	    {"Server", 6, "nginx", 5, H1H_OTHER},
	    {"Content-Length", 14, "3", 1, H1H_CONTENT_LENGTH},
	    {"ETag", 4, "\"e\"", 3, H1H_OTHER},
	    {"Connection", 10, "close", 5, H1H_CONNECTION},
	    {"x-tag", 5, "1", 1, H1H_OTHER},
	};
	struct sto_obj *o = obj_new();
	struct ws ws;
	uint32_t all = 0;

	ws_init(&ws, mem, sizeof mem);
	o->o_cflags = OC_NO_CACHE | OC_ACCEPT_RANGES;
	assert_int_equal(fill_hdrs(o, h, 5, 0, 1, &ws), 0);
	/* the flags fill_meta set are kept */
	assert_int_equal(o->o_cflags & (OC_NO_CACHE | OC_MUST_REVALIDATE |
	    OC_ACCEPT_RANGES), OC_NO_CACHE | OC_ACCEPT_RANGES);
	assert_true(o->o_cflags & OC_HNAMES);
	/* present: never lacking, in any case */
	const char *present[] = {"Server", "ETAG", "X-TAG", "via"};
	for (size_t i = 0; i < 4; i++) {
		assert_false(cache_hdrs_lack(o, bit(present[i])));
		all |= bit(present[i]);
	}
	assert_false(cache_hdrs_lack(o, bit("X-Absent") | bit("Server")));
	/* the filter is exactly the names written */
	assert_int_equal(o->o_cflags & HDRS_NAME_FILTER, all);
	/* names VCL commonly edits, absent here: lacking (they have bits
	 * of their own, test_hdrs) */
	assert_true(cache_hdrs_lack(o, bit("X-Served-By")));
	assert_true(cache_hdrs_lack(o, bit("X-Powered-By") | bit("Age")));
	assert_true(cache_hdrs_lack(o, 0));
	obj_done(&o);
}

/* A block with no Via and via_self 0 has no Via bit; refilling replaces
 * the filter, not adds to it. */
static void
t_filter_refill(void **state UNUSED)
{
	struct h1_hdr a[] = {{"X-A", 3, "1", 1, H1H_OTHER}};
	struct h1_hdr b[] = {{"X-Bb", 4, "1", 1, H1H_OTHER}};
	struct sto_obj *o = obj_new();
	struct ws ws;

	ws_init(&ws, mem, sizeof mem);
	assert_int_equal(fill_hdrs(o, a, 1, 0, 0, &ws), 0);
	assert_int_equal(o->o_cflags & HDRS_NAME_FILTER, bit("X-A"));
	assert_int_equal(fill_hdrs(o, b, 1, 0, 0, &ws), 0);
	assert_int_equal(o->o_cflags & HDRS_NAME_FILTER, bit("X-Bb"));
	obj_done(&o);
}

/* An object an older accel stored: no OC_HNAMES, so the block is walked
 * for every name (its bits 8..31 are zero, which would otherwise read as
 * "no field at all"). */
static void
t_old_object_walked(void **state UNUSED)
{
	static const char blk[] = "Server: nginx\r\nVia: 1.1 accel\r\n";
	struct sto_obj *o = obj_new();

	assert_int_equal(sto_obj_set_hdrs(o, blk, sizeof blk - 1), 0);
	o->o_cflags = OC_ACCEPT_RANGES;
	assert_false(cache_hdrs_lack(o, bit("Server")));
	assert_false(cache_hdrs_lack(o, bit("X-Served-By")));
	assert_false(cache_hdrs_lack(o, 0));
	obj_done(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_filter_of_block),
	    cmocka_unit_test(t_filter_refill),
	    cmocka_unit_test(t_old_object_walked),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
