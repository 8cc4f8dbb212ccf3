/*
 * trace_text.c - reading the memory event trace: each record taken off
 * the ring becomes one line of text,
 *
 *   SEQ NS TYPE pid=P tid=T mm=M key=value...
 *
 * the keys depending on TYPE (docs/view.md lists them all). Text costs
 * a little at read time and nothing when recording, and it is what a
 * student can `cat`, a script split, and a browser parse.
 */
#include "mm/trace.h"
#include "mm/trace_impl.h"
#include "mm/region.h"
#include "lib/errno.h"
#include "lib/string.h"
#include <linux/sched.h>

#define POP_MAX 16   /* records formatted per lock hold */

static const char *const type_names[] = {
	[TR_START] = "start", [TR_END] = "end", [TR_LOST] = "lost", [TR_FORK] = "fork",
	[TR_THREAD] = "thread", [TR_EXEC] = "exec", [TR_EXIT] = "exit", [TR_MM_FREE] = "mm_free",
	[TR_MAP] = "map", [TR_MPROTECT] = "mprotect", [TR_MREMAP] = "mremap",
	[TR_DONTNEED] = "dontneed", [TR_FAULT] = "fault", [TR_PAGE_OUT] = "page_out",
	[TR_SNAP] = "snap", [TR_REGIONS] = "regions", [TR_REGION] = "region", [TR_PAGE] = "page",
	[TR_SNAP_END] = "snap_end",
};

static const char *const fault_names[] = {
	[TRACE_FAULT_ZERO] = "zero", [TRACE_FAULT_FILE] = "file",
	[TRACE_FAULT_FILE_COPY] = "file_copy", [TRACE_FAULT_COW_COPY] = "cow_copy",
	[TRACE_FAULT_COW_REUSE] = "cow_reuse", [TRACE_FAULT_SHARED_WRITE] = "shared_write",
	[TRACE_FAULT_SWAP_IN] = "swap_in",
};

static const char *const snap_names[] = {
	[TRACE_SNAP_START] = "start", [TRACE_SNAP_FORK] = "fork", [TRACE_SNAP_EXEC] = "exec",
	[TRACE_SNAP_EXIT] = "exit", [TRACE_SNAP_END] = "end", [TRACE_SNAP_MPROTECT] = "mprotect",
	[TRACE_SNAP_MREMAP] = "mremap",
};

static const char *const map_names[] = {
	[TRACE_MMAP] = "mmap", [TRACE_MUNMAP] = "munmap", [TRACE_BRK] = "brk",
};

static const char *const strategy_names[] = {
	[TRACE_FORK_COW] = "cow", [TRACE_FORK_COPY] = "copy", [TRACE_FORK_SHARED_PT] = "shared",
};

#define NAME(table, i) ((size_t)(i) < ARRAY_SIZE(table) && (table)[i] ? (table)[i] : "?")

/* A region's kind as the view names it. */
static const char *region_kind(uint32_t f, uint64_t ino)
{
	if (f & REGION_HEAP)
		return "heap";
	if (f & REGION_STACK)
		return "stack";
	if (f & REGION_SHARED)
		return "shared";
	return ino ? "file" : "anon";
}

/* "rwxp" from REGION_* bits. */
static void prot_string(uint32_t f, char out[5])
{
	out[0] = f & REGION_READ ? 'r' : '-';
	out[1] = f & REGION_WRITE ? 'w' : '-';
	out[2] = f & REGION_EXEC ? 'x' : '-';
	out[3] = f & REGION_SHARED ? 's' : 'p';
	out[4] = '\0';
}

/* "rwx" from PROT_* bits (mmap and mprotect arguments). */
static void mmap_prot_string(uint32_t p, char out[4])
{
	out[0] = p & 1 ? 'r' : '-';
	out[1] = p & 2 ? 'w' : '-';
	out[2] = p & 4 ? 'x' : '-';
	out[3] = '\0';
}

