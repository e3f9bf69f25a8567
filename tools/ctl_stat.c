/*
 * ctl_stat.c: accelctl storage stat: the store's totals. The space and
 * format come from the store record and LMDB; the counts by status,
 * content type and freshness from one walk over every object's metadata.
 */
#include "tools/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char ctl_help_stat[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage stat [--json]\n"
    "\n"
    "The store's totals: objects, record bytes, LMDB pages used and free,\n"
    "map size, chunk size and format version; objects by status and by\n"
    "Content-Type (the 10 most common); how many are expired (past their\n"
    "ttl: served only stale or revalidated) and dead (past dead_at: nothing\n"
    "can use them, eviction takes them first); hits served from disk.\n"
    "\n"
    "  --json     one JSON object instead of the table\n";

#define CTL_TOP_TYPES 10
#define CTL_TYPE_MAX  100 /* longer media types are cut */

/* Objects of one content type; a small open-addressing table. */
struct ctl_type {
	char *ty_name; /* NULL: free slot */
	uint64_t ty_n;
};

struct ctl_stat {
	struct ctl *s_ctl;
	uint64_t s_objects;
	uint64_t s_disk; /* record bytes, summed over the walk */
	uint64_t s_hits;
	uint64_t s_expired; /* past ttl */
	uint64_t s_dead;    /* past dead_at */
	uint64_t s_corrupt; /* metadata record failed its checksum */
	uint64_t s_status[1000];
	struct ctl_type *s_types;
	size_t s_ntypes, s_cap;
	int s_err; /* ENOMEM */
};

static uint32_t
ctl_type_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h);
}

/* The slot for name: its entry, or the free slot where it goes. */
static struct ctl_type *
ctl_type_slot(struct ctl_type *tab, size_t cap, const char *name)
{
	size_t i = ctl_type_hash(name) & (cap - 1);

	while (tab[i].ty_name != NULL && strcmp(tab[i].ty_name, name) != 0)
		i = (i + 1) & (cap - 1);
	return (&tab[i]);
}

static int
ctl_type_count(struct ctl_stat *s, const char *name)
{
	struct ctl_type *tab, *ty;
	size_t i, cap;

	if (s->s_ntypes * 2 >= s->s_cap) { /* grow: at most half full */
		cap = s->s_cap ? s->s_cap * 2 : 64;
		if ((tab = calloc(cap, sizeof *tab)) == NULL)
			return (ENOMEM);
		for (i = 0; i < s->s_cap; i++)
			if (s->s_types[i].ty_name != NULL)
				*ctl_type_slot(tab, cap,
					       s->s_types[i].ty_name) =
				    s->s_types[i];
		free(s->s_types);
		s->s_types = tab;
		s->s_cap = cap;
	}
	ty = ctl_type_slot(s->s_types, s->s_cap, name);
	if (ty->ty_name == NULL) {
		if ((ty->ty_name = strdup(name)) == NULL)
			return (ENOMEM);
		s->s_ntypes++;
	}
	ty->ty_n++;
	return (0);
}

/* The media type of o's Content-Type, lower case, without parameters. */
static void
ctl_obj_type(const struct sto_obj *o, char *buf, size_t len)
{
	const uint8_t *v;
	size_t vl, i, n = 0;

	if (ctl_hdr_find(sto_obj_hdrs(o), "Content-Type", &v, &vl) != 0) {
		snprintf(buf, len, "(none)");
		return;
	}
	for (i = 0; i < vl && v[i] != ';' && n + 1 < len; i++) {
		if (v[i] == ' ' || v[i] == '\t')
			continue;
		buf[n++] =
		    v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : (char)v[i];
	}
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, len, "(empty)");
}

static int
ctl_stat_one(const struct sto_lmdb_ent *e, void *priv)
{
	struct ctl_stat *s = priv;
	const struct sto_obj *o = e->le_obj;
	char type[CTL_TYPE_MAX + 1];

	ctl_prog_tick(&s->s_ctl->c_prog);
	s->s_objects++;
	s->s_disk += e->le_disk;
	s->s_hits += e->le_hits;
	if (e->le_dead_at > 0 && (double)e->le_dead_at <= s->s_ctl->c_now)
		s->s_dead++;
	if (o == NULL) {
		s->s_corrupt++;
		return (0);
	}
	if (ctl_obj_ttl_left(s->s_ctl, o) <= 0)
		s->s_expired++;
	s->s_status[o->o_status < 1000 ? o->o_status : 0]++;
	ctl_obj_type(o, type, sizeof type);
	if (ctl_type_count(s, type) != 0) {
		s->s_err = ENOMEM;
		return (1);
	}
	return (0);
}

