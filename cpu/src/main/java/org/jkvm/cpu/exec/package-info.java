/**
 * The software x86-64 engine behind {@link org.jkvm.cpu.vmx.PhysicalCpu}.
 *
 * <p>State ({@link org.jkvm.cpu.exec.CpuState}) lives in plain fields of one object; status flags are lazy
 * (the last flag-setting operation's kind, width and operands). {@link org.jkvm.cpu.exec.Mmu} translates with
 * 32-bit, PAE, 4- and 5-level paging into a direct-mapped soft TLB holding host addresses of guest RAM pages,
 * so a hit is one compare and one native access; pages holding translated code never get write entries, so
 * guest stores to code invalidate the affected blocks. {@link org.jkvm.cpu.exec.Translator} decodes with the
 * isa decoder into {@link org.jkvm.cpu.exec.Block}s of pre-decoded {@link org.jkvm.cpu.exec.Uop}s (keyed by
 * linear RIP and a mode key, validated against the physical page and the code bytes), which
 * {@link org.jkvm.cpu.exec.Interpreter} runs with one switch over small integer operation codes (size-specific
 * forms of the hottest operations, compare-and-branch fusion). Blocks that run often are compiled by
 * {@link org.jkvm.cpu.exec.Jit} into hidden classes of straight-line bytecode. Faults are
 * {@link org.jkvm.cpu.fault.Fault}s thrown to the instruction boundary; VM exits unwind the same way.
 */
package org.jkvm.cpu.exec;
