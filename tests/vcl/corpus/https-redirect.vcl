vcl 4.1;

# TLS is terminated by a proxy in front of the cache, which says so with
# X-Forwarded-Proto. Plain http requests are redirected to https, and the
# bare domain to www, with made-up status codes 750 and 751 that
# vcl_synth turns into real 301s with a Location header.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.http.host == "example.com") {
		return (synth(751, "Moved to www"));
	}
	if (req.http.X-Forwarded-Proto != "https" && req.url !~ "^/\.well-known/acme-challenge/") {
		return (synth(750, "Moved to https"));
	}
}

sub vcl_synth {
	if (resp.status == 750) {
		set resp.http.Location = "https://" + req.http.host + req.url;
		set resp.status = 301;
		set resp.reason = "Moved Permanently";
		return (deliver);
	}
	if (resp.status == 751) {
		set resp.http.Location = "https://www." + req.http.host + req.url;
		set resp.status = 301;
		set resp.reason = "Moved Permanently";
		return (deliver);
	}
}

sub vcl_deliver {
	# Tell browsers to stay on https.
	if (req.http.X-Forwarded-Proto == "https") {
		set resp.http.Strict-Transport-Security = "max-age=31536000; includeSubDomains";
	}
}
