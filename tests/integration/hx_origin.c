/*
 * hx_origin.c: the scripted origin: accept thread, one thread per
 * connection, each request recorded and answered by the next queued
 * action.
 */
#include "tests/integration/hx_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Scripted origin                                                     */

struct oconn {
	struct hx_origin_priv *op;
	int fd;
	int index;
	pthread_t thr;
	int started;
};

struct hx_origin_priv {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int lfd;
	int stop_pipe[2];
	int stopping;
	pthread_t accept_thr;
	struct hx_origin_opts opts;
	struct hx_action *q;
	int qlen, qcap, qhead;
	struct hx_action dflt;
	struct hx_req **reqs;
	int nreqs, reqcap;
	int ncomplete;
	int nheads;
	int nconn;
	int open_conns;
	uint64_t bytes;
	uint64_t bytes_sent;
	struct oconn **conns;
	int nconns_arr, conns_cap;
	char errors[4096];
	size_t errlen;
	int stopped;
};

struct hx_origin *origins[HX_MAX_ORIGINS];

static void
origin_err(struct hx_origin_priv *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
origin_err(struct hx_origin_priv *op, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&op->mu);
	if (op->errlen + 2 < sizeof(op->errors)) {
		int n;

		va_start(ap, fmt);
		n = vsnprintf(op->errors + op->errlen,
		    sizeof(op->errors) - op->errlen - 1, fmt, ap);
		va_end(ap);
		if (n > 0) {
			op->errlen += (size_t)n;
			if (op->errlen > sizeof(op->errors) - 2)
				op->errlen = sizeof(op->errors) - 2;
			op->errors[op->errlen++] = '\n';
			op->errors[op->errlen] = 0;
		}
	}
	pthread_mutex_unlock(&op->mu);
}

static void *
mmalloc(size_t n)
{
	return xmalloc(n);
}

static struct hx_action
action_copy(struct hx_action a)
{
	if (a.raw != NULL) {
		size_t n = a.raw_len ? a.raw_len : strlen(a.raw);
		char *p = xmalloc(n + 1);

		memcpy(p, a.raw, n);
		p[n] = 0;
		a.raw = p;
		a.raw_len = n;
	}
	return a;
}

static void
req_free(struct hx_req *q)
{
	int i;

	if (q == NULL)
		return;
	for (i = 0; i < q->nhdrs; i++) {
		free(q->hdrs[i].name);
		free(q->hdrs[i].value);
	}
	free(q->hdrs);
	free(q->head);
	free(q->method);
	free(q->target);
	free(q->version);
	free(q->raw_body);
	free(q->body.buf);
	free(q->error);
	free(q);
}

/* Wait for fd events or stop; returns revents of fd, 0 on timeout, -1
 * when stopping. */
static int
owait(struct hx_origin_priv *op, int fd, short ev, int ms)
{
	struct pollfd p[2] = { { fd, ev, 0 }, { op->stop_pipe[0], POLLIN, 0 } };
	int r;

	for (;;) {
		r = poll(p, 2, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (p[1].revents)
			return -1;
		if (r == 0)
			return 0;
		return p[0].revents;
	}
}

/* Sleep ms unless stopping or the peer hung up; returns 0 when the
 * whole delay passed, -1 otherwise. */
static int
odelay(struct hx_origin_priv *op, int fd, int ms)
{
	int64_t deadline = hx_now_ms() + ms;

	while (hx_now_ms() < deadline) {
		int r = owait(op, fd, POLLRDHUP, remaining_ms(deadline));

		if (r < 0)
			return -1;
		if (r & (POLLRDHUP | POLLHUP | POLLERR))
			return -1;
	}
	return 0;
}

static int
owrite(struct hx_origin_priv *op, int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			pthread_mutex_lock(&op->mu);
			op->bytes_sent += (uint64_t)w;
			pthread_mutex_unlock(&op->mu);
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = owait(op, fd, POLLOUT, -1);

			if (r < 0)
				return -1;
			continue;
		}
		return -1;
	}
	return 0;
}

/* Connection read buffer. */
struct orbuf {
	char *b;
	size_t off, len, cap;
};

