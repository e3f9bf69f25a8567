vcl 4.1;

# Health checks, three ways: a named probe shared by two backends, a probe
# written out as a raw request (a long string spanning several lines,
# for an origin that needs a Host header and a close), and a probe
# declared inside its backend. A backend is sick when fewer than
# .threshold of the last .window probes succeeded.

import std;
import directors;

probe status_page {
	.url = "/status";
	.expected_response = 200;
	.timeout = 1s;
	.interval = 5s;
	.window = 8;
	.threshold = 6;
	.initial = 6;
}

probe raw_health {
	.request =
	    "GET /healthz HTTP/1.1"
	    "Host: app.example.com"
	    "User-Agent: cache-probe"
	    "Connection: close";
	.expected_response = 204;
	.timeout = 500ms;
	.interval = 3s;
}

backend web1 {
	.host = "10.0.1.11";
	.port = "80";
	.probe = status_page;
}

backend web2 {
	.host = "10.0.1.12";
	.port = "80";
	.probe = status_page;
}

backend app {
	.host = "10.0.2.20";
	.port = "8000";
	.probe = raw_health;
}

backend legacy {
	.host = "10.0.3.30";
	.port = "80";
	.probe = {
		.url = "/";
		.interval = 10s;
		.timeout = 2s;
		.window = 3;
		.threshold = 2;
	}
}

sub vcl_init {
	new web = directors.round_robin();
	web.add_backend(web1);
	web.add_backend(web2);
}

sub vcl_recv {
	if (req.url ~ "^/api/") {
		set req.backend_hint = app;
	} elsif (req.url ~ "^/old/") {
		set req.backend_hint = legacy;
	} else {
		set req.backend_hint = web.backend();
	}

	# A monitoring endpoint of our own: 200 while the web pool is up.
	if (req.url == "/cache-health") {
		if (std.healthy(web.backend())) {
			return (synth(200, "OK"));
		}
		return (synth(503, "Web pool down"));
	}
}
