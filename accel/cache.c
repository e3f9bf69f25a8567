/*
 * cache.c: the request's side of the cache: the key (host and path, as
 * Varnish's built-in vcl_hash), lookup and the freshness decision, the
 * object filled while a miss streams to its client, PURGE and the
 * invalidation that unsafe methods cause (RFC 9111 section 4.4). A hit is
 * delivered by cache_deliver.c; what a miss stores is decided and filled
 * by cache_fill.c.
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
#include "accel/cache_int.h"
#include "accel/hb.h"
#include "accel/rfc9111.h"
#include "accel/vcl_host.h"

#include <string.h>
#include <time.h>

struct sto_tier *cache_tier;
struct sto_tier *cache_disk;

struct rfc_opts cache_opts;
uint64_t cache_budget;

/* -p debug_hash_collide=1, tests only: every hash input gets this one
 * key, so that lookups, PURGE and invalidation must tell URLs apart by
 * the hash inputs the objects keep. */
static void
cache_collide_hash(struct sto_key *k, const void *hashin, size_t len)
{
	k->hi = 0x636f6c6c69646521ULL;
	k->lo = 0x636f6c6c69646521ULL;
}

/* Open the disk tier from "DIR[,...]" (the text after "lmdb="). */
static int
cache_disk_open(const char *arg, char *err, size_t errlen)
{
	struct sto_lmdb_conf lc;
	char why[256] = "";
	int rc;

	if (strcmp(prm.lmdb_sync, "on") != 0 && strcmp(prm.lmdb_sync, "off") != 0) {
		snprintf(err, errlen, "-p lmdb_sync: expected on or off");
		return (-1);
	}
	if (sto_lmdb_conf_parse(&lc, arg, why, sizeof why) != 0) {
		snprintf(err, errlen, "-s lmdb=%s: %s", arg,
		    why[0] != '\0' ? why : "bad specification");
		return (-1);
	}
	if (strcmp(prm.lmdb_sync, "off") == 0)
		lc.lc_sync = 0;
	rc = sto_lmdb_open(&cache_disk, &lc, why, sizeof why);
	if (rc != 0) {
		snprintf(err, errlen, "-s lmdb=%s: %s", arg,
		    why[0] != '\0' ? why : sto_strerror(rc));
		return (-1);
	}
	return (0);
}

/*
 * The memory tier evicted o after serving it (its mc_evicted hook: no
 * storage lock held, o referenced for the call). The disk saw o's
 * recency when it was written or promoted, not the hits memory served
 * since: tell it now, so that it does not evict first what memory kept
 * hot. priv is &cache_disk, read here: the disk tier opens after the
 * memory tier, and both before the workers that evict.
 */
static void
cache_mem_evicted(struct sto_obj *o, void *priv)
{
	struct sto_tier *const *disk = priv;

	if (*disk != NULL && (sto_obj_flags(o) & STO_F_ONDISK))
		(void)sto_lmdb_touch_key(*disk, &o->o_key);
}

/* Open the memory tier from "mem[=ARG]", with the eviction hook. */
static int
cache_mem_open(const char *spec, char *err, size_t errlen)
{
	struct sto_mem_conf mc;
	int rc = STO_ESPEC;

	if (strcmp(spec, "mem") == 0 || strncmp(spec, "mem=", 4) == 0)
		rc = sto_mem_conf_parse(&mc, spec[3] == '=' ? spec + 4 : NULL);
	if (rc == 0) {
		mc.mc_evicted = cache_mem_evicted;
		mc.mc_evicted_priv = &cache_disk;
		rc = sto_mem_open(&cache_tier, &mc);
	}
	if (rc != 0) {
		snprintf(err, errlen, "-s %s: %s", spec, sto_strerror(rc));
		return (-1);
	}
	return (0);
}

