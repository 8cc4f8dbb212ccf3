# selftest - boot with aspen.selftest: every self-check the kernel runs
# reports "ok selftest_NAME", and the kernel powers off cleanly.
. tests/boot/lib.sh
boot aspen.selftest
grep -E '^(ok|not ok) selftest_' "$out"
if [ "$status" != $QEMU_CLEAN_EXIT ]; then
	fail selftest "QEMU exit status $status, expected $QEMU_CLEAN_EXIT"
elif ! grep -q '^ok selftest_' "$out"; then
	fail selftest "no self-check reported ok"
elif grep -q '^not ok selftest_' "$out"; then
	fail selftest "a self-check failed"
else
	pass selftest
fi
