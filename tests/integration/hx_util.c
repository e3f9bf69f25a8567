/*
 * hx_util.c: harness basics: clock, per-test allocations and cleanup
 * list, the pattern, CRC-32 and body sink, cmocka setup/teardown and the
 * watchdog.
 */
#include "tests/integration/hx_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HX_TEST_SECONDS 60

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

int
remaining_ms(int64_t deadline)
{
	int64_t r = deadline - hx_now_ms();

	if (r < 0)
		return 0;
	if (r > 1000000)
		return 1000000;
	return (int)r;
}

/* Cleanup list (struct cleanup in hx_internal.h): every hx_alloc and
 * deferred release of the running test, released in reverse order by
 * hx_teardown. */
static struct cleanup *cleanups;

struct cleanup *
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

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *
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

char *
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
char *
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

int
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

int
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

const char *
hx_vcl_file(int port, const char *body)
{
	const char *path = hx_printf("%s/test.vcl", hx_tmpdir());
	FILE *f = fopen(path, "w");

	if (f == NULL)
		HX_FAIL("cannot write %s", path);
	fprintf(f, "vcl 4.1;\n\nbackend default {\n\t.host = \"127.0.0.1\";\n"
	    "\t.port = \"%d\";\n}\n\n%s", port, body);
	if (fclose(f) != 0)
		HX_FAIL("cannot write %s", path);
	return path;
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

void
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

void
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

void
watch_add(pid_t pid)
{
	int i;

	for (i = 0; i < HX_MAX_PIDS; i++)
		if (watch_pids[i] == 0) {
			watch_pids[i] = pid;
			return;
		}
}

void
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
