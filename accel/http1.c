/*
 * http1.c: the strict HTTP/1.1 codec (RFC 9112), see http1.h.
 *
 * Heads are parsed in one forward pass over the bytes with table-driven
 * character classes; a call on a growing buffer starts over from byte 0 and
 * stops with 0 at the first byte that has not arrived yet. Every limit is
 * checked against the bytes seen at each stop, so a prefix of a message
 * never yields a different verdict than the whole message would.
 */
#include "http1.h"

#include <limits.h>
#include <string.h>

#include "common.h"

/* Character classes, one bit each. */
#define C_T 0x01 /* tchar (RFC 9110 §5.6.2) */
#define C_V 0x02 /* field value byte: field-vchar, obs-text, SP, HTAB */
#define C_U 0x04 /* request-target byte: VCHAR or obs-text */
#define C_H 0x08 /* authority: unreserved, sub-delims, ':', '[', ']', '%' */
#define C_X 0x10 /* hex digit */

/* clang-format off */
static const uint8_t cls[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0,  0,	/* 00 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,	/* 10 */
	 2, 15,  6,  7, 15, 15, 15, 15, 14, 14, 15, 15, 14, 15, 15,  6,	/* 20 */
	31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 14, 14,  6, 14,  6,  6,	/* 30 */
	 6, 31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,	/* 40 */
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14,  6, 14,  7, 15,	/* 50 */
	 7, 31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,	/* 60 */
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,  6,  7,  6, 15,  0,	/* 70 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* 80 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* 90 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* a0 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* b0 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* c0 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* d0 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* e0 */
	 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,	/* f0 */
};
/* clang-format on */

#define IS(c, k)          (cls[(uint8_t)(c)] & (k))
#define MAX_EMPTY_LINES   8     /* empty lines skipped before a request line */
#define CL_DIGITS         19    /* Content-Length digits: always fits uint64 */
#define CHUNK_LINE_MAX    4096  /* size+extension or trailer line */
#define CHUNK_TRAILER_MAX 16384 /* whole trailer section */
#define CHUNK_SIZE_MAX    ((uint64_t)1 << 62)
#define CHUNK_HEX_MAX     16

static const char slash[] = "/";

/* ASCII lower case without locale: header names are ASCII tokens. */
static inline unsigned
lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive equality of a[0..n) with the lower-case literal lit. */
static int
ci_eq(const char *a, size_t n, const char *lit, size_t litlen)
{
	size_t i;

	if (n != litlen)
		return (0);
	for (i = 0; i < n; i++)
		if (lc((uint8_t)a[i]) != (uint8_t)lit[i])
			return (0);
	return (1);
}

#define CI_EQ(a, n, lit) ci_eq((a), (n), (lit), sizeof(lit) - 1)

/* Does list v[0..len) hold the element tok[0..toklen)? Shared by
 * h1_list_has and h1_is_hop, whose token is not NUL-terminated. */
static int
list_has(const char *v, size_t len, const char *tok, size_t toklen)
{
	size_t i = 0, s, e, k;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		for (e = i; e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
			;
		if (e - s != toklen || toklen == 0)
			continue;
		for (k = 0; k < toklen; k++)
			if (lc((uint8_t)v[s + k]) != lc((uint8_t)tok[k]))
				break;
		if (k == toklen)
			return (1);
	}
	return (0);
}

/* Parse a Content-Length value: 1..19 digits and nothing else. */
static int
parse_cl(const char *v, size_t len, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;
	unsigned d;

	if (len == 0 || len > CL_DIGITS)
		return (-1);
	for (i = 0; i < len; i++) {
		d = (unsigned)(uint8_t)v[i] - '0';
		if (d > 9)
			return (-1);
		x = x * 10 + d;
	}
	*out = x;
	return (0);
}

/*
 * Check an authority (host [":" port]) as an http URI or a Host field may
 * carry it: reg-name (with valid %XX) or IP-literal, then an optional port
 * of up to 5 digits, required for CONNECT's authority-form. Userinfo ('@'),
 * whitespace, CTLs and '/' all fall outside the class.
 */
