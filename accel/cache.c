/*
 * cache.c: the request's side of the cache: the key (host and path, as
 * Varnish's built-in vcl_hash), lookup and the freshness decision, a hit
 * delivered from the object's segments without copying, the object filled
 * while a miss streams to its client, PURGE and the invalidation that
 * unsafe methods cause (RFC 9111 section 4.4).
 *
 * What is stored is deliberately the part of RFC 9111 that needs no
 * revalidation yet: a response is kept only when it is storable, fresh for
 * a while and needs no validation before use. Everything else passes
 * through, which is always correct. A response with Vary is stored as one
 * variant of its URL (cache_vary.c). Revalidation, coalescing and stale
 * serving extend this file.
 *
 * Lifetimes: req->obj holds one reference from LOOKUP until DONE (or the
 * session's close), which keeps every span queued in the client buffer by
 * evbuffer_add_reference valid until it is written or dropped.
 * bo->fill holds the writer's reference until fetch_finish().
 */
#include "accel/accel.h"
#include "accel/hb.h"
#include "accel/rfc9111.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

struct sto_tier *cache_tier;

static struct rfc_opts cache_opts;

/* ---- the purge ACL ---- */

struct acl_ent {
	int family;
	uint8_t addr[16];
	unsigned bits;
};
static struct acl_ent purge_acl[32];
static unsigned npurge_acl;

/* Parse "CIDR,CIDR,..." into purge_acl. */
static int
acl_parse(const char *spec, char *err, size_t errlen)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", spec);
	npurge_acl = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		struct acl_ent *e = &purge_acl[npurge_acl];
		char *slash = strchr(t, '/');
		if (npurge_acl == ARRAY_LEN(purge_acl)) {
			snprintf(err, errlen, "-p purge_acl: too many entries");
			return (-1);
		}
		if (slash != NULL)
			*slash = '\0';
		if (inet_pton(AF_INET, t, e->addr) == 1) {
			e->family = AF_INET;
			e->bits = 32;
		} else if (inet_pton(AF_INET6, t, e->addr) == 1) {
			e->family = AF_INET6;
			e->bits = 128;
		} else {
			snprintf(err, errlen, "-p purge_acl: bad address '%s'", t);
			return (-1);
		}
		if (slash != NULL) {
			char *end;
			long b = strtol(slash + 1, &end, 10);
			if (*end != '\0' || b < 0 || b > (long)e->bits) {
				snprintf(err, errlen, "-p purge_acl: bad prefix '/%s'",
				    slash + 1);
				return (-1);
			}
			e->bits = (unsigned)b;
		}
		npurge_acl++;
	}
	return (0);
}

/* Is the text address `peer` inside the purge ACL? */
static int
acl_match(const char *peer)
{
	uint8_t a[16];
	int fam = inet_pton(AF_INET, peer, a) == 1 ? AF_INET
	    : inet_pton(AF_INET6, peer, a) == 1	   ? AF_INET6
						   : 0;
	for (unsigned i = 0; i < npurge_acl; i++) {
		const struct acl_ent *e = &purge_acl[i];
		if (e->family != fam)
			continue;
		unsigned full = e->bits / 8, rest = e->bits % 8;
		if (memcmp(a, e->addr, full) != 0)
			continue;
		if (rest != 0 &&
		    ((a[full] ^ e->addr[full]) & (uint8_t)(0xff << (8 - rest))) != 0)
			continue;
		return (1);
	}
	return (0);
}

/* -p debug_hash_collide=1, tests only: every hash input gets this one
 * key, so that lookups, PURGE and invalidation must tell URLs apart by
 * the hash inputs the objects keep. */
static void
cache_collide_hash(struct sto_key *k, const void *hashin, size_t len)
{
	k->hi = 0x636f6c6c69646521ULL;
	k->lo = 0x636f6c6c69646521ULL;
}

int
cache_init(const char *spec, char *err, size_t errlen)
{
	int rc = sto_tier_open(&cache_tier, spec);
	if (rc != 0) {
		snprintf(err, errlen, "-s %s: %s", spec, sto_strerror(rc));
		return (-1);
	}
	if (prm.debug_hash_collide != 0) {
		/* Before the workers start: the hook is read without a lock. */
		sto_key_hash_hook = cache_collide_hash;
		fprintf(stderr, "accel: debug_hash_collide: every cache key is "
		    "the same (tests only)\n");
	}
	rfc_opts_default(&cache_opts);
	cache_opts.ro_default_ttl = prm.default_ttl > 0 ? prm.default_ttl : -1;
	cache_opts.ro_store_set_cookie = prm.store_set_cookie != 0;
	return (acl_parse(prm.purge_acl, err, errlen));
}

