# Aspen - top-level build. `make` builds the kernel and the initramfs,
# `make run` boots to a shell, `make test` runs every test.

BUILD    := build
# make DEBUG=1: the debug kernel (heap redzones and poisoning, poisoned
# free frames, lock-order checks; docs/testing.md) in its own directory.
ifeq ($(DEBUG),1)
BUILD    := build-debug
KDEBUG   := -DDEBUG_KERNEL=1
endif
CC       := gcc
LD       := ld
MUSLCC   := musl-gcc
QEMU     := qemu-system-x86_64
MEM      ?= 1024
# CPUs for make run (make debug uses one unless SMP is given).
SMP      ?= 2
# Disks for make run and make debug (docs/block.md): a swap disk of SWAP
# MiB (a sparse image under build/disks/, made by mkswap; 0: none), then
# the raw images listed in DISK (space-separated), as vda, vdb, ...,
# then the persistent disk PERSIST: an ext2 image kept across boots (and
# by make clean), made on first use (PERSIST_MIB MiB), mounted by init at
# /disk (docs/ext2.md); PERSIST= (empty) for none.
SWAP     ?= 512
DISK     ?=
PERSIST  ?= aspen-disk.img
PERSIST_MIB ?= 256

# ---- make run ----
KERNEL := $(BUILD)/aspen.elf
INITRAMFS := $(BUILD)/initramfs.cpio
# make run's image: the standard tree without /tests (the guest tests,
# which make test and tools/aspen-exec bring; ADD=build/gtest/musl:/tests/musl
# adds some), a seventh of the size: QEMU loads it and the kernel unpacks
# it in a fraction of the time (docs/boot.md).
RUN_CPIO := $(BUILD)/run.cpio
# ADD="HOST[:GUEST] ...": host files added to make run's image, by
# default as /usr/local/bin/NAME (first in the shell's PATH); a
# dynamically linked program brings the libraries it needs. For
# example `make run ADD=/bin/bash`, then type bash at the prompt.
RUN_INITRAMFS := $(if $(ADD),$(BUILD)/initramfs-run.cpio,$(RUN_CPIO))
run_add = $(foreach a,$(ADD),--add $(if $(findstring :,$(a)),$(a),$(a):/usr/local/bin/$(notdir $(a))))
# The disks of one boot, made in a directory of their own (named by the
# shell's pid) removed after it; init learns which to use from the kernel
# command line (diskopts, from disks.sh). No mktemp or awk: each process
# costs tens of milliseconds on a busy host.
WITH_DISKS = d=$(BUILD)/disks/run.$$$$ && trap 'rm -rf "$$d"' EXIT INT TERM && \
	disks=$$(sh scripts/disks.sh "$$d" --swap $(SWAP) $(foreach f,$(DISK),--disk $(f)) \
	  $(if $(PERSIST),--persist $(PERSIST):$(PERSIST_MIB))) && \
	IFS= read -r diskopts < "$$d/aspen-cmdline" &&

# VIEW=1 make run: the live memory view of the shell (docs/view.md) on
# http://127.0.0.1:$(VIEW_PORT)/, fed by the second serial port.
VIEW_PORT ?= 8018
LIVE := $(filter 1,$(VIEW))
RUN_QEMU = $(WITH_DISKS) \
	$(if $(ADD),sh scripts/mkinitramfs.sh $(BUILD) $(RUN_INITRAMFS) --no-tests --base $(RUN_CPIO) $(run_add) &&) \
	$(if $(LIVE),sh tools/view/live.sh $(BUILD) $(VIEW_PORT) --) \
	$(QEMU) $$(SMP=$(SMP) FIRMWARE=qboot sh scripts/qemu-args.sh $(MEM)) -kernel $(KERNEL) -initrd $(RUN_INITRAMFS) \
	  $$disks -append "$(APPEND)$(if $(LIVE), aspen.view) $$diskopts" -serial mon:stdio -nographic \
	  $(if $(LIVE),-serial unix:$(BUILD)/view/live.sock); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 1 ]

