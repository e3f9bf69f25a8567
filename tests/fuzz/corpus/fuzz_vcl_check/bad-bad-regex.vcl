# expect: 13:16: missing closing parenthesis
vcl 4.1;

# Regular expressions are compiled when the VCL is loaded, so a broken
# one is an error at load time, not at the first request.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.url ~ "^/(news|sport") {
		return (pass);
	}
}
