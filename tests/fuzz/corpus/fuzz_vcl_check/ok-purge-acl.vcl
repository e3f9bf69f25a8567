vcl 4.1;

# PURGE, allowed from the local machine and the office networks only.
# The ACL mixes single hosts, IPv4 and IPv6 networks and a negated entry:
# the most specific match wins, so 10.20.99.0/24 is refused even though
# it sits inside 10.20.0.0/16.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl purgers {
	"127.0.0.1";
	"::1";
	"10.20.0.0"/16;
	! "10.20.99.0"/24;
	"192.168.1.0"/24;
	"2001:db8:ab00::"/40;
}

sub vcl_recv {
	if (req.method == "PURGE") {
		if (client.ip !~ purgers) {
			return (synth(405, "PURGE not allowed from " + client.ip));
		}
		return (purge);
	}
}

sub vcl_purge {
	# A purge answers with a short text body instead of the error page.
	return (synth(200, "Purged"));
}

sub vcl_synth {
	if (req.method == "PURGE") {
		set resp.http.Content-Type = "text/plain; charset=utf-8";
		synthetic(resp.reason + {"
"});
		return (deliver);
	}
}
