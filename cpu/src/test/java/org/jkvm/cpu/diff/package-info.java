/**
 * Differential testing of the software CPU against the host CPU ("Testing against the real CPU").
 *
 * <p><b>Native side.</b> {@link org.jkvm.cpu.diff.NativeCpu} mmaps one region (in the low 2 GiB when it can)
 * through the Foreign Function API: code pages (written read-write, run read-execute), a state block, signal
 * headroom, a private stack window and a scratch buffer. A hand-encoded SysV trampoline loads fifteen GPRs,
 * RSP (the private stack) and RFLAGS (POPF on the host stack), runs the sequence, stores everything back and
 * returns; the state block is reached RIP-relative, so no register is reserved for the harness.
 *
 * <p><b>Soft side.</b> {@link org.jkvm.cpu.diff.SoftCpu} runs the same bytes on a
 * {@link org.jkvm.cpu.vmx.PhysicalCpu} as a 64-bit guest (CPL 3 ended by INT3, or CPL 0 ended by HLT) whose
 * page tables map the host's addresses to guest frames, so every address compares equal.
 *
 * <p><b>Sequences.</b> {@link org.jkvm.cpu.diff.SequenceGenerator} emits 1-20 units over the integer set at
 * all operand sizes with register and memory operands (scratch through a reserved base and optional index,
 * the stack through RSP, RIP-relative, 32-bit address size, segment overrides, LOCK); undefined flags follow
 * {@link org.jkvm.cpu.diff.FlagRule}, the SDM's flags table as data. {@link org.jkvm.cpu.diff.Differ} compares
 * GPRs, defined flags and memory and narrows a disagreement to its first instruction.
 *
 * <p><b>Runs.</b> Normal: {@code mvn -B -o -Djkvm.out=-diff -pl cpu -am test -Dtest='org.jkvm.cpu.diff.*Test'
 * -Dsurefire.failIfNoSpecifiedTests=false}. Long: add {@code -Djkvm.long=true} (200000 sequences, exhaustive
 * 8-bit ALU/shift operands, 200000 APX equivalence cases, 50000 isa re-encodings); {@code -Djkvm.diff.count},
 * {@code -Djkvm.diff.seed}, {@code -Djkvm.diff.units}, {@code -Djkvm.diff.without=FEATURE} tune it and
 * {@code -Djkvm.diff.case=N} reruns one printed case.
 */
package org.jkvm.cpu.diff;
