/*
 * rfc9111_inval.c: invalidation after unsafe requests (RFC 9111 section
 * 4.4): which responses invalidate, whether a Location / Content-Location
 * shares the target's origin, and the path such a reference names.
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* Does this unsafe exchange invalidate the target (section 4.4)? */
int
rfc_invalidates(enum h1_method meth, int status)
{
	switch (meth) {
	case H1M_GET:
	case H1M_HEAD:
	case H1M_OPTIONS:
	case H1M_TRACE:
	case H1M_CONNECT: return (0);
	default: return (status >= 200 && status <= 399);
	}
}

/* Length of a URI scheme at the start of r (ALPHA *( ALPHA / DIGIT / "+" /
 * "-" / "." ) then ':'), or 0 when r does not start with one. */
static size_t
scheme_len(const char *r, size_t len)
{
	size_t i;

	if (len == 0 || !rfc__alpha(r[0]))
		return (0);
	for (i = 1; i < len; i++) {
		if (r[i] == ':')
			return (i);
		if (!rfc__alpha(r[i]) && !rfc__digit(r[i]) && r[i] != '+' &&
		    r[i] != '-' && r[i] != '.')
			return (0);
	}
	return (0);
}

/* Split an authority a[0..len) into host and port (port -1: none, -2:
 * malformed); 0, or -1 when it holds userinfo. */
static int
authority(const char *a, size_t len, size_t *hlen, long *port)
{
	size_t i, c = len;

	if (memchr(a, '@', len) != NULL)
		return (-1);
	if (len > 0 && a[0] == '[') { /* IP-literal */
		const char *rb = memchr(a, ']', len);
		if (rb == NULL)
			return (-1);
		i = (size_t)(rb - a) + 1;
		c = i < len && a[i] == ':' ? i : len;
		if (i < len && a[i] != ':')
			return (-1);
	} else {
		const char *col = memchr(a, ':', len);
		if (col != NULL)
			c = (size_t)(col - a);
	}
	*hlen = c;
	*port = -1;
	if (c < len) {
		if (c + 1 == len)
			return (0); /* "host:" is the default port */
		*port = 0;
		for (i = c + 1; i < len; i++) {
			if (!rfc__digit(a[i]) || *port > 65535) {
				*port = -2;
				return (0);
			}
			*port = *port * 10 + (a[i] - '0');
		}
	}
	return (0);
}

/* Same scheme, host and port as the target, or relative. */
int
rfc_same_origin(const char *scheme, const char *host, size_t hlen,
		const char *ref, size_t rlen)
{
	size_t sl, i, e, h1l, h2l;
	long p1, p2, def;

	AN(scheme);
	AN(host != NULL || hlen == 0);
	AN(ref != NULL || rlen == 0);
	sl = scheme_len(ref, rlen);
	if (sl == 0 && !(rlen >= 2 && ref[0] == '/' && ref[1] == '/'))
		return (1); /* relative reference */
	if (sl > 0 && !rfc__ieq(ref, sl, scheme))
		return (0);
	i = sl > 0 ? sl + 1 : 0;
	if (rlen - i < 2 || ref[i] != '/' || ref[i + 1] != '/')
		return (0); /* "http:foo": no authority to compare */
	i += 2;
	for (e = i; e < rlen && ref[e] != '/' && ref[e] != '?' && ref[e] != '#';
	     e++)
		;
	def = rfc__ieq(scheme, strlen(scheme), "https") ? 443 : 80;
	if (authority(ref + i, e - i, &h2l, &p2) != 0 ||
	    authority(host, hlen, &h1l, &p1) != 0)
		return (0);
	if (p1 == -2 || p2 == -2)
		return (0);
	if (p1 == -1)
		p1 = def;
	if (p2 == -1)
		p2 = def;
	return (p1 == p2 && h1l == h2l && h1l > 0 &&
		rfc__span_ieq(ref + i, host, h1l));
}

