; kernel_debug_block: who is running on each CPU, at a fixed address a
; debugger finds by symbol (gdb: tools/gdb/stickyos.py, `sticky-current`).
; C# statics live in runtime-allocated regions a debugger cannot name; this
; block does not. One entry per CPU (entry i: CPU i, gdb's thread i + 1),
; DEBUG_BLOCK_SIZE bytes apart.
; Layout version 2 = Sticky.Debug.DebugBlockLayout (DebugBlock.cs) = the
; struct format in stickyos.py: change all three together.
bits 64

DEBUG_BLOCK_SIZE equ 72
DEBUG_BLOCK_CPUS equ 16                 ; Cpus.Max

section .data
align 64
global kernel_debug_block
kernel_debug_block:
    db "STICKYDB"           ;  0 magic
    dd 2                    ;  8 layout version
    dd DEBUG_BLOCK_SIZE     ; 12 size in bytes
    dq 0                    ; 16 updates: context switches recorded so far
    dd 0                    ; 24 tid   (0 = the boot thread until the first switch)
    dd 0                    ; 28 pid   (0 = a kernel thread)
    dq 0                    ; 32 cr3 of the address space in use (0 = not recorded yet)
    dq 0                    ; 40 address of the Sticky.Proc.Thread object
    dd 4                    ; 48 name length
    dd 0                    ; 52 flags: bit 0 = user thread
    db "boot"               ; 56 name: process comm, or the kernel thread's name
    times 12 db 0
%if $ - kernel_debug_block != DEBUG_BLOCK_SIZE
%error "kernel_debug_block size mismatch"
%endif
%rep DEBUG_BLOCK_CPUS - 1                ; the other CPUs' entries: filled when they start
    db "STICKYDB"
    dd 2, DEBUG_BLOCK_SIZE
    times DEBUG_BLOCK_SIZE - 16 db 0
%endrep

section .text
global kernel_debug_block_address
kernel_debug_block_address:     ; -> DebugBlockLayout*
    lea rax, [rel kernel_debug_block]
    ret
