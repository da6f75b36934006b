; Thread switching. A thread's kernel stack holds its callee-saved registers
; while it is not running; the scheduler keeps only the saved RSP.
bits 64
section .text
extern thread_exit_current, thread_first_run

global context_switch
context_switch:             ; (ulong* saveRsp, ulong newRsp); interrupts off
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First code of every new thread (Thread.cs builds its initial stack so that
; context_switch "returns" here): r12 = entry, r13 = argument.
global thread_trampoline
thread_trampoline:
    xor ebp, ebp            ; backtraces end here
    and rsp, -16            ; the ABI's alignment at each call below
    call thread_first_run   ; releases the scheduler lock the switch was made under
    sti                     ; the switch ran with interrupts off
    mov rdi, r13
    call r12
    call thread_exit_current
    ud2
