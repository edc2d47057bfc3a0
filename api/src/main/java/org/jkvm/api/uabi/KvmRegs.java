package org.jkvm.api.uabi;

/** struct kvm_regs (144 bytes): RAX..R15 in Linux's field order, then RIP and RFLAGS. */
public record KvmRegs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                      long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                      long rip, long rflags) {
    public static final int SIZE = 144;
}
