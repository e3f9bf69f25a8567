/*
 * test_accelctl.c: accelctl storage against stores this test writes
 * through the disk tier's library (sto_lmdb_open, sto_insert,
 * sto_lmdb_flush), with accelctl run as a child process
 * (ACCELCTL_BIN, the sanitizer build: a leak or a crash fails the run).
 * Mostly no accel daemon: a store is a directory, accelctl reads it
 * alone; the last test checks against accel's own store (ACCEL_BIN).
 *
 * Each test reads: the store (what is in it), the command, its exit
 * status, what it printed.
 */
#include "tests/integration/harness.h"

#include "storage/sto_lmdb.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Running accelctl                                                    */

struct run {
	int status; /* exit status; 128 + N when killed by signal N */
	char *out;  /* stdout, NUL-terminated */
	size_t out_len;
	char *err;  /* stderr */
	size_t err_len;
};

/* The store every test works on, closed at teardown if still open. */
static struct sto_tier *g_tier;
/* Directory accelctl runs in (NULL: the test's). */
static const char *g_cwd;

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		HX_FAIL("open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = hx_alloc((size_t)n + 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		HX_FAIL("read %s", path);
	buf[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

/*
 * Run ACCELCTL_BIN with argv (NULL-terminated); stdout to out_fd when
 * >= 0 (a pty), else captured like stderr.
 */
static struct run *
ctl_runv(const char *file, int line, int out_fd, char **args)
{
	const char *bin = getenv("ACCELCTL_BIN");
	char *dir = hx_tmpdir(), *po = hx_printf("%s/out", dir),
	     *pe = hx_printf("%s/err", dir);
	struct run *r = hx_alloc(sizeof *r);
	int64_t t0 = hx_now_ms();
	int fo, fe, st;
	pid_t pid;

	if (bin == NULL || access(bin, X_OK) != 0)
		hx_fail_at(file, line, "ACCELCTL_BIN=%s is not an executable",
		    bin ? bin : "(unset)");
	args[0] = (char *)bin;
	fo = open(po, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fo < 0 || fe < 0)
		hx_fail_at(file, line, "open %s: %s", dir, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (dup2(out_fd >= 0 ? out_fd : fo, 1) < 0 || dup2(fe, 2) < 0 ||
		    (g_cwd != NULL && chdir(g_cwd) != 0))
			_exit(126);
		execv(bin, args);
		_exit(127);
	}
	close(fo);
	close(fe);
	if (pid < 0)
		hx_fail_at(file, line, "fork: %s", strerror(errno));
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (hx_now_ms() - t0 > 30000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			hx_fail_at(file, line, "accelctl %s: still running after "
			    "30 s", args[1] ? args[1] : "");
		}
		hx_sleep_ms(5);
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = slurp(po, &r->out_len);
	r->err = slurp(pe, &r->err_len);
	return r;
}

static struct run *
ctl_run_at(const char *file, int line, int out_fd, ...)
{
	char *args[32];
	va_list ap;
	int n = 1;

	va_start(ap, out_fd);
	while (n < 31 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	return ctl_runv(file, line, out_fd, args);
}

/* CTL("-n", dir, "storage", "ls"): run accelctl with those arguments. */
#define CTL(...) ctl_run_at(__FILE__, __LINE__, -1, __VA_ARGS__, (char *)NULL)

static void
expect_exit_at(const char *file, int line, const struct run *r, int want)
{
	if (r->status != want)
		hx_fail_at(file, line, "accelctl exited %d, want %d\n"
		    "--- stdout\n%s--- stderr\n%s---", r->status, want,
		    r->out, r->err);
}
#define EXPECT_EXIT(r, want) expect_exit_at(__FILE__, __LINE__, r, want)

/* Exit 0, nothing on stderr (no progress line either: not a tty). */
#define EXPECT_OK(r)                                                       \
	do {                                                               \
		EXPECT_EXIT(r, 0);                                         \
		if ((r)->err_len != 0)                                     \
			HX_FAIL("stderr not empty:\n%s", (r)->err);        \
	} while (0)

/* A failure: this status, nothing on stdout, one "accelctl: " line. */
static void
expect_fail_at(const char *file, int line, const struct run *r, int want)
{
	const char *nl;

	expect_exit_at(file, line, r, want);
	nl = strchr(r->err, '\n');
	if (strncmp(r->err, "accelctl: ", 10) != 0 || nl == NULL ||
	    nl[1] != '\0')
		hx_fail_at(file, line, "want one 'accelctl: ' line on stderr, "
		    "got:\n%s", r->err);
	if (r->out_len != 0)
		hx_fail_at(file, line, "stdout not empty on failure:\n%s",
		    r->out);
}
#define EXPECT_FAIL(r, want) expect_fail_at(__FILE__, __LINE__, r, want)

static void
expect_has_at(const char *file, int line, const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		hx_fail_at(file, line, "want \"%s\" in:\n%s", needle, hay);
}
#define EXPECT_HAS(hay, needle) expect_has_at(__FILE__, __LINE__, hay, needle)
#define EXPECT_NOT_HAS(hay, needle)                                         \
	do {                                                                \
		if (strstr(hay, needle) != NULL)                            \
			HX_FAIL("\"%s\" should not be in:\n%s", needle, hay); \
	} while (0)

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

static int
nlines(const char *s)
{
	return count(s, "\n");
}

/* Line i (0-based) of s, as a new string. */
static char *
line_at(const char *s, int i)
{
	const char *e;

	while (i-- > 0 && s != NULL)
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	if (s == NULL || *s == '\0')
		return hx_strdup("");
	e = strchr(s, '\n');
	return hx_memdup(s, e ? (size_t)(e - s) : strlen(s));
}

/* The number after "label" at the start of a line ("objects     8"). */
static long long
field_at(const char *file, int line, const char *out, const char *label)
{
	const char *p = out;
	size_t n = strlen(label);

	for (; p != NULL; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, label, n) == 0 && p[n] == ' ')
			return strtoll(p + n, NULL, 10);
	hx_fail_at(file, line, "no line '%s' in:\n%s", label, out);
}
#define FIELD(out, label) field_at(__FILE__, __LINE__, out, label)

/* The value of "name":N in a JSON text (the first one). */
static long long
json_num_at(const char *file, int line, const char *out, const char *name)
{
	char *pat = hx_printf("\"%s\":", name);
	const char *p = strstr(out, pat);

	if (p == NULL)
		hx_fail_at(file, line, "no %s in:\n%s", pat, out);
	return strtoll(p + strlen(pat), NULL, 10);
}
#define JSON_NUM(out, name) json_num_at(__FILE__, __LINE__, out, name)

/* The value of the first "name":"..." in a JSON text. */
static char *
json_str_at(const char *file, int line, const char *out, const char *name)
{
	char *pat = hx_printf("\"%s\":\"", name);
	const char *p = strstr(out, pat), *e;

	if (p == NULL)
		hx_fail_at(file, line, "no %s in:\n%s", pat, out);
	p += strlen(pat);
	e = strchr(p, '"');
	return hx_memdup(p, (size_t)(e - p));
}
#define JSON_STR(out, name) json_str_at(__FILE__, __LINE__, out, name)

/* ------------------------------------------------------------------ */
/* Writing stores through the library                                  */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Body byte i of the body seeded with seed: every byte is checkable and
 * a 64-byte window of one body is found nowhere else. */
static uint8_t
body_byte(unsigned seed, size_t i)
{
	uint64_t x = ((uint64_t)seed << 40 ^ i) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	return (uint8_t)(x >> 56);
}

static uint8_t *
body_make(unsigned seed, size_t len)
{
	uint8_t *b = hx_alloc(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = body_byte(seed, i);
	return b;
}

/* One object to store: (host, path) and what the fetch would have set. */
struct put {
	const char *host, *path;
	unsigned status;
	const char *hdrs;
	size_t body_len;
	unsigned seed;  /* body bytes: body_byte(seed, i) */
	double age;     /* t_resp = now - age */
	double ttl, grace, keep;
	const char *etag, *lastmod;
	const char *vary_names, *vary_vals;
};

static struct sto_tier *
store_open(const char *dir)
{
	struct sto_lmdb_conf lc;
	struct sto_tier *t;
	char err[256] = "";
	int r;

	sto_lmdb_conf_default(&lc);
	snprintf(lc.lc_dir, sizeof lc.lc_dir, "%s", dir);
	lc.lc_mapsize = (size_t)64 << 20;
	lc.lc_sync = 0;
	r = sto_lmdb_open(&t, &lc, err, sizeof err);
	if (r != 0)
		HX_FAIL("sto_lmdb_open %s: %s (%s)", dir, sto_strerror(r), err);
	return t;
}

static void
hin(const char *host, const char *path, uint8_t *buf, size_t cap,
    size_t *len, struct sto_key *k)
{
	struct sto_hashin hi;

	sto_hashin_init(&hi, buf, cap);
	sto_hashin_add(&hi, host, strlen(host));
	sto_hashin_add(&hi, path, strlen(path));
	assert_false(hi.hi_overflow);
	*len = hi.hi_len;
	sto_key_make(k, buf, *len);
}

/* Build p's object and queue it (call store_flush to have it written). */
static void
put_at(const char *file, int line, struct sto_tier *t, const struct put *p)
{
	uint8_t hb[512], *body = body_make(p->seed, p->body_len);
	struct sto_obj *o;
	struct sto_key k;
	double now = now_s();
	size_t hl;
	int r;

	hin(p->host, p->path, hb, sizeof hb, &hl, &k);
	if ((r = sto_obj_new(&o, &k, hb, hl)) != 0)
		hx_fail_at(file, line, "sto_obj_new: %s", sto_strerror(r));
	o->o_status = (uint16_t)(p->status ? p->status : 200);
	o->o_t_resp = now - p->age;
	o->o_t_req = o->o_t_resp - 0.01;
	o->o_ttl = p->ttl;
	o->o_grace = (float)p->grace;
	o->o_keep = (float)p->keep;
	o->o_content_length = (int64_t)p->body_len;
	r = sto_obj_set_hdrs(o, p->hdrs ? p->hdrs : "", p->hdrs ?
	    strlen(p->hdrs) : 0);
	if (r == 0 && p->etag)
		r = sto_obj_set_etag(o, p->etag, strlen(p->etag));
	if (r == 0 && p->lastmod)
		r = sto_obj_set_lastmod(o, p->lastmod, strlen(p->lastmod));
	if (r == 0 && p->vary_names)
		r = sto_obj_set_vary(o, p->vary_names, strlen(p->vary_names),
		    p->vary_vals, strlen(p->vary_vals));
	if (r == 0 && p->body_len > 0)
		r = sto_obj_append(o, body, p->body_len);
	if (r == 0)
		r = sto_obj_finish(o, 1);
	if (r == 0)
		r = sto_insert(t, o);
	sto_obj_deref(&o);
	if (r != 0)
		hx_fail_at(file, line, "storing %s%s: %s", p->host, p->path,
		    sto_strerror(r));
}
#define PUT(t, ...) put_at(__FILE__, __LINE__, t, &(struct put){__VA_ARGS__})

static void
store_flush(struct sto_tier *t)
{
	int r = sto_lmdb_flush(t);

	if (r != 0)
		HX_FAIL("sto_lmdb_flush: %s", sto_strerror(r));
}

/* A lookup through the tier: counts a hit on disk. 0 or ENOENT. */
static int
lookup(struct sto_tier *t, const char *host, const char *path)
{
	uint8_t hb[512];
	struct sto_obj *o = NULL;
	struct sto_key k;
	size_t hl;
	int r;

	hin(host, path, hb, sizeof hb, &hl, &k);
	r = sto_lookup(t, &k, hb, hl, NULL, NULL, &o);
	if (o != NULL)
		sto_obj_deref(&o);
	return r;
}

#define LOGO_LEN 200000 /* four chunks */
#define API_LEN 50

/*
 * The store most tests use, in STATE/store (accel's -n STATE): seven
 * objects on two hosts; an expired one, two Vary variants of one URL,
 * and two hits on icon.png.
 */
static char *
populate(void)
{
	char *state = hx_tmpdir(), *dir = hx_printf("%s/store", state);

	g_tier = store_open(dir);
	PUT(g_tier, .host = "a.example", .path = "/",
	    .hdrs = "Content-Type: text/html; charset=utf-8\r\n",
	    .body_len = 17, .seed = 1, .ttl = 3600);
	PUT(g_tier, .host = "a.example", .path = "/img/logo.png",
	    .hdrs = "Content-Type: image/png\r\nCache-Control: max-age=86400"
		    "\r\n",
	    .body_len = LOGO_LEN, .seed = 2, .ttl = 86400);
	PUT(g_tier, .host = "a.example", .path = "/img/icon.png",
	    .hdrs = "Content-Type: IMAGE/PNG\r\n", .body_len = 3000,
	    .seed = 3, .ttl = 600);
	PUT(g_tier, .host = "a.example", .path = "/missing", .status = 404,
	    .hdrs = "Content-Type: text/html\r\n", .body_len = 10, .seed = 4,
	    .ttl = 60);
	/* stale for 90 s, kept an hour for revalidation: expired, alive */
	PUT(g_tier, .host = "b.example:8080", .path = "/old", .status = 301,
	    .hdrs = "Location: /new\r\n", .age = 100, .ttl = 10,
	    .keep = 3600);
	PUT(g_tier, .host = "b.example:8080", .path = "/api?q=1",
	    .hdrs = "Content-Type: application/json\r\nETag: \"v1\"\r\n"
		    "Vary: Accept-Encoding\r\n",
	    .body_len = API_LEN, .seed = 6, .ttl = 300, .etag = "\"v1\"",
	    .lastmod = "Sun, 06 Nov 1994 08:49:37 GMT",
	    .vary_names = "accept-encoding\n", .vary_vals = "=gzip\n");
	PUT(g_tier, .host = "b.example:8080", .path = "/api?q=1",
	    .hdrs = "Content-Type: application/json\r\nETag: \"v1\"\r\n"
		    "Vary: Accept-Encoding\r\n",
	    .body_len = API_LEN, .seed = 7, .ttl = 300, .etag = "\"v1\"",
	    .vary_names = "accept-encoding\n", .vary_vals = "=br\n");
	store_flush(g_tier);
	assert_int_equal(lookup(g_tier, "a.example", "/img/icon.png"), 0);
	assert_int_equal(lookup(g_tier, "a.example", "/img/icon.png"), 0);
	store_flush(g_tier);
	sto_tier_close(&g_tier);
	return state;
}

#define N_POPULATED 7

/* ------------------------------------------------------------------ */
/* stat                                                                */

static void
stat_counts(void **state)
{
	char *st = populate();
	struct run *r;

	/* one that dies a second after it is written (the writer does not
	 * write what is dead already) */
	g_tier = store_open(hx_printf("%s/store", st));
	PUT(g_tier, .host = "b.example:8080", .path = "/dead",
	    .hdrs = "Content-Type: text/plain\r\n", .body_len = 5, .seed = 8,
	    .ttl = 1);
	store_flush(g_tier);
	sto_tier_close(&g_tier);
	hx_sleep_ms(2500);

	r = CTL("-n", st, "storage", "stat");
	EXPECT_OK(r);
	assert_int_equal(FIELD(r->out, "objects"), N_POPULATED + 1);
	assert_int_equal(FIELD(r->out, "format"), 1);
	assert_int_equal(FIELD(r->out, "expired"), 2); /* /old, /dead */
	assert_int_equal(FIELD(r->out, "dead"), 1);
	if (FIELD(r->out, "hits") < 1)
		HX_FAIL("two lookups, no hit counted:\n%s", r->out);
	EXPECT_HAS(r->out, "\n200     6\n");
	EXPECT_HAS(r->out, "\n301     1\n");
	EXPECT_HAS(r->out, "\n404     1\n");
	/* media types lower-cased, parameters dropped, none counted */
	EXPECT_HAS(r->out, "\nimage/png ");
	EXPECT_HAS(r->out, "\ntext/html ");
	EXPECT_HAS(r->out, "\n(none) ");
	EXPECT_NOT_HAS(r->out, "charset");

	r = CTL("-n", st, "storage", "stat", "--json");
	EXPECT_OK(r);
	assert_int_equal(JSON_NUM(r->out, "objects"), N_POPULATED + 1);
	/* body bytes per chunk: the default 64 KiB record less 24 */
	assert_int_equal(JSON_NUM(r->out, "chunk_size"), 65536 - 24);
	assert_int_equal(JSON_NUM(r->out, "expired"), 2);
	assert_int_equal(JSON_NUM(r->out, "dead"), 1);
	if (JSON_NUM(r->out, "record_bytes") < LOGO_LEN)
		HX_FAIL("record bytes below the logo's body:\n%s", r->out);
	if (JSON_NUM(r->out, "pages_used") <= 0 ||
	    JSON_NUM(r->out, "pages_max") < JSON_NUM(r->out, "pages_used"))
		HX_FAIL("pages:\n%s", r->out);
	EXPECT_HAS(r->out, "\"by_status\":{\"200\":6,\"301\":1,\"404\":1}");
	EXPECT_HAS(r->out, "{\"type\":\"image/png\",\"objects\":2}");
	EXPECT_HAS(r->out, "{\"type\":\"application/json\",\"objects\":2}");
	assert_int_equal(nlines(r->out), 1);
}

/* A store with nothing in it: zeros, an empty list, a clean verify. */
static void
empty_store(void **state)
{
	char *st = hx_tmpdir();
	struct run *r;

	g_tier = store_open(hx_printf("%s/store", st));
	sto_tier_close(&g_tier);
	r = CTL("-n", st, "storage", "stat");
	EXPECT_OK(r);
	assert_int_equal(FIELD(r->out, "objects"), 0);
	r = CTL("-n", st, "storage", "ls");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 1); /* the header */
	r = CTL("-n", st, "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_string_equal(r->out, "[]\n");
	r = CTL("-n", st, "storage", "verify");
	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 0 objects, 0 bad\n");
	EXPECT_FAIL(CTL("-n", st, "storage", "show", "http://a.example/"), 1);
	EXPECT_FAIL(CTL("-n", st, "storage", "rm", "http://a.example/"), 1);
}

/* ------------------------------------------------------------------ */
/* ls                                                                  */

static void
ls_lists_filters_sorts(void **state)
{
	char *st = populate();
	struct run *r = CTL("-n", st, "storage", "ls");
	regex_t re;

	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 1 + N_POPULATED);
	EXPECT_HAS(line_at(r->out, 0), "URL");
	EXPECT_HAS(r->out, "http://a.example/img/logo.png ");
	EXPECT_HAS(r->out, "http://b.example:8080/api?q=1 ");
	assert_int_equal(count(r->out, "http://b.example:8080/api?q=1 "), 2);

	r = CTL("-n", st, "storage", "ls", "--prefix", "http://a.example/img/");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 3);
	EXPECT_HAS(r->out, "/img/logo.png");
	EXPECT_HAS(r->out, "/img/icon.png");

	r = CTL("-n", st, "storage", "ls", "--regex", "\\.png$");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 3);
	r = CTL("-n", st, "storage", "ls", "--regex", "^http://b\\.example:8080/");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 4);
	r = CTL("-n", st, "storage", "ls", "--regex", "^http://a", "--prefix",
	    "http://a.example/m");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 2);
	EXPECT_HAS(r->out, "/missing");

	/* size and hits: largest first; ttl: least left first */
	r = CTL("-n", st, "storage", "ls", "--sort", "size", "--limit", "1");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 2);
	EXPECT_HAS(line_at(r->out, 1), "http://a.example/img/logo.png ");
	EXPECT_HAS(line_at(r->out, 1), " 200000 ");
	r = CTL("-n", st, "storage", "ls", "--sort", "hits", "--limit", "1");
	EXPECT_OK(r);
	EXPECT_HAS(line_at(r->out, 1), "http://a.example/img/icon.png ");
	r = CTL("-n", st, "storage", "ls", "--sort", "ttl", "--limit", "2");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 3);
	EXPECT_HAS(line_at(r->out, 1), "http://b.example:8080/old ");
	EXPECT_HAS(line_at(r->out, 1), " -9"); /* stale by about 90 s */
	EXPECT_HAS(line_at(r->out, 2), "http://a.example/missing ");
	r = CTL("-n", st, "storage", "ls", "--sort", "url");
	EXPECT_OK(r);
	EXPECT_HAS(line_at(r->out, 1), "http://a.example/ ");
	EXPECT_HAS(line_at(r->out, 2), "http://a.example/img/icon.png ");
	EXPECT_HAS(line_at(r->out, 3), "http://a.example/img/logo.png ");
	EXPECT_HAS(line_at(r->out, 4), "http://a.example/missing ");
	EXPECT_HAS(line_at(r->out, 7), "http://b.example:8080/old ");
	r = CTL("-n", st, "storage", "ls", "--limit", "3");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 4);

	/* JSON: one object per stored object, each with a 32-hex key */
	r = CTL("-n", st, "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "{\"url\":"), N_POPULATED);
	assert_int_equal(count(r->out, "\"status\":"), N_POPULATED);
	assert_int_equal(count(r->out, "\"hits\":"), N_POPULATED);
	assert_int_equal(regcomp(&re, "\"key\":\"[0-9a-f]{32}\",\"id\":[0-9]+,",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, r->out, 0, NULL, 0), 0);
	regfree(&re);
	EXPECT_HAS(r->out, "\"url\":\"http://a.example/img/logo.png\"");
	EXPECT_HAS(r->out, "\"status\":404,\"size\":10,");
	assert_int_equal(r->out[0], '[');
	r = CTL("-n", st, "storage", "ls", "--json", "--sort", "size",
	    "--limit", "2");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "{\"url\":"), 2);
	assert_int_equal(JSON_NUM(r->out, "size"), LOGO_LEN);
	r = CTL("-n", st, "storage", "ls", "--json", "--prefix", "http://none/");
	EXPECT_OK(r);
	assert_string_equal(r->out, "[]\n");
}

