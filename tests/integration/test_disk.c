/*
 * test_disk.c: the disk tier (storage/sto_lmdb.c) seen from outside: what
 * accel stored survives a stop and is served at once by the next accel on
 * the same state directory; a byte flipped on disk is never served; a
 * kill -9 during a write storm loses nothing that is then served wrong; a
 * store far smaller than what passes through keeps serving; a Range into
 * a body streamed from disk reads only its chunk; PURGE reaches the disk;
 * a file system that will not let the store grow makes it evict; an
 * object memory served is not the first the disk evicts.
 *
 * Bodies are the harness's pattern (a prime period, so a misplaced or
 * flipped byte shows), served by the scripted origin with a 1 h lifetime.
 */
#include "tests/integration/cache_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* The origin answers every request with a 200 of n pattern bytes. */
static void
origin_pattern(struct hx_origin *o, uint64_t n)
{
	hx_origin_default(o, (struct hx_action){
	    .kind = HX_STREAM,
	    .raw = hx_printf("HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\n"
		"Content-Length: %llu\r\n\r\n", (unsigned long long)n),
	    .stream_len = n,
	});
}

/* GET target: 200, n pattern bytes exactly. Returns the response. */
#define GET_PATTERN(c, target, n) get_pattern_at(c, target, n, __FILE__, __LINE__)
static struct hx_resp *
get_pattern_at(struct hx_conn *c, const char *target, uint64_t n,
    const char *file, int line)
{
	const char *req = hx_printf("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target);
	struct hx_resp *r = hx_request_at(c, req, strlen(req), 0, file, line);

	if (r->status != 200 || r->body.total != n || !r->body.pattern_ok ||
	    r->body.crc != hx_pattern_crc(n))
		hx_fail_at(file, line, "GET %s: want 200 with %llu pattern bytes, "
		    "got %d with %llu bytes (pattern %s)\n%.*s", target,
		    (unsigned long long)n, r->status,
		    (unsigned long long)r->body.total,
		    r->body.pattern_ok ? "ok" : "WRONG", (int)r->head_len, r->head);
	return r;
}

static int
is_hit(const struct hx_resp *r)
{
	const char *cs = hx_resp_hdr(r, "Cache-Status");
	return (cs != NULL && strncmp(cs, "accel; hit", 10) == 0);
}

/* The store's file of an accel started with the harness's state dir. */
static const char *
store_file(const struct hx_accel *a)
{
	return hx_printf("%s/state/store/data.mdb", a->dir);
}

/* The file's bytes (freed with the test). */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *p;

	if (f == NULL || fstat(fileno(f), &st) != 0)
		HX_FAIL("cannot open %s", path);
	p = hx_alloc((size_t)st.st_size + 1);
	*len = fread(p, 1, (size_t)st.st_size, f);
	fclose(f);
	return p;
}

/*
 * Flip one byte of the store where the body bytes [k, k + 48) of the
 * pattern are: the first place they appear in the file (last when
 * `last`). Fails when they are nowhere.
 */
static void
flip_pattern(const char *path, uint64_t k, int last)
{
	size_t len, want = 48;
	unsigned char *file = slurp(path, &len);
	const unsigned char *pat = hx_pattern_at(k);
	long at = -1;

	for (size_t i = 0; i + want <= len; i++) {
		if (file[i] == pat[0] && memcmp(file + i, pat, want) == 0) {
			at = (long)i;
			if (!last)
				break;
		}
	}
	if (at < 0)
		HX_FAIL("body bytes not found in %s", path);
	int fd = open(path, O_WRONLY);
	unsigned char b = file[at + 20] ^ 0x40;
	if (fd < 0 || pwrite(fd, &b, 1, at + 20) != 1)
		HX_FAIL("cannot write %s", path);
	close(fd);
}

/* ------------------------------------------------------------------ */

/*
 * Objects survive a restart: a small one (promoted into memory on its
 * first hit), a medium one (several chunks, promoted) and a large one
 * (streamed from disk). After the restart all three are hits with the
 * exact bytes and the origin sees no request.
 */