# `make run` alone takes a short cut (docs/boot.md): make reads none of
# the build rules below (their $(shell ...)s cost more than the boot)
# and boots at once, unless a file that goes into the kernel or the run
# image (sources, scripts, this Makefile, the host's Debian packages) is
# newer than RUN_STAMP, or the kernel or image is missing: then a make of
# those two (and the packages' check) runs first, and RUN_STAMP records
# its start. make itself lists and dates the files (rwildcard: every file
# and directory below, as find would), which starts no process.
RUN_STAMP := $(BUILD)/.run-built
rwildcard = $(foreach f,$(wildcard $(addsuffix /*,$(1))),$(f) $(call rwildcard,$(f)))
ifeq ($(MAKECMDGOALS),run)
RUN_INPUTS := Makefile $(call rwildcard,kernel include user scripts) $(wildcard /var/lib/dpkg/status)
run: $(RUN_STAMP)
	@$(RUN_QEMU)
$(RUN_STAMP): $(RUN_INPUTS) $(if $(wildcard $(KERNEL)),,run-rebuild) $(if $(wildcard $(RUN_CPIO)),,run-rebuild)
	@mkdir -p $(BUILD) && touch $@.new && \
	  $(MAKE) --no-print-directory deps $(KERNEL) $(RUN_CPIO) && mv $@.new $@
.PHONY: run run-rebuild
else

GCC_INC  := $(shell $(CC) -print-file-name=include)

KCFLAGS := -Iinclude -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-avx \
	-mno-3dnow -mgeneral-regs-only -mcmodel=kernel -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-nostdinc -isystem $(GCC_INC) -I$(BUILD)/uapi -I$(BUILD) -Ikernel -MMD -MP $(KDEBUG)
KLDFLAGS := -nostdlib -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments -T kernel/arch/x86_64/kernel.ld

# kernel/arch/x86_64/vdso/ is user code (the vDSO), built below.
KSRCS := $(filter-out $(addsuffix %,$(KEXCLUDE) kernel/arch/x86_64/vdso/),$(shell find kernel -name '*.c' | sort))
KASRCS := $(shell find kernel -name '*.S' | sort)
KOBJS := $(patsubst %.c,$(BUILD)/%.o,$(KSRCS)) $(patsubst %.S,$(BUILD)/%.o,$(KASRCS))

all: $(KERNEL) initramfs $(RUN_CPIO)

# The Linux UAPI headers (numbers and structure layouts) without libc's.
$(BUILD)/uapi/.stamp:
	mkdir -p $(BUILD)/uapi
	for d in linux asm asm-generic; do \
	  src=/usr/include/$$d; [ -d $$src ] || src=/usr/include/x86_64-linux-gnu/$$d; \
	  ln -sfn $$src $(BUILD)/uapi/$$d; done
	touch $@

$(BUILD)/syscall_names.h: scripts/syscall-names.sh
	@mkdir -p $(BUILD)
	sh scripts/syscall-names.sh > $@

$(BUILD)/kernel/%.o: kernel/%.c $(BUILD)/uapi/.stamp $(BUILD)/syscall_names.h
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@echo "  AS $<"; $(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Offsets of C structures for assembly (scripts/asm-offsets.c).
$(BUILD)/asm-offsets.h: scripts/asm-offsets.c $(BUILD)/uapi/.stamp
	@mkdir -p $(BUILD)
	@echo "  GEN $@"; $(CC) $(KCFLAGS) -MF $(BUILD)/asm-offsets.d -MT $@ -S $< -o $(BUILD)/asm-offsets.s && \
	sed -n 's/^.ascii "->\([A-Z0-9_]*\) \([0-9-]*\).*/#define \1 \2/p' $(BUILD)/asm-offsets.s > $@
$(BUILD)/kernel/arch/x86_64/entry.o: $(BUILD)/asm-offsets.h

# Two-pass link: the second pass embeds a table of function names for
# backtraces. The table sits after .text and .rodata's other contents, so
# function addresses do not move between passes (checked below).
$(KERNEL): $(KOBJS) kernel/arch/x86_64/kernel.ld scripts/ksyms.sh
	@echo "  LD $@"; $(CC) $(KCFLAGS) -c -x c /dev/null -o $(BUILD)/ksyms0.o
	@$(LD) $(KLDFLAGS) -o $(BUILD)/aspen.pass1 $(KOBJS) $(BUILD)/ksyms0.o
	@sh scripts/ksyms.sh $(BUILD)/aspen.pass1 > $(BUILD)/ksyms.S
	@$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	@$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/ksyms.o
	@sh scripts/ksyms.sh $@ | cmp -s - $(BUILD)/ksyms.S || { echo "ksyms: addresses moved between passes"; exit 1; }

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- the vDSO: user code built into a small shared object by the host's
# gcc (no libc, position-independent, symbols of version LINUX_2.6), then
# embedded in the kernel by vdso_image.S. It must need no relocations:
# every process maps the same, unrelocated pages. ----
VDSO_DIR := kernel/arch/x86_64/vdso
VDSO_SO := $(BUILD)/vdso/vdso.so
VDSO_CFLAGS := -shared -nostdlib -fPIC -O2 -fno-stack-protector -fcf-protection=none -fno-builtin \
	-Wall -Wextra -Werror -Wno-unused-parameter -I$(BUILD)/uapi -I$(VDSO_DIR) \
	-Wl,-T,$(VDSO_DIR)/vdso.lds -Wl,--version-script=$(VDSO_DIR)/vdso.map \
	-Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both -Wl,-Bsymbolic -Wl,--no-undefined \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--eh-frame-hdr

$(VDSO_SO): $(VDSO_DIR)/vdso.c $(VDSO_DIR)/vvar.h $(VDSO_DIR)/vdso.lds $(VDSO_DIR)/vdso.map $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	@echo "  VDSO $@"; $(CC) $(VDSO_CFLAGS) $< -o $@
	@readelf -rW $@ | grep -q 'no relocations' || { echo "vdso: the image needs relocations"; rm -f $@; exit 1; }

$(BUILD)/kernel/arch/x86_64/vdso_image.o: $(VDSO_SO)
$(BUILD)/kernel/arch/x86_64/vdso_image.o: KCFLAGS += -DVDSO_IMAGE='"$(VDSO_SO)"'

# ---- user programs (musl, static) ----
# Aspen's own ABI headers: a program that uses them is rebuilt when they change.
UAPI_HDRS := $(wildcard include/uapi/*.h)
UCFLAGS := -Iinclude -static -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iuser/include
USER_PROGS := $(patsubst user/%.c,$(BUILD)/user/%,$(shell find user -name '*.c' -not -path 'user/include/*' | sort))

# Their headers: user/include/ (every program) and user/demos/demo.h.
USER_HDRS := $(wildcard user/include/*.h user/demos/*.h)

$(BUILD)/user/%: user/%.c $(USER_HDRS) $(UAPI_HDRS)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(UCFLAGS) $< -o $@

# demo-libs shows a dynamically linked process: plain gcc builds it.
$(BUILD)/user/demos/demo-libs: user/demos/demo-libs.c $(USER_HDRS) $(UAPI_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -static,$(UCFLAGS)) $< -o $@

# ---- guest tests: each tests/guest/NAME.c builds with musl, statically
# (unless its "// GUEST:" line says no-musl), and in the flavours that
# line names: glibc (static, and dynamically linked: glibc-dyn),
# glibc-pie, glibc-dyn alone, musl-dyn (dynamically linked musl) ----
GTESTS_C := $(sort $(wildcard tests/guest/*.c))
guest_flavour = $(shell grep -lE '^// GUEST:(.* )?($(1))( |$$)' $(GTESTS_C) /dev/null 2>/dev/null | grep -v /dev/null)
GTESTS_MUSL := $(patsubst tests/guest/%.c,$(BUILD)/gtest/musl/%,$(filter-out $(call guest_flavour,no-musl),$(GTESTS_C)))
GTESTS_GLIBC := $(patsubst tests/guest/%.c,$(BUILD)/gtest/glibc/%,$(call guest_flavour,glibc))
# The Linux UAPI headers (<linux/fs.h>, ...) for musl too, which has none of its own.
GTFLAGS := -Iinclude -static -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Itests/guest -pthread \
	-idirafter $(BUILD)/uapi

$(BUILD)/gtest/musl/%: tests/guest/%.c $(wildcard tests/guest/*.h) $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(GTFLAGS) $< -o $@

$(BUILD)/gtest/glibc/%: tests/guest/%.c $(wildcard tests/guest/*.h) $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(GTFLAGS) $< -o $@

# "// GUEST: glibc-pie": also a static-pie glibc build (ET_DYN, no interpreter).
GTESTS_GLIBC_PIE := $(patsubst tests/guest/%.c,$(BUILD)/gtest/glibc-pie/%,$(call guest_flavour,glibc-pie))

$(BUILD)/gtest/glibc-pie/%: tests/guest/%.c $(wildcard tests/guest/*.h) $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -static,$(GTFLAGS)) -static-pie -fPIE $< -o $@

# glibc-dyn: dynamically linked against glibc, as plain `gcc` makes it
# (a PIE run by ld.so); musl-dyn: the same with musl-gcc. C++ tests,
# tests/guest/NAME.cc, are built as glibc-dyn only, with g++.
# tests/guest/lib/libNAME.c are shared libraries the tests load
# (build/gtest/lib/libNAME.so, /tests/lib in the image; built by
# musl-gcc too as libNAME-musl.so), and hello-musl-static-pie a program
# built as musl-gcc -static-pie builds.
GTESTS_CXX := $(sort $(wildcard tests/guest/*.cc))
GTESTS_GLIBC_DYN := $(patsubst tests/guest/%.c,$(BUILD)/gtest/glibc-dyn/%,$(call guest_flavour,glibc|glibc-dyn)) \
	$(patsubst tests/guest/%.cc,$(BUILD)/gtest/glibc-dyn/%,$(GTESTS_CXX))
GTESTS_MUSL_DYN := $(patsubst tests/guest/%.c,$(BUILD)/gtest/musl-dyn/%,$(call guest_flavour,musl-dyn))
GTESTS_LIBS := $(patsubst tests/guest/lib/%.c,$(BUILD)/gtest/lib/%.so,$(wildcard tests/guest/lib/lib*.c)) \
	$(patsubst tests/guest/lib/%.c,$(BUILD)/gtest/lib/%-musl.so,$(wildcard tests/guest/lib/lib*.c)) \
	$(BUILD)/gtest/lib/hello-musl-static-pie
GTDYNFLAGS := $(filter-out -static,$(GTFLAGS)) -ldl

$(BUILD)/gtest/glibc-dyn/%: tests/guest/%.c tests/guest/gtest.h $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(GTDYNFLAGS) $< -o $@

$(BUILD)/gtest/glibc-dyn/%: tests/guest/%.cc tests/guest/gtest.h $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	g++ $(filter-out -std=%,$(GTDYNFLAGS)) $< -o $@

$(BUILD)/gtest/musl-dyn/%: tests/guest/%.c tests/guest/gtest.h $(UAPI_HDRS) | $(BUILD)/uapi/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(filter-out -static,$(GTFLAGS)) $< -o $@

$(BUILD)/gtest/lib/lib%.so: tests/guest/lib/lib%.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror $< -o $@

$(BUILD)/gtest/lib/lib%-musl.so: tests/guest/lib/lib%.c
	@mkdir -p $(dir $@)
	$(MUSLCC) -shared -fPIC -O1 -g -Wall -Wextra -Werror $< -o $@

$(BUILD)/gtest/lib/hello-musl-static-pie: tests/guest/lib/hello-musl-static-pie.c
	@mkdir -p $(dir $@)
	$(MUSLCC) -static-pie -fPIE -O1 -Wall -Wextra -Werror $< -o $@

GTESTS_ALL := $(GTESTS_MUSL) $(GTESTS_GLIBC) $(GTESTS_GLIBC_PIE) $(GTESTS_GLIBC_DYN) $(GTESTS_MUSL_DYN) $(GTESTS_LIBS)
guest-tests: $(GTESTS_ALL)

# ---- initramfs ----
initramfs: $(INITRAMFS)
$(INITRAMFS): $(USER_PROGS) $(GTESTS_ALL) scripts/mkinitramfs.sh scripts/libdeps.sh
	sh scripts/mkinitramfs.sh $(BUILD) $@
$(RUN_CPIO): $(USER_PROGS) scripts/mkinitramfs.sh scripts/libdeps.sh
	sh scripts/mkinitramfs.sh $(BUILD) $@ --no-tests


.SECONDEXPANSION:
unit_srcs = $(shell sed -n 's|^// UNIT-SRCS:||p' $(1))
# ---- host unit tests: tests/unit/test_X.c with a "// UNIT-SRCS:" line ----
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
UNIT_CFLAGS := -Iinclude -std=gnu11 -g -O1 -DHOST_TEST -Wall -Wextra -Werror -Wno-unused-parameter \
	-Ikernel -Itests/unit -fsanitize=address,undefined -fno-omit-frame-pointer

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h tests/unit/unit_main.c tests/unit/host_stubs.c $(BUILD)/uapi/.stamp \
		$$(call unit_srcs,tests/unit/$$*.c)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< tests/unit/unit_main.c tests/unit/host_stubs.c \
	  $(call unit_srcs,$<)

unit-tests: $(UNIT_TESTS)

# ---- running ----
deps:
	@sh scripts/deps.sh

run: deps $(KERNEL) $(RUN_CPIO)
	@$(RUN_QEMU)

debug: deps all
	@echo "QEMU waits for gdb on :1234; in another terminal: gdb -x scripts/gdbinit"
	@$(WITH_DISKS) $(QEMU) $(shell SMP=$(if $(filter command line environment,$(origin SMP)),$(SMP),1) sh scripts/qemu-args.sh $(MEM)) \
	  -kernel $(KERNEL) -initrd $(INITRAMFS) $$disks -append "$(APPEND) $$diskopts" -serial mon:stdio -nographic -s -S

test: deps all unit-tests guest-tests browser-deps debug-kernel
	@DEBUG_ELF=build-debug/aspen.elf sh tests/run-all.sh $(BUILD)

# ---- the memory view (docs/view.md) ----
# `make view DEMO=cow`: run user/demos/demo-cow.c in Aspen with the memory
# trace on and write build/view/cow.html (ARGS= overrides the demo's).
VIEW_ARGS_cow := 1
view: deps all
	tools/aspen-view --out $(BUILD)/view/$(DEMO).html demo-$(DEMO) $(if $(ARGS),$(ARGS),$(VIEW_ARGS_$(DEMO)))

# The browser test's tools: Debian's chromium, and playwright-core from
# npm as pinned by tests/browser/package-lock.json, installed in build/.
BROWSER_STAMP := $(BUILD)/browser/node_modules/.aspen-installed
browser-deps: $(BROWSER_STAMP)
$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@sh scripts/deps.sh view
	@mkdir -p $(BUILD)/browser
	cp tests/browser/package.json tests/browser/package-lock.json $(BUILD)/browser/
	cd $(BUILD)/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The debug kernel alone (make DEBUG=1; the initramfs is the normal build's).
debug-kernel:
	@$(MAKE) --no-print-directory DEBUG=1 build-debug/aspen.elf

# ---- the long fuzz run (scripts/fuzz.sh, docs/testing.md): ten million calls ----
fuzz: deps all guest-tests
	@sh scripts/fuzz.sh $(BUILD)

# ---- the soak (scripts/soak.sh, docs/testing.md): make test five times under a busy build ----
soak: deps
	@sh scripts/soak.sh

# ---- benchmark: bench/*.c, static musl; `make bench` runs it on Aspen and Linux ----
BENCH_CFLAGS := -Iinclude -static -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -pthread

$(BUILD)/bench/%: bench/%.c $(UAPI_HDRS)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(BENCH_CFLAGS) $< -o $@

# tiny-dyn: the same small program dynamically linked, as gcc makes it.
$(BUILD)/bench/tiny-dyn: bench/tiny.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -static,$(BENCH_CFLAGS)) $< -o $@

# The benchmark proper: its swap figures are in a file of their own.
$(BUILD)/bench/bench: bench/bench.c bench/swapbench.c bench/bench.h $(UAPI_HDRS)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(BENCH_CFLAGS) bench/bench.c bench/swapbench.c -o $@

bench:
	@sh scripts/deps.sh bench
	@sh scripts/bench.sh

# The profile of one figure (tools/aspen-prof; docs/performance.md): make profile BENCH=getpid
profile:
	@test -n "$(BENCH)" || { echo "usage: make profile BENCH=FIGURE (build/bench/bench -l lists them)"; exit 2; }
	@tools/aspen-prof $(BENCH)

clean:
	rm -rf $(BUILD) build-debug

.PHONY: all initramfs run debug test clean deps unit-tests guest-tests bench profile view browser-deps debug-kernel fuzz soak
.SECONDARY:
endif
