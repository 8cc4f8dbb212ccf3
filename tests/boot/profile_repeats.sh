# profile_repeats - the profiler under -icount (tools/aspen-prof): two
# runs of the getpid figure give the very same samples, and the report
# puts most of getpid's time in the kernel, at the system call entry
# among others (an NMI's samples, not charged to the user instruction
# after the system call as an ordinary interrupt's would be).
. tests/boot/lib.sh
trap 'rm -f "$out" "$out.raw" "$out.a" "$out.b"' EXIT
status=0
for run in a b; do
	ASPEN_BUILD=$BUILD tools/aspen-prof --reps 1 --timeout 120 --samples "$out.$run" getpid >> "$out" 2>&1 ||
		status=$?
done
samples=$(grep -c '^[KU] ' "$out.a" 2> /dev/null || echo 0)
kernel=$(sed -n 's/.*: kernel \([0-9]*\)\..*/\1/p' "$out" | head -n 1)
if [ "$status" != 0 ]; then
	fail profile_repeats "tools/aspen-prof failed with status $status"
elif [ "$samples" -lt 100 ]; then
	fail profile_repeats "only $samples samples"
elif ! cmp -s "$out.a" "$out.b"; then
	fail profile_repeats "two runs gave different samples ($(diff "$out.a" "$out.b" | grep -c '^[<>]') lines differ)"
elif ! grep -q ' syscall_entry$' "$out"; then
	fail profile_repeats "the report does not show the system call entry"
elif [ "${kernel:-0}" -lt 50 ]; then
	fail profile_repeats "under half the samples in the kernel: $(grep -m1 ': kernel ' "$out")"
else
	pass profile_repeats
fi