static void
t_restart_hits(void **state)
{
	static const uint64_t sizes[] = {1000, 300000, 3000000};
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	for (unsigned i = 0; i < 3; i++) {
		origin_pattern(o, sizes[i]);
		GET_PATTERN(c, hx_printf("/obj%u", i), sizes[i]);
	}
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "lmdb_written"), 3);
	int before = hx_origin_nreq(o);
	assert_int_equal(before, 3);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	c = hx_connect(b->port);
	for (unsigned i = 0; i < 3; i++) {
		struct hx_resp *r = GET_PATTERN(c, hx_printf("/obj%u", i), sizes[i]);
		if (!is_hit(r))
			HX_FAIL("/obj%u after the restart is not a hit:\n%.*s", i,
			    (int)r->head_len, r->head);
		/* And again: the promoted ones from memory now. */
		r = GET_PATTERN(c, hx_printf("/obj%u", i), sizes[i]);
		assert_true(is_hit(r));
	}
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_origin_nreq(o), before);
	/* The two small ones were promoted (one disk hit each); the large
	 * one is read from disk each time. */
	assert_int_equal(hx_counter(b, "cache_disk_hit"), 4);
	assert_int_equal(hx_counter(b, "cache_hit"), 6);
}

/*
 * vcl_deliver's edits on objects restored from disk: the stored block's
 * name filter (o_cflags, cache_fill.c) comes back with the object, so a
 * field VCL removes is removed, one it reads is found, one it adds is
 * added, on the disk hit and on the promoted copy's hits alike.
 */
static void
t_restart_vcl_edits(void **state)
{
	struct hx_origin *o = hx_origin_start();
	const char *vcl = hx_printf("%s/edit.vcl", hx_tmpdir());
	FILE *f = fopen(vcl, "w");
	(void)state;

	if (f == NULL)
		HX_FAIL("cannot write %s", vcl);
	fprintf(f, "vcl 4.1;\nbackend default {\n\t.host = \"127.0.0.1\";\n"
	    "\t.port = \"%d\";\n}\nsub vcl_deliver {\n"
	    "\tset resp.http.X-Served-By = \"accel\";\n"
	    "\tset resp.http.X-Type = resp.http.content-type;\n"
	    "\tif (resp.http.X-Powered-By) {\n"
	    "\t\tunset resp.http.X-Powered-By;\n\t}\n}\n", o->port);
	fclose(f);
	hx_origin_default(o, (struct hx_action){
	    .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\n"
		"Content-Type: text/x-test\r\nX-Powered-By: php\r\n"
		"Content-Length: 1000\r\n\r\n",
	    .stream_len = 1000,
	});
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct hx_resp *r = GET_PATTERN(c, "/e", 1000);
	HX_ASSERT_HDR(r, "X-Powered-By", "php");
	/* a hit: the fill has ended, the object is queued for the disk;
	 * the stop writes the queue before it prints the counters */
	r = GET_PATTERN(c, "/e", 1000);
	assert_true(is_hit(r));
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "lmdb_written"), 1);

	struct hx_accel *b = hx_accel_start("-f %s -n %s/state", vcl, a->dir);
	c = hx_connect(b->port);
	for (int i = 0; i < 3; i++) {
		r = GET_PATTERN(c, "/e", 1000);
		if (!is_hit(r))
			HX_FAIL("/e after the restart is not a hit:\n%.*s",
			    (int)r->head_len, r->head);
		HX_ASSERT_NO_HDR(r, "X-Powered-By");
		HX_ASSERT_HDR(r, "X-Served-By", "accel");
		HX_ASSERT_HDR(r, "X-Type", "text/x-test");
		HX_ASSERT_HDR(r, "Content-Type", "text/x-test");
		assert_int_equal(hx_resp_hdr_count(r, "Via"), 1);
	}
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_origin_nreq(o), 1);
	assert_true(hx_counter(b, "cache_disk_hit") >= 1);
}

