/*
 * context.h - what the file system needs from the current process:
 * its descriptor table and its root, cwd and umask. proc/ implements
 * these two accessors; unit tests stub them.
 */
#ifndef ASPEN_FS_CONTEXT_H
#define ASPEN_FS_CONTEXT_H
#include "lib/kernel.h"

struct fdtable;    /* fs/fdtable.h */
struct fs_context; /* fs/fdtable.h: root, cwd, umask */

/* current_files - the calling task's descriptor table (never NULL in a syscall). */
struct fdtable *current_files(void);
/* current_fs - the calling task's root, cwd and umask. */
struct fs_context *current_fs(void);
/* current_ids - the caller's real/effective uid and gid, for permission checks. */
void current_ids(uint32_t *uid, uint32_t *gid);
#endif
