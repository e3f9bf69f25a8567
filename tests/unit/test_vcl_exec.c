/* test_vcl_exec.c: the interpreter (vcl_exec.c) and the conversions
 * (vcl_conv.c) on programs built by hand (vcl_ir_build.h) against a mock
 * host: every statement, the operators per type, short-circuits, strings,
 * calls and their depth, return arguments, failures. */
#include <stdlib.h>

#include "tests/unit/vcl_ir_build.h"

#define STR(b, e) irb_eval_str((b), (e))

/* vcl_rt.h's operator numbers are vcl_ast.h's. */
const char *vcl_op_name(int op);
static void
test_op_numbers(void **state)
{
	(void)state;
	assert_string_equal(vcl_op_name(VCL_RT_OP_EQ), "==");
	assert_string_equal(vcl_op_name(VCL_RT_OP_NE), "!=");
	assert_string_equal(vcl_op_name(VCL_RT_OP_LT), "<");
	assert_string_equal(vcl_op_name(VCL_RT_OP_GE), ">=");
	assert_string_equal(vcl_op_name(VCL_RT_OP_ADD), "+");
	assert_string_equal(vcl_op_name(VCL_RT_OP_SUB), "-");
	assert_string_equal(vcl_op_name(VCL_RT_OP_MUL), "*");
	assert_string_equal(vcl_op_name(VCL_RT_OP_DIV), "/");
}

static void
test_set_unset(void **state)
{
	struct irb *b = irb_new();
	vcl_ix s1, s2, s3, s4, s5;
	struct vcl_hdr h = {"x-a", 3, 0};

	(void)state;
	mock_req_hdr(&b->ctx, "X-A", "1");
	mock_req_hdr(&b->ctx, "X-B", "2");
	s1 = irb_node(b, VCL_IR_S_SET_VAR, VCL_T_VOID, VCL_V_REQ_URL,
	    irb_str(b, "/new"), 0);
	s2 = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-C"), irb_hdr(b, VCL_W_REQ, "x-b"));
	s3 = irb_node(b, VCL_IR_S_UNSET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-A"), 0);
	s4 = irb_node(b, VCL_IR_S_SET_VAR, VCL_T_VOID, VCL_V_BERESP_TTL,
	    irb_real(b, VCL_T_DURATION, 120), 0);
	s5 = irb_node(b, VCL_IR_S_UNSET_VAR, VCL_T_VOID, VCL_V_BERESP_TTL, 0,
	    0);
	irb_chain(b, s1, s2, s3, s4, s5, 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_HASH);
	assert_int_equal(b->ctx.vset[VCL_V_REQ_URL], 1);
	assert_memory_equal(b->ctx.vars[VCL_V_REQ_URL].s.p, "/new", 4);
	assert_null(mock_hdr_find(&b->ctx, VCL_W_REQ, &h));
	h.name = "X-C";
	assert_non_null(mock_hdr_find(&b->ctx, VCL_W_REQ, &h));
	assert_memory_equal(mock_hdr_find(&b->ctx, VCL_W_REQ, &h)->val.p, "2",
	    1);
	assert_int_equal(b->ctx.vset[VCL_V_BERESP_TTL], 0);
	/* A write the host refuses fails the run, naming what it wrote. */
	b->ctx.fail_op = 1;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot set req.url");
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_node(b, VCL_IR_S_SET_HDR,
	    VCL_T_VOID, VCL_W_REQ, irb_hname(b, "X-C"), irb_str(b, "v"))),
	    VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot set req.http.X-C");
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s3), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot unset req.http.X-A");
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s5), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot unset beresp.ttl");
	irb_free(b);
}

/* A header set from a string that is not set is "". */
static void
test_set_hdr_unset_value(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_string_equal(STR(b, irb_hdr(b, VCL_W_REQ, "Missing")), "");
	irb_free(b);
}

static void
test_if_else(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_int_equal(irb_eval_bool(b, irb_bool(b, 1)), 1);
	assert_int_equal(irb_eval_bool(b, irb_bool(b, 0)), 0);
	/* no else: falls through to the natural action */
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_node(b, VCL_IR_S_IF,
	    VCL_T_VOID, irb_bool(b, 0), irb_ret(b, VCL_A_PASS, 0, 0), 0)),
	    VCL_A_HASH);
	irb_free(b);
}

static void
test_natural_actions(void **state)
{
	static const struct {
		enum vcl_sub s;
		enum vcl_action a;
	} t[] = {
		{VCL_SUB_RECV, VCL_A_HASH}, {VCL_SUB_HASH, VCL_A_LOOKUP},
		{VCL_SUB_HIT, VCL_A_DELIVER}, {VCL_SUB_MISS, VCL_A_FETCH},
		{VCL_SUB_PASS, VCL_A_FETCH}, {VCL_SUB_PIPE, VCL_A_PIPE},
		{VCL_SUB_PURGE, VCL_A_SYNTH}, {VCL_SUB_DELIVER, VCL_A_DELIVER},
		{VCL_SUB_SYNTH, VCL_A_DELIVER},
		{VCL_SUB_BACKEND_FETCH, VCL_A_FETCH},
		{VCL_SUB_BACKEND_RESPONSE, VCL_A_DELIVER},
		{VCL_SUB_BACKEND_ERROR, VCL_A_DELIVER},
		{VCL_SUB_INIT, VCL_A_OK}, {VCL_SUB_FINI, VCL_A_OK},
	};
	struct irb *b = irb_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(irb_run(b, t[i].s, 0), t[i].a);
		assert_int_equal(b->ret.status, t[i].s == VCL_SUB_PURGE ? 200 :
		    0);
		assert_null(b->ret.reason.p);
	}
	irb_free(b);
}

