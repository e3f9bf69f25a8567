/* test_vcl_std.c: the std functions (vcl_std.c), their parsers
 * (vcl_conv.c) and the directors (vcl_dir.c), run through the interpreter
 * on programs built by hand (vcl_ir_build.h). */
#include <math.h>
#include <stdlib.h>

#include "tests/unit/vcl_ir_build.h"

#define STR(b, e) irb_eval_str((b), (e))

/* f(s) as text (NULL: the run failed). */
static const char *
f_str(struct irb *b, enum vcl_func_id f, enum vcl_type t, const char *s)
{
	return (STR(b, irb_func(b, f, t, irb_str(b, s))));
}

static void
test_case(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_string_equal(f_str(b, VCL_F_STD_TOLOWER, VCL_T_STRING,
	    "AbC-9é"), "abc-9é");
	assert_string_equal(f_str(b, VCL_F_STD_TOUPPER, VCL_T_STRING,
	    "AbC-9"), "ABC-9");
	assert_string_equal(f_str(b, VCL_F_STD_TOUPPER, VCL_T_STRING, NULL),
	    "");
	irb_free(b);
}

/* std.X(s, fallback) with the other sources left out. */
static const char *
conv(struct irb *b, enum vcl_func_id f, enum vcl_type t, const char *s,
    vcl_ix fallback)
{
	const struct vcl_func *fn = vcl_func_get(f);
	vcl_ix args = irb_str(b, s), last = args;
	unsigned i;

	irb_chain(b, last, fallback == 0 ? irb_none(b) : fallback, 0);
	last = b->ir[last].next;
	for (i = 2; i < fn->vf_nargs; i++) {
		irb_chain(b, last, irb_none(b), 0);
		last = b->ir[last].next;
	}
	return (STR(b, irb_func(b, f, t, args)));
}

static void
test_integer(void **state)
{
	struct irb *b = irb_new();
	vcl_ix fb = irb_int(b, VCL_T_INT, -1);

	(void)state;
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, " 42 ", fb),
	    "42");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, "-7", fb),
	    "-7");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT,
	    "9223372036854775807", fb), "9223372036854775807");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT,
	    "9223372036854775808", fb), "-1");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, "4.5", fb),
	    "-1");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, "0x10", fb),
	    "-1");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, "", fb),
	    "-1");
	assert_string_equal(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, NULL, fb),
	    "-1");
	/* no fallback: the run fails */
	assert_null(conv(b, VCL_F_STD_INTEGER, VCL_T_INT, "x", 0));
	assert_string_equal(b->ret.reason.p,
	    "std conversion failed, no fallback");
	irb_free(b);
}

static void
test_integer_sources(void **state)
{
	struct irb *b = irb_new();
	vcl_ix args;

	(void)state;
	/* std.integer(real = 2.7) is 2, std.integer(bool = true) 1 */
	args = irb_chain(b, irb_none(b), irb_none(b), irb_none(b), irb_none(b),
	    irb_none(b), irb_real(b, VCL_T_REAL, 2.7), irb_none(b), 0);
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_INTEGER, VCL_T_INT,
	    args)), "2");
	args = irb_chain(b, irb_none(b), irb_none(b), irb_bool(b, 1),
	    irb_none(b), irb_none(b), irb_none(b), irb_none(b), 0);
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_INTEGER, VCL_T_INT,
	    args)), "1");
	/* std.real(integer = 3) */
	args = irb_chain(b, irb_none(b), irb_none(b), irb_int(b, VCL_T_INT, 3),
	    irb_none(b), irb_none(b), irb_none(b), irb_none(b), 0);
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_REAL, VCL_T_REAL,
	    args)), "3.000");
	/* two sources, or none: fail */
	args = irb_chain(b, irb_str(b, "1"), irb_none(b), irb_bool(b, 1),
	    irb_none(b), irb_none(b), irb_none(b), irb_none(b), 0);
	assert_null(STR(b, irb_func(b, VCL_F_STD_INTEGER, VCL_T_INT, args)));
	args = irb_chain(b, irb_none(b), irb_int(b, VCL_T_INT, 1), 0);
	assert_null(STR(b, irb_func(b, VCL_F_STD_INTEGER, VCL_T_INT, args)));
	irb_free(b);
}