void
cache_fini(void)
{
	if (cache_tier != NULL)
		sto_tier_close(&cache_tier);
}

/* ---- key ---- */

/*
 * The hash inputs of (req's host, path) into req's workspace, and the key
 * from them: *hashin points into the workspace (valid until the request
 * ends). 0, or -1 when the workspace is full.
 */
static int
cache_key_of(struct req *req, const char *path, size_t plen,
    struct sto_key *key, const uint8_t **hashin, size_t *hashin_len)
{
	const struct h1_req *r = &req->h;
	size_t cap = plen + (r->host ? r->host_len : 0) + 16;
	void *buf = ws_alloc(&req->ws, cap);
	struct sto_hashin hi;

	if (buf == NULL)
		return (-1);
	sto_hashin_init(&hi, buf, cap);
	sto_hashin_add(&hi, r->host ? r->host : "", r->host ? r->host_len : 0);
	sto_hashin_add(&hi, path, plen);
	if (hi.hi_overflow)
		return (-1);
	*hashin = hi.hi_buf;
	*hashin_len = hi.hi_len;
	sto_key_make(key, *hashin, *hashin_len);
	return (0);
}

/* The hash inputs (host, then path) into the workspace; the key from them. */
int
cache_hash(struct req *req)
{
	return (cache_key_of(req, req->h.path, req->h.path_len, &req->key,
	    &req->hashin, &req->hashin_len));
}

/* ---- lookup ---- */

enum req_step
cache_lookup(struct req *req)
{
	struct worker *wrk = req->sp->wrk;
	struct sto_obj *o = NULL;

	req->cs_kind = RFC_CS_MISS;
	if (cache_vary_lookup(req, &o) != 0 || o == NULL)
		return (R_MISS);
	if (sto_obj_state(o) != STO_OBJ_COMPLETE) {
		/* A fetch for it is in flight elsewhere: fetch too, without
		 * storing (XXX coalescing will wait on it instead). */
		sto_obj_deref(&o);
		req->no_store = 1;
		return (R_MISS);
	}
	double now = now_real();
	double age = rfc_age(o->o_date, o->o_age_recv, o->o_t_req, o->o_t_resp, now);
	struct rfc_cc rq;
	struct rfc_fresh f;
	memset(&f, 0, sizeof f);
	f.f_ttl = o->o_ttl;
	rfc_req_cc(req->h.hdrs, req->h.nhdrs, &rq);
	if (rfc_req_eval(&rq, &f, age) != RFC_USE_FRESH) {
		/* Stale, or the client wants a fresh one (RFC 9211:
		 * fwd=request): a new fetch replaces it. */
		req->cs_kind = age < o->o_ttl ? RFC_CS_REQUEST : RFC_CS_STALE;
		sto_obj_deref(&o);
		return (R_MISS);
	}
	wrk->ctr.cache_hit++;
	req->obj = o;
	req->age = (double)(int64_t)age; /* whole seconds, as Age is sent */
	req->cs_kind = RFC_CS_HIT;
	return (R_HIT);
}

/* Append "Cache-Status: ..." for this request. */
void
cache_status_hdr(struct hb *hb, const struct req *req, double ttl_left)
{
	char cs[128];
	struct rfc_cs c = {
	    .cs_kind = req->cs_kind,
	    .cs_stored = req->stored,
	    .cs_has_ttl = req->cs_kind == RFC_CS_HIT || req->stored,
	    .cs_ttl = (int64_t)ttl_left,
	};
	int n = rfc_cache_status_fmt(cs, sizeof cs, "accel", &c);
	if (n <= 0)
		return;
	hb_lit(hb, "Cache-Status: ");
	hb_add(hb, cs, (size_t)n);
	hb_lit(hb, "\r\n");
}

