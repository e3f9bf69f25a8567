/*
 * harness.c: see harness.h.
 */
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HX_DEFAULT_TIMEOUT_MS 5000
#define HX_TEST_SECONDS 60
#define HX_PAT_EXTRA (1u << 20)
#define HX_IOBUF (256u * 1024u)

/* ------------------------------------------------------------------ */
/* Small utilities                                                     */

int64_t
hx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
hx_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
remaining_ms(int64_t deadline)
{
	int64_t r = deadline - hx_now_ms();

	if (r < 0)
		return 0;
	if (r > 1000000)
		return 1000000;
	return (int)r;
}

/* Cleanup list: every hx_alloc and deferred release of the running
 * test, released in reverse order by hx_teardown. */
struct cleanup {
	void (*fn)(void *);
	void *ptr;
	struct cleanup *next;
};

static struct cleanup *cleanups;

static struct cleanup *
hx_defer(void (*fn)(void *), void *ptr)
{
	struct cleanup *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	c->fn = fn;
	c->ptr = ptr;
	c->next = cleanups;
	cleanups = c;
	return c;
}

static void
run_cleanups(void)
{
	while (cleanups != NULL) {
		struct cleanup *c = cleanups;

		cleanups = c->next;
		if (c->fn != NULL && c->ptr != NULL)
			c->fn(c->ptr);
		free(c);
	}
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *
hx_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		abort();
	hx_defer(free, p);
	return p;
}

char *
hx_memdup(const void *p, size_t n)
{
	char *s = hx_alloc(n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

char *
hx_strdup(const char *s)
{
	return hx_memdup(s, strlen(s));
}

static char *hx_vprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0), noinline));

static char *
hx_vprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *s;

	char probe[1];

	if (fmt == NULL)
		abort();
	va_copy(ap2, ap);
	n = vsnprintf(probe, sizeof(probe), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	s = hx_alloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *
hx_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = hx_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
hx_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error(fmt, ap);
	va_end(ap);
	print_error("\n");
	_fail(file, line);
	abort(); /* not reached: _fail jumps back into cmocka */
}

/* Printable rendering of raw bytes (CR and LF shown as \r \n, a newline
 * kept after each \n), at most max bytes. */
static char *
escape(const char *p, size_t n, size_t max)
{
	size_t i, o = 0, lim = n < max ? n : max;
	char *s = hx_alloc(lim * 4 + 64);

	for (i = 0; i < lim; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\r') {
			memcpy(s + o, "\\r", 2);
			o += 2;
		} else if (ch == '\n') {
			memcpy(s + o, "\\n\n", 3);
			o += 3;
		} else if (ch == '\t' || (ch >= 0x20 && ch < 0x7f)) {
			s[o++] = (char)ch;
		} else {
			o += (size_t)sprintf(s + o, "\\x%02x", ch);
		}
	}
	if (lim < n)
		o += (size_t)sprintf(s + o, "...(%zu more bytes)", n - lim);
	s[o] = 0;
	return s;
}

