/*
 * vcl_std.c: the functions of vmod_std and the core ones (ban, hash_data,
 * synthetic when called as functions) as accel runs them. regsub and
 * regsuball are the interpreter's (vcl_exec.c): they need the regex.
 *
 * The conversions (std.integer, std.real, std.duration, std.bytes,
 * std.time) follow Varnish 7: exactly one source argument (s, or one of
 * the typed ones); a source that does not convert gives the fallback, or
 * fails the run when there is none.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_rt.h"

/* A NUL-terminated copy of s in the arena ("" for not set). */
static char *
std_cstr(struct vcl_rt *rt, struct vcl_str s)
{
	char *m = vcl_rt_alloc(rt, s.len + 1);

	if (m != NULL) {
		if (s.p != NULL && s.len != 0)
			memcpy(m, s.p, s.len);
		m[s.p == NULL ? 0 : s.len] = '\0';
	}
	return (m);
}

/* std.tolower, std.toupper: a new string ("" for not set). */
static int
std_case(struct vcl_rt *rt, struct vcl_str s, int upper, union vcl_val *out)
{
	char *m = std_cstr(rt, s);
	size_t i, n = s.p == NULL ? 0 : s.len;

	if (m == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (upper && m[i] >= 'a' && m[i] <= 'z')
			m[i] = (char)(m[i] - 'a' + 'A');
		else if (!upper && m[i] >= 'A' && m[i] <= 'Z')
			m[i] = (char)(m[i] - 'A' + 'a');
	}
	out->s.p = m;
	out->s.len = n;
	return (0);
}

/* s parsed as a value of type to: 0, or -1 (not such a value). */
static int
std_parse(enum vcl_type to, struct vcl_str s, union vcl_val *out,
    struct vcl_ip *ipbuf)
{
	switch (to) {
	case VCL_T_INT: return (vcl_parse_int(s.p, s.len, &out->i));
	case VCL_T_REAL: return (vcl_parse_real(s.p, s.len, &out->r));
	case VCL_T_DURATION: return (vcl_parse_duration(s.p, s.len, &out->r));
	case VCL_T_BYTES: return (vcl_parse_bytes(s.p, s.len, &out->i));
	case VCL_T_TIME: return (vcl_parse_time(s.p, s.len, &out->r));
	case VCL_T_IP:
		out->ip = ipbuf;
		return (vcl_parse_ip(s.p, s.len, ipbuf));
	default: return (-1);
	}
}

/* A typed source (integer=, real=, bool= ...) as type to: 0, or -1 when
 * it is out of range. Reals become integers rounded down (Varnish). */
static int
std_from(enum vcl_type to, enum vcl_type from, const union vcl_val *in,
    union vcl_val *out)
{
	int fint = from == VCL_T_INT || from == VCL_T_BYTES;
	double r = fint ? (double)in->i : from == VCL_T_BOOL ? !!in->b : in->r;

	if (to == VCL_T_INT || to == VCL_T_BYTES) {
		if (fint) {
			out->i = in->i;
		} else {
			r = floor(r);
			if (!(r > -9.2e18 && r < 9.2e18))
				return (-1);
			out->i = (int64_t)r;
		}
		return (to == VCL_T_BYTES && out->i < 0 ? -1 : 0);
	}
	out->r = r;
	return (0);
}

/* std.integer, std.real, std.duration, std.bytes, std.time: argument 0 is
 * s, 1 the fallback, the others typed sources. */
static int
std_conv(struct vcl_rt *rt, const struct vcl_func *fn, const struct vcl_args *a,
    union vcl_val *out)
{
	int src = -1, r;
	unsigned i;

	for (i = 0; i < a->n; i++) {
		if (i == 1 || !VCL_ARG_GIVEN(a, i))
			continue;
		if (src >= 0)
			return (vcl_rt_fail(rt, "std conversion: more than "
			    "one source"));
		src = (int)i;
	}
	if (src < 0)
		return (vcl_rt_fail(rt, "std conversion: no source"));
	if (src == 0)
		r = std_parse(fn->vf_ret, a->v[0].s, out, NULL);
	else
		r = std_from(fn->vf_ret, fn->vf_args[src].va_type, &a->v[src],
		    out);
	if (r == 0)
		return (0);
	if (!VCL_ARG_GIVEN(a, 1))
		return (vcl_rt_fail(rt, "std conversion failed, no fallback"));
	*out = a->v[1];
	return (0);
}

/* std.ip(s, fallback, resolve, p): numeric addresses only. */
static int
std_ip(struct vcl_rt *rt, const struct vcl_args *a, union vcl_val *out)
{
	struct vcl_ip *ip = vcl_rt_alloc(rt, sizeof(*ip));
	int64_t port;

	if (ip == NULL)
		return (-1);
	if (std_parse(VCL_T_IP, a->v[0].s, out, ip) != 0) {
		if (!VCL_ARG_GIVEN(a, 1) || a->v[1].ip == NULL)
			return (vcl_rt_fail(rt, "std.ip: not an address"));
		*out = a->v[1];
		return (0);
	}
	if (a->n > 3 && VCL_ARG_GIVEN(a, 3) &&
	    vcl_parse_int(a->v[3].s.p, a->v[3].s.len, &port) == 0 &&
	    port >= 0 && port <= 65535)
		ip->port = (uint16_t)port;
	return (0);
}

