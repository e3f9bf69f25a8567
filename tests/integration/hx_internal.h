/*
 * hx_internal.h: what the harness's hx_*.c files share with each other;
 * private to the harness (tests include harness.h only).
 */
#ifndef ACCEL_TESTS_HX_INTERNAL_H
#define ACCEL_TESTS_HX_INTERNAL_H

#include "tests/integration/harness.h"

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HX_PAT_EXTRA (1u << 20)
#define HX_IOBUF (256u * 1024u)

/* ------------------------------------------------------------------ */
/* hx_util.c                                                           */

/* Milliseconds left until deadline (hx_now_ms clock), clamped to
 * [0, 1000000]. */
int remaining_ms(int64_t deadline);

/* One entry of the running test's cleanup list. */
struct cleanup {
	void (*fn)(void *);
	void *ptr;
	struct cleanup *next;
};

/* Run fn(ptr) at teardown (skipped while ptr is NULL). */
struct cleanup *hx_defer(void (*fn)(void *), void *ptr);
/* malloc/realloc that abort on failure (not released at teardown). */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
/* hx_printf with a va_list. */
char *hx_vprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0), noinline));
/* Printable rendering of raw bytes (CR and LF shown as \r \n, a newline
 * kept after each \n), at most max bytes. */
char *escape(const char *p, size_t n, size_t max);
int ci_eq(const char *a, const char *b);
/* nftw callback removing every entry. */
int rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw);

/* Body sink; when slot is not NULL, *slot follows s->buf. */
void sink_init(struct hx_body *s, size_t cap, int do_crc, void **slot);
void sink_add(struct hx_body *s, const char *p, size_t n);

/* Processes the watchdog kills when a test times out. */
void watch_add(pid_t pid);
void watch_del(pid_t pid);

/* ------------------------------------------------------------------ */
/* hx_http.c                                                           */

/* Parse "Name: value" lines of head[start..end) (each ending in CRLF).
 * Allocation with alloc_fn (hx_alloc for the client, malloc for the
 * origin thread). Returns 0, or -1 with *why set. */
int parse_fields(const char *head, size_t start, size_t end,
    struct hx_hdr **out, int *nout, void *(*alloc_fn)(size_t),
    const char **why);
const char *hdr_find(const struct hx_hdr *h, int n, const char *name);
int hdr_count(const struct hx_hdr *h, int n, const char *name);
/* All values of name joined with ", " (hx_alloc), NULL when absent. */
const char *hdr_all(const struct hx_hdr *h, int n, const char *name);

/* Strict chunked-framing decoder over a byte stream, used by the origin
 * (requests from accel) and the client (responses from accel). Start
 * from a zeroed struct chunker. */
enum { CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LF, CK_DONE };

struct chunker {
	int st;
	uint64_t size, left;
	int ndigits;
	size_t tline;	  /* bytes of the current trailer line */
	size_t trailers;  /* bytes of trailer fields */
	const char *err;
};

/* Feed in[0..n); body data goes to sink. Returns bytes consumed (stops
 * after the end of the body), or -1 on a framing error (c->err). */
ssize_t chunker_feed(struct chunker *c, const char *in, size_t n,
    struct hx_body *sink);

/* ------------------------------------------------------------------ */
/* hx_origin.c                                                         */

/* Origins of the running test (NULL slots are free). */
#define HX_MAX_ORIGINS 16
extern struct hx_origin *origins[HX_MAX_ORIGINS];

/* What the origin saw, for failure messages (hx_alloc). */
char *origin_describe(struct hx_origin *o);
/* Stop and free every origin of the test (hx_teardown). */
void teardown_origins(void);

/* ------------------------------------------------------------------ */
/* hx_accel.c                                                          */

/* Kill accel processes still running at the end of the test, with
 * their stderr, and clear hx_accel_env (hx_teardown). */
void teardown_accels(void);

#endif
