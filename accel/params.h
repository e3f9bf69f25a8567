/*
 * params.h: the -p NAME=VALUE tunables, one X-macro table from which the
 * struct, the defaults, the parser and `accel -h` are all expanded.
 * Durations are seconds (fractions allowed), sizes are bytes with an
 * optional k/m/g suffix, counts are plain integers. Names starting with
 * "debug_" are for tests: settable, but not listed by `accel -h`.
 */
#ifndef ACCEL_PARAMS_H
#define ACCEL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

enum prm_type { PRM_DUR, PRM_SIZE, PRM_UINT, PRM_STR };

/* X(name, type, default, help) */
#define PARAM_LIST(X)                                                          \
	X(timeout_connect, PRM_DUR, "3.5", "seconds to connect to an origin (503 past it)") \
	X(timeout_first_byte, PRM_DUR, "60", "seconds from request sent to response head (504)") \
	X(timeout_between_bytes, PRM_DUR, "60", "seconds between two reads of an origin body") \
	X(timeout_header, PRM_DUR, "10", "seconds for a client to send a whole request head (408)") \
	X(timeout_idle, PRM_DUR, "5", "seconds an idle client keep-alive connection is kept") \
	X(timeout_send, PRM_DUR, "60", "seconds a client may stall reading a response") \
	X(timeout_backend_idle, PRM_DUR, "60", "seconds an idle origin connection stays pooled") \
	X(drain_timeout, PRM_DUR, "30", "seconds SIGTERM waits for in-flight requests") \
	X(max_connections, PRM_UINT, "10000", "open client connections; past it new ones are closed") \
	X(max_req_line, PRM_SIZE, "8k", "bytes of a request line (414)") \
	X(max_url, PRM_SIZE, "8k", "bytes of a request target (414)") \
	X(max_head, PRM_SIZE, "32k", "bytes of a request head (431)") \
	X(max_headers, PRM_UINT, "64", "header fields in a request (431)") \
	X(max_resp_head, PRM_SIZE, "64k", "bytes of an origin response head (502)") \
	X(max_body, PRM_SIZE, "0", "bytes of a request body, 0 for no limit (413)") \
	X(max_retries, PRM_UINT, "4", "times VCL may fetch again (return (retry)) before the fetch fails") \
	X(buffer_high, PRM_SIZE, "256k", "bytes queued toward a peer before reading from the other side pauses") \
	X(default_ttl, PRM_DUR, "0", "TTL for heuristically cacheable responses without freshness information (0: none)") \
	X(keep, PRM_DUR, "3600", "seconds a stale object with a validator is kept after its ttl and grace, for a conditional refresh") \
	X(hfm_ttl, PRM_DUR, "120", "seconds a key that got an uncacheable answer is fetched without waiting on others (hit-for-miss)") \
	X(store_set_cookie, PRM_UINT, "0", "1 to store responses that carry Set-Cookie") \
	X(max_restarts, PRM_UINT, "4", "return (restart) in VCL at most this many times per request; past it a 503") \
	X(purge_acl, PRM_STR, "127.0.0.0/8,::1", "client networks the built-in VCL lets PURGE (CIDR list: its accel_purge ACL)") \
	X(lmdb_sync, PRM_STR, "on", "on: every disk batch commit is durable (fsync); off: the OS writes back (a crash of the machine may lose the last batches)") \
	X(access_log, PRM_STR, "-", "access log: - for stderr, a path, or off") \
	X(debug_hash_collide, PRM_UINT, "0", "tests only: every key hashes to one value")

struct params {
#define PRM_FIELD_PRM_DUR double
#define PRM_FIELD_PRM_SIZE uint64_t
#define PRM_FIELD_PRM_UINT uint64_t
#define PRM_FIELD_PRM_STR const char *
#define X(name, type, def, help) PRM_FIELD_##type name;
	PARAM_LIST(X)
#undef X
};

/* The process-wide parameters: written at start-up, read-only after the
 * workers start. */
extern struct params prm;

/* Set every parameter to its default. */
void prm_defaults(struct params *p);
/* Parse "name=value" into p; on error returns -1 and writes one line into
 * err. */
int prm_set(struct params *p, const char *arg, char *err, size_t errlen);
/* Print the table for `accel -h`. */
void prm_usage(void);

#endif
