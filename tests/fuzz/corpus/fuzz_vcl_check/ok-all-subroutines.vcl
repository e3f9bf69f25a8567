vcl 4.1;

# Every built-in subroutine, each ending with an explicit return of one of
# its legal actions, so nothing of the built-in VCL runs. A skeleton to
# start from; it behaves like a plain cache that passes what it should.

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_init {
	std.log("vcl loaded");
	return (ok);
}

sub vcl_recv {
	if (req.method == "PRI") {
		return (synth(405));
	}
	if (req.method == "PURGE") {
		if (client.ip ~ local) {
			return (purge);
		}
		return (synth(405));
	}
	if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" &&
	    req.method != "PUT" && req.method != "DELETE" && req.method != "PATCH" &&
	    req.method != "OPTIONS") {
		return (pipe);
	}
	if (req.method != "GET" && req.method != "HEAD") {
		return (pass);
	}
	return (hash);
}

acl local {
	"127.0.0.1";
	"::1";
}

sub vcl_pipe {
	return (pipe);
}

sub vcl_pass {
	return (fetch);
}

sub vcl_hash {
	hash_data(req.url);
	if (req.http.host) {
		hash_data(req.http.host);
	} else {
		hash_data(server.ip);
	}
	return (lookup);
}

sub vcl_purge {
	return (synth(200, "Purged"));
}

sub vcl_hit {
	return (deliver);
}

sub vcl_miss {
	return (fetch);
}

sub vcl_deliver {
	return (deliver);
}

sub vcl_synth {
	set resp.http.Content-Type = "text/plain; charset=utf-8";
	synthetic(resp.status + " " + resp.reason + {"
"});
	return (deliver);
}

sub vcl_backend_fetch {
	return (fetch);
}

sub vcl_backend_response {
	if (beresp.ttl <= 0s || beresp.http.Set-Cookie || beresp.http.Vary == "*") {
		set beresp.ttl = 120s;
		set beresp.uncacheable = true;
	}
	return (deliver);
}

sub vcl_backend_error {
	set beresp.http.Content-Type = "text/plain; charset=utf-8";
	synthetic(beresp.status + " " + beresp.reason + {"
"});
	return (deliver);
}

sub vcl_fini {
	return (ok);
}