/* ------------------------------------------------------------------ */
/* show                                                                */

static void
show_metadata_and_headers(void **state)
{
	char *st = populate(), *key, *id;
	struct run *r = CTL("-n", st, "storage", "show",
	    "http://a.example/img/icon.png");

	EXPECT_OK(r);
	EXPECT_HAS(r->out, "url             http://a.example/img/icon.png\n");
	EXPECT_HAS(r->out, "status          200\n");
	EXPECT_HAS(r->out, "body            3000 bytes\n");
	EXPECT_HAS(r->out, "chunk size      65512\n");
	EXPECT_HAS(r->out, "ttl             600 s\n");
	EXPECT_HAS(r->out, "\nheaders\n  Content-Type: IMAGE/PNG\n");
	EXPECT_HAS(r->out, " GMT\n"); /* times as HTTP dates */
	if (FIELD(r->out, "hits") < 1)
		HX_FAIL("hits:\n%s", r->out);
	key = line_at(strstr(r->out, "key "), 0) + 16;
	id = line_at(strstr(r->out, "\nid ") + 1, 0) + 16;

	/* the key names the same object; a URL without a path is "/" */
	r = CTL("-n", st, "storage", "show", key);
	EXPECT_OK(r);
	EXPECT_HAS(r->out, hx_printf("\nid              %s\n", id));
	EXPECT_HAS(r->out, "http://a.example/img/icon.png");
	r = CTL("-n", st, "storage", "show", "http://a.example");
	EXPECT_OK(r);
	EXPECT_HAS(r->out, "url             http://a.example/\n");
	EXPECT_HAS(r->out, "Content-Type: text/html; charset=utf-8");

	/* both variants, with their Vary values and validators */
	r = CTL("-n", st, "storage", "show", "http://b.example:8080/api?q=1");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "\nid "), 2);
	EXPECT_HAS(r->out, "vary            accept-encoding: gzip\n");
	EXPECT_HAS(r->out, "vary            accept-encoding: br\n");
	EXPECT_HAS(r->out, "etag            \"v1\"\n");
	EXPECT_HAS(r->out, "last-modified   Sun, 06 Nov 1994 08:49:37 GMT\n");
	r = CTL("-n", st, "storage", "show", "--json",
	    "http://b.example:8080/api?q=1");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "{\"url\":"), 2);
	EXPECT_HAS(r->out, "\"vary\":[{\"name\":\"accept-encoding\","
	    "\"value\":\"gzip\"}]");
	EXPECT_HAS(r->out, "\"etag\":\"\\\"v1\\\"\"");
	EXPECT_HAS(r->out, "\"headers\":[\"Content-Type: application/json\","
	    "\"ETag: \\\"v1\\\"\",\"Vary: Accept-Encoding\"]");
	assert_int_equal(JSON_NUM(r->out, "size"), API_LEN);
	assert_int_equal(strlen(JSON_STR(r->out, "key")), 32);

	/* nothing there: exit 1, one line */
	EXPECT_FAIL(CTL("-n", st, "storage", "show", "http://a.example/nope"),
	    1);
	EXPECT_FAIL(CTL("-n", st, "storage", "show",
	    "00000000000000000000000000000000"), 1);
	EXPECT_FAIL(CTL("-n", st, "storage", "show", "http://A.example/"), 1);
}