static int
ci_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
hx_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	if (fd < 0)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0)
		abort();
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
rm_tree(void *path)
{
	if (getenv("HX_KEEP") == NULL)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *
hx_tmpdir(void)
{
	char tmpl[] = "/tmp/accel-it-XXXXXX";
	char *d;

	if (mkdtemp(tmpl) == NULL)
		abort();
	d = hx_strdup(tmpl);
	hx_defer(rm_tree, d);
	return d;
}

/* ------------------------------------------------------------------ */
/* Pattern, CRC, body sink                                             */

static unsigned char pattern[HX_PATTERN_PERIOD + HX_PAT_EXTRA];
static uint32_t crc_table[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
tables_init(void)
{
	uint32_t x = 0x2545f491u;
	size_t i;
	unsigned k;

	for (i = 0; i < HX_PATTERN_PERIOD; i++) {
		x = x * 1103515245u + 12345u;
		pattern[i] = (unsigned char)(x >> 16);
	}
	for (i = HX_PATTERN_PERIOD; i < sizeof(pattern); i++)
		pattern[i] = pattern[i - HX_PATTERN_PERIOD];
	for (i = 0; i < 256; i++) {
		uint32_t c = (uint32_t)i;

		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

unsigned char
hx_pattern_byte(uint64_t k)
{
	pthread_once(&tables_once, tables_init);
	return pattern[k % HX_PATTERN_PERIOD];
}

/* At least HX_PAT_EXTRA contiguous bytes are valid from the result. */
const unsigned char *
hx_pattern_at(uint64_t k)
{
	pthread_once(&tables_once, tables_init);
	return pattern + k % HX_PATTERN_PERIOD;
}

uint32_t
hx_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;

	pthread_once(&tables_once, tables_init);
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t
hx_pattern_crc(uint64_t n)
{
	uint32_t crc = 0;
	uint64_t k = 0;

	while (k < n) {
		size_t piece = n - k > HX_PAT_EXTRA ? HX_PAT_EXTRA : (size_t)(n - k);

		crc = hx_crc32(crc, hx_pattern_at(k), piece);
		k += piece;
	}
	return crc;
}

static void
sink_init(struct hx_body *s, size_t cap, int do_crc, void **slot)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->do_crc = do_crc;
	s->pattern_ok = 1;
	s->slot_ = slot;
	s->buf = xmalloc(1);
	s->buf[0] = 0;
	if (slot != NULL)
		*slot = s->buf;
}

static void
sink_add(struct hx_body *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->pattern_ok) {
		size_t done = 0;

		while (done < n) {
			size_t piece = n - done > HX_PAT_EXTRA ? HX_PAT_EXTRA : n - done;

			if (memcmp(p + done, hx_pattern_at(s->total + done), piece) != 0) {
				s->pattern_ok = 0;
				break;
			}
			done += piece;
		}
	}
	if (s->do_crc)
		s->crc = hx_crc32(s->crc, p, n);
	if (s->len < s->cap) {
		size_t take = s->cap - s->len < n ? s->cap - s->len : n;
		size_t want = s->len + take + 1;
		size_t alloc = 64;

		while (alloc < want)
			alloc *= 2;
		s->buf = xrealloc(s->buf, alloc);
		if (s->slot_ != NULL)
			*s->slot_ = s->buf;
		memcpy(s->buf + s->len, p, take);
		s->len += take;
		s->buf[s->len] = 0;
	}
	s->total += n;
}

/* ------------------------------------------------------------------ */
/* Test plumbing                                                       */

#define HX_MAX_PIDS 64
static volatile pid_t watch_pids[HX_MAX_PIDS];
static const char *filter;

static void
watch_add(pid_t pid)
{
	int i;

	for (i = 0; i < HX_MAX_PIDS; i++)
		if (watch_pids[i] == 0) {
			watch_pids[i] = pid;
			return;
		}
}

static void
watch_del(pid_t pid)
{
	int i;

	for (i = 0; i < HX_MAX_PIDS; i++)
		if (watch_pids[i] == pid)
			watch_pids[i] = 0;
}

static void
on_alarm(int sig)
{
	static const char msg[] =
	    "\nharness: test timed out (watchdog); killing accel and exiting\n";
	int i;

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	for (i = 0; i < HX_MAX_PIDS; i++)
		if (watch_pids[i] > 0)
			kill(watch_pids[i], SIGKILL);
	_exit(124);
}

void
hx_filter_from_env(void)
{
	filter = getenv("HX_FILTER");
	if (filter != NULL && *filter)
		cmocka_set_test_filter(filter);
}

int
hx_group_setup(void **state)
{
	struct sigaction sa;
	const char *bin = getenv("ACCEL_BIN");

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	pthread_once(&tables_once, tables_init);
	if (bin == NULL || access(bin, X_OK) != 0)
		fprintf(stderr, "harness: ACCEL_BIN=%s is not an executable; "
		    "tests starting accel will fail\n", bin ? bin : "(unset)");
	return 0;
}

void
hx_set_test_timeout(unsigned seconds)
{
	alarm(seconds);
}

int
hx_setup(void **state)
{
	(void)state;
	alarm(HX_TEST_SECONDS);
	return 0;
}

static void teardown_accels(void);
static void teardown_origins(void);

int
hx_teardown(void **state)
{
	(void)state;
	teardown_accels();
	run_cleanups();
	teardown_origins();
	alarm(0);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Header parsing shared by the origin and the client                  */

/* Parse "Name: value" lines of head[start..end) (each ending in CRLF).
 * Allocation with alloc_fn (hx_alloc for the client, malloc for the
 * origin thread). Returns 0, or -1 with *why set. */
static int
parse_fields(const char *head, size_t start, size_t end, struct hx_hdr **out,
    int *nout, void *(*alloc_fn)(size_t), const char **why)
{
	size_t pos = start, n = 0, cap = 0;
	struct hx_hdr *h = NULL;
	int count = 0;

	/* count lines first */
	for (pos = start; pos + 1 < end; pos++)
		if (head[pos] == '\r' && head[pos + 1] == '\n')
			cap++;
	h = alloc_fn((cap + 1) * sizeof(*h));
	memset(h, 0, (cap + 1) * sizeof(*h));
	pos = start;
	while (pos + 1 < end) {
		const char *line = head + pos, *eol, *colon;
		size_t llen, nlen, vs, ve;

		eol = memmem(line, end - pos, "\r\n", 2);
		if (eol == NULL) {
			*why = "header line without CRLF";
			return -1;
		}
		llen = (size_t)(eol - line);
		if (llen == 0)
			break;
		colon = memchr(line, ':', llen);
		if (colon == NULL || colon == line) {
			*why = "header line without a name and colon";
			return -1;
		}
		nlen = (size_t)(colon - line);
		for (size_t i = 0; i < nlen; i++)
			if (line[i] == ' ' || line[i] == '\t' ||
			    (unsigned char)line[i] < 0x21) {
				*why = "whitespace or CTL in a header name";
				return -1;
			}
		vs = nlen + 1;
		ve = llen;
		while (vs < ve && (line[vs] == ' ' || line[vs] == '\t'))
			vs++;
		while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
			ve--;
		h[n].name = alloc_fn(nlen + 1);
		memcpy(h[n].name, line, nlen);
		h[n].name[nlen] = 0;
		h[n].value = alloc_fn(ve - vs + 1);
		memcpy(h[n].value, line + vs, ve - vs);
		h[n].value[ve - vs] = 0;
		n++;
		count++;
		pos += llen + 2;
	}
	*out = h;
	*nout = count;
	return 0;
}

static const char *
hdr_find(const struct hx_hdr *h, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (ci_eq(h[i].name, name))
			return h[i].value;
	return NULL;
}

static int
hdr_count(const struct hx_hdr *h, int n, const char *name)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (ci_eq(h[i].name, name))
			c++;
	return c;
}

static const char *
hdr_all(const struct hx_hdr *h, int n, const char *name)
{
	int i;
	char *s = NULL;

	for (i = 0; i < n; i++) {
		if (!ci_eq(h[i].name, name))
			continue;
		s = s == NULL ? hx_strdup(h[i].value)
			      : hx_printf("%s, %s", s, h[i].value);
	}
	return s;
}

int
hx_list_has(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	if (v == NULL)
		return 0;
	while (*v) {
		const char *e;
		size_t l;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		e = v;
		while (*e && *e != ',')
			e++;
		l = (size_t)(e - v);
		while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t'))
			l--;
		if (l == tl && strncasecmp(v, tok, tl) == 0)
			return 1;
		v = e;
	}
	return 0;
}

static int
is_hex(int ch)
{
	return isxdigit((unsigned char)ch);
}

/* Strict chunked-framing decoder over a byte stream, used by the origin
 * (requests from accel) and the client (responses from accel). */
enum { CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER, CK_TRAILER_LF, CK_DONE };

struct chunker {
	int st;
	uint64_t size, left;
	int ndigits;
	size_t tline;	  /* bytes of the current trailer line */
	size_t trailers;  /* bytes of trailer fields */
	const char *err;
};

/* Feed in[0..n); body data goes to sink; raw (when not NULL) receives
 * every consumed byte. Returns bytes consumed (stops after the end of
 * the body), or -1 on a framing error (c->err). */
static ssize_t
chunker_feed(struct chunker *c, const char *in, size_t n, struct hx_body *sink)
{
	size_t i = 0;

	while (i < n && c->st != CK_DONE) {
		char ch = in[i];

		switch (c->st) {
		case CK_SIZE:
			if (is_hex(ch)) {
				if (++c->ndigits > 16) {
					c->err = "chunk size with more than 16 hex digits";
					return -1;
				}
				c->size = c->size * 16 +
				    (uint64_t)(isdigit((unsigned char)ch)
					    ? ch - '0'
					    : (tolower((unsigned char)ch) - 'a' + 10));
				i++;
			} else if (c->ndigits == 0) {
				c->err = "chunk size line without hex digits";
				return -1;
			} else if (ch == ';') {
				c->st = CK_EXT;
				i++;
			} else if (ch == '\r') {
				c->st = CK_SIZE_LF;
				i++;
			} else {
				c->err = "bad byte in chunk size line";
				return -1;
			}
			break;
		case CK_EXT:
			if (ch == '\r')
				c->st = CK_SIZE_LF;
			else if (ch == '\n') {
				c->err = "bare LF in chunk extension";
				return -1;
			}
			i++;
			break;
		case CK_SIZE_LF:
			if (ch != '\n') {
				c->err = "chunk size line: CR not followed by LF";
				return -1;
			}
			i++;
			if (c->size == 0) {
				c->st = CK_TRAILER;
				c->tline = 0;
			} else {
				c->st = CK_DATA;
				c->left = c->size;
			}
			break;
		case CK_DATA: {
			size_t take = n - i < c->left ? n - i : (size_t)c->left;

			sink_add(sink, in + i, take);
			c->left -= take;
			i += take;
			if (c->left == 0)
				c->st = CK_DATA_CR;
			break;
		}
		case CK_DATA_CR:
			if (ch != '\r') {
				c->err = "chunk data not followed by CRLF";
				return -1;
			}
			c->st = CK_DATA_LF;
			i++;
			break;
		case CK_DATA_LF:
			if (ch != '\n') {
				c->err = "chunk data not followed by CRLF";
				return -1;
			}
			c->st = CK_SIZE;
			c->size = 0;
			c->ndigits = 0;
			i++;
			break;
		case CK_TRAILER:
			if (ch == '\r') {
				c->st = CK_TRAILER_LF;
			} else if (ch == '\n') {
				c->err = "bare LF in trailer section";
				return -1;
			} else {
				c->tline++;
				c->trailers++;
			}
			i++;
			break;
		case CK_TRAILER_LF:
			if (ch != '\n') {
				c->err = "trailer: CR not followed by LF";
				return -1;
			}
			i++;
			if (c->tline == 0)
				c->st = CK_DONE;
			else {
				c->trailers += 2;
				c->tline = 0;
				c->st = CK_TRAILER;
			}
			break;
		}
	}
	return (ssize_t)i;
}

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

#define HX_MAX_ORIGINS 16
static struct hx_origin *origins[HX_MAX_ORIGINS];

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

static char *
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

static void
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

/* ------------------------------------------------------------------ */
/* accel process                                                       */

#define HX_MAX_ACCELS 16
static struct hx_accel *accels[HX_MAX_ACCELS];
static char *extra_env[8];

void
hx_accel_env(const char *kv)
{
	int i;

	if (kv == NULL) {
		for (i = 0; i < 8; i++) {
			free(extra_env[i]);
			extra_env[i] = NULL;
		}
		return;
	}
	for (i = 0; i < 8; i++)
		if (extra_env[i] == NULL) {
			extra_env[i] = strdup(kv);
			return;
		}
}

static void
accel_release(void *p)
{
	struct hx_accel *a = p;
	int i;

	if (!a->exited && a->pid > 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
		watch_del(a->pid);
		a->exited = 1;
	}
	if (a->dir != NULL && getenv("HX_KEEP") == NULL)
		nftw(a->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < HX_MAX_ACCELS; i++)
		if (accels[i] == a)
			accels[i] = NULL;
}

static void
teardown_accels(void)
{
	int i;

	for (i = 0; i < HX_MAX_ACCELS; i++) {
		struct hx_accel *a = accels[i];

		if (a == NULL || a->exited)
			continue;
		print_error("harness: accel pid %d still running at the end of "
		    "the test; killing it. Its stderr:\n", (int)a->pid);
		hx_accel_dump_log(a, 60);
		kill(a->pid, SIGKILL);
		waitpid(a->pid, NULL, 0);
		watch_del(a->pid);
		a->exited = 1;
	}
	hx_accel_env(NULL);
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f != NULL) {
		for (;;) {
			size_t r;

			if (cap - len < 65536) {
				cap = cap ? cap * 2 : 65536;
				buf = xrealloc(buf, cap + 1);
			}
			r = fread(buf + len, 1, cap - len, f);
			len += r;
			if (r == 0)
				break;
		}
		fclose(f);
	}
	{
		char *s = hx_memdup(buf ? buf : "", buf ? len : 0);

		free(buf);
		if (lenp)
			*lenp = buf ? len : 0;
		return s;
	}
}

const char *
hx_accel_log(struct hx_accel *a)
{
	return read_file(a->stderr_path, NULL);
}

void
hx_accel_dump_log(struct hx_accel *a, int max_lines)
{
	const char *log = hx_accel_log(a);
	const char *p = log + strlen(log);
	int n = 0;

	while (p > log && n <= max_lines) {
		p--;
		if (*p == '\n' && p[1] != 0)
			n++;
	}
	if (n > max_lines)
		p++;
	print_error("---- accel stderr (%s) ----\n%s%s---- end ----\n",
	    a->stderr_path, p, (*log && log[strlen(log) - 1] != '\n') ? "\n" : "");
}

/* Split s on spaces into a NULL-terminated argv (arena). */
static char **
split_args(const char *s, int *argc)
{
	char *copy = hx_strdup(s), *save = NULL, *tok;
	char **v = hx_alloc((strlen(s) / 2 + 2) * sizeof(*v));
	int n = 0;

	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	v[n] = NULL;
	*argc = n;
	return v;
}

static const char state_sentinel[] = "(state dir)";

static struct hx_accel *
accel_spawn(char **argv)
{
	struct hx_accel *a = hx_alloc(sizeof(*a));
	char tmpl[] = "/tmp/accel-it-XXXXXX";
	const char *bin = getenv("ACCEL_BIN");
	char **envp;
	int i, n, e, fdo, fde, fdi;
	pid_t pid;

	if (bin == NULL)
		bin = "build/san/accel";
	if (mkdtemp(tmpl) == NULL)
		abort();
	a->dir = hx_strdup(tmpl);
	mkdir(hx_printf("%s/state", a->dir), 0700);
	a->stderr_path = hx_printf("%s/stderr", a->dir);
	a->stdout_path = hx_printf("%s/stdout", a->dir);
	argv[0] = (char *)bin;
	for (i = 1; argv[i] != NULL; i++)
		if (argv[i] == state_sentinel)
			argv[i] = hx_printf("%s/state", a->dir);
	for (n = 0; environ[n]; n++)
		;
	envp = hx_alloc((size_t)(n + 9) * sizeof(*envp));
	for (i = 0, e = 0; i < n; i++) {
		int overridden = 0;

		for (int k = 0; k < 8 && extra_env[k]; k++) {
			size_t nl = strcspn(extra_env[k], "=");

			if (strncmp(environ[i], extra_env[k], nl) == 0 &&
			    environ[i][nl] == '=')
				overridden = 1;
		}
		if (!overridden)
			envp[e++] = environ[i];
	}
	for (int k = 0; k < 8 && extra_env[k]; k++)
		envp[e++] = extra_env[k];
	envp[e] = NULL;
	fdo = open(a->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fde = open(a->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fdi = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fdo < 0 || fde < 0 || fdi < 0)
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fdi, 0);
		dup2(fdo, 1);
		dup2(fde, 2);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		execve(bin, argv, envp);
		if (write(2, "harness: exec failed\n", 21) < 0) {
			/* nothing */
		}
		_exit(127);
	}
	close(fdo);
	close(fde);
	close(fdi);
	a->pid = pid;
	watch_add(pid);
	for (i = 0; i < HX_MAX_ACCELS; i++)
		if (accels[i] == NULL) {
			accels[i] = a;
			break;
		}
	if (i == HX_MAX_ACCELS)
		abort();
	hx_defer(accel_release, a);
	return a;
}

