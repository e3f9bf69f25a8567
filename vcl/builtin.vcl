#
# accel's built-in VCL.
#
# accel appends this file after yours, as Varnish does with its own
# builtin.vcl: each subroutine below runs after the one of the same name
# in your VCL, unless yours ends with a return. A vcl_recv of yours that
# only cleans up headers therefore still gets the decisions made here.
#
# It says what accel does when you give it no VCL (-b alone). Where that
# differs from Varnish's builtin.vcl, a comment says how and why.
#
# One value comes from a parameter: the accel_purge ACL is -p
# purge_acl. What is written here is its default; accel puts the
# parameter's value in its place when it loads this file. How long a
# hit-for-miss marker lasts (vcl_backend_response) is -p hfm_ttl.
#
# Not written here because accel does it in C, before VCL sees the
# request: requests it cannot parse are refused (400, 413, 414, 417,
# 431, 501, 505) without running vcl_recv, and an HTTP/1.1 request has
# exactly one Host. Varnish also lowercases the Host header; accel keeps
# it as sent, so "Example.com" and "example.com" are two cache keys.
#

acl accel_purge {
	"127.0.0.0"/8;
	"::1";
}

sub vcl_recv {
	# accel is not a forward proxy: it opens no tunnels, and closes the
	# connection after this answer. Varnish pipes CONNECT (with any
	# method it does not know); accel never pipes unless you ask.
	if (req.method == "CONNECT") {
		return (synth(405));
	}
	# Varnish's built-in VCL does not know PURGE (it pipes it). accel
	# purges the key, from -p purge_acl only. A VCL that handles PURGE
	# itself, with its own ACL, returns before this point and is not
	# checked against purge_acl: this ACL is the only check there is.
	if (req.method == "PURGE") {
		if (client.ip ~ accel_purge) {
			return (purge);
		}
		return (synth(405));
	}
	# Only GET and HEAD are looked up; other methods go to the origin,
	# and a 2xx or 3xx answer to an unsafe one (POST, PUT, DELETE...)
	# invalidates the URL (RFC 9111 4.4).
	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}
	# A GET or HEAD with a body (even Content-Length: 0) is passed with
	# its body.
	if (req.http.Content-Length || req.http.Transfer-Encoding) {
		return (pass);
	}
	# Varnish passes every request with Authorization or Cookie. accel
	# looks them up: Cookie does not change the answer unless the origin
	# says "Vary: Cookie", and a response to a request with Authorization
	# is stored only when it allows it (public, s-maxage or
	# must-revalidate, RFC 9111 3.5). Its refusal makes the key
	# hit-for-miss (see vcl_backend_response).
	return (hash);
}

sub vcl_pipe {
	# Not run: accel opens no tunnels, and return (pipe) from vcl_recv
	# is a pass (vcl_pass runs).
	return (pipe);
}

sub vcl_pass {
	return (fetch);
}

sub vcl_hash {
	# The key is the host, then the path with its query, each a separate
	# input. req.http.host is the Host header, or the authority of an
	# absolute-form request line ("GET http://host/path"); an absent
	# Host (HTTP/1.0) counts as "". Varnish hashes the URL first, and the
	# server's address when there is no Host. accel keeps host and URL
	# in that order so that it can show the URL http://HOST/PATH of what
	# it stores (accelctl storage ls).
	hash_data(req.http.host);
	hash_data(req.url);
	return (lookup);
}

sub vcl_purge {
	# Every variant of the key is gone (memory and disk). Varnish answers
	# 200 "Purged"; accel answers 200 "OK", or 404 "Not Found" when the
	# key held nothing. VCL has no variable for that count: a synth(200)
	# without a reason, as here, becomes the 404 when nothing was
	# purged; synth(200, "Purged") of yours stays a 200.
	return (synth(200));
}

sub vcl_hit {
	# The lookup has decided that the object is usable: fresh, or stale
	# within grace or the request's max-stale (a background fetch then
	# refreshes it), as RFC 9111 and the request's Cache-Control say. As
	# in Varnish 6 and later, vcl_hit only delivers.
	return (deliver);
}

sub vcl_miss {
	return (fetch);
}

sub vcl_deliver {
	# Runs once before every response but vcl_synth's (hits, misses,
	# passes). accel adds Age, Via (1.1 accel) and Cache-Status (RFC
	# 9211) as it writes the response: resp.http.* does not read Age and
	# Cache-Status, but unset removes any of the three. Varnish sets
	# X-Varnish instead of Cache-Status.
	return (deliver);
}

