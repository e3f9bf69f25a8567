/*
 * ctl_ls.c: accelctl storage ls: one line per stored object, filtered by
 * URL prefix or regular expression, sorted, limited. The walk collects
 * first and prints after, so the store's read transaction is not held
 * while a pager reads the output; with --limit only the best N are kept.
 */
#include "tools/ctl.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static const char ctl_help_ls[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage ls [--prefix URL]\n"
    "       [--regex RE] [--sort url|size|ttl|hits] [--limit N] [--json]\n"
    "\n"
    "One line per stored object: URL, body size in bytes, TTL left in\n"
    "seconds (negative: stale by that much), hits served from disk. Each\n"
    "variant of a URL has its own line. Objects come in key order unless\n"
    "sorted.\n"
    "\n"
    "  --prefix URL   only URLs starting with URL (http://HOST/PATH, the\n"
    "                 host as clients send it: http://example.com:8080/)\n"
    "  --regex RE     only URLs matching the POSIX extended regular\n"
    "                 expression RE (anchor it with ^ and $)\n"
    "  --sort KEY     url (ascending), size (largest first), ttl (least\n"
    "                 left first), hits (most first)\n"
    "  --limit N      the first N lines only\n"
    "  --json         an array of {url, key, id, status, size, ttl, hits}\n";

enum ctl_sort {
	CTL_SORT_NONE = 0,
	CTL_SORT_URL,
	CTL_SORT_SIZE,
	CTL_SORT_TTL,
	CTL_SORT_HITS,
};

/* One listed object, copied out of the walk. */
struct ctl_ent {
	char *e_url; /* malloc'd, NUL-terminated */
	size_t e_url_len;
	struct sto_key e_key;
	uint64_t e_id;
	uint64_t e_size;
	double e_ttl;
	uint32_t e_hits;
	unsigned e_status;
};

struct ctl_ls {
	struct ctl *l_ctl;
	const char *l_prefix; /* or NULL */
	regex_t l_re;
	int l_has_re;
	enum ctl_sort l_sort;
	uint64_t l_limit;      /* 0: all */
	struct ctl_ent *l_ent; /* a heap (worst first) when sorting with a
				  limit, else in walk order */
	size_t l_n, l_cap;
	uint64_t l_corrupt; /* metadata records that failed their check */
	struct ctl_buf l_url;
	int l_err;     /* ENOMEM */
	int l_stopped; /* the limit was reached: not an error */
};

#define CTL_LS_STOP (-1000) /* a walk return value no storage code has */

static int
ctl_ent_cmp_url(const struct ctl_ent *a, const struct ctl_ent *b)
{
	size_t n = a->e_url_len < b->e_url_len ? a->e_url_len : b->e_url_len;
	int r = memcmp(a->e_url, b->e_url, n);

	if (r != 0)
		return (r);
	if (a->e_url_len != b->e_url_len)
		return (a->e_url_len < b->e_url_len ? -1 : 1);
	return (a->e_id < b->e_id ? -1 : a->e_id > b->e_id);
}

/* Negative when a comes before b in the listing. */
static int
ctl_ent_cmp(enum ctl_sort sort, const struct ctl_ent *a,
	    const struct ctl_ent *b)
{
	switch (sort) {
	case CTL_SORT_SIZE:
		if (a->e_size != b->e_size)
			return (a->e_size > b->e_size ? -1 : 1);
		break;
	case CTL_SORT_TTL:
		if (a->e_ttl != b->e_ttl)
			return (a->e_ttl < b->e_ttl ? -1 : 1);
		break;
	case CTL_SORT_HITS:
		if (a->e_hits != b->e_hits)
			return (a->e_hits > b->e_hits ? -1 : 1);
		break;
	default: break;
	}
	return (ctl_ent_cmp_url(a, b));
}

static enum ctl_sort ctl_qsort_key; /* qsort has no context argument */

static int
ctl_ent_qcmp(const void *a, const void *b)
{
	return (ctl_ent_cmp(ctl_qsort_key, a, b));
}

/* Restore the heap (the entry listed last at the root) below i. */
static void
ctl_heap_down(struct ctl_ls *l, size_t i)
{
	struct ctl_ent t;
	size_t k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= l->l_n)
			return;
		if (k + 1 < l->l_n &&
		    ctl_ent_cmp(l->l_sort, &l->l_ent[k + 1], &l->l_ent[k]) > 0)
			k++;
		if (ctl_ent_cmp(l->l_sort, &l->l_ent[k], &l->l_ent[i]) <= 0)
			return;
		t = l->l_ent[i];
		l->l_ent[i] = l->l_ent[k];
		l->l_ent[k] = t;
		i = k;
	}
}

static void
ctl_heap_up(struct ctl_ls *l, size_t i)
{
	struct ctl_ent t;
	size_t p;

	while (i > 0) {
		p = (i - 1) / 2;
		if (ctl_ent_cmp(l->l_sort, &l->l_ent[i], &l->l_ent[p]) <= 0)
			return;
		t = l->l_ent[i];
		l->l_ent[i] = l->l_ent[p];
		l->l_ent[p] = t;
		i = p;
	}
}

