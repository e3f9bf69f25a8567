/*
 * cache_deliver.c: a hit delivered from a complete stored object. The
 * request's conditionals and Range are answered here, in the order of
 * RFC 9110 section 13.2.2:
 *   - If-None-Match, else If-Modified-Since, against the stored validators
 *     (RFC 9111 section 4.3.2): 304 with the stored fields RFC 9110
 *     section 15.4.5 keeps;
 *   - Range, on a GET of a stored 200 when If-Range (if any) holds: 206
 *     with one part, 206 multipart/byteranges for several, or 416
 *     (RFC 9110 section 14);
 *   - otherwise the stored status and the whole body, with
 *     "Accept-Ranges: bytes" on a 200 that does not carry the field.
 * The head comes from the stored fields (Via among them, ours last) in one
 * reservation, with Age and Cache-Status. Body bytes go from the object's segments into the
 * client buffer by reference, never copied; only the multipart framing
 * (a part's boundary and fields, the closing boundary) is copied.
 *
 * Lifetimes: req->obj holds one reference from LOOKUP until DONE (or the
 * session's close), which keeps every span queued in the client buffer by
 * evbuffer_add_reference valid until it is written or dropped.
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/head.h"
#include "accel/rfc9111.h"
#include "accel/vcl_resp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* More range-specs than this and Range is ignored (RFC 9110 section 14.2
 * lets a server do so against a denial of service). */
#define DL_MAX_RANGES 16
/* A stored Content-Type longer than this goes into no multipart part:
 * such a request gets the whole object. */
#define DL_MAX_CTYPE 256

/*
 * The next field of a stored header block b[0..len) (cache.c's fill_hdrs
 * writes "Name: value\r\n" lines), from *pos (start at 0): 1 with *h
 * pointing into b, 0 at the end. The value is trimmed of OWS; a line
 * without a colon is skipped, and the last line may lack its CRLF.
 */
static int
dl_hdr_next(const char *b, size_t len, size_t *pos, struct h1_hdr *h)
{
	while (*pos < len) {
		const char *line = b + *pos;
		const char *nl = memchr(line, '\n', len - *pos);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - *pos;
		const char *colon = memchr(line, ':', ll);
		size_t s, e;

		*pos += ll + (nl != NULL);
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (colon == NULL || colon == line)
			continue;
		s = (size_t)(colon - line) + 1;
		e = ll;
		while (s < e && (line[s] == ' ' || line[s] == '\t'))
			s++;
		while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t'))
			e--;
		h->name = line;
		h->name_len = (size_t)(colon - line);
		h->value = line + s;
		h->value_len = e - s;
		h->kind = h1_kind_of(h->name, h->name_len);
		return (1);
	}
	return (0);
}

int
cache_hdr_next(const char *b, size_t len, size_t *pos, struct h1_hdr *h)
{
	return (dl_hdr_next(b, len, pos, h));
}

/*
 * Kept lines go out in runs, as stored (fill_hdrs writes each one
 * "Name: value\r\n", so they need no rewriting); a line's name is
 * classified and looked up only when its filter bit is among the list's
 * names, so a walk for one removed field costs two memchr a line.
 */
void
cache_hdrs_edited(struct hb *hb, const char *b, size_t len,
    const struct resp_ed *ed)
{
	size_t pos = 0, run = 0; /* b[run..pos): kept, not yet written */

	while (pos < len) {
		const char *line = b + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - line) + 1 : len - pos;
		const char *colon = memchr(line, ':', ll);
		size_t nlen = colon != NULL ? (size_t)(colon - line) : 0;

		if (nlen > 0 && (ed->names & hdrs_name_bit(line, nlen)) != 0 &&
		    resp_ed_find_slow(ed, h1_kind_of(line, nlen), line,
		    nlen) != NULL) {
			hb_add(hb, b + run, pos - run);
			run = pos + ll;
		}
		pos += ll;
	}
	hb_add(hb, b + run, pos - run);
}