sub vcl_synth {
	# accel's own answers are plain text, "404 Not Found" and a newline,
	# where Varnish sends an HTML page with Retry-After.
	set resp.http.Content-Type = "text/plain";
	# After an answer below 500 (a refusal, or a PURGE result) accel
	# closes the connection; a vcl_synth of yours that returns deliver
	# keeps it open. Content-Length, Via and Connection are accel's.
	if (resp.status < 500) {
		set resp.http.Connection = "close";
	}
	synthetic(resp.status + " " + resp.reason + {"
"});
	return (deliver);
}

sub vcl_backend_fetch {
	# accel has built bereq: the client's Host (the backend's name when
	# the request had none), hop-by-hop fields removed, the client added
	# to X-Forwarded-For, "X-Forwarded-Proto: http", Via. On a miss a
	# HEAD is fetched as a GET, the client's Range and conditional fields
	# are dropped and a stale object's validators added. The framing
	# fields (Content-Length, Transfer-Encoding) are not in bereq: accel
	# writes them. Varnish's built-in VCL drops the body of a GET; accel
	# sends it (the GET is a pass, see vcl_recv).
	return (fetch);
}

sub vcl_backend_response {
	# When this runs, accel has applied RFC 9111 to the response:
	#   beresp.ttl    s-maxage, max-age, Expires, else 10 % of the age
	#                 given by Last-Modified (at most 1d), else
	#                 -p default_ttl (0: none; Varnish: 120s);
	#   beresp.grace  stale-while-revalidate (Varnish: 10s always);
	#   beresp.keep   -p keep (3600) when there is an ETag or a
	#                 Last-Modified to revalidate with, and long enough
	#                 for stale-if-error (Varnish: 0);
	#   beresp.uncacheable  true when the response may not be stored:
	#                 no-store, private, Authorization (see vcl_recv),
	#                 Vary: *, a status that is not cacheable by default
	#                 without an explicit lifetime; and always for a pass.
	# Set-Cookie is judged after your code, as in Varnish: a response
	# that still carries it is not stored (unless -p store_set_cookie=1,
	# or your code set beresp.uncacheable = false), so unsetting
	# beresp.http.Set-Cookie is enough to store it. Varnish also decides
	# no-store and private after your code; accel before: to store such
	# an answer, set beresp.uncacheable = false. What accel cannot store
	# stays unstored whatever VCL says: the answer to a method other than
	# GET, a body whose end cannot be told (no Content-Length, not
	# chunked).
	# Cache-Control: no-cache is stored by accel and revalidated on every
	# use (also with a beresp.ttl set here); Varnish does not store it.
	# A 304 that refreshes a stored object comes here with
	# beresp.was_304, beresp being the stored object updated by the 304.
	# An error (500, 502, 503, 504) from the refetch of a stored object
	# does not come here: accel serves the stored object when
	# stale-if-error allows it, else passes the error on and keeps the
	# object for the next try.
	if (bereq.uncacheable) {
		# A pass: nothing is stored.
		return (deliver);
	}
	if (beresp.uncacheable || beresp.ttl + beresp.grace + beresp.keep <= 0s) {
		# Hit-for-miss: for -p hfm_ttl (120s), requests for this key go
		# to the origin in parallel instead of waiting for each other,
		# and a later answer that may be stored replaces the marker.
		# Varnish does the same for Set-Cookie, no-cache, no-store,
		# private, Vary: * and ttl <= 0, for beresp.ttl, which its
		# built-in VCL sets to 120s here. accel's marker lasts
		# hfm_ttl whatever beresp.ttl says; return (pass(DURATION))
		# gives it another lifetime.
		set beresp.uncacheable = true;
	}
	return (deliver);
}

sub vcl_backend_error {
	# No backend reachable (503), a timeout (504) or a malformed response
	# head (502); Varnish always says 503 here. A stale object that
	# stale-if-error covers is served instead, before this runs. What
	# this delivers is the client's answer (accel adds Content-Length,
	# Via and Connection); vcl_deliver does not run on it. A fetch whose
	# client has left (a detached fill, a background refresh) does not
	# come here: its object fails.
	set beresp.http.Content-Type = "text/plain";
	synthetic(beresp.status + " " + beresp.reason + {"
"});
	return (deliver);
}

sub vcl_init {
	return (ok);
}

sub vcl_fini {
	return (ok);
}
