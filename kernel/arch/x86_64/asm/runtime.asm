; Symbols the NativeAOT-compiled code expects from its runtime, and accessors
; for linker-script symbols (C# reaches them through RuntimeImport calls).
bits 64
section .text

extern __modules_start, __modules_end, __ksyms_start, __ksyms_end

extern rt_fail_fast

; Every managed method exported with RuntimeExport is entered through these
; reverse-P/Invoke transitions. Without a collector there is no thread state
; to switch, so they do nothing.
global RhpReversePInvoke, RhpReversePInvokeReturn, RhpPInvoke, RhpPInvokeReturn
RhpReversePInvoke:
RhpReversePInvokeReturn:
RhpPInvoke:
RhpPInvokeReturn:
    ret

; Copies one reference *rsi -> *rdi and advances both (the JIT's by-ref write
; barrier; rax and rcx may be trashed by contract). No collector: no barrier.
global RhpByRefAssignRef
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

global RhpFallbackFailFast
RhpFallbackFailFast:
    jmp rt_fail_fast

global rt_modules_start
rt_modules_start:
    lea rax, [rel __modules_start]
    ret

global rt_modules_end
rt_modules_end:
    lea rax, [rel __modules_end]
    ret

global ksyms_start
ksyms_start:
    lea rax, [rel __ksyms_start]
    ret

global ksyms_end
ksyms_end:
    lea rax, [rel __ksyms_end]
    ret

global heap_region_start
heap_region_start:
    lea rax, [rel __heap_start]
    ret

global heap_region_end
heap_region_end:
    lea rax, [rel __heap_end]
    ret

section .data
; Stack-protector canary read by code that uses stackalloc.
global __security_cookie
__security_cookie:
    dq 0x2B992DDFA232D1C5

section .bss
align 4096
global __heap_start, __heap_end
__heap_start:
    resb 8 * 1024 * 1024
__heap_end:

section .text
extern boot_stack_bottom, boot_stack_top
global boot_stack_range
boot_stack_range:           ; (ulong* top) -> bottom
    lea rax, [rel boot_stack_top]
    mov [rdi], rax
    lea rax, [rel boot_stack_bottom]
    ret

extern __kernel_phys_start, __kernel_phys_end, __text_start, __text_end, __rodata_start, __rodata_end
extern __data_start, __data_end, __ksyms_start, __kernel_end, boot_stack_guard
global kernel_layout
kernel_layout:              ; (ulong* out) -- order matches KernelMemory.ImageLayout
    mov qword [rdi + 0], __kernel_phys_start
    mov rax, __kernel_phys_end
    mov [rdi + 8], rax
    lea rax, [rel __text_start]
    mov [rdi + 16], rax
    lea rax, [rel __text_end]
    mov [rdi + 24], rax
    lea rax, [rel __rodata_start]
    mov [rdi + 32], rax
    lea rax, [rel __rodata_end]
    mov [rdi + 40], rax
    lea rax, [rel __data_start]
    mov [rdi + 48], rax
    lea rax, [rel __data_end]
    mov [rdi + 56], rax
    lea rax, [rel __ksyms_start]
    mov [rdi + 64], rax
    lea rax, [rel __kernel_end]
    mov [rdi + 72], rax
    lea rax, [rel boot_stack_guard]
    mov [rdi + 80], rax
    ret
