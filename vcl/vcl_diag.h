/*
 * vcl_diag.h: diagnostics for VCL: errors, warnings and notes with a
 * position, collected in order and printed compiler-style:
 *
 *   main.vcl:12:17: error: expected ';' after set statement, got 'req'
 *       set req.url = "/" req
 *                         ^
 *
 * The lexer and parser add their errors here; the checker adds its own
 * through the same calls. A message copies what it shows (file name,
 * source line), so it outlives the AST it points into.
 */
#ifndef VCL_DIAG_H
#define VCL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A place in a source: which source of the AST (0-based index into its
 * table of sources, see vcl_ast.h), the line and column (both 1-based; a
 * column counts bytes, a tab is one byte) and the byte offset.
 */
struct vcl_pos {
	unsigned src;  /* index into vcl_ast's sources */
	unsigned line; /* 1-based */
	unsigned col;  /* 1-based, in bytes */
	size_t off;    /* 0-based byte offset in the source's text */
};

enum vcl_sev {
	VCL_SEV_ERROR,
	VCL_SEV_WARNING,
	VCL_SEV_NOTE, /* more about the message before it */
};

/* One message, owned by its vcl_diag; valid until vcl_diag_clear/free. */
struct vcl_diag_msg {
	enum vcl_sev sev;
	const char *file;    /* source name, or NULL for no position */
	unsigned line;       /* 1-based; 0 with no position */
	unsigned col;        /* 1-based; 0 with no position */
	const char *text;    /* the message, no trailing newline */
	const char *srcline; /* the source line at line (no newline), or NULL */
};

/* Messages beyond this many are counted but not kept. */
#define VCL_DIAG_MAX_MSGS 1000
/* A quoted source line is cut at this many bytes. */
#define VCL_DIAG_MAX_LINE 512

struct vcl_ast;
struct vcl_diag;

/* A new, empty collector (NULL when out of memory); free with _free. */
struct vcl_diag *vcl_diag_new(void);
void vcl_diag_free(struct vcl_diag **dp);
/* Forget every message. */
void vcl_diag_clear(struct vcl_diag *d);

/*
 * Add a message at pos in a source of a (pos and a may be NULL for a
 * message without a place). d may be NULL: the message is dropped.
 * The text is formatted like printf.
 */
void vcl_diag_add(struct vcl_diag *d, enum vcl_sev sev, const struct vcl_ast *a,
		  const struct vcl_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void vcl_diag_addv(struct vcl_diag *d, enum vcl_sev sev,
		   const struct vcl_ast *a, const struct vcl_pos *pos,
		   const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* How many errors were added (kept or not). */
unsigned vcl_diag_errors(const struct vcl_diag *d);
/* How many messages are kept, and the i-th (0-based; NULL past the end). */
unsigned vcl_diag_count(const struct vcl_diag *d);
const struct vcl_diag_msg *vcl_diag_get(const struct vcl_diag *d, unsigned i);

/* Print every message as file:line:col: sev: text, the line and a caret. */
void vcl_diag_print(const struct vcl_diag *d, FILE *f);
/* Print one message the same way. */
void vcl_diag_print_msg(const struct vcl_diag_msg *m, FILE *f);

#endif