/* A Range into a body on disk reads the one chunk it falls in. */
static void
t_range_reads_one_chunk(void **state)
{
	uint64_t n = 4u << 20;
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	origin_pattern(o, n);
	GET_PATTERN(c, "/big", n);
	hx_close(c);
	hx_accel_stop_ok(a);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	c = hx_connect(b->port);
	struct hx_resp *r = GETX(c, "/big", "Range: bytes=3000000-3000099\r\n");
	HX_ASSERT_STATUS(r, 206);
	HX_ASSERT_HDR(r, "Content-Range", "bytes 3000000-3000099/4194304");
	assert_int_equal(r->body.total, 100);
	assert_memory_equal(r->body.buf, hx_pattern_at(3000000 % HX_PATTERN_PERIOD),
	    100);
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_counter(b, "lmdb_chunks_read"), 1);
	assert_int_equal(hx_origin_nreq(o), 1);
}

/*
 * A byte flipped in a chunk on disk: the object is never served; the
 * request is a miss that refetches it, and the next one a hit on the
 * fresh copy. For a body small enough to be promoted the lookup catches
 * it; for a large one the first chunk's check does.
 */
static void
flipped(uint64_t n, uint64_t at)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);

	origin_pattern(o, n);
	GET_PATTERN(c, "/x", n);
	hx_close(c);
	hx_accel_stop_ok(a);
	flip_pattern(store_file(a), at, 0);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	c = hx_connect(b->port);
	struct hx_resp *r = GET_PATTERN(c, "/x", n);
	assert_false(is_hit(r));
	assert_int_equal(hx_origin_nreq(o), 2);
	r = GET_PATTERN(c, "/x", n);
	assert_true(is_hit(r));
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_counter(b, "lmdb_corrupt"), 1);
	assert_int_equal(hx_origin_nreq(o), 2);
}

static void
t_flipped_small(void **state)
{
	(void)state;
	flipped(20000, 5000);
}

static void
t_flipped_large_first_chunk(void **state)
{
	(void)state;
	flipped(3000000, 1000);
}

/*
 * A flipped byte in a later chunk of a body streamed from disk: the head
 * is out already, so the response stops short (a close before
 * Content-Length); the corrupt bytes never leave. The next request
 * refetches.
 */
static void
t_flipped_large_late_chunk(void **state)
{
	uint64_t n = 3000000;
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	origin_pattern(o, n);
	GET_PATTERN(c, "/x", n);
	hx_close(c);
	hx_accel_stop_ok(a);
	flip_pattern(store_file(a), 2999000 % HX_PATTERN_PERIOD, 1);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	c = hx_connect(b->port);
	struct hx_resp *r = hx_request_ex(c,
	    "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", HX_TRUNC_OK);
	HX_ASSERT_STATUS(r, 200);
	assert_true(r->truncated);
	assert_true(r->body.total < n);
	assert_true(r->body.pattern_ok); /* what came is right */
	hx_close(c);
	c = hx_connect(b->port);
	r = GET_PATTERN(c, "/x", n);
	assert_false(is_hit(r));
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_counter(b, "lmdb_corrupt"), 1);
	assert_int_equal(hx_origin_nreq(o), 2);
}

