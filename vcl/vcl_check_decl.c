/*
 * vcl_check_decl.c: backends, probes and ACLs: their fields typed and
 * copied into the program (struct vcl_backend, vcl_probe, vcl_acl).
 * Field values are literals, as in Varnish: a backend is fixed at load.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_check_int.h"

enum ck_ftype { F_STR, F_DUR, F_UINT, F_PROBE, F_REQUEST, F_UNSUP };

struct ck_field {
	const char *name;
	enum ck_ftype type;
	size_t off; /* in struct vcl_backend or vcl_probe */
	const char *note; /* F_UNSUP: why */
};

#define BE(f) offsetof(struct vcl_backend, f)
#define PR(f) offsetof(struct vcl_probe, f)

static const struct ck_field be_fields[] = {
    {"host", F_STR, BE(host), NULL},
    {"port", F_STR, BE(port), NULL},
    {"host_header", F_STR, BE(host_header), NULL},
    {"connect_timeout", F_DUR, BE(connect_timeout), NULL},
    {"first_byte_timeout", F_DUR, BE(first_byte_timeout), NULL},
    {"between_bytes_timeout", F_DUR, BE(between_bytes_timeout), NULL},
    {"max_connections", F_UINT, BE(max_connections), NULL},
    {"probe", F_PROBE, 0, NULL},
    {"path", F_UNSUP, 0, "accel has no Unix-socket backends"},
    {"proxy_header", F_UNSUP, 0, "accel sends no PROXY header"},
    {"preamble", F_UNSUP, 0, "accel sends no preamble"},
    {"authority", F_UNSUP, 0, "accel has no TLS backends"},
    {"via", F_UNSUP, 0, "accel has no via backends"},
    {"dialer", F_UNSUP, 0, NULL},
    {NULL, F_UNSUP, 0, NULL},
};

static const struct ck_field pr_fields[] = {
    {"url", F_STR, PR(url), NULL},
    {"request", F_REQUEST, PR(request), NULL},
    {"expected_response", F_UINT, PR(expected_response), NULL},
    {"timeout", F_DUR, PR(timeout), NULL},
    {"interval", F_DUR, PR(interval), NULL},
    {"window", F_UINT, PR(window), NULL},
    {"threshold", F_UINT, PR(threshold), NULL},
    {"initial", F_UINT, PR(initial), NULL},
    {NULL, F_UNSUP, 0, NULL},
};

static const char *const ftype_want[] = {
    [F_STR] = "a string", [F_DUR] = "a duration", [F_UINT] = "an integer",
    [F_PROBE] = "a probe name or { ... }",
    [F_REQUEST] = "strings (the request's lines)", [F_UNSUP] = "?"};

/* The request lines of .request joined with CRLF (and one at the end). */
static const char *
ck_request(struct vcl_ck *ck, const struct vcl_node *v)
{
	const struct vcl_node *s, *list = v->kind == VCL_N_STRLIST
	    ? v->u.list.items : v;
	size_t len = 0;
	char *p, *q;

	for (s = list; s != NULL; s = v->kind == VCL_N_STRLIST ? s->next : NULL)
		len += s->u.str.len + 2;
	p = q = ck_alloc(ck, len + 1);
	if (p == NULL)
		return (NULL);
	for (s = list; s != NULL; s = v->kind == VCL_N_STRLIST ? s->next : NULL) {
		memcpy(q, s->u.str.s, s->u.str.len);
		q += s->u.str.len;
		memcpy(q, "\r\n", 2);
		q += 2;
	}
	*q = '\0';
	return (p);
}

static int ck_probe_make(struct vcl_ck *ck, const char *name,
    const struct vcl_node *items);

