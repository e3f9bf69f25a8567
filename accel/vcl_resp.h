/*
 * vcl_resp.h: the response as vcl_deliver and vcl_synth change it
 * (resp.status, resp.reason, resp.http.*). VCL does not edit the head it
 * reads from (a stored header block, an origin's parsed head): it records
 * its changes in an edit list, and whoever writes the client's head
 * (cache_deliver.c, cache_wait.c, req_fsm.c) applies the list as it goes.
 * A request whose VCL edits nothing has no list (req->resp_ed NULL), and
 * the writers take their usual path.
 *
 * Lifetimes: the list and the strings it points to are in the request's
 * workspace (or are the program's constants, which the request holds):
 * valid until the request ends. A restart drops the list.
 *
 * Framing stays accel's: Content-Length and Transfer-Encoding cannot be
 * set or unset (the change is ignored), and Connection only as "close"
 * (the connection then closes after the answer).
 */
#ifndef ACCEL_VCL_RESP_H
#define ACCEL_VCL_RESP_H

#include <stddef.h>

#include "accel/hdrs.h"
#include "accel/http1.h"

struct hb;
struct req;

/* One field VCL set (value not NULL) or unset (value NULL). */
struct resp_ed_f {
	const char *name;
	size_t name_len;
	enum h1_hk kind;
	const char *value;
	size_t value_len;
};

struct resp_ed {
	unsigned status;    /* 0: unchanged; may be > 999 (sent mod 1000) */
	const char *reason; /* NULL: unchanged (the status's own) */
	size_t reason_len;
	struct resp_ed_f *f; /* one entry per name, the last change wins */
	unsigned n, cap;
	size_t bytes;	    /* names and values set: bounds the head */
	/* Summaries of f[0..n), so that a name the list does not hold is
	 * answered without a walk of it (a hit asks for every stored field):
	 * kinds: H1_SEEN bit of each known kind; names: hdrs_name_bit of
	 * every name (known or not); own: RESP_ED_* of accel's own fields. */
	uint32_t kinds;
	uint32_t names;
	unsigned own;
	unsigned close : 1; /* Connection: close was set */
};

/* accel's own fields of a head, which the list may replace or remove. */
enum {
	RESP_ED_AGE = 1u << 0,
	RESP_ED_CACHE_STATUS = 1u << 1,
	RESP_ED_VIA = 1u << 2,
};

/* The status sent for a VCL status (Varnish: above 999, modulo 1000). */
static inline unsigned
resp_ed_wire_status(unsigned st)
{
	return (st > 999 ? st % 1000 : st);
}

/* The change recorded for that name (of that kind: h1_kind_of, or the
 * VCL hint), or NULL. A pointer into e, valid as long as e. */
const struct resp_ed_f *resp_ed_find_slow(const struct resp_ed *e,
    enum h1_hk kind, const char *name, size_t len);
static inline const struct resp_ed_f *
resp_ed_find(const struct resp_ed *e, enum h1_hk kind, const char *name,
    size_t len)
{
	/* A known kind is one bit; another name its filter bit. */
	if (kind != H1H_OTHER ? (e->kinds & (1u << kind)) == 0 :
	    (e->names & hdrs_name_bit(name, len)) == 0)
		return (NULL);
	return (resp_ed_find_slow(e, kind, name, len));
}

/* Does the list replace or remove the field h (so its writer skips it)? */
static inline int
resp_ed_drops(const struct resp_ed *e, const struct h1_hdr *h)
{
	return (e != NULL && resp_ed_find(e, h->kind, h->name, h->name_len) !=
	    NULL);
}

/* The same for one of accel's own fields (RESP_ED_AGE...). */
static inline int
resp_ed_drops_own(const struct resp_ed *e, unsigned own)
{
	return (e != NULL && (e->own & own) != 0);
}

/* Record a set (value not NULL) or an unset of a field. 0, or -1 (a value
 * a field may not hold, or the workspace is full). */
int resp_ed_put(struct req *req, enum h1_hk kind, const char *name,
    size_t len, const char *value, size_t vlen);

/* The list of req, made on first use: NULL when the workspace is full. */
struct resp_ed *resp_ed_of(struct req *req);

/* Bytes the list may add to a head (its fields, the reason). */
size_t resp_ed_bytes(const struct resp_ed *e);

/* "HTTP/1.1 STATUS REASON\r\n": VCL's status and reason over status. */
void resp_ed_status_line(struct hb *hb, const struct resp_ed *e,
    unsigned status);

/* The fields VCL set, "Name: value\r\n" each. */
void resp_ed_write(struct hb *hb, const struct resp_ed *e);

#endif