/* PURGE removes the disk's copy too: after a restart it is a miss. */
static void
t_purge_reaches_disk(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	origin_pattern(o, 5000);
	GET_PATTERN(c, "/p", 5000);
	GET_PATTERN(c, "/q", 5000);
	/* Let the writer commit, so the purge deletes a written copy. */
	hx_sleep_ms(200);
	/* (A PURGE's answer closes its connection.) */
	hx_close(c);
	c = hx_connect(a->port);
	struct hx_resp *r = hx_request(c, "PURGE /p HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	/* No restart yet: memory has nothing, the disk must not answer. */
	c = hx_connect(a->port);
	r = GET_PATTERN(c, "/p", 5000);
	assert_false(is_hit(r));
	hx_close(c);
	c = hx_connect(a->port);
	r = hx_request(c, "PURGE /p HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	hx_accel_stop_ok(a);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	c = hx_connect(b->port);
	r = GET_PATTERN(c, "/p", 5000);
	assert_false(is_hit(r));
	r = GET_PATTERN(c, "/q", 5000);
	assert_true(is_hit(r));
	/* Purged while only on disk: 200, then a miss. */
	r = hx_request(c, "PURGE /q HTTP/1.1\r\nHost: h\r\n\r\n");
	HX_ASSERT_STATUS(r, 200);
	hx_close(c);
	c = hx_connect(b->port);
	r = GET_PATTERN(c, "/q", 5000);
	assert_false(is_hit(r));
	hx_close(c);
	hx_accel_stop_ok(b);
}

/*
 * A chunked body larger than the memory tier: memory cannot keep it, the
 * disk does, and the next request is a hit streamed from disk.
 */
static void
t_larger_than_memory_on_disk(void **state)
{
	uint64_t n = 2u << 20;
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -s mem=1M",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	hx_origin_default(o, (struct hx_action){
	    .kind = HX_STREAM,
	    .raw = "HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
	    .stream_len = n,
	    .stream_chunked = 1,
	});
	assert_false(is_hit(GET_PATTERN(c, "/big", n)));
	/* The writer commits behind the response. */
	hx_sleep_ms(300);
	struct hx_resp *r = GET_PATTERN(c, "/big", n);
	if (!is_hit(r))
		HX_FAIL("not a hit from disk:\n%.*s", (int)r->head_len, r->head);
	HX_ASSERT_HDR(r, "Content-Length", "2097152");
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_disk_hit"), 1);
	assert_int_equal(hx_origin_nreq(o), 1);
}

/*
 * An object of 2 GiB, far beyond the memory tier: it streams to disk as
 * it passes to the first client, is then a hit streamed from disk, and
 * accel's RSS stays bounded all along. After a restart, a Range into it
 * reads one chunk.
 */
static void
t_huge_object(void **state)
{
	uint64_t n = 2ull << 30;
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	/* ASan's quarantine would hold 256 MiB of freed buffers. */
	hx_accel_env("ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:"
	    "quarantine_size_mb=8");
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -s mem=64M "
	    "-s lmdb=%s/st,20G,sync=off", o->port, dir);
	struct hx_conn *c = hx_connect(a->port);
	(void)state;

	hx_set_test_timeout(300);
	c->body_cap = 1 << 20;
	c->timeout_ms = 60000;
	origin_pattern(o, n);
	struct hx_resp *r = GET_PATTERN(c, "/huge", n);
	ASSERT_CS_HAS(r, "stored");
	long hwm1 = hx_accel_mem_kb(a, "VmHWM");
	/* A new connection: the harness's client does not take a second
	 * response after a 2 GiB one on the same connection (accel does:
	 * curl and a raw socket were checked by hand). */
	hx_close(c);
	c = hx_connect(a->port);
	c->body_cap = 1 << 20;
	c->timeout_ms = 60000;
	/* The last chunk and the metadata commit behind the response. */
	for (int i = 0; i < 50; i++) {
		hx_sleep_ms(100);
		r = hx_request_ex(c, "HEAD /huge HTTP/1.1\r\nHost: h\r\n\r\n",
		    HX_HEAD);
		if (is_hit(r))
			break;
	}
	r = GET_PATTERN(c, "/huge", n);
	if (!is_hit(r))
		HX_FAIL("2 GiB object not a hit:\n%.*s", (int)r->head_len, r->head);
	long hwm2 = hx_accel_mem_kb(a, "VmHWM");
	hx_close(c);
	hx_accel_stop_ok(a);
	print_message("2 GiB object: accel VmHWM %ld kB after the fill, %ld kB "
	    "after the disk hit\n", hwm1, hwm2);
	/* Bounded: the memory tier (64 MiB), buffers and the sanitizers'
	 * own, far from the object's size (53 MB measured). */
	assert_true(hwm1 > 0 && hwm1 < 256 * 1024);
	assert_true(hwm2 < 256 * 1024);
	assert_int_equal(hx_origin_nreq(o), 1);

	hx_accel_env("ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:"
	    "quarantine_size_mb=8");
	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -s mem=64M "
	    "-s lmdb=%s/st,20G,sync=off", o->port, dir);
	hx_accel_env(NULL);
	c = hx_connect(b->port);
	uint64_t at = n - 1000000;
	r = GETX(c, "/huge", hx_printf("Range: bytes=%llu-%llu\r\n",
	    (unsigned long long)at, (unsigned long long)at + 99));
	HX_ASSERT_STATUS(r, 206);
	assert_int_equal(r->body.total, 100);
	assert_memory_equal(r->body.buf, hx_pattern_at(at % HX_PATTERN_PERIOD),
	    100);
	hx_close(c);
	hx_accel_stop_ok(b);
	assert_int_equal(hx_counter(b, "lmdb_chunks_read"), 1);
	assert_int_equal(hx_origin_nreq(o), 1);
}

