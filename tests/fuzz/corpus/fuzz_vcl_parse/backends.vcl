vcl 4.1;
import directors;
probe healthcheck {
    .url = "/health";
    .request = "GET /health HTTP/1.1" "Host: example.com" "Connection: close";
    .interval = 5s;
    .timeout = 1 s;
    .window = 5;
    .threshold = 3;
    .initial = 2;
    .expected_response = 200;
}
backend server1 {
    .host = "192.0.2.10"; .port = "8080";
    .connect_timeout = 0.5s; .first_byte_timeout = 30s;
    .between_bytes_timeout = 2s; .max_connections = 100;
    .probe = healthcheck;
}
backend server2 {
    .host = "192.0.2.11";
    .probe = { .url = "/"; .interval = 1m; }
}
backend default none;
sub vcl_init {
    new vdir = directors.round_robin();
    vdir.add_backend(server1);
    vdir.add_backend(server2);
    new h = directors.hash();
    h.add_backend(server1, 1.0);
}
sub vcl_recv {
    set req.backend_hint = vdir.backend();
}
