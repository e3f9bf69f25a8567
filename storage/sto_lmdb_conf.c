/* sto_lmdb_conf.c: the LMDB tier's settings and their -s lmdb= syntax. */
#include "storage/sto_lmdb_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#define MAP_DEFAULT_MAX ((size_t)1 << 30)
#define MAP_DEFAULT_MIN ((size_t)16 << 20)
/* Smallest map -s accepts: LMDB needs a few pages per database. */
#define MAP_MIN      ((size_t)1 << 20)
#define BATCH_MS_MAX 1000

/*
 * Half the free space of the file system that holds dir, or of its
 * nearest existing parent (dir may not exist yet), within [16 MiB, 1 GiB]:
 * a store that fills the disk would fail every other writer on it.
 */
size_t
sto_lmdb_default_mapsize(const char *dir)
{
	char path[PATH_MAX], *slash;
	struct statvfs vfs;
	unsigned long long half;

	if (dir == NULL || *dir == '\0' || strlen(dir) >= sizeof path)
		dir = ".";
	strcpy(path, dir);
	while (statvfs(path, &vfs) != 0) {
		slash = strrchr(path, '/');
		if (slash == NULL) {
			strcpy(path, ".");
			if (statvfs(path, &vfs) != 0)
				return (MAP_DEFAULT_MIN);
			break;
		}
		if (slash == path)
			slash[1] = '\0'; /* "/" */
		else
			*slash = '\0';
	}
	half = (unsigned long long)vfs.f_bavail * vfs.f_frsize / 2;
	if (half > MAP_DEFAULT_MAX)
		return (MAP_DEFAULT_MAX);
	if (half < MAP_DEFAULT_MIN)
		return (MAP_DEFAULT_MIN);
	return ((size_t)half);
}

void
sto_lmdb_conf_default(struct sto_lmdb_conf *lc)
{
	STO_AN(lc);
	memset(lc, 0, sizeof *lc);
	lc->lc_mapsize = sto_lmdb_default_mapsize(".");
	lc->lc_sync = 1;
	lc->lc_chunk = (size_t)64 << 10;
	lc->lc_promote = (size_t)1 << 20;
	lc->lc_batch_ms = 2;
	lc->lc_queue = (size_t)64 << 20;
	lc->lc_readonly = 0;
	lc->lc_high = 0.90;
	lc->lc_low = 0.80;
}

/* STO_ESPEC with "lmdb=ARG: why" in err. */
static int conf_err(char *err, size_t errlen, const char *arg, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

static int
conf_err(char *err, size_t errlen, const char *arg, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err != NULL && errlen > 0) {
		n = snprintf(err, errlen, "lmdb=%s: ", arg != NULL ? arg : "");
		if (n >= 0 && (size_t)n < errlen) {
			va_start(ap, fmt);
			(void)vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return (STO_ESPEC);
}

static int
parse_onoff(const char *s, unsigned *out)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return (STO_ESPEC);
	return (0);
}

static int
parse_ms(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return (STO_ESPEC);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > BATCH_MS_MAX)
		return (STO_ESPEC);
	*out = (unsigned)v;
	return (0);
}

/* One "name=value" or bare size after the directory. */
static int
parse_opt(struct sto_lmdb_conf *lc, char *tok, int *sized, const char *arg,
	  char *err, size_t errlen)
{
	char *eq = strchr(tok, '=');
	size_t sz;

	if (eq == NULL) {
		if (sto_parse_size(tok, &lc->lc_mapsize) != 0)
			return (
			    conf_err(err, errlen, arg, "bad size '%s'", tok));
		if (lc->lc_mapsize < MAP_MIN)
			return (conf_err(err, errlen, arg, "size '%s' below 1M",
					 tok));
		*sized = 1;
		return (0);
	}
	*eq++ = '\0';
	if (strcmp(tok, "sync") == 0) {
		if (parse_onoff(eq, &lc->lc_sync) != 0)
			return (conf_err(err, errlen, arg, "sync=%s: on or off",
					 eq));
		return (0);
	}
	if (strcmp(tok, "batch") == 0) {
		if (parse_ms(eq, &lc->lc_batch_ms) != 0)
			return (conf_err(err, errlen, arg,
					 "batch=%s: milliseconds, 0..%d", eq,
					 BATCH_MS_MAX));
		return (0);
	}
	if (strcmp(tok, "chunk") != 0 && strcmp(tok, "promote") != 0 &&
	    strcmp(tok, "queue") != 0)
		return (conf_err(err, errlen, arg, "unknown option '%s'", tok));
	if (sto_parse_size(eq, &sz) != 0)
		return (conf_err(err, errlen, arg, "bad size '%s'", eq));
	if (strcmp(tok, "chunk") == 0) {
		if (sz < LMDB_CHUNK_MIN || sz > LMDB_CHUNK_MAX)
			return (conf_err(err, errlen, arg, "chunk=%s: 1k..64M",
					 eq));
		lc->lc_chunk = sz;
	} else if (strcmp(tok, "promote") == 0) {
		lc->lc_promote = sz;
	} else {
		if (sz == 0)
			return (conf_err(err, errlen, arg, "queue=%s: 0", eq));
		lc->lc_queue = sz;
	}
	return (0);
}

int
sto_lmdb_conf_parse(struct sto_lmdb_conf *lc, const char *arg, char *err,
		    size_t errlen)
{
	char buf[PATH_MAX + 256], *tok, *save = NULL, *comma;
	int sized = 0, r;

	STO_AN(lc);
	sto_lmdb_conf_default(lc);
	if (err != NULL && errlen > 0)
		*err = '\0';
	if (arg == NULL || *arg == '\0' || *arg == ',')
		return (conf_err(err, errlen, arg, "no directory"));
	if (strlen(arg) >= sizeof buf)
		return (conf_err(err, errlen, "...", "too long"));
	strcpy(buf, arg);
	comma = strchr(buf, ',');
	if (comma != NULL)
		*comma = '\0';
	if (strlen(buf) >= sizeof lc->lc_dir)
		return (conf_err(err, errlen, arg, "directory name too long"));
	strcpy(lc->lc_dir, buf);
	if (comma != NULL) {
		for (tok = strtok_r(comma + 1, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			r = parse_opt(lc, tok, &sized, arg, err, errlen);
			if (r != 0)
				return (r);
		}
	}
	if (!sized)
		lc->lc_mapsize = sto_lmdb_default_mapsize(lc->lc_dir);
	return (0);
}
