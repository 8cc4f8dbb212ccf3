/*
 * mem.c - a process's memory as /proc shows it: maps and smaps (the
 * regions, in Linux's exact format), pagemap (one 64-bit entry per
 * virtual page) and the system-wide kpagecount (one per frame), plus the
 * totals status and statm print.
 *
 * The figures come from mm/vm_report.c, which walks the page table
 * under mm->lock; file names are looked up afterwards, with no lock
 * held (path.c).
 */
#include "fs/procfs/procfs.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "mm/vm_report.h"
#include "mm/remote.h"
#include "fs/file.h"
#include "fs/memfd.h"
#include "ipc/ipc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MAPS_NAME_COLUMN 72            /* Linux: 25 + sizeof(void *) * 6 - 1 */
#define PAGEMAP_CHUNK    512           /* entries gathered per lock hold */
#define PAGEMAP_ENTRY    sizeof(uint64_t)

/* ---- totals ---- */

static uint64_t region_pages(const struct vm_region_report *r)
{
	return (r->end - r->start) >> PAGE_SHIFT;
}

static bool region_is_stack(const struct vm_region_report *r)
{
	return r->flags & (REGION_STACK | REGION_GROWSDOWN);
}

static void add_region(struct proc_mem_totals *t, const struct vm_region_report *r)
{
	const struct vm_page_figures *p = &r->pages;
	t->size += region_pages(r);
	t->rss += p->rss;
	t->anon += p->anon;
	t->file += p->file;
	if (r->flags & REGION_SHARED)
		t->shmem += p->file;
	if (region_is_stack(r))
		t->stack += region_pages(r);
	else if ((r->prot & REGION_WRITE) && !(r->flags & REGION_SHARED))
		t->data += region_pages(r);
	t->shared_pages += p->shared_clean + p->shared_dirty;
	t->swap += p->swap;
	if (r->flags & REGION_LOCKED)
		t->locked += region_pages(r);
}

/* proc_mem_totals - the Vm* figures of mm in pages. 0 or -ENOMEM.
 * Takes mm->lock (through vm_report_regions); may sleep. */
