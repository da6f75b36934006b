; Atomic operations (arch/x86_64/Atomic.cs). The lock prefix makes each one a
; full barrier on x86.
bits 64
section .text

global atomic_xchg32
atomic_xchg32:              ; (int* p, int value) -> old
    mov eax, esi
    xchg [rdi], eax
    ret

global atomic_cmpxchg32
atomic_cmpxchg32:           ; (int* p, int value, int expected) -> old
    mov eax, edx
    lock cmpxchg [rdi], esi
    ret

global atomic_add32
atomic_add32:               ; (int* p, int delta) -> new
    mov eax, esi
    lock xadd [rdi], eax
    add eax, esi
    ret

global atomic_and32
atomic_and32:               ; (int* p, int mask)
    lock and [rdi], esi
    ret

global atomic_or32
atomic_or32:                ; (int* p, int bits)
    lock or [rdi], esi
    ret

global atomic_add64
atomic_add64:               ; (long* p, long delta) -> new
    mov rax, rsi
    lock xadd [rdi], rax
    add rax, rsi
    ret
