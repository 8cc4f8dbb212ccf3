/* trace.c - Aspen's memory event trace (/proc/aspen-trace, docs/view.md):
 * a fork and writes produce exactly the events they should, in order,
 * with the right addresses and frames; snapshots show the pages shared
 * at fork; tracing follows children; bad commands are refused. All
 * Aspen-only: Linux has no such file. */
#include "gtest.h"
#include "gtest_cred.h"
#include <fcntl.h>
#include <sys/sysinfo.h>

#define TRACE_FILE "/proc/aspen-trace"
#define TRACE_MAX  (4 << 20)
#define LINE_MAX_  256

static char text[TRACE_MAX];

static int command(const char *cmd)
{
	return write_text(TRACE_FILE, cmd) == (ssize_t)strlen(cmd) ? 0 : -1;
}

/* Everything recorded, after "off": the reader gets the end of file. */
static size_t read_all(void)
{
	int fd = open(TRACE_FILE, O_RDONLY);
	CHECK(fd >= 0);
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, text + len, TRACE_MAX - 1 - len)) > 0)
		len += (size_t)n;
	CHECK(n == 0, "read: %s", strerror(errno));
	close(fd);
	text[len] = '\0';
	return len;
}

/* The frame number of addr in this process (pagemap). */
static unsigned long frame_of(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / 4096 * 8)) == sizeof(e));
	close(fd);
	CHECK(e >> 63, "page not present");
	return (unsigned long)(e & ((1ULL << 55) - 1));
}

/* The value of key= in line (up to its end), or NULL. */
static const char *field(const char *line, const char *key, char *out, size_t size)
{
	char pat[32];
	snprintf(pat, sizeof(pat), " %s=", key);
	const char *end = strchr(line, '\n');
	const char *p = strstr(line, pat);
	if (!p || (end && p > end))
		return NULL;
	p += strlen(pat);
	size_t n = strcspn(p, " \n");
	snprintf(out, size, "%.*s", (int)(n < size - 1 ? n : size - 1), p);
	return out;
}

static unsigned long num(const char *line, const char *key)
{
	char v[64];
	CHECK(field(line, key, v, sizeof(v)), "no %s= in: %.120s", key, line);
	return strtoul(v, NULL, 0);
}

static bool is_type(const char *line, const char *type)
{
	char t[32];
	return sscanf(line, "%*u %*u %31s", t) == 1 && !strcmp(t, type);
}

/* The next line at or after *at of type whose fields match every
 * "key=value" of want (space separated); it is consumed. NULL if none. */
static const char *next_event(const char **at, const char *type, const char *want)
{
	for (const char *l = *at; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!is_type(l, type))
			continue;
		bool ok = true;
		char w[256], v[64], *save = NULL;
		snprintf(w, sizeof(w), "%s", want);
		for (char *kv = strtok_r(w, " ", &save); ok && kv; kv = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(kv, '=');
			*eq = '\0';
			ok = field(l, kv, v, sizeof(v)) && !strcmp(v, eq + 1);
		}
		if (ok) {
			*at = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l);
			return l;
		}
	}
	return NULL;
}

#define EXPECT(at, type, ...) ({                                                      \
	char want_[256];                                                              \
	snprintf(want_, sizeof(want_), __VA_ARGS__);                                   \
	const char *l_ = next_event(&(at), type, want_);                              \
	CHECK(l_, "no %s event with %s after: %.200s", type, want_, at);              \
	l_; })

/* Aspen: mm ids in the order the test met them. The fork is a cow one
 * (prctl), whatever the system's strategy: this is the per-page story. */
