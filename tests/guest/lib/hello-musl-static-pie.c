/*
 * hello-musl-static-pie.c - built with Debian's `musl-gcc -static-pie`,
 * which makes a PIE that still names /lib/ld-musl-x86_64.so.1 as its
 * interpreter and needs libc.so: tests/guest/dynlink.c runs it.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s, %d argument(s)\n", argc > 1 ? argv[1] : "musl", argc - 1);
	return 7;
}
