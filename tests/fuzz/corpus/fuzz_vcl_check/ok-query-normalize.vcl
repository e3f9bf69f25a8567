vcl 4.1;

# URL normalisation before the lookup, so that links that differ only in
# tracking parameters, parameter order or a fragment share one object.

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	call normalize_url;
}

sub normalize_url {
	# A fragment never belongs in a request, but broken clients send one.
	if (req.url ~ "#") {
		set req.url = regsub(req.url, "#.*$", "");
	}

	# Campaign and click ids (Google Analytics, Ads, Facebook, Mailchimp,
	# HubSpot...) are read by JavaScript, not by the origin.
	if (req.url ~ "(\?|&)(utm_(source|medium|campaign|term|content|id)|gclid|gclsrc|dclid|fbclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|_ga|_gl)=") {
		set req.url = regsuball(req.url, "(utm_(source|medium|campaign|term|content|id)|gclid|gclsrc|dclid|fbclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|_ga|_gl)=[^&]*&?", "");
		# What is left may end with "?" or "&".
		set req.url = regsub(req.url, "(\?|&)+$", "");
		# Or start its query with "&".
		set req.url = regsub(req.url, "\?&+", "?");
	}

	# ?b=2&a=1 and ?a=1&b=2 are the same page.
	set req.url = std.querysort(req.url);

	# An empty query string: "/page?" is "/page".
	set req.url = regsub(req.url, "\?$", "");

	# Host names are case-insensitive, and a default port says nothing.
	set req.http.host = std.tolower(regsub(req.http.host, ":(80|443)$", ""));
}
