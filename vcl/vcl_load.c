/*
 * vcl_load.c: a program's life: parse (the user's text and its includes,
 * then the built-in VCL appended), check and compile (vcl_check.c), count
 * its users, free it with its last one.
 */
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_check_int.h"
#include "vcl/vcl_rt.h"

/* vcl_load() and vcl_load_builtin(): builtin is the built-in VCL's text. */
static struct vcl_prog *
load(const char *file, const char *name, const char *src, size_t srclen,
    unsigned flags, const char *builtin, size_t builtin_len,
    const struct vcl_host_ops *ops, struct vcl_diag *d)
{
	struct vcl_ast *a;
	struct vcl_prog *p;

	if (file != NULL)
		a = vcl_parse_file(file, d);
	else if (src != NULL)
		a = vcl_parse_string(name != NULL ? name : "<vcl>", src,
		    srclen, d);
	else {
		/* The built-in VCL alone: the host adds its backend. */
		a = vcl_parse_string("builtin.vcl", "vcl 4.1;", 8, d);
		if (a != NULL && vcl_parse_append(a, "builtin.vcl",
		    builtin, builtin_len, VCL_PARSE_NO_VERSION |
		    VCL_PARSE_NO_INCLUDE, d) != 0)
			vcl_ast_free(&a);
		flags |= VCL_LOAD_NO_BUILTIN;
	}
	if (a == NULL)
		return (NULL);
	if (!(flags & VCL_LOAD_NO_BUILTIN) && vcl_parse_append(a,
	    "builtin.vcl", builtin, builtin_len,
	    VCL_PARSE_NO_VERSION | VCL_PARSE_NO_INCLUDE, d) != 0) {
		vcl_ast_free(&a);
		return (NULL);
	}
	p = vcl_check(a, ops, d);
	vcl_ast_free(&a);
	return (p);
}

struct vcl_prog *
vcl_load(const char *file, const char *name, const char *src, size_t srclen,
    unsigned flags, const struct vcl_host_ops *ops, struct vcl_diag *d)
{
	return (load(file, name, src, srclen, flags, vcl_builtin_text,
	    vcl_builtin_len, ops, d));
}

struct vcl_prog *
vcl_load_builtin(const char *file, const char *name, const char *src,
    size_t srclen, const char *builtin, size_t builtin_len,
    const struct vcl_host_ops *ops, struct vcl_diag *d)
{
	return (load(file, name, src, srclen, 0, builtin, builtin_len, ops,
	    d));
}

struct vcl_prog *
vcl_prog_ref(struct vcl_prog *p)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	VCL_ASSERT(atomic_fetch_add(&p->refcnt, 1) > 0);
	return (p);
}

void
vcl_prog_rel(struct vcl_prog **pp)
{
	struct vcl_prog *p;

	VCL_AN(pp);
	p = *pp;
	*pp = NULL;
	if (p == NULL)
		return;
	VCL_CHECK_OBJ(p, VCL_PROG_MAGIC);
	if (atomic_fetch_sub(&p->refcnt, 1) == 1)
		vcl_prog_free(p);
}

void
vcl_prog_free(struct vcl_prog *p)
{
	struct ck_mem *m;
	uint32_t i;

	if (p == NULL)
		return;
	VCL_CHECK_OBJ(p, VCL_PROG_MAGIC);
	for (i = 0; i < p->nre; i++)
		vcl_re_free(&p->re[i]);
	for (i = 0; i < p->nacls; i++)
		vcl_acl_free(&p->acls[i]);
	/* An object's state is the interpreter's (vcl_dir.c). */
	for (i = 0; i < p->nobjs; i++)
		vcl_dir_free(&p->objs[i]);
	for (i = 0; i < p->nsrc; i++)
		free(p->src_names[i]);
	free(p->src_names);
	free(p->ir);
	free(p->pos);
	free(p->k);
	free(p->hdrs);
	free(p->re);
	free(p->acls);
	free(p->backends);
	free(p->probes);
	free(p->objs);
	m = p->mem;
	ck_mem_free(&m);
	p->magic = 0;
	free(p);
}

struct vcl_backend *
vcl_prog_backends(const struct vcl_prog *p, unsigned *n)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	if (n != NULL)
		*n = p->nbackends;
	return (p->backends);
}

int
vcl_hash_is_default(const struct vcl_prog *p)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	return (p->hash_default);
}

int
vcl_sub_fixed(const struct vcl_prog *p, enum vcl_sub sub)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	VCL_ASSERT((unsigned)sub < VCL_SUB__MAX);
	return (p->quick[sub] != 0 ? (int)p->quick[sub] - 1 : -1);
}

int
vcl_prog_reads(const struct vcl_prog *p, enum vcl_var_id id)
{
	VCL_CHECK_OBJ_NOTNULL(p, VCL_PROG_MAGIC);
	for (uint32_t i = 1; i < p->nir; i++)
		if ((p->ir[i].op == VCL_IR_E_VAR ||
		    p->ir[i].op == VCL_IR_E_VAR_EQ_K) && p->ir[i].a == (uint32_t)id)
			return (1);
	return (0);
}
