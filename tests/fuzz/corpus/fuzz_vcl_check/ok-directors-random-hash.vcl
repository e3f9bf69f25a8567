vcl 4.1;

# A weighted random director for the catalogue (the new, larger machine
# takes half the traffic) and a hash director that keeps each visitor's
# session on one application server: the key is the session cookie, or
# the client's address when there is none.

import directors;

backend cat1 { .host = "10.3.0.1"; .port = "8080"; }
backend cat2 { .host = "10.3.0.2"; .port = "8080"; }
backend cat3 { .host = "10.3.0.3"; .port = "8080"; .max_connections = 500; }

backend app1 { .host = "10.4.0.1"; .port = "8080"; }
backend app2 { .host = "10.4.0.2"; .port = "8080"; }

sub vcl_init {
	new catalogue = directors.random();
	catalogue.add_backend(cat1, 1.0);
	catalogue.add_backend(cat2, 1.0);
	catalogue.add_backend(cat3, 2.0);

	new sticky = directors.hash();
	sticky.add_backend(app1, 1);
	sticky.add_backend(app2, 1);
}

sub vcl_recv {
	if (req.url ~ "^/(account|cart|checkout)") {
		if (req.http.Cookie ~ "(^|;\s*)sid=") {
			set req.backend_hint = sticky.backend(regsub(req.http.Cookie, "^(.*;\s*)?sid=([^;]*).*$", "\2"));
		} else {
			set req.backend_hint = sticky.backend("" + client.ip);
		}
		return (pass);
	}
	set req.backend_hint = catalogue.backend();
	unset req.http.Cookie;
}
