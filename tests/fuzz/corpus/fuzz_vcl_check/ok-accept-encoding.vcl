vcl 4.0;

# Compression (as in the Users Guide's chapter): the Accept-Encoding of
# clients comes in many spellings; reduce it to "gzip" or nothing so that
# an origin that varies on it produces at most two variants, and compress
# text the origin sent uncompressed.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.http.Accept-Encoding) {
		if (req.url ~ "\.(jpe?g|png|gif|webp|gz|tgz|bz2|zst|mp3|mp4|ogg|woff2)$") {
			# Already compressed: asking for gzip changes nothing.
			unset req.http.Accept-Encoding;
		} elsif (req.http.Accept-Encoding ~ "gzip") {
			set req.http.Accept-Encoding = "gzip";
		} elsif (req.http.Accept-Encoding ~ "deflate" && req.http.user-agent !~ "MSIE") {
			set req.http.Accept-Encoding = "deflate";
		} else {
			# An algorithm we do not know.
			unset req.http.Accept-Encoding;
		}
	}
}

sub vcl_backend_response {
	if (beresp.http.Content-Encoding) {
		# The origin compressed it already: never twice.
		set beresp.do_gzip = false;
	} elseif (beresp.http.Content-Type ~ "^(text/|application/(json|javascript|xml)|image/svg\+xml)") {
		set beresp.do_gzip = true;
	}
}
