/*
 * fuzz_vcl_check.c: libFuzzer target for the VCL checker and compiler
 * (vcl/vcl_check*.c, vcl_acl.c, vcl_re.c, vcl_load.c) and the interpreter
 * (vcl_exec.c, vcl_conv.c, vcl_std.c, vcl_dir.c).
 *
 * The input is VCL text. It is parsed as fuzz_vcl_parse does (an input
 * that mentions "include" goes after a base source with
 * VCL_PARSE_NO_INCLUDE, so no file is read), the built-in VCL appended
 * (as vcl_load does), checked and compiled with vcl_check. When it loads,
 * every built-in subroutine runs once (vcl_init first, vcl_fini last)
 * against a mock host: fixed variables, a few headers, a 4 KiB arena,
 * host operations that never fail. An input starting with the comment
 * "#F<n>" (n decimal) runs them all a second time with a host whose
 * operations fail after n calls and whose arena holds 8 * n bytes.
 *
 * DNS: an ACL entry that is neither a numeric address (getaddrinfo with
 * AI_NUMERICHOST) nor "localhost" (/etc/hosts) would make the checker
 * resolve a name; such inputs are skipped after the parse.
 *
 * abort()s when a promise breaks:
 * - vcl_check returns a program exactly when it reports no error;
 * - every message with a file has line >= 1 and col >= 1, and every
 *   error has a file (a bad VCL is reported at file:line:column);
 * - vcl_run returns an action its subroutine allows, or fail, and the
 *   same action in its struct vcl_ret.
 */
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "vcl/vcl_check_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_vcl_check: invariant %s\n", #x); \
			abort();                                               \
		}                                                              \
	} while (0)

/* --- the mock host ------------------------------------------------------ */

#define MOCK_NHDR 24
struct mock_hdr {
	enum vcl_where where;
	char name[64];
	struct vcl_str val;
};

struct vcl_ctx {
	const struct vcl_prog *p;
	struct mock_hdr hdr[MOCK_NHDR];
	unsigned nhdr;
	union vcl_val vars[VCL_V__MAX];
	_Alignas(16) char arena[4096];
	size_t used, limit;
	int failing;	 /* the operations fail once calls reaches fail_after */
	unsigned calls, fail_after;
};

static const struct vcl_ip mock_ip4 = {4, {192, 0, 2, 7}, 4711};
static const struct vcl_ip mock_ip6 = {6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 1}, 80};

/* 1 if this operation fails. */
static int
mock_fails(struct vcl_ctx *c)
{
	if (!c->failing)
		return (0);
	if (c->calls >= c->fail_after)
		return (1);
	c->calls++;
	return (0);
}

static int16_t
mock_hdr_hint(const char *name, size_t len)
{
	return ((int16_t)(len > 0 ? ((unsigned char)name[0] & 0x1f) : 0));
}

static struct mock_hdr *
mock_hdr_find(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	for (unsigned i = 0; i < c->nhdr; i++)
		if (c->hdr[i].where == w && strlen(c->hdr[i].name) == h->len &&
		    strncasecmp(c->hdr[i].name, h->name, h->len) == 0)
			return (&c->hdr[i]);
	return (NULL);
}

static int
mock_var_get(struct vcl_ctx *c, enum vcl_var_id v, union vcl_val *val)
{
	CHECK((unsigned)v < VCL_V__MAX);
	if (mock_fails(c))
		return (-1);
	*val = c->vars[v];
	return (0);
}

static int
mock_var_set(struct vcl_ctx *c, enum vcl_var_id v, const union vcl_val *val)
{
	CHECK((unsigned)v < VCL_V__MAX);
	if (mock_fails(c))
		return (-1);
	c->vars[v] = *val;
	return (0);
}

static int
mock_var_unset(struct vcl_ctx *c, enum vcl_var_id v)
{
	CHECK((unsigned)v < VCL_V__MAX);
	if (mock_fails(c))
		return (-1);
	memset(&c->vars[v], 0, sizeof c->vars[v]);
	return (0);
}

static void
mock_str_check(const struct vcl_str *s)
{
	/* Every byte of a value the host is given must be readable. */
	volatile unsigned char sum = 0;

	CHECK(s != NULL);
	if (s->p == NULL)
		return;
	for (size_t i = 0; i < s->len; i++)
		sum ^= (unsigned char)s->p[i];
	(void)sum;
}

static int
mock_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	struct mock_hdr *m;

	CHECK(h != NULL && h->name != NULL);
	if (mock_fails(c))
		return (-1);
	m = mock_hdr_find(c, w, h);
	s->p = m == NULL ? NULL : m->val.p;
	s->len = m == NULL ? 0 : m->val.len;
	return (0);
}

