vcl 4.1;

# Tag-based invalidation in the style of xkey / Surrogate-Key, done with
# plain bans. The origin lists the tags of a page in "Surrogate-Key:
# product-12 category-3 homepage"; a purge request names one or more tags
# in "Purge-Tags:" and every object carrying one of them goes.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl invalidators {
	"127.0.0.1";
	"10.1.0.0"/16;
}

sub vcl_recv {
	if (req.method == "PURGE" && req.http.Purge-Tags) {
		if (client.ip !~ invalidators) {
			return (synth(405, "Not allowed"));
		}
		# "a b  c" -> "(a|b|c)", matched as whole words of the stored
		# Surrogate-Key list.
		set req.http.Purge-Tags = regsuball(req.http.Purge-Tags, "^\s+|\s+$", "");
		set req.http.Purge-Tags = regsuball(req.http.Purge-Tags, "\s+", "|");
		ban("obj.http.Surrogate-Key ~ (^|\s)(" + req.http.Purge-Tags + ")(\s|$)");
		return (synth(200, "Tags invalidated"));
	}
	if (req.method == "PURGE") {
		if (client.ip !~ invalidators) {
			return (synth(405, "Not allowed"));
		}
		return (purge);
	}
}

sub vcl_backend_response {
	# Some origins send the tags under another name.
	if (!beresp.http.Surrogate-Key && beresp.http.xkey) {
		set beresp.http.Surrogate-Key = beresp.http.xkey;
		unset beresp.http.xkey;
	}
	if (!beresp.http.Surrogate-Key && beresp.http.Cache-Tag) {
		set beresp.http.Surrogate-Key = regsuball(beresp.http.Cache-Tag, ",\s*", " ");
	}
}

sub vcl_deliver {
	# The tags are for us, not for browsers.
	if (!req.http.X-Debug-Tags) {
		unset resp.http.Surrogate-Key;
	}
}