/* RFC 3986 section 5.2.4 remove_dot_segments, in place on out[0..*n). */
static void
remove_dots(char *out, size_t *n)
{
	size_t r = 0, w = 0, len = *n, k;

	while (r < len) {
		if (len - r >= 3 && memcmp(out + r, "../", 3) == 0) {
			r += 3;
		} else if (len - r >= 2 && memcmp(out + r, "./", 2) == 0) {
			r += 2;
		} else if (len - r >= 3 && memcmp(out + r, "/./", 3) == 0) {
			r += 2;
		} else if (len - r == 2 && memcmp(out + r, "/.", 2) == 0) {
			out[++r] = '/'; /* "/." -> "/" */
		} else if ((len - r >= 4 && memcmp(out + r, "/../", 4) == 0) ||
			   (len - r == 3 && memcmp(out + r, "/..", 3) == 0)) {
			r += 3;
			if (r == len)
				out[--r] = '/'; /* "/.." -> "/" */
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--; /* drop the last segment and its '/' */
		} else if ((len - r == 1 && out[r] == '.') ||
			   (len - r == 2 && memcmp(out + r, "..", 2) == 0)) {
			r = len;
		} else {
			k = r;
			if (out[k] == '/')
				k++;
			while (k < len && out[k] != '/')
				k++;
			memmove(out + w, out + r, k - r);
			w += k - r;
			r = k;
		}
	}
	*n = w;
}

/* Path and query a Location / Content-Location names (RFC 3986 5.2). */
int
rfc_ref_path(const char *base, size_t blen, const char *ref, size_t rlen,
	     char *out, size_t outlen)
{
	size_t i = 0, e, q, n = 0, pl, bq;

	AN(base != NULL || blen == 0);
	AN(ref != NULL || rlen == 0);
	AN(out);
	if (outlen > 0)
		out[0] = '\0';
	if (rlen == 0)
		return (-1);
	for (e = 0; e < rlen && ref[e] != '#'; e++)
		;
	rlen = e; /* no fragment: "#f" is the base document */
	if ((e = scheme_len(ref, rlen)) > 0)
		i = e + 1;
	if (rlen - i >= 2 && ref[i] == '/' && ref[i + 1] == '/') {
		for (i += 2; i < rlen && ref[i] != '/' && ref[i] != '?'; i++)
			;
		if (i == rlen || ref[i] == '?') {
			/* empty path of an absolute URI is "/" */
			if (outlen < 2 + (rlen - i))
				return (-1);
			out[n++] = '/';
			memcpy(out + n, ref + i, rlen - i);
			n += rlen - i;
			out[n] = '\0';
			return ((int)n);
		}
	}
	for (q = i; q < rlen && ref[q] != '?'; q++)
		;
	pl = q - i; /* path of the reference */
	for (bq = 0; bq < blen && base[bq] != '?'; bq++)
		;
	if (outlen < blen + (rlen - i) + 3)
		return (-1); /* generous bound: merge is at most this long */
	if (pl > 0 && ref[i] == '/') {
		memcpy(out, ref + i, pl);
		n = pl;
	} else if (pl == 0) {
		/* same document: the base path, and its query unless ours */
		memcpy(out, base, bq);
		n = bq;
		if (q == rlen) {
			memcpy(out + n, base + bq, blen - bq);
			n += blen - bq;
			out[n] = '\0';
			return ((int)n);
		}
	} else {
		/* merge: base path up to its last '/', then the reference */
		for (e = bq; e > 0 && base[e - 1] != '/'; e--)
			;
		if (e == 0)
			out[n++] = '/';
		memcpy(out + n, base, e);
		n += e;
		memcpy(out + n, ref + i, pl);
		n += pl;
	}
	remove_dots(out, &n);
	if (n == 0 || out[0] != '/') {
		memmove(out + 1, out, n);
		out[0] = '/';
		n++;
	}
	memcpy(out + n, ref + q, rlen - q);
	n += rlen - q;
	out[n] = '\0';
	return ((int)n);
}
