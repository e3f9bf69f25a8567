/*
 * ctl_show.c: accelctl storage show URL|KEY: every object stored for a
 * URL (its Vary variants) or under a key (and whatever else hashes
 * there): metadata and the stored header block, or with --body the bytes
 * of one body on stdout.
 */
#include "tools/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ctl_help_show[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage show [--json]\n"
    "       [--id ID] [--body [--force]] URL|KEY\n"
    "\n"
    "What is stored for URL (http://HOST/PATH, HOST as clients send it; no\n"
    "path means /) or KEY (32 hex digits: every object under that key):\n"
    "url, key, id, status, body size, chunk size, times as HTTP dates,\n"
    "ttl, grace, keep, stale-if-error, TTL left, dead_at, hits, recency\n"
    "generation, ETag, Last-Modified, Vary, and the stored header block.\n"
    "Each Vary variant is shown.\n"
    "\n"
    "  --json     an array with one JSON object per variant\n"
    "  --id ID    only the object with that id (ls --json, show print it)\n"
    "  --body     write the body's bytes, and nothing else, to stdout; with\n"
    "             several variants, pick one with --id\n"
    "  --force    --body even when stdout is a terminal\n";

struct ctl_show {
	struct ctl *w_ctl;
	const struct ctl_target *w_tg;
	int w_json;
	int w_body;
	uint64_t w_id;      /* --id, or 0 */
	unsigned w_n;       /* objects shown (or, for --body, matched) */
	unsigned w_corrupt; /* corrupt metadata under a URL's key */
	uint64_t w_body_id; /* --body: the one to write */
	int w_body_bad;     /* --body: its metadata is corrupt */
	int w_wr_err;       /* --body: errno of a failed write */
};

/* A duration in seconds, as the metadata has it. */
static void
ctl_put_secs(const char *label, double v)
{
	printf("%-16s%.10g s\n", label, v);
}

static void
ctl_put_date(const char *label, double t)
{
	char buf[32];

	printf("%-16s%s\n", label, ctl_fmt_date(t, buf));
}

static void
ctl_put_field(const char *label, struct sto_bytes b)
{
	if (b.ptr == NULL)
		return;
	printf("%-16s", label);
	ctl_put_text(stdout, b.ptr, b.len);
	putchar('\n');
}

/*
 * Pair Vary's names ("name\n"...) with their values ("=value\n" or "!\n"
 * when the request had no such field): fn per pair. val NULL: absent.
 */
static void
ctl_vary_each(const struct sto_obj *o,
	      void (*fn)(const uint8_t *name, size_t nl, const uint8_t *val,
			 size_t vl, int first))
{
	struct sto_bytes n = sto_obj_vary_names(o), v = sto_obj_vary_vals(o);
	const uint8_t *np = n.ptr, *ne = n.ptr + n.len, *vp = v.ptr,
		      *ve = v.ptr + v.len, *a, *b;
	int first = 1;

	if (np == NULL)
		return;
	while (np < ne) {
		if ((a = memchr(np, '\n', (size_t)(ne - np))) == NULL)
			a = ne;
		b = NULL;
		if (vp != NULL && vp < ve &&
		    (b = memchr(vp, '\n', (size_t)(ve - vp))) == NULL)
			b = ve;
		if (b != NULL && *vp == '=')
			fn(np, (size_t)(a - np), vp + 1, (size_t)(b - vp - 1),
			   first);
		else
			fn(np, (size_t)(a - np), NULL, 0, first);
		first = 0;
		np = a + 1;
		if (b != NULL)
			vp = b + 1;
	}
}

static void
ctl_vary_text(const uint8_t *name, size_t nl, const uint8_t *val, size_t vl,
	      int first)
{
	printf("%-16s", first ? "vary" : "");
	ctl_put_text(stdout, name, nl);
	if (val != NULL) {
		printf(": ");
		ctl_put_text(stdout, val, vl);
		putchar('\n');
	} else {
		printf(" (absent from the request)\n");
	}
}