struct hx_accel *
hx_accel_spawn(const char *fmt, ...)
{
	va_list ap;
	char *args;
	char **v, **argv;
	int argc, i;

	va_start(ap, fmt);
	args = hx_vprintf(fmt, ap);
	va_end(ap);
	v = split_args(args, &argc);
	argv = hx_alloc((size_t)(argc + 2) * sizeof(*argv));
	for (i = 0; i < argc; i++)
		argv[i + 1] = v[i];
	argv[argc + 1] = NULL;
	return accel_spawn(argv);
}

static void
status_from_wait(struct hx_accel *a, int st)
{
	a->exited = 1;
	watch_del(a->pid);
	if (WIFEXITED(st))
		a->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		a->status = 128 + WTERMSIG(st);
	else
		a->status = 255;
}

int
hx_accel_wait(struct hx_accel *a, int ms)
{
	int64_t deadline = hx_now_ms() + ms;
	int st;

	if (a->exited)
		return a->status;
	for (;;) {
		pid_t r = waitpid(a->pid, &st, WNOHANG);

		if (r == a->pid) {
			status_from_wait(a, st);
			return a->status;
		}
		if (hx_now_ms() >= deadline)
			return -1;
		hx_sleep_ms(5);
	}
}

struct hx_accel *
hx_accel_start_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *args;
	char **v, **argv;
	int argc, i, n = 1, has_a = 0, has_t = 0, has_n = 0, want;
	struct hx_accel *a;
	int64_t deadline;

	va_start(ap, fmt);
	args = hx_vprintf(fmt, ap);
	va_end(ap);
	v = split_args(args, &argc);
	for (i = 0; i < argc; i++) {
		has_a += strcmp(v[i], "-a") == 0;
		has_t += strcmp(v[i], "-t") == 0;
		has_n += strcmp(v[i], "-n") == 0;
	}
	argv = hx_alloc((size_t)(argc + 8) * sizeof(*argv));
	if (!has_a) {
		argv[n++] = "-a";
		argv[n++] = "127.0.0.1:0";
	}
	if (!has_t) {
		argv[n++] = "-t";
		argv[n++] = "2";
	}
	if (!has_n) {
		argv[n++] = "-n";
		argv[n++] = (char *)state_sentinel;
	}
	for (i = 0; i < argc; i++)
		argv[n++] = v[i];
	argv[n] = NULL;
	want = has_a ? has_a : 1;
	a = accel_spawn(argv);
	/* wait for the listening lines */
	deadline = hx_now_ms() + 5000;
	for (;;) {
		const char *log = hx_accel_log(a), *p = log;
		int got = 0;

		while ((p = strstr(p, "accel: listening on ")) != NULL) {
			const char *eol = strchr(p, '\n'), *colon;

			if (eol == NULL)
				break;
			colon = p + strlen("accel: listening on ");
			{
				const char *last = NULL, *x;

				for (x = colon; x < eol; x++)
					if (*x == ':')
						last = x;
				if (last != NULL && got < HX_MAX_PORTS)
					a->ports[got++] = atoi(last + 1);
			}
			p = eol;
		}
		if (got >= want) {
			a->nports = got;
			a->port = a->ports[0];
			return a;
		}
		if (hx_accel_wait(a, 0) >= 0) {
			hx_accel_dump_log(a, 60);
			hx_fail_at(file, line, "accel exited with status %d before "
			    "listening (args: %s)", a->status, args);
		}
		if (hx_now_ms() >= deadline) {
			hx_accel_dump_log(a, 60);
			hx_fail_at(file, line, "accel did not print %d listening "
			    "line(s) within 5 s (args: %s)", want, args);
		}
		hx_sleep_ms(10);
	}
}

