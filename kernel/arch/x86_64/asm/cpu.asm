; Single CPU instructions that C# cannot express. Each routine follows the
; System V calling convention (args in rdi, rsi, rdx) and is imported once,
; in arch/x86_64/Cpu.cs. (The other asm files are imported where they are
; used: runtime.asm by kernel/runtime, safe_access.asm by SafeAccess.cs,
; switch.asm by the scheduler, and so on; kernel/tests/faults.asm only by
; the self-tests.)
bits 64
section .text

global cpu_outb
cpu_outb:                   ; (ushort port, byte value)
    mov edx, edi
    mov eax, esi
    out dx, al
    ret

global cpu_inb
cpu_inb:                    ; (ushort port) -> byte
    mov edx, edi
    xor eax, eax
    in al, dx
    ret

global cpu_outw
cpu_outw:
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret

global cpu_outd
cpu_outd:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret

global cpu_ind
cpu_ind:
    mov edx, edi
    in eax, dx
    ret

global cpu_cli
cpu_cli:
    cli
    ret

global cpu_sti
cpu_sti:
    sti
    ret

global cpu_hlt
cpu_hlt:
    hlt
    ret

global cpu_sti_hlt
cpu_sti_hlt:                ; sti's one-instruction shadow makes this race-free
    sti
    hlt
    ret

global cpu_pause
cpu_pause:
    pause
    ret

global cpu_rflags
cpu_rflags:
    pushfq
    pop rax
    ret

global cpu_irq_save
cpu_irq_save:               ; -> previous RFLAGS; interrupts off
    pushfq
    pop rax
    cli
    ret

; Only IF is restored, and only when it was set: the flags the save returned
; differ from the live ones in nothing else, and a nested section (interrupts
; already off) then restores with no instruction at all. popfq would do the
; same work at a much higher price (under QEMU's TCG every popfq ends the
; translated block and goes back to the main loop). Linux's
; arch_local_irq_restore does the same.
global cpu_irq_restore
cpu_irq_restore:            ; (rflags)
    test edi, 0x200         ; IF
    jz .off
    sti
.off:
    ret

global cpu_read_cr0
cpu_read_cr0:
    mov rax, cr0
    ret

global cpu_write_cr0
cpu_write_cr0:
    mov cr0, rdi
    ret

global cpu_read_cr2
cpu_read_cr2:
    mov rax, cr2
    ret

global cpu_read_cr3
cpu_read_cr3:
    mov rax, cr3
    ret

global cpu_write_cr3
cpu_write_cr3:
    mov cr3, rdi
    ret

global cpu_read_cr4
cpu_read_cr4:
    mov rax, cr4
    ret

global cpu_write_cr4
cpu_write_cr4:
    mov cr4, rdi
    ret

global cpu_invlpg
cpu_invlpg:
    invlpg [rdi]
    ret

global cpu_rdmsr
cpu_rdmsr:                  ; (uint msr) -> ulong
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret

global cpu_wrmsr
cpu_wrmsr:                  ; (uint msr, ulong value)
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret

global cpu_rdtsc
cpu_rdtsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

global cpu_percpu_self
cpu_percpu_self:            ; -> this CPU's PerCpu (its first field points at itself)
    mov rax, [gs:0]
    ret

global cpu_current_thread
cpu_current_thread:         ; -> PerCpu.CurrentThread: one load, so a thread that
    mov rax, [gs:24]        ; moves to another CPU right after still read its own
    ret

global cpu_read_rbp
cpu_read_rbp:               ; the caller's frame pointer
    mov rax, rbp
    ret

global cpu_read_rsp
cpu_read_rsp:
    lea rax, [rsp + 8]
    ret

global cpu_lgdt
cpu_lgdt:                   ; (DescriptorPointer*, ushort codeSelector, ushort dataSelector)
    lgdt [rdi]
    mov ax, dx
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    pop rax                 ; reload CS with a far return to the caller
    push rsi
    push rax
    retfq

global cpu_lidt
cpu_lidt:
    lidt [rdi]
    ret

global cpu_ltr
cpu_ltr:
    ltr di
    ret

global cpu_cpuid
cpu_cpuid:                  ; (uint leaf, uint subleaf, uint* out4)
    push rbx
    mov eax, edi
    mov ecx, esi
    mov r8, rdx
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

; The whole x87/MMX/SSE state to and from a 16-byte aligned 512-byte area.
global cpu_fxsave, cpu_fxrstor
cpu_fxsave:
    fxsave64 [rdi]
    ret
cpu_fxrstor:
    fxrstor64 [rdi]
    ret

; The x87 component only (requested-feature bitmap EDX:EAX = 1), and MXCSR by
; hand at its fxsave offset (XSAVE keeps it with the SSE component, which the
; trap frame already has). The area is 64-byte aligned (Fpu.cs).
global cpu_xsave_x87, cpu_xrstor_x87, cpu_write_xcr0
cpu_xsave_x87:
    mov eax, 1
    xor edx, edx
    xsaveopt64 [rdi]
    stmxcsr [rdi + 24]
    ret
cpu_xrstor_x87:
    mov eax, 1
    xor edx, edx
    xrstor64 [rdi]
    ldmxcsr [rdi + 24]
    ret
cpu_write_xcr0:             ; (ulong value); needs CR4.OSXSAVE
    mov eax, edi
    mov rdx, rdi
    shr rdx, 32
    xor ecx, ecx
    xsetbv
    ret
