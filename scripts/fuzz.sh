#!/bin/sh
# fuzz.sh - `make fuzz`: the long fuzz run (tests/guest/fuzz_long.c, docs/testing.md).
# Boots Aspen on two CPUs again and again, each boot with a new seed,
# until FUZZ_TOTAL calls are made (default ten million), FUZZ_PER_BOOT
# per boot (default 500000) by 4 worker processes of 3 threads. Prints
# one line per boot and a summary: calls, seconds, crashes (kernel
# panics or hung boots: must be 0) and boots whose frames all came back.
# The summary is written to tests/fuzz-summary.txt (kept in the
# repository); a failed boot's console stays in build/fuzz/.
# FUZZ_SEED is the first boot's seed (default: from the clock), each next
# boot's one more; FUZZ_TIMEOUT bounds one boot (seconds).
# Replay one boot: FUZZ_SEED=S FUZZ_TOTAL=N FUZZ_PER_BOOT=N make fuzz.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 1
TOTAL=${FUZZ_TOTAL:-10000000}
PER_BOOT=${FUZZ_PER_BOOT:-500000}
TIMEOUT=${FUZZ_TIMEOUT:-1800}         # seconds per boot (one takes 20-60 s): a bound for a hang, not a speed
dir=$BUILD/fuzz
mkdir -p "$dir"
first_seed=${FUZZ_SEED:-$(( $(date +%s) % 1000000 ))}
for v in "$TOTAL" "$PER_BOOT" "$TIMEOUT" "$first_seed"; do
	case $v in '' | *[!0-9]*) echo "fuzz.sh: not a whole number: '$v'" >&2; exit 2 ;; esac
done
[ "$PER_BOOT" -gt 0 ] || { echo "fuzz.sh: FUZZ_PER_BOOT must be at least 1" >&2; exit 2; }

calls=0 boots=0 crashes=0 even=0 t0=$(date +%s) seed=$first_seed
while [ "$calls" -lt "$TOTAL" ]; do
	n=$(( TOTAL - calls < PER_BOOT ? TOTAL - calls : PER_BOOT ))
	echo "seed=$seed calls=$n procs=4 threads=3" > "$dir/fuzz.conf"
	log=$dir/boot-$seed.log
	SMP=2 ASPEN_NOBUILD=1 tools/aspen-exec --raw --timeout "$TIMEOUT" --add "$dir/fuzz.conf:/tmp/fuzz.conf" \
		-- /tests/musl/fuzz_long < /dev/null > "$log" 2>&1
	status=$?
	made=$(tr -d '\r' < "$log" | sed -n 's/^# fuzz: \([0-9]*\) calls by .*/\1/p')
	rate=$(tr -d '\r' < "$log" | sed -n 's/^# fuzz: [0-9]* calls by .* in \([0-9.]* s, [0-9]* calls\/s, CPUs busy [0-9]*%\)$/\1/p')
	frames=$(tr -d '\r' < "$log" | sed -n 's/^\[aspen\] frames in use: before \([0-9]*\) after \([0-9]*\)$/\1 \2/p')
	boots=$((boots + 1))
	calls=$((calls + ${made:-$n}))
	if [ $status = 125 ] || [ $status = 124 ] || grep -q "KERNEL PANIC" "$log"; then
		crashes=$((crashes + 1))
		verdict="CRASH (status $status), console in $log"
	else
		set -- $frames
		if [ $# = 2 ] && [ "$1" = "$2" ]; then
			even=$((even + 1))
			verdict="frames back ($1)"
			rm -f "$log"
		else
			verdict="frames NOT back ($frames), console in $log"
		fi
	fi
	echo "fuzz: boot $boots seed $seed: ${made:-?} calls (${rate:-no rate}), status $status, $verdict"
	seed=$((seed + 1))
done
secs=$(( $(date +%s) - t0 ))
summary="fuzz: $calls calls in $boots boots (seeds $first_seed..$((seed - 1)), $PER_BOOT calls per boot, 4 processes x 3 threads, 2 CPUs) in $secs s: $crashes crashes, frames back after $even of $boots boots"
echo "$summary"
{ echo "# make fuzz, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null)"; echo "$summary"; } \
	> tests/fuzz-summary.txt
[ $crashes = 0 ] && [ $even = $boots ]