/* One field of obj (a backend or probe, fields from tab); 0 or -1. */
static int
ck_field(struct vcl_ck *ck, const struct ck_field *tab, void *obj,
    const struct vcl_node *f, struct ck_beprobe *bep, const char *what)
{
	const struct ck_field *t;
	const struct vcl_node *v = f->u.named.value;
	char *base = obj;

	for (t = tab; t->name != NULL; t++)
		if (strcmp(t->name, f->u.named.name) == 0)
			break;
	if (t->name == NULL) {
		ck_err(ck, &f->u.named.namepos, "unknown %s field '.%s'",
		    what, f->u.named.name);
		return (-1);
	}
	switch (t->type) {
	case F_UNSUP:
		ck_err(ck, &f->u.named.namepos, "accel does not support the "
		    "%s field '.%s'%s%s", what, t->name, t->note ? ": " : "",
		    t->note ? t->note : "");
		return (-1);
	case F_STR:
		if (v->kind == VCL_N_STRING) {
			*(const char **)(void *)(base + t->off) =
			    ck_strdup(ck, v->u.str.s, v->u.str.len);
			return (0);
		}
		if (v->kind == VCL_N_INT && v->u.num.i >= 0 &&
		    strcmp(t->name, "port") == 0) {
			*(const char **)(void *)(base + t->off) = ck_strdup(ck,
			    v->u.num.text, strlen(v->u.num.text));
			return (0);
		}
		break;
	case F_DUR:
		if (v->kind == VCL_N_DURATION && v->u.num.d >= 0) {
			*(double *)(void *)(base + t->off) = v->u.num.d;
			return (0);
		}
		break;
	case F_UINT:
		if (v->kind == VCL_N_INT && v->u.num.i >= 0 &&
		    v->u.num.i <= 1000000000) {
			*(unsigned *)(void *)(base + t->off) =
			    (unsigned)v->u.num.i;
			return (0);
		}
		break;
	case F_REQUEST:
		if (v->kind == VCL_N_STRLIST || v->kind == VCL_N_STRING) {
			*(const char **)(void *)(base + t->off) =
			    ck_request(ck, v);
			return (0);
		}
		break;
	case F_PROBE:
		if (v->kind == VCL_N_IDENT) {
			bep->name = v->u.ident.name;
			bep->pos = v->pos;
			return (0);
		}
		if (v->kind == VCL_N_OBJECT) {
			bep->idx = ck_probe_make(ck, NULL, v->u.list.items);
			return (bep->idx < 0 ? -1 : 0);
		}
		break;
	}
	ck_err(ck, &v->pos, "'.%s' wants %s%s, got %s", t->name,
	    ftype_want[t->type], t->type == F_UINT || t->type == F_DUR ?
	    " (not negative)" : "", vcl_kind_name(v->kind));
	return (-1);
}

/* The fields of a declaration; 0, or -1 after an error. */
static int
ck_fields(struct vcl_ck *ck, const struct ck_field *tab, void *obj,
    const struct vcl_node *items, struct ck_beprobe *bep, const char *what)
{
	const struct vcl_node *f, *g;
	int rc = 0;

	for (f = items; f != NULL; f = f->next) {
		for (g = items; g != f; g = g->next)
			if (strcmp(g->u.named.name, f->u.named.name) == 0)
				break;
		if (g != f) {
			ck_err(ck, &f->u.named.namepos, "'.%s' is set twice",
			    f->u.named.name);
			rc = -1;
		} else if (ck_field(ck, tab, obj, f, bep, what) != 0)
			rc = -1;
	}
	return (rc);
}

/* A probe into p->probes: its index, or -1 after an error. */
static int
ck_probe_make(struct vcl_ck *ck, const char *name,
    const struct vcl_node *items)
{
	struct vcl_prog *p = ck->p;
	struct vcl_probe pr;
	const struct vcl_node *at = items;

	memset(&pr, 0, sizeof pr);
	pr.expected_response = 200;
	pr.timeout = 2;
	pr.interval = 5;
	pr.window = 8;
	pr.threshold = 3;
	pr.initial = ~0u;
	if (ck_fields(ck, pr_fields, &pr, items, NULL, "probe") != 0)
		return (-1);
	if (pr.url != NULL && pr.request != NULL) {
		ck_err(ck, &at->pos, "a probe has .url or .request, not both");
		return (-1);
	}
	if (pr.url == NULL && pr.request == NULL)
		pr.url = "/";
	if (pr.window > 64 || pr.threshold > pr.window ||
	    (pr.initial != ~0u && pr.initial > pr.threshold)) {
		ck_err(ck, at != NULL ? &at->pos : NULL, "a probe needs "
		    ".initial <= .threshold <= .window <= 64");
		return (-1);
	}
	if (pr.initial == ~0u)
		pr.initial = pr.threshold ? pr.threshold - 1 : 0;
	pr.name = name != NULL ? ck_strdup(ck, name, strlen(name)) : NULL;
	if (ck_grow(ck, &p->probes, &ck->cap_pr, p->nprobes,
	    sizeof *p->probes) != 0)
		return (-1);
	p->probes[p->nprobes] = pr;
	return ((int)p->nprobes++);
}

void
ck_decl_probe(struct vcl_ck *ck, const struct vcl_node *n)
{
	int i = ck_probe_make(ck, n->u.decl.name, n->u.decl.items);

	if (i >= 0)
		(void)ck_declare(ck, n->u.decl.name, CK_PROBE, (uint32_t)i,
		    &n->u.decl.namepos);
}