/* Most objects first, then by name. */
static int
ctl_type_cmp(const void *a, const void *b)
{
	const struct ctl_type *x = a, *y = b;

	if (x->ty_n != y->ty_n)
		return (x->ty_n < y->ty_n ? 1 : -1);
	return (strcmp(x->ty_name, y->ty_name));
}

/* The table packed and sorted; returns how many entries. */
static size_t
ctl_types_sort(struct ctl_stat *s)
{
	struct ctl_type t;
	size_t i, n = 0;

	for (i = 0; i < s->s_cap; i++) {
		if (s->s_types[i].ty_name == NULL)
			continue;
		t = s->s_types[i];
		s->s_types[i].ty_name = NULL; /* no name twice */
		s->s_types[n++] = t;
	}
	if (n > 0)
		qsort(s->s_types, n, sizeof *s->s_types, ctl_type_cmp);
	return (n);
}

static void
ctl_stat_json(const struct ctl_stat *s, const struct sto_lmdb_stats *ls,
	      size_t ntypes)
{
	const struct ctl *c = s->s_ctl;
	const struct sto_lmdb_info *li = &c->c_info;
	uint64_t other = 0, pfree;
	unsigned u, first = 1;
	size_t i;

	pfree =
	    ls->pages_max > ls->pages_used ? ls->pages_max - ls->pages_used : 0;
	printf("{\"store\":");
	ctl_put_jsonz(stdout, ctl_store_dir(c));
	printf(",\"format\":%u,\"chunk_size\":%zu,\"objects\":%llu,"
	       "\"record_bytes\":%llu,\"page_size\":%llu,\"pages_used\":%llu,"
	       "\"pages_free\":%llu,\"pages_max\":%llu,\"map_size\":%zu,"
	       "\"free_pct\":%.1f,\"expired\":%llu,\"dead\":%llu,"
	       "\"hits\":%llu,\"corrupt\":%llu,\"by_status\":{",
	       li->li_format, li->li_chunk, (unsigned long long)s->s_objects,
	       (unsigned long long)s->s_disk, (unsigned long long)ls->page_size,
	       (unsigned long long)ls->pages_used, (unsigned long long)pfree,
	       (unsigned long long)ls->pages_max, li->li_mapsize,
	       ls->pages_max ? 100.0 * (double)pfree / (double)ls->pages_max
			     : 0.0,
	       (unsigned long long)s->s_expired, (unsigned long long)s->s_dead,
	       (unsigned long long)s->s_hits, (unsigned long long)s->s_corrupt);
	for (u = 0; u < 1000; u++) {
		if (s->s_status[u] == 0)
			continue;
		printf("%s\"%u\":%llu", first ? "" : ",", u,
		       (unsigned long long)s->s_status[u]);
		first = 0;
	}
	printf("},\"by_content_type\":[");
	for (i = 0; i < ntypes; i++) {
		if (i >= CTL_TOP_TYPES) {
			other += s->s_types[i].ty_n;
			continue;
		}
		printf("%s{\"type\":", i ? "," : "");
		ctl_put_jsonz(stdout, s->s_types[i].ty_name);
		printf(",\"objects\":%llu}",
		       (unsigned long long)s->s_types[i].ty_n);
	}
	printf("],\"other_content_types\":%llu}\n", (unsigned long long)other);
}

