package org.jkvm.kvm.regs;

/**
 * What the register cache reads lazily and writes back: the guest-state area ("VMCS") of the physical
 * CPU's guest mode. The backend adapts the cpu module's guest-state area to this; tests use a map.
 * Each read is a modelled VMREAD, counted by the caller.
 */
public interface GuestStateArea {
    long readRip();
    void writeRip(long v);
    long readRsp();
    void writeRsp(long v);
    long readRflags();
    void writeRflags(long v);
    long readCr0();
    void writeCr0(long v);
    long readCr3();
    void writeCr3(long v);
    long readCr4();
    void writeCr4(long v);
    /** The exit qualification (VMX EXIT_QUALIFICATION). */
    long readExitInfo1();
    /** The second exit information word (VMX interruption info / guest-physical address). */
    long readExitInfo2();
}
