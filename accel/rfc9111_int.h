/*
 * rfc9111_int.h: character classes and small scanners shared by the
 * rfc9111*.c files. Private: nothing outside accel/rfc9111*.c includes it.
 */
#ifndef ACCEL_RFC9111_INT_H
#define ACCEL_RFC9111_INT_H

#include <stddef.h>
#include <stdint.h>

#include "accel/http1.h"
#include "accel/rfc9111.h"

/* ASCII lowercase; other bytes unchanged (no locale). */
static inline int
rfc__lc(int c)
{
	return (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static inline int
rfc__digit(int c)
{
	return (c >= '0' && c <= '9');
}

static inline int
rfc__alpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static inline int
rfc__ows(int c)
{
	return (c == ' ' || c == '\t');
}

/* tchar of RFC 9110 section 5.6.2. */
static inline int
rfc__tchar(int c)
{
	if (rfc__alpha(c) || rfc__digit(c))
		return (1);
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~': return (1);
	default: return (0);
	}
}

/* Case-insensitive equality of v[0..len) and NUL-terminated s. */
static inline int
rfc__ieq(const char *v, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' ||
		    rfc__lc((uint8_t)v[i]) != rfc__lc((uint8_t)s[i]))
			return (0);
	return (s[i] == '\0');
}

/* Case-insensitive equality of two spans of n bytes. */
static inline int
rfc__span_ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rfc__lc((uint8_t)a[i]) != rfc__lc((uint8_t)b[i]))
			return (0);
	return (1);
}

/* Trim OWS on both sides of [*s, *e). */
static inline void
rfc__trim(const char *v, size_t *s, size_t *e)
{
	while (*s < *e && rfc__ows(v[*s]))
		(*s)++;
	while (*e > *s && rfc__ows(v[*e - 1]))
		(*e)--;
}

/*
 * End of the list element that starts at i: the index of the next comma
 * outside a quoted-string, or len. A quoted-string runs to its closing
 * DQUOTE ('\\' escapes the next byte); an unterminated one runs to len.
 */
static inline size_t
rfc__elem_end(const char *v, size_t len, size_t i)
{
	int q = 0;

	for (; i < len; i++) {
		if (q) {
			if (v[i] == '\\' && i + 1 < len)
				i++;
			else if (v[i] == '"')
				q = 0;
		} else if (v[i] == '"') {
			q = 1;
		} else if (v[i] == ',') {
			break;
		}
	}
	return (i);
}

/* delta-seconds (1*DIGIT) in v[0..len), saturating; -1 when malformed. */
static inline int64_t
rfc__delta(const char *v, size_t len)
{
	int64_t r = 0;
	size_t i;

	if (len == 0)
		return (-1);
	for (i = 0; i < len; i++) {
		if (!rfc__digit(v[i]))
			return (-1);
		if (r < RFC_DELTA_MAX)
			r = r * 10 + (v[i] - '0');
	}
	return (r > RFC_DELTA_MAX ? RFC_DELTA_MAX : r);
}

#endif
