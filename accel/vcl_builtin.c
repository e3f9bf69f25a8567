/*
 * vcl_builtin.c: the built-in VCL as accel loads it. builtin.vcl's
 * accel_purge ACL holds -p purge_acl's default; accel writes the
 * parameter's value in its place before loading (so the built-in
 * vcl_recv's PURGE rule follows -p purge_acl, and no C code checks it a
 * second time: a VCL of yours that returns purge from its own ACL check
 * purges).
 *
 * The text is made once per load, on the heap, and freed when the load
 * returns (the program keeps nothing of it but what the parser copied).
 */
#include "accel/accel.h"
#include "accel/vcl_host.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* One "ADDR[/BITS]" of purge_acl as an ACL entry line into out (room
 * for it: at least 96 bytes). Its length, or -1 with a message. */
static int
acl_entry(const char *cidr, size_t len, char *out, char *err, size_t errlen)
{
	char a[64];
	uint8_t bin[16];
	const char *slash = memchr(cidr, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - cidr) : len;
	long bits = -1, max;
	char *end;

	if (alen == 0 || alen >= sizeof a) {
		snprintf(err, errlen, "-p purge_acl: bad address '%.*s'",
		    (int)len, cidr);
		return (-1);
	}
	memcpy(a, cidr, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, bin) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, a, bin) == 1)
		max = 128;
	else {
		snprintf(err, errlen, "-p purge_acl: bad address '%s'", a);
		return (-1);
	}
	if (slash != NULL) {
		char b[8];
		size_t blen = len - alen - 1;
		if (blen == 0 || blen >= sizeof b)
			goto bad_prefix;
		memcpy(b, slash + 1, blen);
		b[blen] = '\0';
		bits = strtol(b, &end, 10);
		if (*end != '\0' || bits < 0 || bits > max)
			goto bad_prefix;
		return (snprintf(out, 96, "\t\"%s\"/%ld;\n", a, bits));
	}
	return (snprintf(out, 96, "\t\"%s\";\n", a));
bad_prefix:
	snprintf(err, errlen, "-p purge_acl: bad prefix '%.*s'",
	    (int)(len - alen), slash);
	return (-1);
}

/*
 * builtin.vcl with the body of "acl accel_purge { ... }" made from
 * purge_acl ("CIDR,CIDR,..."): a NUL-terminated heap string (the
 * caller frees it) and its length, or NULL with a message in err.
 */
char *
acc_vcl_builtin_text(const char *purge_acl, size_t *lenp, char *err,
    size_t errlen)
{
	static const char head[] = "acl accel_purge {\n";
	const char *b = vcl_builtin_text, *p, *q;
	size_t n = strlen(purge_acl), cap, o;
	char *t;

	p = strstr(b, head);
	if (p == NULL || (q = strstr(p, "\n}\n")) == NULL) {
		snprintf(err, errlen, "builtin.vcl has no accel_purge ACL");
		return (NULL);
	}
	p += sizeof head - 1;
	q += 1; /* the closing brace */
	/* Each entry becomes at most 96 bytes, and there are at most n. */
	cap = vcl_builtin_len + 96 * (n + 1) + 1;
	if ((t = malloc(cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	o = (size_t)(p - b);
	memcpy(t, b, o);
	for (const char *s = purge_acl; *s != '\0';) {
		size_t l = strcspn(s, ",");
		int k;
		if (l > 0) {
			k = acl_entry(s, l, t + o, err, errlen);
			if (k < 0) {
				free(t);
				return (NULL);
			}
			o += (size_t)k;
		}
		s += l + (s[l] == ',');
	}
	memcpy(t + o, q, vcl_builtin_len - (size_t)(q - b));
	o += vcl_builtin_len - (size_t)(q - b);
	t[o] = '\0';
	*lenp = o;
	return (t);
}

struct vcl_prog *
acc_vcl_load(const char *file, const char *name, const char *src,
    size_t srclen, struct vcl_diag *d, char *err, size_t errlen)
{
	struct vcl_prog *p;
	size_t len;
	char *t = acc_vcl_builtin_text(prm.purge_acl, &len, err, errlen);

	if (t == NULL)
		return (NULL);
	p = vcl_load_builtin(file, name, src, srclen, t, len, &acc_vcl_ops, d);
	free(t);
	return (p);
}
