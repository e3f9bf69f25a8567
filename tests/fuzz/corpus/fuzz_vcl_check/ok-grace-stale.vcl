vcl 4.1;

# Grace and keep: serve a slightly stale page at once while a background
# fetch refreshes it; serve a very stale one when the origin is down
# (stale-if-error); keep expired objects with a validator so that the
# refresh can be a conditional request answered by a 304.

import std;

probe ping {
	.url = "/ping";
	.interval = 2s;
	.timeout = 1s;
	.window = 5;
	.threshold = 3;
	.initial = 3;
}

backend origin {
	.host = "127.0.0.1";
	.port = "8080";
	.probe = ping;
}

sub vcl_recv {
	# While the origin is healthy only 10 seconds of staleness are
	# acceptable; when it is sick, whatever grace the object has.
	if (std.healthy(req.backend_hint)) {
		set req.grace = 10s;
	}
	# A client that insists ("Cache-Control: no-cache" from a reload) on
	# a trusted network gets a fresh copy, which replaces the cached one.
	# (The ACL is declared below: a name may be used before it is.)
	if (req.http.Cache-Control ~ "no-cache" && client.ip ~ editors) {
		set req.hash_always_miss = true;
	}
}

acl editors {
	"10.8.0.0"/16;
}

sub vcl_hit {
	if (obj.ttl <= 0s && obj.ttl + obj.grace > 0s) {
		set req.http.X-Stale = "yes";
	}
}

sub vcl_backend_response {
	set beresp.grace = 6h;
	set beresp.keep = 3d;

	# Honour stale-if-error when the origin sends it.
	if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
		set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s", 6h);
	}

	# A background refresh that gets an error must not replace the good
	# object we still have.
	if (beresp.status >= 500 && bereq.is_bgfetch) {
		return (abandon);
	}
}

sub vcl_deliver {
	if (req.http.X-Stale) {
		set resp.http.Warning = {"110 - "Response is Stale""};
	}
	set resp.http.X-Grace-Left = obj.grace;
}
