/*
 * rfc9111.h: HTTP caching rules (RFC 9111, with the parts of RFC 9110,
 * RFC 5861, RFC 8246, RFC 9211 and RFC 9213 a shared cache needs), as pure
 * functions over parsed header fields.
 *
 * No I/O, no allocation, no global state, no clock: every time is an
 * argument (seconds since the epoch as a double, like the o_t_* fields of
 * storage.h; durations in seconds). Header arrays are the codec's
 * (http1.h): names matched case-insensitively, values already stripped of
 * leading and trailing OWS. Any pointer a function returns points into an
 * argument the caller passed (a header value or a caller buffer) and
 * lives exactly as long as it; static strings are said to be static.
 *
 * How the daemon uses this module, in order:
 *   miss:    fetch; rfc_storable() on the response; if storable,
 *            rfc_freshness() -> o_ttl, o_grace, o_keep; rfc_age_header_parse()
 *            and rfc_date_parse() -> o_age_recv, o_date; rfc_vary_build() ->
 *            o_vary_names, o_vary_vals.
 *   lookup:  rfc_vary_match() selects the variant; rfc_req_cc() then
 *            rfc_req_eval() with rfc_age() decides fresh / stale / validate.
 *   deliver: Age from rfc_age(); rfc_not_modified() for client
 *            conditionals (answer 304 keeping rfc_304_hdr() fields);
 *            rfc_range_parse() + rfc_if_range() for Range; Cache-Status from
 *            rfc_cache_status_fmt().
 *   refresh: conditional fetch with the stored ETag / Last-Modified; on 304
 *            replace stored fields for which rfc_304_update_hdr() is true.
 *   unsafe:  rfc_invalidates() then rfc_same_origin() / rfc_ref_path() for
 *            Location and Content-Location.
 */
#ifndef ACCEL_RFC9111_H
#define ACCEL_RFC9111_H

#include <stddef.h>
#include <stdint.h>

#include "accel/http1.h"

/* Delta-seconds saturate here (RFC 9111 section 1.2.2); also the largest
 * Age a cache sends (section 5.1), and "no limit" for a bare max-stale. */
#define RFC_DELTA_MAX 2147483648LL

/* ------------------------------------------------------------------ */
/* Cache-Control (RFC 9111 section 5.2)                               */
/* ------------------------------------------------------------------ */

/* X(NAME, "directive"): directives without an argument we act on. */
#define RFC_CC_FLAG_LIST(X)                                                    \
	X(NO_STORE, "no-store")                                                \
	X(NO_CACHE, "no-cache")                                                \
	X(PRIVATE, "private")                                                  \
	X(PUBLIC, "public")                                                    \
	X(MUST_REVALIDATE, "must-revalidate")                                  \
	X(PROXY_REVALIDATE, "proxy-revalidate")                                \
	X(NO_TRANSFORM, "no-transform")                                        \
	X(IMMUTABLE, "immutable")                                              \
	X(MUST_UNDERSTAND, "must-understand")                                  \
	X(ONLY_IF_CACHED, "only-if-cached")

enum rfc_cc_flag {
#define X(n, s) RFC_CC_BIT_##n,
	RFC_CC_FLAG_LIST(X)
#undef X
};
enum {
#define X(n, s) RFC_CC_##n = 1u << RFC_CC_BIT_##n,
	RFC_CC_FLAG_LIST(X)
#undef X
};

/*
 * Parsed directives, request or response. Delta fields are -1 when absent,
 * else 0..RFC_DELTA_MAX. Request and response directives share the struct;
 * a function reads only the ones meaningful for its side.
 */
struct rfc_cc {
	unsigned cc_flags;    /* RFC_CC_* seen */
	int64_t cc_max_age;   /* max-age (both sides) */
	int64_t cc_s_maxage;  /* s-maxage (response) */
	int64_t cc_swr;       /* stale-while-revalidate (response, RFC 5861) */
	int64_t cc_sie;       /* stale-if-error (both, RFC 5861) */
	int64_t cc_max_stale; /* max-stale (request); bare: RFC_DELTA_MAX */
	int64_t cc_min_fresh; /* min-fresh (request) */
};

/* Every directive absent. */
void rfc_cc_init(struct rfc_cc *cc);

