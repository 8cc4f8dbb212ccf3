/*
 * fail_alloc.c - fault injection for allocations (fail_alloc.h).
 *
 * The setting is a line of comma-separated words, the same on the
 * command line (fail_alloc=...) and in /proc/sys/debug/fail_alloc
 * (mode 0600: root reads and writes it; a write sets the whole setting
 * and counts from zero, a line that does not parse is EINVAL and
 * changes nothing):
 *
 *   every=N       fail every Nth eligible allocation
 *   prob=P        fail each with probability P/1000 (seeded, below)
 *   seed=S        the generator's seed (default 1)
 *   after=K       let the first K eligible allocations through
 *   times=T       fail at most T of them (default: no limit)
 *   paths=A+B     only in these paths: fork clone exec mmap cow fault pt
 *                 (default: all, and outside any path too)
 *   off           no injection
 *
 * The decision is made by frame_alloc_order and kmalloc through
 * alloc_fail_hook, before they take a lock. Counts and the generator are
 * atomics: on several CPUs which allocation fails depends on timing, so
 * a failure is replayed on one CPU with the seed printed.
 */
#include "mm/fail_alloc.h"
#include "mm/frame.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "sys/sysctl.h"
#include "boot.h"

struct fail_config {
	uint64_t every, prob, seed, after, times;
	unsigned paths;   /* 0: all, in a path or not */
};

static struct fail_config cfg;          /* written at boot or by the sysctl (a whole copy) */
static uint64_t eligible, failed;       /* atomic */
static uint64_t rng_state;              /* atomic: xorshift64 */

static const char *const path_names[] = { "fork", "clone", "exec", "mmap", "cow", "fault", "pt" };

