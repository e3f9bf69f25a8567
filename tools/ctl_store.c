/*
 * ctl_store.c: finding the store as accel does (-n DIR: DIR/store;
 * -s lmdb=DIR[,...]: DIR), opening it, and the two ways a command names
 * what it acts on: a URL (whose hash inputs accel's cache_key_of() would
 * build) or a key.
 */
#include "tools/ctl.h"

#include "accel/rfc9111.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Whether "DIR,..." names a SIZE: a field after DIR without '='. */
static int
ctl_spec_has_size(const char *arg)
{
	const char *p = strchr(arg, ',');
	size_t n;

	while (p != NULL) {
		p++;
		n = strcspn(p, ",");
		if (n > 0 && memchr(p, '=', n) == NULL)
			return (1);
		p = strchr(p, ',');
	}
	return (0);
}

int
ctl_store_spec(struct ctl *c, const char *spec)
{
	char err[256] = "";

	if (strcmp(spec, "mem") == 0 || strncmp(spec, "mem=", 4) == 0)
		return (0); /* accel's memory tier: nothing of accelctl's */
	if (strncmp(spec, "lmdb=", 5) != 0)
		return (ctl_usage(c,
				  "-s %s: accelctl knows lmdb=DIR[,...] "
				  "(and ignores mem=...)",
				  spec));
	if (strcmp(spec + 5, "off") == 0) {
		c->c_lmdb_off = 1;
		c->c_lmdb = NULL;
		return (0);
	}
	if (sto_lmdb_conf_parse(&c->c_conf, spec + 5, err, sizeof err) != 0)
		return (ctl_usage(c, "-s %s", err[0] ? err : spec));
	c->c_conf_size = ctl_spec_has_size(spec + 5);
	c->c_lmdb_off = 0;
	c->c_lmdb = spec + 5;
	return (0);
}

const char *
ctl_store_dir(const struct ctl *c)
{
	return (c->c_conf.lc_dir);
}

/* The directory and data.mdb must exist: opening would create them. */
static int
ctl_store_exists(struct ctl *c)
{
	char path[PATH_MAX + 16];
	struct stat st;

	if (stat(c->c_conf.lc_dir, &st) != 0) {
		ctl_err(c, "no store at %s: %s", c->c_conf.lc_dir,
			strerror(errno));
		return (CTL_FAIL);
	}
	if (!S_ISDIR(st.st_mode)) {
		ctl_err(c, "no store at %s: not a directory", c->c_conf.lc_dir);
		return (CTL_FAIL);
	}
	snprintf(path, sizeof path, "%s/data.mdb", c->c_conf.lc_dir);
	if (stat(path, &st) != 0) {
		ctl_err(c, "no store at %s: data.mdb: %s", c->c_conf.lc_dir,
			strerror(errno));
		return (CTL_FAIL);
	}
	return (CTL_OK);
}

int
ctl_store_open(struct ctl *c, int rw)
{
	char err[256] = "";
	int r;

	if (c->c_lmdb_off) {
		ctl_err(c, "-s lmdb=off: accel has no disk store then");
		return (CTL_USAGE);
	}
	if (c->c_lmdb == NULL) {
		sto_lmdb_conf_default(&c->c_conf);
		r = snprintf(c->c_conf.lc_dir, sizeof c->c_conf.lc_dir,
			     "%s/store", c->c_ndir);
		if (r < 0 || (size_t)r >= sizeof c->c_conf.lc_dir) {
			ctl_err(c, "-n %s: path too long", c->c_ndir);
			return (CTL_FAIL);
		}
	}
	if ((r = ctl_store_exists(c)) != CTL_OK)
		return (r);
	/* Writing with a map size other than the store's would record ours
	 * in the file: without a SIZE on the command line, keep the store's. */
	if (rw && !c->c_conf_size)
		c->c_conf.lc_mapsize = 0;
	c->c_conf.lc_readonly = !rw;
	r = sto_lmdb_open(&c->c_tier, &c->c_conf, err, sizeof err);
	if (r != 0) {
		c->c_tier = NULL;
		ctl_err(c, "%s: %s", c->c_conf.lc_dir,
			err[0] ? err : sto_strerror(r));
		return (CTL_FAIL);
	}
	r = sto_lmdb_info(c->c_tier, &c->c_info);
	if (r != 0) {
		ctl_err(c, "%s: reading the store record: %s", c->c_conf.lc_dir,
			sto_strerror(r));
		ctl_store_close(c);
		return (CTL_FAIL);
	}
	return (CTL_OK);
}

void
ctl_store_close(struct ctl *c)
{
	if (c->c_tier != NULL)
		sto_tier_close(&c->c_tier);
}

/* ---- buffers ---- */

int
ctl_buf_add(struct ctl_buf *b, const void *p, size_t n)
{
	size_t cap;
	char *np;

	if (b->b_cap - b->b_len <= n) {
		cap = b->b_cap ? b->b_cap : 64;
		while (cap - b->b_len <= n) {
			if (cap > SIZE_MAX / 2)
				return (ENOMEM);
			cap *= 2;
		}
		if ((np = realloc(b->b_ptr, cap)) == NULL)
			return (ENOMEM);
		b->b_ptr = np;
		b->b_cap = cap;
	}
	if (n > 0)
		memcpy(b->b_ptr + b->b_len, p, n);
	b->b_len += n;
	b->b_ptr[b->b_len] = '\0';
	return (0);
}