static int
authority_ok(const char *s, size_t len, int need_port)
{
	size_t i = 0, p;

	if (len == 0)
		return (0);
	if (s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			if (!IS(s[i], C_H) || s[i] == '[' || s[i] == '%')
				return (0);
		if (i == len || i == 1)
			return (0);
		i++;
	} else {
		for (; i < len && s[i] != ':'; i++) {
			if (s[i] == '%') {
				if (len - i < 3 || !IS(s[i + 1], C_X) ||
				    !IS(s[i + 2], C_X))
					return (0);
				i += 2;
			} else if (!IS(s[i], C_H) || s[i] == '[' || s[i] == ']')
				return (0);
		}
		if (i == 0)
			return (0);
	}
	if (i == len)
		return (!need_port);
	if (s[i] != ':')
		return (0);
	p = ++i;
	for (; i < len; i++)
		if ((unsigned)(uint8_t)s[i] - '0' > 9)
			return (0);
	return (i - p <= 5 && (i > p || !need_port));
}

/* --- heads --- */

/* What one head parse shares with parse_fields. */
struct head {
	const uint8_t *b;
	size_t len;
	size_t max_head; /* clamped so a head length always fits an int */
	unsigned maxn;   /* fields allowed: limit and array size */
	struct h1_hdr *hdrs;
	unsigned n;
	int bad; /* -400 for requests, -502 for responses */
	int big; /* -431 for requests, -502 for responses */
	uint32_t seen; /* H1_SEEN() of the kinds parsed */
};

/* Set up the shared parse state. */
static void
head_init(struct head *h, const char *buf, size_t len,
	  const struct h1_limits *lim, struct h1_hdr *hdrs, unsigned max_hdrs,
	  int bad, int big)
{
	h->b = (const uint8_t *)buf;
	h->len = len;
	h->max_head = lim->max_head < INT_MAX / 2 ? lim->max_head : INT_MAX / 2;
	h->maxn = lim->max_headers < max_hdrs ? lim->max_headers : max_hdrs;
	h->hdrs = hdrs;
	h->n = 0;
	h->bad = bad;
	h->big = big;
	h->seen = 0;
}

/*
 * Parse field lines from b[i..) through the empty line that ends the head.
 * Returns the head's end offset, 0 when more bytes are needed, or h->bad /
 * h->big. The head limit is checked wherever a scan stops: the head is
 * longer than anything scanned so far, so a prefix can only agree with the
 * final verdict.
 */
static int
parse_fields(struct head *h, size_t i)
{
	const uint8_t *b = h->b;
	size_t len = h->len, name, ne, vs, ve;
	struct h1_hdr *f;

	for (;;) {
		if (i > h->max_head)
			return (h->big);
		if (i >= len)
			return (0);
		if (b[i] == '\r') {
			if (i + 1 >= len)
				return (0);
			if (b[i + 1] != '\n')
				return (h->bad);
			i += 2;
			if (i > h->max_head)
				return (h->big);
			return ((int)i);
		}
		if (h->n >= h->maxn)
			return (h->big);
		/* A line starting with SP/HTAB (obs-fold), ':', LF, or any
		 * other non-tchar stops here with an empty name. */
		name = i;
		while (i < len && IS(b[i], C_T))
			i++;
		if (i > h->max_head)
			return (h->big);
		if (i == len)
			return (0);
		if (b[i] != ':' || i == name)
			return (h->bad);
		ne = i++;
		while (i < len && (b[i] == ' ' || b[i] == '\t'))
			i++;
		vs = i;
		while (i < len && IS(b[i], C_V))
			i++;
		if (i > h->max_head)
			return (h->big);
		if (i == len)
			return (0);
		/* NUL, CTLs, DEL and a bare LF stop the scan short of CR. */
		if (b[i] != '\r')
			return (h->bad);
		if (i + 1 == len)
			return (0);
		if (b[i + 1] != '\n')
			return (h->bad);
		for (ve = i; ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t');
		     ve--)
			;
		f = &h->hdrs[h->n++];
		f->name = (const char *)b + name;
		f->name_len = ne - name;
		f->kind = h1_kind_of(f->name, f->name_len);
		h->seen |= 1u << f->kind;
		f->value = (const char *)b + vs;
		f->value_len = ve - vs;
		i += 2;
	}
}

/* The headers a codec decision depends on. */
static const struct {
	const char *name;
	unsigned char len;
	unsigned char hop;
} known_hdrs[H1H__MAX] = {
    [H1H_OTHER] = {"", 0, 0},
#define X(k, n, h) [H1H_##k] = {n, sizeof(n) - 1, h},
    H1_KNOWN_HDRS(X)
#undef X
};

