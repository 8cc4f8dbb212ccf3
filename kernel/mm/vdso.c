/*
 * vdso.c - the vDSO's two objects and their mapping into each process.
 *
 * Each object is a small pseudo-file whose pages are frames allocated
 * at boot and never freed: the image (VDSO_PAGES, mapped private and
 * read+execute, so a debugger's write copies the page as with any
 * file) and the data page (mapped read-only, VVAR_PAGES long
 * of which only the first exists: touching the others is SIGBUS, as on
 * Linux). Mapped as file regions, they need nothing special from fork,
 * mprotect or the fault handler; the region flags REGION_VDSO and
 * REGION_VVAR only name them in /proc/PID/maps. Every process maps the
 * same frames, so the kernel writes the clock's parameters once, for
 * all of them. The data region is private, as Linux shows it ("r--p"),
 * but can never become writable (vm_mprotect), so it is never copied.
 */
#include "mm/vdso.h"
#include "mm/vm.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch.h"

struct vdso_object {
	struct inode inode;
	paddr_t frames[ARCH_VDSO_PAGES];   /* (c) after vdso_init */
	unsigned npages;
};

static struct vdso_object vdso_text, vdso_data;
static struct spinlock vdso_lock = SPINLOCK_INIT("vdso");   /* serializes publishing */

/* ->get_page: the object's frame; 0 (a hole) past its pages. Holding
 * inode->lock is not needed: the frames never change. */
static paddr_t vdso_get_page(struct inode *inode, uint64_t index, bool alloc)
{
	struct vdso_object *o = container_of(inode, struct vdso_object, inode);
	return index < o->npages ? o->frames[index] : 0;
}

static const struct inode_ops vdso_iops = { .get_page = vdso_get_page };

/* Give o npages zeroed frames (marked as file pages: they are mapped
 * like a file's) holding len bytes of src. Panics when out of memory:
 * boot cannot go on without them. */
static void vdso_object_init(struct vdso_object *o, uint32_t dev, unsigned npages, const void *src,
			     size_t len)
{
	inode_init(&o->inode, dev, S_IFREG | 0555, 0, 0, &vdso_iops, NULL);
	o->inode.size = (uint64_t)npages * PAGE_SIZE;
	o->npages = npages;
	for (unsigned i = 0; i < npages; i++) {
		paddr_t pa = frame_alloc_zeroed();
		if (!pa)
			panic("vdso_init: out of memory");
		frame_of(pa)->flags |= FRAME_FILE;
		size_t off = (size_t)i * PAGE_SIZE;
		if (off < len)
			memcpy(phys_to_virt(pa), (const uint8_t *)src + off, MIN(len - off, PAGE_SIZE));
		o->frames[i] = pa;
	}
}

void vdso_init(void)
{
	size_t size;
	const void *image = arch_vdso_image(&size);
	if (size > ARCH_VDSO_PAGES * PAGE_SIZE)
		panic("vdso_init: the image is larger than %d pages", ARCH_VDSO_PAGES);
	uint32_t dev = vfs_alloc_dev();
	vdso_object_init(&vdso_text, dev, ARCH_VDSO_PAGES, image, size);
	vdso_object_init(&vdso_data, dev, 1, NULL, 0);
	vdso_clock_changed();
}

void vdso_clock_changed(void)
{
	spin_lock(&vdso_lock);
	arch_vvar_publish(phys_to_virt(vdso_data.frames[0]));
	spin_unlock(&vdso_lock);
}

void vdso_for_each_page(void (*fn)(paddr_t pa, struct inode *inode, uint64_t index, void *arg), void *arg)
{
	const struct vdso_object *objs[] = { &vdso_text, &vdso_data };
	for (unsigned o = 0; o < 2; o++)
		for (unsigned i = 0; i < objs[o]->npages; i++)
			if (objs[o]->frames[i])
				fn(objs[o]->frames[i], (struct inode *)&objs[o]->inode, i, arg);
}

int vdso_map(struct mm *mm, vaddr_t *base)
{
	uint64_t data_len = ARCH_VVAR_PAGES * PAGE_SIZE, text_len = ARCH_VDSO_PAGES * PAGE_SIZE;
	vaddr_t at = vm_unmapped_area(mm, data_len + text_len);
	if (!at)
		return -ENOMEM;
	long r = vm_map_special(mm, at, data_len, PROT_READ, REGION_VVAR, &vdso_data.inode);
	if (r >= 0)
		r = vm_map_special(mm, at + data_len, text_len, PROT_READ | PROT_EXEC, REGION_VDSO,
				   &vdso_text.inode);
	if (r < 0)
		return (int)r;
	*base = at + data_len;
	return 0;
}
