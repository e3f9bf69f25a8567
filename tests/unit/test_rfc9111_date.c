/* test_rfc9111_date.c: HTTP-date parsing and formatting (IMF-fixdate,
 * RFC 850, asctime) in accel/rfc9111*.c, one test per rule, exact values.
 * Shared helpers: rfc_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "accel/rfc9111.h"
#include "rfc_test_util.h"

static double
date_of(const char *v)
{
	double t = -12345;

	assert_int_equal(rfc_date_parse(v, strlen(v), &t), 0);
	return (t);
}

static int
date_bad(const char *v)
{
	double t = -12345;

	return (rfc_date_parse(v, strlen(v), &t) == -1 && t == -12345);
}

/* ---------------- dates ---------------- */

static void
t_date_imf(void **state UNUSED)
{
	assert_true(date_of(DATE_D) == D);
	assert_true(date_of("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
	assert_true(date_of("Fri, 01 Jan 2038 00:00:00 GMT") == 2145916800.0);
}

static void
t_date_rfc850(void **state UNUSED)
{
	assert_true(date_of("Sunday, 06-Nov-94 08:49:37 GMT") == D);
	assert_true(date_of("Friday, 01-Jan-38 00:00:00 GMT") == 2145916800.0);
	assert_true(date_of("Thursday, 01-Jan-70 00:00:00 GMT") == 0);
	assert_true(date_bad("Sun, 06-Nov-94 08:49:37 GMT"));
	assert_true(date_bad("Sunday, 06-Nov-1994 08:49:37 GMT"));
}

static void
t_date_asctime(void **state UNUSED)
{
	assert_true(date_of("Sun Nov  6 08:49:37 1994") == D);
	assert_true(date_of("Sun Nov 06 08:49:37 1994") == D);
	assert_true(date_of("Wed Nov 16 08:49:37 1994") == D + 10 * 86400);
	assert_true(date_bad("Sun Nov 6 08:49:37 1994"));
	assert_true(date_bad("Sun Nov  6 08:49:37 1994 GMT"));
	assert_true(date_bad("Sun Nov   6 08:49:37 1994"));
}

static void
t_date_rfc850_years(void **state UNUSED)
{
	double t;
	const char *v = "Friday, 01-Jan-38 00:00:00 GMT";
	const char *w = "Friday, 01-Jan-99 00:00:00 GMT";

	/* with a clock: the year within (Y-50, Y+50] */
	assert_int_equal(rfc_date_parse_at(v, strlen(v), 3786912000.0, &t),
			 0);            /* now 2090 */
	assert_true(t == 5301590400.0); /* 2138 */
	assert_int_equal(rfc_date_parse_at(v, strlen(v), 1735689600.0, &t),
			 0); /* now 2025 */
	assert_true(t == 2145916800.0);
	assert_int_equal(rfc_date_parse_at(w, strlen(w), 1735689600.0, &t), 0);
	assert_true(t == 915148800.0); /* 1999, not 2099 */
}

static void
t_date_invalid(void **state UNUSED)
{
	static const char *bad[] = {"0",
				    "-1",
				    "",
				    "garbage",
				    "Sun, 06 Nov 1994 08:49:37 UTC",
				    "Sun, 6 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 24:00:00 GMT",
				    "Sun, 06 Nov 1994 08:60:00 GMT",
				    "Sun, 06 Nov 1994 08:49:61 GMT",
				    "Sun, 06 Nov 1994 08:49:37 GMT ",
				    " Sun, 06 Nov 1994 08:49:37 GMT",
				    "Sun, 31 Nov 1994 08:49:37 GMT",
				    "Sun, 00 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Foo 1994 08:49:37 GMT",
				    "Sun, 06 Nov 94 08:49:37 GMT",
				    "Sun,06 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 8:49:37 GMT",
				    "Xyz, 06 Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08:49:37",
				    "Sun, 06 Nov 1994 08:49:37 GMTX",
				    "Sun, 06  Nov 1994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08-49-37 GMT",
				    "1994-11-06T08:49:37Z",
				    "Sun, 06 Nov +994 08:49:37 GMT",
				    "Sun, 06 Nov 1994 08:49:3 GMT",
				    "Sun, 32 Jan 1994 08:49:37 GMT",
				    "Sun"};
	unsigned i;

	for (i = 0; i < NH(bad); i++)
		if (!date_bad(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(rfc_date_parse(DATE_D, 10, &(double){0}), -1);
}

static void
t_date_years(void **state UNUSED)
{
	assert_true(date_bad("Sun, 31 Dec 1899 23:59:59 GMT"));
	assert_true(date_of("Mon, 01 Jan 1900 00:00:00 GMT") == -2208988800.0);
	assert_true(date_of("Fri, 31 Dec 9999 23:59:59 GMT") == 253402300799.0);
	assert_true(date_bad("Fri, 31 Dec 0000 23:59:59 GMT"));
}

static void
t_date_leap_days(void **state UNUSED)
{
	assert_true(date_of("Thu, 29 Feb 2024 00:00:00 GMT") == 1709164800.0);
	assert_true(date_of("Tue, 29 Feb 2000 00:00:00 GMT") == 951782400.0);
	assert_true(date_bad("Wed, 29 Feb 2023 00:00:00 GMT"));
	assert_true(date_bad("Thu, 29 Feb 1900 00:00:00 GMT"));
	assert_true(date_bad("Thu, 30 Feb 2024 00:00:00 GMT"));
	assert_true(date_of("Thu Feb 29 00:00:00 2024") == 1709164800.0);
	assert_true(date_bad("Wed Feb 29 00:00:00 2023"));
}

static void
t_date_leap_second(void **state UNUSED)
{
	assert_true(date_of("Sat, 31 Dec 2016 23:59:60 GMT") == 1483228800.0);
}

static void
t_date_lenient_names(void **state UNUSED)
{
	/* names are matched case-insensitively; the weekday is not checked
	 * against the date */
	assert_true(date_of("sun, 06 nov 1994 08:49:37 gmt") == D);
	assert_true(date_of("SUNDAY, 06-NOV-94 08:49:37 GMT") == D);
	assert_true(date_of("Mon, 06 Nov 1994 08:49:37 GMT") == D);
}

static void
t_date_fmt(void **state UNUSED)
{
	char b[RFC_DATE_LEN];

	assert_int_equal(rfc_date_fmt(D, b), 29);
	assert_string_equal(b, DATE_D);
	assert_int_equal(rfc_date_fmt(0, b), 29);
	assert_string_equal(b, "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(-1, b), 29);
	assert_string_equal(b, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(-0.5, b), 29);
	assert_string_equal(b, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(D + 0.9, b), 29);
	assert_string_equal(b, DATE_D);
	assert_int_equal(rfc_date_fmt(1709164800.0, b), 29);
	assert_string_equal(b, "Thu, 29 Feb 2024 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(253402300799.0, b), 29);
	assert_string_equal(b, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_int_equal(rfc_date_fmt(-2208988800.0, b), 29);
	assert_string_equal(b, "Mon, 01 Jan 1900 00:00:00 GMT");
	assert_int_equal(rfc_date_fmt(253402300800.0, b), -1);
	assert_string_equal(b, "");
	assert_int_equal(rfc_date_fmt(-2208988801.0, b), -1);
	assert_int_equal(rfc_date_fmt(NAN, b), -1);
	assert_int_equal(rfc_date_fmt(INFINITY, b), -1);
}

static void
t_date_roundtrip(void **state UNUSED)
{
	char b[RFC_DATE_LEN];
	double t, back;

	/* every ~3.7 days over 1900..9999, plus odd seconds */
	for (t = -2208988800.0; t < 253402300800.0; t += 318751.0 * 1013) {
		assert_int_equal(rfc_date_fmt(t, b), 29);
		assert_int_equal(rfc_date_parse(b, 29, &back), 0);
		assert_true(back == t);
	}
	for (t = 946684800.0 - 86400 * 400; t < 946684800.0 + 86400 * 400;
	     t += 86399) {
		assert_int_equal(rfc_date_fmt(t, b), 29);
		assert_int_equal(rfc_date_parse(b, 29, &back), 0);
		assert_true(back == t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_date_imf),
	    cmocka_unit_test(t_date_rfc850),
	    cmocka_unit_test(t_date_asctime),
	    cmocka_unit_test(t_date_rfc850_years),
	    cmocka_unit_test(t_date_invalid),
	    cmocka_unit_test(t_date_years),
	    cmocka_unit_test(t_date_leap_days),
	    cmocka_unit_test(t_date_leap_second),
	    cmocka_unit_test(t_date_lenient_names),
	    cmocka_unit_test(t_date_fmt),
	    cmocka_unit_test(t_date_roundtrip),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
