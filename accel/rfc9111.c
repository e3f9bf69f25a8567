/*
 * rfc9111.c: what may be stored, how long it stays fresh, how old it is,
 * and whether a request may use it (RFC 9111 sections 3, 4; RFC 5861).
 * Cache-Control parsing is in rfc9111_cc.c; dates, conditionals, ranges,
 * Vary, invalidation and Cache-Status in the other rfc9111_*.c.
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* --- storing --- */

/* Defaults: no default TTL, 10 % heuristic capped at a day, shared. */
void
rfc_opts_default(struct rfc_opts *o)
{
	AN(o);
	memset(o, 0, sizeof *o);
	o->ro_default_ttl = -1;
	o->ro_heur_pct = 10;
	o->ro_heur_cap = 86400;
	o->ro_keep = 0;
	o->ro_shared = 1;
	o->ro_store_set_cookie = 0;
}

/* Heuristically cacheable statuses (RFC 9110 section 15.1). */
int
rfc_status_heuristic(int status)
{
	switch (status) {
	case 200:
	case 203:
	case 204:
	case 206:
	case 300:
	case 301:
	case 308:
	case 404:
	case 405:
	case 410:
	case 414:
	case 501: return (1);
	default: return (0);
	}
}

/* Statuses whose caching rules we implement (must-understand). */
int
rfc_status_understood(int status)
{
	if (rfc_status_heuristic(status))
		return (1);
	switch (status) {
	case 302:
	case 303:
	case 307:
	case 451:
	case 500:
	case 502:
	case 503:
	case 504: return (1);
	default: return (0);
	}
}

/* Does any Vary line hold "*" or a malformed member? */
static int
vary_star(const struct h1_hdr *hdrs, unsigned n)
{
	const char *name;
	size_t pos, nlen;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		if (!h1_name_eq(&hdrs[i], "Vary"))
			continue;
		pos = 0;
		while ((rc = rfc_vary_next(hdrs[i].value, hdrs[i].value_len,
					   &pos, &name, &nlen)) == 1)
			;
		if (rc < 0)
			return (1);
	}
	return (0);
}

/* May this response be stored? The rules of RFC 9111 section 3, in order. */
int
rfc_storable(enum h1_method meth, const struct h1_hdr *req, unsigned nreq,
	     int status, const struct h1_hdr *resp, unsigned nresp,
	     const struct rfc_opts *opts, const char **reason)
{
	struct rfc_cc cc, rq;
	enum rfc_cc_src src;
	unsigned f;

	AN(opts);
	AN(reason);
	AN(req != NULL || nreq == 0);
	AN(resp != NULL || nresp == 0);
#define NO(r)                                                                  \
	do {                                                                   \
		*reason = r;                                                   \
		return (0);                                                    \
	} while (0)
	if (meth != H1M_GET)
		NO("method");
	if (status < 200 || status > 999)
		NO("not-final");
	if (status == 206)
		NO("partial");
	if (status == 304)
		NO("not-modified");
	rfc_req_cc(req, nreq, &rq);
	if (rq.cc_flags & RFC_CC_NO_STORE)
		NO("req-no-store");
	if (vary_star(resp, nresp))
		NO("vary-star");
	src = rfc_resp_cc(resp, nresp, &cc);
	f = cc.cc_flags;
	if ((f & RFC_CC_MUST_UNDERSTAND) && !rfc_status_understood(status))
		NO("must-understand");
	if ((f & RFC_CC_NO_STORE) && !(f & RFC_CC_MUST_UNDERSTAND))
		NO("no-store");
	if (opts->ro_shared && (f & RFC_CC_PRIVATE))
		NO("private");
	if (opts->ro_shared && h1_find(req, nreq, "Authorization") != NULL &&
	    !(f & (RFC_CC_PUBLIC | RFC_CC_MUST_REVALIDATE)) &&
	    cc.cc_s_maxage < 0)
		NO("authorization");
	if (!opts->ro_store_set_cookie &&
	    h1_find(resp, nresp, "Set-Cookie") != NULL)
		NO("set-cookie");
	if (!(f & RFC_CC_PUBLIC) && cc.cc_max_age < 0 &&
	    !(opts->ro_shared && cc.cc_s_maxage >= 0) &&
	    !(!opts->ro_shared && (f & RFC_CC_PRIVATE)) &&
	    !(src < RFC_CCS_CDN && h1_find(resp, nresp, "Expires") != NULL) &&
	    !rfc_status_heuristic(status))
		NO("no-freshness");
#undef NO
	*reason = "storable";
	return (1);
}

