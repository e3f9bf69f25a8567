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


/* Small appenders: the log line is built without printf (which cost
 * about 6 % of a hit's instructions). Each returns the bytes written. */
static size_t
put_str(char *d, const char *s)
{
	size_t n = strlen(s);
	memcpy(d, s, n);
	return (n);
}

static size_t
put_uint(char *d, uint64_t v)
{
	char t[20];
	size_t n = 0, o = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		d[o++] = t[--n];
	return (o);
}

/* %.6f for a non-negative duration in seconds. */
static size_t
put_secs6(char *d, double v)
{
	if (!(v > 0))
		v = 0;
	if (v > 1e12)
		v = 1e12;
	uint64_t whole = (uint64_t)v;
	uint64_t frac = (uint64_t)((v - (double)whole) * 1e6 + 0.5);
	if (frac >= 1000000) {
		whole++;
		frac -= 1000000;
	}
	size_t o = put_uint(d, whole);
	d[o++] = '.';
	for (int k = 5; k >= 0; k--, frac /= 10)
		d[o + (size_t)k] = (char)('0' + frac % 10);
	return (o + 6);
}

/* "24/Nov/2026:11:25:06 +0000" for t, formatted once per second per
 * thread. */
static const char *
log_date(time_t t)
{
	static _Thread_local time_t last = -1;
	static _Thread_local char buf[40];
	if (t != last) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
		last = t;
	}
	return (buf);
}

void
log_request(struct worker *wrk, const struct req *req)
{
	/* Bounds: peer 64, date 40, method 200, target 2000, referer and
	 * user agent 600 each, the rest well under 700 (be_name 256). */
	char line[4800];
	size_t o = 0;

	if (log_fd < 0)
		return;
	const struct sess *sp = req->sp;
	o += put_str(line + o, sp->peer);
	o += put_str(line + o, " - - [");
	o += put_str(line + o, log_date(time(NULL)));
	o += put_str(line + o, "] \"");
	if (req->h.method != NULL) {
		o += esc(line + o, 200, req->h.method, req->h.method_len);
		line[o++] = ' ';
		o += esc(line + o, 2000, req->h.target, req->h.target_len);
		o += put_str(line + o, req->h.minor ? " HTTP/1.1" : " HTTP/1.0");
	} else
		line[o++] = '-';
	const struct h1_hdr *ref = req->h.method ? h1_find_kind(req->h.hdrs, req->h.nhdrs, H1H_REFERER) : NULL;
	const struct h1_hdr *ua = req->h.method ? h1_find_kind(req->h.hdrs, req->h.nhdrs, H1H_USER_AGENT) : NULL;
	o += put_str(line + o, "\" ");
	if (req->resp_status < 0)
		line[o++] = '-';
	o += put_uint(line + o, (uint64_t)(req->resp_status < 0 ? -req->resp_status : req->resp_status));
	line[o++] = ' ';
	o += put_uint(line + o, req->resp_bytes);
	o += put_str(line + o, " \"");
	if (ref != NULL)
		o += esc(line + o, 600, ref->value, ref->value_len);
	else
		line[o++] = '-';
	o += put_str(line + o, "\" \"");
	if (ua != NULL)
		o += esc(line + o, 600, ua->value, ua->value_len);
	else
		line[o++] = '-';
	double end = now_mono();
	o += put_str(line + o, "\" cache=");
	o += put_str(line + o, !req->cacheable	       ? "pass"
			       : req->cs_kind == RFC_CS_HIT ? "hit"
			       : req->stored		       ? "miss-stored"
							       : "miss");
	o += put_str(line + o, " be=");
	o += put_str(line + o, req->be_name ? req->be_name : "-");
	o += put_str(line + o, " bs=");
	o += put_uint(line + o, (uint64_t)(req->be_status > 0 ? req->be_status : 0));
	o += put_str(line + o, " tfb=");
	o += put_secs6(line + o, req->t_first_byte > 0 ? req->t_first_byte - req->t_start : 0.0);
	o += put_str(line + o, " t=");
	o += put_secs6(line + o, end - req->t_start);
	line[o++] = '\n';
	if (wrk->log.len + o > sizeof wrk->log.buf)
		log_flush(wrk);
	if (wrk->log.len + o > sizeof wrk->log.buf) {
		wrk->ctr.log_dropped += o;
		return;
	}
	memcpy(wrk->log.buf + wrk->log.len, line, o);
	wrk->log.len += o;
}
