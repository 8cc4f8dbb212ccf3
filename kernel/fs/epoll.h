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
/* epoll_watched_file - the file of the toff-th watch of descriptor tfd
 * in epoll ep (kcmp's KCMP_EPOLL_TFD), only to compare: not referenced.
 * -EINVAL when ep is no epoll, -ENOENT when there is no such watch. */
long epoll_watched_file(struct file *ep, int tfd, unsigned long toff, struct file **out);
#endif
