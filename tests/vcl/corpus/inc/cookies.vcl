# Included by inc/normalize.vcl: remove analytics cookies, and the Cookie
# header when nothing is left of it.

sub strip_tracking_cookies {
	if (req.http.Cookie) {
		set req.http.Cookie = regsuball(req.http.Cookie, "(^|;\s*)(_ga[^=]*|_gid|_gat|_fbp|__utm[a-z])=[^;]*", "");
		set req.http.Cookie = regsub(req.http.Cookie, "^;\s*", "");
		if (req.http.Cookie ~ "^\s*$") {
			unset req.http.Cookie;
		}
	}
}