int proc_mem_totals(struct mm *mm, struct proc_mem_totals *t)
{
	struct vm_region_report *r;
	size_t n;
	memset(t, 0, sizeof(*t));
	int err = vm_report_regions(mm, true, &r, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		add_region(t, &r[i]);
	vm_report_free(r, n);
	vm_report_pgtables(mm, &t->pgtables, &t->pgtables_shared);
	if (mm->end_code > mm->start_code)
		t->exe = (PAGE_ROUND_UP(mm->end_code) - PAGE_ROUND_DOWN(mm->start_code)) >> PAGE_SHIFT;
	return 0;
}

/* ---- maps and smaps ---- */

/* The name shown for r, into buf (empty for plain anonymous memory).
 * prev/prev_name remember the last file's path: one search per file. */
static void region_name(const struct vm_region_report *r, char *buf, size_t size,
			struct inode **prev)
{
	if (r->flags & REGION_SPECIAL) {
		*prev = NULL;
		snprintf(buf, size, r->flags & REGION_VDSO ? "[vdso]" : "[vvar]");
		return;
	}
	if (r->file) {
		if (*prev == r->file)
			return;          /* buf still holds its path */
		*prev = NULL;
		if (!procfs_inode_path(r->file, buf, size))
			*prev = r->file;
		else if (!shm_region_name(r->file, buf, size) && !memfd_name(r->file, buf, size))
			snprintf(buf, size, "/dev/zero (deleted)");  /* unnamed: shared anonymous memory */
		return;
	}
	*prev = NULL;
	if (r->flags & REGION_HEAP)
		snprintf(buf, size, "[heap]");
	else if (r->flags & REGION_STACK)
		snprintf(buf, size, "[stack]");
	else
		buf[0] = '\0';
}

/* One line of maps: Linux's show_map_vma. */
static void map_line(struct pbuf *b, const struct vm_region_report *r, const char *name)
{
	const struct inode *file = r->flags & REGION_SPECIAL ? NULL : r->file;   /* no file to name */
	uint32_t dev = file ? file->dev : 0;
	pbuf_printf(b, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ",
		    (unsigned long)r->start, (unsigned long)r->end,
		    r->prot & REGION_READ ? 'r' : '-', r->prot & REGION_WRITE ? 'w' : '-',
		    r->prot & REGION_EXEC ? 'x' : '-', r->flags & REGION_SHARED ? 's' : 'p',
		    (unsigned long)(file ? r->file_off : 0), DEV_MAJOR(dev), DEV_MINOR(dev),
		    (unsigned long)(file ? file->ino : 0));
	if (name[0]) {
		pbuf_pad(b, MAPS_NAME_COLUMN);
		pbuf_printf(b, "%s", name);
	}
	pbuf_put(b, "\n", 1);
}

static void smaps_kb(struct pbuf *b, const char *key, uint64_t kb)
{
	pbuf_printf(b, "%-16s%8lu kB\n", key, (unsigned long)kb);
}

static void smaps_figures(struct pbuf *b, const struct vm_region_report *r)
{
	const struct vm_page_figures *p = &r->pages;
	uint64_t kb = PAGE_SIZE / 1024;
	smaps_kb(b, "Size:", region_pages(r) * kb);
	smaps_kb(b, "KernelPageSize:", kb);
	smaps_kb(b, "MMUPageSize:", kb);
	smaps_kb(b, "Rss:", p->rss * kb);
	smaps_kb(b, "Pss:", (p->pss * kb) >> VM_PSS_SHIFT);
	smaps_kb(b, "Shared_Clean:", p->shared_clean * kb);
	smaps_kb(b, "Shared_Dirty:", p->shared_dirty * kb);
	smaps_kb(b, "Private_Clean:", p->private_clean * kb);
	smaps_kb(b, "Private_Dirty:", p->private_dirty * kb);
	smaps_kb(b, "Referenced:", p->rss * kb);
	smaps_kb(b, "Anonymous:", p->anon * kb);
	static const char *const zeros[] = { "LazyFree:", "AnonHugePages:", "ShmemPmdMapped:",
		"FilePmdMapped:", "Shared_Hugetlb:", "Private_Hugetlb:" };
	for (size_t i = 0; i < ARRAY_SIZE(zeros); i++)
		smaps_kb(b, zeros[i], 0);
	smaps_kb(b, "Swap:", p->swap * kb);
	smaps_kb(b, "SwapPss:", p->swap * kb);
	smaps_kb(b, "Locked:", r->flags & REGION_LOCKED ? (p->pss * kb) >> VM_PSS_SHIFT : 0);
	pbuf_printf(b, "THPeligible:    0\nVmFlags:%s%s%s%s mr mw me%s%s%s \n",
		    r->prot & REGION_READ ? " rd" : "", r->prot & REGION_WRITE ? " wr" : "",
		    r->prot & REGION_EXEC ? " ex" : "", r->flags & REGION_SHARED ? " sh" : "",
		    r->flags & REGION_SHARED ? " ms" : "", r->flags & REGION_GROWSDOWN ? " gd" : "",
		    r->flags & REGION_LOCKED ? " lo" : "");
}

static int show_regions(const struct procfs_node *n, struct pbuf *b, bool figures)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	struct vm_region_report *r = NULL;
	size_t count = 0;
	char *name = kmalloc(PATH_MAX);
	int err = name ? 0 : -ENOMEM;
	if (!err && s.mm)
		err = vm_report_regions(s.mm, figures, &r, &count);
	proc_snapshot_drop(&s);
	struct inode *prev = NULL;
	for (size_t i = 0; i < count; i++) {
		region_name(&r[i], name, PATH_MAX, &prev);
		map_line(b, &r[i], name);
		if (figures)
			smaps_figures(b, &r[i]);
	}
	if (r)
		vm_report_free(r, count);
	kfree(name);
	return err;
}

int proc_show_maps(const struct procfs_node *n, struct pbuf *b)
{
	return show_regions(n, b, false);
}

int proc_show_smaps(const struct procfs_node *n, struct pbuf *b)
{
	return show_regions(n, b, true);
}

/* ---- ptables: Aspen's view of the last-level page tables ---- */

/* One line per last-level table: the range it maps, how many address
 * spaces use it (above 1: shared since a fork), the pages it maps,
 * whether writes get through ("rw") or fault first ("ro"), and the frame
 * holding it (the same in processes that share it). */
int proc_show_ptables(const struct procfs_node *n, struct pbuf *b)
{
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	struct vm_table_report *t = NULL;
	size_t count = 0;
	int err = s.mm ? vm_report_tables(s.mm, &t, &count) : 0;
	proc_snapshot_drop(&s);
	for (size_t i = 0; i < count; i++)
		pbuf_printf(b, "%08lx-%08lx users=%u pages=%u %s table=%lx\n", (unsigned long)t[i].start,
			    (unsigned long)(t[i].start + (PAGE_SIZE << PT_INDEX_BITS)), t[i].users,
			    t[i].present, t[i].writable ? "rw" : "ro", (unsigned long)t[i].pfn);
	kfree(t);
	return err;
}

/* ---- pagemap and kpagecount ---- */

/* Copy the entries for [first, first + count) produced by fill into ubuf,
 * a chunk at a time; returns bytes copied or -errno. */
