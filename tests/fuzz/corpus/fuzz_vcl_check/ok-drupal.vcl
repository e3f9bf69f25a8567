vcl 4.0;

# Drupal 7/8 behind the cache. Drupal's session cookies are named SESS...
# (SSESS... over https); every other cookie is thrown away so that pages
# of anonymous visitors share one cache entry.

backend drupal {
	.host = "10.0.0.21";
	.port = "80";
	.host_header = "www.example.org";
	.first_byte_timeout = 300s;
}

acl internal {
	"127.0.0.1";
	"10.0.0.0"/24;
}

sub vcl_recv {
	# Cron and the update script are for us only.
	if (req.url ~ "^/(cron|update|install)\.php$" && !(client.ip ~ internal)) {
		return (synth(404, "Not Found"));
	}

	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}

	# Batch jobs and the admin pages are never cached.
	if (req.url ~ "^/(admin|user|batch|node/[0-9]+/edit)" ||
	    req.url ~ "^/system/(files|temporary)/") {
		return (pass);
	}

	if (req.http.Cookie) {
		call keep_session_cookies;
		if (req.http.Cookie) {
			# A session: the page is this user's.
			return (pass);
		}
	}
}

# Keep SESS*, SSESS* and NO_CACHE cookies; remove the rest. The trick:
# prefix the header with "; ", mark the wanted cookies, drop every
# unmarked one, then remove the marks.
sub keep_session_cookies {
	set req.http.Cookie = ";" + req.http.Cookie;
	set req.http.Cookie = regsuball(req.http.Cookie, "; +", ";");
	set req.http.Cookie = regsuball(req.http.Cookie, ";(S?SESS[a-z0-9]+|NO_CACHE)=", "; \1=");
	set req.http.Cookie = regsuball(req.http.Cookie, ";[^ ][^;]*", "");
	set req.http.Cookie = regsuball(req.http.Cookie, "^[; ]+|[; ]+$", "");
	if (req.http.Cookie == "") {
		unset req.http.Cookie;
	}
}

sub vcl_backend_response {
	# Drupal marks cacheable pages with X-Drupal-Cache; keep them a while
	# even when it asks for a short max-age.
	if (beresp.http.X-Drupal-Cache == "HIT" || beresp.http.X-Drupal-Cache == "MISS") {
		if (beresp.ttl < 10m) {
			set beresp.ttl = 10m;
		}
	}
	set beresp.grace = 6h;
}

sub vcl_deliver {
	unset resp.http.X-Drupal-Cache;
	unset resp.http.X-Generator;
	unset resp.http.X-Powered-By;
}
