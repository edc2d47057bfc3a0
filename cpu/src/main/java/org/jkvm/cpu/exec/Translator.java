package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Op.*;

import java.util.ArrayList;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.isa.DecodeBuffer;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Insn;
import org.jkvm.isa.Mode;
import org.jkvm.isa.OperandKind;
import org.jkvm.isa.RegClass;

/**
 * Builds {@link Block}s: fetches code bytes through the MMU (instruction-fetch permissions), decodes them with
 * the isa decoder and lowers each instruction to a {@link Uop}. Mnemonics are matched by name so that this
 * class keeps compiling while the decoder's table grows. A block ends at a branch, at an instruction that
 * can change the mode or the translation context, at a page boundary, or after {@link #MAX_OPS}.
 */
final class Translator {
    static final int MAX_OPS = 48;

    private final Core c;
    private final Decoder[] decoders = {new Decoder(Mode.BITS16), new Decoder(Mode.BITS32), new Decoder(Mode.BITS64)};
    private final DecodeBuffer d = new DecodeBuffer();
    /** An instruction's bytes (at most 15), in a buffer long enough for the decoder to read ahead in place. */
    private final byte[] bytes = new byte[Decoder.READ_AHEAD];
    private final ArrayList<Uop> ops = new ArrayList<>();

    Translator(Core c) {
        this.c = c;
    }

    void translate(Block b) {
        ops.clear();
        long pc = b.rip;
        long phys = c.translateFetch(pc);
        b.phys = phys;
        long pageEnd = (pc | 0xFFF) + 1;
        Decoder dec = decoders[c.codeSize];
        while (true) {
            int avail = (int) Math.min(15, pageEnd - pc);
            long pa = phys + (pc - b.rip);
            for (int k = 0; k < avail; k++) bytes[k] = (byte) c.fetchPhysByte(pa + k, pc + k);
            int have = avail;
            long phys2 = -1;
            if (avail < 15) {
                try {
                    phys2 = c.translateFetch(pageEnd);
                    for (int k = avail; k < 15; k++) bytes[k] = (byte) c.fetchPhysByte(phys2 + (k - avail), pageEnd + (k - avail));
                    have = 15;
                } catch (Fault | ExitSignal f) {
                    if (ops.isEmpty()) {
                        // only a fault if the instruction really needs the next page
                        dec.decodeInto(d, bytes, 0, avail);
                        if (!d.isValid() || d.length() > avail) throw f;
                    }
                }
            }
            dec.decodeInto(d, bytes, 0, have);
            if (!d.isValid() && have < 15 && !ops.isEmpty()) break; // may need bytes we could not fetch
            int len = Math.max(1, d.length());
            if (len > avail) {
                if (phys2 < 0) break;
                if (!ops.isEmpty()) break; // a straddling instruction starts its own block
                b.phys2 = phys2;
                b.lin2 = pageEnd;
                c.registerCode(b, phys2, len - avail);
            }
            Uop u = lower(d, pc, len);
            specialize(u, c.codeSize == 2);
            ops.add(u);
            c.registerCode(b, pa, Math.min(len, avail));
            pc += len;
            if (c.codeSize != 2) pc &= 0xFFFF_FFFFL;
            if (u.setsRip || endsBlock(u) || ops.size() >= MAX_OPS || pc >= pageEnd || b.phys2 >= 0) break;
        }
        b.ops = ops.toArray(new Uop[0]);
        b.n = b.ops.length;
        int total = (int) (pc - b.rip);
        if (c.codeSize != 2) total = (int) ((pc - b.rip) & 0xFFFF_FFFFL);
        b.code = new byte[total];
        int first = b.phys2 >= 0 ? (int) (0x1000 - (b.phys & 0xFFF)) : total;
        for (int k = 0; k < total; k++)
            b.code[k] = (byte) (k < first ? c.fetchPhysByte(b.phys + k, b.rip + k) : c.fetchPhysByte(b.phys2 + (k - first), b.lin2 + (k - first)));
        b.fused = fuse(b.ops);
    }

