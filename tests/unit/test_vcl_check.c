/*
 * test_vcl_check.c: loading VCL (vcl_load): every corpus program loads
 * without a message, every bad one fails where its first line says; the
 * checker's rules one by one (each message with its place), warnings, the
 * IR's shape, refcounts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcl/vcl_ast.h"
#include "vcl/vcl_ir.h"

static char *
diag_str(const struct vcl_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	vcl_diag_print(d, f);
	fclose(f);
	return (buf);
}

/* Load text (named t.vcl) with the built-in VCL. */
static struct vcl_prog *
load(const char *vcl, struct vcl_diag *d)
{
	return (vcl_load(NULL, "t.vcl", vcl, strlen(vcl), 0, NULL, d));
}

/* vcl must load with no message at all. */
static struct vcl_prog *
load_ok(const char *vcl)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = load(vcl, d);

	if (p == NULL || vcl_diag_count(d) != 0) {
		char *s = diag_str(d);
		fail_msg("load: %s\n%s", p ? "messages" : "failed", s);
	}
	vcl_diag_free(&d);
	return (p);
}

/* vcl must fail with a first message at line:col containing want. */
static void
fails_at(const char *vcl, unsigned line, unsigned col, const char *want)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = load(vcl, d);
	const struct vcl_diag_msg *m = vcl_diag_get(d, 0);

	if (p != NULL || m == NULL || m->line != line || m->col != col ||
	    strcasestr(m->text, want) == NULL) {
		char *s = diag_str(d);
		fail_msg("want %u:%u: %s\ngot:\n%s", line, col, want, s);
	}
	vcl_diag_free(&d);
}

/* vcl loads, with a warning at line:col containing want. */
static void
warns_at(const char *vcl, unsigned line, unsigned col, const char *want)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = load(vcl, d);
	unsigned i;

	assert_non_null(p);
	for (i = 0; i < vcl_diag_count(d); i++) {
		const struct vcl_diag_msg *m = vcl_diag_get(d, i);
		if (m->sev == VCL_SEV_WARNING && m->line == line &&
		    m->col == col && strstr(m->text, want) != NULL)
			break;
	}
	if (i == vcl_diag_count(d)) {
		char *s = diag_str(d);
		fail_msg("want warning %u:%u: %s\ngot:\n%s", line, col, want, s);
	}
	vcl_prog_rel(&p);
	vcl_diag_free(&d);
}

#define HEAD "vcl 4.1;\nbackend b { .host = \"127.0.0.1\"; }\n"

/* Run fn on every .vcl file of dir; how many. */
static unsigned
each_vcl(const char *dir, void (*fn)(const char *path))
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		char path[512];
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".vcl") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		fn(path);
		n++;
	}
	closedir(dp);
	return (n);
}

/* A corpus file loads without a message, the built-in VCL appended. */
static void
corpus_one(const char *path)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = vcl_load(path, NULL, NULL, 0, 0, NULL, d);

	if (p == NULL || vcl_diag_count(d) != 0) {
		char *s = diag_str(d);
		fail_msg("%s:\n%s", path, s);
	}
	/* the built-in VCL is there */
	assert_int_not_equal(p->sub[VCL_SUB_RECV], 0);
	assert_int_not_equal(p->sub[VCL_SUB_BACKEND_ERROR], 0);
	vcl_prog_rel(&p);
	vcl_diag_free(&d);
}

static void
test_corpus(void **state)
{
	(void)state;
	assert_int_equal(each_vcl("tests/vcl/corpus", corpus_one), 27);
	/* and the daemon's (the bench's typical VCL) */
	assert_int_equal(each_vcl("tests/vcl/daemon", corpus_one), 2);
}

