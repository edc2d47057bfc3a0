package org.jkvm.api.uabi;

/** struct kvm_cpuid_entry2 (40 bytes). */
public record KvmCpuidEntry2(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    public static final int SIZE = 40;
    /** flags: the leaf has sub-leaves selected by ECX. */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
}
