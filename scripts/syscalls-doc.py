#!/usr/bin/env python3
"""syscalls-doc.py - write docs/syscalls.md, Aspen's syscall coverage table.

The names and numbers come from <asm/unistd_64.h>; a syscall counts as
implemented when a kernel/**/*.def file has a SYSCALL(name, handler) line
for it (what kernel/sys/syscall.c puts in the table). PARTIAL below says
which implemented calls leave something out, and LIKELY names the calls
that static musl, glibc and busybox programs make; the rest are listed
together at the end. Run from the top of the tree after adding a syscall
or changing what one leaves out:

    python3 scripts/syscalls-doc.py > docs/syscalls.md
"""
import glob
import re
import sys

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

# Implemented, but not all of it: what is missing or different.
PARTIAL = {
    "ioctl": "FIOCLEX/FIONCLEX, then the driver's: pipes FIONREAD; the tty its own; others ENOTTY",
    "fcntl": "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL (O_APPEND, O_NONBLOCK), F_GETPIPE_SZ/SETPIPE_SZ, record and OFD locks (F_GETLK/SETLK/SETLKW, F_OFD_*), F_ADD_SEALS/F_GET_SEALS; no F_SETOWN or leases",
    "poll": "restarted after a stop with its whole timeout (Linux keeps the time left)",
    "mmap": "file mappings of ramfs/tmpfs/ext2 files; no huge pages (MAP_HUGETLB: EINVAL)",
    "keyctl": "docs/keys.md; \"user\" and \"keyring\" types; no INSTANTIATE/NEGATE/REJECT/ASSUME_AUTHORITY (no upcalls), SET_REQKEY_KEYRING, GET_SECURITY, SESSION_TO_PARENT, RESTRICT_KEYRING, MOVE, DH/PKEY, WATCH_KEY or persistent keyrings (EOPNOTSUPP)",
    "request_key": "no upcall: a key the caller's keyrings lack is ENOKEY, or ENOENT with callout info (no /sbin/request-key)",
    "ptrace": "docs/debugging.md; NT_X86_XSTATE is ENODEV (no XSAVE: fxsave only); PTRACE_EVENT_SECCOMP (docs/seccomp.md), but no SECCOMP_GET_FILTER/METADATA; no GET_RSEQ_CONFIGURATION (EIO)",
    "madvise": "MADV_DONTNEED/FREE free pages, WILLNEED reads swapped pages back, COLD and PAGEOUT send pages towards swap, DONTDUMP/DODUMP keep a range out of core dumps or put it back, REMOVE punches a hole in the files of shared writable mappings (fallocate PUNCH_HOLE); NORMAL/RANDOM/SEQUENTIAL accepted and ignored; others EINVAL",
    "msync": "MS_SYNC writes back the files of the range's shared mappings (at most 16 distinct files a call); MS_INVALIDATE accepted and ignored",
    "clone": "flags VM, FS, FILES, SIGHAND, THREAD, SYSVSEM, SETTLS, PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID, PARENT, VFORK, DETACHED, PIDFD (not with THREAD: no thread pidfds); namespaces, CLONE_PTRACE: EINVAL",
    "clone3": "as clone; no set_tid or cgroup",
    "sendfile": "copies through a bounce buffer mapped in the caller's memory for the call (Linux moves page references); the errors are Linux's",
    "splice": "as sendfile: a copy through a bounce buffer; SPLICE_F_NONBLOCK (or O_NONBLOCK) checks the pipes' readiness first",
    "tee": "as splice: the input pipe's bytes are copied, not shared",
    "copy_file_range": "as sendfile: a copy (no reflinks)",
    "preadv2": "RWF_NOWAIT on pipes only (EOPNOTSUPP elsewhere, as tmpfs); RWF_ATOMIC and RWF_DONTCACHE EOPNOTSUPP, as tmpfs",
    "pwritev2": "as preadv2; RWF_APPEND/RWF_NOAPPEND for files in pages (tmpfs, ext2)",
    "sync_file_range": "a file on a disk is written back whole (its fsync); memory files have nothing to do",
    "memfd_create": "MFD_HUGETLB gives EINVAL (no huge pages); F_SEAL_EXEC is kept but chmod does not check it",
    "pidfd_open": "PIDFD_NONBLOCK; PIDFD_THREAD gives EINVAL (no thread pidfds)",
    "openat2": "RESOLVE_CACHED succeeds wherever the walk does (every lookup is in memory); EAGAIN with O_CREAT/O_TRUNC as Linux",
    "mremap": "MREMAP_MAYMOVE and MREMAP_FIXED; not MREMAP_DONTUNMAP",
    "getrusage": "user and system time (measured, split as the tick sampled), minor and major faults; the other fields 0",
    "timer_create": "not on another process's CPU clock (EINVAL)",
    "epoll_wait": "a wake-up carries no event mask: an EPOLLET watch may be reported again after its queue is woken for the other direction; EPOLLEXCLUSIVE wakes every waiter",
    "epoll_ctl": "EPOLLEXCLUSIVE accepted (and checked) but wakes every waiter; EPOLLWAKEUP ignored",
    "eventfd2": "a write of other than 8 bytes is EINVAL, as Linux 6.x",
    "sched_setattr": "no SCHED_DEADLINE (EINVAL) or utilization clamps (EOPNOTSUPP)",
    "reboot": "power off, halt and restart; root only",
    "capset": "no file capabilities or securebits beyond KEEP_CAPS (docs/permissions.md)",
    "rt_sigqueueinfo": "RLIMIT_SIGPENDING counted per receiving process (Linux: per user)",
    "sysinfo": "uptime, total and free memory; the other fields 0",
    "syslog": "the kernel log for dmesg (read, sizes, console level); clearing is ignored",
    "statfs": "ramfs/tmpfs figures from the frame counts",
    "fstatfs": "as statfs",
    "inotify_add_watch": "docs/fs.md: IN_DELETE_SELF at the last unlink even while the file is open; no IN_UNMOUNT (a watch keeps its mount busy); attribute changes by path are not reported to the parent's watches",
    "name_to_handle_at": "ramfs/tmpfs files (a 12-byte handle: inode and device numbers) and ext2's (Linux's: inode number and generation); other file systems EOPNOTSUPP; no AT_HANDLE_FID or connectable handles",
    "open_by_handle_at": "as name_to_handle_at; mount_fd must be a directory of the file system (ENOTDIR otherwise)",
    "futex": "WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET, WAKE_BITSET, LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI (no priority boost yet); WAIT_REQUEUE_PI and CMP_REQUEUE_PI give ENOSYS",
    "getcpu": "the current CPU; node 0",
    "seccomp": "docs/seccomp.md: strict and filter modes, every verdict, TSYNC; no user notification (NEW_LISTENER: EINVAL)",
    "shmget": "SHM_HUGETLB gives EINVAL (no huge pages)",
    "mq_notify": "SIGEV_THREAD (a netlink socket the libcs make) gives EBADF: no netlink sockets",
    "socket": "AF_UNIX (stream, datagram, seqpacket); AF_INET/AF_INET6 TCP and UDP on loopback only; other families EAFNOSUPPORT (docs/sockets.md)",
    "socketpair": "AF_UNIX only (AF_INET: EOPNOTSUPP, as Linux)",
    "connect": "AF_INET/AF_INET6: loopback only (ENETUNREACH elsewhere); a non-blocking TCP connect completes at once",
    "sendto": "MSG_OOB is EOPNOTSUPP",
    "recvmmsg": "a timeout is EINVAL",
    "prctl": "the options programs use (docs/processes.md); PR_SET_TIMERSLACK is stored but adds no slack; THP_DISABLE, MCE_KILL and IO_FLUSHER are kept and reported only; no PR_SET_MM, PR_SET_VMA, PR_SET_PTRACER, speculation control or core scheduling: EINVAL",
    "process_madvise": "MADV_WILLNEED, COLD and PAGEOUT as madvise; MADV_COLLAPSE is EINVAL (no transparent huge pages); CAP_SYS_NICE needed even for one's own process, as Linux 6.1",
    "pkey_alloc": "as Linux on a CPU without PKU: the first call of an address space EINVAL, later ones ENOSPC",
    "pkey_free": "EINVAL: no key is ever allocated (no PKU)",
    "pkey_mprotect": "mprotect with pkey -1; any other key EINVAL (no PKU)",
    "adjtimex": "reads the NTP state as Linux boots with it (unsynchronised: TIME_ERROR); with CAP_SYS_TIME the fields are kept and read back but no clock is steered; ADJ_SETOFFSET steps the wall clock as clock_settime",
    "clock_adjtime": "CLOCK_REALTIME as adjtimex; the other clocks EOPNOTSUPP, unknown ones EINVAL",
    "personality": "stored and inherited; ADDR_NO_RANDOMIZE holds anyway (no randomization), READ_IMPLIES_EXEC does not add PROT_EXEC; PER_LINUX32 and UNAME26 change uname as Linux",
    "kcmp": "KCMP_IO compares no I/O contexts (always 0); a zombie is ESRCH",
    "ioprio_set": "stored per thread and inherited; the block layer does not use it",
    "membarrier": "no RSEQ commands (EINVAL, as without CONFIG_RSEQ); GLOBAL interrupts every CPU",
    "setns": "no namespace files: any descriptor is EINVAL (closed ones EBADF)",
    "process_mrelease": "the exit frees the memory anyway: 0 for an exiting process, nothing done early",
}

