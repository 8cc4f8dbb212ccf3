# strace_follows_forks - Debian's strace (dynamically linked, added with
# `tools/aspen-exec --add`, which brings its libraries) runs `strace -f`
# inside Aspen on tests/boot/trace_target.c, which writes, forks a child
# that writes and exits 3, and waits for it. The trace must show each of
# those calls with its result, the child's lines under its pid, its
# SIGCHLD and both exits, as strace shows them on Linux (docs/debugging.md).
name=strace_follows_forks
. tests/boot/exec_lib.sh
[ -x /usr/bin/strace ] || { echo "skip $name: no /usr/bin/strace"; exit 0; }
musl-gcc -static -O1 -g tests/boot/trace_target.c -o "$dir/target" > "$out" 2>&1 || fail "build"
# -ff: one file per process, so that no line is split by another's.
aspen_exec --add /usr/bin/strace --add "$dir/target:/tmp/target" -- /bin/sh -c \
	'/tmp/strace -ff -o /tmp/trace /tmp/target > /dev/null && for f in /tmp/trace.*; do echo "== ${f#/tmp/trace.}"; cat $f; rm $f; done'
status=$?
[ $status = 0 ] || fail "status $status"
frames_back
# The trace of process $1: the lines after its "== PID" header.
trace_of() { sed -n "/^== $1\$/,/^== /p" "$out"; }
parent=$(grep -B1 '^execve("/tmp/target"' "$out" | sed -n 's/^== //p')
[ -n "$parent" ] || fail "no execve of /tmp/target in the trace"
child=$(trace_of "$parent" | sed -n 's/^\(fork\|vfork\|clone\|clone3\)(.*= \([0-9][0-9]*\)$/\2/p' | head -1)
[ -n "$child" ] || fail "no fork in the trace"
expect() {
	trace_of "$1" | grep -Eq "$2" || fail "no line of $1 matching: $2"
}
expect $parent '^execve\("/tmp/target", \["/tmp/target"\], .*\) = 0$'
expect $parent '^write\(1, "hello\\n", 6\) += 6$'
expect $child '^write\(1, "child\\n", 6\) += 6$'
expect $child '^exit_group\(3\) += \?$'
expect $child '^\+\+\+ exited with 3 \+\+\+$'
expect $parent "^wait4\($child, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 3\}\], 0, NULL\) += $child$"
expect $parent "^--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=$child, .*si_status=3"
expect $parent '^writev?\(1, .*middle 44 status 3.*\) += 19$'
expect $parent '^\+\+\+ exited with 0 \+\+\+$'
echo "ok $name"
