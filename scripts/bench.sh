#!/bin/sh
# bench.sh [FIGURE...] - run bench/bench as the first program of Aspen and
# of Linux (Debian's linux-image-amd64), in the same QEMU machine with
# -icount shift=0, and print the figures side by side.
#
#   scripts/bench.sh                 every figure; the table also goes to
#                                    bench/results/DATE.txt (and .tsv), the
#                                    plot to bench/results/fork-latency.svg
#   scripts/bench.sh getpid exec     only these figures (nothing saved)
#   scripts/bench.sh --compare A.tsv B.tsv
#                                    how far two saved runs differ
#
# The two guests run at the same time (one per host core): under -icount
# their clocks count guest instructions, so host load does not change the
# figures. Logs are kept in build/bench/{aspen,linux}.log.
# The swap figures (bench -s) run in a second pair of boots with little
# RAM and a swap disk each (scripts/disks.sh: a sparse image formatted by
# the host's mkswap), the benchmark being pid 1 there too; Linux's
# initramfs then also holds its virtio-blk modules, which the benchmark
# loads before swapon /dev/vda.
# Environment: BENCH_MEM (MiB, default 1024), BENCH_TIMEOUT (s per guest,
# default 400), BENCH_SWAP_MEM (MiB of the swap boots, default 128),
# BENCH_SWAP_DISK (MiB, default 512; the figures' sizes assume 128 MiB
# of RAM: bench/swapbench.c), LINUX_KERNEL (default the newest
# /boot/vmlinuz-*), BENCH_NOBUILD=1 (boot the same Aspen and benchmark as
# the last run), BENCH_CPU (QEMU's CPU model, default max; qemu64 too
# for issue 19's targets: results saved as DATE-qemu64.txt),
# BENCH_LINUX_LOG=FILE (take Linux's figures from the console log of an
# earlier run on the same CPU, build/bench/linux.log, instead of booting
# it: the Linux side takes most of the time and does not change).
# Exit status 1 if any figure is missing on either kernel.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$BUILD/bench
RESULTS=$ROOT/bench/results
MEM=${BENCH_MEM:-1024}
CPU=${BENCH_CPU:-max}
TIMEOUT=${BENCH_TIMEOUT:-400}
SWAP_MEM=${BENCH_SWAP_MEM:-128}
SWAP_DISK=${BENCH_SWAP_DISK:-512}
# Linux's virtio-blk driver and what it needs, in load order.
VIRTIO_MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev
drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk"
# sleep=off: an idle guest jumps to its next timer instead of waiting in
# real time; -seed: RDRAND and QEMU's other guest randomness repeat; -rtc:
# the CMOS clock starts at a fixed date and runs in guest time (Linux
# mixes the date it reads into its random state). With the three, a
# guest's instruction stream, hence its clock, repeats exactly.
ICOUNT="-icount shift=0,sleep=off -seed 1 -rtc base=2026-01-01T00:00:00,clock=vm"
# The swap boots wait for a disk: with sleep=off an idle guest's clock
# would jump to its next timer at every wait (up to a tick: 10 ms on
# Aspen, 4 ms on Linux), which has nothing to do with the disk. With
# sleep=on idle time is real time: the swap figures count instructions
# while running and the host's real I/O time while waiting, so they vary
# a little from run to run, unlike the others.
ICOUNT_SWAP="-icount shift=0,sleep=on -seed 1 -rtc base=2026-01-01T00:00:00,clock=vm"
LINUX_APPEND="console=ttyS0 quiet panic=-1 rdinit=/bench/bench transparent_hugepage=never"
ASPEN_APPEND="init=/bench/bench quiet"