/*
 * Add the directives of one Cache-Control field line v[0..len) to *cc
 * (call once per field line, after rfc_cc_init; RFC 9111 section 5.2).
 * Lenient, as Cache-Control parsers must be:
 * - names case-insensitive; unknown directives, members that do not
 *   start with a token, and empty list elements are skipped; a known name
 *   followed by junk still counts ("no-store x" is no-store, "max-age 60"
 *   a malformed max-age);
 * - arguments as token or quoted-string (max-age="60" is 60); OWS around
 *   '=' tolerated;
 * - delta-seconds are 1*DIGIT, saturating at RFC_DELTA_MAX (section
 *   1.2.2). A malformed or missing argument (max-age, max-age=, -1, 1.5,
 *   "x") counts as 0 for max-age, s-maxage, stale-while-revalidate and
 *   stale-if-error: invalid freshness information means stale (section
 *   4.2.1). For max-stale and min-fresh it is ignored (a client's malformed
 *   tolerance grants nothing). Bare max-stale is RFC_DELTA_MAX;
 * - a directive seen twice keeps the most restrictive value (section
 *   4.2.1): the smallest for max-age, s-maxage, stale-while-revalidate,
 *   stale-if-error and max-stale, the largest for min-fresh;
 * - no-cache="f1, f2" and private="f" (qualified forms) are taken as
 *   unqualified no-cache / private: a shared cache may store such a
 *   response minus the listed fields (sections 5.2.2.4, 5.2.2.7), but we
 *   never edit stored headers, so the conservative reading is the whole
 *   response.
 */
void rfc_cc_parse(const char *v, size_t len, struct rfc_cc *cc);

/*
 * Targeted cache-control field (RFC 9213 section 2.1), for one field line:
 * v[0..len) must be a Structured Fields Dictionary (RFC 9651). Returns 0
 * and applies the members to *cc, or -1 (syntax error or empty value) and
 * leaves *cc untouched: the caller then ignores the whole field. Members:
 * keys are lowercase (SF); a later member replaces an earlier one (SF
 * dictionary semantics, so flags can be turned off with ?0); parameters
 * ignored; a numeric directive whose value is not a non-negative Integer
 * (a Decimal, a String...) is ignored, not coerced (RFC 9213 "SHOULD NOT
 * consume"); any value but Boolean false sets a flag directive (a String
 * no-cache field list counts as no-cache, as in rfc_cc_parse).
 */
int rfc_tcc_parse(const char *v, size_t len, struct rfc_cc *cc);

/* Which field gave a response's directives. */
enum rfc_cc_src {
	RFC_CCS_NONE = 0,      /* no Cache-Control field at all */
	RFC_CCS_CACHE_CONTROL, /* Cache-Control */
	RFC_CCS_CDN,           /* CDN-Cache-Control (RFC 9213 section 3) */
	RFC_CCS_ACCEL,         /* Accel-Cache-Control: our own target */
};

/*
 * The response directives that apply to accel: RFC 9213 section 2.2 with
 * the target list [Accel-Cache-Control, CDN-Cache-Control]. The first of
 * those with a valid, non-empty value (all its field lines valid) is used
 * alone; otherwise every Cache-Control line. Returns which one: with a
 * targeted field, Cache-Control and Expires are ignored for this cache
 * (rfc_storable and rfc_freshness do so). *cc is fully initialised.
 */
enum rfc_cc_src rfc_resp_cc(const struct h1_hdr *hdrs, unsigned n,
			    struct rfc_cc *cc);

/*
 * Request directives (RFC 9111 section 5.2.1): every Cache-Control line;
 * when there is none, "Pragma: no-cache" counts as no-cache (section 5.4).
 * Targeted fields do not apply to requests. *cc is fully initialised.
 */
void rfc_req_cc(const struct h1_hdr *hdrs, unsigned n, struct rfc_cc *cc);

/* ------------------------------------------------------------------ */
/* Dates (RFC 9110 section 5.6.7)                                     */
/* ------------------------------------------------------------------ */

