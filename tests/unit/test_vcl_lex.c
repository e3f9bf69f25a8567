/* test_vcl_lex.c: the VCL lexer: every token kind, positions, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_lex.h"

#define MAXTOK 64

struct lexed {
	struct vcl_lex lx;
	struct vcl_tok t[MAXTOK];
	unsigned n; /* tokens up to and including EOF or ERROR */
};

/* Scan s to its end or first error into x. */
static void
lex_all(struct lexed *x, const char *s)
{
	vcl_lex_init(&x->lx, 3, s, strlen(s));
	for (x->n = 0; x->n < MAXTOK; x->n++) {
		enum vcl_tok_kind k = vcl_lex_next(&x->lx, &x->t[x->n]);
		if (k == VCL_TK_EOF || k == VCL_TK_ERROR) {
			x->n++;
			return;
		}
	}
	fail_msg("too many tokens");
}

/* The i-th token has kind k, text txt, at line:col. */
static void
tok_is(const struct lexed *x, unsigned i, enum vcl_tok_kind k, const char *txt,
       unsigned line, unsigned col)
{
	const struct vcl_tok *t;

	assert_true(i < x->n);
	t = &x->t[i];
	if (t->kind != k)
		fail_msg("token %u: kind %s, expected %s", i,
			 vcl_tok_kind_name(t->kind), vcl_tok_kind_name(k));
	if (txt != NULL) {
		assert_int_equal(t->len, strlen(txt));
		assert_memory_equal(t->p, txt, t->len);
	}
	assert_int_equal(t->pos.src, 3);
	assert_int_equal(t->pos.line, line);
	assert_int_equal(t->pos.col, col);
}

/* s fails with message msg at line:col. */
static void
lex_fails(const char *s, const char *msg, unsigned line, unsigned col)
{
	struct lexed x;
	struct vcl_tok again;

	lex_all(&x, s);
	tok_is(&x, x.n - 1, VCL_TK_ERROR, NULL, line, col);
	assert_string_equal(x.lx.err, msg);
	/* the lexer stays on its error */
	assert_int_equal(vcl_lex_next(&x.lx, &again), VCL_TK_ERROR);
	assert_int_equal(again.pos.line, line);
	assert_int_equal(again.pos.col, col);
}

static void
test_punct(void **state)
{
	static const struct {
		const char *s;
		enum vcl_tok_kind k;
	} ops[] = {
	    {"{", VCL_TK_LBRACE},      {"}", VCL_TK_RBRACE},
	    {"(", VCL_TK_LPAREN},      {")", VCL_TK_RPAREN},
	    {";", VCL_TK_SEMI},        {",", VCL_TK_COMMA},
	    {".", VCL_TK_DOT},         {"=", VCL_TK_ASSIGN},
	    {"==", VCL_TK_EQ},         {"!=", VCL_TK_NE},
	    {"<", VCL_TK_LT},          {">", VCL_TK_GT},
	    {"<=", VCL_TK_LE},         {">=", VCL_TK_GE},
	    {"~", VCL_TK_MATCH},       {"!~", VCL_TK_NOMATCH},
	    {"&&", VCL_TK_AND},        {"||", VCL_TK_OR},
	    {"!", VCL_TK_NOT},         {"+", VCL_TK_PLUS},
	    {"-", VCL_TK_MINUS},       {"*", VCL_TK_STAR},
	    {"/", VCL_TK_SLASH},       {"+=", VCL_TK_ADD_ASSIGN},
	    {"-=", VCL_TK_SUB_ASSIGN}, {"*=", VCL_TK_MUL_ASSIGN},
	    {"/=", VCL_TK_DIV_ASSIGN},
	};
	char buf[256] = "";
	struct lexed x;
	unsigned col = 1;

	(void)state;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		strcat(buf, ops[i].s);
		strcat(buf, " ");
	}
	lex_all(&x, buf);
	assert_int_equal(x.n, sizeof ops / sizeof ops[0] + 1);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		tok_is(&x, (unsigned)i, ops[i].k, ops[i].s, 1, col);
		col += (unsigned)strlen(ops[i].s) + 1;
	}
	tok_is(&x, x.n - 1, VCL_TK_EOF, "", 1, col);
	/* no blanks: the longest operator wins */
	lex_all(&x, "a!~b<=c==!d");
	tok_is(&x, 1, VCL_TK_NOMATCH, "!~", 1, 2);
	tok_is(&x, 3, VCL_TK_LE, "<=", 1, 5);
	tok_is(&x, 5, VCL_TK_EQ, "==", 1, 8);
	tok_is(&x, 6, VCL_TK_NOT, "!", 1, 10);
}

