vcl 4.1;

# The smallest useful program: one origin, and the built-in VCL does the
# rest (every subroutine falls through to it).

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}
