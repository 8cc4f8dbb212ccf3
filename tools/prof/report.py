#!/usr/bin/env python3
"""report.py - symbolize the profiler's samples and print a flat profile
and the hottest call paths (tools/aspen-prof, docs/performance.md).

    report.py [--top N] [--paths N] SAMPLES KERNEL.elf [USER_BINARY...]

SAMPLES holds the lines of /proc/profile (time/profile.c):
    # profile period_ns P started_ns S cpus C lost L
    K|U CPU PID IP[/CALLER...] COMM
Kernel addresses are named with `nm -n KERNEL.elf`; a user sample with
the symbols of the USER_BINARY whose file name is the task's name (its
comm), else as [COMM]. The output depends only on the samples and the
binaries, so two runs with the same samples print the same report.
"""
import bisect
import collections
import os
import subprocess
import sys


class Symbols:
    """The text symbols of one ELF file, by address (nm -n)."""

    def __init__(self, path):
        self.addrs, self.names = [], []
        out = subprocess.run(["nm", "-n", path], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addrs.append(int(parts[0], 16))
                self.names.append(parts[2])

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else "0x%x" % addr


def parse(path):
    """The header's fields and the samples (user, pid, ips, comm)."""
    header, samples = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# profile "):
                words = line.split()[2:]
                header = dict(zip(words[::2], (int(w) for w in words[1::2])))
                continue
            parts = line.split(" ", 4)
            if len(parts) < 4 or parts[0] not in ("K", "U"):
                continue
            ips = [int(x, 16) for x in parts[3].split("/")]
            samples.append((parts[0] == "U", int(parts[2]), ips, parts[4] if len(parts) > 4 else "?"))
    return header, samples


def main(argv):
    top, npaths = 30, 15
    while argv and argv[0].startswith("--"):
        if argv[0] == "--top":
            top = int(argv[1])
        elif argv[0] == "--paths":
            npaths = int(argv[1])
        else:
            sys.exit("report.py: unknown option " + argv[0])
        argv = argv[2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    header, samples = parse(argv[0])
    kernel = Symbols(argv[1])
    users = {os.path.basename(p)[:15]: Symbols(p) for p in argv[2:]}
    if not samples:
        sys.exit("report.py: no samples in " + argv[0])

    def frames(user, ips, comm):
        if user:
            syms = users.get(comm)
            return [("%s (%s)" % (syms.name(ips[0]), comm)) if syms else "[%s]" % comm]
        return [kernel.name(ip) for ip in ips]

    idle = sum(1 for s in samples if s[1] == 0)
    samples = [s for s in samples if s[1] != 0]   # pid 0: the idle task
    if not samples:
        sys.exit("report.py: only idle samples in " + argv[0])
    self_count, total_count = collections.Counter(), collections.Counter()
    paths = collections.Counter()
    nkernel = 0
    for user, pid, ips, comm in samples:
        names = frames(user, ips, comm)
        self_count[names[0]] += 1
        for n in set(names):
            total_count[n] += 1
        if not user:
            nkernel += 1
            paths[" <- ".join(names)] += 1
    n = len(samples)
    period = header.get("period_ns", 0)
    print("%d samples every %d ns of guest time (%.1f ms; besides, %d idle and %d lost): "
          "kernel %.1f%%, user %.1f%%" % (n, period, n * period / 1e6, idle, header.get("lost", 0),
                                         100.0 * nkernel / n, 100.0 * (n - nkernel) / n))
    print()
    print("flat profile (self: the sample was in it; total: it was on the call chain)")
    print("%7s %7s  %s" % ("self%", "total%", "function"))
    for name, c in sorted(self_count.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        print("%6.2f%% %6.2f%%  %s" % (100.0 * c / n, 100.0 * total_count[name] / n, name))
    print()
    print("hottest kernel call paths (innermost first)")
    for path, c in sorted(paths.items(), key=lambda kv: (-kv[1], kv[0]))[:npaths]:
        print("%6.2f%%  %s" % (100.0 * c / n, path))


if __name__ == "__main__":
    main(sys.argv[1:])