/* A bad file fails first at the place and with the words it expects. */
static void
bad_one(const char *path)
{
	char first[256], want[200];
	unsigned line, col;
	struct vcl_diag *d;
	struct vcl_prog *p;
	const struct vcl_diag_msg *m;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(first, sizeof first, f));
	fclose(f);
	first[strcspn(first, "\n")] = '\0';
	assert_int_equal(sscanf(first, "# expect: %u:%u: %199[^\n]", &line,
	    &col, want), 3);
	d = vcl_diag_new();
	p = vcl_load(path, NULL, NULL, 0, 0, NULL, d);
	m = vcl_diag_get(d, 0);
	if (p != NULL || m == NULL || m->sev != VCL_SEV_ERROR ||
	    m->line != line || m->col != col || strcmp(m->file, path) != 0 ||
	    strcasestr(m->text, want) == NULL) {
		char *s = diag_str(d);
		fail_msg("%s:%u:%u: want %s\ngot:\n%s", path, line, col, want,
		    s);
	}
	vcl_prog_rel(&p);
	vcl_diag_free(&d);
}

static void
test_bad(void **state)
{
	(void)state;
	assert_int_equal(each_vcl("tests/vcl/bad", bad_one), 15);
}

static void
test_builtin_alone(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p = vcl_load(NULL, NULL, NULL, 0, 0, NULL, d);
	const struct vcl_ir *ir;
	vcl_ix i;
	unsigned n = 0, ifs = 0, mifs = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(vcl_diag_count(d), 0);
	assert_int_equal(p->nbackends, 0);
	assert_int_equal(p->nacls, 1);
	/* vcl_recv: 5 statements (four ifs, the first three on the method
	 * alone, and return (hash)) */
	for (i = p->sub[VCL_SUB_RECV]; i != 0; i = p->ir[i].next, n++) {
		ifs += p->ir[i].op == VCL_IR_S_IF;
		mifs += p->ir[i].op == VCL_IR_S_IF_METHOD;
	}
	assert_int_equal(n, 5);
	assert_int_equal(mifs, 3);
	assert_int_equal(ifs, 1);
	/* its last: return (hash) */
	for (i = p->sub[VCL_SUB_RECV]; p->ir[i].next != 0; i = p->ir[i].next)
		;
	assert_int_equal(p->ir[i].op, VCL_IR_S_RETURN);
	assert_int_equal(p->ir[i].a, VCL_A_HASH);
	/* the first: if (req.method == "CONNECT"), req.method against a
	 * constant: the set {CONNECT}, the constant in p->meth, tested by
	 * the if itself (S_IF_METHOD) */
	ir = &p->ir[p->sub[VCL_SUB_RECV]];
	assert_int_equal(ir->op, VCL_IR_S_IF_METHOD);
	assert_int_equal(p->nmeth, 4); /* CONNECT PURGE GET HEAD */
	assert_int_equal(p->meth[0].len, 7);
	assert_memory_equal(p->meth[0].p, "CONNECT", 7);
	assert_int_equal(ir->a, VCL_METH_BIT(0));
	/* the third: != "GET" && != "HEAD", one set: every value but those
	 * two (the other values' bit 0 included) */
	i = p->ir[p->ir[p->sub[VCL_SUB_RECV]].next].next;
	ir = &p->ir[i];
	assert_int_equal(ir->op, VCL_IR_S_IF_METHOD);
	assert_int_equal(ir->a, ~(VCL_METH_BIT(2) | VCL_METH_BIT(3)));
	assert_true(ir->a & VCL_METH_OTHER);
	/* the fourth: defined(Content-Length) || defined(Transfer-Encoding) */
	ir = &p->ir[p->ir[p->ir[i].next].a];
	assert_int_equal(ir->op, VCL_IR_E_OR);
	assert_int_equal(p->ir[ir->b].op, VCL_IR_E_HDR_DEFINED);
	assert_int_equal(p->ir[ir->b].a, VCL_W_REQ);
	assert_int_equal(p->hdrs[p->ir[ir->b].b].len, 17);
	/* vcl_hash: hash_data(host), hash_data(url), return (lookup) */
	i = p->sub[VCL_SUB_HASH];
	assert_int_equal(p->ir[i].op, VCL_IR_S_HASH_DATA);
	assert_int_equal(p->ir[p->ir[i].a].op, VCL_IR_E_HDR);
	assert_int_equal(p->ir[p->ir[i].a].a, VCL_W_REQ);
	i = p->ir[i].next;
	assert_int_equal(p->ir[p->ir[i].a].op, VCL_IR_E_VAR);
	i = p->ir[i].next;
	assert_int_equal(p->ir[i].op, VCL_IR_S_RETURN);
	assert_int_equal(p->ir[i].a, VCL_A_LOOKUP);
	assert_int_equal(p->ir[i].next, 0);
	/* that vcl_hash is the default one, which accel runs without the
	 * interpreter; vcl_hit and vcl_deliver are quick (a lone return) */
	assert_int_equal(vcl_hash_is_default(p), 1);
	assert_int_equal(p->quick[VCL_SUB_HIT], VCL_A_DELIVER + 1);
	assert_int_equal(p->quick[VCL_SUB_DELIVER], VCL_A_DELIVER + 1);
	assert_int_equal(p->quick[VCL_SUB_RECV], 0);
	assert_int_equal(p->quick[VCL_SUB_HASH], 0);
	/* the headers are shared: Content-Type is one entry */
	assert_true(p->nhdrs >= 4);
	vcl_prog_rel(&p);
	vcl_diag_free(&d);
}

