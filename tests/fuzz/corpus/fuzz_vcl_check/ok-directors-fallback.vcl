vcl 4.1;

# Two data centres: a round-robin pool in each, and a fallback director
# that uses the first pool while it has a healthy member, else the second.
# The backend that answered is shown in a response header.

import directors;

probe alive {
	.url = "/alive";
	.interval = 4s;
	.timeout = 1s;
	.window = 5;
	.threshold = 3;
}

backend dc1_a { .host = "10.1.0.1"; .port = "80"; .probe = alive; }
backend dc1_b { .host = "10.1.0.2"; .port = "80"; .probe = alive; }
backend dc2_a { .host = "10.2.0.1"; .port = "80"; .probe = alive; }
backend dc2_b { .host = "10.2.0.2"; .port = "80"; .probe = alive; }

sub vcl_init {
	new dc1 = directors.round_robin();
	dc1.add_backend(dc1_a);
	dc1.add_backend(dc1_b);

	new dc2 = directors.round_robin();
	dc2.add_backend(dc2_a);
	dc2.add_backend(dc2_b);

	new site = directors.fallback();
	site.add_backend(dc1.backend());
	site.add_backend(dc2.backend());
}

sub vcl_recv {
	set req.backend_hint = site.backend();
}

sub vcl_backend_response {
	set beresp.http.X-Backend = beresp.backend.name;
}

sub vcl_deliver {
	if (req.http.X-Debug != "1") {
		unset resp.http.X-Backend;
	}
}