/* Known kinds bucketed by name length and first letter, so recognising a
 * name costs one table look-up and at most a couple of compares. */
static unsigned char kind_idx[32][32][2];

/* Built before main() runs, single-threaded; read-only afterwards. */
static void __attribute__((constructor))
kind_idx_build(void)
{
	for (unsigned k = 1; k < H1H__MAX; k++) {
		unsigned l = known_hdrs[k].len, c = (uint8_t)known_hdrs[k].name[0] & 31;
		unsigned char *slot = kind_idx[l & 31][c];
		if (slot[0] == 0)
			slot[0] = (unsigned char)k;
		else {
			AZ(slot[1]); /* two names per bucket at most */
			slot[1] = (unsigned char)k;
		}
	}
}

enum h1_hk
h1_kind_of(const char *name, size_t len)
{
	if (len == 0 || len > 31)
		return (H1H_OTHER);
	const unsigned char *slot = kind_idx[len][(uint8_t)name[0] & 31];
	for (int i = 0; i < 2 && slot[i] != 0; i++)
		if (ci_eq(name, len, known_hdrs[slot[i]].name, len))
			return ((enum h1_hk)slot[i]);
	return (H1H_OTHER);
}

/* What the framing headers of a head said, gathered in one pass. */
struct framing {
	const struct h1_hdr *host, *cl, *te;
	unsigned nhost, ncl, nte;
	unsigned close : 1, keepalive : 1, expect_bad : 1, expect_100 : 1;
};

/* Gather the framing headers of hdrs[0..n). */
static void
framing_scan(const struct h1_hdr *hdrs, unsigned n, struct framing *fr)
{
	const struct h1_hdr *h;
	unsigned i;

	memset(fr, 0, sizeof *fr);
	for (i = 0; i < n; i++) {
		h = &hdrs[i];
		switch (h->kind) {
		case H1H_HOST:
			fr->host = h;
			fr->nhost++;
			break;
		case H1H_CONTENT_LENGTH:
			fr->cl = h;
			fr->ncl++;
			break;
		case H1H_TRANSFER_ENCODING:
			fr->te = h;
			fr->nte++;
			break;
		case H1H_EXPECT:
			if (CI_EQ(h->value, h->value_len, "100-continue"))
				fr->expect_100 = 1;
			else
				fr->expect_bad = 1;
			break;
		case H1H_CONNECTION:
			if (list_has(h->value, h->value_len, "close", 5))
				fr->close = 1;
			if (list_has(h->value, h->value_len, "keep-alive", 10))
				fr->keepalive = 1;
			break;
		default: break;
		}
	}
}

/*
 * A request's Transfer-Encoding value: exactly "chunked" is 0; a list of
 * codings we know, ending in a single chunked, is -501 (valid HTTP we do
 * not implement); anything else, chunked twice or not last included, -400.
 */
static int
req_te(const char *v, size_t len)
{
	size_t i = 0, s, e;
	int chunked = 0, n = 0;

	if (CI_EQ(v, len, "chunked"))
		return (0);
	while (i <= len) {
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i++;
		while (s < e && (v[s] == ' ' || v[s] == '\t'))
			s++;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (chunked)
			return (-400); /* something after chunked */
		if (CI_EQ(v + s, e - s, "chunked"))
			chunked = 1;
		else if (!CI_EQ(v + s, e - s, "gzip") &&
			 !CI_EQ(v + s, e - s, "deflate") &&
			 !CI_EQ(v + s, e - s, "compress"))
			return (-400); /* unknown, empty or with parameters */
		n++;
	}
	return (chunked && n > 1 ? -501 : -400);
}

