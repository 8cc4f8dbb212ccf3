#!/bin/sh
# ksyms.sh ELF - emit assembly for the kernel's table of function
# symbols (address order) used by backtraces: ksyms_count, ksyms_addrs,
# ksyms_name_offs, ksyms_names.
nm -n "$1" | awk '
BEGIN { n = 0 }
NF == 3 && $2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count, ksyms_addrs, ksyms_name_offs, ksyms_names"
	printf "ksyms_count: .quad %d\n", n
	print "ksyms_addrs:"
	for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", addr[i]
	print "ksyms_name_offs:"
	off = 0
	for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
	print "ksyms_names:"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
}'