static void
ctl_vary_json(const uint8_t *name, size_t nl, const uint8_t *val, size_t vl,
	      int first)
{
	printf("%s{\"name\":", first ? "" : ",");
	ctl_put_json(stdout, name, nl);
	printf(",\"value\":");
	if (val != NULL)
		ctl_put_json(stdout, val, vl);
	else
		printf("null");
	putchar('}');
}

/* Each line of the header block: fn(line, len) without its CRLF. */
static void
ctl_hdrs_each(const struct sto_obj *o, void (*fn)(const uint8_t *, size_t, int))
{
	struct sto_bytes h = sto_obj_hdrs(o);
	const uint8_t *p = h.ptr, *end = h.ptr + h.len, *eol;
	size_t n;
	int first = 1;

	if (p == NULL)
		return;
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		fn(p, n, first);
		first = 0;
	}
}

static void
ctl_hdr_text(const uint8_t *p, size_t n, int first)
{
	printf("  ");
	ctl_put_text(stdout, p, n);
	putchar('\n');
}

static void
ctl_hdr_json(const uint8_t *p, size_t n, int first)
{
	if (!first)
		putchar(',');
	ctl_put_json(stdout, p, n);
}

static void
ctl_show_text(struct ctl_show *w, const struct sto_lmdb_ent *e)
{
	const struct ctl *c = w->w_ctl;
	const struct sto_obj *o = e->le_obj;
	struct ctl_buf url = {0};
	uint64_t size, chunk = c->c_info.li_chunk;
	double left;
	char hex[33];

	if (w->w_n > 0)
		putchar('\n');
	if (o != NULL &&
	    ctl_url(&url, sto_obj_hashin(o), o->o_hashin_len) == 0) {
		printf("%-16s", "url");
		ctl_put_text(stdout, url.b_ptr, url.b_len);
		putchar('\n');
	}
	ctl_buf_free(&url);
	printf("%-16s%s\n", "key", sto_key_hex(&e->le_key, hex));
	printf("%-16s%llu\n", "id", (unsigned long long)e->le_id);
	if (o == NULL) {
		printf("%-16s%s\n", "corrupt",
		       "the metadata record fails its checksum "
		       "(accelctl storage verify --repair)");
		return;
	}
	size = ctl_obj_size(o);
	printf("%-16s%u\n", "status", o->o_status);
	printf("%-16s%llu bytes\n", "body", (unsigned long long)size);
	printf("%-16s%llu\n", "chunk size", (unsigned long long)chunk);
	ctl_put_date("t_req", o->o_t_req);
	ctl_put_date("t_resp", o->o_t_resp);
	ctl_put_date("date", o->o_date);
	ctl_put_secs("ttl", o->o_ttl);
	ctl_put_secs("grace", o->o_grace);
	ctl_put_secs("keep", o->o_keep);
	ctl_put_secs("stale-if-error", o->o_sie);
	left = ctl_obj_ttl_left(c, o);
	printf("%-16s%lld s (%s)\n", "ttl left", ctl_secs(left),
	       left > 0 ? "fresh" : "stale");
	ctl_put_date("dead at", (double)e->le_dead_at);
	printf("%-16s%u\n", "hits", e->le_hits);
	printf("%-16s%u\n", "gen", e->le_gen);
	printf("%-16s%llu bytes (metadata and chunks)\n", "on disk",
	       (unsigned long long)e->le_disk);
	ctl_put_field("etag", sto_obj_etag(o));
	ctl_put_field("last-modified", sto_obj_lastmod(o));
	ctl_vary_each(o, ctl_vary_text);
	printf("headers\n");
	ctl_hdrs_each(o, ctl_hdr_text);
}