static void
ctl_stat_text(const struct ctl_stat *s, const struct sto_lmdb_stats *ls,
	      size_t ntypes)
{
	const struct ctl *c = s->s_ctl;
	const struct sto_lmdb_info *li = &c->c_info;
	uint64_t other = 0, pfree;
	char b1[32], b2[16];
	unsigned u;
	size_t i, w;

	pfree =
	    ls->pages_max > ls->pages_used ? ls->pages_max - ls->pages_used : 0;
	printf("store         ");
	ctl_put_text(stdout, ctl_store_dir(c), strlen(ctl_store_dir(c)));
	printf("\nformat        %u\n", li->li_format);
	printf("chunk size    %zu body bytes\n", li->li_chunk);
	printf("objects       %llu\n", (unsigned long long)s->s_objects);
	printf("record bytes  %s (%llu)\n", ctl_fmt_bytes(s->s_disk, b1),
	       (unsigned long long)s->s_disk);
	printf("pages         %llu used, %llu free, %llu in the map, "
	       "%llu bytes each\n",
	       (unsigned long long)ls->pages_used, (unsigned long long)pfree,
	       (unsigned long long)ls->pages_max,
	       (unsigned long long)ls->page_size);
	printf("map size      %s (%zu), %.1f %% free (%s)\n",
	       ctl_fmt_bytes(li->li_mapsize, b1), li->li_mapsize,
	       ls->pages_max ? 100.0 * (double)pfree / (double)ls->pages_max
			     : 0.0,
	       ctl_fmt_bytes(pfree * ls->page_size, b2));
	printf("expired       %llu (past their ttl)\n",
	       (unsigned long long)s->s_expired);
	printf("dead          %llu (past dead_at: nothing can use them)\n",
	       (unsigned long long)s->s_dead);
	printf("hits          %llu (served from disk)\n",
	       (unsigned long long)s->s_hits);
	if (s->s_corrupt > 0)
		printf("corrupt       %llu (metadata failing its checksum: "
		       "accelctl storage verify)\n",
		       (unsigned long long)s->s_corrupt);
	if (s->s_objects == 0)
		return;
	printf("\nstatus  objects\n");
	for (u = 0; u < 1000; u++)
		if (s->s_status[u] > 0)
			printf("%-6u  %llu\n", u,
			       (unsigned long long)s->s_status[u]);
	printf("\ncontent type                    objects\n");
	for (i = 0; i < ntypes; i++) {
		if (i >= CTL_TOP_TYPES) {
			other += s->s_types[i].ty_n;
			continue;
		}
		ctl_put_text(stdout, s->s_types[i].ty_name,
			     strlen(s->s_types[i].ty_name));
		w = strlen(s->s_types[i].ty_name);
		printf("%*s  %llu\n", w < 30 ? (int)(30 - w) : 0, "",
		       (unsigned long long)s->s_types[i].ty_n);
	}
	if (other > 0) {
		snprintf(b1, sizeof b1, "(%zu others)", ntypes - CTL_TOP_TYPES);
		printf("%-30s  %llu\n", b1, (unsigned long long)other);
	}
}

int
ctl_cmd_stat(struct ctl *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"json", no_argument, NULL, 'j'}, CTL_LONGOPTS_COMMON, {0}};
	struct sto_lmdb_stats ls;
	struct ctl_stat *s;
	size_t i, ntypes;
	int ch, json = 0, r;

	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "j", longs, ctl_help_stat)) !=
	       CTL_OPT_END) {
		if (ch == CTL_OPT_DONE)
			return (c->c_exit);
		json = 1;
	}
	if (optind < argc)
		return (ctl_usage(c, "unexpected argument '%s'", argv[optind]));
	if ((r = ctl_store_open(c, 0)) != CTL_OK)
		return (r);
	if ((s = calloc(1, sizeof *s)) == NULL) {
		ctl_err(c, "out of memory");
		return (CTL_FAIL);
	}
	s->s_ctl = c;
	r = sto_lmdb_walk(c->c_tier, 0, ctl_stat_one, s);
	ctl_prog_end(&c->c_prog);
	if (s->s_err != 0 || r != 0) {
		ctl_err(c, "%s: %s", ctl_store_dir(c),
			sto_strerror(s->s_err ? s->s_err : r));
		r = CTL_FAIL;
	} else {
		sto_lmdb_stats(c->c_tier, &ls);
		ntypes = ctl_types_sort(s);
		if (json)
			ctl_stat_json(s, &ls, ntypes);
		else
			ctl_stat_text(s, &ls, ntypes);
	}
	for (i = 0; i < s->s_cap; i++)
		free(s->s_types[i].ty_name);
	free(s->s_types);
	free(s);
	return (r);
}
