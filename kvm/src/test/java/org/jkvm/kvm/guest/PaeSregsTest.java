package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.dword;
import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSegment;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A VMM that puts a vCPU straight into 32-bit PAE paging with KVM_SET_SREGS (as a snapshot restore or a
 * firmware-less loader does) relies on KVM loading the four PDPTE registers from the table CR3 points to: with
 * VMX they come from the guest-state area, not from memory, at VM entry. A present PDPTE with reserved bits
 * set is not loaded. Runs on /dev/kvm too where it exists.
 */
class PaeSregsTest {
    static final long PDPT = 0x7000, PD = 0x8000, CODE = 0x10000, MAGIC = 0x600123;

    private static void assumeBackend(String name) throws Exception {
        if (name.equals("soft")) return;
        HypervisorProvider p = Hypervisor.providers().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
        assumeTrue(p != null, "no " + name + " backend on the class path");
        assumeTrue(p.unavailableReason() == null, name + " backend unavailable: " + p.unavailableReason());
        VcpuExit control = run(name, -1, new int[1]);
        assumeTrue(control instanceof VcpuExit.Io, "this host's " + name + " cannot run a guest with plain 32-bit paging"
            + " either (" + control + "), so it cannot judge PAE");
    }

    /**
     * Returns the first exit of a guest that reads linear 0x200123 and OUTs it: with PAE paging (physical
     * 0x600123 through PD[1]; {@code pdpte0} is PDPTE 0) or, with {@code pdpte0 < 0}, with plain 32-bit paging
     * and one 4 MiB identity page (the control case).
     */
    private static VcpuExit run(String backend, long pdpte0, int[] out) throws Exception {
        try (Arena arena = Arena.ofShared(); Hypervisor hv = Hypervisor.open(backend, Map.of()); Vm vm = hv.createVm()) {
            MemorySegment ram = arena.allocate(16 << 20, 4096);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            try (Vcpu vcpu = vm.createVcpu(0)) {
                boolean pae = pdpte0 >= 0;
                if (pae) {
                    ram.set(ValueLayout.JAVA_LONG, PDPT, pdpte0);
                    ram.set(ValueLayout.JAVA_LONG, PD, 0x83);               // 0-2 MiB identity, 2 MiB page
                    ram.set(ValueLayout.JAVA_LONG, PD + 8, 0x60_0000 | 0x83); // 2-4 MiB -> 6-8 MiB
                    ram.set(ValueLayout.JAVA_INT_UNALIGNED, MAGIC, 0x5EED_CAFE);
                } else {
                    ram.set(ValueLayout.JAVA_INT, PDPT, 0x83);              // 0-4 MiB identity, 4 MiB page
                    ram.set(ValueLayout.JAVA_INT_UNALIGNED, 0x20_0123, 0x5EED_CAFE);
                }
                byte[] code = new Assembler(Mode.BITS32, CODE).mov(EAX, dword(null, 0x20_0123))
                    .emit(Mnemonic.OUT, imm(0xE0), EAX).emit(Mnemonic.HLT).bytes();
                MemorySegment.copy(MemorySegment.ofArray(code), 0, ram, CODE, code.length);
                KvmSregs s = vcpu.getSregs();
                KvmSegment cs = new KvmSegment(0, 0xFFFF_FFFF, 8, 11, true, 0, true, true, false, true, false, false);
                KvmSegment ds = new KvmSegment(0, 0xFFFF_FFFF, 0x10, 3, true, 0, true, true, false, true, false, false);
                vcpu.setSregs(new KvmSregs(cs, ds, ds, ds, ds, ds, s.tr(), s.ldt(), s.gdt(), s.idt(),
                    0x8000_0031L, 0, PDPT, pae ? 0x20 : 0x10, 0, 0, s.apicBase(), new long[4]));
                vcpu.setRegs(new KvmRegs(0, 0, 0, 0, 0, 0, 0x9000, 0, 0, 0, 0, 0, 0, 0, 0, 0, CODE, 2));
                VcpuExit e = vcpu.run();
                if (e instanceof VcpuExit.Io io) out[0] = io.data().get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                return e;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void plainPagingControl(String backend) throws Exception {
        assumeBackend(backend);
        int[] out = new int[1];
        assertInstanceOf(VcpuExit.Io.class, run(backend, -1, out));
        assertEquals(0x5EED_CAFE, out[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void setSregsLoadsThePdptes(String backend) throws Exception {
        assumeBackend(backend);
        int[] out = new int[1];
        VcpuExit e = run(backend, PD | 1, out);
        assertInstanceOf(VcpuExit.Io.class, e, "the read through the PAE tables completes");
        assertEquals(0xE0, ((VcpuExit.Io) e).port());
        assertEquals(0x5EED_CAFE, out[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void aPdpteWithReservedBitsIsNotLoaded(String backend) throws Exception {
        assumeBackend(backend);
        int[] out = new int[1];
        // bit 1 (R/W) is reserved in a PAE PDPTE: the registers stay zero, the fetch faults, and with no IDT
        // the fault escalates to a triple fault
        VcpuExit e = run(backend, PD | 1 | 2, out);
        assertInstanceOf(VcpuExit.Shutdown.class, e, "got " + e);
    }
}
