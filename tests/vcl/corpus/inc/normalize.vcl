# Included by include-main.vcl. Paths in an include are relative to this
# file: "./cookies.vcl" is tests/vcl/corpus/inc/cookies.vcl.

include "./cookies.vcl";

sub normalize_request {
	set req.http.host = std.tolower(req.http.host);
	set req.url = std.querysort(req.url);
	call strip_tracking_cookies;
}
