# expect: 7:9: no-such-file.vcl
vcl 4.1;

# The included file does not exist (paths starting with ./ are relative to
# this file).

include "./inc/no-such-file.vcl";

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}