/* Read more into rb; returns bytes read, 0 on EOF/reset, -1 when
 * stopping. */
static ssize_t
oread(struct hx_origin_priv *op, int fd, struct orbuf *rb)
{
	for (;;) {
		ssize_t r;
		int ev;

		if (rb->off > 0 && rb->off == rb->len)
			rb->off = rb->len = 0;
		if (rb->cap - rb->len < 65536) {
			if (rb->off > 0) {
				memmove(rb->b, rb->b + rb->off, rb->len - rb->off);
				rb->len -= rb->off;
				rb->off = 0;
			}
			if (rb->cap - rb->len < 65536) {
				rb->cap = rb->cap ? rb->cap * 2 : HX_IOBUF;
				rb->b = xrealloc(rb->b, rb->cap);
			}
		}
		r = recv(fd, rb->b + rb->len, rb->cap - rb->len, 0);
		if (r > 0) {
			rb->len += (size_t)r;
			pthread_mutex_lock(&op->mu);
			op->bytes += (uint64_t)r;
			pthread_mutex_unlock(&op->mu);
			return r;
		}
		if (r == 0)
			return 0;
		if (errno == ECONNRESET)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return 0;
		ev = owait(op, fd, POLLIN, -1);
		if (ev < 0)
			return -1;
	}
}

static void
raw_body_add(struct hx_req *q, const char *p, size_t n)
{
	size_t cap = 1u << 20;

	q->raw_body_total += n;
	if (q->raw_body_len < cap) {
		size_t take = cap - q->raw_body_len < n ? cap - q->raw_body_len : n;

		q->raw_body = xrealloc(q->raw_body, q->raw_body_len + take + 1);
		memcpy(q->raw_body + q->raw_body_len, p, take);
		q->raw_body_len += take;
		q->raw_body[q->raw_body_len] = 0;
	}
}

static void
origin_record(struct hx_origin_priv *op, struct hx_req *q)
{
	pthread_mutex_lock(&op->mu);
	if (op->nreqs == op->reqcap) {
		op->reqcap = op->reqcap ? op->reqcap * 2 : 16;
		op->reqs = xrealloc(op->reqs, (size_t)op->reqcap * sizeof(*op->reqs));
	}
	q->index = op->nreqs;
	op->reqs[op->nreqs++] = q;
	if (q->complete)
		op->ncomplete++;
	pthread_cond_broadcast(&op->cv);
	pthread_mutex_unlock(&op->mu);
}

static struct hx_action
origin_next_action(struct hx_origin_priv *op)
{
	struct hx_action a;

	pthread_mutex_lock(&op->mu);
	if (op->qhead < op->qlen)
		a = op->q[op->qhead++];
	else
		a = op->dflt;
	pthread_mutex_unlock(&op->mu);
	return a;
}

/* Parse the head of q (already in q->head). Returns 0 or -1 (q->error). */
static int
origin_parse_head(struct hx_req *q)
{
	const char *h = q->head, *sp1, *sp2, *eol, *why = NULL;
	const char *te, *cl;

	eol = strstr(h, "\r\n");
	sp1 = memchr(h, ' ', (size_t)(eol - h));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (sp1 == NULL || sp2 == NULL) {
		q->error = strdup("malformed request line");
		return -1;
	}
	q->method = strndup(h, (size_t)(sp1 - h));
	q->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	q->version = strndup(sp2 + 1, (size_t)(eol - sp2 - 1));
	if (memchr(h, '\n', (size_t)(eol - h)) != NULL) {
		q->error = strdup("bare LF in request line");
		return -1;
	}
	for (size_t i = 0; i < q->head_len; i++) {
		if ((h[i] == '\r' && (i + 1 >= q->head_len || h[i + 1] != '\n')) ||
		    (h[i] == '\n' && (i == 0 || h[i - 1] != '\r'))) {
			q->error = strdup("bare CR or LF in the head");
			return -1;
		}
	}
	if (parse_fields(h, (size_t)(eol - h) + 2, q->head_len, &q->hdrs,
		&q->nhdrs, mmalloc, &why) != 0) {
		q->error = strdup(why);
		return -1;
	}
	te = hdr_find(q->hdrs, q->nhdrs, "Transfer-Encoding");
	cl = hdr_find(q->hdrs, q->nhdrs, "Content-Length");
	if (hdr_count(q->hdrs, q->nhdrs, "Transfer-Encoding") > 1 ||
	    hdr_count(q->hdrs, q->nhdrs, "Content-Length") > 1 ||
	    (te != NULL && cl != NULL)) {
		q->error = strdup("ambiguous framing (several TE/CL, or both)");
		return -1;
	}
	if (te != NULL) {
		if (!ci_eq(te, "chunked")) {
			q->error = strdup("Transfer-Encoding other than chunked");
			return -1;
		}
		q->chunked = 1;
	} else if (cl != NULL) {
		char *end;

		if (!isdigit((unsigned char)cl[0])) {
			q->error = strdup("bad Content-Length");
			return -1;
		}
		q->cl = strtoull(cl, &end, 10);
		if (*end) {
			q->error = strdup("bad Content-Length");
			return -1;
		}
		q->has_cl = 1;
	}
	return 0;
}