GTEST(trace_fork_then_writes_give_cow_events_in_order)
{
	ASPEN_ONLY();
	CHECK_EQ(prctl(PR_ASPEN_SET_FORK_STRATEGY, ASPEN_FORK_COW, 0, 0, 0), 0);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	int self = getpid();
	CHECK(command("pid 0") == 0, "pid 0: %s", strerror(errno));
	p[0] = 1;                                   /* zero fill */
	unsigned long f1 = frame_of(p);
	pid_t c = xfork();
	if (c == 0) {
		p[0] = 2;                           /* cow copy: the child's own frame */
		_exit(frame_of(p) != f1 ? 0 : 1);
	}
	CHECK_EQ(wait_status(c), 0);
	p[0] = 3;                                   /* sole owner again: reuse */
	CHECK(frame_of(p) == f1);
	CHECK(command("off") == 0);
	read_all();

	const char *at = text;
	char addr[32];
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)(uintptr_t)p);
	EXPECT(at, "start", "mode=pid target=%d", self);
	const char *l = EXPECT(at, "snap", "pid=%d why=start", self);
	unsigned long mm = num(l, "mm");
	l = EXPECT(at, "fault", "pid=%d mm=%lu how=zero addr=%s", self, mm, addr);
	CHECK(num(l, "frame") == f1 && num(l, "ref") == 1 && num(l, "w") == 1, "%.150s", l);
	l = EXPECT(at, "fork", "pid=%d mm=%lu child=%d vm=copy strategy=cow", self, mm, c);
	unsigned long cmm = num(l, "child_mm");
	CHECK(cmm && cmm != mm);
	EXPECT(at, "snap", "pid=%d mm=%lu why=fork", self, mm);
	l = EXPECT(at, "page", "pid=%d mm=%lu addr=%s", self, mm, addr);
	CHECK(num(l, "frame") == f1 && num(l, "ref") == 2 && num(l, "w") == 0, "parent after fork: %.150s", l);
	EXPECT(at, "snap", "pid=%d mm=%lu why=fork", c, cmm);
	l = EXPECT(at, "page", "pid=%d mm=%lu addr=%s", c, cmm, addr);
	CHECK(num(l, "frame") == f1 && num(l, "ref") == 2 && num(l, "w") == 0, "child after fork: %.150s", l);
	l = EXPECT(at, "fault", "pid=%d mm=%lu how=cow_copy addr=%s", c, cmm, addr);
	CHECK(num(l, "old") == f1 && num(l, "old_ref") == 1 && num(l, "frame") != f1 &&
	      num(l, "ref") == 1 && num(l, "w") == 1, "%.150s", l);
	EXPECT(at, "snap", "pid=%d mm=%lu why=exit", c, cmm);
	EXPECT(at, "exit", "pid=%d tid=%d mm=%lu last=1", c, c, cmm);
	EXPECT(at, "mm_free", "mm=%lu", cmm);
	l = EXPECT(at, "fault", "pid=%d mm=%lu how=cow_reuse addr=%s", self, mm, addr);
	CHECK(num(l, "frame") == f1 && num(l, "ref") == 1 && num(l, "w") == 1, "%.150s", l);
	EXPECT(at, "snap", "pid=%d mm=%lu why=end", self, mm);
	EXPECT(at, "end", "pid=%d", self);
	CHECK(!strstr(text, " lost "), "records were lost");
}

/* Aspen: every record has the next sequence number, and times never
 * go back; a snapshot lists exactly as many pages as it says. */
GTEST(trace_records_numbered_and_snapshots_complete)
{
	ASPEN_ONLY();
	CHECK(command("pid 0") == 0);
	pid_t c = xfork();
	if (c == 0)
		_exit(0);
	wait_status(c);
	CHECK(command("off") == 0);
	read_all();
	unsigned long seq, ns, prev_seq = 0, prev_ns = 0, pages = 0;
	int n = 0;
	bool in_snap = false;
	for (const char *l = text; *l; l = strchr(l, '\n') + 1, n++) {
		CHECK(sscanf(l, "%lu %lu", &seq, &ns) == 2, "line %d: %.80s", n, l);
		CHECK(n == 0 || (seq == prev_seq + 1 && ns >= prev_ns), "line %d: %lu after %lu", n, seq, prev_seq);
		prev_seq = seq;
		prev_ns = ns;
		if (is_type(l, "snap")) {
			in_snap = true;
			pages = 0;
		} else if (is_type(l, "page")) {
			pages++;
		} else if (is_type(l, "snap_end")) {
			CHECK(in_snap && num(l, "pages") == pages, "snapshot of %lu pages says %.80s", pages, l);
			in_snap = false;
		}
	}
	CHECK(n > 10, "only %d lines", n);
	CHECK(is_type(text, "start"));
}

/* A child that, once a byte comes on *go (a pipe's write end), maps a
 * page, touches it and exits 0: a process started before the tracing. */
static pid_t toucher_started(int *go)
{
	int pfd[2];
	char ch;
	CHECK(pipe(pfd) == 0);
	pid_t pid = xfork();
	if (pid == 0) {
		if (read(pfd[0], &ch, 1) != 1)
			_exit(1);
		char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		q[0] = 1;
		_exit(0);
	}
	*go = pfd[1];
	return pid;
}

