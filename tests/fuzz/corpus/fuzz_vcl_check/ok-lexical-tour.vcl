vcl 4.1;

/*
 * Not a real site: a tour of the language's small print, the kind of
 * thing a lexer and a parser must get right. Block comments span lines,
 * and may contain "quotes", { braces } and # or // without effect.
 */

// C++-style comments,
# and shell-style ones, both run to the end of the line.

backend default {           # a comment after a token
	.host = "127.0.0.1";    // another
	.port = "8080";         /* and a block one */
}

sub vcl_recv {
	# Strings hold comment markers as plain text.
	set req.http.X-Literal = "not # a comment, not // one either, nor /* this */";

	# A long string may hold double quotes and newlines.
	set req.http.X-Long = {"He said "hello" and left."};

	# Concatenation across lines.
	set req.http.X-Joined = "a" +
	    "b" + req.method +
	    {"c"};

	# Three spellings of "else if" are accepted.
	if (req.url == "/one") {
		set req.http.X-Branch = "1";
	} elsif (req.url == "/two") {
		set req.http.X-Branch = "2";
	} elseif (req.url == "/three") {
		set req.http.X-Branch = "3";
	} else if (req.url == "/four") {
		set req.http.X-Branch = "4";
	} else {
		unset req.http.X-Branch;
	}

	# Precedence: ! binds tighter than &&, which binds tighter than ||.
	if (!req.http.X-A && req.http.X-B || req.http.X-C && !(req.url ~ "^/x")) {
		set req.http.X-Prec = "yes";
	}
	if (req.url !~ "^/api/" && !(req.http.Cookie ~ "session=")) {
		set req.http.X-Anon = "true";
	}

	# Integers, negatives and comparisons.
	if (req.restarts >= 0 && req.restarts <= 3 && req.restarts != -1) {
		set req.http.X-Restarts = req.restarts;
	}
}

sub vcl_backend_response {
	# Every duration unit: ms s m h d w y, and fractions of them.
	if (beresp.ttl < 500ms) {
		set beresp.ttl = 0.5s;
	} elsif (beresp.ttl > 1y) {
		set beresp.ttl = 52w;
	} elsif (beresp.ttl >= 1.5h && beresp.ttl <= 2d) {
		set beresp.ttl = beresp.ttl + 30m;
	}
	set beresp.grace = 10s + 50s;
	set beresp.keep = 7d - 1h;

	# Booleans, and a BOOL variable tested on its own.
	set beresp.do_stream = true;
	if (beresp.uncacheable) {
		set beresp.do_gzip = false;
	}

	# Status arithmetic and comparisons.
	if (beresp.status > 299 && beresp.status < 400) {
		set beresp.http.X-Redirect = "yes";
	}
}

sub vcl_deliver {
	# A TIME minus a DURATION is a TIME; every type becomes a string.
	set resp.http.X-An-Hour-Ago = now - 1h;
	set resp.http.X-Status-Line = resp.status + " " + resp.reason;
}