/* The fields after the common ones, for record r. */
static int format_fields(const struct trace_rec *r, char *b, size_t n)
{
	char p[5];
	switch (r->type) {
	case TR_START:
		return snprintf(b, n, " mode=%s target=%lu", r->sub == TRACE_MODE_ALL ? "all" : "pid",
				(unsigned long)r->len);
	case TR_LOST:
		return snprintf(b, n, " n=%lu", (unsigned long)r->len);
	case TR_FORK:
		return snprintf(b, n, " child=%lu child_mm=%lu flags=%#x vm=%s strategy=%s",
				(unsigned long)r->addr, (unsigned long)r->len, r->arg,
				r->arg & CLONE_VM ? "shared" : "copy", NAME(strategy_names, r->sub));
	case TR_THREAD:
		return snprintf(b, n, " child=%lu", (unsigned long)r->addr);
	case TR_EXEC:
		return snprintf(b, n, " comm=%s", r->name);
	case TR_EXIT:
		return snprintf(b, n, " status=%#lx last=%u", (unsigned long)r->len, r->sub);
	case TR_MAP:
		mmap_prot_string(r->arg, p);
		return snprintf(b, n, " op=%s addr=%#lx len=%#lx prot=%s flags=%#x", NAME(map_names, r->sub),
				(unsigned long)r->addr, (unsigned long)r->len, p, r->ref);
	case TR_MPROTECT:
		mmap_prot_string(r->arg, p);
		return snprintf(b, n, " addr=%#lx len=%#lx prot=%s", (unsigned long)r->addr,
				(unsigned long)r->len, p);
	case TR_MREMAP:
	case TR_DONTNEED:
		return snprintf(b, n, " addr=%#lx len=%#lx", (unsigned long)r->addr, (unsigned long)r->len);
	case TR_FAULT:
		return snprintf(b, n, " how=%s addr=%#lx frame=%#lx ref=%u w=%u file=%u old=%#lx old_ref=%u",
				NAME(fault_names, r->sub), (unsigned long)r->addr, (unsigned long)r->frame,
				r->ref, r->arg & TP_WRITE ? 1 : 0, r->arg & TP_FILE ? 1 : 0,
				(unsigned long)r->len, r->arg >> 16);
	case TR_PAGE_OUT:
		return snprintf(b, n, " addr=%#lx slot=%#lx", (unsigned long)r->addr, (unsigned long)r->len);
	case TR_SNAP:
		return snprintf(b, n, " why=%s regions=%u comm=%s", NAME(snap_names, r->sub), r->ref, r->name);
	case TR_REGIONS:
		return snprintf(b, n, " regions=%lu", (unsigned long)r->len);
	case TR_REGION:
		prot_string(r->arg, p);
		return snprintf(b, n, " start=%#lx end=%#lx prot=%s kind=%s ino=%lu pgoff=%u exe=%u",
				(unsigned long)r->addr, (unsigned long)(r->addr + r->len), p,
				region_kind(r->arg, r->frame), (unsigned long)r->frame, r->ref, r->sub);
	case TR_PAGE:
		return snprintf(b, n, " addr=%#lx frame=%#lx ref=%u w=%u file=%u swap=%u", (unsigned long)r->addr,
				(unsigned long)r->frame, r->ref, r->arg & TP_WRITE ? 1 : 0,
				r->arg & TP_FILE ? 1 : 0, r->arg & TP_SWAP ? 1 : 0);
	case TR_SNAP_END:
		return snprintf(b, n, " pages=%lu", (unsigned long)r->len);
	default:
		return 0;
	}
}

size_t trace_format(const struct trace_rec *r, char *buf)
{
	size_t room = TRACE_LINE_MAX - 1;   /* for the newline */
	int n = snprintf(buf, room, "%lu %lu %s pid=%d tid=%d mm=%u", (unsigned long)r->seq,
			 (unsigned long)r->ns, NAME(type_names, r->type), r->pid, r->tid, r->mm);
	size_t len = MIN((size_t)n, room - 1);
	n = format_fields(r, buf + len, room - len);
	len = MIN(len + (size_t)n, room - 1);
	buf[len++] = '\n';
	return len;
}

static bool readable(void)
{
	return trace.head != trace.tail || trace.lost || !trace.on;
}

long trace_read_text(char *buf, size_t size)
{
	struct trace_rec recs[POP_MAX];
	size_t max = MIN((size_t)POP_MAX, size / TRACE_LINE_MAX);
	if (max == 0)
		return -EINVAL;
	for (;;) {
		spin_lock(&trace_lock);
		size_t n = trace_ring_pop_locked(recs, max);
		bool on = trace.on;
		spin_unlock(&trace_lock);
		if (n) {
			size_t len = 0;
			for (size_t i = 0; i < n; i++)
				len += trace_format(&recs[i], buf + len);
			return (long)len;
		}
		if (!on) {
			trace_ring_release_if_done();
			return 0;
		}
		int err = wait_event_interruptible(trace_readers, readable());
		if (err)
			return err;
	}
}