static void
test_return_args(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_ret(b, VCL_A_SYNTH,
	    irb_int(b, VCL_T_INT, 404), irb_str(b, "Not here"))), VCL_A_SYNTH);
	assert_int_equal(b->ret.status, 404);
	assert_int_equal(b->ret.reason.len, 8);
	assert_memory_equal(b->ret.reason.p, "Not here", 8);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_ret(b, VCL_A_SYNTH,
	    irb_int(b, VCL_T_INT, 503), 0)), VCL_A_SYNTH);
	assert_int_equal(b->ret.status, 503);
	assert_null(b->ret.reason.p);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_ret(b, VCL_A_FAIL,
	    irb_str(b, "why"), 0)), VCL_A_FAIL);
	assert_memory_equal(b->ret.reason.p, "why", 3);
	assert_int_equal(irb_run(b, VCL_SUB_BACKEND_RESPONSE, irb_ret(b,
	    VCL_A_PASS, irb_real(b, VCL_T_DURATION, 120), 0)), VCL_A_PASS);
	assert_true(b->ret.duration == 120);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_ret(b, VCL_A_PASS, 0,
	    0)), VCL_A_PASS);
	assert_true(b->ret.duration == -1);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, irb_ret(b, VCL_A_SYNTH,
	    irb_int(b, VCL_T_INT, 70000), 0)), VCL_A_FAIL);
	irb_free(b);
}

static void
test_call_return(void **state)
{
	struct irb *b = irb_new();
	vcl_ix callee, s1, s2, s3;

	(void)state;
	/* sub f { set req.http.X-F = "1"; if (req.http.Stop) { return
	 * (pass); } }; vcl_recv { call f; set req.http.X-After = "1"; } */
	callee = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-F"), irb_str(b, "1"));
	irb_chain(b, callee, irb_node(b, VCL_IR_S_IF, VCL_T_VOID,
	    irb_node(b, VCL_IR_E_DEFINED, VCL_T_BOOL, irb_hdr(b, VCL_W_REQ,
	    "Stop"), 0, 0), irb_ret(b, VCL_A_PASS, 0, 0), 0), 0);
	s1 = irb_node(b, VCL_IR_S_CALL, VCL_T_VOID, callee, 0, 0);
	s2 = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-After"), irb_str(b, "1"));
	irb_chain(b, s1, s2, 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_HASH);
	assert_int_equal(b->ctx.nhdr, 2);
	mock_req_hdr(&b->ctx, "Stop", "");
	b->ctx.nhdr = 1;
	b->ctx.hdr[0] = b->ctx.hdr[2];
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_PASS);
	assert_int_equal(b->ctx.nhdr, 2); /* Stop, X-F: not X-After */
	/* depth: a chain of calls deeper than max_call_depth + 1 fails */
	s3 = s1;
	b->p.max_call_depth = 1;
	s3 = irb_node(b, VCL_IR_S_CALL, VCL_T_VOID, s3, 0, 0);
	s3 = irb_node(b, VCL_IR_S_CALL, VCL_T_VOID, s3, 0, 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s3), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "subroutine calls too deep");
	b->p.max_call_depth = 2;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s3), VCL_A_PASS);
	/* a plain return (a == VCL_A__MAX) goes back to the caller */
	callee = irb_ret(b, VCL_A__MAX, 0, 0);
	irb_chain(b, callee, irb_ret(b, VCL_A_PIPE, 0, 0), 0);
	s1 = irb_node(b, VCL_IR_S_CALL, VCL_T_VOID, callee, 0, 0);
	irb_chain(b, s1, irb_ret(b, VCL_A_PASS, 0, 0), 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_PASS);
	b->p.max_call_depth = 1000; /* the fixed cap still holds */
	for (int i = 0; i < 70; i++)
		s3 = irb_node(b, VCL_IR_S_CALL, VCL_T_VOID, s3, 0, 0);
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s3), VCL_A_FAIL);
	irb_free(b);
}

static void
test_host_statements(void **state)
{
	struct irb *b = irb_new();
	vcl_ix s1, s2, s3, s4, s5;

	(void)state;
	s1 = irb_node(b, VCL_IR_S_HASH_DATA, VCL_T_VOID, irb_str(b, "h"), 0,
	    0);
	s2 = irb_node(b, VCL_IR_S_SYNTHETIC, VCL_T_VOID, irb_str(b, "body"),
	    0, 0);
	s3 = irb_node(b, VCL_IR_S_BAN, VCL_T_VOID, irb_str(b, "req.url ~ /"),
	    0, 0);
	s4 = irb_node(b, VCL_IR_S_EXPR, VCL_T_VOID, irb_func(b, VCL_F_STD_LOG,
	    VCL_T_VOID, irb_str(b, "hello")), 0, 0);
	s5 = irb_node(b, VCL_IR_S_HASH_DATA, VCL_T_VOID, irb_hdr(b, VCL_W_REQ,
	    "Host"), 0, 0);
	irb_chain(b, s1, s2, s3, s4, s5, 0);
	assert_int_equal(irb_run(b, VCL_SUB_HASH, s1), VCL_A_LOOKUP);
	assert_string_equal(b->ctx.hashed, "h||");
	assert_string_equal(b->ctx.synth, "body|");
	assert_string_equal(b->ctx.banned, "req.url ~ /|");
	assert_string_equal(b->ctx.logged, "hello|");
	/* a host operation that fails fails the run */
	b->ctx.fail_op = 1;
	assert_int_equal(irb_run(b, VCL_SUB_HASH, s1), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "hash_data failed");
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_hdr(b, VCL_W_REQ, "x"), 0, 0)), -1);
	irb_free(b);
}

