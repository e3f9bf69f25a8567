# expect: 14:2: expected ';'
vcl 4.1;

# The first set lacks its ';': the parser finds the next statement where
# the semicolon should be.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	set req.http.X-A = "1"
	set req.http.X-B = "2";
}
