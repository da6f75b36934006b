; Memory accesses that may fault without it being a kernel bug: copies to and
; from user space, and self-tests probing protections. Each faulting
; instruction has a fixup address; the page-fault handler looks the faulting
; RIP up in safe_access_fixups and resumes at the fixup, which returns failure.
; (Linux calls this the exception table.) Each routine opens the SMAP window
; around its access (user_access.inc): these are the kernel's user-copy paths.
bits 64
%define USER_ACCESS_FLAG_HERE
%include "user_access.inc"
section .text

global safe_copy
safe_copy:                  ; (dst, src, count) -> 0 on success, 1 if a fault stopped it
    mov rcx, rdx
    USER_ACCESS_BEGIN
safe_copy_insn:
    rep movsb
    USER_ACCESS_END
    xor eax, eax
    ret
safe_copy_fixup:
    USER_ACCESS_END
    mov eax, 1
    ret

global safe_read64
safe_read64:                ; (address, ulong* out) -> 0 ok, 1 fault
    USER_ACCESS_BEGIN
safe_read64_insn:
    mov rax, [rdi]
    USER_ACCESS_END
    mov [rsi], rax
    xor eax, eax
    ret
safe_read64_fixup:
    USER_ACCESS_END
    mov eax, 1
    ret

global safe_write64
safe_write64:               ; (address, value) -> 0 ok, 1 fault
    USER_ACCESS_BEGIN
safe_write64_insn:
    mov [rdi], rsi
    USER_ACCESS_END
    xor eax, eax
    ret
safe_write64_fixup:
    USER_ACCESS_END
    mov eax, 1
    ret

global safe_zero
safe_zero:                  ; (dst, count) -> 0 ok, 1 fault
    mov rcx, rsi
    xor eax, eax
    USER_ACCESS_BEGIN
safe_zero_insn:
    rep stosb
    USER_ACCESS_END
    xor eax, eax
    ret
safe_zero_fixup:
    USER_ACCESS_END
    mov eax, 1
    ret

; The window by hand, for the self-tests that touch user pages directly.
global user_access_begin, user_access_end
user_access_begin:
    USER_ACCESS_BEGIN
    ret
user_access_end:
    USER_ACCESS_END
    ret

global user_access_use_smap
user_access_use_smap:       ; from now on open and close the window (the CPU has SMAP)
    mov byte [rel user_access_smap], 1
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

section .data
global user_access_smap
user_access_smap: db 0

section .text
global safe_access_table
safe_access_table:          ; (ulong* end) -> start
    lea rax, [rel safe_access_fixups_end]
    mov [rdi], rax
    lea rax, [rel safe_access_fixups]
    ret
