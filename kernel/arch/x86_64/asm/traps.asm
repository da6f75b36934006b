; Interrupt and exception entry. Every vector gets a stub that makes the stack
; look the same (error code, vector) and jumps to one common path, which saves
; the general registers in TrapFrame order (arch/x86_64/TrapFrame.cs) and the
; XMM registers below them, and calls the C# dispatcher with the frame.
;
; The XMM registers are saved on every entry, not only from ring 3: compiled
; C# uses them for copies, so an interrupt (and the thread switch it may
; cause) must not clobber the XMM registers of the code it interrupted.
bits 64
%include "trapframe.inc"
%include "user_access.inc"
section .text
extern trap_dispatch


; Vectors where the CPU pushes an error code itself.
%define HAS_ERROR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%macro TRAP_STUB 1
trap_stub_%1:
%if HAS_ERROR(%1) == 0
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 256
TRAP_STUB v
%assign v v + 1
%endrep

trap_common:
    ; RFLAGS.AC may be set (by a user program, or a user copy this interrupted):
    ; the handler runs with the SMAP window closed; iretq restores the flag.
    USER_ACCESS_END
    ; Entered from ring 3: switch GS to this CPU's kernel data.
    test qword [rsp + 24], 3            ; saved CS (after vector, error code, RIP)
    jz .from_kernel
    swapgs
.from_kernel:
    PUSH_GENERAL_REGISTERS
    cld
    mov rdi, rsp                        ; the TrapFrame (16-byte aligned: 22 words)
    sub rsp, SSE_AREA
    SAVE_XMM
    xor ebp, ebp                        ; backtraces inside the handler stop here;
    call trap_dispatch                  ; the panic path walks the saved RBP instead

; Every return to an interrupted context or to user mode, including a new
; thread's first entry to ring 3 and the syscall exit: RSP points at the saved
; SSE area with the TrapFrame above it.
global trap_return
trap_return:
    cli
    RESTORE_XMM
    add rsp, SSE_AREA
    POP_GENERAL_REGISTERS
    test qword [rsp + 24], 3
    jz .to_kernel
    swapgs
.to_kernel:
    add rsp, 16                         ; vector and error code
    iretq

section .rodata
align 8
global trap_stub_table
trap_stub_table:
%assign v 0
%rep 256
    dq trap_stub_ %+ v
%assign v v + 1
%endrep

section .text
global trap_stubs
trap_stubs:                             ; -> address of the 256-entry stub table
    lea rax, [rel trap_stub_table]
    ret