void
ck_decl_backend(struct vcl_ck *ck, const struct vcl_node *n)
{
	struct vcl_prog *p = ck->p;
	struct vcl_backend be;
	struct ck_beprobe bep;

	memset(&be, 0, sizeof be);
	memset(&bep, 0, sizeof bep);
	bep.idx = -1;
	if (ck_fields(ck, be_fields, &be, n->u.decl.items, &bep,
	    "backend") != 0)
		return;
	if (!n->u.decl.none && be.host == NULL) {
		ck_err(ck, &n->u.decl.namepos, "backend '%s' has no .host",
		    n->u.decl.name);
		return;
	}
	be.name = ck_strdup(ck, n->u.decl.name, strlen(n->u.decl.name));
	if (be.host != NULL && p->ops != NULL &&
	    p->ops->ho_backend_check != NULL) {
		char err[256];

		err[0] = '\0';
		if (p->ops->ho_backend_check(&be, err, sizeof err) != 0) {
			ck_err(ck, &n->u.decl.namepos, "backend '%s': %s",
			    n->u.decl.name, err);
			return;
		}
	}
	if (ck_grow(ck, &p->backends, &ck->cap_be, p->nbackends,
	    sizeof *p->backends) != 0 || ck_grow(ck, &ck->bep, &ck->cap_bep,
	    p->nbackends, sizeof *ck->bep) != 0)
		return;
	if (ck_declare(ck, n->u.decl.name, CK_BACKEND, p->nbackends,
	    &n->u.decl.namepos) == NULL)
		return;
	ck->bep[p->nbackends] = bep;
	p->backends[p->nbackends++] = be;
}

void
ck_backends_probes(struct vcl_ck *ck)
{
	struct vcl_prog *p = ck->p;
	uint32_t i;

	for (i = 0; i < p->nbackends; i++) {
		const struct ck_beprobe *b = &ck->bep[i];
		struct ck_sym *s;

		if (b->idx >= 0)
			p->backends[i].probe = &p->probes[b->idx];
		if (b->name == NULL)
			continue;
		s = ck_sym_find(ck, b->name);
		if (s == NULL || s->kind != CK_PROBE) {
			ck_err(ck, &b->pos, "'%s' is not a probe", b->name);
			continue;
		}
		s->used = 1;
		p->backends[i].probe = &p->probes[s->idx];
	}
}

/* Where an entry's mask is written: past the address and the '/'. */
static struct vcl_pos
ck_mask_pos(const struct vcl_ck *ck, const struct vcl_node *addr)
{
	const struct vcl_src *s = ck->a->srcs[addr->pos.src];
	size_t len = addr->u.str.len + (addr->u.str.quote == VCL_Q_PLAIN ? 2
	    : addr->u.str.quote == VCL_Q_BRACE ? 4 : 6);
	struct vcl_pos pos = ck_pos_skip(ck, addr->pos, len);

	if (pos.off < s->len && s->text[pos.off] == '/')
		return (ck_pos_skip(ck, pos, 1));
	return (addr->pos);
}

void
ck_decl_acl(struct vcl_ck *ck, const struct vcl_node *n)
{
	struct vcl_prog *p = ck->p;
	const struct vcl_node *e, *f;
	struct vcl_acl *acl;
	char err[256];
	int rc;

	for (f = n->u.acl.flags; f != NULL; f = f->next)
		if (strcmp(f->u.aclflag.name, "log") != 0 &&
		    strcmp(f->u.aclflag.name, "pedantic") != 0 &&
		    strcmp(f->u.aclflag.name, "table") != 0 &&
		    strcmp(f->u.aclflag.name, "fold") != 0)
			ck_err(ck, &f->pos, "unknown ACL flag '%s'",
			    f->u.aclflag.name);
	acl = vcl_acl_new(n->u.acl.name);
	if (acl == NULL || ck_grow(ck, &p->acls, &ck->cap_acls, p->nacls,
	    sizeof *p->acls) != 0) {
		ck->oom = 1;
		vcl_acl_free(&acl);
		return;
	}
	for (e = n->u.acl.entries; e != NULL; e = e->next) {
		const struct vcl_node *a = e->u.aclent.addr;
		struct vcl_pos pos = a->pos;

		if (memchr(a->u.str.s, '\0', a->u.str.len) != NULL) {
			ck_err(ck, &pos, "bad address in ACL");
			continue;
		}
		rc = vcl_acl_add(acl, a->u.str.s, e->u.aclent.mask,
		    e->u.aclent.negated, err, sizeof err);
		if (rc == -2 && e->u.aclent.paren)
			continue; /* ( "name" ): may not resolve (Varnish) */
		if (rc == -1 && e->u.aclent.mask >= 0 &&
		    strstr(err, "mask") != NULL)
			pos = ck_mask_pos(ck, a);
		if (rc != 0)
			ck_err(ck, &pos, "%s", err);
	}
	if (ck_declare(ck, n->u.acl.name, CK_ACL, p->nacls,
	    &n->u.acl.namepos) == NULL) {
		vcl_acl_free(&acl);
		return;
	}
	p->acls[p->nacls++] = acl;
}
