/*
 * vdso.c - the machine's side of the vDSO: its image (user code from
 * vdso/, embedded by vdso_image.S) and the contents of its data page
 * (vdso/vvar.h): the TSC clock's parameters, which instruction reads
 * the CPU number. Generic code (mm/vdso.c) maps both into processes.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vdso/vvar.h"
#include "arch.h"
#include "time/clock.h"
#include <linux/time.h>

extern const uint8_t vdso_image[], vdso_image_end[];

_Static_assert(VVAR_PAGES == ARCH_VVAR_PAGES && VDSO_PAGES == ARCH_VDSO_PAGES,
	       "vvar.h and arch.h agree on the vDSO's size");
_Static_assert(sizeof(struct vvar_data) <= PAGE_SIZE, "the data fits in one page");

const void *arch_vdso_image(size_t *size)
{
	*size = (size_t)(vdso_image_end - vdso_image);
	return vdso_image;
}

static uint32_t getcpu_mode(void)
{
	if (cpu_has_rdpid())
		return VVAR_GETCPU_RDPID;
	return cpu_has_rdtscp() ? VVAR_GETCPU_RDTSCP : VVAR_GETCPU_SYSCALL;
}

/* Write the fields between two increments of the sequence count: odd
 * while they change, so a reader in the vDSO retries. */
void arch_vvar_publish(void *page)
{
	struct vvar_data *v = page;
	uint64_t base, mult;
	tsc_clock_params(&base, &mult);
	__atomic_store_n(&v->seq, v->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v->getcpu_mode = getcpu_mode();
	v->tsc_base = base;
	v->ns_per_tsc_q32 = mult;
	v->realtime_offset_ns = clock_realtime_offset_ns();
	v->res_ns = CLOCK_RES_NS;
	v->coarse_res_ns = CLOCK_COARSE_RES_NS;
	struct timezone tz;
	clock_tz_get(&tz);
	v->tz_minuteswest = tz.tz_minuteswest;
	v->tz_dsttime = tz.tz_dsttime;
	__atomic_store_n(&v->seq, v->seq + 1, __ATOMIC_RELEASE);
}
