package org.jkvm.linux;

import java.util.List;

import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;

/** XSAVE facts read from CPUID leaf 0xD (SDM vol. 1 13.2), computed here independently of the kernel. */
final class XstateFacts {
    static final int XTILECFG = 17, XTILEDATA = 18;
    static final long AMX_MASK = (1L << XTILECFG) | (1L << XTILEDATA);

    private XstateFacts() {}

    /** CPUID.(EAX=0xD,ECX=0): EDX:EAX is the XCR0 mask the table offers. */
    static long xcr0(List<KvmCpuidEntry2> cpuid) {
        KvmCpuidEntry2 d0 = KvmCpuid2.find(cpuid, 0xD, 0);
        return d0 == null ? 0 : Integer.toUnsignedLong(d0.eax()) | (Integer.toUnsignedLong(d0.edx()) << 32);
    }

    /**
     * The standard (non-compacted) XSAVE area size for {@code xcr0}: the legacy area and header (576 bytes), or
     * the end of the highest user component present, each at its CPUID 0xD.i EBX offset with EAX size.
     */
    static int standardSize(List<KvmCpuidEntry2> cpuid, long xcr0) {
        int size = 512 + 64;
        for (int i = 2; i < 63; i++) {
            if ((xcr0 & (1L << i)) == 0) continue;
            KvmCpuidEntry2 c = KvmCpuid2.find(cpuid, 0xD, i);
            if (c == null) throw new IllegalStateException("CPUID 0xD." + i + " missing for XCR0 bit " + i);
            size = Math.max(size, c.ebx() + c.eax());
        }
        return size;
    }
}
