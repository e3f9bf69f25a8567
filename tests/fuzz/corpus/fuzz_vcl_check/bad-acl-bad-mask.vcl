# expect: 13:13: mask
vcl 4.1;

# An IPv4 network has at most 32 bits of mask.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl office {
	"192.168.0.0"/16;
	"10.0.0.0"/33;
}

sub vcl_recv {
	if (client.ip ~ office) {
		return (pass);
	}
}
