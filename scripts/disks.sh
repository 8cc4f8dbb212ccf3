#!/bin/sh
# disks.sh DIR [--swap MIB] [--disk FILE]... [--blank MIB]... [--faulty MIB]...
#
# Make the disks of one Aspen boot and print the QEMU arguments that
# attach them (virtio-blk PCI, legacy transport), in this order: the swap
# disk first, then the others in the order given. Aspen names them vda,
# vdb, ... in that order. Fresh images go in DIR (the caller removes it
# after the boot; each boot has its own, so boots may run side by side):
#
#   --swap MIB    a sparse image of MIB MiB formatted by the host's mkswap
#                 (0: no swap disk)
#   --disk FILE   an existing raw image, attached read-write as it is
#   --blank MIB   a sparse image of MIB MiB of zeros
#   --faulty MIB  as --blank, but every read or write touching sector 8
#                 (bytes 4096-4607) fails with EIO (QEMU's blkdebug)
#   --badread MIB as --faulty, but only reads fail: what is written there
#                 cannot be read back (a swap slot gone bad: slot 1)
#
# DIR/aspen-disks lists them, one line each: NAME KIND BYTES [FILE]
# (kind swap, disk, blank, faulty or badread), for the guest to find its disks.
set -eu
FAULTY_SECTOR=8

[ $# -ge 1 ] || { sed -n '2p' "$0" | sed 's/^# */usage: /' >&2; exit 2; }
dir=$1
shift
mkdir -p "$dir"
table=$dir/aspen-disks
: > "$table"
n=0
args=""
names=abcdefghijklmnop

die() {
	echo "disks.sh: $*" >&2
	exit 1
}

# mib_ok VALUE - a whole number of MiB.
mib_ok() {
	case $1 in '' | *[!0-9]*) die "not a size in MiB: $1" ;; esac
}

# sparse FILE MIB - a sparse file of MIB MiB.
sparse() {
	rm -f "$1"
	truncate -s "${2}M" "$1"
	chmod 600 "$1"
}

# attach KIND BYTES SPEC [FILE] - the next virtio-blk disk; SPEC is the
# -drive file= value.
attach() {
	[ $n -lt 16 ] || die "at most 16 disks"
	name=vd$(echo $names | cut -c$((n + 1)))
	args="$args -drive file=$3,format=raw,if=none,id=disk$n,cache=${CACHE:-writeback}"
	args="$args -device virtio-blk-pci,drive=disk$n,num-queues=1"
	echo "$name $1 $2${4:+ $4}" >> "$table"
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

swap=0
others=$dir/.others
: > "$others"
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1 needs a value"
	case $1 in
	--swap) mib_ok "$2"; swap=$2 ;;
	--disk) [ -f "$2" ] || die "no such image: $2"; echo "disk $2" >> "$others" ;;
	--blank | --faulty | --badread) mib_ok "$2"; [ "$2" -gt 0 ] || die "$1 needs a size"; echo "${1#--} $2" >> "$others" ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done

if [ "$swap" -gt 0 ]; then
	command -v mkswap > /dev/null || PATH=$PATH:/sbin:/usr/sbin
	sparse "$dir/swap.img" "$swap"
	mkswap -q "$dir/swap.img" > /dev/null 2>&1 || die "mkswap failed"
	CACHE=unsafe attach swap $((swap << 20)) "$dir/swap.img"
fi
while read -r kind value; do
	case $kind in
	disk)
		case $value in *,*) die "image names cannot contain a comma: $value" ;; esac
		attach disk "$(stat -c %s "$value")" "$value" "$value" ;;
	blank)
		sparse "$dir/blank$n.img" "$value"
		CACHE=unsafe attach blank $((value << 20)) "$dir/blank$n.img" ;;
	faulty | badread)
		sparse "$dir/faulty$n.img" "$value"
		events="read write"
		[ "$kind" = faulty ] || events=read
		faulty_config "$dir/faulty$n.cfg" "$events"
		CACHE=unsafe attach "$kind" $((value << 20)) "blkdebug:$dir/faulty$n.cfg:$dir/faulty$n.img" ;;
	esac
done < "$others"
rm -f "$others"
echo "$args"
