#!/bin/sh
# soak.sh - `make soak`: issue 17's proof that the suite does not flake
# under load. Runs `make test` SOAK_RUNS times in a row (default 5) while
# another build keeps both host cores busy: a clone of this repository
# under build/soak/src rebuilt with `make -j2 clean all` over and over.
# Stops at the first run that does not end "N passed, 0 failed". Prints
# one line per run (its last line, seconds, the host's load average) and
# writes the summary to tests/soak-summary.txt (kept in the repository);
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
passed=0
for i in $(seq 1 "$RUNS"); do
	t0=$(date +%s)
	make test > "$dir/run-$i.log" 2>&1
	last=$(tail -1 "$dir/run-$i.log")
	line="run $i: $last ($(( $(date +%s) - t0 )) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "$line"
	summary="$summary
$line"
	case $last in *" passed, 0 failed"*) passed=$((passed + 1)) ;; *) break ;; esac
done
summary="$summary
soak: $passed of $RUNS runs passed in a row"
echo "$summary" | tail -1
printf '%s\n' "$summary" > tests/soak-summary.txt
[ "$passed" = "$RUNS" ]