static void
show_body_bytes(void **state)
{
	char *st = populate(), *id;
	uint8_t *want = body_make(2, LOGO_LEN);
	struct run *r = CTL("-n", st, "storage", "show", "--body",
	    "http://a.example/img/logo.png");

	EXPECT_OK(r);
	assert_int_equal(r->out_len, LOGO_LEN);
	assert_memory_equal(r->out, want, LOGO_LEN);

	/* two variants: --body needs --id */
	EXPECT_FAIL(CTL("-n", st, "storage", "show", "--body",
	    "http://b.example:8080/api?q=1"), 2);
	r = CTL("-n", st, "storage", "show", "--json",
	    "http://b.example:8080/api?q=1");
	EXPECT_OK(r);
	/* the first variant listed is one of the two bodies */
	id = hx_printf("%lld", JSON_NUM(r->out, "id"));
	r = CTL("-n", st, "storage", "show", "--body", "--id", id,
	    "http://b.example:8080/api?q=1");
	EXPECT_OK(r);
	assert_int_equal(r->out_len, API_LEN);
	if (memcmp(r->out, body_make(6, API_LEN), API_LEN) != 0 &&
	    memcmp(r->out, body_make(7, API_LEN), API_LEN) != 0)
		HX_FAIL("--id %s: not one of the variants' bodies", id);

	/* an empty body is zero bytes, exit 0 */
	r = CTL("-n", st, "storage", "show", "--body", "http://b.example:8080/old");
	EXPECT_OK(r);
	assert_int_equal(r->out_len, 0);
}