static int
mock_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	struct mock_hdr *m;

	CHECK(h != NULL && h->name != NULL);
	mock_str_check(s);
	if (mock_fails(c))
		return (-1);
	m = mock_hdr_find(c, w, h);
	if (m == NULL) {
		if (c->nhdr == MOCK_NHDR || h->len >= sizeof m->name)
			return (-1);
		m = &c->hdr[c->nhdr++];
		m->where = w;
		memcpy(m->name, h->name, h->len);
		m->name[h->len] = '\0';
	}
	m->val = *s;
	return (0);
}

static int
mock_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	struct mock_hdr *m;

	CHECK(h != NULL && h->name != NULL);
	if (mock_fails(c))
		return (-1);
	m = mock_hdr_find(c, w, h);
	if (m != NULL)
		*m = c->hdr[--c->nhdr];
	return (0);
}

static void *
mock_alloc(struct vcl_ctx *c, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > c->limit - c->used)
		return (NULL);
	p = c->arena + c->used;
	c->used += n;
	return (p);
}

static int
mock_str_op(struct vcl_ctx *c, const struct vcl_str *s)
{
	mock_str_check(s);
	return (mock_fails(c) ? -1 : 0);
}

static void
mock_log(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c;
	mock_str_check(s);
}

static int
mock_healthy(struct vcl_ctx *c, const struct vcl_backend *be)
{
	unsigned n = 0;
	const struct vcl_backend *b0 = vcl_prog_backends(c->p, &n);

	CHECK(be != NULL && be >= b0 && be < b0 + n);
	return ((be - b0) % 3 != 1);
}

static const struct vcl_host_ops mock_ops = {
	.ho_hdr_hint = mock_hdr_hint,
	.ho_var_get = mock_var_get,
	.ho_var_set = mock_var_set,
	.ho_var_unset = mock_var_unset,
	.ho_hdr_get = mock_hdr_get,
	.ho_hdr_set = mock_hdr_set,
	.ho_hdr_unset = mock_hdr_unset,
	.ho_alloc = mock_alloc,
	.ho_hash_data = mock_str_op,
	.ho_synthetic = mock_str_op,
	.ho_ban = mock_str_op,
	.ho_log = mock_log,
	.ho_healthy = mock_healthy,
};

static void
mock_hdr_add(struct vcl_ctx *c, enum vcl_where w, const char *name,
    const char *val)
{
	struct vcl_hdr h = {name, (uint16_t)strlen(name), 0};
	struct vcl_str s = {val, strlen(val)};

	CHECK(mock_hdr_set(c, w, &h, &s) == 0);
}

/* A fresh request: a value of its type for every variable, a few headers. */
static void
mock_init(struct vcl_ctx *c, const struct vcl_prog *p, int failing,
    unsigned n)
{
	static const char url[] = "/fuzz/a.html?b=1&a=2";
	unsigned nbe = 0;
	struct vcl_backend *be = vcl_prog_backends(p, &nbe);

	memset(c, 0, sizeof *c);
	c->p = p;
	c->limit = sizeof c->arena;
	for (unsigned i = 0; i < VCL_V__MAX; i++) {
		const struct vcl_var *v = vcl_var_get((enum vcl_var_id)i);
		union vcl_val *x = &c->vars[i];

		if (v == NULL)
			continue;
		switch (v->vv_type) {
		case VCL_T_STRING:
			x->s.p = url;
			x->s.len = sizeof url - 1;
			break;
		case VCL_T_INT:
			x->i = 200;
			break;
		case VCL_T_BYTES:
			x->i = 1024;
			break;
		case VCL_T_REAL:
		case VCL_T_DURATION:
			x->r = 1.5;
			break;
		case VCL_T_TIME:
			x->r = 1700000000.25;
			break;
		case VCL_T_BOOL:
			x->b = (int)(i & 1);
			break;
		case VCL_T_IP:
			x->ip = (i & 1) ? &mock_ip6 : &mock_ip4;
			break;
		case VCL_T_BACKEND:
			x->be = nbe > 0 ? &be[i % nbe] : NULL;
			break;
		default:
			break;
		}
	}
	c->vars[VCL_V_REQ_METHOD].s = (struct vcl_str){"GET", 3};
	mock_hdr_add(c, VCL_W_REQ, "Host", "www.example.com");
	mock_hdr_add(c, VCL_W_REQ, "Cookie", "a=1; __utm=2; session=x");
	mock_hdr_add(c, VCL_W_REQ, "Accept-Encoding", "gzip, deflate, br");
	mock_hdr_add(c, VCL_W_BERESP, "Cache-Control", "max-age=60, private");
	mock_hdr_add(c, VCL_W_BERESP, "Set-Cookie", "s=1");
	mock_hdr_add(c, VCL_W_OBJ, "Content-Type", "text/html");
	mock_hdr_add(c, VCL_W_RESP, "Age", "5");
	if (failing) {
		c->failing = 1;
		c->fail_after = n;
		c->limit = (size_t)n * 8 < sizeof c->arena ? (size_t)n * 8
		    : sizeof c->arena;
	}
}