static vcl_ix
bin(struct irb *b, enum vcl_irop op, enum vcl_type t, vcl_ix l, vcl_ix r,
    int o)
{
	return (irb_node(b, op, t, l, r, (uint32_t)o));
}

static void
test_cmp(void **state)
{
	struct irb *b = irb_new();

	(void)state;
#define CMPS(l, r, o) bin(b, VCL_IR_E_CMP, VCL_T_BOOL, irb_str(b, l), \
	irb_str(b, r), VCL_RT_OP_##o)
	assert_int_equal(irb_eval_bool(b, CMPS("GET", "GET", EQ)), 1);
	assert_int_equal(irb_eval_bool(b, CMPS("GET", "GETX", EQ)), 0);
	assert_int_equal(irb_eval_bool(b, CMPS("GET", "PUT", NE)), 1);
	assert_int_equal(irb_eval_bool(b, CMPS("GET", "get", EQ)), 0);
	assert_int_equal(irb_eval_bool(b, CMPS("a", "b", LT)), 1);
	assert_int_equal(irb_eval_bool(b, CMPS("ab", "a", GT)), 1);
	/* not set compares as "" (Varnish 7) */
	assert_int_equal(irb_eval_bool(b, CMPS(NULL, "", EQ)), 1);
	assert_int_equal(irb_eval_bool(b, CMPS(NULL, NULL, EQ)), 1);
	assert_int_equal(irb_eval_bool(b, CMPS(NULL, "x", NE)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_hdr(b, VCL_W_REQ, "Nope"), irb_str(b, ""), VCL_RT_OP_EQ)), 1);
#define CMPN(t, mk, l, r, o) bin(b, VCL_IR_E_CMP, VCL_T_BOOL, mk(b, t, l), \
	mk(b, t, r), VCL_RT_OP_##o)
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_INT, irb_int, 2, 3, LT)),
	    1);
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_INT, irb_int, -2, -2,
	    LE)), 1);
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_BYTES, irb_int, 5, 3,
	    GE)), 1);
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_REAL, irb_real, 1.5, 1.5,
	    NE)), 0);
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_DURATION, irb_real, 10,
	    1, GT)), 1);
	assert_int_equal(irb_eval_bool(b, CMPN(VCL_T_TIME, irb_real, 10, 1,
	    LT)), 0);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_bool(b, 2), irb_bool(b, 1), VCL_RT_OP_EQ)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND, 1, 0, 0),
	    irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND, 2, 0, 0),
	    VCL_RT_OP_NE)), 1);
	irb_free(b);
}

static void
test_cmp_ip(void **state)
{
	struct irb *b = irb_new();
	struct vcl_ip a = {4, {10, 0, 0, 1}, 80}, c = {4, {10, 0, 0, 1}, 81},
		      d = {6, {10, 0, 0, 1}, 80};

	(void)state;
	b->ctx.vars[VCL_V_CLIENT_IP].ip = &a;
	b->ctx.vars[VCL_V_SERVER_IP].ip = &c;
	b->ctx.vars[VCL_V_LOCAL_IP].ip = &d;
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_var(b, VCL_V_CLIENT_IP, VCL_T_IP), irb_var(b, VCL_V_SERVER_IP,
	    VCL_T_IP), VCL_RT_OP_EQ)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_var(b, VCL_V_CLIENT_IP, VCL_T_IP), irb_var(b, VCL_V_LOCAL_IP,
	    VCL_T_IP), VCL_RT_OP_EQ)), 0);
	assert_string_equal(STR(b, irb_var(b, VCL_V_CLIENT_IP, VCL_T_IP)),
	    "10.0.0.1");
	assert_string_equal(STR(b, irb_var(b, VCL_V_LOCAL_IP, VCL_T_IP)),
	    "a00:1::");
	irb_free(b);
}

/* A BOOL expression whose evaluation fails (an INT division by zero). */
static vcl_ix
boom(struct irb *b)
{
	return (bin(b, VCL_IR_E_CMP, VCL_T_BOOL, bin(b, VCL_IR_E_ARITH,
	    VCL_T_INT, irb_int(b, VCL_T_INT, 1), irb_int(b, VCL_T_INT, 0),
	    VCL_RT_OP_DIV), irb_int(b, VCL_T_INT, 0), VCL_RT_OP_EQ));
}

static void
test_logic(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_int_equal(irb_eval_bool(b, boom(b)), -1);
	assert_string_equal(b->ret.reason.p, "INT division by zero");
	/* short-circuit: the right side is not evaluated */
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_AND, VCL_T_BOOL,
	    irb_bool(b, 0), boom(b), 0)), 0);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_OR, VCL_T_BOOL,
	    irb_bool(b, 1), boom(b), 0)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_AND, VCL_T_BOOL,
	    irb_bool(b, 1), boom(b), 0)), -1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_AND, VCL_T_BOOL,
	    irb_bool(b, 1), irb_bool(b, 1), 0)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_OR, VCL_T_BOOL,
	    irb_bool(b, 0), irb_bool(b, 0), 0)), 0);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_NOT,
	    VCL_T_BOOL, irb_bool(b, 0), 0, 0)), 1);
	irb_free(b);
}