static void
ctl_put_json_field(const char *name, struct sto_bytes b)
{
	printf(",\"%s\":", name);
	if (b.ptr != NULL)
		ctl_put_json(stdout, b.ptr, b.len);
	else
		printf("null");
}

/* A time as seconds since the epoch and as an HTTP date; null when
 * unset (no Date field). */
static void
ctl_put_json_time(const char *name, double t)
{
	char buf[32];

	if (!(t > 0)) {
		printf(",\"%s\":null,\"%s_http\":null", name, name);
		return;
	}
	printf(",\"%s\":%.3f,\"%s_http\":", name, t, name);
	ctl_put_jsonz(stdout, ctl_fmt_date(t, buf));
}

static void
ctl_show_json(struct ctl_show *w, const struct sto_lmdb_ent *e)
{
	const struct ctl *c = w->w_ctl;
	const struct sto_obj *o = e->le_obj;
	struct ctl_buf url = {0};
	char hex[33];

	printf("%s{\"url\":", w->w_n > 0 ? ",\n" : "[\n");
	if (o != NULL && ctl_url(&url, sto_obj_hashin(o), o->o_hashin_len) == 0)
		ctl_put_json(stdout, url.b_ptr, url.b_len);
	else
		printf("null");
	ctl_buf_free(&url);
	printf(",\"key\":\"%s\",\"id\":%llu,\"corrupt\":%s",
	       sto_key_hex(&e->le_key, hex), (unsigned long long)e->le_id,
	       o == NULL ? "true" : "false");
	if (o == NULL) {
		putchar('}');
		return;
	}
	printf(",\"status\":%u,\"size\":%llu,\"chunk_size\":%zu", o->o_status,
	       (unsigned long long)ctl_obj_size(o), c->c_info.li_chunk);
	ctl_put_json_time("t_req", o->o_t_req);
	ctl_put_json_time("t_resp", o->o_t_resp);
	ctl_put_json_time("date", o->o_date);
	printf(",\"ttl\":%.10g,\"grace\":%.10g,\"keep\":%.10g,"
	       "\"stale_if_error\":%.10g,\"ttl_left\":%lld",
	       o->o_ttl, (double)o->o_grace, (double)o->o_keep,
	       (double)o->o_sie, ctl_secs(ctl_obj_ttl_left(c, o)));
	ctl_put_json_time("dead_at", (double)e->le_dead_at);
	printf(",\"hits\":%u,\"gen\":%u,\"disk\":%llu", e->le_hits, e->le_gen,
	       (unsigned long long)e->le_disk);
	ctl_put_json_field("etag", sto_obj_etag(o));
	ctl_put_json_field("last_modified", sto_obj_lastmod(o));
	printf(",\"vary\":[");
	ctl_vary_each(o, ctl_vary_json);
	printf("],\"headers\":[");
	ctl_hdrs_each(o, ctl_hdr_json);
	printf("]}");
}

static int
ctl_show_one(const struct sto_lmdb_ent *e, void *priv)
{
	struct ctl_show *w = priv;

	if (!ctl_target_has(w->w_tg, e)) {
		/* A URL cannot tell whether a corrupt record was its own. */
		if (e->le_obj == NULL)
			w->w_corrupt++;
		return (0);
	}
	if (w->w_id != 0 && e->le_id != w->w_id)
		return (0);
	if (w->w_body) {
		w->w_body_id = e->le_id;
		w->w_body_bad = e->le_obj == NULL;
	} else if (w->w_json) {
		ctl_show_json(w, e);
	} else {
		ctl_show_text(w, e);
	}
	w->w_n++;
	return (0);
}

static int
ctl_body_write(void *priv, const void *p, size_t n)
{
	struct ctl_show *w = priv;

	if (fwrite(p, 1, n, stdout) != n) {
		w->w_wr_err = errno ? errno : EIO;
		return (EIO);
	}
	return (0);
}

