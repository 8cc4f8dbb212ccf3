/*
 * keys.h - the key retention service (add_key, request_key, keyctl;
 * docs/keys.md): what the rest of the kernel calls. A task has a thread
 * keyring and a session keyring, its process a process keyring, each
 * made on first use (kernel/keys/process_keys.c).
 */
#ifndef ASPEN_KEYS_KEYS_H
#define ASPEN_KEYS_KEYS_H
#include "lib/kernel.h"

struct task;
struct process;
struct key;
struct procfs_node;
struct pbuf;

/* keys_task_fork - the new task c (not yet running) shares the caller's
 * session keyring; a new thread gets a thread keyring of its own when
 * the caller has one (as Linux's copy_creds), a new process none, nor a
 * process keyring (its struct is zeroed). 0 or -ENOMEM. Takes keys_lock. */
int keys_task_fork(struct task *c, bool thread);
/* keys_exec - a new program drops the caller's thread and process
 * keyrings and keeps its session keyring, as Linux. Takes keys_lock. */
void keys_exec(struct task *t);
/* keys_task_release - a freed task's keyrings go (task_free). */
void keys_task_release(struct task *t);
/* keys_process_release - a freed process's keyring goes. */
void keys_process_release(struct process *p);
/* proc_show_keys - /proc/keys (kernel/keys/proc_keys.c). */
int proc_show_keys(const struct procfs_node *n, struct pbuf *b);
#endif