static void
test_identifiers(void **state)
{
	struct lexed x;

	(void)state;
	lex_all(&x, "req.http.X-Forwarded-For std.tolower beresp.ttl a-b a - b "
		    "e1xam_p-le req.http.1x x. y..z");
	tok_is(&x, 0, VCL_TK_ID, "req.http.X-Forwarded-For", 1, 1);
	tok_is(&x, 1, VCL_TK_ID, "std.tolower", 1, 26);
	tok_is(&x, 2, VCL_TK_ID, "beresp.ttl", 1, 38);
	tok_is(&x, 3, VCL_TK_ID, "a-b", 1, 49);
	tok_is(&x, 4, VCL_TK_ID, "a", 1, 53);
	tok_is(&x, 5, VCL_TK_MINUS, "-", 1, 55);
	tok_is(&x, 6, VCL_TK_ID, "b", 1, 57);
	tok_is(&x, 7, VCL_TK_ID, "e1xam_p-le", 1, 59);
	tok_is(&x, 8, VCL_TK_ID, "req.http.1x", 1, 70);
	/* a '.' joins only when a name character follows */
	tok_is(&x, 9, VCL_TK_ID, "x", 1, 82);
	tok_is(&x, 10, VCL_TK_DOT, ".", 1, 83);
	tok_is(&x, 11, VCL_TK_ID, "y", 1, 85);
	tok_is(&x, 12, VCL_TK_DOT, ".", 1, 86);
	tok_is(&x, 13, VCL_TK_DOT, ".", 1, 87);
	tok_is(&x, 14, VCL_TK_ID, "z", 1, 88);
	tok_is(&x, 15, VCL_TK_EOF, "", 1, 89);
	/* backend fields: '.' then a name */
	lex_all(&x, ".host=\"x\";");
	tok_is(&x, 0, VCL_TK_DOT, ".", 1, 1);
	tok_is(&x, 1, VCL_TK_ID, "host", 1, 2);
	tok_is(&x, 2, VCL_TK_ASSIGN, "=", 1, 6);
	tok_is(&x, 3, VCL_TK_STRING, "\"x\"", 1, 7);
	tok_is(&x, 4, VCL_TK_SEMI, ";", 1, 10);
}

static void
test_numbers(void **state)
{
	struct lexed x;

	(void)state;
	lex_all(&x, "0 42 1.5 4.0 10s 1.5h 2w 100ms 3m 1d 1y 10MB 1B 2KB 3GB "
		    "4TB 9223372036854775807");
	tok_is(&x, 0, VCL_TK_INT, "0", 1, 1);
	tok_is(&x, 1, VCL_TK_INT, "42", 1, 3);
	assert_int_equal(x.t[1].i, 42);
	tok_is(&x, 2, VCL_TK_REAL, "1.5", 1, 6);
	assert_true(x.t[2].num == 1.5);
	tok_is(&x, 3, VCL_TK_REAL, "4.0", 1, 10);
	tok_is(&x, 4, VCL_TK_DURATION, "10s", 1, 14);
	assert_int_equal(x.t[4].unit, VCL_U_S);
	assert_int_equal(x.t[4].numlen, 2);
	assert_true(x.t[4].num == 10.0);
	tok_is(&x, 5, VCL_TK_DURATION, "1.5h", 1, 18);
	assert_int_equal(x.t[5].unit, VCL_U_H);
	assert_true(x.t[5].num * vcl_unit_factor(x.t[5].unit) == 5400.0);
	tok_is(&x, 6, VCL_TK_DURATION, "2w", 1, 23);
	tok_is(&x, 7, VCL_TK_DURATION, "100ms", 1, 26);
	assert_int_equal(x.t[7].unit, VCL_U_MS);
	tok_is(&x, 8, VCL_TK_DURATION, "3m", 1, 32);
	tok_is(&x, 9, VCL_TK_DURATION, "1d", 1, 35);
	tok_is(&x, 10, VCL_TK_DURATION, "1y", 1, 38);
	assert_true(vcl_unit_factor(x.t[10].unit) == 31536000.0);
	tok_is(&x, 11, VCL_TK_BYTES, "10MB", 1, 41);
	assert_int_equal(x.t[11].unit, VCL_U_MB);
	assert_true(vcl_unit_is_bytes(x.t[11].unit));
	tok_is(&x, 12, VCL_TK_BYTES, "1B", 1, 46);
	tok_is(&x, 13, VCL_TK_BYTES, "2KB", 1, 49);
	tok_is(&x, 14, VCL_TK_BYTES, "3GB", 1, 53);
	tok_is(&x, 15, VCL_TK_BYTES, "4TB", 1, 57);
	assert_true(vcl_unit_factor(x.t[15].unit) == 1099511627776.0);
	tok_is(&x, 16, VCL_TK_INT, "9223372036854775807", 1, 61);
	assert_true(x.t[16].i == INT64_MAX);
	/* a unit is not followed by '-': 10s-5s is a subtraction */
	lex_all(&x, "10s-5s 1.x");
	tok_is(&x, 0, VCL_TK_DURATION, "10s", 1, 1);
	tok_is(&x, 1, VCL_TK_MINUS, "-", 1, 4);
	tok_is(&x, 2, VCL_TK_DURATION, "5s", 1, 5);
	tok_is(&x, 3, VCL_TK_INT, "1", 1, 8);
	tok_is(&x, 4, VCL_TK_DOT, ".", 1, 9);
	tok_is(&x, 5, VCL_TK_ID, "x", 1, 10);
	assert_int_equal(vcl_unit_parse("KB", 2), VCL_U_KB);
	assert_int_equal(vcl_unit_parse("kb", 2), VCL_U_NONE);
	assert_string_equal(vcl_unit_name(VCL_U_MS), "ms");
}

