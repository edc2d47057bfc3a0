package org.jkvm.linux;

import static org.jkvm.linux.VcpuStateTest.assertErrno;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.junit.jupiter.api.Test;

/** Discovery, options, argument checks, and use after close: errno-style failures, never a crash. */
class LifecycleTest {

    @Test
    void discoveredThroughServiceLoader() {
        HypervisorProvider kvm = Hypervisor.providers().stream().filter(p -> p.name().equals("kvm")).findFirst()
            .orElse(null);
        assertNotNull(kvm, "META-INF/services registers the kvm provider");
        assertInstanceOf(LinuxKvmProvider.class, kvm);
    }

    @Test
    void unavailableReasonsAreOneLine() {
        String missing = LinuxKvmProvider.unavailableReason("/dev/no-such-kvm");
        assertNotNull(missing);
        assertTrue(missing.contains("/dev/no-such-kvm") && missing.contains("does not exist"), missing);
        String notKvm = LinuxKvmProvider.unavailableReason("/dev/null"); // opens, but answers no KVM ioctl
        assertNotNull(notKvm);
        assertTrue(notKvm.contains("/dev/null") && !notKvm.contains("\n"), notKvm);
    }

    @Test
    void systemLevelCalls() throws Exception {
        try (Hypervisor hv = KvmAvailable.openOrSkip()) {
            assertNull(new LinuxKvmProvider().unavailableReason());
            assertEquals("kvm", hv.name());
            assertEquals(12, hv.apiVersion());
            assertTrue(hv.checkExtension(Capability.USER_MEMORY) > 0);
            assertTrue(hv.checkExtension(Capability.NR_VCPUS) > 0);
            assertTrue(hv.msrIndexList().length > 10);
            assertTrue(hv.supportedCpuid().size() > 10);
            assertEquals(1, hv.guestPermission() & 1, "x87 is always permitted");
        }
    }

    @Test
    void badOptionsAreEinval() {
        assertErrno(Errno.EINVAL, () -> new LinuxKvmProvider().open(Map.of("bogus", "1")).close());
        assertErrno(Errno.EINVAL, () -> new LinuxKvmProvider().open(Map.of("cpu", "sapphirerapids")).close());
        assertErrno(Errno.ENODEV, () -> Hypervisor.open("no-such-backend", Map.of()).close());
    }

    @Test
    void memoryRegionArgumentsAreChecked() throws Exception {
        try (Hypervisor hv = KvmAvailable.openOrSkip(); Vm vm = hv.createVm(); Arena a = Arena.ofConfined()) {
            assertErrno(Errno.EINVAL, () -> vm.setUserMemoryRegion(0, 0, 0, MemorySegment.ofArray(new byte[4096])));
            MemorySegment page = a.allocate(3 * 4096, 4096);
            assertErrno(Errno.EINVAL, () -> vm.setUserMemoryRegion(0, 0, 0, page.asSlice(8, 4096)));
            assertErrno(Errno.EINVAL, () -> vm.setUserMemoryRegion(0, 0, 0, page.asSlice(0, 100)));
            assertErrno(Errno.EINVAL, () -> vm.setUserMemoryRegion(0, 0, 0x800, page.asSlice(0, 4096)));
            assertErrno(Errno.EINVAL, () -> vm.setUserMemoryRegion(0, 0x100, 0, page.asSlice(0, 4096)));
            vm.setUserMemoryRegion(0, 0, 0, page.asSlice(0, 4096));
            // a second slot overlapping the first in guest physical space: the kernel's EEXIST
            assertErrno(Errno.EEXIST, () -> vm.setUserMemoryRegion(1, 0, 0, page.asSlice(4096, 4096)));
            vm.setUserMemoryRegion(0, 0, 0, MemorySegment.NULL); // delete
            vm.setUserMemoryRegion(1, 0, 0, page.asSlice(4096, 4096));
            Arena gone = Arena.ofConfined();
            MemorySegment freed = gone.allocate(4096, 4096);
            gone.close();
            assertErrno(Errno.EFAULT, () -> vm.setUserMemoryRegion(2, 0, 0x10000, freed));
        }
    }

