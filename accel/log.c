/*
 * log.c: the access log. One NCSA combined line per request plus the
 * backend, its status and timings, built into the worker's own buffer and
 * written with one write(2) when the buffer fills or its timer fires, so
 * the request path makes no syscall and takes no lock for logging.
 */
#include "accel/accel.h"
#include "accel/rfc9111.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1; /* -1: logging off */

int
log_open(const char *spec, char *err, size_t errlen)
{
	if (strcmp(spec, "off") == 0) {
		log_fd = -1;
		return (0);
	}
	if (strcmp(spec, "-") == 0) {
		log_fd = 2;
		return (0);
	}
	log_fd = open(spec, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		snprintf(err, errlen, "-p access_log=%s: %s", spec, strerror(errno));
		return (-1);
	}
	return (0);
}

void
log_close(void)
{
	if (log_fd > 2)
		close(log_fd);
	log_fd = -1;
}

/* Write the buffer without ever blocking the worker: a log reader that
 * stalls (a full pipe) costs log lines, counted, never requests. Writes of
 * at most PIPE_BUF after poll() said writable cannot block on a pipe; a
 * regular file is always writable. */
void
log_flush(struct worker *wrk)
{
	size_t off = 0;
	while (log_fd >= 0 && off < wrk->log.len) {
		struct pollfd pfd = {.fd = log_fd, .events = POLLOUT};
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT))
			break;
		size_t n = wrk->log.len - off;
		if (n > PIPE_BUF)
			n = PIPE_BUF;
		ssize_t w = write(log_fd, wrk->log.buf + off, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < wrk->log.len && wrk->log.len - off > sizeof wrk->log.buf / 2) {
		/* The reader is stuck and the buffer half full: drop. */
		wrk->ctr.log_dropped += wrk->log.len - off;
		off = wrk->log.len;
	}
	memmove(wrk->log.buf, wrk->log.buf + off, wrk->log.len - off);
	wrk->log.len -= off;
}

/* Append v as a quoted-string body: '"', '\\' and bytes outside
 * printable ASCII become \xHH, so a header cannot forge a log field. */
static size_t
esc(char *d, size_t room, const char *v, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 < room; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			d[o++] = '\\';
			d[o++] = 'x';
			d[o++] = hex[c >> 4];
			d[o++] = hex[c & 15];
		} else
			d[o++] = (char)c;
	}
	return (o);
}


void
log_request(struct worker *wrk, const struct req *req)
{
	char line[4096];
	size_t o = 0;
	struct tm tm;
	time_t t;

	if (log_fd < 0)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	const struct sess *sp = req->sp;
	o += (size_t)snprintf(line + o, sizeof line - o, "%s - - [", sp->peer);
	o += strftime(line + o, sizeof line - o, "%d/%b/%Y:%H:%M:%S +0000] \"", &tm);
	if (req->h.method != NULL) {
		o += esc(line + o, 200, req->h.method, req->h.method_len);
		line[o++] = ' ';
		o += esc(line + o, 2000, req->h.target, req->h.target_len);
		o += (size_t)snprintf(line + o, sizeof line - o, " HTTP/1.%d",
		    req->h.minor);
	} else
		line[o++] = '-';
	const struct h1_hdr *ref = req->h.method ? h1_find_kind(req->h.hdrs, req->h.nhdrs, H1H_REFERER) : NULL;
	const struct h1_hdr *ua = req->h.method ? h1_find_kind(req->h.hdrs, req->h.nhdrs, H1H_USER_AGENT) : NULL;
	o += (size_t)snprintf(line + o, sizeof line - o, "\" %d %llu \"",
	    req->resp_status, (unsigned long long)req->resp_bytes);
	if (ref != NULL)
		o += esc(line + o, 600, ref->value, ref->value_len);
	else
		line[o++] = '-';
	o += (size_t)snprintf(line + o, sizeof line - o, "\" \"");
	if (ua != NULL)
		o += esc(line + o, 600, ua->value, ua->value_len);
	else
		line[o++] = '-';
	double end = now_mono();
	o += (size_t)snprintf(line + o, sizeof line - o,
	    "\" cache=%s be=%s bs=%d tfb=%.6f t=%.6f\n",
	    !req->cacheable		   ? "pass"
		: req->cs_kind == RFC_CS_HIT ? "hit"
		: req->stored		   ? "miss-stored"
					   : "miss",
	    req->be_name ? req->be_name : "-", req->be_status,
	    req->t_first_byte > 0 ? req->t_first_byte - req->t_start : 0.0,
	    end - req->t_start);
	if (o >= sizeof line)
		o = sizeof line - 1;
	if (wrk->log.len + o > sizeof wrk->log.buf)
		log_flush(wrk);
	if (wrk->log.len + o > sizeof wrk->log.buf) {
		wrk->ctr.log_dropped += o;
		return;
	}
	memcpy(wrk->log.buf + wrk->log.len, line, o);
	wrk->log.len += o;
}
