vcl 4.1;

# Bans that the background lurker can test: the ban expressions only look
# at obj.*, so every object carries its own URL and host in x-url and
# x-host headers, which vcl_deliver hides from clients again.
#
#   curl -X BAN -H 'X-Ban-Url: ^/news/' http://cache/    (regex on the URL)
#   curl -X BAN http://cache/about.html                  (one URL, exact)

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl banners {
	"127.0.0.0"/8;
	"10.0.0.0"/8;
}

sub vcl_recv {
	if (req.method == "BAN") {
		if (!(client.ip ~ banners)) {
			return (synth(403, "Forbidden"));
		}
		if (req.http.X-Ban-Url) {
			ban("obj.http.x-host == " + req.http.host +
			    " && obj.http.x-url ~ " + req.http.X-Ban-Url);
		} else {
			ban("obj.http.x-host == " + req.http.host +
			    " && obj.http.x-url == " + req.url);
		}
		return (synth(200, "Ban added"));
	}
}

sub vcl_backend_response {
	# Remember where the object came from, for the bans above.
	set beresp.http.x-url = bereq.url;
	set beresp.http.x-host = bereq.http.host;
}

sub vcl_deliver {
	unset resp.http.x-url;
	unset resp.http.x-host;
}
