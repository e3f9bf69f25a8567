/*
 * lmdb_chunk.c: which chunk size for the LMDB tier (docs/storage-lmdb.md,
 * "Chunk size"). For each size: a store (512 MiB map by default) filled to
 * 85 % with 1 MiB objects through the tier API (insert + flush), churned
 * (a random half removed, refilled, a few rounds) so that LMDB's free list
 * is fragmented, then timed: writing another 100 MiB (evicting as it
 * goes) and reading 100 MiB of random objects (lookup + sto_lmdb_read
 * into a buffer, as the daemon copies into its output). Reads come from
 * the page cache: they measure the tier, not the disk.
 *
 *   make bench-lmdb-chunk                       # 16k 64k 256k 1m, twice
 *   build/bench/lmdb_chunk [-d DIR] [-m MAP] [-r RUNS] [-s] SIZE...
 *
 * -s: sync=on (an fsync per batch; default off, to measure LMDB's own
 * work rather than the disk of a shared machine).
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage/storage.h"
#include "storage/sto_lmdb.h"

#define OBJ     ((size_t)1 << 20)
#define MIB     (1024.0 * 1024.0)
#define TIMED   100 /* objects written, then read, timed */
#define CHURN   4   /* rounds of remove-half-and-refill */
#define MAXKEYS 4096

struct key {
	uint8_t buf[64];
	size_t len;
	struct sto_key k;
	int live;
};

static struct key keys[MAXKEYS];
static unsigned nkeys;
static uint64_t qfull; /* inserts refused by a full queue, then retried */
static uint64_t rnd = 88172645463325252ULL;

static uint64_t
xrand(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (rnd);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "lmdb_chunk: %s: %s\n", what, sto_strerror(err));
	exit(1);
}

static struct key *
key_new(void)
{
	struct sto_hashin hi;
	struct key *k;
	char url[32];

	if (nkeys == MAXKEYS)
		die("keys", ENOSPC);
	k = &keys[nkeys];
	snprintf(url, sizeof url, "/obj/%u", nkeys);
	nkeys++;
	sto_hashin_init(&hi, k->buf, sizeof k->buf);
	(void)sto_hashin_add(&hi, "bench", 5);
	(void)sto_hashin_add(&hi, url, strlen(url));
	k->len = hi.hi_len;
	sto_key_make(&k->k, k->buf, k->len);
	return (k);
}

/* A complete 1 MiB object; the body is one shared buffer's bytes. */
static struct sto_obj *
obj_new(const struct key *k, const uint8_t *body)
{
	struct sto_obj *o;
	int err;

	err = sto_obj_new(&o, &k->k, k->buf, k->len);
	if (err != 0)
		die("obj", err);
	o->o_status = 200;
	o->o_t_resp = (double)time(NULL);
	o->o_ttl = 3600;
	o->o_content_length = (int64_t)OBJ;
	if ((err = sto_obj_set_hdrs(o, "Content-Type: x\r\n", 17)) != 0 ||
	    (err = sto_obj_append(o, body, OBJ)) != 0 ||
	    (err = sto_obj_finish(o, 1)) != 0)
		die("obj", err);
	return (o);
}

/* Insert; a full queue waits for the writer (flush) and tries again. */
static void
put(struct sto_tier *t, struct key *k, struct sto_obj *o)
{
	int err;

	while ((err = sto_insert(t, o)) == ENOSPC) {
		qfull++;
		(void)sto_lmdb_flush(t);
	}
	if (err != 0)
		die("insert", err);
	k->live = 1;
}

static double
used_frac(struct sto_tier *t)
{
	struct sto_lmdb_stats ls;

	sto_lmdb_stats(t, &ls);
	return (ls.pages_max ? (double)ls.pages_used / (double)ls.pages_max
			     : 0);
}

/* Write new objects until the store is 85 % used. */
static void
fill(struct sto_tier *t, const uint8_t *body)
{
	struct sto_obj *o;
	struct key *k;
	unsigned n = 0;

	for (;;) {
		k = key_new();
		o = obj_new(k, body);
		put(t, k, o);
		sto_obj_deref(&o);
		if (++n % 16 == 0) {
			(void)sto_lmdb_flush(t);
			/* the writer updates pages_used at its next batch */
			(void)sto_lmdb_flush(t);
			if (used_frac(t) >= 0.85)
				break;
		}
	}
	(void)sto_lmdb_flush(t);
}

/* Keys still on disk (eviction drops some as the writes go on). */
static void
refresh_live(struct sto_tier *t)
{
	struct sto_obj *o;
	unsigned u;

	for (u = 0; u < nkeys; u++) {
		if (!keys[u].live)
			continue;
		if (sto_lookup(t, &keys[u].k, keys[u].buf, keys[u].len, NULL,
			       NULL, &o) == 0)
			sto_obj_deref(&o);
		else
			keys[u].live = 0;
	}
}

struct sink {
	uint8_t *buf;
	size_t off;
};

static int
sink_copy(void *priv, const void *p, size_t n)
{
	struct sink *s = priv;

	memcpy(s->buf + s->off, p, n);
	s->off += n;
	return (0);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(p));
}

struct result {
	double wr, rd; /* MB/s */
	double file;   /* MiB of data.mdb */
	double used;   /* pages in use / map */
	uint64_t map_full, dropped, evictions;
};