/* The first stored field of that name, or NULL (then *h is untouched). */
static const struct h1_hdr *
dl_stored(const struct sto_obj *o, const char *name, struct h1_hdr *h)
{
	struct sto_bytes b = sto_obj_hdrs(o);
	size_t pos = 0;

	while (dl_hdr_next((const char *)b.ptr, b.len, &pos, h))
		if (h1_name_eq(h, name))
			return (h);
	return (NULL);
}

/* What a hit answers. */
enum dl_what {
	DL_WHOLE, /* the stored status, the whole body */
	DL_304,   /* 304 Not Modified */
	DL_PART,  /* 206, one range */
	DL_MULTI, /* 206, multipart/byteranges */
	DL_416,   /* 416 Range Not Satisfiable */
};

struct dl_plan {
	enum dl_what what;
	unsigned status;
	uint64_t size; /* the object's body length */
	uint64_t clen; /* Content-Length, when has_clen */
	int has_clen;
	int body;          /* body bytes follow the head (not HEAD, 304...) */
	int accept_ranges; /* add "Accept-Ranges: bytes" */
	struct rfc_range r[DL_MAX_RANGES]; /* DL_PART, DL_MULTI: r[0..nr) */
	unsigned nr;
	const char *ctype; /* DL_MULTI: stored Content-Type (NULL: none), */
	size_t ctlen;      /*   a span of sto_obj_hdrs(o) */
	char boundary[32]; /* DL_MULTI */
};

/* A boundary that will not occur in the content: random per response. */
static void
dl_boundary(char *buf, size_t len)
{
	uint8_t rnd[12];
	size_t i, k = 6;

	assert_acc(len >= 6 + 2 * sizeof rnd + 1);
	arc4random_buf(rnd, sizeof rnd);
	memcpy(buf, "accel-", 6);
	for (i = 0; i < sizeof rnd; i++) {
		buf[k++] = "0123456789abcdef"[rnd[i] >> 4];
		buf[k++] = "0123456789abcdef"[rnd[i] & 15];
	}
	buf[k] = '\0';
}

/* The request's only field of that name: 1 with *h, 0 when absent, -1
 * when there are several. */
static int
dl_req_one(const struct req *req, const char *name, const struct h1_hdr **h)
{
	int n = 0;

	*h = NULL;
	for (unsigned i = 0; i < req->h.nhdrs; i++)
		if (h1_name_eq(&req->h.hdrs[i], name)) {
			*h = &req->h.hdrs[i];
			n++;
		}
	return (n > 1 ? -1 : n);
}

/* Range and If-Range: DL_PART, DL_MULTI or DL_416, or pl left as the
 * whole object (no Range, If-Range failed, Range invalid or ignored). */
static void
dl_plan_range(const struct req *req, const struct sto_obj *o,
	      struct dl_plan *pl)
{
	const struct h1_hdr *range, *ifr;
	struct h1_hdr ct;
	struct sto_bytes etag = sto_obj_etag(o), lm = sto_obj_lastmod(o);

	if (dl_req_one(req, "Range", &range) != 1)
		return;
	switch (dl_req_one(req, "If-Range", &ifr)) {
	case 0: break;
	case 1:
		/* Without a Date, the response's is when it came
		 * (RFC 9110 section 6.6.1). */
		if (!rfc_if_range(ifr->value, ifr->value_len,
				  (const char *)etag.ptr, etag.len,
				  (const char *)lm.ptr, lm.len,
				  o->o_date > 0 ? o->o_date : o->o_t_resp))
			return;
		break;
	default: return;
	}
	switch (rfc_range_parse(range->value, range->value_len, pl->size, pl->r,
				DL_MAX_RANGES, &pl->nr)) {
	case RFC_RANGE_FULL: return;
	case RFC_RANGE_UNSAT:
		pl->what = DL_416;
		pl->status = 416;
		pl->clen = 0;
		pl->body = 0;
		return;
	case RFC_RANGE_OK: break;
	}
	/* Several ranges of a body on disk: the whole object instead
	 * (RFC 9110 section 14.2 allows it), read once in order. */
	if (pl->nr > 1 && (sto_obj_flags(o) & STO_F_DISKBODY))
		return;
	if (pl->nr == 1) {
		pl->what = DL_PART;
		pl->clen = pl->r[0].last - pl->r[0].first + 1;
	} else {
		if (dl_stored(o, "Content-Type", &ct) != NULL) {
			if (ct.value_len > DL_MAX_CTYPE)
				return;
			pl->ctype = ct.value;
			pl->ctlen = ct.value_len;
		}
		pl->what = DL_MULTI;
		dl_boundary(pl->boundary, sizeof pl->boundary);
		pl->clen =
		    rfc_multipart_length(pl->boundary, pl->ctype, pl->ctlen,
					 pl->r, pl->nr, pl->size);
	}
	pl->status = 206;
}

