/*
 * vcl_check.c: the checker's driver. One pass collects the declarations
 * (imports, backends, probes, ACLs, subroutines, objects made by `new`),
 * then the call graph gives each user subroutine the built-in ones that
 * reach it (and refuses recursion), then every subroutine's statements are
 * checked and compiled to the IR (vcl_check_stmt.c, vcl_check_expr.c), and
 * last the unused declarations are reported. Every error is collected;
 * the program is returned only when there was none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vcl/vcl_check_int.h"

/* --- memory: the program's arena, in blocks --- */

struct ck_mem {
	struct ck_mem *next;
	size_t used, size;
	max_align_t data[];
};

#define CK_MEM_BLOCK 16384

void *
ck_alloc(struct vcl_ck *ck, size_t size)
{
	struct ck_mem *m = ck->mem;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (m == NULL || m->size - m->used < need) {
		size_t bs = need > CK_MEM_BLOCK ? need : CK_MEM_BLOCK;
		m = malloc(sizeof *m + bs);
		if (m == NULL) {
			ck->oom = 1;
			return (NULL);
		}
		m->size = bs;
		m->used = 0;
		m->next = ck->mem;
		ck->mem = m;
		ck->p->mem = m;
	}
	p = (char *)m->data + m->used;
	m->used += need;
	memset(p, 0, size);
	return (p);
}

