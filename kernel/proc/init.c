/*
 * init.c - from the booted kernel to the first user process.
 *
 * The boot CPU's context becomes the idle task (pid 0, like Linux's
 * swapper). The root file system is built from the initramfs, the
 * console devices are registered, and pid 1 is made: a task that, when
 * first scheduled, execs init= (default /sbin/init) with the console
 * as its standard input, output and error.
 */
#include "proc/task.h"
#include "proc/prctl.h"
#include "proc/sched.h"
#include "proc/exec.h"
#include "proc/cred.h"
#include "proc/rlimit.h"
#include "boot.h"
#include "mm/kmalloc.h"
#include "mm/phys.h"
#include "mm/frame.h"
#include "fs/vfs.h"
#include "fs/dev.h"
#include "fs/procfs/procfs.h"
#include "fs/cpio.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/random.h"
#include "block/blkdev.h"
#include "fs/mount.h"
#include "tty/tty.h"
#include "time/clock.h"
#include "mm/vm.h"
#include "mm/vdso.h"
#include "mm/reclaim.h"
#include "ipc/ipc.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/fcntl.h>

struct process *init_process;
struct process swapper_process = { .comm = "swapper" };   /* pid 0: the idle tasks' */
static struct task idle_task_struct;


/* A root, cwd and umask context at the name space's root. */
static struct fs_context *root_fs_context(void)
{
	struct inode *root = vfs_root();
	struct fs_context *fs = fs_context_alloc(root, root);   /* takes its own references */
	inode_put(root);
	return fs;
}

static void unpack_initramfs(void)
{
	if (!boot_info.initrd_end) {
		pr_warn("boot: no initramfs given (-initrd)\n");
		return;
	}
	size_t len = boot_info.initrd_end - boot_info.initrd_start;
	struct inode *root = vfs_root();
	int err = cpio_unpack_consuming(root, phys_to_virt(boot_info.initrd_start), len, boot_release_initrd_upto);
	inode_put(root);
	if (err)
		pr_err("boot: initramfs unpacking failed (%d)\n", err);
	boot_release_initrd();
}

/* Descriptors 0, 1, 2 on /dev/console, as Linux gives init. */
static struct fdtable *console_fds(void)
{
	struct fdtable *t = fdtable_alloc();
	struct inode *ip;
	struct file *f;
	if (!t || vfs_lookup_at(NULL, "/dev/console", LOOKUP_FOLLOW, &ip))
		panic("init: no /dev/console");
	int err = file_open_inode(ip, O_RDWR, &f);
	inode_put(ip);
	if (err)
		panic("init: cannot open /dev/console (%d)", err);
	for (int fd = 0; fd < 3; fd++)
		fd_install(t, file_get(f), fd, false);
	file_put(f);
	return t;
}

/* The first thing pid 1 does: become the init program. */
static void init_first_run(void *arg)
{
	task_first_run_unlock();
	const char *tries[] = { boot_options.init, "/sbin/init", "/bin/sh" };
	const char *envp[] = { "HOME=/", "TERM=linux", "PATH=/bin:/sbin:/usr/bin:/usr/sbin", NULL };
	for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
		const char *argv[] = { tries[i], NULL };
		long err = kernel_execve(tries[i], argv, envp);
		if (err == 0)
			arch_return_to_user(current->tf);
		pr_err("init: cannot run %s (error %ld)\n", tries[i], -err);
	}
	panic("init: no working init found; try passing init= on the command line");
}

static struct task *make_init_task(void)
{
	struct task *t = task_alloc();
	struct process *p = kzalloc(sizeof(*p));
	if (!t || !p)
		panic("init: out of memory");
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->all_link);
	ptrace_process_init(p);
	wait_queue_init(&p->child_exit, "child_exit");
	p->parent = p;   /* init is its own parent: nobody above it waits */
	p->pid = p->pgid = p->sid = 1;
	p->exit_signal = SIGCHLD;
	p->start_ns = arch_clock_ns();
	proc_timers_init(&p->timers, p);
	p->threads_live = 1;
	strlcpy(p->comm, "init", sizeof(p->comm));
	prctl_task_init(t, "init");
	t->real_cred = cred_boot();
	t->cred = cred_boot();
	p->cred = cred_boot();
	p->dumpable = true;
	rlimit_init(p);
	t->files = console_fds();
	t->fs = root_fs_context();
	t->sighand = sighand_alloc();
	if (!t->fs || !t->sighand)
		panic("init: out of memory");
	spin_lock(&tasklist_lock);
	int pid = pid_alloc_locked();
	assert(pid == 1);
	t->tid = pid;
	t->proc = p;
	p->leader = t;
	list_add_tail(&t->thread_link, &p->threads);
	p->nthreads = 1;
	pid_register_locked(pid, t);
	proc_register_locked(p);
	spin_unlock(&tasklist_lock);
	arch_setup_user_entry(t->tf, 0, 0);
	t->ctx = arch_new_task_context((uint64_t)t->tf, init_first_run, NULL);
	init_process = p;
	return t;
}

/* start_first_process - the end of boot. */
void start_first_process(void)
{
	list_init(&swapper_process.children);
	list_init(&swapper_process.threads);
	ptrace_process_init(&swapper_process);
	idle_task_struct.proc = &swapper_process;
	sched_init_idle(&idle_task_struct);
	random_seed(arch_random_seed());
	clock_realtime_init();
	vfs_set_clock(clock_realtime_ns);   /* file times */
	vfs_init();
	struct frame_stats st;
	frame_get_stats(&st);
	file_max_init(st.total, st.used);
	mount_init();
	tmpfs_init();
	idle_task_struct.fs = root_fs_context();
	devfs_init();
	procfs_init();
	shmem_init();
	vdso_init();
	ipc_init();
	reclaim_init();
	tty_init();
	virtio_blk_init();
	loop_init();
	ext2_init();
	unpack_initramfs();
	arch_start_other_cpus();
	sched_make_runnable(make_init_task());
	arch_irq_enable();
	idle_loop();
}
