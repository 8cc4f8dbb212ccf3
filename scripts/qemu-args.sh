#!/bin/sh
# qemu-args.sh MEM_MIB - the QEMU machine every Aspen boot uses: software
# emulation (TCG, never KVM), a CPU with SMEP/SMAP/NX, MEM MiB of RAM,
# isa-debug-exit for the kernel to end the run with a status, no display.
# QEMU_CPU= another QEMU CPU model (make bench also measures on qemu64).
# FIRMWARE=qboot: QEMU's minimal firmware instead of SeaBIOS, when the
# host has it (Debian's qemu-system-data does): it reaches the kernel in
# a tenth of SeaBIOS's time but assigns no PCI BARs (the kernel does;
# docs/boot.md). make run uses it.
mem=${1:-1024}
cpu=${QEMU_CPU:-max}
smp=${SMP:-1}   # CPUs: SMP=2 boots two
bios=""
qboot=/usr/share/qemu/qboot.rom
[ "${FIRMWARE:-}" != qboot ] || [ ! -f $qboot ] || bios="-bios $qboot "
echo "$bios-machine pc,accel=tcg -cpu ${cpu} -m ${mem} -smp ${smp} -no-reboot \
-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -vga none -net none"
