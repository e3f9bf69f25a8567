# expect: 12:19: expected DURATION
vcl 4.1;

# A lifetime must be a DURATION (1h), not a STRING ("1h").

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_backend_response {
	set beresp.ttl = "1h";
}
