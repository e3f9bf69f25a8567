/* params.c: defaults, parsing and help for the -p tunables (params.h). */
#include "accel/params.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct params prm;

/* Parse "1.5" seconds; rejects negatives, NaN and junk. */
static int
parse_dur(const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(d >= 0) || d > 1e7)
		return (-1);
	*out = d;
	return (0);
}

/* Parse "64k", "1g", "123" into bytes. */
static int
parse_size(const char *v, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*v))
		return (-1);
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return (-1);
	uint64_t mul = 1;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mul = 1ULL << 10; end++; break;
	case 'm': mul = 1ULL << 20; end++; break;
	case 'g': mul = 1ULL << 30; end++; break;
	case 't': mul = 1ULL << 40; end++; break;
	default: return (-1);
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || n > UINT64_MAX / mul)
		return (-1);
	*out = n * mul;
	return (0);
}

static int
parse_uint(const char *v, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*v))
		return (-1);
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	*out = n;
	return (0);
}

static int
parse_str(const char *v, const char **out)
{
	*out = v;
	return (0);
}

#define PRM_PARSE_PRM_DUR parse_dur
#define PRM_PARSE_PRM_SIZE parse_size
#define PRM_PARSE_PRM_UINT parse_uint
#define PRM_PARSE_PRM_STR parse_str

void
prm_defaults(struct params *p)
{
#define X(name, type, def, help)                                               \
	if (PRM_PARSE_##type(def, &p->name) != 0)                              \
		abort();
	PARAM_LIST(X)
#undef X
}

int
prm_set(struct params *p, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "-p %s: expected NAME=VALUE", arg);
		return (-1);
	}
	size_t nl = (size_t)(eq - arg);
	const char *v = eq + 1;
#define X(name, type, def, help)                                               \
	if (nl == sizeof(#name) - 1 && memcmp(arg, #name, nl) == 0) {          \
		if (PRM_PARSE_##type(v, &p->name) != 0) {                      \
			snprintf(err, errlen, "-p %s: bad value '%s'", #name, v); \
			return (-1);                                           \
		}                                                              \
		return (0);                                                    \
	}
	PARAM_LIST(X)
#undef X
	snprintf(err, errlen, "-p %.*s: unknown parameter (accel -h lists them)",
	    (int)nl, arg);
	return (-1);
}

void
prm_usage(void)
{
	printf("Parameters (-p NAME=VALUE):\n");
#define X(name, type, def, help)                                               \
	if (strncmp(#name, "debug_", 6) != 0)                                  \
		printf("  %-22s %-6s %s\n", #name, def, help);
	PARAM_LIST(X)
#undef X
}
