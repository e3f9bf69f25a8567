/*
 * ctl_edit.c: the commands that may write to the store: verify (which
 * writes only with --repair) and rm. Both delete synchronously, in their
 * own write transactions (sto_lmdb_delete), beside a running accel's
 * writer: LMDB lets one writer at a time in, across processes.
 */
#include "tools/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char ctl_help_verify[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage verify [--repair]\n"
    "\n"
    "Reads every object's metadata record and every body chunk and checks\n"
    "their checksums. Prints each bad object (URL or key, id, reason), then\n"
    "\"checked N objects, M bad\". Exit status 1 while bad objects remain.\n"
    "\n"
    "  --repair   delete the bad objects (the store is opened read-write);\n"
    "             accel refetches them from the origin when asked\n";

static const char ctl_help_rm[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage rm URL|KEY\n"
    "\n"
    "Deletes from the store every object stored for URL (http://HOST/PATH,\n"
    "HOST as clients send it; every Vary variant) or under KEY (32 hex\n"
    "digits), and prints \"removed N objects\". Exit status 1 when there\n"
    "was none.\n"
    "\n"
    "A running accel keeps the copy it has in memory until that copy is\n"
    "evicted or replaced: to remove an object from both tiers, send accel\n"
    "a PURGE request for it instead.\n";

/* One object that failed its check. */
struct ctl_bad {
	struct sto_key b_key;
	uint64_t b_id;
	char *b_url; /* malloc'd, or NULL when unknown */
	const char *b_why;
};

struct ctl_verify {
	struct ctl *v_ctl;
	uint64_t v_checked;
	struct ctl_bad *v_bad;
	size_t v_nbad, v_cap;
	int v_err; /* ENOMEM */
};

static int
ctl_verify_one(const struct sto_lmdb_ent *e, void *priv)
{
	struct ctl_verify *v = priv;
	struct ctl_buf url = {0};
	struct ctl_bad *b;
	size_t cap;

	ctl_prog_tick(&v->v_ctl->c_prog);
	v->v_checked++;
	if (e->le_err == 0)
		return (0);
	if (v->v_nbad == v->v_cap) {
		cap = v->v_cap ? v->v_cap * 2 : 16;
		if ((b = realloc(v->v_bad, cap * sizeof *b)) == NULL)
			goto nomem;
		v->v_bad = b;
		v->v_cap = cap;
	}
	b = &v->v_bad[v->v_nbad];
	memset(b, 0, sizeof *b);
	b->b_key = e->le_key;
	b->b_id = e->le_id;
	if (e->le_obj == NULL)
		b->b_why = "the metadata record fails its checksum";
	else if (e->le_err == STO_ECORRUPT)
		b->b_why = "a body chunk fails its checksum";
	else
		b->b_why = sto_strerror(e->le_err);
	if (e->le_obj != NULL) {
		if (ctl_url(&url, sto_obj_hashin(e->le_obj),
			    e->le_obj->o_hashin_len) == ENOMEM)
			goto nomem;
		b->b_url = url.b_ptr; /* NULL when not (host, path) */
		if (url.b_len == 0) {
			ctl_buf_free(&url);
			b->b_url = NULL;
		}
	}
	v->v_nbad++;
	return (0);
nomem:
	ctl_buf_free(&url);
	v->v_err = ENOMEM;
	return (ENOMEM);
}

/* "http://h/p (id 7)" or "key 0123... (id 7)" */
static void
ctl_bad_name(const struct ctl_bad *b)
{
	char hex[33];

	if (b->b_url != NULL)
		ctl_put_text(stdout, b->b_url, strlen(b->b_url));
	else
		printf("key %s", sto_key_hex(&b->b_key, hex));
	printf(" (id %llu)", (unsigned long long)b->b_id);
}

int
ctl_cmd_verify(struct ctl *c, int argc, char **argv)
{
	static const struct option longs[] = {
	    {"repair", no_argument, NULL, 'r'}, CTL_LONGOPTS_COMMON, {0}};
	struct ctl_verify v;
	size_t i, left;
	unsigned n;
	int ch, r, repair = 0;

	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "r", longs,
				  ctl_help_verify)) != CTL_OPT_END) {
		if (ch == CTL_OPT_DONE)
			return (c->c_exit);
		repair = 1;
	}
	if (optind < argc)
		return (ctl_usage(c, "unexpected argument '%s'", argv[optind]));
	if ((r = ctl_store_open(c, repair)) != CTL_OK)
		return (r);
	memset(&v, 0, sizeof v);
	v.v_ctl = c;
	r = sto_lmdb_walk(c->c_tier, 1, ctl_verify_one, &v);
	ctl_prog_end(&c->c_prog);
	if (v.v_err != 0 || r != 0) {
		ctl_err(c, "%s: %s", ctl_store_dir(c),
			sto_strerror(v.v_err ? v.v_err : r));
		r = CTL_FAIL;
		goto out;
	}
	left = v.v_nbad;
	for (i = 0; i < v.v_nbad; i++) {
		printf("bad ");
		ctl_bad_name(&v.v_bad[i]);
		printf(": %s\n", v.v_bad[i].b_why);
	}
	for (i = 0; repair && i < v.v_nbad; i++) {
		/* By id: exactly the bad object, not its sound variants. */
		r = sto_lmdb_delete(c->c_tier, &v.v_bad[i].b_key, NULL, 0,
				    v.v_bad[i].b_id, &n);
		if (r == 0 || r == ENOENT) { /* ENOENT: accel dropped it */
			printf("removed ");
			ctl_bad_name(&v.v_bad[i]);
			putchar('\n');
			left--;
		} else {
			fflush(stdout);
			ctl_err(c, "deleting id %llu: %s",
				(unsigned long long)v.v_bad[i].b_id,
				sto_strerror(r));
		}
	}
	printf("checked %llu objects, %zu bad", (unsigned long long)v.v_checked,
	       v.v_nbad);
	if (repair)
		printf(", %zu removed", v.v_nbad - left);
	putchar('\n');
	r = left > 0 ? CTL_FAIL : CTL_OK;
