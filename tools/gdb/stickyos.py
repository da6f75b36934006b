"""gdb helpers for stickyos (docs/debugging.md, "gdb").

Load with `source tools/gdb/stickyos.gdb` (or this file) from the repository
root; `make debug` does it for you. Loads build/kernel.elf (or $STICKY_KERNEL)
unless gdb already has a file, and adds:

  sticky-connect [PORT|HOST:PORT]  target remote to QEMU's gdb stub ($STICKY_GDB_PORT, default 1234)
  sticky-current                   who runs: tid, pid, name, CR3 (from kernel_debug_block)
  sticky-walk ADDRESS [CR3]        4-level page-table walk of ADDRESS (CR3 default: the live one)
  sticky-bt [RBP [RIP]]            frame-pointer backtrace with kernel symbols
  sticky-break REGEX               a breakpoint on every kernel function matching REGEX
  $sticky_pid(), $sticky_name()    the running process, for breakpoint conditions
"""
import os
import re
import struct

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRECT_MAP = 0xFFFF800000000000
DEFAULT_PORT = 1234

# kernel/arch/x86_64/asm/debug_block.asm, layout version 2: one entry per CPU.
BLOCK_MAGIC = b"STICKYDB"
BLOCK_VERSION = 2
BLOCK_FORMAT = "<8sIIQiiQQII16s"
BLOCK_SIZE = struct.calcsize(BLOCK_FORMAT)      # 72
FLAG_USER = 1

ADDRESS_MASK = 0x000FFFFFFFFFF000
# kernel/mm/PageFlags.cs: bit -> short name (bit 9 is stickyos's COW mark).
PTE_FLAGS = [(0, "P"), (1, "W"), (2, "U"), (3, "PWT"), (4, "PCD"), (5, "A"), (6, "D"),
             (7, "PS"), (8, "G"), (9, "COW"), (63, "NX")]
LEVELS = [("PML4", 39), ("PDPT", 30), ("PD", 21), ("PT", 12)]


def read(address, size):
    return bytes(gdb.selected_inferior().read_memory(address, size))


def read_u64(address):
    return struct.unpack("<Q", read(address, 8))[0]


def symbol_address(name):
    return int(gdb.parse_and_eval(f"(unsigned long)&{name}")) & 0xFFFFFFFFFFFFFFFF


def symbolize(address):
    text = gdb.execute(f"info symbol {address:#x}", to_string=True).strip()
    if text.startswith("No symbol"):
        return "?"
    # "NAME + OFF in section .text" -> "NAME+0xOFF"
    m = re.match(r"(.*?)(?: \+ (\d+))? in section", text)
    if not m:
        return text
    return m.group(1) + (f"+{int(m.group(2)):#x}" if m.group(2) else "")


def to_address(expression):
    """An address from a number, register, expression or bare function/data symbol."""
    try:
        return int(gdb.parse_and_eval(expression)) & 0xFFFFFFFFFFFFFFFF
    except gdb.error:
        # `kmain` alone is a function (or no-debug-info data) value: take its address.
        return int(gdb.parse_and_eval(f"(unsigned long)&{expression}")) & 0xFFFFFFFFFFFFFFFF


def live_register(name):
    try:
        return int(gdb.parse_and_eval(f"${name}")) & 0xFFFFFFFFFFFFFFFF
    except gdb.error:
        return None


def flags_text(entry):
    return " ".join(name for bit, name in PTE_FLAGS if entry >> bit & 1) or "-"


def selected_cpu():
    """QEMU's gdb stub shows CPU n as thread n + 1."""
    thread = gdb.selected_thread()
    return thread.num - 1 if thread is not None else 0


