/*
 * demo-swap - a process larger than RAM. It maps three regions, each
 * half of the RAM, writes them one after the other, and after each step
 * runs vmmap on itself: the SWAPPED column shows the older regions going
 * out to swap while the newest stays in RAM; the page-table entries of
 * the pages sent out now hold swap entries (pagemap's bit 62). Then it
 * reads the first region again: its pages come back (major faults),
 * others go out to make room. The same addresses all along: only the
 * page table changed. At exit every page and every swap slot is freed.
 *
 *   demo-swap [MiB per region]     (default: half the RAM)
 *
 * Needs swap (make run attaches a disk and init enables it).
 */
#include "demo.h"
#include "tools.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#define REGIONS 3
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

static long major_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

static void vmmap_self(void)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", getpid());
	char *argv[] = { "vmmap", pid, NULL };
	fflush(stdout);
	demo_run(argv);
}

/* Where the first page of region r is: its pagemap entry, explained. */
static void where_is(char name, const char *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / DEMO_PAGE * sizeof(e))) != sizeof(e))
		e = 0;
	if (fd >= 0)
		close(fd);
	if (e & PM_SWAP)
		printf("  region %c at %p: in swap, area %llu slot %llu\n", name, (void *)p,
		       (unsigned long long)(e & 31), (unsigned long long)((e >> 5) & ((1ULL << 50) - 1)));
	else if (e & PM_PRESENT)
		printf("  region %c at %p: in RAM, frame 0x%llx\n", name, (void *)p,
		       (unsigned long long)(e & ((1ULL << 55) - 1)));
	else
		printf("  region %c at %p: not touched yet\n", name, (void *)p);
}

static void write_region(char *p, size_t bytes, char value)
{
	for (size_t i = 0; i < bytes; i += DEMO_PAGE)
		p[i] = value;
}

static size_t bad_pages(const char *p, size_t bytes, char value)
{
	size_t bad = 0;
	for (size_t i = 0; i < bytes; i += DEMO_PAGE)
		bad += ((volatile const char *)p)[i] != value;
	return bad;
}

int main(int argc, char **argv)
{
	struct sysinfo si;
	sysinfo(&si);
	unsigned long ram_mib = si.totalram * si.mem_unit >> 20, swap_mib = si.totalswap * si.mem_unit >> 20;
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : ram_mib / 2;
	size_t bytes = mib << 20;
	char *region[REGIONS];

	printf("RAM %lu MiB, swap %lu MiB; three regions of %zu MiB each: %zu MiB in all.\n",
	       ram_mib, swap_mib, mib, REGIONS * mib);
	if (swap_mib < REGIONS * mib) {
		printf("Not enough swap for this demo (swapon a disk first, or give a smaller size).\n");
		return 1;
	}
	for (int r = 0; r < REGIONS; r++) {
		region[r] = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region[r] == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	long out0 = vmstat("pswpout"), in0 = vmstat("pswpin");
	for (int r = 0; r < REGIONS; r++) {
		demo_section(r == 0 ? "Writing region A" : r == 1 ? "Writing region B" : "Writing region C");
		write_region(region[r], bytes, (char)('A' + r));
		printf("Written. Pages sent to swap so far: %ld.\n", vmstat("pswpout") - out0);
		for (int q = 0; q <= r; q++)
			where_is((char)('A' + q), region[q]);
		if (r > 0) {
			printf("The kernel (reclaim.c's clock, scan_pte_fn) found A's pages unused and sent\n"
			       "them out (swap_out_entry): their page-table entries hold swap entries now.\n");
			vmmap_self();
		}
	}
	demo_section("Reading region A again");
	long majors = major_faults();
	size_t bad = bad_pages(region[0], bytes, 'A');
	printf("Read back %zu MiB of A with %ld major faults (fault_swap_in, reading ahead\n"
	       "%s); %ld pages came back in all, and %zu pages were wrong.\n", mib, major_faults() - majors,
	       "clusters of slots into the swap cache", vmstat("pswpin") - in0, bad);
	where_is('A', region[0]);
	where_is('B', region[1]);
	vmmap_self();
	printf("At exit every frame and every swap slot is given back: see `free` or /proc/swaps.\n");
	return bad != 0;
}
