package org.jkvm.api.uabi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The well-known struct sizes (Documentation/virt/kvm/api.rst, x86-64) and the tables' own consistency. */
class UabiLayoutTest {

    @Test
    void wellKnownSizes() {
        assertEquals(144, KvmRegs.LAYOUT.size());
        assertEquals(24, KvmSegment.LAYOUT.size());
        assertEquals(16, KvmDtable.LAYOUT.size());
        assertEquals(312, KvmSregs.LAYOUT.size());
        assertEquals(416, KvmFpu.LAYOUT.size());
        assertEquals(4096, KvmXsave.LAYOUT.size());
        assertEquals(16, KvmXcr.LAYOUT.size());
        assertEquals(392, KvmXcrs.LAYOUT.size());
        assertEquals(16, KvmMsrEntry.LAYOUT.size());
        assertEquals(8, KvmMsrs.LAYOUT.size());
        assertEquals(4, KvmMsrList.LAYOUT.size());
        assertEquals(40, KvmCpuidEntry2.LAYOUT.size());
        assertEquals(8, KvmCpuid2.LAYOUT.size());
        assertEquals(64, KvmVcpuEvents.LAYOUT.size());
        assertEquals(2352, KvmRun.LAYOUT.size());
        // the record SIZE constants agree with their tables
        assertEquals(KvmRegs.SIZE, KvmRegs.LAYOUT.size());
        assertEquals(KvmSregs.SIZE, KvmSregs.LAYOUT.size());
        assertEquals(KvmFpu.SIZE, KvmFpu.LAYOUT.size());
        assertEquals(KvmXcrs.SIZE, KvmXcrs.LAYOUT.size());
        assertEquals(KvmCpuidEntry2.SIZE, KvmCpuidEntry2.LAYOUT.size());
        assertEquals(KvmVcpuEvents.SIZE, KvmVcpuEvents.LAYOUT.size());
        assertEquals(KvmMsrEntry.SIZE, KvmMsrEntry.LAYOUT.size());
    }

    @Test
    void wellKnownOffsets() {
        assertEquals(128, KvmRegs.LAYOUT.field("rip").offset());
        assertEquals(136, KvmRegs.LAYOUT.field("rflags").offset());
        assertEquals(64, KvmRegs.LAYOUT.field("r8").offset());
        assertEquals(224, KvmSregs.LAYOUT.field("cr0").offset());
        assertEquals(264, KvmSregs.LAYOUT.field("efer").offset());
        assertEquals(272, KvmSregs.LAYOUT.field("apic_base").offset());
        assertEquals(280, KvmSregs.LAYOUT.field("interrupt_bitmap").offset());
        assertEquals(192, KvmSregs.LAYOUT.field("gdt").offset());
        assertEquals(152, KvmFpu.LAYOUT.field("xmm").offset());
        assertEquals(408, KvmFpu.LAYOUT.field("mxcsr").offset());
        assertEquals(55, KvmVcpuEvents.LAYOUT.field("exception_has_payload").offset());
        assertEquals(56, KvmVcpuEvents.LAYOUT.field("exception_payload").offset());
        assertEquals(28, KvmVcpuEvents.LAYOUT.field("triple_fault.pending").offset());
        assertEquals(8, KvmRun.LAYOUT.field("exit_reason").offset());
        assertEquals(32, KvmRun.LAYOUT.field("io.direction").offset());
        assertEquals(40, KvmRun.LAYOUT.field("io.data_offset").offset());
        assertEquals(48, KvmRun.LAYOUT.field("mmio.len").offset());
        assertEquals(52, KvmRun.LAYOUT.field("mmio.is_write").offset());
        assertEquals(512, KvmXsave.XSTATE_BV.offset());
        assertEquals(520, KvmXsave.XCOMP_BV.offset());
    }

    /** Every struct but kvm_run (a union) is tiled exactly by its members: no gap, no overlap. */
    @Test
    void membersTileEachStruct() {
        Set<String> unions = Set.of("kvm_run");
        for (CStruct s : Uabi.STRUCTS) {
            if (unions.contains(s.cName())) continue;
            List<Field> byOffset = s.fields().stream().sorted(Comparator.comparingInt(Field::offset)).toList();
            int at = 0;
            for (Field f : byOffset) {
                assertEquals(at, f.offset(), s + ": gap or overlap before " + f.name());
                at = f.end();
            }
            assertEquals(s.size(), at, s + ": members end before the struct");
        }
    }

    @Test
    void kvmRunUnionMembersStayInsideTheUnion() {
        for (Field f : KvmRun.LAYOUT.fields()) {
            String n = f.name();
            if (n.contains(".")) {
                assertTrue(f.offset() >= KvmRun.UNION_OFFSET && f.end() <= KvmRun.UNION_OFFSET + KvmRun.UNION_SIZE,
                    n + " outside the exit union");
            }
        }
    }
}
