vcl 4.1; # version
// a line comment
/* a block
   comment */
sub vcl_deliver { # trailing
	set resp.http.X-Cache = "HIT"; // x
	/* inline */ unset resp.http.Via;
	set resp.http.x += "a";
	set resp.http.y -= 1;
	set resp.http.z *= 2;
	set resp.http.w /= 2;
}
