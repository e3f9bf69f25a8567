/*
 * vcl_conv.c: conversions between VCL types at run time (E_CONV) and the
 * parsers of the std conversion functions. Formats are Varnish's
 * (VRT_INT_string, VRT_REAL_string, VRT_TIME_string, VRT_IP_string ...):
 * BYTES print as a plain integer and DURATION as seconds with three
 * decimals, as there.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_rt.h"

static const char wday[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
    "Sat"};
static const char month[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t
vcl_fmt_time(double t, char *buf)
{
	struct tm tm;
	time_t tt;

	if (!(t > -6e10 && t < 2.5e11))
		return (0);
	tt = (time_t)floor(t);
	if (gmtime_r(&tt, &tm) == NULL)
		return (0);
	return ((size_t)snprintf(buf, 30, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wday[tm.tm_wday], tm.tm_mday, month[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec));
}

/* A copy of text[0..len) in the arena as the value of out. */
static int
conv_copy(struct vcl_rt *rt, const char *text, size_t len, union vcl_val *out)
{
	char *m = vcl_rt_alloc(rt, len + 1);

	if (m == NULL)
		return (-1);
	memcpy(m, text, len);
	m[len] = '\0';
	out->s.p = m;
	out->s.len = len;
	return (0);
}

/* in as a STRING. */
static int
conv_str(struct vcl_rt *rt, enum vcl_type from, const union vcl_val *in,
    union vcl_val *out)
{
	char buf[64];
	int n;

	switch (from) {
	case VCL_T_STRING:
		*out = *in;
		return (0);
	case VCL_T_INT:
	case VCL_T_BYTES:
		n = snprintf(buf, sizeof(buf), "%" PRId64, in->i);
		break;
	case VCL_T_REAL:
	case VCL_T_DURATION:
		n = snprintf(buf, sizeof(buf), "%.3f", in->r);
		break;
	case VCL_T_TIME:
		n = (int)vcl_fmt_time(in->r, buf);
		if (n == 0)
			return (vcl_rt_fail(rt, "time out of range"));
		break;
	case VCL_T_BOOL:
		out->s.p = in->b ? "true" : "false";
		out->s.len = in->b ? 4 : 5;
		return (0);
	case VCL_T_BACKEND:
		out->s.p = in->be == NULL ? NULL : in->be->name;
		out->s.len = in->be == NULL ? 0 : strlen(in->be->name);
		return (0);
	case VCL_T_IP:
		if (in->ip == NULL) {
			out->s.p = NULL;
			out->s.len = 0;
			return (0);
		}
		if (inet_ntop(in->ip->family == 4 ? AF_INET : AF_INET6,
		    in->ip->addr, buf, sizeof(buf)) == NULL)
			return (vcl_rt_fail(rt, "bad address"));
		n = (int)strlen(buf);
		break;
	default:
		return (vcl_rt_fail(rt, "no conversion to STRING"));
	}
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return (vcl_rt_fail(rt, "conversion to STRING"));
	return (conv_copy(rt, buf, (size_t)n, out));
}

int
vcl_conv(struct vcl_rt *rt, enum vcl_type to, enum vcl_type from,
    const union vcl_val *in, union vcl_val *out)
{
	int fint = from == VCL_T_INT || from == VCL_T_BYTES;
	int fdbl = from == VCL_T_REAL || from == VCL_T_DURATION ||
	    from == VCL_T_TIME;

	switch (to) {
	case VCL_T_STRING:
		return (conv_str(rt, from, in, out));
	case VCL_T_BOOL:
		if (from == VCL_T_STRING)
			out->b = in->s.p != NULL;
		else if (fint)
			out->b = in->i != 0;
		else if (from == VCL_T_DURATION)
			out->b = in->r > 0; /* Varnish: a positive one */
		else if (fdbl)
			out->b = in->r != 0;
		else if (from == VCL_T_BACKEND)
			out->b = in->be != NULL;
		else if (from == VCL_T_IP)
			out->b = in->ip != NULL;
		else if (from == VCL_T_BOOL)
			out->b = in->b;
		else
			break;
		return (0);
	case VCL_T_INT:
	case VCL_T_BYTES:
		if (fint || from == VCL_T_BOOL) {
			out->i = fint ? in->i : !!in->b;
			return (0);
		}
		if (!fdbl)
			break;
		if (!(in->r > -9.2e18 && in->r < 9.2e18))
			return (vcl_rt_fail(rt, "number out of range"));
		out->i = (int64_t)in->r;
		return (0);
	case VCL_T_REAL:
	case VCL_T_DURATION:
	case VCL_T_TIME:
		if (fint)
			out->r = (double)in->i;
		else if (fdbl)
			out->r = in->r;
		else
			break;
		return (0);
	default:
		if (to == from) {
			*out = *in;
			return (0);
		}
		break;
	}
	return (vcl_rt_fail(rt, "no such conversion"));
}