/* Parse and classify the request-target once the method is known. */
static int
req_target(struct h1_req *req)
{
	const char *t = req->target, *a;
	size_t tl = req->target_len, al, skip;

	if (t[0] == '/') {
		if (req->meth == H1M_CONNECT)
			return (-400);
		req->path = t;
		req->path_len = tl;
		return (0);
	}
	if (tl == 1 && t[0] == '*') {
		if (req->meth != H1M_OPTIONS)
			return (-400);
		req->path = t;
		req->path_len = 1;
		return (0);
	}
	if (req->meth == H1M_CONNECT) {
		/* authority-form: host ":" port and nothing else */
		if (!authority_ok(t, tl, 1))
			return (-400);
		req->host = t;
		req->host_len = tl;
		req->path = t;
		req->path_len = tl;
		return (0);
	}
	if (tl > 7 && CI_EQ(t, 7, "http://"))
		skip = 7;
	else if (tl > 8 && CI_EQ(t, 8, "https://"))
		skip = 8;
	else
		return (-400);
	a = t + skip;
	for (al = 0; skip + al < tl && a[al] != '/'; al++)
		/* A query or fragment right after the authority leaves no
		 * path to forward (we cannot insert the "/" in place). */
		if (a[al] == '?' || a[al] == '#' || a[al] == '@')
			return (-400);
	if (!authority_ok(a, al, 0))
		return (-400);
	req->host = a;
	req->host_len = al;
	if (skip + al == tl) {
		req->path = slash;
		req->path_len = 1;
	} else {
		req->path = a + al;
		req->path_len = tl - skip - al;
	}
	return (0);
}

/* The request semantics that need the whole head: Host, framing, Expect. */
static int
req_fields(struct h1_req *req, const struct h1_limits *lim)
{
	struct framing fr;
	int r;

	framing_scan(req->hdrs, req->nhdrs, &fr);
	if (fr.nhost > 1 || (fr.nhost == 0 && req->minor == 1))
		return (-400);
	/* An empty Host is valid when the target has no authority. */
	if (fr.host != NULL && fr.host->value_len > 0 &&
	    !authority_ok(fr.host->value, fr.host->value_len, 0))
		return (-400);
	if (fr.host != NULL && req->host == NULL) {
		req->host = fr.host->value;
		req->host_len = fr.host->value_len;
	}
	req->body = H1B_NONE;
	req->content_length = 0;
	if (fr.nte > 0) {
		/* RFC 9112 §6.1: TE with CL, or in HTTP/1.0, is smuggling. */
		if (fr.ncl > 0 || req->minor == 0 || fr.nte > 1)
			return (-400);
		if ((r = req_te(fr.te->value, fr.te->value_len)) != 0)
			return (r);
		req->body = H1B_CHUNKED;
	} else if (fr.ncl > 0) {
		if (fr.ncl > 1 || parse_cl(fr.cl->value, fr.cl->value_len,
					   &req->content_length) != 0)
			return (-400);
		if (lim->max_body != 0 && req->content_length > lim->max_body)
			return (-413);
		req->body = H1B_LENGTH;
	}
	if (fr.expect_bad)
		return (-417);
	/* RFC 9110 §10.1.1: ignore 100-continue from an HTTP/1.0 client. */
	req->expect_continue = fr.expect_100 && req->minor == 1;
	req->keep_alive = !fr.close && (req->minor == 1 || fr.keepalive);
	return (0);
}

/*
 * Limits on a request line starting at rl, seen up to byte i (before its
 * CR). A line too long for the whole head is -414 as well: one code for
 * the request line, whichever limit is lower, keeps the verdict on a prefix
 * equal to the verdict on the whole line.
 */
static int
rl_over(const struct head *h, const struct h1_limits *lim, size_t rl, size_t i)
{
	return (i - rl > lim->max_req_line || i > h->max_head ? -414 : 0);
}

/* Parse a request head; see http1.h. */
int
h1_parse_request(const char *buf, size_t len, const struct h1_limits *lim,
		 struct h1_req *req, struct h1_hdr *hdrs, unsigned max_hdrs)
{
	struct head h;
	const uint8_t *b = (const uint8_t *)buf;
	static const char http[] = "HTTP/";
	size_t i = 0, rl, ts, vs;
	unsigned k;
	int r, e;

	AN(buf != NULL || len == 0);
	AN(lim);
	AN(req);
	AN(hdrs != NULL || max_hdrs == 0);
	head_init(&h, buf, len, lim, hdrs, max_hdrs, -400, -431);

	/* RFC 9112 §2.2: skip a few empty lines a client left behind. */
	for (k = 0;; k++) {
		if (i >= len)
			return (0);
		if (b[i] != '\r')
			break;
		if (k == MAX_EMPTY_LINES)
			return (-400);
		if (i + 1 >= len)
			return (0);
		if (b[i + 1] != '\n')
			return (-400);
		i += 2;
	}
	rl = i;

