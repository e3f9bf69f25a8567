/* test_params.c: the -p parser: units, defaults, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accel/params.h"

static void
test_defaults(void **state)
{
	(void)state;
	struct params p;
	prm_defaults(&p);
	assert_true(p.timeout_connect > 3.49 && p.timeout_connect < 3.51);
	assert_int_equal(p.max_head, 32 * 1024);
	assert_int_equal(p.max_headers, 64);
	assert_int_equal(p.max_body, 0);
	assert_string_equal(p.access_log, "-");
}

static void
test_units(void **state)
{
	(void)state;
	struct params p;
	char err[256];
	prm_defaults(&p);
	assert_int_equal(prm_set(&p, "max_head=64k", err, sizeof err), 0);
	assert_int_equal(p.max_head, 65536);
	assert_int_equal(prm_set(&p, "max_body=2G", err, sizeof err), 0);
	assert_int_equal(p.max_body, 2ULL << 30);
	assert_int_equal(prm_set(&p, "max_body=10mb", err, sizeof err), 0);
	assert_int_equal(p.max_body, 10ULL << 20);
	assert_int_equal(prm_set(&p, "timeout_idle=0.25", err, sizeof err), 0);
	assert_true(p.timeout_idle > 0.249 && p.timeout_idle < 0.251);
	assert_int_equal(prm_set(&p, "access_log=/tmp/x", err, sizeof err), 0);
	assert_string_equal(p.access_log, "/tmp/x");
}

static void
test_errors(void **state)
{
	(void)state;
	struct params p;
	char err[256];
	prm_defaults(&p);
	assert_int_equal(prm_set(&p, "nosuch=1", err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown parameter"));
	assert_int_equal(prm_set(&p, "max_head", err, sizeof err), -1);
	assert_non_null(strstr(err, "NAME=VALUE"));
	assert_int_equal(prm_set(&p, "max_head=-1", err, sizeof err), -1);
	assert_int_equal(prm_set(&p, "max_head=12q", err, sizeof err), -1);
	assert_int_equal(prm_set(&p, "timeout_idle=abc", err, sizeof err), -1);
	assert_int_equal(prm_set(&p, "timeout_idle=-2", err, sizeof err), -1);
	assert_int_equal(prm_set(&p, "max_headers=", err, sizeof err), -1);
	assert_int_equal(prm_set(&p, "max_headers=99999999999999999999999", err, sizeof err), -1);
	/* a failed set leaves the old value */
	assert_int_equal(p.max_head, 32 * 1024);
}

/* debug_* tunables are settable but `accel -h` does not list them. */
static void
test_debug_hidden(void **state)
{
	(void)state;
	struct params p;
	char err[256], out[8192];
	FILE *f = tmpfile();
	int saved;
	size_t n;

	prm_defaults(&p);
	assert_int_equal(p.debug_hash_collide, 0);
	assert_int_equal(prm_set(&p, "debug_hash_collide=1", err, sizeof err), 0);
	assert_int_equal(p.debug_hash_collide, 1);

	assert_non_null(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDOUT_FILENO) >= 0);
	prm_usage();
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	fclose(f);
	assert_non_null(strstr(out, "access_log"));
	assert_null(strstr(out, "debug_"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_debug_hidden),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
