vcl 4.0;
sub vcl_recv { set x = ((((((((((1)))))))))); set y = 10xs; }
