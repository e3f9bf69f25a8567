/*
 * accelctl.c: accelctl's command line: the global flags, the "storage"
 * group and its commands' dispatch, option parsing shared by every
 * command, and the one-line error messages.
 */
#include "tools/ctl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char ctl_help_main[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage COMMAND [options]\n"
    "\n"
    "Inspects and edits accel's disk store (docs/storage-lmdb.md), whether\n"
    "accel runs or not. Only rm and verify --repair write to it.\n"
    "\n"
    "  -n DIR             accel's state directory: the store is DIR/store\n"
    "                     (default ./var, as for accel)\n"
    "  -s lmdb=DIR[,...]  the store as accel's -s names it (wins over -n;\n"
    "                     a SIZE there is the map size for rm and repair)\n"
    "  -h, --help         this help\n"
    "\n"
    "Commands (accelctl storage COMMAND --help):\n"
    "  storage stat       totals: objects, space, statuses, content types\n"
    "  storage ls         one line per object: URL, size, TTL left, hits\n"
    "  storage show       what is stored for a URL or key, or its body\n"
    "  storage verify     check every checksum; --repair deletes bad objects\n"
    "  storage rm         delete what is stored for a URL or key\n"
    "\n"
    "-n and -s may also follow the command. Exit status: 0 done, 1 failed\n"
    "(no store, not found, corrupt objects), 2 usage error.\n";

static const char ctl_help_storage[] =
    "usage: accelctl [-n DIR | -s lmdb=DIR[,...]] storage COMMAND [options]\n"
    "\n"
    "  stat     totals: objects, space, statuses, content types, expired\n"
    "  ls       one line per object: URL, size, TTL left, hits\n"
    "  show     what is stored for a URL or key: metadata, headers, body\n"
    "  verify   check every checksum; --repair deletes bad objects\n"
    "  rm       delete what is stored for a URL or key (every variant)\n"
    "\n"
    "A URL is http://HOST/PATH with HOST as clients send it (port\n"
    "included); a KEY is 32 hex digits as ls --json and show print it.\n"
    "accelctl storage COMMAND --help describes each command.\n";

/* The storage commands, in the order help lists them. */
static const struct ctl_cmd {
	const char *cc_name;
	int (*cc_fn)(struct ctl *c, int argc, char **argv);
} ctl_cmds[] = {
    {"stat", ctl_cmd_stat},     {"ls", ctl_cmd_ls}, {"show", ctl_cmd_show},
    {"verify", ctl_cmd_verify}, {"rm", ctl_cmd_rm},
};

void
ctl_err(const struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	fputs("accelctl: ", stderr);
	if (c != NULL && c->c_cmd != NULL)
		fprintf(stderr, "%s: ", c->c_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Where --help is, for the end of a usage error. */
static void
ctl_help_hint(const struct ctl *c, char *buf, size_t len)
{
	if (c->c_cmd == NULL)
		snprintf(buf, len, "accelctl --help");
	else if (strcmp(c->c_cmd, "storage") == 0)
		snprintf(buf, len, "accelctl storage --help");
	else
		snprintf(buf, len, "accelctl storage %s --help", c->c_cmd);
}

int
ctl_usage(struct ctl *c, const char *fmt, ...)
{
	char msg[512], hint[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctl_help_hint(c, hint, sizeof hint);
	ctl_err(c, "%s (%s)", msg, hint);
	c->c_exit = CTL_USAGE;
	return (CTL_USAGE);
}

void
ctl_opt_begin(void)
{
	optind = 0; /* glibc: a full restart, permutation state included */
	opterr = 0;
}

int
ctl_opt_next(struct ctl *c, int argc, char **argv, const char *shorts,
	     const struct option *longs, const char *help)
{
	static const struct option common[] = {CTL_LONGOPTS_COMMON, {0}};
	char opts[64];
	int ch, plus = shorts[0] == '+';

	/* '+' stops at the first operand (the global flags before a
	 * command); ':' reports a missing argument apart. */
	snprintf(opts, sizeof opts, "%s:n:s:h%s", plus ? "+" : "",
		 shorts + plus);
	ch =
	    getopt_long(argc, argv, opts, longs != NULL ? longs : common, NULL);
	switch (ch) {
	case -1: return (CTL_OPT_END);
	case 'h':
		fputs(help, stdout);
		c->c_exit = CTL_OK;
		return (CTL_OPT_DONE);
	case 'n':
		c->c_ndir = optarg;
		return (ctl_opt_next(c, argc, argv, shorts, longs, help));
	case 's':
		if (ctl_store_spec(c, optarg) != 0)
			return (CTL_OPT_DONE);
		return (ctl_opt_next(c, argc, argv, shorts, longs, help));
	case ':':
	case '?':
		/* A long option is named as written; a short one by its
		 * letter (it may sit in a group such as -jn). */
		if (optind > 0 && strncmp(argv[optind - 1], "--", 2) == 0)
			ctl_usage(c, "%s option %s",
				  ch == ':' ? "a value is missing after"
					    : "unknown or misused",
				  argv[optind - 1]);
		else if (ch == ':')
			ctl_usage(c, "option -%c needs a value", optopt);
		else
			ctl_usage(c, "unknown option -%c", optopt);
		return (CTL_OPT_DONE);
	default: return (ch);
	}
}

/* accelctl storage COMMAND ...: argv[0] is "storage". */
static int
ctl_storage(struct ctl *c, int argc, char **argv)
{
	const char *name;
	unsigned u;
	int ch;

	c->c_cmd = "storage";
	ctl_opt_begin();
	while ((ch = ctl_opt_next(c, argc, argv, "+", NULL,
				  ctl_help_storage)) != CTL_OPT_END) {
		if (ch == CTL_OPT_DONE)
			return (c->c_exit);
		return (ctl_usage(c, "unknown option"));
	}
	if (optind >= argc)
		return (ctl_usage(c, "missing command: stat, ls, show, "
				     "verify or rm"));
	name = argv[optind];
	for (u = 0; u < sizeof ctl_cmds / sizeof ctl_cmds[0]; u++) {
		if (strcmp(name, ctl_cmds[u].cc_name) == 0) {
			c->c_cmd = ctl_cmds[u].cc_name;
			return (
			    ctl_cmds[u].cc_fn(c, argc - optind, argv + optind));
		}
	}
	return (ctl_usage(c, "unknown command '%s'", name));
}

int
main(int argc, char **argv)
{
	struct ctl c;
	struct timespec ts;
	int ch, r;

	memset(&c, 0, sizeof c);
	c.magic = CTL_MAGIC;
	c.c_ndir = "./var";
	sto_lmdb_conf_default(&c.c_conf);
	clock_gettime(CLOCK_REALTIME, &ts);
	c.c_now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	ctl_prog_init(&c.c_prog);

	ctl_opt_begin();
	while ((ch = ctl_opt_next(&c, argc, argv, "+", NULL, ctl_help_main)) !=
	       CTL_OPT_END) {
		if (ch == CTL_OPT_DONE)
			return (c.c_exit);
		return (ctl_usage(&c, "unknown option"));
	}
	if (optind >= argc)
		return (ctl_usage(&c, "missing command"));
	if (strcmp(argv[optind], "storage") != 0)
		return (ctl_usage(&c,
				  "unknown command '%s': the commands "
				  "are under 'storage'",
				  argv[optind]));
	r = ctl_storage(&c, argc - optind, argv + optind);
	ctl_store_close(&c);
	if (fflush(stdout) != 0 && r == CTL_OK) {
		ctl_err(&c, "writing the output failed");
		r = CTL_FAIL;
	}
	return (r);
}
