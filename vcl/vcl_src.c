/*
 * vcl_src.c: the sources of an AST: adding texts, reading files within the
 * limits, and where an include's path points.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "vcl/vcl_parse_int.h"

/* open_regular's errno for a FIFO, a device, a socket */
#define EFTYPE_VCL (-2)

/* The directory part of name ("" when it has no '/'), malloc'd. */
static char *
dir_of(const char *name)
{
	const char *sl = strrchr(name, '/');

	if (sl == NULL)
		return (strdup(""));
	if (sl == name)
		return (strdup("/"));
	return (strndup(name, (size_t)(sl - name)));
}

char *
vcl_src_resolve(const struct vcl_src *from, const char *file)
{
	char *p;

	VCL_CHECK_OBJ_NOTNULL(from, VCL_SRC_MAGIC);
	if (file[0] == '/' || from->dir[0] == '\0')
		return (strdup(file));
	if (asprintf(&p, "%s%s%s", from->dir,
		     strcmp(from->dir, "/") == 0 ? "" : "/", file) < 0)
		return (NULL);
	return (p);
}

/* Room for one more source of len bytes, or an error at incl. */
static int
src_room(struct vcl_ast *a, const char *name, size_t len,
	 const struct vcl_pos *incl, struct vcl_diag *d)
{
	if (a->nsrc >= VCL_MAX_SOURCES) {
		vcl_diag_add(d, VCL_SEV_ERROR, a, incl,
			     "too many VCL files (more than %d)",
			     VCL_MAX_SOURCES);
		return (-1);
	}
	if (len > VCL_MAX_SOURCE_BYTES - a->src_bytes) {
		vcl_diag_add(d, VCL_SEV_ERROR, a, incl,
			     "'%s' is too large: the VCL would exceed %u MiB",
			     name, VCL_MAX_SOURCE_BYTES >> 20);
		return (-1);
	}
	return (0);
}

/* Append s (complete) to a's table; -1 when out of memory. */
static int
src_push(struct vcl_ast *a, struct vcl_src *s)
{
	struct vcl_src **ns;

	ns = realloc(a->srcs, (a->nsrc + 1) * sizeof *ns);
	if (ns == NULL)
		return (-1);
	a->srcs = ns;
	a->srcs[a->nsrc] = s;
	a->src_bytes += s->len;
	return ((int)a->nsrc++);
}

static void
src_free(struct vcl_src *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->text);
	free(s->dir);
	free(s->real);
	free(s);
}

/* A new source that takes over text (len bytes, NUL-terminated). */
static int
src_new(struct vcl_ast *a, const char *name, char *text, size_t len, char *real,
	int parent, const struct vcl_pos *incl, struct vcl_diag *d)
{
	struct vcl_src *s = calloc(1, sizeof *s);
	int i = -1;

	if (s != NULL) {
		s->magic = VCL_SRC_MAGIC;
		s->text = text;
		s->len = len;
		s->real = real;
		s->parent = parent;
		if (incl != NULL)
			s->incl = *incl;
		s->name = strdup(name);
		s->dir = dir_of(name);
		if (s->name != NULL && s->dir != NULL)
			i = src_push(a, s);
	}
	if (i >= 0)
		return (i);
	if (s != NULL) {
		s->text = NULL; /* the caller's to free */
		s->real = NULL;
	}
	src_free(s);
	vcl_diag_add(d, VCL_SEV_ERROR, a, incl, "out of memory for '%s'", name);
	return (-1);
}

int
vcl_src_add(struct vcl_ast *a, const char *name, const char *text, size_t len,
	    int parent, const struct vcl_pos *incl, struct vcl_diag *d)
{
	char *copy;
	int i;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	if (src_room(a, name, len, incl, d) != 0)
		return (-1);
	copy = malloc(len + 1);
	if (copy == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, a, incl,
			     "out of memory for '%s'", name);
		return (-1);
	}
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	i = src_new(a, name, copy, len, NULL, parent, incl, d);
	if (i < 0)
		free(copy);
	return (i);
}

/*
 * Read f whole into *bufp (malloc'd, NUL-terminated), at most max bytes.
 * Returns 0, an errno, or EFBIG when longer than max.
 */
static int
read_all(FILE *f, size_t max, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 4096, n;
	char *buf = NULL, *nb;

	for (;;) {
		nb = realloc(buf, cap + 1);
		if (nb == NULL) {
			free(buf);
			return (ENOMEM);
		}
		buf = nb;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > max) {
			free(buf);
			return (EFBIG);
		}
		if (n == 0 || len < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		return (errno != 0 ? errno : EIO);
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return (0);
}

/*
 * Open path for reading if it is a regular file (never waiting on a FIFO or
 * a terminal): the FILE, or NULL with errno.
 */
static FILE *
open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e = 0;
	FILE *f;

	if (fd < 0)
		return (NULL);
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (!S_ISREG(st.st_mode))
		e = EFTYPE_VCL;
	if (e != 0) {
		close(fd);
		errno = e;
		return (NULL);
	}
	f = fdopen(fd, "r");
	if (f == NULL)
		close(fd);
	return (f);
}

int
vcl_src_load(struct vcl_ast *a, const char *path, char *real, int parent,
	     const struct vcl_pos *incl, struct vcl_diag *d)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0;
	int e, i;

	VCL_CHECK_OBJ_NOTNULL(a, VCL_AST_MAGIC);
	f = open_regular(path);
	if (f == NULL) {
		vcl_diag_add(d, VCL_SEV_ERROR, a, incl, "cannot open '%s': %s",
			     path,
			     errno == EFTYPE_VCL ? "not a regular file"
						 : strerror(errno));
		free(real);
		return (-1);
	}
	e = read_all(f, VCL_MAX_SOURCE_BYTES - a->src_bytes, &text, &len);
	fclose(f);
	if (e == EFBIG)
		(void)src_room(a, path, VCL_MAX_SOURCE_BYTES - a->src_bytes + 1,
			       incl, d);
	else if (e != 0)
		vcl_diag_add(d, VCL_SEV_ERROR, a, incl, "cannot read '%s': %s",
			     path, strerror(e));
	else if (src_room(a, path, len, incl, d) != 0)
		e = -1;
	if (e != 0) {
		free(text);
		free(real);
		return (-1);
	}
	i = src_new(a, path, text, len, real, parent, incl, d);
	if (i < 0) {
		free(text);
		free(real);
	}
	return (i);
}
