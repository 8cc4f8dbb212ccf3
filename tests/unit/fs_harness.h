/*
 * fs_harness.h - what the file-system unit tests share: a fake RAM for
 * the real frame allocator and heap, user copies as memcpy, and one
 * "current process" with a descriptor table and fs context over a fresh
 * ramfs root.
 */
#ifndef ASPEN_TEST_FS_HARNESS_H
#define ASPEN_TEST_FS_HARNESS_H
#include "fs/fdtable.h"
#include "fs/vfs.h"

struct fs_fixture {
	struct inode *root;
	uint64_t frames_before;
};

/* The caller's ids as current_fsids() reports them (default root, with
 * every capability). */
extern uint32_t test_uid, test_gid;
/* The caller's RLIMIT_NOFILE as current_rlimit() reports it. */
#define TEST_NOFILE 1024

/* fs_fixture_begin - fresh RAM accounting, a new ramfs as root and cwd of
 * the current process, and an empty descriptor table. */
void fs_fixture_begin(struct fs_fixture *fx);
/* fs_fixture_end - drop the process's table and context and the root;
 * returns true if every frame (file pages and heap) came back. */
bool fs_fixture_end(struct fs_fixture *fx);
#endif