/* --- parsers ---------------------------------------------------------- */

/* s[0..len) without the blanks around it, NUL-terminated in buf (size n):
 * NULL when it does not fit or holds a NUL. */
static const char *
parse_trim(const char *s, size_t len, char *buf, size_t n)
{
	if (s == NULL)
		return (NULL);
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= n || memchr(s, '\0', len) != NULL)
		return (NULL);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (buf);
}

int
vcl_parse_int(const char *s, size_t len, int64_t *out)
{
	char buf[32], *end;
	const char *t = parse_trim(s, len, buf, sizeof(buf));
	long long v;

	if (t == NULL || !(isdigit((unsigned char)*t) ||
	    ((*t == '-' || *t == '+') && isdigit((unsigned char)t[1]))))
		return (-1);
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	*out = v;
	return (0);
}

/* A decimal number (no hex, inf or nan) at the start of t: the end of it
 * in *end, or -1. */
static int
parse_num(const char *t, double *out, char **end)
{
	const char *q = t;

	if (*q == '-' || *q == '+')
		q++;
	if (!isdigit((unsigned char)*q) &&
	    !(*q == '.' && isdigit((unsigned char)q[1])))
		return (-1);
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
		return (-1);
	errno = 0;
	*out = strtod(t, end);
	if (errno != 0 || !isfinite(*out))
		return (-1);
	while (isspace((unsigned char)**end))
		(*end)++;
	return (0);
}

int
vcl_parse_real(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	const char *t = parse_trim(s, len, buf, sizeof(buf));

	if (t == NULL || parse_num(t, out, &end) || *end != '\0')
		return (-1);
	return (0);
}

int
vcl_parse_duration(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	const char *t = parse_trim(s, len, buf, sizeof(buf));
	double v, sc;

	if (t == NULL || parse_num(t, &v, &end))
		return (-1);
	switch (*end++) {
	case 's': sc = 1; break;
	case 'm':
		if (*end == 's') {
			end++;
			sc = 1e-3;
		} else
			sc = 60;
		break;
	case 'h': sc = 3600; break;
	case 'd': sc = 86400; break;
	case 'w': sc = 7 * 86400; break;
	case 'y': sc = 365 * 86400; break;
	default: return (-1);
	}
	if (*end != '\0')
		return (-1);
	*out = v * sc;
	return (0);
}

int
vcl_parse_bytes(const char *s, size_t len, int64_t *out)
{
	static const char units[] = "kmgtp";
	char buf[64], *end;
	const char *t = parse_trim(s, len, buf, sizeof(buf)), *u;
	double v, sc = 1;

	if (t == NULL || parse_num(t, &v, &end) || v < 0)
		return (-1);
	if (*end != '\0' && (u = strchr(units, tolower((unsigned char)*end)))
	    != NULL) {
		sc = ldexp(1.0, 10 * (int)(u - units + 1));
		end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0')
		return (-1);
	v *= sc;
	if (!(v < 9.2e18))
		return (-1);
	*out = (int64_t)v;
	return (0);
}

int
vcl_parse_time(const char *s, size_t len, double *out)
{
	static const char *const fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850 */
		"%a %b %d %H:%M:%S %Y",	     /* asctime */
	};
	char buf[64];
	const char *t = parse_trim(s, len, buf, sizeof(buf)), *e;
	struct tm tm;
	size_t i;

	if (t == NULL)
		return (-1);
	if (vcl_parse_real(t, strlen(t), out) == 0)
		return (0);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		e = strptime(t, fmts[i], &tm);
		if (e != NULL && *e == '\0') {
			*out = (double)timegm(&tm);
			return (0);
		}
	}
	return (-1);
}

int
vcl_parse_ip(const char *s, size_t len, struct vcl_ip *out)
{
	char buf[64];
	const char *t = parse_trim(s, len, buf, sizeof(buf));

	if (t == NULL)
		return (-1);
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, t, out->addr) == 1) {
		out->family = 4;
		return (0);
	}
	if (inet_pton(AF_INET6, t, out->addr) == 1) {
		out->family = 6;
		return (0);
	}
	return (-1);
}
