# exec_lib.sh - sourced by the boot tests that run a command in Aspen
# through tools/aspen-exec (lib.sh is for those that boot the kernel
# alone). Set name=TEST first; `sh tests/boot/TEST.sh BUILD` is run from
# the repository root and prints "ok TEST", "skip TEST: why" or, after
# "# " lines of context, "not ok TEST: reason" (see tests/run-all.sh).
#
#   $BUILD            the build directory ($1, default build)
#   $dir              a scratch directory under $BUILD, removed at exit
#   $out              the console of the last aspen_exec
#   $timeout          aspen-exec's --timeout (ASPEN_TIMEOUT, default 120)
#   need_tools T ...  skip the test unless the host has every tool T
#   aspen_exec ARG .. tools/aspen-exec ARG ... with the built kernel and
#                     $timeout, console to $out; its exit status
#   fail REASON       the console as context, "not ok", and exit
#   frames_back       fail unless init's frames count is back at its baseline
BUILD=${1:-build}
PATH=$PATH:/sbin:/usr/sbin
timeout=${ASPEN_TIMEOUT:-120}
dir=$(mktemp -d "$BUILD/$name.XXXXXX")
out=$dir/out
: > "$out"
trap 'rm -rf "$dir"' EXIT

need_tools() {
	for tool; do
		command -v "$tool" > /dev/null || { echo "skip $name: no $tool"; exit 0; }
	done
}

aspen_exec() {
	ASPEN_NOBUILD=1 ASPEN_BUILD=$BUILD tools/aspen-exec --timeout "$timeout" "$@" > "$out" 2>&1
}

fail() {
	sed 's/^/# /' "$out"
	echo "not ok $name: $1"
	exit 0
}

frames_back() {
	frames=$(sed -n 's/^\[aspen\] frames in use: before \([0-9]*\) after \([0-9]*\)$/\1 \2/p' "$out")
	[ -n "$frames" ] && [ "${frames% *}" = "${frames#* }" ] ||
		fail "frames in use not back to the baseline (${frames:-no count})"
}
