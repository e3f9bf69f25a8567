/* rfc_test_util.h: helpers shared by the test_rfc9111_*.c unit tests of the
 * HTTP caching rules (accel/rfc9111*.c). Times are seconds since the epoch;
 * D is the classic "Sun, 06 Nov 1994 08:49:37 GMT". Include after
 * <cmocka.h> and "accel/rfc9111.h". */
#ifndef RFC_TEST_UTIL_H
#define RFC_TEST_UTIL_H

#include <string.h>

#define UNUSED __attribute__((unused))
#define D      784111777.0
#define DATE_D "Sun, 06 Nov 1994 08:49:37 GMT"

/* Designated, so fields the codec adds (kind) start zeroed: every
 * rfc_* function matches names, not kinds. */
#define H(n, v)                                                                \
	{                                                                      \
		.name = n, .name_len = sizeof(n) - 1, .value = v,              \
		.value_len = sizeof(v) - 1                                     \
	}
#define NH(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static inline struct rfc_cc
cc_of(const char *v)
{
	struct rfc_cc cc;

	rfc_cc_init(&cc);
	rfc_cc_parse(v, strlen(v), &cc);
	return (cc);
}

static inline struct rfc_opts
opts(void)
{
	struct rfc_opts o;

	rfc_opts_default(&o);
	return (o);
}

#endif /* RFC_TEST_UTIL_H */
