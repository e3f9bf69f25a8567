/* test_pump.c: body pumps: framing in, framing out, limits, backpressure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/accel.h"

static char *
drain_str(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return (s);
}

static void
test_length_exact(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_LENGTH, 5, 0, 0);
	evbuffer_add(src, "helloGET /next", 14);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_DONE);
	char *s = drain_str(dst);
	assert_string_equal(s, "hello");
	free(s);
	/* the next pipelined request stays in the source */
	assert_int_equal(evbuffer_get_length(src), 9);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_length_to_chunked_never(void **state)
{
	/* a length body split over several reads */
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_LENGTH, 6, 0, 0);
	evbuffer_add(src, "abc", 3);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_MORE);
	evbuffer_add(src, "def", 3);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_DONE);
	assert_int_equal(p.bytes, 6);
	char *s = drain_str(dst);
	assert_string_equal(s, "abcdef");
	free(s);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_chunked_rechunk(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_CHUNKED, 0, 1, 0);
	const char *in = "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	evbuffer_add(src, in, strlen(in));
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_DONE);
	char *s = drain_str(dst);
	/* extensions and trailers are not forwarded; framing is ours */
	assert_string_equal(s, "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
	free(s);
	assert_int_equal(evbuffer_get_length(src), 4);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_chunked_bytewise(void **state)
{
	/* fed one byte at a time, the same body comes out */
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_CHUNKED, 0, 0, 0);
	const char *in = "a\r\n0123456789\r\n1\r\nX\r\n0\r\n\r\n";
	int rc = PUMP_MORE;
	for (size_t i = 0; in[i] != '\0'; i++) {
		assert_int_equal(rc, PUMP_MORE);
		evbuffer_add(src, in + i, 1);
		rc = pump_move(&p, src, dst, 1 << 20);
	}
	assert_int_equal(rc, PUMP_DONE);
	char *s = drain_str(dst);
	assert_string_equal(s, "0123456789X");
	free(s);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_chunked_bad(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_CHUNKED, 0, 1, 0);
	evbuffer_add(src, "zz\r\n", 4);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_ERR);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_eof_body(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_EOF, 0, 1, 0);
	evbuffer_add(src, "until close", 11);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_MORE);
	assert_int_equal(pump_eof(&p, dst), PUMP_DONE);
	char *s = drain_str(dst);
	assert_string_equal(s, "b\r\nuntil close\r\n0\r\n\r\n");
	free(s);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_truncated_length(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_LENGTH, 10, 0, 0);
	evbuffer_add(src, "short", 5);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_MORE);
	assert_int_equal(pump_eof(&p, dst), PUMP_ERR);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_limit(void **state)
{
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	pump_init(&p, H1B_CHUNKED, 0, 1, 4);
	evbuffer_add(src, "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 21);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_TOOBIG);
	evbuffer_free(src);
	evbuffer_free(dst);
}

static void
test_backpressure(void **state)
{
	/* nothing moves while the sink holds `high` bytes or more; one move
	 * takes what one read brought, so the sink stays under high + read */
	struct evbuffer *src = evbuffer_new(), *dst = evbuffer_new();
	struct pump p;
	char blk[1000];
	memset(blk, 'x', sizeof blk);
	pump_init(&p, H1B_LENGTH, 4000, 0, 0);
	evbuffer_add(dst, "y", 1);
	evbuffer_add(src, blk, sizeof blk);
	assert_int_equal(pump_move(&p, src, dst, 1), PUMP_MORE);
	assert_int_equal(evbuffer_get_length(src), 1000);
	assert_int_equal(evbuffer_get_length(dst), 1);
	evbuffer_drain(dst, 1);
	assert_int_equal(pump_move(&p, src, dst, 1), PUMP_MORE);
	assert_int_equal(evbuffer_get_length(dst), 1000);
	evbuffer_add(src, blk, sizeof blk);
	evbuffer_add(src, blk, sizeof blk);
	assert_int_equal(pump_move(&p, src, dst, 1500), PUMP_MORE);
	assert_int_equal(evbuffer_get_length(dst), 3000);
	evbuffer_add(src, blk, sizeof blk);
	assert_int_equal(pump_move(&p, src, dst, 1 << 20), PUMP_DONE);
	assert_int_equal(p.bytes, 4000);
	evbuffer_free(src);
	evbuffer_free(dst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_length_exact),
	    cmocka_unit_test(test_length_to_chunked_never),
	    cmocka_unit_test(test_chunked_rechunk),
	    cmocka_unit_test(test_chunked_bytewise),
	    cmocka_unit_test(test_chunked_bad),
	    cmocka_unit_test(test_eof_body),
	    cmocka_unit_test(test_truncated_length),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_backpressure),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
