; Symbols the NativeAOT-compiled code expects from its runtime, and the table
; of linker-script addresses (kernel_layout).
bits 64
section .text
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

; object <-> address (runtime/ObjectRef.cs): without a moving collector a
; reference is an address.
global rt_identity
rt_identity:
    mov rax, rdi
    ret

section .data
; Stack-protector canary read by code that uses stackalloc.
global __security_cookie
__security_cookie:
    dq 0x2B992DDFA232D1C5

; The kernel heap's pages until the frame allocator runs (mm/KernelHeap.cs),
; and its last resort after. Boot needs a few KiB; 512 KiB leaves headroom
; without taking RAM from small machines.
section .bss
align 4096
global __heap_start, __heap_end
__heap_start:
    resb 512 * 1024
__heap_end:

; Where the linker put things (boot/linker.ld): one table, read by C# as
; Sticky.Runtime.ImageLayout (field order must match KernelImage.cs).
extern __kernel_phys_start, __kernel_phys_end, __text_start, __text_end, __rodata_start, __rodata_end
extern __data_start, __data_end, __ksyms_start, __ksyms_end, __kernel_end, __modules_start, __modules_end
extern boot_stack_guard, boot_stack_bottom, boot_stack_top
section .rodata
align 8
kernel_layout_table:
    dq __kernel_phys_start, __kernel_phys_end
    dq __text_start, __text_end, __rodata_start, __rodata_end, __data_start, __data_end
    dq __ksyms_start, __ksyms_end, __kernel_end
    dq __modules_start, __modules_end
    dq __heap_start, __heap_end
    dq boot_stack_guard, boot_stack_bottom, boot_stack_top

section .text
global kernel_layout
kernel_layout:              ; -> ImageLayout*
    lea rax, [rel kernel_layout_table]
    ret
