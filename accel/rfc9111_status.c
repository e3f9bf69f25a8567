/*
 * rfc9111_status.c: the Cache-Status response field (RFC 9211), one list
 * member per cache: an sf-item naming the cache, with parameters saying
 * what it did.
 */
#include "accel/rfc9111.h"

#include <inttypes.h>
#include <string.h>

#include "accel/common.h"
#include "accel/rfc9111_int.h"

static const char *const cs_fwd[] = {
#define X(n, t) t,
    RFC_CS_LIST(X)
#undef X
};

struct sbuf {
	char *b;
	size_t cap;
	size_t len;
	int over;
};

/* Append n bytes, keeping room for the NUL; sticky overflow. */
static void
sput(struct sbuf *s, const char *p, size_t n)
{
	if (s->over || s->cap - s->len <= n) {
		s->over = 1;
		return;
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
	s->b[s->len] = '\0';
}

/* Append a string. */
static void
sputs(struct sbuf *s, const char *p)
{
	sput(s, p, strlen(p));
}

/* sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" ) */
static int
sf_token(const char *p)
{
	size_t i;

	if (!rfc__alpha((uint8_t)p[0]) && p[0] != '*')
		return (0);
	for (i = 1; p[i] != '\0'; i++)
		if (!rfc__tchar((uint8_t)p[i]) && p[i] != ':' && p[i] != '/')
			return (0);
	return (1);
}

/* sf-string: DQUOTE, printable ASCII with '"' and '\' escaped, DQUOTE. */
static void
sput_str(struct sbuf *s, const char *p)
{
	char c;

	sput(s, "\"", 1);
	for (; *p != '\0'; p++) {
		c = *p;
		if (c == '"' || c == '\\')
			sput(s, "\\", 1);
		else if ((uint8_t)c < 0x20 || (uint8_t)c > 0x7e)
			c = '?';
		sput(s, &c, 1);
	}
	sput(s, "\"", 1);
}

/* token when it is one, else string */
static void
sput_tok_or_str(struct sbuf *s, const char *p)
{
	if (sf_token(p))
		sputs(s, p);
	else
		sput_str(s, p);
}

/* One Cache-Status member (RFC 9211 section 2). */
/* v in decimal into buf (at least 21 bytes), NUL-terminated; returns
 * buf. */
static const char *
fmt_i64(char *buf, int64_t v)
{
	char t[20];
	size_t n = 0, o = 0;
	/* In unsigned arithmetic: -INT64_MIN does not overflow. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		t[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		buf[o++] = '-';
	while (n > 0)
		buf[o++] = t[--n];
	buf[o] = '\0';
	return (buf);
}

int
rfc_cache_status_fmt(char *buf, size_t len, const char *name,
		     const struct rfc_cs *cs)
{
	struct sbuf s = {buf, len, 0, 0};
	char num[32];

	AN(buf);
	AN(name);
	AN(cs);
	assert_acc((unsigned)cs->cs_kind < ARRAY_LEN(cs_fwd));
	if (len == 0)
		return (-1);
	buf[0] = '\0';
	sput_tok_or_str(&s, name);
	if (cs->cs_kind == RFC_CS_HIT) {
		sputs(&s, "; hit");
	} else {
		sputs(&s, "; fwd=");
		sputs(&s, cs_fwd[cs->cs_kind]);
		if (cs->cs_fwd_status > 0) {
			sputs(&s, "; fwd-status=");
			sputs(&s, fmt_i64(num, cs->cs_fwd_status));
		}
		if (cs->cs_stored)
			sputs(&s, "; stored");
		if (cs->cs_collapsed)
			sputs(&s, "; collapsed");
	}
	if (cs->cs_has_ttl) {
		/* By hand: snprintf cost a tenth of a hit's instructions. */
		sputs(&s, "; ttl=");
		sputs(&s, fmt_i64(num, cs->cs_ttl));
	}
	if (cs->cs_key != NULL) {
		sputs(&s, "; key=");
		sput_str(&s, cs->cs_key);
	}
	if (cs->cs_detail != NULL) {
		sputs(&s, "; detail=");
		sput_tok_or_str(&s, cs->cs_detail);
	}
	if (s.over) {
		buf[0] = '\0';
		return (-1);
	}
	return ((int)s.len);
}
