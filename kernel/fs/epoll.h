/*
 * epoll.h - what the rest of the kernel knows of epoll (fs/epoll.c).
 */
#ifndef ASPEN_FS_EPOLL_H
#define ASPEN_FS_EPOLL_H
struct file;

/* epoll_file_gone - the last reference to f is going (file_put, before
 * ->release): remove every epoll watch of f. Called only when
 * f->ep_links is not empty. Takes epoll_mutex and the epolls' mutexes;
 * may sleep. */
void epoll_file_gone(struct file *f);
#endif
