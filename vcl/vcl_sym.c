/*
 * vcl_sym.c: the tables of vcl_sym.h, expanded from vcl_vars.def and
 * vcl_funcs.def, and their lookups. Variables, functions and object types
 * are sorted by name in their .def files and found by halving; the short
 * lists (types, subroutines, actions, modules) are scanned.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "vcl/vcl_sym.h"

/* 1 if name[0..len) is exactly the string s. */
static int
name_is(const char *name, size_t len, const char *s)
{
	return (strlen(s) == len && memcmp(name, s, len) == 0);
}

/* Byte order of name[0..len) against the string s, as strcmp would. */
static int
name_cmp(const char *name, size_t len, const char *s)
{
	size_t slen = strlen(s);
	int c = memcmp(name, s, len < slen ? len : slen);

	if (c != 0)
		return (c);
	return (len < slen ? -1 : len > slen);
}

/* The name of element i of a table of elements of that size whose name
 * pointer sits at off (the tables differ in type). */
static const char *
entry_name(const void *base, size_t i, size_t size, size_t off)
{
	const char *s;

	memcpy(&s, (const char *)base + i * size + off, sizeof s);
	return (s);
}

/* The index of the element of a sorted table named name, or n. */
static size_t
table_find(const void *base, size_t n, size_t size, size_t off,
    const char *name, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(name, len, entry_name(base, mid, size, off));

		if (c == 0)
			return (mid);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (n);
}

/* The index of the element of an unsorted table named name, or -1: for
 * the short lists, where the index is the enum value. */
static int
table_scan(const void *base, size_t n, size_t size, size_t off,
    const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (name_is(name, len, entry_name(base, i, size, off)))
			return ((int)i);
	return (-1);
}

/* --- types, actions, subroutines -------------------------------------- */

static const char *const type_names[] = {
#define X(id, name) [VCL_T_##id] = name,
	VCL_TYPE_LIST(X)
#undef X
};

const char *
vcl_type_name(enum vcl_type t)
{
	if ((unsigned)t >= VCL_T__MAX)
		return ("?");
	return (type_names[t]);
}

int
vcl_type_by_name(const char *name, size_t len)
{
	return (table_scan(type_names, VCL_T__MAX, sizeof type_names[0], 0,
	    name, len));
}

static const struct action_info {
	const char *name;
	enum vcl_action_arg arg;
	int required;
} actions[] = {
#define X(id, name, arg, req) [VCL_A_##id] = {name, VCL_AA_##arg, req},
	VCL_ACTION_LIST(X)
#undef X
};

const char *
vcl_action_name(enum vcl_action a)
{
	if ((unsigned)a >= VCL_A__MAX)
		return ("?");
	return (actions[a].name);
}

int
vcl_action_by_name(const char *name, size_t len)
{
	return (table_scan(actions, VCL_A__MAX, sizeof actions[0],
	    offsetof(struct action_info, name), name, len));
}

enum vcl_action_arg
vcl_action_arg(enum vcl_action a)
{
	if ((unsigned)a >= VCL_A__MAX)
		return (VCL_AA_NONE);
	return (actions[a].arg);
}

int
vcl_action_arg_required(enum vcl_action a)
{
	if ((unsigned)a >= VCL_A__MAX)
		return (0);
	return (actions[a].required);
}

unsigned
vcl_action_arg_subs(enum vcl_action a)
{
	if ((unsigned)a >= VCL_A__MAX || actions[a].arg == VCL_AA_NONE)
		return (0);
	/* Varnish parses pass(DURATION) anywhere pass is allowed, but only
	 * a fetch can leave a hit-for-pass object behind. */
	if (a == VCL_A_PASS)
		return (VCL_SUBM(VCL_SUB_BACKEND_RESPONSE));
	return (VCL_SUBM_ALL);
}