/* --body to a terminal: refused unless --force, like curl. */
static void
show_body_refuses_terminal(void **state)
{
	char *st = populate();
	int m, s;
	struct run *r;

	if (openpty(&m, &s, NULL, NULL, NULL) != 0)
		HX_FAIL("openpty: %s", strerror(errno));
	r = ctl_run_at(__FILE__, __LINE__, s, "-n", st, "storage", "show",
	    "--body", "http://a.example/missing", (char *)NULL);
	EXPECT_EXIT(r, 2);
	EXPECT_HAS(r->err, "terminal");
	r = ctl_run_at(__FILE__, __LINE__, s, "-n", st, "storage", "show",
	    "--body", "--force", "http://a.example/missing", (char *)NULL);
	EXPECT_OK(r);
	close(s);
	close(m);
}

/* ------------------------------------------------------------------ */
/* verify                                                              */

/* Flip one byte in every copy of want[0..len) in data.mdb (LMDB may
 * keep an old copy of a page in its free list). */
static void
corrupt_bytes(const char *st, const void *want, size_t wlen)
{
	char *path = hx_printf("%s/store/data.mdb", st);
	size_t len, off;
	char *file = slurp(path, &len), *p;
	int fd = open(path, O_WRONLY), n = 0;
	uint8_t b;

	if (fd < 0)
		HX_FAIL("open %s: %s", path, strerror(errno));
	for (p = file; (p = memmem(p, len - (size_t)(p - file), want, wlen)) !=
	    NULL; p += wlen) {
		off = (size_t)(p - file) + wlen / 2;
		b = (uint8_t)(file[off] ^ 0x40);
		if (pwrite(fd, &b, 1, (off_t)off) != 1)
			HX_FAIL("pwrite: %s", strerror(errno));
		n++;
	}
	close(fd);
	if (n == 0)
		HX_FAIL("%.*s... is not in %s", 8, (const char *)want, path);
}

