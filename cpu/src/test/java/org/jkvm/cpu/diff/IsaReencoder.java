package org.jkvm.cpu.diff;

import java.util.ArrayList;
import java.util.List;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Disassembler;
import org.jkvm.isa.Encoder;
import org.jkvm.isa.Insn;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Mode;
import org.jkvm.isa.OperandKind;
import org.jkvm.isa.RegClass;

/**
 * Re-encodes a generated sequence with the isa module's assembler: each instruction is decoded and emitted
 * again from its mnemonic and operands, and the assembler picks its own (shortest) form, so the software
 * CPU sees other encodings of the same work (sign-extended immediates, the other operand direction, no
 * redundant prefixes). Sequences with branches, RIP-relative or string operands are not re-encoded (their
 * meaning depends on lengths or on implicit operands).
 */
final class IsaReencoder {
    private IsaReencoder() {}

    /** The re-encoded sequence (cuts mapped to the new instruction boundaries), or null when not applicable. */
    static Sequence reencode(Sequence s, java.util.function.Predicate<org.jkvm.isa.CpuFeature> hostHas) {
        Decoder dec = new Decoder(Mode.BITS64);
        Assembler asm = new Assembler(Mode.BITS64, s.address());
        byte[] code = s.code();
        List<int[]> boundaries = new ArrayList<>(); // {old offset, new offset}
        List<String> listing = new ArrayList<>();
        int off = 0;
        while (off < code.length) {
            Instruction i = dec.decode(code, off, code.length - off);
            if (!i.isValid() || i.isRipRelative() || i.segmentOverride() != null) return null;
            org.jkvm.isa.Operand[] ops = new org.jkvm.isa.Operand[i.operandCount()];
            boolean firstImm = true;
            for (int k = 0; k < ops.length; k++) {
                OperandKind kind = i.kind(k);
                switch (kind) {
                    case REG -> ops[k] = new org.jkvm.isa.Operand.Reg(i.regClass(k), i.reg(k));
                    case MEM -> {
                        RegClass ic = i.memIndex() >= 0 ? i.memIndexClass() : null;
                        ops[k] = new org.jkvm.isa.Operand.Mem(i.size(k), -1, i.memBase(), i.memIndex(), i.memScale(),
                            i.memDisp(), false, i.addressSize(), ic, false);
                    }
                    case IMM -> {
                        ops[k] = new org.jkvm.isa.Operand.Imm(firstImm ? i.imm() : i.imm2());
                        firstImm = false;
                    }
                    default -> {
                        return null; // branches, far pointers, string operands
                    }
                }
            }
            Encoder.Options opt = Encoder.Options.NONE;
            if (i.hasLock()) opt = opt.withLock();
            if (i.hasRep()) opt = opt.withRep();
            if (i.hasRepne()) opt = opt.withRepne();
            int at = asm.offset();
            try {
                asm.emit(opt, i.mnemonic(), ops);
            } catch (IllegalArgumentException e) {
                return null;
            }
            boundaries.add(new int[] {off, at});
            byte[] sofar = asm.bytes();
            byte[] one = java.util.Arrays.copyOfRange(sofar, at, sofar.length);
            Instruction back = Decoder.decode(Mode.BITS64, one);
            if (back.mnemonic() != i.mnemonic() || back.operandSize() != i.operandSize()) {
                // e.g. PUSH imm16 (66 68): the assembler has no way to ask for the 16-bit form
                return null;
            }
            if ((back.prefixes() & (Insn.P_REX2 | Insn.P_EVEX)) != 0 && (i.prefixes() & (Insn.P_REX2 | Insn.P_EVEX)) == 0
                || back.feature() != null && !hostHas.test(back.feature())) {
                // an APX (EVEX map 4 / REX2) twin of a legacy instruction, or a form the host lacks: it would
                // raise #UD natively, which kills the JVM
                return null;
            }
            listing.add(String.format("  %04x  %-36s %s", at, Asm.hex(one), Disassembler.intel(i)));
            off += i.length();
        }
        byte[] out = asm.bytes();
        boundaries.add(new int[] {code.length, out.length});
        int[] cuts = new int[s.cuts().length];
        for (int k = 0; k < cuts.length; k++) {
            int c = s.cuts()[k];
            cuts[k] = -1;
            for (int[] b : boundaries) if (b[0] == c) cuts[k] = b[1];
            if (cuts[k] < 0) return null;
        }
        return new Sequence(s.origin() + ", re-encoded by the isa assembler", s.address(), out, listing, s.initial(),
            s.undefinedFlags(), cuts, s.cutUndefined());
    }
}
