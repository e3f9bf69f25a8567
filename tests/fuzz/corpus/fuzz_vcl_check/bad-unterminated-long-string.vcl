# expect: 14:12: unterminated long string
vcl 4.1;

# A long string opened with {" and never closed with "}: the error is
# reported where it starts, not at the end of the file.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_synth {
	set resp.http.Content-Type = "text/html";
	synthetic({"<!DOCTYPE html>
<html><body><h1>Error</h1></body></html>
");
	return (deliver);
}
