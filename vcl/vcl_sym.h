/*
 * vcl_sym.h: the names a VCL program can use without declaring them: its
 * types, the built-in subroutines and the return actions each allows, the
 * variables (who may read, set and unset each), and the functions and
 * object types of the core language and of the std and directors modules.
 *
 * The checker resolves every name of a program here and checks it against
 * these tables; the interpreter switches on the ids. The facts are Varnish
 * 7's (vcl-var, vcl-step, vmod_std, vmod_directors); each entry also says
 * whether accel implements it, so that a program using a real Varnish name
 * accel lacks gets "accel does not support X" rather than "unknown X".
 *
 * Case: VCL names (variables, functions, subroutines, actions, types) are
 * case-sensitive and looked up as given. Header names are not: the lookups
 * here return the header part of `req.http.X-Foo` as written ("X-Foo"), and
 * the interpreter compares header names case-insensitively.
 *
 * Every pointer returned points into static const tables: valid for the
 * life of the process, never freed, safe to share between threads. Every
 * lookup takes a name and its length (it need not be NUL-terminated).
 */
#ifndef VCL_SYM_H
#define VCL_SYM_H

#include <stddef.h>

/* --- types ------------------------------------------------------------ */

/*
 * X(id, name): the VCL types. The first fourteen are the language's own.
 * A HEADER variable (req.http.X) reads and is set as a STRING; a HEADER
 * argument (std.collect(req.http.X)) names the header itself. The rest
 * appear only in the tables below:
 *   ENUM       an argument that takes one bare word from a fixed list
 *              (shard.backend(by=URL)); STRANDS arguments are STRING here
 *   REGEX      a regular expression: a string literal compiled at load
 *   BLOB, STEVEDORE, HTTP, BODY
 *              Varnish types of variables and arguments accel mostly lacks
 *              (req.hash, beresp.storage, the whole req, resp.body); BODY
 *              is set from a STRING (set resp.body = "...").
 */
#define VCL_TYPE_LIST(X)                                                       \
	X(VOID, "VOID")                                                        \
	X(STRING, "STRING")                                                    \
	X(INT, "INT")                                                          \
	X(REAL, "REAL")                                                        \
	X(BOOL, "BOOL")                                                        \
	X(DURATION, "DURATION")                                                \
	X(BYTES, "BYTES")                                                      \
	X(TIME, "TIME")                                                        \
	X(IP, "IP")                                                            \
	X(BACKEND, "BACKEND")                                                  \
	X(HEADER, "HEADER")                                                    \
	X(ACL, "ACL")                                                          \
	X(PROBE, "PROBE")                                                      \
	X(SUB, "SUB")                                                          \
	X(ENUM, "ENUM")                                                        \
	X(REGEX, "REGEX")                                                      \
	X(BLOB, "BLOB")                                                        \
	X(STEVEDORE, "STEVEDORE")                                              \
	X(HTTP, "HTTP")                                                        \
	X(BODY, "BODY")

enum vcl_type {
#define X(id, name) VCL_T_##id,
	VCL_TYPE_LIST(X)
#undef X
	VCL_T__MAX
};

/* "STRING" for VCL_T_STRING; "?" for a value out of range. */
const char *vcl_type_name(enum vcl_type t);
/* The type named exactly name ("DURATION"), or -1. */
int vcl_type_by_name(const char *name, size_t len);

/* --- return actions --------------------------------------------------- */

/*
 * What an action's parentheses may hold in return(action(...)):
 *   NONE      nothing: return(hash)
 *   REASON    optionally a STRING: return(fail) or return(fail("why"))
 *   STATUS    an INT status and optionally a STRING reason:
 *             return(synth(404)), return(synth(404, "Not here"))
 *   LABEL     the name of a VCL label: return(vcl(other))
 *   DURATION  optionally a DURATION: return(pass(120s)) makes the object a
 *             hit-for-pass for that long; only vcl_backend_response gives
 *             it a meaning (vcl_action_arg_subs())
 */
enum vcl_action_arg {
	VCL_AA_NONE,
	VCL_AA_REASON,
	VCL_AA_STATUS,
	VCL_AA_LABEL,
	VCL_AA_DURATION,
};

