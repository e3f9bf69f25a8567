/*
 * test_hdrs.c: the editable header view (accel/hdrs.c): no copy until a
 * change, set replaces every field of a name at the first one's place,
 * unset removes them all, known kinds by their seen bit, values that
 * would inject a header refused, a full workspace reported; the name
 * filter's bits (hdrs_name_bit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/accel.h"
#include "accel/hdrs.h"

static struct h1_hdr base[] = {
    {"Host", 4, "a.example", 9, H1H_HOST},
    {"X-Tag", 5, "one", 3, H1H_OTHER},
    {"Accept", 6, "*/*", 3, H1H_OTHER},
    {"x-tag", 5, "two", 3, H1H_OTHER},
    {"Cache-Control", 13, "no-cache", 8, H1H_CACHE_CONTROL},
};
#define NBASE (sizeof base / sizeof base[0])
#define SEEN (H1_SEEN(HOST) | H1_SEEN(CACHE_CONTROL))

static char mem[16384];

static void
view(struct hdrs *hs, struct ws *ws, size_t wsize)
{
	ws_init(ws, mem, wsize);
	hdrs_init(hs, base, NBASE, SEEN);
}

/* "Name: value" of every field, joined by '|'. */
static const char *
dump(const struct hdrs *hs)
{
	static char buf[512];
	size_t n = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < hs->n; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s: %.*s",
		    i ? "|" : "", (int)hs->h[i].name_len, hs->h[i].name,
		    (int)hs->h[i].value_len, hs->h[i].value);
	return (buf);
}

static void
reads_without_copy(void **state)
{
	struct hdrs hs;
	struct ws ws;
	const struct h1_hdr *f;

	(void)state;
	view(&hs, &ws, sizeof mem);
	f = hdrs_get(&hs, H1H_OTHER, "X-TAG", 5);
	assert_non_null(f);
	assert_memory_equal(f->value, "one", 3); /* the first of two */
	assert_non_null(hdrs_get(&hs, H1H_HOST, "host", 4));
	/* a known kind absent by its bit, without a scan */
	assert_null(hdrs_get(&hs, H1H_AUTHORIZATION, "Authorization", 13));
	assert_null(hdrs_get(&hs, H1H_OTHER, "Cookie", 6));
	/* unsetting what is not there copies nothing */
	assert_int_equal(hdrs_unset(&hs, &ws, H1H_OTHER, "Cookie", 6), 0);
	assert_ptr_equal(hs.h, base);
	assert_int_equal(ws.used, 0);
}

static void
set_and_unset(void **state)
{
	struct hdrs hs;
	struct ws ws;

	(void)state;
	view(&hs, &ws, sizeof mem);
	/* both X-Tag fields become one, at the first's place */
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-Tag", 5, "new", 3),
	    0);
	assert_ptr_not_equal(hs.h, base);
	assert_string_equal(dump(&hs), "Host: a.example|X-Tag: new|"
	    "Accept: */*|Cache-Control: no-cache");
	/* the parser's array is untouched */
	assert_memory_equal(base[1].value, "one", 3);
	assert_int_equal(NBASE, 5);
	/* a new field goes last; a known kind sets its bit */
	assert_int_equal(hdrs_set(&hs, &ws, H1H_AUTHORIZATION,
	    "Authorization", 13, "Basic x", 7), 0);
	assert_true(hs.seen & H1_SEEN(AUTHORIZATION));
	assert_non_null(hdrs_get(&hs, H1H_AUTHORIZATION, "authorization",
	    13));
	assert_int_equal(hdrs_unset(&hs, &ws, H1H_CACHE_CONTROL,
	    "cache-control", 13), 0);
	assert_false(hs.seen & H1_SEEN(CACHE_CONTROL));
	assert_int_equal(hdrs_unset(&hs, &ws, H1H_OTHER, "accept", 6), 0);
	assert_string_equal(dump(&hs), "Host: a.example|X-Tag: new|"
	    "Authorization: Basic x");
	/* many additions grow the copy */
	for (unsigned i = 0; i < 40; i++) {
		char *name = ws_alloc(&ws, 8);
		assert_non_null(name);
		snprintf(name, 8, "X-%u", i);
		assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, name,
		    strlen(name), "v", 1), 0);
	}
	assert_int_equal(hs.n, 43);
	assert_non_null(hdrs_get(&hs, H1H_OTHER, "x-39", 4));
	assert_non_null(hdrs_get(&hs, H1H_HOST, "Host", 4));
}

/* CR, LF, NUL and other controls would split or end the head. */
static void
injection_refused(void **state)
{
	struct hdrs hs;
	struct ws ws;

	(void)state;
	view(&hs, &ws, sizeof mem);
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3,
	    "a\r\nSet-Cookie: x=1", 18), -1);
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3, "a\nb", 3),
	    -1);
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3, "a\0b", 3),
	    -1);
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3, "a\x7f", 2),
	    -1);
	assert_null(hdrs_get(&hs, H1H_OTHER, "X-A", 3));
	/* HTAB, SP and obs-text are fine */
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3,
	    "a\tb c\xe9", 6), 0);
}

static void
full_workspace(void **state)
{
	struct hdrs hs;
	struct ws ws;

	(void)state;
	view(&hs, &ws, 16); /* less than one copy of the entries */
	assert_int_equal(hdrs_set(&hs, &ws, H1H_OTHER, "X-A", 3, "v", 1), -1);
	assert_int_equal(hdrs_unset(&hs, &ws, H1H_OTHER, "x-tag", 5), -1);
	/* the view is unchanged */
	assert_ptr_equal(hs.h, base);
	assert_int_equal(hs.n, NBASE);
}

/* One bit in HDRS_NAME_FILTER per name, the same in any case. */
static void
name_bit(void **state)
{
	static const char *names[] = {"Server", "Date", "Content-Type",
	    "Last-Modified", "ETag", "Accept-Ranges", "Via", "X-Served-By",
	    "X-Powered-By", "Age", "Cache-Status", "", "x", "Set-Cookie"};
	uint32_t b, seen = 0;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char up[32], low[32];
		size_t n = strlen(names[i]);

		for (size_t k = 0; k <= n; k++) {
			up[k] = (char)(names[i][k] >= 'a' && names[i][k] <= 'z' ?
			    names[i][k] - 32 : names[i][k]);
			low[k] = (char)(names[i][k] >= 'A' && names[i][k] <= 'Z' ?
			    names[i][k] + 32 : names[i][k]);
		}
		b = hdrs_name_bit(names[i], n);
		assert_true(b != 0 && (b & (b - 1)) == 0);
		assert_true((b & ~HDRS_NAME_FILTER) == 0);
		assert_int_equal(hdrs_name_bit(up, n), b);
		assert_int_equal(hdrs_name_bit(low, n), b);
		/* the first eleven (common origin fields, and the names VCL
		 * often edits) have bits of their own: the filter's point */
		if (i < 11) {
			assert_int_equal(seen & b, 0);
			seen |= b;
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_without_copy),
	    cmocka_unit_test(set_and_unset),
	    cmocka_unit_test(injection_refused),
	    cmocka_unit_test(full_workspace),
	    cmocka_unit_test(name_bit),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
