/*
 * test_vcl_re.c: VCL regexes (vcl/vcl_re.c): compile errors with PCRE2's
 * message, matching, regsub and regsuball with Varnish's replacement
 * syntax, the subject itself when nothing matches, empty matches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_ir.h"

static char arena[4096];
static size_t used;

static void *
t_alloc(struct vcl_ctx *ctx, size_t n)
{
	void *p;

	(void)ctx;
	if (used + n > sizeof arena)
		return (NULL);
	p = arena + used;
	used += n;
	return (p);
}

static struct vcl_re *
re(const char *pat)
{
	char err[256];
	struct vcl_re *r = vcl_re_compile(pat, strlen(pat), err, sizeof err);

	if (r == NULL)
		fail_msg("%s: %s", pat, err);
	return (r);
}

/* regsub(s, pat, sub) (all: regsuball) must give want. */
static void
sub_is(const char *s, const char *pat, const char *sub, int all,
    const char *want)
{
	struct vcl_re *r = re(pat);
	struct vcl_str in = {s, strlen(s)}, rp = {sub, strlen(sub)}, out;

	assert_int_equal(vcl_re_sub(r, in, rp, all, t_alloc, NULL, &out), 0);
	if (out.len != strlen(want) || memcmp(out.p, want, out.len) != 0)
		fail_msg("%s ~ %s -> %s: got '%.*s', want '%s'", s, pat, sub,
		    (int)out.len, out.p, want);
	vcl_re_free(&r);
	assert_null(r);
}

static void
test_compile(void **state)
{
	char err[256];
	struct vcl_re *r;

	(void)state;
	r = vcl_re_compile("^/(news|sport", 13, err, sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "missing closing parenthesis"));
	r = re("(a)(b)(?:c)");
	assert_int_equal(vcl_re_captures(r), 2);
	vcl_re_free(&r);
}

static void
test_match(void **state)
{
	struct vcl_re *r = re("^/admin");

	(void)state;
	assert_int_equal(vcl_re_match(r, "/admin/x", 8), 1);
	assert_int_equal(vcl_re_match(r, "/x/admin", 8), 0);
	/* the length counts, not a NUL */
	assert_int_equal(vcl_re_match(r, "/admin", 3), 0);
	assert_int_equal(vcl_re_match(r, NULL, 0), 0);
	vcl_re_free(&r);
	r = re("(?i)iphone");
	assert_int_equal(vcl_re_match(r, "an IPhone", 9), 1);
	vcl_re_free(&r);
}

static void
test_sub(void **state)
{
	(void)state;
	used = 0;
	sub_is("/a/b", "^/(a)/(b)$", "/\\2/\\1", 0, "/b/a");
	sub_is("abcabc", "b", "X", 0, "aXcabc");
	sub_is("abcabc", "b", "X", 1, "aXcaXc");
	sub_is("abc", "(b)", "[\\0\\1]", 0, "a[bb]c");
	/* \N of a group that did not take part, or absent: empty */
	sub_is("ac", "a(x)?c", "<\\1\\7>", 0, "<>");
	/* a backslash before another byte is that byte; at the end, itself */
	sub_is("abc", "b", "\\n\\\\", 0, "an\\c");
	sub_is("abc", "b", "x\\", 0, "ax\\c");
	/* the keep-some-cookies idiom */
	sub_is("a=1; b=2; c=3", "(^|;\\s*)(b)=", "; \\2=", 1,
	    "a=1; b=2; c=3");
	/* empty matches: later ones may not be empty, so each advances */
	sub_is("abc", "x*", "-", 1, "-abc");
	sub_is("baaac", "a*", "-", 1, "-b-c");
	sub_is("", "^$", "empty", 0, "empty");
}

static void
test_nomatch(void **state)
{
	struct vcl_re *r = re("zzz");
	struct vcl_str in = {"abc", 3}, rp = {"x", 1}, out;

	(void)state;
	used = 0;
	assert_int_equal(vcl_re_sub(r, in, rp, 1, t_alloc, NULL, &out), 0);
	assert_ptr_equal(out.p, in.p); /* the subject itself */
	assert_int_equal(out.len, 3);
	assert_int_equal(used, 0);
	vcl_re_free(&r);
	/* no memory: -1 */
	r = re("b");
	used = sizeof arena;
	assert_int_equal(vcl_re_sub(r, in, rp, 1, t_alloc, NULL, &out), -1);
	used = 0;
	vcl_re_free(&r);
}

/* The limits hold with the JIT's fast entry (pcre2_jit_match): a
 * backtracking explosion is an error, not a hang; a pattern in UTF mode
 * goes through pcre2_match, which refuses a subject that is not UTF-8. */
static void
test_limits_and_utf(void **state)
{
	struct vcl_re *r = re("^(a+)+$");
	char s[64];

	(void)state;
	memset(s, 'a', 40);
	s[40] = 'b';
	assert_int_equal(vcl_re_match(r, s, 41), -1);
	assert_int_equal(vcl_re_match(r, s, 40), 1);
	vcl_re_free(&r);
	r = re("(*UTF)^.x$");
	assert_int_equal(vcl_re_match(r, "\xc3\xa9x", 3), 1);
	assert_int_equal(vcl_re_match(r, "\xffx", 2), -1);
	vcl_re_free(&r);
}

/* Many groups grow the thread's match data. */
static void
test_many_groups(void **state)
{
	char pat[200] = "";
	struct vcl_re *r;
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		strcat(pat, "(a)");
	r = re(pat);
	assert_int_equal(vcl_re_captures(r), 30);
	used = 0;
	{
		struct vcl_str in = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 30};
		struct vcl_str rp = {"\\9", 2}, out;
		assert_int_equal(vcl_re_sub(r, in, rp, 0, t_alloc, NULL, &out),
		    0);
		assert_int_equal(out.len, 1);
	}
	vcl_re_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compile),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_sub),
	    cmocka_unit_test(test_nomatch),
	    cmocka_unit_test(test_limits_and_utf),
	    cmocka_unit_test(test_many_groups),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