/*
 * X(id, name, argument form, 1 if the argument is required). MISS is
 * Varnish 5's return(miss) from vcl_hit: no subroutine of Varnish 7 allows
 * it; it stays so the checker can name it.
 */
#define VCL_ACTION_LIST(X)                                                     \
	X(FAIL, "fail", REASON, 0)                                             \
	X(SYNTH, "synth", STATUS, 1)                                           \
	X(RESTART, "restart", NONE, 0)                                         \
	X(PASS, "pass", DURATION, 0)                                           \
	X(PIPE, "pipe", NONE, 0)                                               \
	X(HASH, "hash", NONE, 0)                                               \
	X(PURGE, "purge", NONE, 0)                                             \
	X(LOOKUP, "lookup", NONE, 0)                                           \
	X(DELIVER, "deliver", NONE, 0)                                         \
	X(FETCH, "fetch", NONE, 0)                                             \
	X(MISS, "miss", NONE, 0)                                               \
	X(ABANDON, "abandon", NONE, 0)                                         \
	X(RETRY, "retry", NONE, 0)                                             \
	X(ERROR, "error", STATUS, 0)                                           \
	X(OK, "ok", NONE, 0)                                                   \
	X(VCL, "vcl", LABEL, 1)

enum vcl_action {
#define X(id, name, arg, req) VCL_A_##id,
	VCL_ACTION_LIST(X)
#undef X
	VCL_A__MAX
};

#define VCL_ACTM(a) (1u << VCL_A_##a)

/* "synth" for VCL_A_SYNTH; "?" out of range. */
const char *vcl_action_name(enum vcl_action a);
/* The action named exactly name, or -1. */
int vcl_action_by_name(const char *name, size_t len);
/* What the action's parentheses may hold. */
enum vcl_action_arg vcl_action_arg(enum vcl_action a);
/* 1 if return(a) must have its argument (synth, vcl). */
int vcl_action_arg_required(enum vcl_action a);
/* The subroutines in which return(a) may carry its argument: pass's
 * DURATION only in vcl_backend_response, the others wherever a is allowed. */
unsigned vcl_action_arg_subs(enum vcl_action a);

/* --- built-in subroutines --------------------------------------------- */

/*
 * X(id, name, group, allowed return actions), Varnish 7's rules. The
 * actions do not depend on the `vcl 4.0;` / `vcl 4.1;` line: the two
 * syntaxes differ only in a few variables (see the VCL_VF_ flags).
 * vcl_backend_error allows no error() (it is where error() leads); pass in
 * vcl_backend_response takes a hit-for-pass DURATION; vcl(label) is only
 * valid in the active VCL while req.restarts is 0 (a run-time rule).
 */
#define VCL_SUB_LIST(X)                                                        \
	X(RECV, "vcl_recv", CLIENT,                                            \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART) |             \
		VCL_ACTM(PASS) | VCL_ACTM(PIPE) | VCL_ACTM(HASH) |             \
		VCL_ACTM(PURGE) | VCL_ACTM(VCL))                               \
	X(PIPE, "vcl_pipe", CLIENT,                                            \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(PIPE))                 \
	X(PASS, "vcl_pass", CLIENT,                                            \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART) |             \
		VCL_ACTM(FETCH))                                               \
	X(HASH, "vcl_hash", CLIENT, VCL_ACTM(FAIL) | VCL_ACTM(LOOKUP))         \
	X(PURGE, "vcl_purge", CLIENT,                                          \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART))              \
	X(HIT, "vcl_hit", CLIENT,                                              \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART) |             \
		VCL_ACTM(PASS) | VCL_ACTM(DELIVER))                            \
	X(MISS, "vcl_miss", CLIENT,                                            \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART) |             \
		VCL_ACTM(PASS) | VCL_ACTM(FETCH))                              \
	X(DELIVER, "vcl_deliver", CLIENT,                                      \
	    VCL_ACTM(FAIL) | VCL_ACTM(SYNTH) | VCL_ACTM(RESTART) |             \
		VCL_ACTM(DELIVER))                                             \
	X(SYNTH, "vcl_synth", CLIENT,                                          \
	    VCL_ACTM(FAIL) | VCL_ACTM(RESTART) | VCL_ACTM(DELIVER))            \
	X(BACKEND_FETCH, "vcl_backend_fetch", BACKEND,                         \
	    VCL_ACTM(FAIL) | VCL_ACTM(FETCH) | VCL_ACTM(ABANDON) |             \
		VCL_ACTM(ERROR))                                               \
	X(BACKEND_RESPONSE, "vcl_backend_response", BACKEND,                   \
	    VCL_ACTM(FAIL) | VCL_ACTM(DELIVER) | VCL_ACTM(RETRY) |             \
		VCL_ACTM(ABANDON) | VCL_ACTM(PASS) | VCL_ACTM(ERROR))          \
	X(BACKEND_ERROR, "vcl_backend_error", BACKEND,                         \
	    VCL_ACTM(FAIL) | VCL_ACTM(DELIVER) | VCL_ACTM(RETRY) |             \
		VCL_ACTM(ABANDON))                                             \
	X(INIT, "vcl_init", HOUSEKEEPING, VCL_ACTM(OK) | VCL_ACTM(FAIL))       \
	X(FINI, "vcl_fini", HOUSEKEEPING, VCL_ACTM(OK))

