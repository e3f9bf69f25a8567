vcl 4.0;

# A news site, written for Varnish 4.0: short lifetimes on the front
# pages, long ones on articles, a "refresh" request from the newsroom that
# fetches a fresh copy, and regex bans by URL from the CMS.

import std;

backend cms {
	.host = "192.0.2.40";
	.port = "80";
	.connect_timeout = 1s;
	.first_byte_timeout = 20s;
	.between_bytes_timeout = 5s;
}

acl newsroom {
	"192.0.2.0"/24;
	"2001:db8:40::"/48;
}

sub vcl_recv {
	if (req.method == "BAN") {
		if (!client.ip ~ newsroom) {
			return (synth(403, "Forbidden"));
		}
		# req.* bans are checked at lookup time against each request.
		ban("req.http.host == " + req.http.host + " && req.url ~ " + req.url);
		return (synth(200, "Banned"));
	}

	# The newsroom's "refresh" bypasses the cached copy and replaces it.
	if (req.http.X-Refresh == "1" && client.ip ~ newsroom) {
		set req.hash_always_miss = true;
	}

	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}
	if (req.url ~ "^/(login|logout|account|comments/post)") {
		return (pass);
	}
	unset req.http.Cookie;
	return (hash);
}

sub vcl_hash {
	hash_data(req.url);
	if (req.http.host) {
		hash_data(req.http.host);
	} else {
		hash_data(server.ip);
	}
	return (lookup);
}

sub vcl_backend_response {
	if (bereq.url ~ "^/($|section/|index\.html)") {
		set beresp.ttl = 1m;
		set beresp.grace = 1h;
	} elsif (bereq.url ~ "^/20[0-9][0-9]/[0-9][0-9]/") {
		set beresp.ttl = 1d;
		set beresp.grace = 7d;
	}

	# Uncacheable answers (a session cookie, an explicit private):
	# remember for two minutes not to wait on them.
	if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "private") {
		set beresp.uncacheable = true;
		set beresp.ttl = 120s;
		return (deliver);
	}
	if (beresp.status == 404) {
		set beresp.ttl = 30s;
	}
	std.log("cached " + bereq.url + " for " + beresp.ttl);
	return (deliver);
}

sub vcl_deliver {
	set resp.http.X-Age-Group = "fresh";
	if (obj.hits > 10) {
		set resp.http.X-Age-Group = "popular";
	}
	return (deliver);
}
