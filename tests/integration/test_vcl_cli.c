/*
 * test_vcl_cli.c: accel -C (check a VCL and exit) as a user runs it: the
 * exit status, the file:line:column message with the source line and a
 * caret, the compiled form with -d; and the daemon refusing to start on
 * a program that does not check. Programs come from tests/vcl/ (the tests run from the
 * repository's root).
 */
#include "tests/integration/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* accel ARGS to its end: its exit status (stderr in hx_accel_log). */
static int
run(struct hx_accel **ap, const char *args)
{
	*ap = hx_accel_spawn("%s", args);
	return (hx_accel_wait(*ap, 20000));
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 16];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

static void
builtin_checks(void **state)
{
	struct hx_accel *a;
	(void)state;

	assert_int_equal(run(&a, "-C"), 0);
	assert_non_null(strstr(hx_accel_log(a), "the built-in VCL: VCL OK"));
}

static void
corpus_file_checks_and_dumps(void **state)
{
	struct hx_accel *a;
	const char *out;
	(void)state;

	assert_int_equal(run(&a, "-C -d -f tests/vcl/corpus/purge-acl.vcl"), 0);
	assert_non_null(strstr(hx_accel_log(a), "purge-acl.vcl: VCL OK"));
	out = slurp(a->stdout_path);
	/* the user's vcl_recv, then the built-in one, in one body */
	assert_non_null(strstr(out, "sub vcl_recv {"));
	assert_non_null(strstr(out, "return purge"));
	assert_non_null(strstr(out, "hash_data (var STRING req.url)"));
}

/* A bad program: exit 2, and the message a user can act on. */
static void
bad_file_is_refused_with_its_place(void **state)
{
	struct hx_accel *a;
	const char *log;
	(void)state;

	assert_int_equal(run(&a, "-C -f tests/vcl/bad/acl-bad-mask.vcl"), 2);
	log = hx_accel_log(a);
	if (strstr(log, "tests/vcl/bad/acl-bad-mask.vcl:13:13: error: mask /33")
	    == NULL)
		HX_FAIL("want the place and the message, got:\n%s", log);
	/* the source line, then a caret under column 13 (a tab first) */
	assert_non_null(strstr(log, "\n    \t\"10.0.0.0\"/33;\n    \t           ^\n"));
	assert_non_null(strstr(log, "1 error"));

	assert_int_equal(run(&a, "-C -f tests/vcl/no-such-file.vcl"), 2);
	assert_non_null(strstr(hx_accel_log(a), "no-such-file.vcl"));
}

/* Without -C a bad program stops the start, with the same message. */
static void
daemon_refuses_bad_file(void **state)
{
	struct hx_accel *a;
	const char *log;
	(void)state;

	assert_int_equal(run(&a, "-a 127.0.0.1:0 "
	    "-f tests/vcl/bad/acl-bad-mask.vcl"), 2);
	log = hx_accel_log(a);
	if (strstr(log, "tests/vcl/bad/acl-bad-mask.vcl:13:13: error: mask /33")
	    == NULL || strstr(log, "does not load") == NULL)
		HX_FAIL("want the place and the refusal, got:\n%s", log);
	assert_null(strstr(log, "listening on"));
	assert_int_equal(run(&a, "-d"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(builtin_checks),
	    HX_TEST(corpus_file_checks_and_dumps),
	    HX_TEST(bad_file_is_refused_with_its_place),
	    HX_TEST(daemon_refuses_bad_file),
	};
	return HX_RUN(tests);
}