# compare A B - per figure, B's change from A on each kernel, in percent.
compare() {
	awk -F'\t' '
	FNR == 1 { file++ }
	/^#/ || NF < 4 { next }
	file == 1 { a[$1] = $3; l[$1] = $4; next }
	$1 in a {
		printf "%-18s", $1
		worst = 0
		split(a[$1] " " l[$1], old, " ")
		split($3 " " $4, new, " ")
		for (k = 1; k <= 2; k++) {
			if (old[k] == "n/a" || new[k] == "n/a" || old[k] == 0) { printf "  %8s", "n/a"; continue }
			d = (new[k] - old[k]) * 100 / old[k]
			printf "  %+7.2f%%", d
			if (d < 0) d = -d
			if (d > worst) worst = d
		}
		printf "\n"
		if (worst > max) max = worst
	}
	END { printf "largest change: %.2f%%\n", max }' "$1" "$2"
}

if [ "${1:-}" = --compare ]; then
	[ $# -eq 3 ] || { echo "usage: bench.sh --compare A.tsv B.tsv" >&2; exit 2; }
	echo "figure               Aspen     Linux"
	compare "$2" "$3"
	exit 0
fi

linux_kernel() {
	if [ -n "${LINUX_KERNEL:-}" ]; then
		echo "$LINUX_KERNEL"
	else
		ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1
	fi
}

# build - the kernel, its initramfs and the benchmark programs, copied
# (other builds in this tree may replace build/ files meanwhile). With
# BENCH_NOBUILD=1, the copies of the last run are used again.
build() {
	if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
		make -C "$ROOT" -s -j"$(nproc)" build/aspen.elf build/initramfs.cpio build/bench/bench build/bench/tiny \
			build/bench/tiny-dyn
		cp "$BUILD/aspen.elf" "$OUT/aspen.elf"
		cp "$BUILD/initramfs.cpio" "$OUT/aspen-base.cpio"
	fi
}

# phase_args LIST FIGURE... - the named figures that bench LIST (-l or -s)
# lists, on one line (empty if none).
phase_args() {
	list=$1
	shift
	names=$("$OUT/bench" "$list" | cut -f1)
	for f in "$@"; do
		echo "$names" | grep -qx "$f" && printf '%s ' "$f"
	done
	echo
}

# aspen_initrd - Aspen's standard initramfs plus a second archive with
# /bench (and /bench/args, the figures asked for, if any).
aspen_initrd() {
	set -- --add "$OUT/bench:/bench/bench" --add "$OUT/tiny:/bench/tiny" --add "$OUT/tiny-dyn:/bench/tiny-dyn"
	[ ! -s "$OUT/args" ] || set -- "$@" --add "$OUT/args:/bench/args"
	sh "$ROOT/scripts/mkinitramfs.sh" "$BUILD" "$OUT/aspen.cpio" --base "$OUT/aspen-base.cpio" "$@"
}

# minimal_initrd CPIO [MODULES_FROM] - an initramfs with only /bench (the
# benchmark is /init's stand-in via rdinit=, or Aspen's init=), /tmp and
# /dev, and the loader and libraries tiny-dyn needs (scripts/libdeps.sh):
# Linux's, and both kernels' for the swap boots (the same RAM left to
# both). With MODULES_FROM (a /lib/modules/VERSION), /bench/modules
# holds the virtio-blk modules, numbered in load order. The benchmark
# makes /dev/console itself when the kernel could not open one.
minimal_initrd() {
	r=$OUT/root
	rm -rf "$r"
	mkdir -p "$r/bench" "$r/tmp" "$r/dev"
	cp "$OUT/bench" "$OUT/tiny" "$OUT/tiny-dyn" "$r/bench/"
	# (not in a pipe: a library libdeps.sh cannot find stops the run here)
	libs=$(sh "$ROOT/scripts/libdeps.sh" "$OUT/tiny-dyn") || return 1
	printf '%s\n' "$libs" | while IFS=: read -r host guest; do
		[ -n "$host" ] || continue
		mkdir -p "$r$(dirname "$guest")"
		cp "$host" "$r$guest"
	done
	[ ! -s "$OUT/args" ] || cp "$OUT/args" "$r/bench/args"
	if [ -n "${2:-}" ]; then
		mkdir -p "$r/bench/modules"
		i=1
		for m in $VIRTIO_MODULES; do
			cp "$2/kernel/$m.ko" "$r/bench/modules/$i-${m##*/}.ko" || return 1
			i=$((i + 1))
		done
	fi
	chmod 1777 "$r/tmp"
	find "$r" -exec touch -h -d @0 {} +
	(cd "$r" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) > "$1"
}

# boot NAME KERNEL INITRD APPEND [MEM DISK_ARGS] - one guest; its console
# into OUT/NAME.log. With disks, the swap boots' clock (ICOUNT_SWAP).
boot() {
	icount=$ICOUNT
	[ -z "${6:-}" ] || icount=$ICOUNT_SWAP
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 $(QEMU_CPU=$CPU SMP=1 sh "$ROOT/scripts/qemu-args.sh" "${5:-$MEM}") $icount \
		-kernel "$2" -initrd "$3" -append "$4" ${6:-} -serial stdio \
		< /dev/null > "$OUT/$1.log" 2>&1 || qemu_status=$?
	# 0: Linux powered off; 1: Aspen's isa-debug-exit with status 0.
	case ${qemu_status:-0} in
	0 | 1) ;;
	124 | 137) echo "bench: $1 guest timed out after $TIMEOUT s" >&2 ;;
	*) echo "bench: $1 guest: QEMU exited with status $qemu_status" >&2 ;;
	esac
	tr -d '\r' < "$OUT/$1.log" > "$OUT/$1.out"
}

