#!/bin/sh
# qemu-args.sh MEM_MIB - the QEMU machine every Aspen boot uses: software
# emulation (TCG, never KVM), a CPU with SMEP/SMAP/NX, MEM MiB of RAM,
# isa-debug-exit for the kernel to end the run with a status, no display.
mem=${1:-1024}
smp=${SMP:-1}   # CPUs: SMP=2 boots two
echo "-machine pc,accel=tcg -cpu max -m ${mem} -smp ${smp} -no-reboot \
-device isa-debug-exit,iobase=0xf4,iosize=0x04 -display none -vga none -net none"
