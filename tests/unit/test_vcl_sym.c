/* test_vcl_sym.c: the VCL name tables: lookups, the header-name split,
 * who may read/set/unset what (Varnish 7's vcl-var), the return actions of
 * each subroutine (vcl-step), the std and directors argument lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "vcl/vcl_sym.h"

#define SUBM(s) VCL_SUBM(VCL_SUB_##s)
#define BR SUBM(BACKEND_RESPONSE)
#define BERR SUBM(BACKEND_ERROR)

static const struct vcl_var *
var(const char *name)
{
	return (vcl_var_lookup(name, strlen(name), NULL, NULL));
}

static const struct vcl_func *
func(const char *name)
{
	return (vcl_func_lookup(name, strlen(name)));
}

static const struct vcl_objtype *
objtype(const char *name)
{
	return (vcl_objtype_lookup(name, strlen(name)));
}

static const struct vcl_func *
method(const char *type, const char *name)
{
	const struct vcl_objtype *ot = objtype(type);

	assert_non_null(ot);
	return (vcl_method_lookup(ot, name, strlen(name)));
}

static const struct vcl_arg *
arg(const struct vcl_func *f, const char *name)
{
	return (vcl_arg_find(f->vf_args, f->vf_nargs, name, strlen(name)));
}

/* The mask of subs in which name may be accessed so, in VCL 4.1. */
static unsigned
subs41(const char *name, enum vcl_access acc)
{
	const struct vcl_var *v = var(name);

	assert_non_null(v);
	return (vcl_var_subs(v, acc, VCL_SYNTAX_41));
}

/* 1 if name starts with prefix. */
static int
starts(const char *name, const char *prefix)
{
	return (strncmp(name, prefix, strlen(prefix)) == 0);
}

static void
test_types(void **state)
{
	(void)state;
	for (int i = 0; i < VCL_T__MAX; i++) {
		const char *n = vcl_type_name((enum vcl_type)i);
		assert_int_equal(vcl_type_by_name(n, strlen(n)), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n,
			    vcl_type_name((enum vcl_type)j));
	}
	assert_string_equal(vcl_type_name(VCL_T_DURATION), "DURATION");
	assert_string_equal(vcl_type_name(VCL_T__MAX), "?");
	assert_int_equal(vcl_type_by_name("string", 6), -1);
	assert_int_equal(vcl_type_by_name("STRINGS", 7), -1);
}

static void
test_subs(void **state)
{
	(void)state;
	unsigned seen = 0;

	for (int i = 0; i < VCL_SUB__MAX; i++) {
		const char *n = vcl_sub_name((enum vcl_sub)i);
		unsigned g = vcl_sub_group((enum vcl_sub)i);
		assert_true(starts(n, "vcl_"));
		assert_int_equal(vcl_sub_by_name(n, strlen(n)), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n,
			    vcl_sub_name((enum vcl_sub)j));
		assert_true(g == VCL_SUBM_CLIENT || g == VCL_SUBM_BACKEND ||
		    g == VCL_SUBM_HOUSEKEEPING);
		assert_true(g & VCL_SUBM(i));
		seen |= VCL_SUBM(i);
	}
	assert_int_equal(seen, VCL_SUBM_ALL);
	assert_int_equal(__builtin_popcount(VCL_SUBM_CLIENT), 9);
	assert_int_equal(__builtin_popcount(VCL_SUBM_BACKEND), 3);
	assert_int_equal(__builtin_popcount(VCL_SUBM_HOUSEKEEPING), 2);
	assert_int_equal(VCL_SUBM_CLIENT & VCL_SUBM_BACKEND, 0);
	assert_int_equal(vcl_sub_by_name("vcl_recv", 8), VCL_SUB_RECV);
	assert_int_equal(vcl_sub_by_name("vcl_backend_response", 20),
	    VCL_SUB_BACKEND_RESPONSE);
	assert_int_equal(vcl_sub_by_name("vcl_rec", 7), -1);
	assert_int_equal(vcl_sub_by_name("vcl_recvx", 9), -1);
	assert_int_equal(vcl_sub_by_name("vcl_fetch", 9), -1);
	assert_int_equal(vcl_sub_by_name("VCL_RECV", 8), -1);
	/* not NUL-terminated */
	assert_int_equal(vcl_sub_by_name("vcl_hitXYZ", 7), VCL_SUB_HIT);
	assert_string_equal(vcl_sub_name(VCL_SUB__MAX), "?");
	assert_int_equal(vcl_sub_group(VCL_SUB_PIPE), VCL_SUBM_CLIENT);
	assert_int_equal(vcl_sub_group(VCL_SUB_BACKEND_ERROR),
	    VCL_SUBM_BACKEND);
	assert_int_equal(vcl_sub_group(VCL_SUB_FINI), VCL_SUBM_HOUSEKEEPING);
}

/* The allowed return actions of every built-in subroutine, spelt out as
 * Varnish 7's vcl-step lists them. */
