#
# hash-variant.vcl: a vcl_hash of the user's that adds a request header
# to the key and falls through to the built-in one (host, then URL), as
# device-detection VCLs do with X-UA-Device. tests/integration/
# test_vcl_hash.c runs it: the interpreter makes this key, where the
# built-in vcl_hash alone is made by accel without a run.
#
vcl 4.1;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_hash {
	if (req.http.X-Variant) {
		hash_data(req.http.X-Variant);
	}
}