/* --body: the one object's bytes to stdout. */
static int
ctl_show_body(struct ctl *c, struct ctl_show *w)
{
	int r;

	if (w->w_n > 1)
		return (ctl_usage(c,
				  "%u variants stored for %s: choose one "
				  "with --id (accelctl storage show lists "
				  "them)",
				  w->w_n, w->w_tg->t_arg));
	if (w->w_body_bad) {
		ctl_err(c, "%s: the metadata record fails its checksum",
			w->w_tg->t_arg);
		return (CTL_FAIL);
	}
	r = sto_lmdb_body(c->c_tier, w->w_body_id, ctl_body_write, w);
	if (r == 0 && fflush(stdout) != 0)
		w->w_wr_err = errno ? errno : EIO;
	if (w->w_wr_err != 0) {
		ctl_err(c, "writing the body: %s", strerror(w->w_wr_err));
		return (CTL_FAIL);
	}
	if (r == ENOENT) {
		ctl_err(c, "%s: the object left the store meanwhile",
			w->w_tg->t_arg);
		return (CTL_FAIL);
	}
	if (r != 0) {
		ctl_err(c, "%s: reading the body: %s%s", w->w_tg->t_arg,
			sto_strerror(r),
			r == STO_ECORRUPT ? " (accelctl storage verify)" : "");
		return (CTL_FAIL);
	}
	return (CTL_OK);
}

int
ctl_cmd_show(struct ctl *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"body", no_argument, NULL, 'b'},
	    {"force", no_argument, NULL, 'f'},
	    {"id", required_argument, NULL, 'i'},
	    CTL_LONGOPTS_COMMON,
	    {0}};
	struct ctl_target tg;
	struct ctl_show w;
	char *end;
	int ch, r, force = 0;

	memset(&w, 0, sizeof w);
	w.w_ctl = c;
	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "jbfi:", longs,
				  ctl_help_show)) != CTL_OPT_END) {
		switch (ch) {
		case CTL_OPT_DONE: return (c->c_exit);
		case 'j': w.w_json = 1; break;
		case 'b': w.w_body = 1; break;
		case 'f': force = 1; break;
		case 'i':
			errno = 0;
			w.w_id = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 || w.w_id == 0)
				return (ctl_usage(c,
						  "--id %s: an object id "
						  "(a number)",
						  optarg));
			break;
		default: return (ctl_usage(c, "unknown option"));
		}
	}
	if (optind >= argc)
		return (ctl_usage(c, "missing URL or KEY"));
	if (optind + 1 < argc)
		return (
		    ctl_usage(c, "unexpected argument '%s'", argv[optind + 1]));
	if (w.w_body && w.w_json)
		return (ctl_usage(c, "--body and --json exclude each other"));
	if (w.w_body && !force && isatty(STDOUT_FILENO))
		return (ctl_usage(c, "--body would write to a terminal: "
				     "redirect stdout, or add --force"));
	if ((r = ctl_target_parse(c, argv[optind], &tg)) != 0)
		return (r);
	w.w_tg = &tg;
	if ((r = ctl_store_open(c, 0)) != CTL_OK)
		goto out;
	r = sto_lmdb_get(c->c_tier, &tg.t_key, ctl_show_one, &w);
	if (r != 0 && r != ENOENT) {
		ctl_err(c, "%s: %s", tg.t_arg, sto_strerror(r));
		r = CTL_FAIL;
		goto out;
	}
	if (w.w_n == 0) {
		ctl_err(c, "nothing stored for %s%s%s", tg.t_arg,
			w.w_id ? " with that --id" : "",
			w.w_corrupt ? " (but a corrupt record is under its "
				      "key: accelctl storage verify)"
				    : "");
		r = CTL_FAIL;
		goto out;
	}
	if (w.w_body) {
		r = ctl_show_body(c, &w);
	} else {
		if (w.w_json)
			printf("\n]\n");
		r = CTL_OK;
	}
out:
	ctl_target_free(&tg);
	return (r);
}
