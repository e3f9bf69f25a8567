/*
 * hx_client.c: the raw client: exact bytes out, strict response parsing
 * in, every wait bounded by a timeout.
 */
#include "tests/integration/hx_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define HX_DEFAULT_TIMEOUT_MS 5000

/* ------------------------------------------------------------------ */
/* Raw client                                                          */

static void
conn_release(void *p)
{
	struct hx_conn *c = p;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rbuf);
	c->rbuf = NULL;
}

struct hx_conn *
hx_try_connect(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1, err = 0;
	socklen_t el = sizeof(err);
	struct hx_conn *c;
	struct pollfd p;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (errno != EINPROGRESS) {
			close(fd);
			return NULL;
		}
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, HX_DEFAULT_TIMEOUT_MS) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
			close(fd);
			return NULL;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = hx_alloc(sizeof(*c));
	c->fd = fd;
	c->timeout_ms = HX_DEFAULT_TIMEOUT_MS;
	c->body_cap = 16u << 20;
	hx_defer(conn_release, c);
	return c;
}

struct hx_conn *
hx_connect_at(int port, const char *file, int line)
{
	struct hx_conn *c = hx_try_connect(port);

	if (c == NULL)
		hx_fail_at(file, line, "cannot connect to 127.0.0.1:%d: %s", port,
		    strerror(errno));
	return c;
}

