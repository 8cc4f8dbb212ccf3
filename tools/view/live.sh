#!/bin/sh
# live.sh BUILD PORT -- COMMAND... - run COMMAND (make run's QEMU, with
# `-serial unix:BUILD/view/live.sock` for its second serial port) while
# tools/view/serve.py serves the live memory view on http://127.0.0.1:PORT/
# (docs/view.md). The trace is also kept in BUILD/view/live.trace.
build=$1 port=$2
shift 3
dir=$build/view
mkdir -p "$dir"
# serve.out too: a stale one (an earlier run's) would show its "view:" line
# before the new server has truncated it, and QEMU would start before the
# socket exists.
rm -f "$dir/live.sock" "$dir/live.trace" "$dir/serve.out"
python3 tools/view/serve.py "$dir/live.sock" --port "$port" --save "$dir/live.trace" > "$dir/serve.out" 2>&1 &
server=$!
tries=0
until grep -q '^view: ' "$dir/serve.out" 2> /dev/null; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 $server 2> /dev/null; then
		cat "$dir/serve.out" >&2
		echo "live.sh: the view server did not start" >&2
		kill $server 2> /dev/null
		exit 2
	fi
	sleep 0.1
done
echo "Live memory view of the shell: $(sed -n 's/^view: //p' "$dir/serve.out") (open it in a browser)"
"$@"
status=$?
kill $server 2> /dev/null
exit $status