/* HIT: the head from the stored fields, the body by reference. */
enum req_step
cache_deliver_hit(struct req *req)
{
	struct sess *sp = req->sp;
	const struct sto_obj *o = req->obj;
	struct hb hb;
	size_t len = sto_obj_len(o);
	const char *reason = h1_reason((int)o->o_status);

	req->resp_status = (int)o->o_status;
	if (hb_begin(&hb, sp->out, o->o_hdrs.len + 512) != 0) {
		req->err_status = 503;
		return (R_SYNTH);
	}
	hb_lit(&hb, "HTTP/1.1 ");
	hb_num(&hb, o->o_status, 10);
	hb_lit(&hb, " ");
	hb_add(&hb, reason, strlen(reason));
	hb_lit(&hb, "\r\n");
	hb_add(&hb, o->o_hdrs.ptr, o->o_hdrs.len);
	hb_lit(&hb, "Via: 1.1 accel\r\nAge: ");
	hb_num(&hb, (uint64_t)req->age, 10);
	hb_lit(&hb, "\r\n");
	cache_status_hdr(&hb, req, o->o_ttl - req->age);
	if (o->o_status != 204 && o->o_status != 304) {
		hb_lit(&hb, "Content-Length: ");
		hb_num(&hb, len, 10);
		hb_lit(&hb, "\r\n");
	}
	if (!req->h.keep_alive || sp->close_after || sp->wrk->draining) {
		sp->close_after = 1;
		hb_lit(&hb, "Connection: close\r\n\r\n");
	} else if (req->h.minor == 0)
		hb_lit(&hb, "Connection: keep-alive\r\n\r\n");
	else
		hb_lit(&hb, "\r\n");
	req->resp_bytes += hb.len;
	AZ(hb_end(&hb));
	if (req->h.meth != H1M_HEAD && o->o_status != 204 && o->o_status != 304) {
		struct sto_cursor c;
		const void *p;
		size_t n;
		sto_cursor_init(&c, o);
		while (sto_cursor_next(&c, 0, &p, &n) == 0) {
			/* The object outlives the buffer's use of p: req->obj
			 * is dropped only once sp->out is empty or freed. */
			evbuffer_add_reference(sp->out, p, n, NULL, NULL);
			req->resp_bytes += n;
		}
	}
	sp->resp_done = 1;
	sess_flush(sp);
	if (evbuffer_get_length(sp->out) > 0)
		return (R_WAIT); /* req_client_drained() brings DONE */
	return (R_DONE);
}

/* ---- filling an object from a miss ---- */

static int
fill_tee(void *priv, const void *p, size_t n)
{
	return (sto_obj_append(priv, p, n));
}

/* Serialise the response fields worth storing: not hop-by-hop, not the
 * framing, not Age (recomputed on every hit). */
static int
fill_hdrs(struct sto_obj *o, const struct h1_resp *r, struct ws *ws)
{
	size_t cap = h1_hdrs_bytes(r->hdrs, r->nhdrs) + 1, len = 0;
	char *buf = ws_alloc(ws, cap);
	int conn = h1_conn_names(r->hdrs, r->nhdrs);
	if (buf == NULL)
		return (-1);
	for (unsigned i = 0; i < r->nhdrs; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		if (h->kind == H1H_CONTENT_LENGTH || h->kind == H1H_VIA ||
		    (conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind)) ||
		    (h->name_len == 3 && strncasecmp(h->name, "age", 3) == 0))
			continue;
		memcpy(buf + len, h->name, h->name_len);
		len += h->name_len;
		memcpy(buf + len, ": ", 2);
		len += 2;
		memcpy(buf + len, h->value, h->value_len);
		len += h->value_len;
		memcpy(buf + len, "\r\n", 2);
		len += 2;
	}
	return (sto_obj_set_hdrs(o, buf, len));
}

/*
 * The response head of a miss arrived: store it when RFC 9111 lets us and
 * it needs nothing this cache does not do yet. Sets req->stored and, when
 * storing, bo->fill and the tee on the body pump.
 */
