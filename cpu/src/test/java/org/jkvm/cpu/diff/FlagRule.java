package org.jkvm.cpu.diff;

import static org.jkvm.cpu.diff.Flags.AF;
import static org.jkvm.cpu.diff.Flags.CF;
import static org.jkvm.cpu.diff.Flags.OF;
import static org.jkvm.cpu.diff.Flags.PF;
import static org.jkvm.cpu.diff.Flags.SF;
import static org.jkvm.cpu.diff.Flags.ZF;

/**
 * The arithmetic flags each generated mnemonic reads, defines and leaves undefined, from the "Flags Affected"
 * section of its SDM vol. 2 page. The generator uses it to track which flags are still comparable (an
 * undefined flag stays undefined until an instruction defines it, and an instruction that reads one is not
 * generated); the harness compares only the flags that are defined at the end.
 *
 * <p>Shifts and rotates depend on the masked count; their fixed-count entries here are for a count of one,
 * and {@link #shift(FlagRule, int, int)} derives the rest (SDM: count 0 changes no flag, OF is defined only for
 * count 1, SHL/SHR leave CF undefined when the count is at least the operand width).
 */
enum FlagRule {
    ADD(0, OF | SF | ZF | AF | PF | CF, 0),
    ADC(CF, OF | SF | ZF | AF | PF | CF, 0),
    SUB(0, OF | SF | ZF | AF | PF | CF, 0),
    SBB(CF, OF | SF | ZF | AF | PF | CF, 0),
    CMP(0, OF | SF | ZF | AF | PF | CF, 0),
    NEG(0, OF | SF | ZF | AF | PF | CF, 0),
    XADD(0, OF | SF | ZF | AF | PF | CF, 0),
    CMPXCHG(0, OF | SF | ZF | AF | PF | CF, 0),
    /** OF and CF cleared, SF/ZF/PF from the result, AF undefined. */
    AND(0, OF | SF | ZF | PF | CF, AF),
    OR(0, OF | SF | ZF | PF | CF, AF),
    XOR(0, OF | SF | ZF | PF | CF, AF),
    TEST(0, OF | SF | ZF | PF | CF, AF),
    /** CF not affected. */
    INC(0, OF | SF | ZF | AF | PF, 0),
    DEC(0, OF | SF | ZF | AF | PF, 0),
    NOT(0, 0, 0),
    SHL(0, OF | SF | ZF | PF | CF, AF),
    SHR(0, OF | SF | ZF | PF | CF, AF),
    SAR(0, OF | SF | ZF | PF | CF, AF),
    ROL(0, OF | CF, 0),
    ROR(0, OF | CF, 0),
    RCL(CF, OF | CF, 0),
    RCR(CF, OF | CF, 0),
    SHLD(0, OF | SF | ZF | PF | CF, AF),
    SHRD(0, OF | SF | ZF | PF | CF, AF),
    /** One-, two- and three-operand forms alike: CF=OF=high half significant, the rest undefined. */
    MUL(0, OF | CF, SF | ZF | AF | PF),
    IMUL(0, OF | CF, SF | ZF | AF | PF),
    DIV(0, 0, OF | SF | ZF | AF | PF | CF),
    IDIV(0, 0, OF | SF | ZF | AF | PF | CF),
    /** CF is the bit; ZF unaffected; the rest undefined. */
    BT(0, CF, OF | SF | AF | PF),
    BTS(0, CF, OF | SF | AF | PF),
    BTR(0, CF, OF | SF | AF | PF),
    BTC(0, CF, OF | SF | AF | PF),
    BSF(0, ZF, OF | SF | AF | PF | CF),
    BSR(0, ZF, OF | SF | AF | PF | CF),
    LZCNT(0, ZF | CF, OF | SF | AF | PF),
    TZCNT(0, ZF | CF, OF | SF | AF | PF),
    /** All cleared except ZF. */
    POPCNT(0, OF | SF | ZF | AF | PF | CF, 0),
    ANDN(0, SF | ZF | OF | CF, AF | PF),
    BEXTR(0, ZF | OF | CF, SF | AF | PF),
    BLSI(0, SF | ZF | OF | CF, AF | PF),
    BLSMSK(0, SF | ZF | OF | CF, AF | PF),
    BLSR(0, SF | ZF | OF | CF, AF | PF),
    BZHI(0, SF | ZF | OF | CF, AF | PF),
    PDEP(0, 0, 0), PEXT(0, 0, 0), RORX(0, 0, 0), SARX(0, 0, 0), SHLX(0, 0, 0), SHRX(0, 0, 0), MULX(0, 0, 0),
    ADCX(CF, CF, 0),
    ADOX(OF, OF, 0),
    MOV(0, 0, 0), MOVZX(0, 0, 0), MOVSX(0, 0, 0), MOVSXD(0, 0, 0), MOVBE(0, 0, 0), LEA(0, 0, 0),
    XCHG(0, 0, 0), BSWAP(0, 0, 0), PUSH(0, 0, 0), POP(0, 0, 0),
    CBW(0, 0, 0), CWDE(0, 0, 0), CDQE(0, 0, 0), CWD(0, 0, 0), CDQ(0, 0, 0), CQO(0, 0, 0),
    CLC(0, CF, 0), STC(0, CF, 0), CMC(CF, CF, 0),
    /** ZF only; the other flags are unaffected. */
    CMPXCHG8B(0, ZF, 0),
    CMPXCHG16B(0, ZF, 0),
    MOVS(0, 0, 0), STOS(0, 0, 0), LODS(0, 0, 0),
    /** As CMP, when an iteration runs (REP with rCX = 0 changes nothing). */
    SCAS(0, OF | SF | ZF | AF | PF | CF, 0),
    CMPS(0, OF | SF | ZF | AF | PF | CF, 0),
    STD(0, 0, 0), CLD(0, 0, 0),
    LAHF(SF | ZF | AF | PF | CF, 0, 0),
    SAHF(0, SF | ZF | AF | PF | CF, 0),
    /** SETcc, CMOVcc and Jcc read the flags of their condition; see {@link Cond}. */
    SETCC(0, 0, 0), CMOVCC(0, 0, 0), JCC(0, 0, 0);

    final int reads;
    final int defines;
    final int undefined;

    FlagRule(int reads, int defines, int undefined) {
        this.reads = reads;
        this.defines = defines;
        this.undefined = undefined;
    }

    /**
     * The flags left undefined by a shift or rotate with masked count {@code count} (-1: unknown, from CL)
     * at {@code bits} operand width, given those undefined before ({@code poison}).
     */
    static int shift(FlagRule rule, int count, int bits, int poison) {
        boolean rotate = rule == ROL || rule == ROR || rule == RCL || rule == RCR;
        boolean cfLost = (rule == SHL || rule == SHR) && (count < 0 ? bits <= 16 : count >= bits);
        if (count == 0) return poison;
        if (count < 0) {
            // count 0 leaves everything, so nothing becomes defined; OF/AF may become undefined
            return poison | OF | (rotate ? 0 : AF) | (cfLost ? CF : 0);
        }
        int defined = rule.defines & ~(count > 1 ? OF : 0) & ~(cfLost ? CF : 0);
        int undef = rule.undefined | (count > 1 ? OF : 0) | (cfLost ? CF : 0);
        return (poison & ~defined) | undef;
    }

    /** The flags undefined after an instruction with this rule, given those undefined before. */
    int after(int poison) {
        return (poison & ~defines) | undefined;
    }
}