static void
test_real_duration_bytes(void **state)
{
	struct irb *b = irb_new();
	vcl_ix fr = irb_real(b, VCL_T_REAL, -1);
	vcl_ix fd = irb_real(b, VCL_T_DURATION, -1);
	vcl_ix fbb = irb_int(b, VCL_T_BYTES, -1);

	(void)state;
	assert_string_equal(conv(b, VCL_F_STD_REAL, VCL_T_REAL, "1.25", fr),
	    "1.250");
	assert_string_equal(conv(b, VCL_F_STD_REAL, VCL_T_REAL, "-.5", fr),
	    "-0.500");
	assert_string_equal(conv(b, VCL_F_STD_REAL, VCL_T_REAL, "nan", fr),
	    "-1.000");
	assert_string_equal(conv(b, VCL_F_STD_REAL, VCL_T_REAL, "1e999", fr),
	    "-1.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION,
	    "1.5h", fd), "5400.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION,
	    "90s", fd), "90.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION,
	    "250ms", fd), "0.250");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION, "2m",
	    fd), "120.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION, "1d",
	    fd), "86400.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION, "1w",
	    fd), "604800.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION, "1y",
	    fd), "31536000.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION,
	    "-1 s", fd), "-1.000");
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION, "10",
	    fd), "-1.000"); /* a unit is needed, as in Varnish */
	assert_string_equal(conv(b, VCL_F_STD_DURATION, VCL_T_DURATION,
	    "1hx", fd), "-1.000");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "1KB", fbb),
	    "1024");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "1.5k", fbb),
	    "1536");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "2 MB", fbb),
	    "2097152");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "1G", fbb),
	    "1073741824");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "1TB", fbb),
	    "1099511627776");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "100B", fbb),
	    "100");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "100", fbb),
	    "100");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "-1KB", fbb),
	    "-1");
	assert_string_equal(conv(b, VCL_F_STD_BYTES, VCL_T_BYTES, "1XB", fbb),
	    "-1");
	irb_free(b);
}

static void
test_time_ip(void **state)
{
	struct irb *b = irb_new();
	vcl_ix ft = irb_real(b, VCL_T_TIME, 0);
	struct vcl_ip fip = {4, {127, 0, 0, 1}, 0};
	union vcl_val v = {.ip = &fip};

	(void)state;
	assert_string_equal(conv(b, VCL_F_STD_TIME, VCL_T_TIME,
	    "Sun, 06 Nov 1994 08:49:37 GMT", ft),
	    "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(conv(b, VCL_F_STD_TIME, VCL_T_TIME,
	    "Sunday, 06-Nov-94 08:49:37 GMT", ft),
	    "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(conv(b, VCL_F_STD_TIME, VCL_T_TIME,
	    "Sun Nov  6 08:49:37 1994", ft), "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(conv(b, VCL_F_STD_TIME, VCL_T_TIME, "784111777",
	    ft), "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(conv(b, VCL_F_STD_TIME, VCL_T_TIME, "yesterday",
	    ft), "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_string_equal(conv(b, VCL_F_STD_IP, VCL_T_IP, " 192.0.2.1 ",
	    irb_k(b, VCL_T_IP, v)), "192.0.2.1");
	assert_string_equal(conv(b, VCL_F_STD_IP, VCL_T_IP, "2001:db8::1",
	    irb_k(b, VCL_T_IP, v)), "2001:db8::1");
	assert_string_equal(conv(b, VCL_F_STD_IP, VCL_T_IP, "localhost",
	    irb_k(b, VCL_T_IP, v)), "127.0.0.1");
	assert_null(conv(b, VCL_F_STD_IP, VCL_T_IP, "1.2.3", 0));
	irb_free(b);
}

static void
test_querysort(void **state)
{
	static const char *const t[][2] = {
		{"/p", "/p"},
		{"/p?", "/p?"},
		{"/p?a=1", "/p?a=1"},
		{"/p?b=1&a=2&a=1", "/p?a=1&a=2&b=1"},
		{"/p?&&a", "/p?a"},
		{"/p?&", "/p?"},
		{"/foo/bar?t=0&b=0&p=0&c=5", "/foo/bar?b=0&c=5&p=0&t=0"},
		{"/foo/bar?coa=0&co=0", "/foo/bar?co=0&coa=0"},
		{"/foo/bar?a=0&&&&&", "/foo/bar?a=0"},
		{"/foo/bar?&a=0&&&&&z&w&x&", "/foo/bar?a=0&w&x&z"},
		{"/p?a&a=1&a", "/p?a&a=1&a"},
	};
	struct irb *b = irb_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(f_str(b, VCL_F_STD_QUERYSORT, VCL_T_STRING,
		    t[i][0]), t[i][1]);
	irb_free(b);
}

static const char *
two(struct irb *b, enum vcl_func_id f, enum vcl_type t, vcl_ix x, vcl_ix y)
{
	return (STR(b, irb_func(b, f, t, irb_chain(b, x, y, 0))));
}