class DebugBlock:
    """The decoded kernel_debug_block entry of the CPU gdb has selected, or an
    exception explaining why not."""

    def __init__(self):
        self.cpu = selected_cpu()
        address = symbol_address("kernel_debug_block") + self.cpu * BLOCK_SIZE
        try:
            raw = read(address, BLOCK_SIZE)
        except gdb.MemoryError:
            raise gdb.GdbError(f"kernel_debug_block at {address:#x} is not readable yet "
                               "(paging is off until the kernel's entry code runs: break at kmain)")
        (magic, self.version, size, self.updates, self.tid, self.pid, self.cr3, self.thread,
         name_length, self.flags, name) = struct.unpack(BLOCK_FORMAT, raw)
        if magic != BLOCK_MAGIC:
            raise gdb.GdbError(f"kernel_debug_block: bad magic {magic!r} (not a stickyos kernel?)")
        if self.version != BLOCK_VERSION or size != BLOCK_SIZE:
            raise gdb.GdbError(f"kernel_debug_block: layout version {self.version}, size {size}; "
                               f"this script reads version {BLOCK_VERSION}, size {BLOCK_SIZE}")
        self.name = name[:min(name_length, len(name))].decode("ascii", "replace")
        self.user = bool(self.flags & FLAG_USER)


