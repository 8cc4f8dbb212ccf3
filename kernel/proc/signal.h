/*
 * signal.h - signals: numbers as Linux's, delivery to tasks.
 */
#ifndef ASPEN_PROC_SIGNAL_H
#define ASPEN_PROC_SIGNAL_H
#include "lib/kernel.h"

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define NSIG 64

/* signal_user_fault - the current task took an exception in user mode
 * that it cannot survive without a handler: log it as Linux does and
 * deliver sig. */
void signal_user_fault(int sig, vaddr_t addr, vaddr_t ip, vaddr_t sp, uint64_t error);
#endif