/* Aspen: a traced process's child is traced, an unrelated one is not. */
GTEST(trace_follows_descendants_only)
{
	ASPEN_ONLY();
	int go;
	pid_t other = toucher_started(&go);        /* forked before tracing: not traced */
	CHECK(command("pid 0") == 0);
	pid_t c = xfork();
	if (c == 0) {
		pid_t g = fork();                   /* a grandchild */
		if (g == 0)
			_exit(0);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	CHECK_EQ(wait_status(c), 0);
	CHECK(write(go, "g", 1) == 1);
	CHECK_EQ(wait_status(other), 0);
	CHECK(command("off") == 0);
	read_all();
	const char *at = text;
	const char *l = EXPECT(at, "fork", "pid=%d child=%d", getpid(), c);
	l = EXPECT(at, "fork", "pid=%d", c);
	int g = (int)num(l, "child");
	EXPECT(at, "exit", "pid=%d", g);
	EXPECT(at, "exit", "pid=%d", c);
	char pat[32];
	snprintf(pat, sizeof(pat), " pid=%d ", other);
	CHECK(!strstr(text, pat), "the untraced process %d appears", other);
}

/* Aspen: commands are checked. */
GTEST(trace_bad_commands_refused)
{
	ASPEN_ONLY();
	CHECK_ERR(command("bogus"), EINVAL);
	CHECK_ERR(command("pid x"), EINVAL);
	CHECK_ERR(command("pid 999999999"), EINVAL);
	CHECK_ERR(command("pid 32000"), ESRCH);
	CHECK(command("off") == 0);                 /* off when off: nothing to do */
	CHECK(command("pid 0") == 0);
	CHECK_ERR(command("all"), EBUSY);            /* one session at a time */
	CHECK(command("off") == 0);
	CHECK(read_all() > 0);
}

/* Aspen: exec replaces the address space: the old one is freed, the
 * exec record names the program and a snapshot of the new one follows. */
GTEST(trace_exec_gives_a_new_address_space)
{
	ASPEN_ONLY();
	CHECK(command("pid 0") == 0);
	pid_t c = xfork();
	if (c == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(wait_status(c), 0);
	CHECK(command("off") == 0);
	read_all();
	const char *at = text;
	const char *l = EXPECT(at, "fork", "pid=%d child=%d", getpid(), c);
	unsigned long cmm = num(l, "child_mm");
	EXPECT(at, "mm_free", "mm=%lu", cmm);
	l = EXPECT(at, "exec", "pid=%d comm=true", c);
	unsigned long emm = num(l, "mm");
	CHECK(emm && emm != cmm, "exec's mm %lu, the fork's %lu", emm, cmm);
	EXPECT(at, "snap", "pid=%d mm=%lu why=exec comm=true", c, emm);
	EXPECT(at, "exit", "pid=%d mm=%lu", c, emm);
	EXPECT(at, "mm_free", "mm=%lu", emm);
}

/* Aspen: "all" traces a process that was started before, and unrelated. */
GTEST(trace_all_traces_every_process)
{
	ASPEN_ONLY();
	int go;
	pid_t other = toucher_started(&go);
	CHECK(command("all") == 0);
	CHECK(write(go, "g", 1) == 1);
	CHECK_EQ(wait_status(other), 0);
	CHECK(command("off") == 0);
	read_all();
	const char *at = text;
	EXPECT(at, "start", "mode=all");
	const char *l = EXPECT(at, "snap", "pid=%d why=start", other);
	unsigned long mm = num(l, "mm");
	l = EXPECT(at, "map", "pid=%d mm=%lu op=mmap", other, mm);
	char addr[32];
	snprintf(addr, sizeof(addr), "%#lx", num(l, "addr"));
	EXPECT(at, "fault", "pid=%d mm=%lu how=zero addr=%s", other, mm, addr);
	EXPECT(at, "exit", "pid=%d", other);
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21                    /* Linux 5.4; older headers lack it */
#endif

/* Aspen: a page sent to swap (MADV_PAGEOUT) gives a page_out record
 * naming its slot; a snapshot then lists it as swapped (swap=1, frame=
 * the slot); the next touch is a fault served by swap_in, on a frame. */

GTEST(trace_page_out_then_swap_in)
{
	ASPEN_ONLY();
	struct sysinfo si;
	CHECK_EQ(sysinfo(&si), 0);
	if (si.freeswap < 4096)
		SKIP("no swap");
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 42;
	CHECK(command("pid 0") == 0);
	CHECK_EQ(madvise(p, 4096, MADV_PAGEOUT), 0);
	CHECK(command("snapshot") == 0);
	CHECK_EQ(((volatile char *)p)[0], 42);       /* back from swap */
	unsigned long f = frame_of(p);
	CHECK(command("off") == 0);
	read_all();

	const char *at = text;
	char addr[32];
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)(uintptr_t)p);
	const char *l = EXPECT(at, "snap", "pid=%d why=start", getpid());
	unsigned long mm = num(l, "mm");
	l = EXPECT(at, "page_out", "pid=%d mm=%lu addr=%s", getpid(), mm, addr);
	unsigned long slot = num(l, "slot");
	l = EXPECT(at, "page", "mm=%lu addr=%s swap=1", mm, addr);
	CHECK(num(l, "frame") == slot, "snapshot of the swapped page: %.150s", l);
	l = EXPECT(at, "fault", "pid=%d mm=%lu how=swap_in addr=%s", getpid(), mm, addr);
	CHECK(num(l, "frame") == f && num(l, "ref") >= 1, "%.150s", l);
}
