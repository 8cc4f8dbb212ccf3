/*
 * procfs.h - /proc: a synthetic file system that shows processes and
 * the system in Linux's formats (docs/proc.md lists every file).
 *
 * Nothing is stored: each lookup makes a small inode naming what it
 * shows (a table entry, a pid, a tid, a descriptor), and each read
 * builds the text from the live kernel structures. A process that has
 * gone makes its files read as ESRCH/ENOENT.
 *
 * Internal interface between procfs.c (the file system), pid.c (files
 * of one process), sys.c (files of the system), mem.c (maps, smaps,
 * pagemap, kpagecount), sysctl.c (the /proc/sys tree) and path.c (the
 * path of an inode).
 */
#ifndef ASPEN_FS_PROCFS_H
#define ASPEN_FS_PROCFS_H
#include "proc/sched.h"
#include "lib/kernel.h"
#include "fs/vfs.h"
#include "proc/task.h"

/* procfs_init - make /proc and mount procfs on it. Boot, after
 * devfs_init. Panics on failure. */
void procfs_init(void);

/* procfs_owns - is inode a procfs inode? */
bool procfs_owns(struct inode *inode);
/* procfs_node_of - what a procfs inode names. */
const struct procfs_node *procfs_node_of(struct inode *inode);
/* procfs_file_path - the path of a procfs inode that is not a directory. */
int procfs_file_path(struct inode *inode, char *buf, size_t size);

/* ---- text built for a read (procfs.c) ---- */

/* A growing kernel buffer; after an allocation failure `failed` is set
 * and further output is dropped. */
struct pbuf {
	char *data;
	size_t len, cap;
	bool failed;
};

