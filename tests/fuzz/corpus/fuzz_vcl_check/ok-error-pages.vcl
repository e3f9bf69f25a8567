vcl 4.1;

# Branded error pages. vcl_synth builds the answers made by the cache
# (synth() from VCL), vcl_backend_error the one for an origin that
# could not be reached; each is an HTML page in a long string, with the
# status pasted in. An unreachable origin is tried twice more first.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
	.connect_timeout = 500ms;
	.first_byte_timeout = 15s;
}

sub vcl_recv {
	if (req.url ~ "^/private/") {
		return (synth(403, "Forbidden"));
	}
	if (req.url ~ "\.(php|asp|cgi)$") {
		return (synth(404, "Not Found"));
	}
}

sub vcl_backend_response {
	# An origin 5xx on a normal fetch: try the request once more before
	# giving up, as it may be one broken server behind a balancer.
	if (beresp.status >= 500 && beresp.status <= 599 && bereq.retries < 1) {
		return (retry);
	}
}

sub vcl_backend_error {
	if (bereq.retries < 2) {
		return (retry);
	}
	set beresp.http.Content-Type = "text/html; charset=utf-8";
	set beresp.http.Retry-After = "30";
	synthetic({"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body>
  <h1>We'll be right back</h1>
  <p>The site could not be reached ("} + beresp.status + " " + beresp.reason + {").
  Please try again in a minute.</p>
</body>
</html>
"});
	return (deliver);
}

sub vcl_synth {
	set resp.http.Content-Type = "text/html; charset=utf-8";
	if (resp.status == 404) {
		synthetic({"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Page not found</h1><p>Try the <a href="/">home page</a>.</p></body>
</html>
"});
	} else {
		synthetic({"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>"} + resp.status + " " + resp.reason + {"</title></head>
<body><h1>Error "} + resp.status + {"</h1><p>"} + resp.reason + {"</p></body>
</html>
"});
	}
	return (deliver);
}
