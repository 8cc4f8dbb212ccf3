# interactive_bash - Debian's dynamically linked bash, added to the image
# as `make run ADD=/bin/bash` does (its libtinfo comes along), used
# interactively (tests/interactive/bash.py).
BUILD=${1:-build}
if ! command -v python3 > /dev/null || [ ! -x /bin/bash ]; then
	echo "skip interactive_bash: no python3 or no /bin/bash"
	exit 0
fi
initrd=$BUILD/initramfs-bash.cpio
sh scripts/mkinitramfs.sh "$BUILD" "$initrd" --base "$BUILD/initramfs.cpio" \
	--add /bin/bash:/usr/local/bin/bash || exit 1
INITRD=$initrd timeout -k 5 300 python3 tests/interactive/bash.py "$BUILD"
status=$?
rm -f "$initrd"
exit $status
