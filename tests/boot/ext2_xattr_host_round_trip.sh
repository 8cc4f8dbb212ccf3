# ext2_xattr_host_round_trip - extended attributes cross between the
# host's e2fsprogs and Aspen's ext2 in Linux's on-disk format: the host
# makes an image (128-byte inodes, so every attribute is in the block
# i_file_acl names, where Linux's ext2 keeps them) and sets three with
# debugfs' ea_set, and gives a second file the same block (h_refcount 2,
# as Linux's ext2 shares identical blocks); Aspen reads them, changes,
# adds and removes some (ext2_xattr's ext2_xattr_host_image test), which
# must give the first file a block of its own and leave the second the
# shared one; then the host's e2fsck finds the image clean (hashes,
# sorting, value offsets, refcounts, i_blocks) and debugfs' ea_list
# reads what Aspen wrote.
name=ext2_xattr_host_round_trip
. tests/boot/exec_lib.sh
img=$dir/disk.img

need_tools mkfs.ext2 e2fsck debugfs
mkfs.ext2 -q -F -b 1024 -I 128 "$img" 16M > /dev/null 2>&1 || fail "mkfs.ext2 failed"
echo host > "$dir/host.txt"
head -c 300 /dev/zero | tr '\0' x > "$dir/big"
debugfs -w -f - "$img" > /dev/null 2>&1 << END || fail "debugfs could not set the attributes"
write $dir/host.txt xattr-host
write $dir/host.txt xattr-shared
ea_set /xattr-host user.host hostvalue
ea_set /xattr-host trusted.t tv
ea_set -f $dir/big /xattr-host user.big
END
debugfs -R 'ea_list /xattr-host' "$img" 2> /dev/null | grep -q 'user.big (300)' ||
	fail "the host's debugfs did not set the attributes"
# acl_block FILE - the attribute block of FILE in the image.
acl_block() {
	debugfs -R "stat /$1" "$img" 2> /dev/null | sed -n 's/.*File ACL: \([0-9]*\).*/\1/p'
}
shared=$(acl_block xattr-host)
debugfs -w -f - "$img" > /dev/null 2>&1 << END || fail "debugfs could not share the block"
sif /xattr-shared file_acl $shared
sif /xattr-shared blocks 4
END
printf '\002' | dd of="$img" bs=1 seek=$((shared * 1024 + 4)) conv=notrunc 2> /dev/null
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors in the host's image"

aspen_exec --swap 0 --disk "$img:ext2" -- /tests/musl/ext2_xattr ext2_xattr_host_image ||
	fail "the guest test failed"
grep -q '^ok ext2_xattr_host_image' "$out" || fail "the guest test did not pass"
frames_back
e2fsck -fn "$img" >> "$out" 2>&1 || fail "e2fsck -fn found errors after Aspen's changes"
host=$(debugfs -R 'ea_list /xattr-host' "$img" 2> /dev/null)
aspen=$(debugfs -R 'ea_list /xattr-aspen' "$img" 2> /dev/null)
echo "$host" "$aspen" >> "$out"
for want in 'user.host (9) = "hostvalue"' 'user.aspen (10) = "from aspen"' 'trusted.t (7) = "changed"'; do
	echo "$host" | grep -qF "$want" || fail "debugfs does not find $want on /xattr-host"
done
echo "$host" | grep -q 'user.big' && fail "user.big is still on /xattr-host"
[ "$(acl_block xattr-shared)" = "$shared" ] || fail "/xattr-shared lost the shared block"
[ "$(acl_block xattr-host)" != "$shared" ] || fail "/xattr-host changed the shared block in place"
shared_list=$(debugfs -R 'ea_list /xattr-shared' "$img" 2> /dev/null)
echo "$shared_list" >> "$out"
for want in 'user.host (9) = "hostvalue"' 'trusted.t (2) = "tv"' 'user.big (300)'; do
	echo "$shared_list" | grep -qF "$want" || fail "debugfs does not find $want on /xattr-shared"
done
for want in 'user.one (1) = "1"' 'security.two (2) = "22"' 'trusted.three (3) = "333"' 'user.zz (4) = "last"' 'user.empty (0)'; do
	echo "$aspen" | grep -qF "$want" || fail "debugfs does not find $want on /xattr-aspen"
done
echo "ok $name"