static void
test_actions_per_sub(void **state)
{
	(void)state;
	static const struct {
		enum vcl_sub s;
		const char *acts;
	} want[] = {
	    {VCL_SUB_RECV, "fail synth restart pass pipe hash purge vcl"},
	    {VCL_SUB_PIPE, "fail synth pipe"},
	    {VCL_SUB_PASS, "fail synth restart fetch"},
	    {VCL_SUB_HASH, "fail lookup"},
	    {VCL_SUB_PURGE, "fail synth restart"},
	    {VCL_SUB_HIT, "fail synth restart pass deliver"},
	    {VCL_SUB_MISS, "fail synth restart pass fetch"},
	    {VCL_SUB_DELIVER, "fail synth restart deliver"},
	    {VCL_SUB_SYNTH, "fail restart deliver"},
	    {VCL_SUB_BACKEND_FETCH, "fail fetch abandon error"},
	    {VCL_SUB_BACKEND_RESPONSE,
		"fail deliver retry abandon pass error"},
	    {VCL_SUB_BACKEND_ERROR, "fail deliver retry abandon"},
	    {VCL_SUB_INIT, "ok fail"},
	    {VCL_SUB_FINI, "ok"},
	};

	assert_int_equal(sizeof want / sizeof want[0], VCL_SUB__MAX);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		unsigned m = 0;
		const char *p = want[i].acts;
		while (*p != '\0') {
			size_t n = strcspn(p, " ");
			int a = vcl_action_by_name(p, n);
			assert_true(a >= 0);
			m |= 1u << a;
			p += n;
			p += (*p == ' ');
		}
		assert_int_equal(vcl_sub_actions(want[i].s), m);
	}
	/* return(miss) was Varnish 5's; nothing allows it now */
	for (int s = 0; s < VCL_SUB__MAX; s++)
		assert_false(vcl_sub_actions((enum vcl_sub)s) & VCL_ACTM(MISS));
	assert_int_equal(vcl_sub_actions(VCL_SUB__MAX), 0);
}

static void
test_actions(void **state)
{
	(void)state;
	unsigned used = 0;

	for (int i = 0; i < VCL_A__MAX; i++) {
		const char *n = vcl_action_name((enum vcl_action)i);
		assert_int_equal(vcl_action_by_name(n, strlen(n)), i);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n,
			    vcl_action_name((enum vcl_action)j));
	}
	for (int s = 0; s < VCL_SUB__MAX; s++)
		used |= vcl_sub_actions((enum vcl_sub)s);
	/* every action but the historic miss is allowed somewhere */
	assert_int_equal(used | VCL_ACTM(MISS), (1u << VCL_A__MAX) - 1);
	assert_int_equal(vcl_action_by_name("Synth", 5), -1);
	assert_int_equal(vcl_action_by_name("hit_for_pass", 12), -1);
	assert_string_equal(vcl_action_name(VCL_A__MAX), "?");

	assert_int_equal(vcl_action_arg(VCL_A_SYNTH), VCL_AA_STATUS);
	assert_true(vcl_action_arg_required(VCL_A_SYNTH));
	assert_int_equal(vcl_action_arg(VCL_A_ERROR), VCL_AA_STATUS);
	assert_false(vcl_action_arg_required(VCL_A_ERROR));
	assert_int_equal(vcl_action_arg(VCL_A_VCL), VCL_AA_LABEL);
	assert_true(vcl_action_arg_required(VCL_A_VCL));
	assert_int_equal(vcl_action_arg(VCL_A_FAIL), VCL_AA_REASON);
	assert_false(vcl_action_arg_required(VCL_A_FAIL));
	assert_int_equal(vcl_action_arg(VCL_A_PASS), VCL_AA_DURATION);
	assert_false(vcl_action_arg_required(VCL_A_PASS));
	assert_int_equal(vcl_action_arg_subs(VCL_A_PASS), BR);
	assert_int_equal(vcl_action_arg(VCL_A_HASH), VCL_AA_NONE);
	assert_int_equal(vcl_action_arg_subs(VCL_A_HASH), 0);
	assert_int_equal(vcl_action_arg_subs(VCL_A_SYNTH), VCL_SUBM_ALL);
	for (int i = 0; i < VCL_A__MAX; i++)
		if (vcl_action_arg_required((enum vcl_action)i))
			assert_int_not_equal(vcl_action_arg((enum vcl_action)i),
			    VCL_AA_NONE);
}

/* The tables are sorted (the lookups halve them), ids are indexes, and
 * every plain name finds its own entry. */
static void
test_var_table(void **state)
{
	(void)state;
	for (int i = 0; i < VCL_V__MAX; i++) {
		const struct vcl_var *v = vcl_var_get((enum vcl_var_id)i);
		assert_non_null(v);
		assert_int_equal(v->vv_id, i);
		assert_true((unsigned)v->vv_type < VCL_T__MAX);
		if (i > 0)
			assert_true(strcmp(vcl_var_get(i - 1)->vv_name,
					v->vv_name) < 0);
		/* a header family holds headers, and only families do */
		assert_int_equal(!!(v->vv_flags & VCL_VF_HDR),
		    v->vv_type == VCL_T_HEADER);
		assert_int_equal((v->vv_read | v->vv_write | v->vv_unset) &
			~VCL_SUBM_ALL,
		    0);
		if (v->vv_flags & VCL_VF_UNSUPPORTED)
			assert_non_null(v->vv_note);
		assert_false((v->vv_flags & VCL_VF_V40) &&
		    (v->vv_flags & VCL_VF_V41));
		if (v->vv_flags & (VCL_VF_HDR | VCL_VF_STORAGE))
			continue;
		assert_ptr_equal(var(v->vv_name), v);
	}
	assert_null(vcl_var_get(VCL_V__MAX));
}

