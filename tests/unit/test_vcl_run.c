/*
 * test_vcl_run.c: VCL text to action, end to end: vcl_load (parse, check,
 * compile, with the built-in VCL appended) then vcl_run against the mock
 * host of vcl_ir_build.h. What the interpreter's and the checker's own
 * tests check piecewise, here on whole programs: the built-in VCL's
 * decisions, a user's vcl_recv falling through to it, header rewriting,
 * an ACL-guarded PURGE, synth with a custom body, hash_data on a header,
 * beresp.ttl overrides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/vcl_ir_build.h"
#include "vcl/vcl.h"

/* A fresh mock request: method, url, Host. */
static void
req_init(struct vcl_ctx *c, const char *method, const char *url,
    const char *host)
{
	static const struct vcl_hdr hhost = {"Host", 4, 0};
	struct vcl_str s;

	memset(c, 0, sizeof *c);
	c->limit = sizeof c->arena;
	c->vars[VCL_V_REQ_METHOD].s = (struct vcl_str){method, strlen(method)};
	c->vars[VCL_V_REQ_URL].s = (struct vcl_str){url, strlen(url)};
	if (host != NULL) {
		s = (struct vcl_str){host, strlen(host)};
		assert_int_equal(mock_hdr_set(c, VCL_W_REQ, &hhost, &s), 0);
	}
}

static void
req_hdr(struct vcl_ctx *c, enum vcl_where w, const char *name,
    const char *val)
{
	struct vcl_hdr h = {name, (uint16_t)strlen(name), 0};
	struct vcl_str s = {val, strlen(val)};

	assert_int_equal(mock_hdr_set(c, w, &h, &s), 0);
}

static const char *
hdr_of(struct vcl_ctx *c, enum vcl_where w, const char *name)
{
	struct vcl_hdr h = {name, (uint16_t)strlen(name), 0};
	struct mock_hdr *m = mock_hdr_find(c, w, &h);
	static char buf[256];

	if (m == NULL)
		return (NULL);
	snprintf(buf, sizeof buf, "%.*s", (int)m->val.len, m->val.p);
	return (buf);
}

static struct vcl_prog *
load_text(const char *text)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p;

	p = vcl_load(NULL, "test.vcl", text, strlen(text), 0, &mock_ops, d);
	if (p == NULL || vcl_diag_errors(d) > 0)
		vcl_diag_print(d, stderr);
	assert_non_null(p);
	assert_int_equal(vcl_diag_errors(d), 0);
	vcl_diag_free(&d);
	return (p);
}

static enum vcl_action
run(struct vcl_prog *p, enum vcl_sub s, struct vcl_ctx *c, struct vcl_ret *r)
{
	c->be0 = vcl_prog_backends(p, &(unsigned){0});
	return (vcl_run(p, s, c, r));
}

/* The built-in VCL alone: accel's default decisions (vcl/builtin.vcl). */
static void
builtin_decisions(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = vcl_load(NULL, NULL, NULL, 0, 0, &mock_ops, d);
	struct vcl_ctx c;
	struct vcl_ret r;
	static const struct vcl_ip lo = {4, {127, 0, 0, 1}, 0};
	static const struct vcl_ip far = {4, {192, 0, 2, 7}, 0};

	(void)state;
	assert_non_null(p);
	assert_int_equal(vcl_diag_errors(d), 0);
	vcl_diag_free(&d);

	req_init(&c, "GET", "/a?b", "example.com");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	/* a Cookie does not make accel pass (RFC 9111 decides storing) */
	req_hdr(&c, VCL_W_REQ, "Cookie", "x=1");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	assert_int_equal(run(p, VCL_SUB_HASH, &c, &r), VCL_A_LOOKUP);
	/* host, then URL: as cache_hash() always has */
	assert_string_equal(c.hashed, "example.com|/a?b|");
	assert_int_equal(run(p, VCL_SUB_HIT, &c, &r), VCL_A_DELIVER);
	assert_int_equal(run(p, VCL_SUB_MISS, &c, &r), VCL_A_FETCH);
	assert_int_equal(run(p, VCL_SUB_DELIVER, &c, &r), VCL_A_DELIVER);

	req_init(&c, "POST", "/form", "example.com");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PASS);
	req_init(&c, "GET", "/", "example.com");
	req_hdr(&c, VCL_W_REQ, "Content-Length", "3");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PASS);
	req_init(&c, "CONNECT", "example.com:443", "example.com");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
	assert_int_equal(r.status, 405);

	/* PURGE: from loopback only */
	req_init(&c, "PURGE", "/a", "example.com");
	c.vars[VCL_V_CLIENT_IP].ip = &lo;
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PURGE);
	c.vars[VCL_V_CLIENT_IP].ip = &far;
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
	assert_int_equal(r.status, 405);

	/* no Host (HTTP/1.0): hash_data of an unset string hashes "" */
	req_init(&c, "GET", "/x", NULL);
	assert_int_equal(run(p, VCL_SUB_HASH, &c, &r), VCL_A_LOOKUP);
	assert_string_equal(c.hashed, "|/x|");

	/* vcl_synth: a plain-text body "404 Not Found" */
	req_init(&c, "GET", "/x", "h");
	c.vars[VCL_V_RESP_STATUS].i = 404;
	c.vars[VCL_V_RESP_REASON].s = (struct vcl_str){"Not Found", 9};
	assert_int_equal(run(p, VCL_SUB_SYNTH, &c, &r), VCL_A_DELIVER);
	assert_string_equal(c.synth, "404 Not Found\n|");
	assert_string_equal(hdr_of(&c, VCL_W_RESP, "Content-Type"),
	    "text/plain");
	vcl_prog_rel(&p);
}

