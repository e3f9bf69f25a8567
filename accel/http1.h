/*
 * http1.h: the strict HTTP/1.1 codec (RFC 9112), pure functions over bytes.
 *
 * No I/O, no allocation: the caller owns every buffer. Parsed fields point
 * into the caller's buffer and stay valid exactly as long as that buffer
 * (the daemon copies a request or response head into the request's
 * workspace before parsing it, so they live as long as the request).
 *
 * Errors are negative HTTP status codes: -400, -413, -414, -417, -431,
 * -501, -505 for requests; -502 for responses from an origin. A caller
 * answers a client with the positive value and `Connection: close`.
 */
#ifndef ACCEL_HTTP1_H
#define ACCEL_HTTP1_H

#include <stddef.h>
#include <stdint.h>

/* Limits applied while parsing a head (the -p tunables feed these). */
struct h1_limits {
	size_t max_req_line;  /* bytes of the request line, CRLF excluded: 414 */
	size_t max_url;	      /* bytes of the request target: 414 */
	size_t max_head;      /* bytes of the whole head, request line included: 431 */
	unsigned max_headers; /* number of header fields: 431 */
	uint64_t max_body;    /* Content-Length above this: 413 (0 = no limit) */
};

/* Header names the daemon acts on, recognised once while parsing so that
 * later code compares an integer instead of a string. One list gives the
 * enum and the lower-case names. X(KIND, "name", hop-by-hop) */
#define H1_KNOWN_HDRS(X)                                                       \
	X(HOST, "host", 0)                                                     \
	X(CONTENT_LENGTH, "content-length", 0)                                 \
	X(TRANSFER_ENCODING, "transfer-encoding", 1)                           \
	X(CONNECTION, "connection", 1)                                         \
	X(KEEP_ALIVE, "keep-alive", 1)                                         \
	X(PROXY_CONNECTION, "proxy-connection", 1)                             \
	X(PROXY_AUTHENTICATE, "proxy-authenticate", 1)                         \
	X(PROXY_AUTHORIZATION, "proxy-authorization", 1)                       \
	X(TE, "te", 1)                                                         \
	X(TRAILER, "trailer", 1)                                               \
	X(UPGRADE, "upgrade", 1)                                               \
	X(EXPECT, "expect", 0)                                                 \
	X(VIA, "via", 0)                                                       \
	X(X_FORWARDED_FOR, "x-forwarded-for", 0)                               \
	X(X_FORWARDED_PROTO, "x-forwarded-proto", 0)                           \
	X(REFERER, "referer", 0)                                               \
	X(USER_AGENT, "user-agent", 0)                                         \
	X(CACHE_CONTROL, "cache-control", 0)                                   \
	X(PRAGMA, "pragma", 0)                                                 \
	X(AUTHORIZATION, "authorization", 0)                                   \
	X(RANGE, "range", 0)                                                   \
	X(IF_RANGE, "if-range", 0)                                             \
	X(IF_NONE_MATCH, "if-none-match", 0)                                   \
	X(IF_MODIFIED_SINCE, "if-modified-since", 0)

enum h1_hk {
	H1H_OTHER = 0,
#define X(k, n, hop) H1H_##k,
	H1_KNOWN_HDRS(X)
#undef X
	H1H__MAX
};
_Static_assert(H1H__MAX <= 32, "h1_req.seen holds one bit per kind");
/* The bit of a kind in h1_req.seen / h1_resp.seen. */
#define H1_SEEN(k) (1u << H1H_##k)

/* One header field. Name as received (match it case-insensitively); value
 * with leading and trailing OWS removed; kind set by the parser. */
struct h1_hdr {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	enum h1_hk kind;
};

/* The kind of a header name (H1H_OTHER when not in H1_KNOWN_HDRS). */
enum h1_hk h1_kind_of(const char *name, size_t len);
/* Non-zero when a Connection field of the message names a header (any
 * token but close and keep-alive): only then must h1_is_hop() look past a
 * header's kind. */
int h1_conn_names(const struct h1_hdr *hdrs, unsigned n);
/* Non-zero for the kinds that are hop-by-hop by name (RFC 9110 §7.6.1). */
int h1_kind_hop(enum h1_hk kind);
/* Bytes of "name: value\r\n" for every field: a bound for rewriting. */
size_t h1_hdrs_bytes(const struct h1_hdr *hdrs, unsigned n);
/* First header of that kind, or NULL. */
const struct h1_hdr *h1_find_kind(const struct h1_hdr *hdrs, unsigned n,
    enum h1_hk kind);

/* How the message body is framed. */
enum h1_body {
	H1B_NONE = 0, /* no body */
	H1B_LENGTH,   /* Content-Length bytes */
	H1B_CHUNKED,  /* Transfer-Encoding: chunked */
	H1B_EOF,      /* responses only: the body runs until the origin closes */
};

