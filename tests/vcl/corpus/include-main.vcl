vcl 4.1;

# A configuration split over several files, as teams do when many sites
# share the same pieces. An include is replaced by the text of the file
# it names; "./" makes the path relative to the including file (here
# tests/vcl/corpus/), whatever the current directory.

import std;

include "./inc/backends.vcl";
include "./inc/acls.vcl";
include "./inc/normalize.vcl";

sub vcl_recv {
	# From inc/normalize.vcl (which itself includes inc/cookies.vcl).
	call normalize_request;

	if (req.method == "PURGE") {
		# From inc/acls.vcl.
		if (client.ip !~ purge_allowed) {
			return (synth(405, "Not allowed"));
		}
		return (purge);
	}
	if (req.http.host ~ "^static\.") {
		set req.backend_hint = static_origin;
	} else {
		set req.backend_hint = app_origin;
	}
}

# A built-in subroutine may be defined in several places: the pieces run
# in the order they appear (this one after any vcl_deliver in the
# included files).
sub vcl_deliver {
	set resp.http.X-Config = "include-main";
}
