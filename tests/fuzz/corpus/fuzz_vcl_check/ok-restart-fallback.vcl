vcl 4.1;

# A site being migrated: pages come from the new application, and what
# it does not have yet (404) is asked of the old one. vcl_deliver
# restarts the request, which runs vcl_recv again with req.restarts one
# higher; a marker header says which origin to use.

backend new_site {
	.host = "10.9.0.1";
	.port = "8080";
}

backend old_site {
	.host = "10.9.0.2";
	.port = "80";
	.host_header = "old.example.com";
}

sub vcl_recv {
	if (req.restarts == 0) {
		unset req.http.X-Try-Old;
	}
	if (req.http.X-Try-Old) {
		set req.backend_hint = old_site;
	} else {
		set req.backend_hint = new_site;
	}
	# Three rounds are plenty; something is looping.
	if (req.restarts > 2) {
		return (synth(508, "Loop Detected"));
	}
}

sub vcl_deliver {
	# A 503 made by vcl_backend_error (the new site unreachable) comes
	# here too, like any fetched answer.
	if ((resp.status == 404 || resp.status == 503) && !req.http.X-Try-Old &&
	    req.method == "GET") {
		set req.http.X-Try-Old = "1";
		return (restart);
	}
	if (req.http.X-Try-Old) {
		set resp.http.X-Served-From = "old";
	}
}

sub vcl_synth {
	if (resp.status == 508) {
		set resp.http.Content-Type = "text/plain";
		synthetic("Too many restarts for " + req.url + {"
"});
		return (deliver);
	}
}
