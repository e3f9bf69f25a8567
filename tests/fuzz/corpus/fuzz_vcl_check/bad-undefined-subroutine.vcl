# expect: 12:7: strip_cookies
vcl 4.1;

# call names a subroutine that exists nowhere.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	call strip_cookies;
}