	/* method SP */
	while (i < len && IS(b[i], C_T))
		i++;
	if ((r = rl_over(&h, lim, rl, i)) != 0)
		return (r);
	if (i == len)
		return (0);
	if (i == rl || b[i] != ' ')
		return (-400);
	ts = ++i;

	/* request-target SP */
	while (i < len && IS(b[i], C_U))
		i++;
	if (i - ts > lim->max_url)
		return (-414);
	if ((r = rl_over(&h, lim, rl, i)) != 0)
		return (r);
	if (i == len)
		return (0);
	if (i == ts || b[i] != ' ')
		return (-400);
	vs = ++i;

	/* "HTTP/" DIGIT "." DIGIT CRLF */
	for (k = 0; k < 8; k++, i++) {
		if ((r = rl_over(&h, lim, rl, i)) != 0 || i == len)
			return (r);
		if (k < 5    ? b[i] != (uint8_t)http[k]
		    : k == 6 ? b[i] != '.'
			     : (unsigned)b[i] - '0' > 9)
			return (-400);
	}
	if ((r = rl_over(&h, lim, rl, i)) != 0)
		return (r);
	if (i == len)
		return (0);
	if (b[i] != '\r')
		return (-400);
	if (i + 1 == len)
		return (0);
	if (b[i + 1] != '\n')
		return (-400);
	if (b[vs + 5] != '1' || b[vs + 7] > '1')
		return (-505);

	memset(req, 0, sizeof *req);
	req->method = buf + rl;
	req->method_len = ts - 1 - rl;
	req->meth = h1_method_of(req->method, req->method_len);
	req->target = buf + ts;
	req->target_len = vs - 1 - ts;
	req->minor = b[vs + 7] - '0';
	req->hdrs = hdrs;
	if ((r = req_target(req)) != 0)
		return (r);

	if ((r = parse_fields(&h, i + 2)) <= 0)
		return (r);
	req->nhdrs = h.n;
	req->seen = h.seen & ~1u; /* not H1H_OTHER's bit */
	if ((e = req_fields(req, lim)) != 0)
		return (e);
	return (r);
}

/* Parse a response head; see http1.h. */
int
h1_parse_response(const char *buf, size_t len, const struct h1_limits *lim,
		  int head_req, struct h1_resp *resp, struct h1_hdr *hdrs,
		  unsigned max_hdrs)
{
	struct head h;
	struct framing fr;
	const uint8_t *b = (const uint8_t *)buf;
	static const char http[] = "HTTP/1.";
	size_t i, rs;
	int r, status;

	AN(buf != NULL || len == 0);
	AN(lim);
	AN(resp);
	AN(hdrs != NULL || max_hdrs == 0);
	head_init(&h, buf, len, lim, hdrs, max_hdrs, -502, -502);

	/* "HTTP/1." ("0" / "1") SP 3DIGIT */
	for (i = 0; i < 12; i++) {
		if (i == len)
			return (0);
		if (i < 7    ? b[i] != (uint8_t)http[i]
		    : i == 7 ? b[i] != '0' && b[i] != '1'
		    : i == 8 ? b[i] != ' '
		    : i == 9 ? (unsigned)b[i] - '1' > 8
			     : (unsigned)b[i] - '0' > 9)
			return (-502);
	}
	/* [SP reason] CRLF: the reason is free text minus CTLs. */
	if (i == len)
		return (0);
	if (b[i] == ' ') {
		i++;
		rs = i;
		while (i < len && IS(b[i], C_V))
			i++;
	} else
		rs = i;
	if (i > h.max_head)
		return (-502);
	if (i == len)
		return (0);
	if (b[i] != '\r')
		return (-502);
	if (i + 1 == len)
		return (0);
	if (b[i + 1] != '\n')
		return (-502);

	status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	memset(resp, 0, sizeof *resp);
	resp->minor = b[7] - '0';
	resp->status = status;
	resp->reason = buf + rs;
	resp->reason_len = i - rs;
	resp->hdrs = hdrs;
	if ((r = parse_fields(&h, i + 2)) <= 0)
		return (r);
	resp->nhdrs = h.n;

	/* RFC 9112 §6.3, in order. */
	framing_scan(hdrs, h.n, &fr);
	resp->keep_alive = !fr.close && (resp->minor == 1 || fr.keepalive);
	if (head_req || status < 200 || status == 204 || status == 304) {
		resp->body = H1B_NONE;
	} else if (fr.nte > 0) {
		if (fr.ncl > 0 || fr.nte > 1 || resp->minor == 0 ||
		    !CI_EQ(fr.te->value, fr.te->value_len, "chunked"))
			return (-502);
		resp->body = H1B_CHUNKED;
	} else if (fr.ncl > 0) {
		if (fr.ncl > 1 || parse_cl(fr.cl->value, fr.cl->value_len,
					   &resp->content_length) != 0)
			return (-502);
		resp->body = H1B_LENGTH;
	} else {
		resp->body = H1B_EOF;
		resp->keep_alive = 0;
	}
	return (r);
}

