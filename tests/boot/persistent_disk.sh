# persistent_disk - make run's persistent disk (PERSIST, docs/ext2.md):
# the boots go through the same path (scripts/disks.sh --persist, the
# kernel's aspen.persist=, init mounting it at /disk).
#  1. the image does not exist: disks.sh makes it; the boot writes files
#     and leaves with busybox's poweroff (init ends everything, unmounts);
#     the host's e2fsck -fn finds it clean.
#  2. the next boot finds every file; it writes one with fsync (dd
#     conv=fsync, then sync on the directory) and loses power at once
#     (poweroff -f -n: no sync, no unmount).
#  3. disks.sh's e2fsck -p repairs what the power cut left; the fsynced
#     file is whole; a clean poweroff; e2fsck -fn finds the image clean.
name=persistent_disk
. tests/boot/exec_lib.sh
img=$dir/disk.img

# boot SCRIPT - run sh -c SCRIPT in Aspen with the persistent disk $img;
# the exit status is aspen-exec's.
boot() {
	aspen_exec --swap 0 --persist "$img:24" -- sh -c "$1"
}

need_tools mkfs.ext2 e2fsck dumpe2fs

boot 'grep " /disk ext2 rw" /proc/mounts && cd /disk && echo kept > kept.txt &&'\
' mkdir -p d/e && seq 1 5000 > d/e/numbers && mv d/e/numbers d/numbers && echo gone > gone &&'\
' rm gone && dd if=/dev/urandom of=rand bs=1k count=300 2> /dev/null && md5sum rand > rand.md5 &&'\
' poweroff && sleep 30; echo "poweroff did not stop the program"' || fail "the first boot failed"
grep -q 'made the persistent disk' "$out" || fail "disks.sh did not make the image"
grep -q 'poweroff did not' "$out" && fail "poweroff did not stop the machine"
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors after a clean poweroff"
boot 'cd /disk && cat kept.txt && test ! -e gone && test ! -e d/e/numbers &&'\
' [ "$(sed -n 4321p d/numbers)" = 4321 ] && md5sum -c rand.md5 &&'\
' echo durable | dd of=synced conv=fsync 2> /dev/null && sync /disk &&'\
' poweroff -f -n'
grep -q '^kept$' "$out" && grep -q 'rand: OK' "$out" || fail "the second boot did not find the files"
grep -q 'no exit status from init' "$out" || fail "the second boot did not lose power"
dumpe2fs -h "$img" 2> /dev/null | grep -q '^Filesystem state: *not clean' ||
	fail "the image is clean after the power cut"
boot 'cat /disk/synced && poweroff' || fail "the third boot failed"
grep -q '^durable$' "$out" || fail "the fsynced file did not survive the power cut"
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors at the end"
echo "ok $name"