/*
 * Parse an HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
 * RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6
 * 08:49:37 1994"). Returns 0 and sets *t (seconds since the epoch, an
 * integer value) or -1 when invalid. Exact grammar, except that day
 * names, month names and "GMT" are matched case-insensitively. The day
 * name is checked to be a day name but not against the date (lenient:
 * a wrong weekday does not make Expires stale). Checked: day of month
 * against the month and leap years, hour 0-23, minute 0-59, second 0-60
 * (a leap second reads as the next minute's :00), year 1900-9999 (earlier
 * years never occur in HTTP and fall outside the RFC 850 window).
 * Nothing may precede or follow the date (the codec trims OWS).
 * RFC 850 two-digit years: without a clock, 70-99 are 19xx and 00-69
 * 20xx (the POSIX pivot). The exact rule of section 5.6.7 (a year more
 * than 50 years ahead is in the past) depends on the current year and is
 * rfc_date_parse_at(); the two differ only for years the pivot puts in
 * the 1900s that are less than 50 years ahead ("75" is 2075 in 2025).
 * The functions below that know a time (rfc_freshness, rfc_not_modified,
 * rfc_if_range) use rfc_date_parse_at() with it.
 */
int rfc_date_parse(const char *v, size_t len, double *t);
/* Same, with RFC 850 years interpreted against `now` (the 50-year rule of
 * section 5.6.7, counted in whole years: the year is placed within
 * (Y - 50, Y + 50] of now's year Y). now <= 0 is rfc_date_parse(). */
int rfc_date_parse_at(const char *v, size_t len, double now, double *t);

/*
 * Write t as an IMF-fixdate and a NUL into buf (29 characters + NUL).
 * Fractions of a second are dropped (floor). Returns 29, or -1 when t is
 * not a number or outside the years 1900-9999 (buf then holds "").
 */
#define RFC_DATE_LEN 30
int rfc_date_fmt(double t, char buf[RFC_DATE_LEN]);

/* ------------------------------------------------------------------ */
/* Storing (RFC 9111 section 3)                                       */
/* ------------------------------------------------------------------ */

struct rfc_opts {
	double ro_default_ttl;  /* -1: none. Freshness for heuristically
				   cacheable responses (or public ones) that
				   have neither explicit freshness nor a usable
				   Last-Modified (-p default_ttl=) */
	double ro_heur_pct;     /* heuristic: percent of Date - Last-Modified
				   (section 4.2.2 suggests 10) */
	double ro_heur_cap;     /* heuristic lifetime cap, seconds (86400) */
	double ro_keep;         /* seconds a stale object with a validator is
				   kept after its grace, for a conditional
				   refresh (-> o_keep); 0 by default */
	unsigned ro_shared : 1; /* 1: shared cache (accel) */
	unsigned ro_store_set_cookie : 1; /* 1: store responses carrying
					     Set-Cookie (default 0) */
};

/* Defaults: default_ttl -1, 10 %, cap 86400, keep 0, shared, no
 * Set-Cookie. */
void rfc_opts_default(struct rfc_opts *o);

/*
 * May the response to this request be stored (RFC 9111 section 3, 3.5)?
 * meth is the method of the request sent to the origin; req/nreq its
 * header fields (Authorization, Cache-Control: no-store); status and
 * resp/nresp the response. Returns 1 or 0; *reason (never NULL on return)
 * is a static token naming the decision, usable as a Cache-Status detail
 * or in logs: "storable", or the first rule that failed, in this order:
 *   "method"          not GET. HEAD is answered from a stored GET: on a
 *                     HEAD miss fetch a GET; a response to HEAD has no
 *                     body and is never stored (it could answer a GET)
 *   "not-final"       1xx
 *   "partial"         206: we store only complete objects (fetch without
 *                     Range, serve ranges from the object)
 *   "not-modified"    304: it updates a stored object (section 4.3.4),
 *                     it is not one
 *   "req-no-store"    request Cache-Control: no-store (section 5.2.1.5)
 *   "vary-star"       Vary: * or a Vary member that is not a token
 *   "must-understand" must-understand on a status we do not understand
 *                     (rfc_status_understood)
 *   "no-store"        no-store, unless must-understand is present with
 *                     an understood status (section 5.2.2.3)
 *   "private"         private in a shared cache (section 5.2.2.7)
 *   "authorization"   request had Authorization and the response has none
 *                     of public, s-maxage, must-revalidate (section 3.5)
 *   "set-cookie"      Set-Cookie and !ro_store_set_cookie
 *   "no-freshness"    none of: public, Expires (ignored under a targeted
 *                     field), max-age, s-maxage (shared), a heuristically
 *                     cacheable status (section 3, last rule)
 * Directives come from rfc_resp_cc(). Storable does not mean fresh:
 * rfc_freshness() may give 0 (stored for revalidation).
 */