/* -s lmdb=off: memory only; nothing survives. */
static void
t_lmdb_off(void **state)
{
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -s lmdb=off",
	    o->port);
	struct hx_conn *c = hx_connect(a->port);
	struct stat st;
	(void)state;

	origin_pattern(o, 100);
	GET_PATTERN(c, "/z", 100);
	assert_true(is_hit(GET_PATTERN(c, "/z", 100)));
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_not_equal(stat(store_file(a), &st), 0);
	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state "
	    "-s lmdb=off", o->port, a->dir);
	c = hx_connect(b->port);
	assert_false(is_hit(GET_PATTERN(c, "/z", 100)));
	hx_close(c);
	hx_accel_stop_ok(b);
}

/* Bad -s and a directory that holds something else: one clear line and
 * exit 2, never a start. */
static void
t_bad_specs(void **state)
{
	struct {
		const char *args, *says;
	} cases[] = {
	    {"-s lmdb=", "-s lmdb="},
	    {"-s lmdb=DIR,12q", "bad size"},
	    {"-s lmdb=DIR,1G,sync=maybe", "sync"},
	    {"-s disk=1G", "unknown tier"},
	    {"-s lmdb=DIR -s lmdb=DIR", "twice"},
	    {"-p lmdb_sync=sometimes", "lmdb_sync"},
	    {"-s lmdb=NOTASTORE", "not an LMDB file"},
	};
	char *dir = hx_tmpdir();
	(void)state;

	/* A directory whose data.mdb is not LMDB at all. */
	char *bad = hx_printf("%s/bad", dir);
	mkdir(bad, 0700);
	FILE *f = fopen(hx_printf("%s/data.mdb", bad), "w");
	assert_non_null(f);
	for (int i = 0; i < 4096; i++)
		fputc('x', f);
	fclose(f);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *args = hx_strdup(cases[i].args);
		char *p;
		while ((p = strstr(args, "NOTASTORE")) != NULL)
			args = hx_printf("%.*s%s%s", (int)(p - args), args, bad,
			    p + 9);
		while ((p = strstr(args, "DIR")) != NULL)
			args = hx_printf("%.*s%s/s%u%s", (int)(p - args), args,
			    dir, i, p + 3);
		struct hx_accel *a = hx_accel_spawn("-b 127.0.0.1:9 -a "
		    "127.0.0.1:0 -n %s/st%u %s", dir, i, args);
		int st = hx_accel_wait(a, 10000);
		if (st != 2 || hx_accel_log_count(a, cases[i].says) < 1)
			HX_FAIL("accel %s: want exit 2 saying \"%s\", got %d:\n%s",
			    args, cases[i].says, st, hx_accel_log(a));
	}
}

/*
 * kill -9 in the middle of a write storm, then a restart: every answer
 * for every URL is the origin's exact body, hit or miss.
 */
