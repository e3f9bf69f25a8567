/*
 * test_http1_misc.c: the field helpers of accel/http1.h: h1_name_eq,
 * h1_find, h1_list_has, h1_is_hop, kind tagging, Connection names,
 * h1_method_of and h1_reason; one test per rule, exact return values.
 * Shared helpers: h1_test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accel/http1.h"
#include "h1_test_util.h"

/* --- helpers --- */

static void
t_name_eq(void **st)
{
	struct h1_hdr h = {"Content-Type", 12, "x", 1, H1H_OTHER};
	(void)st;
	assert_true(h1_name_eq(&h, "content-type"));
	assert_true(h1_name_eq(&h, "CONTENT-TYPE"));
	assert_false(h1_name_eq(&h, "content-typ"));
	assert_false(h1_name_eq(&h, "content-types"));
	assert_false(h1_name_eq(&h, ""));
}

static void
t_find(void **st)
{
	(void)st;
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n") > 0);
	assert_ptr_equal(h1_find(hd, rq.nhdrs, "X-a"), &hd[1]);
	assert_null(h1_find(hd, rq.nhdrs, "X-B"));
	assert_null(h1_find(hd, 0, "Host"));
}

static void
t_list_has(void **st)
{
	(void)st;
	assert_true(h1_list_has(S("a, b ,\tc"), "b"));
	assert_true(h1_list_has(S("a, b ,\tc"), "C"));
	assert_true(h1_list_has(S(",,Close,"), "close"));
	assert_false(h1_list_has(S("closed, xclose"), "close"));
	assert_false(h1_list_has(S(""), "close"));
	assert_false(h1_list_has(S("a b"), "a"));
}

static void
t_is_hop(void **st)
{
	static const char *const hop[] = {"Connection",
					  "keep-alive",
					  "Proxy-Connection",
					  "proxy-authenticate",
					  "Proxy-Authorization",
					  "TE",
					  "Trailer",
					  "Transfer-Encoding",
					  "UPGRADE"};
	struct h1_hdr h;
	unsigned i;
	(void)st;
	for (i = 0; i < sizeof hop / sizeof hop[0]; i++) {
		h.name = hop[i];
		h.name_len = strlen(hop[i]);
		h.kind = h1_kind_of(h.name, h.name_len);
		assert_true(h1_is_hop(&h, NULL, 0));
	}
	h.name = "Content-Length";
	h.name_len = 14;
	h.kind = h1_kind_of(h.name, h.name_len);
	assert_false(h1_is_hop(&h, NULL, 0));
	assert_true(
	    preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-foo\r\n"
		 "X-Foo: 1\r\nConnection: keep-alive, X-Bar\r\nX-Bar: 2\r\n"
		 "X-Baz: 3\r\n\r\n") > 0);
	assert_true(h1_is_hop(&hd[2], hd, rq.nhdrs));
	assert_true(h1_is_hop(&hd[4], hd, rq.nhdrs));
	assert_false(h1_is_hop(&hd[5], hd, rq.nhdrs));
	assert_false(h1_is_hop(&hd[0], hd, rq.nhdrs));
}