/* A user's vcl_recv that rewrites and does not return falls through to
 * the built-in one; return(pass) on a cookie; URL normalisation. */
static void
user_recv_falls_through(void **state)
{
	struct vcl_prog *p = load_text(
	    "vcl 4.1;\n"
	    "import std;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"8080\"; }\n"
	    "sub vcl_recv {\n"
	    "  set req.http.X-Seen = \"yes\";\n"
	    "  set req.url = std.querysort(regsuball(req.url,\n"
	    "      \"(utm_[a-z]+|gclid)=[^&]*&?\", \"\"));\n"
	    "  unset req.http.X-Drop;\n"
	    "  if (req.http.Cookie ~ \"session=\") { return (pass); }\n"
	    "}\n");
	struct vcl_ctx c;
	struct vcl_ret r;

	(void)state;
	req_init(&c, "GET", "/p?utm_source=x&b=2&a=1", "h");
	req_hdr(&c, VCL_W_REQ, "X-Drop", "1");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	assert_string_equal(hdr_of(&c, VCL_W_REQ, "X-Seen"), "yes");
	assert_null(hdr_of(&c, VCL_W_REQ, "X-Drop"));
	assert_int_equal((int)c.vars[VCL_V_REQ_URL].s.len, 10);
	assert_memory_equal(c.vars[VCL_V_REQ_URL].s.p, "/p?a=1&b=2", 10);

	req_init(&c, "GET", "/", "h");
	req_hdr(&c, VCL_W_REQ, "Cookie", "a=b; session=42");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PASS);
	vcl_prog_rel(&p);
}

/* ACL-guarded PURGE written in VCL; synth with a custom body; hash_data
 * on a header; beresp.ttl and grace overrides. */
static void
user_purge_synth_hash_ttl(void **state)
{
	struct vcl_prog *p = load_text(
	    "vcl 4.1;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"8080\"; }\n"
	    "acl purgers { \"10.0.0.0\"/8; ! \"10.9.0.0\"/16; }\n"
	    "sub vcl_recv {\n"
	    "  if (req.method == \"PURGE\") {\n"
	    "    if (client.ip !~ purgers) { return (synth(403, \"No\")); }\n"
	    "    return (purge);\n"
	    "  }\n"
	    "  if (req.url == \"/teapot\") { return (synth(418)); }\n"
	    "}\n"
	    "sub vcl_hash { hash_data(req.http.X-Lang); }\n"
	    "sub vcl_synth {\n"
	    "  if (resp.status == 418) {\n"
	    "    set resp.http.Content-Type = \"text/html\";\n"
	    "    synthetic({\"<h1>\"} + resp.status + {\" tea</h1>\"});\n"
	    "    return (deliver);\n"
	    "  }\n"
	    "}\n"
	    "sub vcl_backend_response {\n"
	    "  if (bereq.url ~ \"^/static/\") {\n"
	    "    set beresp.ttl = 1h;\n"
	    "    set beresp.grace = 2m;\n"
	    "  }\n"
	    "}\n");
	static const struct vcl_ip in = {4, {10, 1, 2, 3}, 0};
	static const struct vcl_ip hole = {4, {10, 9, 2, 3}, 0};
	struct vcl_ctx c;
	struct vcl_ret r;

	(void)state;
	req_init(&c, "PURGE", "/a", "h");
	c.vars[VCL_V_CLIENT_IP].ip = &in;
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PURGE);
	c.vars[VCL_V_CLIENT_IP].ip = &hole;
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
	assert_int_equal(r.status, 403);
	assert_int_equal((int)r.reason.len, 2);

	req_init(&c, "GET", "/teapot", "h");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
	assert_int_equal(r.status, 418);
	c.vars[VCL_V_RESP_STATUS].i = 418;
	assert_int_equal(run(p, VCL_SUB_SYNTH, &c, &r), VCL_A_DELIVER);
	assert_string_equal(c.synth, "<h1>418 tea</h1>|");
	assert_string_equal(hdr_of(&c, VCL_W_RESP, "Content-Type"),
	    "text/html");

	/* the user's hash_data first, then the built-in's host and URL */
	req_init(&c, "GET", "/x", "h");
	req_hdr(&c, VCL_W_REQ, "X-Lang", "fr");
	assert_int_equal(run(p, VCL_SUB_HASH, &c, &r), VCL_A_LOOKUP);
	assert_string_equal(c.hashed, "fr|h|/x|");

	req_init(&c, "GET", "/static/a.css", "h");
	c.vars[VCL_V_BEREQ_URL].s = (struct vcl_str){"/static/a.css", 13};
	c.vars[VCL_V_BERESP_TTL].r = 5;
	assert_int_equal(run(p, VCL_SUB_BACKEND_RESPONSE, &c, &r),
	    VCL_A_DELIVER);
	assert_true(c.vars[VCL_V_BERESP_TTL].r == 3600);
	assert_true(c.vars[VCL_V_BERESP_GRACE].r == 120);
	vcl_prog_rel(&p);
}

