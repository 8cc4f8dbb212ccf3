/*
 * dev.h - the memory character devices and /dev.
 */
#ifndef ASPEN_FS_DEV_H
#define ASPEN_FS_DEV_H
#include "lib/kernel.h"

struct file;

/* dev_maps_anonymous - mmap of f gives anonymous memory (/dev/zero). */
bool dev_maps_anonymous(const struct file *f);

/* devfs_init - make /dev and /dev/shm (mode 1777) in the root file system
 * and register /dev/null (1,3), zero (1,5), full (1,7), random (1,8) and
 * urandom (1,9). After vfs_init; boot, once. Panics on failure. */
void devfs_init(void);
#endif
