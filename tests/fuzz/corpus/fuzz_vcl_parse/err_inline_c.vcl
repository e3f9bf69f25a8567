vcl 4.1;
sub x {
	C{ printf("hi"); }C
}
