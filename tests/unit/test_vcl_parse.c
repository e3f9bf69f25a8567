/*
 * test_vcl_parse.c: the VCL parser: every declaration, statement and
 * expression form (through the dump), precedence, juxtaposition, includes,
 * every error message with its place, the caret, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vcl/vcl_ast.h"

/* --- helpers --- */

static char *
dump_str(const struct vcl_ast *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	vcl_ast_dump(a, f);
	fclose(f);
	return (buf);
}

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

/* Parse vcl (named t.vcl), which must succeed; the AST. */
static struct vcl_ast *
parse_ok(const char *vcl, struct vcl_diag *d)
{
	struct vcl_ast *a = vcl_parse_string("t.vcl", vcl, strlen(vcl), d);

	if (a == NULL) {
		char *s = diag_str(d);
		fail_msg("parse failed:\n%s", s);
	}
	assert_int_equal(vcl_diag_errors(d), 0);
	return (a);
}

/* vcl parses and dumps as want. */
static void
dumps_as(const char *vcl, const char *want)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(vcl, d);
	char *got = dump_str(a);

	if (strcmp(got, want) != 0)
		fail_msg("dump of:\n%s\ngot:\n%s\nwant:\n%s", vcl, got, want);
	free(got);
	vcl_ast_free(&a);
	assert_null(a);
	vcl_diag_free(&d);
}

#define SUB_HEAD "vcl 4.1;\nsub t {\n"

/* The statements stmts in a sub dump as want (indented by two). */
static void
stmts_as(const char *stmts, const char *want)
{
	char vcl[4096], exp[4096];

	snprintf(vcl, sizeof vcl, SUB_HEAD "%s\n}\n", stmts);
	snprintf(exp, sizeof exp, SUB_HEAD "%s}\n", want);
	dumps_as(vcl, exp);
}

/* "set x = expr;" dumps its value as want. */
static void
expr_as(const char *expr, const char *want)
{
	char st[2048], exp[2048];

	snprintf(st, sizeof st, "set x = %s;", expr);
	snprintf(exp, sizeof exp, "  set x = %s;\n", want);
	stmts_as(st, exp);
}

/* The first message of d is an error at file:line:col with text msg. */
static void
diag_is(const struct vcl_diag *d, const char *file, unsigned line, unsigned col,
	const char *msg)
{
	const struct vcl_diag_msg *m = vcl_diag_get(d, 0);

	assert_non_null(m);
	assert_int_equal(m->sev, VCL_SEV_ERROR);
	if (file == NULL)
		assert_null(m->file);
	else
		assert_string_equal(m->file, file);
	if (strcmp(m->text, msg) != 0 || m->line != line || m->col != col)
		fail_msg("got %u:%u: %s\nwant %u:%u: %s", m->line, m->col,
			 m->text, line, col, msg);
}

/* vcl (named t.vcl) fails with msg at line:col. */
static void
fails_with(const char *vcl, unsigned line, unsigned col, const char *msg)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = vcl_parse_string("t.vcl", vcl, strlen(vcl), d);

	if (a != NULL)
		fail_msg("parsed, expected error: %s\n%s", msg, vcl);
	assert_int_equal(vcl_diag_errors(d), 1);
	diag_is(d, "t.vcl", line, col, msg);
	vcl_diag_free(&d);
}

/* Statements stmts (in a sub at line 3, col 1) fail with msg at line:col. */
static void
stmt_fails(const char *stmts, unsigned line, unsigned col, const char *msg)
{
	char vcl[4096];

	snprintf(vcl, sizeof vcl, SUB_HEAD "%s\n}\n", stmts);
	fails_with(vcl, line, col, msg);
}

/* --- declarations --- */

static void
test_decls(void **state)
{
	(void)state;
	dumps_as("vcl 4.0;\nimport std;\nimport directors from \"/x/d.so\";\n",
		 "vcl 4.0;\nimport std;\nimport directors from \"/x/d.so\";\n");
	dumps_as("vcl 4.1;\n"
		 "backend default {\n"
		 "\t.host = \"127.0.0.1\";\n"
		 "\t.port = \"8080\";\n"
		 "\t.connect_timeout = 0.3 s;\n"
		 "\t.first_byte_timeout = 5s;\n"
		 "\t.max_connections = 100;\n"
		 "\t.probe = {\n"
		 "\t\t.url = \"/health\";\n"
		 "\t\t.interval = 5s;\n"
		 "\t}\n"
		 "\t.proxy_header = 1;\n"
		 "}\n"
		 "backend b2 { .host = \"h\"; .probe = p1; .probe = { .window "
		 "= 5; }; }\n"
		 "backend default none;\n",
		 "vcl 4.1;\n"
		 "backend default {\n"
		 "  .host = \"127.0.0.1\";\n"
		 "  .port = \"8080\";\n"
		 "  .connect_timeout = 0.3s;\n"
		 "  .first_byte_timeout = 5s;\n"
		 "  .max_connections = 100;\n"
		 "  .probe = {\n"
		 "    .url = \"/health\";\n"
		 "    .interval = 5s;\n"
		 "  }\n"
		 "  .proxy_header = 1;\n"
		 "}\n"
		 "backend b2 {\n"
		 "  .host = \"h\";\n"
		 "  .probe = p1;\n"
		 "  .probe = {\n"
		 "    .window = 5;\n"
		 "  }\n"
		 "}\n"
		 "backend default none;\n");
	dumps_as("vcl 4.1;\n"
		 "probe healthcheck {\n"
		 "  .url = \"/\";\n"
		 "  .request = \"GET / HTTP/1.1\"\n"
		 "             \"Host: x\"\n"
		 "             \"Connection: close\";\n"
		 "  .interval = 5s; .timeout = 1 s; .window = 5;\n"
		 "  .threshold = 3; .initial = 3; .expected_response = 200;\n"
		 "}\n",
		 "vcl 4.1;\n"
		 "probe healthcheck {\n"
		 "  .url = \"/\";\n"
		 "  .request = \"GET / HTTP/1.1\" \"Host: x\" \"Connection: "
		 "close\";\n"
		 "  .interval = 5s;\n"
		 "  .timeout = 1s;\n"
		 "  .window = 5;\n"
		 "  .threshold = 3;\n"
		 "  .initial = 3;\n"
		 "  .expected_response = 200;\n"
		 "}\n");
	dumps_as("vcl 4.1;\n"
		 "acl purge +log -pedantic +table {\n"
		 "  \"localhost\";\n"
		 "  \"192.0.2.0\"/24;\n"
		 "  ! \"192.0.2.23\";\n"
		 "  (\"example.com\");\n"
		 "  !(\"a.example.com\"/16);\n"
		 "  (!\"b.example.com\");\n"
		 "  \"::1\"/128;\n"
		 "}\n"
		 "acl empty { }\n",
		 "vcl 4.1;\n"
		 "acl purge +log -pedantic +table {\n"
		 "  \"localhost\";\n"
		 "  \"192.0.2.0\"/24;\n"
		 "  !\"192.0.2.23\";\n"
		 "  (\"example.com\");\n"
		 "  !(\"a.example.com\"/16);\n"
		 "  !(\"b.example.com\");\n"
		 "  \"::1\"/128;\n"
		 "}\n"
		 "acl empty {\n"
		 "}\n");
	dumps_as("vcl 4.1; sub vcl_recv { } sub empty {}",
		 "vcl 4.1;\nsub vcl_recv {\n}\nsub empty {\n}\n");
}