/* The logo's body bytes [70000, 70064): inside its second chunk. */
static void
corrupt_logo(const char *st)
{
	corrupt_bytes(st, body_make(2, LOGO_LEN) + 70000, 64);
}

static void
verify_finds_and_repairs(void **state)
{
	char *st = populate();
	struct run *r = CTL("-n", st, "storage", "verify");

	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 7 objects, 0 bad\n");

	corrupt_logo(st);
	r = CTL("-n", st, "storage", "verify");
	EXPECT_EXIT(r, 1);
	EXPECT_HAS(r->out, "bad http://a.example/img/logo.png (id ");
	EXPECT_HAS(r->out, "checksum");
	EXPECT_HAS(r->out, "\nchecked 7 objects, 1 bad\n");
	assert_int_equal(nlines(r->out), 2);
	/* ls reads no chunk: the object is still listed */
	r = CTL("-n", st, "storage", "ls", "--prefix", "http://a.example/img/l");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 2);
	/* and its body is refused, not served */
	r = CTL("-n", st, "storage", "show", "--body",
	    "http://a.example/img/logo.png");
	EXPECT_EXIT(r, 1);
	EXPECT_HAS(r->err, "accelctl: ");

	r = CTL("-n", st, "storage", "verify", "--repair");
	EXPECT_OK(r);
	EXPECT_HAS(r->out, "removed http://a.example/img/logo.png (id ");
	EXPECT_HAS(r->out, "checked 7 objects, 1 bad, 1 removed\n");

	r = CTL("-n", st, "storage", "verify");
	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 6 objects, 0 bad\n");
	r = CTL("-n", st, "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "{\"url\":"), 6);
	EXPECT_NOT_HAS(r->out, "logo.png");
	EXPECT_HAS(r->out, "icon.png");
}

