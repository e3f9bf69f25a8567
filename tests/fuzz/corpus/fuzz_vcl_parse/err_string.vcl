vcl 4.1;
sub x {
	set a = "unterminated
}