/* Methods the daemon treats specially; everything else is H1M_OTHER. */
enum h1_method {
	H1M_OTHER = 0,
	H1M_GET,
	H1M_HEAD,
	H1M_POST,
	H1M_PUT,
	H1M_DELETE,
	H1M_OPTIONS,
	H1M_PATCH,
	H1M_TRACE,
	H1M_CONNECT,
	H1M_PURGE,
};

struct h1_req {
	const char *method; /* token, case-sensitive */
	size_t method_len;
	enum h1_method meth;
	const char *target; /* request-target exactly as received */
	size_t target_len;
	/* origin-form path and query: for origin-form it is the target; for
	 * absolute-form ("http://host/p?q") the part after the authority, "/"
	 * when that is empty (then path points at a static "/"); for "*" it is
	 * "*". authority-form (CONNECT) is rejected with -400 unless the
	 * method is CONNECT, and CONNECT takes nothing else ("host:port",
	 * port required); then host and path are both the target.
	 * "http://host?q" (a query but no path) is -400: there is no "/" to
	 * point at in place. */
	const char *path;
	size_t path_len;
	/* Host: from absolute-form when present (it overrides the Host header,
	 * RFC 9112 §3.2.2), else the Host header's value. NULL for an HTTP/1.0
	 * request without Host. Validated as an RFC 3986 authority (reg-name
	 * or IP-literal, optional port of up to 5 digits): so no whitespace,
	 * CTLs, '/', '@', '?', '#'. An empty Host field is valid (host_len 0,
	 * RFC 9112 §3.2); an empty authority in absolute-form is not. */
	const char *host;
	size_t host_len;
	int minor; /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
	struct h1_hdr *hdrs; /* the caller's array, nhdrs filled */
	unsigned nhdrs;
	enum h1_body body;	 /* H1B_NONE, H1B_LENGTH or H1B_CHUNKED */
	uint64_t content_length; /* when body == H1B_LENGTH ("0" gives
				    H1B_LENGTH with 0) */
	unsigned keep_alive : 1; /* 1.1 without "close", or 1.0 with "keep-alive" */
	unsigned expect_continue : 1; /* Expect: 100-continue, 1.1 only */
	uint32_t seen; /* H1_SEEN(kind) of every known kind present: a
			  field's absence costs one test, not a scan */
};

/*
 * Parse a request head from buf[0..len).
 * Returns the head's length in bytes (through the blank line that ends it)
 * when complete, 0 when more bytes are needed (no error seen so far and no
 * limit exceeded by what is there), or a negative HTTP status. The fields
 * of *req are meaningful only after a positive return. hdrs[0..max_hdrs)
 * is the caller's array; a head with more fields than it holds is -431
 * like one over lim->max_headers.
 *
 * Rules (each rejected with -400 unless said otherwise):
 * - up to 8 empty lines (CRLF) before the request line are skipped and
 *   counted in the returned length (a 9th is -400), and in max_head;
 * - request line: method SP target SP HTTP-version CRLF with single spaces;
 *   method is a token (tchar); target has no CTL, space or DEL and is
 *   origin-form ("/..."), absolute-form ("http://" or "https://" then an
 *   authority, case-insensitive scheme), or "*" (OPTIONS only);
 *   version exactly "HTTP/1.1" or "HTTP/1.0"; another "HTTP/d.d" is -505;
 * - target longer than lim->max_url, or request line longer than
 *   lim->max_req_line or than lim->max_head (even before its CRLF has
 *   arrived): -414;
 * - every line ends in CRLF: a bare CR or bare LF anywhere is -400;
 * - header name: one or more tchar, then ':' with no whitespace before it;
 * - value: VCHAR, obs-text (0x80-0xff), SP, HTAB only (no NUL, no CTL);
 * - obs-fold (a line starting with SP or HTAB) is -400;
 * - head longer than lim->max_head (the length this returns), or more than
 *   lim->max_headers fields (checked as soon as the bytes are there, even
 *   before the end): -431;
 * - HTTP/1.1 without exactly one Host field, or several Host fields: -400;
 * - Content-Length: one field, one value of 1..19 digits (no sign, no
 *   list, no spaces inside): otherwise -400; above lim->max_body: -413;
 * - Transfer-Encoding: accepted only as one field whose value is exactly
 *   "chunked" (case-insensitive); a list of known codings ending in
 *   chunked (gzip, deflate, compress) is -501; anything else -400;
 *   in an HTTP/1.0 request -400;
 * - both Content-Length and Transfer-Encoding: -400;
 * - Expect: "100-continue" (case-insensitive) sets expect_continue (left
 *   0 for HTTP/1.0, RFC 9110 §10.1.1); any other value is -417;
 * - keep_alive from the Connection tokens and the version.
 */
int h1_parse_request(const char *buf, size_t len, const struct h1_limits *lim,
    struct h1_req *req, struct h1_hdr *hdrs, unsigned max_hdrs);