static void
test_refcount(void **state)
{
	struct vcl_prog *p = load_ok(HEAD), *q;

	(void)state;
	q = vcl_prog_ref(p);
	assert_ptr_equal(p, q);
	vcl_prog_rel(&q);
	assert_null(q);
	assert_int_equal(atomic_load(&p->refcnt), 1);
	vcl_prog_rel(&p);
	assert_null(p);
	vcl_prog_rel(&p); /* NULL: nothing */
}

static void
test_missing_file(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p;

	(void)state;
	p = vcl_load("/nonexistent/x.vcl", NULL, NULL, 0, 0, NULL, d);
	assert_null(p);
	assert_int_equal(vcl_diag_errors(d), 1);
	vcl_diag_free(&d);
}

static void
test_backends(void **state)
{
	struct vcl_prog *p;
	struct vcl_backend *be;
	unsigned n;

	(void)state;
	p = load_ok("vcl 4.1;\n"
		    "probe pr { .url = \"/h\"; .timeout = 1s; .window = 5; "
		    ".threshold = 2; }\n"
		    "backend a { .host = \"10.0.0.1\"; .port = \"81\"; "
		    ".connect_timeout = 2s; .max_connections = 9; "
		    ".probe = pr; .host_header = \"h\"; }\n"
		    "backend c { .host = \"10.0.0.2\"; .probe = { "
		    ".request = \"GET / HTTP/1.1\" \"Host: x\"; }; }\n"
		    "sub vcl_recv { set req.backend_hint = c; }\n");
	be = vcl_prog_backends(p, &n);
	assert_int_equal(n, 2);
	assert_string_equal(be[0].name, "a");
	assert_string_equal(be[0].host, "10.0.0.1");
	assert_string_equal(be[0].port, "81");
	assert_string_equal(be[0].host_header, "h");
	assert_true(be[0].connect_timeout == 2.0);
	assert_int_equal(be[0].max_connections, 9);
	assert_non_null(be[0].probe);
	assert_string_equal(be[0].probe->url, "/h");
	assert_int_equal(be[0].probe->window, 5);
	assert_int_equal(be[0].probe->initial, 1);
	assert_int_equal(be[0].probe->expected_response, 200);
	assert_non_null(be[1].probe);
	assert_null(be[1].probe->name);
	assert_string_equal(be[1].probe->request,
	    "GET / HTTP/1.1\r\nHost: x\r\n");
	vcl_prog_rel(&p);
}

