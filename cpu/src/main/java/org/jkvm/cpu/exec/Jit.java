package org.jkvm.cpu.exec;

import static java.lang.constant.ConstantDescs.*;
import static org.jkvm.cpu.exec.CpuState.*;
import static org.jkvm.cpu.exec.Op.*;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Translates a hot {@link Block} into a hidden JVM class whose {@code run} method is the block's instructions
 * as straight-line bytecode: no dispatch, register file and lazy flags accessed directly, memory through the
 * MMU's inlinable TLB fast paths. The common integer operations are generated inline; anything else calls back
 * into the interpreter for that one uop ({@link Interpreter#execOp}), so every instruction stays supported.
 * HotSpot then compiles the block like any other method.
 */
final class Jit {
    private Jit() {}

    /** Executions of a block before it is compiled (-Djkvm.jit.threshold; 0 disables the compiler). */
    static final int THRESHOLD = Integer.getInteger("jkvm.jit.threshold", 200);

    private static final ClassDesc CORE = ClassDesc.of("org.jkvm.cpu.exec.Core");
    private static final ClassDesc CB = ClassDesc.of("org.jkvm.cpu.exec.CompiledBlock");
    private static final ClassDesc UOP = ClassDesc.of("org.jkvm.cpu.exec.Uop");
    private static final ClassDesc UOPS = UOP.arrayType();
    private static final ClassDesc LONGS = CD_long.arrayType();
    private static final ClassFile CF = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
        ClassHierarchyResolver.ofClassLoading(Jit.class.getClassLoader())));
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    // local variable slots of run(Core)
    private static final int THIS = 0, C = 1, R = 2, OPS = 3, A = 4, B = 6, V = 8, ADDR = 10;

    /** Compiles {@code b}; null if it cannot (the interpreter keeps running it). */
    static CompiledBlock compile(Block b) {
        try {
            Uop[] ops = b.ops;
            byte[] bytes = CF.build(ClassDesc.of("org.jkvm.cpu.exec.JitBlock"), cb -> {
                cb.withSuperclass(CB);
                cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_PUBLIC);
                cb.withMethodBody("<init>", MethodTypeDesc.of(CD_void, UOPS), ClassFile.ACC_PUBLIC, code -> {
                    code.aload(0);
                    code.aload(1);
                    code.invokespecial(CB, "<init>", MethodTypeDesc.of(CD_void, UOPS));
                    code.return_();
                });
                cb.withMethodBody("run", MethodTypeDesc.of(CD_void, CORE), ClassFile.ACC_PUBLIC,
                    code -> new Gen(code, ops).run());
            });
            MethodHandles.Lookup l = LOOKUP.defineHiddenClass(bytes, true);
            return (CompiledBlock) l.findConstructor(l.lookupClass(), MethodType.methodType(void.class, Uop[].class))
                .invoke(ops);
        } catch (Throwable t) {
            return null;
        }
    }

    /** The code generator for one block. */
    private static final class Gen {
        final CodeBuilder c;
        final Uop[] ops;
        final int n;

        Gen(CodeBuilder c, Uop[] ops) {
            this.c = c;
            this.ops = ops;
            this.n = ops.length;
        }

        void run() {
            c.aload(C);
            c.getfield(CORE, "r", LONGS);
            c.astore(R);
            c.aload(THIS);
            c.getfield(CB, "ops", UOPS);
            c.astore(OPS);
            for (int i = 0; i < n; i++) {
                Uop u = ops[i];
                if (!inline(u, i)) generic(u, i);
            }
            Uop last = ops[n - 1];
            if (!last.setsRip) setRip(last.next);
            finish(n);
        }

        // ---- small emitters

        void ci(int v) { c.loadConstant(v); }

        void cl(long v) { c.loadConstant(v); }

        void ld(int reg) { c.aload(R); ci(reg); c.laload(); }

        /** r[reg] = (value in local slot). */
        void st(int reg, int slot) { c.aload(R); ci(reg); c.lload(slot); c.lastore(); }

        void idx(int i) { c.aload(C); ci(i); c.putfield(CORE, "jitIdx", CD_int); }

        void setRip(long v) { c.aload(C); cl(v); c.putfield(CORE, "rip", CD_long); }

        /** retired += count; return. */
        void finish(int count) {
            c.aload(C);
            c.dup();
            c.getfield(CORE, "retired", CD_long);
            cl(count);
            c.ladd();
            c.putfield(CORE, "retired", CD_long);
            c.return_();
        }

        /** After an operation that may request a stop (stores, interpreter calls): leave after instruction i. */
        void stopCheck(Uop u, int i) {
            if (i == n - 1) return;
            Label go = c.newLabel();
            c.aload(C);
            c.getfield(CORE, "stopBlock", CD_boolean);
            c.ifeq(go);
            if (!u.setsRip) setRip(u.next);
            finish(i + 1);
            c.labelBinding(go);
        }

        void lfield(String name, int slot) { c.aload(C); c.lload(slot); c.putfield(CORE, name, CD_long); }

        void ifield(String name, int v) { c.aload(C); ci(v); c.putfield(CORE, name, CD_int); }

        /** Lazy flags: op, width, dst, src, res from locals A, B, V. */
        void flags(int op, int bits, boolean withOperands) {
            ifield("lfOp", op);
            ifield("lfBits", bits);
            if (withOperands) {
                lfield("lfDst", A);
                lfield("lfSrc", B);
            }
            lfield("lfRes", V);
        }

        void mask32() { cl(0xFFFF_FFFFL); c.land(); }

        /** The effective address into ADDR; false when segmentation needs the checked path. */
        boolean ea(Uop u) {
            if (u.segCheck) return false;
            cl(u.disp);
            if (u.base >= 0) { ld(u.base); c.ladd(); }
            if (u.index >= 0) { ld(u.index); ci(u.scale); c.lshl(); c.ladd(); }
            if (u.asize == 4) mask32();
            else if (u.asize == 2) { cl(0xFFFF); c.land(); }
            if (u.seg >= 0) {
                c.aload(C);
                c.getfield(CORE, "segBase", LONGS);
                ci(u.seg);
                c.laload();
                c.ladd();
            }
            c.lstore(ADDR);
            return true;
        }

        void read(int size) {
            c.aload(C);
            c.lload(ADDR);
            c.invokevirtual(CORE, "read" + size * 8, MethodTypeDesc.of(CD_long, CD_long));
        }

        /** Stores the value in slot {@code slot} at ADDR. */
        void write(int size, int slot) {
            c.aload(C);
            c.lload(ADDR);
            c.lload(slot);
            c.invokevirtual(CORE, "write" + size * 8, MethodTypeDesc.of(CD_void, CD_long, CD_long));
        }

        void generic(Uop u, int i) {
            idx(i);
            c.aload(C);
            c.aload(OPS);
            ci(i);
            c.invokevirtual(CORE, "execOp", MethodTypeDesc.of(CD_void, UOPS, CD_int));
            if (u.setsRip) {
                finish(i + 1);
                return;
            }
            stopCheck(u, i);
        }

        /** ALU with both operands in A and B: result in V, flags, optional write-back. */
        void alu(int kind, int bits, int dstReg) {
            boolean w = bits == 64;
            c.lload(A);
            c.lload(B);
            switch (kind) {
                case ADD -> c.ladd();
                case SUB, CMP -> c.lsub();
                case AND -> c.land();
                case OR -> c.lor();
                default -> c.lxor();
            }
            if (!w) mask32();
            c.lstore(V);
            boolean arith = kind == ADD || kind == SUB || kind == CMP;
            flags(kind == ADD ? LF_ADD : arith ? LF_SUB : LF_LOGIC, bits, arith);
            if (kind != CMP) st(dstReg, V);
        }

        /** Loads r[reg] (masked to 32 bits if {@code bits} is 32) into slot. */
        void lreg(int reg, int bits, int slot) {
            ld(reg);
            if (bits == 32) mask32();
            c.lstore(slot);
        }

        void limm(long imm, int bits, int slot) {
            cl(bits == 32 ? imm & 0xFFFF_FFFFL : imm);
            c.lstore(slot);
        }

        boolean inline(Uop u, int i) {
            int op = u.op;
            switch (op) {
                case NOP -> { return true; }
                case MOV_RR64 -> { ld(u.r2); c.lstore(V); st(u.r1, V); return true; }
                case MOV_RR32 -> { lreg(u.r2, 32, V); st(u.r1, V); return true; }
                case MOV_RI64, MOV_RI32 -> { limm(u.imm, op == MOV_RI64 ? 64 : 32, V); st(u.r1, V); return true; }
                case MOV_RM64, MOV_RM32, MOVZX_RM8 -> {
                    if (op == MOVZX_RM8 && u.size < 4) return false;
                    if (!ea(u)) return false;
                    idx(i);
                    read(op == MOV_RM64 ? 8 : op == MOV_RM32 ? 4 : 1);
                    c.lstore(V);
                    st(u.r1, V);
                    return true;
                }
                case MOV_MR64, MOV_MR32 -> {
                    if (!ea(u)) return false;
                    idx(i);
                    ld(u.r2);
                    c.lstore(V);
                    write(op == MOV_MR64 ? 8 : 4, V);
                    stopCheck(u, i);
                    return true;
                }
                case MOVZX_RR8 -> {
                    if (u.r2 >= 32 || u.size < 4) return false;
                    ld(u.r2); cl(0xFF); c.land(); c.lstore(V); st(u.r1, V);
                    return true;
                }
                case MOVSXD_RR -> { ld(u.r2); c.l2i(); c.i2l(); c.lstore(V); st(u.r1, V); return true; }
                case LEA64 -> { if (!ea(u) || u.seg >= 0) return false; st(u.r1, ADDR); return true; }
                case ADD_RR64, SUB_RR64, CMP_RR64, AND_RR64, OR_RR64, XOR_RR64 -> {
                    lreg(u.r1, 64, A); lreg(u.r2, 64, B); alu(kindOf(op - ADD_RR64), 64, u.r1); return true;
                }
                case ADD_RR32, SUB_RR32, CMP_RR32, AND_RR32, OR_RR32, XOR_RR32 -> {
                    lreg(u.r1, 32, A); lreg(u.r2, 32, B); alu(kindOf(op - ADD_RR32), 32, u.r1); return true;
                }
                case ADD_RI64, SUB_RI64, CMP_RI64, AND_RI64, OR_RI64, XOR_RI64 -> {
                    lreg(u.r1, 64, A); limm(u.imm, 64, B); alu(kindOf(op - ADD_RI64), 64, u.r1); return true;
                }
                case ADD_RI32, SUB_RI32, CMP_RI32, AND_RI32, OR_RI32, XOR_RI32 -> {
                    lreg(u.r1, 32, A); limm(u.imm, 32, B); alu(kindOf(op - ADD_RI32), 32, u.r1); return true;
                }
                case CMP_RM64, CMP_RM32, ADD_RM64, ADD_RM32, XOR_RM32 -> {
                    if (!ea(u)) return false;
                    boolean w = op == CMP_RM64 || op == ADD_RM64;
                    idx(i);
                    lreg(u.r1, w ? 64 : 32, A);
                    read(w ? 8 : 4);
                    c.lstore(B);
                    alu(op == CMP_RM64 || op == CMP_RM32 ? CMP : op == XOR_RM32 ? XOR : ADD, w ? 64 : 32, u.r1);
                    return true;
                }
                case TEST_RR64, TEST_RR32 -> {
                    ld(u.r1); ld(u.r2); c.land();
                    if (op == TEST_RR32) mask32();
                    c.lstore(V);
                    flags(LF_LOGIC, op == TEST_RR64 ? 64 : 32, false);
                    return true;
                }
                case SHL_RI64, SHR_RI64, SAR_RI64, SHL_RI32, SHR_RI32, SAR_RI32 -> {
                    boolean w = op <= SAR_RI64;
                    int k = w ? op - SHL_RI64 : op - SHL_RI32;
                    lreg(u.r1, w ? 64 : 32, A);
                    cl(u.imm);
                    c.lstore(B);
                    if (w) {
                        c.lload(A);
                        ci((int) u.imm);
                        if (k == 0) c.lshl(); else if (k == 1) c.lushr(); else c.lshr();
                    } else if (k == 2) {
                        c.lload(A); c.l2i(); ci((int) u.imm); c.ishr(); c.i2l(); mask32();
                    } else {
                        c.lload(A); ci((int) u.imm);
                        if (k == 0) { c.lshl(); mask32(); } else c.lushr();
                    }
                    c.lstore(V);
                    st(u.r1, V);
                    flags(k == 0 ? LF_SHL : k == 1 ? LF_SHR : LF_SAR, w ? 64 : 32, true);
                    return true;
                }
                case INC_R64, DEC_R64, INC_R32, DEC_R32 -> {
                    boolean w = op == INC_R64 || op == DEC_R64, inc = op == INC_R64 || op == INC_R32;
                    c.aload(C);
                    c.aload(C);
                    c.invokevirtual(CORE, "cf", MethodTypeDesc.of(CD_boolean));
                    c.i2l();
                    c.putfield(CORE, "lfCarry", CD_long);
                    lreg(u.r1, w ? 64 : 32, A);
                    cl(1);
                    c.lstore(B);
                    c.lload(A); c.lload(B);
                    if (inc) c.ladd(); else c.lsub();
                    if (!w) mask32();
                    c.lstore(V);
                    st(u.r1, V);
                    flags(inc ? LF_INC : LF_DEC, w ? 64 : 32, true);
                    return true;
                }
                case PUSH_R64 -> {
                    idx(i);
                    ld(4); cl(8); c.lsub(); c.lstore(ADDR);
                    ld(u.r1); c.lstore(V);
                    write(8, V);
                    st(4, ADDR);
                    stopCheck(u, i);
                    return true;
                }
                case POP_R64 -> {
                    idx(i);
                    ld(4); c.lstore(ADDR);
                    read(8); c.lstore(V);
                    c.lload(ADDR); cl(8); c.ladd(); c.lstore(A);
                    st(4, A);
                    st(u.r1, V);
                    return true;
                }
                case CALL64 -> {
                    idx(i);
                    ld(4); cl(8); c.lsub(); c.lstore(ADDR);
                    cl(u.next); c.lstore(V);
                    write(8, V);
                    st(4, ADDR);
                    setRip(u.imm);
                    finish(i + 1);
                    return true;
                }
                case RET64 -> {
                    idx(i);
                    ld(4); c.lstore(ADDR);
                    read(8); c.lstore(V);
                    c.lload(ADDR); cl(8 + u.imm); c.ladd(); c.lstore(A);
                    st(4, A);
                    c.aload(C); c.lload(V); c.putfield(CORE, "rip", CD_long);
                    finish(i + 1);
                    return true;
                }
                case JCC -> {
                    Label fall = c.newLabel();
                    c.aload(C);
                    ci(u.cc);
                    c.invokevirtual(CORE, "cond", MethodTypeDesc.of(CD_boolean, CD_int));
                    c.ifeq(fall);
                    setRip(u.imm);
                    finish(i + 1);
                    c.labelBinding(fall);
                    setRip(u.next);
                    finish(i + 1);
                    return true;
                }
                case JMP -> { setRip(u.imm); finish(i + 1); return true; }
                case IMUL_RR64, IMUL_RR32 -> {
                    boolean w = op == IMUL_RR64;
                    c.aload(C);
                    ci(w ? 8 : 4);
                    ld(u.r1);
                    ld(u.r2);
                    ci(0);
                    c.invokevirtual(CORE, "imul", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_boolean));
                    if (!w) mask32();
                    c.lstore(V);
                    st(u.r1, V);
                    return true;
                }
                case MOV_MI -> {
                    if (!ea(u)) return false;
                    idx(i);
                    cl(u.imm);
                    c.lstore(V);
                    write(u.size, V);
                    stopCheck(u, i);
                    return true;
                }
                case MOV_MR -> {
                    if (u.r2 >= 32 || !ea(u)) return false;
                    idx(i);
                    ld(u.r2);
                    c.lstore(V);
                    write(u.size, V);
                    stopCheck(u, i);
                    return true;
                }
                case ALU_MI, ALU_MR -> {
                    if (u.aux != CMP || u.nf || op == ALU_MR && u.r2 >= 32 || !ea(u)) return false;
                    idx(i);
                    c.aload(C);
                    ci(u.aux);
                    ci(u.size);
                    read(u.size);
                    if (op == ALU_MI) cl(u.imm); else ld(u.r2);
                    ci(0);
                    c.invokevirtual(CORE, "alu", MethodTypeDesc.of(CD_long, CD_int, CD_int, CD_long, CD_long, CD_boolean));
                    c.pop2();
                    return true;
                }
                case CMOV_RR -> {
                    if (u.size < 4) return false;
                    Label skip = c.newLabel(), done = c.newLabel();
                    c.aload(C);
                    ci(u.cc);
                    c.invokevirtual(CORE, "cond", MethodTypeDesc.of(CD_boolean, CD_int));
                    c.ifeq(skip);
                    lreg(u.r2, u.size == 8 ? 64 : 32, V);
                    st(u.r1, V);
                    c.goto_(done);
                    c.labelBinding(skip);
                    if (u.size == 4) { lreg(u.r1, 32, V); st(u.r1, V); }
                    c.labelBinding(done);
                    return true;
                }
                case IMUL_RM32 -> {
                    if (!ea(u)) return false;
                    idx(i);
                    c.aload(C);
                    ci(4);
                    ld(u.r1);
                    read(4);
                    ci(0);
                    c.invokevirtual(CORE, "imul", MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_boolean));
                    mask32();
                    c.lstore(V);
                    st(u.r1, V);
                    return true;
                }
                case TEST_RR -> {
                    if (u.r1 >= 32 || u.r2 >= 32) return false;
                    c.aload(C);
                    ci(u.size * 8);
                    ld(u.r1); ld(u.r2); c.land(); cl(CpuState.mask(u.size)); c.land();
                    c.invokevirtual(CORE, "setFlagsLogic", MethodTypeDesc.of(CD_void, CD_int, CD_long));
                    return true;
                }
                case NOT_R -> {
                    if (u.size < 4) return false;
                    ld(u.r1); cl(-1L); c.lxor();
                    if (u.size == 4) mask32();
                    c.lstore(V);
                    st(u.r1, V);
                    return true;
                }
                default -> { return false; }
            }
        }

        static int kindOf(int k) {
            return switch (k) { case 0 -> ADD; case 1 -> SUB; case 2 -> CMP; case 3 -> AND; case 4 -> OR; default -> XOR; };
        }
    }
}