struct h1_resp {
	int minor;  /* 0 or 1 */
	int status; /* 100..999 */
	const char *reason;
	size_t reason_len;
	struct h1_hdr *hdrs;
	unsigned nhdrs;
	enum h1_body body;
	uint64_t content_length; /* when body == H1B_LENGTH */
	unsigned keep_alive : 1; /* the origin will keep the connection open */
};

/*
 * Parse a response head from buf[0..len); `head_req` is non-zero when the
 * request was HEAD. Returns the head's length when complete, 0 when more is
 * needed, -502 when malformed. Same line, name and value rules as requests
 * (bare CR/LF, obs-fold, CTLs in values: -502), status-line
 * "HTTP/1.x SP 3DIGIT SP reason CRLF" (the reason may be empty; "HTTP/1.1
 * 200\r\n" without the space is accepted too). Framing per RFC 9112 §6.3:
 * 1xx, 204, 304 and responses to HEAD have no body (H1B_NONE) whatever
 * their headers say; Transfer-Encoding must be exactly "chunked"
 * (otherwise -502); both CL and TE: -502; TE in an HTTP/1.0 response: -502
 * (RFC 9112 §6.1); several or invalid Content-Length values: -502;
 * neither: H1B_EOF (keep_alive then 0). Only lim->max_head and
 * lim->max_headers apply to responses (exceeded: -502). No empty lines are
 * skipped before the status line.
 */
int h1_parse_response(const char *buf, size_t len, const struct h1_limits *lim,
    int head_req, struct h1_resp *resp, struct h1_hdr *hdrs, unsigned max_hdrs);

/* Chunked body decoder: a byte-at-a-time state machine over framing, so the
 * caller may feed it any split of the input and never needs to join
 * segments. Data bytes are never copied: the decoder says how many of the
 * input's leading bytes are body data. */
struct h1_chunk {
	int state;	    /* private */
	uint64_t remaining; /* data bytes left in the current chunk */
	uint64_t total;	    /* data bytes seen so far */
	size_t line;	    /* bytes of the current size/extension/trailer line */
	size_t trailer;	    /* bytes of trailer section so far */
};

enum {
	H1C_DATA = 1, /* in[0..*n) is body data: forward it, then consume it */
	H1C_SKIP = 2, /* in[0..*n) is framing: consume it and call again */
	H1C_DONE = 3, /* in[0..*n) ended the body (last chunk and trailers) */
	H1C_ERROR = -1, /* malformed framing: bad hex, size over 2^62 or more
			   than 16 hex digits, missing CRLF after data, bare
			   CR/LF, a size or trailer line longer than 4096
			   bytes, trailers over 16 KiB */
};

void h1_chunk_init(struct h1_chunk *c);
/* Decode from in[0..len), len > 0. Returns H1C_* and sets 0 < *n <= len for
 * DATA, SKIP and DONE (DONE consumes at least the final LF). Bytes after
 * DONE belong to the next message: call h1_chunk_init before decoding
 * more (after ERROR, further calls return ERROR). Chunk extensions (";..." up to the
 * CR) may hold any field-value bytes; whitespace is allowed only between
 * the size and a ';'. Trailer lines follow the header field rules. */
int h1_chunk_next(struct h1_chunk *c, const char *in, size_t len, size_t *n);

/* --- helpers over parsed headers --- */

/* Case-insensitive comparison of a header name with a NUL-terminated one. */
int h1_name_eq_n(const struct h1_hdr *h, const char *name, size_t len);
static inline int
h1_name_eq(const struct h1_hdr *h, const char *name)
{
	/* The length first: a literal's is a constant, so a field of
	 * another length costs one compare (the misses, which dominate). */
	size_t len = __builtin_strlen(name);
	return (h->name_len == len && h1_name_eq_n(h, name, len));
}
/* First header named `name`, or NULL. */
const struct h1_hdr *h1_find_n(const struct h1_hdr *hdrs, unsigned n,
    const char *name, size_t len);
static inline const struct h1_hdr *
h1_find(const struct h1_hdr *hdrs, unsigned n, const char *name)
{
	return (h1_find_n(hdrs, n, name, __builtin_strlen(name)));
}
/* Non-zero when the comma-separated token list v[0..len) holds `tok`
 * (case-insensitive, OWS around elements ignored). */
int h1_list_has(const char *v, size_t len, const char *tok);
/* Non-zero when the header must not be forwarded by a proxy: Connection,
 * Keep-Alive, Proxy-Connection, Proxy-Authenticate, Proxy-Authorization,
 * TE, Trailer, Transfer-Encoding, Upgrade, or any name listed in one of the
 * message's Connection fields. Content-Length is not hop-by-hop. */
int h1_is_hop(const struct h1_hdr *h, const struct h1_hdr *hdrs, unsigned n);
/* Map a method token to its enum. */
enum h1_method h1_method_of(const char *m, size_t len);
/* Reason phrase for a status code ("OK", "Bad Request", ...; "Unknown"). */
const char *h1_reason(int status);

#endif
