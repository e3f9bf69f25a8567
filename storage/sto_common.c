/* sto_common.c: storage's panic, error names, size parsing and -s dispatch. */
#include "storage/sto_common.h"
#include "storage/sto_lmdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void (*sto_panic_hook)(const char *file, int line, const char *func,
		       const char *cond);

/* The one way out of a broken invariant: the daemon's hook, or abort(). */
void
sto_panic(const char *file, int line, const char *func, const char *cond)
{
	char buf[512];
	int n;

	if (sto_panic_hook != NULL)
		sto_panic_hook(file, line, func, cond);
	n = snprintf(buf, sizeof buf, "storage: panic: %s:%d %s(): assert %s\n",
		     file, line, func, cond);
	if (n > 0)
		(void)!write(2, buf,
			     (size_t)n < sizeof buf ? (size_t)n
						    : sizeof buf - 1);
	abort();
}

/* Names for our negative codes, strerror() for errno values. */
const char *
sto_strerror(int err)
{
	if (err == 0)
		return ("success");
	if (err > 0)
		return (strerror(err));
	switch (err) {
#define X(name, val, text)                                                     \
	case name: return (text);
		STO_ERR_LIST(X)
#undef X
	default: return ("unknown storage error");
	}
}

/* Sizes as varnishd takes them: a number and an optional k/M/G/T suffix. */
int
sto_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return (STO_ESPEC);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return (STO_ESPEC);
	switch (*end) {
	case '\0': break;
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		end++;
		break;
	case 't':
	case 'T':
		mul = 1ULL << 40;
		end++;
		break;
	default: return (STO_ESPEC);
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || (v != 0 && mul > SIZE_MAX / v))
		return (STO_ESPEC);
	*out = (size_t)(v * mul);
	return (0);
}

/* Every tier -s can name. */
static const struct sto_tier_ops *const sto_tiers[] = {
    &sto_mem_ops,
    &sto_lmdb_ops,
};

/* -s NAME[=ARG]: find the tier by name and open it with ARG. */
int
sto_tier_open(struct sto_tier **tp, const char *spec)
{
	const char *eq;
	size_t nlen;
	unsigned u;

	STO_AN(tp);
	*tp = NULL;
	if (spec == NULL)
		return (STO_ESPEC);
	eq = strchr(spec, '=');
	nlen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	for (u = 0; u < STO_ARRAY_LEN(sto_tiers); u++) {
		if (strlen(sto_tiers[u]->name) == nlen &&
		    memcmp(sto_tiers[u]->name, spec, nlen) == 0)
			return (
			    sto_tiers[u]->open(tp, eq != NULL ? eq + 1 : NULL));
	}
	return (STO_ESPEC);
}

/* Close any tier through its own ops; *tp becomes NULL. */
void
sto_tier_close(struct sto_tier **tp)
{
	STO_AN(tp);
	if (*tp == NULL)
		return;
	STO_CHECK_OBJ(*tp, STO_TIER_MAGIC);
	(*tp)->t_ops->close(tp);
	*tp = NULL;
}

int
sto_hashin_eq(const struct sto_obj *o, const void *hashin, size_t len)
{
	return (o->o_hashin_len == len &&
		(len == 0 || memcmp(sto_obj_hashin(o), hashin, len) == 0));
}

int
sto_bytes_eq(struct sto_bytes a, struct sto_bytes b)
{
	return (a.len == b.len &&
		(a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0));
}

int
sto_same_variant(const struct sto_obj *old, const struct sto_obj *o)
{
	int st;

	if (old == o || !sto_key_eq(&old->o_key, &o->o_key) ||
	    !sto_hashin_eq(old, sto_obj_hashin(o), o->o_hashin_len))
		return (0);
	/* Vary fields are readable only once published (acquire). */
	st = atomic_load_explicit(&old->o_state, memory_order_acquire);
	if (st != STO_OBJ_STREAMING && st != STO_OBJ_COMPLETE)
		return (0);
	if (sto_obj_vary_names(old).ptr == NULL ||
	    sto_obj_vary_names(o).ptr == NULL ||
	    !sto_bytes_eq(sto_obj_vary_names(old), sto_obj_vary_names(o)))
		return (1);
	return (sto_bytes_eq(sto_obj_vary_vals(old), sto_obj_vary_vals(o)));
}
