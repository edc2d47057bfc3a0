/**
 * The physical CPU's VMX-like guest mode, the interface the hypervisor core (kvm module) drives.
 *
 * <ul>
 * <li>{@link org.jkvm.cpu.vmx.PhysicalCpu}: one physical CPU. Register file access by GPR index 0-31 (R16-R31
 *     only while XCR0.APX=1); {@code enter()} / {@code enter(maxInstructions)} run the guest of the current
 *     {@link org.jkvm.cpu.vmx.Vmcs} until a VM exit and return the basic exit reason; host-mode methods
 *     ({@code xsetbv}, {@code wrmsr}, {@code wrpkru}, {@code xsaves}, {@code xrstors}, ...) apply the
 *     architectural checks to the one set of XCR0/XSS/PKRU/XFD registers; {@code kick}/{@code interrupt} from
 *     any thread; {@code injectMachineCheck}/{@code machineCheckOnEntry} for #MC; {@code completeIo} and
 *     {@code completeMmioRead} finish I/O and MMIO exits.</li>
 * <li>{@link org.jkvm.cpu.vmx.Vmcs}: fields by {@link org.jkvm.cpu.vmx.VmcsField} (VMX encodings, read/write
 *     like VMREAD/VMWRITE), control-bit constants, the {@link org.jkvm.cpu.vmx.MsrBitmap} and
 *     {@link org.jkvm.cpu.vmx.IoBitmap}.</li>
 * <li>{@link org.jkvm.cpu.vmx.ExitReason}: VMX basic exit reasons.</li>
 * </ul>
 *
 * <p>Differences from VMX, all deliberate: guest-physical memory is the list of RAM regions in
 * {@link org.jkvm.cpu.mem.PhysicalMemory} (no EPT tables; an unbacked address is EPT_VIOLATION with the access
 * size and data in the jkvm fields EXIT_ACCESS_SIZE/EXIT_ACCESS_DATA); the preemption timer counts retired
 * instructions; a halted guest without HLT exiting burns its preemption-timer quantum or waits for a kick.
 */
package org.jkvm.cpu.vmx;
