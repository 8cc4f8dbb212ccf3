#!/bin/sh
# libdeps.sh [--skip-root DIR] FILE... - what a dynamically linked
# program needs besides itself to run in Aspen: its interpreter (ld.so)
# and every shared library its DT_NEEDED entries name, recursively,
# found as the host's loader would find them. Prints one line
# HOSTPATH:GUESTPATH per file (HOSTPATH with symlinks resolved); nothing
# for a static program or a file that is no ELF.
#
#   glibc programs (interpreter /lib64/ld-linux-x86-64.so.2): searched in
#     DT_RPATH/DT_RUNPATH ($ORIGIN expanded), then the host's loader
#     directories; put in the guest at /lib/x86_64-linux-gnu/NAME (the
#     guest has no ld.so.cache: that directory is always searched), or
#     at the same path when an RPATH/RUNPATH found it.
#   musl programs (interpreter /lib/ld-musl-x86_64.so.1): libc.so is the
#     interpreter itself; others are searched in /etc/ld-musl-x86_64.path
#     (or musl's default path) and go to /lib/NAME.
#
# --skip-root DIR leaves out files DIR already holds at their guest path
# (mkinitramfs.sh passes Aspen's standard tree: libc and friends are in
# the image already). A library that cannot be found is an error.
set -eu

skip_root=""
if [ "${1:-}" = --skip-root ]; then
	skip_root=${2:?--skip-root needs a directory}
	shift 2
fi

GLIBC_DIRS="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/local/lib/x86_64-linux-gnu /usr/local/lib /lib64 /lib /usr/lib"
GLIBC_GUEST_DIR=/lib/x86_64-linux-gnu
MUSL_GUEST_DIR=/lib

is_elf() {
	[ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

interp_of() {
	readelf -lW "$1" 2>/dev/null | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p'
}

# dyn_entries FILE TAG - the values of FILE's DT_TAG entries (NEEDED,
# RPATH, RUNPATH), one per line.
dyn_entries() {
	readelf -dW "$1" 2>/dev/null | sed -n "s/.*($2) *[^[]*\[\(.*\)\]\$/\1/p"
}

musl_dirs() {
	f=/etc/ld-musl-x86_64.path
	if [ -r $f ]; then
		tr ':\n' '  ' < $f
	else
		echo /lib /usr/local/lib /usr/lib
	fi
}

# find_lib NAME FILE KIND - "HOSTPATH GUESTDIR" of library NAME needed
# by FILE, or nothing.
find_lib() {
	origin=$(dirname "$(readlink -f "$2")")
	rpath=$( { dyn_entries "$2" RPATH; dyn_entries "$2" RUNPATH; } | tr ':' '\n' |
		sed "s|\\\$ORIGIN|$origin|g; s|\\\${ORIGIN}|$origin|g")
	for d in $rpath; do
		[ -e "$d/$1" ] && { echo "$(readlink -f "$d/$1") $d"; return; }
	done
	if [ "$3" = musl ]; then
		dirs=$(musl_dirs) guest=$MUSL_GUEST_DIR
	else
		dirs=$GLIBC_DIRS guest=$GLIBC_GUEST_DIR
	fi
	for d in $dirs; do
		[ -e "$d/$1" ] && { echo "$(readlink -f "$d/$1") $guest"; return; }
	done
}

# emit HOST GUEST - print the line unless the standard tree has GUEST.
emit() {
	if [ -n "$skip_root" ] && [ -e "$skip_root$2" ]; then
		return
	fi
	echo "$1:$2"
}

main() {
for prog in "$@"; do
	is_elf "$prog" || continue
	interp=$(interp_of "$prog")
	[ -n "$interp" ] || continue
	case $interp in *ld-musl*) kind=musl ;; *) kind=glibc ;; esac
	[ -e "$interp" ] || { echo "libdeps.sh: $prog: no interpreter $interp on this host" >&2; exit 1; }
	emit "$(readlink -f "$interp")" "$interp"
	todo=$prog seen=" "
	while [ -n "$todo" ]; do
		set -- $todo
		file=$1
		shift
		todo=$*
		for name in $(dyn_entries "$file" NEEDED); do
			case "$seen" in *" $name "*) continue ;; esac
			seen="$seen$name "
			[ $kind = musl ] && [ "$name" = libc.so ] && continue
			found=$(find_lib "$name" "$file" $kind)
			[ -n "$found" ] || { echo "libdeps.sh: $file: cannot find $name" >&2; exit 1; }
			host=${found% *}
			emit "$host" "${found#* }/$name"
			todo="$todo $host"
		done
	done
done
}

out=$(main "$@")
[ -z "$out" ] || printf '%s\n' "$out" | awk '!seen[$0]++'