/* --- freshness --- */

/* Expires - date, per section 5.3 and 4.2.1; 0 when invalid or when
 * several Expires lines disagree. */
static double
expires_lifetime(const struct h1_hdr *hdrs, unsigned n, const struct h1_hdr *ex,
		 double date)
{
	double t;
	unsigned i;

	for (i = 0; i < n; i++)
		if (&hdrs[i] != ex && h1_name_eq(&hdrs[i], "Expires") &&
		    (hdrs[i].value_len != ex->value_len ||
		     memcmp(hdrs[i].value, ex->value, ex->value_len) != 0))
			return (0);
	if (rfc_date_parse_at(ex->value, ex->value_len, date, &t) != 0)
		return (0);
	return (t > date ? t - date : 0);
}

/* The Date value the response carries, or response_time. */
static double
date_value(const struct h1_hdr *hdrs, unsigned n, double response_time)
{
	const struct h1_hdr *h = h1_find(hdrs, n, "Date");
	double t;

	if (h != NULL &&
	    rfc_date_parse_at(h->value, h->value_len, response_time, &t) == 0)
		return (t);
	return (response_time);
}

/* Freshness lifetime, grace and stale-if-error (section 4.2.1, 4.2.2). */
void
rfc_freshness(int status, const struct h1_hdr *resp, unsigned n,
	      double response_time, const struct rfc_opts *opts,
	      struct rfc_fresh *f)
{
	const struct h1_hdr *ex, *lmh;
	struct rfc_cc cc;
	enum rfc_cc_src src;
	double date, lm, x;
	int implicit;

	AN(opts);
	AN(f);
	AN(resp != NULL || n == 0);
	memset(f, 0, sizeof *f);
	src = rfc_resp_cc(resp, n, &cc);
	date = date_value(resp, n, response_time);
	lmh = h1_find(resp, n, "Last-Modified");
	f->f_validator = h1_find(resp, n, "ETag") != NULL || lmh != NULL;
	f->f_immutable = (cc.cc_flags & RFC_CC_IMMUTABLE) != 0;
	f->f_must_revalidate =
	    (cc.cc_flags & RFC_CC_MUST_REVALIDATE) != 0 ||
	    (opts->ro_shared &&
	     ((cc.cc_flags & RFC_CC_PROXY_REVALIDATE) || cc.cc_s_maxage >= 0));
	ex = src < RFC_CCS_CDN ? h1_find(resp, n, "Expires") : NULL;
	implicit =
	    rfc_status_heuristic(status) || (cc.cc_flags & RFC_CC_PUBLIC) != 0;

	if (cc.cc_flags & RFC_CC_NO_CACHE) {
		f->f_no_cache = 1;
		f->f_src = RFC_FS_NO_CACHE;
	} else if (opts->ro_shared && cc.cc_s_maxage >= 0) {
		f->f_ttl = (double)cc.cc_s_maxage;
		f->f_src = RFC_FS_S_MAXAGE;
	} else if (cc.cc_max_age >= 0) {
		f->f_ttl = (double)cc.cc_max_age;
		f->f_src = RFC_FS_MAX_AGE;
	} else if (ex != NULL) {
		f->f_ttl = expires_lifetime(resp, n, ex, date);
		f->f_src = RFC_FS_EXPIRES;
	} else if (implicit && lmh != NULL &&
		   rfc_date_parse_at(lmh->value, lmh->value_len, date, &lm) ==
		       0 &&
		   lm <= date) {
		x = (date - lm) * opts->ro_heur_pct / 100.0;
		f->f_ttl = x > opts->ro_heur_cap ? opts->ro_heur_cap : x;
		if (f->f_ttl < 0)
			f->f_ttl = 0;
		f->f_src = RFC_FS_HEURISTIC;
	} else if (implicit && opts->ro_default_ttl >= 0) {
		f->f_ttl = opts->ro_default_ttl;
		f->f_src = RFC_FS_DEFAULT;
	} else {
		f->f_src = RFC_FS_NONE;
	}

