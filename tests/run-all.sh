#!/bin/sh
# run-all.sh BUILD - every test, as `make test` runs them, in order:
#   unit/TESTFILE/NAME         host unit tests, BUILD/unit/test_*
#   native/LIBC/PROG/NAME      guest tests run on this Linux host (LIBC: the
#                              flavour: musl, glibc, glibc-pie, glibc-dyn, musl-dyn)
#   aspen/LIBC/PROG/NAME       the same binaries inside Aspen, one boot each
#                              (tools/aspen-exec), two boots at a time
#   aspen-smp2/LIBC/PROG/NAME  the SMP_TESTS again with two CPUs
#   aspen-STRATEGY[-smp2]/musl/PROG/NAME
#                              the STRATEGY_TESTS under each fork strategy
#                              (fork_strategy= boot option, docs/fork.md),
#                              on one CPU and on two: one boot runs them all
#   aspen-icount/musl/PROG/NAME
#                              programs marked "// ICOUNT" again under QEMU
#                              -icount (timing bounds in guest time, host load aside)
#   aspen-vmcheck/LIBC/PROG/NAME  some again on two CPUs with the kernel's
#                              consistency checker on (`vmcheck`)
#   aspen-debug/musl/PROG/NAME some again on two CPUs on the debug kernel
#                              (make DEBUG=1: heap redzones and poisoning,
#                              lock-order checks; DEBUG_ELF names it)
#   boot/NAME                  boot tests, tests/boot/*.sh
# Each program prints "ok NAME", "not ok NAME: reason" or "skip NAME:
# reason" lines; this script labels and counts them, adds its own checks
# per program (PROG/completed: it ran to the end; in Aspen also
# PROG/frames_back_to_baseline and PROG/swap_back_to_baseline), shows the context of each failure at
# the end, and ends with exactly one line "N passed, N failed, N skipped".
# Exit status 1 if anything failed (or nothing ran).
#
# Environment:
#   ONLY=a,b        run only the programs whose label (e.g. "aspen/musl/fork",
#                   "unit/test_frame", "boot/selftest") contains a or b
#   KEEP_GOING=0    stop after the first program with a failure (default 1:
#                   run everything)
#   ASPEN_TIMEOUT   seconds per boot (default 300: a bound for a hung boot, not a
#                   speed requirement; CI hosts are busy); NATIVE_TIMEOUT (300)
#   ASPEN_APPEND    kernel command-line options for the aspen/ and
#                   aspen-smp2/ boots (e.g. fork_strategy=copy)
# Every program's full output stays in BUILD/test-results/.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
ONLY=${ONLY:-}
KEEP_GOING=${KEEP_GOING:-1}
ASPEN_TIMEOUT=${ASPEN_TIMEOUT:-300}
# Guest tests run a second time on a two-CPU machine (labels aspen-smp2/...).
SMP_TESTS=${SMP_TESTS:-"smp thread procattr procres thread_proc thread_clone futex forkstress fork forkstrat pipe cow mm signal wait fuzz fuzz_long trace sysv_shm sysv_sem blockdev timers procmem flock pty futex_pi epoll signalfd sched_fair sched_policy unix_socket unix_gc keys ptrace ptrace2 filemap seccomp"}
# The programs run under each fork strategy, all in one boot per strategy and CPU count.
STRATEGY_TESTS=${STRATEGY_TESTS:-"fork cow mm thread signal exec"}
STRATEGIES="copy cow shared"
# ... and these once more with vmcheck (docs/testing.md), on two CPUs.
VMCHECK_TESTS=${VMCHECK_TESTS:-"fork cow mm exec thread signal filemap"}
# ... and these on the debug kernel (make debug-kernel), on two CPUs.
DEBUG_TESTS=${DEBUG_TESTS:-"fork cow mm exec thread signal pipe wait futex failinject filemap unix_gc"}
DEBUG_ELF=${DEBUG_ELF:-build-debug/aspen.elf}
# ... and in a boot with little RAM, on two CPUs, with swap on (labels
# aspen-lowmem/...). PROG:FREE runs PROG under /bin/squeeze FREE: all
# but FREE MiB of memory held, and kept in use, by squeeze, so that the
# system pages while PROG runs (how much depends on timing, so it is not
# checked). A PROG alone needs more than the RAM by itself: the check
# pages_went_out_and_came_back sees its pages went to swap and back.
# The initramfs stays in RAM, so the boot has 12 to 13 MiB more than it
# (73 MiB for a 60.6 MiB image), however many programs the image holds.
LOWMEM_TESTS=${LOWMEM_TESTS:-"fork:2 cow thread:4 mm:2"}
LOWMEM_MIB=${LOWMEM_MIB:-$(( ($(stat -c %s "$BUILD/initramfs.cpio" 2>/dev/null || echo 0) >> 20) + 13 ))}
# Extended attributes (docs/fs.md) also on two CPUs and on the debug
# kernel, even when the lists above are given.
SMP_TESTS="$SMP_TESTS xattr"
DEBUG_TESTS="$DEBUG_TESTS xattr ext2_xattr"
# Setting the clock re-keys the wall-clock timers of every CPU
# (docs/timers.md): on two CPUs and on the debug kernel too.
SMP_TESTS="$SMP_TESTS clockset"
DEBUG_TESTS="$DEBUG_TESTS clockset"
# A program ONLY names under one of these labels runs there even when
# it is not in the list (ONLY=aspen-debug/musl/xattr runs xattr on the
# debug kernel): an entry never silently checks nothing.
only_add() {   # only_add LIST PREFIX... - LIST plus the programs ONLY names under a PREFIX
	list=$1
	shift
	for word in $(echo "$ONLY" | tr ',' ' '); do
		for prefix in "$@"; do
			case $word in "$prefix"/?*)
				prog=${word#"$prefix"/}
				prog=${prog%%/*}
				case " $list " in *" $prog "*) ;; *) list="$list $prog" ;; esac
			esac
		done
	done
	echo "$list"
}
SMP_TESTS=$(only_add "$SMP_TESTS" aspen-smp2/musl aspen-smp2/glibc)
VMCHECK_TESTS=$(only_add "$VMCHECK_TESTS" aspen-vmcheck/musl)
DEBUG_TESTS=$(only_add "$DEBUG_TESTS" aspen-debug/musl)
NATIVE_TIMEOUT=${NATIVE_TIMEOUT:-300}
EXIT_TIMEOUT=124           # timeout(1) and tools/aspen-exec
EXIT_KILLED_AFTER_TIMEOUT=137
CONTEXT_LINES=30           # lines of output shown above a failure

res=$BUILD/test-results
rm -rf "$res"
mkdir -p "$res"
: > "$res/all"
: > "$res/failures"

# selected LABEL - true if ONLY is empty or names part of LABEL.
selected() {
	[ -z "$ONLY" ] && return 0
	for word in $(echo "$ONLY" | tr ',' ' '); do
		case $1 in *"$word"*) return 0 ;; esac
	done
	return 1
}

# collect PREFIX < OUTPUT - print OUTPUT's result lines labelled with
# PREFIX (and keep them in $res/all); for each "not ok", keep the lines
# of output before it in $res/failures.
collect() {
	tr -d '\r' | awk -v p="$1" -v all="$res/all" -v fails="$res/failures" -v max=$CONTEXT_LINES '
	function result(kind, rest,    line, i) {
		line = kind " " p "/" rest
		print line; print line >> all
		if (kind == "not ok") {
			for (i = (n > max ? n - max : 0); i < n; i++)
				print "    " ctx[i % max] >> fails
			print line >> fails
		}
		n = 0
	}
	/^ok /     { result("ok", substr($0, 4)); next }
	/^not ok / { result("not ok", substr($0, 8)); next }
	/^skip /   { result("skip", substr($0, 6)); next }
	{ ctx[n++ % max] = $0 }'
}

# completed OUTPUT STATUS - the harness check "completed": the program
# ended normally, and failed (status 1) only if it reported a failure.
completed() {
	if [ "$2" = 0 ]; then
		echo "ok completed"
	elif [ "$2" = $EXIT_TIMEOUT ] || [ "$2" = $EXIT_KILLED_AFTER_TIMEOUT ]; then
		echo "not ok completed: timed out"
	elif [ "$2" = 1 ] && grep -q '^not ok ' "$1"; then
		echo "ok completed"
	elif grep -q '^aspen-exec: ' "$1"; then
		echo "not ok completed: $(grep '^aspen-exec: ' "$1" | tail -n 1)"
	else
		echo "not ok completed: exited with status $2 without reporting a failure"
	fi
}

# baseline_check NAME WHAT OUTPUT NEEDED - the harness check NAME from
# init's last "[aspen] WHAT: before B after A" line: ok when A is B
# (-1, init's "could not count", is never ok).
# Without the line: a failure if NEEDED is "needed", else no check.
baseline_check() {
	line=$(tr -d '\r' < "$3" | grep "^\[aspen\] $2: " | tail -n 1)
	before=$(echo "$line" | sed -n 's/.* before \([0-9][0-9]*\) after .*/\1/p')
	after=$(echo "$line" | sed -n 's/.* after \([0-9][0-9]*\).*/\1/p')
	if [ -z "$line" ]; then
		[ "$4" != needed ] || echo "not ok $1: no \"[aspen] $2\" line"
	elif [ -z "$before" ] || [ "$before" != "$after" ]; then
		echo "not ok $1: ${line#\[aspen\] }"
	else
		echo "ok $1"
	fi
}

# frames_check OUTPUT, swap_check OUTPUT - the checks
# frames_back_to_baseline and swap_back_to_baseline (a boot without swap
# has no swap line).
frames_check() { baseline_check frames_back_to_baseline "frames in use" "$1" needed; }
swap_check() { baseline_check swap_back_to_baseline "swap slots in use" "$1" optional; }

# paged_check OUTPUT - the check "pages_went_out_and_came_back" of a
# low-memory boot: init's swap line counts pages written and read back.
paged_check() {
	line=$(tr -d '\r' < "$1" | grep '^\[aspen\] swap slots in use: ' | tail -n 1)
	went_out=$(echo "$line" | sed -n 's/.*(pages out \([0-9]*\), in \([0-9]*\))$/\1/p')
	came_in=$(echo "$line" | sed -n 's/.*(pages out \([0-9]*\), in \([0-9]*\))$/\2/p')
	if [ -n "$went_out" ] && [ "$went_out" -gt 0 ] && [ "$came_in" -gt 0 ]; then
		echo "ok pages_went_out_and_came_back"
	else
		echo "not ok pages_went_out_and_came_back: ${line:-no swap line}"
	fi
}

# debug_kernel_ran OUTPUT - the harness check "debug_kernel_ran": the
# debug kernel's closing "kmalloc_debug: N blocks allocated ..." line.
debug_kernel_ran() {
	if tr -d '\r' < "$1" | grep -Eq '^kmalloc_debug: [0-9]+ blocks allocated since the program started'; then
		echo "ok debug_kernel_ran"
	else
		echo "not ok debug_kernel_ran: no \"kmalloc_debug: N blocks allocated ...\" line"
	fi
}

# vmcheck_ran OUTPUT - the harness check "vmcheck_ran": the kernel's
# closing "vmcheck: N address-space checks ..., M censuses" line shows
# that the checker was on and ran.
vmcheck_ran() {
	if tr -d '\r' < "$1" | grep -Eq '^vmcheck: [1-9][0-9]* address-space checks .* [1-9][0-9]* censuses'; then
		echo "ok vmcheck_ran"
	else
		echo "not ok vmcheck_ran: no \"vmcheck: N address-space checks ..., M censuses\" line"
	fi
}

# missing_tests OUTPUT NATIVE_OUTPUT - a failure for each test the native
# run reported and OUTPUT does not (the program in Aspen died before it).
missing_tests() {
	[ -f "$2" ] || return 0
	sed -n -e 's/^ok \([A-Za-z0-9_]*\)$/\1/p' -e 's/^\(not ok\|skip\) \([A-Za-z0-9_]*\):.*/\2/p' "$2" |
	while read -r t; do
		[ "$t" = completed ] && continue
		grep -Eq "^(ok|not ok|skip) $t(:|\$)" "$1" || echo "not ok $t: no result (the program ended before it)"
	done
}

# stop_if_failed - with KEEP_GOING=0, end the run at the first failure.
stop_if_failed() {
	if [ "$KEEP_GOING" = 0 ] && [ -s "$res/failures" ]; then
		echo "# KEEP_GOING=0: stopping at the first failure"
		finish
	fi
}

# run_host LABEL OUTPUT PROGRAM - run PROGRAM on the host, in a fresh
# directory, and report its results and the completed check. ASPEN_SRC
# names the source tree (tests that need its files, e.g. ext2's tree).
run_host() {
	dir=$(mktemp -d)
	(src=$(pwd); cd "$dir" && ASPEN_SRC=$src exec timeout -k 5 "$NATIVE_TIMEOUT" "$3") < /dev/null > "$2" 2>&1
	status=$?
	rm -rf "$dir"
	completed "$2" $status >> "$2"
	collect "$1" < "$2"
	stop_if_failed
}

unit_tests() {
	echo "# host unit tests"
	for t in "$BUILD"/unit/test_*; do
		[ -x "$t" ] || continue
		name=${t##*/}
		selected "unit/$name" && run_host "unit/$name" "$res/unit-$name.out" "$(pwd)/$t"
	done
}

native_tests() {
	echo "# guest tests on the host"
	for libc in musl glibc glibc-pie glibc-dyn musl-dyn; do
		for t in "$BUILD"/gtest/$libc/*; do
			[ -x "$t" ] || continue
			label=native/$libc/${t##*/}
			selected "$label" && run_host "$label" "$res/$(echo "$label" | tr / -).out" "$(pwd)/$t"
		done
	done
}

# disk_options PROG - the aspen-exec options for the disks a guest test
# asks for on a line "// DISKS: KIND:VALUE..." of its source, e.g.
# "// DISKS: blank:8 faulty:1" gives "--blank 8 --faulty 1".
disk_options() {
	sed -n 's|^// DISKS:||p' "tests/guest/$1.c" 2>/dev/null |
		tr ' ' '\n' | sed -n 's|^\([a-z0-9]*\):\(.*\)$|--\1 \2|p' | tr '\n' ' '
}

# mem_option PROG - "--mem MIB" for a guest test whose source has a line
# "// MEM: MIB" (the RAM of its boot), else nothing.
mem_option() {
	sed -n 's|^// MEM: *\([0-9][0-9]*\)$|--mem \1|p' "tests/guest/$1.c" 2>/dev/null | head -n 1
}

# aspen_start LABEL - boot Aspen to run the test of LABEL (aspen/LIBC/PROG)
# in the background; its output goes to $res/LABEL.out. A LABEL
# each:PREFIX is a strategy boot (strategy_start).
aspen_start() {
	case $1 in each:*) strategy_start "${1#each:}"; return ;; esac
	out=$res/$(echo "$1" | tr / -).out
	(SMP=$(label_cpus "$1") ASPEN_NOBUILD=1 ASPEN_KERNEL=$(label_kernel "$1") tools/aspen-exec --raw --timeout "$ASPEN_TIMEOUT" \
		--append "$(label_append "$1")" $(label_icount "$1") $(disk_options "${1##*/}") $(label_mem "$1") \
		-- $(label_command "$1") < /dev/null > "$out" 2>&1
	 echo $? > "$out.status") &
	pid=$!
}