static void
load_counters(struct hx_accel *a)
{
	const char *log = hx_accel_log(a), *p = log, *last = NULL;

	a->log = (char *)log;
	while ((p = strstr(p, "accel: counters")) != NULL) {
		if (p == log || p[-1] == '\n')
			last = p;
		p++;
	}
	if (last != NULL) {
		const char *eol = strchr(last, '\n');

		a->counters_line = hx_memdup(last,
		    eol ? (size_t)(eol - last) : strlen(last));
	}
}

void
hx_accel_signal(struct hx_accel *a, int sig)
{
	if (!a->exited)
		kill(a->pid, sig);
}

int
hx_accel_stop_at(struct hx_accel *a, int sig, int ms, const char *file,
    int line)
{
	if (!a->exited) {
		kill(a->pid, sig);
		if (hx_accel_wait(a, ms) < 0) {
			hx_accel_dump_log(a, 60);
			kill(a->pid, SIGKILL);
			hx_accel_wait(a, 5000);
			hx_fail_at(file, line, "accel did not exit within %d ms "
			    "of signal %d", ms, sig);
		}
	}
	load_counters(a);
	return a->status;
}

void
hx_accel_stop_ok_at(struct hx_accel *a, const char *file, int line)
{
	int st = hx_accel_stop_at(a, SIGTERM, 15000, file, line);

	if (st != 0) {
		hx_accel_dump_log(a, 80);
		hx_fail_at(file, line, "accel exited with status %d, want 0%s", st,
		    st > 128 ? " (killed by a signal: a sanitizer abort?)" : "");
	}
	if (a->counters_line == NULL) {
		hx_accel_dump_log(a, 30);
		hx_fail_at(file, line, "accel printed no \"accel: counters\" line "
		    "at exit");
	}
	/* a malformed request reaching an origin is always accel's fault */
	for (int i = 0; i < HX_MAX_ORIGINS; i++) {
		const char *e;

		if (origins[i] == NULL)
			continue;
		e = hx_origin_errors(origins[i]);
		if (e != NULL)
			hx_fail_at(file, line, "origin :%d saw malformed traffic from "
			    "accel:\n%s", origins[i]->port, origin_describe(origins[i]));
	}
}

