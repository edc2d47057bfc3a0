package org.jkvm.vmm.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Physical addresses no RAM slot backs. Few devices live here (I/O APIC, local APIC when the VMM emulates
 * it), so a short list scanned in order is fastest. Unknown MMIO reads zero and ignores writes.
 */
public final class MmioBus {
    private record Range(long base, long length, MmioDevice device) {
        boolean contains(long addr) { return addr - base >= 0 && addr - base < length; }
    }

    private final List<Range> ranges = new ArrayList<>();
    private final UnknownAccessLog unknown;

    public MmioBus(UnknownAccessLog unknown) {
        this.unknown = Objects.requireNonNull(unknown);
    }

    public void register(long base, long length, MmioDevice device) {
        Objects.requireNonNull(device);
        if (length <= 0) throw new IllegalArgumentException("bad MMIO range");
        for (Range r : ranges) {
            if (base < r.base + r.length && r.base < base + length) {
                throw new IllegalStateException(String.format("MMIO 0x%x already claimed", base));
            }
        }
        ranges.add(new Range(base, length, device));
    }

    private Range find(long addr) {
        for (Range r : ranges) if (r.contains(addr)) return r;
        return null;
    }

    public long read(long addr, int size) {
        Range r = find(addr);
        if (r == null) {
            unknown.once(~(addr >>> 12), String.format("unknown MMIO read at 0x%x (size %d): returning zero", addr, size));
            return 0;
        }
        return r.device.read(addr - r.base, size);
    }

    public void write(long addr, int size, long value) {
        Range r = find(addr);
        if (r == null) {
            unknown.once(~(addr >>> 12), String.format("unknown MMIO write at 0x%x (size %d, value 0x%x): ignored",
                    addr, size, value));
            return;
        }
        r.device.write(addr - r.base, size, value);
    }
}