static char *
echo_response(struct hx_req *q, int conn, size_t *len)
{
	int stored = q->body.total == q->body.len;
	size_t blen = stored ? q->body.len : 0;
	int is_head = strcmp(q->method, "HEAD") == 0;
	char head[4096];
	int n;
	char *out;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: %zu\r\n"
	    "X-Origin-Req: %d\r\n"
	    "X-Origin-Conn: %d\r\n"
	    "X-Echo-Method: %.64s\r\n"
	    "X-Echo-Target: %.2000s\r\n"
	    "X-Echo-Body-Length: %" PRIu64 "\r\n"
	    "X-Echo-Body-CRC: %08x\r\n"
	    "\r\n",
	    blen, q->index, conn, q->method, q->target, q->body.total,
	    q->body.crc);
	out = xmalloc((size_t)n + blen + 1);
	memcpy(out, head, (size_t)n);
	if (!is_head && blen)
		memcpy(out + n, q->body.buf, blen);
	*len = (size_t)n + (is_head ? 0 : blen);
	return out;
}

static int
origin_stream(struct hx_origin_priv *op, int fd, const struct hx_action *a)
{
	static const size_t sizes[] = { 1, 7, 100, 4096, 65536, 300000, 15, 8192 };
	uint64_t k = 0;
	unsigned si = 0;

	while (k < a->stream_len) {
		size_t piece = HX_PAT_EXTRA;

		if (a->stream_chunked)
			piece = sizes[si++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (a->stream_len - k < piece)
			piece = (size_t)(a->stream_len - k);
		if (a->stream_chunked) {
			char line[32];
			int n = snprintf(line, sizeof(line), "%zx\r\n", piece);

			if (owrite(op, fd, line, (size_t)n) < 0)
				return -1;
		}
		if (owrite(op, fd, hx_pattern_at(k), piece) < 0)
			return -1;
		if (a->stream_chunked && owrite(op, fd, "\r\n", 2) < 0)
			return -1;
		k += piece;
	}
	if (a->stream_chunked && owrite(op, fd, "0\r\n\r\n", 5) < 0)
		return -1;
	return 0;
}

/* Read the body of q from rb/fd. Returns 0, -1 on framing error or
 * early close (q->error), -2 when stopping. */
static int
origin_read_body(struct hx_origin_priv *op, int fd, struct orbuf *rb,
    struct hx_req *q)
{
	struct chunker ck;

	if (q->chunked) {
		memset(&ck, 0, sizeof(ck));
		for (;;) {
			while (rb->off < rb->len) {
				ssize_t used = chunker_feed(&ck, rb->b + rb->off,
				    rb->len - rb->off, &q->body);

				if (used < 0) {
					raw_body_add(q, rb->b + rb->off, rb->len - rb->off);
					q->error = strdup(ck.err);
					origin_err(op, "conn %d: bad chunked framing from "
					    "accel: %s", q->conn, ck.err);
					return -1;
				}
				raw_body_add(q, rb->b + rb->off, (size_t)used);
				rb->off += (size_t)used;
				if (ck.st == CK_DONE) {
					q->trailer_bytes = ck.trailers;
					return 0;
				}
			}
			ssize_t r = oread(op, fd, rb);

			if (r < 0)
				return -2;
			if (r == 0) {
				q->error = strdup("connection closed inside a chunked body");
				return -1;
			}
		}
	}
	if (q->has_cl) {
		uint64_t left = q->cl;

		for (;;) {
			size_t avail = rb->len - rb->off;
			size_t take = avail < left ? avail : (size_t)left;

			if (take) {
				sink_add(&q->body, rb->b + rb->off, take);
				raw_body_add(q, rb->b + rb->off, take);
				rb->off += take;
				left -= take;
			}
			if (left == 0)
				return 0;
			ssize_t r = oread(op, fd, rb);

			if (r < 0)
				return -2;
			if (r == 0) {
				q->error = strdup("connection closed inside a Content-Length body");
				return -1;
			}
		}
	}
	return 0;
}

static void
set_linger0(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void *
oconn_main(void *arg)
{
	struct oconn *oc = arg;
	struct hx_origin_priv *op = oc->op;
	struct orbuf rb = { 0 };
	int fd = oc->fd, seq = 0;

	for (;;) {
		struct hx_req *q;
		struct hx_action a;
		char *end = NULL;
		size_t scan = 0;
		int rc, keep = 1;

		/* the head */
		for (;;) {
			if (rb.len - rb.off >= 4) {
				size_t from = scan > 3 ? scan - 3 : 0;

				end = memmem(rb.b + rb.off + from,
				    rb.len - rb.off - from, "\r\n\r\n", 4);
				if (end != NULL)
					break;
				scan = rb.len - rb.off;
			}
			if (rb.len - rb.off > (4u << 20)) {
				origin_err(op, "conn %d: request head over 4 MiB", oc->index);
				goto done;
			}
			ssize_t r = oread(op, fd, &rb);

			if (r < 0)
				goto done;
			if (r == 0) {
				if (rb.len > rb.off) {
					q = calloc(1, sizeof(*q));
					q->conn = oc->index;
					q->seq_on_conn = seq;
					q->head = strndup(rb.b + rb.off, rb.len - rb.off);
					q->head_len = strlen(q->head);
					q->error = strdup("connection closed inside a request head");
					origin_record(op, q);
				}
				goto done;
			}
		}
		q = calloc(1, sizeof(*q));
		if (q == NULL)
			abort();
		q->conn = oc->index;
		q->seq_on_conn = seq++;
		q->head_len = (size_t)(end - (rb.b + rb.off)) + 4;
		q->head = xmalloc(q->head_len + 1);
		memcpy(q->head, rb.b + rb.off, q->head_len);
		q->head[q->head_len] = 0;
		rb.off += q->head_len;
		sink_init(&q->body, op->opts.body_cap, !op->opts.no_crc, NULL);
		pthread_mutex_lock(&op->mu);
		op->nheads++;
		pthread_cond_broadcast(&op->cv);
		pthread_mutex_unlock(&op->mu);
		if (origin_parse_head(q) != 0) {
			origin_err(op, "conn %d: bad request from accel: %s",
			    oc->index, q->error);
			origin_record(op, q);
			goto done;
		}
		a = origin_next_action(op);
		if (a.read_delay_ms > 0 && odelay(op, fd, a.read_delay_ms) != 0) {
			req_free(q);
			goto done;
		}
		if (!a.no_read_body) {
			rc = origin_read_body(op, fd, &rb, q);
			if (rc == -2) {
				req_free(q);
				goto done;
			}
			if (rc == -1) {
				origin_record(op, q);
				goto done;
			}
		}
		q->complete = 1;
		origin_record(op, q);
		/* q now belongs to the origin's list: read-only from here */

		if (a.delay_ms > 0 && odelay(op, fd, a.delay_ms) != 0)
			goto done;
		switch (a.kind) {
		case HX_CLOSE:
			if (a.rst)
				set_linger0(fd);
			goto done;
		case HX_HANG:
			odelay(op, fd, 1000000000);
			goto done;
		case HX_ECHO: {
			size_t n;
			char *resp = echo_response(q, oc->index, &n);

			rc = owrite(op, fd, resp, n);
			free(resp);
			if (rc != 0)
				goto done;
			break;
		}
		case HX_RESPOND:
		case HX_STREAM:
			if (a.raw != NULL) {
				if (a.trickle_bytes > 0) {
					size_t off = 0;

					while (off < a.raw_len) {
						size_t piece = a.raw_len - off;

						if (piece > (size_t)a.trickle_bytes)
							piece = (size_t)a.trickle_bytes;
						if (off > 0 &&
						    odelay(op, fd, a.trickle_ms) != 0)
							goto done;
						if (owrite(op, fd, a.raw + off, piece) != 0)
							goto done;
						off += piece;
					}
				} else if (owrite(op, fd, a.raw, a.raw_len) != 0) {
					goto done;
				}
			}
			if (a.kind == HX_STREAM && origin_stream(op, fd, &a) != 0)
				goto done;
			break;
		}
		if (a.hang_after) {
			odelay(op, fd, 1000000000);
			goto done;
		}
		if (a.close_after || a.no_read_body)
			keep = 0;
		if (a.rst && !keep)
			set_linger0(fd);
		if (!keep)
			goto done;
	}
done:
	free(rb.b);
	close(fd);
	pthread_mutex_lock(&op->mu);
	op->open_conns--;
	pthread_cond_broadcast(&op->cv);
	pthread_mutex_unlock(&op->mu);
	return NULL;
}

static void *
accept_main(void *arg)
{
	struct hx_origin_priv *op = arg;

	for (;;) {
		int r = owait(op, op->lfd, POLLIN, -1), fd, one = 1;
		struct oconn *oc;

		if (r < 0)
			return NULL;
		if (op->opts.no_accept) {
			hx_sleep_ms(10);
			continue;
		}
		fd = accept4(op->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		oc = calloc(1, sizeof(*oc));
		if (oc == NULL)
			abort();
		oc->op = op;
		oc->fd = fd;
		pthread_mutex_lock(&op->mu);
		oc->index = op->nconn++;
		op->open_conns++;
		if (op->nconns_arr == op->conns_cap) {
			op->conns_cap = op->conns_cap ? op->conns_cap * 2 : 16;
			op->conns = xrealloc(op->conns,
			    (size_t)op->conns_cap * sizeof(*op->conns));
		}
		op->conns[op->nconns_arr++] = oc;
		pthread_cond_broadcast(&op->cv);
		pthread_mutex_unlock(&op->mu);
		if (pthread_create(&oc->thr, NULL, oconn_main, oc) == 0)
			oc->started = 1;
		else {
			origin_err(op, "pthread_create failed");
			close(fd);
		}
	}
}

struct hx_origin *
hx_origin_start_opts(const struct hx_origin_opts *opts)
{
	struct hx_origin *o;
	struct hx_origin_priv *op;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int one = 1, i;

	o = calloc(1, sizeof(*o));
	op = calloc(1, sizeof(*op));
	if (o == NULL || op == NULL)
		abort();
	o->p = op;
	pthread_mutex_init(&op->mu, NULL);
	pthread_cond_init(&op->cv, NULL);
	if (opts != NULL)
		op->opts = *opts;
	if (op->opts.body_cap == 0)
		op->opts.body_cap = 1u << 20;
	op->dflt.kind = HX_ECHO;
	if (pipe2(op->stop_pipe, O_CLOEXEC) != 0)
		abort();
	op->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (op->lfd < 0)
		abort();
	setsockopt(op->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(op->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(op->lfd, op->opts.listen_backlog ? op->opts.listen_backlog : 64) != 0 ||
	    getsockname(op->lfd, (struct sockaddr *)&sin, &sl) != 0)
		abort();
	o->port = ntohs(sin.sin_port);
	if (pthread_create(&op->accept_thr, NULL, accept_main, op) != 0)
		abort();
	for (i = 0; i < HX_MAX_ORIGINS; i++)
		if (origins[i] == NULL) {
			origins[i] = o;
			break;
		}
	if (i == HX_MAX_ORIGINS)
		abort();
	return o;
}

struct hx_origin *
hx_origin_start(void)
{
	return hx_origin_start_opts(NULL);
}

void
hx_origin_push(struct hx_origin *o, struct hx_action a)
{
	struct hx_origin_priv *op = o->p;

	a = action_copy(a);
	pthread_mutex_lock(&op->mu);
	if (op->qlen == op->qcap) {
		op->qcap = op->qcap ? op->qcap * 2 : 16;
		op->q = xrealloc(op->q, (size_t)op->qcap * sizeof(*op->q));
	}
	op->q[op->qlen++] = a;
	pthread_mutex_unlock(&op->mu);
}

void
hx_origin_default(struct hx_origin *o, struct hx_action a)
{
	struct hx_origin_priv *op = o->p;

	a = action_copy(a);
	pthread_mutex_lock(&op->mu);
	free((void *)op->dflt.raw);
	op->dflt = a;
	pthread_mutex_unlock(&op->mu);
}

static int
origin_get(struct hx_origin *o, int what)
{
	struct hx_origin_priv *op = o->p;
	int v = 0;

	pthread_mutex_lock(&op->mu);
	switch (what) {
	case 'c': v = op->nconn; break;
	case 'r': v = op->ncomplete; break;
	case 'h': v = op->nheads; break;
	case 'o': v = op->open_conns; break;
	case 'a': v = op->nreqs; break;
	}
	pthread_mutex_unlock(&op->mu);
	return v;
}

int hx_origin_conns(struct hx_origin *o) { return origin_get(o, 'c'); }
int hx_origin_nreq(struct hx_origin *o) { return origin_get(o, 'r'); }
int hx_origin_nheads(struct hx_origin *o) { return origin_get(o, 'h'); }
int hx_origin_open_conns(struct hx_origin *o) { return origin_get(o, 'o'); }

uint64_t
hx_origin_bytes_sent(struct hx_origin *o)
{
	uint64_t v;

	pthread_mutex_lock(&o->p->mu);
	v = o->p->bytes_sent;
	pthread_mutex_unlock(&o->p->mu);
	return v;
}

uint64_t
hx_origin_bytes(struct hx_origin *o)
{
	uint64_t v;

	pthread_mutex_lock(&o->p->mu);
	v = o->p->bytes;
	pthread_mutex_unlock(&o->p->mu);
	return v;
}

const char *
hx_origin_errors(struct hx_origin *o)
{
	const char *s = NULL;

	pthread_mutex_lock(&o->p->mu);
	if (o->p->errlen)
		s = hx_strdup(o->p->errors);
	pthread_mutex_unlock(&o->p->mu);
	return s;
}

char *
origin_describe(struct hx_origin *o)
{
	struct hx_origin_priv *op = o->p;
	char *s;
	int i;

	pthread_mutex_lock(&op->mu);
	s = hx_printf("origin :%d: %d connection(s), %d head(s), %d complete "
	    "request(s), %" PRIu64 " byte(s) received\n",
	    o->port, op->nconn, op->nheads, op->ncomplete, op->bytes);
	for (i = 0; i < op->nreqs && i < 8; i++) {
		struct hx_req *q = op->reqs[i];

		s = hx_printf("%s  request %d (conn %d)%s%s:\n%s\n  body %" PRIu64
		    " bytes\n", s, i, q->conn, q->error ? " error: " : "",
		    q->error ? q->error : "", escape(q->head, q->head_len, 2000),
		    q->body.total);
	}
	if (op->errlen)
		s = hx_printf("%s  origin errors: %s", s, op->errors);
	pthread_mutex_unlock(&op->mu);
	return s;
}

const struct hx_req *
hx_origin_req_at(struct hx_origin *o, int i, const char *file, int line)
{
	struct hx_origin_priv *op = o->p;
	struct hx_req *q = NULL;

	pthread_mutex_lock(&op->mu);
	if (i >= 0 && i < op->nreqs)
		q = op->reqs[i];
	pthread_mutex_unlock(&op->mu);
	if (q == NULL)
		hx_fail_at(file, line, "origin has no request #%d\n%s", i,
		    origin_describe(o));
	return q;
}

void
hx_origin_wait_at(struct hx_origin *o, int what, int n, int ms,
    const char *file, int line)
{
	struct hx_origin_priv *op = o->p;
	int64_t deadline = hx_now_ms() + ms;
	int ok = 0;

	pthread_mutex_lock(&op->mu);
	for (;;) {
		switch (what) {
		case 'h': ok = op->nheads >= n; break;
		case 'r': ok = op->ncomplete >= n; break;
		case 'c': ok = op->nconn >= n; break;
		case 'x': ok = op->open_conns == 0; break;
		}
		if (ok || hx_now_ms() >= deadline)
			break;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&op->cv, &op->mu, &ts);
	}
	pthread_mutex_unlock(&op->mu);
	if (!ok)
		hx_fail_at(file, line, "origin: waited %d ms for %s %d\n%s", ms,
		    what == 'h' ? "request heads >=" :
		    what == 'r' ? "complete requests >=" :
		    what == 'c' ? "connections >=" : "all connections closed",
		    n, origin_describe(o));
}

void
hx_assert_origin_untouched(struct hx_origin *o, int partial_ok,
    const char *file, int line)
{
	/* give a request that slipped through a moment to arrive */
	hx_sleep_ms(50);
	if (partial_ok ? hx_origin_nreq(o) != 0 : hx_origin_bytes(o) != 0)
		hx_fail_at(file, line, "the origin received %s\n%s",
		    partial_ok ? "a complete request" : "bytes",
		    origin_describe(o));
}

void
hx_origin_stop(struct hx_origin *o)
{
	struct hx_origin_priv *op = o->p;
	int i;

	if (op->stopped)
		return;
	op->stopped = 1;
	if (write(op->stop_pipe[1], "x", 1) != 1)
		abort();
	pthread_join(op->accept_thr, NULL);
	close(op->lfd);
	for (i = 0; i < op->nconns_arr; i++) {
		if (op->conns[i]->started)
			pthread_join(op->conns[i]->thr, NULL);
	}
}

static void
origin_free(struct hx_origin *o)
{
	struct hx_origin_priv *op = o->p;
	int i;

	hx_origin_stop(o);
	for (i = 0; i < op->nconns_arr; i++)
		free(op->conns[i]);
	free(op->conns);
	for (i = 0; i < op->nreqs; i++)
		req_free(op->reqs[i]);
	free(op->reqs);
	for (i = op->qhead; i < op->qlen; i++)
		free((void *)op->q[i].raw);
	for (i = 0; i < op->qhead; i++)
		free((void *)op->q[i].raw);
	free(op->q);
	free((void *)op->dflt.raw);
	close(op->stop_pipe[0]);
	close(op->stop_pipe[1]);
	pthread_mutex_destroy(&op->mu);
	pthread_cond_destroy(&op->cv);
	free(op);
	free(o);
}

void
teardown_origins(void)
{
	int i;

	for (i = 0; i < HX_MAX_ORIGINS; i++)
		if (origins[i] != NULL) {
			origin_free(origins[i]);
			origins[i] = NULL;
		}
}

const char *
hx_req_hdr(const struct hx_req *q, const char *name)
{
	return hdr_find(q->hdrs, q->nhdrs, name);
}

int
hx_req_hdr_count(const struct hx_req *q, const char *name)
{
	return hdr_count(q->hdrs, q->nhdrs, name);
}

const char *
hx_req_hdr_all(const struct hx_req *q, const char *name)
{
	return hdr_all(q->hdrs, q->nhdrs, name);
}

void
hx_assert_req_hdr_at(const struct hx_req *q, const char *name,
    const char *val, const char *file, int line)
{
	const char *v = hx_req_hdr_all(q, name);

	if (val == NULL && v == NULL)
		return;
	if (val != NULL && v != NULL && strcmp(v, val) == 0)
		return;
	if (val == NULL)
		hx_fail_at(file, line, "origin request: header %s must be absent, "
		    "got \"%s\"; head:\n%s", name, v,
		    escape(q->head, q->head_len, 4000));
	hx_fail_at(file, line, "origin request: header %s: want \"%s\", got %s%s%s;"
	    " head:\n%s", name, val, v ? "\"" : "", v ? v : "(absent)",
	    v ? "\"" : "", escape(q->head, q->head_len, 4000));
}
