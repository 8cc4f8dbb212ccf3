/*
 * pidfd.h - process file descriptors (pidfd_open, CLONE_PIDFD): a file
 * that names one process however its pid is reused later, for
 * pidfd_send_signal, pidfd_getfd, waitid(P_PIDFD) and poll (readable
 * once the process has exited).
 *
 * A process's pidfds share one struct pidfd_ref with it: the process
 * holds a reference until it is reaped, each pidfd one until it closes.
 */
#ifndef ASPEN_PROC_PIDFD_H
#define ASPEN_PROC_PIDFD_H
#include "lib/kernel.h"
#include "sync/wait.h"

struct process;
struct file;

/* Locks: (a) atomic; (T) tasklist_lock; (c) constant. */
struct pidfd_ref {
	uint32_t refcount;       /* (a) the process's until reaped, and each pidfd's */
	struct process *proc;    /* (T) NULL once reaped */
	bool exited;             /* (T) the process is a zombie or gone */
	struct wait_queue wq;    /* pollers, woken at exit and at reaping */
};

/* pidfd_process_locked - the process f names, if f is a pidfd and the
 * process is not yet reaped; else NULL. *ok is false when f is not a
 * pidfd. tasklist_lock held. */
struct process *pidfd_process_locked(struct file *f, bool *ok);
/* pidfd_ref_of - the pidfd_ref of pidfd file f, or NULL if f is none. */
struct pidfd_ref *pidfd_ref_of(struct file *f);
/* pidfd_open_process - a new pidfd (O_RDWR | flags, close-on-exec) on
 * the process pid: the descriptor, -ESRCH (no such process), -EINVAL (a
 * thread, not a process), -ENOMEM, -EMFILE. */
long pidfd_open_process(int pid, unsigned flags);
/* CLONE_PIDFD: pidfd_prepare, before the child exists, installs a
 * pidfd naming no process yet at the caller's lowest free descriptor
 * (the descriptor, or -ENOMEM, -EMFILE) and gives *ref, with a
 * reference that pidfd_attach_child_locked hands to the child at the
 * commit point (tasklist_lock held), or pidfd_unprepare drops with the
 * descriptor if the clone fails. */
long pidfd_prepare(struct pidfd_ref **ref);
void pidfd_attach_child_locked(struct pidfd_ref *ref, struct process *p);
void pidfd_unprepare(struct pidfd_ref *ref, int fd);
/* pidfd_exited_locked / pidfd_reaped_locked - p became a zombie / left
 * the process table: wake its pidfds' pollers (and let go of the ref).
 * tasklist_lock held. */
void pidfd_exited_locked(struct process *p);
void pidfd_reaped_locked(struct process *p);
#endif
