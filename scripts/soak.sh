#!/bin/sh
# soak.sh - `make soak`: issue 17's proof that the suite does not flake
# under load. Runs `make test` SOAK_RUNS times in a row (default 5) while
# another build keeps both host cores busy: a clone of this repository
# under build/soak/src rebuilt with `make -j2 clean all` over and over.
# Stops at the first run whose verdict is not "N passed, 0 failed". Prints
# one line per run (its verdict, seconds, the host's load average) and
# writes the summary to tests/soak-summary.txt after every run (kept in
# the repository);
# each run's full output stays in build/soak/run-N.log.
set -u
cd "$(dirname "$0")/.." || exit 1
RUNS=${SOAK_RUNS:-5}
case $RUNS in '' | *[!0-9]*) echo "soak.sh: SOAK_RUNS is not a whole number: '$RUNS'" >&2; exit 2 ;; esac
dir=build/soak
rm -rf "$dir/src" && mkdir -p "$dir" || exit 1
git clone -q . "$dir/src" || exit 1

# The competing build: forever, until this script ends.
( while :; do make -s -C "$dir/src" -j2 clean all > /dev/null 2>&1; done ) &
busy=$!
trap 'pkill -P $busy 2>/dev/null; kill $busy 2>/dev/null' EXIT INT TERM

commit=$(git rev-parse --short HEAD)
summary="# make soak, $(date -u +%Y-%m-%dT%H:%MZ), commit $commit: make test $RUNS times in a row, a make -j2 clean all loop beside it"
# The summary as it stands after each run (a soak stopped early still
# leaves an honest record): the runs so far and how many passed in a row.
record() {
	printf '%s\nsoak: %s of %s runs passed in a row%s\n' "$summary" "$passed" "$RUNS" "$1" > tests/soak-summary.txt
}
passed=0
for i in $(seq 1 "$RUNS"); do
	t0=$(date +%s)
	make --no-print-directory test > "$dir/run-$i.log" 2>&1
	# The suite's verdict line (make's own messages may follow it).
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/run-$i.log" | tail -1)
	[ -n "$last" ] || last="no verdict line: $(tail -1 "$dir/run-$i.log")"
	line="run $i: $last ($(( $(date +%s) - t0 )) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "$line"
	summary="$summary
$line"
	case $last in *" passed, 0 failed"*) passed=$((passed + 1)) ;; *) break ;; esac
	[ "$i" = "$RUNS" ] || record " so far"
done
record ""
tail -1 tests/soak-summary.txt
[ "$passed" = "$RUNS" ]