# results NAME LIST - "name<TAB>label<TAB>median-or-n/a<TAB>reason" per
# figure of bench LIST (-l or -s) printed by guest NAME; a figure missing
# from the log is n/a.
results() {
	"$OUT/bench" "$2" | awk -F'\t' -v logf="$OUT/$1.out" -v ended="$(grep -c '^BENCH-END' "$OUT/$1.out")" \
		-v only="$(cat "$OUT/args" 2>/dev/null)" '
	BEGIN {
		while ((getline line < logf) > 0) {
			n = split(line, f, "\t")
			if (f[1] != "BENCH" || n < 5) continue
			val[f[2]] = f[4]
			why[f[2]] = f[4] == "n/a" ? f[5] : ""
		}
	}
	only != "" && index(" " only " ", " " $1 " ") == 0 { next }
	{
		if ($1 in val) print $1 "\t" $2 "\t" val[$1] "\t" why[$1]
		else print $1 "\t" $2 "\tn/a\t" (ended ? "not run" : "the guest stopped before it (see its log)")
	}'
}

# with_plain_figures FIGURE... - the figures, and for a fork-strategy
# figure (NAME_copy, _cow, _shared) its plain NAME too, which gives the
# Linux column of its row.
with_plain_figures() {
	for a in "$@"; do
		echo "$a"
		case $a in *_copy | *_cow | *_shared) echo "${a%_*}" ;; esac
	done | sort -u | tr '\n' ' '
}

# linux_fill - on stdin, Linux's results: a figure it cannot run ("Aspen
# only": one fork strategy of Aspen's) takes the value of its plain
# figure (the name without _copy, _cow or _shared), Linux's one fork.
linux_fill() {
	awk -F'\t' -v OFS='\t' '
	{ line[NR] = $0; val[$1] = $3 }
	END {
		for (i = 1; i <= NR; i++) {
			split(line[i], f, "\t")
			base = f[1]
			sub(/_(copy|cow|shared)$/, "", base)
			if (f[3] == "n/a" && f[4] == "Aspen only" && (base in val) && val[base] != "n/a") {
				f[3] = val[base]
				f[4] = ""
			}
			print f[1], f[2], f[3], f[4]
		}
	}'
}