/* One parameter of a query string. */
struct qparam {
	const char *p;
	size_t len;
	size_t ix;
};

/* Varnish's order: bytes compared up to the shorter parameter, equal
 * prefixes equal; ties keep their order (stable, by ix). */
static int
qparam_cmp(const void *va, const void *vb)
{
	const struct qparam *a = va, *b = vb;
	size_t m = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->p, b->p, m);

	if (r != 0)
		return (r);
	return (a->ix < b->ix ? -1 : a->ix > b->ix);
}

/*
 * std.querysort, as Varnish: no '?' or no '&' gives the URL itself; empty
 * parameters are dropped ("/p?&&a" is "/p?a", "/p?&" is "/p?").
 */
static int
std_querysort(struct vcl_rt *rt, struct vcl_str u, union vcl_val *out)
{
	const char *q, *e, *c, *amp;
	struct qparam *pp;
	size_t n = 1, np = 0, i, head;
	char *m, *w;

	out->s = u;
	if (u.p == NULL || (q = memchr(u.p, '?', u.len)) == NULL)
		return (0);
	e = u.p + u.len;
	if (memchr(q, '&', (size_t)(e - q)) == NULL)
		return (0);
	for (c = q; c < e; c++)
		n += *c == '&';
	pp = vcl_rt_alloc(rt, n * sizeof(*pp));
	m = vcl_rt_alloc(rt, u.len + 1);
	if (pp == NULL || m == NULL)
		return (-1);
	for (c = q + 1; c <= e; c = amp + 1) {
		amp = memchr(c, '&', (size_t)(e - c));
		if (amp == NULL)
			amp = e;
		if (amp > c) {
			pp[np].p = c;
			pp[np].len = (size_t)(amp - c);
			pp[np].ix = np;
			np++;
		}
	}
	qsort(pp, np, sizeof(*pp), qparam_cmp);
	head = (size_t)(q + 1 - u.p);
	memcpy(m, u.p, head);
	w = m + head;
	for (i = 0; i < np; i++) {
		if (i > 0)
			*w++ = '&';
		memcpy(w, pp[i].p, pp[i].len);
		w += pp[i].len;
	}
	*w = '\0';
	out->s.p = m;
	out->s.len = (size_t)(w - m);
	return (0);
}

/* std.strstr(s1, s2): the rest of s1 from the first s2, or not set. */
static void
std_strstr(struct vcl_str s1, struct vcl_str s2, union vcl_val *out)
{
	const char *f = NULL;

	if (s1.p != NULL && s2.p != NULL)
		f = s2.len == 0 ? s1.p : memmem(s1.p, s1.len, s2.p, s2.len);
	out->s.p = f;
	out->s.len = f == NULL ? 0 : s1.len - (size_t)(f - s1.p);
}

/* std.fnmatch(pattern, subject, pathname, noescape, period). */
static int
std_fnmatch(struct vcl_rt *rt, const struct vcl_args *a, union vcl_val *out)
{
	char *pat, *sub;
	int fl = 0;

	out->b = 0;
	if (a->v[0].s.p == NULL || a->v[1].s.p == NULL)
		return (0);
	pat = std_cstr(rt, a->v[0].s);
	sub = std_cstr(rt, a->v[1].s);
	if (pat == NULL || sub == NULL)
		return (-1);
	if (a->v[2].b)
		fl |= FNM_PATHNAME;
	if (a->v[3].b)
		fl |= FNM_NOESCAPE;
	if (a->v[4].b)
		fl |= FNM_PERIOD;
	out->b = fnmatch(pat, sub, fl) == 0;
	return (0);
}