static void
test_var_lookup(void **state)
{
	(void)state;
	const char *h = "unset";
	size_t hl = 99;
	const char *n;

	assert_ptr_equal(var("req.url"), vcl_var_get(VCL_V_REQ_URL));
	assert_int_equal(var("beresp.ttl")->vv_id, VCL_V_BERESP_TTL);
	assert_int_equal(var("beresp.ttl")->vv_type, VCL_T_DURATION);
	assert_int_equal(var("client.ip")->vv_type, VCL_T_IP);
	assert_int_equal(var("now")->vv_type, VCL_T_TIME);
	assert_int_equal(var("obj.hits")->vv_type, VCL_T_INT);
	assert_int_equal(var("req.backend_hint")->vv_type, VCL_T_BACKEND);
	assert_int_equal(var("beresp.backend.name")->vv_id,
	    VCL_V_BERESP_BACKEND_NAME);
	/* a plain variable clears *hdr */
	assert_non_null(vcl_var_lookup("req.url", 7, &h, &hl));
	assert_null(h);
	assert_int_equal(hl, 0);
	/* the length bounds the name */
	assert_int_equal(vcl_var_lookup("req.urlXYZ", 7, NULL, NULL)->vv_id,
	    VCL_V_REQ_URL);
	/* case-sensitive, no partial names */
	assert_null(var("req.URL"));
	assert_null(var("Req.url"));
	assert_null(var("req.ur"));
	assert_null(var("req.urls"));
	assert_null(var("req.nosuch"));
	assert_null(var(""));
	assert_null(var("req.backend"));	/* Varnish 3 */
	assert_null(var("obj.lastuse"));	/* gone with Varnish 4 */
	/* HTTP values of whole messages are variables too */
	assert_int_equal(var("req")->vv_type, VCL_T_HTTP);

	/* every header family, and the header part as written */
	static const struct {
		const char *name;
		enum vcl_var_id id;
		const char *hdr;
	} hv[] = {
	    {"req.http.X-Foo", VCL_V_REQ_HTTP, "X-Foo"},
	    {"req.http.host", VCL_V_REQ_HTTP, "host"},
	    {"req_top.http.Cookie", VCL_V_REQ_TOP_HTTP, "Cookie"},
	    {"bereq.http.Accept-Encoding", VCL_V_BEREQ_HTTP,
		"Accept-Encoding"},
	    {"beresp.http.Cache-Control", VCL_V_BERESP_HTTP,
		"Cache-Control"},
	    {"obj.http.ETag", VCL_V_OBJ_HTTP, "ETag"},
	    {"resp.http.X-Cache", VCL_V_RESP_HTTP, "X-Cache"},
	    /* the quoted form req.http."a.b" reaches us as a.b */
	    {"resp.http.a.b", VCL_V_RESP_HTTP, "a.b"},
	    {"req.http.http.x", VCL_V_REQ_HTTP, "http.x"},
	    {"req.http.X!#$%&'*+-.^_`|~9", VCL_V_REQ_HTTP,
		"X!#$%&'*+-.^_`|~9"},
	};
	for (size_t i = 0; i < sizeof hv / sizeof hv[0]; i++) {
		n = hv[i].name;
		const struct vcl_var *v =
		    vcl_var_lookup(n, strlen(n), &h, &hl);
		assert_non_null(v);
		assert_int_equal(v->vv_id, hv[i].id);
		assert_int_equal(v->vv_type, VCL_T_HEADER);
		assert_int_equal(hl, strlen(hv[i].hdr));
		assert_memory_equal(h, hv[i].hdr, hl);
		assert_ptr_equal(h, n + strlen(n) - hl);
	}

	/* not a header name */
	static const char *const bad[] = {
	    "req.http",	     "req.http.",	"req.http.X Foo",
	    "req.http.X:Foo", "req.http.X\"Y", "req.http.(a)",
	    "req.http.a/b",   "req.http.a,b",	"req.http.\xc3\xa9",
	    "req.http.a\tb",  "req.http.[x]",	"req.http.a@b",
	    "server.http.x",  "req.https.x",	"http.x",
	    "req_top.http.",  "beresp.http.{}", "req.ttl.http.x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		h = "unset";
		assert_null(vcl_var_lookup(bad[i], strlen(bad[i]), &h, &hl));
		assert_null(h);
		assert_int_equal(hl, 0);
	}
	/* a NUL inside the given length is no header character */
	assert_null(vcl_var_lookup("req.http.a\0b", 12, NULL, NULL));
	assert_non_null(vcl_var_lookup("req.http.a\0b", 10, NULL, NULL));
	assert_true(vcl_hdr_name_ok("X-Foo", 5));
	assert_false(vcl_hdr_name_ok("", 0));
	assert_false(vcl_hdr_name_ok("a b", 3));

	/* storage.<name>.X: the name comes back in *hdr */
	n = "storage.s0.free_space";
	assert_int_equal(vcl_var_lookup(n, strlen(n), &h, &hl)->vv_id,
	    VCL_V_STORAGE_FREE_SPACE);
	assert_int_equal(hl, 2);
	assert_memory_equal(h, "s0", 2);
	n = "storage.Transient.happy";
	assert_int_equal(vcl_var_lookup(n, strlen(n), &h, &hl)->vv_id,
	    VCL_V_STORAGE_HAPPY);
	assert_int_equal(hl, 9);
	assert_int_equal(var("storage.mem-1_x.used_space")->vv_type,
	    VCL_T_BYTES);
	assert_null(var("storage.s0.nosuch"));
	assert_null(var("storage..happy"));
	assert_null(var("storage.happy"));
	assert_null(var("storage.s0.happy.x"));
	assert_null(var("storage.<name>.happy"));
	assert_null(var("storage.a.b.happy"));
	assert_null(var("storage."));
}