static void
test_strings(void **state)
{
	struct lexed x;

	(void)state;
	lex_all(&x, "\"a b\" \"%41\\n\" \"\" {\"long\nstring \"quoted\" \"} "
		    "\"\"\"tri\"ple\n\"\"\" x");
	tok_is(&x, 0, VCL_TK_STRING, "\"a b\"", 1, 1);
	assert_int_equal(x.t[0].slen, 3);
	assert_memory_equal(x.t[0].s, "a b", 3);
	assert_int_equal(x.t[0].quote, VCL_Q_PLAIN);
	/* no escapes, no %xx decoding */
	tok_is(&x, 1, VCL_TK_STRING, "\"%41\\n\"", 1, 7);
	assert_int_equal(x.t[1].slen, 5);
	assert_memory_equal(x.t[1].s, "%41\\n", 5);
	tok_is(&x, 2, VCL_TK_STRING, "\"\"", 1, 15);
	assert_int_equal(x.t[2].slen, 0);
	tok_is(&x, 3, VCL_TK_STRING, NULL, 1, 18);
	assert_int_equal(x.t[3].quote, VCL_Q_BRACE);
	assert_int_equal(x.t[3].slen, strlen("long\nstring \"quoted\" "));
	assert_memory_equal(x.t[3].s, "long\nstring \"quoted\" ", x.t[3].slen);
	tok_is(&x, 4, VCL_TK_STRING, NULL, 2, 20);
	assert_int_equal(x.t[4].quote, VCL_Q_TRIPLE);
	assert_int_equal(x.t[4].slen, strlen("tri\"ple\n"));
	assert_memory_equal(x.t[4].s, "tri\"ple\n", x.t[4].slen);
	tok_is(&x, 5, VCL_TK_ID, "x", 3, 5);
}

static void
test_comments_positions(void **state)
{
	struct lexed x;

	(void)state;
	lex_all(&x, "# hash\n"
		    "a // slashes\n"
		    "\tb /* block\n"
		    " over lines */ c\n"
		    "\t\t\"s\"\t{\n"
		    "\r\n"
		    "d#end");
	tok_is(&x, 0, VCL_TK_ID, "a", 2, 1);
	tok_is(&x, 1, VCL_TK_ID, "b", 3, 2); /* a tab is one byte */
	tok_is(&x, 2, VCL_TK_ID, "c", 4, 16);
	tok_is(&x, 3, VCL_TK_STRING, "\"s\"", 5, 3);
	tok_is(&x, 4, VCL_TK_LBRACE, "{", 5, 7);
	tok_is(&x, 5, VCL_TK_ID, "d", 7, 1);
	tok_is(&x, 6, VCL_TK_EOF, "", 7, 6);
	assert_int_equal(x.t[5].pos.off, strlen("# hash\na // slashes\n\tb "
						"/* block\n over lines */ "
						"c\n\t\t\"s\"\t{\n\r\n"));
	/* a text that is not NUL-terminated is read to its length only */
	vcl_lex_init(&x.lx, 0, "ab cd", 2);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[0]), VCL_TK_ID);
	assert_int_equal(x.t[0].len, 2);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[1]), VCL_TK_EOF);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[1]), VCL_TK_EOF);
}