static void
t_kill9_storm(void **state)
{
	enum { N = 600, SZ = 20000 };
	struct hx_origin *o = hx_origin_start();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d", o->port);
	(void)state;

	origin_pattern(o, SZ);
	struct hx_conn *c[4];
	for (unsigned k = 0; k < 4; k++)
		c[k] = hx_connect(a->port);
	/* The first half, four at a time on four connections. */
	for (unsigned i = 0; i < N / 2; i += 4) {
		for (unsigned k = 0; k < 4; k++)
			hx_sendf(c[k], "GET /s%u HTTP/1.1\r\nHost: h\r\n\r\n",
			    i + k);
		for (unsigned k = 0; k < 4; k++)
			(void)hx_recv(c[k]);
	}
	/* The writer is busy with what the first half queued. */
	hx_accel_stop_sig(a, SIGKILL, 5000);
	for (unsigned k = 0; k < 4; k++)
		hx_close(c[k]);

	struct hx_accel *b = hx_accel_start("-b 127.0.0.1:%d -n %s/state",
	    o->port, a->dir);
	struct hx_conn *d = hx_connect(b->port);
	unsigned hits = 0;
	for (unsigned i = 0; i < N; i++)
		hits += is_hit(GET_PATTERN(d, hx_printf("/s%u", i), SZ));
	hx_close(d);
	hx_accel_stop_ok(b);
	/* Something was committed before the kill. */
	assert_true(hits > 0);
	print_message("kill -9 storm: %u of %u served from disk after the "
	    "restart\n", hits, N / 2);
}

/*
 * A 20 MiB store through which 200 MiB pass: every answer is right, no
 * 5xx, the store evicts and its file stays within its size.
 */
static void
t_small_store_keeps_serving(void **state)
{
	enum { N = 200 };
	uint64_t sz = 1u << 20;
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	struct hx_accel *a = hx_accel_start("-b 127.0.0.1:%d -s mem=4M "
	    "-s lmdb=%s/st,20M,sync=off", o->port, dir);
	struct hx_conn *c = hx_connect(a->port);
	struct stat st;
	(void)state;

	origin_pattern(o, sz);
	for (unsigned i = 0; i < N; i++)
		GET_PATTERN(c, hx_printf("/f%u", i), sz);
	/* The last ones are still there (memory or disk). */
	unsigned hits = 0;
	for (unsigned i = N - 5; i < N; i++)
		hits += is_hit(GET_PATTERN(c, hx_printf("/f%u", i), sz));
	hx_close(c);
	hx_accel_stop_ok(a);
	if (hits != 5)
		print_message("%s\n", a->counters_line);
	assert_int_equal(hits, 5);
	assert_true(hx_counter(a, "lmdb_evictions") > 0);
	assert_int_equal(stat(hx_printf("%s/st/data.mdb", dir), &st), 0);
	assert_true(st.st_size <= 20 << 20);
}

/*
 * An object kept hot in memory is not lost from disk once memory lets it
 * go. /hot is written first, then hit from memory (LRU) while 40 others
 * pass, then left: memory evicts it (7 objects fit) and tells the disk.
 * Each stop commits what is queued, so the next run starts from a known
 * store: 30 more objects then pass through the 20 MiB store, which must
 * evict its oldest; /hot, the oldest written, would be the first to go
 * had its memory hits not counted. In a third run (memory empty) it is a
 * hit from disk, while /f0, written after it but never used again, is
 * gone.
 */
static void
t_memory_hits_keep_disk_copy(void **state)
{
	enum { K = 40, N1 = 52, N = 82 };
	uint64_t sz = 256u << 10;
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	const char *args = hx_printf("-b 127.0.0.1:%d -s mem=2M,policy=lru "
	    "-s lmdb=%s/st,20M,sync=off", o->port, dir);
	struct hx_accel *a = hx_accel_start("%s", args);
	struct hx_conn *c = hx_connect(a->port);
	unsigned i;
	(void)state;

	origin_pattern(o, sz);
	assert_false(is_hit(GET_PATTERN(c, "/hot", sz)));
	for (i = 0; i < N1; i++) {
		GET_PATTERN(c, hx_printf("/f%u", i), sz);
		if (i < K && !is_hit(GET_PATTERN(c, "/hot", sz)))
			HX_FAIL("/hot left memory after /f%u", i);
	}
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "sto_hits"), K);

	a = hx_accel_start("%s", args);
	c = hx_connect(a->port);
	for (; i < N; i++)
		GET_PATTERN(c, hx_printf("/f%u", i), sz);
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_disk_hit"), 0);

	a = hx_accel_start("%s", args);
	c = hx_connect(a->port);
	struct hx_resp *r = GET_PATTERN(c, "/hot", sz);
	if (!is_hit(r))
		HX_FAIL("/hot not kept on disk:\n%.*s", (int)r->head_len,
		    r->head);
	assert_false(is_hit(GET_PATTERN(c, "/f0", sz)));
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_int_equal(hx_counter(a, "cache_disk_hit"), 1);
	assert_int_equal(hx_origin_nreq(o), 1 + N + 1);
}

