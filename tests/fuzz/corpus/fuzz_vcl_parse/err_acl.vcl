vcl 4.1;
backend b { .host = "h" "i"; .p = { .q = { .r = 1; } }; }
acl a { "x"/129; }
