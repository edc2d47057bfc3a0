package org.jkvm.kvm;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.RamRegion;
import org.jkvm.kvm.lapic.ApicBus;
import org.jkvm.kvm.lapic.ApicReg;
import org.jkvm.kvm.lapic.LocalApic;

/** A VM of the soft backend: memory slots, the vCPUs, and the APIC bus of the split irqchip. */
public final class SoftVm implements Vm, ApicBus {
    public static final int MAX_VCPUS = 64, MAX_MEMSLOTS = 32;

    private final SoftHypervisor hv;
    private final PhysicalMemory memory = new PhysicalMemory();
    private final Map<Integer, RamRegion> slots = new HashMap<>();
    final CopyOnWriteArrayList<SoftVcpu> vcpus = new CopyOnWriteArrayList<>();
    private volatile boolean splitIrqchip;

    SoftVm(SoftHypervisor hv) {
        this.hv = hv;
    }

    public SoftHypervisor hypervisor() { return hv; }

    public PhysicalMemory memory() { return memory; }

    public boolean splitIrqchip() { return splitIrqchip; }

    @Override
    public synchronized void setUserMemoryRegion(int slot, int flags, long gpa, MemorySegment mem) throws KvmException {
        if (slot < 0 || slot >= MAX_MEMSLOTS) throw new KvmException(Errno.EINVAL, "memory slot " + slot + " out of range");
        if ((flags & ~MEM_READONLY) != 0) throw new KvmException(Errno.EINVAL, "unknown memory region flags 0x" + Integer.toHexString(flags));
        long size = mem == null ? 0 : mem.byteSize();
        if ((gpa & 0xFFF) != 0 || (size & 0xFFF) != 0) throw new KvmException(Errno.EINVAL, "memory region not page-aligned");
        RamRegion old = slots.get(slot);
        if (size == 0) {
            if (old != null) {
                memory.remove(old.gpa());
                slots.remove(slot);
            }
            return;
        }
        for (Map.Entry<Integer, RamRegion> e : slots.entrySet()) {
            RamRegion r = e.getValue();
            if (e.getKey() != slot && gpa < r.end() && r.gpa() < gpa + size) {
                throw new KvmException(Errno.EEXIST, "memory region overlaps slot " + e.getKey());
            }
        }
        RamRegion nr = new RamRegion(gpa, mem, (flags & MEM_READONLY) != 0);
        if (old != null) memory.remove(old.gpa());
        memory.add(nr);
        slots.put(slot, nr);
    }

    @Override
    public synchronized void createSplitIrqchip() throws KvmException {
        if (splitIrqchip) throw new KvmException(Errno.EEXIST, "irqchip already created");
        if (!vcpus.isEmpty()) throw new KvmException(Errno.EINVAL, "the irqchip must be created before the vCPUs");
        splitIrqchip = true;
    }

    @Override
    public void signalMsi(long address, int data) throws KvmException {
        if (!splitIrqchip) throw new KvmException(Errno.ENXIO, "no irqchip in the backend");
        if ((address & 0xFFF0_0000L) != 0xFEE0_0000L) throw new KvmException(Errno.EINVAL, "MSI address outside 0xFEExxxxx");
        int dest = (int) ((address >> 12) & 0xFF) | (int) ((address >>> 32) & 0xFFFF_FF00L);
        boolean logical = (address & 4) != 0;
        int mode = (data >> 8) & 7;
        boolean level = (data & (1 << 14)) != 0, trig = (data & (1 << 15)) != 0;
        deliver(null, 0, logical, dest, mode, data & 0xFF, level || !trig);
    }

    /**
     * Delivers an interrupt to every APIC the destination names. Lowest priority goes to one of them, chosen by
     * vector hashing as KVM does by default (kvm.vector_hashing=1): the (vector mod n)-th of the n matching
     * vCPUs in vCPU order, so that one device's interrupts stay on one vCPU.
     */
    @Override
    public int deliver(LocalApic source, int shorthand, boolean logical, int dest, int mode, int vector, boolean level) {
        int n = 0;
        int lowestCount = 0;
        SoftVcpu[] candidates = null;
        for (SoftVcpu v : vcpus) {
            LocalApic a = v.lapic();
            if (a == null) continue;
            boolean hit = switch (shorthand) {
                case 1 -> a == source;
                case 2 -> true;
                case 3 -> a != source;
                default -> a.matchDest(logical, dest);
            };
            if (!hit) continue;
            if (mode == ApicReg.DM_LOWEST) {
                if (candidates == null) candidates = new SoftVcpu[vcpus.size()];
                candidates[lowestCount++] = v;
                continue;
            }
            if (a.accept(mode, vector, level, false)) {
                n++;
                v.kickFromApic();
            }
        }
        if (lowestCount > 0) {
            SoftVcpu chosen = candidates[(vector & 0xFF) % lowestCount];
            if (chosen.lapic().accept(mode, vector, level, false)) {
                n++;
                chosen.kickFromApic();
            }
        }
        return n;
    }

    @Override
    public synchronized Vcpu createVcpu(int id) throws KvmException {
        if (id < 0 || id >= MAX_VCPUS) throw new KvmException(Errno.EINVAL, "vCPU id " + id + " out of range");
        for (SoftVcpu v : vcpus) if (v.id() == id) throw new KvmException(Errno.EEXIST, "vCPU " + id + " exists");
        SoftVcpu v = new SoftVcpu(this, id);
        vcpus.add(v);
        return v;
    }

    @Override
    public void close() {
        for (SoftVcpu v : vcpus) v.close();
        vcpus.clear();
    }
}