/* Every corpus program runs its vcl_recv on a plain GET to an action
 * vcl_recv allows, without failing. */
static void
corpus_programs_run(void **state)
{
	static const char *const files[] = {"wordpress.vcl", "magento.vcl",
	    "query-normalize.vcl", "device-detection.vcl", "purge-acl.vcl",
	    "static-files.vcl", "accept-encoding.vcl"};
	static const struct vcl_ip lo = {4, {127, 0, 0, 1}, 0};
	unsigned u;

	(void)state;
	for (u = 0; u < sizeof files / sizeof files[0]; u++) {
		char path[256];
		struct vcl_diag *d = vcl_diag_new();
		struct vcl_prog *p;
		struct vcl_ctx c;
		struct vcl_ret r;

		snprintf(path, sizeof path, "tests/vcl/corpus/%s", files[u]);
		p = vcl_load(path, NULL, NULL, 0, 0, &mock_ops, d);
		if (p == NULL)
			vcl_diag_print(d, stderr);
		assert_non_null(p);
		vcl_diag_free(&d);
		req_init(&c, "GET", "/index.html?utm_source=x", "example.com");
		req_hdr(&c, VCL_W_REQ, "User-Agent", "curl/8");
		req_hdr(&c, VCL_W_REQ, "Accept-Encoding", "gzip, br");
		c.vars[VCL_V_CLIENT_IP].ip = &lo;
		run(p, VCL_SUB_RECV, &c, &r);
		if (r.action == VCL_A_FAIL)
			print_message("%s: fail: %.*s\n", files[u],
			    (int)r.reason.len, r.reason.p);
		assert_true(vcl_sub_actions(VCL_SUB_RECV) &
		    (1u << r.action));
		assert_int_not_equal(r.action, VCL_A_FAIL);
		vcl_prog_rel(&p);
	}
}

/* Comparisons of a variable or header with a constant and defined
 * headers, which the checker turns into its own ops: the same decisions
 * as E_CMP and E_DEFINED, != and a header that is not set ("") too. */
static void
eq_k_shapes(void **state)
{
	struct vcl_prog *p = load_text("vcl 4.1;\n"
	    "backend b { .host = \"127.0.0.1\"; }\n"
	    "sub vcl_recv {\n"
	    "  if (req.http.X-Mode == \"synth\") { return (synth(404)); }\n"
	    "  if (req.http.X-Empty == \"\" && req.url != \"/keep\") {\n"
	    "    return (pass);\n"
	    "  }\n"
	    "  if (!req.http.Cookie) { return (pipe); }\n"
	    "  set req.http.X-Is-Get = req.method == \"GET\";\n"
	    "}\n");
	struct vcl_ctx c;
	struct vcl_ret r;

	(void)state;
	req_init(&c, "GET", "/a", "h");
	req_hdr(&c, VCL_W_REQ, "x-mode", "synth");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
	assert_int_equal(r.status, 404);
	req_init(&c, "GET", "/a", "h");
	req_hdr(&c, VCL_W_REQ, "X-Mode", "synthx");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PASS);
	req_init(&c, "GET", "/keep", "h");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_PIPE);
	req_init(&c, "GET", "/keep", "h");
	req_hdr(&c, VCL_W_REQ, "X-Empty", "1");
	req_hdr(&c, VCL_W_REQ, "Cookie", "a=b");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	assert_string_equal(hdr_of(&c, VCL_W_REQ, "X-Is-Get"), "true");
	req_init(&c, "HEAD", "/a", "h");
	req_hdr(&c, VCL_W_REQ, "X-Empty", "1");
	req_hdr(&c, VCL_W_REQ, "Cookie", "");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	assert_string_equal(hdr_of(&c, VCL_W_REQ, "X-Is-Get"), "false");
	vcl_prog_rel(&p);
}

