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
 * <p>Extra requirements: {@code extraFeature()} names APX_F (REX2, map 4, R16-R31) or AVX512VL (EVEX below 512
 * bits) on top of {@code feature()}. Invalid encodings never throw: {@code isValid()} is false, {@code
 * mnemonic()} is INVALID and {@code invalidReason()} says why; {@code length()} is how far decoding got.
 *
 * <h2>Disassembling</h2>
 * {@link org.jkvm.isa.Disassembler#intel} and {@link org.jkvm.isa.Disassembler#att} print as LLVM does
 * ("(bad)" for invalid encodings). The {@code jkvm disasm} command in the vmm module wraps them.
 *
 * <h2>Encoding and assembling</h2>
 * {@link org.jkvm.isa.Encoder#encode} emits one {@link org.jkvm.isa.Form} with explicit
 * {@link org.jkvm.isa.Operand}s (options: LOCK/REP, EVEX masking/rounding, APX NF and SCC/DFV); it is the exact
 * inverse of the decoder (a test round-trips every form). {@link org.jkvm.isa.Assembler} sits on top: {@code
 * emit(Mnemonic, operands...)} picks the shortest form whose encoding decodes back to exactly those operands,
 * so every instruction the decoder knows can be assembled, including APX and AMX:
 * <pre>{@code
 * import static org.jkvm.isa.Regs.*;
 * Assembler a = new Assembler(Mode.BITS64, 0x100000);
 * Label loop = a.newLabel("loop");
 * a.mov(R16, 10).bind(loop).dec(R16).jcc(Assembler.Cond.NE, loop)
 *  .push2(R16, R17).emit(Mnemonic.ADD, R18, R16, R17)              // NDD form
 *  .emit(Encoder.Options.NONE.withNf(), Mnemonic.SUB, RAX, RBX)     // {nf} sub
 *  .ldtilecfg(Assembler.mem(RAX, 0)).tileloadd(tmm(1), Assembler.mem(RSI, RDI, 1, 0)).xsetbv().hlt();
 * byte[] code = a.bytes();  long at = a.address(loop);
 * }</pre>
 *
 * <h2>Tables</h2>
 * {@code OpcodeTable} documents the line notation; the sections are {@code TableGp} (general purpose and
 * system), {@code TableX87}, {@code TableSse}, {@code TableVex}, {@code TableEvex} and {@code TableApx}.
 *
 * <h2>Decode paths</h2>
 * In 64-bit mode two fast paths take most instructions: {@code FastPath} (legacy one-byte and 0F opcodes with 66,
 * REX or REX2) and {@code VexFastPath} (VEX and EVEX: AVX, AVX-512, APX map 4 and extended EVEX). Their plans are
 * derived from the table at class initialisation by the general path's own candidate test and operand rules;
 * whatever they do not cover (other prefixes, forms that depend on ModRM.rm, anything invalid) goes to the general
 * path in {@code Decoder}, and tests ({@code FastPathTest}, {@code VexFastPathTest}) check both paths give the same
 * result for millions of inputs. A result is a few packed words ({@code Insn}); decoding into a reused
 * {@link org.jkvm.isa.DecodeBuffer} allocates nothing.
 */
package org.jkvm.isa;
