vcl 4.1;
backend default { .host = "127.0.0.1"; .port = "8080"; }
sub is_brew {
	if (req.method == "BREW" || req.method == "") { return (synth(418)); }
}
sub vcl_recv {
	call is_brew;
	if (!(req.method == "GET" || req.method == "HEAD") &&
	    req.method != "POST" && !(req.method != "get")) {
		return (synth(501));
	}
	if (req.http.X-As-Post) { set req.method = "POST"; }
	if (req.method == "POST" && req.url ~ "^/form") { return (pass); }
}
sub vcl_hash {
	hash_data(req.http.host);
	hash_data(req.url);
	return (lookup);
}
