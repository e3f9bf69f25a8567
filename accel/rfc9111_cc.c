/*
 * rfc9111_cc.c: Cache-Control (RFC 9111 section 5.2) and targeted
 * cache-control fields (RFC 9213, parsed as Structured Fields
 * Dictionaries per RFC 9651), and which of them apply to a response.
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* Directives with a delta-seconds argument. */
enum cc_num {
	CCN_NONE = 0,
	CCN_MAX_AGE,
	CCN_S_MAXAGE,
	CCN_SWR,
	CCN_SIE,
	CCN_MAX_STALE,
	CCN_MIN_FRESH,
};

static const struct {
	const char *name;
	enum cc_num num;
	unsigned flag;
} cc_names[] = {
#define X(n, s) {s, CCN_NONE, RFC_CC_##n},
    RFC_CC_FLAG_LIST(X)
#undef X
	{"max-age", CCN_MAX_AGE, 0},
    {"s-maxage", CCN_S_MAXAGE, 0},
    {"stale-while-revalidate", CCN_SWR, 0},
    {"stale-if-error", CCN_SIE, 0},
    {"max-stale", CCN_MAX_STALE, 0},
    {"min-fresh", CCN_MIN_FRESH, 0},
};

/* Index in cc_names of the directive name v[0..len), or -1. */
static int
cc_lookup(const char *v, size_t len)
{
	unsigned i;

	for (i = 0; i < ARRAY_LEN(cc_names); i++)
		if (rfc__ieq(v, len, cc_names[i].name))
			return ((int)i);
	return (-1);
}

/* The struct field that holds numeric directive k. */
static int64_t *
cc_field(struct rfc_cc *cc, enum cc_num k)
{
	switch (k) {
	case CCN_MAX_AGE: return (&cc->cc_max_age);
	case CCN_S_MAXAGE: return (&cc->cc_s_maxage);
	case CCN_SWR: return (&cc->cc_swr);
	case CCN_SIE: return (&cc->cc_sie);
	case CCN_MAX_STALE: return (&cc->cc_max_stale);
	case CCN_MIN_FRESH: return (&cc->cc_min_fresh);
	default: WRONG("cc_field");
	}
}

/* All directives absent. */
void
rfc_cc_init(struct rfc_cc *cc)
{
	AN(cc);
	memset(cc, 0, sizeof *cc);
	cc->cc_max_age = cc->cc_s_maxage = cc->cc_swr = cc->cc_sie = -1;
	cc->cc_max_stale = cc->cc_min_fresh = -1;
}

/* Record value x (-1: malformed, -2: no argument) for directive k,
 * keeping the most restrictive of repeated values. */
static void
cc_num_set(struct rfc_cc *cc, enum cc_num k, int64_t x)
{
	int64_t *p = cc_field(cc, k);

	switch (k) {
	case CCN_MAX_STALE:
		if (x == -2)
			x = RFC_DELTA_MAX;
		if (x < 0)
			return;
		break;
	case CCN_MIN_FRESH:
		if (x < 0)
			return;
		if (*p < x)
			*p = x;
		return;
	default:
		if (x < 0)
			x = 0; /* invalid freshness information: stale */
		break;
	}
	if (*p < 0 || x < *p)
		*p = x;
}

/* Classic Cache-Control: one field line. */
void
rfc_cc_parse(const char *v, size_t len, struct rfc_cc *cc)
{
	size_t i = 0, e, s, ne, as, ae;
	int k;

	AN(cc);
	AN(v != NULL || len == 0);
	while (i < len) {
		e = rfc__elem_end(v, len, i);
		s = i;
		i = e + 1;
		rfc__trim(v, &s, &e);
		for (ne = s; ne < e && rfc__tchar((uint8_t)v[ne]); ne++)
			;
		if (ne == s)
			continue; /* empty element or not a directive */
		k = cc_lookup(v + s, ne - s);
		if (k < 0)
			continue; /* unknown: ignore (section 5.2.3) */
		as = ne;
		while (as < e && rfc__ows(v[as]))
			as++;
		if (cc_names[k].num == CCN_NONE) {
			/* A field-list argument (no-cache="a, b"), or junk
			 * after the name, still means the directive. */
			cc->cc_flags |= cc_names[k].flag;
			continue;
		}
		if (as < e && v[as] != '=') {
			/* "max-age 60": malformed argument */
			cc_num_set(cc, cc_names[k].num, -1);
			continue;
		}
		if (as == e) {
			cc_num_set(cc, cc_names[k].num, -2);
			continue;
		}
		as++;
		ae = e;
		rfc__trim(v, &as, &ae);
		if (ae - as >= 2 && v[as] == '"' && v[ae - 1] == '"') {
			as++;
			ae--;
		}
		cc_num_set(cc, cc_names[k].num, rfc__delta(v + as, ae - as));
	}
}

