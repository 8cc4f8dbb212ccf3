# lib.sh - sourced by the boot tests: boot the kernel alone (no
# initramfs) with a command line and look at what it printed.
#
# A boot test is `sh tests/boot/NAME.sh BUILD`, run from the repository
# root; it prints "ok NAME" or, after "# " lines of context,
# "not ok NAME: reason" (see tests/run-all.sh).

BUILD=${1:-build}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-30}
QEMU_CLEAN_EXIT=1      # isa-debug-exit 0: the kernel powered off cleanly
QEMU_FAILURE_EXIT=33   # isa-debug-exit 1: the kernel reported a failure

out=$(mktemp)
trap 'rm -f "$out" "$out.raw"' EXIT

# boot APPEND - boot with kernel command line APPEND; the console goes to
# $out (LF line ends), QEMU's exit status to $status.
boot() {
	timeout -k 5 "$BOOT_TIMEOUT" qemu-system-x86_64 $(sh scripts/qemu-args.sh 256) \
		-kernel "$BUILD/aspen.elf" -append "$1" -serial stdio < /dev/null > "$out.raw" 2>&1
	status=$?
	tr -d '\r' < "$out.raw" > "$out"
}

# console_has TEXT - the console output contains TEXT (a fixed string).
console_has() {
	grep -qF -- "$1" "$out"
}

# pass NAME; fail NAME REASON - report the test, with the console on failure.
pass() {
	echo "ok $1"
}
fail() {
	sed 's/^/# /' "$out"
	echo "# QEMU exit status $status"
	echo "not ok $1: $2"
}
