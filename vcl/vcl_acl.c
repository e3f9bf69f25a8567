/*
 * vcl_acl.c: VCL access lists. An ACL is a list of prefixes (IPv4 or IPv6,
 * with a length and a negation); the longest prefix that matches an
 * address decides, a negated one refusing (Varnish's rule). Names are
 * resolved when the entry is added (at load), each address an entry.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
 * gives for an IPv4 client) is matched as the IPv4 address it carries, so
 * "10.0.0.0"/8 covers such a client whichever socket it came in on.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vcl/vcl_assert.h"
#include "vcl/vcl_ir.h"

struct vcl_acl_ent {
	uint8_t family; /* 4 or 6 */
	uint8_t plen;	/* prefix length in bits */
	uint8_t negated;
	uint8_t addr[16]; /* network order, bits past plen cleared */
};

struct vcl_acl {
	unsigned magic;
#define VCL_ACL_MAGIC 0xac1ac1e5u
	char *name;
	struct vcl_acl_ent *ents;
	unsigned n, cap;
};

struct vcl_acl *
vcl_acl_new(const char *name)
{
	struct vcl_acl *acl = calloc(1, sizeof *acl);

	if (acl == NULL)
		return (NULL);
	acl->magic = VCL_ACL_MAGIC;
	acl->name = strdup(name != NULL ? name : "");
	if (acl->name == NULL) {
		free(acl);
		return (NULL);
	}
	return (acl);
}

void
vcl_acl_free(struct vcl_acl **aclp)
{
	struct vcl_acl *acl;

	VCL_AN(aclp);
	acl = *aclp;
	*aclp = NULL;
	if (acl == NULL)
		return;
	VCL_CHECK_OBJ(acl, VCL_ACL_MAGIC);
	free(acl->ents);
	free(acl->name);
	free(acl);
}

/* 1 if the first plen bits of a and b are equal. */
static int
acl_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned whole = plen / 8, rest = plen % 8;
	uint8_t m;

	if (memcmp(a, b, whole) != 0)
		return (0);
	if (rest == 0)
		return (1);
	m = (uint8_t)(0xff << (8 - rest));
	return ((a[whole] & m) == (b[whole] & m));
}

static int
acl_push(struct vcl_acl *acl, int family, const uint8_t *addr, unsigned plen,
    int negated)
{
	struct vcl_acl_ent *e;
	unsigned i, alen = family == 4 ? 4 : 16;

	if (acl->n == acl->cap) {
		unsigned cap = acl->cap ? 2 * acl->cap : 8;
		e = realloc(acl->ents, cap * sizeof *e);
		if (e == NULL)
			return (-1);
		acl->ents = e;
		acl->cap = cap;
	}
	e = &acl->ents[acl->n++];
	memset(e, 0, sizeof *e);
	e->family = (uint8_t)family;
	e->plen = (uint8_t)plen;
	e->negated = negated != 0;
	memcpy(e->addr, addr, alen);
	for (i = 0; i < alen * 8; i++)
		if (i >= plen)
			e->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return (0);
}

/* Add one resolved address with the entry's mask (-1: the whole one). */
static int
acl_add_sa(struct vcl_acl *acl, const struct sockaddr *sa, int prefixlen,
    int negated, const char *addr, char *err, size_t errlen)
{
	const uint8_t *p;
	int family, max;

	if (sa->sa_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)(const void *)
			sa)->sin_addr;
		family = 4;
		max = 32;
	} else if (sa->sa_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)
			sa)->sin6_addr;
		family = 6;
		max = 128;
	} else
		return (0);
	if (prefixlen > max) {
		snprintf(err, errlen, "mask /%d is too wide for the IPv%d "
		    "address \"%s\" (at most /%d)", prefixlen, family, addr,
		    max);
		return (-1);
	}
	if (acl_push(acl, family, p, prefixlen < 0 ? (unsigned)max
	    : (unsigned)prefixlen, negated) != 0) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	return (0);
}

int
vcl_acl_add(struct vcl_acl *acl, const char *addr, int prefixlen, int negated,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	VCL_CHECK_OBJ_NOTNULL(acl, VCL_ACL_MAGIC);
	VCL_AN(addr);
	if (prefixlen < -1 || prefixlen > 128) {
		snprintf(err, errlen, "mask /%d out of range for \"%s\"",
		    prefixlen, addr);
		return (-1);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(addr, NULL, &hints, &res);
	if (rc != 0) {
		hints.ai_flags = 0;
		rc = getaddrinfo(addr, NULL, &hints, &res);
	}
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "cannot resolve \"%s\": %s", addr,
		    rc != 0 ? gai_strerror(rc) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return (-2);
	}
	rc = 0;
	for (ai = res; ai != NULL && rc == 0; ai = ai->ai_next)
		rc = acl_add_sa(acl, ai->ai_addr, prefixlen, negated, addr,
		    err, errlen);
	freeaddrinfo(res);
	return (rc);
}

/* The IPv4 address an IPv4-mapped IPv6 one carries, or NULL. */
static const uint8_t *
acl_mapped4(const struct vcl_ip *ip)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	    0xff};

	if (ip->family == 6 && memcmp(ip->addr, pfx, sizeof pfx) == 0)
		return (ip->addr + 12);
	return (NULL);
}

int
vcl_acl_match(const struct vcl_acl *acl, const struct vcl_ip *ip)
{
	const struct vcl_acl_ent *e, *best = NULL;
	const uint8_t *a;
	unsigned i, family;

	VCL_CHECK_OBJ_NOTNULL(acl, VCL_ACL_MAGIC);
	if (ip == NULL)
		return (0);
	family = ip->family;
	a = ip->addr;
	if (acl_mapped4(ip) != NULL) {
		a = acl_mapped4(ip);
		family = 4;
	}
	for (i = 0; i < acl->n; i++) {
		e = &acl->ents[i];
		if (e->family != family || !acl_prefix_eq(e->addr, a, e->plen))
			continue;
		if (best == NULL || e->plen > best->plen)
			best = e;
	}
	return (best != NULL && !best->negated);
}