/*
 * The file system says no before the map is full: accel runs under a
 * 10 MiB file size limit (RLIMIT_FSIZE, which the writer meets as EFBIG,
 * as it would ENOSPC on a full disk) with a 64 MiB map, and 100 MiB pass
 * through. No 5xx, no crash, the writer evicts, and the file stays within
 * the limit. A restart under the same limit serves what is on disk.
 */
static void
t_full_fs_keeps_serving(void **state)
{
	enum { N = 100 };
	uint64_t sz = 1u << 20;
	const rlim_t limit = 10u << 20;
	struct hx_origin *o = hx_origin_start();
	char *dir = hx_tmpdir();
	const char *args = hx_printf("-b 127.0.0.1:%d -s mem=4M "
	    "-s lmdb=%s/st,64M,sync=off", o->port, dir);
	struct rlimit old, lim;
	struct hx_accel *a;
	struct hx_conn *c;
	struct stat st;
	unsigned hits = 0;
	(void)state;

	origin_pattern(o, sz);
	/* accel inherits the limit; the test drops it again at once. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = limit;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	a = hx_accel_start("%s", args);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	c = hx_connect(a->port);
	for (unsigned i = 0; i < N; i++)
		GET_PATTERN(c, hx_printf("/f%u", i), sz);
	for (unsigned i = N - 5; i < N; i++)
		hits += is_hit(GET_PATTERN(c, hx_printf("/f%u", i), sz));
	hx_close(c);
	hx_accel_stop_ok(a);
	if (hits != 5 || hx_counter(a, "lmdb_map_full") == 0)
		print_message("%s\n%s\n", a->counters_line, hx_accel_log(a));
	assert_int_equal(hits, 5);
	assert_true(hx_counter(a, "lmdb_map_full") > 0);
	assert_true(hx_counter(a, "lmdb_evictions") > 0);
	assert_true(hx_counter(a, "lmdb_written") > 5);
	assert_int_equal(stat(hx_printf("%s/st/data.mdb", dir), &st), 0);
	assert_true((uint64_t)st.st_size <= (uint64_t)limit);

	/* Restarted under the limit: what the store kept is served from
	 * disk, and the origin sees no request for it. */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	a = hx_accel_start("%s", args);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	c = hx_connect(a->port);
	hits = 0;
	for (unsigned i = N - 3; i < N; i++)
		hits += is_hit(GET_PATTERN(c, hx_printf("/f%u", i), sz));
	hx_close(c);
	hx_accel_stop_ok(a);
	assert_true(hits > 0);
	assert_true(hx_counter(a, "cache_disk_hit") > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    HX_TEST(t_restart_hits),
	    HX_TEST(t_restart_vcl_edits),
	    HX_TEST(t_range_reads_one_chunk),
	    HX_TEST(t_flipped_small),
	    HX_TEST(t_flipped_large_first_chunk),
	    HX_TEST(t_flipped_large_late_chunk),
	    HX_TEST(t_purge_reaches_disk),
	    HX_TEST(t_larger_than_memory_on_disk),
	    HX_TEST(t_huge_object),
	    HX_TEST(t_lmdb_off),
	    HX_TEST(t_bad_specs),
	    HX_TEST(t_kill9_storm),
	    HX_TEST(t_small_store_keeps_serving),
	    HX_TEST(t_memory_hits_keep_disk_copy),
	    HX_TEST(t_full_fs_keeps_serving),
	};
	return HX_RUN(tests);
}