/* Decide the answer to req from the stored object o. */
static void
dl_plan(const struct req *req, const struct sto_obj *o, struct dl_plan *pl)
{
	pl->what = DL_WHOLE;
	pl->status = o->o_status;
	pl->size = sto_obj_len(o);
	pl->has_clen = o->o_status != 204 && o->o_status != 304;
	pl->clen = pl->size;
	pl->body = pl->has_clen && req->h.meth != H1M_HEAD && !req->no_body;
	pl->accept_ranges = 0;
	pl->nr = 0;
	pl->ctype = NULL;
	pl->ctlen = 0;
	pl->boundary[0] = '\0';

	/* vcl_deliver changed the status: that answer, whole (its
	 * conditionals and Range were about the stored one). */
	if (req->resp_ed != NULL && req->resp_ed->status != 0)
		return;
	/* Preconditions apply only to what would be a 2xx (RFC 9110
	 * section 13.2.1). */
	if (o->o_status < 200 || o->o_status > 299)
		return;
	if ((req->h.seen & (H1_SEEN(IF_NONE_MATCH) | H1_SEEN(IF_MODIFIED_SINCE))) &&
	    rfc_not_modified(req->h.meth, req->h.hdrs, req->h.nhdrs,
			     (const char *)sto_obj_etag(o).ptr,
			     sto_obj_etag(o).len,
			     (const char *)sto_obj_lastmod(o).ptr,
			     sto_obj_lastmod(o).len,
			     o->o_date, o->o_t_resp)) {
		pl->what = DL_304;
		pl->status = 304;
		pl->has_clen = 0;
		pl->body = 0;
		return;
	}
	if (o->o_status != 200)
		return;
	if (req->h.meth == H1M_GET && (req->h.seen & H1_SEEN(RANGE)))
		dl_plan_range(req, o, pl);
	if (pl->what == DL_WHOLE)
		pl->accept_ranges = (o->o_cflags & OC_ACCEPT_RANGES) == 0;
}

/* Does a stored field go into the head of this answer? */
static int
dl_keep(const struct dl_plan *pl, const struct sto_obj *o,
	const struct h1_hdr *h)
{
	/* The stored Via ends with ours (fill_hdrs): every answer has it. */
	if (h1_name_eq(h, "Via"))
		return (1);
	switch (pl->what) {
	case DL_WHOLE: return (1);
	case DL_304: return (rfc_304_hdr(h, sto_obj_etag(o).ptr != NULL));
	case DL_PART: return (!h1_name_eq(h, "Content-Range"));
	case DL_MULTI:
		/* The stored Content-Type is in each part. */
		return (!h1_name_eq(h, "Content-Range") &&
			!h1_name_eq(h, "Content-Type"));
	case DL_416:
		/* No content, so nothing that describes one; no freshness
		 * either, so no cache downstream keeps an answer to this one
		 * Range as the object. */
		return (h1_name_eq(h, "Date") || h1_name_eq(h, "ETag") ||
			h1_name_eq(h, "Last-Modified"));
	}
	WRONG("dl_keep");
}