enum vcl_sub {
#define X(id, name, group, actions) VCL_SUB_##id,
	VCL_SUB_LIST(X)
#undef X
	VCL_SUB__MAX
};

/* Masks of subroutines: VCL_SUBM(VCL_SUB_HIT), and the three groups. */
#define VCL_SUBM(s) (1u << (s))
#define VCL_SUBM_CLIENT                                                        \
	(VCL_SUBM(VCL_SUB_RECV) | VCL_SUBM(VCL_SUB_PIPE) |                     \
	    VCL_SUBM(VCL_SUB_PASS) | VCL_SUBM(VCL_SUB_HASH) |                  \
	    VCL_SUBM(VCL_SUB_PURGE) | VCL_SUBM(VCL_SUB_HIT) |                  \
	    VCL_SUBM(VCL_SUB_MISS) | VCL_SUBM(VCL_SUB_DELIVER) |               \
	    VCL_SUBM(VCL_SUB_SYNTH))
#define VCL_SUBM_BACKEND                                                       \
	(VCL_SUBM(VCL_SUB_BACKEND_FETCH) |                                     \
	    VCL_SUBM(VCL_SUB_BACKEND_RESPONSE) |                               \
	    VCL_SUBM(VCL_SUB_BACKEND_ERROR))
#define VCL_SUBM_HOUSEKEEPING                                                  \
	(VCL_SUBM(VCL_SUB_INIT) | VCL_SUBM(VCL_SUB_FINI))
#define VCL_SUBM_BOTH (VCL_SUBM_CLIENT | VCL_SUBM_BACKEND)
#define VCL_SUBM_ALL (VCL_SUBM_BOTH | VCL_SUBM_HOUSEKEEPING)

/* "vcl_recv" for VCL_SUB_RECV; "?" out of range. */
const char *vcl_sub_name(enum vcl_sub s);
/* The built-in subroutine named exactly name ("vcl_recv"), or -1 (a
 * user's subroutine, or a misspelt vcl_* name the checker should refuse:
 * Varnish reserves the vcl_ prefix). */
int vcl_sub_by_name(const char *name, size_t len);
/* VCL_SUBM_CLIENT, _BACKEND or _HOUSEKEEPING: the group s belongs to. */
unsigned vcl_sub_group(enum vcl_sub s);
/* The mask of VCL_ACTM() that return() in s may use. */
unsigned vcl_sub_actions(enum vcl_sub s);

/* --- variables -------------------------------------------------------- */

/* The VCL syntax versions, as the `vcl 4.0;` line gives them. */
#define VCL_SYNTAX_40 40
#define VCL_SYNTAX_41 41

/*
 * Flags of a variable:
 *   UNSUPPORTED  Varnish has it, accel does not (vv_note says why or what
 *                to use instead)
 *   HDR          a header family: req.http is every req.http.NAME
 *   STORAGE      storage.<name>.X: NAME is a storage backend's name
 *   V40          exists only in `vcl 4.0;` programs (req.esi ...)
 *   V41          exists only from `vcl 4.1;` (resp.do_esi, sess.xid ...)
 *   RO41         the write mask holds in 4.0 only; read-only from 4.1
 *                (req.proto, bereq.proto, beresp.proto, resp.proto)
 */
