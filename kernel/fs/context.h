/*
 * context.h - what the file system needs from the current process: its
 * descriptor table, its root, cwd and umask, its credentials and its
 * limits. proc/ implements these accessors; unit tests stub them.
 */
#ifndef ASPEN_FS_CONTEXT_H
#define ASPEN_FS_CONTEXT_H
#include "lib/kernel.h"
#include <linux/capability.h>

struct fdtable;    /* fs/fdtable.h */
struct fs_context; /* fs/fdtable.h: root, cwd, umask */

/* current_files - the calling task's descriptor table (never NULL in a syscall). */
struct fdtable *current_files(void);
/* current_fs - the calling task's root, cwd and umask. */
struct fs_context *current_fs(void);
/* current_fsids - the caller's file-system uid and gid (proc/cred.h):
 * the owner of what it creates, and whom access checks compare. */
void current_fsids(uint32_t *uid, uint32_t *gid);
/* current_in_group - gid is the caller's fsgid or one of its
 * supplementary groups. */
bool current_in_group(uint32_t gid);
/* capable - the caller holds capability cap (CAP_*, <linux/capability.h>). */
bool capable(int cap);
/* current_access_begin / current_access_end - act with the real uid and
 * gid as fs ids, and root's capabilities only if the real uid is 0, in
 * between (Linux's access_override_creds). 0 or -ENOMEM. */
int current_access_begin(void);
void current_access_end(void);
/* current_rlimit - the caller's soft limit of resource (RLIMIT_*). */
uint64_t current_rlimit(int resource);
/* current_exceeds_fsize - a write or truncate would take a regular file
 * to end past RLIMIT_FSIZE: SIGXFSZ to the caller, and true. */
bool current_exceeds_fsize(uint64_t end);
#endif
