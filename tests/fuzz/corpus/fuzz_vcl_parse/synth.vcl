vcl 4.1;
sub vcl_synth {
    set resp.http.Content-Type = "text/html; charset=utf-8";
    synthetic( {"<!DOCTYPE html>
<html><head><title>"} + resp.status + " " + resp.reason + {"</title></head>
<body><p>XID: "} + req.xid + """</p></body></html>
""" );
    return (deliver);
}
