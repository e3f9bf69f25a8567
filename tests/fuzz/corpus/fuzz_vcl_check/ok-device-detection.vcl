vcl 4.1;

# Device detection (after the Users Guide's chapter): the User-Agent is
# reduced to a device class in X-UA-Device, which goes into the hash, so
# that phones, tablets and desktops each get their own copy of a page.
# The backend request is a copy of the client's, so the origin sees the
# class too. Caches beyond us (browsers, proxies) only know User-Agent:
# they are told the page varies on it.

backend default {
	.host = "127.0.0.1";
	.port = "8080";
}

sub detect_device {
	unset req.http.X-UA-Device;
	set req.http.X-UA-Device = "pc";
	if (req.http.User-Agent ~ "(?i)(bot|crawler|spider|slurp|facebookexternalhit)") {
		set req.http.X-UA-Device = "bot";
	} elsif (req.http.User-Agent ~ "(?i)ipad|tablet|kindle|silk|playbook" ||
	    (req.http.User-Agent ~ "(?i)android" && req.http.User-Agent !~ "(?i)mobile")) {
		set req.http.X-UA-Device = "tablet";
	} elsif (req.http.User-Agent ~ "(?i)iphone|ipod|android.*mobile|windows phone|blackberry|opera mini") {
		set req.http.X-UA-Device = "mobile";
	}
	# A cookie lets a visitor ask for the desktop site on a phone.
	if (req.http.Cookie ~ "(^|;\s*)force_desktop=1") {
		set req.http.X-UA-Device = "pc";
	}
}

sub vcl_recv {
	call detect_device;
}

sub vcl_hash {
	# Added to the built-in key (host and URL), which runs after this.
	hash_data(req.http.X-UA-Device);
}

sub vcl_deliver {
	if (resp.http.Vary) {
		set resp.http.Vary = resp.http.Vary + ", User-Agent";
	} else {
		set resp.http.Vary = "User-Agent";
	}
	if (req.http.X-Debug) {
		set resp.http.X-UA-Device = req.http.X-UA-Device;
	}
}
