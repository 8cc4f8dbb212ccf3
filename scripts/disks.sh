#!/bin/sh
# disks.sh DIR [--swap MIB] [--disk FILE[:KIND]]... [--blank MIB]... [--faulty MIB]...
#            [--ext2 MIB[:TREE]]... [--persist FILE[:MIB]]
#
# Make the disks of one Aspen boot and print the QEMU arguments that
# attach them (virtio-blk PCI, legacy transport), in this order: the swap
# disk first, then the others in the order given. Aspen names them vda,
# vdb, ... in that order. Fresh images go in DIR (the caller removes it
# after the boot; each boot has its own, so boots may run side by side):
#
#   --swap MIB    a sparse image of MIB MiB formatted by the host's mkswap
#                 (0: no swap disk): a copy of DIR/../swap-MIB.img, made
#                 once and kept (mkswap costs more than a sparse copy)
#   --disk FILE[:KIND]  an existing raw image, attached read-write as it is
#                 (listed as KIND, default "disk": e.g. ext2 for a test)
#   --blank MIB   a sparse image of MIB MiB of zeros
#   --faulty MIB  as --blank, but every read or write touching sector 8
#                 (bytes 4096-4607) fails with EIO (QEMU's blkdebug)
#   --ext2 MIB[:TREE]  a fresh ext2 image made by the host's mkfs.ext2
#                 (1 KiB blocks), holding a copy of directory TREE if given
#   --badread MIB as --faulty, but only reads fail: what is written there
#                 cannot be read back (a swap slot gone bad: slot 1)
#   --persist FILE[:MIB]  the persistent disk (make run's PERSIST): an ext2
#                 image that outlives the boot. Made by mkfs.ext2 (sparse,
#                 MIB MiB, default 256) if FILE does not exist; otherwise
#                 checked first by the host's e2fsck -p, which repairs what
#                 a boot ended without unmounting left (as a Linux boot
#                 checks its disks); refused if e2fsck cannot repair it.
#
# DIR/aspen-disks lists them, one line each: NAME KIND BYTES [FILE]
# (kind swap, disk, blank, faulty, badread, ext2 or persist), for the guest to
# find its disks; the persistent disk's name goes on the kernel command
# line as aspen.persist=NAME, and init mounts it at /disk. DIR/aspen-cmdline
# holds that and aspen.swap=NAME,... in one line (empty without either),
# for a caller to add to the kernel command line.
#
# Few processes: make run waits for this script, and on a busy host
# each process started costs tens of milliseconds (docs/boot.md).
set -eu
umask 077
FAULTY_SECTOR=8

[ $# -ge 1 ] || { sed -n '2p' "$0" | sed 's/^# */usage: /' >&2; exit 2; }
dir=${1%/}
shift
[ -d "$dir" ] || mkdir -p "$dir"
table=$dir/aspen-disks
: > "$table"
n=0
args=""
letters=abcdefghijklmnop   # the next disks' last letters
cmdline_persist="" cmdline_swap=""

die() {
	echo "disks.sh: $*" >&2
	exit 1
}

# mib_ok VALUE - a whole number of MiB.
mib_ok() {
	case $1 in '' | *[!0-9]*) die "not a size in MiB: $1" ;; esac
}

# sparse FILE MIB - a sparse file of MIB MiB (mode 600: the umask).
sparse() {
	rm -f "$1"
	truncate -s "${2}M" "$1"
}

