#
# perf-typical.vcl: a typical default.vcl, the one `make bench-instr
# BENCH_VCL=tests/vcl/daemon/perf-typical.vcl` runs on every hit to give
# the "with a typical VCL" figure of docs/vcl-internals.md ("Cost
# budget"). tests/bench/instr.sh sets the backend's port to its origin's.
#
# What it does on each request, as many sites' VCL does: drop marketing
# query parameters, normalise Host, drop the Cookie of static files, and
# in vcl_deliver add a header and hide one of the origin's. Written so
# that the bench's request (GET /1k, Host 127.0.0.1:PORT, no cookie) runs
# every test and no write the daemon does not take yet: until the client
# side lets VCL set req.url, Host and resp headers (the VCL issue), a
# rewrite that did happen would end in a 503, so each rewrite is guarded
# by the test that says it is needed (a real default.vcl often writes
# them unconditionally). The X-Powered-By removal is guarded the same way.
#
vcl 4.1;

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	# Marketing parameters do not change the page: one object for all.
	if (req.url ~ "[?&](utm_[a-z]+|gclid|fbclid|mc_eid|_ga)=") {
		set req.url = regsuball(req.url,
		    "(utm_[a-z]+|gclid|fbclid|mc_eid|_ga)=[^&]*&?", "");
		set req.url = regsub(req.url, "[?&]$", "");
	}
	# One Host per site: no "www.", no default port, lower case.
	if (req.http.Host ~ "(?i)^www\.|:80$|[A-Z]") {
		set req.http.Host = std.tolower(regsub(req.http.Host,
		    "(?i)^www\.(.*?)(:80)?$", "\1"));
	}
	# Static files do not depend on cookies.
	if (req.url ~ "(?i)\.(css|js|png|gif|jpe?g|svg|ico|webp|woff2?)(\?.*)?$") {
		unset req.http.Cookie;
	}
}

sub vcl_deliver {
	set resp.http.X-Served-By = "accel";
	if (resp.http.X-Powered-By) {
		unset resp.http.X-Powered-By;
	}
}
