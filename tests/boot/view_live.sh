# view_live - `VIEW=1 make run`: the live memory view follows the shell
# as a command forks and execs (tests/interactive/live_view.py drives
# the console, tests/browser/live.test.js the browser). Needs
# `make browser-deps` (make test does it).
BUILD=${1:-build}
if [ ! -d "$BUILD/browser/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
	echo "not ok view_live_tools: no chromium or playwright-core (make browser-deps)"
	exit 0
fi
SMP=${SMP:-2} timeout -k 5 400 python3 tests/interactive/live_view.py "$BUILD"
