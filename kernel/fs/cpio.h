/*
 * cpio.h - unpacking the initramfs: a cpio archive in "newc" format.
 */
#ifndef ASPEN_FS_CPIO_H
#define ASPEN_FS_CPIO_H
#include "fs/vfs.h"

/*
 * cpio_unpack - create the archive's files, directories, symlinks, hard
 * links and device nodes under root, with their modes, owners and
 * mtimes. Accepts "070701" (newc) and "070702" (newc with checksums,
 * not verified) entries up to "TRAILER!!!"; parent directories are made
 * as needed and existing non-directories are replaced. Returns 0, or
 * -EINVAL for a malformed or truncated archive (what was unpacked before
 * the bad entry stays; nothing leaks; an entry that clashes with what
 * exists counts as malformed), -ENOMEM. Boot time; may sleep.
 */
int cpio_unpack(struct inode *root, const void *data, size_t len);
#endif