char *
ck_strdup(struct vcl_ck *ck, const char *s, size_t len)
{
	char *p = ck_alloc(ck, len + 1);

	if (p == NULL)
		return (NULL);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

void
ck_mem_free(struct ck_mem **mp)
{
	struct ck_mem *m = *mp, *next;

	*mp = NULL;
	for (; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
}

int
ck_grow(struct vcl_ck *ck, void *arrp, uint32_t *cap, uint32_t n, size_t sz)
{
	void **arr = arrp;
	uint32_t nc;
	void *p;

	if (n < *cap)
		return (0);
	nc = *cap ? 2 * *cap : 16;
	if (nc <= n || nc > (1u << 28)) {
		ck->oom = 1;
		return (-1);
	}
	p = realloc(*arr, (size_t)nc * sz);
	if (p == NULL) {
		ck->oom = 1;
		return (-1);
	}
	*arr = p;
	*cap = nc;
	return (0);
}

/* --- messages --- */

void
ck_err(struct vcl_ck *ck, const struct vcl_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcl_diag_addv(ck->d, VCL_SEV_ERROR, ck->a, pos, fmt, ap);
	va_end(ap);
}

void
ck_warn(struct vcl_ck *ck, const struct vcl_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcl_diag_addv(ck->d, VCL_SEV_WARNING, ck->a, pos, fmt, ap);
	va_end(ap);
}

const char *
ck_via(const struct vcl_ck *ck)
{
	static _Thread_local char buf[160];

	if (ck->cur == NULL || ck->cur->builtin >= 0)
		return ("");
	snprintf(buf, sizeof buf, " (sub %s is called from there)",
	    ck->cur->name);
	return (buf);
}

struct vcl_pos
ck_pos_skip(const struct vcl_ck *ck, struct vcl_pos pos, size_t n)
{
	const struct vcl_src *s;

	if (pos.src >= ck->a->nsrc)
		return (pos);
	s = ck->a->srcs[pos.src];
	if (pos.off + n > s->len)
		return (pos);
	pos.off += n;
	pos.col += (unsigned)n;
	while (pos.off < s->len &&
	    (s->text[pos.off] == ' ' || s->text[pos.off] == '\t')) {
		pos.off++;
		pos.col++;
	}
	return (pos);
}

/* --- the IR --- */

vcl_ix
ck_emit(struct vcl_ck *ck, enum vcl_irop op, enum vcl_type type, uint32_t a,
    uint32_t b, uint32_t c, const struct vcl_pos *pos)
{
	struct vcl_prog *p = ck->p;
	uint32_t cap = ck->cap_ir;
	struct vcl_ir *n;
	struct vcl_pos where;

	/* pos may point into p->pos, which the growth below moves. */
	if (pos != NULL) {
		where = *pos;
		pos = &where;
	}
	if (ck->oom || ck_grow(ck, &p->ir, &ck->cap_ir, p->nir,
	    sizeof *p->ir) != 0)
		return (0);
	if (ck->cap_ir != cap) {
		void *q = realloc(p->pos, (size_t)ck->cap_ir * sizeof *p->pos);
		if (q == NULL) {
			ck->oom = 1;
			return (0);
		}
		p->pos = q;
	}
	n = &p->ir[p->nir];
	memset(n, 0, sizeof *n);
	n->op = (uint8_t)op;
	n->type = (uint8_t)type;
	n->a = a;
	n->b = b;
	n->c = c;
	if (pos != NULL)
		p->pos[p->nir] = *pos;
	else
		memset(&p->pos[p->nir], 0, sizeof p->pos[0]);
	return (p->nir++);
}

uint32_t
ck_k(struct vcl_ck *ck, union vcl_val v)
{
	struct vcl_prog *p = ck->p;

	if (ck_grow(ck, &p->k, &ck->cap_k, p->nk, sizeof *p->k) != 0)
		return (0);
	p->k[p->nk] = v;
	return (p->nk++);
}

vcl_ix
ck_const_str(struct vcl_ck *ck, enum vcl_type t, const char *s, size_t len,
    const struct vcl_pos *pos)
{
	union vcl_val v;

	memset(&v, 0, sizeof v);
	v.s.p = ck_strdup(ck, s, len);
	v.s.len = len;
	if (v.s.p == NULL)
		return (0);
	return (ck_emit(ck, VCL_IR_E_CONST, t, ck_k(ck, v), 0, 0, pos));
}

uint32_t
ck_hdr(struct vcl_ck *ck, const char *name, size_t len)
{
	struct vcl_prog *p = ck->p;
	struct vcl_hdr *h;
	uint32_t i;

	for (i = 0; i < p->nhdrs; i++)
		if (p->hdrs[i].len == len &&
		    strncasecmp(p->hdrs[i].name, name, len) == 0)
			return (i);
	if (len > UINT16_MAX || ck_grow(ck, &p->hdrs, &ck->cap_hdrs, p->nhdrs,
	    sizeof *p->hdrs) != 0)
		return (0);
	h = &p->hdrs[p->nhdrs];
	h->name = ck_strdup(ck, name, len);
	h->len = (uint16_t)len;
	h->hint = p->ops != NULL && p->ops->ho_hdr_hint != NULL
	    ? p->ops->ho_hdr_hint(name, len) : 0;
	return (p->nhdrs++);
}

int
ck_regex(struct vcl_ck *ck, const struct vcl_node *lit)
{
	struct vcl_prog *p = ck->p;
	struct vcl_re *re;
	char err[256];

	if (lit->kind != VCL_N_STRING) {
		ck_err(ck, &lit->pos, "a regular expression must be a string "
		    "literal, got %s", vcl_kind_name(lit->kind));
		return (-1);
	}
	re = vcl_re_compile(lit->u.str.s, lit->u.str.len, err, sizeof err);
	if (re == NULL) {
		ck_err(ck, &lit->pos, "regular expression: %s", err);
		return (-1);
	}
	if (ck_grow(ck, &p->re, &ck->cap_re, p->nre, sizeof *p->re) != 0) {
		vcl_re_free(&re);
		return (-1);
	}
	if (vcl_re_captures(re) > p->max_captures)
		p->max_captures = vcl_re_captures(re);
	p->re[p->nre] = re;
	return ((int)p->nre++);
}

/* --- declarations --- */

struct ck_sym *
ck_sym_find(struct vcl_ck *ck, const char *name)
{
	unsigned i;

	/* XXX linear: programs declare tens of names, not thousands. */
	for (i = 0; i < ck->nsyms; i++)
		if (strcmp(ck->syms[i].name, name) == 0)
			return (&ck->syms[i]);
	return (NULL);
}

static const char *const ck_kind_names[] = {
	[CK_BACKEND] = "backend", [CK_PROBE] = "probe", [CK_ACL] = "acl",
	[CK_SUB] = "sub", [CK_OBJ] = "object"};

/* Declare name; NULL (reported) when it is taken. */
struct ck_sym *
ck_declare(struct vcl_ck *ck, const char *name, enum ck_kind kind,
    uint32_t idx, const struct vcl_pos *pos)
{
	struct ck_sym *s = ck_sym_find(ck, name);

	if (s != NULL) {
		ck_err(ck, pos, "'%s' is already declared (a %s)", name,
		    ck_kind_names[s->kind]);
		vcl_diag_add(ck->d, VCL_SEV_NOTE, ck->a, &s->pos,
		    "'%s' is declared here", name);
		return (NULL);
	}
	if (ck_grow(ck, &ck->syms, &ck->cap_syms, ck->nsyms,
	    sizeof *ck->syms) != 0)
		return (NULL);
	s = &ck->syms[ck->nsyms++];
	memset(s, 0, sizeof *s);
	s->name = name;
	s->kind = kind;
	s->idx = idx;
	s->pos = *pos;
	return (s);
}

/* A new subroutine entry (user's when b < 0). */
static struct ck_sub *
ck_sub_new(struct vcl_ck *ck, const char *name, int b)
{
	struct ck_sub *s;

	if (ck_grow(ck, &ck->subs, &ck->cap_subs, ck->nsubs,
	    sizeof *ck->subs) != 0)
		return (NULL);
	s = &ck->subs[ck->nsubs++];
	memset(s, 0, sizeof *s);
	s->name = name;
	s->builtin = b;
	s->mask = b >= 0 ? VCL_SUBM((unsigned)b) : 0;
	return (s);
}

static int
ck_sub_def(struct vcl_ck *ck, struct ck_sub *s, const struct vcl_node *def)
{
	const struct vcl_node **d;

	d = realloc(s->defs, (s->ndefs + 1) * sizeof *d);
	if (d == NULL) {
		ck->oom = 1;
		return (-1);
	}
	if (s->ndefs == 0)
		s->pos = def->u.decl.namepos;
	d[s->ndefs++] = def;
	s->defs = d;
	return (0);
}

static void
ck_decl_sub(struct vcl_ck *ck, const struct vcl_node *n)
{
	const char *name = n->u.decl.name;
	int b = vcl_sub_by_name(name, strlen(name));
	struct ck_sub *s;

	if (b >= 0) {
		ck_sub_def(ck, &ck->subs[b], n);
		return;
	}
	if (strncmp(name, "vcl_", 4) == 0) {
		ck_err(ck, &n->u.decl.namepos, "'%s' is not a built-in "
		    "subroutine (the vcl_ prefix is reserved)", name);
		return;
	}
	if (ck_declare(ck, name, CK_SUB, ck->nsubs, &n->u.decl.namepos) ==
	    NULL)
		return;
	s = ck_sub_new(ck, name, -1);
	if (s != NULL)
		ck_sub_def(ck, s, n);
}

static void
ck_decl_import(struct vcl_ck *ck, const struct vcl_node *n)
{
	const char *name = n->u.import.name;
	const struct vcl_module *m = vcl_module_find(name, strlen(name));
	struct vcl_pos pos = ck_pos_skip(ck, n->pos, strlen("import"));
	if (m == NULL || m->vm_id == VCL_MOD_CORE) {
		ck_err(ck, &pos, "unknown module '%s': accel has std and "
		    "directors", name);
		return;
	}
	ck->imported |= 1u << m->vm_id;
}


static void
ck_decls(struct vcl_ck *ck)
{
	const struct vcl_node *n;
	unsigned i;

	for (i = 0; i < VCL_SUB__MAX; i++)
		ck_sub_new(ck, vcl_sub_name((enum vcl_sub)i), (int)i);
	for (n = ck->a->decls; n != NULL && !ck->oom; n = n->next) {
		switch (n->kind) {
		case VCL_N_IMPORT:
			ck_decl_import(ck, n);
			break;
		case VCL_N_BACKEND:
			ck_decl_backend(ck, n);
			break;
		case VCL_N_PROBE:
			ck_decl_probe(ck, n);
			break;
		case VCL_N_ACL:
			ck_decl_acl(ck, n);
			break;
		case VCL_N_SUB:
			ck_decl_sub(ck, n);
			break;
		default:
			break;
		}
	}
	/* Backends name probes declared anywhere: after all declarations. */
	ck_backends_probes(ck);
	/* Objects made by new, and every call, before any body is checked. */
	for (i = 0; i < ck->nsubs && !ck->oom; i++) {
		unsigned j;
		for (j = 0; j < ck->subs[i].ndefs; j++)
			ck_scan(ck, &ck->subs[i], ck->subs[i].defs[j]->u.decl.items);
	}
}

/* --- the call graph --- */

/* Depth-first from s: recursion refused, depths and callers' masks. */
static void
ck_dfs(struct vcl_ck *ck, uint32_t si)
{
	unsigned i, depth = 1;

	ck->subs[si].color = 1;
	for (i = 0; i < ck->subs[si].ncalls; i++) {
		const struct ck_call *c = &ck->subs[si].calls[i];
		struct ck_sub *t = &ck->subs[c->callee];

		if (t->color == 1) {
			ck_err(ck, &c->pos, "recursive call of sub %s "
			    "(VCL has no recursion)", t->name);
			continue;
		}
		if (t->color == 0)
			ck_dfs(ck, c->callee);
		if (t->depth + 1 > depth)
			depth = t->depth + 1;
	}
	ck->subs[si].depth = depth;
	ck->subs[si].color = 2;
}

/* Give every sub reached from s the mask m. */
static void
ck_reach(struct vcl_ck *ck, uint32_t si, unsigned m, unsigned hops)
{
	unsigned i;

	if (hops > ck->nsubs)
		return; /* a cycle, reported by ck_dfs */
	for (i = 0; i < ck->subs[si].ncalls; i++) {
		struct ck_sub *t = &ck->subs[ck->subs[si].calls[i].callee];

		t->used = 1;
		if ((t->mask & m) == m)
			continue;
		t->mask |= m;
		ck_reach(ck, ck->subs[si].calls[i].callee, m, hops + 1);
	}
}

static void
ck_graph(struct vcl_ck *ck)
{
	uint32_t i;

	for (i = 0; i < ck->nsubs; i++)
		if (ck->subs[i].color == 0)
			ck_dfs(ck, i);
	for (i = 0; i < VCL_SUB__MAX; i++) {
		if (ck->subs[i].depth > ck->p->max_call_depth)
			ck->p->max_call_depth = ck->subs[i].depth;
		ck_reach(ck, i, VCL_SUBM(i), 0);
	}
}

/* --- bodies --- */

/* Whether vcl_hash is `hash_data(req.http.host); hash_data(req.url);
 * return (lookup);` and nothing before it (vcl_hash_is_default). */
static int
ck_hash_default(const struct vcl_prog *p)
{
	const struct vcl_ir *ir = p->ir, *s1, *s2, *s3, *e1, *e2;
	const struct vcl_hdr *h;

	if (p->sub[VCL_SUB_HASH] == 0)
		return (0);
	s1 = &ir[p->sub[VCL_SUB_HASH]];
	if (s1->op != VCL_IR_S_HASH_DATA || s1->next == 0)
		return (0);
	s2 = &ir[s1->next];
	if (s2->op != VCL_IR_S_HASH_DATA || s2->next == 0)
		return (0);
	s3 = &ir[s2->next];
	e1 = &ir[s1->a];
	e2 = &ir[s2->a];
	if (e1->op != VCL_IR_E_HDR || e1->a != VCL_W_REQ ||
	    e2->op != VCL_IR_E_VAR || e2->a != VCL_V_REQ_URL ||
	    s3->op != VCL_IR_S_RETURN || s3->a != VCL_A_LOOKUP ||
	    s3->b != 0 || s3->c != 0)
		return (0);
	h = &p->hdrs[e1->b];
	return (h->len == 4 && strncasecmp(h->name, "host", 4) == 0);
}

/* vcl_prog.quick: the subroutines that are a lone return without
 * arguments (a plain `return;` is a user sub's, never one of these). */
static void
ck_quick(struct vcl_prog *p)
{
	const struct vcl_ir *n;
	unsigned i;

	for (i = 0; i < VCL_SUB__MAX; i++) {
		n = &p->ir[p->sub[i]];
		if (p->sub[i] != 0 && n->op == VCL_IR_S_RETURN && n->b == 0 &&
		    n->c == 0 && n->a < VCL_A__MAX && n->a < UINT8_MAX)
			p->quick[i] = (uint8_t)(n->a + 1);
	}
	p->hash_default = ck_hash_default(p);
}

static void
ck_bodies(struct vcl_ck *ck)
{
	unsigned i, j;

	for (i = 0; i < ck->nsubs && !ck->oom; i++) {
		struct ck_sub *s = &ck->subs[i];
		vcl_ix first = 0, last = 0;

		ck->cur = s;
		/* An unused sub is checked for all but where it runs. */
		ck->mask = s->mask;
		for (j = 0; j < s->ndefs; j++)
			ck_stmts(ck, s->defs[j]->u.decl.items, &first, &last);
		s->first = first;
		if (s->builtin >= 0)
			ck->p->sub[s->builtin] = first;
	}
	ck->cur = NULL;
	for (i = 0; i < ck->nfix; i++)
		ck->p->ir[ck->fix[i].at].a = ck->subs[ck->fix[i].callee].first;
	ck_quick(ck->p);
}

/* Warnings for what nothing uses. */
static void
ck_unused(struct vcl_ck *ck)
{
	unsigned i;

	for (i = 0; i < ck->nsyms; i++) {
		const struct ck_sym *s = &ck->syms[i];

		if (s->kind == CK_SUB)
			continue;
		if (s->kind == CK_BACKEND && s->idx == 0)
			continue; /* the default backend */
		if (!s->used && s->kind != CK_OBJ)
			ck_warn(ck, &s->pos, "%s '%s' is not used",
			    ck_kind_names[s->kind], s->name);
	}
	for (i = VCL_SUB__MAX; i < ck->nsubs; i++)
		if (!ck->subs[i].used)
			ck_warn(ck, &ck->subs[i].pos, "sub '%s' is not used",
			    ck->subs[i].name);
}

static void
ck_fini(struct vcl_ck *ck)
{
	unsigned i;

	for (i = 0; i < ck->nsubs; i++) {
		free(ck->subs[i].defs);
		free(ck->subs[i].calls);
	}
	free(ck->subs);
	free(ck->syms);
	free(ck->fix);
	free(ck->bep);
}

struct vcl_prog *
vcl_check(const struct vcl_ast *a, const struct vcl_host_ops *ops,
    struct vcl_diag *d)
{
	struct vcl_ck ck;
	struct vcl_prog *p;
	unsigned errs = vcl_diag_errors(d), i;
	union vcl_val zero;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "out of memory");
		return (NULL);
	}
	p->magic = VCL_PROG_MAGIC;
	atomic_init(&p->refcnt, 1);
	p->ops = ops;
	p->syntax = a->syntax ? a->syntax : VCL_SYNTAX_41;
	memset(&ck, 0, sizeof ck);
	ck.magic = VCL_CK_MAGIC;
	ck.a = a;
	ck.d = d;
	ck.p = p;
	ck.syntax = p->syntax;
	/* Node 0 and constant 0 mean "none" (k 0: a zero value). */
	(void)ck_emit(&ck, VCL_IR_E_CONST, VCL_T_VOID, 0, 0, 0, NULL);
	memset(&zero, 0, sizeof zero);
	(void)ck_k(&ck, zero);

	p->src_names = calloc(a->nsrc ? a->nsrc : 1, sizeof *p->src_names);
	if (p->src_names == NULL)
		ck.oom = 1;
	for (i = 0; p->src_names != NULL && i < a->nsrc; i++) {
		p->src_names[i] = strdup(a->srcs[i]->name);
		if (p->src_names[i] == NULL)
			ck.oom = 1;
		p->nsrc = i + 1;
	}
	if (!ck.oom)
		ck_decls(&ck);
	if (!ck.oom)
		ck_graph(&ck);
	if (!ck.oom)
		ck_bodies(&ck);
	if (!ck.oom && vcl_diag_errors(d) == errs)
		ck_unused(&ck);
	if (ck.oom)
		vcl_diag_add(d, VCL_SEV_ERROR, NULL, NULL, "out of memory "
		    "while checking the VCL");
	ck_fini(&ck);
	if (vcl_diag_errors(d) != errs) {
		vcl_prog_free(p);
		return (NULL);
	}
	return (p);
}
