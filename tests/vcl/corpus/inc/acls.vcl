# Included by include-main.vcl: who may purge.

acl purge_allowed {
	"127.0.0.1";
	"::1";
	"10.0.0.0"/8;
}

sub vcl_deliver {
	# Internal callers see which object answered.
	if (client.ip ~ purge_allowed) {
		set resp.http.X-Hits = obj.hits;
	}
}