/* The fields of the AST itself: kinds, names, positions, values. */
static void
test_decl_nodes(void **state)
{
	static const char vcl[] = "vcl 4.1;\n"
				  "acl a { !(\"x\"/8); }\n"
				  "  sub s {\n"
				  "\tset req.ttl = 1.5h;\n"
				  "}\n";
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(vcl, d);
	const struct vcl_node *n, *e;

	(void)state;
	assert_int_equal(a->syntax, 41);
	assert_int_equal(a->nsrc, 1);
	assert_string_equal(a->srcs[0]->name, "t.vcl");
	assert_int_equal(vcl_list_len(a->decls), 3);
	n = a->decls;
	assert_int_equal(n->kind, VCL_N_VERSION);
	assert_int_equal(n->u.version.major, 4);
	assert_int_equal(n->u.version.minor, 1);
	n = n->next;
	assert_int_equal(n->kind, VCL_N_ACL);
	assert_string_equal(n->u.acl.name, "a");
	assert_int_equal(n->u.acl.namepos.col, 5);
	e = n->u.acl.entries;
	assert_int_equal(e->u.aclent.negated, 1);
	assert_int_equal(e->u.aclent.paren, 1);
	assert_int_equal(e->u.aclent.mask, 8);
	assert_string_equal(e->u.aclent.addr->u.str.s, "x");
	n = n->next;
	assert_int_equal(n->kind, VCL_N_SUB);
	assert_int_equal(n->pos.line, 3);
	assert_int_equal(n->pos.col, 3);
	assert_int_equal(n->u.decl.namepos.col, 7);
	assert_int_equal(n->depth, 3); /* sub, set, value */
	e = n->u.decl.items;
	assert_int_equal(e->kind, VCL_N_SET);
	assert_int_equal(e->pos.line, 4);
	assert_int_equal(e->pos.col, 2);
	assert_int_equal(e->u.set.op, VCL_OP_ASSIGN);
	assert_string_equal(e->u.set.target->u.ident.name, "req.ttl");
	assert_int_equal(e->u.set.target->pos.col, 6);
	e = e->u.set.value;
	assert_int_equal(e->kind, VCL_N_DURATION);
	assert_true(e->u.num.d == 5400.0);
	assert_int_equal(e->u.num.unit, VCL_U_H);
	assert_string_equal(e->u.num.text, "1.5");
	assert_int_equal(e->pos.col, 16);
	assert_ptr_equal(a->last, n);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

/* --- statements --- */

static void
test_stmts(void **state)
{
	(void)state;
	stmts_as("set req.url = \"/\";\n"
		 "set req.http.x += \"a\";\n"
		 "set resp.status -= 1;\n"
		 "set beresp.ttl *= 2;\n"
		 "set beresp.ttl /= 2;\n"
		 "unset req.http.Cookie;\n"
		 "call my_sub;\n"
		 "new vdir = directors.round_robin();\n"
		 "vdir.add_backend(server1);\n"
		 "std.log(\"x\");\n"
		 "hash_data(req.url);\n"
		 "synthetic(\"body\");\n"
		 "ban(\"req.url ~ /\");\n"
		 "return;\n"
		 "return (pass);\n"
		 "return(synth(404, \"Not here\"));\n"
		 "return (vcl(label));\n"
		 "{ set a = 1; { } }",
		 "  set req.url = \"/\";\n"
		 "  set req.http.x += \"a\";\n"
		 "  set resp.status -= 1;\n"
		 "  set beresp.ttl *= 2;\n"
		 "  set beresp.ttl /= 2;\n"
		 "  unset req.http.Cookie;\n"
		 "  call my_sub;\n"
		 "  new vdir = directors.round_robin();\n"
		 "  vdir.add_backend(server1);\n"
		 "  std.log(\"x\");\n"
		 "  hash_data(req.url);\n"
		 "  synthetic(\"body\");\n"
		 "  ban(\"req.url ~ /\");\n"
		 "  return;\n"
		 "  return (pass);\n"
		 "  return (synth(404, \"Not here\"));\n"
		 "  return (vcl(label));\n"
		 "  {\n"
		 "    set a = 1;\n"
		 "    {\n"
		 "    }\n"
		 "  }\n");
}

static void
test_if(void **state)
{
	(void)state;
	stmts_as("if (a) { call x; }", "  if (a) {\n    call x;\n  }\n");
	stmts_as("if (a) { } else { call y; }",
		 "  if (a) {\n  } else {\n    call y;\n  }\n");
	stmts_as(
	    "if (a) { call x; } elsif (b) { } elseif (c) { } elif (d) { }"
	    " else if (e) { call z; } else { }",
	    "  if (a) {\n    call x;\n  } elsif (b) {\n  } elsif (c) {\n"
	    "  } elsif (d) {\n  } elsif (e) {\n    call z;\n  } else {\n  }\n");
	stmts_as("if (a) { if (b) { if (c) { return (hash); } } }",
		 "  if (a) {\n    if (b) {\n      if (c) {\n"
		 "        return (hash);\n      }\n    }\n  }\n");
}

static void
test_if_nodes(void **state)
{
	static const char vcl[] = SUB_HEAD "if (a) { } elsif (b) { } else if "
					   "(c) { } else { }\n}\n";
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(vcl, d);
	const struct vcl_node *n = a->decls->next->u.decl.items, *b;

	(void)state;
	assert_int_equal(n->kind, VCL_N_IF);
	assert_int_equal(vcl_list_len(n->u.ifs.branches), 3);
	b = n->u.ifs.branches->next;
	assert_int_equal(b->kind, VCL_N_BRANCH);
	assert_int_equal(b->pos.col, 12); /* the elsif */
	assert_string_equal(b->u.branch.cond->u.ident.name, "b");
	assert_int_equal(b->u.branch.body->kind, VCL_N_BLOCK);
	assert_int_equal(b->next->pos.col, 26); /* the else of "else if" */
	assert_non_null(n->u.ifs.els);
	assert_null(n->u.ifs.els->u.list.items);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

/* --- expressions --- */

static void
test_literals(void **state)
{
	(void)state;
	expr_as("\"a\"", "\"a\"");
	expr_as("{\"long\n\"quoted\"\"}", "\"long\\n\\\"quoted\\\"\"");
	expr_as("\"\"\"triple\"\"\"", "\"triple\"");
	expr_as("\"back\\slash %41\"", "\"back\\\\slash %41\"");
	expr_as("42", "42");
	expr_as("1.5", "1.5");
	expr_as("10s", "10s");
	expr_as("1.5h", "1.5h");
	expr_as("2w", "2w");
	expr_as("100ms", "100ms");
	expr_as("10MB", "10MB");
	expr_as("3 KB", "3KB");
	expr_as("true", "true");
	expr_as("false", "false");
	expr_as("-1", "-1");
	expr_as("-1.5s", "-1.5s");
	expr_as("- 2", "-2");
	expr_as("-x", "-x");
	expr_as("- -x", "-(-x)");
	expr_as("-(a + b)", "-(a + b)");
	expr_as("req.http.X-Forwarded-For", "req.http.X-Forwarded-For");
}

static void
test_number_values(void **state)
{
	static const char vcl[] = SUB_HEAD "f(-5, 2.5, -1m, 2KB, 0.5 s, "
					   "9223372036854775807);\n}\n";
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(vcl, d);
	const struct vcl_node *n = a->decls->next->u.decl.items->u.one.expr;

	(void)state;
	assert_int_equal(n->kind, VCL_N_FCALL);
	n = n->u.call.args;
	assert_int_equal(n->kind, VCL_N_INT);
	assert_int_equal(n->u.num.i, -5);
	assert_string_equal(n->u.num.text, "-5");
	n = n->next;
	assert_int_equal(n->kind, VCL_N_REAL);
	assert_true(n->u.num.d == 2.5);
	n = n->next;
	assert_int_equal(n->kind, VCL_N_DURATION);
	assert_true(n->u.num.d == -60.0);
	assert_int_equal(n->pos.col, 12);
	n = n->next;
	assert_int_equal(n->kind, VCL_N_BYTES);
	assert_true(n->u.num.d == 2048.0);
	n = n->next;
	assert_int_equal(n->kind, VCL_N_DURATION);
	assert_true(n->u.num.d == 0.5);
	assert_int_equal(n->u.num.unit, VCL_U_S);
	n = n->next;
	assert_true(n->u.num.i == INT64_MAX);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

static void
test_calls(void **state)
{
	(void)state;
	expr_as("std.collect(req.http.x, \",\")",
		"std.collect(req.http.x, \",\")");
	expr_as("regsub(req.url, \"^/a\", \"/b\")",
		"regsub(req.url, \"^/a\", \"/b\")");
	expr_as("foo.bar(x, y=1)", "foo.bar(x, y=1)");
	expr_as("foo.bar(y = 1 + 2, z=a == b)", "foo.bar(y=1 + 2, z=a == b)");
	expr_as("f()", "f()");
	expr_as("f(g(h(1)), (2))", "f(g(h(1)), 2)");
}

static void
test_precedence(void **state)
{
	(void)state;
	expr_as("1 + 2 * 3", "1 + (2 * 3)");
	expr_as("1 * 2 + 3", "(1 * 2) + 3");
	expr_as("1 - 2 - 3", "(1 - 2) - 3");
	expr_as("8 / 4 / 2", "(8 / 4) / 2");
	expr_as("(1 + 2) * 3", "(1 + 2) * 3");
	expr_as("a + b == c * d", "(a + b) == (c * d)");
	expr_as("a == b && c != d", "(a == b) && (c != d)");
	expr_as("a || b && c", "a || (b && c)");
	expr_as("a && b || c && d", "(a && b) || (c && d)");
	expr_as("a || b || c", "a || b || c");
	expr_as("a && b && c", "a && b && c");
	expr_as("(a || b) && c", "(a || b) && c");
	/* Varnish: '!' negates a whole comparison */
	expr_as("!client.ip ~ purge", "!(client.ip ~ purge)");
	expr_as("!a && !b", "(!a) && (!b)");
	expr_as("!(a)", "!a");
	expr_as("a < b", "a < b");
	expr_as("a > b", "a > b");
	expr_as("a <= b", "a <= b");
	expr_as("a >= b", "a >= b");
	expr_as("req.url ~ \"^/x\"", "req.url ~ \"^/x\"");
	expr_as("req.url !~ \"^/x\"", "req.url !~ \"^/x\"");
	expr_as("-a * b", "(-a) * b");
	expr_as("a - -1", "a - -1");
	expr_as("a-1", "a-1"); /* one identifier, as in Varnish */
}

static void
test_concat(void **state)
{
	(void)state;
	expr_as("\"a\" req.url \"b\"", "(concat \"a\" req.url \"b\")");
	expr_as("\"a\" + req.url + \"b\"", "(\"a\" + req.url) + \"b\"");
	expr_as("\"a\" + b c", "(concat (\"a\" + b) c)");
	expr_as("a b + c", "(concat a b) + c");
	expr_as("a b + c d", "(concat ((concat a b) + c) d)");
	expr_as("(a b) c", "(concat (concat a b) c)");
	expr_as("a \"b\" * 2", "(concat a (\"b\" * 2))");
	expr_as("a b == c d", "(concat a b) == (concat c d)");
	expr_as("f(a b, c)", "f((concat a b), c)");
	stmts_as("synthetic({\"<html>\"} + resp.status + \" \" resp.reason);",
		 "  synthetic((concat ((\"<html>\" + resp.status) + \" \") "
		 "resp.reason));\n");
}

/* A realistic VCL: the built-in logic and common additions. */
static const char realistic[] =
    "vcl 4.1;\n"
    "import std;\n"
    "import directors;\n"
    "backend server1 {\n"
    "    .host = \"192.0.2.10\";\n"
    "    .port = \"8080\";\n"
    "    .probe = {\n"
    "        .url = \"/\";\n"
    "        .request = \"GET / HTTP/1.1\" \"Host: www.example.com\"\n"
    "            \"Connection: close\";\n"
    "        .interval = 5s;\n"
    "        .timeout = 1 s;\n"
    "        .window = 5;\n"
    "        .threshold = 3;\n"
    "        .initial = 2;\n"
    "        .expected_response = 200;\n"
    "    }\n"
    "}\n"
    "acl purge { \"localhost\"; \"192.168.55.0\"/24; }\n"
    "sub vcl_init {\n"
    "    new vdir = directors.round_robin();\n"
    "    vdir.add_backend(server1);\n"
    "}\n"
    "sub vcl_recv {\n"
    "    set req.backend_hint = vdir.backend();\n"
    "    if (req.method == \"PURGE\") {\n"
    "        if (!client.ip ~ purge) {\n"
    "            return(synth(405, \"Not allowed.\"));\n"
    "        }\n"
    "        return (purge);\n"
    "    }\n"
    "    if (req.method == \"PRI\") {\n"
    "        return (synth(405));\n"
    "    }\n"
    "    if (!req.http.host &&\n"
    "      req.esi_level == 0 &&\n"
    "      req.proto ~ \"^(?i)HTTP/1.1\") {\n"
    "        return (synth(400));\n"
    "    }\n"
    "    if (req.method != \"GET\" &&\n"
    "      req.method != \"HEAD\" &&\n"
    "      req.method != \"PUT\" &&\n"
    "      req.method != \"POST\" &&\n"
    "      req.method != \"TRACE\" &&\n"
    "      req.method != \"OPTIONS\" &&\n"
    "      req.method != \"DELETE\" &&\n"
    "      req.method != \"PATCH\") {\n"
    "        /* Non-RFC2616 or CONNECT which is weird. */\n"
    "        return (pipe);\n"
    "    }\n"
    "    if (req.method != \"GET\" && req.method != \"HEAD\") {\n"
    "        return (pass);\n"
    "    }\n"
    "    if (req.http.Authorization || req.http.Cookie) {\n"
    "        return (pass);\n"
    "    }\n"
    "    return (hash);\n"
    "}\n"
    "sub vcl_hash {\n"
    "    hash_data(req.url);\n"
    "    if (req.http.host) {\n"
    "        hash_data(req.http.host);\n"
    "    } else {\n"
    "        hash_data(server.ip);\n"
    "    }\n"
    "    return (lookup);\n"
    "}\n"
    "sub vcl_backend_response {\n"
    "    if (bereq.uncacheable) {\n"
    "        return (deliver);\n"
    "    } else if (beresp.ttl <= 0s ||\n"
    "      beresp.http.Set-Cookie ||\n"
    "      beresp.http.Surrogate-control ~ \"(?i)no-store\" ||\n"
    "      (!beresp.http.Surrogate-Control &&\n"
    "        beresp.http.Cache-Control ~ \"(?i:no-cache|no-store|private)\") "
    "||\n"
    "      beresp.http.Vary == \"*\") {\n"
    "        # Mark as \"Hit-For-Miss\" for the next 2 minutes\n"
    "        set beresp.ttl = 120s;\n"
    "        set beresp.uncacheable = true;\n"
    "    }\n"
    "    return (deliver);\n"
    "}\n"
    "sub vcl_synth {\n"
    "    set resp.http.Content-Type = \"text/html; charset=utf-8\";\n"
    "    set resp.http.Retry-After = \"5\";\n"
    "    synthetic( {\"<!DOCTYPE html>\n"
    "<html>\n"
    "  <head>\n"
    "    <title>\"} + resp.status + \" \" + resp.reason + {\"</title>\n"
    "  </head>\n"
    "  <body>\n"
    "    <p>XID: \"} + req.xid + {\"</p>\n"
    "  </body>\n"
    "</html>\n"
    "\"} );\n"
    "    return (deliver);\n"
    "}\n";

static void
test_realistic(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(realistic, d);
	char *s = dump_str(a);

	(void)state;
	assert_int_equal(vcl_list_len(a->decls), 10);
	assert_non_null(strstr(s, "    if (!(client.ip ~ purge)) {\n"
				  "      return (synth(405, \"Not "
				  "allowed.\"));\n"));
	assert_non_null(strstr(s, "  } elsif ((beresp.ttl <= 0s) || "
				  "beresp.http.Set-Cookie || "));
	assert_non_null(strstr(s, "    .timeout = 1s;\n"));
	assert_non_null(strstr(s, "  synthetic((((((\"<!DOCTYPE html>\\n"));
	assert_non_null(strstr(s, "  hash_data(server.ip);\n"));
	free(s);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

/* --- appending and versions --- */

static void
test_append(void **state)
{
	static const char user[] =
	    "vcl 4.0;\nsub vcl_recv { return (pass); }\n";
	static const char builtin[] = "sub vcl_recv { return (hash); }\n";
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(user, d);
	char *s;

	(void)state;
	assert_int_equal(vcl_parse_append(a, "<builtin>", builtin,
					  strlen(builtin), VCL_PARSE_NO_VERSION,
					  d),
			 0);
	assert_int_equal(a->nsrc, 2);
	assert_int_equal(a->last->pos.src, 1);
	s = dump_str(a);
	assert_string_equal(s, "vcl 4.0;\nsub vcl_recv {\n  return (pass);\n}\n"
			       "// <builtin>\n"
			       "sub vcl_recv {\n  return (hash);\n}\n");
	free(s);
	/* without the flag the version is required */
	assert_int_equal(
	    vcl_parse_append(a, "b2", builtin, strlen(builtin), 0, d), -1);
	diag_is(
	    d, "b2", 1, 1,
	    "VCL version declaration missing: start with 'vcl 4.1;' (or 'vcl "
	    "4.0;'), got 'sub'");
	vcl_diag_clear(d);
	/* no version above the main one's */
	assert_int_equal(vcl_parse_append(a, "b3", "vcl 4.1;", 8, 0, d), -1);
	diag_is(d, "b3", 1, 5,
		"VCL version 4.1 is higher than the main VCL's 4.0");
	vcl_diag_clear(d);
	/* a failed append keeps the declarations completed before */
	assert_int_equal(vcl_parse_append(a, "b4",
					  "sub a { } sub b { set x = ; }", 29,
					  VCL_PARSE_NO_VERSION, d),
			 -1);
	diag_is(d, "b4", 1, 27, "expected an expression, got ';'");
	assert_int_equal(a->last->kind, VCL_N_SUB);
	assert_string_equal(a->last->u.decl.name, "a");
	assert_int_equal(vcl_list_len(a->decls), 4);
	vcl_ast_free(&a);
	/* an AST may begin with a flagged source */
	a = vcl_parse_string("x", "", 0, NULL);
	assert_null(a);
	vcl_diag_free(&d);
}

/* --- errors --- */

static void
test_decl_errors(void **state)
{
	(void)state;
	fails_with(
	    "", 1, 1,
	    "VCL version declaration missing: start with 'vcl 4.1;' (or 'vcl "
	    "4.0;'), got end of input");
	fails_with(
	    "sub x {}", 1, 1,
	    "VCL version declaration missing: start with 'vcl 4.1;' (or 'vcl "
	    "4.0;'), got 'sub'");
	fails_with("vcl 4;", 1, 5,
		   "expected a version (4.0 or 4.1) after 'vcl', got '4'");
	fails_with("vcl 4.10;", 1, 5,
		   "expected a version (4.0 or 4.1) after 'vcl', got '4.10'");
	fails_with("vcl 5.0;", 1, 5,
		   "VCL version 5.0 is not supported (4.0 and 4.1 are)");
	fails_with("vcl 4.1\nsub", 2, 1,
		   "expected ';' after the VCL version, got 'sub'");
	fails_with("vcl 4.0;\nvcl 4.1;", 2, 5,
		   "VCL version 4.1 is higher than the main VCL's 4.0");
	fails_with(
	    "vcl 4.1;\nfoo", 2, 1,
	    "expected a declaration ('vcl', 'import', 'include', 'backend', "
	    "'probe', 'acl' or 'sub'), got 'foo'");
	fails_with(
	    "vcl 4.1;\n{", 2, 1,
	    "expected a declaration ('vcl', 'import', 'include', 'backend', "
	    "'probe', 'acl' or 'sub'), got '{'");
	fails_with(
	    "vcl 4.1;\ndirector d round-robin { }", 2, 1,
	    "'director' is VCL 3: make directors with the directors vmod in "
	    "vcl_init");
	fails_with("vcl 4.1;\nimport ;", 2, 8, "expected a vmod name, got ';'");
	fails_with("vcl 4.1;\nimport a.b;", 2, 8,
		   "invalid vmod name 'a.b': a name cannot contain '.'");
	fails_with("vcl 4.1;\nimport std from x;", 2, 17,
		   "expected a path (a string) after 'from', got 'x'");
	fails_with("vcl 4.1;\nimport std", 2, 11,
		   "expected ';' after import statement, got end of input");
	fails_with("vcl 4.1;\nbackend {", 2, 9,
		   "expected a backend name, got '{'");
	fails_with("vcl 4.1;\nbackend b .host", 2, 11,
		   "expected '{' or 'none' after the backend name, got '.'");
	fails_with("vcl 4.1;\nbackend b none", 2, 15,
		   "expected ';' after 'none', got end of input");
	fails_with("vcl 4.1;\nbackend b { host = 1; }", 2, 13,
		   "expected a field ('.name = value;') or '}', got 'host'");
	fails_with("vcl 4.1;\nbackend b { . = 1; }", 2, 15,
		   "expected a field name after '.', got '='");
	fails_with("vcl 4.1;\nbackend b { .host \"x\"; }", 2, 19,
		   "expected '=' after '.host', got '\"x\"'");
	fails_with("vcl 4.1;\nbackend b { .host = \"x\" }", 2, 25,
		   "expected ';' after the value of '.host', got '}'");
	fails_with("vcl 4.1;\nbackend b { .host = ; }", 2, 21,
		   "expected an expression, got ';'");
	fails_with("vcl 4.1;\nbackend b { .probe = { .url = \"/\"; }", 2, 37,
		   "end of input inside a block: a '}' is missing");
	fails_with("vcl 4.1;\nacl a { \"x\";", 2, 13,
		   "end of input inside a block: a '}' is missing");
	fails_with("vcl 4.1;\nprobe p .url", 2, 9,
		   "expected '{' after the probe name, got '.'");
	fails_with("vcl 4.1;\nprobe { }", 2, 7,
		   "expected a probe name, got '{'");
	fails_with("vcl 4.1;\nacl a.b { }", 2, 5,
		   "invalid acl name 'a.b': a name cannot contain '.'");
	fails_with("vcl 4.1;\nacl a + { }", 2, 9,
		   "expected an acl flag name after '+', got '{'");
	fails_with("vcl 4.1;\nacl a \"x\";", 2, 7,
		   "expected '{' after the acl name, got '\"x\"'");
	fails_with("vcl 4.1;\nacl a { x; }", 2, 9,
		   "expected an address (a string) in the acl, got 'x'");
	fails_with("vcl 4.1;\nacl a { \"x\"/; }", 2, 13,
		   "expected a prefix length after '/', got ';'");
	fails_with("vcl 4.1;\nacl a { \"x\"/129; }", 2, 13,
		   "prefix length '129' is out of range (0 to 128)");
	fails_with("vcl 4.1;\nacl a { (\"x\"; }", 2, 13,
		   "expected ')' after the acl entry, got ';'");
	fails_with("vcl 4.1;\nacl a { \"x\" }", 2, 13,
		   "expected ';' after the acl entry, got '}'");
	fails_with("vcl 4.1;\nsub { }", 2, 5,
		   "expected a subroutine name, got '{'");
	fails_with("vcl 4.1;\nsub a.b { }", 2, 5,
		   "invalid subroutine name 'a.b': a name cannot contain '.'");
	fails_with("vcl 4.1;\nsub a ;", 2, 7,
		   "expected '{' after the subroutine name, got ';'");
	/* lexer errors come through with their place */
	fails_with(
	    "vcl 4.1;\nsub a {\n  set x = \"ab\n}", 3, 11,
	    "unterminated string (a \"...\" string cannot span lines; use "
	    "{\"...\"} for that)");
	fails_with("vcl 4.1;\n  C{ x }C", 2, 3, "inline C is not supported");
	fails_with("vcl 4.1;\n/* open", 2, 1, "unterminated /* comment");
}

static void
test_stmt_errors(void **state)
{
	(void)state;
	stmt_fails("set req.url = \"/\" req", 4, 1,
		   "expected ';' after set statement, got '}'");
	stmt_fails("  set req.url = \"/\";;", 3, 21,
		   "expected a statement or '}', got ';'");
	stmt_fails("set = 1;", 3, 5,
		   "expected a variable name after 'set', got '='");
	stmt_fails(
	    "set x 1;", 3, 7,
	    "expected '=', '+=', '-=', '*=' or '/=' after 'set x', got '1'");
	stmt_fails(
	    "set x == 1;", 3, 7,
	    "expected '=', '+=', '-=', '*=' or '/=' after 'set x', got '=='");
	stmt_fails("set x = 1 set y = 2;", 3, 11,
		   "expected ';' after set statement, got 'set'");
	stmt_fails("unset;", 3, 6,
		   "expected a variable name after 'unset', got ';'");
	stmt_fails("unset a b;", 3, 9,
		   "expected ';' after unset statement, got 'b'");
	stmt_fails("remove req.http.x;", 3, 1, "'remove' is VCL 3: use unset");
	stmt_fails("error 404 \"x\";", 3, 1,
		   "'error' is VCL 3: use return (synth(status, reason))");
	stmt_fails("esi;", 3, 1,
		   "'esi' is VCL 3: use set beresp.do_esi = true");
	stmt_fails("purge;", 3, 1,
		   "'purge' is VCL 3: use return (purge) in vcl_recv");
	stmt_fails("log \"x\";", 3, 1,
		   "'log' is VCL 3: use std.log() (import std)");
	stmt_fails("rollback;", 3, 1,
		   "'rollback' is not supported: use std.rollback()");
	stmt_fails("else { }", 3, 1, "'else' without 'if'");
	stmt_fails("elsif (a) { }", 3, 1, "'elsif' without 'if'");
	stmt_fails("call;", 3, 5,
		   "expected a subroutine name after 'call', got ';'");
	stmt_fails("call a b;", 3, 8,
		   "expected ';' after call statement, got 'b'");
	stmt_fails("new = x();", 3, 5, "expected an object name, got '='");
	stmt_fails("new a.b = x();", 3, 5,
		   "invalid object name 'a.b': a name cannot contain '.'");
	stmt_fails("new a x();", 3, 7, "expected '=' after 'new a', got 'x'");
	stmt_fails("new a = x()", 4, 1,
		   "expected ';' after new statement, got '}'");
	stmt_fails("hash_data req.url;", 3, 11,
		   "expected '(' after 'hash_data', got 'req.url'");
	stmt_fails("hash_data(req.url;", 3, 18,
		   "expected ')' after the argument of 'hash_data', got ';'");
	stmt_fails("synthetic(\"x\")", 4, 1,
		   "expected ';' after synthetic statement, got '}'");
	stmt_fails("ban();", 3, 5, "expected an expression, got ')'");
	stmt_fails("return pass;", 3, 8,
		   "expected '(' or ';' after 'return', got 'pass'");
	stmt_fails("return (\"x\");", 3, 9,
		   "expected an action after 'return (', got '\"x\"'");
	stmt_fails("return (pass;", 3, 13,
		   "expected ')' after the return action, got ';'");
	stmt_fails("return (pass)", 4, 1,
		   "expected ';' after return statement, got '}'");
	stmt_fails("return (synth(404 = 1));", 3, 19,
		   "expected ',' or ')' after an argument of 'synth', got '='");
	stmt_fails("if a { }", 3, 4, "expected '(' after 'if', got 'a'");
	stmt_fails("if (a { }", 3, 7,
		   "expected ')' after the if condition, got '{'");
	stmt_fails("if (a) call x;", 3, 8,
		   "expected '{' after the if condition, got 'call'");
	stmt_fails("if (a) { } elsif b { }", 3, 18,
		   "expected '(' after 'elsif', got 'b'");
	stmt_fails("if (a) { } else if b { }", 3, 20,
		   "expected '(' after 'else if', got 'b'");
	stmt_fails("if (a) { } else call x;", 3, 17,
		   "expected 'if' or '{' after 'else', got 'call'");
	stmt_fails("if () { }", 3, 5, "expected an expression, got ')'");
	stmt_fails("std.log(\"x\")", 4, 1,
		   "expected ';' after the call to 'std.log', got '}'");
	stmt_fails("std.log(\"x\",);", 3, 13,
		   "expected an expression, got ')'");
	stmt_fails(
	    "req.url = \"x\";", 3, 1,
	    "expected a statement, got 'req.url': an assignment starts with "
	    "'set'");
	stmt_fails(
	    "foo;", 3, 1,
	    "expected a statement, got 'foo' (statements: set, unset, if, "
	    "return, call, new, hash_data, synthetic, ban, or a function "
	    "call)");
	stmt_fails("\"x\";", 3, 1, "expected a statement or '}', got '\"x\"'");
	fails_with("vcl 4.1;\nsub a {\n  if (b) {\n", 4, 1,
		   "end of input inside a block: a '}' is missing");
}

static void
test_expr_errors(void **state)
{
	(void)state;
	stmt_fails("set x = ;", 3, 9, "expected an expression, got ';'");
	stmt_fails("set x = (1 + 2;", 3, 15,
		   "expected ')' to close the parenthesis, got ';'");
	stmt_fails("set x = 1 +;", 3, 12, "expected an expression, got ';'");
	stmt_fails("set x = a == b == c;", 3, 16,
		   "expected ';' after set statement, got '=='");
	stmt_fails("set x = !!a;", 3, 10, "expected an expression, got '!'");
	stmt_fails("set x = a || ;", 3, 14, "expected an expression, got ';'");
	stmt_fails("set x = f(a b;", 3, 14,
		   "expected ',' or ')' after an argument of 'f', got ';'");
	stmt_fails("set x = f(1, 2", 4, 1,
		   "expected ',' or ')' after an argument of 'f', got '}'");
	stmt_fails("set x = f(y=);", 3, 13, "expected an expression, got ')'");
	stmt_fails("set x = 1 . 2;", 3, 11,
		   "expected ';' after set statement, got '.'");
	stmt_fails("set x = \"a\" 1;", 3, 13,
		   "expected ';' after set statement, got '1'");
}

/* The printed form: place, line, caret; a tab stays a tab. */
static void
test_caret(void **state)
{
	static const char vcl[] = "vcl 4.1;\nsub vcl_recv {\n"
				  "\tset req.url = \"/\" req\n"
				  "\tset x = 1;\n}\n";
	struct vcl_diag *d = vcl_diag_new();
	char *s;

	(void)state;
	assert_null(vcl_parse_string("file.vcl", vcl, strlen(vcl), d));
	s = diag_str(d);
	assert_string_equal(
	    s,
	    "file.vcl:4:2: error: expected ';' after set statement, got 'set'\n"
	    "    \tset x = 1;\n"
	    "    \t^\n");
	free(s);
	vcl_diag_free(&d);

	d = vcl_diag_new();
	assert_null(
	    vcl_parse_string("f.vcl", "vcl 4.1;\n\t  sub x {\t@", 21, d));
	s = diag_str(d);
	assert_string_equal(s, "f.vcl:2:12: error: unexpected character '@'\n"
			       "    \t  sub x {\t@\n"
			       "    \t         \t^\n");
	free(s);
	vcl_diag_free(&d);
}

static void
test_diag_api(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok("vcl 4.1;\r\nsub a { }\r\n", d);
	struct vcl_pos pos = {.src = 0, .line = 2, .col = 5, .off = 14};
	const struct vcl_diag_msg *m;
	char *s;

	(void)state;
	vcl_diag_add(d, VCL_SEV_WARNING, a, &pos, "unused sub '%s'", "a");
	vcl_diag_add(d, VCL_SEV_NOTE, a, NULL, "no place");
	vcl_diag_add(d, VCL_SEV_ERROR, NULL, &pos, "no ast %d", 7);
	vcl_diag_add(NULL, VCL_SEV_ERROR, a, &pos, "dropped");
	assert_int_equal(vcl_diag_count(d), 3);
	assert_int_equal(vcl_diag_errors(d), 1);
	m = vcl_diag_get(d, 0);
	assert_string_equal(m->file, "t.vcl");
	assert_string_equal(m->srcline, "sub a { }"); /* no \r */
	assert_null(vcl_diag_get(d, 3));
	vcl_ast_free(&a);
	/* messages outlive the AST */
	s = diag_str(d);
	assert_string_equal(s, "t.vcl:2:5: warning: unused sub 'a'\n"
			       "    sub a { }\n"
			       "        ^\n"
			       "note: no place\n"
			       "error: no ast 7\n");
	free(s);
	vcl_diag_clear(d);
	assert_int_equal(vcl_diag_count(d), 0);
	assert_int_equal(vcl_diag_errors(d), 0);
	for (int i = 0; i < VCL_DIAG_MAX_MSGS + 5; i++)
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "e%d", i);
	assert_int_equal(vcl_diag_count(d), VCL_DIAG_MAX_MSGS);
	assert_int_equal(vcl_diag_errors(d), VCL_DIAG_MAX_MSGS + 5);
	vcl_diag_free(&d);
	assert_null(d);
	vcl_diag_free(&d);
}

/* --- includes --- */

static char tmpdir[64];

static void
write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
setup_dir(void **state)
{
	char path[256];

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_vcl_parse.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	snprintf(path, sizeof path, "%s/sub", tmpdir);
	return (mkdir(path, 0700));
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return (system(cmd));
}

/* Parse the file rel in tmpdir. */
static struct vcl_ast *
parse_rel(const char *rel, struct vcl_diag *d)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	return (vcl_parse_file(path, d));
}

static void
test_include(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;
	char *s, want[1024];

	(void)state;
	write_file("main.vcl", "vcl 4.1;\n"
			       "include \"sub/a.vcl\";\n"
			       "sub vcl_recv {\n"
			       "  include \"sub/stmts.vcl\";\n"
			       "  return (hash);\n"
			       "}\n");
	write_file("sub/a.vcl", "vcl 4.0;\nbackend a none;\ninclude "
				"\"b.vcl\";\nacl x { }\n");
	write_file("sub/b.vcl", "probe p { .url = \"/\"; }\n");
	write_file("sub/stmts.vcl", "set req.http.a = 1;\n");
	a = parse_rel("main.vcl", d);
	assert_non_null(a);
	assert_int_equal(a->nsrc, 4);
	s = dump_str(a);
	snprintf(want, sizeof want,
		 "vcl 4.1;\n"
		 "// %s/sub/a.vcl\n"
		 "vcl 4.0;\n"
		 "backend a none;\n"
		 "// %s/sub/b.vcl\n"
		 "probe p {\n  .url = \"/\";\n}\n"
		 "// %s/sub/a.vcl\n"
		 "acl x {\n}\n"
		 "// %s/main.vcl\n"
		 "sub vcl_recv {\n  set req.http.a = 1;\n  return (hash);\n}\n",
		 tmpdir, tmpdir, tmpdir, tmpdir);
	assert_string_equal(s, want);
	free(s);
	/* where each came from */
	assert_int_equal(a->srcs[1]->parent, 0);
	assert_int_equal(a->srcs[1]->incl.line, 2);
	assert_int_equal(a->srcs[2]->parent, 1);
	assert_int_equal(a->srcs[2]->incl.line, 3);
	assert_int_equal(a->decls->next->next->next->pos.src, 2);
	assert_int_equal(a->last->u.decl.items->pos.src, 3);
	assert_int_equal(a->last->u.decl.items->pos.line, 1);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

static void
test_include_errors(void **state)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;
	char path[256], name[32], text[64];

	(void)state;
	/* a missing file: at its name in the include statement */
	write_file("m1.vcl", "vcl 4.1;\n\n   include \"nope.vcl\";\n");
	assert_null(parse_rel("m1.vcl", d));
	snprintf(path, sizeof path, "%s/m1.vcl", tmpdir);
	{
		char msg[512];
		snprintf(msg, sizeof msg,
			 "cannot open '%s/nope.vcl': No such file or directory",
			 tmpdir);
		diag_is(d, path, 3, 12, msg);
	}
	vcl_diag_clear(d);
	/* a cycle */
	write_file("c1.vcl", "vcl 4.1;\ninclude \"c2.vcl\";\n");
	write_file("c2.vcl", "sub x { }\n  include \"c1.vcl\";\n");
	assert_null(parse_rel("c1.vcl", d));
	snprintf(path, sizeof path, "%s/c2.vcl", tmpdir);
	{
		char msg[512];
		snprintf(msg, sizeof msg,
			 "include cycle: '%s/c1.vcl' is already being read",
			 tmpdir);
		diag_is(d, path, 2, 11, msg);
	}
	vcl_diag_clear(d);
	/* too deep: d0 includes d1 ... d11 */
	for (int i = 0; i <= 11; i++) {
		snprintf(name, sizeof name, "d%d.vcl", i);
		snprintf(text, sizeof text, "%sinclude \"d%d.vcl\";\n",
			 i == 0 ? "vcl 4.1;\n" : "", i + 1);
		write_file(name, text);
	}
	write_file("d12.vcl", "sub x { }\n");
	assert_null(parse_rel("d0.vcl", d));
	snprintf(path, sizeof path, "%s/d10.vcl", tmpdir);
	diag_is(d, path, 1, 1,
		"includes nested too deeply (more than 10 levels)");
	vcl_diag_clear(d);
	/* ten levels are fine */
	write_file("d10.vcl", "sub x { }\n");
	a = parse_rel("d0.vcl", d);
	assert_non_null(a);
	assert_int_equal(a->nsrc, 11);
	vcl_ast_free(&a);
	/* bad include statements */
	fails_with("vcl 4.1;\ninclude x;", 2, 9,
		   "expected a file name (a string) after 'include', got 'x'");
	fails_with("vcl 4.1;\ninclude \"x.vcl\"", 2, 16,
		   "expected ';' after include statement, got end of input");
	fails_with("vcl 4.1;\ninclude \"\";", 2, 1,
		   "include of an empty file name");
	/* a directory */
	fails_with("vcl 4.1;\ninclude \"/\";", 2, 9,
		   "cannot open '/': Is a directory");
	/* only regular files: never wait on a FIFO */
	snprintf(path, sizeof path, "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	write_file("f.vcl", "vcl 4.1;\ninclude \"fifo\";\n");
	assert_null(parse_rel("f.vcl", d));
	{
		char msg[512], file[256];
		snprintf(msg, sizeof msg,
			 "cannot open '%s/fifo': not a regular file", tmpdir);
		snprintf(file, sizeof file, "%s/f.vcl", tmpdir);
		diag_is(d, file, 2, 9, msg);
	}
	vcl_diag_clear(d);
	fails_with("vcl 4.1;\ninclude \"/dev/null\";", 2, 9,
		   "cannot open '/dev/null': not a regular file");
	/* untrusted text may not include */
	a = vcl_parse_string("t.vcl", "vcl 4.1;", 8, d);
	assert_non_null(a);
	assert_int_equal(vcl_parse_append(a, "u.vcl", "include \"x\";", 12,
					  VCL_PARSE_NO_INCLUDE, d),
			 -1);
	diag_is(d, "u.vcl", 1, 1, "include is not allowed here");
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

/* A text in memory includes relative to the working directory. */
static void
test_include_string(void **state)
{
	static const char vcl[] = "vcl 4.1;\ninclude \"sub/b2.vcl\";\n";
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;
	char cwd[512];

	(void)state;
	write_file("sub/b2.vcl", "sub from_b2 { }\n");
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmpdir), 0);
	a = vcl_parse_string("inline", vcl, strlen(vcl), d);
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(a);
	assert_string_equal(a->srcs[1]->name, "sub/b2.vcl");
	assert_string_equal(a->last->u.decl.name, "from_b2");
	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

static void
test_file_errors(void **state)
{
	struct vcl_diag *d = vcl_diag_new();

	(void)state;
	assert_null(vcl_parse_file("/nonexistent/x.vcl", d));
	diag_is(d, NULL, 0, 0,
		"cannot open '/nonexistent/x.vcl': No such file or directory");
	vcl_diag_free(&d);
	/* d may be NULL */
	assert_null(vcl_parse_file("/nonexistent/x.vcl", NULL));
}

/* --- limits --- */

/* A buffer of prefix, n times rep, mid, n times close, suffix. */
static char *
nest(const char *prefix, const char *rep, int n, const char *mid,
     const char *close, const char *suffix)
{
	size_t len = strlen(prefix) +
		     (strlen(rep) + strlen(close)) * (size_t)n + strlen(mid) +
		     strlen(suffix) + 1;
	char *s = malloc(len), *p = s;

	assert_non_null(s);
	p += sprintf(p, "%s", prefix);
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s", rep);
	p += sprintf(p, "%s", mid);
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s", close);
	sprintf(p, "%s", suffix);
	return (s);
}

static void
parse_fails_msg(const char *vcl, const char *msg)
{
	struct vcl_diag *d = vcl_diag_new();

	assert_null(vcl_parse_string("t.vcl", vcl, strlen(vcl), d));
	assert_non_null(vcl_diag_get(d, 0));
	assert_string_equal(vcl_diag_get(d, 0)->text, msg);
	vcl_diag_free(&d);
}

static void
parses(const char *vcl)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a = parse_ok(vcl, d);

	vcl_ast_free(&a);
	vcl_diag_free(&d);
}

static void
test_limits(void **state)
{
	char *s;

	(void)state;
	s = nest(SUB_HEAD "set x = ", "(", 10000, "1", ")", ";\n}\n");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	s = nest(SUB_HEAD "set x = ", "f(", 5000, "1", ")", ";\n}\n");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	s = nest(SUB_HEAD "set x = ", "-", 5000, "a", "", ";\n}\n");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	s = nest(SUB_HEAD, "if (a) {", 5000, "", "}", "\n}\n");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	s = nest(SUB_HEAD, "{", 5000, "", "}", "\n}\n");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	s = nest("vcl 4.1; backend b ", "{ .p = ", 5000, "{", "}", "");
	parse_fails_msg(s, "nesting too deep (more than 100 levels)");
	free(s);
	/* 60 levels are fine */
	s = nest(SUB_HEAD "set x = ", "(", 60, "1", ")", ";\n}\n");
	parses(s);
	free(s);
	s = nest(SUB_HEAD, "if (a) {", 60, "", "}", "\n}\n");
	parses(s);
	free(s);
	/* a long chain of + makes a deep tree: bounded */
	s = nest(SUB_HEAD "set x = 1", " + 1", 5000, "", "", ";\n}\n");
	parse_fails_msg(s, "too deeply nested: the syntax tree would be more "
			   "than 400 levels deep");
	free(s);
	/* long || chains, juxtapositions and elsif chains stay flat */
	s = nest(SUB_HEAD "if (a", " || a", 5000, "", "", ") { }\n}\n");
	parses(s);
	free(s);
	s = nest(SUB_HEAD "set x = a", " \"b\"", 5000, "", "", ";\n}\n");
	parses(s);
	free(s);
	s = nest(SUB_HEAD "if (a) { }", " elsif (b) { }", 5000, "", "",
		 "\n}\n");
	parses(s);
	free(s);
}

static void
test_size_limit(void **state)
{
	size_t n = VCL_MAX_SOURCE_BYTES + 1;
	char *s = malloc(n);
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;

	(void)state;
	assert_non_null(s);
	memset(s, ' ', n);
	memcpy(s, "vcl 4.1;", 8);
	assert_null(vcl_parse_string("big.vcl", s, n, d));
	diag_is(d, NULL, 0, 0,
		"'big.vcl' is too large: the VCL would exceed 16 MiB");
	vcl_diag_clear(d);
	/* just below: fine */
	a = vcl_parse_string("big.vcl", s, n - 1, d);
	assert_non_null(a);
	vcl_ast_free(&a);
	free(s);
	vcl_diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decls),
	    cmocka_unit_test(test_decl_nodes),
	    cmocka_unit_test(test_stmts),
	    cmocka_unit_test(test_if),
	    cmocka_unit_test(test_if_nodes),
	    cmocka_unit_test(test_literals),
	    cmocka_unit_test(test_number_values),
	    cmocka_unit_test(test_calls),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_concat),
	    cmocka_unit_test(test_realistic),
	    cmocka_unit_test(test_append),
	    cmocka_unit_test(test_decl_errors),
	    cmocka_unit_test(test_stmt_errors),
	    cmocka_unit_test(test_expr_errors),
	    cmocka_unit_test(test_caret),
	    cmocka_unit_test(test_diag_api),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_include_errors),
	    cmocka_unit_test(test_include_string),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_size_limit),
	};
	return (cmocka_run_group_tests(tests, setup_dir, teardown_dir));
}