int
cache_init(const char *const *specs, unsigned n, const char *state_dir,
    char *err, size_t errlen)
{
	const char *mem = NULL, *disk = NULL;
	char defdisk[PATH_MAX + 16];

	for (unsigned i = 0; i < n; i++) {
		const char **slot = strncmp(specs[i], "mem", 3) == 0 ? &mem
		    : strncmp(specs[i], "lmdb", 4) == 0 ? &disk : NULL;
		if (slot == NULL) {
			snprintf(err, errlen, "-s %s: unknown tier (mem=..., "
			    "lmdb=...)", specs[i]);
			return (-1);
		}
		if (*slot != NULL) {
			snprintf(err, errlen, "-s %s: that tier is given twice",
			    specs[i]);
			return (-1);
		}
		*slot = specs[i];
	}
	if (cache_mem_open(mem != NULL ? mem : "mem=256M", err, errlen) != 0)
		return (-1);
	if (disk == NULL) {
		snprintf(defdisk, sizeof defdisk, "lmdb=%s/store", state_dir);
		disk = defdisk;
	}
	if (strcmp(disk, "lmdb=off") != 0 && strcmp(disk, "lmdb=none") != 0) {
		if (strncmp(disk, "lmdb=", 5) != 0) {
			snprintf(err, errlen, "-s %s: expected lmdb=DIR[,SIZE]", disk);
			return (-1);
		}
		if (cache_disk_open(disk + 5, err, errlen) != 0)
			return (-1);
	}
	struct sto_stats st;
	sto_stats(cache_tier, &st);
	cache_budget = st.budget;
	sto_obj_notify_set(cache_obj_notify, NULL); /* before the workers */
	if (prm.debug_hash_collide != 0) {
		/* Before the workers start: the hook is read without a lock. */
		sto_key_hash_hook = cache_collide_hash;
		fprintf(stderr, "accel: debug_hash_collide: every cache key is "
		    "the same (tests only)\n");
	}
	rfc_opts_default(&cache_opts);
	cache_opts.ro_default_ttl = prm.default_ttl > 0 ? prm.default_ttl : -1;
	cache_opts.ro_store_set_cookie = prm.store_set_cookie != 0;
	cache_opts.ro_keep = prm.keep;
	return (0);
}

/* Drain: what the disk tier has queued is written before the counters
 * are printed, so they say what a stop kept. */
void
cache_flush(void)
{
	if (cache_disk != NULL)
		(void)sto_lmdb_flush(cache_disk);
}

void
cache_fini(void)
{
	if (cache_disk != NULL)
		sto_tier_close(&cache_disk); /* commits what is queued */
	if (cache_tier != NULL)
		sto_tier_close(&cache_tier);
}

/* ---- key ---- */

/*
 * The hash inputs (host, then path, each as hash_data() adds it) into
 * req's workspace, and the key from them: *hashin points into the
 * workspace (valid until the request ends). 0, or -1 when the workspace
 * is full.
 */
static int
cache_key_from(struct req *req, struct vcl_str host, const char *path,
    size_t plen, struct sto_key *key, const uint8_t **hashin,
    size_t *hashin_len)
{
	size_t cap = plen + host.len + 16;
	void *buf = ws_alloc(&req->ws, cap);
	struct sto_hashin hi;

	if (buf == NULL)
		return (-1);
	sto_hashin_init(&hi, buf, cap);
	sto_hashin_add(&hi, host.p != NULL ? host.p : "", host.len);
	sto_hashin_add(&hi, path, plen);
	if (hi.hi_overflow)
		return (-1);
	*hashin = hi.hi_buf;
	*hashin_len = hi.hi_len;
	sto_key_make(key, *hashin, *hashin_len);
	return (0);
}

/* The key of (req's host, path): what the built-in vcl_hash makes. */
static int
cache_key_of(struct req *req, const char *path, size_t plen,
    struct sto_key *key, const uint8_t **hashin, size_t *hashin_len)
{
	struct vcl_str host = {req->h.host, req->h.host ? req->h.host_len : 0};

	return (cache_key_from(req, host, path, plen, key, hashin,
	    hashin_len));
}

/*
 * The built-in vcl_hash without a run (vcl_hash_is_default): req.http.host
 * and req.url read through the host operations, as the run would read
 * them (what vcl_recv wrote, not the parsed head), hashed as
 * acc_hash_data() would. The cheap half of the VCL cost budget
 * (docs/vcl-internals.md).
 */
static int
cache_hash_default(struct req *req)
{
	static const struct vcl_hdr host_hdr = {"host", 4, H1H_HOST};
	struct vcl_ctx c = {req, NULL, &req->ws, NULL};
	struct vcl_str host;
	union vcl_val url;

	if (acc_vcl_ops.ho_hdr_get(&c, VCL_W_REQ, &host_hdr, &host) != 0 ||
	    acc_vcl_ops.ho_var_get(&c, VCL_V_REQ_URL, &url) != 0)
		return (-1);
	return (cache_key_from(req, host, url.s.p != NULL ? url.s.p : "",
	    url.s.len, &req->key, &req->hashin, &req->hashin_len));
}

