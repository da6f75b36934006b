; The `syscall` instruction's entry (MSR LSTAR) and the way into ring 3.
;
; The CPU arrives here with interrupts masked (MSR FMASK), RCX = user RIP,
; R11 = user RFLAGS, and RSP still the user's. We switch to this thread's
; kernel stack through the per-CPU area (GS after swapgs), then build the same
; TrapFrame an interrupt from ring 3 would have, so one C# type and one exit
; path (trap_return: iretq) serve both. iretq instead of sysret also avoids
; sysret's #GP-in-ring-0 on a non-canonical RCX.
bits 64
%include "trapframe.inc"
section .text
extern syscall_dispatch, trap_return

PERCPU_SCRATCH_RSP  equ 8               ; PerCpu.ScratchUserRsp
PERCPU_KERNEL_STACK equ 16              ; PerCpu.KernelStackTop
USER_DATA_SELECTOR  equ 0x1B
USER_CODE_SELECTOR  equ 0x23
SYSCALL_VECTOR      equ 0x100           ; TrapFrame.Vector for syscalls: not a CPU vector

global syscall_entry
syscall_entry:
    swapgs
    mov [gs:PERCPU_SCRATCH_RSP], rsp
    mov rsp, [gs:PERCPU_KERNEL_STACK]
    push USER_DATA_SELECTOR             ; ss
    push qword [gs:PERCPU_SCRATCH_RSP]  ; rsp
    push r11                            ; rflags
    push USER_CODE_SELECTOR             ; cs
    push rcx                            ; rip
    push 0                              ; error code
    push SYSCALL_VECTOR
    PUSH_GENERAL_REGISTERS
    cld
    mov rdi, rsp
    sub rsp, SSE_AREA
    SAVE_XMM
    xor ebp, ebp
    call syscall_dispatch               ; enables interrupts once the frame is saved
    jmp trap_return

; user_enter(fpuArea): start running the frame prepared at `fpuArea` (SSE area,
; TrapFrame above it) on the current kernel stack: a new thread's first entry
; to ring 3, or the return from execve.
global user_enter
user_enter:
    mov rsp, rdi
    jmp trap_return