static const struct sub_info {
	const char *name;
	unsigned group;
	unsigned actions;
} subs[] = {
#define X(id, name, group, acts)                                               \
	[VCL_SUB_##id] = {name, VCL_SUBM_##group, acts},
	VCL_SUB_LIST(X)
#undef X
};

const char *
vcl_sub_name(enum vcl_sub s)
{
	if ((unsigned)s >= VCL_SUB__MAX)
		return ("?");
	return (subs[s].name);
}

int
vcl_sub_by_name(const char *name, size_t len)
{
	return (table_scan(subs, VCL_SUB__MAX, sizeof subs[0],
	    offsetof(struct sub_info, name), name, len));
}

unsigned
vcl_sub_group(enum vcl_sub s)
{
	if ((unsigned)s >= VCL_SUB__MAX)
		return (0);
	return (subs[s].group);
}

unsigned
vcl_sub_actions(enum vcl_sub s)
{
	if ((unsigned)s >= VCL_SUB__MAX)
		return (0);
	return (subs[s].actions);
}

/* --- variables -------------------------------------------------------- */

/* The words vcl_vars.def writes its masks and flags with. */
#define S(s) VCL_SUBM(VCL_SUB_##s)
#define CLI VCL_SUBM_CLIENT
#define BE VCL_SUBM_BACKEND
#define BOTH VCL_SUBM_BOTH
#define ALL VCL_SUBM_ALL
#define HK VCL_SUBM_HOUSEKEEPING
#define NONE 0u
#define UNSUP VCL_VF_UNSUPPORTED
#define HDR VCL_VF_HDR
#define STO VCL_VF_STORAGE
#define V40 VCL_VF_V40
#define V41 VCL_VF_V41
#define RO41 VCL_VF_RO41

static const struct vcl_var vars[] = {
#define VCL_VAR(id, name, type, rd, wr, un, flags, note)                       \
	{VCL_V_##id, name, VCL_T_##type, rd, wr, un, flags, note},
#include "vcl/vcl_vars.def"
};

#undef UNSUP
#undef HDR
#undef STO
#undef V40
#undef V41
#undef RO41

#define NVARS (sizeof vars / sizeof vars[0])
_Static_assert(NVARS == VCL_V__MAX, "vcl_vars.def and enum vcl_var_id");

/* RFC 9110 tchar: what a header field name is made of. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int
vcl_hdr_name_ok(const char *s, size_t len)
{
	if (len == 0)
		return (0);
	for (size_t i = 0; i < len; i++)
		if (!is_tchar((unsigned char)s[i]))
			return (0);
	return (1);
}

int
vcl_hdr_protected(const char *hdr, size_t len)
{
	static const char *const prot[] = {"Content-Length",
	    "Transfer-Encoding"};

	for (size_t i = 0; i < sizeof prot / sizeof prot[0]; i++)
		if (strlen(prot[i]) == len &&
		    strncasecmp(hdr, prot[i], len) == 0)
			return (1);
	return (0);
}

/* A storage backend's name as VCL writes it: letters, digits, _ and -. */
static int
stv_name_ok(const char *s, size_t len)
{
	if (len == 0)
		return (0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-'))
			return (0);
	}
	return (1);
}

/* The header family entry for FAMILY.http.NAME, with NAME in *part. */
static const struct vcl_var *
var_hdr(const char *name, size_t len, const char **part, size_t *partlen)
{
	static const char mid[] = ".http.";
	const size_t mlen = sizeof mid - 1;
	size_t i, k;

	for (i = 0; i + mlen <= len; i++)
		if (memcmp(name + i, mid, mlen) == 0)
			break;
	if (i + mlen > len)
		return (NULL);
	/* the family's name ends before the second dot: "req.http" */
	k = table_find(vars, NVARS, sizeof vars[0],
	    offsetof(struct vcl_var, vv_name), name, i + mlen - 1);
	if (k == NVARS || !(vars[k].vv_flags & VCL_VF_HDR))
		return (NULL);
	*part = name + i + mlen;
	*partlen = len - i - mlen;
	if (!vcl_hdr_name_ok(*part, *partlen))
		return (NULL);
	return (&vars[k]);
}

/* The entry for storage.NAME.X, with NAME in *part. */
static const struct vcl_var *
var_storage(const char *name, size_t len, const char **part, size_t *partlen)
{
	static const char pre[] = "storage.";
	const size_t plen = sizeof pre - 1;
	size_t dot;

	if (len <= plen || memcmp(name, pre, plen) != 0)
		return (NULL);
	for (dot = len; dot > plen; dot--)
		if (name[dot - 1] == '.')
			break;
	if (dot == plen || !stv_name_ok(name + plen, dot - 1 - plen))
		return (NULL);
	for (size_t k = 0; k < NVARS; k++) {
		if (!(vars[k].vv_flags & VCL_VF_STORAGE))
			continue;
		if (!name_is(name + dot, len - dot,
			strrchr(vars[k].vv_name, '.') + 1))
			continue;
		*part = name + plen;
		*partlen = dot - 1 - plen;
		return (&vars[k]);
	}
	return (NULL);
}

const struct vcl_var *
vcl_var_lookup(const char *name, size_t len, const char **hdr, size_t *hdrlen)
{
	const struct vcl_var *v;
	const char *part = NULL;
	size_t partlen = 0, k;

	k = table_find(vars, NVARS, sizeof vars[0],
	    offsetof(struct vcl_var, vv_name), name, len);
	if (k < NVARS && !(vars[k].vv_flags & (VCL_VF_HDR | VCL_VF_STORAGE)))
		v = &vars[k];
	else if ((v = var_hdr(name, len, &part, &partlen)) == NULL)
		v = var_storage(name, len, &part, &partlen);
	if (v == NULL)
		part = NULL, partlen = 0;
	if (hdr != NULL)
		*hdr = part;
	if (hdrlen != NULL)
		*hdrlen = partlen;
	return (v);
}

const struct vcl_var *
vcl_var_get(enum vcl_var_id id)
{
	if ((unsigned)id >= NVARS)
		return (NULL);
	return (&vars[id]);
}

unsigned
vcl_var_subs(const struct vcl_var *v, enum vcl_access acc, unsigned syntax)
{
	if ((v->vv_flags & VCL_VF_V40) && syntax > VCL_SYNTAX_40)
		return (0);
	if ((v->vv_flags & VCL_VF_V41) && syntax < VCL_SYNTAX_41)
		return (0);
	switch (acc) {
	case VCL_ACC_READ: return (v->vv_read);
	case VCL_ACC_WRITE:
		if ((v->vv_flags & VCL_VF_RO41) && syntax >= VCL_SYNTAX_41)
			return (0);
		return (v->vv_write);
	case VCL_ACC_UNSET: return (v->vv_unset);
	}
	return (0);
}

int
vcl_var_allowed(const struct vcl_var *v, const char *hdr, size_t hdrlen,
    enum vcl_access acc, enum vcl_sub s, unsigned syntax)
{
	if ((unsigned)s >= VCL_SUB__MAX)
		return (0);
	if (!(vcl_var_subs(v, acc, syntax) & VCL_SUBM(s)))
		return (0);
	if ((v->vv_flags & VCL_VF_HDR) && acc != VCL_ACC_READ && hdr != NULL &&
	    vcl_hdr_protected(hdr, hdrlen))
		return (0);
	return (1);
}

/* --- modules, functions, object types --------------------------------- */

static const struct vcl_module modules[] = {
#define X(id, name) [VCL_MOD_##id] = {VCL_MOD_##id, name},
	VCL_MOD_LIST(X)
#undef X
};

const struct vcl_module *
vcl_module_find(const char *name, size_t len)
{
	/* CORE is not a module one imports */
	for (int i = VCL_MOD_CORE + 1; i < VCL_MOD__MAX; i++)
		if (name_is(name, len, modules[i].vm_name))
			return (&modules[i]);
	return (NULL);
}

/* The words vcl_funcs.def writes its flags and arguments with (its masks
 * are the variables' above). */
#define UNSUP VCL_FF_UNSUPPORTED
#define DEPR VCL_FF_DEPRECATED
#define UNPAREN(...) __VA_ARGS__
#define REQ(n, T) {.va_name = n, .va_type = VCL_T_##T},
#define OPT(n, T) {.va_name = n, .va_type = VCL_T_##T, .va_flags = VCL_AF_OPT},
#define UNS(n, T)                                                              \
	{.va_name = n,                                                         \
	    .va_type = VCL_T_##T,                                              \
	    .va_flags = VCL_AF_OPT | VCL_AF_UNSUPPORTED},
#define DEFN(n, T, v)                                                          \
	{.va_name = n,                                                         \
	    .va_type = VCL_T_##T,                                              \
	    .va_flags = VCL_AF_OPT | VCL_AF_DEF,                               \
	    .va_defnum = (v)},
#define DEFS(n, T, s)                                                          \
	{.va_name = n,                                                         \
	    .va_type = VCL_T_##T,                                              \
	    .va_flags = VCL_AF_OPT | VCL_AF_DEF,                               \
	    .va_defstr = s},
#define ENUMO(n, words)                                                        \
	{.va_name = n,                                                         \
	    .va_type = VCL_T_ENUM,                                             \
	    .va_flags = VCL_AF_OPT,                                            \
	    .va_enum = (const char *const[]){UNPAREN words, NULL}},
#define ENUMA(n, words, d)                                                     \
	{.va_name = n,                                                         \
	    .va_type = VCL_T_ENUM,                                             \
	    .va_flags = VCL_AF_OPT | VCL_AF_DEF,                               \
	    .va_defstr = d,                                                    \
	    .va_enum = (const char *const[]){UNPAREN words, NULL}},
/* An argument list, and its length: the VOID entry only ends the array,
 * so that a function without arguments still has one. */
#define ARGV(args)                                                             \
	((const struct vcl_arg[]){UNPAREN args{.va_type = VCL_T_VOID}})
#define ARGC(args) (sizeof ARGV(args) / sizeof(struct vcl_arg) - 1)

static const struct vcl_objtype objtypes[] = {
#define VCL_OBJ(id, name, mod, flags, note, args)                              \
	{VCL_O_##id, name, VCL_MOD_##mod, flags, note, ARGV(args), ARGC(args)},
#include "vcl/vcl_funcs.def"
};

static const struct vcl_func funcs[] = {
#define VCL_FUNC(id, name, mod, obj, ret, subs, flags, note, args)             \
	{VCL_F_##id, name, VCL_O_##obj, VCL_MOD_##mod, VCL_T_##ret, subs,      \
	    flags, note, ARGV(args), ARGC(args)},
#include "vcl/vcl_funcs.def"
};

#undef S
#undef CLI
#undef BE
#undef BOTH
#undef ALL
#undef HK
#undef NONE
#undef UNSUP
#undef DEPR
#undef REQ
#undef OPT
#undef UNS
#undef DEFN
#undef DEFS
#undef ENUMO
#undef ENUMA

#define NOBJTYPES (sizeof objtypes / sizeof objtypes[0])
#define NFUNCS (sizeof funcs / sizeof funcs[0])
/* objtypes[] holds VCL_O_NONE + 1 on: its index is the id less one */
_Static_assert(NOBJTYPES + 1 == VCL_O__MAX, "vcl_funcs.def and vcl_obj_id");
_Static_assert(NFUNCS == VCL_F__MAX, "vcl_funcs.def and vcl_func_id");

const struct vcl_func *
vcl_func_lookup(const char *name, size_t len)
{
	size_t k = table_find(funcs, NFUNCS, sizeof funcs[0],
	    offsetof(struct vcl_func, vf_name), name, len);

	if (k == NFUNCS || funcs[k].vf_obj != VCL_O_NONE)
		return (NULL);
	return (&funcs[k]);
}

const struct vcl_func *
vcl_func_get(enum vcl_func_id id)
{
	if ((unsigned)id >= NFUNCS)
		return (NULL);
	return (&funcs[id]);
}

const char *
vcl_func_short(const struct vcl_func *f)
{
	const char *p = strrchr(f->vf_name, '.');

	return (p != NULL ? p + 1 : f->vf_name);
}

const struct vcl_objtype *
vcl_objtype_lookup(const char *name, size_t len)
{
	size_t k = table_find(objtypes, NOBJTYPES, sizeof objtypes[0],
	    offsetof(struct vcl_objtype, vo_name), name, len);

	return (k == NOBJTYPES ? NULL : &objtypes[k]);
}

const struct vcl_objtype *
vcl_objtype_get(enum vcl_obj_id id)
{
	if (id == VCL_O_NONE || (unsigned)id >= VCL_O__MAX)
		return (NULL);
	return (&objtypes[id - 1]);
}

const struct vcl_func *
vcl_method_lookup(const struct vcl_objtype *ot, const char *name, size_t len)
{
	char key[128];
	size_t olen = strlen(ot->vo_name), k;

	/* the table's key is "directors.hash.add_backend" */
	if (len == 0 || memchr(name, '.', len) != NULL ||
	    olen + 1 + len > sizeof key)
		return (NULL);
	memcpy(key, ot->vo_name, olen);
	key[olen] = '.';
	memcpy(key + olen + 1, name, len);
	k = table_find(funcs, NFUNCS, sizeof funcs[0],
	    offsetof(struct vcl_func, vf_name), key, olen + 1 + len);
	if (k == NFUNCS || funcs[k].vf_obj != ot->vo_id)
		return (NULL);
	return (&funcs[k]);
}

const struct vcl_arg *
vcl_arg_find(const struct vcl_arg *args, unsigned n, const char *name,
    size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (args[i].va_name != NULL &&
		    name_is(name, len, args[i].va_name))
			return (&args[i]);
	return (NULL);
}

int
vcl_arg_enum_ok(const struct vcl_arg *a, const char *word, size_t len)
{
	if (a->va_type != VCL_T_ENUM || a->va_enum == NULL)
		return (0);
	for (const char *const *w = a->va_enum; *w != NULL; w++)
		if (name_is(word, len, *w))
			return (1);
	return (0);
}
