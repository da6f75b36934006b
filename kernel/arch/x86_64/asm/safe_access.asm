; Memory accesses that may fault without it being a kernel bug: copies to and
; from user space, and self-tests probing protections. Each faulting
; instruction has a fixup address; the page-fault handler looks the faulting
; RIP up in safe_access_fixups and resumes at the fixup, which returns failure.
; (Linux calls this the exception table.)
bits 64
section .text

global safe_copy
safe_copy:                  ; (dst, src, count) -> 0 on success, 1 if a fault stopped it
    mov rcx, rdx
safe_copy_insn:
    rep movsb
    xor eax, eax
    ret
safe_copy_fixup:
    mov eax, 1
    ret

global safe_read64
safe_read64:                ; (address, ulong* out) -> 0 ok, 1 fault
safe_read64_insn:
    mov rax, [rdi]
    mov [rsi], rax
    xor eax, eax
    ret
safe_read64_fixup:
    mov eax, 1
    ret

global safe_write64
safe_write64:               ; (address, value) -> 0 ok, 1 fault
safe_write64_insn:
    mov [rdi], rsi
    xor eax, eax
    ret
safe_write64_fixup:
    mov eax, 1
    ret

global safe_zero
safe_zero:                  ; (dst, count) -> 0 ok, 1 fault
    mov rcx, rsi
    xor eax, eax
safe_zero_insn:
    rep stosb
    ret
safe_zero_fixup:
    mov eax, 1
    ret

section .rodata
align 8
global safe_access_fixups, safe_access_fixups_end
safe_access_fixups:         ; pairs: faulting instruction, where to resume
    dq safe_copy_insn, safe_copy_fixup
    dq safe_read64_insn, safe_read64_fixup
    dq safe_write64_insn, safe_write64_fixup
    dq safe_zero_insn, safe_zero_fixup
safe_access_fixups_end:

section .text
global safe_access_table
safe_access_table:          ; (ulong* end) -> start
    lea rax, [rel safe_access_fixups_end]
    mov [rdi], rax
    lea rax, [rel safe_access_fixups]
    ret