static void
test_arith(void **state)
{
	struct irb *b = irb_new();

	(void)state;
#define AR(t, mk, l, r, o) bin(b, VCL_IR_E_ARITH, t, mk(b, t, l), mk(b, t, r), \
	VCL_RT_OP_##o)
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, 7, 2, ADD)), "9");
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, 7, 9, SUB)), "-2");
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, 7, 3, MUL)), "21");
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, 7, 2, DIV)), "3");
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, INT64_MIN, -1, DIV)),
	    "-9223372036854775808");
	assert_string_equal(STR(b, AR(VCL_T_INT, irb_int, INT64_MAX, 1, ADD)),
	    "-9223372036854775808");
	assert_string_equal(STR(b, AR(VCL_T_BYTES, irb_int, 1024, 2, MUL)),
	    "2048");
	assert_string_equal(STR(b, AR(VCL_T_REAL, irb_real, 1, 4, DIV)),
	    "0.250");
	assert_string_equal(STR(b, AR(VCL_T_DURATION, irb_real, 60, 1.5,
	    SUB)), "58.500");
	assert_null(STR(b, AR(VCL_T_REAL, irb_real, 1, 0, DIV)));
	assert_string_equal(b->ret.reason.p, "REAL division by zero");
	/* mixed: DURATION * REAL, TIME + DURATION, INT * REAL as INT */
	assert_string_equal(STR(b, bin(b, VCL_IR_E_ARITH, VCL_T_DURATION,
	    irb_real(b, VCL_T_DURATION, 10), irb_int(b, VCL_T_INT, 3),
	    VCL_RT_OP_MUL)), "30.000");
	assert_string_equal(STR(b, bin(b, VCL_IR_E_ARITH, VCL_T_TIME,
	    irb_real(b, VCL_T_TIME, 0), irb_real(b, VCL_T_DURATION, 86400),
	    VCL_RT_OP_ADD)), "Fri, 02 Jan 1970 00:00:00 GMT");
	assert_string_equal(STR(b, bin(b, VCL_IR_E_ARITH, VCL_T_INT,
	    irb_int(b, VCL_T_INT, 10), irb_real(b, VCL_T_REAL, 2.5),
	    VCL_RT_OP_MUL)), "25");
	/* negation */
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_NEG, VCL_T_INT,
	    irb_int(b, VCL_T_INT, 5), 0, 0)), "-5");
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_NEG, VCL_T_DURATION,
	    irb_real(b, VCL_T_DURATION, 5), 0, 0)), "-5.000");
	irb_free(b);
}

static void
test_concat(void **state)
{
	struct irb *b = irb_new();
	vcl_ix c;

	(void)state;
	b->ctx.vars[VCL_V_REQ_URL].s = (struct vcl_str){"/u", 2};
	c = irb_chain(b, irb_str(b, "a"), irb_var(b, VCL_V_REQ_URL,
	    VCL_T_STRING), irb_hdr(b, VCL_W_REQ, "Missing"), irb_str(b, ""),
	    irb_str(b, "z"), 0);
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_CONCAT, VCL_T_STRING,
	    c, 0, 0)), "a/uz");
	/* more items than the stack array holds */
	c = irb_str(b, "0");
	for (int i = 1; i < 20; i++)
		irb_chain(b, irb_str(b, "x"), c, 0), c = b->p.nir - 1;
	assert_int_equal(strlen(STR(b, irb_node(b, VCL_IR_E_CONCAT,
	    VCL_T_STRING, c, 0, 0))), 20);
	irb_free(b);
}

static void
test_conv(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	assert_string_equal(STR(b, irb_int(b, VCL_T_INT, -42)), "-42");
	assert_string_equal(STR(b, irb_int(b, VCL_T_BYTES, 1048576)),
	    "1048576");
	assert_string_equal(STR(b, irb_real(b, VCL_T_REAL, 3.14159)),
	    "3.142");
	assert_string_equal(STR(b, irb_real(b, VCL_T_DURATION, 120)),
	    "120.000");
	assert_string_equal(STR(b, irb_real(b, VCL_T_TIME, 784111777)),
	    "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_string_equal(STR(b, irb_bool(b, 1)), "true");
	assert_string_equal(STR(b, irb_bool(b, 0)), "false");
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_BACKEND, VCL_T_BACKEND,
	    3, 0, 0)), "b3");
	/* INT to REAL, REAL to INT, STRING to BOOL, DURATION to BOOL */
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_CONV, VCL_T_REAL,
	    irb_int(b, VCL_T_INT, 2), 0, VCL_T_INT)), "2.000");
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_CONV, VCL_T_INT,
	    irb_real(b, VCL_T_REAL, 2.9), 0, VCL_T_REAL)), "2");
	assert_null(STR(b, irb_node(b, VCL_IR_E_CONV, VCL_T_INT,
	    irb_real(b, VCL_T_REAL, 1e300), 0, VCL_T_REAL)));
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_CONV,
	    VCL_T_BOOL, irb_str(b, ""), 0, VCL_T_STRING)), 1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_CONV,
	    VCL_T_BOOL, irb_str(b, NULL), 0, VCL_T_STRING)), 0);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_CONV,
	    VCL_T_BOOL, irb_real(b, VCL_T_DURATION, -1), 0,
	    VCL_T_DURATION)), 0);
	irb_free(b);
}

static void
test_defined(void **state)
{
	struct irb *b = irb_new();

	(void)state;
	mock_req_hdr(&b->ctx, "Cookie", "");
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_hdr(b, VCL_W_REQ, "cookie"), 0, 0)), 1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_hdr(b, VCL_W_REQ, "Authorization"), 0, 0)), 0);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_var(b, VCL_V_REQ_BACKEND_HINT, VCL_T_BACKEND), 0,
	    0)), 0);
	b->ctx.vars[VCL_V_REQ_BACKEND_HINT].be = &b->be[1];
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_var(b, VCL_V_REQ_BACKEND_HINT, VCL_T_BACKEND), 0,
	    0)), 1);
	irb_free(b);
}