/* --- chunked bodies --- */

/* Decoder states; 0 is the start so a zeroed struct is initialized. */
enum {
	CS_SIZE0 = 0, /* first hex digit of a chunk-size */
	CS_SIZE,      /* more hex digits, BWS, ';' or CR */
	CS_BWS,       /* whitespace after the size: more, or ';' */
	CS_EXT,       /* chunk extensions up to CR */
	CS_SIZE_LF,   /* LF ending the size line */
	CS_DATA,      /* c->remaining data bytes */
	CS_DATA_CR,   /* CR after the data */
	CS_DATA_LF,   /* LF after the data */
	CS_TR_START,  /* start of a trailer line, or CR of the last one */
	CS_TR_NAME,   /* trailer field name up to ':' */
	CS_TR_VALUE,  /* trailer field value up to CR */
	CS_TR_LF,     /* LF ending a trailer field line */
	CS_END_LF,    /* LF ending the body */
	CS_ERROR,     /* an error was returned */
	CS_DONE,      /* the caller must not call again */
};

/* Start decoding a new chunked body. */
void
h1_chunk_init(struct h1_chunk *c)
{
	AN(c);
	memset(c, 0, sizeof *c);
	c->state = CS_SIZE0;
}

/* Value of a hex digit the class table accepted. */
static inline unsigned
hexval(uint8_t ch)
{
	return (ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
}

/* Decode from in[0..len); see http1.h. */
int
h1_chunk_next(struct h1_chunk *c, const char *in, size_t len, size_t *n)
{
	const uint8_t *b = (const uint8_t *)in;
	size_t i, k;
	uint8_t ch;

	AN(c);
	AN(in);
	AN(n);
	assert_acc(len > 0);
	assert_acc(c->state >= CS_SIZE0 && c->state < CS_DONE);

	*n = 0;
	if (c->state == CS_ERROR)
		return (H1C_ERROR);
	if (c->state == CS_DATA) {
		k = c->remaining < len ? (size_t)c->remaining : len;
		c->remaining -= k;
		c->total += k;
		if (c->remaining == 0)
			c->state = CS_DATA_CR;
		*n = k;
		return (H1C_DATA);
	}
	for (i = 0; i < len; i++) {
		ch = b[i];
		switch (c->state) {
		case CS_SIZE0:
			if (!IS(ch, C_X))
				goto bad;
			c->remaining = hexval(ch);
			c->line = 1;
			c->state = CS_SIZE;
			break;
		case CS_SIZE:
			if (IS(ch, C_X)) {
				/* The line counts only digits so far. */
				if (c->line >= CHUNK_HEX_MAX ||
				    c->remaining > CHUNK_SIZE_MAX >> 4)
					goto bad;
				c->remaining = c->remaining << 4 | hexval(ch);
				if (c->remaining > CHUNK_SIZE_MAX)
					goto bad;
			} else if (ch == ';')
				c->state = CS_EXT;
			else if (ch == ' ' || ch == '\t')
				c->state = CS_BWS;
			else if (ch == '\r') {
				c->state = CS_SIZE_LF;
				break;
			} else
				goto bad;
			c->line++;
			break;
		case CS_BWS:
			if (ch == ';')
				c->state = CS_EXT;
			else if (ch != ' ' && ch != '\t')
				goto bad;
			if (++c->line > CHUNK_LINE_MAX)
				goto bad;
			break;
		case CS_EXT:
			if (ch == '\r') {
				c->state = CS_SIZE_LF;
				break;
			}
			/* Any field-value byte: CR and LF cannot hide here. */
			if (!IS(ch, C_V) || ++c->line > CHUNK_LINE_MAX)
				goto bad;
			break;
		case CS_SIZE_LF:
			if (ch != '\n')
				goto bad;
			c->line = 0;
			if (c->remaining == 0) {
				c->state = CS_TR_START;
				break;
			}
			c->state = CS_DATA;
			*n = i + 1;
			return (H1C_SKIP);
		case CS_DATA_CR:
			if (ch != '\r')
				goto bad;
			c->state = CS_DATA_LF;
			break;
		case CS_DATA_LF:
			if (ch != '\n')
				goto bad;
			c->state = CS_SIZE0;
			break;
		case CS_TR_START:
			if (++c->trailer > CHUNK_TRAILER_MAX)
				goto bad;
			if (ch == '\r')
				c->state = CS_END_LF;
			else if (IS(ch, C_T)) {
				c->state = CS_TR_NAME;
				c->line = 1;
			} else /* obs-fold, bare LF, junk */
				goto bad;
			break;
		case CS_TR_NAME:
		case CS_TR_VALUE:
			if (++c->trailer > CHUNK_TRAILER_MAX)
				goto bad;
			if (c->state == CS_TR_NAME && ch == ':')
				c->state = CS_TR_VALUE;
			else if (c->state == CS_TR_VALUE && ch == '\r') {
				c->state = CS_TR_LF;
				break;
			} else if (!IS(ch, c->state == CS_TR_NAME ? C_T : C_V))
				goto bad;
			if (++c->line > CHUNK_LINE_MAX)
				goto bad;
			break;
		case CS_TR_LF:
			if (++c->trailer > CHUNK_TRAILER_MAX || ch != '\n')
				goto bad;
			c->line = 0;
			c->state = CS_TR_START;
			break;
		case CS_END_LF:
			if (ch != '\n')
				goto bad;
			c->state = CS_DONE;
			*n = i + 1;
			return (H1C_DONE);
		default: WRONG("chunk state");
		}
	}
	*n = len;
	return (H1C_SKIP);
bad:
	/* Sticky: the stream is unusable from here on. */
	c->state = CS_ERROR;
	return (H1C_ERROR);
}

/* --- helpers --- */

/* Compare a header name with a NUL-terminated name, ignoring case. */
int
h1_name_eq_n(const struct h1_hdr *h, const char *name, size_t len)
{
	AN(h);
	AN(name);
	if (h->name_len != len)
		return (0);
	for (size_t i = 0; i < len; i++)
		if (lc((uint8_t)h->name[i]) != lc((uint8_t)name[i]))
			return (0);
	return (1);
}

/* First header with that name. */
const struct h1_hdr *
h1_find_n(const struct h1_hdr *hdrs, unsigned n, const char *name, size_t len)
{
	unsigned i;

	AN(hdrs != NULL || n == 0);
	for (i = 0; i < n; i++)
		if (hdrs[i].name_len == len && h1_name_eq_n(&hdrs[i], name, len))
			return (&hdrs[i]);
	return (NULL);
}

/* Token membership in a comma-separated list. */
int
h1_list_has(const char *v, size_t len, const char *tok)
{
	AN(v != NULL || len == 0);
	AN(tok);
	return (list_has(v, len, tok, strlen(tok)));
}

int
h1_conn_names(const struct h1_hdr *hdrs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (hdrs[i].kind != H1H_CONNECTION)
			continue;
		const char *v = hdrs[i].value, *e = v + hdrs[i].value_len;
		while (v < e) {
			const char *t;
			while (v < e && (*v == ',' || *v == ' ' || *v == '\t'))
				v++;
			t = v;
			while (v < e && *v != ',' && *v != ' ' && *v != '\t')
				v++;
			if (v > t && !CI_EQ(t, (size_t)(v - t), "close") &&
			    !CI_EQ(t, (size_t)(v - t), "keep-alive"))
				return (1);
		}
	}
	return (0);
}