# Labels aspen/LIBC/PROG boot one CPU; aspen-smp2/, aspen-lowmem/ and
# aspen-vmcheck/ and aspen-debug/ boot two, aspen-vmcheck/ with the
# kernel option vmcheck, aspen-debug/ the debug kernel.
label_prog() { echo "${1#*/}"; }
label_cpus() { case $1 in aspen-smp2/* | aspen-*-smp2/* | aspen-lowmem/* | aspen-vmcheck/* | aspen-debug/*) echo 2 ;; aspen-icount/*) echo 1 ;; *) echo "${SMP:-1}" ;; esac; }
label_append() { case $1 in aspen-vmcheck/*) echo vmcheck ;; *) echo "${ASPEN_APPEND:-}" ;; esac; }
label_kernel() { case $1 in aspen-debug/*) echo "$DEBUG_ELF" ;; esac; }
label_icount() { case $1 in aspen-icount/*) echo --icount ;; esac; }
label_mem() { case $1 in aspen-lowmem/*) echo "--mem $LOWMEM_MIB" ;; *) mem_option "${1##*/}" ;; esac; }

# label_command LABEL - what the boot runs: the test program, under
# squeeze for a low-memory label that asks for it.
label_command() {
	prog=/tests/$(label_prog "$1")
	case $1 in aspen-lowmem/*) ;; *) echo "$prog"; return ;; esac
	for t in $LOWMEM_TESTS; do
		case $t in "${1##*/}":*) echo "/bin/squeeze ${t#*:} $prog"; return ;; esac
	done
	echo "$prog"
}

