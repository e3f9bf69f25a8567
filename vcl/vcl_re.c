/*
 * vcl_re.c: the regexes of a VCL program: PCRE2, compiled (and JIT-compiled
 * when PCRE2 can) at load; matched with a match-data block per thread;
 * regsub()/regsuball() with Varnish's replacement syntax.
 *
 * The per-thread block: a thread's first match makes it (sized for the
 * captures of that regex, at least VCL_RE_MIN_PAIRS pairs) and a regex with
 * more captures grows it, so a worker allocates nothing per request after
 * its first few. It is kept in a _Thread_local pointer (the fast path) and
 * in a pthread key whose destructor frees it when the thread exits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_ir.h"

/* \0..\9 need ten pairs; more only for a regex with more groups. */
#define VCL_RE_MIN_PAIRS 10

struct vcl_re {
	unsigned magic;
#define VCL_RE_MAGIC 0x2e6e2e11u
	pcre2_code *code;
	unsigned ncap; /* capturing groups */
	int jit;       /* JIT-compiled, and not in UTF mode: matched with
			  pcre2_jit_match() (re_exec) */
};

static pthread_key_t re_key;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;
static _Thread_local pcre2_match_data *re_md;
static _Thread_local unsigned re_mdpairs;

static void
re_md_free(void *p)
{
	pcre2_match_data_free(p);
}

/*
 * Every match runs under limits, so that a regex written with nested
 * quantifiers cannot spend seconds on a hostile URL (a denial of service
 * on every request that reaches it): as Varnish's pcre2_match_limit
 * (10000) and a bounded backtracking depth. Past a limit the match is an
 * error, and the run fails (a 503), never a hang. One match context,
 * made once and only read after, is shared by every thread.
 */
#define VCL_RE_MATCH_LIMIT 10000
#define VCL_RE_DEPTH_LIMIT 1000
static pcre2_match_context *re_mctx;

static void
re_key_make(void)
{
	VCL_AZ(pthread_key_create(&re_key, re_md_free));
	re_mctx = pcre2_match_context_create(NULL);
	if (re_mctx != NULL) {
		(void)pcre2_set_match_limit(re_mctx, VCL_RE_MATCH_LIMIT);
		(void)pcre2_set_depth_limit(re_mctx, VCL_RE_DEPTH_LIMIT);
	}
}

/* The thread's match data, with room for re's captures; NULL: no memory. */
static pcre2_match_data *
re_md_get(const struct vcl_re *re)
{
	unsigned need = re->ncap + 1;
	pcre2_match_data *md;

	if (need < VCL_RE_MIN_PAIRS)
		need = VCL_RE_MIN_PAIRS;
	if (re_md != NULL && re_mdpairs >= need)
		return (re_md);
	VCL_AZ(pthread_once(&re_once, re_key_make));
	md = pcre2_match_data_create(need, NULL);
	if (md == NULL)
		return (NULL);
	if (pthread_setspecific(re_key, md) != 0) {
		pcre2_match_data_free(md);
		return (NULL);
	}
	pcre2_match_data_free(re_md);
	re_md = md;
	re_mdpairs = need;
	return (md);
}

struct vcl_re *
vcl_re_compile(const char *pat, size_t len, char *err, size_t errlen)
{
	struct vcl_re *re;
	int code;
	PCRE2_SIZE off;
	uint32_t ncap = 0, opts;
	PCRE2_UCHAR msg[256];

	VCL_AN(pat);
	re = calloc(1, sizeof *re);
	if (re == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	re->magic = VCL_RE_MAGIC;
	re->code = pcre2_compile((PCRE2_SPTR)pat, len, 0, &code, &off, NULL);
	if (re->code == NULL) {
		if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", code);
		snprintf(err, errlen, "%s (at offset %zu)", (char *)msg,
		    (size_t)off);
		free(re);
		return (NULL);
	}
	opts = 0;
	(void)pcre2_pattern_info(re->code, PCRE2_INFO_ALLOPTIONS, &opts);
	re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0 &&
	    (opts & PCRE2_UTF) == 0;
	(void)pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &ncap);
	re->ncap = ncap;
	return (re);
}

void
vcl_re_free(struct vcl_re **rep)
{
	struct vcl_re *re;

	VCL_AN(rep);
	re = *rep;
	*rep = NULL;
	if (re == NULL)
		return;
	VCL_CHECK_OBJ(re, VCL_RE_MAGIC);
	pcre2_code_free(re->code);
	free(re);
}

unsigned
vcl_re_captures(const struct vcl_re *re)
{
	VCL_CHECK_OBJ_NOTNULL(re, VCL_RE_MAGIC);
	return (re->ncap);
}

