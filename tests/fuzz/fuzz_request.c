/*
 * fuzz_request.c: libFuzzer target for h1_parse_request. Besides the
 * sanitizers it checks the codec's own promises and abort()s when one
 * breaks: the head length is within the input, every parsed field points
 * into the head, and a prefix of the input never gets a verdict other than
 * "need more" or the verdict on the whole input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NH 32

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_request: invariant %s\n", #x);   \
			abort();                                               \
		}                                                              \
	} while (0)

/* The default tunables, and small ones so the limits are reached. */
static const struct h1_limits lims[] = {
    {8192, 8192, 32768, 64, 0},
    {48, 24, 160, 4, 1000},
};

/* p[0..n) lies inside b[0..len). */
static int
inside(const char *p, size_t n, const char *b, size_t len)
{
	uintptr_t pp = (uintptr_t)p, bb = (uintptr_t)b;

	return (pp >= bb && pp - bb <= len && n <= len - (pp - bb));
}

/* Is c a tchar? Written out again so the check does not trust the codec. */
static int
tchar(unsigned char c)
{
	return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z') ||
		(c != 0 && strchr("!#$%&'*+-.^_`|~", c)));
}

/* Check a successful parse of b[0..r). */
static void
check_ok(const char *b, int r, const struct h1_limits *l,
	 const struct h1_req *q, const struct h1_hdr *hdrs)
{
	size_t len = (size_t)r, k;
	unsigned i;

	/* "M / HTTP/1.0\r\n\r\n" is the shortest head */
	CHECK(r >= 16 && (size_t)r <= l->max_head);
	CHECK(b[len - 4] == '\r' && b[len - 3] == '\n');
	CHECK(b[len - 2] == '\r' && b[len - 1] == '\n');
	CHECK(q->method_len > 0 && inside(q->method, q->method_len, b, len));
	for (k = 0; k < q->method_len; k++)
		CHECK(tchar((unsigned char)q->method[k]));
	CHECK(q->meth == h1_method_of(q->method, q->method_len));
	CHECK(q->target_len > 0 && q->target_len <= l->max_url);
	CHECK(inside(q->target, q->target_len, b, len));
	CHECK(q->path_len > 0);
	CHECK(inside(q->path, q->path_len, b, len) ||
	      (q->path_len == 1 && q->path[0] == '/'));
	CHECK(q->host == NULL || inside(q->host, q->host_len, b, len));
	CHECK(q->minor == 0 || q->minor == 1);
	CHECK(q->minor == 0 || q->host != NULL);
	CHECK(q->hdrs == hdrs && q->nhdrs <= l->max_headers && q->nhdrs <= NH);
	CHECK(q->body == H1B_NONE || q->body == H1B_LENGTH ||
	      q->body == H1B_CHUNKED);
	CHECK(q->body != H1B_CHUNKED || q->minor == 1);
	CHECK(l->max_body == 0 || q->body != H1B_LENGTH ||
	      q->content_length <= l->max_body);
	CHECK(q->keep_alive == 0 || q->minor == 1 ||
	      h1_find(hdrs, q->nhdrs, "Connection") != NULL);
	for (i = 0; i < q->nhdrs; i++) {
		const struct h1_hdr *h = &hdrs[i];
		CHECK(h->name_len > 0 && inside(h->name, h->name_len, b, len));
		CHECK(inside(h->value, h->value_len, b, len));
		CHECK(h->name[h->name_len] == ':');
		for (k = 0; k < h->name_len; k++)
			CHECK(tchar((unsigned char)h->name[k]));
		for (k = 0; k < h->value_len; k++) {
			unsigned char c = (unsigned char)h->value[k];
			CHECK(c == '\t' || (c >= ' ' && c != 0x7f));
		}
		if (h->value_len > 0) {
			CHECK(h->value[0] != ' ' && h->value[0] != '\t');
			CHECK(h->value[h->value_len - 1] != ' ' &&
			      h->value[h->value_len - 1] != '\t');
		}
	}
}

/* Parse a private copy of data[0..k) so ASan sees any over-read. */
static int
parse_copy(const uint8_t *data, size_t k, const struct h1_limits *l,
	   struct h1_req *q, struct h1_hdr *hdrs)
{
	char *p = malloc(k ? k : 1);
	int r;

	if (p == NULL)
		abort();
	memcpy(p, data, k);
	r = h1_parse_request(p, k, l, q, hdrs, NH);
	if (r > 0)
		check_ok(p, r, l, q, hdrs);
	free(p);
	return (r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h1_req q, q2;
	struct h1_hdr hdrs[NH], hdrs2[NH];
	size_t cut[4], i;
	unsigned j;
	int r, r2;

	for (j = 0; j < sizeof lims / sizeof lims[0]; j++) {
		const struct h1_limits *l = &lims[j];

		r = h1_parse_request((const char *)data, size, l, &q, hdrs, NH);
		CHECK(r <= (int)size);
		CHECK(r >= 0 || r == -400 || r == -413 || r == -414 ||
		      r == -417 || r == -431 || r == -501 || r == -505);
		if (r > 0)
			check_ok((const char *)data, r, l, &q, hdrs);
		/* A growing buffer: every prefix says "more" or the same. */
		cut[0] = size / 2;
		cut[1] = size > 0 ? size - 1 : 0;
		cut[2] = r > 0 ? (size_t)r - 1 : size / 3;
		cut[3] = r > 0 ? (size_t)r : (size > 0 ? data[0] % size : 0);
		for (i = 0; i < 4; i++) {
			r2 = parse_copy(data, cut[i], l, &q2, hdrs2);
			if (r > 0 && cut[i] < (size_t)r)
				CHECK(r2 == 0);
			else
				CHECK(r2 == 0 || r2 == r);
			if (r2 > 0) {
				/* Same head, same result. */
				CHECK(q2.method_len == q.method_len);
				CHECK(q2.target_len == q.target_len);
				CHECK(q2.path_len == q.path_len);
				CHECK(q2.host_len == q.host_len);
				CHECK(q2.nhdrs == q.nhdrs && q2.body == q.body);
				CHECK(q2.content_length == q.content_length);
				CHECK(q2.keep_alive == q.keep_alive);
				CHECK(q2.expect_continue == q.expect_continue);
			}
		}
	}
	return (0);
}