# aspen_report LABEL PID - wait for the boot of LABEL and report it.
aspen_report() {
	case $1 in each:*) strategy_report "${1#each:}" "$2"; return ;; esac
	wait "$2"
	out=$res/$(echo "$1" | tr / -).out
	status=$(cat "$out.status" 2> /dev/null || echo 125)
	{ completed "$out" "$status"; frames_check "$out"; swap_check "$out"
	  case $1 in aspen-lowmem/*) case " $LOWMEM_TESTS " in *" ${1##*/} "*) paged_check "$out" ;; esac ;; esac
	  missing_tests "$out" "$res/native-$(label_prog "$1" | tr / -).out"
	  case $1 in aspen-vmcheck/*) vmcheck_ran "$out" ;; aspen-debug/*) debug_kernel_ran "$out" ;; esac; } >> "$out"
	collect "$1" < "$out"
	stop_if_failed
}

# aspen_queue LABEL - start LABEL's boot, then report the one before it:
# two boots run at once.
aspen_queue() {
	aspen_start "$1"
	[ -z "$prev" ] || aspen_report "$prev" "$prev_pid"
	prev=$1 prev_pid=$pid
}

# queue_built LABEL - queue the boot of LABEL (aspen.../LIBC/PROG) if it
# is selected and its program is built.
queue_built() {
	[ -x "$BUILD/gtest/$(label_prog "$1")" ] && selected "$1" && aspen_queue "$1"
}

aspen_tests() {
	echo "# guest tests in Aspen"
	prev="" prev_pid=""
	for libc in musl glibc glibc-pie glibc-dyn musl-dyn; do
		for t in "$BUILD"/gtest/$libc/*; do
			queue_built "aspen/$libc/${t##*/}"
		done
	done
	# The tests that most exercise several CPUs, again on two.
	for libc in musl glibc; do
		for name in $SMP_TESTS; do
			queue_built "aspen-smp2/$libc/$name"
		done
	done
	# The programs that fork, copy on write, run threads and map memory,
	# with little RAM: their pages go out and come back.
	for t in $LOWMEM_TESTS; do
		queue_built "aspen-lowmem/musl/${t%%:*}"
	done
	# The programs marked "// ICOUNT", again under -icount (musl builds).
	for src in $(grep -l '^// ICOUNT' tests/guest/*.c); do
		name=${src##*/}
		queue_built "aspen-icount/musl/${name%.c}"
	done
	for name in $VMCHECK_TESTS; do
		queue_built "aspen-vmcheck/musl/$name"
	done
	for name in $DEBUG_TESTS; do
		queue_built "aspen-debug/musl/$name"
	done
	[ -z "$prev" ] || aspen_report "$prev" "$prev_pid"
}

