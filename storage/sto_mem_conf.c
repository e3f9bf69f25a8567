/* sto_mem_conf.c: the memory tier's settings and their -s mem= syntax. */
#include "storage/sto_common.h"

#include <stdlib.h>
#include <string.h>

static const char *const sto_policy_names[STO_POL__N] = {
#define X(name, text) [STO_POL_##name] = text,
    STO_POLICY_LIST(X)
#undef X
};

const char *
sto_policy_name(enum sto_policy p)
{
	if ((unsigned)p >= STO_POL__N)
		return ("?");
	return (sto_policy_names[p]);
}

/* S3-FIFO by default: docs/storage.md has the hit ratios that chose it. */
void
sto_mem_conf_default(struct sto_mem_conf *mc)
{
	STO_AN(mc);
	memset(mc, 0, sizeof *mc);
	mc->mc_budget = (size_t)256 << 20;
	mc->mc_shards = 64;
	mc->mc_policy = STO_POL_S3FIFO;
	mc->mc_small_pct = 0; /* the policy's own: 10 (S3-FIFO), 20 (SLRU) */
	mc->mc_promote = 1;
}

/* A decimal unsigned in [lo, hi], the whole of s. */
static int
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return (STO_ESPEC);
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return (STO_ESPEC);
	*out = (unsigned)v;
	return (0);
}

/* One "name=value" (or a bare size) onto mc. */
static int
parse_opt(struct sto_mem_conf *mc, char *tok)
{
	char *eq = strchr(tok, '=');
	unsigned u;

	if (eq == NULL)
		return (sto_parse_size(tok, &mc->mc_budget));
	*eq++ = '\0';
	if (strcmp(tok, "policy") == 0) {
		for (u = 0; u < STO_POL__N; u++) {
			if (strcmp(eq, sto_policy_names[u]) == 0) {
				mc->mc_policy = (enum sto_policy)u;
				return (0);
			}
		}
		return (STO_ESPEC);
	}
	if (strcmp(tok, "shards") == 0) {
		if (parse_uint(eq, 1, 1024, &u) != 0 || (u & (u - 1)) != 0)
			return (STO_ESPEC);
		mc->mc_shards = u;
		return (0);
	}
	if (strcmp(tok, "small") == 0)
		return (parse_uint(eq, 1, 90, &mc->mc_small_pct));
	if (strcmp(tok, "promote") == 0)
		return (parse_uint(eq, 1, 3, &mc->mc_promote));
	return (STO_ESPEC);
}

int
sto_mem_conf_parse(struct sto_mem_conf *mc, const char *arg)
{
	char buf[256], *tok, *save = NULL;
	int err;

	sto_mem_conf_default(mc);
	if (arg == NULL || *arg == '\0')
		return (0);
	if (strlen(arg) >= sizeof buf)
		return (STO_ESPEC);
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		err = parse_opt(mc, tok);
		if (err != 0)
			return (err);
	}
	if (mc->mc_budget == 0)
		return (STO_ESPEC);
	return (0);
}