    /** Operations after which translation must stop: they may change the mode, paging or the code itself. */
    static boolean endsBlock(Uop u) {
        return switch (u.op) {
            case SYS, MOV_CR, MOV_DR, MOV_SEG, POP_SEG, FLAGOP, POPF, EXT, LFS, IO, STRING, UD, INT, IRET,
                 MOV_FROM_SEG -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- fusion

    /** Fuses a trailing CMP/TEST/ADD/SUB + JCC pair into one uop; returns the ops unchanged otherwise. */
    static Uop[] fuse(Uop[] ops) {
        int n = ops.length;
        if (n < 2) return ops;
        Uop j = ops[n - 1], f = ops[n - 2];
        if (j.op != JCC) return ops;
        int fop = switch (f.op) {
            case CMP_RR64 -> CMPJ_RR64; case CMP_RR32 -> CMPJ_RR32; case CMP_RI64 -> CMPJ_RI64;
            case CMP_RI32 -> CMPJ_RI32; case TEST_RR64 -> TESTJ_RR64; case TEST_RR32 -> TESTJ_RR32;
            case SUB_RI64 -> SUBJ_RI64; case SUB_RI32 -> SUBJ_RI32; case ADD_RI64 -> ADDJ_RI64;
            case ADD_RI32 -> ADDJ_RI32;
            default -> -1;
        };
        if (fop < 0) return ops;
        Uop u = new Uop();
        u.op = fop;
        u.size = f.size;
        u.r1 = f.r1;
        u.r2 = f.r2;
        u.imm = f.imm;
        u.rip = f.rip;
        u.next = j.next;
        u.name = f.name + "+" + j.name;
        u.setsRip = true;
        u.jcc = j.cc;
        u.jTaken = j.imm;
        u.jNext = j.next;
        Uop[] out = java.util.Arrays.copyOf(ops, n - 1);
        out[n - 2] = u;
        return out;
    }

    // ---------------------------------------------------------------- specialisation

    private static int aluIndex(int kind) {
        return switch (kind) {
            case ADD -> 0; case SUB -> 1; case CMP -> 2; case AND -> 3; case OR -> 4; case XOR -> 5;
            default -> -1;
        };
    }

    /** Picks a size-specific operation for the common cases (flags written, no segment checks). */
    static void specialize(Uop u, boolean long64) {
        if (u.nf || u.segCheck) return;
        int s = u.size;
        boolean w = s == 8, d = s == 4;
        if (!w && !d) {
            if (u.op == MOVZX_RM && u.aux == 1 && s >= 2) u.op = MOVZX_RM8;
            else if (u.op == MOVZX_RR && u.aux == 1 && s >= 2) u.op = MOVZX_RR8;
            return;
        }
        int k = aluIndex(u.aux);
        switch (u.op) {
            case ALU_RR -> { if (k >= 0) u.op = (w ? ADD_RR64 : ADD_RR32) + k; }
            case ALU_RI -> { if (k >= 0) u.op = (w ? ADD_RI64 : ADD_RI32) + k; }
            case ALU_RM -> {
                if (u.aux == CMP) u.op = w ? CMP_RM64 : CMP_RM32;
                else if (u.aux == ADD) u.op = w ? ADD_RM64 : ADD_RM32;
                else if (u.aux == XOR && d) u.op = XOR_RM32;
            }
            case TEST_RR -> u.op = w ? TEST_RR64 : TEST_RR32;
            case MOV_RR -> u.op = w ? MOV_RR64 : MOV_RR32;
            case MOV_RI -> u.op = w ? MOV_RI64 : MOV_RI32;
            case MOV_RM -> u.op = w ? MOV_RM64 : MOV_RM32;
            case MOV_MR -> u.op = w ? MOV_MR64 : MOV_MR32;
            case MOVZX_RM -> { if (u.aux == 1) u.op = MOVZX_RM8; }
            case MOVZX_RR -> { if (u.aux == 1) u.op = MOVZX_RR8; }
            case MOVSX_RR -> { if (w && u.aux == 4) u.op = MOVSXD_RR; }
            case LEA -> { if (w && u.asize == 8) u.op = LEA64; }
            case SHIFT_RI -> {
                int cnt = (int) u.imm & (w ? 63 : 31);
                if (cnt == 0) return;
                int base = u.aux == Op.SHL || u.aux == Op.SAL ? 0 : u.aux == Op.SHR ? 1 : u.aux == Op.SAR ? 2 : -1;
                if (base < 0) return;
                u.op = (w ? SHL_RI64 : SHL_RI32) + base;
                u.imm = cnt;
            }
            case IMUL_RR -> u.op = w ? IMUL_RR64 : IMUL_RR32;
            case IMUL_RM -> { if (d) u.op = IMUL_RM32; }
            case INC_R -> u.op = w ? INC_R64 : INC_R32;
            case DEC_R -> u.op = w ? DEC_R64 : DEC_R32;
            case PUSH_R -> { if (w && long64) u.op = PUSH_R64; }
            case POP_R -> { if (w && long64) u.op = POP_R64; }
            case CALL -> { if (w && long64) u.op = CALL64; }
            case RET -> { if (w && long64) u.op = RET64; }
            default -> { }
        }
    }

    // ---------------------------------------------------------------- lowering

    private Uop lower(Insn in, long pc, int len) {
        Uop u = new Uop();
        u.rip = pc;
        u.next = c.codeSize == 2 ? pc + len : (pc + len) & 0xFFFF_FFFFL;
        if (!in.isValid()) {
            u.op = UD;
            u.name = "(bad)";
            String why = in.invalidReason();
            if (why != null && why.contains("15 bytes")) { // the SDM: longer than 15 bytes is #GP(0)
                u.op = SYS;
                u.aux = Sys.GP0;
            }
            return u;
        }
        String m = in.mnemonic().name();
        org.jkvm.isa.CpuFeature feature = in.feature();
        if (feature != null && !c.features.test(feature)) {
            // LZCNT and TZCNT predate their features: without them the bytes are REP BSR / REP BSF
            if (m.equals("LZCNT")) m = "BSR";
            else if (m.equals("TZCNT")) m = "BSF";
            else {
                u.op = UD;
                u.name = in.mnemonic().name().toLowerCase();
                return u;
            }
        }
        if ((m.equals("LAHF") || m.equals("SAHF")) && c.codeSize == 2 && !c.features.test(org.jkvm.isa.CpuFeature.LAHF_LM)) {
            u.op = UD;
            u.name = m.toLowerCase();
            return u;
        }
        u.name = m.toLowerCase();
        u.size = in.operandSize();
        u.asize = in.addressSize();
        u.nf = in.nf();
        if (needsApx(in) && !c.apxEnabled()) {
            u.op = UD;
            return u;
        }
        if (in.operandCount() > 0 && hasMem(in)) {
            mem(in, u);
            u.lock = in.hasLock() || m.equals("XCHG");
        }
        try {
            if (!lowerKnown(in, m, u)) {
                boolean x87 = in.form() != null && in.form().map() == 0
                    && (in.opcode() >= 0xD8 && in.opcode() <= 0xDF || in.opcode() == 0x9B);
                if (in.xsaveComponents() != 0 || usesExtendedRegs(in) || x87 || xsaveFamily(m)) {
                    u.op = EXT;
                    u.payload = ((DecodeBuffer) in).freeze();
                } else {
                    u.op = UD;
                    u.aux = 1;
                }
            }
        } catch (RuntimeException e) {
            u.op = UD;
            u.aux = 1;
        }
        return u;
    }

    private static boolean usesExtendedRegs(Insn in) {
        for (int i = 0; i < in.operandCount(); i++) {
            if (in.kind(i) != OperandKind.REG) continue;
            RegClass rc = in.regClass(i);
            if (rc.isVector() || rc == RegClass.K || rc == RegClass.TMM || rc == RegClass.MMX || rc == RegClass.ST)
                return true;
        }
        return false;
    }

    private static boolean needsApx(Insn in) {
        if (in.rex2()) return true;
        if (in.form() != null && in.form().map() == 4 && in.form().space().equals("evex")) return true;
        if (in.memBase() >= 16 || in.memIndex() >= 16 && in.memIndexClass().isGpr()) return true;
        for (int i = 0; i < in.operandCount(); i++)
            if (in.kind(i) == OperandKind.REG && in.regClass(i).isGpr() && in.reg(i) >= 16) return true;
        return false;
    }

    private static boolean hasMem(Insn in) {
        for (int i = 0; i < in.operandCount(); i++) if (in.kind(i) == OperandKind.MEM) return true;
        return false;
    }

    private void mem(Insn in, Uop u) {
        u.base = in.memBase();
        u.index = in.memIndexClass().isGpr() ? in.memIndex() : -1;
        int sc = in.memScale();
        u.scale = sc == 8 ? 3 : sc == 4 ? 2 : sc == 2 ? 1 : 0;
        u.disp = in.memDisp();
        if (in.isRipRelative()) {
            u.base = -1;
            u.disp = u.next + in.memDisp();
            if (u.asize == 4) u.disp &= 0xFFFF_FFFFL;
        }
        segment(in.segment().ordinal(), u);
    }

    private void segment(int seg, Uop u) {
        if (c.codeSize == 2) {
            u.seg = seg >= CpuState.FS ? seg : -1;
            u.segCheck = false;
        } else if (c.flat && seg <= CpuState.DS) {
            u.seg = -1;
        } else {
            u.seg = seg;
            u.segCheck = true;
        }
    }

    private static int gpr(Insn in, int i) {
        int n = in.reg(i);
        return in.regClass(i) == RegClass.GPR8H ? 32 + (n - 4) : n;
    }

    private static boolean isReg(Insn in, int i) {
        return in.kind(i) == OperandKind.REG && in.regClass(i).isGpr();
    }

    private static boolean isMem(Insn in, int i) {
        return in.kind(i) == OperandKind.MEM;
    }

    private static boolean isImm(Insn in, int i) {
        return in.kind(i) == OperandKind.IMM;
    }

    private static int aluKind(String m) {
        return switch (m) {
            case "ADD" -> ADD; case "OR" -> OR; case "ADC" -> ADC; case "SBB" -> SBB;
            case "AND" -> AND; case "SUB" -> SUB; case "XOR" -> XOR; case "CMP" -> CMP;
            default -> -1;
        };
    }

    private static int shiftKind(String m) {
        return switch (m) {
            case "ROL" -> Op.ROL; case "ROR" -> Op.ROR; case "RCL" -> Op.RCL; case "RCR" -> Op.RCR;
            case "SHL" -> Op.SHL; case "SHR" -> Op.SHR; case "SAL" -> Op.SAL; case "SAR" -> Op.SAR;
            default -> -1;
        };
    }

    private static int sysKind(String m) {
        return switch (m) {
            case "HLT" -> Sys.HLT; case "CPUID" -> Sys.CPUID; case "RDTSC" -> Sys.RDTSC; case "RDTSCP" -> Sys.RDTSCP;
            case "RDPID" -> Sys.RDPID; case "RDMSR" -> Sys.RDMSR; case "WRMSR" -> Sys.WRMSR; case "LGDT" -> Sys.LGDT;
            case "LIDT" -> Sys.LIDT; case "SGDT" -> Sys.SGDT; case "SIDT" -> Sys.SIDT; case "LLDT" -> Sys.LLDT;
            case "LTR" -> Sys.LTR; case "SLDT" -> Sys.SLDT; case "STR" -> Sys.STR; case "LMSW" -> Sys.LMSW;
            case "SMSW" -> Sys.SMSW; case "CLTS" -> Sys.CLTS; case "INVLPG" -> Sys.INVLPG; case "INVD" -> Sys.INVD;
            case "WBINVD", "WBNOINVD" -> Sys.WBINVD; case "SWAPGS" -> Sys.SWAPGS; case "SYSCALL" -> Sys.SYSCALL;
            case "SYSRET", "SYSRETQ" -> Sys.SYSRET; case "SYSENTER" -> Sys.SYSENTER;
            case "SYSEXIT", "SYSEXITQ" -> Sys.SYSEXIT; case "PAUSE" -> Sys.PAUSE; case "XGETBV" -> Sys.XGETBV;
            case "XSETBV" -> Sys.XSETBV; case "RDPKRU" -> Sys.RDPKRU; case "WRPKRU" -> Sys.WRPKRU;
            case "RDFSBASE" -> Sys.RDFSBASE; case "RDGSBASE" -> Sys.RDGSBASE; case "WRFSBASE" -> Sys.WRFSBASE;
            case "WRGSBASE" -> Sys.WRGSBASE; case "CLFLUSH", "CLFLUSHOPT", "CLWB" -> Sys.CLFLUSH;
            case "LFENCE", "SFENCE", "MFENCE" -> Sys.FENCE; case "UD2", "UD0", "UD1" -> Sys.UD2;
            case "RDPMC" -> Sys.RDPMC; case "MONITOR" -> Sys.MONITOR; case "MWAIT" -> Sys.MWAIT;
            case "RDRAND" -> Sys.RDRAND; case "RDSEED" -> Sys.RDSEED; case "LAR" -> Sys.LAR; case "LSL" -> Sys.LSL;
            case "VERR" -> Sys.VERR; case "VERW" -> Sys.VERW; case "SERIALIZE" -> Sys.SERIALIZE;
            case "INVPCID" -> Sys.INVPCID; case "ENDBR32", "ENDBR64" -> Sys.ENDBR; case "VMCALL" -> Sys.VMCALL;
            case "GETSEC" -> Sys.GETSEC; case "RSM" -> Sys.RSM; case "CLZERO" -> Sys.CLZERO;
            default -> -1;
        };
    }

    private static int bmiKind(String m) {
        return switch (m) {
            case "ANDN" -> 0; case "BEXTR" -> 1; case "BLSI" -> 2; case "BLSMSK" -> 3; case "BLSR" -> 4;
            case "BZHI" -> 5; case "MULX" -> 6; case "PDEP" -> 7; case "PEXT" -> 8; case "RORX" -> 9;
            case "SARX" -> 10; case "SHLX" -> 11; case "SHRX" -> 12;
            default -> -1;
        };
    }

    /** Source operand {@code i} of an APX form as the first or second source of the uop. */
    private static void src(Insn in, int i, Uop u, boolean first) {
        switch (in.kind(i)) {
            case REG -> { if (first) u.r1 = gpr(in, i); else u.r2 = gpr(in, i); }
            case MEM -> u.aux2 |= first ? ApxOps.SRC1_MEM : ApxOps.SRC2_MEM;
            default -> { u.aux2 |= ApxOps.SRC2_IMM; u.imm = in.imm(); }
        }
    }

    /** APX-specific lowering; null when the instruction is not one of the APX forms. */
    private Boolean lowerApx(Insn in, String m, Uop u) {
        int n = in.operandCount();
        int cc = in.conditionCode();
        if (m.equals("CCMP") || m.equals("CTEST")) {
            u.op = CTEST;
            u.aux = m.equals("CCMP") ? 0 : 1;
            u.cc = in.scc();
            u.imm2 = in.dfv();
            u.size = in.size(0);
            src(in, 0, u, true);
            src(in, 1, u, false);
            return true;
        }
        if (m.startsWith("PUSH2") || m.startsWith("POP2")) {
            u.op = m.startsWith("PUSH2") ? PUSH2 : POP2;
            u.r1 = in.reg(0);
            u.r2 = in.reg(1);
            u.size = 8;
            return true;
        }
        if (m.startsWith("SETZU")) {
            u.op = SETZU;
            u.cc = cc;
            u.size = 1;
            u.r1 = isReg(in, 0) ? in.reg(0) : -1;
            return true;
        }
        if (m.startsWith("CFCMOV")) {
            u.cc = cc;
            u.size = in.size(0);
            if (in.nd()) {
                u.op = CMOV3;
                u.aux = 1;
                u.r3 = in.reg(0);
                u.r1 = gpr(in, 1);
                src(in, 2, u, false);
            } else if (in.nf()) {
                u.op = CFCMOV;
                u.aux = 1;
                src(in, 0, u, true);
                u.r2 = gpr(in, 1);
            } else {
                u.op = CFCMOV;
                u.aux = 0;
                u.r1 = gpr(in, 0);
                src(in, 1, u, false);
            }
            return true;
        }
        if (m.equals("ADCX") || m.equals("ADOX")) {
            u.op = ADX;
            u.aux = m.equals("ADCX") ? 0 : 1;
            u.size = in.size(0);
            if (in.nd()) {
                u.r3 = in.reg(0);
                src(in, 1, u, true);
                src(in, 2, u, false);
            } else {
                u.r1 = gpr(in, 0);
                src(in, 1, u, false);
            }
            return true;
        }
        if (m.equals("IMULZU") || m.equals("IMUL") && in.nd()) {
            u.op = IMUL3X;
            u.size = in.size(0);
            u.r3 = in.reg(0);
            src(in, 1, u, true);
            src(in, 2, u, false);
            return true;
        }
        if (!in.nd()) return null;
        u.size = in.size(0);
        u.r3 = in.reg(0);
        if (cc >= 0 && m.startsWith("CMOV")) {
            u.op = CMOV3;
            u.cc = cc;
            u.r1 = gpr(in, 1);
            src(in, 2, u, false);
            return true;
        }
        int alu = aluKind(m);
        if (alu >= 0 && alu != CMP) {
            u.op = ALU3;
            u.aux = alu;
            src(in, 1, u, true);
            src(in, 2, u, false);
            return true;
        }
        int sh = shiftKind(m);
        if (sh >= 0) {
            u.op = SHIFT3;
            u.aux = sh;
            src(in, 1, u, true);
            if (n > 2 && isReg(in, 2)) u.aux2 |= 8;
            else u.imm = n > 2 && isImm(in, 2) ? in.imm() : 1;
            return true;
        }
        switch (m) {
            case "INC", "DEC", "NOT", "NEG" -> {
                u.op = UNARY3;
                u.aux = switch (m) { case "INC" -> 0; case "DEC" -> 1; case "NOT" -> 2; default -> 3; };
                src(in, 1, u, true);
                return true;
            }
            default -> { return false; }
        }
    }

    private boolean lowerKnown(Insn in, String m, Uop u) {
        Boolean apx = lowerApx(in, m, u);
        if (apx != null) return apx;
        int n = in.operandCount();
        int cc = in.conditionCode();
        int alu = aluKind(m);
        if (alu >= 0) {
            if (in.nd() || in.scc() >= 0) return false; // APX forms: lowered with the APX set
            u.aux = alu;
            u.size = in.size(0);
            if (isReg(in, 0)) {
                u.r1 = gpr(in, 0);
                if (isReg(in, 1)) { u.op = ALU_RR; u.r2 = gpr(in, 1); }
                else if (isImm(in, 1)) { u.op = ALU_RI; u.imm = in.imm(); }
                else u.op = ALU_RM;
            } else {
                if (isReg(in, 1)) { u.op = ALU_MR; u.r2 = gpr(in, 1); }
                else { u.op = ALU_MI; u.imm = in.imm(); }
            }
            return true;
        }
        int sh = shiftKind(m);
        if (sh >= 0) {
            if (in.nd()) return false;
            u.aux = sh;
            u.size = in.size(0);
            boolean cl = n > 1 && isReg(in, 1);
            // D0/D1 report their implicit count 1 as an immediate
            long count = n > 1 && isImm(in, 1) ? in.imm() : 1;
            if (isReg(in, 0)) {
                u.r1 = gpr(in, 0);
                u.op = cl ? SHIFT_RCL : SHIFT_RI;
            } else {
                u.op = cl ? SHIFT_MCL : SHIFT_MI;
            }
            u.imm = count;
            return true;
        }
        if (cc >= 0) {
            u.cc = cc;
            if (m.startsWith("J")) {
                u.op = JCC;
                u.imm = in.branchTarget(u.rip);
                u.setsRip = true;
                return true;
            }
            if (m.startsWith("CMOV")) {
                if (in.nd()) return false;
                u.r1 = gpr(in, 0);
                if (isReg(in, 1)) { u.op = CMOV_RR; u.r2 = gpr(in, 1); }
                else u.op = CMOV_RM;
                return true;
            }
            if (m.startsWith("SET") && !m.startsWith("SETZU")) {
                if (isReg(in, 0)) { u.op = SETCC_R; u.r1 = gpr(in, 0); }
                else u.op = SETCC_M;
                u.size = 1;
                return true;
            }
            return false;
        }
        int sys = sysKind(m);
        if (sys >= 0) {
            u.op = SYS;
            u.aux = sys;
            if (n > 0 && isReg(in, 0)) { u.r1 = gpr(in, 0); u.r2 = gpr(in, 0); u.size = in.size(0); }
            if (n > 1 && isReg(in, 1)) u.r2 = gpr(in, 1);
            if (sys == Sys.LAR || sys == Sys.LSL) { u.r1 = gpr(in, 0); u.r2 = n > 1 && isReg(in, 1) ? gpr(in, 1) : -1; }
            if (sys == Sys.SYSCALL || sys == Sys.SYSRET || sys == Sys.SYSENTER || sys == Sys.SYSEXIT) u.setsRip = true;
            if (sys == Sys.SYSRET || sys == Sys.SYSEXIT) u.size = in.w() || m.endsWith("Q") ? 8 : 4;
            if (sys == Sys.LGDT || sys == Sys.LIDT || sys == Sys.SGDT || sys == Sys.SIDT) u.size = in.operandSize();
            return true;
        }
        int bmi = bmiKind(m);
        if (bmi >= 0) {
            u.op = BMI;
            u.aux = bmi;
            u.size = in.size(0);
            u.r1 = gpr(in, 0);
            // operand order: dst, then (vvvv, r/m) or (r/m, vvvv) depending on the instruction
            int rmIdx, vIdx;
            switch (bmi) {
                case 0, 7, 8 -> { vIdx = 1; rmIdx = 2; }          // ANDN/PDEP/PEXT dst, vvvv, r/m
                case 6 -> { u.r1 = gpr(in, 0); u.r3 = gpr(in, 1); rmIdx = 2; vIdx = -1; } // MULX hi, lo, r/m
                case 2, 3, 4 -> { vIdx = -1; rmIdx = 1; }         // BLS* dst(vvvv), r/m
                case 9 -> { vIdx = -1; rmIdx = 1; u.imm = in.imm(); }
                default -> { rmIdx = 1; vIdx = 2; }               // BEXTR/BZHI/SARX/SHLX/SHRX dst, r/m, vvvv
            }
            if (vIdx >= 0) u.r3 = gpr(in, vIdx);
            u.r2 = isReg(in, rmIdx) ? gpr(in, rmIdx) : -1;
            return true;
        }
        switch (m) {
            case "MOV", "MOVABS" -> {
                u.size = in.size(0);
                RegClass c0 = in.kind(0) == OperandKind.REG ? in.regClass(0) : null;
                RegClass c1 = n > 1 && in.kind(1) == OperandKind.REG ? in.regClass(1) : null;
                if (c0 == RegClass.CR || c1 == RegClass.CR || c0 == RegClass.DR || c1 == RegClass.DR) {
                    boolean toCr = c0 == RegClass.CR || c0 == RegClass.DR;
                    u.op = (c0 == RegClass.CR || c1 == RegClass.CR) ? MOV_CR : MOV_DR;
                    u.aux = toCr ? in.reg(0) : in.reg(1);
                    u.aux2 = toCr ? 0 : 1;
                    u.r1 = toCr ? in.reg(1) : in.reg(0);
                    return true;
                }
                if (c0 == RegClass.SEG) {
                    u.op = MOV_SEG;
                    u.aux = in.reg(0);
                    u.r2 = isReg(in, 1) ? in.reg(1) : -1;
                    u.size = 2;
                    return true;
                }
                if (c1 == RegClass.SEG) {
                    u.op = MOV_FROM_SEG;
                    u.aux = in.reg(1);
                    u.r1 = isReg(in, 0) ? gpr(in, 0) : -1;
                    return true;
                }
                if (isReg(in, 0)) {
                    u.r1 = gpr(in, 0);
                    if (isReg(in, 1)) { u.op = MOV_RR; u.r2 = gpr(in, 1); }
                    else if (isImm(in, 1)) { u.op = MOV_RI; u.imm = in.imm(); }
                    else u.op = MOV_RM;
                } else {
                    if (isReg(in, 1)) { u.op = MOV_MR; u.r2 = gpr(in, 1); }
                    else { u.op = MOV_MI; u.imm = in.imm(); }
                }
                return true;
            }
            case "MOVZX", "MOVSX", "MOVSXD" -> {
                boolean z = m.equals("MOVZX");
                u.size = in.size(0);
                u.aux = in.size(1);
                u.r1 = gpr(in, 0);
                if (isReg(in, 1)) { u.op = z ? MOVZX_RR : MOVSX_RR; u.r2 = gpr(in, 1); }
                else u.op = z ? MOVZX_RM : MOVSX_RM;
                return true;
            }
            case "LEA" -> {
                u.op = LEA;
                u.size = in.size(0);
                u.r1 = gpr(in, 0);
                return true;
            }
            case "TEST" -> {
                u.size = in.size(0);
                if (isReg(in, 0)) {
                    u.r1 = gpr(in, 0);
                    if (isReg(in, 1)) { u.op = TEST_RR; u.r2 = gpr(in, 1); }
                    else if (isImm(in, 1)) { u.op = TEST_RI; u.imm = in.imm(); }
                    else { u.op = TEST_MR; u.r2 = u.r1; }
                } else {
                    if (isReg(in, 1)) { u.op = TEST_MR; u.r2 = gpr(in, 1); }
                    else { u.op = TEST_MI; u.imm = in.imm(); }
                }
                return true;
            }
            case "JMP", "CALL", "LJMP", "LCALL" -> {
                boolean call = m.equals("CALL") || m.equals("LCALL");
                u.setsRip = true;
                OperandKind k = in.kind(0);
                if (k == OperandKind.REL) {
                    u.op = call ? CALL : JMP;
                    u.imm = in.branchTarget(u.rip);
                } else if (k == OperandKind.FAR) {
                    u.op = call ? CALL_FAR : JMP_FAR;
                    u.imm = in.imm();
                    u.imm2 = in.imm2();
                } else if (k == OperandKind.REG) {
                    u.op = call ? CALL_R : JMP_R;
                    u.r1 = gpr(in, 0);
                } else {
                    int regf = (in.modrm() >>> 3) & 7;
                    boolean far = regf == 3 || regf == 5;
                    u.op = far ? (call ? CALL_FAR_M : JMP_FAR_M) : (call ? CALL_M : JMP_M);
                    if (far) u.size = in.operandSize();
                }
                if (u.op == CALL || u.op == JMP || u.op == CALL_R || u.op == JMP_R || u.op == CALL_M || u.op == JMP_M)
                    u.size = in.operandSize();
                return true;
            }
            case "RET", "RETF", "LRET" -> {
                u.op = m.equals("RET") ? RET : RET_FAR;
                u.imm = n > 0 && isImm(in, 0) ? in.imm() & 0xFFFF : 0;
                u.setsRip = true;
                return true;
            }
            case "PUSH", "PUSHP" -> {
                if (in.kind(0) == OperandKind.REG && in.regClass(0) == RegClass.SEG) {
                    u.op = PUSH_SEG;
                    u.aux = in.reg(0);
                } else if (isReg(in, 0)) { u.op = PUSH_R; u.r1 = gpr(in, 0); }
                else if (isImm(in, 0)) { u.op = PUSH_I; u.imm = in.imm(); }
                else u.op = PUSH_M;
                return true;
            }
            case "POP", "POPP" -> {
                if (in.kind(0) == OperandKind.REG && in.regClass(0) == RegClass.SEG) {
                    u.op = POP_SEG;
                    u.aux = in.reg(0);
                } else if (isReg(in, 0)) { u.op = POP_R; u.r1 = gpr(in, 0); }
                else u.op = POP_M;
                return true;
            }
            case "INC", "DEC", "NOT", "NEG" -> {
                if (in.nd()) return false;
                u.size = in.size(0);
                boolean r = isReg(in, 0);
                if (r) u.r1 = gpr(in, 0);
                u.op = switch (m) {
                    case "INC" -> r ? INC_R : INC_M;
                    case "DEC" -> r ? DEC_R : DEC_M;
                    case "NOT" -> r ? NOT_R : NOT_M;
                    default -> r ? NEG_R : NEG_M;
                };
                return true;
            }
            case "IMUL" -> {
                if (in.nd()) return false;
                u.size = in.size(0);
                if (n == 1) {
                    u.aux = 5;
                    if (isReg(in, 0)) { u.op = MULDIV_R; u.r1 = gpr(in, 0); } else u.op = MULDIV_M;
                } else if (n == 2) {
                    u.r1 = gpr(in, 0);
                    if (isReg(in, 1)) { u.op = IMUL_RR; u.r2 = gpr(in, 1); } else u.op = IMUL_RM;
                } else {
                    u.r1 = gpr(in, 0);
                    u.imm = in.imm();
                    if (isReg(in, 1)) { u.op = IMUL3_RR; u.r2 = gpr(in, 1); } else u.op = IMUL3_RM;
                }
                return true;
            }
            case "MUL", "DIV", "IDIV" -> {
                u.size = in.size(0);
                u.aux = m.equals("MUL") ? 4 : m.equals("DIV") ? 6 : 7;
                if (isReg(in, 0)) { u.op = MULDIV_R; u.r1 = gpr(in, 0); } else u.op = MULDIV_M;
                return true;
            }
            case "XCHG" -> {
                u.size = in.size(0);
                if (isReg(in, 0) && isReg(in, 1)) {
                    u.op = XCHG_RR;
                    u.r1 = gpr(in, 0);
                    u.r2 = gpr(in, 1);
                } else {
                    u.op = XCHG_RM;
                    u.r1 = isReg(in, 0) ? gpr(in, 0) : gpr(in, 1);
                }
                return true;
            }
            case "NOP", "PREFETCH", "PREFETCHNTA", "PREFETCHT0", "PREFETCHT1", "PREFETCHT2", "PREFETCHW",
                 "PREFETCHWT1" -> {
                u.op = NOP;
                return true;
            }
            case "CBW", "CWDE", "CDQE" -> {
                u.op = CBW;
                u.size = m.equals("CBW") ? 2 : m.equals("CWDE") ? 4 : 8;
                return true;
            }
            case "CWD", "CDQ", "CQO" -> {
                u.op = CWD;
                u.size = m.equals("CWD") ? 2 : m.equals("CDQ") ? 4 : 8;
                return true;
            }
            case "LEAVE" -> { u.op = LEAVE; return true; }
            case "ENTER" -> {
                u.op = ENTER;
                u.imm = in.imm();
                u.imm2 = in.imm2();
                return true;
            }
            case "BT", "BTS", "BTR", "BTC" -> {
                u.size = in.size(0);
                u.aux = switch (m) { case "BT" -> 4; case "BTS" -> 5; case "BTR" -> 6; default -> 7; };
                if (isReg(in, 0)) {
                    u.r1 = gpr(in, 0);
                    if (isReg(in, 1)) { u.op = BT_RR; u.r2 = gpr(in, 1); } else { u.op = BT_RI; u.imm = in.imm(); }
                } else {
                    if (isReg(in, 1)) { u.op = BT_MR; u.r2 = gpr(in, 1); } else { u.op = BT_MI; u.imm = in.imm(); }
                }
                return true;
            }
            case "BSF", "BSR", "TZCNT", "LZCNT", "POPCNT" -> {
                u.aux = switch (m) { case "BSF" -> 0; case "BSR" -> 1; case "TZCNT" -> 2; case "LZCNT" -> 3; default -> 4; };
                u.size = in.size(0);
                u.r1 = gpr(in, 0);
                if (isReg(in, 1)) { u.op = BITSCAN_RR; u.r2 = gpr(in, 1); } else u.op = BITSCAN_RM;
                return true;
            }
            case "BSWAP" -> {
                u.op = BSWAP;
                u.size = in.size(0);
                u.r1 = gpr(in, 0);
                return true;
            }
            case "CMPXCHG", "XADD" -> {
                u.size = in.size(0);
                u.r2 = gpr(in, 1);
                boolean x = m.equals("XADD");
                if (isReg(in, 0)) { u.op = x ? XADD_R : CMPXCHG_R; u.r1 = gpr(in, 0); }
                else u.op = x ? XADD_M : CMPXCHG_M;
                return true;
            }
            case "CMPXCHG8B", "CMPXCHG16B" -> {
                u.op = CMPXCHG8B;
                u.size = m.equals("CMPXCHG8B") ? 8 : 16;
                return true;
            }
            case "SHLD", "SHRD" -> {
                if (in.nd()) return false;
                u.aux = m.equals("SHLD") ? 0 : 1;
                u.size = in.size(0);
                u.r2 = gpr(in, 1);
                if (isImm(in, 2)) u.imm = in.imm(); else u.aux2 = 1;
                if (isReg(in, 0)) { u.op = SHD_RR; u.r1 = gpr(in, 0); } else u.op = SHD_MR;
                return true;
            }
            case "CLC", "STC", "CMC", "CLD", "STD", "CLI", "STI", "CLAC", "STAC" -> {
                u.op = FLAGOP;
                u.aux = switch (m) {
                    case "CLC" -> 0; case "STC" -> 1; case "CMC" -> 2; case "CLD" -> 3; case "STD" -> 4;
                    case "CLI" -> 5; case "STI" -> 6; case "CLAC" -> 7; default -> 8;
                };
                return true;
            }
            case "PUSHF", "PUSHFD", "PUSHFQ", "POPF", "POPFD", "POPFQ" -> {
                u.op = m.startsWith("PUSH") ? PUSHF : POPF;
                u.size = in.operandSize();
                return true;
            }
            case "LAHF" -> { u.op = LAHF; return true; }
            case "SAHF" -> { u.op = SAHF; return true; }
            case "IN", "OUT" -> {
                boolean inp = m.equals("IN");
                int portIdx = inp ? 1 : 0, regIdx = inp ? 0 : 1;
                u.op = IO;
                u.size = in.size(regIdx);
                if (isImm(in, portIdx)) { u.aux = inp ? 0 : 2; u.imm = in.imm() & 0xFF; }
                else u.aux = inp ? 1 : 3;
                return true;
            }
            case "LOOP", "LOOPE", "LOOPNE" -> {
                u.op = LOOP;
                u.aux = m.equals("LOOP") ? 0 : m.equals("LOOPE") ? 1 : 2;
                u.imm = in.branchTarget(u.rip);
                u.setsRip = true;
                return true;
            }
            case "JCXZ", "JECXZ", "JRCXZ" -> {
                u.op = JRCXZ;
                u.asize = m.equals("JCXZ") ? 2 : m.equals("JECXZ") ? 4 : 8;
                u.imm = in.branchTarget(u.rip);
                u.setsRip = true;
                return true;
            }
            case "MOVBE" -> {
                u.size = in.size(0);
                if (isReg(in, 0)) { u.op = MOVBE_RM; u.r1 = gpr(in, 0); } else { u.op = MOVBE_MR; u.r2 = gpr(in, 1); }
                return true;
            }
            case "INT", "INT3", "INTO", "INT1" -> {
                u.op = INT;
                u.aux = switch (m) { case "INT" -> 0; case "INT3" -> 1; case "INTO" -> 2; default -> 3; };
                u.imm = m.equals("INT") ? in.imm() : 0;
                u.setsRip = true;
                return true;
            }
            case "IRET", "IRETD", "IRETQ" -> {
                u.op = IRET;
                u.size = m.equals("IRET") ? 2 : m.equals("IRETD") ? 4 : 8;
                if (m.equals("IRET")) u.size = in.operandSize();
                u.setsRip = true;
                return true;
            }
            case "LDS", "LES", "LFS", "LGS", "LSS" -> {
                u.op = LFS;
                u.aux = switch (m) { case "LDS" -> 3; case "LES" -> 0; case "LFS" -> 4; case "LGS" -> 5; default -> 2; };
                u.size = in.size(0);
                u.r1 = gpr(in, 0);
                return true;
            }
            case "XLAT", "XLATB" -> {
                u.op = XLAT;
                segment(in.segment().ordinal(), u);
                return true;
            }
            case "PUSHAW", "PUSHAL", "PUSHA", "PUSHAD" -> { u.op = PUSHA; return true; }
            case "POPAW", "POPAL", "POPA", "POPAD" -> { u.op = POPA; return true; }
            case "AAA", "AAS", "DAA", "DAS", "AAM", "AAD" -> {
                u.op = AAX;
                u.aux = switch (m) { case "AAA" -> 0; case "AAS" -> 1; case "DAA" -> 2; case "DAS" -> 3; case "AAM" -> 4; default -> 5; };
                u.imm = n > 0 && isImm(in, 0) ? in.imm() : 10;
                return true;
            }
            case "CRC32" -> {
                u.op = CRC32;
                u.r1 = gpr(in, 0);
                u.aux = in.size(1);
                u.r2 = isReg(in, 1) ? gpr(in, 1) : -1;
                return true;
            }
            case "BOUND" -> {
                u.op = BOUND_CHECK;
                u.size = in.size(0);
                u.r1 = gpr(in, 0);
                return true;
            }
            case "ARPL" -> {
                u.op = ARPL;
                u.r1 = isReg(in, 0) ? gpr(in, 0) : -1;
                u.r2 = gpr(in, 1);
                return true;
            }
            case "SALC" -> { u.op = SALC; return true; }
            case "JMPABS" -> {
                // (66/67/F2/F3 before it are #UD: the decoder reports those encodings as invalid.)
                u.op = JMPABS;
                u.imm = in.imm();
                u.setsRip = true;
                return true;
            }
            default -> { }
        }
        if (isString(in, m)) {
            u.op = STRING;
            u.aux = switch (m.substring(0, m.length() - 1)) {
                case "MOVS" -> 0; case "CMPS" -> 1; case "STOS" -> 2; case "LODS" -> 3; case "SCAS" -> 4;
                case "INS" -> 5; default -> 6;
            };
            char sz = m.charAt(m.length() - 1);
            u.size = sz == 'B' ? 1 : sz == 'W' ? 2 : sz == 'D' ? 4 : 8;
            u.aux2 = in.hasRepne() ? 2 : in.hasRep() ? 1 : 0;
            if (u.aux2 == 2 && u.aux != 1 && u.aux != 4) u.aux2 = 1; // F2 acts as REP on the others
            segment(in.segmentOverride() != null ? in.segmentOverride().ordinal() : CpuState.DS, u);
            return true;
        }
        return false;
    }

    private static boolean isString(Insn in, String m) {
        if (in.form() == null || in.form().map() != 0) return false;
        return m.matches("(MOVS|CMPS|STOS|LODS|SCAS|INS|OUTS)[BWDQ]");
    }

    /** The XSAVE family reports no components (they depend on EDX:EAX) but runs on the extended unit. */
    private static boolean xsaveFamily(String m) {
        return switch (m) {
            case "XSAVE", "XSAVE64", "XSAVEOPT", "XSAVEOPT64", "XSAVEC", "XSAVEC64", "XSAVES", "XSAVES64",
                 "XRSTOR", "XRSTOR64", "XRSTORS", "XRSTORS64", "FXSAVE", "FXSAVE64", "FXRSTOR", "FXRSTOR64" -> true;
            default -> false;
        };
    }
}
