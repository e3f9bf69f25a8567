vcl 4.1;
import std;
sub vcl_recv {
    set req.http.a = "x" req.url "y";
    set req.http.b = std.collect(req.http.x, ",");
    set req.http.c = regsub(req.url, "^/a", "/b");
    set req.http.d = regsuball(req.http.cookie, "; *", ";");
    set req.http.e = foo.bar(x, y=1, z = 2 * 3 + -4);
    set req.ttl = 1.5h + 10ms - 2w * 3 / 2;
    set req.http.f = 10MB + 1KB + 2 GB;
    if (!(a == b) && (c != d || e < f) && g > h && i <= j && k >= l) {
        std.log("cmp" + req.url);
    } elsif (req.url !~ "^/x") {
        set req.http.g = -1;
    } elseif (true) {
        set req.http.h = false;
    } elif (req.http.x-y) {
        unset req.http.x-y;
    } else if (x) {
        { call other; }
    } else {
        return;
    }
}
sub other { }
