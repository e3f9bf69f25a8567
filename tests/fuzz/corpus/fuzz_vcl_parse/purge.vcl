vcl 4.1;
acl purge +log -pedantic {
    "localhost";
    "192.168.55.0"/24;
    ! "192.168.55.23";
    ("purger.example.com");
    !("bad.example.com"/16);
}
sub vcl_recv {
    if (req.method == "PURGE") {
        if (!client.ip ~ purge) {
            return(synth(405, "Not allowed."));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        ban("req.http.host == " + req.http.host + " && req.url ~ " + req.url);
        return (synth(200, "Ban added"));
    }
}