/* Out of line: the hit without edits keeps its registers (callgrind). */
static int dl_head_edited(struct req *req, const struct dl_plan *pl,
    const struct resp_ed *ed) __attribute__((noinline));
static inline void dl_head_tail(struct hb *hb, struct req *req,
    const struct dl_plan *pl) __attribute__((always_inline));

/* Write the head into sp->out: 0, or -1 when memory is short. */
static int
dl_head(struct req *req, const struct dl_plan *pl)
{
	struct sess *sp = req->sp;
	const struct sto_obj *o = req->obj;
	struct sto_bytes sh = sto_obj_hdrs(o);
	const struct resp_ed *ed = req->resp_ed;
	struct hb hb;
	struct h1_hdr h;
	size_t pos = 0;

	if (ed != NULL)
		return (dl_head_edited(req, pl, ed));
	if (hb_begin(&hb, sp->out, sh.len + 640) != 0)
		return (-1);
	cache_head_begin(&hb, pl->status);
	if (pl->what == DL_WHOLE)
		hb_add(&hb, sh.ptr, sh.len);
	else
		while (dl_hdr_next((const char *)sh.ptr, sh.len, &pos, &h))
			if (dl_keep(pl, o, &h))
				hb_field(&hb, h.name, h.name_len, h.value,
					 h.value_len);
	dl_head_tail(&hb, req, pl);
	return (hb_end(&hb)); /* the reservation bounds every field above */
}

/*
 * The same head with vcl_deliver's edits (vcl_resp.h): its status and
 * reason, the stored fields it did not replace or remove, accel's own
 * (Age, Cache-Status) unless removed, then the fields it set.
 */
static int
dl_head_edited(struct req *req, const struct dl_plan *pl,
    const struct resp_ed *ed)
{
	struct sto_bytes sh = sto_obj_hdrs(req->obj);
	struct hb hb;
	struct h1_hdr h;
	size_t pos = 0;

	if (ed->close)
		req->sp->close_after = 1;
	if (ed->status != 0)
		req->resp_status = (int)resp_ed_wire_status(ed->status);
	if (hb_begin(&hb, req->sp->out, sh.len + 640 + resp_ed_bytes(ed)) != 0)
		return (-1);
	resp_ed_status_line(&hb, ed, pl->status);
	/* The usual edit adds a field the origin did not send: when the
	 * block holds none of the names edited, it goes as is, unwalked. */
	if (pl->what == DL_WHOLE && cache_hdrs_lack(req->obj, ed->names))
		hb_add(&hb, sh.ptr, sh.len);
	else if (pl->what == DL_WHOLE)
		cache_hdrs_edited(&hb, (const char *)sh.ptr, sh.len, ed);
	else
		while (dl_hdr_next((const char *)sh.ptr, sh.len, &pos, &h))
			if (dl_keep(pl, req->obj, &h) &&
			    !resp_ed_drops(ed, &h))
				hb_field(&hb, h.name, h.name_len, h.value,
				    h.value_len);
	dl_head_tail(&hb, req, pl);
	return (hb_end(&hb));
}

/* The fields of a hit's head after the stored ones, and its end (inline:
 * the hit path pays no call for it). */
