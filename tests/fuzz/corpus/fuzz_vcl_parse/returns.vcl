vcl 4.1;
sub vcl_recv {
	return (synth(404, "Not here"));
	return (vcl(label));
	new x = y.z();
	call foo;
	hash_data(req.http.host);
	synthetic("x");
}
