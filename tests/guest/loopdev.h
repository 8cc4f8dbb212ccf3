/*
 * loopdev.h - attach a loop device to a file, for guest tests that need
 * a disk on Linux (where no harness disk exists) or that test loop
 * devices themselves. Retries when another program takes the free device
 * first (tests on the host run side by side with others).
 */
#ifndef ASPEN_LOOPDEV_H
#define ASPEN_LOOPDEV_H
#include "gtest.h"
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>

#define LOOP_ATTACH_TRIES 8

/*
 * loop_attach - configure a free loop device over the open file backing
 * with lo_flags and name (lo_file_name); returns a descriptor of the
 * device opened with open_flags (O_RDWR or O_RDONLY) and puts its path in
 * path (size bytes), or -1 with errno (ENOENT: no /dev/loop-control).
 */
static inline int loop_attach(int backing, uint32_t lo_flags, const char *name, int open_flags,
			      char *path, size_t size)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), fd = -1;

	if (ctl < 0)
		return -1;
	for (int tries = 0; tries < LOOP_ATTACH_TRIES && fd < 0; tries++) {
		struct loop_config cfg = { .fd = (unsigned)backing };
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0)
			break;
		snprintf(path, size, "/dev/loop%d", n);
		cfg.info.lo_flags = lo_flags;
		snprintf((char *)cfg.info.lo_file_name, LO_NAME_SIZE, "%s", name);
		fd = open(path, open_flags | O_CLOEXEC);
		if (fd >= 0 && ioctl(fd, LOOP_CONFIGURE, &cfg) != 0) {
			int e = errno;

			close(fd);
			fd = -1;
			errno = e;
			if (e != EBUSY)
				break;
		}
	}
	close(ctl);
	return fd;
}
#endif
