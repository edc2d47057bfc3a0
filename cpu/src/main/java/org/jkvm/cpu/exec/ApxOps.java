package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;
import static org.jkvm.cpu.exec.Op.*;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/**
 * APX integer operations (facts: shared/spec/isa.md): new-data-destination (ND) forms of the ALU, unary,
 * shift, IMUL, CMOV and ADCX/ADOX instructions, CCMPscc/CTESTscc with default flag values, CFCMOVcc with its
 * no-fault rule, PUSH2/POP2, SETZUcc, IMULZU. Operand encoding in {@link Uop}: {@code r3} is the ND
 * destination; sources are {@code r1}/{@code r2}, with {@code aux2} bit 0 = first source is the memory
 * operand, bit 1 = second source is memory, bit 2 = second source is the immediate.
 */
public abstract class ApxOps extends SysOps {
    protected ApxOps(PhysicalMemory pmem) {
        super(pmem);
    }

    static final int SRC1_MEM = 1, SRC2_MEM = 2, SRC2_IMM = 4;

    final long src1(Uop u) {
        return (u.aux2 & SRC1_MEM) != 0 ? read(ea(u), u.size) : reg(u.size, u.r1);
    }

    final long src2(Uop u) {
        if ((u.aux2 & SRC2_MEM) != 0) return read(ea(u), u.size);
        if ((u.aux2 & SRC2_IMM) != 0) return u.imm & mask(u.size);
        return reg(u.size, u.r2);
    }

    /** ND results are written zero-extended to 64 bits whatever the operand size. */
    final void setNdd(Uop u, long v) {
        r[u.r3] = v & mask(u.size);
    }

    @Override
    final void apx(Uop u) {
        switch (u.op) {
            case ALU3 -> {
                long a = src1(u), b = src2(u);
                setNdd(u, alu(u.aux, u.size, a, b, u.nf));
            }
            case UNARY3 -> {
                long a = src1(u);
                long v = switch (u.aux) {
                    case 0 -> incdec(u.size, a, true, u.nf);
                    case 1 -> incdec(u.size, a, false, u.nf);
                    case 2 -> ~a;
                    default -> neg(u.size, a, u.nf);
                };
                setNdd(u, v);
            }
            case SHIFT3 -> {
                long a = src1(u);
                int count = (u.aux2 & 8) != 0 ? (int) r[1] & 0xFF : (int) u.imm;
                setNdd(u, shift(u.aux, u.size, a, count, u.nf));
            }
            case IMUL3X -> { // IMUL with ND, IMULZU: product of the two sources, zero-extended
                long v = imul(u.size, src1(u), src2(u), u.nf);
                setNdd(u, v);
            }
            case CMOV3 -> cmov3(u);
            case CTEST -> ccmp(u);
            case CFCMOV -> cfcmov(u);
            case SETZU -> {
                long v = cond(u.cc) ? 1 : 0;
                if (u.r1 >= 0) r[u.r1] = v; // SETZUcc zeroes bits 63:8 of the register
                else write8(eaW(u), v);
            }
            case PUSH2 -> push2(u);
            case POP2 -> pop2(u);
            case ADX -> adx(u);
            default -> throw Fault.ud();
        }
    }

    /** CMOVcc with ND (memory always read) and CFCMOVcc ND=1 (memory read only when the condition holds). */
    private void cmov3(Uop u) {
        boolean c = cond(u.cc);
        long a = reg(u.size, u.r1);
        if (u.aux == 1) { // CFCMOV v, reg, r/m
            setNdd(u, c ? src2(u) : a);
        } else {
            long b = src2(u);
            setNdd(u, c ? b : a);
        }
    }

    /** CFCMOVcc with ND=0: aux 0 = (NF=0) reg <- cc ? r/m : 0; aux 1 = (NF=1) if cc, r/m <- reg. */
    private void cfcmov(Uop u) {
        boolean c = cond(u.cc);
        if (u.aux == 0) {
            long v = 0;
            if (c) v = (u.aux2 & SRC2_MEM) != 0 ? read(ea(u), u.size) : reg(u.size, u.r2);
            setReg(u.size == 1 || u.size == 2 ? u.size : u.size, u.r1, v);
            if (u.size == 4) r[u.r1] &= 0xFFFF_FFFFL;
        } else {
            if (!c) {
                if ((u.aux2 & SRC1_MEM) == 0 && u.size == 4) r[u.r1] &= 0xFFFF_FFFFL;
                return; // no access, no fault
            }
            long v = reg(u.size, u.r2);
            if ((u.aux2 & SRC1_MEM) != 0) write(eaW(u), u.size, v);
            else setReg(u.size, u.r1, v);
        }
    }

    /** CCMPscc (aux 0) / CTESTscc (aux 1): flags as CMP/TEST when scc holds, else OF/SF/ZF/CF from DFV. */
    private void ccmp(Uop u) {
        long a = src1(u), b = src2(u);
        boolean holds = u.cc == 10 || u.cc != 11 && cond(u.cc);
        if (holds) {
            if (u.aux == 0) alu(CMP, u.size, a, b, false);
            else setFlagsLogic(u.size * 8, a & b & mask(u.size));
        } else {
            int dfv = (int) u.imm2;
            long f = ((dfv & 8) != 0 ? OF : 0) | ((dfv & 4) != 0 ? SF : 0) | ((dfv & 2) != 0 ? ZF : 0)
                | ((dfv & 1) != 0 ? CF : 0);
            setArith(ARITH, f);
        }
    }

    private void push2(Uop u) {
        if (u.r1 == 4 || u.r2 == 4) throw Fault.ud();
        long sp = r[4];
        if ((sp & 15) != 0) throw Fault.gp0();
        long a = sp - 16;
        probe(a, 16, true);
        write64(sp - 8, r[u.r1]);
        write64(sp - 16, r[u.r2]);
        r[4] = a;
    }

    private void pop2(Uop u) {
        if (u.r1 == 4 || u.r2 == 4 || u.r1 == u.r2) throw Fault.ud();
        long sp = r[4];
        if ((sp & 15) != 0) throw Fault.gp0();
        long v1 = read64(sp), v2 = read64(sp + 8);
        r[u.r1] = v1;
        r[u.r2] = v2;
        r[4] = sp + 16;
    }

    /** ADCX (aux 0, carry in/out CF) and ADOX (aux 1, OF); with ND the sum goes to r3. */
    private void adx(Uop u) {
        boolean ox = u.aux == 1;
        long m = mask(u.size);
        long a = src1(u), b = src2(u);
        long cin = (ox ? of() : cf()) ? 1 : 0;
        long sum = (a + b + cin) & m;
        boolean cout = u.size == 8
            ? Long.compareUnsigned(sum, a) < 0 || cin != 0 && sum == a
            : ((a + b + cin) >>> (u.size * 8)) != 0;
        setArith(ox ? OF : CF, cout ? (ox ? OF : CF) : 0);
        if (u.r3 >= 0) setNdd(u, sum);
        else setReg(u.size, u.r1, sum);
    }
}