static void
test_decl_errors(void **state)
{
	(void)state;
	fails_at(HEAD "backend b { .host = \"x\"; }\n", 3, 9,
	    "already declared");
	fails_at(HEAD "acl b { \"1.2.3.4\"; }\n", 3, 5, "already declared");
	fails_at(HEAD "backend c { .port = \"80\"; }\n", 3, 9, "no .host");
	fails_at(HEAD "backend c { .host = \"x\"; .hots = \"y\"; }\n", 3,
	    27, "unknown backend field '.hots'");
	fails_at(HEAD "backend c { .host = \"x\"; .path = \"/s\"; }\n", 3,
	    27, "accel does not support");
	fails_at(HEAD "backend c { .host = \"x\"; .connect_timeout = 5; }\n",
	    3, 45, "duration");
	fails_at(HEAD "backend c { .host = \"x\"; .probe = nope; }\n", 3,
	    35, "not a probe");
	fails_at(HEAD "probe p { .window = 3; .threshold = 4; }\n"
		 "backend c { .host = \"x\"; .probe = p; }\n", 3, 11,
	    ".threshold");
	fails_at(HEAD "import foo;\n", 3, 8, "unknown module 'foo'");
	fails_at(HEAD "sub vcl_foo { }\n", 3, 5, "not a built-in");
	fails_at(HEAD "sub s { }\nsub s { }\n", 4, 5, "already declared");
	fails_at(HEAD "acl a { \"no.such.host.invalid\"; }\n", 3, 9,
	    "cannot resolve");
	fails_at(HEAD "acl a { \"1.2.3.4\"/40; }\n", 3, 19, "mask /40");
}

static void
test_acl_paren(void **state)
{
	struct vcl_prog *p;

	(void)state;
	/* a parenthesised name may not resolve (Varnish's rule) */
	p = load_ok(HEAD "acl a { (\"no.such.host.invalid\"); \"::1\"; }\n"
		    "sub vcl_recv { if (client.ip ~ a) { return (pass); } }\n");
	vcl_prog_rel(&p);
}

static void
test_names(void **state)
{
	(void)state;
	fails_at(HEAD "sub vcl_recv { set req.http.x = req.ulr; }\n", 3, 33,
	    "unknown variable 'req.ulr'");
	fails_at(HEAD "sub vcl_recv { set req.esi = true; }\n", 3, 20,
	    "accel does not support 'req.esi': accel has no ESI");
	/* req.proto: writable in 4.0 only */
	fails_at(HEAD "sub vcl_recv { set req.proto = \"HTTP/1.0\"; }\n", 3,
	    20, "'req.proto' is read-only");
	vcl_prog_rel(&(struct vcl_prog *){load_ok("vcl 4.0;\n"
	    "backend b { .host = \"127.0.0.1\"; }\n"
	    "sub vcl_recv { set req.proto = \"HTTP/1.0\"; }\n")});
	fails_at(HEAD "sub vcl_recv { set req.storage = x; }\n", 3, 20,
	    "accel does not support 'req.storage'");
	fails_at(HEAD "sub vcl_recv { call nope; }\n", 3, 21,
	    "undefined subroutine 'nope'");
	fails_at(HEAD "sub vcl_recv { call vcl_hash; }\n", 3, 21,
	    "cannot be called");
	fails_at(HEAD "sub vcl_recv { std.log(\"x\"); }\n", 3, 16,
	    "needs 'import std;'");
	fails_at(HEAD "import std;\nsub vcl_recv { std.syslog(1, \"x\"); }\n",
	    4, 16, "accel does not support std.syslog()");
	fails_at(HEAD "sub vcl_recv { set req.url = nofunc(1); }\n", 3, 30,
	    "unknown function 'nofunc'");
	fails_at(HEAD "acl a { \"1.2.3.4\"; }\n"
		 "sub vcl_recv { set req.http.x = a; }\n", 4, 33,
	    "can only be used after ~");
	fails_at(HEAD "sub vcl_recv { if (client.ip ~ nope) { } }\n", 3, 32,
	    "unknown ACL 'nope'");
}

