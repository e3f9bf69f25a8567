vcl 4.1;

# An application with an API, uploads and WebSockets. WebSocket upgrades
# are piped (the connection becomes a tunnel to the origin); the API and
# anything with a body or credentials passes; CORS preflights are
# answered by the cache itself.

backend app {
	.host = "127.0.0.1";
	.port = "3000";
	.between_bytes_timeout = 120s;
}

backend sockets {
	.host = "127.0.0.1";
	.port = "3001";
}

sub vcl_recv {
	if (req.http.Upgrade ~ "(?i)websocket") {
		set req.backend_hint = sockets;
		return (pipe);
	}
	set req.backend_hint = app;

	if (req.method == "OPTIONS" && req.http.Origin && req.http.Access-Control-Request-Method) {
		return (synth(204, "No Content"));
	}
	if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
	    req.method == "DELETE") {
		return (pass);
	}
	if (req.url ~ "^/api/" || req.http.Authorization) {
		return (pass);
	}
}

sub vcl_pipe {
	# A tunnel keeps the client's Upgrade handshake.
	if (req.http.Upgrade) {
		set bereq.http.Upgrade = req.http.Upgrade;
		set bereq.http.Connection = req.http.Connection;
	}
}

sub vcl_pass {
	# Mark passed requests for the origin's logs.
	set req.http.X-Cache-Pass = "1";
}

sub vcl_backend_fetch {
	if (bereq.http.X-Cache-Pass) {
		set bereq.http.X-Cacheable = "no";
		unset bereq.http.X-Cache-Pass;
	}
}

sub vcl_synth {
	if (resp.status == 204 && req.method == "OPTIONS") {
		set resp.http.Access-Control-Allow-Origin = req.http.Origin;
		set resp.http.Access-Control-Allow-Methods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
		set resp.http.Access-Control-Allow-Headers = "Authorization, Content-Type";
		set resp.http.Access-Control-Max-Age = "86400";
		return (deliver);
	}
}