#define VCL_VF_UNSUPPORTED (1u << 0)
#define VCL_VF_HDR (1u << 1)
#define VCL_VF_STORAGE (1u << 2)
#define VCL_VF_V40 (1u << 3)
#define VCL_VF_V41 (1u << 4)
#define VCL_VF_RO41 (1u << 5)

/* The variable ids, VCL_V_REQ_URL ..., one per line of vcl_vars.def. */
enum vcl_var_id {
#define VCL_VAR(id, name, type, rd, wr, un, flags, note) VCL_V_##id,
#include "vcl/vcl_vars.def"
	VCL_V__MAX
};

struct vcl_var {
	enum vcl_var_id vv_id;
	const char *vv_name;  /* "req.url"; "req.http" for the family;
				 "storage.<name>.happy" */
	enum vcl_type vv_type; /* of the value: HEADER for a family */
	unsigned vv_read;     /* VCL_SUBM mask: where it may be read */
	unsigned vv_write;    /* where it may be set */
	unsigned vv_unset;    /* where it may be unset */
	unsigned vv_flags;    /* VCL_VF_ */
	const char *vv_note;  /* for UNSUPPORTED: why, what to use; or NULL */
};

/*
 * The variable a name denotes, or NULL. For a header family
 * (`req.http.X-Foo`) returns the family's entry and sets *hdr and *hdrlen
 * to the header name as written ("X-Foo", pointing into name); NULL if the
 * header name is empty or holds a character RFC 9110 does not allow in a
 * field name (a token). For storage.<name>.free_space, *hdr is the storage
 * name. For other variables *hdr is NULL and *hdrlen 0. hdr and hdrlen may
 * be NULL. The bare family name ("req.http") is not a variable.
 */
const struct vcl_var *vcl_var_lookup(const char *name, size_t len,
    const char **hdr, size_t *hdrlen);
/* The variable with that id, or NULL out of range. */
const struct vcl_var *vcl_var_get(enum vcl_var_id id);

enum vcl_access { VCL_ACC_READ, VCL_ACC_WRITE, VCL_ACC_UNSET };

/* The subroutines in which v may be accessed so in a program of that
 * syntax (VCL_SYNTAX_40/41): 0 if v does not exist in that syntax. */
unsigned vcl_var_subs(const struct vcl_var *v, enum vcl_access acc,
    unsigned syntax);
/* 1 if v (with header name hdr, for a family) may be accessed so in sub s
 * in that syntax. Content-Length and Transfer-Encoding are read-only in
 * every family (Varnish's protected headers). */
int vcl_var_allowed(const struct vcl_var *v, const char *hdr, size_t hdrlen,
    enum vcl_access acc, enum vcl_sub s, unsigned syntax);
/* 1 if a header of that name may not be set or unset from VCL. */
int vcl_hdr_protected(const char *hdr, size_t len);
/* 1 if s is a valid header field name (an RFC 9110 token). */
int vcl_hdr_name_ok(const char *s, size_t len);

/* --- modules, functions, object types --------------------------------- */

/* Flags of a function, method, object type or argument. */
#define VCL_FF_UNSUPPORTED (1u << 0) /* Varnish has it, accel does not */
#define VCL_FF_DEPRECATED (1u << 1)  /* works; Varnish says use another */

/* Flags of an argument. */
#define VCL_AF_OPT (1u << 0)	     /* may be left out */
#define VCL_AF_DEF (1u << 1)	     /* left out, it takes va_defnum/str */
#define VCL_AF_UNSUPPORTED (1u << 2) /* accel refuses the argument */

/*
 * One argument. Arguments fill by position, and those with a name may also
 * be given by name (std.integer(s = "3", fallback = 0) is std.integer("3",
 * 0)). An optional argument without default is "not given" to the
 * interpreter (Varnish passes NULL and a validity bit).
 */