/*
 * The hash inputs into the workspace: what vcl_hash gives hash_data()
 * (the built-in VCL: the host, then the path, as cache_key_of() builds
 * them); the key from them. 0, or -1 when the workspace cannot hold them
 * or vcl_hash failed.
 */
int
cache_hash(struct req *req)
{
	const struct h1_req *r = &req->h;
	size_t cap;
	void *buf;
	struct sto_hashin hi;
	struct vcl_ret ret;

	if (vcl_hash_is_default(acc_vcl_prog_req(req)))
		return (cache_hash_default(req));
	cap = r->path_len + (r->host ? r->host_len : 0) + 256;
	buf = ws_alloc(&req->ws, cap);
	if (buf == NULL)
		return (-1);
	sto_hashin_init(&hi, buf, cap);
	if (acc_vcl_hash(req, &hi, &ret) != 0)
		return (-1);
	req->hashin = hi.hi_buf;
	req->hashin_len = hi.hi_len;
	sto_key_make(&req->key, req->hashin, req->hashin_len);
	return (0);
}

/* ---- both tiers ---- */

/* Remove every object under (key, hash inputs) from memory and disk:
 * how many there were (one stored in both counts twice). */
static unsigned
cache_remove(const struct sto_key *key, const uint8_t *hashin, size_t len)
{
	unsigned n = 0, nd = 0;
	(void)sto_remove(cache_tier, key, hashin, len, &n);
	if (cache_disk != NULL)
		(void)sto_remove(cache_disk, key, hashin, len, &nd);
	return (n + nd);
}

void
cache_unlink(struct sto_obj *o)
{
	(void)sto_unlink(cache_tier, o);
	if (cache_disk != NULL && (sto_obj_flags(o) & STO_F_ONDISK))
		(void)sto_unlink(cache_disk, o);
}

void
cache_persist(struct sto_obj *o)
{
	if (cache_disk == NULL ||
	    (sto_obj_flags(o) & (STO_F_HFM | STO_F_HFP | STO_F_NOPERSIST |
	    STO_F_ONDISK | STO_F_REMOVED)) != 0)
		return;
	(void)sto_insert(cache_disk, o); /* a full queue drops it: counted */
}

int
cache_read_append(void *priv, const void *p, size_t n)
{
	return (sto_obj_append(priv, p, n));
}

/* ---- lookup ---- */

/* Lookup's match: remember the newest busy object (a fetch in flight)
 * and keep looking for a published one this request can use. */
struct lk {
	const struct req *req;
	struct sto_obj *busy; /* one reference, or NULL */
	unsigned rejected;    /* published objects of other variants */
};

static int
lk_match(const struct sto_obj *o, void *priv)
{
	struct lk *lk = priv;
	if (sto_obj_state(o) == STO_OBJ_BUSY) {
		if (lk->busy == NULL) /* a lock-free atomic increment */
			lk->busy = sto_obj_ref((struct sto_obj *)(uintptr_t)o);
		return (0);
	}
	if (cache_obj_usable(lk->req, o))
		return (1);
	lk->rejected++;
	return (0);
}

/* The freshness of a stored object, as rfc_req_eval() wants it. */
static void
obj_fresh(const struct sto_obj *o, struct rfc_fresh *f)
{
	memset(f, 0, sizeof *f);
	f->f_ttl = o->o_ttl;
	f->f_grace = o->o_grace;
	f->f_sie = o->o_sie;
	f->f_keep = o->o_keep;
	f->f_no_cache = (o->o_cflags & OC_NO_CACHE) != 0;
	f->f_must_revalidate = (o->o_cflags & OC_MUST_REVALIDATE) != 0;
	f->f_validator = sto_obj_etag(o).ptr != NULL ||
	    sto_obj_lastmod(o).ptr != NULL;
}

double
cache_obj_age(const struct sto_obj *o, double now)
{
	return (rfc_age(o->o_date, o->o_age_recv, o->o_t_req, o->o_t_resp, now));
}

/* Nothing can use o any more (past ttl, grace, stale-if-error and keep). */
static int
obj_dead(const struct sto_obj *o, double age)
{
	double g = o->o_grace > o->o_sie ? o->o_grace : o->o_sie;
	return (age >= o->o_ttl + g + o->o_keep);
}

