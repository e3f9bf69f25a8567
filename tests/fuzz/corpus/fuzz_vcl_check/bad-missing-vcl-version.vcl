# expect: 4:1: version
# No "vcl 4.x;" line: every VCL program must begin with one.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}