uint64_t
vcl_rand64(void)
{
	static _Thread_local uint64_t s;

	if (s == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		    (uint64_t)(uintptr_t)&s;
		if (s == 0)
			s = 0x9e3779b97f4a7c15u;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (s * 0x2545f4914f6cdd1du);
}

/* std.strftime(time, format), in UTC. */
static int
std_strftime(struct vcl_rt *rt, const struct vcl_args *a, union vcl_val *out)
{
	char buf[256], *fmt = std_cstr(rt, a->v[1].s);
	struct tm tm;
	time_t t = (time_t)a->v[0].r;
	size_t n;

	if (fmt == NULL)
		return (-1);
	out->s.p = NULL;
	out->s.len = 0;
	if (gmtime_r(&t, &tm) == NULL || (n = strftime(buf, sizeof(buf), fmt,
	    &tm)) == 0)
		return (0);
	out->s.p = std_cstr(rt, (struct vcl_str){buf, n});
	out->s.len = n;
	return (out->s.p == NULL ? -1 : 0);
}

/* The deprecated real2integer ... : arg 0 converted, else arg 1. */
static void
std_old(enum vcl_func_id f, const struct vcl_args *a, union vcl_val *out)
{
	double r = a->v[0].r;

	if (f == VCL_F_STD_TIME2REAL || f == VCL_F_STD_REAL2TIME) {
		out->r = f == VCL_F_STD_REAL2TIME ? round(r) : r;
		return;
	}
	r = f == VCL_F_STD_REAL2INTEGER ? round(r) : floor(r);
	if (r > -9.2e18 && r < 9.2e18)
		out->i = (int64_t)r;
	else
		*out = a->v[1];
}

/* A host operation that takes a string: -1 fails the run. */
static int
std_host(struct vcl_rt *rt,
    int (*op)(struct vcl_ctx *, const struct vcl_str *), struct vcl_str s,
    const char *why)
{
	if (s.p == NULL)
		s.p = "";
	return (op(rt->ctx, &s) < 0 ? vcl_rt_fail(rt, why) : 0);
}

int
vcl_std_call(struct vcl_rt *rt, enum vcl_func_id f, const struct vcl_args *a,
    union vcl_val *out)
{
	const struct vcl_func *fn = vcl_func_get(f);
	const union vcl_val *v = a->v;
	struct stat st;
	char *m;

	VCL_AN(fn);
	switch (f) {
	case VCL_F_STD_TOLOWER:
	case VCL_F_STD_TOUPPER:
		return (std_case(rt, v[0].s, f == VCL_F_STD_TOUPPER, out));
	case VCL_F_STD_INTEGER:
	case VCL_F_STD_REAL:
	case VCL_F_STD_DURATION:
	case VCL_F_STD_BYTES:
	case VCL_F_STD_TIME:
		return (std_conv(rt, fn, a, out));
	case VCL_F_STD_IP:
		return (std_ip(rt, a, out));
	case VCL_F_STD_QUERYSORT:
		return (std_querysort(rt, v[0].s, out));
	case VCL_F_STD_COLLECT:
		/* XXX accel's ho_hdr_get gives the first field: joining needs
		 * a host operation; until then a no-op. */
		return (0);
	case VCL_F_STD_STRSTR:
		std_strstr(v[0].s, v[1].s, out);
		return (0);
	case VCL_F_STD_FNMATCH:
		return (std_fnmatch(rt, a, out));
	case VCL_F_STD_RANDOM:
		out->r = v[0].r + (v[1].r - v[0].r) *
		    ((double)(vcl_rand64() >> 11) * 0x1p-53);
		return (0);
	case VCL_F_STD_ROUND:
		out->r = round(v[0].r);
		return (0);
	case VCL_F_STD_LOG:
		if (rt->ops->ho_log != NULL && v[0].s.p != NULL)
			rt->ops->ho_log(rt->ctx, &v[0].s);
		return (0);
	case VCL_F_STD_HEALTHY:
		out->b = vcl_rt_healthy(rt, v[0].be);
		return (0);
	case VCL_F_STD_TIMESTAMP:
		return (0);
	case VCL_F_STD_NOW:
		return (rt->ops->ho_var_get(rt->ctx, VCL_V_NOW, out) < 0 ?
		    vcl_rt_fail(rt, "cannot read now") : 0);
	case VCL_F_STD_PORT:
		out->i = v[0].ip == NULL ? 0 : v[0].ip->port;
		return (0);
	case VCL_F_STD_BAN:
		out->b = std_host(rt, rt->ops->ho_ban, v[0].s, "ban") == 0;
		rt->err = NULL; /* std.ban() reports, it does not fail */
		return (0);
	case VCL_F_STD_BAN_ERROR:
		out->s.p = "";
		out->s.len = 0;
		return (0);
	case VCL_F_STD_FILE_EXISTS:
		if ((m = std_cstr(rt, v[0].s)) == NULL)
			return (-1);
		out->b = stat(m, &st) == 0;
		return (0);
	case VCL_F_STD_GETENV:
		if ((m = std_cstr(rt, v[0].s)) == NULL)
			return (-1);
		out->s.p = getenv(m);
		out->s.len = out->s.p == NULL ? 0 : strlen(out->s.p);
		return (0);
	case VCL_F_STD_STRFTIME:
		return (std_strftime(rt, a, out));
	case VCL_F_STD_SYNTAX:
		out->b = rt->p->syntax >= (unsigned)lround(v[0].r * 10);
		return (0);
	case VCL_F_STD_REAL2INTEGER:
	case VCL_F_STD_REAL2TIME:
	case VCL_F_STD_TIME2INTEGER:
	case VCL_F_STD_TIME2REAL:
		std_old(f, a, out);
		return (0);
	case VCL_F_BAN:
		return (std_host(rt, rt->ops->ho_ban, v[0].s, "ban failed"));
	case VCL_F_HASH_DATA:
		return (rt->ops->ho_hash_data(rt->ctx, &v[0].s) < 0 ?
		    vcl_rt_fail(rt, "hash_data failed") : 0);
	case VCL_F_SYNTHETIC:
		return (std_host(rt, rt->ops->ho_synthetic, v[0].s,
		    "synthetic failed"));
	default:
		return (vcl_rt_fail(rt, "function not supported"));
	}
}