/* Start a background refresh of o's key, serving o meanwhile. */
static void
cache_bg_refresh(struct req *req, struct sto_obj *stale)
{
	struct sto_obj *o = NULL;
	/* A refresh carries the request's fields: not someone's credentials. */
	if (req->h.seen & H1_SEEN(AUTHORIZATION))
		return;
	if (sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
		return;
	if (sto_insert(cache_tier, o) != 0) {
		sto_obj_deref(&o);
		return;
	}
	(void)fetch_start_bg(req, o, stale); /* takes our reference */
}

enum req_step
cache_lookup(struct req *req)
{
	struct worker *wrk = req->sp->wrk;
	struct lk lk = {req, NULL, 0};
	struct sto_obj *o = NULL;
	struct rfc_cc rq;
	struct rfc_fresh f;
	double now = now_real(), age = 0;

	req->cs_kind = RFC_CS_MISS;
	(void)sto_lookup(cache_tier, &req->key, req->hashin, req->hashin_len,
	    lk_match, &lk, &o);
	req->disk_clean = 0;
	if (o == NULL && lk.busy == NULL && cache_disk != NULL) {
		unsigned rej = lk.rejected;
		if (sto_lookup(cache_disk, &req->key, req->hashin,
		    req->hashin_len, lk_match, &lk, &o) == 0) {
			wrk->ctr.cache_disk_hit++;
			/* Promotion: a body loaded into memory goes into the
			 * memory tier, whose policy decides whether it stays.
			 * A large one stays on disk, streamed from there. */
			if (!(sto_obj_flags(o) & STO_F_DISKBODY))
				(void)sto_insert(cache_tier, o);
		} else if (lk.rejected == rej)
			req->disk_clean = 1; /* our fill replaces nothing there */
	}
	if (o != NULL) {
		age = cache_obj_age(o, now);
		if (sto_obj_flags(o) & STO_F_HFM) {
			if (now < o->o_t_resp + o->o_ttl) {
				/* Hit-for-miss: fetch in parallel, no waiting. */
				req->hfm = 1;
				sto_obj_deref(&o);
				if (lk.busy != NULL)
					sto_obj_deref(&lk.busy);
				return (R_MISS);
			}
			(void)sto_unlink(cache_tier, o);
			sto_obj_deref(&o);
		} else if (obj_dead(o, age)) {
			/* Expired for good: lookups retire what they meet. */
			cache_unlink(o);
			sto_obj_deref(&o);
			req->cs_kind = RFC_CS_STALE;
		}
	}
	/* Most requests carry neither field: no scan for them. */
	if (req->h.seen & (H1_SEEN(CACHE_CONTROL) | H1_SEEN(PRAGMA)))
		rfc_req_cc(req->h.hdrs, req->h.nhdrs, &rq);
	else
		rfc_cc_init(&rq);
	if (o == NULL) {
		if (lk.busy != NULL && !req->waited) {
			/* Coalesce: wait on the fetch in flight. */
			req->obj = lk.busy;
			req->collapsed = 1;
			wrk->ctr.cache_coalesced++;
			return (R_HIT);
		}
		if (lk.busy != NULL)
			sto_obj_deref(&lk.busy);
		if (rq.cc_flags & RFC_CC_ONLY_IF_CACHED) {
			req->err_status = 504; /* section 5.2.1.7 */
			return (R_SYNTH);
		}
		if (lk.rejected > 0 && req->cs_kind == RFC_CS_MISS)
			req->cs_kind = RFC_CS_VARY_MISS; /* RFC 9211 */
		return (R_MISS);
	}
	obj_fresh(o, &f);
	if (req->vcl_limits) {
		/* VCL's req.ttl and req.grace: the most this request takes. */
		if (req->vcl_ttl >= 0 && f.f_ttl > req->vcl_ttl)
			f.f_ttl = req->vcl_ttl;
		if (req->vcl_grace >= 0 && f.f_grace > req->vcl_grace)
			f.f_grace = req->vcl_grace;
	}
	switch (rfc_req_eval(&rq, &f, age)) {
	case RFC_USE_FRESH:
		if (lk.busy != NULL)
			sto_obj_deref(&lk.busy);
		wrk->ctr.cache_hit++;
		req->obj = o;
		req->age = (double)(int64_t)age; /* whole seconds, as Age is sent */
		req->cs_kind = RFC_CS_HIT;
		return (R_HIT);
	case RFC_USE_STALE_SERVABLE:
		/* Serve it now; refresh once in the background unless a
		 * fetch for the key is in flight already (RFC 5861). */
		if (lk.busy == NULL && sto_obj_state(o) == STO_OBJ_COMPLETE)
			cache_bg_refresh(req, o);
		if (lk.busy != NULL)
			sto_obj_deref(&lk.busy);
		wrk->ctr.cache_hit++;
		wrk->ctr.cache_stale_hit++;
		req->obj = o;
		req->age = (double)(int64_t)age;
		req->cs_kind = RFC_CS_HIT;
		return (R_HIT);
	case RFC_USE_ONLY_IF_CACHED_504:
		if (lk.busy != NULL)
			sto_obj_deref(&lk.busy);
		sto_obj_deref(&o);
		req->err_status = 504;
		return (R_SYNTH);
	case RFC_USE_MUST_REVALIDATE:
	case RFC_USE_MISS:
		break;
	}
	/* Stale, or the client wants a fresh one (RFC 9211: fwd=request). */
	req->cs_kind = age < o->o_ttl ? RFC_CS_REQUEST : RFC_CS_STALE;
	if (lk.busy != NULL && !req->waited) {
		sto_obj_deref(&o);
		req->obj = lk.busy;
		req->collapsed = 1;
		wrk->ctr.cache_coalesced++;
		return (R_HIT);
	}
	if (lk.busy != NULL)
		sto_obj_deref(&lk.busy);
	if (sto_obj_state(o) == STO_OBJ_COMPLETE)
		req->stale = o; /* to revalidate, or to fall back on */
	else
		sto_obj_deref(&o);
	return (R_MISS);
}

/* MISS: a BUSY object under the key, so that others wait on our fetch.
 * Hit-for-miss requests decide at the head instead (no one waits). */
enum req_step
cache_miss(struct req *req)
{
	struct sto_obj *o = NULL;

	req->sp->wrk->ctr.cache_miss++;
	if (req->hfm || req->no_store) {
		if (req->h.meth == H1M_HEAD)
			req->no_store = 1; /* a HEAD answer fills nothing */
		return (R_FETCH);
	}
	if (sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
		return (R_FETCH);
	if (sto_insert(cache_tier, o) != 0) {
		sto_obj_deref(&o);
		return (R_FETCH);
	}
	req->busy = o;
	return (R_FETCH);
}

/* Append "Cache-Status: ..." for this request. */
void
cache_status_hdr(struct hb *hb, const struct req *req, double ttl_left)
{
	char cs[128];
	struct rfc_cs c = {
	    .cs_kind = req->cs_kind,
	    .cs_fwd_status = req->cs_fwd_status,
	    .cs_stored = req->stored,
	    .cs_collapsed = req->collapsed,
	    .cs_has_ttl = req->cs_kind == RFC_CS_HIT || req->stored ||
		req->collapsed,
	    .cs_ttl = (int64_t)ttl_left,
	};
	int n = rfc_cache_status_fmt(cs, sizeof cs, "accel", &c);
	if (n <= 0)
		return;
	hb_lit(hb, "Cache-Status: ");
	hb_add(hb, cs, (size_t)n);
	hb_lit(hb, "\r\n");
}

/* The fetch failed before a head, or answered an error: serve the stale
 * object if stale-if-error allows it (RFC 5861 section 4). */
int
cache_fetch_failed(struct req *req)
{
	struct sto_obj *o = req->stale;
	struct rfc_cc rq;
	struct rfc_fresh f;
	if (o == NULL)
		return (0);
	double age = cache_obj_age(o, now_real());
	rfc_req_cc(req->h.hdrs, req->h.nhdrs, &rq);
	obj_fresh(o, &f);
	if (!rfc_stale_if_error(&rq, &f, age))
		return (0);
	req->obj = o;
	req->stale = NULL;
	req->age = (double)(int64_t)age;
	req->cs_kind = RFC_CS_STALE;
	req->sp->wrk->ctr.cache_sie++;
	req->sp->wrk->ctr.cache_stale_hit++;
	return (1);
}

/* ---- invalidation ---- */

unsigned
cache_purge(struct req *req)
{
	unsigned n = cache_remove(&req->key, req->hashin, req->hashin_len);

	req->sp->wrk->ctr.cache_purge++;
	return (n);
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
		n = cache_remove(&key, hashin, hashin_len);
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
	n = cache_remove(&req->key, req->hashin, req->hashin_len);
	n += cache_invalidate_ref(req, resp, "Location");
	n += cache_invalidate_ref(req, resp, "Content-Location");
	if (n > 0)
		req->sp->wrk->ctr.cache_invalidate++;
}