int
h1_kind_hop(enum h1_hk kind)
{
	return (kind < H1H__MAX && known_hdrs[kind].hop);
}

size_t
h1_hdrs_bytes(const struct h1_hdr *hdrs, unsigned n)
{
	size_t t = 0;
	for (unsigned i = 0; i < n; i++)
		t += hdrs[i].name_len + hdrs[i].value_len + 4;
	return (t);
}

/* First header of that kind. */
const struct h1_hdr *
h1_find_kind(const struct h1_hdr *hdrs, unsigned n, enum h1_hk kind)
{
	for (unsigned i = 0; i < n; i++)
		if (hdrs[i].kind == kind)
			return (&hdrs[i]);
	return (NULL);
}

/* Is h hop-by-hop, by name or by a Connection field of its message? */
int
h1_is_hop(const struct h1_hdr *h, const struct h1_hdr *hdrs, unsigned n)
{
	unsigned i;

	AN(h);
	AN(hdrs != NULL || n == 0);
	if (known_hdrs[h->kind].hop)
		return (1);
	for (i = 0; i < n; i++)
		if (hdrs[i].kind == H1H_CONNECTION &&
		    list_has(hdrs[i].value, hdrs[i].value_len, h->name,
			     h->name_len))
			return (1);
	return (0);
}

