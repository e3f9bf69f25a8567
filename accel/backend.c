/* backend.c: origins from -b, parsed and resolved once at start-up. */
#include "accel/accel.h"

#include <netdb.h>
#include <string.h>

struct backend backends[MAX_BACKENDS];
unsigned nbackends;

int
be_add(const char *spec, char *err, size_t errlen)
{
	char host[256];
	const char *port;

	if (nbackends >= MAX_BACKENDS) {
		snprintf(err, errlen, "-b %s: too many backends (max %d)", spec,
		    MAX_BACKENDS);
		return (-1);
	}
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof host) {
			snprintf(err, errlen, "-b %s: expected [IPv6]:PORT", spec);
			return (-1);
		}
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = '\0';
		port = rb + 2;
	} else {
		const char *c = strrchr(spec, ':');
		if (c == NULL || (size_t)(c - spec) >= sizeof host || c == spec) {
			snprintf(err, errlen, "-b %s: expected HOST:PORT", spec);
			return (-1);
		}
		memcpy(host, spec, (size_t)(c - spec));
		host[c - spec] = '\0';
		port = c + 1;
	}
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atoi(port) < 1 || atoi(port) > 65535) {
		snprintf(err, errlen, "-b %s: bad port", spec);
		return (-1);
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "-b %s: cannot resolve: %s", spec,
		    gai_strerror(rc));
		return (-1);
	}
	struct backend *be = &backends[nbackends];
	memset(be, 0, sizeof *be);
	be->magic = BACKEND_MAGIC;
	be->idx = nbackends;
	snprintf(be->name, sizeof be->name, "%s", spec);
	memcpy(&be->addr, res->ai_addr, res->ai_addrlen);
	be->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	nbackends++;
	return (0);
}
