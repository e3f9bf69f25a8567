/*
 * vcl_instr.c: what the VCL interpreter costs on a cache hit, counted by
 * callgrind (tests/bench/vcl_instr.sh, `make bench-vcl-instr`). Runs
 * vcl_recv, vcl_hash, vcl_hit and vcl_deliver of a program N times against
 * a trivial host: a plain GET of /index.html with a Host and a Cookie that
 * no pattern of the corpus's wordpress.vcl matches, variables and headers
 * answered from constants, hash_data adding lengths, writes dropped. So
 * (Ir[N] - Ir[0]) / N is the interpreter's own cost (plus the trivial
 * host's few instructions per call), the loading being the same in both.
 *
 *   build/bench/vcl_instr [FILE] N      (no FILE: the built-in VCL alone)
 *
 * It checks the actions (hash, lookup, deliver, deliver) and exits 1 when
 * one differs: a figure for a run that fails early would be meaningless.
 * A vcl_hash that is the built-in one (vcl_hash_is_default) is not run:
 * as accel does, the host reads and hashes its two inputs itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcl/vcl.h"

/* The host's hints: which of the few headers it knows a name is. */
enum { H_OTHER, H_HOST, H_COOKIE };

struct vcl_ctx {
	size_t hashed; /* the lengths hash_data got */
	char arena[4096];
	size_t used;
};

static const struct vcl_ip client = {4, {192, 0, 2, 7}, 40000};

static int16_t
b_hint(const char *name, size_t len)
{
	if (len == 4 && strncasecmp(name, "Host", 4) == 0)
		return (H_HOST);
	if (len == 6 && strncasecmp(name, "Cookie", 6) == 0)
		return (H_COOKIE);
	return (H_OTHER);
}

static int
b_var_get(struct vcl_ctx *c, enum vcl_var_id id, union vcl_val *v)
{
	(void)c;
	switch (id) {
	case VCL_V_REQ_METHOD:
		v->s.p = "GET";
		v->s.len = 3;
		break;
	case VCL_V_REQ_URL:
		v->s.p = "/index.html";
		v->s.len = 11;
		break;
	case VCL_V_CLIENT_IP:
		v->ip = &client;
		break;
	case VCL_V_OBJ_HITS:
		v->i = 1;
		break;
	default:
		memset(v, 0, sizeof(*v));
		break;
	}
	return (0);
}

static int
b_var_set(struct vcl_ctx *c, enum vcl_var_id id, const union vcl_val *v)
{
	(void)c, (void)id, (void)v;
	return (0);
}

static int
b_var_unset(struct vcl_ctx *c, enum vcl_var_id id)
{
	(void)c, (void)id;
	return (0);
}

static int
b_hdr_get(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    struct vcl_str *s)
{
	(void)c;
	s->p = NULL;
	s->len = 0;
	if (w != VCL_W_REQ)
		return (0);
	if (h->hint == H_HOST) {
		s->p = "example.com";
		s->len = 11;
	} else if (h->hint == H_COOKIE) {
		s->p = "_ga=GA1.2.3; consent=yes";
		s->len = 24;
	}
	return (0);
}

static int
b_hdr_set(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h,
    const struct vcl_str *s)
{
	(void)c, (void)w, (void)h, (void)s;
	return (0);
}

static int
b_hdr_unset(struct vcl_ctx *c, enum vcl_where w, const struct vcl_hdr *h)
{
	(void)c, (void)w, (void)h;
	return (0);
}

static void *
b_alloc(struct vcl_ctx *c, size_t n)
{
	void *m;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(c->arena) - c->used)
		return (NULL);
	m = c->arena + c->used;
	c->used += n;
	return (m);
}

static int
b_hash_data(struct vcl_ctx *c, const struct vcl_str *s)
{
	c->hashed += s->len;
	return (0);
}

static int
b_str_op(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c, (void)s;
	return (0);
}

static void
b_log(struct vcl_ctx *c, const struct vcl_str *s)
{
	(void)c, (void)s;
}

static const struct vcl_host_ops b_ops = {
	.ho_hdr_hint = b_hint,
	.ho_var_get = b_var_get,
	.ho_var_set = b_var_set,
	.ho_var_unset = b_var_unset,
	.ho_hdr_get = b_hdr_get,
	.ho_hdr_set = b_hdr_set,
	.ho_hdr_unset = b_hdr_unset,
	.ho_alloc = b_alloc,
	.ho_hash_data = b_hash_data,
	.ho_synthetic = b_str_op,
	.ho_ban = b_str_op,
	.ho_log = b_log,
};

/* What accel's cache_hash() does for the built-in vcl_hash
 * (vcl_hash_is_default): the two inputs read and hashed through the host
 * operations, without a run. */
static void
host_hash(struct vcl_ctx *c)
{
	static const struct vcl_hdr host = {"host", 4, H_HOST};
	struct vcl_str h;
	union vcl_val u;

	(void)b_ops.ho_hdr_get(c, VCL_W_REQ, &host, &h);
	(void)b_ops.ho_var_get(c, VCL_V_REQ_URL, &u);
	(void)b_ops.ho_hash_data(c, &h);
	(void)b_ops.ho_hash_data(c, &u.s);
}

int
main(int argc, char **argv)
{
	static const struct {
		enum vcl_sub sub;
		enum vcl_action want;
	} hit[] = {
		{VCL_SUB_RECV, VCL_A_HASH},
		{VCL_SUB_HASH, VCL_A_LOOKUP},
		{VCL_SUB_HIT, VCL_A_DELIVER},
		{VCL_SUB_DELIVER, VCL_A_DELIVER},
	};
	struct vcl_diag *d = vcl_diag_new();
	struct vcl_prog *p;
	struct vcl_ctx c;
	struct vcl_ret r;
	const char *file = NULL;
	long n, i;
	size_t k;

	if (argc == 3)
		file = argv[1];
	else if (argc != 2) {
		fprintf(stderr, "usage: vcl_instr [FILE] N\n");
		return (64);
	}
	n = atol(argv[argc - 1]);
	p = vcl_load(file, NULL, NULL, 0, 0, &b_ops, d);
	if (p == NULL || vcl_diag_errors(d) > 0) {
		vcl_diag_print(d, stderr);
		return (1);
	}
	vcl_diag_free(&d);
	memset(&c, 0, sizeof(c));
	/* One run outside the count: the first regex match makes the
	 * thread's match data (once per thread, not per request). */
	for (i = -1; i < n; i++) {
		c.used = 0;
		for (k = 0; k < sizeof(hit) / sizeof(hit[0]); k++) {
			if (hit[k].sub == VCL_SUB_HASH &&
			    vcl_hash_is_default(p)) {
				host_hash(&c);
				continue;
			}
			if (vcl_run(p, hit[k].sub, &c, &r) != hit[k].want) {
				fprintf(stderr, "vcl_instr: sub %d gave action "
				    "%d (%.*s), not %d\n", (int)hit[k].sub,
				    (int)r.action, (int)r.reason.len,
				    r.reason.p != NULL ? r.reason.p : "",
				    (int)hit[k].want);
				return (1);
			}
		}
	}
	printf("%zu\n", c.hashed);
	vcl_prog_rel(&p);
	return (0);
}
