/*
 * backend.c: the registry of origins. Every backend a loaded VCL program
 * declares (those generated from -b included) maps to one entry, found
 * by everything that makes it a different origin to talk to: its label,
 * address, Host fallback and settings. Entries are added by the main
 * thread (start, reload) and never removed, so a pointer to one is valid
 * until exit and its index names the per-worker connection pools.
 */
#include "accel/accel.h"

#include <netdb.h>
#include <string.h>

struct backend backends[MAX_BACKENDS];
unsigned nbackends;

int
be_spec(const char *spec, char *host, size_t hl, char *port, size_t pl,
    char *err, size_t errlen)
{
	const char *p;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - spec - 1) >= hl) {
			snprintf(err, errlen, "-b %s: expected [IPv6]:PORT", spec);
			return (-1);
		}
		snprintf(host, hl, "%.*s", (int)(rb - spec - 1), spec + 1);
		p = rb + 2;
	} else {
		const char *c = strrchr(spec, ':');
		if (c == NULL || (size_t)(c - spec) >= hl || c == spec) {
			snprintf(err, errlen, "-b %s: expected HOST:PORT", spec);
			return (-1);
		}
		snprintf(host, hl, "%.*s", (int)(c - spec), spec);
		p = c + 1;
	}
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    atoi(p) < 1 || atoi(p) > 65535 || strlen(p) >= pl) {
		snprintf(err, errlen, "-b %s: bad port", spec);
		return (-1);
	}
	snprintf(port, pl, "%s", p);
	/* The host goes into a generated VCL string: no quote, no control. */
	for (const char *h = host; *h != '\0'; h++)
		if (*h == '"' || (unsigned char)*h < 0x20 || *h == 0x7f) {
			snprintf(err, errlen, "-b %s: bad host", spec);
			return (-1);
		}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "-b %s: cannot resolve: %s", spec,
		    gai_strerror(rc));
		return (-1);
	}
	freeaddrinfo(res);
	return (0);
}

/* The first address of vb's .host and .port (80 when none). */
static int
be_resolve(const struct vcl_backend *vb, struct sockaddr_storage *ss,
    socklen_t *sl, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	const char *port = vb->port != NULL ? vb->port : "80";
	int rc = getaddrinfo(vb->host, port, &hints, &res);

	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "cannot resolve %s port %s: %s", vb->host,
		    port, gai_strerror(rc));
		return (-1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sl = res->ai_addrlen;
	freeaddrinfo(res);
	return (0);
}

int
be_check(const struct vcl_backend *vb, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return (be_resolve(vb, &ss, &sl, err, errlen));
}

static double
or_default(double v, double dflt)
{
	return (v > 0 ? v : dflt);
}

struct backend *
be_get(const struct vcl_backend *vb, const char *label, char *err,
    size_t errlen)
{
	struct backend want, *be;

	memset(&want, 0, sizeof want);
	if (be_resolve(vb, &want.addr, &want.addrlen, err, errlen) != 0)
		return (NULL);
	/* Host fallback: Varnish's rule, .host_header else .host. */
	snprintf(want.name, sizeof want.name, "%s",
	    vb->host_header != NULL ? vb->host_header : vb->host);
	snprintf(want.label, sizeof want.label, "%s", label);
	snprintf(want.host, sizeof want.host, "%s", vb->host);
	snprintf(want.port, sizeof want.port, "%s",
	    vb->port != NULL ? vb->port : "80");
	want.t_connect = or_default(vb->connect_timeout, prm.timeout_connect);
	want.t_first_byte = or_default(vb->first_byte_timeout,
	    prm.timeout_first_byte);
	want.t_between_bytes = or_default(vb->between_bytes_timeout,
	    prm.timeout_between_bytes);
	want.max_conn = vb->max_connections;
	for (unsigned i = 0; i < nbackends; i++) {
		be = &backends[i];
		if (be->addrlen == want.addrlen &&
		    memcmp(&be->addr, &want.addr, want.addrlen) == 0 &&
		    strcmp(be->name, want.name) == 0 &&
		    strcmp(be->label, want.label) == 0 &&
		    strcmp(be->host, want.host) == 0 &&
		    strcmp(be->port, want.port) == 0 &&
		    be->t_connect == want.t_connect &&
		    be->t_first_byte == want.t_first_byte &&
		    be->t_between_bytes == want.t_between_bytes &&
		    be->max_conn == want.max_conn)
			return (be);
	}
	if (nbackends >= MAX_BACKENDS) {
		snprintf(err, errlen, "too many distinct backends since start "
		    "(at most %d): restart accel", MAX_BACKENDS);
		return (NULL);
	}
	be = &backends[nbackends];
	*be = want;
	be->magic = BACKEND_MAGIC;
	be->idx = nbackends;
	atomic_init(&be->nconn, 0);
	atomic_init(&be->sick_until_us, 0);
	nbackends++;
	return (be);
}

static int64_t
now_us(void)
{
	return ((int64_t)(now_mono() * 1e6));
}

int
be_sick(const struct backend *be)
{
	return (atomic_load_explicit(&be->sick_until_us,
	    memory_order_relaxed) > now_us());
}

void
be_mark_sick(struct backend *be)
{
	atomic_store_explicit(&be->sick_until_us, now_us() + 1000000,
	    memory_order_relaxed);
}

int
be_acquire(struct backend *be)
{
	if (be->max_conn == 0)
		return (0);
	if (atomic_fetch_add_explicit(&be->nconn, 1, memory_order_relaxed) >=
	    be->max_conn) {
		atomic_fetch_sub_explicit(&be->nconn, 1, memory_order_relaxed);
		return (-1);
	}
	return (0);
}

void
be_release(struct backend **bep)
{
	struct backend *be = *bep;

	*bep = NULL;
	if (be != NULL && be->max_conn > 0)
		atomic_fetch_sub_explicit(&be->nconn, 1, memory_order_relaxed);
}
