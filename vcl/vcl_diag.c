/* vcl_diag.c: the diagnostics collector and its compiler-style printer. */
#include "vcl/vcl_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_ast.h"

struct vcl_diag {
	unsigned magic;
#define VCL_DIAG_MAGIC 0x5d1a6e01u
	struct vcl_diag_msg *msgs; /* malloc'd; each string malloc'd too */
	unsigned n, cap;
	unsigned nerr; /* errors added, kept or not */
};

static const char *const sev_names[] = {
    [VCL_SEV_ERROR] = "error",
    [VCL_SEV_WARNING] = "warning",
    [VCL_SEV_NOTE] = "note",
};

void
vcl_panic(const char *file, int line, const char *func, const char *cond)
{
	fprintf(stderr, "vcl: assertion failed in %s() at %s:%d: %s\n", func,
		file, line, cond);
	abort();
}

struct vcl_diag *
vcl_diag_new(void)
{
	struct vcl_diag *d = calloc(1, sizeof *d);
	if (d != NULL)
		d->magic = VCL_DIAG_MAGIC;
	return (d);
}

static void
msg_fini(struct vcl_diag_msg *m)
{
	free((char *)m->file);
	free((char *)m->text);
	free((char *)m->srcline);
	memset(m, 0, sizeof *m);
}

void
vcl_diag_clear(struct vcl_diag *d)
{
	VCL_CHECK_OBJ_NOTNULL(d, VCL_DIAG_MAGIC);
	for (unsigned i = 0; i < d->n; i++)
		msg_fini(&d->msgs[i]);
	d->n = 0;
	d->nerr = 0;
}

void
vcl_diag_free(struct vcl_diag **dp)
{
	struct vcl_diag *d;

	VCL_AN(dp);
	d = *dp;
	*dp = NULL;
	if (d == NULL)
		return;
	vcl_diag_clear(d);
	free(d->msgs);
	d->magic = 0;
	free(d);
}

/* A malloc'd copy of the line around off (cut at VCL_DIAG_MAX_LINE). */
static char *
line_copy(const struct vcl_src *s, size_t off)
{
	size_t b, e;
	char *p;

	if (off > s->len)
		off = s->len;
	for (b = off; b > 0 && s->text[b - 1] != '\n'; b--)
		continue;
	for (e = off; e < s->len && s->text[e] != '\n'; e++)
		continue;
	if (e > b && s->text[e - 1] == '\r')
		e--;
	if (e - b > VCL_DIAG_MAX_LINE)
		e = b + VCL_DIAG_MAX_LINE;
	p = malloc(e - b + 1);
	if (p == NULL)
		return (NULL);
	memcpy(p, s->text + b, e - b);
	p[e - b] = '\0';
	return (p);
}

/* Fill m's place from pos in a's sources; nothing when either is NULL. */
static void
msg_place(struct vcl_diag_msg *m, const struct vcl_ast *a,
	  const struct vcl_pos *pos)
{
	const struct vcl_src *s;

	if (a == NULL || pos == NULL)
		return;
	VCL_CHECK_OBJ(a, VCL_AST_MAGIC);
	if (pos->src >= a->nsrc)
		return;
	s = a->srcs[pos->src];
	VCL_CHECK_OBJ_NOTNULL(s, VCL_SRC_MAGIC);
	m->file = strdup(s->name);
	m->line = pos->line;
	m->col = pos->col;
	m->srcline = line_copy(s, pos->off);
}

static int
msg_grow(struct vcl_diag *d)
{
	unsigned ncap;
	struct vcl_diag_msg *nm;

	if (d->n < d->cap)
		return (0);
	ncap = d->cap ? d->cap * 2 : 8;
	nm = realloc(d->msgs, ncap * sizeof *nm);
	if (nm == NULL)
		return (-1);
	d->msgs = nm;
	d->cap = ncap;
	return (0);
}

void
vcl_diag_addv(struct vcl_diag *d, enum vcl_sev sev, const struct vcl_ast *a,
	      const struct vcl_pos *pos, const char *fmt, va_list ap)
{
	struct vcl_diag_msg *m;
	char *text;

	if (d == NULL)
		return;
	VCL_CHECK_OBJ(d, VCL_DIAG_MAGIC);
	VCL_ASSERT(sev <= VCL_SEV_NOTE);
	if (sev == VCL_SEV_ERROR)
		d->nerr++;
	if (d->n >= VCL_DIAG_MAX_MSGS || msg_grow(d) != 0)
		return;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	m = &d->msgs[d->n++];
	memset(m, 0, sizeof *m);
	m->sev = sev;
	m->text = text;
	msg_place(m, a, pos);
}

void
vcl_diag_add(struct vcl_diag *d, enum vcl_sev sev, const struct vcl_ast *a,
	     const struct vcl_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcl_diag_addv(d, sev, a, pos, fmt, ap);
	va_end(ap);
}

unsigned
vcl_diag_errors(const struct vcl_diag *d)
{
	VCL_CHECK_OBJ_NOTNULL(d, VCL_DIAG_MAGIC);
	return (d->nerr);
}

unsigned
vcl_diag_count(const struct vcl_diag *d)
{
	VCL_CHECK_OBJ_NOTNULL(d, VCL_DIAG_MAGIC);
	return (d->n);
}

const struct vcl_diag_msg *
vcl_diag_get(const struct vcl_diag *d, unsigned i)
{
	VCL_CHECK_OBJ_NOTNULL(d, VCL_DIAG_MAGIC);
	return (i < d->n ? &d->msgs[i] : NULL);
}

/* The caret line: a tab stays a tab so the caret lines up under col. */
static void
print_caret(const char *line, unsigned col, FILE *f)
{
	size_t len = strlen(line);

	fputs("    ", f);
	for (size_t i = 0; i + 1 < col && i < len; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', f);
	fputs("^\n", f);
}

void
vcl_diag_print_msg(const struct vcl_diag_msg *m, FILE *f)
{
	VCL_AN(m);
	if (m->file != NULL)
		fprintf(f, "%s:%u:%u: ", m->file, m->line, m->col);
	fprintf(f, "%s: %s\n", sev_names[m->sev], m->text);
	if (m->srcline == NULL)
		return;
	fprintf(f, "    %s\n", m->srcline);
	print_caret(m->srcline, m->col, f);
}

void
vcl_diag_print(const struct vcl_diag *d, FILE *f)
{
	VCL_CHECK_OBJ_NOTNULL(d, VCL_DIAG_MAGIC);
	for (unsigned i = 0; i < d->n; i++)
		vcl_diag_print_msg(&d->msgs[i], f);
	if (d->n >= VCL_DIAG_MAX_MSGS)
		fprintf(f, "(more messages were not kept)\n");
}
