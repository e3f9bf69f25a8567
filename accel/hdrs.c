/*
 * hdrs.c: the editable header view (hdrs.h). Copy on first change, into
 * the request's workspace; every lookup skips absent known fields by
 * their seen bit.
 */
#include "accel/accel.h"
#include "accel/hdrs.h"

#include <string.h>
#include <strings.h>

/* Room added when the view is copied; it doubles when it grows. */
#define HDRS_SPARE 8

void
hdrs_init(struct hdrs *hs, struct h1_hdr *h, unsigned n, uint32_t seen)
{
	hs->h = h;
	hs->n = n;
	hs->cap = 0;
	hs->seen = seen;
}

static int
hdr_is(const struct h1_hdr *f, enum h1_hk kind, const char *name, size_t len)
{
	if (kind != H1H_OTHER)
		return (f->kind == kind);
	return (f->kind == H1H_OTHER && f->name_len == len &&
	    strncasecmp(f->name, name, len) == 0);
}

const struct h1_hdr *
hdrs_get(const struct hdrs *hs, enum h1_hk kind, const char *name,
    size_t len)
{
	unsigned i;

	if (kind != H1H_OTHER && !(hs->seen & (1u << kind)))
		return (NULL);
	for (i = 0; i < hs->n; i++)
		if (hdr_is(&hs->h[i], kind, name, len))
			return (&hs->h[i]);
	return (NULL);
}

int
hdrs_value_ok(const char *value, size_t vlen)
{
	size_t i;

	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (0);
	}
	return (1);
}

/* Own a copy of the entries with room for one more. 0, or -1. */
static int
hdrs_room(struct hdrs *hs, struct ws *ws)
{
	struct h1_hdr *nh;
	unsigned cap;

	if (hs->n < hs->cap)
		return (0);
	cap = hs->cap == 0 ? hs->n + HDRS_SPARE : hs->cap * 2;
	nh = ws_alloc(ws, cap * sizeof *nh);
	if (nh == NULL)
		return (-1);
	if (hs->n > 0)
		memcpy(nh, hs->h, hs->n * sizeof *nh);
	/* The old copy (if any) stays in the workspace until it resets. */
	hs->h = nh;
	hs->cap = cap;
	return (0);
}

/* Remove the fields named name from index from on; how many. */
static unsigned
hdrs_drop(struct hdrs *hs, unsigned from, enum h1_hk kind, const char *name,
    size_t len)
{
	unsigned i, j, n = 0;

	for (i = j = from; i < hs->n; i++) {
		if (hdr_is(&hs->h[i], kind, name, len)) {
			n++;
			continue;
		}
		if (i != j)
			hs->h[j] = hs->h[i];
		j++;
	}
	hs->n = j;
	return (n);
}

int
hdrs_set(struct hdrs *hs, struct ws *ws, enum h1_hk kind, const char *name,
    size_t len, const char *value, size_t vlen)
{
	unsigned i;

	if (!hdrs_value_ok(value, vlen) || hdrs_room(hs, ws) != 0)
		return (-1);
	for (i = 0; i < hs->n; i++)
		if (hdr_is(&hs->h[i], kind, name, len))
			break;
	if (i == hs->n) {
		hs->h[hs->n].name = name;
		hs->h[hs->n].name_len = len;
		hs->h[hs->n].kind = kind;
		hs->n++;
	} else
		(void)hdrs_drop(hs, i + 1, kind, name, len);
	hs->h[i].value = value;
	hs->h[i].value_len = vlen;
	if (kind != H1H_OTHER)
		hs->seen |= 1u << kind;
	return (0);
}

int
hdrs_unset(struct hdrs *hs, struct ws *ws, enum h1_hk kind, const char *name,
    size_t len)
{
	if (hdrs_get(hs, kind, name, len) == NULL)
		return (0); /* nothing to do: no copy */
	if (hs->cap == 0 && hdrs_room(hs, ws) != 0)
		return (-1);
	(void)hdrs_drop(hs, 0, kind, name, len);
	if (kind != H1H_OTHER)
		hs->seen &= ~(1u << kind);
	return (0);
}