void pbuf_printf(struct pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pbuf_put(struct pbuf *b, const void *data, size_t len);
/* pbuf_pad - spaces up to column col of the current line, then one more
 * (Linux's seq_pad). */
void pbuf_pad(struct pbuf *b, size_t col);

/* ---- what a procfs inode names ---- */

struct procfs_entry;

struct procfs_node {
	const struct procfs_entry *entry;
	int pid;        /* thread group, 0 for system files */
	int tid;        /* a thread of it (the task/TID files), else 0;
	                 * a /proc/sys directory: the length of its path */
	int fd;         /* a descriptor (fd/N), else -1; /proc/sys: the
	                 * (first) tunable, an index of sysctl_at */
};

/*
 * One name in a directory. Exactly one of show (a text file), read (a
 * binary file read at any offset), fops (its own file operations), link
 * (a symlink) or dir (a directory:
 * its entries, or NULL with list set for a dynamic directory) applies.
 * A text file may also take writes (write: the bytes taken or -errno).
 */
struct procfs_entry {
	const char *name;
	uint32_t mode;
	int (*show)(const struct procfs_node *n, struct pbuf *b);
	long (*write)(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos);
	long (*read)(const struct procfs_node *n, char *ubuf, size_t len, uint64_t pos);
	int (*link)(const struct procfs_node *n, char *buf, size_t size);
	const struct procfs_entry *dir;       /* entries, ending with a NULL name */
	unsigned flags;
	const struct file_ops *fops;          /* a file with operations of its own (aspen.c) */
};
#define PROCFS_NOT_IN_TASK 0x1    /* absent from task/TID/ (e.g. "task" itself) */
#define PROCFS_PID_LIST    0x2    /* the directory lists pids (the root) */
#define PROCFS_TID_LIST    0x4    /* lists the threads (task/) */
#define PROCFS_FD_LIST     0x8    /* lists the descriptors (fd/) */
#define PROCFS_SYSCTL      0x10   /* a /proc/sys directory */

extern const struct procfs_entry procfs_root_entries[];
extern const struct procfs_entry procfs_pid_entries[];
extern const struct procfs_entry procfs_fd_entry;     /* fd/N symlinks */
extern const struct procfs_entry procfs_pid_dir_entry; /* /proc/PID and task/TID */
extern const struct file_ops procfs_pidmem_fops;      /* /proc/PID/mem (mem.c) */

/* ---- a snapshot of one process (pid.c) ---- */

struct mm;
struct fdtable;
struct fs_context;

#define PROCFS_WANT_MM    0x1
#define PROCFS_WANT_FILES 0x2
#define PROCFS_WANT_FS    0x4

struct proc_snapshot {
	int pid, tid, ppid, pgid, sid;
	int tracer_pid;                /* the tracing process's pid, or 0 */
	int seccomp_mode, seccomp_filters; /* the thread's (the leader's) */
	int nthreads;
	char state;                   /* R S D T Z */
	char comm[16];
	struct cred *cred;            /* referenced: the task's, or the process's (its leader's) */
	bool dumpable;                /* else its files belong to root (Linux's task_dump_owner) */
	uint64_t start_ns;
	int exit_signal;
	int oom_score_adj;
	uint64_t minor_faults, cow_copies, cow_reuses, zero_fills, pt_unshares, major_faults;
	struct cpu_times times, child_times;   /* CPU time */
	struct sched_report sched;    /* the thread's, or the leader's */
	struct mm *mm;                /* referenced when asked for and alive */
	struct fdtable *files;        /* likewise */
	struct fs_context *fs;        /* likewise */
};

/* proc_snapshot_take - fill s from process n->pid (thread n->tid when
 * set), taking the references want asks for. 0 or -ENOENT (gone).
 * Takes tasklist_lock; may sleep (the caller must not hold locks). */
int proc_snapshot_take(const struct procfs_node *n, unsigned want, struct proc_snapshot *s);
/* proc_snapshot_drop - release the references. May sleep. */
void proc_snapshot_drop(struct proc_snapshot *s);
/* proc_exists - is pid a live or zombie process (tid, when nonzero, a
 * live thread of it)? */
bool proc_exists(int pid, int tid);
/* proc_next_pid - the smallest process id >= from, or 0. */
int proc_next_pid(int from);
/* proc_next_tid - the smallest thread id >= from of process pid, or 0. */
int proc_next_tid(int pid, int from);
/* proc_count_tasks - threads that are running or runnable, all threads,
 * and the highest pid in use. */
void proc_count_tasks(int *running, int *total, int *last_pid);
/* proc_next_fd - the smallest open descriptor >= from of pid, or -1. */
int proc_next_fd(int pid, int from);

/* ---- the files (pid.c, mem.c, sys.c) ---- */

int proc_show_status(const struct procfs_node *n, struct pbuf *b);
/* sched.c: /proc/PID/sched, and status's scheduling lines. */
int proc_show_sched(const struct procfs_node *n, struct pbuf *b);
void proc_status_sched(struct pbuf *b, const struct proc_snapshot *s);
int proc_show_stat(const struct procfs_node *n, struct pbuf *b);
int proc_show_statm(const struct procfs_node *n, struct pbuf *b);
int proc_show_cmdline(const struct procfs_node *n, struct pbuf *b);
int proc_show_environ(const struct procfs_node *n, struct pbuf *b);
int proc_show_comm(const struct procfs_node *n, struct pbuf *b);
long proc_write_comm(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos);
int proc_show_limits(const struct procfs_node *n, struct pbuf *b);
/* mounts.c: the mount table. */
int proc_show_mounts(const struct procfs_node *n, struct pbuf *b);
int proc_show_mountinfo(const struct procfs_node *n, struct pbuf *b);
int proc_link_exe(const struct procfs_node *n, char *buf, size_t size);
int proc_link_cwd(const struct procfs_node *n, char *buf, size_t size);
int proc_link_root(const struct procfs_node *n, char *buf, size_t size);
int proc_link_fd(const struct procfs_node *n, char *buf, size_t size);
int proc_link_object(const struct procfs_node *n, struct inode **out);

int proc_show_maps(const struct procfs_node *n, struct pbuf *b);
int proc_show_smaps(const struct procfs_node *n, struct pbuf *b);
int proc_show_ptables(const struct procfs_node *n, struct pbuf *b);
long proc_read_pagemap(const struct procfs_node *n, char *ubuf, size_t len, uint64_t pos);
long proc_read_kpagecount(const struct procfs_node *n, char *ubuf, size_t len, uint64_t pos);
/* proc_mem_totals - the Vm* figures of status and statm, in pages. */
struct proc_mem_totals {
	uint64_t size, rss, anon, file, shmem, data, stack, exe, shared_pages;
	uint64_t swap, locked;
	uint64_t pgtables, pgtables_shared;   /* page-table pages; shared last-level ones */
};
int proc_mem_totals(struct mm *mm, struct proc_mem_totals *t);

int sys_show_meminfo(const struct procfs_node *n, struct pbuf *b);
int sys_show_uptime(const struct procfs_node *n, struct pbuf *b);
int sys_show_loadavg(const struct procfs_node *n, struct pbuf *b);
int sys_show_stat(const struct procfs_node *n, struct pbuf *b);
int sys_show_cpuinfo(const struct procfs_node *n, struct pbuf *b);
int sys_show_version(const struct procfs_node *n, struct pbuf *b);
int sys_show_cmdline(const struct procfs_node *n, struct pbuf *b);
int sys_show_filesystems(const struct procfs_node *n, struct pbuf *b);
int sys_show_vmstat(const struct procfs_node *n, struct pbuf *b);
int sys_show_config_gz(const struct procfs_node *n, struct pbuf *b);
/* block.c: the disks. */
int sys_show_partitions(const struct procfs_node *n, struct pbuf *b);
int sys_show_diskstats(const struct procfs_node *n, struct pbuf *b);
int sys_show_swaps(const struct procfs_node *n, struct pbuf *b);
int proc_show_oom_score(const struct procfs_node *n, struct pbuf *b);
int proc_show_oom_score_adj(const struct procfs_node *n, struct pbuf *b);
int proc_show_oom_adj(const struct procfs_node *n, struct pbuf *b);
long proc_write_oom_score_adj(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos);
long proc_write_oom_adj(const struct procfs_node *n, const char *ubuf, size_t len, uint64_t pos);
int proc_show_coredump_filter(const struct procfs_node *n, struct pbuf *b);
long proc_write_coredump_filter(const struct procfs_node *n, const char *ubuf, size_t len,
				uint64_t pos);
extern const struct file_ops procfs_trace_fops;   /* /proc/aspen-trace (aspen.c) */
extern const struct file_ops procfs_profile_fops; /* /proc/profile (aspen.c) */
int sys_link_self(const struct procfs_node *n, char *buf, size_t size);
int sys_link_thread_self(const struct procfs_node *n, char *buf, size_t size);

/* ---- /proc/sys (sysctl.c) ---- */

extern const struct procfs_entry procfs_sysctl_dir_entry;
extern const struct procfs_entry procfs_sysctl_file_entry;
/* sysctl_tree_lookup - the child name of /proc/sys directory d into
 * *out; 0 or -ENOENT. */
int sysctl_tree_lookup(const struct procfs_node *d, const char *name, size_t len,
		       struct procfs_node *out);
/* sysctl_tree_next - the first child of d whose first tunable has an
 * index >= *i: sets *i to that index, *child and its name; false when
 * there is none. */
bool sysctl_tree_next(const struct procfs_node *d, size_t *i, struct procfs_node *child,
		      char *name, size_t size);
/* sysctl_tree_parent - the directory holding node n. */
struct procfs_node sysctl_tree_parent(const struct procfs_node *n);
/* sysctl_tree_mode - the mode of a /proc/sys node. */
uint32_t sysctl_tree_mode(const struct procfs_node *n);
/* sysctl_tree_permission - Linux's access rule for /proc/sys: 0 or -EACCES. */
int sysctl_tree_permission(const struct procfs_node *n, int mask);
/* sysctl_tree_path - "/proc/sys/..." of a file node; 0 or -ENAMETOOLONG. */
int sysctl_tree_path(const struct procfs_node *n, char *buf, size_t size);

/* ---- paths (path.c) ---- */

/* procfs_inode_path - the absolute path naming inode in the name space
 * (directories through "..", other files by searching the tree from the
 * root; procfs itself is not searched). 0, -ENOENT (not found, or the
 * file has no name left), -ENAMETOOLONG.
 * May sleep; call with no lock held. */
int procfs_inode_path(struct inode *inode, char *buf, size_t size);
#endif
