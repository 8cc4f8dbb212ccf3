# ext2_survives_reboot - an ext2 image made on the host by mkfs.ext2 keeps
# what Aspen writes to it across two boots: the first boot runs the ext2
# guest test on it (which leaves the tree as it found it) and then
# creates, copies, renames, links and removes files and unmounts; the
# host's e2fsck finds the image clean; the second boot finds every
# change, checksums intact; the host's debugfs reads Aspen's file too.
name=ext2_survives_reboot
. tests/boot/exec_lib.sh
img=$dir/disk.img

# boot COMMAND - run COMMAND in Aspen with the image as vda (kind ext2).
boot() {
	aspen_exec --swap 0 --disk "$img:ext2" -- "$@"
}

need_tools mkfs.ext2 e2fsck debugfs
mkfs.ext2 -q -F -b 1024 -d tests/guest/ext2-tree "$img" 16M > /dev/null || fail "mkfs.ext2 failed"

boot /tests/musl/ext2 || fail "the ext2 guest test failed on the image"
grep -Eq '^# [1-9][0-9]* passed, 0 failed, 0 skipped' "$out" || fail "the ext2 guest test did not pass"
boot sh -c 'mkdir -p /m && mount -t ext2 /dev/vda /m && cd /m &&'\
' echo persisted > new.txt && mkdir newdir && cp dir/notes.txt newdir/copy &&'\
' mv hello.txt newdir/ && ln -s newdir/copy newlink && rm link &&'\
' dd if=/dev/urandom of=rand bs=1k count=700 2> /dev/null && md5sum rand > rand.md5 &&'\
' rm -r dir/sub && cd / && umount /m' || fail "the first boot's changes failed"
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors after the first boot"
boot sh -c 'mkdir -p /m && mount -t ext2 /dev/vda /m && cd /m &&'\
' cat new.txt && cmp newdir/copy dir/notes.txt && readlink newlink &&'\
' test -f newdir/hello.txt && test ! -e link && test ! -e dir/sub && md5sum -c rand.md5 &&'\
' cd / && umount /m' || fail "the second boot did not find the changes"
grep -q '^persisted$' "$out" && grep -q '^newdir/copy$' "$out" && grep -q 'rand: OK' "$out" ||
	fail "the second boot's output is wrong"
[ "$(debugfs -R 'cat /new.txt' "$img" 2> /dev/null)" = persisted ] || fail "debugfs reads another new.txt"
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors after the second boot"
echo "ok $name"
