/* test_ws.c: the workspace arena: alignment, exhaustion, sticky overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "accel/accel.h"

static void
test_alloc_align(void **state)
{
	char mem[256];
	struct ws ws;
	ws_init(&ws, mem, sizeof mem);
	char *a = ws_alloc(&ws, 3);
	char *b = ws_alloc(&ws, 8);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(((uintptr_t)b - (uintptr_t)mem) % 8, 0);
	assert_true(b >= a + 3);
	char *d = ws_dup(&ws, "hello", 5);
	assert_string_equal(d, "hello");
}

static void
test_overflow_sticky(void **state)
{
	char mem[64];
	struct ws ws;
	ws_init(&ws, mem, sizeof mem);
	assert_non_null(ws_alloc(&ws, 60));
	assert_null(ws_alloc(&ws, 16));
	assert_true(ws.overflow);
	/* even a small allocation fails once overflowed */
	assert_null(ws_alloc(&ws, 1));
	ws_reset(&ws);
	assert_false(ws.overflow);
	assert_non_null(ws_alloc(&ws, 64));
	assert_null(ws_alloc(&ws, 0 + 1));
}

static void
test_huge(void **state)
{
	char mem[64];
	struct ws ws;
	ws_init(&ws, mem, sizeof mem);
	assert_null(ws_alloc(&ws, SIZE_MAX - 3));
	assert_true(ws.overflow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alloc_align),
	    cmocka_unit_test(test_overflow_sticky),
	    cmocka_unit_test(test_huge),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