/* --- Structured Fields (RFC 9651) dictionary, for RFC 9213 --- */

enum sf_type {
	SF_INT,
	SF_DEC,
	SF_STR,
	SF_TOK,
	SF_BYTES,
	SF_BOOL,
	SF_DATE,
	SF_DSTR,
	SF_INNER
};

struct sf {
	const char *v;
	size_t len;
	size_t i;
};

/* lcalpha of RFC 9651. */
static int
sf_lcalpha(int c)
{
	return (c >= 'a' && c <= 'z');
}

/* Skip SP (inside dictionaries and parameters). */
static void
sf_sp(struct sf *p)
{
	while (p->i < p->len && p->v[p->i] == ' ')
		p->i++;
}

/* Skip OWS (around dictionary members). */
static void
sf_ows(struct sf *p)
{
	while (p->i < p->len && rfc__ows(p->v[p->i]))
		p->i++;
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static int
sf_key(struct sf *p, size_t *ks, size_t *ke)
{
	int c;

	if (p->i >= p->len)
		return (-1);
	c = (uint8_t)p->v[p->i];
	if (!sf_lcalpha(c) && c != '*')
		return (-1);
	*ks = p->i++;
	while (p->i < p->len) {
		c = (uint8_t)p->v[p->i];
		if (!sf_lcalpha(c) && !rfc__digit(c) && c != '_' && c != '-' &&
		    c != '.' && c != '*')
			break;
		p->i++;
	}
	*ke = p->i;
	return (0);
}

/* sf-integer / sf-decimal; *num is the integer value when SF_INT. */
static int
sf_number(struct sf *p, enum sf_type *t, int64_t *num)
{
	int neg = 0, ndig = 0, nfrac = 0, dot = 0;
	int64_t r = 0;

	if (p->v[p->i] == '-') {
		neg = 1;
		p->i++;
	}
	if (p->i >= p->len || !rfc__digit(p->v[p->i]))
		return (-1);
	while (p->i < p->len) {
		int c = p->v[p->i];
		if (rfc__digit(c)) {
			if (dot)
				nfrac++;
			else
				ndig++;
			r = r * 10 + (c - '0');
			if ((!dot && ndig > 15) || (dot && nfrac > 3))
				return (-1);
		} else if (c == '.' && !dot) {
			if (ndig > 12)
				return (-1);
			dot = 1;
		} else {
			break;
		}
		p->i++;
	}
	if (dot && nfrac == 0)
		return (-1);
	*t = dot ? SF_DEC : SF_INT;
	*num = neg ? -r : r;
	return (0);
}

/* bare-item; *t its type, *num for integers and booleans. */
static int
sf_bare_item(struct sf *p, enum sf_type *t, int64_t *num)
{
	int c;

	if (p->i >= p->len)
		return (-1);
	c = (uint8_t)p->v[p->i];
	*num = 0;
	if (c == '-' || rfc__digit(c))
		return (sf_number(p, t, num));
	if (c == '"') {
		for (p->i++; p->i < p->len; p->i++) {
			c = (uint8_t)p->v[p->i];
			if (c == '\\') {
				if (++p->i >= p->len ||
				    (p->v[p->i] != '"' && p->v[p->i] != '\\'))
					return (-1);
			} else if (c == '"') {
				p->i++;
				*t = SF_STR;
				return (0);
			} else if (c < 0x20 || c > 0x7e) {
				return (-1);
			}
		}
		return (-1);
	}
	if (rfc__alpha(c) || c == '*') {
		for (p->i++; p->i < p->len; p->i++) {
			c = (uint8_t)p->v[p->i];
			if (!rfc__tchar(c) && c != ':' && c != '/')
				break;
		}
		*t = SF_TOK;
		return (0);
	}
	if (c == ':') {
		for (p->i++; p->i < p->len; p->i++) {
			c = (uint8_t)p->v[p->i];
			if (c == ':') {
				p->i++;
				*t = SF_BYTES;
				return (0);
			}
			if (!rfc__alpha(c) && !rfc__digit(c) && c != '+' &&
			    c != '/' && c != '=')
				return (-1);
		}
		return (-1);
	}
	if (c == '?') {
		if (p->i + 1 >= p->len ||
		    (p->v[p->i + 1] != '0' && p->v[p->i + 1] != '1'))
			return (-1);
		*num = p->v[p->i + 1] == '1';
		p->i += 2;
		*t = SF_BOOL;
		return (0);
	}
	if (c == '@') { /* sf-date (RFC 9651) */
		p->i++;
		if (p->i >= p->len ||
		    (p->v[p->i] != '-' && !rfc__digit(p->v[p->i])) ||
		    sf_number(p, t, num) != 0 || *t != SF_INT)
			return (-1);
		*t = SF_DATE;
		return (0);
	}
	if (c == '%') { /* display string (RFC 9651): %"..." with %xx */
		if (p->i + 1 >= p->len || p->v[p->i + 1] != '"')
			return (-1);
		for (p->i += 2; p->i < p->len; p->i++) {
			c = (uint8_t)p->v[p->i];
			if (c == '"') {
				p->i++;
				*t = SF_DSTR;
				return (0);
			}
			if (c < 0x20 || c > 0x7e)
				return (-1);
			if (c == '%') {
				if (p->i + 2 >= p->len)
					return (-1);
				p->i += 2; /* hex digits: not checked further */
			}
		}
		return (-1);
	}
	return (-1);
}

/* parameters = *( ";" *SP key [ "=" bare-item ] ); ignored. */
static int
sf_params(struct sf *p)
{
	size_t ks, ke;
	enum sf_type t;
	int64_t num;

	while (p->i < p->len && p->v[p->i] == ';') {
		p->i++;
		sf_sp(p);
		if (sf_key(p, &ks, &ke) != 0)
			return (-1);
		if (p->i < p->len && p->v[p->i] == '=') {
			p->i++;
			if (sf_bare_item(p, &t, &num) != 0)
				return (-1);
		}
	}
	return (0);
}

/* item or inner-list after "key=" (or nothing: Boolean true). */
static int
sf_member_value(struct sf *p, enum sf_type *t, int64_t *num)
{
	enum sf_type it;
	int64_t inum;

	if (p->i >= p->len || p->v[p->i] != '=') {
		*t = SF_BOOL;
		*num = 1;
		return (sf_params(p));
	}
	p->i++;
	if (p->i < p->len && p->v[p->i] == '(') {
		p->i++;
		for (;;) {
			sf_sp(p);
			if (p->i >= p->len)
				return (-1);
			if (p->v[p->i] == ')') {
				p->i++;
				break;
			}
			if (sf_bare_item(p, &it, &inum) != 0 ||
			    sf_params(p) != 0)
				return (-1);
			if (p->i < p->len && p->v[p->i] != ' ' &&
			    p->v[p->i] != ')')
				return (-1);
		}
		*t = SF_INNER;
		*num = 0;
		return (sf_params(p));
	}
	if (sf_bare_item(p, t, num) != 0)
		return (-1);
	return (sf_params(p));
}

/* Apply one dictionary member: the later one replaces the earlier. */
static void
tcc_apply(struct rfc_cc *cc, const char *k, size_t klen, enum sf_type t,
	  int64_t num)
{
	int64_t *fp;
	int i = cc_lookup(k, klen);

	if (i < 0)
		return;
	if (cc_names[i].num == CCN_NONE) {
		if (t == SF_BOOL && num == 0)
			cc->cc_flags &= ~cc_names[i].flag;
		else
			cc->cc_flags |= cc_names[i].flag;
		return;
	}
	fp = cc_field(cc, cc_names[i].num);
	if (t == SF_BOOL && num == 1 && cc_names[i].num == CCN_MAX_STALE)
		*fp = RFC_DELTA_MAX;
	else if (t == SF_INT && num >= 0)
		*fp = num > RFC_DELTA_MAX ? RFC_DELTA_MAX : num;
	/* else: a value of the wrong type is not consumed (RFC 9213 2.1) */
}

/* One targeted field line as an SF dictionary; all or nothing. */
int
rfc_tcc_parse(const char *v, size_t len, struct rfc_cc *cc)
{
	struct sf p = {v, len, 0};
	struct rfc_cc tmp;
	size_t ks, ke;
	enum sf_type t;
	int64_t num;

	AN(cc);
	AN(v != NULL || len == 0);
	tmp = *cc;
	sf_sp(&p);
	if (p.i == p.len)
		return (-1); /* empty: ignored (RFC 9213 section 2.1) */
	for (;;) {
		if (sf_key(&p, &ks, &ke) != 0 ||
		    sf_member_value(&p, &t, &num) != 0)
			return (-1);
		tcc_apply(&tmp, v + ks, ke - ks, t, num);
		sf_ows(&p);
		if (p.i == p.len)
			break;
		if (v[p.i] != ',')
			return (-1);
		p.i++;
		sf_ows(&p);
		if (p.i == p.len)
			return (-1); /* trailing comma */
	}
	*cc = tmp;
	return (0);
}

/* Every line of a targeted field parsed into *cc: 1 when present and all
 * valid, 0 otherwise (then *cc is unspecified). */
static int
tcc_field(const struct h1_hdr *hdrs, unsigned n, const char *name,
	  struct rfc_cc *cc)
{
	unsigned i;
	int seen = 0;

	rfc_cc_init(cc);
	for (i = 0; i < n; i++) {
		if (!h1_name_eq(&hdrs[i], name))
			continue;
		if (rfc_tcc_parse(hdrs[i].value, hdrs[i].value_len, cc) != 0)
			return (0);
		seen = 1;
	}
	return (seen);
}

/* The response directives for accel: targeted field first (RFC 9213 2.2). */
enum rfc_cc_src
rfc_resp_cc(const struct h1_hdr *hdrs, unsigned n, struct rfc_cc *cc)
{
	enum rfc_cc_src src = RFC_CCS_NONE;
	unsigned i;

	AN(cc);
	AN(hdrs != NULL || n == 0);
	if (tcc_field(hdrs, n, "Accel-Cache-Control", cc))
		return (RFC_CCS_ACCEL);
	if (tcc_field(hdrs, n, "CDN-Cache-Control", cc))
		return (RFC_CCS_CDN);
	rfc_cc_init(cc);
	for (i = 0; i < n; i++) {
		if (!h1_name_eq(&hdrs[i], "Cache-Control"))
			continue;
		rfc_cc_parse(hdrs[i].value, hdrs[i].value_len, cc);
		src = RFC_CCS_CACHE_CONTROL;
	}
	return (src);
}

/* Request directives: Cache-Control, or Pragma: no-cache without it. */
void
rfc_req_cc(const struct h1_hdr *hdrs, unsigned n, struct rfc_cc *cc)
{
	unsigned i;
	int seen = 0;

	AN(cc);
	AN(hdrs != NULL || n == 0);
	rfc_cc_init(cc);
	for (i = 0; i < n; i++) {
		if (!h1_name_eq(&hdrs[i], "Cache-Control"))
			continue;
		rfc_cc_parse(hdrs[i].value, hdrs[i].value_len, cc);
		seen = 1;
	}
	if (seen)
		return;
	for (i = 0; i < n; i++)
		if (h1_name_eq(&hdrs[i], "Pragma") &&
		    h1_list_has(hdrs[i].value, hdrs[i].value_len, "no-cache"))
			cc->cc_flags |= RFC_CC_NO_CACHE;
}
