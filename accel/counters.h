/*
 * counters.h: per-thread counters, one X-macro list for the struct, the
 * names and the sum. A worker increments its own copy without atomics or
 * locks; readers sum every worker's copy (a torn read of a 64-bit counter
 * cannot happen on the 64-bit targets we build for).
 */
#ifndef ACCEL_COUNTERS_H
#define ACCEL_COUNTERS_H

#include <stdint.h>

/* X(name, help) */
#define COUNTER_LIST(X)                                                        \
	X(sess_accepted, "client connections accepted")                        \
	X(sess_refused, "client connections closed at once: max_connections") \
	X(req_total, "requests parsed")                                        \
	X(req_bad, "requests answered 4xx for bad framing or limits")          \
	X(req_timeout, "client head timeouts (408)")                           \
	X(resp_bytes, "response bytes queued to clients (head and body)")      \
	X(req_body_bytes, "request body bytes forwarded to origins")           \
	X(vcl_fail, "VCL subroutines that failed (a 503, or the fetch fails)") \
	X(fetch_total, "origin requests sent")                                 \
	X(fetch_retry, "origin requests retried on a fresh connection")        \
	X(fetch_err_connect, "origin connect failures (503)")                  \
	X(fetch_err_busy, "fetches refused by a backend's .max_connections (503)") \
	X(fetch_err_timeout, "origin timeouts (504)")                          \
	X(fetch_err_proto, "malformed or truncated origin responses (502)")    \
	X(backend_conn_new, "origin connections opened")                       \
	X(backend_conn_reuse, "origin requests on a pooled connection")        \
	X(cache_hit, "requests answered from the cache")                       \
	X(cache_disk_hit, "lookups answered by the disk tier (promoted or streamed)") \
	X(cache_miss, "cacheable requests fetched from an origin")             \
	X(cache_pass, "requests passed to an origin without a lookup")         \
	X(cache_stored, "responses stored")                                    \
	X(cache_purge, "PURGE requests allowed")                               \
	X(cache_invalidate, "lookups invalidated by unsafe methods")           \
	X(cache_stale_hit, "stale objects served (grace, stale-if-error)")     \
	X(cache_coalesced, "requests that waited on another's fetch")          \
	X(cache_hfm, "hit-for-miss markers stored for uncacheable answers")    \
	X(cache_reval, "conditional revalidations sent to an origin")          \
	X(cache_reval_304, "revalidations answered 304 (object refreshed)")    \
	X(cache_bg_fetch, "background refreshes started")                      \
	X(cache_sie, "stale objects served because the origin failed")         \
	X(log_dropped, "access log bytes dropped: the log reader stalled")

struct counters {
#define X(name, help) uint64_t name;
	COUNTER_LIST(X)
#undef X
};

#endif
