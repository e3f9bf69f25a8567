/*
 * fuzz_response.c: libFuzzer target for h1_parse_response, both as the
 * answer to a GET and to a HEAD. abort()s when a promise of the codec
 * breaks: head length within the input, fields inside the head, framing
 * consistent with the status, prefixes agreeing with the whole.
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
			fprintf(stderr, "fuzz_response: invariant %s\n", #x);  \
			abort();                                               \
		}                                                              \
	} while (0)

static const struct h1_limits lims[] = {
    {8192, 8192, 65536, 64, 0},
    {8192, 8192, 128, 4, 0},
};

/* p[0..n) lies inside b[0..len). */
static int
inside(const char *p, size_t n, const char *b, size_t len)
{
	uintptr_t pp = (uintptr_t)p, bb = (uintptr_t)b;

	return (pp >= bb && pp - bb <= len && n <= len - (pp - bb));
}

/* Check a successful parse of b[0..r). */
static void
check_ok(const char *b, int r, const struct h1_limits *l, int head,
	 const struct h1_resp *s, const struct h1_hdr *hdrs)
{
	size_t len = (size_t)r, k;
	unsigned i;

	CHECK(r >= 16 && (size_t)r <= l->max_head);
	CHECK(memcmp(b + len - 4, "\r\n\r\n", 4) == 0);
	CHECK(s->minor == 0 || s->minor == 1);
	CHECK(s->status >= 100 && s->status <= 999);
	CHECK(inside(s->reason, s->reason_len, b, len));
	CHECK(s->hdrs == hdrs && s->nhdrs <= l->max_headers && s->nhdrs <= NH);
	if (head || s->status < 200 || s->status == 204 || s->status == 304)
		CHECK(s->body == H1B_NONE);
	else
		CHECK(s->body != H1B_NONE);
	CHECK(s->body != H1B_EOF || s->keep_alive == 0);
	CHECK(s->body != H1B_CHUNKED || s->minor == 1);
	for (i = 0; i < s->nhdrs; i++) {
		const struct h1_hdr *h = &hdrs[i];
		CHECK(h->name_len > 0 && inside(h->name, h->name_len, b, len));
		CHECK(inside(h->value, h->value_len, b, len));
		CHECK(h->name[h->name_len] == ':');
		for (k = 0; k < h->value_len; k++) {
			unsigned char c = (unsigned char)h->value[k];
			CHECK(c == '\t' || (c >= ' ' && c != 0x7f));
		}
	}
}

/* Parse a private copy of data[0..k) so ASan sees any over-read. */
static int
parse_copy(const uint8_t *data, size_t k, const struct h1_limits *l, int head,
	   struct h1_resp *s, struct h1_hdr *hdrs)
{
	char *p = malloc(k ? k : 1);
	int r;

	if (p == NULL)
		abort();
	memcpy(p, data, k);
	r = h1_parse_response(p, k, l, head, s, hdrs, NH);
	if (r > 0)
		check_ok(p, r, l, head, s, hdrs);
	free(p);
	return (r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h1_resp s, s2;
	struct h1_hdr hdrs[NH], hdrs2[NH];
	size_t cut[3], i;
	unsigned j;
	int head, r, r2;

	for (j = 0; j < sizeof lims / sizeof lims[0]; j++) {
		for (head = 0; head <= 1; head++) {
			const struct h1_limits *l = &lims[j];

			r = h1_parse_response((const char *)data, size, l, head,
					      &s, hdrs, NH);
			CHECK(r <= (int)size && (r >= 0 || r == -502));
			if (r > 0)
				check_ok((const char *)data, r, l, head, &s,
					 hdrs);
			cut[0] = size / 2;
			cut[1] = size > 0 ? size - 1 : 0;
			cut[2] = r > 0 ? (size_t)r - 1 : size / 3;
			for (i = 0; i < 3; i++) {
				r2 = parse_copy(data, cut[i], l, head, &s2,
						hdrs2);
				if (r > 0 && cut[i] < (size_t)r)
					CHECK(r2 == 0);
				else
					CHECK(r2 == 0 || r2 == r);
				if (r2 > 0)
					CHECK(s2.status == s.status &&
					      s2.body == s.body &&
					      s2.nhdrs == s.nhdrs &&
					      s2.content_length ==
						  s.content_length);
			}
		}
	}
	return (0);
}