int rfc_storable(enum h1_method meth, const struct h1_hdr *req, unsigned nreq,
		 int status, const struct h1_hdr *resp, unsigned nresp,
		 const struct rfc_opts *opts, const char **reason);

/* 200 203 204 206 300 301 308 404 405 410 414 501 (RFC 9110 section
 * 15.1, RFC 9111 section 4.2.2). */
int rfc_status_heuristic(int status);
/* Final status codes whose caching semantics accel implements: the
 * heuristic ones, 302 303 307 451 and 500-504 (section 5.2.2.3, and
 * section 3 for 206/304). */
int rfc_status_understood(int status);

/* ------------------------------------------------------------------ */
/* Freshness (RFC 9111 section 4.2)                                   */
/* ------------------------------------------------------------------ */

/* Which source gave the freshness lifetime. */
enum rfc_fresh_src {
	RFC_FS_NONE = 0,  /* nothing: lifetime 0 */
	RFC_FS_NO_CACHE,  /* no-cache: lifetime 0, validate on each use */
	RFC_FS_S_MAXAGE,  /* s-maxage (shared caches only) */
	RFC_FS_MAX_AGE,   /* max-age */
	RFC_FS_EXPIRES,   /* Expires - Date (invalid Expires: 0) */
	RFC_FS_HEURISTIC, /* pct of Date - Last-Modified, capped */
	RFC_FS_DEFAULT,   /* ro_default_ttl */
};

struct rfc_fresh {
	double f_ttl;   /* freshness_lifetime (section 4.2.1), >= 0 */
	double f_grace; /* stale-while-revalidate: serve stale this long past
			   f_ttl while refreshing (0 when forbidden) */
	double f_sie;   /* stale-if-error: serve stale this long past f_ttl
			   when the origin fails (0 when forbidden) */
	double f_keep;  /* retention after f_ttl + f_grace: ro_keep when a
			   validator exists, at least what f_sie needs */
	enum rfc_fresh_src f_src;
	unsigned f_no_cache : 1;        /* validate before every use */
	unsigned f_must_revalidate : 1; /* never serve stale: must-revalidate,
					   or (shared) proxy-revalidate or
					   s-maxage (section 5.2.2.10) */
	unsigned f_immutable : 1;       /* RFC 8246 */
	unsigned f_validator : 1;       /* has ETag or Last-Modified */
};

/*
 * Freshness lifetime of a response, first that applies (section 4.2.1):
 * (no-cache: 0) > s-maxage (shared) > max-age > Expires - Date (not under
 * a targeted field) > heuristic (section 4.2.2: ro_heur_pct % of Date -
 * Last-Modified, at most ro_heur_cap, for heuristically cacheable
 * statuses or with public, when Last-Modified is valid and not after
 * Date) > ro_default_ttl (same conditions) > 0.
 * Date: the Date field if valid, else response_time (RFC 9110 section
 * 6.6.1: a recipient supplies Date). Expires: invalid (e.g. "0"), or
 * several lines that differ, means already stale (lifetime 0); Expires at
 * or before Date gives 0. Grace and stale-if-error come from the response
 * directives and are 0 under no-cache, must-revalidate, proxy-revalidate
 * (shared) and s-maxage (shared): RFC 9111 section 4.2.4.
 * Storage: o_ttl = f_ttl, o_grace = f_grace, o_keep = f_keep. The object
 * is fresh while rfc_age(...) < o_ttl (rfc_req_eval), so it turns stale
 * at o_t_resp + o_ttl - rfc_age(o_date, o_age_recv, o_t_req, o_t_resp,
 * o_t_resp): an expiry sweep using o_t_resp + o_ttl alone errs late by the
 * initial age (harmless: lookups decide with rfc_req_eval).
 */
void rfc_freshness(int status, const struct h1_hdr *resp, unsigned n,
		   double response_time, const struct rfc_opts *opts,
		   struct rfc_fresh *f);

/* ------------------------------------------------------------------ */
/* Age (RFC 9111 section 4.2.3, 5.1)                                  */
/* ------------------------------------------------------------------ */

/*
 * current_age, exactly as section 4.2.3:
 *   apparent_age = max(0, response_time - date_value)
 *   response_delay = response_time - request_time
 *   corrected_age_value = age_value + response_delay
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 *   resident_time = now - response_time
 *   current_age = corrected_initial_age + resident_time
 * date <= 0 means no Date (storage's o_date convention): apparent_age 0.
 * age_value is the parsed Age (0 when none). response_delay and
 * resident_time are taken as 0 if negative (a clock stepped back); the
 * result is capped at RFC_DELTA_MAX. The Age field to send is the whole
 * seconds of the result (section 5.1); with now = response_time this is
 * the corrected_initial_age.
 */