static void
test_strings(void **state)
{
	struct irb *b = irb_new();
	vcl_ix args;

	(void)state;
	assert_string_equal(two(b, VCL_F_STD_STRSTR, VCL_T_STRING,
	    irb_str(b, "abcabc"), irb_str(b, "ca")), "cabc");
	assert_string_equal(two(b, VCL_F_STD_STRSTR, VCL_T_STRING,
	    irb_str(b, "abc"), irb_str(b, "x")), "");
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_func(b, VCL_F_STD_STRSTR, VCL_T_STRING,
	    irb_chain(b, irb_str(b, "abc"), irb_str(b, "x"), 0)), 0, 0)), 0);
	/* fnmatch(pattern, subject, pathname, noescape, period) */
	args = irb_chain(b, irb_str(b, "/a/*.html"), irb_str(b, "/a/b.html"),
	    irb_bool(b, 1), irb_bool(b, 0), irb_bool(b, 0), 0);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_FNMATCH,
	    VCL_T_BOOL, args)), 1);
	args = irb_chain(b, irb_str(b, "/a/*.html"), irb_str(b, "/a/b/c.html"),
	    irb_bool(b, 1), irb_bool(b, 0), irb_bool(b, 0), 0);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_FNMATCH,
	    VCL_T_BOOL, args)), 0);
	args = irb_chain(b, irb_str(b, "/a/*.html"), irb_str(b, "/a/b/c.html"),
	    irb_bool(b, 0), irb_bool(b, 0), irb_bool(b, 0), 0);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_FNMATCH,
	    VCL_T_BOOL, args)), 1);
	args = irb_chain(b, irb_str(b, "*"), irb_str(b, NULL), irb_bool(b, 0),
	    irb_bool(b, 0), irb_bool(b, 0), 0);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_FNMATCH,
	    VCL_T_BOOL, args)), 0);
	irb_free(b);
}

static void
test_numbers_misc(void **state)
{
	struct irb *b = irb_new();
	double r;
	int i;

	(void)state;
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_ROUND, VCL_T_REAL,
	    irb_real(b, VCL_T_REAL, 2.5))), "3.000");
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_ROUND, VCL_T_REAL,
	    irb_real(b, VCL_T_REAL, -2.4))), "-2.000");
	for (i = 0; i < 50; i++) {
		r = atof(two(b, VCL_F_STD_RANDOM, VCL_T_REAL,
		    irb_real(b, VCL_T_REAL, 5), irb_real(b, VCL_T_REAL, 6)));
		assert_true(r >= 5 && r <= 6);
	}
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_SYNTAX,
	    VCL_T_BOOL, irb_real(b, VCL_T_REAL, 4.1))), 1);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_SYNTAX,
	    VCL_T_BOOL, irb_real(b, VCL_T_REAL, 4.2))), 0);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_BAN,
	    VCL_T_BOOL, irb_str(b, "obj.status == 200"))), 1);
	assert_string_equal(b->ctx.banned, "obj.status == 200|");
	b->ctx.vars[VCL_V_NOW].r = 1;
	assert_string_equal(STR(b, irb_func(b, VCL_F_STD_NOW, VCL_T_TIME, 0)),
	    "Thu, 01 Jan 1970 00:00:01 GMT");
	assert_string_equal(two(b, VCL_F_STD_STRFTIME, VCL_T_STRING,
	    irb_real(b, VCL_T_TIME, 86400), irb_str(b, "%Y-%m-%d")),
	    "1970-01-02");
	irb_free(b);
}

static void
test_healthy_log(void **state)
{
	struct irb *b = irb_new();
	vcl_ix s;

	(void)state;
	b->ctx.sick = 1u << 2;
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_HEALTHY,
	    VCL_T_BOOL, irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND, 1, 0,
	    0))), 1);
	assert_int_equal(irb_eval_bool(b, irb_func(b, VCL_F_STD_HEALTHY,
	    VCL_T_BOOL, irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND, 2, 0,
	    0))), 0);
	s = irb_node(b, VCL_IR_S_EXPR, VCL_T_VOID, irb_func(b,
	    VCL_F_STD_TIMESTAMP, VCL_T_VOID, irb_str(b, "x")), 0, 0);
	irb_chain(b, s, irb_node(b, VCL_IR_S_EXPR, VCL_T_VOID, irb_func(b,
	    VCL_F_STD_COLLECT, VCL_T_VOID, irb_chain(b, irb_node(b,
	    VCL_IR_E_HDR, VCL_T_HEADER, VCL_W_REQ, irb_hname(b, "X"), 0),
	    irb_str(b, ", "), 0)), 0, 0), 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s), VCL_A_HASH);
	irb_free(b);
}

