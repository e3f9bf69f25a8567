/*
 * cache.c: the request's side of the cache: the key (host and path, as
 * Varnish's built-in vcl_hash), lookup and the freshness decision, the
 * object filled while a miss streams to its client, PURGE and the
 * invalidation that unsafe methods cause (RFC 9111 section 4.4). A hit is
 * delivered by cache_deliver.c.
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
#include "accel/vcl_host.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

struct sto_tier *cache_tier;
struct sto_tier *cache_disk;

static struct rfc_opts cache_opts;
static uint64_t cache_budget; /* the tier's byte budget: larger is passed */

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
	return (acl_parse(prm.purge_acl, err, errlen));
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

/* Nobody may use o any more: out of memory, and off the disk. */
static void
cache_unlink(struct sto_obj *o)
{
	(void)sto_unlink(cache_tier, o);
	if (cache_disk != NULL && (sto_obj_flags(o) & STO_F_ONDISK))
		(void)sto_unlink(cache_disk, o);
}

/*
 * A complete object worth keeping goes to disk behind (write-behind: the
 * disk tier's writer thread writes it in its next batch), also when the
 * memory tier evicted it meanwhile. Not one purged, invalidated or
 * replaced while it filled (STO_F_REMOVED), nor markers, nor promoted
 * copies (already on disk).
 */
static void
cache_persist(struct sto_obj *o)
{
	if (cache_disk == NULL ||
	    (sto_obj_flags(o) & (STO_F_HFM | STO_F_HFP | STO_F_NOPERSIST |
	    STO_F_ONDISK | STO_F_REMOVED)) != 0)
		return;
	(void)sto_insert(cache_disk, o); /* a full queue drops it: counted */
}

/* Append callback for sto_lmdb_read(): into an object being filled. */
static int
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

static double
obj_age(const struct sto_obj *o, double now)
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
		age = obj_age(o, now);
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

/* ---- filling an object from a miss ---- */

static int
fill_tee(void *priv, const void *p, size_t n)
{
	return (sto_obj_append(priv, p, n));
}

/*
 * Serialise the response fields worth storing: not hop-by-hop, not the
 * framing, not Age (recomputed on every hit). Via lines become one, last,
 * with ours appended when via_self (RFC 9110 section 7.6.3), so a hit
 * sends the stored block as is. conn: h1_conn_names() of the message the
 * fields came from.
 */
