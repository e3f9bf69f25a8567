/*
 * test_vcl_realworld.c: the VCL a Varnish user brings, run by the daemon.
 *
 * - corpus_programs_serve: every program of tests/vcl/corpus (written
 *   from the Varnish documentation's examples) with its backends pointed
 *   at a test origin: accel starts on it and answers a plain GET without
 *   a server error, and stops cleanly (the sanitizer build finds any
 *   memory error on the way).
 * - wordpress_site: the corpus's wordpress.vcl unchanged but for its
 *   port, through a visit: anonymous pages cached with the VCL's ttl and
 *   their analytics cookies dropped, the admin and logged-in users
 *   passed, X-Cache from obj.hits, theme files stored for 7 days with
 *   their Set-Cookie removed, PURGE from the VCL's ACL.
 * - failing_vcl_says_why: a program that fails at run time is a 503 and
 *   one line on stderr naming the subroutine and what failed.
 *
 * The tests run from the repository's root (tests/vcl/ is read there).
 */
#include "tests/integration/harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The file's text (freed at teardown). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		HX_FAIL("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = hx_alloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Is p, in src, a backend field `name = ` (not `req.http.host == `)? */
static int
is_field(const char *src, const char *p, const char *name)
{
	size_t n = strlen(name);
	const char *q = p + n;

	if (strncmp(p, name, n) != 0 || (p > src && p[-1] != ' ' &&
	    p[-1] != '\t' && p[-1] != '{' && p[-1] != ';'))
		return 0;
	while (*q == ' ' || *q == '\t')
		q++;
	return q[0] == '=' && q[1] != '=';
}

/*
 * src with every backend's .host made "127.0.0.1" and .port the origin's:
 * the value of each `.host = "..."` / `.port = "..."` is replaced, the
 * rest of the text kept byte for byte (so line:column messages still
 * point at the original).
 */
static char *
point_backends_at(const char *src, int port)
{
	size_t cap = strlen(src) * 2 + 64, o = 0;
	char *out = hx_alloc(cap);
	const char *p = src;

	while (*p != '\0') {
		const char *val = NULL;
		if (is_field(src, p, ".host"))
			val = "127.0.0.1";
		else if (is_field(src, p, ".port"))
			val = hx_printf("%d", port);
		if (val != NULL) {
			const char *q1 = strchr(p, '"');
			const char *q2 = q1 != NULL ? strchr(q1 + 1, '"') : NULL;
			const char *semi = strchr(p, ';');
			if (q2 != NULL && semi != NULL && q2 < semi) {
				size_t head = (size_t)(q1 + 1 - p);
				assert_true(o + head + strlen(val) + 1 < cap);
				memcpy(out + o, p, head);
				o += head;
				memcpy(out + o, val, strlen(val));
				o += strlen(val);
				p = q2;
				continue;
			}
		}
		assert_true(o + 1 < cap);
		out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		HX_FAIL("cannot write %s", path);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Copy the corpus (and its inc/ folder, for include) into dir with the
 * backends pointed at port. */
static void
corpus_copy(const char *dir, int port)
{
	const char *subs[] = {"", "inc/"};

	assert_int_equal(mkdir(hx_printf("%s/inc", dir), 0755), 0);
	for (unsigned s = 0; s < 2; s++) {
		const char *from = hx_printf("tests/vcl/corpus/%s", subs[s]);
		DIR *d = opendir(from);
		struct dirent *e;

		assert_non_null(d);
		while ((e = readdir(d)) != NULL) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".vcl") != 0)
				continue;
			write_file(hx_printf("%s/%s%s", dir, subs[s], e->d_name),
			    point_backends_at(slurp(hx_printf("%s%s", from,
			    e->d_name)), port));
		}
		closedir(d);
	}
}

/* The names of dir's .vcl files (at most max); how many. */
static unsigned
vcl_names(const char *dir, char **names, unsigned max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);
		if (len >= 5 && strcmp(e->d_name + len - 4, ".vcl") == 0)
			names[n++] = hx_strdup(e->d_name);
	}
	closedir(d);
	return n;
}

static void
corpus_programs_serve(void **state)
{
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	char *names[64];
	unsigned n;

	hx_set_test_timeout(240);
	corpus_copy(dir, o->port);
	n = vcl_names(dir, names, 64);
	assert_true(n >= 27);
	for (unsigned i = 0; i < n; i++) {
		struct hx_accel *a = hx_accel_start("-f %s/%s", dir, names[i]);
		struct hx_conn *c = hx_connect(a->port);
		struct hx_resp *r = hx_request(c, "GET /index.html HTTP/1.1\r\n"
		    "Host: www.example.com\r\nUser-Agent: test\r\n\r\n");
		if (r->status >= 500)
			HX_FAIL("%s: GET answered %d; accel's log:\n%s", names[i],
			    r->status, hx_accel_log(a));
		hx_accel_stop_ok(a);
	}
}

/* GET target with the given extra head lines; the response. */
static struct hx_resp *
get(struct hx_conn *c, const char *target, const char *extra)
{
	return hx_request(c, hx_printf("GET %s HTTP/1.1\r\nHost: blog.example\r\n"
	    "%s\r\n", target, extra));
}

