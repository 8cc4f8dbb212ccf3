# coredump_gdb - a core written inside Aspen reads in the host's gdb:
# tests/boot/coredump_crash.c (debug info, two threads) faults three
# calls deep in Aspen with its cwd on a persistent ext2 disk; debugfs
# copies the core out of the image, and `gdb -batch` on the host shows
# the signal, the backtrace crash_three <- crash_two <- crash_one <- main,
# and both threads (docs/coredump.md).
BUILD=${1:-build}
name=coredump_gdb
PATH=$PATH:/sbin:/usr/sbin
dir=$(mktemp -d "$BUILD/coredump.XXXXXX")
out=$dir/out
trap 'rm -rf "$dir"' EXIT

fail() {
	sed 's/^/# /' "$out"
	echo "not ok $name: $1"
	exit 0
}

for tool in gdb debugfs mkfs.ext2 musl-gcc; do
	command -v $tool > /dev/null || { echo "skip $name: no $tool"; exit 0; }
done
musl-gcc -static -g -O0 -pthread tests/boot/coredump_crash.c -o "$dir/crash" > "$out" 2>&1 ||
	fail "cannot build the crasher"
ASPEN_NOBUILD=1 ASPEN_BUILD=$BUILD tools/aspen-exec --swap 0 --persist "$dir/disk.img:16" \
	--add "$dir/crash:/tmp/crash" --timeout "${ASPEN_TIMEOUT:-120}" -- \
	sh -c 'cd /disk && ulimit -c unlimited && /tmp/crash; echo "crash status $?"; ls -l /disk' \
	> "$out" 2>&1 || fail "the boot failed"
grep -q '^crash status 139$' "$out" || fail "the crasher did not die of SIGSEGV"
debugfs -R "dump /core $dir/core" "$dir/disk.img" >> "$out" 2>&1
[ -s "$dir/core" ] || fail "no core on the disk"
gdb -batch -nx -ex 'info threads' -ex bt "$dir/crash" "$dir/core" >> "$out" 2>&1
grep -q 'Program terminated with signal SIGSEGV' "$out" || fail "gdb does not see SIGSEGV"
bt=$(grep '^#[0-9]' "$out" | tail -n 4 | sed 's/^#\([0-9]\).* \(crash_[a-z]*\|main\) (.*/\1 \2/' | tr '\n' ' ')
[ "$bt" = "0 crash_three 1 crash_two 2 crash_one 3 main " ] || fail "backtrace: $bt"
[ "$(grep -cE '^[* ] +[0-9]+ +LWP ' "$out")" = 2 ] || fail "gdb does not see two threads"
echo "ok $name"
