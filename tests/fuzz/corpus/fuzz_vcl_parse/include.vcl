vcl 4.1;
include "other.vcl";
sub vcl_recv {
	include "stmts.vcl";
}
