; The `syscall` instruction's entry (MSR LSTAR) and the way into ring 3.
;
; The CPU arrives here with interrupts masked (MSR FMASK), RCX = user RIP,
; R11 = user RFLAGS, and RSP still the user's. We switch to this thread's
; kernel stack through the per-CPU area (GS after swapgs), then build the same
; TrapFrame an interrupt from ring 3 would have, so one C# type serves both.
;
; The way out is sysret when the frame is one sysret restores exactly (as
; Linux's entry_SYSCALL_64 checks): RIP = RCX and in the user half (a
; non-canonical RCX would #GP in ring 0), RFLAGS = R11 without TF or RF, the
; user selectors, and the thread not marked to return with iretq
; (Thread.ReturnViaIret). Anything else -- exec's new frame, a frame the
; kernel changed -- leaves through trap_return's iretq. sysret reloads only
; RIP, RFLAGS, CS and SS; RSP is restored by hand just before it.
bits 64
%include "trapframe.inc"
section .text
extern syscall_dispatch, trap_return

PERCPU_SCRATCH_RSP  equ 8               ; PerCpu.ScratchUserRsp
PERCPU_KERNEL_STACK equ 16              ; PerCpu.KernelStackTop
USER_DATA_SELECTOR  equ 0x1B
USER_CODE_SELECTOR  equ 0x23
SYSCALL_VECTOR      equ 0x100           ; TrapFrame.Vector for syscalls: not a CPU vector
SYSRET_RIP_LIMIT    equ 0x00007FFFFFFFF000  ; Paging.UserEnd: the last page is never mapped
FLAGS_TF_RF         equ 0x10100

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
    call syscall_dispatch               ; enables interrupts once the frame is saved and
    test eax, eax                       ; returns with them off; 1: this thread returns with iretq
    jnz trap_return
    mov rcx, [rsp + SSE_AREA + FRAME_RCX]
    cmp rcx, [rsp + SSE_AREA + FRAME_RIP]
    jne trap_return
    mov rax, SYSRET_RIP_LIMIT
    cmp rcx, rax
    jae trap_return
    mov r11, [rsp + SSE_AREA + FRAME_R11]
    cmp r11, [rsp + SSE_AREA + FRAME_RFLAGS]
    jne trap_return
    test r11, FLAGS_TF_RF
    jnz trap_return
    cmp qword [rsp + SSE_AREA + FRAME_CS], USER_CODE_SELECTOR
    jne trap_return
    cmp qword [rsp + SSE_AREA + FRAME_SS], USER_DATA_SELECTOR
    jne trap_return
    RESTORE_XMM
    add rsp, SSE_AREA
    POP_GENERAL_REGISTERS               ; rcx = user RIP, r11 = user RFLAGS
    mov rsp, [rsp + FRAME_RSP - FRAME_VECTOR]   ; the user RSP
    swapgs
    o64 sysret

; user_enter(fpuArea): start running the frame prepared at `fpuArea` (SSE area,
; TrapFrame above it) on the current kernel stack: a new thread's first entry
; to ring 3, or the return from execve.
global user_enter
user_enter:
    mov rsp, rdi
    jmp trap_return
