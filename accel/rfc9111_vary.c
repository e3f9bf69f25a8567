/*
 * rfc9111_vary.c: secondary cache keys (RFC 9111 section 4.1). A stored
 * response with Vary is selected only by requests whose nominated fields
 * match the request that fetched it, after normalisation.
 *
 * Normalisation is written once, against an output that either fills a
 * buffer or compares with a stored value byte by byte, so matching needs
 * no buffer and no length limit.
 */
#include "accel/rfc9111.h"

#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

/* Next field name of a Vary value; -1 for "*" or junk. */
int
rfc_vary_next(const char *v, size_t len, size_t *pos, const char **name,
	      size_t *nlen)
{
	size_t s, e, k;

	AN(pos);
	AN(name);
	AN(nlen);
	AN(v != NULL || len == 0);
	while (*pos < len) {
		for (e = *pos; e < len && v[e] != ','; e++)
			;
		s = *pos;
		*pos = e < len ? e + 1 : len;
		rfc__trim(v, &s, &e);
		if (s == e)
			continue; /* empty list element */
		if (e - s == 1 && v[s] == '*')
			return (-1);
		for (k = s; k < e; k++)
			if (!rfc__tchar((uint8_t)v[k]))
				return (-1);
		*name = v + s;
		*nlen = e - s;
		return (1);
	}
	return (0);
}

/* Where normalised bytes go: a buffer, or a comparison. */
struct vout {
	char *buf; /* fill mode: buf[0..cap) */
	size_t cap;
	const char *cmp; /* compare mode: expected cmp[0..cmplen) */
	size_t cmplen;
	size_t len; /* bytes produced so far */
	int bad;    /* fill: out of space; compare: differs */
};

/* Emit n bytes: copy, or compare with the stored value. */
static void
vput(struct vout *o, const char *s, size_t n)
{
	if (o->bad)
		return;
	if (o->cmp != NULL) {
		if (o->cmplen - o->len < n || memcmp(o->cmp + o->len, s, n))
			o->bad = 1;
	} else if (o->cap - o->len < n) {
		o->bad = 1;
	} else {
		memcpy(o->buf + o->len, s, n);
	}
	if (!o->bad)
		o->len += n;
}

/* Emit one byte. */
static void
vputc(struct vout *o, char c)
{
	vput(o, &c, 1);
}

enum vkind { VK_OPAQUE, VK_LIST_CI, VK_COOKIE };

/* How a field's values are normalised. */
static enum vkind
vkind(const char *name, size_t nlen)
{
	if (rfc__ieq(name, nlen, "Accept") ||
	    rfc__ieq(name, nlen, "Accept-Encoding") ||
	    rfc__ieq(name, nlen, "Accept-Language") ||
	    rfc__ieq(name, nlen, "Accept-Charset"))
		return (VK_LIST_CI);
	if (rfc__ieq(name, nlen, "Cookie"))
		return (VK_COOKIE);
	return (VK_OPAQUE);
}

/* One list element v[s..e), trimmed and non-empty: whitespace around ';'
 * and '=' dropped, other runs one SP, lowercase outside quotes. */
static void
vput_elem(struct vout *o, const char *v, size_t s, size_t e)
{
	size_t i, j;
	int q = 0;
	char c;

	for (i = s; i < e; i++) {
		c = v[i];
		if (q) {
			vputc(o, c);
			if (c == '\\' && i + 1 < e)
				vputc(o, v[++i]);
			else if (c == '"')
				q = 0;
			continue;
		}
		if (rfc__ows(c)) {
			for (j = i; j < e && rfc__ows(v[j]); j++)
				;
			/* e is trimmed, so j < e here */
			if (v[j] != ';' && v[j] != '=' && v[i - 1] != ';' &&
			    v[i - 1] != '=')
				vputc(o, ' ');
			i = j - 1;
			continue;
		}
		if (c == '"')
			q = 1;
		vputc(o, (char)rfc__lc((uint8_t)c));
	}
}

