# expect: 13:2: inline C
vcl 4.1;

# Inline C: Varnish compiles VCL to C and can paste C into it; accel
# interprets VCL and has no such thing.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub vcl_recv {
	C{
		syslog(LOG_INFO, "request");
	}C
}