/* --- directors ---------------------------------------------------------- */

/* vcl_init: new o0 = directors.TYPE(ctor args); o0.add_backend(bN) for
 * each backend of mask, with weight w when w > 0. */
static void
dir_make(struct irb *b, enum vcl_obj_id type, enum vcl_func_id add,
    unsigned mask, double w, vcl_ix ctor_args)
{
	vcl_ix s, last, i;

	b->objs[0].name = "o0";
	b->objs[0].type = type;
	b->p.nobjs = 1;
	s = irb_node(b, VCL_IR_S_NEW, VCL_T_VOID, 0, irb_node(b, VCL_IR_E_FUNC,
	    VCL_T_VOID, 0, ctor_args, 0), 0);
	last = s;
	for (i = 0; i < 8; i++) {
		vcl_ix be, call;

		if (!((mask >> i) & 1))
			continue;
		be = irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND, i, 0, 0);
		if (w > 0)
			irb_chain(b, be, irb_real(b, VCL_T_REAL, w), 0);
		call = irb_node(b, VCL_IR_S_EXPR, VCL_T_VOID, irb_node(b,
		    VCL_IR_E_METHOD, VCL_T_VOID, add, be, 0), 0, 0);
		irb_chain(b, last, call, 0);
		last = call;
	}
	assert_int_equal(irb_run(b, VCL_SUB_INIT, s), VCL_A_OK);
}

/* The name of what o0.backend(args) picks ("" for none). */
static char *
dir_pick(struct irb *b, enum vcl_func_id f, vcl_ix args)
{
	static char out[16];
	const char *r = STR(b, irb_node(b, VCL_IR_E_METHOD, VCL_T_BACKEND, f,
	    args, 0));

	assert_non_null(r);
	snprintf(out, sizeof(out), "%s", r);
	b->ctx.used = 0;
	return (out);
}

static void
test_round_robin(void **state)
{
	struct irb *b = irb_new();
	char seq[64] = "";

	(void)state;
	dir_make(b, VCL_O_ROUND_ROBIN, VCL_F_ROUND_ROBIN_ADD_BACKEND, 0x7, 0,
	    0);
	b->ctx.sick = 1u << 1;
	for (int i = 0; i < 4; i++)
		strcat(seq, dir_pick(b, VCL_F_ROUND_ROBIN_BACKEND, 0));
	assert_string_equal(seq, "b0b2b2b0");
	b->ctx.sick = 0x7;
	assert_string_equal(dir_pick(b, VCL_F_ROUND_ROBIN_BACKEND, 0), "");
	/* as a BACKEND value (E_OBJ) */
	b->ctx.sick = 0x3;
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_OBJ, VCL_T_BACKEND, 0,
	    0, 0)), "b2");
	/* changes outside vcl_init fail */
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_node(b, VCL_IR_S_EXPR,
	    VCL_T_VOID, irb_node(b, VCL_IR_E_METHOD, VCL_T_VOID,
	    VCL_F_ROUND_ROBIN_REMOVE_BACKEND, irb_node(b, VCL_IR_E_BACKEND,
	    VCL_T_BACKEND, 0, 0, 0), 0), 0, 0)), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p,
	    "a director changes only in vcl_init");
	irb_free(b);
}

static void
test_fallback(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	dir_make(b, VCL_O_FALLBACK, VCL_F_FALLBACK_ADD_BACKEND, 0x7, 0,
	    irb_bool(b, 0));
	assert_string_equal(dir_pick(b, VCL_F_FALLBACK_BACKEND, 0), "b0");
	b->ctx.sick = 1;
	assert_string_equal(dir_pick(b, VCL_F_FALLBACK_BACKEND, 0), "b1");
	b->ctx.sick = 0;
	assert_string_equal(dir_pick(b, VCL_F_FALLBACK_BACKEND, 0), "b0");
	irb_free(b);
	/* sticky: stays on b1 once b0 is back */
	b = irb_new();
	dir_make(b, VCL_O_FALLBACK, VCL_F_FALLBACK_ADD_BACKEND, 0x7, 0,
	    irb_bool(b, 1));
	b->ctx.sick = 1;
	assert_string_equal(dir_pick(b, VCL_F_FALLBACK_BACKEND, 0), "b1");
	b->ctx.sick = 0;
	assert_string_equal(dir_pick(b, VCL_F_FALLBACK_BACKEND, 0), "b1");
	irb_free(b);
}

