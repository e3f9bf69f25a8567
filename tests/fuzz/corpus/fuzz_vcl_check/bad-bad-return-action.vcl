# expect: 14:11: not allowed in vcl_recv
vcl 4.1;

# lookup was the VCL 3 action; vcl_recv returns hash (or pass, pipe,
# purge, synth, restart...) since VCL 4.0.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.method == "GET") {
		return (lookup);
	}
}