class Connect(gdb.Command):
    """sticky-connect [PORT|HOST:PORT|SOCKET]: target remote to QEMU's gdb stub.
Default: $STICKY_GDB_PORT, else 1234 (tools/qemu-run --gdb)."""

    def __init__(self):
        super().__init__("sticky-connect", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        where = arg.strip() or os.environ.get("STICKY_GDB_PORT") or str(DEFAULT_PORT)
        if where.isdigit():
            where = f"localhost:{where}"
        gdb.execute(f"target remote {where}", from_tty)


class Current(gdb.Command):
    """sticky-current: the running thread and process, from kernel_debug_block
(updated by the scheduler on every switch), and the live CPU state beside it."""

    def __init__(self):
        super().__init__("sticky-current", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        b = DebugBlock()
        kind = "user" if b.user else "kernel thread"
        print(f"tid {b.tid}  pid {b.pid}  name {b.name!r}  ({kind})  on cpu {b.cpu}")
        print(f"cr3 {b.cr3:#x}  thread object {b.thread:#x}  switches recorded {b.updates}")
        if b.updates == 0:
            print("(no context switch recorded yet: this is the boot thread)")
        rip, cs, cr3 = live_register("rip"), live_register("cs"), live_register("cr3")
        if rip is not None:
            mode = "user" if cs is not None and cs & 3 == 3 else "kernel"
            print(f"cpu: rip {rip:#x} {symbolize(rip)} ({mode} mode)", end="")
            if cr3 is not None:
                print(f", cr3 {cr3:#x}" + ("" if b.updates == 0 or cr3 & ADDRESS_MASK == b.cr3 & ADDRESS_MASK
                                              else " (differs: mid-switch, or a kernel thread borrowed it)"), end="")
            print()


class Walk(gdb.Command):
    """sticky-walk ADDRESS [CR3]: walks the 4-level page tables for ADDRESS,
printing each level's entry and flags and the final physical address. Tables
are read through the kernel's direct map (0xFFFF800000000000 + physical).
CR3 defaults to the CPU's live CR3. Flags: P W U PWT PCD A D PS G COW NX."""

    def __init__(self):
        super().__init__("sticky-walk", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not 1 <= len(args) <= 2:
            raise gdb.GdbError("usage: sticky-walk ADDRESS [CR3]")
        vaddr = to_address(args[0])
        cr3 = to_address(args[1]) if len(args) == 2 else live_register("cr3")
        if cr3 is None:
            raise gdb.GdbError("no live CR3 (not connected?): pass one, e.g. from sticky-current")
        print(f"walk {vaddr:#018x} with cr3 {cr3:#x}")
        table = cr3 & ADDRESS_MASK
        for name, shift in LEVELS:
            index = vaddr >> shift & 0x1FF
            slot = table + index * 8
            try:
                entry = read_u64(DIRECT_MAP + slot)
            except gdb.MemoryError:
                raise gdb.GdbError(f"cannot read {name} table at physical {table:#x} through the direct map")
            print(f"  {name:4}[{index:3}] @phys {slot:#012x} = {entry:#018x}  {flags_text(entry)}")
            if not entry & 1:
                print("  -> not present")
                return
            if shift > 12 and entry >> 7 & 1:       # PS: a 1 GiB or 2 MiB page
                size = 1 << shift
                phys = (entry & ADDRESS_MASK & ~(size - 1)) + (vaddr & (size - 1))
                print(f"  -> physical {phys:#x} ({size >> 20} MiB page)")
                return
            table = entry & ADDRESS_MASK
        print(f"  -> physical {table + (vaddr & 0xFFF):#x} (4 KiB page)")


class Backtrace(gdb.Command):
    """sticky-bt [RBP [RIP]]: follows the RBP chain (the kernel keeps frame
pointers) and names each return address. Defaults: the live $rbp and $rip.
Stops at a null, misaligned, unreadable or non-increasing frame pointer. At a
function's first instruction its caller is missing (no frame pushed yet)."""

    def __init__(self):
        super().__init__("sticky-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        rbp = to_address(args[0]) if args else live_register("rbp")
        rip = to_address(args[1]) if len(args) > 1 else (None if args else live_register("rip"))
        if rip is not None:
            print(f"#0  {rip:#018x} {symbolize(rip)}")
        for depth in range(1, 64):
            if not rbp or rbp & 7:
                return
            try:
                next_rbp, ret = read_u64(rbp), read_u64(rbp + 8)
            except gdb.MemoryError:
                return
            if ret == 0:
                return
            print(f"#{depth:<2} {ret:#018x} {symbolize(ret)}")
            if next_rbp <= rbp:
                return
            rbp = next_rbp


class Break(gdb.Command):
    """sticky-break REGEX: sets a breakpoint on every kernel function whose
symbol matches REGEX (ILC names are long: stickyos_Namespace_Type__Method,
generic types with <...>), e.g. `sticky-break BreakCow`."""

    def __init__(self):
        super().__init__("sticky-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        pattern = arg.strip()
        if not pattern:
            raise gdb.GdbError("usage: sticky-break REGEX")
        hits = find_functions(pattern)
        if not hits:
            raise gdb.GdbError(f"no function matches {pattern!r}")
        if len(hits) > 20:
            raise gdb.GdbError(f"{len(hits)} functions match {pattern!r}: narrow it down")
        for address, name in hits:
            gdb.execute(f"break *{address:#x}", from_tty)
            print(f"  ({name})")


class CurrentPid(gdb.Function):
    """$sticky_pid(): the running process's pid (0 for a kernel thread), for breakpoint conditions."""

    def __init__(self):
        super().__init__("sticky_pid")

    def invoke(self):
        return DebugBlock().pid


class CurrentName(gdb.Function):
    """$sticky_name(): the running process's name, e.g.
condition 1 $_streq($sticky_name(), "forkdemo")"""

    def __init__(self):
        super().__init__("sticky_name")

    def invoke(self):
        return DebugBlock().name


def find_functions(pattern):
    """[(address, name)] of text symbols matching `pattern`, deduplicated by address."""
    text = gdb.execute(f"info functions {pattern}", to_string=True)
    hits = {}
    for line in text.splitlines():
        m = re.match(r"^(0x[0-9a-f]+)\s+(\S.*)$", line.strip())
        if m:
            hits.setdefault(int(m.group(1), 16), m.group(2))
    return sorted(hits.items())


def load_kernel():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    if gdb.current_progspace().filename is None:
        kernel = os.environ.get("STICKY_KERNEL") or os.path.join(ROOT, "build", "kernel.elf")
        if os.path.isfile(kernel):
            gdb.execute(f"file {kernel}")
        else:
            print(f"stickyos.py: {kernel} not found (make kernel); load symbols with `file`")
    # QEMU's stub starts in 32-bit PVH entry code; the kernel is 64-bit.
    gdb.execute("set architecture i386:x86-64")


load_kernel()
Connect()
Current()
Walk()
Backtrace()
Break()
CurrentPid()
CurrentName()
