/**
 * The VMM: the pc machine of machine.md on top of the backend-neutral API (org.jkvm.api), its loaders,
 * devices, snapshots and the {@code jkvm} command line. It never compiles against a backend: {@code
 * Hypervisor.open(name, options)} finds "soft" or "kvm" through ServiceLoader.
 *
 * <table>
 * <caption>Where machine.md and the VMM parts of the brief live</caption>
 * <tr><th>topic</th><th>code</th></tr>
 * <tr><td>guest RAM (off-heap, page-aligned), e820 layout, split at 3 GiB from 3.5 GiB</td>
 *     <td>{@code machine.GuestMemory}, {@code machine.MemoryMap}</td></tr>
 * <tr><td>Multiboot v1 (ELF32/ELF64/a.out kludge), info structure, modules, --entry64</td>
 *     <td>{@code loader.ImageLoader}, {@code loader.ElfImage}, {@code loader.BootArea}; entry state in
 *     {@code machine.Machine#boot}</td></tr>
 * <tr><td>I/O port bus, MMIO bus, unknown accesses (all-ones / zero, logged once)</td>
 *     <td>{@code bus.IoBus}, {@code bus.MmioBus}, {@code bus.UnknownAccessLog}</td></tr>
 * <tr><td>devices of the machine.md table</td>
 *     <td>{@code devices.*}: Serial16550, DebugExit, FwCfg, PicPair/Pic8259, Pit8254/PitChannel,
 *     SystemControlPort (0x61), CmosRtc, PmTimer, PciHost, IoApic; the snapshot request port is
 *     {@code machine.SnapshotTrigger}</td></tr>
 * <tr><td>local APIC</td><td>in the backend (KVM_CREATE_IRQCHIP with a split irqchip): both backends provide
 *     it, with xAPIC MMIO, x2APIC MSRs and the TSC-deadline timer; the VMM's PIC reaches it as ExtINT through
 *     KVM_INTERRUPT, the VMM's I/O APIC through KVM_SIGNAL_MSI ({@code machine.IsaIrqRouter})</td></tr>
 * <tr><td>run loop, exit statuses, timeouts, halt detection</td><td>{@code machine.Machine}, {@code machine.Outcome}</td></tr>
 * <tr><td>snapshots (format: docs/SNAPSHOT-FORMAT.md)</td><td>{@code snapshot.*}</td></tr>
 * <tr><td>command line: run, restore, --stats, --trace</td><td>{@code cli.*}, {@code trace.Tracer}</td></tr>
 * <tr><td>the APX/AMX demo guest (examples/)</td><td>{@code examples.ApxAmxDemo}</td></tr>
 * </table>
 */
package org.jkvm.vmm;
