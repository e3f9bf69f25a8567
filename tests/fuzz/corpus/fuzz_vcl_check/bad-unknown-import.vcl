# expect: 6:8: geoip2
vcl 4.1;

# Only the std and directors vmods exist.

import geoip2;

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}