    @Test
    void everyCallAfterCloseIsEbadf() throws Exception {
        Hypervisor hv = KvmAvailable.openOrSkip();
        Vm vm = hv.createVm();
        Arena a = Arena.ofShared();
        MemorySegment ram = a.allocate(64 << 10, 4096);
        vm.setUserMemoryRegion(0, 0, 0, ram);
        Vcpu vcpu = vm.createVcpu(0);
        ram.set(ValueLayout.JAVA_BYTE, 0x1000, (byte) 0xE6); // out 0x10, al
        ram.set(ValueLayout.JAVA_BYTE, 0x1001, (byte) 0x10);
        KvmSregs s = vcpu.getSregs();
        vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)));
        vcpu.setRegs(KvmRegs.zero().withRip(0x1000));
        VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, vcpu.run());

        hv.close();
        hv.close();
        assertErrno(Errno.EBADF, hv::createVm);
        assertErrno(Errno.EBADF, hv::supportedCpuid);
        assertErrno(Errno.EBADF, hv::msrIndexList);
        assertThrows(IllegalStateException.class, () -> hv.checkExtension(Capability.XSAVE2));
        // the VM and vCPU have their own descriptors and keep working, as in Linux
        assertEquals(0x1000 + 2, vcpu.getRegs().rip());

        vcpu.close();
        vcpu.close();
        assertErrno(Errno.EBADF, vcpu::getRegs);
        assertErrno(Errno.EBADF, () -> vcpu.setRegs(KvmRegs.zero()));
        assertErrno(Errno.EBADF, vcpu::getXsave2);
        assertErrno(Errno.EBADF, vcpu::run);
        assertErrno(Errno.EBADF, () -> vcpu.interrupt(0x20));
        assertDoesNotThrow(() -> vcpu.requestInterruptWindow(true));
        assertFalse(vcpu.readyForInterruptInjection());
        // the exit's view of the unmapped kvm_run page fails as a Java exception, not a fault
        assertThrows(IllegalStateException.class, () -> io.data().get(ValueLayout.JAVA_BYTE, 0));

        Vcpu second = vm.createVcpu(1);
        vm.close();
        vm.close();
        assertErrno(Errno.EBADF, () -> vm.createVcpu(2));
        assertErrno(Errno.EBADF, () -> vm.setUserMemoryRegion(0, 0, 0, ram));
        assertErrno(Errno.EBADF, () -> vm.signalMsi(0xfee00000L, 0x30));
        assertErrno(Errno.EBADF, second::getSregs); // closing the VM closed its vCPUs
        a.close();
    }

    /** Nulls and out-of-range arguments are errno-style failures with the state unchanged. */
    @Test
    void badArgumentsAreErrnos() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            KvmRegs regs = g.vcpu.getRegs();
            KvmSregs sregs = g.vcpu.getSregs();
            assertErrno(Errno.EFAULT, () -> g.vcpu.setRegs(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setSregs(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setFpu(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setXsave(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setXcrs(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setVcpuEvents(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setCpuid2(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setMsrs(null));
            assertErrno(Errno.EFAULT, () -> g.vcpu.setLapic(null));
            java.util.List<org.jkvm.api.uabi.KvmMsrEntry> withNull = new java.util.ArrayList<>();
            withNull.add(null);
            assertErrno(Errno.EFAULT, () -> g.vcpu.getMsrs(withNull));
            assertErrno(Errno.EINVAL, () -> g.vcpu.getCpuid2(-1));
            assertErrno(Errno.EINVAL, () -> g.vcpu.interrupt(-1));
            assertEquals(0, g.vcpu.getMsrs(java.util.List.of()));
            assertEquals(0, g.vcpu.setMsrs(java.util.List.of()));
            assertEquals(regs, g.vcpu.getRegs());
            assertEquals(sregs, g.vcpu.getSregs());
        }
    }

    @Test
    void vcpuIdsAreChecked() throws Exception {
        try (Hypervisor hv = KvmAvailable.openOrSkip(); Vm vm = hv.createVm()) {
            assertErrno(Errno.EINVAL, () -> vm.createVcpu(-1));
            vm.createVcpu(0);
            assertErrno(Errno.EEXIST, () -> vm.createVcpu(0));
        }
    }

    @Test
    void kvmExceptionCarriesTheRealErrno() throws KvmException {
        try (Hypervisor hv = KvmAvailable.openOrSkip()) {
            KvmException e = assertThrows(KvmException.class, () -> hv.requestGuestPermission(-1));
            assertTrue(e.rawErrno() > 0, e.getMessage());
        }
    }
}