out:
	for (i = 0; i < v.v_nbad; i++)
		free(v.v_bad[i].b_url);
	free(v.v_bad);
	return (r);
}

int
ctl_cmd_rm(struct ctl *c, int argc, char **argv)
{
	static const struct option longs[] = {CTL_LONGOPTS_COMMON, {0}};
	struct ctl_target tg;
	unsigned n = 0;
	int ch, r;

	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "", longs, ctl_help_rm)) !=
	       CTL_OPT_END) {
		if (ch == CTL_OPT_DONE)
			return (c->c_exit);
		return (ctl_usage(c, "unknown option"));
	}
	if (optind >= argc)
		return (ctl_usage(c, "missing URL or KEY"));
	if (optind + 1 < argc)
		return (
		    ctl_usage(c, "unexpected argument '%s'", argv[optind + 1]));
	if ((r = ctl_target_parse(c, argv[optind], &tg)) != 0)
		return (r);
	if ((r = ctl_store_open(c, 1)) != CTL_OK)
		goto out;
	r = sto_lmdb_delete(c->c_tier, &tg.t_key,
			    tg.t_is_url ? tg.t_hashin : NULL, tg.t_hashin_len,
			    0, &n);
	if (r == ENOENT || (r == 0 && n == 0)) {
		ctl_err(c, "nothing stored for %s", tg.t_arg);
		r = CTL_FAIL;
	} else if (r != 0) {
		ctl_err(c, "%s: %s", tg.t_arg, sto_strerror(r));
		r = CTL_FAIL;
	} else {
		printf("removed %u object%s\n", n, n == 1 ? "" : "s");
		r = CTL_OK;
	}
out:
	ctl_target_free(&tg);
	return (r);
}
