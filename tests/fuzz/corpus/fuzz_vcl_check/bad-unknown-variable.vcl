# expect: 12:6: req.ulr
vcl 4.1;

# A typo in a variable name.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.ulr ~ "^/admin/") {
		return (pass);
	}
}