struct vcl_arg {
	const char *va_name;	     /* NULL: by position only */
	enum vcl_type va_type;
	unsigned va_flags;	     /* VCL_AF_ */
	double va_defnum;	     /* default of an INT, REAL, BOOL (0/1),
					DURATION (s) or BYTES argument */
	const char *va_defstr;	     /* default of a STRING or ENUM, or NULL */
	const char *const *va_enum;  /* ENUM: the words, NULL-terminated */
};

/* The modules `import NAME;` can name. CORE holds the functions that need
 * no import (regsub ...); it has no name and cannot be imported. */
#define VCL_MOD_LIST(X)                                                        \
	X(CORE, "")                                                            \
	X(DIRECTORS, "directors")                                              \
	X(STD, "std")

enum vcl_mod_id {
#define X(id, name) VCL_MOD_##id,
	VCL_MOD_LIST(X)
#undef X
	VCL_MOD__MAX
};

struct vcl_module {
	enum vcl_mod_id vm_id;
	const char *vm_name;
};

/* The module `import name;` loads, or NULL: the checker refuses an import
 * of anything else. */
const struct vcl_module *vcl_module_find(const char *name, size_t len);

/* The object type ids (VCL_O_NONE marks a plain function's vf_obj). */
enum vcl_obj_id {
	VCL_O_NONE,
#define VCL_OBJ(id, name, mod, flags, note, args) VCL_O_##id,
#include "vcl/vcl_funcs.def"
	VCL_O__MAX
};

/* The function and method ids: VCL_F_REGSUB, VCL_F_STD_TOLOWER,
 * VCL_F_ROUND_ROBIN_ADD_BACKEND ... */
enum vcl_func_id {
#define VCL_FUNC(id, name, mod, obj, ret, subs, flags, note, args) VCL_F_##id,
#include "vcl/vcl_funcs.def"
	VCL_F__MAX
};

/* A function (regsub, std.tolower) or a method of an object type. */
struct vcl_func {
	enum vcl_func_id vf_id;
	const char *vf_name;	     /* "std.tolower"; a method's is its type's
					and its own: "directors.hash.backend" */
	enum vcl_obj_id vf_obj;	     /* the method's type, or VCL_O_NONE */
	enum vcl_mod_id vf_mod;	     /* what must be imported to use it */
	enum vcl_type vf_ret;	     /* VOID: a statement, not a value */
	unsigned vf_subs;	     /* VCL_SUBM: where it may be called */
	unsigned vf_flags;	     /* VCL_FF_ */
	const char *vf_note;	     /* why unsupported, what to use; or NULL */
	const struct vcl_arg *vf_args;
	unsigned vf_nargs;
};

/* An object type: `new x = directors.round_robin();` (vcl_init only). */
struct vcl_objtype {
	enum vcl_obj_id vo_id;
	const char *vo_name;	     /* "directors.round_robin" */
	enum vcl_mod_id vo_mod;
	unsigned vo_flags;	     /* VCL_FF_ */
	const char *vo_note;
	const struct vcl_arg *vo_args; /* the constructor's */
	unsigned vo_nargs;
};

/* The function (not method) named exactly name ("regsub", "std.tolower"),
 * or NULL. Whether its module was imported is the checker's business. */
const struct vcl_func *vcl_func_lookup(const char *name, size_t len);
/* The function or method with that id, or NULL out of range. */
const struct vcl_func *vcl_func_get(enum vcl_func_id id);
/* The last part of a function's name: "tolower", "add_backend". */
const char *vcl_func_short(const struct vcl_func *f);

/* The object type named exactly name ("directors.round_robin"), or NULL. */
const struct vcl_objtype *vcl_objtype_lookup(const char *name, size_t len);
const struct vcl_objtype *vcl_objtype_get(enum vcl_obj_id id);
/* The method of ot named name ("add_backend"), or NULL. */
const struct vcl_func *vcl_method_lookup(const struct vcl_objtype *ot,
    const char *name, size_t len);

/* The argument named name among args[0..n), or NULL (vf_args and
 * vf_nargs of a function, vo_args and vo_nargs of a constructor). */
const struct vcl_arg *vcl_arg_find(const struct vcl_arg *args, unsigned n,
    const char *name, size_t len);
/* 1 if word is one of an ENUM argument's words. */
int vcl_arg_enum_ok(const struct vcl_arg *a, const char *word, size_t len);

#endif