static int
fill_hdrs(struct sto_obj *o, const struct h1_hdr *hdrs, unsigned n, int conn,
    int via_self, struct ws *ws)
{
	size_t cap = h1_hdrs_bytes(hdrs, n) + 32, len = 0;
	char *buf = ws_alloc(ws, cap);
	unsigned nvia = 0;
	if (buf == NULL)
		return (-1);
	for (unsigned i = 0; i < n; i++) {
		const struct h1_hdr *h = &hdrs[i];
		if (h->kind == H1H_CONTENT_LENGTH || h->kind == H1H_VIA ||
		    (conn ? h1_is_hop(h, hdrs, n) : h1_kind_hop(h->kind)) ||
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
	for (unsigned i = 0; i < n; i++) {
		const struct h1_hdr *h = &hdrs[i];
		if (h->kind != H1H_VIA)
			continue;
		const char *sep = nvia++ == 0 ? "Via: " : ", ";
		memcpy(buf + len, sep, strlen(sep));
		len += strlen(sep);
		memcpy(buf + len, h->value, h->value_len);
		len += h->value_len;
	}
	if (via_self) {
		const char *me = nvia == 0 ? "Via: 1.1 accel" : ", 1.1 accel";
		memcpy(buf + len, me, strlen(me));
		len += strlen(me);
		nvia++;
	}
	if (nvia > 0) {
		memcpy(buf + len, "\r\n", 2);
		len += 2;
	}
	return (sto_obj_set_hdrs(o, buf, len));
}

/* The fields of a stored header block ("Name: value\r\n" lines, written
 * by fill_hdrs) as h1_hdr pointing into it. Returns how many (<= max). */
static unsigned
block_hdrs(const struct sto_bytes *b, struct h1_hdr *out, unsigned max)
{
	const char *p = (const char *)b->ptr, *end = p + b->len;
	unsigned n = 0;
	while (p != NULL && p < end && n < max) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (eol == NULL || colon == NULL || colon > eol)
			break;
		struct h1_hdr *h = &out[n++];
		h->name = p;
		h->name_len = (size_t)(colon - p);
		h->value = colon + 2 <= eol ? colon + 2 : eol;
		h->value_len = (size_t)(eol - h->value);
		h->kind = h1_kind_of(h->name, h->name_len);
		p = eol + 2;
	}
	return (n);
}

static const struct h1_hdr *
find_name(const struct h1_hdr *hdrs, unsigned n, const char *name, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (hdrs[i].name_len == len && strncasecmp(hdrs[i].name, name, len) == 0)
			return (&hdrs[i]);
	return (NULL);
}

/* Set o's metadata (BUSY) from a response head. 0 or -1. */
static int
fill_meta(struct sto_obj *o, const struct busyobj *bo, int status,
    const struct h1_hdr *hdrs, unsigned n, int conn, int via_self,
    const struct rfc_fresh *f, double t_resp, int64_t clen, struct ws *ws)
{
	const struct h1_hdr *h;

	o->o_status = (unsigned)status;
	o->o_t_req = bo->t_sent_real;
	o->o_t_resp = t_resp;
	o->o_ttl = f->f_ttl;
	o->o_grace = f->f_grace;
	o->o_sie = f->f_sie;
	o->o_keep = f->f_keep;
	o->o_cflags = (f->f_no_cache ? OC_NO_CACHE : 0) |
	    (f->f_must_revalidate ? OC_MUST_REVALIDATE : 0) |
	    (h1_find(hdrs, n, "Accept-Ranges") != NULL ? OC_ACCEPT_RANGES : 0);
	o->o_content_length = clen;
	h = h1_find(hdrs, n, "Date");
	if (h == NULL || rfc_date_parse(h->value, h->value_len, &o->o_date) != 0)
		o->o_date = 0;
	h = h1_find(hdrs, n, "Age");
	double age = 0;
	if (h != NULL && rfc_age_header_parse(h->value, h->value_len, &age) != 0)
		age = 0;
	o->o_age_recv = (float)age;
	if ((h = h1_find(hdrs, n, "ETag")) != NULL &&
	    sto_obj_set_etag(o, h->value, h->value_len) != 0)
		return (-1);
	if ((h = h1_find(hdrs, n, "Last-Modified")) != NULL &&
	    sto_obj_set_lastmod(o, h->value, h->value_len) != 0)
		return (-1);
	return (fill_hdrs(o, hdrs, n, conn, via_self, ws));
}

/* Give up on bo's object: it fails, and its waiters fetch themselves. */
static void
fill_drop(struct busyobj *bo)
{
	if (bo->fill == NULL)
		return;
	(void)sto_obj_finish(bo->fill, 0);
	sto_obj_deref(&bo->fill);
}

/* An uncacheable answer: bo's object becomes a hit-for-miss marker, so
 * the key's next requests go to the origin in parallel, not queued. */
static void
fill_hfm(struct busyobj *bo, int status, struct req *req)
{
	struct sto_obj *o = bo->fill;
	if (o == NULL)
		return;
	/* The marker is a variant like any answer (when its Vary can be
	 * recorded): it must not shadow, nor replace, the other variants. */
	if (req != NULL)
		(void)cache_vary_set(o, req, &bo->resp);
	else if (bo->cond != NULL)
		(void)cache_vary_copy(o, bo->cond, &bo->resp);
	o->o_status = (unsigned)status;
	o->o_t_req = bo->t_sent_real;
	o->o_t_resp = now_real();
	o->o_ttl = prm.hfm_ttl;
	sto_obj_flags_set(o, STO_F_HFM);
	sto_obj_publish(o);
	(void)sto_obj_finish(o, 1);
	/* The disk's copy of this variant would outlive the marker. */
	if (cache_disk != NULL)
		(void)sto_unlink(cache_disk, o);
	sto_obj_deref(&bo->fill);
	bo->wrk->ctr.cache_hfm++;
}

/*
 * A 304 answered our revalidation of bo->cond (RFC 9111 section 4.3.4):
 * a new object with the stored fields updated by the 304's (section 3.2),
 * the new times and freshness, and the stored body. It goes into
 * bo->fill when there is one (waiters get it), else a new object. Returns
 * the complete object (one reference), or NULL.
 */
static struct sto_obj *
fill_refresh(struct busyobj *bo, const struct h1_hdr *rq, unsigned nrq,
    struct ws *ws)
{
	const struct sto_obj *c = bo->cond;
	const struct h1_resp *r = &bo->resp;
	unsigned max = RESP_MAX_HDRS * 2, n = 0;
	struct h1_hdr *m = ws_alloc(ws, max * sizeof *m);
	int conn = h1_conn_names(r->hdrs, r->nhdrs);
	double t_resp = now_real();
	struct rfc_fresh f;
	const char *why;

	if (m == NULL)
		return (NULL);
	/* The stored fields the 304 does not replace, then the 304's. */
	struct sto_bytes ch = sto_obj_hdrs(c);
	unsigned ns = block_hdrs(&ch, m, RESP_MAX_HDRS);
	for (unsigned i = 0; i < ns; i++) {
		const struct h1_hdr *nh = find_name(r->hdrs, r->nhdrs, m[i].name,
		    m[i].name_len);
		if (nh != NULL && rfc_304_update_hdr(nh) && nh->kind != H1H_VIA &&
		    !(conn && h1_is_hop(nh, r->hdrs, r->nhdrs)))
			continue;
		m[n++] = m[i];
	}
	for (unsigned i = 0; i < r->nhdrs && n < max; i++) {
		const struct h1_hdr *h = &r->hdrs[i];
		/* The stored Via, ours included, stays. */
		if ((conn ? h1_is_hop(h, r->hdrs, r->nhdrs) : h1_kind_hop(h->kind)) ||
		    !rfc_304_update_hdr(h) || h->kind == H1H_VIA)
			continue;
		m[n++] = *h;
	}
	rfc_freshness((int)c->o_status, m, n, t_resp, &cache_opts, &f);
	int keep = rfc_storable(H1M_GET, rq, nrq, (int)c->o_status, m, n,
	    &cache_opts, &why);

	struct sto_obj *o = bo->fill;
	bo->fill = NULL;
	if (o == NULL) {
		if (sto_obj_new(&o, &c->o_key, sto_obj_hashin(c), c->o_hashin_len) != 0)
			return (NULL);
		if (sto_insert(cache_tier, o) != 0)
			keep = 0;
	}
	if (fill_meta(o, bo, (int)c->o_status, m, n, 0, 0, &f, t_resp,
	    (int64_t)sto_obj_len(c), ws) != 0 ||
	    (sto_obj_vary_names(c).ptr != NULL &&
	    sto_obj_set_vary(o, sto_obj_vary_names(c).ptr,
	    sto_obj_vary_names(c).len, sto_obj_vary_vals(c).ptr,
	    sto_obj_vary_vals(c).len) != 0)) {
		(void)sto_obj_finish(o, 0);
		sto_obj_deref(&o);
		return (NULL);
	}
	/* The body is the stored one: copied, since objects are immutable
	 * and each owns its segments. */
	struct sto_cursor cur;
	const void *p;
	size_t len;
	int rc;
	sto_obj_publish(o);
	if (sto_obj_flags(c) & STO_F_DISKBODY) {
		rc = sto_lmdb_read(cache_disk, c, 0, sto_obj_len(c),
		    cache_read_append, o);
		if (rc == 0)
			rc = STO_EOF;
	} else {
		sto_cursor_init(&cur, c);
		while ((rc = sto_cursor_next(&cur, 0, &p, &len)) == 0)
			if (sto_obj_append(o, p, len) != 0)
				break;
	}
	if (rc != STO_EOF || sto_obj_finish(o, 1) != 0) {
		(void)sto_obj_finish(o, 0);
		sto_obj_deref(&o);
		return (NULL);
	}
	if (!keep) {
		cache_unlink(o); /* serve it once, keep none */
		if (cache_disk != NULL && (sto_obj_flags(c) & STO_F_ONDISK))
			(void)sto_unlink(cache_disk, (struct sto_obj *)(uintptr_t)c);
	}
	else
		cache_persist(o);
	bo->wrk->ctr.cache_reval_304++;
	return (o);
}

/*
 * Store this response? Sets *f. The rules of RFC 9111 section 3 and what
 * the object needs: a body whose end we can tell (not close-delimited),
 * and a reason to keep it (fresh, grace, stale-if-error or keep).
 */
static int
fill_storable(const struct busyobj *bo, const struct h1_hdr *rq, unsigned nrq,
    struct rfc_fresh *f, double t_resp)
{
	const struct h1_resp *r = &bo->resp;
	const char *why = NULL;
	if (bo->meth != H1M_GET || r->body == H1B_EOF)
		return (0);
	if (!rfc_storable(bo->meth, rq, nrq, r->status, r->hdrs, r->nhdrs,
	    &cache_opts, &why))
		return (0);
	rfc_freshness(r->status, r->hdrs, r->nhdrs, t_resp, &cache_opts, f);
	return (f->f_ttl + f->f_grace + f->f_sie + f->f_keep > 0);
}

/* Publish bo->fill (or a new object) with the response's metadata. */
static int
fill_store(struct busyobj *bo, const struct rfc_fresh *f, double t_resp,
    struct req *req, struct ws *ws)
{
	const struct h1_resp *r = &bo->resp;
	struct sto_obj *o = bo->fill;
	if (o == NULL) {
		/* Hit-for-miss requests create their object only now. */
		if (req == NULL ||
		    sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
			return (-1);
		if (cache_vary_set(o, req, r) != 0 || sto_insert(cache_tier, o) != 0) {
			sto_obj_deref(&o);
			return (-1);
		}
		bo->fill = o;
	} else if (req != NULL ? cache_vary_set(o, req, r) != 0 :
	    (bo->cond == NULL ? h1_find(r->hdrs, r->nhdrs, "Vary") != NULL :
	    cache_vary_copy(o, bo->cond, r) != 0)) {
		/* The variant is set before publishing, which is when the
		 * tier files o as that variant (replacing its old copy). */
		fill_drop(bo);
		return (-1);
	}
	if (fill_meta(o, bo, r->status, r->hdrs, r->nhdrs,
	    h1_conn_names(r->hdrs, r->nhdrs), 1, f, t_resp,
	    r->body == H1B_LENGTH ? (int64_t)r->content_length : -1, ws) != 0) {
		fill_drop(bo);
		return (-1);
	}
	sto_obj_publish(o);
	/* Publishing replaced the older copies of o's variant in memory;
	 * those on disk go too, whether or not this fill completes. */
	if (cache_disk != NULL && (req == NULL || !req->disk_clean))
		(void)sto_unlink(cache_disk, o);
	bo->wrk->ctr.cache_stored++;
	return (0);
}

/*
 * A body larger than the memory tier, of known length: its metadata goes
 * into an object no tier indexes, and its body to the disk tier chunk by
 * chunk as the pump passes it to the client (cache_fill_tee). It can be
 * found once the disk tier has written its last chunk. 0 or -1.
 */
static int
fill_disk_stream(struct req *req, const struct rfc_fresh *f, double t_resp)
{
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	struct sto_obj *o = NULL;
	int rc = -1;

	if (sto_obj_new(&o, &req->key, req->hashin, req->hashin_len) != 0)
		return (-1);
	if (cache_vary_set(o, req, r) == 0 &&
	    fill_meta(o, bo, r->status, r->hdrs, r->nhdrs,
	    h1_conn_names(r->hdrs, r->nhdrs), 1, f, t_resp,
	    (int64_t)r->content_length, &req->ws) == 0) {
		sto_obj_publish(o);
		rc = sto_lmdb_stream_begin(cache_disk, o, &bo->dstream) == 0 ?
		    0 : -1;
	}
	sto_obj_deref(&o); /* the stream holds its own */
	if (rc == 0)
		bo->wrk->ctr.cache_stored++;
	return (rc);
}

/*
 * The response head of a miss arrived: refresh the stale object on a 304,
 * fall back on it on an error (stale-if-error), store the response when
 * RFC 9111 lets us (CF_STREAM), else pass it on and mark the key
 * hit-for-miss. Whatever it returns, bo->fill is set only for CF_STREAM.
 */
enum fill_rc
cache_fill_begin(struct req *req)
{
	struct busyobj *bo = req->bo;
	const struct h1_resp *r = &bo->resp;
	double t_resp = now_real();
	struct rfc_fresh f;

	if (r->status == 304 && bo->cond != NULL) {
		struct sto_obj *o = fill_refresh(bo, req->h.hdrs, req->h.nhdrs,
		    &req->ws);
		if (o != NULL) {
			req->obj = o;
			req->age = (double)(int64_t)obj_age(o, now_real());
			req->cs_kind = RFC_CS_STALE;
			req->cs_fwd_status = 304;
			req->stored = 1;
			return (CF_OBJ);
		}
		fill_drop(bo);
		return (CF_PASS);
	}
	if (rfc_is_error_status(r->status) && cache_fetch_failed(req)) {
		req->cs_fwd_status = r->status;
		fill_drop(bo);
		return (CF_OBJ);
	}
	if (rfc_is_error_status(r->status) && req->stale != NULL) {
		/* The client gets the error, but the stored object stays for
		 * the next try, as after a background refresh's error: a
		 * hit-for-miss marker would replace it. */
		fill_drop(bo);
		return (CF_PASS);
	}
	if (!req->cacheable || req->no_store ||
	    !fill_storable(bo, req->h.hdrs, req->h.nhdrs, &f, t_resp)) {
		fill_hfm(bo, r->status, req);
		return (CF_PASS);
	}
	if (r->body == H1B_LENGTH && r->content_length > cache_budget) {
		/* Larger than memory: to disk as it passes, or not at all.
		 * Waiters fetch for themselves (no object to follow). */
		fill_drop(bo);
		if (cache_disk != NULL && !bo->head_only &&
		    fill_disk_stream(req, &f, t_resp) == 0) {
			req->age = 0;
			req->stored = 1;
		}
		return (CF_PASS);
	}
	if (fill_store(bo, &f, t_resp, req, &req->ws) != 0)
		return (CF_PASS);
	struct sto_obj *o = bo->fill;
	/* The object's age when it arrived, for Cache-Status' ttl. */
	req->age = (double)(int64_t)obj_age(o, t_resp);
	req->stored = 1;
	return (CF_STREAM);
}

/* The same decision for a background refresh (no client waits on it). */
enum fill_rc
cache_fill_bg(struct busyobj *bo)
{
	const struct h1_resp *r = &bo->resp;
	double t_resp = now_real();
	struct rfc_fresh f;
	char wsmem[4096 + 2 * RESP_MAX_HDRS * sizeof(struct h1_hdr)];
	struct ws ws;

	/* The header copies go through a workspace: this one, on our
	 * stack, lives until we return (fill_hdrs copies into the object). */
	ws_init(&ws, wsmem, sizeof wsmem);
	if (r->status == 304 && bo->cond != NULL) {
		struct sto_obj *o = fill_refresh(bo, NULL, 0, &ws);
		if (o != NULL) {
			sto_obj_deref(&o);
			return (CF_OBJ);
		}
		fill_drop(bo);
		return (CF_PASS);
	}
	if (rfc_is_error_status(r->status)) {
		fill_drop(bo); /* keep serving the stale one */
		return (CF_PASS);
	}
	if (r->body == H1B_LENGTH && r->content_length > cache_budget) {
		fill_drop(bo); /* too big to refresh in memory: keep the old */
		return (CF_PASS);
	}
	if (!fill_storable(bo, NULL, 0, &f, t_resp)) {
		fill_hfm(bo, r->status, NULL);
		return (CF_PASS);
	}
	if (fill_store(bo, &f, t_resp, NULL, &ws) != 0)
		return (CF_PASS);
	return (CF_STREAM);
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
	double age = obj_age(o, now_real());
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

static int
fill_tee_disk(void *priv, const void *p, size_t n)
{
	return (sto_lmdb_stream_append(priv, p, n));
}

/* Hook the fill into the response pump (after pump_init). */
void
cache_fill_tee(struct busyobj *bo)
{
	if (bo->fill != NULL) {
		bo->body.tee = fill_tee;
		bo->body.tee_priv = bo->fill;
	} else if (bo->dstream != NULL) {
		bo->body.tee = fill_tee_disk;
		bo->body.tee_priv = bo->dstream;
	}
}

/* The fetch ended: complete the object when its whole body came. */
void
cache_fill_end(struct busyobj *bo)
{
	int ok = bo->body_done && !bo->body.tee_failed;
	if (bo->dstream != NULL)
		(void)sto_lmdb_stream_end(&bo->dstream, ok);
	if (bo->fill == NULL)
		return;
	if (sto_obj_finish(bo->fill, ok) == 0 && ok)
		cache_persist(bo->fill);
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
	n = cache_remove(&req->key, req->hashin, req->hashin_len);
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
