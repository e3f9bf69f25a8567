/*
 * rfc9111_date.c: HTTP-date (RFC 9110 section 5.6.7) to seconds since the
 * epoch and back, with integer calendar arithmetic (no libc time zone or
 * locale, no libm).
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

#define YEAR_MIN 1900
#define YEAR_MAX 9999

static const char *const wday_short[7] = {"Sun", "Mon", "Tue", "Wed",
					  "Thu", "Fri", "Sat"};
static const char *const wday_long[7] = {"Sunday",    "Monday",   "Tuesday",
					 "Wednesday", "Thursday", "Friday",
					 "Saturday"};
static const char *const month_name[12] = {"Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); m 1..12. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The inverse. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Gregorian leap year. */
static int
leap(int64_t y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* Days in month m (1..12) of year y. */
static int
mdays(int64_t y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	return (m == 2 && leap(y) ? 29 : md[m - 1]);
}

/* A small cursor over the value. */
struct dp {
	const char *v;
	size_t len;
	size_t i;
};

/* Exactly the bytes of s. */
static int
lit(struct dp *p, const char *s)
{
	size_t n = strlen(s);

	if (p->len - p->i < n || memcmp(p->v + p->i, s, n) != 0)
		return (-1);
	p->i += n;
	return (0);
}

/* One of names[0..cnt), case-insensitively; its index or -1. */
static int
name(struct dp *p, const char *const *names, int cnt)
{
	size_t n;
	int k;

	for (k = 0; k < cnt; k++) {
		n = strlen(names[k]);
		if (p->len - p->i >= n && rfc__ieq(p->v + p->i, n, names[k])) {
			p->i += n;
			return (k);
		}
	}
	return (-1);
}

/* Exactly n digits; -1 if not. */
static int
digits(struct dp *p, int n)
{
	int r = 0;

	if (p->len - p->i < (size_t)n)
		return (-1);
	while (n-- > 0) {
		if (!rfc__digit(p->v[p->i]))
			return (-1);
		r = r * 10 + (p->v[p->i++] - '0');
	}
	return (r);
}

/* time-of-day = hour ":" minute ":" second */
static int
tod(struct dp *p, int *h, int *mi, int *s)
{
	if ((*h = digits(p, 2)) < 0 || lit(p, ":") != 0 ||
	    (*mi = digits(p, 2)) < 0 || lit(p, ":") != 0 ||
	    (*s = digits(p, 2)) < 0)
		return (-1);
	if (*h > 23 || *mi > 59 || *s > 60)
		return (-1);
	return (0);
}

/* "GMT", any case. */
static int
gmt(struct dp *p)
{
	if (p->len - p->i < 3 || !rfc__ieq(p->v + p->i, 3, "GMT"))
		return (-1);
	p->i += 3;
	return (0);
}

/* Year from two digits: the 50-year rule against now (or a pivot). */
static int
year2(int yy, double now)
{
	int64_t z, y, cy;
	int m, d;

	if (!(now > 0))
		return (yy < 70 ? 2000 + yy : 1900 + yy);
	z = (int64_t)(now / 86400);
	civil_from_days(z, &y, &m, &d);
	cy = y - y % 100 + yy;
	if (cy > y + 50)
		cy -= 100;
	else if (cy <= y - 50)
		cy += 100;
	return ((int)cy);
}

/* HTTP-date in any of its three formats, RFC 850 years against now. */
int
rfc_date_parse_at(const char *v, size_t len, double now, double *t)
{
	struct dp p = {v, len, 0};
	int day, mon, year, h, mi, s, k;

	AN(t);
	if (v == NULL || len < 3)
		return (-1);
	if (len > 3 && v[3] == ',') {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (name(&p, wday_short, 7) < 0 || lit(&p, ", ") != 0 ||
		    (day = digits(&p, 2)) < 0 || lit(&p, " ") != 0 ||
		    (mon = name(&p, month_name, 12)) < 0 || lit(&p, " ") != 0 ||
		    (year = digits(&p, 4)) < 0 || lit(&p, " ") != 0 ||
		    tod(&p, &h, &mi, &s) != 0 || lit(&p, " ") != 0 ||
		    gmt(&p) != 0)
			return (-1);
	} else if (len > 3 && v[3] == ' ') {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		if (name(&p, wday_short, 7) < 0 || lit(&p, " ") != 0 ||
		    (mon = name(&p, month_name, 12)) < 0 || lit(&p, " ") != 0)
			return (-1);
		if (p.i < p.len && p.v[p.i] == ' ') {
			p.i++;
			day = digits(&p, 1);
		} else {
			day = digits(&p, 2);
		}
		if (day < 0 || lit(&p, " ") != 0 || tod(&p, &h, &mi, &s) != 0 ||
		    lit(&p, " ") != 0 || (year = digits(&p, 4)) < 0)
			return (-1);
	} else {
		/* rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT */
		if ((k = name(&p, wday_long, 7)) < 0 || lit(&p, ", ") != 0 ||
		    (day = digits(&p, 2)) < 0 || lit(&p, "-") != 0 ||
		    (mon = name(&p, month_name, 12)) < 0 || lit(&p, "-") != 0 ||
		    (year = digits(&p, 2)) < 0 || lit(&p, " ") != 0 ||
		    tod(&p, &h, &mi, &s) != 0 || lit(&p, " ") != 0 ||
		    gmt(&p) != 0)
			return (-1);
		year = year2(year, now);
	}
	if (p.i != p.len)
		return (-1);
	if (year < YEAR_MIN || year > YEAR_MAX || day < 1 ||
	    day > mdays(year, mon + 1))
		return (-1);
	*t = (double)(days_from_civil(year, mon + 1, day) * 86400 + h * 3600 +
		      mi * 60 + s);
	return (0);
}

/* HTTP-date with the fixed RFC 850 pivot. */
int
rfc_date_parse(const char *v, size_t len, double *t)
{
	return (rfc_date_parse_at(v, len, 0, t));
}

/* IMF-fixdate, the only format we generate. */
int
rfc_date_fmt(double t, char buf[RFC_DATE_LEN])
{
	int64_t secs, z, y, sod;
	int m, d, w;
	/* 1900-01-01 and 10000-01-01 in seconds */
	const double lo = -2208988800.0, hi = 253402300800.0;

	AN(buf);
	buf[0] = '\0';
	if (!(t >= lo && t < hi))
		return (-1);
	secs = (int64_t)t;
	if ((double)secs > t)
		secs--; /* floor for negative fractions */
	z = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	sod = secs - z * 86400;
	civil_from_days(z, &y, &m, &d);
	w = (int)((z % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
	snprintf(buf, RFC_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 wday_short[w], d, month_name[m - 1], (int)y, (int)(sod / 3600),
		 (int)(sod / 60 % 60), (int)(sod % 60));
	return (29);
}
