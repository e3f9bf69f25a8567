vcl 4.1;

# A static file origin (images, fonts, scripts, downloads). Cookies never
# matter here; lifetimes are set by file type whatever the origin says,
# and large downloads are streamed and not compressed.

backend assets {
	.host = "192.0.2.10";
	.port = "8080";
	.host_header = "assets.example.com";
	.connect_timeout = 1s;
}

sub vcl_recv {
	# The Host header of every request names the one origin's site.
	set req.http.Host = "assets.example.com";

	if (req.method != "GET" && req.method != "HEAD") {
		return (synth(405, "Method Not Allowed"));
	}

	unset req.http.Cookie;
	unset req.http.Authorization;

	# A cache-busting query string ("app.js?v=3") is part of the key,
	# any other query is not.
	if (req.url !~ "\?v=[0-9a-f]+$") {
		set req.url = regsub(req.url, "\?.*$", "");
	}
	return (hash);
}

sub vcl_backend_response {
	unset beresp.http.Set-Cookie;

	if (bereq.url ~ "\.(png|gif|jpe?g|webp|avif|ico|svg)$") {
		set beresp.ttl = 30d;
		set beresp.http.Cache-Control = "public, max-age=2592000";
	} elsif (bereq.url ~ "\.(css|js|woff2?|ttf)$") {
		set beresp.ttl = 7d;
		set beresp.http.Cache-Control = "public, max-age=604800";
	} elsif (bereq.url ~ "\.(zip|tar\.gz|iso|mp4|webm)$") {
		# Big files: stream them to the client as they come in.
		set beresp.do_stream = true;
		set beresp.do_gzip = false;
		set beresp.ttl = 1d;
	} else {
		set beresp.ttl = 1h;
	}

	# An origin error is kept a few seconds only, to shield the origin
	# from a storm of retries without serving the error for long.
	if (beresp.status >= 500) {
		set beresp.ttl = 5s;
		set beresp.grace = 0s;
	}
	# A missing file stays missing for a minute.
	if (beresp.status == 404) {
		set beresp.ttl = 1m;
	}
	set beresp.keep = 1d;
}

sub vcl_deliver {
	set resp.http.Access-Control-Allow-Origin = "*";
	unset resp.http.Server;
}
