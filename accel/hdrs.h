/*
 * hdrs.h: an editable view of a parsed message's header fields, for VCL's
 * req.http.*, bereq.http.*, beresp.http.* and resp.http.* (accel's side of
 * vcl/vcl.h's ho_hdr_get/set/unset; docs/vcl-internals.md).
 *
 * Until the first change the view is the parser's array itself (no copy:
 * a request whose VCL only reads headers costs nothing). The first change
 * copies the entries (pointers and lengths, not the bytes) into the
 * workspace with room to grow; later changes edit that copy, growing it
 * in the workspace when full. Names and values set are the caller's: they
 * must live as long as the view (VCL's strings live in the same
 * workspace; its header names in the program, which the request holds).
 *
 * seen follows the parser's h1_req.seen: one bit per known kind present,
 * so asking for an absent known field costs one bit test.
 */
#ifndef ACCEL_HDRS_H
#define ACCEL_HDRS_H

#include <stddef.h>
#include <stdint.h>

#include "accel/http1.h"

struct ws;

struct hdrs {
	struct h1_hdr *h; /* n fields; the parser's until copied */
	unsigned n;
	unsigned cap;	  /* 0 until copied into the workspace */
	uint32_t seen;	  /* H1_SEEN bits of the known kinds present */
};

void hdrs_init(struct hdrs *hs, struct h1_hdr *h, unsigned n, uint32_t seen);

/*
 * The first field named name (case-insensitive), or NULL. kind is the
 * name's kind (h1_kind_of, or the VCL hint): H1H_OTHER for any name not in
 * H1_KNOWN_HDRS.
 */
const struct h1_hdr *hdrs_get(const struct hdrs *hs, enum h1_hk kind,
    const char *name, size_t len);

/*
 * Replace every field named name by one, name: value, at the place of the
 * first (or at the end when there was none). 0, or -1 when the value holds
 * a byte a field value may not (CR, LF, NUL, other controls but HTAB: no
 * header injection through VCL) or the workspace is full.
 */
int hdrs_set(struct hdrs *hs, struct ws *ws, enum h1_hk kind,
    const char *name, size_t len, const char *value, size_t vlen);

/* Remove every field named name. 0, or -1 when the workspace is full. */
int hdrs_unset(struct hdrs *hs, struct ws *ws, enum h1_hk kind,
    const char *name, size_t len);

/*
 * A header name's bit in a 24-bit filter of names (bits 8..31, so that it
 * fits above the daemon's flags in sto_obj.o_cflags): case-insensitive,
 * from the length and three of the name's bytes. A filter is the OR of
 * the bits of the names in a set; a name whose bit is clear is certainly
 * not in it (a set bit may be another name's: then compare the names).
 * It lets a hit skip the walk of the stored header block when no name VCL
 * edits or reads is in it (OC_HNAMES, cache_fill.c).
 */
#define HDRS_NAME_FILTER 0xffffff00u
static inline uint32_t
hdrs_name_bit(const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	unsigned h;

	if (len == 0)
		return (1u << 8);
	/* | 0x20 folds ASCII letters' case (other bytes just hash). The
	 * weights were picked so that the usual origin fields (Server,
	 * Date, Content-Type, Last-Modified, ETag, Accept-Ranges, Via) get
	 * seven distinct bits, none of them X-Served-By's, X-Powered-By's,
	 * Age's or Cache-Status's: names VCL commonly edits. */
	h = (unsigned)len + (p[0] | 0x20u) * 3u + (p[len / 2] | 0x20u) * 7u +
	    (p[len - 1] | 0x20u) * 2u;
	return (1u << (8 + h % 24));
}

/* Whether a field value may hold these bytes (RFC 9110 5.5: VCHAR,
 * obs-text, SP, HTAB). */
int hdrs_value_ok(const char *value, size_t vlen);

#endif
