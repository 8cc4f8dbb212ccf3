/*
 * trace_impl.h - what trace.c (recording) and trace_text.c (reading)
 * share: the record, its types, and the ring.
 *
 * A record is 64 bytes, written whole under trace_lock. Its fields mean
 * different things per type; trace_text.c prints each type as one line
 * with named fields, and that text is the interface (docs/view.md).
 */
#ifndef ASPEN_MM_TRACE_IMPL_H
#define ASPEN_MM_TRACE_IMPL_H
#include "lib/kernel.h"
#include "lib/spinlock.h"
#include "sync/wait.h"

enum trace_type {
	TR_START = 1,   /* a session began: sub = mode (TRACE_MODE_*), len = target pid */
	TR_END,         /* the session ended ("off") */
	TR_LOST,        /* len = records dropped because the ring was full */
	TR_FORK,        /* addr = child pid, len = child's mm id, arg = clone flags, sub = strategy */
	TR_THREAD,      /* addr = new tid */
	TR_EXEC,        /* name = the new program's name */
	TR_EXIT,        /* len = wait status, sub = 1 if the last thread of the process */
	TR_MM_FREE,     /* the address space mm is destroyed */
	TR_MAP,         /* sub = TRACE_MMAP/MUNMAP/BRK, addr, len, arg = prot, ref = mmap flags */
	TR_MPROTECT,    /* addr, len, arg = prot; a snapshot follows */
	TR_MREMAP,      /* addr = new address, len = new length; a snapshot follows */
	TR_DONTNEED,    /* addr, len: pages dropped */
	TR_FAULT,       /* sub = how, addr = page, frame = pfn, ref = its count, len = old pfn,
			   arg = page flags | old frame's count << 16 */
	TR_PAGE_OUT,    /* addr = page, len = swap slot */
	TR_SNAP,        /* sub = why, ref = regions, name = the process's name: REGION records,
			   PAGE records, SNAP_END follow */
	TR_REGIONS,     /* len = regions: that many REGION records follow */
	TR_REGION,      /* addr = start, len = size, arg = prot | flags (REGION_*), frame = inode
			   number, ref = file offset in pages, sub = 1 for the program's own file */
	TR_PAGE,        /* addr = page, frame = pfn (swap slot with TP_SWAP), ref = count, arg = flags */
	TR_SNAP_END,    /* len = pages listed */
};

enum trace_mode { TRACE_MODE_ALL = 1, TRACE_MODE_PID };

/* Page flags in PAGE and FAULT records. */
#define TP_WRITE 0x1    /* the page-table entry allows writing */
#define TP_FILE  0x2    /* the frame is a file's page (page cache) */
#define TP_SWAP  0x4    /* not present: in swap (frame holds the slot) */

struct trace_rec {
	uint64_t seq;
	uint64_t ns;           /* arch_clock_ns() */
	uint16_t type, sub;
	int32_t pid, tid;      /* the process concerned and the running thread */
	uint32_t mm;           /* trace id of the address space, 0 for none */
	union {
		struct {
			uint64_t addr, len, frame;
		};
		char name[24];   /* TR_EXEC, TR_SNAP: the program's name */
	};
	uint32_t ref;
	uint32_t arg;
};

#define TRACE_RING_ORDER 10   /* 2^10 frames: 4 MiB, 65536 records */
#define TRACE_RING_RECORDS ((PAGE_SIZE << TRACE_RING_ORDER) / sizeof(struct trace_rec))

/* The trace's state; every field guarded by trace_lock. */
struct trace_state {
	struct trace_rec *ring;      /* NULL until a session first needs it */
	uint64_t head, tail;         /* records [head, tail) are unread (indexes mod size) */
	uint64_t seq;                /* of the next record */
	uint64_t lost;               /* dropped since the last TR_LOST */
	uint32_t session;            /* number of the current session, 0 before the first */
	enum trace_mode mode;        /* valid while on */
	bool on;
	bool reading;                /* a reader holds the ring (not freed under it) */
};
extern struct spinlock trace_lock;
extern struct trace_state trace;
extern struct wait_queue trace_readers;

/* trace_ring_pop_locked - take up to max records off the ring into out;
 * returns how many. trace_lock held. */
size_t trace_ring_pop_locked(struct trace_rec *out, size_t max);
/* trace_format - one record as a line of text (newline included) into
 * buf of TRACE_LINE_MAX bytes; returns its length. */
size_t trace_format(const struct trace_rec *r, char *buf);
/* trace_ring_release_if_done - free the ring when the session is off
 * and everything was read. No lock held. */
void trace_ring_release_if_done(void);
#endif
