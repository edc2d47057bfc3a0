package org.jkvm.kvm.regs;

import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;

/** The register cache's view of the physical CPU's VMCS (VMREAD/VMWRITE of the lazily loaded fields). */
public final class VmcsGuestState implements GuestStateArea {
    private final Vmcs vmcs;

    public VmcsGuestState(Vmcs vmcs) { this.vmcs = vmcs; }

    public long readRip() { return vmcs.read(VmcsField.GUEST_RIP); }
    public void writeRip(long v) { vmcs.write(VmcsField.GUEST_RIP, v); }
    public long readRsp() { return vmcs.read(VmcsField.GUEST_RSP); }
    public void writeRsp(long v) { vmcs.write(VmcsField.GUEST_RSP, v); }
    public long readRflags() { return vmcs.read(VmcsField.GUEST_RFLAGS); }
    public void writeRflags(long v) { vmcs.write(VmcsField.GUEST_RFLAGS, v); }
    public long readCr0() { return vmcs.read(VmcsField.GUEST_CR0); }
    public void writeCr0(long v) { vmcs.write(VmcsField.GUEST_CR0, v); }
    public long readCr3() { return vmcs.read(VmcsField.GUEST_CR3); }
    public void writeCr3(long v) { vmcs.write(VmcsField.GUEST_CR3, v); }
    public long readCr4() { return vmcs.read(VmcsField.GUEST_CR4); }
    public void writeCr4(long v) { vmcs.write(VmcsField.GUEST_CR4, v); }
    public long readExitInfo1() { return vmcs.read(VmcsField.EXIT_QUALIFICATION); }
    public long readExitInfo2() { return vmcs.read(VmcsField.VM_EXIT_INTR_INFO); }
}
