package org.jkvm.vmm.loader;

/**
 * The vCPU state an image starts in. {@code longMode}: 64-bit code with paging ({@code cr3}); otherwise 32-bit
 * protected mode, paging off. Segments are flat, from the GDT the loader wrote at {@code gdtBase} (selector
 * 0x08 code, 0x10 data). Interrupts are off.
 */
public record BootState(boolean longMode, long rip, long rsp, long rax, long rbx, long rdi, long rsi,
                        long gdtBase, int gdtLimit, long cr3) {
    public static final int CODE_SELECTOR = 0x08, DATA_SELECTOR = 0x10;
}