# targets ASPEN LINUX - issue 13's targets for the shared strategy, from
# the two result files: met, or by how much not.
targets() {
	paste "$1" "$2" | awk -F'\t' '
	{ a[$1] = $3; l[$1] = $7 }
	function check(what, x, y, limit,    r) {
		if (x == "" || y == "" || x == "n/a" || y == "n/a" || y == 0) {
			printf "  %-58s n/a\n", what
			return
		}
		r = x / y
		printf "  %-58s %8.4f  %s\n", what, r, r <= limit ? "met" : sprintf("missed (limit %g: %.1fx over)", limit, r / limit)
	}
	END {
		print "targets (issue 13), shared strategy:"
		check("fork_256m_shared / fork_1m_shared (at most 1.5)", a["fork_256m_shared"], a["fork_1m_shared"], 1.5)
		check("fork_256m_shared / Linux fork_256m (at most 0.005)", a["fork_256m_shared"], l["fork_256m"], 0.005)
		check("fork_write_64m_shared / fork_write_64m_cow (at most 1)", a["fork_write_64m_shared"], a["fork_write_64m_cow"], 1)
	}'
}

# kernel_version NAME - what the guest's uname said (in the plain boot,
# or else the swap boot).
kernel_version() {
	cat "$OUT/$1.out" "$OUT/$1-swap.out" 2>/dev/null |
		awk -F'\t' '$1 == "BENCH-KERNEL" { print $2 " " $3 " " $4; exit }'
}

# table ASPEN LINUX - the side-by-side table (values in ns in, units out).
table() {
	paste "$1" "$2" | awk -F'\t' '
	function human(ns) {
		if (ns == "n/a") return "n/a"
		if (ns >= 1000000) return sprintf("%.2f ms", ns / 1000000)
		if (ns >= 10000) return sprintf("%.1f us", ns / 1000)
		return sprintf("%.0f ns", ns)
	}
	function shown(name, v) { return (name ~ /_majflt$/ || v == "n/a") ? v : human(v) }
	BEGIN { printf "%-40s %12s %12s %12s\n", "figure", "Aspen", "Linux", "Aspen/Linux" }
	{
		ratio = ($3 == "n/a" || $7 == "n/a" || $7 == 0) ? "n/a" : sprintf("%.2f", $3 / $7)
		printf "%-40s %12s %12s %12s\n", $2, shown($1, $3), shown($1, $7), ratio
		if ($3 == "n/a") notes = notes sprintf("  Aspen, %s: %s\n", $1, $4)
		if ($7 == "n/a") notes = notes sprintf("  Linux, %s: %s\n", $1, $8)
	}
	END { if (notes != "") printf "\nmissing figures:\n%s", notes }'
}

# plot TSV SVG - fork, vfork+exec and posix_spawn latency against the
# parent's resident size, both kernels.
plot() {
	awk -F'\t' '
	/^#/ { next }
	$1 ~ /^(fork|vfork_exec|spawn)_[0-9]+m(_copy|_cow|_shared)?$/ {
		match($1, /_[0-9]+m/)
		mib = substr($1, RSTART + 1, RLENGTH - 2)
		kind = $1; sub(/_[0-9]+m/, "", kind)
		v[mib, kind, "a"] = $3 == "n/a" ? "NaN" : $3 / 1000
		v[mib, kind, "l"] = $4 == "n/a" ? "NaN" : $4 / 1000
		sizes[mib] = 1
	}
	END {
		print "# MiB fork-Aspen fork-Linux vfork-Aspen vfork-Linux spawn-Aspen spawn-Linux fork-copy fork-cow fork-shared (us)"
		for (m in sizes)
			print m, v[m, "fork", "a"], v[m, "fork", "l"], v[m, "vfork_exec", "a"], \
			      v[m, "vfork_exec", "l"], v[m, "spawn", "a"], v[m, "spawn", "l"], \
			      v[m, "fork_copy", "a"], v[m, "fork_cow", "a"], v[m, "fork_shared", "a"]
	}' "$1" | sort -n > "$OUT/fork-latency.dat"
	gnuplot <<-EOF
	set terminal svg size 800,500 dynamic font "sans,12" noenhanced
	set output "$2"
	set title "Process creation against the parent's resident memory (QEMU -icount shift=0)"
	set xlabel "parent's resident private memory (MiB)"
	set ylabel "latency (us of guest time)"
	set logscale xy
	set xtics (1, 4, 16, 64, 256)
	set xrange [0.8:320]
	set key top left
	set grid
	plot "$OUT/fork-latency.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "#c0392b" title "fork+exit+wait, Aspen (default strategy)", \
	     "" using 1:8 with linespoints lw 1 pt 2 dt 4 lc rgb "#8e44ad" title "fork+exit+wait, Aspen, copy", \
	     "" using 1:9 with linespoints lw 1 pt 3 dt 4 lc rgb "#7f8c8d" title "fork+exit+wait, Aspen, cow", \
	     "" using 1:10 with linespoints lw 1 pt 12 dt 4 lc rgb "#27ae60" title "fork+exit+wait, Aspen, shared", \
	     "" using 1:3 with linespoints lw 2 pt 5 lc rgb "#2c3e50" title "fork+exit+wait, Linux", \
	     "" using 1:4 with linespoints lw 1 pt 6 dt 2 lc rgb "#e67e22" title "vfork+exec+wait, Aspen", \
	     "" using 1:5 with linespoints lw 1 pt 4 dt 2 lc rgb "#2980b9" title "vfork+exec+wait, Linux", \
	     "" using 1:6 with linespoints lw 1 pt 8 dt 3 lc rgb "#d35400" title "posix_spawn+wait, Aspen", \
	     "" using 1:7 with linespoints lw 1 pt 10 dt 3 lc rgb "#16a085" title "posix_spawn+wait, Linux"
	EOF
}

# plain_boots - the two guests of the figures of bench -l.
plain_boots() {
	aspen_initrd
	minimal_initrd "$OUT/linux.cpio"
	echo "bench: booting Aspen and Linux ($(basename "$vmlinuz")) under QEMU $ICOUNT, $MEM MiB ..." >&2
	start=$(date +%s)
	boot aspen "$OUT/aspen.elf" "$OUT/aspen.cpio" "$ASPEN_APPEND" &
	if [ -n "${BENCH_LINUX_LOG:-}" ]; then
		[ "$BENCH_LINUX_LOG" -ef "$OUT/linux.log" ] || cp "$BENCH_LINUX_LOG" "$OUT/linux.log"
		tr -d '\r' < "$OUT/linux.log" > "$OUT/linux.out"
	else
		boot linux "$vmlinuz" "$OUT/linux.cpio" "$LINUX_APPEND" &
	fi
	wait
	echo "bench: both guests done in $(( $(date +%s) - start )) s" >&2
	results aspen -l >> "$OUT/aspen.tsv"
	results linux -l | linux_fill >> "$OUT/linux.tsv"
}

# swap_boots - the two guests of the swap figures (bench -s): SWAP_MEM of
# RAM, the same minimal initramfs and a fresh swap disk of SWAP_DISK each.
swap_boots() {
	minimal_initrd "$OUT/aspen-swap.cpio"
	minimal_initrd "$OUT/linux-swap.cpio" "/lib/modules/${vmlinuz##*/vmlinuz-}"
	for k in aspen linux; do
		rm -rf "$OUT/disks-$k"
		sh "$ROOT/scripts/disks.sh" "$OUT/disks-$k" --swap "$SWAP_DISK" > "$OUT/disks-$k.args"
	done
	echo "bench: booting both again with $SWAP_MEM MiB and $SWAP_DISK MiB of swap ..." >&2
	start=$(date +%s)
	boot aspen-swap "$OUT/aspen.elf" "$OUT/aspen-swap.cpio" "$ASPEN_APPEND" "$SWAP_MEM" "$(cat "$OUT/disks-aspen.args")" &
	boot linux-swap "$vmlinuz" "$OUT/linux-swap.cpio" "$LINUX_APPEND" "$SWAP_MEM" "$(cat "$OUT/disks-linux.args")" &
	wait
	echo "bench: both guests done in $(( $(date +%s) - start )) s" >&2
	rm -rf "$OUT/disks-aspen" "$OUT/disks-linux"
	results aspen-swap -s >> "$OUT/aspen.tsv"
	results linux-swap -s >> "$OUT/linux.tsv"
}

main() {
	vmlinuz=$(linux_kernel)
	[ -n "$vmlinuz" ] && [ -r "$vmlinuz" ] ||
		{ echo "bench: no readable Linux kernel (/boot/vmlinuz-*); run: sh scripts/deps.sh bench" >&2; exit 1; }
	mkdir -p "$OUT"
	build "$@"
	[ $# -eq 0 ] || set -- $(with_plain_figures "$@")
	plain=$(phase_args -l "$@") swapped=$(phase_args -s "$@")
	: > "$OUT/aspen.tsv"
	: > "$OUT/linux.tsv"
	if [ $# -eq 0 ] || [ -n "$(echo $plain)" ]; then
		echo "$plain" > "$OUT/args"
		plain_boots
	fi
	if [ $# -eq 0 ] || [ -n "$(echo $swapped)" ]; then
		# the major-fault counts come with their figures
		[ -n "$(echo $swapped)" ] || swapped=$("$OUT/bench" -s | cut -f1 | grep -v _majflt | tr '\n' ' ')
		for f in $swapped; do printf '%s %s_majflt ' "$f" "$f"; done > "$OUT/args"
		swap_boots
	fi
	stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$ROOT" diff --quiet HEAD -- kernel 2>/dev/null || commit="$commit+changes"
	{
		echo "date:   $stamp"
		echo "qemu:   $(qemu-system-x86_64 --version | head -n 1); $(QEMU_CPU=$CPU SMP=1 sh "$ROOT/scripts/qemu-args.sh" "$MEM") $ICOUNT"
		echo "Aspen:  $(kernel_version aspen) (commit $commit)"
		echo "Linux:  $(kernel_version linux) ($(basename "$vmlinuz"); $LINUX_APPEND)${BENCH_LINUX_LOG:+; figures from the log of an earlier boot}"
		echo "times:  median of the repetitions, guest CLOCK_MONOTONIC (1 ns = 1 instruction)"
		echo
		table "$OUT/aspen.tsv" "$OUT/linux.tsv"
		echo
		echo "A row NAME, copy / cow / shared is Aspen with that fork strategy (docs/fork.md);"
		echo "its Linux column is Linux's own fork doing the same (the plain NAME row)."
		echo
		targets "$OUT/aspen.tsv" "$OUT/linux.tsv"
	} > "$OUT/table.txt"
	cat "$OUT/table.txt"

	paste "$OUT/aspen.tsv" "$OUT/linux.tsv" |
		awk -F'\t' -v s="$stamp" 'BEGIN { print "# " s "\n# figure\tlabel\tAspen ns\tLinux ns" }
			{ print $1 "\t" $2 "\t" $3 "\t" $7 }' > "$OUT/table.tsv"
	if [ $# -eq 0 ]; then
		mkdir -p "$RESULTS"
		name=$(echo "$stamp" | tr -d ':')
		[ "$CPU" = max ] || name=$name-$CPU
		cp "$OUT/table.txt" "$RESULTS/$name.txt"
		cp "$OUT/table.tsv" "$RESULTS/$name.tsv"
		plot "$OUT/table.tsv" "$RESULTS/fork-latency.svg"
		echo "bench: saved bench/results/$name.txt, .tsv and bench/results/fork-latency.svg" >&2
	fi
	! grep -q '^missing figures:' "$OUT/table.txt"
}

main "$@"