# strategy_selected PREFIX - the STRATEGY_TESTS whose label PREFIX/musl/PROG is selected.
strategy_selected() {
	for name in $STRATEGY_TESTS; do
		[ -x "$BUILD/gtest/musl/$name" ] && selected "$1/musl/$name" && echo "$name"
	done
}

# strategy_start PREFIX - one boot (aspen-STRATEGY[-smp2]) running the
# selected STRATEGY_TESTS in turn, in the background, into $res/PREFIX.each.
strategy_start() {
	strategy=${1#aspen-}
	strategy=${strategy%-smp2}
	progs=$(strategy_selected "$1" | sed 's|^|/tests/musl/|')
	(SMP=$(label_cpus "$1/") ASPEN_NOBUILD=1 tools/aspen-exec --raw --each \
		--timeout $((ASPEN_TIMEOUT * 3)) --append "fork_strategy=$strategy" \
		-- $progs < /dev/null > "$res/$1.each" 2>&1
	 echo $? > "$res/$1.each.status") &
	pid=$!
}

# strategy_report PREFIX PID - split the boot's output at init's "[aspen]
# run PROGRAM" lines into one output per program, its status from the
# "exited with status" line (none: the boot ended in it, or before it),
# and report each as aspen_report does.
strategy_report() {
	wait "$2"
	for name in $(strategy_selected "$1"); do
		out=$res/$1-musl-$name.out
		awk -v prog="/tests/musl/$name" '
			$0 == "[aspen] run " prog { on = 1; next }
			on && index($0, "[aspen] " prog " exited with status ") == 1 { print > "/dev/stderr"; exit }
			on && /^\[aspen\] run / { exit }
			on { print }' "$res/$1.each" > "$out" 2> "$out.st"
		status=$(sed -n 's/.* exited with status \([0-9]*\)$/\1/p' "$out.st")
		if [ -z "$status" ]; then
			grep -q "^\[aspen\] run /tests/musl/$name\$" "$res/$1.each" || echo "# the boot ended before $name" >> "$out"
			tail -n 5 "$res/$1.each" >> "$out"
			status=125
		fi
		rm -f "$out.st"
		{ completed "$out" "$status"; frames_check "$out"; missing_tests "$out" "$res/native-musl-$name.out"; } >> "$out"
		collect "$1/musl/$name" < "$out"
		stop_if_failed
	done
}

strategy_tests() {
	echo "# guest tests under each fork strategy"
	prev="" prev_pid=""
	for strategy in $STRATEGIES; do
		for prefix in aspen-$strategy aspen-$strategy-smp2; do
			[ -n "$(strategy_selected "$prefix")" ] && aspen_queue "each:$prefix"
		done
	done
	[ -z "$prev" ] || aspen_report "$prev" "$prev_pid"
}

boot_tests() {
	echo "# boot tests"
	for t in tests/boot/*.sh; do
		name=${t##*/}
		name=${name%.sh}
		case $name in lib | *_lib) continue ;; esac   # sourced by the others
		selected "boot/$name" || continue
		out=$res/boot-$name.out
		sh "$t" "$BUILD" < /dev/null > "$out" 2>&1
		status=$?
		if [ $status != 0 ] && ! grep -q '^not ok ' "$out"; then
			echo "not ok $name: the script failed with status $status" >> "$out"
		fi
		collect boot < "$out"
		stop_if_failed
	done
}

# finish - the failures with their context, the counts, the exit status.
finish() {
	passed=$(grep -c '^ok ' "$res/all")
	failed=$(grep -c '^not ok ' "$res/all")
	skipped=$(grep -c '^skip ' "$res/all")
	if [ "$failed" -gt 0 ]; then
		echo
		echo "# failures (output before each; full output in $res/):"
		cat "$res/failures"
	fi
	if [ $((passed + failed + skipped)) = 0 ]; then
		echo "# no test ran${ONLY:+ (ONLY=$ONLY matched nothing?)}"
		failed_run=1
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ] && [ -z "${failed_run:-}" ]
	exit
}

unit_tests
native_tests
aspen_tests
strategy_tests
boot_tests
finish