/* The ttl of a Cache-Status field; fails when there is none. */
static long
cs_ttl(const struct hx_resp *r)
{
	const char *cs = hx_resp_hdr(r, "Cache-Status");
	const char *t = cs != NULL ? strstr(cs, "ttl=") : NULL;

	if (t == NULL)
		HX_FAIL("no ttl in Cache-Status: %s", cs != NULL ? cs : "(none)");
	return strtol(t + 4, NULL, 10);
}

static const char page[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npage";

static void
wordpress_site(void **state)
{
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	char *vcl = hx_printf("%s/wordpress.vcl", dir);
	struct hx_accel *a;
	struct hx_conn *c;
	struct hx_resp *r;

	write_file(vcl, point_backends_at(slurp(
	    "tests/vcl/corpus/wordpress.vcl"), o->port));
	a = hx_accel_start("-f %s", vcl);
	c = hx_connect(a->port);

	/* An anonymous page: its analytics cookie is dropped, the page is
	 * stored for the VCL's 5 minutes (WordPress sent no Cache-Control),
	 * and the second visit is a hit. */
	hx_origin_push(o, (struct hx_action){.raw = page});
	r = get(c, "/hello-world/", "Cookie: _ga=GA1.2.3\r\n");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_HDR(r, "X-Cache", "MISS");
	assert_null(hx_req_hdr(hx_origin_req(o, 0), "Cookie"));
	HX_ASSERT_HDR(r, "Cache-Status", "accel; fwd=miss; stored; ttl=300");
	r = get(c, "/hello-world/", "");
	HX_ASSERT_HDR(r, "X-Cache", "HIT");
	HX_ASSERT_BODY(r, "page");
	assert_true(cs_ttl(r) >= 297 && cs_ttl(r) <= 300);
	assert_int_equal(hx_origin_nreq(o), 1);

	/* The admin area and a logged-in user go to PHP every time. */
	for (int i = 0; i < 2; i++) {
		r = get(c, "/wp-admin/", "");
		HX_ASSERT_STATUS(r, 200);
		r = get(c, "/hello-world/",
		    "Cookie: wordpress_logged_in_abc=1; _ga=x\r\n");
		HX_ASSERT_STATUS(r, 200);
	}
	assert_int_equal(hx_origin_nreq(o), 5);
	assert_string_equal(hx_req_hdr(hx_origin_req(o, 4), "Cookie"),
	    "wordpress_logged_in_abc=1; _ga=x");

	/* A theme file: its Set-Cookie is removed and it is kept 7 days. */
	hx_origin_push(o, (struct hx_action){.raw = "HTTP/1.1 200 OK\r\n"
	    "Set-Cookie: sess=1\r\nContent-Length: 3\r\n\r\ncss"});
	r = get(c, "/wp-content/themes/t/style.css", "");
	HX_ASSERT_STATUS(r, 200);
	HX_ASSERT_NO_HDR(r, "Set-Cookie");
	r = get(c, "/wp-content/themes/t/style.css", "");
	HX_ASSERT_HDR(r, "X-Cache", "HIT");
	HX_ASSERT_BODY(r, "css");
	assert_true(cs_ttl(r) >= 604797 && cs_ttl(r) <= 604800);
	assert_int_equal(hx_origin_nreq(o), 6);

	/* PURGE from 127.0.0.1 (in the VCL's ACL): the page is gone. */
	r = hx_request(c, "PURGE /hello-world/ HTTP/1.1\r\nHost: blog.example\r\n"
	    "\r\n");
	HX_ASSERT_STATUS(r, 200);
	c = hx_connect(a->port);
	hx_origin_push(o, (struct hx_action){.raw = page});
	r = get(c, "/hello-world/", "");
	HX_ASSERT_HDR(r, "X-Cache", "MISS");
	assert_int_equal(hx_origin_nreq(o), 7);
	hx_accel_stop_ok(a);
}

/* A program that fails at run time: a 503 for the client, the vcl_fail
 * counter, and one line on stderr that says which subroutine and why
 * (not one per request). */
static void
failing_vcl_says_why(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a;
	struct hx_conn *c;
	const char *line = "accel: VCL failed in vcl_recv: cannot set "
	    "req.url\n";

	a = hx_accel_start("-f %s", hx_vcl_file(o->port, "sub vcl_recv {\n"
	    "\tset req.url = \"no-slash\" + req.url;\n}\n"));
	c = hx_connect(a->port);
	HX_ASSERT_STATUS(get(c, "/x", ""), 503);
	HX_ASSERT_STATUS(get(c, "/y", ""), 503);
	hx_accel_stop_ok(a);
	HX_ASSERT_ORIGIN_UNTOUCHED(o);
	assert_int_equal(hx_counter(a, "vcl_fail"), 2);
	assert_non_null(strstr(a->log, line));
	assert_null(strstr(strstr(a->log, line) + 1, line));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(corpus_programs_serve),
	    HX_TEST(wordpress_site),
	    HX_TEST(failing_vcl_says_why),
	};
	return HX_RUN(tests);
}