# swap_image FILE MIB - FILE, a copy of the swap template of MIB MiB,
# made by mkswap (atomically: boots may run side by side) if missing.
swap_image() {
	case $dir in */*) template=${dir%/*} ;; *) template=. ;; esac
	template=$template/swap-$2.img
	if [ ! -f "$template" ]; then
		command -v mkswap > /dev/null || PATH=$PATH:/sbin:/usr/sbin
		sparse "$template.$$" "$2"
		mkswap -q "$template.$$" > /dev/null 2>&1 || { rm -f "$template.$$"; die "mkswap failed"; }
		mv "$template.$$" "$template"
	fi
	cp --sparse=always "$template" "$1"
}

# drive_ok SPEC - refuse a -drive file= value with a comma (QEMU's
# option separator) or a space (the printed arguments are split by the
# shell).
drive_ok() {
	case $1 in *[,[:space:]]*) die "a disk image's path cannot contain a comma or a space: '$1'" ;; esac
}

# attach KIND BYTES SPEC [FILE] - the next virtio-blk disk; SPEC is the
# -drive file= value.
attach() {
	[ $n -lt 16 ] || die "at most 16 disks"
	drive_ok "$3"
	rest=${letters#?}
	name=vd${letters%"$rest"}
	letters=$rest
	args="$args -drive file=$3,format=raw,if=none,id=disk$n,cache=${CACHE:-writeback}"
	args="$args -device virtio-blk-pci,drive=disk$n,num-queues=1"
	echo "$name $1 $2${4:+ $4}" >> "$table"
	case $1 in
	swap) cmdline_swap="${cmdline_swap:+$cmdline_swap,}$name" ;;
	persist) cmdline_persist=$name ;;
	esac
	n=$((n + 1))
}

# faulty_config FILE IOTYPES - blkdebug rules: I/O of IOTYPES (read,
# write) touching FAULTY_SECTOR fails. (A rule's event only arms it; the
# iotype says which requests it fails.)
faulty_config() {
	for iotype in $2; do
		printf '[inject-error]\nevent = "%s_aio"\niotype = "%s"\nerrno = "5"\nsector = "%s"\nonce = "off"\n\n' \
			$iotype $iotype $FAULTY_SECTOR
	done > "$1"
}

# persistent FILE MIB - make the ext2 image FILE of MIB MiB if it is
# missing, else have e2fsck repair what an unclean stop left.
persistent() {
	PATH=$PATH:/sbin:/usr/sbin
	if [ ! -e "$1" ]; then
		mkdir -p "$(dirname "$1")"
		truncate -s "${2}M" "$1" && chmod 600 "$1" &&
			mkfs.ext2 -q -F -b 1024 -L aspen "$1" > /dev/null || { rm -f "$1"; die "mkfs.ext2 failed"; }
		echo "disks.sh: made the persistent disk $1 (ext2, $2 MiB)" >&2
		return
	fi
	[ -f "$1" ] || die "not a regular file: $1"
	status=0
	e2fsck -p "$1" > "$dir/fsck.log" 2>&1 || status=$?
	[ $status -eq 0 ] || sed 's/^/disks.sh: e2fsck: /' "$dir/fsck.log" >&2
	[ $status -lt 4 ] || die "e2fsck cannot repair $1 by itself: run e2fsck $1"
}

swap=0
others=""   # the disks after the swap disk, one "KIND VALUE" line each
nl='
'
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1 needs a value"
	case $1 in
	--swap) mib_ok "$2"; swap=$2 ;;
	--disk) [ -f "${2%%:*}" ] || die "no such image: ${2%%:*}"; others="${others}disk $2$nl" ;;
	--blank | --faulty | --badread) mib_ok "$2"; [ "$2" -gt 0 ] || die "$1 needs a size"; others="$others${1#--} $2$nl" ;;
	--ext2) mib_ok "${2%%:*}"; others="${others}ext2 $2$nl" ;;
	--persist) others="${others}persist $2$nl" ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$swap" -gt 0 ]; then
	swap_image "$dir/swap.img" "$swap"
	CACHE=unsafe attach swap $((swap << 20)) "$dir/swap.img"
fi
while read -r kind value; do
	case $kind in
	disk)
		file=${value%%:*} kind=disk
		case $value in *:*) kind=${value#*:} ;; esac
		attach "$kind" "$(stat -c %s "$file")" "$file" "$file" ;;
	blank)
		sparse "$dir/blank$n.img" "$value"
		CACHE=unsafe attach blank $((value << 20)) "$dir/blank$n.img" ;;
	ext2)
		mib=${value%%:*} tree=""
		case $value in *:*) tree=${value#*:} ;; esac
		[ -z "$tree" ] || [ -d "$tree" ] || die "no such directory: $tree"
		command -v mkfs.ext2 > /dev/null || PATH=$PATH:/sbin:/usr/sbin
		rm -f "$dir/ext2$n.img"
		mkfs.ext2 -q -F -b 1024 ${tree:+-d "$tree"} "$dir/ext2$n.img" "${mib}M" > /dev/null ||
			die "mkfs.ext2 failed"
		CACHE=unsafe attach ext2 $((mib << 20)) "$dir/ext2$n.img" ;;
	persist)
		file=${value%%:*} mib=256
		case $value in *:*) mib=${value#*:}; mib_ok "$mib" ;; esac
		[ -n "$file" ] || die "--persist needs an image name"
		drive_ok "$file"
		persistent "$file" "$mib"
		attach persist "$(stat -c %s "$file")" "$file" "$file" ;;
	faulty | badread)
		sparse "$dir/faulty$n.img" "$value"
		events="read write"
		[ "$kind" = faulty ] || events=read
		faulty_config "$dir/faulty$n.cfg" "$events"
		CACHE=unsafe attach "$kind" $((value << 20)) "blkdebug:$dir/faulty$n.cfg:$dir/faulty$n.img" ;;
	esac
done <<EOF
$others
EOF
echo "${cmdline_persist:+aspen.persist=$cmdline_persist}${cmdline_persist:+${cmdline_swap:+ }}${cmdline_swap:+aspen.swap=$cmdline_swap}" > "$dir/aspen-cmdline"
echo "$args"
