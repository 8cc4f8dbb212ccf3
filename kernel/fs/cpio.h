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
/*
 * cpio_unpack_consuming - cpio_unpack, calling consumed(upto) (if not
 * NULL) after each entry is made: the bytes [0, upto) of the archive
 * will not be read again, so the caller may free them (the boot gives
 * the initramfs's frames back as it goes, so that unpacking needs RAM
 * for the files only, not for the files and the whole archive).
 */
int cpio_unpack_consuming(struct inode *root, const void *data, size_t len, void (*consumed)(size_t upto));
#endif
