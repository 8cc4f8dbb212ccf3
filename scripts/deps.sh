#!/bin/sh
# deps.sh [bench|view] - install the Debian packages Aspen needs to build,
# run and test, when they are missing (python3 runs the interactive boot
# tests and the memory view's tools/view/*.py). With "bench", also what
# `make bench` needs (a Linux kernel image to compare with, gnuplot);
# with "view", what the browser test of the memory view needs (chromium,
# and Node with npm unless the commands are there already).
set -e
need="qemu-system-x86 musl musl-tools cpio busybox-static gcc g++ make binutils libc6 libc6-dev libstdc++6 libgcc-s1 linux-libc-dev util-linux e2fsprogs"
command -v python3 > /dev/null || need="$need python3"
[ "${1:-}" = bench ] && need="$need linux-image-amd64 gnuplot-nox"
if [ "${1:-}" = view ]; then
	need="$need chromium"
	command -v node > /dev/null || need="$need nodejs"
	command -v npm > /dev/null || need="$need npm"
fi

# The check costs a dpkg-query (a second or more on a busy host), and
# make test, make run and tools/aspen-exec call this script every time:
# a stamp per variant in build/ records the list last found installed,
# and the check is skipped while the list is the same and dpkg's
# database has not changed since (a package removed or installed).
root=$(cd "$(dirname "$0")/.." && pwd)
stamp="$root/build/.deps-${1:-base}"
status=/var/lib/dpkg/status
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$need" ] && ! [ "$status" -nt "$stamp" ]; then
	exit 0
fi
# Record the list as installed (when build/ can be written; a read-only
# tree just checks every time).
record() { mkdir -p "$root/build" 2>/dev/null && echo "$need" > "$stamp.tmp" 2>/dev/null &&
	mv "$stamp.tmp" "$stamp" || true; }

# One dpkg-query for every package (each of a multi-arch package's
# instances is one line; any installed one will do).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $need 2>/dev/null |
	awk '$2 == "install" && $3 == "ok" && $4 == "installed" { printf " %s", $1 }') || true
missing=""
for p in $need; do
	case "$installed " in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && { record; exit 0; }

if [ "$(id -u)" != 0 ]; then
	echo "Aspen needs these Debian packages:$missing" >&2
	echo "Install them as root:  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
record
