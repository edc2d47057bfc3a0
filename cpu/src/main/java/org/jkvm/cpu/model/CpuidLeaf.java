package org.jkvm.cpu.model;

/**
 * One CPUID leaf as KVM_GET_SUPPORTED_CPUID lists it (struct kvm_cpuid_entry2's fields).
 *
 * @param flags {@link #SIGNIFICANT_INDEX} when the leaf has sub-leaves selected by ECX
 */
public record CpuidLeaf(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX. */
    public static final int SIGNIFICANT_INDEX = 1;

    @Override
    public String toString() {
        return String.format("%08x.%-2x eax=%08x ebx=%08x ecx=%08x edx=%08x", function, index, eax, ebx, ecx, edx);
    }
}
