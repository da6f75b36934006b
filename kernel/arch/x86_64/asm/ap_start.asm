; Application processor start-up (arch/x86_64/Smp.cs).
;
; ap_trampoline is not run where it is linked: Smp.cs copies it to the page
; at AP_TRAMPOLINE_PHYS (below 1 MiB: a start-up IPI can only name such a
; page) and fills its parameter slots. An AP woken by INIT-SIPI-SIPI starts
; there in real mode and goes through protected mode straight to long mode on
; the tables Smp.cs prepared (the kernel half, plus this page at its own
; address so the instructions right after paging is enabled still exist),
; then jumps to ap_entry in the kernel image.
bits 16

AP_TRAMPOLINE_PHYS equ 0x8000           ; Smp.TrampolinePhysical
%define ABS(label) (AP_TRAMPOLINE_PHYS + (label) - ap_trampoline)

section .rodata
align 16
global ap_trampoline
ap_trampoline:
    jmp short .real
    align 8
    ; Parameter slots, written by Smp.cs (offsets are part of the contract):
.boot_cr3:  dq 0                        ;  8: the AP boot tables' PML4 (below 4 GiB)
.stack:     dq 0                        ; 16: top of the AP's first kernel stack
.percpu:    dq 0                        ; 24: its PerCpu, ap_entry's argument
.entry:     dq ap_entry                 ; 32: where long mode continues (linked address)

.real:
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [ABS(gdt_pointer)]
    mov eax, cr0
    or eax, 1                           ; PE
    mov cr0, eax
    jmp dword 0x08:ABS(protected32)

bits 32
protected32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, 1 << 5                      ; PAE
    mov cr4, eax
    mov eax, [ABS(ap_trampoline.boot_cr3)]
    mov cr3, eax
    mov ecx, 0xC0000080                 ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)        ; LME | NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)       ; PG | WP
    mov cr0, eax
    jmp 0x18:ABS(long64)

bits 64
long64:
    mov rsp, [ABS(ap_trampoline.stack)]
    mov rdi, [ABS(ap_trampoline.percpu)]
    mov rax, [ABS(ap_trampoline.entry)]
    jmp rax

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF               ; 0x08: 32-bit code
    dq 0x00CF92000000FFFF               ; 0x10: data
    dq 0x00AF9A000000FFFF               ; 0x18: 64-bit code
gdt_pointer:
    dw gdt_pointer - gdt - 1
    dd ABS(gdt)
global ap_trampoline_end
ap_trampoline_end:

section .text
extern ap_main

; Long mode in the kernel image, still on the AP boot tables. SSE on before
; the first C# instruction (as boot/entry.asm does for the boot CPU).
ap_entry:                               ; rdi = PerCpu*, rsp = the AP's stack
    mov rax, cr0
    and rax, ~(1 << 2)                  ; EM off
    or rax, 1 << 1                      ; MP on
    mov cr0, rax
    mov rax, cr4
    or rax, (1 << 9) | (1 << 10)        ; OSFXSR | OSXMMEXCPT
    mov cr4, rax
    xor ebp, ebp                        ; backtraces stop here
    call ap_main
.halt:
    cli
    hlt
    jmp .halt

global ap_trampoline_bounds
ap_trampoline_bounds:                   ; (ulong* end) -> start
    lea rax, [rel ap_trampoline_end]
    mov [rdi], rax
    lea rax, [rel ap_trampoline]
    ret
