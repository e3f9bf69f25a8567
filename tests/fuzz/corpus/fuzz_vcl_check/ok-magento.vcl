vcl 4.1;

# An e-commerce shop in the style of Magento 2: the application sends the
# tags of each page in X-Shop-Tags and invalidates with PURGE requests
# that carry a regex of tags; a cookie (X-Shop-Vary) splits the cache by
# customer group and currency; grace covers a sick origin.

import std;

probe shop_health {
	.url = "/health_check.php";
	.timeout = 2s;
	.interval = 5s;
	.window = 10;
	.threshold = 5;
}

backend shop {
	.host = "127.0.0.1";
	.port = "8080";
	.first_byte_timeout = 600s;
	.probe = shop_health;
}

acl purge {
	"::1";
	"127.0.0.1";
}

sub vcl_recv {
	if (req.method == "PURGE") {
		if (client.ip !~ purge) {
			return (synth(405, "Method not allowed"));
		}
		if (!req.http.X-Shop-Tags-Pattern && !req.http.X-Pool) {
			return (synth(400, "X-Shop-Tags-Pattern or X-Pool header required"));
		}
		if (req.http.X-Shop-Tags-Pattern) {
			ban("obj.http.X-Shop-Tags ~ " + req.http.X-Shop-Tags-Pattern);
		}
		if (req.http.X-Pool) {
			ban("obj.http.X-Pool ~ " + req.http.X-Pool);
		}
		return (synth(200, "Purged"));
	}

	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}

	# Shopping flows and the customer area.
	if (req.url ~ "/(checkout|customer|catalogsearch|paypal)/") {
		return (pass);
	}
	if (req.url ~ "^/(pub/)?health_check\.php$") {
		return (pass);
	}

	# Marketing parameters do not change the page.
	if (req.url ~ "[?&](utm_[a-z]+|gclid|fbclid|_ga|mc_[a-z]+)=") {
		set req.url = regsuball(req.url, "(utm_[a-z]+|gclid|fbclid|_ga|mc_[a-z]+)=[^&]*&?", "");
		set req.url = regsub(req.url, "[?&]+$", "");
	}

	# Static files: served with their own headers, no cookies needed.
	if (req.url ~ "^/(pub/)?(media|static)/") {
		unset req.http.Cookie;
		unset req.http.Https;
		return (hash);
	}

	# With a healthy origin a stale page is only used for a few seconds.
	if (std.healthy(req.backend_hint)) {
		set req.grace = 10s;
	}
	return (hash);
}

sub vcl_hash {
	if (req.http.Cookie ~ "X-Shop-Vary=") {
		hash_data(regsub(req.http.Cookie, "^.*?X-Shop-Vary=([^;]+);*.*$", "\1"));
	}
	# Separate the http and https copies of pages that embed absolute URLs.
	if (req.http.X-Forwarded-Proto) {
		hash_data(req.http.X-Forwarded-Proto);
	}
}

sub vcl_backend_response {
	set beresp.grace = 3d;

	if (beresp.http.content-type ~ "text") {
		set beresp.do_gzip = true;
	}

	# Only 200 and 404 answers to GET or HEAD are kept.
	if (beresp.ttl > 0s && (bereq.method == "GET" || bereq.method == "HEAD")) {
		if (beresp.status != 200 && beresp.status != 404) {
			set beresp.ttl = 0s;
			set beresp.uncacheable = true;
			return (deliver);
		}
		unset beresp.http.Set-Cookie;
	}

	# Pages the application marks private or no-store: hit-for-miss for
	# two minutes.
	if (beresp.http.Cache-Control ~ "private|no-cache|no-store" ||
	    beresp.http.Surrogate-Control ~ "no-store") {
		set beresp.ttl = 120s;
		set beresp.uncacheable = true;
	}
}

sub vcl_deliver {
	if (resp.http.X-Shop-Debug) {
		if (obj.hits > 0) {
			set resp.http.X-Shop-Cache-Debug = "HIT";
		} else {
			set resp.http.X-Shop-Cache-Debug = "MISS";
		}
	} else {
		unset resp.http.Age;
	}
	unset resp.http.X-Shop-Debug;
	unset resp.http.X-Shop-Tags;
	unset resp.http.X-Powered-By;
	unset resp.http.Server;
	unset resp.http.Via;
	unset resp.http.Link;
}