	if (!f->f_no_cache && !f->f_must_revalidate) {
		if (cc.cc_swr > 0)
			f->f_grace = (double)cc.cc_swr;
		if (cc.cc_sie > 0)
			f->f_sie = (double)cc.cc_sie;
	}
	if (f->f_validator)
		f->f_keep = opts->ro_keep > 0 ? opts->ro_keep : 0;
	if (f->f_sie > f->f_grace + f->f_keep)
		f->f_keep = f->f_sie - f->f_grace;
}

/* --- age --- */

/* current_age, section 4.2.3 verbatim, guarded against clock steps. */
double
rfc_age(double date, double age_value, double request_time,
	double response_time, double now)
{
	double apparent_age, response_delay, corrected_age_value;
	double corrected_initial_age, resident_time, current_age;

	apparent_age = date > 0 ? response_time - date : 0;
	if (!(apparent_age > 0))
		apparent_age = 0;
	response_delay = response_time - request_time;
	if (!(response_delay > 0))
		response_delay = 0;
	if (!(age_value > 0))
		age_value = 0;
	corrected_age_value = age_value + response_delay;
	corrected_initial_age = apparent_age > corrected_age_value
				    ? apparent_age
				    : corrected_age_value;
	resident_time = now - response_time;
	if (!(resident_time > 0))
		resident_time = 0;
	current_age = corrected_initial_age + resident_time;
	if (!(current_age < (double)RFC_DELTA_MAX))
		current_age = (double)RFC_DELTA_MAX;
	return (current_age);
}

/* Age field: the first member, as delta-seconds (section 5.1). */
int
rfc_age_header_parse(const char *v, size_t len, double *age)
{
	size_t s = 0, e;
	int64_t x;

	AN(age);
	AN(v != NULL || len == 0);
	e = rfc__elem_end(v, len, 0);
	rfc__trim(v, &s, &e);
	x = rfc__delta(v + s, e - s);
	if (x < 0)
		return (-1);
	*age = (double)x;
	return (0);
}

/* --- using a stored response --- */

/* Fresh, servable stale, or to the origin (section 4, request directives). */
enum rfc_use
rfc_req_eval(const struct rfc_cc *rq, const struct rfc_fresh *f, double age)
{
	double stale;

	AN(rq);
	AN(f);
	if (f->f_no_cache || (rq->cc_flags & RFC_CC_NO_CACHE))
		goto validate;
	if (rq->cc_max_age >= 0 && age > (double)rq->cc_max_age)
		goto validate;
	if (rq->cc_min_fresh >= 0 && f->f_ttl - age < (double)rq->cc_min_fresh)
		goto validate;
	if (age < f->f_ttl)
		return (RFC_USE_FRESH);
	if (f->f_must_revalidate)
		goto validate;
	stale = age - f->f_ttl;
	if (rq->cc_max_stale >= 0 && stale <= (double)rq->cc_max_stale)
		return (RFC_USE_STALE_SERVABLE);
	if (stale < f->f_grace)
		return (RFC_USE_STALE_SERVABLE);
validate:
	if (rq->cc_flags & RFC_CC_ONLY_IF_CACHED)
		return (RFC_USE_ONLY_IF_CACHED_504);
	return (f->f_validator ? RFC_USE_MUST_REVALIDATE : RFC_USE_MISS);
}

/* Serve stale instead of an origin error (RFC 5861 section 4)? */
int
rfc_stale_if_error(const struct rfc_cc *rq, const struct rfc_fresh *f,
		   double age)
{
	double win;

	AN(rq);
	AN(f);
	if (f->f_no_cache || f->f_must_revalidate ||
	    (rq->cc_flags & RFC_CC_NO_CACHE))
		return (0);
	win = f->f_sie;
	if (rq->cc_sie >= 0 && (double)rq->cc_sie > win)
		win = (double)rq->cc_sie;
	return (age <= f->f_ttl + win);
}

/* The statuses RFC 5861 counts as errors. */
int
rfc_is_error_status(int status)
{
	return (status == 500 || status == 502 || status == 503 ||
		status == 504);
}