/* The shapes the interpreter evaluates without its generic dispatch (a
 * STRING variable or header against a constant, defined(header), the
 * logic over them, return without arguments), and a host failure in each. */
static void
test_fast_paths(void **state)
{
	struct irb *b = irb_new();
	vcl_ix m;

	(void)state;
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
#define VCMP(v, k, o) bin(b, VCL_IR_E_CMP, VCL_T_BOOL, \
	irb_var(b, v, VCL_T_STRING), irb_str(b, k), VCL_RT_OP_##o)
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_METHOD, "GET", EQ)),
	    1);
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_METHOD, "GEX", EQ)),
	    0);
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_METHOD, "GE", NE)),
	    1);
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_METHOD, "GET", NE)),
	    0);
	/* not set is "" */
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_URL, "", EQ)), 1);
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_URL, "/", NE)), 1);
	mock_req_hdr(&b->ctx, "Host", "example.com");
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_hdr(b, VCL_W_REQ, "host"), irb_str(b, "example.com"),
	    VCL_RT_OP_EQ)), 1);
	assert_int_equal(irb_eval_bool(b, bin(b, VCL_IR_E_CMP, VCL_T_BOOL,
	    irb_hdr(b, VCL_W_REQ, "Nope"), irb_str(b, ""), VCL_RT_OP_NE)), 0);
	/* the built-in's: GET && HEAD, defined || defined, ! */
	m = bin(b, VCL_IR_E_AND, VCL_T_BOOL, VCMP(VCL_V_REQ_METHOD, "GET",
	    NE), VCMP(VCL_V_REQ_METHOD, "HEAD", NE), 0);
	assert_int_equal(irb_eval_bool(b, m), 0);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_NOT,
	    VCL_T_BOOL, m, 0, 0)), 1);
	m = bin(b, VCL_IR_E_OR, VCL_T_BOOL, irb_node(b, VCL_IR_E_DEFINED,
	    VCL_T_BOOL, irb_hdr(b, VCL_W_REQ, "Content-Length"), 0, 0),
	    irb_node(b, VCL_IR_E_DEFINED, VCL_T_BOOL, irb_hdr(b, VCL_W_REQ,
	    "Host"), 0, 0), 0);
	assert_int_equal(irb_eval_bool(b, m), 1);
	/* a host failure fails the run, whichever operand it is */
	b->ctx.fail_op = 1;
	assert_int_equal(irb_eval_bool(b, VCMP(VCL_V_REQ_METHOD, "GET", EQ)),
	    -1);
	assert_int_equal(irb_eval_bool(b, m), -1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_NOT,
	    VCL_T_BOOL, m, 0, 0)), -1);
	assert_int_equal(irb_run(b, VCL_SUB_HASH, irb_node(b,
	    VCL_IR_S_HASH_DATA, VCL_T_VOID, irb_var(b, VCL_V_REQ_URL,
	    VCL_T_STRING), 0, 0)), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot read variable");
	b->ctx.fail_op = 0;
#undef VCMP
	/* return without arguments: the action, nothing else */
	b->ret.status = 7;
	assert_int_equal(irb_run(b, VCL_SUB_DELIVER, irb_ret(b, VCL_A_DELIVER,
	    0, 0)), VCL_A_DELIVER);
	assert_int_equal(b->ret.status, 0);
	assert_null(b->ret.reason.p);
	assert_true(b->ret.duration == -1);
	irb_free(b);
}

/* The checker's ops for those shapes: E_VAR_EQ_K, E_HDR_EQ_K (flags 1:
 * !=), E_HDR_DEFINED; as conditions and as values. */
static void
test_eq_k_ops(void **state)
{
	struct irb *b = irb_new();
	vcl_ix get = irb_str(b, "GET"), empty = irb_str(b, "");
	uint32_t kget = b->ir[get].a, kempty = b->ir[empty].a, h, e;

	(void)state;
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
	mock_req_hdr(&b->ctx, "Host", "GET");
	h = irb_hname(b, "host");
	e = irb_node(b, VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_METHOD, kget,
	    0);
	assert_int_equal(irb_eval_bool(b, e), 1);
	b->ir[e].flags = 1;
	assert_int_equal(irb_eval_bool(b, e), 0);
	e = irb_node(b, VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_URL, kempty,
	    0);
	assert_int_equal(irb_eval_bool(b, e), 1); /* not set is "" */
	e = irb_node(b, VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_URL, kget, 0);
	assert_int_equal(irb_eval_bool(b, e), 0);
	e = irb_node(b, VCL_IR_E_HDR_EQ_K, VCL_T_BOOL, VCL_W_REQ, h, kget);
	assert_int_equal(irb_eval_bool(b, e), 1);
	assert_string_equal(irb_eval_str(b, e), "true");
	b->ir[e].flags = 1;
	assert_int_equal(irb_eval_bool(b, e), 0);
	e = irb_node(b, VCL_IR_E_HDR_EQ_K, VCL_T_BOOL, VCL_W_RESP, h, kempty);
	assert_int_equal(irb_eval_bool(b, e), 1);
	e = irb_node(b, VCL_IR_E_HDR_DEFINED, VCL_T_BOOL, VCL_W_REQ, h, 0);
	assert_int_equal(irb_eval_bool(b, e), 1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_NOT,
	    VCL_T_BOOL, e, 0, 0)), 0);
	e = irb_node(b, VCL_IR_E_HDR_DEFINED, VCL_T_BOOL, VCL_W_REQ,
	    irb_hname(b, "Cookie"), 0);
	assert_int_equal(irb_eval_bool(b, e), 0);
	assert_string_equal(irb_eval_str(b, e), "false");
	/* a host failure fails the run */
	b->ctx.fail_op = 1;
	assert_int_equal(irb_eval_bool(b, e), -1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_VAR_EQ_K,
	    VCL_T_BOOL, VCL_V_REQ_METHOD, kget, 0)), -1);
	assert_string_equal(b->ret.reason.p, "cannot read variable");
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_HDR_EQ_K,
	    VCL_T_BOOL, VCL_W_REQ, h, kget)), -1);
	assert_string_equal(b->ret.reason.p, "cannot read header");
	b->ctx.fail_op = 0;
	{ /* -C -d prints them as the comparison they were made from */
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		assert_non_null(f);
		e = irb_node(b, VCL_IR_E_HDR_EQ_K, VCL_T_BOOL, VCL_W_REQ, h,
		    kget);
		b->ir[e].flags = 1;
		b->p.sub[VCL_SUB_RECV] = irb_node(b, VCL_IR_S_IF, VCL_T_VOID,
		    bin(b, VCL_IR_E_AND, VCL_T_BOOL, e, irb_node(b,
		    VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_METHOD, kempty, 0),
		    0), 0, 0);
		vcl_prog_dump(&b->p, f);
		fclose(f);
		assert_non_null(strstr(out, "if (&& BOOL (!= BOOL (hdr STRING "
		    "req.http.host) \"GET\") (== BOOL (var STRING req.method) "
		    "\"\")) {\n"));
		free(out);
	}
	irb_free(b);
}

