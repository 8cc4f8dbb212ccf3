/*
 * mqueue.h - POSIX message queues (ipc/mqueue.c, docs/ipc.md).
 */
#ifndef ASPEN_IPC_MQUEUE_H
#define ASPEN_IPC_MQUEUE_H
#include "lib/kernel.h"

struct inode;

/* mqueue_init - the queues' file system (boot, from ipc_init). */
void mqueue_init(void);
/* mqueue_root - its root directory, referenced: what a mount of the
 * mqueue file system (/dev/mqueue) shows. Names are the queues; unlink
 * is mq_unlink; reading a queue gives Linux's status line. */
struct inode *mqueue_root(void);
#endif
