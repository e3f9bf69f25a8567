/*
 * fuzz_range.c: libFuzzer target for rfc_range_parse and the
 * multipart/byteranges helpers (accel/rfc9111_range.c).
 *
 * Input: one byte of flags (size scale, max), then up to 8 bytes of size,
 * then the Range value. abort()s when a promise breaks:
 * - the result is FULL, OK or UNSAT, and *n is 0 unless OK;
 * - OK: 1 <= n <= max, each range first <= last < size, ranges sorted and
 *   neither overlapping nor adjacent;
 * - every byte a satisfiable range-spec asks for is covered (checked on
 *   small objects against a byte map built from an independent reading);
 * - rfc_multipart_length equals what the part and end helpers write.
 * The value is parsed from an exact-size heap copy so ASan catches reads
 * past its end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/rfc9111.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_range: invariant %s\n", #x);     \
			abort();                                               \
		}                                                              \
	} while (0)

#define MAXR 64
#define MAP  512

/* Independent, simple reading of the value for small objects: mark the
 * bytes each well-formed spec asks for. Returns 0 when the value is not
 * of the plain shape it understands (then nothing is compared). */
static int
naive(const char *v, size_t len, uint64_t size, uint8_t *map)
{
	size_t i = 6, e, s, k;

	if (len < 6 || memcmp(v, "bytes=", 6) != 0)
		return (0);
	while (i <= len) {
		for (e = i; e < len && v[e] != ','; e++)
			;
		for (s = i; s < e && (v[s] == ' ' || v[s] == '\t'); s++)
			;
		for (k = e; k > s && (v[k - 1] == ' ' || v[k - 1] == '\t'); k--)
			;
		if (k > s) {
			uint64_t a = 0, b = 0;
			size_t j = s, d = 0;
			int suffix = v[j] == '-';
			if (suffix)
				j++;
			for (; j < k && v[j] >= '0' && v[j] <= '9'; j++, d++)
				if (a < 100000)
					a = a * 10 + (uint64_t)(v[j] - '0');
			if (d == 0)
				return (0);
			if (suffix) {
				if (j != k)
					return (0);
				for (b = a > size ? 0 : size - a; b < size; b++)
					map[b] = 1;
			} else {
				if (j >= k || v[j] != '-')
					return (0);
				j++;
				d = 0;
				b = UINT64_MAX;
				if (j < k) {
					b = 0;
					for (; j < k && v[j] >= '0' &&
					       v[j] <= '9';
					     j++, d++)
						if (b < 100000)
							b = b * 10 +
							    (uint64_t)(v[j] -
								       '0');
					if (d == 0 || j != k || b < a)
						return (0);
				}
				for (; a < size && a <= b; a++)
					map[a] = 1;
			}
		}
		i = e + 1;
	}
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc_range r[MAXR];
	uint8_t map[MAP];
	char part[256], end[128];
	uint64_t objsize = 0, total;
	unsigned n = 12345, max, i;
	enum rfc_range_rc rc;
	size_t hdr, vlen;
	char *v;

	if (size < 1)
		return (0);
	/* flags: bit 0-1 size scale, bits 2-7 max */
	max = 1 + (data[0] >> 2) % MAXR;
	hdr = 1 + (data[0] & 3) * 2 + ((data[0] & 3) == 3 ? 2 : 0);
	if (hdr > size)
		hdr = size;
	for (i = 1; i < hdr; i++)
		objsize = objsize << 8 | data[i];
	vlen = size - hdr;
	v = malloc(vlen ? vlen : 1);
	if (v == NULL)
		abort();
	memcpy(v, data + hdr, vlen);

	rc = rfc_range_parse(v, vlen, objsize, r, max, &n);
	CHECK(rc == RFC_RANGE_FULL || rc == RFC_RANGE_OK ||
	      rc == RFC_RANGE_UNSAT);
	if (rc != RFC_RANGE_OK) {
		CHECK(n == 0);
	} else {
		CHECK(n >= 1 && n <= max);
		for (i = 0; i < n; i++) {
			CHECK(r[i].first <= r[i].last);
			CHECK(r[i].last < objsize);
			if (i > 0)
				CHECK(r[i - 1].last + 1 < r[i].first);
		}
	}
	if (rc == RFC_RANGE_UNSAT)
		CHECK(objsize == 0 || vlen >= 6);

	/* coverage against the naive reading, for small objects */
	memset(map, 0, sizeof map);
	if (objsize <= MAP && rc != RFC_RANGE_FULL &&
	    naive(v, vlen, objsize, map)) {
		uint8_t got[MAP];
		memset(got, 0, sizeof got);
		for (i = 0; i < n; i++)
			for (uint64_t b = r[i].first; b <= r[i].last; b++)
				got[b] = 1;
		CHECK(memcmp(map, got, (size_t)objsize) == 0);
		CHECK(rc == RFC_RANGE_OK ||
		      memchr(map, 1, (size_t)objsize) == NULL);
	}

	/* multipart framing adds up */
	if (rc == RFC_RANGE_OK) {
		total = 0;
		for (i = 0; i < n; i++) {
			int l = rfc_multipart_part_fmt(
			    part, sizeof part, "BoUnDaRy", "text/plain", 10,
			    &r[i], objsize, i == 0);
			CHECK(l > 0);
			total += (uint64_t)l + (r[i].last - r[i].first + 1);
			CHECK(rfc_content_range_fmt(part, sizeof part, &r[i],
						    objsize) > 0);
		}
		total += (uint64_t)rfc_multipart_end_fmt(end, sizeof end,
							 "BoUnDaRy");
		CHECK(rfc_multipart_length("BoUnDaRy", "text/plain", 10, r, n,
					   objsize) == total);
	}
	free(v);
	return (0);
}