/* The parser tags well-known names whatever their case, and only those. */
static void
t_kind_of(void **st)
{
	(void)st;
	assert_int_equal(h1_kind_of(S("Host")), H1H_HOST);
	assert_int_equal(h1_kind_of(S("CONTENT-LENGTH")), H1H_CONTENT_LENGTH);
	assert_int_equal(h1_kind_of(S("transfer-encoding")), H1H_TRANSFER_ENCODING);
	assert_int_equal(h1_kind_of(S("X-Forwarded-Proto")), H1H_X_FORWARDED_PROTO);
	assert_int_equal(h1_kind_of(S("x-forwarded-for")), H1H_X_FORWARDED_FOR);
	assert_int_equal(h1_kind_of(S("Proxy-Authorization")), H1H_PROXY_AUTHORIZATION);
	assert_int_equal(h1_kind_of(S("proxy-authenticate")), H1H_PROXY_AUTHENTICATE);
	assert_int_equal(h1_kind_of(S("TE")), H1H_TE);
	assert_int_equal(h1_kind_of(S("Hosts")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("Hos")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("Xost")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("x-forwarded-fox")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("")), H1H_OTHER);
	assert_int_equal(h1_kind_of(S("a-very-long-header-name-over-31-bytes")), H1H_OTHER);
	assert_true(
	    preq("GET / HTTP/1.1\r\nhOsT: a\r\nVia: 1.0 x\r\nX-A: 1\r\n\r\n") > 0);
	assert_int_equal(hd[0].kind, H1H_HOST);
	assert_int_equal(hd[1].kind, H1H_VIA);
	assert_int_equal(hd[2].kind, H1H_OTHER);
	assert_ptr_equal(h1_find_kind(hd, rq.nhdrs, H1H_VIA), &hd[1]);
	assert_null(h1_find_kind(hd, rq.nhdrs, H1H_EXPECT));
}

/* Only a Connection token naming a header makes h1_is_hop look further. */
static void
t_conn_names(void **st)
{
	(void)st;
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
			 "Connection: Close\r\n\r\n") > 0);
	assert_false(h1_conn_names(hd, rq.nhdrs));
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Foo\r\n\r\n") > 0);
	assert_true(h1_conn_names(hd, rq.nhdrs));
	assert_true(preq("GET / HTTP/1.1\r\nHost: a\r\nX-Foo: close\r\n\r\n") > 0);
	assert_false(h1_conn_names(hd, rq.nhdrs));
	assert_false(h1_conn_names(hd, 0));
}

static void
t_method_of(void **st)
{
	(void)st;
	assert_int_equal(h1_method_of(S("GET")), H1M_GET);
	assert_int_equal(h1_method_of(S("HEAD")), H1M_HEAD);
	assert_int_equal(h1_method_of(S("POST")), H1M_POST);
	assert_int_equal(h1_method_of(S("PUT")), H1M_PUT);
	assert_int_equal(h1_method_of(S("DELETE")), H1M_DELETE);
	assert_int_equal(h1_method_of(S("OPTIONS")), H1M_OPTIONS);
	assert_int_equal(h1_method_of(S("PATCH")), H1M_PATCH);
	assert_int_equal(h1_method_of(S("TRACE")), H1M_TRACE);
	assert_int_equal(h1_method_of(S("CONNECT")), H1M_CONNECT);
	assert_int_equal(h1_method_of(S("PURGE")), H1M_PURGE);
	assert_int_equal(h1_method_of(S("Get")), H1M_OTHER);
	assert_int_equal(h1_method_of(S("GETS")), H1M_OTHER);
	assert_int_equal(h1_method_of("GET", 2), H1M_OTHER);
}

static void
t_reason(void **st)
{
	(void)st;
	assert_string_equal(h1_reason(200), "OK");
	assert_string_equal(h1_reason(304), "Not Modified");
	assert_string_equal(h1_reason(400), "Bad Request");
	assert_string_equal(h1_reason(413), "Content Too Large");
	assert_string_equal(h1_reason(414), "URI Too Long");
	assert_string_equal(h1_reason(417), "Expectation Failed");
	assert_string_equal(h1_reason(431), "Request Header Fields Too Large");
	assert_string_equal(h1_reason(502), "Bad Gateway");
	assert_string_equal(h1_reason(505), "HTTP Version Not Supported");
	assert_string_equal(h1_reason(299), "Unknown");
	assert_string_equal(h1_reason(-400), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_name_eq),
	    cmocka_unit_test(t_find),
	    cmocka_unit_test(t_list_has),
	    cmocka_unit_test(t_is_hop),
	    cmocka_unit_test(t_kind_of),
	    cmocka_unit_test(t_conn_names),
	    cmocka_unit_test(t_method_of),
	    cmocka_unit_test(t_reason),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
