/* sto_key.c: hash-input strings and the XXH3-128 keys made from them. */
#include "storage/sto_common.h"

#include <errno.h>
#include <string.h>

/* Header-only xxHash: no link dependency, and the hash inlines. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Length prefix of each hash input: 4 bytes, little-endian. */
#define STO_HASHIN_PFX 4

void (*sto_key_hash_hook)(struct sto_key *k, const void *hashin, size_t len);

void
sto_hashin_init(struct sto_hashin *h, void *buf, size_t cap)
{
	STO_AN(h);
	h->hi_buf = buf;
	h->hi_len = 0;
	h->hi_cap = buf != NULL ? cap : 0;
	h->hi_overflow = 0;
}

/* Length-prefixed, so input boundaries are part of what is hashed. */
int
sto_hashin_add(struct sto_hashin *h, const void *p, size_t len)
{
	uint8_t *d;

	STO_AN(h);
	if (h->hi_overflow || len > UINT32_MAX ||
	    h->hi_cap - h->hi_len < STO_HASHIN_PFX ||
	    h->hi_cap - h->hi_len - STO_HASHIN_PFX < len) {
		h->hi_overflow = 1;
		return (ENOSPC);
	}
	d = h->hi_buf + h->hi_len;
	d[0] = (uint8_t)len;
	d[1] = (uint8_t)(len >> 8);
	d[2] = (uint8_t)(len >> 16);
	d[3] = (uint8_t)(len >> 24);
	if (len > 0)
		memcpy(d + STO_HASHIN_PFX, p, len);
	h->hi_len += STO_HASHIN_PFX + len;
	return (0);
}

/* Walks a string that may come from disk: bounds checked, never trusted. */
int
sto_hashin_next(const void *hashin, size_t len, size_t *off, const void **pp,
		size_t *lenp)
{
	const uint8_t *s = hashin;
	size_t n;

	STO_AN(off);
	if (*off == len)
		return (STO_EOF);
	if (s == NULL || *off > len || len - *off < STO_HASHIN_PFX)
		return (EINVAL);
	s += *off;
	n = (size_t)s[0] | (size_t)s[1] << 8 | (size_t)s[2] << 16 |
	    (size_t)s[3] << 24;
	if (len - *off - STO_HASHIN_PFX < n)
		return (EINVAL);
	*pp = s + STO_HASHIN_PFX;
	*lenp = n;
	*off += STO_HASHIN_PFX + n;
	return (0);
}

void
sto_key_make(struct sto_key *k, const void *hashin, size_t len)
{
	XXH128_hash_t h;

	STO_AN(k);
	if (sto_key_hash_hook != NULL) {
		sto_key_hash_hook(k, hashin, len);
		return;
	}
	h = XXH3_128bits(hashin, len);
	k->hi = h.high64;
	k->lo = h.low64;
}

/* Canonical big-endian hex, as XXH128's canonical form prints. */
char *
sto_key_hex(const struct sto_key *k, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < 16; i++) {
		buf[i] = hex[(k->hi >> (60 - 4 * i)) & 0xf];
		buf[16 + i] = hex[(k->lo >> (60 - 4 * i)) & 0xf];
	}
	buf[32] = '\0';
	return (buf);
}
