/*
 * fuzz_vcl_parse.c: libFuzzer target for the VCL lexer and parser
 * (vcl/vcl_lex.c, vcl/vcl_parse*.c, vcl/vcl_dump.c, vcl/vcl_diag.c).
 *
 * abort()s when a promise breaks:
 * - the lexer's tokens lie inside the input, in order, and their line and
 *   column match a count of the bytes before them;
 * - a parse returns an AST exactly when it reports no error, and a failed
 *   one reports exactly one error (the parser stops at the first);
 * - every message's place is inside its source (line >= 1, col >= 1);
 * - no node is deeper than VCL_MAX_DEPTH; the dump and the printer run.
 * An input that mentions "include" is parsed with VCL_PARSE_NO_INCLUDE
 * after a base source, so the fuzzer never reads files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_vcl_parse: invariant %s\n", #x); \
			abort();                                               \
		}                                                              \
	} while (0)

/* Tokens in order, inside the text, at the line and column counted. */
static void
check_lexer(const char *text, size_t len)
{
	struct vcl_lex lx;
	struct vcl_tok t;
	size_t off = 0;
	unsigned line = 1, col = 1;

	vcl_lex_init(&lx, 0, text, len);
	for (;;) {
		enum vcl_tok_kind k = vcl_lex_next(&lx, &t);
		CHECK(t.pos.off >= off && t.pos.off <= len);
		for (; off < t.pos.off; off++) {
			if (text[off] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		CHECK(t.pos.line == line && t.pos.col == col);
		if (k == VCL_TK_EOF || k == VCL_TK_ERROR)
			break;
		CHECK(t.len > 0 && t.p == text + t.pos.off);
		CHECK(t.pos.off + t.len <= len);
		if (k == VCL_TK_STRING)
			CHECK(t.s >= t.p && t.s + t.slen <= t.p + t.len);
	}
	if (lx.failed)
		CHECK(lx.err[0] != '\0');
}

static void
check_depth(const struct vcl_ast *a)
{
	for (const struct vcl_node *n = a->decls; n != NULL; n = n->next) {
		CHECK(n->magic == VCL_NODE_MAGIC);
		CHECK(n->depth >= 1 && n->depth <= VCL_MAX_DEPTH);
		CHECK(n->pos.src < a->nsrc);
	}
}

static void
check_diag(const struct vcl_diag *d, int ok)
{
	unsigned errs = vcl_diag_errors(d);
	FILE *f = fopen("/dev/null", "w");

	CHECK(ok ? errs == 0 : errs == 1);
	for (unsigned i = 0; i < vcl_diag_count(d); i++) {
		const struct vcl_diag_msg *m = vcl_diag_get(d, i);
		CHECK(m->text != NULL);
		if (m->file != NULL)
			CHECK(m->line >= 1 && m->col >= 1);
	}
	if (f != NULL) {
		vcl_diag_print(d, f);
		fclose(f);
	}
}

static void
use_ast(const struct vcl_ast *a)
{
	FILE *f = fopen("/dev/null", "w");

	check_depth(a);
	if (f != NULL) {
		vcl_ast_dump(a, f);
		fclose(f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;
	char *text;
	int r;

	text = malloc(size ? size : 1);
	CHECK(text != NULL && d != NULL);
	memcpy(text, data, size);
	check_lexer(text, size);
	if (memmem(text, size, "include", 7) == NULL) {
		a = vcl_parse_string("fuzz.vcl", text, size, d);
		check_diag(d, a != NULL);
	} else {
		a = vcl_parse_string("base.vcl", "vcl 4.1;", 8, d);
		CHECK(a != NULL);
		r = vcl_parse_append(
		    a, "fuzz.vcl", text, size,
		    VCL_PARSE_NO_VERSION | VCL_PARSE_NO_INCLUDE, d);
		check_diag(d, r == 0);
	}
	if (a != NULL)
		use_ast(a);
	vcl_ast_free(&a);
	vcl_diag_free(&d);
	free(text);
	return (0);
}
