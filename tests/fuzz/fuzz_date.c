/*
 * fuzz_date.c: libFuzzer target for rfc_date_parse, rfc_date_parse_at,
 * rfc_date_fmt and rfc_age_header_parse (accel/rfc9111_date.c).
 *
 * abort()s when a promise breaks:
 * - a parsed date is a whole number of seconds within 1900..9999;
 * - formatting it gives 29 characters that parse back to the same value;
 * - an accepted IMF-fixdate formats back to the input, but for the case
 *   of names, the weekday (not checked) and a leap second;
 * - with a clock, only RFC 850 dates can move, and by whole days;
 * - the first 8 bytes read as a double format and parse back to its floor;
 * - an Age value is within 0..RFC_DELTA_MAX.
 * The parsers see an exact-size heap copy so ASan catches over-reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/rfc9111.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_date: invariant %s\n", #x);      \
			abort();                                               \
		}                                                              \
	} while (0)

#define T_MIN -2208988800.0  /* 1900-01-01 */
#define T_MAX 253402300799.0 /* 9999-12-31 23:59:59 */

static int
lc(int c)
{
	return (c >= 'A' && c <= 'Z' ? c + 32 : c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char b[RFC_DATE_LEN];
	double t, t2, now, x;
	char *v;
	size_t i;

	v = malloc(size ? size : 1);
	if (v == NULL)
		abort();
	memcpy(v, data, size);

	if (rfc_date_parse(v, size, &t) == 0) {
		CHECK(t >= T_MIN && t <= T_MAX);
		CHECK(t == (double)(int64_t)t);
		CHECK(rfc_date_fmt(t, b) == 29);
		CHECK(strlen(b) == 29);
		CHECK(rfc_date_parse(b, 29, &t2) == 0 && t2 == t);
		if (size == 29 && v[3] == ',' && memcmp(v + 23, "60", 2) != 0)
			for (i = 3; i < 29; i++)
				CHECK(lc((uint8_t)v[i]) == lc((uint8_t)b[i]));
		/* a clock moves RFC 850 years only, by centuries (which can
		 * make a 29-Feb invalid: 2000 is a leap year, 2100 not) */
		now = 1e9 + (double)(size * 7919 % 4000) * 86400 * 365;
		if (size > 3 && (v[3] == ',' || v[3] == ' '))
			CHECK(rfc_date_parse_at(v, size, now, &t2) == 0 &&
			      t2 == t);
		else if (rfc_date_parse_at(v, size, now, &t2) == 0)
			CHECK((int64_t)(t2 - t) % 86400 == 0);
	} else {
		CHECK(rfc_date_parse_at(v, size, 2e9, &t2) != 0 ||
		      (size > 3 && v[3] != ',' && v[3] != ' '));
	}

	if (rfc_age_header_parse(v, size, &x) == 0)
		CHECK(x >= 0 && x <= (double)RFC_DELTA_MAX &&
		      x == (double)(int64_t)x);

	if (size >= 8) {
		memcpy(&x, data, sizeof x);
		if (rfc_date_fmt(x, b) == 29) {
			int64_t fl = (int64_t)x;
			if ((double)fl > x)
				fl--;
			CHECK(x >= T_MIN && x < T_MAX + 1);
			CHECK(rfc_date_parse(b, 29, &t2) == 0);
			CHECK(t2 == (double)fl);
		} else {
			CHECK(!(x >= T_MIN && x < T_MAX + 1));
			CHECK(b[0] == '\0');
		}
	}
	free(v);
	return (0);
}