/* Method token to enum; methods are case-sensitive (RFC 9110 §9.1). */
enum h1_method
h1_method_of(const char *m, size_t len)
{
	static const struct {
		char name[8];
		size_t len;
		enum h1_method meth;
	} tab[] = {
	    {"GET", 3, H1M_GET},         {"HEAD", 4, H1M_HEAD},
	    {"POST", 4, H1M_POST},       {"PUT", 3, H1M_PUT},
	    {"DELETE", 6, H1M_DELETE},   {"OPTIONS", 7, H1M_OPTIONS},
	    {"PATCH", 5, H1M_PATCH},     {"TRACE", 5, H1M_TRACE},
	    {"CONNECT", 7, H1M_CONNECT}, {"PURGE", 5, H1M_PURGE},
	};
	unsigned i;

	AN(m != NULL || len == 0);
	for (i = 0; i < ARRAY_LEN(tab); i++)
		if (tab[i].len == len && memcmp(m, tab[i].name, len) == 0)
			return (tab[i].meth);
	return (H1M_OTHER);
}

/* Reason phrase (RFC 9110 §15) for a status code. */
const char *
h1_reason(int status)
{
	switch (status) {
	case 100: return ("Continue");
	case 101: return ("Switching Protocols");
	case 102: return ("Processing");
	case 103: return ("Early Hints");
	case 200: return ("OK");
	case 201: return ("Created");
	case 202: return ("Accepted");
	case 203: return ("Non-Authoritative Information");
	case 204: return ("No Content");
	case 205: return ("Reset Content");
	case 206: return ("Partial Content");
	case 207: return ("Multi-Status");
	case 208: return ("Already Reported");
	case 226: return ("IM Used");
	case 300: return ("Multiple Choices");
	case 301: return ("Moved Permanently");
	case 302: return ("Found");
	case 303: return ("See Other");
	case 304: return ("Not Modified");
	case 305: return ("Use Proxy");
	case 307: return ("Temporary Redirect");
	case 308: return ("Permanent Redirect");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 402: return ("Payment Required");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 406: return ("Not Acceptable");
	case 407: return ("Proxy Authentication Required");
	case 408: return ("Request Timeout");
	case 409: return ("Conflict");
	case 410: return ("Gone");
	case 411: return ("Length Required");
	case 412: return ("Precondition Failed");
	case 413: return ("Content Too Large");
	case 414: return ("URI Too Long");
	case 415: return ("Unsupported Media Type");
	case 416: return ("Range Not Satisfiable");
	case 417: return ("Expectation Failed");
	case 421: return ("Misdirected Request");
	case 422: return ("Unprocessable Content");
	case 423: return ("Locked");
	case 424: return ("Failed Dependency");
	case 425: return ("Too Early");
	case 426: return ("Upgrade Required");
	case 428: return ("Precondition Required");
	case 429: return ("Too Many Requests");
	case 431: return ("Request Header Fields Too Large");
	case 451: return ("Unavailable For Legal Reasons");
	case 500: return ("Internal Server Error");
	case 501: return ("Not Implemented");
	case 502: return ("Bad Gateway");
	case 503: return ("Service Unavailable");
	case 504: return ("Gateway Timeout");
	case 505: return ("HTTP Version Not Supported");
	case 506: return ("Variant Also Negotiates");
	case 507: return ("Insufficient Storage");
	case 508: return ("Loop Detected");
	case 511: return ("Network Authentication Required");
	default: return ("Unknown");
	}
}