void
hx_close(struct hx_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void
hx_shutdown_wr(struct hx_conn *c)
{
	shutdown(c->fd, SHUT_WR);
}

size_t
hx_pending(struct hx_conn *c)
{
	return c->rlen - c->roff;
}

static const char *all_origins(void);

/* Send with timeout; returns 0, or -1 with errno. */
static int
csend(struct hx_conn *c, const void *p, size_t n, int timeout_ms)
{
	const char *b = p;
	int64_t deadline = hx_now_ms() + timeout_ms;

	while (n > 0) {
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			deadline = hx_now_ms() + timeout_ms;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = { c->fd, POLLOUT, 0 };
			int r = poll(&pf, 1, remaining_ms(deadline));

			if (r == 0 && hx_now_ms() >= deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		return -1;
	}
	return 0;
}

void
hx_send_at(struct hx_conn *c, const void *p, size_t n, const char *file,
    int line)
{
	if (csend(c, p, n, c->timeout_ms) != 0) {
		int e = errno;

		hx_fail_at(file, line, "client send of %zu bytes failed: %s%s\n"
		    "first bytes: %s\n%s", n, strerror(e),
		    e == ETIMEDOUT ? " (accel stopped reading)" : "",
		    escape(p, n, 80), all_origins());
	}
}

void
hx_sendf_at(struct hx_conn *c, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = hx_vprintf(fmt, ap);
	va_end(ap);
	hx_send_at(c, s, strlen(s), file, line);
}

int
hx_send_maybe(struct hx_conn *c, const void *p, size_t n)
{
	return csend(c, p, n, c->timeout_ms);
}

int
hx_send_trickle(struct hx_conn *c, const char *s, size_t piece, int pause_ms)
{
	size_t n = strlen(s), off = 0;

	while (off < n) {
		size_t k = n - off < piece ? n - off : piece;

		if (off > 0)
			hx_sleep_ms(pause_ms);
		if (csend(c, s + off, k, c->timeout_ms) != 0)
			return -1;
		off += k;
	}
	return 0;
}

void
hx_send_pattern_at(struct hx_conn *c, uint64_t n, const char *file, int line)
{
	uint64_t k = 0;

	while (k < n) {
		size_t piece = n - k > HX_PAT_EXTRA ? HX_PAT_EXTRA : (size_t)(n - k);

		if (csend(c, hx_pattern_at(k), piece, c->timeout_ms) != 0) {
			int e = errno;

			hx_fail_at(file, line, "client: sending pattern body failed "
			    "after %" PRIu64 " of %" PRIu64 " bytes: %s%s\n%s", k, n,
			    strerror(e), e == ETIMEDOUT ?
			    " (accel stopped reading)" : "", all_origins());
		}
		k += piece;
	}
}

uint64_t
hx_send_pattern_partial_at(struct hx_conn *c, uint64_t off, uint64_t n,
    int stall_ms, const char *file, int line)
{
	while (off < n) {
		size_t piece = n - off > HX_PAT_EXTRA ? HX_PAT_EXTRA : (size_t)(n - off);
		ssize_t w = send(c->fd, hx_pattern_at(off), piece, MSG_NOSIGNAL);

		if (w > 0) {
			off += (uint64_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pf = { c->fd, POLLOUT, 0 };

			if (poll(&pf, 1, stall_ms) == 0)
				return off;
			continue;
		}
		hx_fail_at(file, line, "client: sending pattern body failed after "
		    "%" PRIu64 " of %" PRIu64 " bytes: %s", off, n, strerror(errno));
	}
	return off;
}

/* Read more bytes into c->rbuf. Returns >0 bytes read, 0 on EOF/reset,
 * -1 on timeout at deadline. */
static ssize_t
cfill(struct hx_conn *c, int64_t deadline)
{
	for (;;) {
		ssize_t r;
		struct pollfd pf = { c->fd, POLLIN, 0 };
		int pr;

		if (c->eof)
			return 0;
		if (c->roff == c->rlen)
			c->roff = c->rlen = 0;
		if (c->rcap - c->rlen < 65536) {
			if (c->roff > 0) {
				memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
				c->rlen -= c->roff;
				c->roff = 0;
			}
			if (c->rcap - c->rlen < 65536) {
				c->rcap = c->rcap ? c->rcap * 2 : HX_IOBUF;
				c->rbuf = xrealloc(c->rbuf, c->rcap);
			}
		}
		{
			size_t want = c->rcap - c->rlen;

			if (c->read_pause_ms > 0) {
				hx_sleep_ms(c->read_pause_ms);
				if (c->read_max > 0 && want > c->read_max)
					want = c->read_max;
			}
			r = recv(c->fd, c->rbuf + c->rlen, want, 0);
		}
		if (r > 0) {
			c->rlen += (size_t)r;
			return r;
		}
		if (r == 0) {
			c->eof = 1;
			return 0;
		}
		if (errno == ECONNRESET || errno == EPIPE) {
			c->eof = 1;
			c->reset = 1;
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR) {
			c->eof = 1;
			return 0;
		}
		pr = poll(&pf, 1, remaining_ms(deadline));
		if (pr == 0 && hx_now_ms() >= deadline)
			return -1;
	}
}

static const char *
conn_state(struct hx_conn *c)
{
	return hx_printf("%zu unparsed byte(s) buffered%s:\n%s", c->rlen - c->roff,
	    c->eof ? (c->reset ? ", connection reset" : ", connection closed") : "",
	    escape(c->rbuf ? c->rbuf + c->roff : "", c->rlen - c->roff, 600));
}

/* What every origin of the test saw, for failure messages. */
static const char *
all_origins(void)
{
	char *s = hx_strdup("");
	int i;

	for (i = 0; i < HX_MAX_ORIGINS; i++)
		if (origins[i] != NULL)
			s = hx_printf("%s%s", s, origin_describe(origins[i]));
	return s;
}

/* Parse a response head; returns NULL with *why on error. */
static struct hx_resp *
parse_resp_head(const char *h, size_t hl, const char **why)
{
	struct hx_resp *r = hx_alloc(sizeof(*r));
	const char *eol = memmem(h, hl, "\r\n", 2), *p;
	size_t i;

	r->head = hx_memdup(h, hl);
	r->head_len = hl;
	for (i = 0; i < hl; i++) {
		if (h[i] == '\n' && (i == 0 || h[i - 1] != '\r')) {
			*why = "bare LF in the response head";
			return NULL;
		}
		if (h[i] == '\r' && (i + 1 >= hl || h[i + 1] != '\n')) {
			*why = "bare CR in the response head";
			return NULL;
		}
	}
	if (eol == NULL || (size_t)(eol - h) < 12 || strncmp(h, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)h[7]) || h[8] != ' ' ||
	    !isdigit((unsigned char)h[9]) || !isdigit((unsigned char)h[10]) ||
	    !isdigit((unsigned char)h[11]) || (eol - h > 12 && h[12] != ' ')) {
		*why = "malformed status line";
		return NULL;
	}
	r->minor = h[7] - '0';
	r->status = atoi(h + 9);
	p = h + 12;
	if (p < eol)
		p++;
	r->reason = hx_memdup(p, (size_t)(eol - p));
	if (parse_fields(h, (size_t)(eol - h) + 2, hl, &r->hdrs, &r->nhdrs,
		hx_alloc, why) != 0)
		return NULL;
	return r;
}

static const char *
describe_resp(const struct hx_resp *r)
{
	if (r == NULL)
		return "(no response)";
	return hx_printf("%s(body %" PRIu64 " bytes%s)%s%s",
	    escape(r->head, r->head_len, 3000),
	    r->body.total, r->truncated ? ", truncated" : "",
	    r->body.len ? ":\n" : "",
	    r->body.len ? escape(r->body.buf, r->body.len, 400) : "");
}

struct hx_resp *
hx_recv_at(struct hx_conn *c, int flags, const char *file, int line)
{
	int64_t start = hx_now_ms(), deadline = start + c->timeout_ms;
	size_t scan = 0;
	char *end;
	struct hx_resp *r;
	const char *why = NULL;
	size_t hl;

	for (;;) {
		size_t avail = c->rlen - c->roff;

		if (avail >= 4) {
			size_t from = scan > 3 ? scan - 3 : 0;

			end = memmem(c->rbuf + c->roff + from, avail - from,
			    "\r\n\r\n", 4);
			if (end != NULL)
				break;
			scan = avail;
		}
		if (avail > (1u << 20))
			hx_fail_at(file, line, "response head over 1 MiB\n%s",
			    conn_state(c));
		ssize_t n = cfill(c, deadline);

		if (n < 0)
			hx_fail_at(file, line, "no complete response head within "
			    "%d ms; %s\n%s", c->timeout_ms, conn_state(c),
			    all_origins());
		if (n == 0)
			hx_fail_at(file, line, "connection closed before a complete "
			    "response head; %s\n%s", conn_state(c), all_origins());
	}
	hl = (size_t)(end - (c->rbuf + c->roff)) + 4;
	r = parse_resp_head(c->rbuf + c->roff, hl, &why);
	if (r == NULL)
		hx_fail_at(file, line, "bad response head from accel: %s\n%s", why,
		    escape(c->rbuf + c->roff, hl, 3000));
	c->roff += hl;
	r->elapsed_ms = hx_now_ms() - start;
	sink_init(&r->body, c->body_cap, !c->no_crc, &hx_defer(free, NULL)->ptr);
	/* framing */
	{
		const char *te = hx_resp_hdr_all(r, "Transfer-Encoding");
		const char *cl = hx_resp_hdr(r, "Content-Length");

		if ((flags & HX_HEAD) || r->status / 100 == 1 || r->status == 204 ||
		    r->status == 304) {
			/* no body */
		} else if (te != NULL) {
			const char *last = strrchr(te, ',');

			last = last ? last + 1 : te;
			while (*last == ' ')
				last++;
			if (ci_eq(last, "chunked"))
				r->chunked = 1;
			else
				r->close_delimited = 1;
			if (cl != NULL)
				hx_fail_at(file, line, "response with both "
				    "Transfer-Encoding and Content-Length:\n%s",
				    describe_resp(r));
		} else if (cl != NULL) {
			char *e;

			if (hx_resp_hdr_count(r, "Content-Length") != 1 ||
			    !isdigit((unsigned char)cl[0]))
				hx_fail_at(file, line, "bad Content-Length in "
				    "response:\n%s", describe_resp(r));
			r->cl = strtoull(cl, &e, 10);
			if (*e)
				hx_fail_at(file, line, "bad Content-Length in "
				    "response:\n%s", describe_resp(r));
			r->has_cl = 1;
		} else {
			r->close_delimited = 1;
		}
	}
	if (!(flags & HX_HEAD_ONLY))
		hx_recv_body_at(c, r, flags, file, line);
	return r;
}

void
hx_recv_body_at(struct hx_conn *c, struct hx_resp *r, int flags,
    const char *file, int line)
{
	int64_t deadline = hx_now_ms() + c->timeout_ms;

	if (r->chunked) {
		struct chunker ck;

		memset(&ck, 0, sizeof(ck));
		for (;;) {
			if (c->roff < c->rlen) {
				ssize_t used = chunker_feed(&ck, c->rbuf + c->roff,
				    c->rlen - c->roff, &r->body);

				if (used < 0)
					hx_fail_at(file, line, "bad chunked framing "
					    "from accel after %" PRIu64 " body bytes: "
					    "%s\n%s", r->body.total, ck.err,
					    conn_state(c));
				c->roff += (size_t)used;
				if (ck.st == CK_DONE) {
					r->trailer_bytes = ck.trailers;
					return;
				}
			}
			ssize_t n = cfill(c, deadline);

			if (n > 0) {
				deadline = hx_now_ms() + c->timeout_ms;
				continue;
			}
			if (n == 0 && (flags & HX_TRUNC_OK)) {
				r->truncated = 1;
				return;
			}
			hx_fail_at(file, line, "%s inside a chunked response body "
			    "after %" PRIu64 " bytes\n%s",
			    n < 0 ? "timeout" : "connection closed",
			    r->body.total, describe_resp(r));
		}
	} else if (r->has_cl || r->close_delimited) {
		for (;;) {
			size_t avail = c->rlen - c->roff;

			if (r->has_cl) {
				uint64_t left = r->cl - r->body.total;

				if (avail > left)
					avail = (size_t)left;
			}
			sink_add(&r->body, c->rbuf + c->roff, avail);
			c->roff += avail;
			if (r->has_cl && r->body.total == r->cl)
				return;
			ssize_t n = cfill(c, deadline);

			if (n > 0) {
				deadline = hx_now_ms() + c->timeout_ms;
				continue;
			}
			if (n == 0 && r->close_delimited)
				return;
			if (n == 0 && (flags & HX_TRUNC_OK)) {
				r->truncated = 1;
				return;
			}
			hx_fail_at(file, line, "%s after %" PRIu64 " of %s body "
			    "bytes\n%s", n < 0 ? "timeout" : "connection closed",
			    r->body.total,
			    r->has_cl ? hx_printf("%" PRIu64, r->cl) : "close-delimited",
			    describe_resp(r));
		}
	}
}

struct hx_resp *
hx_request_at(struct hx_conn *c, const char *s, size_t n, int flags,
    const char *file, int line)
{
	hx_send_at(c, s, n, file, line);
	return hx_recv_at(c, flags, file, line);
}

char *
hx_recv_until_close_at(struct hx_conn *c, size_t *len, const char *file,
    int line)
{
	int64_t deadline = hx_now_ms() + c->timeout_ms;
	char *out;

	for (;;) {
		ssize_t n = cfill(c, deadline);

		if (n > 0) {
			deadline = hx_now_ms() + c->timeout_ms;
			continue;
		}
		if (n == 0)
			break;
		hx_fail_at(file, line, "connection still open after %d ms "
		    "without data; %s", c->timeout_ms, conn_state(c));
	}
	out = hx_memdup(c->rbuf ? c->rbuf + c->roff : "", c->rlen - c->roff);
	if (len)
		*len = c->rlen - c->roff;
	c->roff = c->rlen;
	return out;
}

int
hx_wait_closed(struct hx_conn *c, int ms, char **got, size_t *gotlen)
{
	int64_t deadline = hx_now_ms() + ms;
	int closed = 0;

	for (;;) {
		ssize_t n = cfill(c, deadline);

		if (n == 0) {
			closed = 1;
			break;
		}
		if (n < 0)
			break;
	}
	/* every byte not consumed by a parse, including ones that were
	 * already buffered */
	if (got != NULL)
		*got = hx_memdup(c->rbuf ? c->rbuf + c->roff : "", c->rlen - c->roff);
	if (gotlen != NULL)
		*gotlen = c->rlen - c->roff;
	return closed;
}

void
hx_assert_closed_at(struct hx_conn *c, int ms, const char *file, int line)
{
	char *got;
	size_t n;
	int closed = hx_wait_closed(c, ms, &got, &n);

	if (n > 0)
		hx_fail_at(file, line, "expected the connection to close, but "
		    "%zu more byte(s) came:\n%s", n, escape(got, n, 1000));
	if (!closed)
		hx_fail_at(file, line, "connection still open %d ms later", ms);
}

void
hx_assert_quiet_at(struct hx_conn *c, int ms, const char *file, int line)
{
	struct pollfd pf = { c->fd, POLLIN | POLLRDHUP, 0 };
	int64_t deadline = hx_now_ms() + ms;

	if (c->rlen > c->roff)
		hx_fail_at(file, line, "unexpected bytes pending: %s", conn_state(c));
	while (hx_now_ms() < deadline) {
		int r = poll(&pf, 1, remaining_ms(deadline));

		if (r > 0) {
			cfill(c, hx_now_ms() + 10);
			hx_fail_at(file, line, "expected silence for %d ms, but "
			    "after %d ms: %s", ms, ms - remaining_ms(deadline),
			    conn_state(c));
		}
	}
}

char *
hx_recv_exact_at(struct hx_conn *c, size_t n, const char *file, int line)
{
	int64_t deadline = hx_now_ms() + c->timeout_ms;
	char *out;

	while (c->rlen - c->roff < n) {
		ssize_t r = cfill(c, deadline);

		if (r <= 0)
			hx_fail_at(file, line, "%s while waiting for %zu bytes; %s",
			    r < 0 ? "timeout" : "connection closed", n, conn_state(c));
	}
	out = hx_memdup(c->rbuf + c->roff, n);
	c->roff += n;
	return out;
}

const char *
hx_resp_hdr(const struct hx_resp *r, const char *name)
{
	return hdr_find(r->hdrs, r->nhdrs, name);
}

int
hx_resp_hdr_count(const struct hx_resp *r, const char *name)
{
	return hdr_count(r->hdrs, r->nhdrs, name);
}

const char *
hx_resp_hdr_all(const struct hx_resp *r, const char *name)
{
	return hdr_all(r->hdrs, r->nhdrs, name);
}

void
hx_assert_status_at(const struct hx_resp *r, int st, const char *file, int line)
{
	if (r == NULL || r->status != st)
		hx_fail_at(file, line, "want status %d, got %d; response:\n%s", st,
		    r ? r->status : -1, describe_resp(r));
}

void
hx_assert_hdr_at(const struct hx_resp *r, const char *name, const char *val,
    const char *file, int line)
{
	const char *v = hx_resp_hdr_all(r, name);

	if (val == NULL && v == NULL)
		return;
	if (val != NULL && v != NULL && strcmp(v, val) == 0)
		return;
	if (val == NULL)
		hx_fail_at(file, line, "response header %s must be absent; "
		    "response:\n%s", name, describe_resp(r));
	hx_fail_at(file, line, "response header %s: want \"%s\"; response:\n%s",
	    name, val, describe_resp(r));
}

void
hx_assert_conn_close_at(const struct hx_resp *r, const char *file, int line)
{
	if (!hx_list_has(hx_resp_hdr_all(r, "Connection"), "close"))
		hx_fail_at(file, line, "want Connection: close; response:\n%s",
		    describe_resp(r));
}

void
hx_assert_body_at(const struct hx_resp *r, const char *s, size_t n,
    const char *file, int line)
{
	if (r->body.total != n || r->body.len != n || memcmp(r->body.buf, s, n) != 0)
		hx_fail_at(file, line, "want body (%zu bytes):\n%s\ngot response:\n%s",
		    n, escape(s, n, 400), describe_resp(r));
}