void
ctl_buf_free(struct ctl_buf *b)
{
	free(b->b_ptr);
	memset(b, 0, sizeof *b);
}

/* ---- URLs and keys ---- */

int
ctl_url(struct ctl_buf *b, const void *hashin, size_t len)
{
	const void *host, *path, *more;
	size_t hl, pl, ml, off = 0;

	/* Exactly (host, path): other inputs would make another key. */
	if (sto_hashin_next(hashin, len, &off, &host, &hl) != 0 ||
	    sto_hashin_next(hashin, len, &off, &path, &pl) != 0 ||
	    sto_hashin_next(hashin, len, &off, &more, &ml) != STO_EOF)
		return (-1);
	if (ctl_buf_add(b, "http://", 7) != 0 ||
	    ctl_buf_add(b, host, hl) != 0 || ctl_buf_add(b, path, pl) != 0)
		return (ENOMEM);
	return (0);
}

static int
ctl_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

/* 32 hex digits, as sto_key_hex() writes them: 0, or -1. */
static int
ctl_key_parse(const char *s, struct sto_key *k)
{
	uint64_t w[2] = {0, 0};
	int i, v;

	if (strlen(s) != 32)
		return (-1);
	for (i = 0; i < 32; i++) {
		if ((v = ctl_hexval((unsigned char)s[i])) < 0)
			return (-1);
		w[i / 16] = w[i / 16] << 4 | (uint64_t)v;
	}
	k->hi = w[0];
	k->lo = w[1];
	return (0);
}

int
ctl_target_parse(struct ctl *c, const char *arg, struct ctl_target *tg)
{
	struct sto_hashin hi;
	const char *host, *path;
	size_t skip, hl, pl, cap;

	memset(tg, 0, sizeof *tg);
	tg->t_arg = arg;
	if (ctl_key_parse(arg, &tg->t_key) == 0)
		return (0);
	if (strncasecmp(arg, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(arg, "https://", 8) == 0)
		skip = 8;
	else
		return (ctl_usage(c,
				  "'%s' is neither a URL (http://HOST/PATH) "
				  "nor a key (32 hex digits)",
				  arg));
	/* As accel's parser splits an absolute-form target: the authority
	 * up to the first '/', and "/" when nothing follows it. */
	host = arg + skip;
	hl = strcspn(host, "/");
	path = host[hl] != '\0' ? host + hl : "/";
	pl = strlen(path);
	cap = hl + pl + 8;
	if ((tg->t_hashin = malloc(cap)) == NULL) {
		ctl_err(c, "out of memory");
		return (CTL_FAIL);
	}
	sto_hashin_init(&hi, tg->t_hashin, cap);
	(void)sto_hashin_add(&hi, host, hl);
	(void)sto_hashin_add(&hi, path, pl);
	if (hi.hi_overflow) {
		ctl_target_free(tg);
		return (ctl_usage(c, "'%s': URL too long", arg));
	}
	tg->t_hashin_len = hi.hi_len;
	tg->t_is_url = 1;
	sto_key_make(&tg->t_key, tg->t_hashin, tg->t_hashin_len);
	return (0);
}

void
ctl_target_free(struct ctl_target *tg)
{
	free(tg->t_hashin);
	tg->t_hashin = NULL;
}

int
ctl_target_has(const struct ctl_target *tg, const struct sto_lmdb_ent *e)
{
	const struct sto_obj *o = e->le_obj;

	if (!sto_key_eq(&e->le_key, &tg->t_key))
		return (0);
	if (!tg->t_is_url)
		return (1);
	return (o != NULL && o->o_hashin_len == tg->t_hashin_len &&
		memcmp(sto_obj_hashin(o), tg->t_hashin, tg->t_hashin_len) == 0);
}

/* ---- objects ---- */

uint64_t
ctl_obj_size(const struct sto_obj *o)
{
	if (o->o_content_length >= 0)
		return ((uint64_t)o->o_content_length);
	return (sto_obj_len(o));
}

double
ctl_obj_ttl_left(const struct ctl *c, const struct sto_obj *o)
{
	return (o->o_ttl - rfc_age(o->o_date, o->o_age_recv, o->o_t_req,
				   o->o_t_resp, c->c_now));
}

int
ctl_hdr_find(struct sto_bytes blk, const char *name, const uint8_t **vp,
	     size_t *vlenp)
{
	const uint8_t *p = blk.ptr, *end = blk.ptr + blk.len, *eol, *colon;
	size_t nl = strlen(name);

	if (p == NULL)
		return (-1);
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || (size_t)(colon - p) != nl ||
		    strncasecmp((const char *)p, name, nl) != 0)
			continue;
		p = colon + 1;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		while (eol > p &&
		       (eol[-1] == '\r' || eol[-1] == ' ' || eol[-1] == '\t'))
			eol--;
		*vp = p;
		*vlenp = (size_t)(eol - p);
		return (0);
	}
	return (-1);
}
