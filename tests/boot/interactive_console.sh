# interactive_console - `make run`'s shell driven through a pseudo-terminal
# (tests/interactive/console.py): line editing, Ctrl-C stops `sleep 100`
# and the prompt comes back, Ctrl-Z/jobs/fg, background jobs, cat and ^D.
BUILD=${1:-build}
if ! command -v python3 > /dev/null; then
	echo "skip interactive_console: no python3"
	exit 0
fi
# As make run boots it: two CPUs unless SMP says otherwise.
SMP=${SMP:-2} timeout -k 5 600 python3 tests/interactive/console.py "$BUILD"
