/*
 * test_vcl_acl.c: VCL ACLs (vcl/vcl_acl.c): IPv4 and IPv6, prefix lengths
 * 0, 32 and 128, the longest prefix deciding (negation included), names,
 * IPv4-mapped addresses, errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "vcl/vcl_ir.h"

static struct vcl_ip
ip(const char *s)
{
	struct vcl_ip a;

	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, s, a.addr) == 1)
		a.family = 4;
	else {
		assert_int_equal(inet_pton(AF_INET6, s, a.addr), 1);
		a.family = 6;
	}
	return (a);
}

static int
match(const struct vcl_acl *acl, const char *s)
{
	struct vcl_ip a = ip(s);

	return (vcl_acl_match(acl, &a));
}

static void
add(struct vcl_acl *acl, const char *a, int len, int neg)
{
	char err[256];

	if (vcl_acl_add(acl, a, len, neg, err, sizeof err) != 0)
		fail_msg("%s/%d: %s", a, len, err);
}

static void
test_v4(void **state)
{
	struct vcl_acl *acl = vcl_acl_new("t");

	(void)state;
	add(acl, "10.0.0.0", 8, 0);
	add(acl, "10.20.0.0", 16, 1);
	add(acl, "10.20.99.0", 24, 0);
	add(acl, "192.168.1.7", -1, 0); /* /32 */
	assert_true(match(acl, "10.1.2.3"));
	assert_false(match(acl, "10.20.1.1"));	/* the /16 refuses */
	assert_true(match(acl, "10.20.99.4"));	/* the /24 is longer */
	assert_true(match(acl, "192.168.1.7"));
	assert_false(match(acl, "192.168.1.8"));
	assert_false(match(acl, "11.0.0.1"));
	assert_false(match(acl, "::1"));
	/* bits past the mask do not count */
	vcl_acl_free(&acl);
	acl = vcl_acl_new("t");
	add(acl, "10.1.2.3", 8, 0);
	assert_true(match(acl, "10.9.9.9"));
	vcl_acl_free(&acl);
	assert_null(acl);
}

static void
test_zero_and_full(void **state)
{
	struct vcl_acl *acl = vcl_acl_new("t");

	(void)state;
	add(acl, "0.0.0.0", 0, 0);
	add(acl, "1.2.3.4", 32, 1);
	assert_true(match(acl, "8.8.8.8"));
	assert_false(match(acl, "1.2.3.4"));
	assert_false(match(acl, "2001:db8::1")); /* v4 entries only */
	vcl_acl_free(&acl);
	acl = vcl_acl_new("t");
	add(acl, "::", 0, 0);
	add(acl, "2001:db8::1", 128, 1);
	assert_true(match(acl, "::2"));
	assert_false(match(acl, "2001:db8::1"));
	assert_false(match(acl, "1.2.3.4"));
	vcl_acl_free(&acl);
}

static void
test_v6(void **state)
{
	struct vcl_acl *acl = vcl_acl_new("t");

	(void)state;
	add(acl, "2001:db8::", 32, 0);
	add(acl, "2001:db8:1::", 48, 1);
	add(acl, "::1", -1, 0);
	assert_true(match(acl, "2001:db8:2::5"));
	assert_false(match(acl, "2001:db8:1::5"));
	assert_true(match(acl, "::1"));
	assert_false(match(acl, "::2"));
	vcl_acl_free(&acl);
}

static void
test_mapped(void **state)
{
	struct vcl_acl *acl = vcl_acl_new("t");

	(void)state;
	add(acl, "10.0.0.0", 8, 0);
	/* an IPv4-mapped address is matched as its IPv4 address */
	assert_true(match(acl, "::ffff:10.1.1.1"));
	assert_false(match(acl, "::ffff:11.1.1.1"));
	vcl_acl_free(&acl);
}

static void
test_errors(void **state)
{
	struct vcl_acl *acl = vcl_acl_new("t");
	char err[256];

	(void)state;
	assert_int_equal(vcl_acl_add(acl, "10.0.0.0", 33, 0, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "mask /33"));
	assert_int_equal(vcl_acl_add(acl, "::", 129, 0, err, sizeof err), -1);
	assert_int_equal(vcl_acl_add(acl, "no.such.host.invalid", -1, 0, err,
	    sizeof err), -2);
	assert_non_null(strstr(err, "cannot resolve"));
	/* a name: each address an entry */
	assert_int_equal(vcl_acl_add(acl, "localhost", -1, 0, err,
	    sizeof err), 0);
	assert_true(match(acl, "127.0.0.1") || match(acl, "::1"));
	assert_false(vcl_acl_match(acl, NULL));
	vcl_acl_free(&acl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4),
	    cmocka_unit_test(test_zero_and_full),
	    cmocka_unit_test(test_v6),
	    cmocka_unit_test(test_mapped),
	    cmocka_unit_test(test_errors),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