/* A metadata record that fails its check: listed by key, never used. */
static void
verify_corrupt_metadata(void **state)
{
	char *st = populate(), *key;
	const char *hdr = "Content-Type: text/html; charset=utf-8";
	struct run *r = CTL("-n", st, "storage", "ls", "--json", "--prefix",
	    "http://a.example/", "--sort", "url", "--limit", "1");

	EXPECT_OK(r);
	key = JSON_STR(r->out, "key");
	corrupt_bytes(st, hdr, strlen(hdr)); /* only "/" has this header */

	r = CTL("-n", st, "storage", "verify");
	EXPECT_EXIT(r, 1);
	EXPECT_HAS(r->out, hx_printf("bad key %s (id ", key));
	EXPECT_HAS(r->out, "metadata");
	EXPECT_HAS(r->out, "\nchecked 7 objects, 1 bad\n");
	/* ls lists the others and says why one is missing */
	r = CTL("-n", st, "storage", "ls");
	EXPECT_EXIT(r, 0);
	assert_int_equal(nlines(r->out), N_POPULATED);
	EXPECT_HAS(r->err, "accelctl: ls: 1 object not listed");
	assert_int_equal(nlines(r->err), 1);
	r = CTL("-n", st, "storage", "stat", "--json");
	EXPECT_OK(r);
	assert_int_equal(JSON_NUM(r->out, "corrupt"), 1);
	/* by key: shown as corrupt; by URL: not found, with a hint */
	r = CTL("-n", st, "storage", "show", key);
	EXPECT_OK(r);
	EXPECT_HAS(r->out, "corrupt ");
	r = CTL("-n", st, "storage", "show", "http://a.example/");
	EXPECT_FAIL(r, 1);
	EXPECT_HAS(r->err, "verify");
	EXPECT_FAIL(CTL("-n", st, "storage", "show", "--body", key), 1);

	r = CTL("-n", st, "storage", "verify", "--repair");
	EXPECT_OK(r);
	EXPECT_HAS(r->out, hx_printf("removed key %s (id ", key));
	r = CTL("-n", st, "storage", "verify");
	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 6 objects, 0 bad\n");
}

/* ------------------------------------------------------------------ */
/* rm                                                                  */

static void
rm_url_and_key(void **state)
{
	char *st = populate(), *key;
	struct run *r = CTL("-n", st, "storage", "rm", "http://a.example/missing");

	EXPECT_OK(r);
	assert_string_equal(r->out, "removed 1 object\n");
	r = CTL("-n", st, "storage", "ls");
	EXPECT_OK(r);
	EXPECT_NOT_HAS(r->out, "/missing");
	assert_int_equal(nlines(r->out), N_POPULATED);
	EXPECT_FAIL(CTL("-n", st, "storage", "rm", "http://a.example/missing"),
	    1);

	/* a URL takes every variant */
	r = CTL("-n", st, "storage", "rm", "http://b.example:8080/api?q=1");
	EXPECT_OK(r);
	assert_string_equal(r->out, "removed 2 objects\n");

	/* KEY form, as ls --json prints it */
	r = CTL("-n", st, "storage", "ls", "--json", "--prefix",
	    "http://a.example/img/icon");
	EXPECT_OK(r);
	key = JSON_STR(r->out, "key");
	r = CTL("-n", st, "storage", "rm", key);
	EXPECT_OK(r);
	assert_string_equal(r->out, "removed 1 object\n");
	EXPECT_FAIL(CTL("-n", st, "storage", "show", key), 1);
	r = CTL("-n", st, "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_int_equal(count(r->out, "{\"url\":"), N_POPULATED - 4);
	r = CTL("-n", st, "storage", "verify");
	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 3 objects, 0 bad\n");
}

/* ------------------------------------------------------------------ */
/* Finding the store, the command line                                  */

/* The "ttl":N fields out, so two listings a second apart compare. */
static char *
no_ttl(const char *json)
{
	char *s = hx_strdup(json), *p, *q;

	while ((p = strstr(s, "\"ttl\":")) != NULL) {
		q = p + 6;
		while (*q == '-' || (*q >= '0' && *q <= '9'))
			q++;
		memmove(p, q, strlen(q) + 1);
	}
	return s;
}

static void
n_and_s_find_the_same_store(void **state)
{
	char *st = populate(), *want, *dir = hx_printf("%s/store", st);
	struct run *r = CTL("-n", st, "storage", "ls", "--json");

	EXPECT_OK(r);
	want = no_ttl(r->out);
	assert_int_equal(count(want, "{\"url\":"), N_POPULATED);
	r = CTL("-s", hx_printf("lmdb=%s", dir), "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_string_equal(no_ttl(r->out), want);
	/* accel's full spec; after the command; mem= is accel's own */
	r = CTL("storage", "ls", "--json", "-s", "mem=64M", "-s",
	    hx_printf("lmdb=%s,64M,sync=off", dir));
	EXPECT_OK(r);
	assert_string_equal(no_ttl(r->out), want);
	/* -s lmdb= wins over -n */
	r = CTL("-n", "/nonexistent", "-s", hx_printf("lmdb=%s", dir),
	    "storage", "ls", "--json");
	EXPECT_OK(r);
	assert_string_equal(no_ttl(r->out), want);
	/* the default state directory is ./var */
	g_cwd = hx_tmpdir();
	assert_int_equal(rename(st, hx_printf("%s/var", g_cwd)), 0);
	r = CTL("storage", "ls", "--json");
	g_cwd = NULL;
	EXPECT_OK(r);
	assert_string_equal(no_ttl(r->out), want);
}

static void
missing_store_fails(void **state)
{
	char *d = hx_tmpdir(), *junk = hx_printf("%s/junk", d);
	struct stat sb;
	FILE *f;

	EXPECT_FAIL(CTL("-n", "/nonexistent/accel", "storage", "stat"), 1);
	EXPECT_FAIL(CTL("-n", "/nonexistent/accel", "storage", "ls"), 1);
	EXPECT_FAIL(CTL("-n", "/nonexistent/accel", "storage", "verify",
	    "--repair"), 1);
	/* a directory without a store: not created behind the user */
	EXPECT_FAIL(CTL("-n", d, "storage", "stat"), 1);
	EXPECT_FAIL(CTL("-n", d, "storage", "rm", "http://a/"), 1);
	if (stat(hx_printf("%s/store", d), &sb) == 0)
		HX_FAIL("accelctl created %s/store", d);
	EXPECT_FAIL(CTL("-s", hx_printf("lmdb=%s/s", d), "storage", "ls"), 1);
	if (stat(hx_printf("%s/s", d), &sb) == 0)
		HX_FAIL("accelctl created %s/s", d);
	assert_int_equal(mkdir(hx_printf("%s/empty", d), 0755), 0);
	EXPECT_FAIL(CTL("-s", hx_printf("lmdb=%s/empty", d), "storage", "ls"),
	    1);
	if (stat(hx_printf("%s/empty/data.mdb", d), &sb) == 0)
		HX_FAIL("accelctl created a store in %s/empty", d);
	/* not a store at all */
	assert_int_equal(mkdir(junk, 0755), 0);
	f = fopen(hx_printf("%s/data.mdb", junk), "w");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)
		fputs("not an lmdb file ", f);
	fclose(f);
	EXPECT_FAIL(CTL("-s", hx_printf("lmdb=%s", junk), "storage", "stat"),
	    1);
	EXPECT_FAIL(CTL("-s", hx_printf("lmdb=%s", junk), "storage", "verify"),
	    1);
}

