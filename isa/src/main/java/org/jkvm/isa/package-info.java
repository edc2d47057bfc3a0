/**
 * x86-64 instruction set: decoder, encoder and disassembler, all derived from one opcode table.
 *
 * <h2>Decoding</h2>
 * <pre>{@code
 * Decoder dec = new Decoder(Mode.BITS64);            // one per thread (owns scratch state)
 * Instruction i = dec.decode(bytes, off, len);       // immutable, never throws on guest bytes
 * if (!i.isValid()) raiseUD(i.invalidReason());      // e.g. "REX before REX2", "exceeds 15 bytes"
 * switch (i.mnemonic()) { case ADD -> ... }          // Mnemonic enum; i.form() tells forms apart
 *
 * DecodeBuffer buf = new DecodeBuffer();             // zero-allocation path: reuse one buffer
 * dec.decodeInto(buf, bytes, off, len);              // same accessors as Instruction (both are Insn)
 * }</pre>
 *
 * <p>An {@link org.jkvm.isa.Insn} exposes: identity ({@code mnemonic()}, {@code form()} with a stable
 * {@code id()}, {@code conditionCode()}), {@code length()}, {@code operandSize()}, {@code addressSize()},
 * prefixes ({@code hasLock()}, {@code hasRep()}, {@code hasRepne()}, {@code segmentOverride()}, {@code
 * prefixes()} bit flags incl. 66/67/REX/REX2/VEX/EVEX), the effective {@code segment()} of the memory operand,
 * and up to five explicit operands: {@code kind(i)} (REG, MEM, IMM, REL, FAR, MEM_SI, MEM_DI), {@code
 * regClass(i)} + {@code reg(i)} (0-31; GPR8H 4-7 = AH..BH), {@code size(i)} in bytes. The single memory
 * operand is {@code memBase()}, {@code memIndex()} (+{@code memIndexClass()} for VSIB), {@code memScale()},
 * {@code memDisp()} (EVEX disp8*N already applied), {@code isRipRelative()}, {@code memSize()}. Immediates are
 * {@code imm()}/{@code imm2()}, extended as the architecture defines; relative branches keep the displacement
 * in {@code imm()} and {@code branchTarget(rip)} computes the target.
 *
 * <p>APX: {@code rex2()}, {@code nd()}, {@code nf()}, {@code zu()}, {@code scc()}, {@code dfv()}, {@code
 * pushPopHint()} (PUSHP/POPP/PUSH2P/POP2P). EVEX: {@code vectorLength()}, {@code maskReg()}, {@code zeroing()},
 * {@code broadcast()}, {@code roundingControl()}, {@code sae()}, {@code disp8Scale()}. Requirements: {@code
 * feature()} (a {@link org.jkvm.isa.CpuFeature}) and {@code xsaveComponents()} (XCR0 bit layout: x87 0, SSE 1,
 * AVX 2, opmask 5, ZMM_Hi256 6, Hi16_ZMM 7, PKRU 9, TILECFG 17, TILEDATA 18, APX 19).
 *
 * <h2>Disassembling</h2>
 * {@link org.jkvm.isa.Disassembler#intel} and {@link org.jkvm.isa.Disassembler#att} print as LLVM does.
 *
 * <h2>Tables</h2>
 * {@code OpcodeTable} documents the line notation; the sections are {@code TableGp} (general purpose and
 * system), {@code TableX87}, {@code TableSse}, {@code TableVex}, {@code TableEvex} and {@code TableApx}.
 */
package org.jkvm.isa;
