/*
 * hx_http.c: header-field parsing and the strict chunked decoder, shared
 * by the scripted origin and the raw client.
 */
#include "tests/integration/hx_internal.h"

#include <ctype.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Header parsing shared by the origin and the client                  */

/* Parse "Name: value" lines of head[start..end) (each ending in CRLF).
 * Allocation with alloc_fn (hx_alloc for the client, malloc for the
 * origin thread). Returns 0, or -1 with *why set. */
int
parse_fields(const char *head, size_t start, size_t end, struct hx_hdr **out,
    int *nout, void *(*alloc_fn)(size_t), const char **why)
{
	size_t pos = start, n = 0, cap = 0;
	struct hx_hdr *h = NULL;
	int count = 0;

	/* count lines first */
	for (pos = start; pos + 1 < end; pos++)
		if (head[pos] == '\r' && head[pos + 1] == '\n')
			cap++;
	h = alloc_fn((cap + 1) * sizeof(*h));
	memset(h, 0, (cap + 1) * sizeof(*h));
	pos = start;
	while (pos + 1 < end) {
		const char *line = head + pos, *eol, *colon;
		size_t llen, nlen, vs, ve;

		eol = memmem(line, end - pos, "\r\n", 2);
		if (eol == NULL) {
			*why = "header line without CRLF";
			return -1;
		}
		llen = (size_t)(eol - line);
		if (llen == 0)
			break;
		colon = memchr(line, ':', llen);
		if (colon == NULL || colon == line) {
			*why = "header line without a name and colon";
			return -1;
		}
		nlen = (size_t)(colon - line);
		for (size_t i = 0; i < nlen; i++)
			if (line[i] == ' ' || line[i] == '\t' ||
			    (unsigned char)line[i] < 0x21) {
				*why = "whitespace or CTL in a header name";
				return -1;
			}
		vs = nlen + 1;
		ve = llen;
		while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
			vs++;
		while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
			ve--;
		h[n].name = alloc_fn(nlen + 1);
		memcpy(h[n].name, line, nlen);
		h[n].name[nlen] = 0;
		h[n].value = alloc_fn(ve - vs + 1);
		memcpy(h[n].value, line + vs, ve - vs);
		h[n].value[ve - vs] = 0;
		n++;
		count++;
		pos += llen + 2;
	}
	*out = h;
	*nout = count;
	return 0;
}

const char *
hdr_find(const struct hx_hdr *h, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (ci_eq(h[i].name, name))
			return h[i].value;
	return NULL;
}

int
hdr_count(const struct hx_hdr *h, int n, const char *name)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (ci_eq(h[i].name, name))
			c++;
	return c;
}

const char *
hdr_all(const struct hx_hdr *h, int n, const char *name)
{
	int i;
	char *s = NULL;

	for (i = 0; i < n; i++) {
		if (!ci_eq(h[i].name, name))
			continue;
		s = s == NULL ? hx_strdup(h[i].value)
			      : hx_printf("%s, %s", s, h[i].value);
	}
	return s;
}

int
hx_list_has(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	if (v == NULL)
		return 0;
	while (*v) {
		const char *e;
		size_t l;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		e = v;
		while (*e && *e != ',')
			e++;
		l = (size_t)(e - v);
		while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t'))
			l--;
		if (l == tl && strncasecmp(v, tok, tl) == 0)
			return 1;
		v = e;
	}
	return 0;
}

static int
is_hex(int ch)
{
	return isxdigit((unsigned char)ch);
}

/* Strict chunked-framing decoder over a byte stream, used by the origin
 * (requests from accel) and the client (responses from accel); its state
 * (struct chunker) is in hx_internal.h. */

/* Feed in[0..n); body data goes to sink; raw (when not NULL) receives
 * every consumed byte. Returns bytes consumed (stops after the end of
 * the body), or -1 on a framing error (c->err). */
ssize_t
chunker_feed(struct chunker *c, const char *in, size_t n, struct hx_body *sink)
{
	size_t i = 0;

	while (i < n && c->st != CK_DONE) {
		char ch = in[i];

		switch (c->st) {
		case CK_SIZE:
			if (is_hex(ch)) {
				if (++c->ndigits > 16) {
					c->err = "chunk size with more than 16 hex digits";
					return -1;
				}
				c->size = c->size * 16 +
				    (uint64_t)(isdigit((unsigned char)ch)
					    ? ch - '0'
					    : (tolower((unsigned char)ch) - 'a' + 10));
				i++;
			} else if (c->ndigits == 0) {
				c->err = "chunk size line without hex digits";
				return -1;
			} else if (ch == ';') {
				c->st = CK_EXT;
				i++;
			} else if (ch == '\r') {
				c->st = CK_SIZE_LF;
				i++;
			} else {
				c->err = "bad byte in chunk size line";
				return -1;
			}
			break;
		case CK_EXT:
			if (ch == '\r')
				c->st = CK_SIZE_LF;
			else if (ch == '\n') {
				c->err = "bare LF in chunk extension";
				return -1;
			}
			i++;
			break;
		case CK_SIZE_LF:
			if (ch != '\n') {
				c->err = "chunk size line: CR not followed by LF";
				return -1;
			}
			i++;
			if (c->size == 0) {
				c->st = CK_TRAILER;
				c->tline = 0;
			} else {
				c->st = CK_DATA;
				c->left = c->size;
			}
			break;
		case CK_DATA: {
			size_t take = n - i < c->left ? n - i : (size_t)c->left;

			sink_add(sink, in + i, take);
			c->left -= take;
			i += take;
			if (c->left == 0)
				c->st = CK_DATA_CR;
			break;
		}
		case CK_DATA_CR:
			if (ch != '\r') {
				c->err = "chunk data not followed by CRLF";
				return -1;
			}
			c->st = CK_DATA_LF;
			i++;
			break;
		case CK_DATA_LF:
			if (ch != '\n') {
				c->err = "chunk data not followed by CRLF";
				return -1;
			}
			c->st = CK_SIZE;
			c->size = 0;
			c->ndigits = 0;
			i++;
			break;
		case CK_TRAILER:
			if (ch == '\r') {
				c->st = CK_TRAILER_LF;
			} else if (ch == '\n') {
				c->err = "bare LF in trailer section";
				return -1;
			} else {
				c->tline++;
				c->trailers++;
			}
			i++;
			break;
		case CK_TRAILER_LF:
			if (ch != '\n') {
				c->err = "trailer: CR not followed by LF";
				return -1;
			}
			i++;
			if (c->tline == 0)
				c->st = CK_DONE;
			else {
				c->trailers += 2;
				c->tline = 0;
				c->st = CK_TRAILER;
			}
			break;
		}
	}
	return (ssize_t)i;
}
