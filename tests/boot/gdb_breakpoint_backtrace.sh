# gdb_breakpoint_backtrace - Debian's gdb (dynamically linked, 10 MB with
# 70 MB of libraries that `tools/aspen-exec --add` brings into the
# initramfs; 512 MiB of RAM) debugs tests/boot/trace_target.c inside Aspen: a
# breakpoint on leaf(), run, a backtrace through middle() and main(),
# continue to a normal exit. gdb starts Python, which needs its encodings
# package (added from the host); gdb's own Python scripts are left out, so
# it warns that it has only limited Python support (docs/debugging.md).
name=gdb_breakpoint_backtrace
. tests/boot/exec_lib.sh
timeout=${ASPEN_TIMEOUT:-300}
[ -x /usr/bin/gdb ] || { echo "skip $name: no /usr/bin/gdb"; exit 0; }
musl-gcc -static -O1 -g tests/boot/trace_target.c -o "$dir/target" > "$out" 2>&1 || fail "build"
py=/usr/lib/python3.11
adds=""
for f in encodings/__init__.py encodings/aliases.py encodings/utf_8.py encodings/ascii.py encodings/latin_1.py; do
	[ -f "$py/$f" ] && adds="$adds --add $py/$f:$py/$f"
done
aspen_exec --mem 512 --add /usr/bin/gdb $adds \
	--add "$dir/target:/tmp/target" -- /bin/sh -c 'PYTHONDONTWRITEBYTECODE=1 /tmp/gdb -batch -nx -ex "set startup-with-shell off" -ex "break leaf" -ex run -ex bt -ex continue /tmp/target'
status=$?
[ $status = 0 ] || fail "status $status"
frames_back
expect() {
	grep -Eq "$1" "$out" || fail "no line matching: $1"
}
expect '^Breakpoint 1 at 0x[0-9a-f]+: file .*trace_target.c, line 10\.$'
expect '^child$'
expect '^#0  leaf \(x=(x@entry=)?21\) at .*trace_target.c:10$'
expect '^#1  0x[0-9a-f]+ in middle \(x=(x@entry=)?20\) at .*trace_target.c:11$'
expect '^#2  0x[0-9a-f]+ in main \(\) at .*trace_target.c:23$'
expect '^middle 44 status 3$'
expect '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
echo "ok $name"
