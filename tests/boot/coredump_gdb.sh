# coredump_gdb - a core written inside Aspen reads in the host's gdb:
# tests/boot/coredump_crash.c (debug info, two threads), built static with
# musl and dynamic with glibc, faults three calls deep in Aspen with its
# cwd on a persistent ext2 disk; debugfs copies each core out of the
# image, and `gdb -batch` on the host shows the signal, the backtrace
# crash_three <- crash_two <- crash_one <- main, and both threads (the
# dynamic one finds libc through the core's NT_FILE; docs/coredump.md).
name=coredump_gdb
. tests/boot/exec_lib.sh
need_tools gdb debugfs mkfs.ext2 musl-gcc gcc
musl-gcc -static -g -O0 -pthread tests/boot/coredump_crash.c -o "$dir/static" > "$out" 2>&1 &&
	gcc -g -O0 -pthread tests/boot/coredump_crash.c -o "$dir/dynamic" >> "$out" 2>&1 ||
	fail "cannot build the crashers"
aspen_exec --swap 0 --persist "$dir/disk.img:24" \
	--add "$dir/static:/tmp/static" --add "$dir/dynamic:/tmp/dynamic" -- sh -c 'ulimit -c unlimited && for p in static dynamic;'\
' do mkdir /disk/$p && cd /disk/$p && /tmp/$p; echo "$p status $?"; done' ||
	fail "the boot failed"

# check PROG - gdb on PROG's core: the signal, the backtrace, two threads.
check() {
	grep -q "^$1 status 139\$" "$out" || fail "$1: the crasher did not die of SIGSEGV"
	debugfs -R "dump /$1/core $dir/$1.core" "$dir/disk.img" >> "$out" 2>&1
	[ -s "$dir/$1.core" ] || fail "$1: no core on the disk"
	gdb -batch -nx -ex 'info threads' -ex bt "$dir/$1" "$dir/$1.core" > "$dir/gdb" 2>&1
	sed "s/^/$1: /" "$dir/gdb" >> "$out"
	grep -q 'Program terminated with signal SIGSEGV' "$dir/gdb" || fail "$1: gdb does not see SIGSEGV"
	bt=$(grep '^#[0-9]' "$dir/gdb" | tail -n 4 | sed 's/^#\([0-9]\).* \(crash_[a-z]*\|main\) (.*/\1 \2/' |
		tr '\n' ' ')
	[ "$bt" = "0 crash_three 1 crash_two 2 crash_one 3 main " ] || fail "$1: backtrace: $bt"
	[ "$(grep -cE '^[* ] +[0-9]+ +(LWP|Thread) ' "$dir/gdb")" = 2 ] || fail "$1: gdb does not see two threads"
}
check static
check dynamic
echo "ok $name"