/* Keep e (taking its URL): appended, or into the bounded heap. */
static int
ctl_ls_keep(struct ctl_ls *l, struct ctl_ent *e)
{
	struct ctl_ent *ne;
	size_t cap;
	int heap = l->l_sort != CTL_SORT_NONE && l->l_limit > 0;

	if (heap && l->l_n == l->l_limit) {
		/* Full: e replaces the one listed last, if e comes before. */
		if (ctl_ent_cmp(l->l_sort, e, &l->l_ent[0]) >= 0) {
			free(e->e_url);
			return (0);
		}
		free(l->l_ent[0].e_url);
		l->l_ent[0] = *e;
		ctl_heap_down(l, 0);
		return (0);
	}
	if (l->l_n == l->l_cap) {
		cap = l->l_cap ? l->l_cap * 2 : 256;
		if (heap && cap > l->l_limit)
			cap = (size_t)l->l_limit;
		if ((ne = realloc(l->l_ent, cap * sizeof *ne)) == NULL) {
			free(e->e_url);
			return (ENOMEM);
		}
		l->l_ent = ne;
		l->l_cap = cap;
	}
	l->l_ent[l->l_n++] = *e;
	if (heap)
		ctl_heap_up(l, l->l_n - 1);
	return (0);
}

static int
ctl_ls_one(const struct sto_lmdb_ent *le, void *priv)
{
	struct ctl_ls *l = priv;
	const struct sto_obj *o = le->le_obj;
	struct ctl_ent e;
	int r;

	ctl_prog_tick(&l->l_ctl->c_prog);
	if (o == NULL) {
		l->l_corrupt++;
		return (0);
	}
	l->l_url.b_len = 0;
	r = ctl_url(&l->l_url, sto_obj_hashin(o), o->o_hashin_len);
	if (r == ENOMEM)
		goto nomem;
	if (r != 0)
		(void)ctl_buf_add(&l->l_url, "", 0); /* listed as "" */
	if (l->l_prefix != NULL &&
	    (r != 0 ||
	     strncmp(l->l_url.b_ptr, l->l_prefix, strlen(l->l_prefix)) != 0))
		return (0);
	if (l->l_has_re &&
	    (r != 0 || regexec(&l->l_re, l->l_url.b_ptr, 0, NULL, 0) != 0))
		return (0);
	memset(&e, 0, sizeof e);
	if ((e.e_url = malloc(l->l_url.b_len + 1)) == NULL)
		goto nomem;
	memcpy(e.e_url, l->l_url.b_ptr, l->l_url.b_len + 1);
	e.e_url_len = l->l_url.b_len;
	e.e_key = le->le_key;
	e.e_id = le->le_id;
	e.e_size = ctl_obj_size(o);
	e.e_ttl = ctl_obj_ttl_left(l->l_ctl, o);
	e.e_hits = le->le_hits;
	e.e_status = o->o_status;
	if (ctl_ls_keep(l, &e) != 0)
		goto nomem;
	if (l->l_sort == CTL_SORT_NONE && l->l_limit > 0 &&
	    l->l_n == l->l_limit) {
		l->l_stopped = 1;
		return (CTL_LS_STOP);
	}
	return (0);
nomem:
	l->l_err = ENOMEM;
	return (ENOMEM);
}

static void
ctl_ls_json(const struct ctl_ls *l)
{
	const struct ctl_ent *e;
	char hex[33];
	size_t i;

	if (l->l_n == 0) {
		printf("[]\n");
		return;
	}
	for (i = 0; i < l->l_n; i++) {
		e = &l->l_ent[i];
		printf("%s{\"url\":", i ? ",\n" : "[\n");
		if (e->e_url_len > 0)
			ctl_put_json(stdout, e->e_url, e->e_url_len);
		else
			printf("null");
		printf(",\"key\":\"%s\",\"id\":%llu,\"status\":%u,"
		       "\"size\":%llu,\"ttl\":%lld,\"hits\":%u}",
		       sto_key_hex(&e->e_key, hex), (unsigned long long)e->e_id,
		       e->e_status, (unsigned long long)e->e_size,
		       ctl_secs(e->e_ttl), e->e_hits);
	}
	printf("\n]\n");
}