double rfc_age(double date, double age_value, double request_time,
	       double response_time, double now);

/*
 * Parse an Age field value (section 5.1): the first member of a list
 * ("10, 20" is 10), delta-seconds saturating at RFC_DELTA_MAX. Returns 0
 * and sets *age, or -1 when invalid (ignore the field: age 0).
 */
int rfc_age_header_parse(const char *v, size_t len, double *age);

/* ------------------------------------------------------------------ */
/* Using a stored response (RFC 9111 section 4, 4.2.4; RFC 5861)       */
/* ------------------------------------------------------------------ */

enum rfc_use {
	RFC_USE_FRESH = 0,          /* fresh and acceptable: serve it */
	RFC_USE_STALE_SERVABLE,     /* stale but within grace or the client's
				       max-stale: serve it now, refresh in the
				       background (fwd=stale for that fetch) */
	RFC_USE_MUST_REVALIDATE,    /* not usable as is, has a validator:
				       forward a conditional request (304
				       refreshes it, 200 replaces it) */
	RFC_USE_MISS,               /* not usable, no validator: forward an
				       unconditional request */
	RFC_USE_ONLY_IF_CACHED_504, /* would need the origin but the client
				       sent only-if-cached: answer 504
				       (section 5.2.1.7) */
};

/*
 * Can the stored response serve this request? rq: rfc_req_cc() of the
 * request; f: the object's freshness (rfc_freshness() at store time, or
 * o_ttl/o_grace with the flags recomputed from the stored headers); age:
 * rfc_age() now. Order:
 *  1. f_no_cache, or request no-cache (or Pragma: no-cache), forces
 *     validation;
 *  2. request max-age=N: age > N forces validation (even with max-stale);
 *  3. request min-fresh=N: f_ttl - age < N forces validation;
 *  4. age < f_ttl: FRESH;
 *  5. stale: f_must_revalidate forces validation; request max-stale=N
 *     (bare: any) with staleness <= N, or staleness < f_grace, gives
 *     STALE_SERVABLE; otherwise validation.
 * "Validation" is MUST_REVALIDATE or MISS by f_validator, or
 * ONLY_IF_CACHED_504 with only-if-cached. With no stored response at all
 * the daemon answers only-if-cached with 504 itself.
 */
enum rfc_use rfc_req_eval(const struct rfc_cc *rq, const struct rfc_fresh *f,
			  double age);

/* The origin failed (connect error, timeout, or rfc_is_error_status):
 * may the stale object be served instead (RFC 5861 section 4)? 1 when
 * age <= f_ttl + max(f_sie, request stale-if-error) and neither
 * f_no_cache, f_must_revalidate nor request no-cache forbids it. */
int rfc_stale_if_error(const struct rfc_cc *rq, const struct rfc_fresh *f,
		       double age);
/* 500, 502, 503, 504: the statuses RFC 5861 calls errors. */
int rfc_is_error_status(int status);

/* ------------------------------------------------------------------ */
/* Validators and conditionals (RFC 9110 sections 8.8, 13; RFC 9111 4.3) */
/* ------------------------------------------------------------------ */

/*
 * If-None-Match against the stored ETag (weak comparison, RFC 9110
 * section 8.8.3.2): 1 when list[0..llen) is "*" or holds an entity-tag
 * whose opaque-tag equals that of etag[0..elen) (W/ ignored on both
 * sides). 0 otherwise, also when any list member is not an entity-tag
 * (the whole field is then ignored) or etag is NULL / malformed (except
 * for "*", which matches any stored representation).
 */
int rfc_etag_match_weak(const char *list, size_t llen, const char *etag,
			size_t elen);
/* Strong comparison (If-Match, If-Range; section 8.8.3.2): "*" matches;
 * a member matches when neither it nor etag is weak and the opaque-tags
 * are equal. */
int rfc_etag_match_strong(const char *list, size_t llen, const char *etag,
			  size_t elen);

