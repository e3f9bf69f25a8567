# expect: 16:7: read-only
vcl 4.1;

# client.ip is the peer's address: it can be read, never set (the value
# has the right type, IP: the only error is the assignment).

import std;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	if (req.http.X-Real-IP) {
		set client.ip = std.ip(req.http.X-Real-IP, client.ip);
	}
}