static void
test_access(void **state)
{
	(void)state;
	fails_at(HEAD "sub vcl_recv { set beresp.ttl = 1s; }\n", 3, 20,
	    "'beresp.ttl' cannot be set in vcl_recv");
	fails_at(HEAD "sub vcl_recv { set now = now; }\n", 3, 20,
	    "read-only");
	fails_at(HEAD "sub vcl_deliver { set req.http.x = obj.http.y; }\n",
	    3, 36, "cannot be read in vcl_deliver");
	fails_at(HEAD "sub vcl_recv { unset req.url; }\n", 3, 22,
	    "cannot be unset");
	fails_at(HEAD "sub vcl_recv { set req.http.Content-Length = \"1\"; }\n",
	    3, 20, "read-only");
	/* a user sub must suit every built-in sub that calls it */
	fails_at(HEAD "sub s { set req.url = \"/\"; }\n"
		 "sub vcl_recv { call s; }\n"
		 "sub vcl_backend_fetch { call s; }\n", 3, 13,
	    "cannot be set in vcl_backend_fetch (sub s is called");
	fails_at(HEAD "sub s { return (lookup); }\n"
		 "sub vcl_hash { call s; }\nsub vcl_recv { call s; }\n", 3, 17,
	    "return (lookup) is not allowed in vcl_recv");
	fails_at(HEAD "sub r1 { call r2; }\nsub r2 { call r1; }\n"
		 "sub vcl_recv { call r1; }\n", 4, 15, "recursive");
	fails_at(HEAD "sub vcl_recv { hash_data(req.url); }\n", 3, 16,
	    "hash_data() cannot be called in vcl_recv");
	fails_at(HEAD "sub vcl_recv { synthetic(\"x\"); }\n", 3, 16,
	    "synthetic() cannot be called in vcl_recv");
	fails_at(HEAD "sub vcl_recv { new x = directors.hash(); }\n", 3, 16,
	    "only allowed in vcl_init");
	/* a plain sub: called from vcl_recv only, may use req */
	vcl_prog_rel(&(struct vcl_prog *){load_ok(HEAD
	    "sub s { set req.url = \"/\"; return; }\n"
	    "sub vcl_recv { call s; }\n")});
}

static void
test_returns(void **state)
{
	(void)state;
	fails_at(HEAD "sub vcl_recv { return (nope); }\n", 3, 24,
	    "unknown return action 'nope'");
	fails_at(HEAD "sub vcl_recv { return (synth); }\n", 3, 24,
	    "needs a status");
	fails_at(HEAD "sub vcl_recv { return (synth(\"x\")); }\n", 3, 30,
	    "expected INT, got STRING");
	fails_at(HEAD "sub vcl_recv { return (synth(1, 2, 3)); }\n", 3, 36,
	    "status and a reason");
	fails_at(HEAD "sub vcl_recv { return (hash(1)); }\n", 3, 29,
	    "takes no argument");
	fails_at(HEAD "sub vcl_recv { return (pass(1s)); }\n", 3, 29,
	    "only in vcl_backend_response");
	fails_at(HEAD "sub vcl_recv { return (vcl(x)); }\n", 3, 24,
	    "accel does not support return (vcl");
	fails_at(HEAD "sub vcl_recv { return; }\n", 3, 16,
	    "without an action");
	vcl_prog_rel(&(struct vcl_prog *){load_ok(HEAD
	    "sub vcl_backend_response { return (pass(10s)); }\n"
	    "sub vcl_recv { return (synth(404, \"nope\" + req.url)); }\n"
	    "sub vcl_backend_fetch { return (fail(\"why\")); }\n")});
}

