# hang_report - a hung kernel says where it is (kernel/proc/hang.c).
#   spin_lockup_gives_hang_report: aspen.crash=deadlock spins on a lock
#     nobody releases; after 10 s spin_lock reports it, the CPU prints its
#     backtrace (through deliberate_deadlock), the task list follows, and
#     since the hang was asked for the kernel then powers off (status 33).
#   deadline_gives_hang_report: a boot that overruns tools/aspen-exec's
#     --timeout is sent an NMI through QEMU's monitor: both CPUs report
#     and the kernel lists its tasks before aspen-exec stops it (124).
. tests/boot/lib.sh

name=spin_lockup_gives_hang_report
BOOT_TIMEOUT=120
boot aspen.crash=deadlock
if [ "$status" != $QEMU_FAILURE_EXIT ]; then
	fail $name "QEMU exit status $status, expected $QEMU_FAILURE_EXIT"
elif ! console_has "spin_lock: CPU 0 has waited 10 s for never_released"; then
	fail $name "no spin_lock lockup line"
elif ! grep -A 20 "^hang report: CPU 0 of 1" "$out" | grep -q deliberate_deadlock; then
	fail $name "CPU 0's report does not show deliberate_deadlock"
elif ! console_has "hang report: end"; then
	fail $name "no \"hang report: end\""
else
	pass $name
fi

name=deadline_gives_hang_report
DEADLINE=15   # seconds: long enough for any boot to have set up its CPUs
SMP=2 ASPEN_NOBUILD=1 tools/aspen-exec --timeout $DEADLINE -- /bin/sleep 1000 < /dev/null > "$out" 2>&1
status=$?
if [ $status != 124 ]; then
	fail $name "aspen-exec exit status $status, expected 124"
elif ! console_has "hang report: CPU 0 of 2" || ! console_has "hang report: CPU 1 of 2"; then
	fail $name "not every CPU reported"
elif ! console_has "hang report: end"; then
	fail $name "no \"hang report: end\" (the task list)"
else
	pass $name
fi