static void
usage_errors_exit_2(void **state)
{
	/* checked before any store is looked for: /nonexistent is never
	 * reached */
	static const char *const cases[][6] = {
	    {NULL},
	    {"-n", "/nonexistent", NULL},
	    {"bogus", NULL},
	    {"stat", NULL},
	    {"-x", "storage", "stat", NULL},
	    {"-n", NULL},
	    {"storage", NULL},
	    {"storage", "bogus", NULL},
	    {"storage", "ls", "--bogus", NULL},
	    {"storage", "ls", "--sort", "nope", NULL},
	    {"storage", "ls", "--sort", NULL},
	    {"storage", "ls", "--limit", "x", NULL},
	    {"storage", "ls", "--limit", "0", NULL},
	    {"storage", "ls", "--limit", "-3", NULL},
	    {"storage", "ls", "--regex", "(", NULL},
	    {"storage", "ls", "extra", NULL},
	    {"storage", "stat", "--json=1", NULL},
	    {"storage", "show", NULL},
	    {"storage", "show", "nothex", NULL},
	    {"storage", "show", "0123abc", NULL},
	    {"storage", "show", "0123456789abcdef0123456789abcdeg", NULL},
	    {"storage", "show", "ftp://a/b", NULL},
	    {"storage", "show", "http://a/", "http://b/", NULL},
	    {"storage", "show", "--id", "x", "http://a/", NULL},
	    {"storage", "show", "--body", "--json", "http://a/", NULL},
	    {"storage", "rm", NULL},
	    {"storage", "rm", "/path", NULL},
	    {"storage", "verify", "--repair", "x", NULL},
	    {"-s", "lmdb=", "storage", "stat", NULL},
	    {"-s", "lmdb=off", "storage", "stat", NULL},
	    {"-s", "nope=1", "storage", "stat", NULL},
	};
	char *args[16];
	unsigned i, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		args[1] = "-n";
		args[2] = "/nonexistent";
		for (n = 0; cases[i][n] != NULL; n++)
			args[3 + n] = (char *)cases[i][n];
		args[3 + n] = NULL;
		print_message("accelctl");
		for (n = 1; args[n] != NULL; n++)
			print_message(" %s", args[n]);
		print_message("\n");
		EXPECT_FAIL(ctl_runv(__FILE__, __LINE__, -1, args), 2);
	}
}

static void
help_exits_0(void **state)
{
	static const char *const cases[][4] = {
	    {"--help", NULL},
	    {"-h", NULL},
	    {"storage", "--help", NULL},
	    {"storage", "-h", NULL},
	    {"storage", "stat", "--help", NULL},
	    {"storage", "ls", "--help", NULL},
	    {"storage", "show", "--help", NULL},
	    {"storage", "verify", "-h", NULL},
	    {"storage", "rm", "--help", NULL},
	};
	char *args[16];
	unsigned i, n;
	struct run *r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		args[1] = "-n";
		args[2] = "/nonexistent";
		for (n = 0; cases[i][n] != NULL; n++)
			args[3 + n] = (char *)cases[i][n];
		args[3 + n] = NULL;
		r = ctl_runv(__FILE__, __LINE__, -1, args);
		EXPECT_OK(r);
		EXPECT_HAS(r->out, "usage: accelctl");
	}
	r = CTL("storage", "rm", "--help");
	EXPECT_HAS(r->out, "PURGE");
	r = CTL("storage", "ls", "--help");
	EXPECT_HAS(r->out, "--sort");
	EXPECT_HAS(r->out, "--regex");
}

/* ------------------------------------------------------------------ */
/* A live store: accelctl beside a process that keeps writing          */

struct writer {
	struct sto_tier *t;
	int from, to;
	int failed;
};

static void *
writer_main(void *priv)
{
	struct writer *w = priv;
	uint8_t hb[512], body[700];
	struct sto_obj *o;
	struct sto_key k;
	char path[32];
	size_t hl;
	int i;

	memset(body, 'x', sizeof body);
	for (i = w->from; i < w->to; i++) {
		snprintf(path, sizeof path, "/live/%d", i);
		hin("live.example", path, hb, sizeof hb, &hl, &k);
		if (sto_obj_new(&o, &k, hb, hl) != 0) {
			w->failed++;
			continue;
		}
		o->o_status = 200;
		o->o_t_resp = now_s();
		o->o_t_req = o->o_t_resp;
		o->o_ttl = 600;
		o->o_content_length = sizeof body;
		if (sto_obj_set_hdrs(o, "Content-Type: text/plain\r\n", 26) ||
		    sto_obj_append(o, body, sizeof body) ||
		    sto_obj_finish(o, 1) || sto_insert(w->t, o))
			w->failed++;
		sto_obj_deref(&o);
		if (i % 20 == 0)
			hx_sleep_ms(2);
	}
	return NULL;
}