static void
test_types(void **state)
{
	(void)state;
	fails_at(HEAD "sub vcl_recv { set req.ttl = \"1h\"; }\n", 3, 30,
	    "expected DURATION, got STRING");
	fails_at(HEAD "sub vcl_recv { set req.ttl = 1; }\n", 3, 30,
	    "expected DURATION, got INT");
	fails_at(HEAD "sub vcl_deliver { if (resp.status == \"1\") { } }\n",
	    3, 38, "cannot compare INT with STRING");
	fails_at(HEAD "sub vcl_recv { if (client.ip < client.ip) { } }\n",
	    3, 20, "cannot compare IP");
	fails_at(HEAD "sub vcl_recv { if (now + now) { } }\n", 3, 26,
	    "cannot take TIME and TIME");
	fails_at(HEAD "sub vcl_recv { if (req.url ~ req.url) { } }\n", 3, 30,
	    "must be a string literal");
	fails_at(HEAD "sub vcl_recv { if (req.url ~ \"(\") { } }\n", 3, 30,
	    "missing closing parenthesis");
	fails_at(HEAD "sub vcl_recv { if (req.url ~ client.ip) { } }\n", 3,
	    30, "must be a string literal");
	fails_at(HEAD "sub vcl_recv { if (-req.url) { } }\n", 3, 21,
	    "'-' cannot take STRING");
	fails_at(HEAD "import std;\nsub vcl_recv { set req.url = std.log(\"x\"); }\n",
	    4, 30, "returns nothing");
	fails_at(HEAD "import std;\n"
		 "sub vcl_recv { set req.url = std.tolower(\"a\", \"b\"); }\n",
	    4, 47, "too many arguments");
	fails_at(HEAD "import std;\nsub vcl_recv { set req.url = std.tolower(); }\n",
	    4, 30, "needs its argument 's'");
	fails_at(HEAD "import std;\n"
		 "sub vcl_recv { set req.url = std.tolower(x = \"a\"); }\n",
	    4, 42, "has no argument 'x'");
	fails_at(HEAD "import std;\n"
		 "sub vcl_recv { set req.url = std.tolower(s = \"a\", s = \"b\"); }\n",
	    4, 51, "given twice");
	fails_at(HEAD "import directors;\nsub vcl_init { new h = directors.shard(); }\n"
		 "sub vcl_recv { set req.backend_hint = h.backend(by=NOPE); }\n",
	    5, 52, "one of the words HASH");
	/* several errors are all reported, one per bad expression */
	{
		struct vcl_diag *d = vcl_diag_new();
		assert_null(load(HEAD "sub vcl_recv { set req.ttl = \"1h\" + 1;\n"
		    "set req.url = 1 + now; set req.grace = req.ulr; }\n", d));
		assert_int_equal(vcl_diag_errors(d), 3);
		vcl_diag_free(&d);
	}
}

static void
test_conversions(void **state)
{
	struct vcl_prog *p;
	const struct vcl_ir *ir;
	vcl_ix i;

	(void)state;
	p = load_ok(HEAD "import std;\n"
		    "sub vcl_deliver {\n"
		    "set resp.http.a = obj.hits;\n"	      /* CONV INT */
		    "if (resp.http.b) { }\n"		      /* DEFINED */
		    "set resp.http.c = \"x\" + \"y\" + obj.hits;\n" /* fold */
		    "set resp.http.d = std.tolower(\"A\");\n" /* call */
		    "set resp.http.e = regsub(req.url, \"^/(a)\", \"\\1\");\n"
		    "set resp.http.f += \"z\";\n"
		    "std.collect(resp.http.g);\n"
		    "if (std.random(1, 2) > 1) { }\n"
		    "}\n");
	i = p->sub[VCL_SUB_DELIVER];
	ir = &p->ir[i];
	assert_int_equal(ir->op, VCL_IR_S_SET_HDR);
	assert_int_equal(ir->a, VCL_W_RESP);
	assert_int_equal(p->ir[ir->c].op, VCL_IR_E_CONV);
	assert_int_equal(p->ir[ir->c].type, VCL_T_STRING);
	assert_int_equal(p->ir[ir->c].c, VCL_T_INT);
	ir = &p->ir[ir->next];
	assert_int_equal(ir->op, VCL_IR_S_IF);
	assert_int_equal(p->ir[ir->a].op, VCL_IR_E_HDR_DEFINED);
	ir = &p->ir[ir->next];
	i = ir->c;
	assert_int_equal(p->ir[i].op, VCL_IR_E_CONCAT);
	i = p->ir[i].a;
	assert_int_equal(p->ir[i].op, VCL_IR_E_CONST);
	assert_int_equal(p->k[p->ir[i].a].s.len, 2); /* "xy" */
	assert_memory_equal(p->k[p->ir[i].a].s.p, "xy", 2);
	assert_int_equal(p->ir[p->ir[i].next].op, VCL_IR_E_CONV);
	ir = &p->ir[ir->next];
	assert_int_equal(p->ir[ir->c].op, VCL_IR_E_FUNC);
	assert_int_equal(p->ir[ir->c].a, VCL_F_STD_TOLOWER);
	ir = &p->ir[ir->next];
	i = ir->c;
	assert_int_equal(p->ir[i].op, VCL_IR_E_FUNC);
	assert_int_equal(p->ir[i].a, VCL_F_REGSUB);
	assert_int_equal(p->ir[p->ir[p->ir[i].b].next].type, VCL_T_REGEX);
	assert_true(p->ir[i].c < p->nre);
	assert_int_equal(p->max_captures, 1);
	ir = &p->ir[ir->next]; /* += */
	assert_int_equal(p->ir[ir->c].op, VCL_IR_E_CONCAT);
	ir = &p->ir[ir->next]; /* std.collect(resp.http.g) */
	assert_int_equal(ir->op, VCL_IR_S_EXPR);
	i = p->ir[ir->a].b;
	assert_int_equal(p->ir[i].op, VCL_IR_E_HDR);
	assert_int_equal(p->ir[i].type, VCL_T_HEADER);
	assert_int_equal(p->ir[p->ir[i].next].op, VCL_IR_E_CONST); /* sep */
	ir = &p->ir[ir->next]; /* std.random(1, 2) > 1: REAL */
	i = ir->a;
	assert_int_equal(p->ir[i].op, VCL_IR_E_CMP);
	assert_int_equal(p->ir[i].flags, VCL_T_REAL);
	vcl_prog_rel(&p);

	/* arithmetic types */
	p = load_ok(HEAD "sub vcl_backend_response {\n"
		    "set beresp.ttl = beresp.ttl * 2 + 1s;\n"
		    "set beresp.grace = now - bereq.time;\n"
		    "}\n");
	ir = &p->ir[p->sub[VCL_SUB_BACKEND_RESPONSE]];
	i = ir->b;
	assert_int_equal(p->ir[i].op, VCL_IR_E_ARITH);
	assert_int_equal(p->ir[i].type, VCL_T_DURATION);
	assert_int_equal(p->ir[i].flags,
	    VCL_IR_ARITH(VCL_T_DURATION, VCL_T_DURATION));
	i = p->ir[i].a;
	assert_int_equal(p->ir[i].flags,
	    VCL_IR_ARITH(VCL_T_DURATION, VCL_T_REAL));
	ir = &p->ir[ir->next];
	assert_int_equal(p->ir[ir->b].flags,
	    VCL_IR_ARITH(VCL_T_TIME, VCL_T_TIME));
	vcl_prog_rel(&p);
}