/*
 * req.method against constants (E_METHOD_IN): an extension method, the
 * case of a method, && || ! of comparisons folded into one set, a set
 * of req.method in the same run, a user sub called between, and the
 * built-in's tests after the user's (its constants added to the table).
 */
static void
method_sets(void **state)
{
	struct vcl_prog *p = load_text(
	    "vcl 4.1;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"8080\"; }\n"
	    "sub is_brew {\n"
	    "  if (req.method == \"BREW\") { return (synth(418)); }\n"
	    "}\n"
	    "sub vcl_recv {\n"
	    "  call is_brew;\n"
	    "  if (req.method == \"get\") { return (synth(400)); }\n"
	    "  if (req.method == \"OPTIONS\" || req.method == \"TRACE\") {\n"
	    "    return (synth(405));\n"
	    "  }\n"
	    "  if (!(req.method == \"GET\" || req.method == \"HEAD\") &&\n"
	    "      req.method != \"POST\" && req.method != \"DELETE\") {\n"
	    "    return (synth(501));\n"
	    "  }\n"
	    "  if (req.http.X-As-Post) { set req.method = \"POST\"; }\n"
	    "  if (req.method == \"POST\") { return (synth(299)); }\n"
	    "}\n");
	static const struct {
		const char *method, *hdr;
		enum vcl_action want;
		unsigned status;
	} cases[] = {
	    {"BREW", NULL, VCL_A_SYNTH, 418},
	    {"get", NULL, VCL_A_SYNTH, 400},
	    {"OPTIONS", NULL, VCL_A_SYNTH, 405},
	    {"TRACE", NULL, VCL_A_SYNTH, 405},
	    {"PUT", NULL, VCL_A_SYNTH, 501},
	    {"FOO", NULL, VCL_A_SYNTH, 501}, /* none of the constants */
	    {"", NULL, VCL_A_SYNTH, 501},
	    {"POST", NULL, VCL_A_SYNTH, 299},
	    {"GET", "X-As-Post", VCL_A_SYNTH, 299}, /* read again after set */
	    {"GET", NULL, VCL_A_HASH, 0},
	    {"HEAD", NULL, VCL_A_HASH, 0},
	    {"DELETE", NULL, VCL_A_PASS, 0}, /* the built-in's != GET HEAD */
	};
	struct vcl_ctx c;
	struct vcl_ret r;
	size_t i;

	(void)state;
	/* one set for the whole of the fourth condition */
	assert_true(p->nmeth >= 8);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		req_init(&c, cases[i].method, "/", "h");
		if (cases[i].hdr != NULL)
			req_hdr(&c, VCL_W_REQ, cases[i].hdr, "1");
		assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), cases[i].want);
		assert_int_equal(r.status, cases[i].status);
	}
	vcl_prog_rel(&p);
}

/* More distinct constants than the table holds: those past it stay
 * string comparisons, and every one still matches its method. */
static void
method_table_full(void **state)
{
	char text[8192], m[16];
	size_t n = 0;
	unsigned i;
	struct vcl_prog *p;
	struct vcl_ctx c;
	struct vcl_ret r;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof text - n, "vcl 4.1;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"80\"; }\n"
	    "sub vcl_recv {\n");
	for (i = 0; i < VCL_METH_MAX + 4; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "  if (req.method != \"M%u\") { } else {"
		    " return (synth(%u)); }\n", i, 600 + i);
	snprintf(text + n, sizeof text - n, "}\n");
	p = load_text(text);
	assert_int_equal(p->nmeth, VCL_METH_MAX);
	for (i = 0; i < VCL_METH_MAX + 4; i++) {
		snprintf(m, sizeof m, "M%u", i);
		req_init(&c, m, "/", "h");
		assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_SYNTH);
		assert_int_equal(r.status, 600 + i);
	}
	req_init(&c, "GET", "/", "h");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	vcl_prog_rel(&p);
}

