# debian_programs - Debian's own dynamically linked programs, bash and
# coreutils' ls and sort, added to the image with `tools/aspen-exec --add`
# alone (it brings the libraries they need: libc, libselinux, libpcre2,
# libtinfo), run a workload (debian_programs.bash) that must print what
# it prints natively.
BUILD=${1:-build}
name=debian_programs
for f in /bin/bash /bin/ls /usr/bin/sort; do
	[ -x $f ] || { echo "skip $name: no $f"; exit 0; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s /bin/ls /usr/bin/sort "$work/"
/bin/bash tests/boot/debian_programs.bash "$work" > "$work/native" 2>&1
ASPEN_NOBUILD=1 tools/aspen-exec --timeout "${ASPEN_TIMEOUT:-60}" --add /bin/bash --add /bin/ls \
	--add /usr/bin/sort --add tests/boot/debian_programs.bash:/tmp/work.bash \
	-- /tmp/bash /tmp/work.bash /tmp > "$work/aspen" 2>&1
status=$?
grep -v '^\[aspen\] ' "$work/aspen" > "$work/aspen.out"   # the kernel's own lines
frames=$(sed -n 's/^\[aspen\] frames in use: before \([0-9]*\) after \([0-9]*\)$/\1 \2/p' "$work/aspen")
if [ -z "$frames" ] || [ "${frames% *}" != "${frames#* }" ]; then
	sed 's/^/# /' "$work/aspen"
	echo "not ok $name: frames in use not back to the baseline (${frames:-no count})"
elif [ $status != 0 ] || ! diff -u "$work/native" "$work/aspen.out" > "$work/diff"; then
	sed 's/^/# /' "$work/diff" "$work/aspen"
	echo "not ok $name: status $status, or the output differs from Linux's"
elif ! grep -q '^== done$' "$work/native"; then
	sed 's/^/# /' "$work/native"
	echo "not ok $name: the workload failed natively"
else
	echo "ok $name"
fi