/* --- the checks ------------------------------------------------------- */

static void
check_diag(const struct vcl_diag *d)
{
	FILE *f = fopen("/dev/null", "w");

	for (unsigned i = 0; i < vcl_diag_count(d); i++) {
		const struct vcl_diag_msg *m = vcl_diag_get(d, i);
		CHECK(m->text != NULL);
		if (m->file != NULL)
			CHECK(m->line >= 1 && m->col >= 1);
		if (m->sev == VCL_SEV_ERROR &&
		    strcmp(m->text, "out of memory") != 0)
			CHECK(m->file != NULL);
	}
	if (f != NULL) {
		vcl_diag_print(d, f);
		fclose(f);
	}
}

/* 1 if checking a's ACLs can resolve no name but localhost. */
static int
acls_numeric(const struct vcl_ast *a)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	for (const struct vcl_node *n = a->decls; n != NULL; n = n->next) {
		if (n->kind != VCL_N_ACL)
			continue;
		for (const struct vcl_node *e = n->u.acl.entries; e != NULL;
		    e = e->next) {
			const char *s = e->u.aclent.addr->u.str.s;

			if (strcmp(s, "localhost") == 0)
				continue;
			res = NULL;
			if (getaddrinfo(s, NULL, &hints, &res) != 0)
				return (0);
			if (res != NULL)
				freeaddrinfo(res);
		}
	}
	return (1);
}

static void
run_all(const struct vcl_prog *p, int failing, unsigned n)
{
	static struct vcl_ctx c; /* big: not on the stack */
	static const enum vcl_sub order[] = {VCL_SUB_INIT, VCL_SUB_RECV,
	    VCL_SUB_HASH, VCL_SUB_HIT, VCL_SUB_MISS, VCL_SUB_PASS,
	    VCL_SUB_PURGE, VCL_SUB_PIPE, VCL_SUB_BACKEND_FETCH,
	    VCL_SUB_BACKEND_RESPONSE, VCL_SUB_BACKEND_ERROR, VCL_SUB_DELIVER,
	    VCL_SUB_SYNTH, VCL_SUB_FINI};
	struct vcl_ret ret;
	enum vcl_action act;

	_Static_assert(sizeof order / sizeof order[0] == VCL_SUB__MAX,
	    "every built-in subroutine");
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		mock_init(&c, p, failing, n);
		act = vcl_run(p, order[i], &c, &ret);
		CHECK(act == ret.action);
		CHECK((unsigned)act < VCL_A__MAX);
		CHECK(act == VCL_A_FAIL ||
		    (vcl_sub_actions(order[i]) & (1u << act)) != 0);
		mock_str_check(&ret.reason);
	}
}

/* n from a leading "#F<n>", or -1. */
static long
fail_flag(const char *text, size_t len)
{
	long n = 0;
	size_t i;

	if (len < 3 || text[0] != '#' || text[1] != 'F')
		return (-1);
	for (i = 2; i < len && i < 6 && text[i] >= '0' && text[i] <= '9'; i++)
		n = n * 10 + (text[i] - '0');
	return (i == 2 ? -1 : n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_ast *a;
	struct vcl_prog *p = NULL;
	char *text;
	long fail;

	text = malloc(size ? size : 1);
	CHECK(text != NULL && d != NULL);
	memcpy(text, data, size);
	if (memmem(text, size, "include", 7) == NULL)
		a = vcl_parse_string("fuzz.vcl", text, size, d);
	else {
		a = vcl_parse_string("base.vcl", "vcl 4.1;", 8, d);
		CHECK(a != NULL);
		if (vcl_parse_append(a, "fuzz.vcl", text, size,
		    VCL_PARSE_NO_VERSION | VCL_PARSE_NO_INCLUDE, d) != 0)
			vcl_ast_free(&a);
	}
	if (a != NULL && vcl_parse_append(a, "builtin.vcl", vcl_builtin_text,
	    vcl_builtin_len, VCL_PARSE_NO_VERSION | VCL_PARSE_NO_INCLUDE,
	    d) != 0)
		vcl_ast_free(&a);
	if (a == NULL) {
		CHECK(vcl_diag_errors(d) > 0);
		goto out;
	}
	if (!acls_numeric(a))
		goto out;
	CHECK(vcl_diag_errors(d) == 0);
	p = vcl_check(a, &mock_ops, d);
	vcl_ast_free(&a);
	check_diag(d);
	CHECK((p == NULL) == (vcl_diag_errors(d) > 0));
	if (p == NULL)
		goto out;
	run_all(p, 0, 0);
	fail = fail_flag(text, size);
	if (fail >= 0)
		run_all(p, 1, (unsigned)fail);
	vcl_prog_rel(&p);
out:
	vcl_ast_free(&a);
	vcl_diag_free(&d);
	free(text);
	return (0);
}