static void
test_calls_ir(void **state)
{
	struct vcl_prog *p;
	vcl_ix i;

	(void)state;
	p = load_ok(HEAD "sub s1 { set req.http.x = \"1\"; }\n"
		    "sub s2 { call s1; }\n"
		    "sub vcl_recv { call s2; }\n");
	i = p->sub[VCL_SUB_RECV];
	assert_int_equal(p->ir[i].op, VCL_IR_S_CALL);
	i = p->ir[i].a; /* b's body */
	assert_int_equal(p->ir[i].op, VCL_IR_S_CALL);
	i = p->ir[i].a; /* a's body */
	assert_int_equal(p->ir[i].op, VCL_IR_S_SET_HDR);
	assert_int_equal(p->max_call_depth, 3);
	vcl_prog_rel(&p);
}

static void
test_warnings(void **state)
{
	(void)state;
	warns_at(HEAD "backend c { .host = \"x\"; }\n", 3, 9,
	    "backend 'c' is not used");
	warns_at(HEAD "acl a { \"::1\"; }\n", 3, 5, "acl 'a' is not used");
	warns_at(HEAD "probe p { }\n", 3, 7, "probe 'p' is not used");
	warns_at(HEAD "sub s { }\n", 3, 5, "sub 's' is not used");
	warns_at(HEAD "sub vcl_recv { return (pass);\nset req.url = \"/\"; }\n",
	    4, 1, "unreachable");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_builtin_alone),
	    cmocka_unit_test(test_refcount),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_backends),
	    cmocka_unit_test(test_decl_errors),
	    cmocka_unit_test(test_acl_paren),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_access),
	    cmocka_unit_test(test_returns),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_conversions),
	    cmocka_unit_test(test_calls_ir),
	    cmocka_unit_test(test_warnings),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