/*
 * Should the cache answer this request with 304 from the stored response
 * (RFC 9111 section 4.3.2, RFC 9110 section 13.2.2)? Only for GET and
 * HEAD. If-None-Match, when present (every line well formed and one
 * matching, rfc_etag_match_weak), decides alone: If-Modified-Since is then
 * not evaluated. Otherwise If-Modified-Since, when there is exactly one
 * line holding a valid HTTP-date, gives 304 when the stored Last-Modified
 * (lm[0..lmlen), or if absent/invalid the stored Date, or if that is <= 0
 * the response_time) is at or before it. etag/lm may be NULL (absent).
 * If-Match and If-Unmodified-Since are for the origin, not a cache
 * (section 4.3.2): ignored.
 */
int rfc_not_modified(enum h1_method meth, const struct h1_hdr *req, unsigned n,
		     const char *etag, size_t elen, const char *lm,
		     size_t lmlen, double date, double response_time);

/* A field a 304 built from the stored response carries (RFC 9110 section
 * 15.4.5): Cache-Control, Content-Location, Date, ETag, Expires, Vary;
 * and Last-Modified when there is no ETag (has_etag 0). The daemon adds
 * Age, Cache-Status and its own fields. */
int rfc_304_hdr(const struct h1_hdr *h, int has_etag);

/*
 * On a 304 (or a HEAD response) refreshing a stored response (RFC 9111
 * section 3.2, 4.3.4): 1 when the stored field of this name is replaced
 * by the new response's (all its lines), 0 when the stored one stays.
 * Not updated: Content-Length; Content-Range (processed per message);
 * hop-by-hop fields (Connection, Keep-Alive, Proxy-Connection, TE,
 * Trailer, Transfer-Encoding, Upgrade) and proxy-specific ones
 * (Proxy-Authenticate, Proxy-Authentication-Info, Proxy-Authorization),
 * none of which are stored (section 3.1); Age (recomputed). Names listed
 * in the 304's Connection field are hop-by-hop too: skip them with
 * h1_is_hop() first.
 */
int rfc_304_update_hdr(const struct h1_hdr *h);

/* ------------------------------------------------------------------ */
/* Ranges (RFC 9110 section 14)                                       */
/* ------------------------------------------------------------------ */

/* One satisfiable range: bytes first..last inclusive, last < size. */
struct rfc_range {
	uint64_t first;
	uint64_t last;
};

enum rfc_range_rc {
	RFC_RANGE_FULL = 0, /* ignore Range: send 200 with the whole object */
	RFC_RANGE_OK,       /* send 206 with ranges[0..*n) */
	RFC_RANGE_UNSAT,    /* send 416, Content-Range: bytes * / size */
};

/*
 * Interpret a Range field value v[0..len) against an object of `size`
 * bytes (section 14.1.2, 14.2). Apply it to GET only, with a complete
 * object, after rfc_if_range().
 * FULL: not "bytes" (case-insensitive) followed by '='; a range-spec that
 *   is neither int-range, suffix-range nor empty (the list rule allows
 *   empty elements); an int-range with last < first; no range-spec at
 *   all; more than max range-specs (section 14.2 lets a server ignore a
 *   field that looks like a denial of service: this bounds the work, and
 *   overlapping ranges are harmless after coalescing); a zero-size object
 *   with a suffix-range (the whole, empty, representation).
 * UNSAT: no range-spec satisfiable: every first-pos >= size and every
 *   suffix-length 0 (or the object is empty).
 * OK: the satisfiable ranges, clipped to size (last-pos past the end, or a
 *   suffix longer than the object), sorted by first byte, with
 *   overlapping or adjacent ones coalesced (section 14.6 allows this; it
 *   means parts are sent ascending, not in request order, when a client
 *   asks out of order). 1 <= *n <= max; ranges[i].last < ranges[i+1].first
 *   - 1.
 * Numbers of any length are read overflow-safe (saturating). *n is 0
 * unless OK. max >= 1.
 */
enum rfc_range_rc rfc_range_parse(const char *v, size_t len, uint64_t size,
				  struct rfc_range *ranges, unsigned max,
				  unsigned *n);

/*
 * If-Range (RFC 9110 section 13.1.5): 1 when the Range applies. An
 * entity-tag (value starts with DQUOTE or W/) must strongly match the
 * stored etag. Otherwise the value must be a valid HTTP-date equal to the
 * stored Last-Modified lm[0..lmlen), and that Last-Modified must be a
 * strong validator: at least one second before the stored Date (section
 * 8.8.2.2; date <= 0: none, so not strong). 0 otherwise: send the whole
 * object with 200.
 */