/* Normalised value of field name into o; 0 when absent, 1 when present. */
static int
vnorm(struct vout *o, const char *name, size_t nlen, const struct h1_hdr *req,
      unsigned nreq)
{
	enum vkind k = vkind(name, nlen);
	const struct h1_hdr *h;
	size_t i, s, e, end;
	unsigned r;
	int found = 0, any = 0;

	for (r = 0; r < nreq; r++) {
		h = &req[r];
		if (h->name_len != nlen || !rfc__span_ieq(h->name, name, nlen))
			continue;
		if (k != VK_LIST_CI) {
			if (found)
				vput(o, k == VK_COOKIE ? "; " : ", ", 2);
			vput(o, h->value, h->value_len);
			found = 1;
			continue;
		}
		found = 1;
		for (i = 0; i < h->value_len; i = end + 1) {
			end = rfc__elem_end(h->value, h->value_len, i);
			s = i;
			e = end;
			rfc__trim(h->value, &s, &e);
			if (s == e)
				continue;
			if (any)
				vput(o, ", ", 2);
			vput_elem(o, h->value, s, e);
			any = 1;
		}
	}
	return (found);
}

/* One field's normalised request value, into a buffer. */
int
rfc_vary_normalise(const char *name, size_t nlen, const struct h1_hdr *req,
		   unsigned nreq, char *out, size_t outlen)
{
	struct vout o;

	AN(name);
	AN(out);
	AN(req != NULL || nreq == 0);
	memset(&o, 0, sizeof o);
	o.buf = out;
	o.cap = outlen > 0 ? outlen - 1 : 0; /* room for the NUL */
	if (!vnorm(&o, name, nlen, req, nreq)) {
		if (outlen > 0)
			out[0] = '\0';
		return (RFC_VARY_ABSENT);
	}
	if (o.bad || outlen == 0) {
		if (outlen > 0)
			out[0] = '\0';
		return (RFC_VARY_NOSPACE);
	}
	out[o.len] = '\0';
	return ((int)o.len);
}

/* Variant key of a response: names and normalised request values. */
int
rfc_vary_build(const struct h1_hdr *resp, unsigned nresp,
	       const struct h1_hdr *req, unsigned nreq, char *names,
	       size_t nsize, size_t *nused, char *vals, size_t vsize,
	       size_t *vused)
{
	struct vout on, ov;
	const char *name;
	size_t pos, nlen, i, mark;
	unsigned r;
	int rc;

	AN(resp != NULL || nresp == 0);
	AN(req != NULL || nreq == 0);
	AN(names);
	AN(vals);
	AN(nused);
	AN(vused);
	memset(&on, 0, sizeof on);
	memset(&ov, 0, sizeof ov);
	on.buf = names;
	on.cap = nsize;
	ov.buf = vals;
	ov.cap = vsize;
	*nused = *vused = 0;
	for (r = 0; r < nresp; r++) {
		if (!h1_name_eq(&resp[r], "Vary"))
			continue;
		pos = 0;
		while ((rc = rfc_vary_next(resp[r].value, resp[r].value_len,
					   &pos, &name, &nlen)) == 1) {
			for (i = 0; i < nlen; i++)
				vputc(&on, (char)rfc__lc((uint8_t)name[i]));
			vputc(&on, '\n');
			mark = ov.len;
			vputc(&ov, '=');
			if (!vnorm(&ov, name, nlen, req, nreq) && !ov.bad) {
				ov.len = mark;
				vputc(&ov, '!');
			}
			vputc(&ov, '\n');
		}
		if (rc < 0)
			return (-1);
	}
	if (on.bad || ov.bad)
		return (-2);
	*nused = on.len;
	*vused = ov.len;
	return (0);
}

/* Does a request select a stored variant? Compares in place. */
int
rfc_vary_match(const char *names, size_t nlen, const char *vals, size_t vlen,
	       const struct h1_hdr *req, unsigned nreq)
{
	struct vout o;
	size_t ns = 0, ne, vs = 0, ve;

	AN(names != NULL || nlen == 0);
	AN(vals != NULL || vlen == 0);
	AN(req != NULL || nreq == 0);
	while (ns < nlen) {
		for (ne = ns; ne < nlen && names[ne] != '\n'; ne++)
			;
		for (ve = vs; ve < vlen && vals[ve] != '\n'; ve++)
			;
		if (ve == vlen || ve == vs)
			return (0); /* corrupt: no match */
		memset(&o, 0, sizeof o);
		o.cmp = vals + vs + 1;
		o.cmplen = ve - vs - 1;
		if (vals[vs] == '!') {
			if (ve - vs != 1 ||
			    vnorm(&o, names + ns, ne - ns, req, nreq))
				return (0);
		} else if (vals[vs] != '=' ||
			   !vnorm(&o, names + ns, ne - ns, req, nreq) ||
			   o.bad || o.len != o.cmplen) {
			return (0);
		}
		ns = ne + 1;
		vs = ve + 1;
	}
	return (1);
}
