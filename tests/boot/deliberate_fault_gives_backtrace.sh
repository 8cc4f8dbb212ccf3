# deliberate_fault_gives_backtrace - aspen.crash=null makes the kernel
# dereference a bad pointer: the panic report names the fault, shows a
# symbolized call trace through crash_null_deref, and QEMU exits with 33.
. tests/boot/lib.sh
name=deliberate_fault_gives_backtrace
boot aspen.crash=null
if [ "$status" != $QEMU_FAILURE_EXIT ]; then
	fail $name "QEMU exit status $status, expected $QEMU_FAILURE_EXIT"
elif ! console_has "KERNEL PANIC"; then
	fail $name "no \"KERNEL PANIC\" line"
elif ! console_has "Call trace:"; then
	fail $name "no \"Call trace:\""
elif ! grep -A 20 "Call trace:" "$out" | grep -q crash_null_deref; then
	fail $name "the call trace does not name crash_null_deref"
else
	pass $name
fi
