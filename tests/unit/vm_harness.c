/*
 * vm_harness.c - see vm_harness.h. Files take no part: the hooks the mm
 * code calls for them do nothing.
 */
#include <string.h>
#include "vm_harness.h"
#include "mm/frame.h"
#include "mm/pagetable.h"
#include "mm/phys.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "fake_ram.h"

extern struct task *fake_current;

void region_file_get(struct inode *f) {}
void region_file_put(struct inode *f) {}
void region_file_link(struct region *r) {}
void region_file_unlink(struct region *r) {}
void region_file_writable(struct inode *f, int delta) {}
struct inode *inode_get(struct inode *ip) { return ip; }
void inode_put(struct inode *ip) {}
struct inode *ramfs_create_anon(uint64_t size, bool account) { return NULL; }
paddr_t inode_get_page(struct inode *ip, uint64_t index, bool alloc) { return 0; }
int inode_find_page(struct inode *ip, uint64_t index, bool alloc, paddr_t *pa) { *pa = 0; return -EIO; }
int inode_mkwrite(struct inode *ip, uint64_t index) { return 0; }
long file_fallocate_inode(struct inode *ip, int mode, uint64_t off, uint64_t len) { return -EOPNOTSUPP; }
long inode_read_kernel(struct inode *ip, uint64_t off, void *buf, size_t len) { return -EIO; }
/* Weak: test_shmem_swap.c links the real mm/shmem_swap.c. */
__attribute__((weak)) int shmem_unuse(unsigned type) { return 0; }
/* No resource limits (proc/rlimit.h). */
uint64_t rlimit_cur(int resource) { return ~0ULL; }
int rlimit_vm_fits(uint64_t total_bytes, uint64_t data_bytes) { return 0; }
bool shmem_owns(const struct inode *ip) { return false; }
bool shmem_evictable(const struct inode *ip) { return false; }
__attribute__((weak)) bool shmem_writeout(struct inode *ip, uint64_t index, paddr_t pa) { return false; }
void inode_touch_locked(struct inode *ip, uint32_t which) {}

struct process test_proc;
static struct task task = { .proc = &test_proc };

struct mm *fresh_mm(uint64_t *frames_before)
{
	fake_ram_init(FAKE_RAM, PAGE_SIZE);
	fake_current = &task;
	memset(&test_proc.counters, 0, sizeof(test_proc.counters));
	*frames_before = frames_in_use();
	return mm_create();
}

uint64_t count_regions(struct mm *mm)
{
	uint64_t n = 0;
	for (struct region *r = region_first(&mm->regions); r; r = region_next(r))
		n++;
	return n;
}

paddr_t frame_at(struct mm *mm, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, va);
	return pte && pte_present(*pte) ? pte_addr(*pte) : 0;
}

bool writable_at(struct mm *mm, vaddr_t va)
{
	return pt_write_allowed(mm, va);
}

/* The byte at va, through the (now present) entry, marked accessed. */
static char *user_byte(struct mm *mm, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, va);
	fake_touch(pte);
	return (char *)phys_to_virt(pte_addr(*pte)) + (va & (PAGE_SIZE - 1));
}

int user_write(struct mm *mm, vaddr_t va, char c)
{
	if (!writable_at(mm, va)) {
		int err = vm_fault_mm(mm, va, FAULT_WRITE | FAULT_USER);
		if (err)
			return err;
	}
	*user_byte(mm, va) = c;
	return 0;
}

char user_read(struct mm *mm, vaddr_t va)
{
	if (!frame_at(mm, va) && vm_fault_mm(mm, va, FAULT_USER))
		return -1;
	return *user_byte(mm, va);
}

long map_written(struct mm *mm, vaddr_t addr, int n)
{
	long a = vm_mmap(mm, addr, (uint64_t)n * PAGE_SIZE, RW, ANON | (addr ? MAP_FIXED : 0), NULL, 0);
	for (int i = 0; i < n && a > 0; i++)
		if (user_write(mm, a + i * PAGE_SIZE, (char)('A' + i % 26)))
			return -ENOMEM;
	return a;
}

paddr_t table_of_va(struct mm *mm, vaddr_t va)
{
	const pte_t *pte = pt_lookup(mm, va);
	return pte ? virt_to_phys((const void *)PAGE_ROUND_DOWN((uintptr_t)pte)) : 0;
}
