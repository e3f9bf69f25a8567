/*
 * fuzz_cachecontrol.c: libFuzzer target for the Cache-Control parsers and
 * the policy built on them (accel/rfc9111*.c).
 *
 * The whole input is first parsed as one Cache-Control line (classic and
 * targeted). Then it is read as a message: lines "Name:value" separated by
 * '\n'; lines before a blank line are request fields, the rest response
 * fields. abort()s when a promise breaks:
 * - delta fields in [-1, RFC_DELTA_MAX], flags only known bits;
 * - parsing a line twice changes nothing (repeats keep the most
 *   restrictive value, which is idempotent);
 * - rfc_tcc_parse leaves *cc untouched on failure;
 * - freshness values non-negative; no-cache gives ttl 0; must-revalidate
 *   gives no grace nor stale-if-error;
 * - rfc_storable always names a reason;
 * - rfc_req_eval returns a member of enum rfc_use;
 * - the variant key built from a request matches that same request.
 * Each parser sees an exact-size heap copy so ASan catches over-reads.
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
			fprintf(stderr, "fuzz_cachecontrol: invariant %s\n",   \
				#x);                                           \
			abort();                                               \
		}                                                              \
	} while (0)

#define MAXH 32

static void
check_cc(const struct rfc_cc *cc)
{
	const unsigned all = RFC_CC_NO_STORE | RFC_CC_NO_CACHE |
			     RFC_CC_PRIVATE | RFC_CC_PUBLIC |
			     RFC_CC_MUST_REVALIDATE | RFC_CC_PROXY_REVALIDATE |
			     RFC_CC_NO_TRANSFORM | RFC_CC_IMMUTABLE |
			     RFC_CC_MUST_UNDERSTAND | RFC_CC_ONLY_IF_CACHED;
	const int64_t v[] = {cc->cc_max_age,   cc->cc_s_maxage,
			     cc->cc_swr,       cc->cc_sie,
			     cc->cc_max_stale, cc->cc_min_fresh};
	unsigned i;

	CHECK((cc->cc_flags & ~all) == 0);
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		CHECK(v[i] >= -1 && v[i] <= RFC_DELTA_MAX);
}

static void
one_line(const char *p, size_t n)
{
	struct rfc_cc a, b, t, t0;

	rfc_cc_init(&a);
	rfc_cc_parse(p, n, &a);
	check_cc(&a);
	b = a;
	rfc_cc_parse(p, n, &b);
	CHECK(memcmp(&a, &b, sizeof a) == 0);

	rfc_cc_init(&t);
	t.cc_max_age = 77;
	t0 = t;
	if (rfc_tcc_parse(p, n, &t) != 0)
		CHECK(memcmp(&t, &t0, sizeof t) == 0);
	check_cc(&t);
}

/* Split buf[0..n) (NUL-free view not needed: spans) into header lines. */
static unsigned
split(char *buf, size_t n, struct h1_hdr *req, unsigned *nreq,
      struct h1_hdr *resp)
{
	size_t i = 0, s, e, c;
	unsigned nr = 0, ns = 0, blank = 0;

	while (i < n && nr + ns < MAXH) {
		for (e = i; e < n && buf[e] != '\n'; e++)
			;
		s = i;
		i = e + 1;
		if (e == s) {
			blank = 1;
			continue;
		}
		for (c = s; c < e && buf[c] != ':'; c++)
			;
		struct h1_hdr h = {.name = buf + s,
				   .name_len = c - s,
				   .value = buf + (c < e ? c + 1 : e),
				   .value_len = c < e ? e - c - 1 : 0};
		if (!blank)
			req[nr++] = h;
		else
			resp[ns++] = h;
	}
	*nreq = nr;
	return (ns);
}

static void
message(char *buf, size_t n, int status, double now)
{
	struct h1_hdr req[MAXH], resp[MAXH];
	struct rfc_opts o;
	struct rfc_fresh f;
	struct rfc_cc rq;
	const char *why = NULL;
	unsigned nreq, nresp;
	enum rfc_use u;
	char names[512], vals[2048];
	size_t nu, vu;
	int r;

	nresp = split(buf, n, req, &nreq, resp);
	rfc_opts_default(&o);
	o.ro_shared = (status & 1) != 0;
	o.ro_default_ttl = (status & 2) ? 120 : -1;
	o.ro_keep = (status & 4) ? 30 : 0;

	r = rfc_storable(H1M_GET, req, nreq, status, resp, nresp, &o, &why);
	CHECK(why != NULL && (r == 0 || r == 1));
	CHECK(r == 0 || strcmp(why, "storable") == 0);

	rfc_freshness(status, resp, nresp, now, &o, &f);
	CHECK(f.f_ttl >= 0 && f.f_grace >= 0 && f.f_sie >= 0 && f.f_keep >= 0);
	CHECK(!f.f_no_cache || f.f_ttl == 0);
	CHECK(!f.f_must_revalidate || (f.f_grace == 0 && f.f_sie == 0));
	CHECK(f.f_keep >= f.f_sie - f.f_grace);

	rfc_req_cc(req, nreq, &rq);
	check_cc(&rq);
	u = rfc_req_eval(&rq, &f, (double)(status % 997));
	CHECK(u >= RFC_USE_FRESH && u <= RFC_USE_ONLY_IF_CACHED_504);
	(void)rfc_stale_if_error(&rq, &f, (double)(status % 997));

	r = rfc_vary_build(resp, nresp, req, nreq, names, sizeof names, &nu,
			   vals, sizeof vals, &vu);
	CHECK(r == 0 || r == -1 || r == -2);
	if (r == 0)
		CHECK(rfc_vary_match(names, nu, vals, vu, req, nreq) == 1);
	(void)rfc_not_modified(H1M_GET, req, nreq, "\"v\"", 3, NULL, 0, now,
			       now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;
	int status;

	buf = malloc(size ? size : 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	one_line(buf, size);
	free(buf);

	if (size < 3)
		return (0);
	/* two bytes pick the status, the rest is the message */
	status = 100 + (data[0] | data[1] << 8) % 900;
	buf = malloc(size - 2);
	if (buf == NULL)
		abort();
	memcpy(buf, data + 2, size - 2);
	message(buf, size - 2, status, 784111777.0);
	free(buf);
	return (0);
}