static void
test_errors(void **state)
{
	(void)state;
	lex_fails("a \"abc", "unterminated string", 1, 3);
	lex_fails(
	    "x\n  \"ab\ncd\"",
	    "unterminated string (a \"...\" string cannot span lines; use "
	    "{\"...\"} for that)",
	    2, 3);
	lex_fails("a {\"abc\"", "unterminated long string", 1, 3);
	lex_fails("\n\"\"\"abc\"\"", "unterminated long string", 2, 1);
	lex_fails("a\n /* x * / ", "unterminated /* comment", 2, 2);
	lex_fails("/* a /* b */",
		  "'/*' inside a /* comment (comments do not "
		  "nest)",
		  1, 6);
	lex_fails("sub x {\n\tC{ int x; }C\n}", "inline C is not supported", 2,
		  2);
	lex_fails("a @ b", "unexpected character '@'", 1, 3);
	lex_fails("a % b", "unexpected character '%'", 1, 3);
	lex_fails("a \x01", "unexpected byte 0x01", 1, 3);
	lex_fails("a \xc3\xa9", "unexpected byte 0xc3", 1, 3);
	lex_fails(
	    "x = 10 xs 10xs;",
	    "unknown unit 'xs' (durations: ms, s, m, h, d, w, y; bytes: B, "
	    "KB, MB, GB, TB)",
	    1, 13);
	lex_fails("10sec",
		  "unknown unit 'sec' (durations: ms, s, m, h, d, w, "
		  "y; bytes: B, KB, MB, GB, TB)",
		  1, 3);
	lex_fails("1.5kb",
		  "unknown unit 'kb' (durations: ms, s, m, h, d, w, "
		  "y; bytes: B, KB, MB, GB, TB)",
		  1, 4);
	lex_fails("  99999999999999999999",
		  "integer '99999999999999999999' is too large", 1, 3);
	lex_fails(
	    "1234567890123456789012345678901234567890123456789012345678901"
	    "234567890",
	    "number too long (more than 64 digits)", 1, 1);
}

static void
test_nul(void **state)
{
	struct lexed x;
	static const char s[] = "a \"b\0c\" d";
	static const char t[] = "a \0";

	(void)state;
	vcl_lex_init(&x.lx, 3, s, sizeof s - 1);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[0]), VCL_TK_ID);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[1]), VCL_TK_ERROR);
	assert_string_equal(x.lx.err, "NUL byte in a string");
	assert_int_equal(x.t[1].pos.col, 5);
	vcl_lex_init(&x.lx, 3, t, sizeof t - 1);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[0]), VCL_TK_ID);
	assert_int_equal(vcl_lex_next(&x.lx, &x.t[1]), VCL_TK_ERROR);
	assert_string_equal(x.lx.err, "unexpected byte 0x00");
}

/* Many strings on one long line: linear (a quadratic scan would hang). */
static void
test_long_line(void **state)
{
	size_t n = 200000, len = n * 4;
	char *s = malloc(len + 1);
	struct vcl_lex lx;
	struct vcl_tok t;
	size_t count = 0;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * 4, "\"a\" ", 4);
	s[len] = '\0';
	vcl_lex_init(&lx, 0, s, len);
	while (vcl_lex_next(&lx, &t) == VCL_TK_STRING)
		count++;
	assert_int_equal(t.kind, VCL_TK_EOF);
	assert_int_equal(count, n);
	assert_int_equal(t.pos.col, len + 1);
	free(s);
}

static void
test_describe(void **state)
{
	struct lexed x;
	char b[VCL_TOK_QUOTE_MAX + 16];

	(void)state;
	lex_all(&x, "req {\"two\nlines\"} "
		    "\"0123456789012345678901234567890123456789xyz\"");
	assert_string_equal(vcl_tok_describe(&x.t[0], b, sizeof b), "'req'");
	assert_string_equal(vcl_tok_describe(&x.t[1], b, sizeof b),
			    "'{\"two...'");
	assert_string_equal(vcl_tok_describe(&x.t[2], b, sizeof b),
			    "'\"012345678901234567890123456789012345678...'");
	assert_string_equal(vcl_tok_describe(&x.t[3], b, sizeof b),
			    "end of input");
	assert_string_equal(vcl_tok_kind_name(VCL_TK_NOMATCH), "!~");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_punct),
	    cmocka_unit_test(test_identifiers),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_comments_positions),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_nul),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_describe),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