static inline void
dl_head_tail(struct hb *hb, struct req *req, const struct dl_plan *pl)
{
	const struct resp_ed *ed = req->resp_ed;
	char v[128];
	int n;

	switch (pl->what) {
	case DL_WHOLE:
		if (pl->accept_ranges)
			hb_lit(hb, "Accept-Ranges: bytes\r\n");
		break;
	case DL_PART:
		n = rfc_content_range_fmt(v, sizeof v, &pl->r[0], pl->size);
		AN(n > 0);
		hb_field(hb, "Content-Range", 13, v, (size_t)n);
		break;
	case DL_MULTI:
		n = rfc_multipart_ctype_fmt(v, sizeof v, pl->boundary);
		AN(n > 0);
		hb_field(hb, "Content-Type", 12, v, (size_t)n);
		break;
	case DL_416:
		n = rfc_content_range_unsat_fmt(v, sizeof v, pl->size);
		AN(n > 0);
		hb_field(hb, "Content-Range", 13, v, (size_t)n);
		break;
	case DL_304: break;
	}
	if (ed == NULL)
		cache_head_age(hb, req, req->obj);
	else {
		if (!resp_ed_drops_own(ed, RESP_ED_AGE)) {
			hb_lit(hb, "Age: ");
			hb_num(hb, (uint64_t)req->age, 10);
			hb_lit(hb, "\r\n");
		}
		if (!resp_ed_drops_own(ed, RESP_ED_CACHE_STATUS))
			cache_status_hdr(hb, req, req->obj->o_ttl - req->age);
		resp_ed_write(hb, ed);
	}
	if (pl->has_clen) {
		hb_lit(hb, "Content-Length: ");
		hb_num(hb, pl->clen, 10);
		hb_lit(hb, "\r\n");
	}
	req_head_close(hb, req);
}

/* Queue body bytes [first, first + n) by reference: 0, or -1 when a span
 * could not be queued (the response is then short). */
static int
dl_span(struct req *req, uint64_t first, uint64_t n)
{
	struct evbuffer *out = req->sp->out;
	struct sto_cursor c;
	const void *p;
	size_t len;

	sto_cursor_init(&c, req->obj);
	if (first > SIZE_MAX || sto_cursor_seek(&c, (size_t)first) != 0)
		return (-1);
	while (n > 0) {
		if (sto_cursor_next(&c, n > SIZE_MAX ? 0 : (size_t)n, &p,
				    &len) != 0)
			return (-1);
		/* The object outlives the buffer's use of p: req->obj is
		 * dropped only once sp->out is empty or freed. */
		if (evbuffer_add_reference(out, p, len, NULL, NULL) != 0)
			return (-1);
		req->resp_bytes += len;
		n -= len;
	}
	return (0);
}

/* Copy a small piece of framing into the client buffer: 0 or -1. */
static int
dl_frame(struct req *req, const char *p, int n)
{
	if (n <= 0 || evbuffer_add(req->sp->out, p, (size_t)n) != 0)
		return (-1);
	req->resp_bytes += (uint64_t)n;
	return (0);
}

/* The parts of a multipart/byteranges body, then its closing boundary:
 * 0, or -1 when something could not be queued. */
static int
dl_multipart(struct req *req, const struct dl_plan *pl)
{
	char buf[DL_MAX_CTYPE + 192];
	int n;

	for (unsigned i = 0; i < pl->nr; i++) {
		const struct rfc_range *r = &pl->r[i];

		n = rfc_multipart_part_fmt(buf, sizeof buf, pl->boundary,
					   pl->ctype, pl->ctlen, r, pl->size,
					   i == 0);
		if (dl_frame(req, buf, n) != 0 ||
		    dl_span(req, r->first, r->last - r->first + 1) != 0)
			return (-1);
	}
	n = rfc_multipart_end_fmt(buf, sizeof buf, pl->boundary);
	return (dl_frame(req, buf, n));
}

/* ---- bodies on disk ---- */

/* sto_lmdb_read() callback: copy a checked piece into an evbuffer. */
static int
dl_disk_copy(void *priv, const void *p, size_t n)
{
	return (evbuffer_add(priv, p, n) != 0 ? ENOMEM : 0);
}

/* Read the next piece of the body, up to the end of its chunk, into out:
 * 0, or the tier's error (ENOENT, STO_ECORRUPT...). */
static int
dl_disk_piece(struct req *req, struct evbuffer *out)
{
	uint64_t n = req->dsk_end - req->dsk_pos;
	uint64_t room = sto_lmdb_chunk_room(req->obj, req->dsk_pos);
	int rc;

	if (n > room)
		n = room;
	rc = sto_lmdb_read(cache_disk, req->obj, req->dsk_pos, n, dl_disk_copy,
	    out);
	if (rc == 0) {
		req->dsk_pos += n;
		req->resp_bytes += n;
	}
	return (rc);
}