/* A set of methods of the program's table (vcl_ir.h, E_METHOD_IN). */
static vcl_ix
meth_in(struct irb *b, uint32_t set)
{
	return (irb_node(b, VCL_IR_E_METHOD_IN, VCL_T_BOOL, set, 0, 0));
}

/* E_METHOD_IN: req.method read once per run, looked up in p->meth; a
 * value the table lacks is bit 0; a set of req.method reads it again. */
static void
test_method_in(void **state)
{
	struct irb *b = irb_new();
	const uint32_t get = VCL_METH_BIT(0), head = VCL_METH_BIT(1),
	    none = VCL_METH_BIT(2);
	vcl_ix s1, s2, s3;

	(void)state;
	assert_int_equal(vcl_meth_add(&b->p, &(struct vcl_str){"GET", 3}), 0);
	assert_int_equal(vcl_meth_add(&b->p, &(struct vcl_str){"HEAD", 4}),
	    1);
	assert_int_equal(vcl_meth_add(&b->p, &(struct vcl_str){"", 0}), 2);
	assert_int_equal(vcl_meth_add(&b->p, &(struct vcl_str){"HEAD", 4}),
	    1);
	assert_int_equal(b->p.nmeth, 3);
	/* past VCL_METH_SHORT: found by a scan, not by its length */
	assert_int_equal(vcl_meth_add(&b->p, &(struct vcl_str){
	    "VERY-LONG-METHOD-NAME", 21}), 3);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
	assert_int_equal(irb_eval_bool(b, meth_in(b, get)), 1);
	assert_int_equal(irb_eval_bool(b, meth_in(b, head)), 0);
	assert_int_equal(irb_eval_bool(b, meth_in(b, ~(get | head))), 0);
	assert_string_equal(irb_eval_str(b, meth_in(b, get | head)), "true");
	/* case-sensitive, length first: "get", "GETX", "HEA" are none of
	 * them (bit 0: in every complement, in no set of constants) */
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"get", 3};
	assert_int_equal(irb_eval_bool(b, meth_in(b, get | head)), 0);
	assert_int_equal(irb_eval_bool(b, meth_in(b, ~get)), 1);
	assert_int_equal(irb_eval_bool(b, meth_in(b, VCL_METH_OTHER)), 1);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GETX", 4};
	assert_int_equal(irb_eval_bool(b, meth_in(b, get)), 0);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"HEA", 3};
	assert_int_equal(irb_eval_bool(b, meth_in(b, head)), 0);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"HEAD", 4};
	assert_int_equal(irb_eval_bool(b, meth_in(b, head)), 1);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){
	    "VERY-LONG-METHOD-NAME", 21};
	assert_int_equal(irb_eval_bool(b, meth_in(b, VCL_METH_BIT(3))), 1);
	assert_int_equal(irb_eval_bool(b, meth_in(b, VCL_METH_OTHER)), 0);
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){
	    "VERY-LONG-METHOD-NAMX", 21};
	assert_int_equal(irb_eval_bool(b, meth_in(b, VCL_METH_OTHER)), 1);
	/* not set compares as "": the "" constant's bit */
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){NULL, 0};
	assert_int_equal(irb_eval_bool(b, meth_in(b, none)), 1);
	assert_int_equal(irb_eval_bool(b, meth_in(b, get)), 0);
	/* read once per run: a second test in the same run does not ask
	 * the host again (a failing host would fail it) ... */
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
	s2 = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "X-Second"), irb_str(b, "1"));
	s3 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, meth_in(b, get),
	    irb_ret(b, VCL_A_PASS, 0, 0), irb_ret(b, VCL_A_PIPE, 0, 0));
	s1 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, meth_in(b, get), 0,
	    irb_ret(b, VCL_A_SYNTH, 0, 0));
	irb_chain(b, s1, s2, s3, 0);
	b->ctx.nvar_get = 0;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_PASS);
	assert_int_equal(b->ctx.nvar_get, 1);
	/* ... but `set req.method` makes the next test read it again */
	s2 = irb_node(b, VCL_IR_S_SET_VAR, VCL_T_VOID, VCL_V_REQ_METHOD,
	    irb_str(b, "HEAD"), 0);
	s3 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, meth_in(b, head),
	    irb_ret(b, VCL_A_PASS, 0, 0), irb_ret(b, VCL_A_PIPE, 0, 0));
	s1 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, meth_in(b, get), 0,
	    irb_ret(b, VCL_A_SYNTH, 0, 0));
	irb_chain(b, s1, s2, s3, 0);
	b->ctx.nvar_get = 0;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_PASS);
	assert_int_equal(b->ctx.nvar_get, 2);
	assert_int_equal(b->ctx.vars[VCL_V_REQ_METHOD].s.len, 4);
	/* and so does a new run (the value set above is HEAD now) */
	assert_int_equal(irb_eval_bool(b, meth_in(b, get)), 0);
	/* a host that cannot read req.method fails the run */
	b->ctx.fail_op = 1;
	assert_int_equal(irb_eval_bool(b, meth_in(b, get)), -1);
	assert_string_equal(b->ret.reason.p, "cannot read variable");
	b->ctx.fail_op = 0;
	/* S_IF_METHOD: an if on a set alone, its branches, the bit kept
	 * for a later E_METHOD_IN of the run, and a failing host */
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
	s1 = irb_node(b, VCL_IR_S_IF_METHOD, VCL_T_VOID, head,
	    irb_ret(b, VCL_A_SYNTH, 0, 0), irb_node(b, VCL_IR_S_SET_HDR,
	    VCL_T_VOID, VCL_W_REQ, irb_hname(b, "X-Else"), irb_str(b, "1")));
	s2 = irb_node(b, VCL_IR_S_IF_METHOD, VCL_T_VOID, get | head, 0, 0);
	s3 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, meth_in(b, ~get),
	    irb_ret(b, VCL_A_PIPE, 0, 0), irb_ret(b, VCL_A_PASS, 0, 0));
	irb_chain(b, s1, s2, s3, 0);
	b->ctx.nvar_get = 0;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_PASS);
	assert_int_equal(b->ctx.nvar_get, 1);
	assert_non_null(mock_hdr_find(&b->ctx, VCL_W_REQ,
	    &(struct vcl_hdr){"X-Else", 6, 0}));
	b->ctx.vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"HEAD", 4};
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_SYNTH);
	b->ctx.fail_op = 1;
	assert_int_equal(irb_run(b, VCL_SUB_RECV, s1), VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "cannot read variable");
	b->ctx.fail_op = 0;
	{ /* -C -d: the constants of the set, or of its complement */
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		assert_non_null(f);
		b->p.sub[VCL_SUB_RECV] = irb_chain(b, irb_node(b, VCL_IR_S_IF,
		    VCL_T_VOID, bin(b, VCL_IR_E_AND, VCL_T_BOOL, meth_in(b,
		    get | head), meth_in(b, ~head), 0), 0, 0), irb_node(b,
		    VCL_IR_S_IF_METHOD, VCL_T_VOID, get, 0, 0), 0);
		vcl_prog_dump(&b->p, f);
		fclose(f);
		assert_non_null(strstr(out, "if (&& BOOL (method-in BOOL "
		    "\"GET\" \"HEAD\") (method-not-in BOOL \"HEAD\")) {\n"));
		assert_non_null(strstr(out, "if (method-in BOOL \"GET\") {\n"));
		free(out);
	}
	irb_free(b);
}

