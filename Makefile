# stickyos — `make run` boots the kernel in QEMU, `make test` runs every test.
# See README.md and docs/.

BUILD      := build
ILC_VERSION := $(shell sed -n 's:.*<IlcVersion>\(.*\)</IlcVersion>.*:\1:p' Directory.Build.props)
NUGET_DIR  = $(shell dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
ILC        = $(NUGET_DIR)/runtime.linux-x64.microsoft.dotnet.ilcompiler/$(ILC_VERSION)/tools/ilc
# Frame pointers are kept so the panic backtrace can walk the stack;
# inline TLS is off because the kernel has no thread-local storage.
ILC_FLAGS  := --systemmodule:stickyos --targetos:linux --targetarch:x64 -O --nativelib \
              --codegenopt JitFramed=1 --noinlinetls

KERNEL_CS  := $(shell find kernel -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*') kernel/Kernel.csproj Directory.Build.props
ASM_SRC    := boot/entry.asm $(wildcard kernel/arch/x86_64/asm/*.asm) $(wildcard kernel/tests/*.asm)
ASM_OBJ    := $(patsubst %.asm,$(BUILD)/asm/%.o,$(notdir $(ASM_SRC)))
SETUP_STAMP := $(BUILD)/.setup-done
# The tools (run-tests, run-guest, run-bench, gdb/mkinitrd) find the build
# here, so `make BUILD=out test` tests what it built.
export STICKY_BUILD := $(abspath $(BUILD))

.PHONY: all kernel init setup run test demo bench soak stress kselftest debug clean

# The first rule is what a plain `make` builds: the kernel (README.md).
all: kernel
kernel: $(BUILD)/kernel.elf

# Guest test programs (static musl binaries): `make guests`.
include tests/guest/guest.mk

# The first user process: runs the programs named on the kernel command line
# (run=a,b) and reports each one's exit status (see tools/run-guest).
init: $(BUILD)/user/init
$(BUILD)/user/init: kernel/user/init.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

# Installs the Debian toolchain (when missing) and restores the pinned ILCompiler.
setup: $(SETUP_STAMP)
$(SETUP_STAMP): tools/setup Directory.Build.props
	@tools/setup
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/il/stickyos.dll: $(KERNEL_CS) | $(SETUP_STAMP)
	dotnet build kernel/Kernel.csproj -c Release -o $(BUILD)/il -nologo -v quiet -clp:ErrorsOnly

$(BUILD)/kernel.o: $(BUILD)/il/stickyos.dll
	$(ILC) $< -o $@ $(ILC_FLAGS) --map:$(BUILD)/kernel.map

$(BUILD)/asm/%.o: boot/%.asm | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	nasm -f elf64 -o $@ $<
$(BUILD)/asm/%.o: kernel/arch/x86_64/asm/%.asm $(wildcard kernel/arch/x86_64/asm/*.inc) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	nasm -f elf64 -I kernel/arch/x86_64/asm/ -o $@ $<
$(BUILD)/asm/%.o: kernel/tests/%.asm | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	nasm -f elf64 -o $@ $<

# Two links: the first finds every symbol's address, tools/mksyms packs them
# into .ksyms, the second adds that section at the very end of the image
# (nothing else moves; mksyms checks it).
LINK = ld.lld -T boot/linker.ld -static --no-pie -z max-page-size=4096 --no-warn-mismatch
$(BUILD)/kernel.nosyms.elf: $(BUILD)/kernel.o $(ASM_OBJ) boot/linker.ld
	$(LINK) -o $@ $(ASM_OBJ) $(BUILD)/kernel.o
$(BUILD)/ksyms.o: $(BUILD)/kernel.nosyms.elf tools/mksyms
	tools/mksyms $< $(BUILD)/ksyms.bin
	printf 'section .ksyms progbits alloc noexec nowrite align=8\nincbin "%s"\n' $(BUILD)/ksyms.bin > $(BUILD)/ksyms.asm
	nasm -f elf64 -o $@ $(BUILD)/ksyms.asm
$(BUILD)/kernel.elf: $(BUILD)/kernel.nosyms.elf $(BUILD)/ksyms.o
	$(LINK) -o $@ $(ASM_OBJ) $(BUILD)/kernel.o $(BUILD)/ksyms.o
	tools/mksyms --verify $(BUILD)/kernel.nosyms.elf $@

# init runs its demo programs (hello, threads), then busybox's shell on the
# serial console (this terminal), with the guest tests in /tests; exit or
# Ctrl-D there powers off, and run-guest says whether everything passed.
run: kernel init guests
	tools/run-guest

test: kernel init guests
	tools/run-tests

# One futex-across-fork program (tests/guest/futex_demo.c) under each futex
# design, and what the kernel logged told in words: the 2002 bug under
# nosticky, the fix under sticky, Linux's keys under virtkey.
demo: kernel init guests
	tools/run-guest --futex=compare $(BUILD)/guest/futex_demo

# Microbenchmarks on stickyos, on Linux under the same QEMU, and natively
# (tools/run-bench, docs/benchmarks.md). Measurements only: nothing asserted.
$(BUILD)/bench/microbench: tests/bench/microbench.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $< -lpthread

bench: kernel init $(BUILD)/bench/microbench
	@tools/setup bench
	tools/run-bench

# tools/tcg-cost's programs: build/bench/cost-<op>-<count> (tests/bench/cost.c),
# e.g. make build/bench/cost-futex-500 build/bench/cost-futex-2500
$(BUILD)/bench/cost-%: tests/bench/cost.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -DOP_$(word 1,$(subst -, ,$*)) -DCOUNT=$(word 2,$(subst -, ,$*)) -o $@ $< -lpthread

# Many boots of the guest programs to catch rare failures (resets, hangs);
# QEMU's own log kept for failing boots only (tools/soak, docs/debugging.md).
SOAK_BOOTS ?= 400
soak: kernel init guests
	tools/soak --boots $(SOAK_BOOTS)

# The guest suite STRESS_ROUNDS times over in one boot on 4 CPUs, with a leak
# report per round (tools/stress, docs/debugging.md). Not part of make test.
STRESS_ROUNDS ?= 5
stress: kernel init guests
	tools/stress --rounds $(STRESS_ROUNDS) --smp 4

# Linux 6.1's futex selftests (all of tools/testing/selftests/futex/functional,
# with the options of its run.sh) built from Debian's linux-source-6.1 at run
# time and run on stickyos (tools/kselftest/run). Not part of `make test`.
kselftest: kernel init
	@tools/setup kselftest
	tools/kselftest/run

# QEMU paused with its gdb stub, and gdb attached with tools/gdb/stickyos.gdb
# (docs/debugging.md): make debug [CMDLINE="run=fork_cow log=mm:debug ..."]
# tools/gdb/mkinitrd packs init, forkdemo (what init runs by default there)
# and the guest programs.
FORKDEMO := $(BUILD)/gdb/forkdemo
$(FORKDEMO): tools/gdb/forkdemo.c | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

debug: kernel init guests $(FORKDEMO)
	tools/gdb/debug $(BUILD)/kernel.elf $(CMDLINE)

clean:
	rm -rf $(BUILD) kernel/bin kernel/obj tests/host/bin tests/host/obj
