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

missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Aspen needs these Debian packages:$missing" >&2
	echo "Install them as root:  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
