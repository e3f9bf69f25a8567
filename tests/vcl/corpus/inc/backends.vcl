# Included by include-main.vcl: the origins. No "vcl" line: an included
# file is a piece of its includer.

backend app_origin {
	.host = "127.0.0.1";
	.port = "8080";
	.first_byte_timeout = 30s;
}

backend static_origin {
	.host = "127.0.0.1";
	.port = "8081";
}
