# expect: 12:21: STRING
vcl 4.1;

# resp.status is an INT: compare it with 404, not "404".

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_deliver {
	if (resp.status == "404") {
		set resp.http.X-Missing = "1";
	}
}
