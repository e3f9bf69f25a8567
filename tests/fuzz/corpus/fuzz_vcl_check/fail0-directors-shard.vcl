#F0
vcl 4.1;

# A cluster of caches in front of one origin farm: the shard director
# picks the origin server by consistent hashing of the URL, so each
# object is fetched by one server and the others keep their own hot sets;
# removing a server moves only its share of the URLs.

import directors;

backend s1 { .host = "10.5.0.1"; .port = "80"; }
backend s2 { .host = "10.5.0.2"; .port = "80"; }
backend s3 { .host = "10.5.0.3"; .port = "80"; }
backend s4 { .host = "10.5.0.4"; .port = "80"; }

sub vcl_init {
	new ring = directors.shard();
	ring.add_backend(s1);
	ring.add_backend(s2);
	ring.add_backend(s3);
	ring.add_backend(s4);
	ring.reconfigure();
}

sub vcl_recv {
	set req.backend_hint = ring.backend(by=URL);
}

sub vcl_backend_fetch {
	# The director's name (a BACKEND converts to a STRING), for the
	# origin's logs.
	set bereq.http.X-Director = bereq.backend;
}

sub vcl_backend_response {
	# The server the ring picked.
	set beresp.http.X-Shard = beresp.backend.name;
}
