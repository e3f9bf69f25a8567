vcl 4.0;
sub vcl_recv {
    if (req.method == "PRI") {
        return (synth(405));
    }
    if (!req.http.host &&
      req.esi_level == 0 &&
      req.proto ~ "^(?i)HTTP/1.1") {
        return (synth(400));
    }
    if (req.method != "GET" && req.method != "HEAD" &&
      req.method != "PUT" && req.method != "POST") {
        return (pipe);
    }
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    return (hash);
}
sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    return (lookup);
}
sub vcl_backend_response {
    if (beresp.ttl <= 0s || beresp.http.Set-Cookie ||
      (!beresp.http.Surrogate-Control &&
        beresp.http.Cache-Control ~ "(?i:no-cache|no-store|private)")) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
    }
    return (deliver);
}