int rfc_if_range(const char *v, size_t len, const char *etag, size_t elen,
		 const char *lm, size_t lmlen, double date);

/* "bytes FIRST-LAST/SIZE" into buf with a NUL. Returns the length, or -1
 * when it does not fit (buf then holds ""). */
int rfc_content_range_fmt(char *buf, size_t len, const struct rfc_range *r,
			  uint64_t size);
/* "bytes * / SIZE" (no spaces around '/'), for 416. */
int rfc_content_range_unsat_fmt(char *buf, size_t len, uint64_t size);

/*
 * multipart/byteranges (RFC 9110 section 14.6). The body is, for each
 * range, rfc_multipart_part_fmt(i == 0) then the range's bytes; then
 * rfc_multipart_end_fmt(). The boundary (1..70 characters of RFC 2046
 * bchars, no trailing space) is the daemon's: random per response, since
 * it must not occur in the content. ctype is the object's Content-Type
 * (NULL: the part carries none). Each returns the bytes written (a NUL
 * follows) or -1 when buf is too small.
 *   part: ["\r\n" unless first] "--B\r\nContent-Type: T\r\n"
 *         "Content-Range: bytes F-L/S\r\n\r\n"
 *   end:  "\r\n--B--\r\n"
 * rfc_multipart_length() is the whole body's length for Content-Length;
 * rfc_multipart_ctype_fmt() the response's Content-Type value
 * "multipart/byteranges; boundary=B".
 */
int rfc_multipart_part_fmt(char *buf, size_t len, const char *boundary,
			   const char *ctype, size_t ctlen,
			   const struct rfc_range *r, uint64_t size, int first);
int rfc_multipart_end_fmt(char *buf, size_t len, const char *boundary);
uint64_t rfc_multipart_length(const char *boundary, const char *ctype,
			      size_t ctlen, const struct rfc_range *r,
			      unsigned n, uint64_t size);
int rfc_multipart_ctype_fmt(char *buf, size_t len, const char *boundary);

/* ------------------------------------------------------------------ */
/* Vary (RFC 9111 section 4.1)                                        */
/* ------------------------------------------------------------------ */

/*
 * Iterate the field names of one Vary field value v[0..len). Start with
 * *pos = 0; returns 1 with *name and *nlen set to the next name (a span
 * of v), 0 at the end, -1 for "*" or a member that is not a token: the
 * response then varies on something we cannot see and is not storable.
 */
int rfc_vary_next(const char *v, size_t len, size_t *pos, const char **name,
		  size_t *nlen);

#define RFC_VARY_ABSENT  (-1) /* the request has no such field */
#define RFC_VARY_NOSPACE (-2)

/*
 * The request's value of field name[0..nlen), normalised for matching
 * variants: every line of that field, in order, combined. Returns the
 * length written into out (a NUL follows, so outlen counts it), or
 * RFC_VARY_ABSENT, or RFC_VARY_NOSPACE. A field present but empty gives 0,
 * distinct from absent.
 * - Accept, Accept-Encoding, Accept-Language, Accept-Charset (lists with
 *   case-insensitive values): elements split at commas outside quotes,
 *   trimmed, empty ones dropped, joined with ", "; inside an element OWS
 *   around ';' and '=' removed and other whitespace runs made one SP;
 *   lowercased (quoted strings kept as they are).
 * - Cookie: lines joined with "; ", bytes kept (case-sensitive).
 * - any other field: lines joined with ", ", bytes kept: we do not know
 *   whether it is a list, so we do not rewrite it.
 */
int rfc_vary_normalise(const char *name, size_t nlen, const struct h1_hdr *req,
		       unsigned nreq, char *out, size_t outlen);

/*
 * The variant key of a response for storage (o_vary_names, o_vary_vals).
 * names: each field name of every Vary line, lowercased, followed by '\n';
 * vals: for each name in the same order, "=" normalised-value "\n" when
 * the request had the field, "!\n" when not (values never hold CR/LF: the
 * codec rejects them). Returns 0 (*nused == 0: no Vary), -1 for Vary: *
 * or a malformed Vary (not storable), -2 when a buffer is too small.
 */
int rfc_vary_build(const struct h1_hdr *resp, unsigned nresp,
		   const struct h1_hdr *req, unsigned nreq, char *names,
		   size_t nsize, size_t *nused, char *vals, size_t vsize,
		   size_t *vused);

