# expect: 14:7: vcl_recv
vcl 4.1;

# beresp exists only on the backend side (vcl_backend_response,
# vcl_backend_error); a client-side subroutine cannot touch it.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.url ~ "^/static/") {
		set beresp.ttl = 1h;
	}
}
