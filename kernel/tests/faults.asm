; Faults the compiler would not produce, for the self-tests that check the
; kernel's reports of them (kernel/tests/FaultTests.cs). Nothing else calls
; these; they are here, not in arch/x86_64/asm, for that reason.
bits 64
section .text

global selftest_ud2
selftest_ud2:               ; #UD
    ud2
    ret

global selftest_divide
selftest_divide:            ; (a, b) -> a / b, faults with #DE when b == 0
    mov rax, rdi
    xor edx, edx
    div rsi
    ret

global selftest_bad_stack_push
selftest_bad_stack_push:    ; pushes on an unmapped stack: #PF that cannot be delivered -> #DF
    mov rax, rsp
    mov rsp, 0xFFFFFFFFFFFF0000
    push rax
    mov rsp, rax
    ret