static long read_entries(char *ubuf, uint64_t first, uint64_t count,
			 void (*fill)(void *arg, uint64_t first, size_t n, uint64_t *out), void *arg)
{
	uint64_t *chunk = kmalloc(PAGEMAP_CHUNK * PAGEMAP_ENTRY);
	if (!chunk)
		return -ENOMEM;
	uint64_t done = 0;
	long ret = 0;
	while (done < count) {
		size_t k = (size_t)MIN(count - done, PAGEMAP_CHUNK);
		fill(arg, first + done, k, chunk);
		if (copy_to_user(ubuf + done * PAGEMAP_ENTRY, chunk, k * PAGEMAP_ENTRY)) {
			ret = -EFAULT;
			break;
		}
		done += k;
	}
	kfree(chunk);
	return done ? (long)(done * PAGEMAP_ENTRY) : ret;
}

static void fill_pagemap(void *arg, uint64_t vpn, size_t n, uint64_t *out)
{
	vm_report_pagemap(arg, vpn << PAGE_SHIFT, n, out);
}

/* Entries [pos/8, ...) below limit that len bytes ask for; -EINVAL when
 * pos or len is not a whole number of entries (as Linux). */
static long entry_range(uint64_t pos, size_t len, uint64_t limit, uint64_t *first, uint64_t *count)
{
	if (pos % PAGEMAP_ENTRY || len % PAGEMAP_ENTRY)
		return -EINVAL;
	*first = pos / PAGEMAP_ENTRY;
	*count = *first < limit ? MIN(len / PAGEMAP_ENTRY, limit - *first) : 0;
	return 0;
}

long proc_read_pagemap(const struct procfs_node *n, char *ubuf, size_t len, uint64_t pos)
{
	uint64_t first, count;
	long ret = entry_range(pos, len, USER_STACK_TOP >> PAGE_SHIFT, &first, &count);
	if (ret || !count)
		return ret;
	struct proc_snapshot s;
	if (proc_snapshot_take(n, PROCFS_WANT_MM, &s))
		return -ESRCH;
	if (s.mm)
		ret = read_entries(ubuf, first, count, fill_pagemap, s.mm);
	proc_snapshot_drop(&s);
	return ret;
}

static void fill_kpagecount(void *arg, uint64_t pfn, size_t n, uint64_t *out)
{
	vm_report_kpagecount(pfn, n, out);
}

long proc_read_kpagecount(const struct procfs_node *n, char *ubuf, size_t len, uint64_t pos)
{
	uint64_t first, count;
	long ret = entry_range(pos, len, vm_report_nr_pfns(), &first, &count);
	if (ret || !count)
		return ret;
	return read_entries(ubuf, first, count, fill_kpagecount, NULL);
}

/* ---- /proc/PID/mem ---- */

/* Open: the target's mm, held by the file (as Linux: reads after an
 * exec still see the old image; after exit, what is left of it). */
static int pidmem_open(struct inode *inode, struct file *f)
{
	struct mm *mm;
	int err = remote_mm(procfs_node_of(inode)->pid, &mm);
	if (err)
		return err == -ESRCH ? -ENOENT : -EACCES;
	f->private = mm;
	return 0;
}

static void pidmem_release(struct file *f)
{
	mm_put(f->private);
}

/* Read or write n bytes at address *pos of the target, a page at a time
 * through a bounce buffer (forced, as a debugger's access): the bytes
 * done, or -EIO when the first page cannot be had (Linux's answer). */
static long pidmem_rw(struct file *f, char *ubuf, size_t n, uint64_t *pos, bool write)
{
	char *buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	size_t done = 0;
	long err = 0;
	while (done < n && !err) {
		size_t chunk = MIN(n - done, PAGE_SIZE);
		long got;
		if (write && copy_from_user(buf, ubuf + done, chunk)) {
			err = -EFAULT;
			break;
		}
		got = vm_access_remote(f->private, (vaddr_t)*pos, buf, chunk, write, true);
		if (got <= 0) {
			err = -EIO;
			break;
		}
		if (!write && copy_to_user(ubuf + done, buf, (size_t)got)) {
			err = -EFAULT;
			break;
		}
		done += (size_t)got;
		*pos += (uint64_t)got;
		if ((size_t)got < chunk)
			break;
	}
	kfree(buf);
	return done ? (long)done : err;
}

static long pidmem_read(struct file *f, char *ubuf, size_t n, uint64_t *pos)
{
	return pidmem_rw(f, ubuf, n, pos, false);
}

static long pidmem_write(struct file *f, const char *ubuf, size_t n, uint64_t *pos)
{
	return pidmem_rw(f, (char *)ubuf, n, pos, true);
}

/* Any offset is an address: SEEK_SET and SEEK_CUR only, as Linux. */
static long pidmem_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += (int64_t)f->pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	f->pos = (uint64_t)off;
	return off < 0 ? -EINVAL : off;
}

const struct file_ops procfs_pidmem_fops = {
	.open = pidmem_open,
	.read = pidmem_read,
	.write = pidmem_write,
	.llseek = pidmem_llseek,
	.release = pidmem_release,
};
