# fail_alloc_survives - fault injection (kernel/mm/fail_alloc.c): guest
# programs run while allocations fail, first at random on every path
# (seeded: a new seed each run, printed, FAIL_ALLOC_SEED=S replays it),
# then every Nth one in the fault, copy-on-write, mmap, exec and
# page-table paths only (fork itself succeeds, what follows fails). The
# programs may fail their checks, get ENOMEM or be killed; the kernel
# must not panic, no lock may be left held on the way back to user mode
# (proc/locks.c panics), and after each program init finds every frame
# back (tools/aspen-exec --clean removes the files a half-done test
# left behind first).
. tests/boot/lib.sh
name=fail_alloc_survives
seed=${FAIL_ALLOC_SEED:-$(( $(date +%s) % 1000000 ))}
progs="/tests/musl/fork /tests/musl/cow /tests/musl/mm /tests/musl/thread /tests/musl/exec /tests/musl/signal"

# run SETTING - one boot running $progs with fail_alloc=SETTING; the
# reason it is wrong on stdout, nothing if right.
run() {
	ASPEN_NOBUILD=1 tools/aspen-exec --raw --clean --each --timeout 600 --append "fail_alloc=$1" \
		-- $progs < /dev/null > "$out.raw" 2>&1
	status=$?
	tr -d '\r' < "$out.raw" > "$out"
	runs=$(grep -c '^\[aspen\] run ' "$out")
	even=$(grep -c '^\[aspen\] frames in use: before \([0-9]*\) after \1$' "$out")
	failed=$(sed -n 's/^fail_alloc: \([0-9]*\) of [0-9]* eligible allocations failed$/\1/p' "$out")
	if [ $status = 125 ] || console_has "KERNEL PANIC"; then
		echo "fail_alloc=$1: the kernel panicked"
	elif [ $status = 124 ]; then
		echo "fail_alloc=$1: the boot timed out"
	elif [ "$runs" != "$(echo $progs | wc -w)" ] || [ "$even" != "$runs" ]; then
		echo "fail_alloc=$1: $runs programs ran, $even of them gave every frame back"
	elif [ -z "$failed" ] || [ "$failed" = 0 ]; then
		echo "fail_alloc=$1: no allocation was made to fail"
	fi
}

echo "# fail_alloc seed $seed (FAIL_ALLOC_SEED=$seed replays it)"
why=$(run "prob=20,seed=$seed")
[ -n "$why" ] || why=$(run "every=40,paths=fault+cow+mmap+exec+pt")
if [ -n "$why" ]; then
	fail $name "$why"
else
	pass $name
fi
