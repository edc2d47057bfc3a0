package org.jkvm.cpu.mem;

import java.lang.foreign.MemorySegment;

/**
 * One range of guest-physical RAM: {@code segment} backs guest-physical {@code [gpa, gpa + size)}. The VMM
 * owns the segment (the same one it registers with /dev/kvm); the CPU only reads and writes it. Native
 * (off-heap) segments take the fast path; heap segments work but always go the slow way.
 */
public record RamRegion(long gpa, MemorySegment segment, boolean readOnly) {
    public RamRegion {
        if (gpa < 0 || (gpa & 0xFFF) != 0) throw new IllegalArgumentException("region start must be page-aligned");
        if (segment.byteSize() == 0) throw new IllegalArgumentException("empty region");
    }

    public RamRegion(long gpa, MemorySegment segment) {
        this(gpa, segment, false);
    }

    public long size() {
        return segment.byteSize();
    }

    public long end() {
        return gpa + segment.byteSize();
    }

    public boolean contains(long pa) {
        return pa >= gpa && pa - gpa < segment.byteSize();
    }
}