/* vcl_hash_is_default: only for the built-in vcl_hash alone; a user's
 * vcl_hash before it (even one that returns the same key's inputs in
 * another order, or adds one) is run. */
static void
hash_default_only_for_builtin(void **state)
{
	static const char *const not_default[] = {
	    "sub vcl_hash { hash_data(req.http.Cookie); }\n",
	    ("sub vcl_hash { hash_data(req.url); hash_data(req.http.host);"
	    " return (lookup); }\n"),
	    "sub vcl_hash { if (req.http.X) { return (lookup); } }\n",
	};
	char text[1024];
	struct vcl_prog *p;
	struct vcl_ctx c;
	struct vcl_ret r;
	size_t i;

	(void)state;
	p = load_text("vcl 4.1;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"80\"; }\n"
	    "sub vcl_recv { set req.url = \"/rewritten\"; }\n");
	assert_int_equal(vcl_hash_is_default(p), 1);
	/* what a host hashing on its own must match: the values as vcl_recv
	 * left them */
	req_init(&c, "GET", "/a", "h");
	assert_int_equal(run(p, VCL_SUB_RECV, &c, &r), VCL_A_HASH);
	assert_int_equal(run(p, VCL_SUB_HASH, &c, &r), VCL_A_LOOKUP);
	assert_string_equal(c.hashed, "h|/rewritten|");
	vcl_prog_rel(&p);
	/* the same text as the built-in's, written by the user: the same
	 * key, so the same answer */
	p = load_text("vcl 4.1;\n"
	    "backend default { .host = \"127.0.0.1\"; .port = \"80\"; }\n"
	    "sub vcl_hash { hash_data(req.http.Host); hash_data(req.url);"
	    " return (lookup); }\n");
	assert_int_equal(vcl_hash_is_default(p), 1);
	vcl_prog_rel(&p);
	for (i = 0; i < sizeof not_default / sizeof not_default[0]; i++) {
		snprintf(text, sizeof text, "vcl 4.1;\nbackend default {"
		    " .host = \"127.0.0.1\"; .port = \"80\"; }\n%s",
		    not_default[i]);
		p = load_text(text);
		assert_int_equal(vcl_hash_is_default(p), 0);
		vcl_prog_rel(&p);
	}
}

/* vcl_sub_fixed and vcl_prog_reads, the daemon's hit shortcuts: the
 * built-in vcl_hit and vcl_deliver only deliver; a user's that does
 * anything, or returns another action, is not fixed; obj.hits is read
 * only where an expression reads it. */
static void
fixed_subs_and_reads(void **state)
{
	static const char be[] = "vcl 4.1;\nbackend default {"
	    " .host = \"127.0.0.1\"; .port = \"80\"; }\n";
	char text[1024];
	struct vcl_prog *p;

	(void)state;
	p = load_text(be);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_HIT), VCL_A_DELIVER);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_DELIVER), VCL_A_DELIVER);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_RECV), -1);
	assert_int_equal(vcl_prog_reads(p, VCL_V_OBJ_HITS), 0);
	vcl_prog_rel(&p);
	snprintf(text, sizeof text, "%s%s", be, "sub vcl_deliver {\n"
	    "\tif (obj.hits > 0) { set resp.http.X-Cache = \"HIT\"; }\n}\n");
	p = load_text(text);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_HIT), VCL_A_DELIVER);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_DELIVER), -1);
	assert_int_equal(vcl_prog_reads(p, VCL_V_OBJ_HITS), 1);
	assert_int_equal(vcl_prog_reads(p, VCL_V_OBJ_TTL), 0);
	vcl_prog_rel(&p);
	snprintf(text, sizeof text, "%s%s", be,
	    "sub vcl_hit {\n\treturn (pass);\n}\n");
	p = load_text(text);
	assert_int_equal(vcl_sub_fixed(p, VCL_SUB_HIT), VCL_A_PASS);
	vcl_prog_rel(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fixed_subs_and_reads),
	    cmocka_unit_test(builtin_decisions),
	    cmocka_unit_test(user_recv_falls_through),
	    cmocka_unit_test(user_purge_synth_hash_ttl),
	    cmocka_unit_test(corpus_programs_run),
	    cmocka_unit_test(eq_k_shapes),
	    cmocka_unit_test(method_sets),
	    cmocka_unit_test(method_table_full),
	    cmocka_unit_test(hash_default_only_for_builtin),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