static void
test_random_hash(void **state)
{
	struct irb *b = irb_new();
	int n1 = 0, i;
	char first[16];

	(void)state;
	dir_make(b, VCL_O_RANDOM, VCL_F_RANDOM_ADD_BACKEND, 0x3, 1, 0);
	for (i = 0; i < 200; i++)
		n1 += strcmp(dir_pick(b, VCL_F_RANDOM_BACKEND, 0), "b1") == 0;
	assert_true(n1 > 40 && n1 < 160);
	b->ctx.sick = 2;
	for (i = 0; i < 20; i++)
		assert_string_equal(dir_pick(b, VCL_F_RANDOM_BACKEND, 0), "b0");
	irb_free(b);

	b = irb_new();
	dir_make(b, VCL_O_HASH, VCL_F_HASH_ADD_BACKEND, 0xf, 1, 0);
	snprintf(first, sizeof(first), "%s", dir_pick(b, VCL_F_HASH_BACKEND,
	    irb_str(b, "/some/url")));
	for (i = 0; i < 5; i++)
		assert_string_equal(dir_pick(b, VCL_F_HASH_BACKEND,
		    irb_str(b, "/some/url")), first);
	b->ctx.sick = 0xf;
	assert_string_equal(dir_pick(b, VCL_F_HASH_BACKEND, irb_str(b, "/u")),
	    "");
	irb_free(b);
}

static void
test_shard(void **state)
{
	struct irb *b = irb_new();
	char first[16];
	vcl_ix args;
	int moved = 0, i;

	(void)state;
	dir_make(b, VCL_O_SHARD, VCL_F_SHARD_ADD_BACKEND, 0xf, 0, 0);
	b->ctx.vars[VCL_V_REQ_URL].s = (struct vcl_str){"/a", 2};
	snprintf(first, sizeof(first), "%s", dir_pick(b,
	    VCL_F_SHARD_BACKEND, 0));
	assert_true(first[0] == 'b');
	assert_string_equal(dir_pick(b, VCL_F_SHARD_BACKEND, 0), first);
	/* its backend down: another; the others keep theirs */
	b->ctx.sick = 1u << (first[1] - '0');
	assert_string_not_equal(dir_pick(b, VCL_F_SHARD_BACKEND, 0), first);
	b->ctx.sick = 0;
	for (i = 0; i < 40; i++) {
		char url[16], a[16];

		snprintf(url, sizeof(url), "/u%d", i);
		b->ctx.vars[VCL_V_REQ_URL].s = (struct vcl_str){strdup(url),
		    strlen(url)};
		snprintf(a, sizeof(a), "%s", dir_pick(b, VCL_F_SHARD_BACKEND,
		    0));
		b->ctx.sick = 1u << 3;
		moved += strcmp(a, dir_pick(b, VCL_F_SHARD_BACKEND, 0)) != 0 &&
		    strcmp(a, "b3") != 0;
		b->ctx.sick = 0;
		free((char *)b->ctx.vars[VCL_V_REQ_URL].s.p);
	}
	assert_int_equal(moved, 0);
	/* by=KEY, key=n: stable; shard.key() */
	args = irb_chain(b, irb_str(b, "KEY"), irb_int(b, VCL_T_INT, 12345),
	    0);
	snprintf(first, sizeof(first), "%s", dir_pick(b, VCL_F_SHARD_BACKEND,
	    args));
	args = irb_chain(b, irb_str(b, "KEY"), irb_int(b, VCL_T_INT, 12345),
	    0);
	assert_string_equal(dir_pick(b, VCL_F_SHARD_BACKEND, args), first);
	snprintf(first, sizeof(first), "%s", STR(b, irb_node(b,
	    VCL_IR_E_METHOD, VCL_T_INT, VCL_F_SHARD_KEY, irb_str(b, "x"), 0)));
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_METHOD, VCL_T_INT,
	    VCL_F_SHARD_KEY, irb_str(b, "x"), 0)), first);
	assert_string_not_equal(STR(b, irb_node(b, VCL_IR_E_METHOD, VCL_T_INT,
	    VCL_F_SHARD_KEY, irb_str(b, "y"), 0)), first);
	irb_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_integer),
		cmocka_unit_test(test_integer_sources),
		cmocka_unit_test(test_real_duration_bytes),
		cmocka_unit_test(test_time_ip),
		cmocka_unit_test(test_querysort),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers_misc),
		cmocka_unit_test(test_healthy_log),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_random_hash),
		cmocka_unit_test(test_shard),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
