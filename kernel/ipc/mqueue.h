/*
 * mqueue.h - POSIX message queues (ipc/mqueue.c, docs/ipc.md).
 */
#ifndef ASPEN_IPC_MQUEUE_H
#define ASPEN_IPC_MQUEUE_H
#include "lib/kernel.h"

struct inode;

/* mqueue_init - the queues' file system, registered as "mqueue" for
 * mount (boot, from ipc_init, after mount_init). */
void mqueue_init(void);
#endif
