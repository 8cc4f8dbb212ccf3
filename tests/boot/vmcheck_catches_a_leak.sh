# vmcheck_catches_a_leak - the checker is not silent: with `vmcheck
# aspen.crash=refcount` the kernel takes one frame reference too many
# after its first census; the next census must report that frame, what
# it expected and what it found, and panic (kernel/mm/vmcheck_census.c).
# The census runs after a system call, so the panic report names the
# call the CPU's task was in (panic_report_calls, sys/syscall.c).
. tests/boot/lib.sh
name=vmcheck_catches_a_leak
ASPEN_NOBUILD=1 tools/aspen-exec --timeout 120 --append "vmcheck aspen.crash=refcount" -- /bin/true \
	< /dev/null > "$out" 2>&1
status=$?
leaked=$(sed -n 's/^aspen.crash=refcount: one reference too many on frame \(0x[0-9a-f]*\)$/\1/p' "$out")
report=$(grep "^vmcheck: frame $leaked: expected refcount" "$out")
want=$(echo "$report" | sed -n 's/.*expected refcount \([0-9]*\) .*/\1/p')
found=$(echo "$report" | sed -n 's/.*, found \([0-9]*\)$/\1/p')
if [ -z "$leaked" ]; then
	fail $name "no frame was leaked on purpose (status $status)"
elif [ -z "$want" ] || [ -z "$found" ] || [ "$found" != $((want + 1)) ]; then
	fail $name "no census report of frame $leaked with one reference too many: $report"
elif [ $status != 125 ] || ! console_has "KERNEL PANIC: vmcheck"; then
	fail $name "expected a vmcheck panic (aspen-exec status 125), got status $status"
elif ! tr -d '\r' < "$out" | grep -qE '^cpu [0-9]+: task [0-9]+ \(.*\) in [a-z_0-9]+ \([0-9]+\)( 0x[0-9a-f]+){6}$'; then
	fail $name "the panic report names no CPU's task and system call"
else
	pass $name
fi