void
cache_fill_begin(struct req *req)
{
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	const char *why = NULL;
	struct rfc_fresh f;
	struct sto_obj *o = NULL;

	if (!req->cacheable || req->no_store || req->h.meth != H1M_GET)
		return;
	if (!rfc_storable(req->h.meth, req->h.hdrs, req->h.nhdrs, r->status,
	    r->hdrs, r->nhdrs, &cache_opts, &why))
		return;
	double t_resp = now_real();
	rfc_freshness(r->status, r->hdrs, r->nhdrs, t_resp, &cache_opts, &f);
	/* XXX no revalidation or stale serving yet: keep only what is
	 * served as is while fresh. */
	if (f.f_ttl <= 0 || f.f_no_cache || r->body == H1B_EOF)
		return;
	if (sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
		return;
	o->o_status = (unsigned)r->status;
	o->o_t_req = bo->t_sent_real;
	o->o_t_resp = t_resp;
	o->o_ttl = f.f_ttl;
	o->o_content_length = r->body == H1B_LENGTH ? (int64_t)r->content_length : -1;
	const struct h1_hdr *h = h1_find(r->hdrs, r->nhdrs, "Date");
	if (h == NULL || rfc_date_parse(h->value, h->value_len, &o->o_date) != 0)
		o->o_date = 0;
	h = h1_find(r->hdrs, r->nhdrs, "Age");
	if (h == NULL || rfc_age_header_parse(h->value, h->value_len, &o->o_age_recv) != 0)
		o->o_age_recv = 0;
	if ((h = h1_find(r->hdrs, r->nhdrs, "ETag")) != NULL)
		(void)sto_obj_set_etag(o, h->value, h->value_len);
	if ((h = h1_find(r->hdrs, r->nhdrs, "Last-Modified")) != NULL)
		(void)sto_obj_set_lastmod(o, h->value, h->value_len);
	/* The object's age when it arrived, for Cache-Status' ttl. */
	req->age = (double)(int64_t)rfc_age(o->o_date, o->o_age_recv, o->o_t_req,
	    o->o_t_resp, t_resp);
	if (fill_hdrs(o, r, &req->ws) != 0 || cache_vary_set(o, req, r) != 0 ||
	    sto_insert(cache_tier, o) != 0) {
		sto_obj_deref(&o);
		return;
	}
	sto_obj_publish(o);
	bo->fill = o;
	req->stored = 1;
	req->sp->wrk->ctr.cache_stored++;
}

/* Hook the fill into the response pump (after DELIVER's pump_init). */
void
cache_fill_tee(struct busyobj *bo)
{
	if (bo->fill != NULL) {
		bo->body.tee = fill_tee;
		bo->body.tee_priv = bo->fill;
	}
}

/* The fetch ended: complete the object when its whole body came. */
void
cache_fill_end(struct busyobj *bo)
{
	if (bo->fill == NULL)
		return;
	(void)sto_obj_finish(bo->fill, bo->body_done && !bo->body.tee_failed);
	sto_obj_deref(&bo->fill);
}


/* ---- invalidation ---- */

enum req_step
cache_purge(struct req *req)
{
	struct worker *wrk = req->sp->wrk;
	unsigned n = 0;

	if (!acl_match(req->sp->peer)) {
		req->err_status = 405;
		return (R_SYNTH);
	}
	(void)sto_remove(cache_tier, &req->key, req->hashin, req->hashin_len, &n);
	wrk->ctr.cache_purge++;
	req->err_status = n > 0 ? 200 : 404;
	return (R_SYNTH);
}

/*
 * Remove what the response's `name` fields (Location, Content-Location)
 * name, when it has the request's origin (RFC 9111 section 4.4): a
 * relative reference is resolved against the request's path. The key is
 * built for (this host, that path), as cache_hash() builds it. Returns
 * the number of objects removed.
 */
static unsigned
cache_invalidate_ref(struct req *req, const struct h1_resp *resp,
    const char *name)
{
	const char *host = req->h.host != NULL ? req->h.host : "";
	size_t hlen = req->h.host != NULL ? req->h.host_len : 0;
	unsigned total = 0;

	for (unsigned i = 0; i < resp->nhdrs; i++) {
		const struct h1_hdr *h = &resp->hdrs[i];
		const uint8_t *hashin;
		size_t cap, hashin_len;
		struct sto_key key;
		unsigned n = 0;
		char *path;
		int plen;

		/* Clients reach accel over plain HTTP only (no TLS yet). */
		if (!h1_name_eq(h, name) ||
		    !rfc_same_origin("http", host, hlen, h->value, h->value_len))
			continue;
		cap = req->h.path_len + h->value_len + 4;
		if ((path = ws_alloc(&req->ws, cap)) == NULL)
			break;
		plen = rfc_ref_path(req->h.path, req->h.path_len, h->value,
		    h->value_len, path, cap);
		if (plen <= 0 || cache_key_of(req, path, (size_t)plen, &key,
		    &hashin, &hashin_len) != 0)
			continue;
		(void)sto_remove(cache_tier, &key, hashin, hashin_len, &n);
		total += n;
	}
	return (total);
}

/* A non-error answer to an unsafe method invalidates its target, and the
 * same-origin URIs its Location and Content-Location name. */
void
cache_invalidate(struct req *req, const struct h1_resp *resp)
{
	unsigned n = 0;
	if (!rfc_invalidates(req->h.meth, resp->status))
		return;
	if (req->hashin == NULL && cache_hash(req) != 0)
		return;
	(void)sto_remove(cache_tier, &req->key, req->hashin, req->hashin_len, &n);
	n += cache_invalidate_ref(req, resp, "Location");
	n += cache_invalidate_ref(req, resp, "Content-Location");
	if (n > 0)
		req->sp->wrk->ctr.cache_invalidate++;
}