/* Does the request select the stored variant? names/vals as built by
 * rfc_vary_build (nlen 0: no Vary, always 1). Compares without a buffer,
 * so any value length works. */
int rfc_vary_match(const char *names, size_t nlen, const char *vals,
		   size_t vlen, const struct h1_hdr *req, unsigned nreq);

/* ------------------------------------------------------------------ */
/* Invalidation (RFC 9111 section 4.4)                                */
/* ------------------------------------------------------------------ */

/* 1 when a response with this status to a request with this method
 * invalidates the target URI: methods not known to be safe (anything but
 * GET, HEAD, OPTIONS, TRACE; unknown methods included) with a non-error
 * status (2xx, 3xx). CONNECT never reaches a cache: 0. */
int rfc_invalidates(enum h1_method meth, int status);

/*
 * Does the URI reference ref[0..rlen) (a Location or Content-Location
 * value) have the origin of the target, whose scheme is `scheme` ("http"
 * or "https") and whose Host is host[0..hlen)? A relative reference
 * (no scheme, not "//") is same-origin. Otherwise scheme (case-
 * insensitive) and authority must match: host case-insensitively, the
 * port with the scheme's default (80, 443) filled in; userinfo makes it
 * different. Returns 1 or 0; only then may the daemon invalidate it.
 */
int rfc_same_origin(const char *scheme, const char *host, size_t hlen,
		    const char *ref, size_t rlen);

/*
 * The path and query ("/a/b?q") that the reference ref[0..rlen) names,
 * resolved against the request's path base[0..blen) (RFC 3986 section
 * 5.2: merge, remove_dot_segments; the fragment dropped, so "#f" is the
 * base itself), for looking it up in the cache. Returns the length
 * written into out (NUL added) or -1 when it does not fit or ref is empty
 * (an empty field names nothing).
 */
int rfc_ref_path(const char *base, size_t blen, const char *ref, size_t rlen,
		 char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* Cache-Status (RFC 9211)                                            */
/* ------------------------------------------------------------------ */

/* X(NAME, fwd token): how a request was handled; HIT has no fwd. */
#define RFC_CS_LIST(X)                                                         \
	X(HIT, NULL)                                                           \
	X(BYPASS, "bypass")                                                    \
	X(METHOD, "method")                                                    \
	X(URI_MISS, "uri-miss")                                                \
	X(VARY_MISS, "vary-miss")                                              \
	X(MISS, "miss")                                                        \
	X(REQUEST, "request")                                                  \
	X(STALE, "stale")                                                      \
	X(PARTIAL, "partial")

enum rfc_cs_kind {
#define X(n, t) RFC_CS_##n,
	RFC_CS_LIST(X)
#undef X
};

/* One Cache-Status list member. Optional parts are omitted when NULL/0. */
struct rfc_cs {
	enum rfc_cs_kind cs_kind;
	int cs_fwd_status;         /* fwd-status=N, 0: omit (forwarded only) */
	unsigned cs_stored : 1;    /* stored (forwarded only) */
	unsigned cs_collapsed : 1; /* collapsed (forwarded only) */
	unsigned cs_has_ttl : 1;   /* emit ttl= */
	int64_t cs_ttl;            /* remaining freshness (f_ttl - age), whole
				      seconds, negative when stale */
	const char *cs_key;        /* key="...", NUL-terminated, or NULL */
	const char *cs_detail;     /* detail=token if a valid sf-token, else
				      detail="string"; NULL: omit */
};

/*
 * Write one Cache-Status member (RFC 9211 section 2, an sf-item with
 * parameters) and a NUL into buf: name as an sf-token when it is one,
 * else an sf-string; then "; hit" or "; fwd=<reason>", "; fwd-status=N",
 * "; stored", "; collapsed", "; ttl=N", "; key=...", "; detail=...".
 * E.g. "accel; hit; ttl=3540", "accel; fwd=miss; stored; ttl=3600",
 * "accel; fwd=stale; fwd-status=304". Bytes outside printable ASCII in
 * strings become '?'. Returns the length, or -1 when it does not fit
 * (buf then holds ""). The daemon appends it to the origin's Cache-Status
 * with ", " (caches add themselves at the end of the list).
 */
int rfc_cache_status_fmt(char *buf, size_t len, const char *name,
			 const struct rfc_cs *cs);

#endif
