; stickyos entry: QEMU's PVH loader jumps here in 32-bit protected mode with
; paging off and ebx = physical address of the hvm_start_info structure.
; We build a throw-away page table (identity + direct map + kernel higher
; half), enter long mode, enable SSE (compiled C# uses it for every copy) and
; call the C# kernel. The kernel replaces these tables with its own (mm/).

%define KERNEL_VMA      0xFFFFFFFF80000000
%define DIRECT_MAP      0xFFFF800000000000

bits 32

section .note.Xen note alloc noexec nowrite align=4
    dd 4                    ; name size ("Xen\0")
    dd 4                    ; descriptor size
    dd 18                   ; XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dd pvh_start32

section .boot32 progbits alloc exec nowrite align=16
global pvh_start32
pvh_start32:
    cli
    cld
    mov esi, ebx                        ; keep start-info pointer

    ; 4 GiB identity map with 2 MiB pages: pd_low[0..2047]
    mov edi, boot_pd_low
    mov eax, 0x83                       ; present | writable | huge
    xor edx, edx
    mov ecx, 2048
.fill_pd:
    mov [edi], eax
    mov [edi + 4], edx
    add eax, 0x200000
    adc edx, 0
    add edi, 8
    loop .fill_pd

    ; pdpt_low[0..3] -> the four page directories
    mov edi, boot_pdpt_low
    mov eax, boot_pd_low + 3
    mov ecx, 4
.fill_pdpt:
    mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 4096
    add edi, 8
    loop .fill_pdpt

    ; pdpt_high[510] -> first page directory: KERNEL_VMA maps physical 0..1 GiB
    mov dword [boot_pdpt_high + 510 * 8], boot_pd_low + 3

    mov dword [boot_pml4 + 0 * 8], boot_pdpt_low + 3      ; identity (boot only)
    mov dword [boot_pml4 + 256 * 8], boot_pdpt_low + 3    ; direct map
    mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + 3   ; kernel image

    mov eax, cr4
    or eax, (1 << 5)                    ; PAE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, 0xC0000080                 ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)        ; LME | NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1   ; PG | WP | PE
    mov cr0, eax

    lgdt [boot_gdt_ptr]
    jmp 0x08:long_mode_entry

bits 64
long_mode_entry:
    mov rax, higher_half_entry
    jmp rax

align 16
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF               ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF               ; 0x10: data
boot_gdt_ptr:
    dw boot_gdt_ptr - boot_gdt - 1
    dd boot_gdt

section .boot32.bss nobits alloc write align=4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd_low:    resb 4096 * 4

section .text
extern kmain
global higher_half_entry
higher_half_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                        ; backtraces stop at a zero frame pointer

    ; SSE: CR0.EM=0, CR0.MP=1; CR4.OSFXSR | CR4.OSXMMEXCPT
    mov rax, cr0
    and rax, ~(1 << 2)
    or rax, (1 << 1)
    mov cr0, rax
    mov rax, cr4
    or rax, (1 << 9) | (1 << 10)
    mov cr4, rax

    mov edi, esi                        ; arg0: physical start-info pointer
    call kmain
.halt:
    cli
    hlt
    jmp .halt

section .bss
align 4096
; Left unmapped by the kernel's page tables (mm/KernelMemory.cs): a boot
; stack overflow faults here instead of silently overwriting .bss.
global boot_stack_guard
boot_stack_guard:
    resb 4096
global boot_stack_bottom
boot_stack_bottom:
    resb 64 * 1024
global boot_stack_top
boot_stack_top:
