/*
 * kmalloc_debug.h - the debug kernel's heap checks (kmalloc_debug.c),
 * used by kmalloc.c when DEBUG_KERNEL is 1.
 */
#ifndef ASPEN_MM_KMALLOC_DEBUG_H
#define ASPEN_MM_KMALLOC_DEBUG_H
#include "lib/kernel.h"

#define KDBG_OVERHEAD 48   /* a 32-byte head and at least 16 bytes of redzone */

/* kdbg_object_size - the slab object an n-byte request needs. */
size_t kdbg_object_size(size_t n);
/* kdbg_poison_slab - a new slab's objects start out freed. */
void kdbg_poison_slab(void *first, size_t bytes);
/* kdbg_wrap - obj (objsize bytes, from its slab) becomes an n-byte block
 * for caller (called from caller2); returns what kmalloc returns. Panics if obj was written
 * while free. */
void *kdbg_wrap(void *obj, size_t objsize, size_t n, uint64_t caller, uint64_t caller2);
/* kdbg_unwrap - the slab object of block p, checked (live, redzone
 * intact) and poisoned. Panics on a double free or an overflow. */
void *kdbg_unwrap(void *p, size_t objsize);
/* kdbg_usable_size - the bytes asked for p. */
size_t kdbg_usable_size(void *p);
/* kdbg_page_alloc / kdbg_page_free - a whole-frame block, for the leak count. */
void kdbg_page_alloc(paddr_t pa, uint64_t caller, size_t n);
void kdbg_page_free(paddr_t pa);

/* kmalloc_debug_mark - from now on, count live blocks by call site. */
void kmalloc_debug_mark(void);
/* kmalloc_debug_report - print the call sites with blocks still live
 * from those allocated since the mark, then one line "kmalloc_debug: N
 * blocks allocated since the program started, M left" (run-all.sh's
 * debug_kernel_ran looks for it). */
void kmalloc_debug_report(void);
/* kmalloc_for_each_object - fn on every object of every slab, live or
 * free (kmalloc.c; for the report, when nothing else runs). */
void kmalloc_for_each_object(void (*fn)(void *obj, size_t objsize));
#endif
