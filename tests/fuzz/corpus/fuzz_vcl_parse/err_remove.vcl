vcl 4.1;
sub x {
	if (a) {
		remove req.http.x;