static void
ctl_ls_text(const struct ctl_ls *l)
{
	const struct ctl_ent *e;
	size_t i, w = 3;
	char hex[33];

	for (i = 0; i < l->l_n; i++)
		if (l->l_ent[i].e_url_len > w)
			w = l->l_ent[i].e_url_len;
	if (w > 72) /* a long URL pushes its own line's columns only */
		w = 72;
	printf("%-*s  %12s  %10s  %8s\n", (int)w, "URL", "SIZE", "TTL", "HITS");
	for (i = 0; i < l->l_n; i++) {
		e = &l->l_ent[i];
		if (e->e_url_len > 0) {
			ctl_put_text(stdout, e->e_url, e->e_url_len);
			printf("%*s",
			       e->e_url_len < w ? (int)(w - e->e_url_len) : 0,
			       "");
		} else { /* hash inputs that are not (host, path) */
			printf("key:%s%*s", sto_key_hex(&e->e_key, hex),
			       w > 36 ? (int)(w - 36) : 0, "");
		}
		printf("  %12llu  %10lld  %8u\n", (unsigned long long)e->e_size,
		       ctl_secs(e->e_ttl), e->e_hits);
	}
}

/* The command line onto l: CTL_OK, or CTL_OPT_DONE to exit with
 * c->c_exit (help printed, or a usage error). */
static int
ctl_ls_args(struct ctl *c, struct ctl_ls *l, int argc, char **argv, int *json)
{
	static const struct option longs[] = {
	    {"prefix", required_argument, NULL, 'P'},
	    {"regex", required_argument, NULL, 'R'},
	    {"sort", required_argument, NULL, 'S'},
	    {"limit", required_argument, NULL, 'L'},
	    {"json", no_argument, NULL, 'j'},
	    CTL_LONGOPTS_COMMON,
	    {0}};
	static const char *const sorts[] = {"", "url", "size", "ttl", "hits"};
	char err[256], *end;
	unsigned long long v;
	unsigned u;
	int ch, r;

	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "P:R:S:L:j", longs,
				  ctl_help_ls)) != CTL_OPT_END) {
		switch (ch) {
		case CTL_OPT_DONE: return (CTL_OPT_DONE);
		case 'P': l->l_prefix = optarg; break;
		case 'j': *json = 1; break;
		case 'R':
			if (l->l_has_re) {
				regfree(&l->l_re);
				l->l_has_re = 0;
			}
			r = regcomp(&l->l_re, optarg, REG_EXTENDED | REG_NOSUB);
			if (r != 0) {
				regerror(r, &l->l_re, err, sizeof err);
				ctl_usage(c, "--regex %s: %s", optarg, err);
				return (CTL_OPT_DONE);
			}
			l->l_has_re = 1;
			break;
		case 'S':
			for (u = 1; u < sizeof sorts / sizeof sorts[0]; u++)
				if (strcmp(optarg, sorts[u]) == 0)
					break;
			if (u == sizeof sorts / sizeof sorts[0]) {
				ctl_usage(c,
					  "--sort %s: url, size, ttl or hits",
					  optarg);
				return (CTL_OPT_DONE);
			}
			l->l_sort = (enum ctl_sort)u;
			break;
		case 'L':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 || v == 0 ||
			    v > SIZE_MAX / sizeof(struct ctl_ent)) {
				ctl_usage(c,
					  "--limit %s: a number of lines, "
					  "1 or more",
					  optarg);
				return (CTL_OPT_DONE);
			}
			l->l_limit = v;
			break;
		default: ctl_usage(c, "unknown option"); return (CTL_OPT_DONE);
		}
	}
	if (optind < argc) {
		ctl_usage(c, "unexpected argument '%s'", argv[optind]);
		return (CTL_OPT_DONE);
	}
	return (CTL_OK);
}

int
ctl_cmd_ls(struct ctl *c, int argc, char **argv)
{
	struct ctl_ls l;
	size_t i;
	int r, json = 0;

	memset(&l, 0, sizeof l);
	l.l_ctl = c;
	if (ctl_ls_args(c, &l, argc, argv, &json) != CTL_OK) {
		r = c->c_exit;
		goto out;
	}
	if ((r = ctl_store_open(c, 0)) != CTL_OK)
		goto out;
	r = sto_lmdb_walk(c->c_tier, 0, ctl_ls_one, &l);
	ctl_prog_end(&c->c_prog);
	if (l.l_err != 0 || (r != 0 && !l.l_stopped)) {
		ctl_err(c, "%s: %s", ctl_store_dir(c),
			sto_strerror(l.l_err ? l.l_err : r));
		r = CTL_FAIL;
		goto out;
	}
	r = CTL_OK;
	if (l.l_sort != CTL_SORT_NONE && l.l_n > 0) {
		ctl_qsort_key = l.l_sort;
		qsort(l.l_ent, l.l_n, sizeof *l.l_ent, ctl_ent_qcmp);
	}
	if (json)
		ctl_ls_json(&l);
	else
		ctl_ls_text(&l);
	if (l.l_corrupt > 0)
		ctl_err(c,
			"%llu %s not listed: metadata failing its checksum "
			"(accelctl storage verify)",
			(unsigned long long)l.l_corrupt,
			l.l_corrupt == 1 ? "object" : "objects");
out:
	for (i = 0; i < l.l_n; i++)
		free(l.l_ent[i].e_url);
	free(l.l_ent);
	ctl_buf_free(&l.l_url);
	if (l.l_has_re)
		regfree(&l.l_re);
	return (r);
}
