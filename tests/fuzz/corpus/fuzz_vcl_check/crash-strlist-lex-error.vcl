vcl 4.1;
backend b { .host = "127.0.0.1"; .port = "80"; }
probe p { .request = "GET / HTTP/1.1" "Host: x"  }