static void
live_store(void **state)
{
	char *st = hx_tmpdir();
	struct writer w = {0};
	pthread_t th;
	struct run *r;
	long long n;
	int i;

	g_tier = store_open(hx_printf("%s/store", st));
	w.t = g_tier;
	w.to = 20;
	writer_main(&w);
	store_flush(g_tier);
	r = CTL("-n", st, "storage", "stat", "--json");
	EXPECT_OK(r);
	assert_int_equal(JSON_NUM(r->out, "objects"), 20);

	/* readers while the writer commits batch after batch */
	w.from = 20;
	w.to = 620;
	assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
	for (i = 0; i < 3; i++) {
		r = CTL("-n", st, "storage", "ls", "--json");
		EXPECT_OK(r);
		n = count(r->out, "{\"url\":");
		if (n < 20 || n > 620)
			HX_FAIL("ls saw %lld objects of 20..620", n);
		r = CTL("-n", st, "storage", "verify");
		EXPECT_OK(r);
	}
	r = CTL("-n", st, "storage", "show", "http://live.example/live/3");
	EXPECT_OK(r);
	pthread_join(th, NULL);
	assert_int_equal(w.failed, 0);
	store_flush(g_tier);
	r = CTL("-n", st, "storage", "stat", "--json");
	EXPECT_OK(r);
	assert_int_equal(JSON_NUM(r->out, "objects"), 620);

	/* rm beside the open store: its next lookup no longer finds it */
	assert_int_equal(lookup(g_tier, "live.example", "/live/7"), 0);
	r = CTL("-n", st, "storage", "rm", "http://live.example/live/7");
	EXPECT_OK(r);
	assert_string_equal(r->out, "removed 1 object\n");
	assert_int_equal(lookup(g_tier, "live.example", "/live/7"), ENOENT);
	store_flush(g_tier);
	sto_tier_close(&g_tier);
	r = CTL("-n", st, "storage", "verify");
	EXPECT_OK(r);
	assert_string_equal(r->out, "checked 619 objects, 0 bad\n");
}

/* ------------------------------------------------------------------ */
/* With accel: the URLs accelctl names are the keys accel stores under */

static void
accel_store_urls_match(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port), *b;
	struct hx_conn *c = hx_connect(a->port);
	const char *st = hx_printf("%s/state", a->dir);
	struct hx_resp *resp;
	struct run *r;
	int n;

	hx_origin_default(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Cache-Control: max-age=3600\r\nContent-Type: text/x-test\r\n"
	    "Content-Length: 5\r\n\r\nhello"});
	/* the Host as sent, port and case kept; absolute-form's authority
	 * wins over Host */
	resp = hx_request(c, "GET /a?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\n"
	    "\r\n");
	HX_ASSERT_STATUS(resp, 200);
	resp = hx_request(c, "GET http://abs.example/p HTTP/1.1\r\n"
	    "Host: other\r\n\r\n");
	HX_ASSERT_STATUS(resp, 200);
	resp = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(resp, 200);
	hx_close(c);
	hx_accel_stop_ok(a); /* writes what is queued */

	r = CTL("-n", st, "storage", "ls", "--sort", "url");
	EXPECT_OK(r);
	assert_int_equal(nlines(r->out), 4);
	EXPECT_HAS(line_at(r->out, 1), "http://Example.COM:8080/a?x=1 ");
	EXPECT_HAS(line_at(r->out, 2), "http://abs.example/p ");
	EXPECT_HAS(line_at(r->out, 3), "http://h/ ");
	r = CTL("-n", st, "storage", "show", "--body",
	    "http://Example.COM:8080/a?x=1");
	EXPECT_OK(r);
	assert_string_equal(r->out, "hello");
	r = CTL("-n", st, "storage", "show", "http://abs.example/p");
	EXPECT_OK(r);
	EXPECT_HAS(r->out, "Content-Type: text/x-test\n");
	EXPECT_FAIL(CTL("-n", st, "storage", "show",
	    "http://example.com:8080/a?x=1"), 1);

	/* rm beside a running accel (nothing in its memory yet): the next
	 * request for it goes to the origin, the others are disk hits */
	b = hx_accel_start("-b 127.0.0.1:%d -n %s", o->port, st);
	r = CTL("-n", st, "storage", "rm", "http://h/");
	EXPECT_OK(r);
	assert_string_equal(r->out, "removed 1 object\n");
	n = hx_origin_nreq(o);
	c = hx_connect(b->port);
	resp = hx_request(c, "GET /a?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\n"
	    "\r\n");
	HX_ASSERT_STATUS(resp, 200);
	HX_ASSERT_BODY(resp, "hello");
	assert_int_equal(hx_origin_nreq(o), n);
	resp = hx_request(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(resp, 200);
	assert_int_equal(hx_origin_nreq(o), n + 1);
	hx_close(c);
	hx_accel_stop_ok(b);
}

/* ------------------------------------------------------------------ */

static int
ctl_teardown(void **state)
{
	if (g_tier != NULL)
		sto_tier_close(&g_tier);
	g_cwd = NULL;
	return hx_teardown(state);
}

#define CTL_TEST(f) cmocka_unit_test_setup_teardown(f, hx_setup, ctl_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CTL_TEST(help_exits_0),
		CTL_TEST(usage_errors_exit_2),
		CTL_TEST(missing_store_fails),
		CTL_TEST(empty_store),
		CTL_TEST(stat_counts),
		CTL_TEST(ls_lists_filters_sorts),
		CTL_TEST(show_metadata_and_headers),
		CTL_TEST(show_body_bytes),
		CTL_TEST(show_body_refuses_terminal),
		CTL_TEST(verify_finds_and_repairs),
		CTL_TEST(verify_corrupt_metadata),
		CTL_TEST(rm_url_and_key),
		CTL_TEST(n_and_s_find_the_same_store),
		CTL_TEST(live_store),
		CTL_TEST(accel_store_urls_match),
	};

	return HX_RUN(tests);
}