/* Read/set/unset rules checked against Varnish 7's vcl-var. */
static void
test_var_rules(void **state)
{
	(void)state;
	const struct vcl_var *v;

	/* beresp.ttl: set only where a response is being built */
	assert_int_equal(subs41("beresp.ttl", VCL_ACC_READ), BR | BERR);
	assert_int_equal(subs41("beresp.ttl", VCL_ACC_WRITE), BR | BERR);
	assert_int_equal(subs41("beresp.ttl", VCL_ACC_UNSET), 0);
	v = var("beresp.ttl");
	assert_true(vcl_var_allowed(v, NULL, 0, VCL_ACC_WRITE,
	    VCL_SUB_BACKEND_ERROR, VCL_SYNTAX_40));
	assert_false(vcl_var_allowed(v, NULL, 0, VCL_ACC_WRITE,
	    VCL_SUB_BACKEND_FETCH, VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(v, NULL, 0, VCL_ACC_READ, VCL_SUB_DELIVER,
	    VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(v, NULL, 0, VCL_ACC_READ, VCL_SUB__MAX,
	    VCL_SYNTAX_41));
	assert_int_equal(subs41("beresp.grace", VCL_ACC_WRITE), BR | BERR);
	assert_int_equal(subs41("beresp.keep", VCL_ACC_WRITE), BR | BERR);
	assert_int_equal(subs41("beresp.uncacheable", VCL_ACC_WRITE),
	    BR | BERR);
	assert_int_equal(subs41("beresp.do_stream", VCL_ACC_WRITE), BR | BERR);
	assert_int_equal(subs41("beresp.was_304", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("beresp.body", VCL_ACC_WRITE), BERR);
	assert_int_equal(subs41("beresp.body", VCL_ACC_READ), 0);

	/* req.url: read and set in every client sub, nowhere else */
	assert_int_equal(subs41("req.url", VCL_ACC_READ), VCL_SUBM_CLIENT);
	assert_int_equal(subs41("req.url", VCL_ACC_WRITE), VCL_SUBM_CLIENT);
	assert_int_equal(subs41("req.url", VCL_ACC_UNSET), 0);
	assert_int_equal(subs41("req.http.X-Foo", VCL_ACC_UNSET),
	    VCL_SUBM_CLIENT);
	assert_int_equal(subs41("req.ttl", VCL_ACC_UNSET), VCL_SUBM_CLIENT);
	assert_int_equal(subs41("req.restarts", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("req.hash_always_miss", VCL_ACC_WRITE),
	    VCL_SUBM_CLIENT);
	assert_int_equal(subs41("req.is_hitpass", VCL_ACC_READ),
	    SUBM(PASS) | SUBM(DELIVER) | SUBM(SYNTH));

	/* client.ip and friends: read-only, never in vcl_init/vcl_fini */
	assert_int_equal(subs41("client.ip", VCL_ACC_READ), VCL_SUBM_BOTH);
	assert_int_equal(subs41("client.ip", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("client.ip", VCL_ACC_UNSET), 0);
	assert_int_equal(subs41("server.ip", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("local.ip", VCL_ACC_READ), VCL_SUBM_BOTH);
	assert_int_equal(subs41("now", VCL_ACC_READ), VCL_SUBM_ALL);
	assert_int_equal(subs41("now", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("client.identity", VCL_ACC_WRITE),
	    VCL_SUBM_CLIENT);

	/* bereq.timeouts: unset also in vcl_pipe, read only on the backend */
	assert_int_equal(subs41("bereq.first_byte_timeout", VCL_ACC_READ),
	    VCL_SUBM_BACKEND);
	assert_int_equal(subs41("bereq.first_byte_timeout", VCL_ACC_UNSET),
	    VCL_SUBM_BACKEND | SUBM(PIPE));
	assert_int_equal(subs41("bereq.connect_timeout", VCL_ACC_WRITE),
	    VCL_SUBM_BACKEND | SUBM(PIPE));
	assert_int_equal(subs41("bereq.body", VCL_ACC_UNSET),
	    SUBM(BACKEND_FETCH));
	assert_int_equal(subs41("bereq.retries", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("resp.body", VCL_ACC_WRITE), SUBM(SYNTH));
	assert_int_equal(subs41("obj.uncacheable", VCL_ACC_READ),
	    SUBM(DELIVER));
	assert_int_equal(subs41("obj.status", VCL_ACC_READ), SUBM(HIT));

	/* families, one by one */
	for (int i = 0; i < VCL_V__MAX; i++) {
		v = vcl_var_get((enum vcl_var_id)i);
		unsigned all = v->vv_read | v->vv_write | v->vv_unset;
		if (starts(v->vv_name, "obj.")) {
			/* read-only, in vcl_hit and vcl_deliver */
			assert_int_equal(v->vv_write | v->vv_unset, 0);
			assert_int_equal(all & ~(SUBM(HIT) | SUBM(DELIVER)), 0);
			assert_true(v->vv_read & SUBM(HIT) ||
			    v->vv_id == VCL_V_OBJ_UNCACHEABLE);
		} else if (starts(v->vv_name, "resp.")) {
			assert_int_equal(all & ~(SUBM(DELIVER) | SUBM(SYNTH)),
			    0);
		} else if (starts(v->vv_name, "bereq.")) {
			assert_int_equal(all & ~(VCL_SUBM_BACKEND | SUBM(PIPE)),
			    0);
		} else if (starts(v->vv_name, "beresp.")) {
			assert_int_equal(all & ~(BR | BERR), 0);
		} else if (starts(v->vv_name, "req.") ||
		    starts(v->vv_name, "req_top.")) {
			assert_int_equal(all & ~VCL_SUBM_CLIENT, 0);
		}
		/* nothing is set, or unset, where it cannot be read, but
		 * bodies and the pipe's timeouts */
		if (v->vv_type != VCL_T_BODY &&
		    v->vv_id != VCL_V_BEREQ_FIRST_BYTE_TIMEOUT &&
		    v->vv_id != VCL_V_BEREQ_BETWEEN_BYTES_TIMEOUT)
			assert_int_equal(
			    (v->vv_write | v->vv_unset) & ~v->vv_read, 0);
	}
}

static void
test_var_headers(void **state)
{
	(void)state;
	const struct vcl_var *req = var("req.http");
	const struct vcl_var *beresp = var("beresp.http");

	assert_null(req);	/* the bare family is no variable */
	req = vcl_var_get(VCL_V_REQ_HTTP);
	beresp = vcl_var_get(VCL_V_BERESP_HTTP);
	assert_true(vcl_var_allowed(req, "X-Foo", 5, VCL_ACC_WRITE,
	    VCL_SUB_RECV, VCL_SYNTAX_41));
	assert_true(vcl_var_allowed(req, "X-Foo", 5, VCL_ACC_UNSET,
	    VCL_SUB_DELIVER, VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(req, "X-Foo", 5, VCL_ACC_WRITE,
	    VCL_SUB_BACKEND_FETCH, VCL_SYNTAX_41));
	/* protected headers: readable, never set or unset */
	assert_true(vcl_var_allowed(req, "Content-Length", 14, VCL_ACC_READ,
	    VCL_SUB_RECV, VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(req, "Content-Length", 14, VCL_ACC_WRITE,
	    VCL_SUB_RECV, VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(req, "content-length", 14, VCL_ACC_UNSET,
	    VCL_SUB_RECV, VCL_SYNTAX_41));
	assert_false(vcl_var_allowed(beresp, "TRANSFER-ENCODING", 17,
	    VCL_ACC_UNSET, VCL_SUB_BACKEND_RESPONSE, VCL_SYNTAX_40));
	assert_true(vcl_var_allowed(beresp, "Transfer-Encoding", 17,
	    VCL_ACC_READ, VCL_SUB_BACKEND_RESPONSE, VCL_SYNTAX_41));
	assert_true(vcl_var_allowed(beresp, "Content-Lengthy", 15,
	    VCL_ACC_WRITE, VCL_SUB_BACKEND_RESPONSE, VCL_SYNTAX_41));
	assert_true(vcl_hdr_protected("content-LENGTH", 14));
	assert_false(vcl_hdr_protected("Content-Type", 12));
	/* obj.http: read in vcl_hit only */
	assert_int_equal(subs41("obj.http.ETag", VCL_ACC_READ), SUBM(HIT));
	assert_int_equal(subs41("obj.http.ETag", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("req_top.http.Host", VCL_ACC_WRITE), 0);
	assert_int_equal(subs41("bereq.http.Host", VCL_ACC_UNSET),
	    VCL_SUBM_BACKEND | SUBM(PIPE));
	assert_int_equal(subs41("resp.http.Via", VCL_ACC_UNSET),
	    SUBM(DELIVER) | SUBM(SYNTH));
}

/* What differs between `vcl 4.0;` and `vcl 4.1;`. */
static void
test_var_syntax(void **state)
{
	(void)state;
	static const char *const ro41[] = {"req.proto", "bereq.proto",
	    "beresp.proto", "resp.proto"};

	for (size_t i = 0; i < sizeof ro41 / sizeof ro41[0]; i++) {
		const struct vcl_var *v = var(ro41[i]);
		assert_non_null(v);
		assert_int_not_equal(vcl_var_subs(v, VCL_ACC_WRITE,
					 VCL_SYNTAX_40),
		    0);
		assert_int_equal(vcl_var_subs(v, VCL_ACC_WRITE, VCL_SYNTAX_41),
		    0);
		assert_int_equal(vcl_var_subs(v, VCL_ACC_READ, VCL_SYNTAX_40),
		    vcl_var_subs(v, VCL_ACC_READ, VCL_SYNTAX_41));
	}
	assert_true(vcl_var_allowed(var("req.proto"), NULL, 0, VCL_ACC_WRITE,
	    VCL_SUB_RECV, VCL_SYNTAX_40));
	assert_false(vcl_var_allowed(var("req.proto"), NULL, 0, VCL_ACC_WRITE,
	    VCL_SUB_RECV, VCL_SYNTAX_41));
	/* 4.0 only */
	assert_int_equal(vcl_var_subs(var("req.esi"), VCL_ACC_WRITE,
			     VCL_SYNTAX_40),
	    VCL_SUBM_CLIENT);
	assert_int_equal(vcl_var_subs(var("req.esi"), VCL_ACC_READ,
			     VCL_SYNTAX_41),
	    0);
	assert_int_equal(vcl_var_subs(var("beresp.storage_hint"), VCL_ACC_READ,
			     VCL_SYNTAX_41),
	    0);
	assert_int_equal(vcl_var_subs(var("beresp.backend.ip"), VCL_ACC_READ,
			     VCL_SYNTAX_40),
	    BR);
	/* 4.1 only */
	static const char *const v41[] = {"resp.do_esi", "local.socket",
	    "local.endpoint", "sess.xid"};
	for (size_t i = 0; i < sizeof v41 / sizeof v41[0]; i++) {
		const struct vcl_var *v = var(v41[i]);
		assert_non_null(v);
		assert_int_equal(vcl_var_subs(v, VCL_ACC_READ, VCL_SYNTAX_40),
		    0);
		assert_int_not_equal(vcl_var_subs(v, VCL_ACC_READ,
					 VCL_SYNTAX_41),
		    0);
	}
}

static void
test_var_unsupported(void **state)
{
	(void)state;
	/* what the issue names accel supports */
	static const char *const yes[] = {"req.url", "req.method",
	    "req.http.Host", "req.backend_hint", "req.ttl", "req.grace",
	    "req.restarts", "req.hash_always_miss", "bereq.url",
	    "bereq.http.X", "bereq.backend", "bereq.first_byte_timeout",
	    "bereq.body", "beresp.ttl", "beresp.grace", "beresp.keep",
	    "beresp.uncacheable", "beresp.do_gzip", "beresp.do_gunzip",
	    "beresp.do_stream", "beresp.status", "beresp.http.Vary",
	    "beresp.body", "obj.ttl", "obj.hits", "obj.http.X", "resp.status",
	    "resp.http.X", "resp.body", "client.ip", "server.ip", "local.ip",
	    "server.hostname", "server.identity",
	    "now", "req.esi_level", "obj.can_esi", "req_top.url"};
	/* what it does not, ESI's switches first */
	static const char *const no[] = {"req.esi", "beresp.do_esi",
	    "resp.do_esi", "req.hash", "bereq.hash", "beresp.storage",
	    "beresp.storage_hint", "obj.storage", "req.storage",
	    "beresp.filters", "resp.filters", "req.filters", "bereq.filters",
	    "req.trace", "sess.timeout_idle", "sess.xid", "remote.ip",
	    "client.identity",
	    "local.socket", "storage.s0.happy", "beresp.transit_buffer",
	    "req", "bereq", "beresp", "resp"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		const struct vcl_var *v = var(yes[i]);
		assert_non_null(v);
		assert_false(v->vv_flags & VCL_VF_UNSUPPORTED);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		const struct vcl_var *v = var(no[i]);
		assert_non_null(v);
		assert_true(v->vv_flags & VCL_VF_UNSUPPORTED);
		assert_non_null(v->vv_note);
	}
	assert_non_null(strstr(var("beresp.do_esi")->vv_note, "ESI"));
}

/* Every function and method: sorted, ids are indexes, arguments sane. */
static void
test_func_table(void **state)
{
	(void)state;
	for (int i = 0; i < VCL_F__MAX; i++) {
		const struct vcl_func *f = vcl_func_get((enum vcl_func_id)i);
		int opt = 0;

		assert_non_null(f);
		assert_int_equal(f->vf_id, i);
		if (i > 0)
			assert_true(strcmp(vcl_func_get(i - 1)->vf_name,
					f->vf_name) < 0);
		assert_true((unsigned)f->vf_ret < VCL_T__MAX);
		assert_int_not_equal(f->vf_subs, 0);
		assert_int_equal(f->vf_subs & ~VCL_SUBM_ALL, 0);
		if (f->vf_flags & (VCL_FF_UNSUPPORTED | VCL_FF_DEPRECATED))
			assert_non_null(f->vf_note);
		if (f->vf_obj == VCL_O_NONE) {
			assert_ptr_equal(func(f->vf_name), f);
		} else {
			const struct vcl_objtype *ot =
			    vcl_objtype_get(f->vf_obj);
			const char *m = vcl_func_short(f);
			assert_non_null(ot);
			assert_int_equal(f->vf_mod, ot->vo_mod);
			assert_ptr_equal(
			    vcl_method_lookup(ot, m, strlen(m)), f);
			assert_null(func(f->vf_name));
		}
		/* the module is the name's first part */
		if (f->vf_mod == VCL_MOD_CORE)
			assert_null(strchr(f->vf_name, '.'));
		else if (f->vf_mod == VCL_MOD_STD)
			assert_true(starts(f->vf_name, "std."));
		else
			assert_true(starts(f->vf_name, "directors."));
		for (unsigned a = 0; a < f->vf_nargs; a++) {
			const struct vcl_arg *va = &f->vf_args[a];
			assert_true((unsigned)va->va_type < VCL_T__MAX);
			assert_int_not_equal(va->va_type, VCL_T_VOID);
			/* required arguments come first */
			if (va->va_flags & VCL_AF_OPT)
				opt = 1;
			else
				assert_false(opt);
			if (va->va_flags & VCL_AF_DEF)
				assert_true(va->va_flags & VCL_AF_OPT);
			if (va->va_type == VCL_T_ENUM) {
				assert_non_null(va->va_enum);
				if (va->va_flags & VCL_AF_DEF)
					assert_true(vcl_arg_enum_ok(va,
					    va->va_defstr,
					    strlen(va->va_defstr)));
			}
			/* names are unique within a list */
			if (va->va_name != NULL)
				assert_ptr_equal(arg(f, va->va_name), va);
		}
		/* the terminator past the end */
		assert_int_equal(f->vf_args[f->vf_nargs].va_type, VCL_T_VOID);
		assert_null(f->vf_args[f->vf_nargs].va_name);
	}
	assert_null(vcl_func_get(VCL_F__MAX));
}

static void
test_funcs(void **state)
{
	(void)state;
	const struct vcl_func *f;
	const struct vcl_arg *a;

	f = func("regsub");
	assert_int_equal(f->vf_id, VCL_F_REGSUB);
	assert_int_equal(f->vf_mod, VCL_MOD_CORE);
	assert_int_equal(f->vf_ret, VCL_T_STRING);
	assert_int_equal(f->vf_nargs, 3);
	assert_int_equal(f->vf_args[0].va_type, VCL_T_STRING);
	assert_int_equal(f->vf_args[1].va_type, VCL_T_REGEX);
	assert_int_equal(f->vf_args[2].va_type, VCL_T_STRING);
	assert_int_equal(func("regsuball")->vf_nargs, 3);
	assert_int_equal(func("hash_data")->vf_subs, SUBM(HASH));
	assert_int_equal(func("synthetic")->vf_subs,
	    SUBM(SYNTH) | SUBM(BACKEND_ERROR));
	assert_int_equal(func("ban")->vf_ret, VCL_T_VOID);
	assert_true(func("ban")->vf_flags & VCL_FF_DEPRECATED);

	f = func("std.tolower");
	assert_int_equal(f->vf_id, VCL_F_STD_TOLOWER);
	assert_int_equal(f->vf_mod, VCL_MOD_STD);
	assert_int_equal(f->vf_ret, VCL_T_STRING);
	assert_string_equal(vcl_func_short(f), "tolower");
	assert_null(func("tolower"));
	assert_null(func("std.TOLOWER"));
	assert_null(func("std.nosuch"));
	assert_null(func("std."));
	assert_null(func("std"));
	assert_int_equal(vcl_func_lookup("std.toupperXX", 11)->vf_id,
	    VCL_F_STD_TOUPPER);

	/* std.integer: VCL 4.1's named form; the old (STRING, INT) is the
	 * first two by position */
	f = func("std.integer");
	assert_int_equal(f->vf_ret, VCL_T_INT);
	assert_int_equal(f->vf_nargs, 7);
	assert_string_equal(f->vf_args[0].va_name, "s");
	assert_int_equal(f->vf_args[0].va_type, VCL_T_STRING);
	assert_string_equal(f->vf_args[1].va_name, "fallback");
	assert_int_equal(f->vf_args[1].va_type, VCL_T_INT);
	a = arg(f, "fallback");
	assert_ptr_equal(a, &f->vf_args[1]);
	assert_int_equal(a->va_flags, VCL_AF_OPT);
	assert_int_equal(arg(f, "duration")->va_type, VCL_T_DURATION);
	assert_int_equal(arg(f, "time")->va_type, VCL_T_TIME);
	assert_null(arg(f, "nosuch"));
	assert_null(arg(f, "S"));
	assert_int_equal(arg(func("std.duration"), "fallback")->va_type,
	    VCL_T_DURATION);
	assert_int_equal(arg(func("std.real"), "fallback")->va_type,
	    VCL_T_REAL);
	assert_int_equal(arg(func("std.bytes"), "fallback")->va_type,
	    VCL_T_BYTES);
	assert_int_equal(arg(func("std.time"), "fallback")->va_type,
	    VCL_T_TIME);

	/* defaults */
	f = func("std.collect");
	assert_int_equal(f->vf_ret, VCL_T_VOID);
	assert_int_equal(f->vf_args[0].va_type, VCL_T_HEADER);
	assert_false(f->vf_args[0].va_flags & VCL_AF_OPT);
	a = arg(f, "sep");
	assert_int_equal(a->va_flags, VCL_AF_OPT | VCL_AF_DEF);
	assert_string_equal(a->va_defstr, ", ");
	f = func("std.fnmatch");
	assert_int_equal(f->vf_nargs, 5);
	assert_true(arg(f, "pathname")->va_defnum == 1);
	assert_true(arg(f, "noescape")->va_defnum == 0);
	assert_true(arg(f, "period")->va_flags & VCL_AF_DEF);
	assert_false(arg(f, "subject")->va_flags & VCL_AF_OPT);
	f = func("std.ip");
	assert_false(arg(f, "s")->va_flags & VCL_AF_OPT);
	assert_int_equal(arg(f, "fallback")->va_type, VCL_T_IP);
	assert_true(arg(f, "resolve")->va_defnum == 1);
	assert_int_equal(func("std.healthy")->vf_args[0].va_type,
	    VCL_T_BACKEND);
	assert_int_equal(func("std.random")->vf_nargs, 2);
	assert_int_equal(func("std.querysort")->vf_args[0].va_name, NULL);
	assert_int_equal(func("std.now")->vf_nargs, 0);
	assert_int_equal(func("std.timestamp")->vf_ret, VCL_T_VOID);
	assert_int_equal(func("std.strstr")->vf_nargs, 2);
	assert_int_equal(func("std.round")->vf_ret, VCL_T_REAL);

	/* unsupported, with a reason */
	static const char *const no[] = {"std.syslog", "std.set_ip_tos",
	    "std.rollback", "std.cache_req_body", "std.fileread",
	    "std.blobread", "std.late_100_continue", "std.timed_call",
	    "directors.lookup"};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		f = func(no[i]);
		assert_non_null(f);
		assert_true(f->vf_flags & VCL_FF_UNSUPPORTED);
	}
	static const char *const yes[] = {"std.log", "std.tolower",
	    "std.toupper", "std.integer", "std.real", "std.duration",
	    "std.bytes", "std.ip", "std.time", "std.healthy", "std.querysort",
	    "std.collect", "std.strstr", "std.random", "std.round",
	    "std.fnmatch", "std.timestamp", "regsub", "regsuball",
	    "hash_data", "synthetic", "ban", "std.ban"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		f = func(yes[i]);
		assert_non_null(f);
		assert_false(f->vf_flags & VCL_FF_UNSUPPORTED);
	}
	/* Varnish restricts these to some subs */
	assert_int_equal(func("std.cache_req_body")->vf_subs, SUBM(RECV));
	assert_int_equal(func("std.set_ip_tos")->vf_subs, VCL_SUBM_CLIENT);
	assert_false(func("std.rollback")->vf_subs & SUBM(PIPE));
	assert_int_equal(func("directors.lookup")->vf_subs,
	    VCL_SUBM_HOUSEKEEPING);
	assert_int_equal(func("std.log")->vf_subs, VCL_SUBM_ALL);
}

static void
test_modules_objects(void **state)
{
	(void)state;
	const struct vcl_objtype *ot;
	const struct vcl_func *f;
	const struct vcl_arg *a;

	assert_int_equal(vcl_module_find("std", 3)->vm_id, VCL_MOD_STD);
	assert_int_equal(vcl_module_find("directors", 9)->vm_id,
	    VCL_MOD_DIRECTORS);
	assert_null(vcl_module_find("", 0));
	assert_null(vcl_module_find("Std", 3));
	assert_null(vcl_module_find("vtc", 3));
	assert_null(vcl_module_find("cookie", 6));
	assert_null(vcl_module_find("stdx", 4));
	assert_int_equal(vcl_module_find("stdx", 3)->vm_id, VCL_MOD_STD);

	for (int i = VCL_O_NONE + 1; i < VCL_O__MAX; i++) {
		ot = vcl_objtype_get((enum vcl_obj_id)i);
		assert_non_null(ot);
		assert_int_equal(ot->vo_id, i);
		assert_ptr_equal(objtype(ot->vo_name), ot);
		assert_int_equal(ot->vo_mod, VCL_MOD_DIRECTORS);
		if (i > VCL_O_NONE + 1)
			assert_true(strcmp(vcl_objtype_get(i - 1)->vo_name,
					ot->vo_name) < 0);
		if (ot->vo_flags & VCL_FF_UNSUPPORTED)
			assert_non_null(ot->vo_note);
	}
	assert_null(vcl_objtype_get(VCL_O_NONE));
	assert_null(vcl_objtype_get(VCL_O__MAX));
	assert_null(objtype("directors.nosuch"));
	assert_null(objtype("round_robin"));
	assert_null(objtype("directors.round_robin.backend"));

	ot = objtype("directors.round_robin");
	assert_int_equal(ot->vo_id, VCL_O_ROUND_ROBIN);
	assert_int_equal(ot->vo_nargs, 0);
	f = method("directors.round_robin", "add_backend");
	assert_int_equal(f->vf_id, VCL_F_ROUND_ROBIN_ADD_BACKEND);
	assert_int_equal(f->vf_nargs, 1);
	assert_int_equal(f->vf_args[0].va_type, VCL_T_BACKEND);
	f = method("directors.round_robin", "backend");
	assert_int_equal(f->vf_ret, VCL_T_BACKEND);
	assert_int_equal(f->vf_nargs, 0);
	assert_non_null(method("directors.round_robin", "remove_backend"));
	assert_null(method("directors.round_robin", "reconfigure"));
	assert_null(method("directors.round_robin", "Backend"));
	assert_null(method("directors.round_robin", ""));
	assert_null(method("directors.round_robin", "x.backend"));

	ot = objtype("directors.fallback");
	assert_int_equal(ot->vo_nargs, 1);
	assert_string_equal(ot->vo_args[0].va_name, "sticky");
	assert_int_equal(ot->vo_args[0].va_type, VCL_T_BOOL);
	assert_true(ot->vo_args[0].va_flags & VCL_AF_DEF);
	assert_true(ot->vo_args[0].va_defnum == 0);

	/* random: the weight is required; hash: it defaults to 1 */
	f = method("directors.random", "add_backend");
	assert_int_equal(f->vf_nargs, 2);
	assert_int_equal(f->vf_args[1].va_type, VCL_T_REAL);
	assert_false(f->vf_args[1].va_flags & VCL_AF_OPT);
	f = method("directors.hash", "add_backend");
	a = arg(f, "weight");
	assert_int_equal(a->va_type, VCL_T_REAL);
	assert_true(a->va_defnum == 1.0);
	f = method("directors.hash", "backend");
	assert_int_equal(f->vf_args[0].va_type, VCL_T_STRING);
	assert_int_equal(f->vf_ret, VCL_T_BACKEND);

	/* shard's common methods */
	assert_true(objtype("directors.shard_param")->vo_flags &
	    VCL_FF_UNSUPPORTED);
	assert_false(objtype("directors.shard")->vo_flags &
	    VCL_FF_UNSUPPORTED);
	f = method("directors.shard", "reconfigure");
	assert_int_equal(f->vf_ret, VCL_T_BOOL);
	assert_true(arg(f, "replicas")->va_defnum == 67);
	assert_int_equal(arg(method("directors.shard", "set_rampup"),
				 "duration")->va_type,
	    VCL_T_DURATION);
	assert_int_equal(arg(method("directors.shard", "set_warmup"),
				 "probability")->va_type,
	    VCL_T_REAL);
	f = method("directors.shard", "add_backend");
	assert_false(arg(f, "backend")->va_flags & VCL_AF_OPT);
	assert_true(arg(f, "ident")->va_flags & VCL_AF_OPT);
	f = method("directors.shard", "backend");
	assert_int_equal(f->vf_id, VCL_F_SHARD_BACKEND);
	assert_int_equal(f->vf_ret, VCL_T_BACKEND);
	a = arg(f, "by");
	assert_int_equal(a->va_type, VCL_T_ENUM);
	assert_string_equal(a->va_defstr, "HASH");
	assert_true(vcl_arg_enum_ok(a, "URL", 3));
	assert_true(vcl_arg_enum_ok(a, "BLOB", 4));
	assert_false(vcl_arg_enum_ok(a, "url", 3));
	assert_false(vcl_arg_enum_ok(a, "CHOSEN", 6));
	assert_false(vcl_arg_enum_ok(arg(f, "alt"), "HASH", 4));
	assert_string_equal(arg(f, "healthy")->va_defstr, "CHOSEN");
	assert_true(vcl_arg_enum_ok(arg(f, "healthy"), "IGNORE", 6));
	a = arg(f, "resolve");
	assert_false(a->va_flags & VCL_AF_DEF);
	assert_true(vcl_arg_enum_ok(a, "LAZY", 4));
	assert_true(arg(f, "warmup")->va_defnum == -1);
	assert_true(arg(f, "key_blob")->va_flags & VCL_AF_UNSUPPORTED);
	assert_false(arg(f, "key")->va_flags & VCL_AF_UNSUPPORTED);
	assert_true(method("directors.shard", "associate")->vf_flags &
	    VCL_FF_UNSUPPORTED);
	assert_null(method("directors.shard", "debug"));
	assert_null(method("directors.shard_param", "use"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_subs),
	    cmocka_unit_test(test_actions_per_sub),
	    cmocka_unit_test(test_actions),
	    cmocka_unit_test(test_var_table),
	    cmocka_unit_test(test_var_lookup),
	    cmocka_unit_test(test_var_rules),
	    cmocka_unit_test(test_var_headers),
	    cmocka_unit_test(test_var_syntax),
	    cmocka_unit_test(test_var_unsupported),
	    cmocka_unit_test(test_func_table),
	    cmocka_unit_test(test_funcs),
	    cmocka_unit_test(test_modules_objects),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