/* The constant comparisons of every length up to and past the short
 * compare (16 bytes), with a difference at each position. */
static void
test_eq_k_lengths(void **state)
{
	static const char text[] = "abcdefghijklmnopqrstuvwxyz";
	struct irb *b = irb_new();
	char val[32];
	size_t n, d;
	vcl_ix k;

	(void)state;
	for (n = 0; n <= 20; n++) {
		k = irb_str(b, NULL);
		b->k[b->ir[k].a].s = (struct vcl_str){text, n};
		memcpy(val, text, n);
		b->ctx.vars[VCL_V_REQ_URL].s = (struct vcl_str){val, n};
		assert_int_equal(irb_eval_bool(b, irb_node(b,
		    VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_URL,
		    b->ir[k].a, 0)), 1);
		for (d = 0; d < n; d++) {
			val[d] = 'X';
			assert_int_equal(irb_eval_bool(b, irb_node(b,
			    VCL_IR_E_VAR_EQ_K, VCL_T_BOOL, VCL_V_REQ_URL,
			    b->ir[k].a, 0)), 0);
			val[d] = text[d];
		}
	}
	irb_free(b);
}

static void
test_match_acl(void **state)
{
	struct irb *b = irb_new();
	struct vcl_ip a = {4, {10, 0, 0, 1}, 0};
	char err[256];

	(void)state;
	b->re[0] = vcl_re_compile("foo", 3, err, sizeof err);
	assert_non_null(b->re[0]);
	/* Nested quantifiers on a subject that fails at its end: past the
	 * match limit, an error rather than seconds of backtracking. */
	b->re[1] = vcl_re_compile("^(a+)+$", 7, err, sizeof err);
	assert_non_null(b->re[1]);
	b->p.nre = 2;
	b->acls[0] = vcl_acl_new("ten");
	assert_non_null(b->acls[0]);
	assert_int_equal(vcl_acl_add(b->acls[0], "10.0.0.0", 8, 0, err,
	    sizeof err), 0);
	b->p.nacls = 1;
	b->ctx.vars[VCL_V_CLIENT_IP].ip = &a;
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_str(b, "a foo b"), 0, 0)), 1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_str(b, "a foo b"), 0, 1)), 0);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_hdr(b, VCL_W_REQ, "None"), 0, 1)), 1);
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_str(b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"),
	    1, 0)), -1);
	assert_string_equal(b->ret.reason.p, "regex match failed");
	/* a variable's value as the subject (a condition's fast path and a
	 * value's generic one agree); a host that cannot read it fails */
	b->ctx.vars[VCL_V_REQ_URL].s = (struct vcl_str){"/foo", 4};
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_var(b, VCL_V_REQ_URL, VCL_T_STRING), 0, 0)), 1);
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_MATCH, VCL_T_BOOL,
	    irb_var(b, VCL_V_REQ_URL, VCL_T_STRING), 0, 1)), "false");
	b->ctx.fail_op = 1;
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_MATCH,
	    VCL_T_BOOL, irb_var(b, VCL_V_REQ_URL, VCL_T_STRING), 0, 0)), -1);
	assert_string_equal(b->ret.reason.p, "cannot read variable");
	b->ctx.fail_op = 0;
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_ACL, VCL_T_BOOL,
	    irb_var(b, VCL_V_CLIENT_IP, VCL_T_IP), 0, 0)), 1);
	a.addr[0] = 11;
	assert_int_equal(irb_eval_bool(b, irb_node(b, VCL_IR_E_ACL, VCL_T_BOOL,
	    irb_var(b, VCL_V_CLIENT_IP, VCL_T_IP), 0, 1)), 1);
	/* regsub, regsuball */
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_FUNC, VCL_T_STRING,
	    VCL_F_REGSUB, irb_chain(b, irb_str(b, "foofoo"), irb_str(b, "x"),
	    0), 0)), "xfoo");
	assert_string_equal(STR(b, irb_node(b, VCL_IR_E_FUNC, VCL_T_STRING,
	    VCL_F_REGSUBALL, irb_chain(b, irb_str(b, "foofoo"),
	    irb_node(b, VCL_IR_E_CONST, VCL_T_REGEX, 0, 0, 0), irb_str(b, "x"),
	    0), 0)), "xx");
	vcl_re_free(&b->re[0]);
	vcl_re_free(&b->re[1]);
	vcl_acl_free(&b->acls[0]);
	irb_free(b);
}

