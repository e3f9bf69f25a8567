/*
 * ctl.h: what accelctl's files share. accelctl.c parses the global flags
 * and dispatches; ctl_store.c finds and opens the store and turns objects
 * into URLs and command-line targets into keys; ctl_out.c writes tables,
 * JSON, dates and the progress line; ctl_stat.c, ctl_ls.c, ctl_show.c and
 * ctl_edit.c (verify, rm) are the storage commands.
 *
 * Exit codes: CTL_OK, CTL_FAIL (no store, corrupt, not found, I/O),
 * CTL_USAGE (the command line is wrong). Every error is one line on
 * stderr, "accelctl: ...", written by ctl_err().
 */
#ifndef ACCEL_TOOLS_CTL_H
#define ACCEL_TOOLS_CTL_H

#include "storage/sto_lmdb.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

enum ctl_exit {
	CTL_OK = 0,
	CTL_FAIL = 1,
	CTL_USAGE = 2,
};

/* Progress on stderr during a walk: only when stderr is a terminal. */
struct ctl_prog {
	int p_on;          /* stderr is a terminal */
	int p_shown;       /* a line is on the screen: clear it at the end */
	uint64_t p_n;      /* objects seen */
	int64_t p_next_ms; /* monotonic time of the next update */
};

/* One run of accelctl: the store and what every command needs. */
struct ctl {
	unsigned magic;
#define CTL_MAGIC 0x6a3c17e5
	const char *c_cmd;  /* "ls", "show"...: prefixes messages */
	const char *c_ndir; /* -n DIR (default ./var) */
	const char *c_lmdb; /* -s lmdb=ARG: ARG (wins over -n), or NULL */
	int c_lmdb_off;     /* -s lmdb=off: accel runs without a store */
	struct sto_lmdb_conf c_conf; /* the store's configuration */
	int c_conf_size; /* -s gave a SIZE (else rm keeps the store's) */
	struct sto_tier *c_tier;     /* open store, or NULL */
	struct sto_lmdb_info c_info; /* read at open */
	double c_now;                /* one clock reading for the whole run */
	struct ctl_prog c_prog;
	int c_exit; /* ctl_opt_next's answer when it returns
		       CTL_OPT_DONE */
};

/* ---- accelctl.c ---- */

/* Print "accelctl: [cmd: ]fmt" and a newline on stderr. */
void ctl_err(const struct ctl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Every command's long options end with these (and {0}); their short
 * forms -n DIR, -s SPEC and -h are added by ctl_opt_next. */
#define CTL_LONGOPTS_COMMON                                                    \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}
#define CTL_OPT_END (-1) /* no more options: operands at argv[optind] */
#define CTL_OPT_DONE                                                           \
	(-2) /* --help printed or a usage error: exit with                     \
		c->c_exit */
/*
 * getopt_long over a command's argv (argv[0] is the command's name; call
 * with optind reset by ctl_opt_begin). Handles -n, -s and -h/--help
 * itself (help is printed from `help`), and reports unknown options and
 * missing arguments. Returns the command's own option, or CTL_OPT_END /
 * CTL_OPT_DONE.
 */
void ctl_opt_begin(void);
int ctl_opt_next(struct ctl *c, int argc, char **argv, const char *shorts,
		 const struct option *longs, const char *help);
/* A usage error: one line, then CTL_USAGE. */
int ctl_usage(struct ctl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- ctl_store.c ---- */

/* Apply -s SPEC (accel's syntax); 0, or CTL_USAGE after a message. */
int ctl_store_spec(struct ctl *c, const char *spec);
/* Find and open the store: read-only, or read-write (rm, verify
 * --repair). CTL_OK, or CTL_FAIL after a message. */
int ctl_store_open(struct ctl *c, int rw);
void ctl_store_close(struct ctl *c);
/* The store's directory, for messages. */
const char *ctl_store_dir(const struct ctl *c);

/* A growable byte buffer (malloc'd; b_ptr NULL until the first byte). */
struct ctl_buf {
	char *b_ptr;
	size_t b_len;
	size_t b_cap;
};
/* Append; 0 or ENOMEM. The buffer stays NUL-terminated. */
int ctl_buf_add(struct ctl_buf *b, const void *p, size_t n);
void ctl_buf_free(struct ctl_buf *b);

/*
 * The URL of stored hash inputs: "http://" + the first input (the Host
 * as the client sent it) + the second (the path and query), as accel's
 * cache_key_of() builds them. Appended to b; 0, or -1 when the inputs are
 * not (host, path) (malformed, or fewer than two), or ENOMEM.
 */
int ctl_url(struct ctl_buf *b, const void *hashin, size_t len);

/* What a command acts on: a URL's hash inputs or a bare key. */
struct ctl_target {
	const char *t_arg; /* as given, for messages */
	struct sto_key t_key;
	int t_is_url;      /* else a key: every hash input under it */
	uint8_t *t_hashin; /* URL only (malloc'd) */
	size_t t_hashin_len;
};
/* "http://HOST/PATH" (https:// too; no path means "/") or 32 hex
 * digits. 0, or CTL_USAGE after a message. */
int ctl_target_parse(struct ctl *c, const char *arg, struct ctl_target *tg);
void ctl_target_free(struct ctl_target *tg);
/* Whether a walked object is the target (same hash inputs for a URL). */
int ctl_target_has(const struct ctl_target *tg, const struct sto_lmdb_ent *e);

/* The first field called name (case-insensitive) in a stored header
 * block ("Name: value\r\n" lines): 0 and its value (OWS trimmed) in
 * (*vp, *vlenp), pointing into the block; -1 when absent. */
int ctl_hdr_find(struct sto_bytes blk, const char *name, const uint8_t **vp,
		 size_t *vlenp);

/* An object's body length (a disk view has no body in memory). */
uint64_t ctl_obj_size(const struct sto_obj *o);
/* Seconds of freshness left (negative: stale), as the daemon counts. */
double ctl_obj_ttl_left(const struct ctl *c, const struct sto_obj *o);

/* ---- ctl_out.c ---- */

/* Bytes for a terminal: control characters as \xHH, the rest as is. */
void ctl_put_text(FILE *f, const void *p, size_t n);
/* A JSON string with its quotes; bytes above 0x7f are taken as
 * ISO-8859-1 (HTTP's obs-text), so the output is always valid UTF-8. */
void ctl_put_json(FILE *f, const void *p, size_t n);
void ctl_put_jsonz(FILE *f, const char *s);
/* "1.5 MiB" into buf (at least 16 bytes); returns buf. */
char *ctl_fmt_bytes(uint64_t n, char *buf);
/* An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), or "-" for 0 or an
 * impossible time; buf at least 32 bytes; returns buf. */
char *ctl_fmt_date(double t, char *buf);
/* Whole seconds, floored: -0.5 s left is -1 (stale), not 0. */
long long ctl_secs(double t);

/* Progress: ctl_prog_tick once per object, ctl_prog_end after the walk. */
void ctl_prog_init(struct ctl_prog *p);
void ctl_prog_tick(struct ctl_prog *p);
void ctl_prog_end(struct ctl_prog *p);

/* ---- the commands (argv[0] is the command's name) ---- */

int ctl_cmd_stat(struct ctl *c, int argc, char **argv);
int ctl_cmd_ls(struct ctl *c, int argc, char **argv);
int ctl_cmd_show(struct ctl *c, int argc, char **argv);
int ctl_cmd_verify(struct ctl *c, int argc, char **argv);
int ctl_cmd_rm(struct ctl *c, int argc, char **argv);

#endif