static uint64_t next_random(void)
{
	uint64_t x = __atomic_load_n(&rng_state, __ATOMIC_RELAXED), n;
	do {
		n = x;
		n ^= n << 13;
		n ^= n >> 7;
		n ^= n << 17;
	} while (!__atomic_compare_exchange_n(&rng_state, &x, n, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return n;
}

/* The path names of "a+b+c" as ALLOC_PATH_ bits; false on a bad name. */
static bool parse_paths(const char *s, size_t len, unsigned *out)
{
	*out = 0;
	while (len) {
		size_t n = 0;
		while (n < len && s[n] != '+')
			n++;
		size_t i;
		for (i = 0; i < ARRAY_SIZE(path_names); i++)
			if (strlen(path_names[i]) == n && strncmp(s, path_names[i], n) == 0)
				break;
		if (i == ARRAY_SIZE(path_names))
			return false;
		*out |= 1u << i;
		s += n + (n < len);
		len -= n + (n < len);
	}
	return true;
}

/* One word "key=value" (or "off") into c; false if it is not one. */
static bool parse_word(const char *w, size_t len, struct fail_config *c)
{
	static const struct { const char *key; size_t off; } nums[] = {
		{ "every", offsetof(struct fail_config, every) }, { "prob", offsetof(struct fail_config, prob) },
		{ "seed", offsetof(struct fail_config, seed) }, { "after", offsetof(struct fail_config, after) },
		{ "times", offsetof(struct fail_config, times) },
	};
	if (len == 3 && strncmp(w, "off", 3) == 0) {
		memset(c, 0, sizeof(*c));
		return true;
	}
	const char *eq = w;
	while (eq < w + len && *eq != '=')
		eq++;
	if (eq == w + len)
		return false;
	size_t klen = (size_t)(eq - w), vlen = len - klen - 1;
	if (klen == 5 && strncmp(w, "paths", 5) == 0)
		return parse_paths(eq + 1, vlen, &c->paths);
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		if (strlen(nums[i].key) != klen || strncmp(w, nums[i].key, klen) != 0)
			continue;
		uint64_t v = 0;
		for (size_t j = 0; j < vlen; j++) {
			if (eq[1 + j] < '0' || eq[1 + j] > '9')
				return false;
			v = v * 10 + (uint64_t)(eq[1 + j] - '0');
		}
		*(uint64_t *)((char *)c + nums[i].off) = v;
		return true;
	}
	return false;
}

/* fail_alloc_parse - a whole setting line into *c; false if malformed. */
static bool fail_alloc_parse(const char *s, size_t len, struct fail_config *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	while (len) {
		size_t n = 0;
		while (n < len && s[n] != ',')
			n++;
		if (n && !parse_word(s, n, c))
			return false;
		s += n + (n < len);
		len -= n + (n < len);
	}
	return c->prob <= 1000;
}

/* The hook: should this allocation fail? */
static bool should_fail(unsigned what)
{
	struct task *t = current;
	if (!t || !t->proc || t->is_idle || t->proc->pid <= 1 || t->proc->sid <= 1)
		return false;   /* the kernel's own work, and init's session, which runs the tests */
	unsigned paths = __atomic_load_n(&cfg.paths, __ATOMIC_RELAXED);
	if (paths && !(t->alloc_path & paths))
		return false;
	uint64_t n = __atomic_fetch_add(&eligible, 1, __ATOMIC_RELAXED);
	if (n < cfg.after)
		return false;
	bool fail = cfg.every ? (n - cfg.after) % cfg.every == cfg.every - 1
			      : cfg.prob && next_random() % 1000 < cfg.prob;
	if (!fail || (cfg.times && __atomic_load_n(&failed, __ATOMIC_RELAXED) >= cfg.times))
		return false;
	__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
	return true;
}

/* Install c: the hook on when it can fail anything, counts from zero. */
static void fail_alloc_set(const struct fail_config *c)
{
	alloc_fail_hook = NULL;
	cfg = *c;
	__atomic_store_n(&eligible, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&failed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rng_state, c->seed ? c->seed : 1, __ATOMIC_RELAXED);
	if (c->every || c->prob)
		alloc_fail_hook = should_fail;
}

/* The setting as a line, as it would be written. */
static int fail_alloc_format(char *buf, size_t size)
{
	if (!alloc_fail_hook)
		return snprintf(buf, size, "off\n");
	int n = cfg.every ? snprintf(buf, size, "every=%lu", (unsigned long)cfg.every)
			  : snprintf(buf, size, "prob=%lu,seed=%lu", (unsigned long)cfg.prob, (unsigned long)cfg.seed);
	if (cfg.after)
		n += snprintf(buf + n, size - (size_t)n, ",after=%lu", (unsigned long)cfg.after);
	if (cfg.times)
		n += snprintf(buf + n, size - (size_t)n, ",times=%lu", (unsigned long)cfg.times);
	for (size_t i = 0; i < ARRAY_SIZE(path_names); i++)
		if (cfg.paths & (1u << i))
			n += snprintf(buf + n, size - (size_t)n, "%s%s", (cfg.paths & ((1u << i) - 1)) ? "+" : ",paths=",
				      path_names[i]);
	return n + snprintf(buf + n, size - (size_t)n, "\n");
}

void fail_alloc_init(void)
{
	const char *v = boot_cmdline_value("fail_alloc");
	struct fail_config c;
	if (!v)
		return;
	if (!fail_alloc_parse(v, strlen(v), &c)) {
		pr_warn("fail_alloc: cannot read \"%s\": no injection\n", v);
		return;
	}
	fail_alloc_set(&c);
	char line[128];
	fail_alloc_format(line, sizeof(line));
	pr_info("fail_alloc: %s", line);
}

void fail_alloc_report(void)
{
	if (!alloc_fail_hook)
		return;
	printk(LOG_ERR, "fail_alloc: %lu of %lu eligible allocations failed\n",
	       (unsigned long)__atomic_load_n(&failed, __ATOMIC_RELAXED),
	       (unsigned long)__atomic_load_n(&eligible, __ATOMIC_RELAXED));
}

/* /proc/sys/debug/fail_alloc: the setting as fail_alloc= takes it. Two
 * writers at once may mix their settings (root only, for tests). */
static long show_fail_alloc(const struct sysctl *s, char *buf, size_t size)
{
	(void)s;
	return fail_alloc_format(buf, size);
}

static long store_fail_alloc(const struct sysctl *s, const char *text, size_t len)
{
	struct fail_config c;
	(void)s;
	if (!fail_alloc_parse(text, len, &c))
		return -EINVAL;
	fail_alloc_set(&c);
	return (long)len;
}
SYSCTL_PROC("debug/fail_alloc", 0600, show_fail_alloc, store_fail_alloc);
