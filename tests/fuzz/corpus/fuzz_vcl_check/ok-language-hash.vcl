vcl 4.1;

# One URL, several languages: the page depends on Accept-Language (or on
# a "lang" cookie that overrides it). The many values browsers send are
# reduced to one of the site's languages before they go into the hash,
# so there are four copies of a page, not thousands.

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.http.Cookie ~ "(^|;\s*)lang=(en|fr|de|nl)(;|$)") {
		set req.http.X-Lang = regsub(req.http.Cookie, "^(.*;\s*)?lang=(en|fr|de|nl).*$", "\2");
	} elsif (req.http.Accept-Language) {
		# The first language listed is the preferred one: "fr-CA,fr;q=0.9".
		set req.http.X-Lang = std.tolower(regsub(req.http.Accept-Language, "^\s*([A-Za-z]{2}).*$", "\1"));
		if (req.http.X-Lang !~ "^(en|fr|de|nl)$") {
			set req.http.X-Lang = "en";
		}
	} else {
		set req.http.X-Lang = "en";
	}
	# The origin reads the language from our header only.
	unset req.http.Accept-Language;
	set req.http.Accept-Language = req.http.X-Lang;
	unset req.http.Cookie;
}

sub vcl_hash {
	hash_data(req.url);
	if (req.http.host) {
		hash_data(req.http.host);
	} else {
		hash_data(server.ip);
	}
	hash_data(req.http.X-Lang);
	# Our own key is complete: skip the built-in vcl_hash.
	return (lookup);
}

sub vcl_deliver {
	set resp.http.Content-Language = req.http.X-Lang;
}
