/*
 * fuzz_chunked.c: libFuzzer target for the chunked body decoder. The input
 * is decoded three ways: in one piece, byte by byte, and in pieces whose
 * sizes come from the input itself; all three must agree on the outcome,
 * the body bytes and the bytes consumed. abort()s when a promise breaks:
 * 0 < n <= len, DATA bytes never more than the input, total exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_chunked: invariant %s\n", #x);   \
			abort();                                               \
		}                                                              \
	} while (0)

struct run {
	int rc;       /* H1C_DONE, H1C_ERROR, or 0: input ran out */
	size_t used;  /* bytes consumed */
	uint8_t *out; /* body bytes */
	size_t nout;
};

/* Piece size for the i-th piece: 0 means all that is left. */
typedef size_t (*piece_fn)(const uint8_t *, size_t, size_t);

/* Everything at once. */
static size_t
all(const uint8_t *d, size_t size, size_t i)
{
	(void)d;
	(void)i;
	return (size);
}

/* One byte at a time. */
static size_t
one(const uint8_t *d, size_t size, size_t i)
{
	(void)d;
	(void)size;
	(void)i;
	return (1);
}

/* Sizes 1..16 drawn from the input bytes. */
static size_t
drawn(const uint8_t *d, size_t size, size_t i)
{
	return (size == 0 ? 1 : (size_t)(d[(i * 7) % size] % 16) + 1);
}

/*
 * Decode data[0..size) fed in pieces chosen by fn, each copied to the end
 * of a heap buffer so that ASan catches a read past the piece.
 */
static void
run(const uint8_t *data, size_t size, piece_fn fn, struct run *r)
{
	struct h1_chunk c;
	size_t off = 0, n, np = 0, piece, left, cap;
	uint64_t total = 0;
	uint8_t *scratch, *p;
	int rc;

	cap = fn == all ? (size ? size : 1) : 16;
	scratch = malloc(cap);
	if (scratch == NULL)
		abort();
	h1_chunk_init(&c);
	r->rc = 0;
	r->nout = 0;
	while (off < size) {
		piece = fn(data, size, np++);
		if (piece > size - off)
			piece = size - off;
		p = scratch + cap - piece;
		memcpy(p, data + off, piece);
		left = piece;
		while (left > 0) {
			n = (size_t)-1;
			rc = h1_chunk_next(&c, (const char *)p + (piece - left),
					   left, &n);
			if (rc == H1C_ERROR) {
				/* Errors are sticky. */
				CHECK(h1_chunk_next(&c, (const char *)p, piece,
						    &n) == H1C_ERROR);
				r->rc = rc;
				r->used = off + (piece - left);
				free(scratch);
				return;
			}
			CHECK(rc == H1C_DATA || rc == H1C_SKIP ||
			      rc == H1C_DONE);
			CHECK(n > 0 && n <= left);
			if (rc == H1C_DATA) {
				memcpy(r->out + r->nout, p + (piece - left), n);
				r->nout += n;
				total += n;
			}
			CHECK(c.total == total);
			CHECK(r->nout <= off + (piece - left) + n);
			left -= n;
			if (rc == H1C_DONE) {
				r->rc = rc;
				r->used = off + (piece - left);
				free(scratch);
				return;
			}
		}
		off += piece;
	}
	free(scratch);
	r->used = off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const piece_fn fns[] = {all, one, drawn};
	struct run r[3];
	unsigned i;

	for (i = 0; i < 3; i++) {
		r[i].out = malloc(size ? size : 1);
		if (r[i].out == NULL)
			abort();
		run(data, size, fns[i], &r[i]);
		CHECK(r[i].nout <= size && r[i].used <= size);
		if (r[i].rc == H1C_DONE || r[i].rc == 0)
			CHECK(r[i].nout < r[i].used || r[i].used == 0);
	}
	for (i = 1; i < 3; i++) {
		/* The split never changes the outcome or the body. */
		CHECK(r[i].rc == r[0].rc);
		CHECK(r[i].nout == r[0].nout);
		CHECK(memcmp(r[i].out, r[0].out, r[0].nout) == 0);
		if (r[0].rc == H1C_DONE)
			CHECK(r[i].used == r[0].used);
	}
	for (i = 0; i < 3; i++)
		free(r[i].out);
	return (0);
}