/*
 * HIT, body on disk (STO_F_DISKBODY): one chunk at a time, copied into the
 * client buffer, the next read only once the client has taken enough
 * (buffer_high); req_client_drained() drives us again. No read
 * transaction is held between two calls.
 */
enum req_step
cache_deliver_disk(struct req *req)
{
	struct sess *sp = req->sp;

	while (req->dsk_pos < req->dsk_end) {
		if (evbuffer_get_length(sp->out) >= prm.buffer_high) {
			sess_flush(sp);
			if (evbuffer_get_length(sp->out) > 0)
				return (R_WAIT);
			continue;
		}
		if (dl_disk_piece(req, sp->out) != 0) {
			/* Evicted or corrupt past the first chunk: the close,
			 * short of Content-Length, tells the client. */
			sp->close_after = 1;
			sess_flush(sp);
			return (R_DONE);
		}
	}
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings DONE */
	return (R_DONE);
}

/*
 * Start a disk body: its first piece is read (and checked) before the head
 * is written, so an object that is gone or corrupt becomes a miss instead
 * of a broken response. Returns the next step.
 */
static enum req_step
dl_disk_start(struct req *req, const struct dl_plan *pl, uint64_t first,
    uint64_t n)
{
	struct evbuffer *tmp = evbuffer_new();
	int rc;

	req->dsk_pos = first;
	req->dsk_end = first + n;
	if (tmp == NULL) {
		req->err_status = 503;
		return (R_SYNTH);
	}
	rc = n > 0 ? dl_disk_piece(req, tmp) : 0;
	if (rc != 0) {
		/* The tier dropped it (corrupt) or lost it: fetch it anew. */
		evbuffer_free(tmp);
		req->resp_bytes = 0;
		sto_obj_deref(&req->obj);
		req->cs_kind = RFC_CS_MISS;
		req->sp->wrk->ctr.cache_hit--;
		/* The miss's answer gets its own vcl_deliver. */
		req->vcl_deliver_done = 0;
		req->resp_ed = NULL;
		return (R_MISS);
	}
	if (dl_head(req, pl) != 0) {
		evbuffer_free(tmp);
		req->err_status = 503;
		return (R_SYNTH);
	}
	(void)evbuffer_add_buffer(req->sp->out, tmp); /* moves, no copy */
	evbuffer_free(tmp);
	req->streaming = 1;
	req->disk = 1;
	return (cache_deliver_disk(req));
}

/* HIT: the head from the stored fields, the body by reference. */
enum req_step
cache_deliver_hit(struct req *req)
{
	struct sess *sp = req->sp;
	const struct sto_obj *o = req->obj;
	struct dl_plan pl;
	int rc = 0;

	assert_acc(sto_obj_state(o) == STO_OBJ_COMPLETE);
	dl_plan(req, o, &pl);
	req->resp_status = (int)pl.status; /* VCL's: dl_head_edited() */
	if (pl.body && (sto_obj_flags(o) & STO_F_DISKBODY)) {
		if (pl.what == DL_PART)
			return (dl_disk_start(req, &pl, pl.r[0].first, pl.clen));
		return (dl_disk_start(req, &pl, 0, pl.size));
	}
	if (dl_head(req, &pl) != 0) {
		req->err_status = 503;
		return (R_SYNTH);
	}
	if (pl.body) {
		switch (pl.what) {
		case DL_WHOLE: rc = dl_span(req, 0, pl.size); break;
		case DL_PART: rc = dl_span(req, pl.r[0].first, pl.clen); break;
		case DL_MULTI: rc = dl_multipart(req, &pl); break;
		case DL_304:
		case DL_416: WRONG("a body for 304 or 416");
		}
	}
	if (rc != 0)
		sp->close_after = 1; /* short of Content-Length: the close
					tells the client */
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings DONE */
	return (R_DONE);
}