/* pcre2_match from off: >0 a match, 0 none, -1 an error. */
static int
re_exec(const struct vcl_re *re, pcre2_match_data *md, const char *s,
    size_t len, size_t off, uint32_t opts)
{
	int rc;

	/* PCRE2 wants a non-NULL subject even when it is empty. */
	if (re_mctx == NULL)
		return (-1); /* no limits, no match */
	/*
	 * pcre2_jit_match() is pcre2_match() on JIT code without the checks
	 * of its arguments (about 120 instructions a call, most of a short
	 * match): ours are valid by construction, and a pattern in UTF mode
	 * ((*UTF)), whose subject pcre2_match() would check, is not matched
	 * here (re->jit). The JIT honours the same match limit.
	 */
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)(s != NULL ? s : ""),
		    len, off, opts, md, re_mctx);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)(s != NULL ? s : ""),
		    len, off, opts, md, re_mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return (0);
	if (rc < 0)
		return (-1);
	return (rc == 0 ? (int)re_mdpairs : rc);
}

int
vcl_re_match(const struct vcl_re *re, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	VCL_CHECK_OBJ_NOTNULL(re, VCL_RE_MAGIC);
	md = re_md_get(re);
	if (md == NULL)
		return (-1);
	rc = re_exec(re, md, s, len, 0, 0);
	return (rc > 0 ? 1 : rc);
}

/*
 * The replacement sub for one match (ov, n pairs set) of s, written to out
 * when out is not NULL; its length. Varnish's rule (VRT_regsub): \N is
 * group N (empty when it did not take part), a backslash before any other
 * byte stands for that byte, a backslash at the end for itself.
 */
static size_t
re_expand(struct vcl_str s, struct vcl_str sub, const PCRE2_SIZE *ov,
    unsigned n, char *out)
{
	size_t i, len = 0, l;
	const char *from;

	for (i = 0; i < sub.len; i++) {
		from = sub.p + i;
		l = 1;
		if (sub.p[i] == '\\' && i + 1 < sub.len) {
			i++;
			from = sub.p + i;
			if (sub.p[i] >= '0' && sub.p[i] <= '9') {
				unsigned g = (unsigned)(sub.p[i] - '0');

				l = 0;
				if (g < n && ov[2 * g] != PCRE2_UNSET) {
					from = s.p + ov[2 * g];
					l = ov[2 * g + 1] - ov[2 * g];
				}
			}
		}
		if (out != NULL && l > 0)
			memcpy(out + len, from, l);
		len += l;
	}
	return (len);
}

/*
 * One pass over the matches: with out NULL counts the result's length,
 * else writes it. Later matches of regsuball may not be empty (Varnish's
 * PCRE2_NOTEMPTY), so each one advances. 0, or -1 on a PCRE2 error.
 */
static int
re_sub_pass(const struct vcl_re *re, pcre2_match_data *md, struct vcl_str s,
    struct vcl_str sub, int all, char *out, size_t *lenp)
{
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	size_t off = 0, len = 0;
	uint32_t opts = 0;
	int rc;

	while ((rc = re_exec(re, md, s.p, s.len, off, opts)) > 0) {
		if (out != NULL)
			memcpy(out + len, s.p + off, ov[0] - off);
		len += ov[0] - off;
		len += re_expand(s, sub, ov, (unsigned)rc,
		    out != NULL ? out + len : NULL);
		off = ov[1];
		if (!all)
			break;
		opts = PCRE2_NOTEMPTY;
	}
	if (rc < 0)
		return (-1);
	if (out != NULL && s.len > off)
		memcpy(out + len, s.p + off, s.len - off);
	len += s.len - off;
	*lenp = len;
	return (0);
}

int
vcl_re_sub(const struct vcl_re *re, struct vcl_str s, struct vcl_str sub,
    int all, void *(*alloc)(struct vcl_ctx *, size_t), struct vcl_ctx *ctx,
    struct vcl_str *out)
{
	pcre2_match_data *md;
	size_t len;
	char *p;
	int rc;

	VCL_CHECK_OBJ_NOTNULL(re, VCL_RE_MAGIC);
	VCL_AN(alloc);
	VCL_AN(out);
	md = re_md_get(re);
	if (md == NULL)
		return (-1);
	if (s.p == NULL)
		s.len = 0;
	if (sub.p == NULL)
		sub.len = 0;
	rc = re_exec(re, md, s.p, s.len, 0, 0);
	if (rc < 0)
		return (-1);
	if (rc == 0) {
		*out = s;
		return (0);
	}
	if (re_sub_pass(re, md, s, sub, all, NULL, &len) != 0)
		return (-1);
	p = alloc(ctx, len + 1);
	if (p == NULL)
		return (-1);
	if (re_sub_pass(re, md, s, sub, all, p, &len) != 0)
		return (-1);
	p[len] = '\0';
	out->p = p;
	out->len = len;
	return (0);
}