uint64_t
hx_counter_at(struct hx_accel *a, const char *name, const char *file, int line)
{
	const char *p;
	char *key = hx_printf(" %s=", name);

	if (a->counters_line == NULL)
		load_counters(a);
	if (a->counters_line == NULL)
		hx_fail_at(file, line, "no counters line in accel's stderr "
		    "(stop accel first)");
	p = strstr(a->counters_line, key);
	if (p == NULL)
		hx_fail_at(file, line, "counter %s absent from: %s", name,
		    a->counters_line);
	return strtoull(p + strlen(key), NULL, 10);
}

int
hx_accel_log_count(struct hx_accel *a, const char *needle)
{
	const char *log = hx_accel_log(a), *p = log;
	int n = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);

		if (memmem(p, l, needle, strlen(needle)) != NULL)
			n++;
		p += l + (eol ? 1 : 0);
	}
	return n;
}

void
hx_accel_wait_log_at(struct hx_accel *a, const char *needle, int n, int ms,
    const char *file, int line)
{
	int64_t deadline = hx_now_ms() + ms;

	for (;;) {
		if (hx_accel_log_count(a, needle) >= n)
			return;
		if (hx_now_ms() >= deadline) {
			hx_accel_dump_log(a, 40);
			hx_fail_at(file, line, "accel's stderr did not get %d "
			    "line(s) with \"%s\" within %d ms", n, needle, ms);
		}
		hx_sleep_ms(10);
	}
}

long
hx_accel_mem_kb(struct hx_accel *a, const char *field)
{
	char path[64];
	FILE *f;
	char line[256];
	long v = -1;
	size_t fl = strlen(field);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)a->pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			v = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

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