# What static musl, glibc and busybox programs (shells, coreutils-like
# applets, servers, test suites) are likely to call, in the order of
# <asm/unistd_64.h>. Everything else is in the closing list.
LIKELY = """
read write open close stat fstat lstat poll lseek mmap mprotect munmap brk rt_sigaction
rt_sigprocmask rt_sigreturn ioctl pread64 pwrite64 readv writev access pipe select sched_yield
mremap msync mincore madvise dup dup2 pause nanosleep getitimer alarm setitimer getpid sendfile
socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen getsockname
getpeername socketpair setsockopt getsockopt clone fork vfork execve exit wait4 kill uname
fcntl flock fsync fdatasync truncate ftruncate getdents getcwd chdir fchdir rename mkdir rmdir
creat link unlink symlink readlink chmod fchmod chown fchown lchown umask gettimeofday getrlimit
getrusage sysinfo times getuid getgid setuid setgid geteuid getegid setpgid getppid getpgrp
setsid setreuid setregid getgroups setgroups setresuid getresuid setresgid getresgid getpgid
getsid rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend sigaltstack mknod statfs
fstatfs getpriority setpriority sched_setparam sched_getparam sched_setscheduler
sched_getscheduler sched_get_priority_max sched_get_priority_min mlock munlock prctl arch_prctl
setrlimit chroot sync mount umount2 reboot sethostname gettid readahead tkill time futex
sched_setaffinity sched_getaffinity getdents64 set_tid_address restart_syscall fadvise64
timer_create timer_settime timer_gettime timer_delete clock_gettime clock_getres
clock_nanosleep exit_group epoll_wait epoll_ctl tgkill utimes waitid inotify_init
inotify_add_watch inotify_rm_watch openat mkdirat mknodat fchownat futimesat newfstatat
unlinkat renameat linkat symlinkat readlinkat fchmodat faccessat pselect6 ppoll unshare
set_robust_list get_robust_list splice tee sync_file_range utimensat epoll_pwait signalfd
timerfd_create eventfd fallocate timerfd_settime timerfd_gettime accept4 signalfd4 eventfd2
epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev prlimit64 syncfs sendmmsg getcpu
process_vm_readv renameat2 getrandom memfd_create execveat copy_file_range preadv2 pwritev2
statx rseq pidfd_open clone3 close_range openat2 pidfd_send_signal faccessat2 epoll_pwait2
epoll_create getxattr lgetxattr fgetxattr listxattr setxattr membarrier
""".split()


