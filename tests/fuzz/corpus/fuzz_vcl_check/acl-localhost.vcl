vcl 4.1;
backend b { .host = "127.0.0.1"; .port = "8080"; }
acl me { "localhost"; !"10.1.2.3"; ("no.such.host.invalid"); "::1"/128; }
sub vcl_recv {
	if (client.ip ~ me) { return (pass); }
	if (std.ip(req.http.X-Ip, "0.0.0.0") ~ me) { return (synth(403, "no")); }
}
import std;
