vcl 4.1;

# A WordPress site: anonymous visitors get cached pages, logged-in users,
# the admin area and the shop's cart go to PHP every time.

import std;

backend wordpress {
	.host = "127.0.0.1";
	.port = "8080";
	.connect_timeout = 2s;
	.first_byte_timeout = 90s;
	.between_bytes_timeout = 10s;
	.max_connections = 200;
}

acl purge {
	"127.0.0.1";
	"172.16.0.0"/12;
}

sub vcl_recv {
	set req.backend_hint = wordpress;

	# WordPress plugins (e.g. a cache purger) send PURGE on post updates.
	if (req.method == "PURGE") {
		if (client.ip !~ purge) {
			return (synth(405, "Method not allowed"));
		}
		return (purge);
	}

	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}

	# Pages that are personal or that change state.
	if (req.url ~ "^/wp-(admin|login|cron)" ||
	    req.url ~ "^/xmlrpc\.php" ||
	    req.url ~ "preview=true" ||
	    req.url ~ "^/(cart|checkout|my-account)(/|$)" ||
	    req.url ~ "[?&]add-to-cart=") {
		return (pass);
	}

	# Logged-in users and commenters see their own pages.
	if (req.http.Cookie ~ "wordpress_logged_in_|comment_author_|wp-postpass_|woocommerce_items_in_cart") {
		return (pass);
	}

	# Every other cookie is only read by JavaScript (analytics, consent
	# banners, test cookies): drop them all so the page is cacheable.
	unset req.http.Cookie;

	# Static files never need cookies anyway; say so in the log.
	if (req.url ~ "\.(css|js|png|jpe?g|gif|webp|svg|ico|woff2?)(\?.*)?$") {
		std.log("static: " + req.url);
	}
	return (hash);
}

sub vcl_backend_response {
	# Anonymous pages: WordPress sends no Cache-Control by default.
	if (bereq.url !~ "^/wp-(admin|login)" && !beresp.http.Cache-Control) {
		set beresp.ttl = 5m;
		set beresp.grace = 1h;
	}
	# A theme's static files can live much longer.
	if (bereq.url ~ "^/wp-content/(themes|uploads)/") {
		unset beresp.http.Set-Cookie;
		set beresp.ttl = 7d;
	}
}

sub vcl_deliver {
	if (obj.hits > 0) {
		set resp.http.X-Cache = "HIT";
	} else {
		set resp.http.X-Cache = "MISS";
	}
}
