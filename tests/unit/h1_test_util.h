/*
 * h1_test_util.h: parser state and helpers shared by the test_http1_*.c unit
 * tests of accel/http1.h. Include after <cmocka.h> and "accel/http1.h".
 */
#ifndef H1_TEST_UTIL_H
#define H1_TEST_UTIL_H

#include <string.h>

#define NH 64

static const struct h1_limits lim_def __attribute__((unused)) = {
    .max_req_line = 8192,
    .max_url = 8192,
    .max_head = 32768,
    .max_headers = 64,
    .max_body = 0,
};

static struct h1_req rq __attribute__((unused));
static struct h1_resp rs __attribute__((unused));
static struct h1_hdr hd[NH] __attribute__((unused));

/* Parse a NUL-terminated request with the given limits. */
static inline int
preq_lim(const char *s, const struct h1_limits *lim)
{
	memset(&rq, 0xa5, sizeof rq);
	return (h1_parse_request(s, strlen(s), lim, &rq, hd, NH));
}

/* Parse a NUL-terminated request with the default limits. */
static inline int
preq(const char *s)
{
	return (preq_lim(s, &lim_def));
}

/* Parse a NUL-terminated response. */
static inline int
presp(const char *s, int head_req)
{
	memset(&rs, 0xa5, sizeof rs);
	return (
	    h1_parse_response(s, strlen(s), &lim_def, head_req, &rs, hd, NH));
}

/* A (pointer, length) field equals a string. */
#define assert_span(p, n, str)                                                 \
	do {                                                                   \
		assert_int_equal((n), strlen(str));                            \
		assert_memory_equal((p), (str), strlen(str));                  \
	} while (0)

#define RL(s) ((int)strlen(s))

/* A string literal as (pointer, length) arguments. */
#define S(x) x, sizeof(x) - 1

#endif /* H1_TEST_UTIL_H */
