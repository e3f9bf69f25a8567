vcl 4.0;

# Request and response headers around the cache: X-Forwarded-For and
# X-Real-IP for the origin, the addresses the request came to, and
# debugging headers (hit count, time, TTL) for the client.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

acl trusted_proxies {
	"10.0.0.0"/8;
	"192.168.0.0"/16;
}

sub vcl_recv {
	# Behind a load balancer we trust, its X-Real-IP names the client;
	# from anyone else we overwrite it.
	if (!req.http.X-Real-IP || client.ip !~ trusted_proxies) {
		set req.http.X-Real-IP = client.ip;
	}
	# The classic block of configurations first written for Varnish 3,
	# often kept when they were ported to 4.0. Varnish 4 and later (and
	# accel) append the client to X-Forwarded-For by themselves, so with
	# this block the address appears twice; origins that log the last
	# entry do not mind.
	if (req.restarts == 0) {
		if (req.http.X-Forwarded-For) {
			set req.http.X-Forwarded-For = req.http.X-Forwarded-For + ", " + client.ip;
		} else {
			set req.http.X-Forwarded-For = client.ip;
		}
	}
	# Which of our addresses was asked: server.ip is the one the client
	# connected to (as a PROXY protocol header reports it, if any),
	# local.ip our end of this TCP connection. Without PROXY, the same.
	set req.http.X-Cache-Server = server.ip;
	set req.http.X-Cache-Local = local.ip;
	# Never trust a client's idea of these.
	unset req.http.X-Cache-Debug;
}

sub vcl_backend_fetch {
	set bereq.http.X-Fetch-Started = now;
}

sub vcl_backend_response {
	set beresp.http.X-TTL = beresp.ttl;
}

sub vcl_deliver {
	if (obj.hits > 0) {
		set resp.http.X-Cache = "HIT";
		set resp.http.X-Cache-Hits = obj.hits;
	} else {
		set resp.http.X-Cache = "MISS";
	}
	set resp.http.X-Served-At = now;
	unset resp.http.X-TTL;
	unset rpes.http.X-Powered-By;
}