def syscall_numbers():
    """(number, name) for every x86-64 syscall."""
    out = []
    with open(UNISTD) as f:
        for line in f:
            m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
            if m:
                out.append((int(m.group(2)), m.group(1)))
    return sorted(out)


def implemented_names():
    """name -> the .def file listing it."""
    names = {}
    for path in sorted(glob.glob("kernel/**/*.def", recursive=True)):
        with open(path) as f:
            for m in re.finditer(r"^SYSCALL\((\w+),\s*(\w+)\)", f.read(), re.M):
                names[m.group(1)] = path
    return names


def status(name, impl):
    if name not in impl:
        return "missing"
    return "partial" if name in PARTIAL else "implemented"


def main():
    calls = syscall_numbers()
    impl = implemented_names()
    known = {n for _, n in calls}
    bad = [n for n in list(PARTIAL) + LIKELY if n not in known]
    if bad:
        sys.exit("syscalls-doc: unknown names: " + " ".join(bad))
    likely = set(LIKELY)
    counts = {"implemented": 0, "partial": 0, "missing": 0}
    for _, n in calls:
        if n in likely or n in impl:
            counts[status(n, impl)] += 1
    w = sys.stdout.write
    w("# Syscall coverage\n\n")
    w("Generated by `python3 scripts/syscalls-doc.py > docs/syscalls.md`\n")
    w("from `<asm/unistd_64.h>` and the `SYSCALL(name, handler)` lines of\n")
    w("`kernel/**/*.def`; the notes on partial calls are kept in the script.\n")
    w("An unimplemented call returns `-ENOSYS` and is logged once by name.\n\n")
    w("Of the %d calls below (those static musl, glibc and busybox programs\n" % sum(counts.values()))
    w("are likely to make, and every implemented one): %d implemented,\n" % counts["implemented"])
    w("%d partial, %d missing.\n\n" % (counts["partial"], counts["missing"]))
    w("| nr | name | status | notes | table |\n| ---: | --- | --- | --- | --- |\n")
    for nr, n in calls:
        if n not in likely and n not in impl:
            continue
        st = status(n, impl)
        mark = {"implemented": "implemented", "partial": "**partial**", "missing": "missing"}[st]
        w("| %d | `%s` | %s | %s | %s |\n" % (nr, n, mark, PARTIAL.get(n, "") if n in impl else "",
                                            impl.get(n, "").replace("kernel/", "")))
    rest = [n for _, n in calls if n not in likely and n not in impl]
    w("\n## The rest (missing, rarely used by such programs)\n\n")
    w(", ".join("`%s`" % n for n in rest) + "\n")


main()