static void
run(const char *base, size_t map, size_t chunk, int sync, struct result *r)
{
	struct sto_lmdb_conf lc;
	struct sto_lmdb_stats ls;
	struct sto_stats st;
	struct sto_tier *t;
	struct sto_obj *o, *pre[TIMED];
	struct key *k, *pk[TIMED];
	struct sink s;
	struct stat sb;
	uint8_t *body;
	char dir[256], err[512], path[300];
	unsigned u, round, n, live;
	double t0;
	int e;

	snprintf(dir, sizeof dir, "%s/lmdb_chunk.XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", errno);
	sto_lmdb_conf_default(&lc);
	strcpy(lc.lc_dir, dir);
	lc.lc_mapsize = map;
	lc.lc_chunk = chunk;
	lc.lc_promote = 0; /* every read through sto_lmdb_read */
	lc.lc_sync = (unsigned)sync;
	e = sto_lmdb_open(&t, &lc, err, sizeof err);
	if (e != 0)
		die(err, e);
	body = malloc(OBJ);
	s.buf = malloc(OBJ);
	if (body == NULL || s.buf == NULL)
		die("malloc", ENOMEM);
	for (u = 0; u < OBJ; u++)
		body[u] = (uint8_t)xrand();
	nkeys = 0;
	qfull = 0;

	fill(t, body);
	for (round = 0; round < CHURN; round++) {
		refresh_live(t);
		for (u = 0; u < nkeys; u++)
			if (keys[u].live && (xrand() & 1)) {
				(void)sto_remove(t, &keys[u].k, keys[u].buf,
						 keys[u].len, NULL);
				keys[u].live = 0;
			}
		(void)sto_lmdb_flush(t);
		fill(t, body);
	}

	/* 100 MiB written: built first, timed from the first insert to the
	 * commit of the last */
	for (u = 0; u < TIMED; u++) {
		pk[u] = key_new();
		pre[u] = obj_new(pk[u], body);
	}
	t0 = now();
	for (u = 0; u < TIMED; u++) {
		put(t, pk[u], pre[u]);
		sto_obj_deref(&pre[u]);
	}
	(void)sto_lmdb_flush(t);
	r->wr = TIMED * OBJ / MIB / (now() - t0);

	/* 100 MiB read: random live objects */
	refresh_live(t);
	for (live = 0, u = 0; u < nkeys; u++)
		live += keys[u].live;
	if (live == 0)
		die("nothing live", ENOENT);
	t0 = now();
	for (n = 0; n < TIMED;) {
		k = &keys[xrand() % nkeys];
		if (!k->live)
			continue;
		if ((e = sto_lookup(t, &k->k, k->buf, k->len, NULL, NULL,
				    &o)) != 0)
			die("lookup", e);
		s.off = 0;
		if ((e = sto_lmdb_read(t, o, 0, sto_obj_len(o), sink_copy,
				       &s)) != 0)
			die("read", e);
		if (s.off != OBJ || memcmp(s.buf, body, 64) != 0)
			die("read: wrong bytes", EIO);
		sto_obj_deref(&o);
		n++;
	}
	r->rd = TIMED * OBJ / MIB / (now() - t0);

	(void)sto_lmdb_flush(t);
	sto_lmdb_stats(t, &ls);
	sto_stats(t, &st);
	r->used = used_frac(t);
	r->map_full = ls.map_full;
	r->dropped = ls.wb_dropped - qfull; /* the writer's drops */
	r->evictions = st.evictions;
	sto_tier_close(&t);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	r->file = stat(path, &sb) == 0 ? (double)sb.st_size / MIB : 0;
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(body);
	free(s.buf);
}

int
main(int argc, char **argv)
{
	const char *base = "/tmp";
	size_t map = (size_t)512 << 20, chunk;
	struct result r;
	int c, runs = 2, sync = 0, i, run_i;

	while ((c = getopt(argc, argv, "d:m:r:s")) != -1) {
		switch (c) {
		case 'd': base = optarg; break;
		case 'm':
			if (sto_parse_size(optarg, &map) != 0)
				die("-m", STO_ESPEC);
			break;
		case 'r': runs = atoi(optarg); break;
		case 's': sync = 1; break;
		default:
			fprintf(stderr, "usage: lmdb_chunk [-d DIR] [-m MAP] "
					"[-r RUNS] [-s] SIZE...\n");
			return (2);
		}
	}
	printf("map %zu MiB, 1 MiB objects, filled to 85 %%, %d churn "
	       "rounds, sync=%s\n",
	       map >> 20, CHURN, sync ? "on" : "off");
	printf("%-7s %4s %9s %9s %9s %6s %8s %8s %9s\n", "chunk", "run",
	       "write", "read", "file", "used", "map_full", "dropped",
	       "evicted");
	printf("%-7s %4s %9s %9s %9s %6s %8s %8s %9s\n", "", "", "MB/s", "MB/s",
	       "MiB", "%", "", "", "");
	for (i = optind; i < argc; i++) {
		if (sto_parse_size(argv[i], &chunk) != 0)
			die(argv[i], STO_ESPEC);
		for (run_i = 0; run_i < runs; run_i++) {
			run(base, map, chunk, sync, &r);
			printf("%-7s %4d %9.0f %9.0f %9.0f %6.1f %8llu %8llu "
			       "%9llu\n",
			       argv[i], run_i + 1, r.wr, r.rd, r.file,
			       r.used * 100, (unsigned long long)r.map_full,
			       (unsigned long long)r.dropped,
			       (unsigned long long)r.evictions);
			fflush(stdout);
		}
	}
	return (0);
}