static void
test_alloc_failure(void **state)
{
	struct irb *b = irb_new();
	vcl_ix c;

	(void)state;
	c = irb_node(b, VCL_IR_E_CONCAT, VCL_T_STRING, irb_chain(b,
	    irb_str(b, "abc"), irb_str(b, "def"), 0), 0, 0);
	b->ctx.limit = 0;
	assert_null(STR(b, c));
	assert_int_equal(b->ret.action, VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "out of workspace");
	/* the arena runs out after some strings */
	b->ctx.limit = 64;
	b->ctx.used = 0;
	assert_non_null(STR(b, c));
	for (int i = 0; i < 8 && STR(b, c) != NULL; i++)
		;
	assert_int_equal(b->ret.action, VCL_A_FAIL);
	assert_string_equal(b->ret.reason.p, "out of workspace");
	irb_free(b);
}

static void
test_dump(void **state)
{
	struct irb *b = irb_new();
	vcl_ix callee, s1, s2;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	callee = irb_node(b, VCL_IR_S_UNSET_HDR, VCL_T_VOID, VCL_W_REQ,
	    irb_hname(b, "Cookie"), 0);
	s1 = irb_node(b, VCL_IR_S_IF, VCL_T_VOID, bin(b, VCL_IR_E_CMP,
	    VCL_T_BOOL, irb_var(b, VCL_V_REQ_METHOD, VCL_T_STRING),
	    irb_str(b, "CONNECT"), VCL_RT_OP_EQ), irb_ret(b, VCL_A_SYNTH,
	    irb_int(b, VCL_T_INT, 405), 0), irb_node(b, VCL_IR_S_CALL,
	    VCL_T_VOID, callee, 0, 0));
	s2 = irb_node(b, VCL_IR_S_SET_HDR, VCL_T_VOID, VCL_W_RESP,
	    irb_hname(b, "X-T"), irb_node(b, VCL_IR_E_CONV, VCL_T_STRING,
	    irb_real(b, VCL_T_DURATION, 1.5), 0, VCL_T_DURATION));
	irb_chain(b, s1, s2, 0);
	b->p.sub[VCL_SUB_RECV] = s1;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	vcl_prog_dump(&b->p, f);
	fclose(f);
	assert_non_null(strstr(out, "sub vcl_recv {\n"
	    "    if (== BOOL (var STRING req.method) \"CONNECT\") {\n"
	    "        return synth 405\n"
	    "    } else {\n"
	    "        call sub @1\n"
	    "    }\n"
	    "    set resp.http.X-T = (conv STRING 1.5s)\n"
	    "}\n"
	    "sub @1 {\n"
	    "    unset req.http.Cookie\n"
	    "}\n"));
	free(out);
	irb_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_numbers),
		cmocka_unit_test(test_set_unset),
		cmocka_unit_test(test_set_hdr_unset_value),
		cmocka_unit_test(test_if_else),
		cmocka_unit_test(test_natural_actions),
		cmocka_unit_test(test_return_args),
		cmocka_unit_test(test_call_return),
		cmocka_unit_test(test_host_statements),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_cmp_ip),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_arith),
		cmocka_unit_test(test_concat),
		cmocka_unit_test(test_conv),
		cmocka_unit_test(test_defined),
		cmocka_unit_test(test_fast_paths),
		cmocka_unit_test(test_eq_k_ops),
		cmocka_unit_test(test_method_in),
		cmocka_unit_test(test_eq_k_lengths),
		cmocka_unit_test(test_match_acl),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_dump),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
