/*
 * test_backend.c: the backend registry (accel/backend.c): one entry per
 * distinct backend, found again by a reload that declares it the same
 * way; the -p timeouts as defaults; the Host fallback (Varnish's rule);
 * the registry's bound; .max_connections slots; passive health; -b's
 * HOST:PORT parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "accel/accel.h"

static struct vcl_backend
vb_of(const char *name, const char *port)
{
	struct vcl_backend vb;

	memset(&vb, 0, sizeof vb);
	vb.name = name;
	vb.host = "127.0.0.1";
	vb.port = port;
	return (vb);
}

static int
setup(void **state)
{
	(void)state;
	prm_defaults(&prm);
	memset(backends, 0, sizeof backends);
	nbackends = 0;
	return (0);
}

/* The same declaration twice is one entry; any difference another. */
static void
same_backend_same_entry(void **state)
{
	struct vcl_backend vb = vb_of("web", "8080");
	struct backend *a, *b, *c;
	char err[256];

	(void)state;
	a = be_get(&vb, "web", err, sizeof err);
	assert_non_null(a);
	b = be_get(&vb, "web", err, sizeof err);
	assert_ptr_equal(a, b);
	vb.first_byte_timeout = 5;
	c = be_get(&vb, "web", err, sizeof err);
	assert_non_null(c);
	assert_ptr_not_equal(a, c);
	assert_int_equal(c->idx, 1);
	assert_true(c->t_first_byte == 5);
	assert_true(a->t_first_byte == prm.timeout_first_byte);
	assert_true(a->t_connect == prm.timeout_connect);
	assert_true(a->t_between_bytes == prm.timeout_between_bytes);
	/* Another name (the log's label) is another entry too. */
	assert_ptr_not_equal(be_get(&vb, "other", err, sizeof err), c);
	assert_int_equal(nbackends, 3);
}

/* Host when the request has none: .host_header, else .host. */
static void
host_fallback(void **state)
{
	struct vcl_backend vb = vb_of("web", NULL);
	struct backend *be;
	char err[256];

	(void)state;
	be = be_get(&vb, "web", err, sizeof err);
	assert_non_null(be);
	assert_string_equal(be->name, "127.0.0.1");
	assert_string_equal(be->port, "80"); /* the default port */
	vb.host_header = "www.example.org";
	be = be_get(&vb, "web", err, sizeof err);
	assert_string_equal(be->name, "www.example.org");
	assert_string_equal(be->label, "web");
}

/* A host that does not resolve; a full registry: NULL and why. */
static void
errors(void **state)
{
	struct vcl_backend vb = vb_of("web", "80");
	char err[256], port[16];
	unsigned i;

	(void)state;
	vb.host = "no-such-host.invalid";
	assert_null(be_get(&vb, "web", err, sizeof err));
	assert_non_null(strstr(err, "cannot resolve no-such-host.invalid"));
	assert_int_equal(be_check(&vb, err, sizeof err), -1);
	vb.host = "127.0.0.1";
	assert_int_equal(be_check(&vb, err, sizeof err), 0);
	for (i = 0; i < MAX_BACKENDS; i++) {
		snprintf(port, sizeof port, "%u", 1000 + i);
		vb.port = port;
		assert_non_null(be_get(&vb, "web", err, sizeof err));
	}
	vb.port = "999";
	assert_null(be_get(&vb, "web", err, sizeof err));
	assert_non_null(strstr(err, "too many distinct backends"));
	vb.port = "1000"; /* an old one is still found */
	assert_non_null(be_get(&vb, "web", err, sizeof err));
}

/* .max_connections: slots taken and given back; 0 is no limit. */
static void
max_connections(void **state)
{
	struct vcl_backend vb = vb_of("web", "80");
	struct backend *be, *held[3];
	char err[256];

	(void)state;
	vb.max_connections = 2;
	be = be_get(&vb, "web", err, sizeof err);
	assert_int_equal(be_acquire(be), 0);
	assert_int_equal(be_acquire(be), 0);
	assert_int_equal(be_acquire(be), -1);
	held[0] = be;
	be_release(&held[0]);
	assert_null(held[0]);
	assert_int_equal(be_acquire(be), 0);
	vb.max_connections = 0;
	be = be_get(&vb, "web", err, sizeof err);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(be_acquire(be), 0);
		held[i] = be;
	}
	be_release(&held[0]);
	assert_int_equal(atomic_load(&be->nconn), 0);
}

/* A failed connect: sick for a second, for everyone. */
static void
passive_health(void **state)
{
	struct vcl_backend vb = vb_of("web", "80");
	struct backend *be;
	char err[256];

	(void)state;
	be = be_get(&vb, "web", err, sizeof err);
	assert_false(be_sick(be));
	be_mark_sick(be);
	assert_true(be_sick(be));
	atomic_store(&be->sick_until_us, (int64_t)(now_mono() * 1e6) - 1);
	assert_false(be_sick(be));
}

/* -b HOST:PORT and [v6]:PORT; what is refused. */
static void
b_spec(void **state)
{
	char h[256], p[16], err[256];

	(void)state;
	assert_int_equal(be_spec("127.0.0.1:8080", h, sizeof h, p, sizeof p,
	    err, sizeof err), 0);
	assert_string_equal(h, "127.0.0.1");
	assert_string_equal(p, "8080");
	assert_int_equal(be_spec("[::1]:81", h, sizeof h, p, sizeof p, err,
	    sizeof err), 0);
	assert_string_equal(h, "::1");
	assert_string_equal(p, "81");
	assert_int_equal(be_spec("127.0.0.1", h, sizeof h, p, sizeof p, err,
	    sizeof err), -1);
	assert_int_equal(be_spec("127.0.0.1:0", h, sizeof h, p, sizeof p, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "bad port"));
	assert_int_equal(be_spec("a\"b:80", h, sizeof h, p, sizeof p, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "bad host"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(same_backend_same_entry, setup),
	    cmocka_unit_test_setup(host_fallback, setup),
	    cmocka_unit_test_setup(errors, setup),
	    cmocka_unit_test_setup(max_connections, setup),
	    cmocka_unit_test_setup(passive_health, setup),
	    cmocka_unit_test_setup(b_spec, setup),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
