/*
 * rfc9111_cond.c: entity-tags, the conditionals a cache answers
 * (If-None-Match, If-Modified-Since, If-Range), and which header fields a
 * 304 carries or updates (RFC 9110 sections 8.8, 13, 15.4.5; RFC 9111
 * sections 3.2, 4.3).
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* One entity-tag: its opaque-tag (quotes included) and weakness. */
struct etag {
	const char *op;
	size_t oplen;
	int weak;
};

/* etagc = "!" / %x23-7E / obs-text */
static int
etagc(int c)
{
	return (c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80);
}

/* Parse an entity-tag that is exactly v[s..e). 0 or -1. */
static int
etag_parse(const char *v, size_t s, size_t e, struct etag *t)
{
	size_t i;

	t->weak = 0;
	if (e - s >= 2 && v[s] == 'W' && v[s + 1] == '/') {
		t->weak = 1;
		s += 2;
	}
	if (e - s < 2 || v[s] != '"' || v[e - 1] != '"')
		return (-1);
	for (i = s + 1; i < e - 1; i++)
		if (!etagc((uint8_t)v[i]))
			return (-1);
	t->op = v + s;
	t->oplen = e - s;
	return (0);
}

/* The stored ETag, whole value. */
static int
etag_one(const char *v, size_t len, struct etag *t)
{
	size_t s = 0, e = len;

	if (v == NULL)
		return (-1);
	rfc__trim(v, &s, &e);
	return (etag_parse(v, s, e, t));
}

/*
 * Walk the If-Match / If-None-Match value list[0..llen): 1 when "*" or a
 * member matches etag (strong or weak comparison), 0 when none does, -1
 * when the value is malformed. The list is scanned entity-tag by
 * entity-tag: an opaque-tag may itself hold commas ("a,b" is one tag).
 */
static int
etag_list(const char *list, size_t llen, const char *etag, size_t elen,
	  int strong)
{
	struct etag st, m;
	size_t i = 0, s, e;
	int have, found = 0, members = 0;

	if (list == NULL)
		return (-1);
	s = 0;
	e = llen;
	rfc__trim(list, &s, &e);
	if (e - s == 1 && list[s] == '*')
		return (1);
	have = etag_one(etag, elen, &st) == 0;
	for (;;) {
		/* OWS and empty list elements */
		while (i < llen && (rfc__ows(list[i]) || list[i] == ','))
			i++;
		if (i == llen)
			break;
		s = i;
		if (llen - i >= 2 && list[i] == 'W' && list[i + 1] == '/')
			i += 2;
		if (i == llen || list[i] != '"')
			return (-1);
		for (i++; i < llen && list[i] != '"'; i++)
			;
		if (i == llen)
			return (-1); /* unterminated */
		e = ++i;
		if (etag_parse(list, s, e, &m) != 0)
			return (-1);
		while (i < llen && rfc__ows(list[i]))
			i++;
		if (i < llen && list[i] != ',')
			return (-1); /* "a" b */
		members++;
		if (!have || m.oplen != st.oplen ||
		    memcmp(m.op, st.op, m.oplen) != 0)
			continue;
		if (!strong || (!m.weak && !st.weak))
			found = 1;
	}
	if (members == 0)
		return (-1);
	return (found);
}

/* If-None-Match comparison. */
int
rfc_etag_match_weak(const char *list, size_t llen, const char *etag,
		    size_t elen)
{
	return (etag_list(list, llen, etag, elen, 0) == 1);
}

/* If-Match / If-Range comparison. */
int
rfc_etag_match_strong(const char *list, size_t llen, const char *etag,
		      size_t elen)
{
	return (etag_list(list, llen, etag, elen, 1) == 1);
}

/* Answer 304 from the cache? If-None-Match, else If-Modified-Since. */
int
rfc_not_modified(enum h1_method meth, const struct h1_hdr *req, unsigned n,
		 const char *etag, size_t elen, const char *lm, size_t lmlen,
		 double date, double response_time)
{
	const struct h1_hdr *ims = NULL;
	double since, mod;
	unsigned i, nims = 0;
	int inm = 0, match = 0, rc;

	AN(req != NULL || n == 0);
	if (meth != H1M_GET && meth != H1M_HEAD)
		return (0);
	for (i = 0; i < n; i++) {
		if (h1_name_eq(&req[i], "If-None-Match")) {
			if (!inm)
				match = 1; /* well formed so far */
			inm = 1;
			rc = etag_list(req[i].value, req[i].value_len, etag,
				       elen, 0);
			if (rc < 0)
				match = -1;
			else if (rc == 1 && match >= 0)
				match = 2;
		} else if (h1_name_eq(&req[i], "If-Modified-Since")) {
			ims = &req[i];
			nims++;
		}
	}
	if (inm)
		return (match == 2);
	if (nims != 1 || rfc_date_parse_at(ims->value, ims->value_len,
					   response_time, &since) != 0)
		return (0);
	if (lm == NULL ||
	    rfc_date_parse_at(lm, lmlen, response_time, &mod) != 0)
		mod = date > 0 ? date : response_time;
	return (mod <= since);
}

/* Fields a 304 from the cache carries (RFC 9110 section 15.4.5). */
int
rfc_304_hdr(const struct h1_hdr *h, int has_etag)
{
	static const char *const keep[] = {"Cache-Control", "Content-Location",
					   "Date",          "ETag",
					   "Expires",       "Vary"};
	unsigned i;

	AN(h);
	for (i = 0; i < ARRAY_LEN(keep); i++)
		if (h1_name_eq(h, keep[i]))
			return (1);
	return (!has_etag && h1_name_eq(h, "Last-Modified"));
}

/* Does a 304 replace this stored field (RFC 9111 section 3.2)? */
int
rfc_304_update_hdr(const struct h1_hdr *h)
{
	static const char *const skip[] = {"Content-Length",
					   "Content-Range",
					   "Connection",
					   "Keep-Alive",
					   "Proxy-Connection",
					   "TE",
					   "Trailer",
					   "Transfer-Encoding",
					   "Upgrade",
					   "Proxy-Authenticate",
					   "Proxy-Authentication-Info",
					   "Proxy-Authorization",
					   "Age"};
	unsigned i;

	AN(h);
	for (i = 0; i < ARRAY_LEN(skip); i++)
		if (h1_name_eq(h, skip[i]))
			return (0);
	return (1);
}

/* Does the Range apply, given If-Range (RFC 9110 section 13.1.5)? */
int
rfc_if_range(const char *v, size_t len, const char *etag, size_t elen,
	     const char *lm, size_t lmlen, double date)
{
	struct etag a, b;
	size_t s = 0, e = len;
	double t, m;

	if (v == NULL)
		return (0);
	rfc__trim(v, &s, &e);
	if (e > s &&
	    (v[s] == '"' || (e - s >= 2 && v[s] == 'W' && v[s + 1] == '/'))) {
		if (etag_parse(v, s, e, &a) != 0 ||
		    etag_one(etag, elen, &b) != 0)
			return (0);
		return (!a.weak && !b.weak && a.oplen == b.oplen &&
			memcmp(a.op, b.op, a.oplen) == 0);
	}
	if (rfc_date_parse_at(v + s, e - s, date, &t) != 0 || lm == NULL ||
	    rfc_date_parse_at(lm, lmlen, date, &m) != 0)
		return (0);
	/* Last-Modified is strong only a second or more before Date. */
	return (t == m && date > 0 && m <= date - 1);
}
