#F3
vcl 4.1;

# The std vmod at work: numbers and durations read from headers (with a
# fallback when the header is missing or malformed), addresses read from
# strings, case folding, header collection and logging.

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl office {
	"203.0.113.0"/24;
}

sub vcl_recv {
	# Duplicate Cookie lines (HTTP/2 sends one per cookie) become one.
	std.collect(req.http.Cookie, "; ");
	std.collect(req.http.Accept);

	# The client address as the CDN in front of us saw it, when it says
	# so; otherwise the peer.
	if (std.ip(req.http.CF-Connecting-IP, client.ip) ~ office) {
		set req.http.X-Office = "1";
	}

	# Paging: a malformed page number counts as page 1 (the fallback);
	# past page 500 the request is refused.
	if (req.url ~ "[?&]page=") {
		if (std.integer(regsub(req.url, "^.*[?&]page=([^&]*).*$", "\1"), 1) > 500) {
			return (synth(400, "Page out of range"));
		}
	}

	# A score from a bot detector in front of us, as a real number.
	if (std.real(req.http.X-Bot-Score, 0.0) > 0.9) {
		std.log("probable bot: " + req.http.User-Agent);
		return (synth(429, "Too Many Requests"));
	}

	set req.http.X-Method-Upper = std.toupper(req.method);
	set req.url = std.tolower(req.url);
}

sub vcl_backend_response {
	# The origin may ask for a lifetime of its own ("X-Cache-TTL: 90s",
	# "2h", "1d"), outside the standard headers.
	if (beresp.http.X-Cache-TTL) {
		set beresp.ttl = std.duration(beresp.http.X-Cache-TTL, 0s);
		unset beresp.http.X-Cache-TTL;
	}
	# And a grace in plain seconds.
	if (beresp.http.X-Cache-Grace ~ "^[0-9]+$") {
		set beresp.grace = std.duration(beresp.http.X-Cache-Grace + "s", 10s);
	}
	std.log("ttl=" + beresp.ttl + " grace=" + beresp.grace + " status=" + beresp.status);
}

sub vcl_deliver {
	set resp.http.X-Size-Hint = std.integer(resp.http.Content-Length, -1);
}
