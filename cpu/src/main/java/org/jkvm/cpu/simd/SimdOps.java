package org.jkvm.cpu.simd;

import java.util.EnumSet;
import java.util.Set;

import org.jkvm.isa.Mnemonic;

/**
 * The SIMD instructions as data: mnemonic to operation, sub-operation, element size and properties.
 * Mnemonics the decoder does not (yet) have are skipped, so the table never breaks the build.
 */
final class SimdOps {
    private SimdOps() {}

    static final int NONE = 0, MOV = 1, MOVSCALAR = 2, MOVGPR = 3, MOVQ = 4, MOVLP = 5, MOVHP = 6, MOVHLPS = 7,
        MOVLHPS = 8, MOVMSK = 9, PTEST = 10, KMOV = 11, VZEROUPPER = 12, VZEROALL = 13, LDMXCSR = 14, STMXCSR = 15,
        IBIN = 16, LOGIC = 17, IUNARY = 18, EXTEND = 19, SHIFT = 20, BYTESHIFT = 21, UNPCKL = 22, UNPCKH = 23,
        PACK = 24, PSHUFD = 25, PSHUFLW = 26, PSHUFHW = 27, SHUFPS = 28, SHUFPD = 29, PSHUFB = 30, PALIGNR = 31,
        BLENDI = 32, BLENDV = 33, PMADDWD = 34, PMULUDQ = 35, PSADBW = 36, PINSR = 37, PEXTR = 38, FBIN = 39,
        FSQRT = 40, FMINMAX = 41, FCMP = 42, FCOMI = 43, CVT = 44, DUP = 45, KLOGIC = 46, KNOT = 47, KORTEST = 48,
        KTEST = 49, KSHIFT = 50, KUNPCK = 51, TERNLOG = 52, VPCMP = 53, BROADCAST = 54, INSERT = 55, EXTRACT = 56,
        PERMVAR = 57, PERMIMM = 58, ROUND = 59, FHORIZ = 60, IHORIZ = 61, PMADDUBSW = 62, PCLMUL = 63, EXTRACTPS = 64,
        INSERTPS = 65, PCMPSTR = 66;

    private static final int N = Mnemonic.values().length;
    private static final byte[] OP = new byte[N], SUB = new byte[N], ES = new byte[N];
    private static final boolean[] SCALAR = new boolean[N];
    private static final Set<Mnemonic> ALIGNED = EnumSet.noneOf(Mnemonic.class), UNALIGNED = EnumSet.noneOf(Mnemonic.class);

    private static void def(int op, int sub, int es, String... names) {
        for (String n : names) {
            Mnemonic m;
            try {
                m = Mnemonic.valueOf(n);
            } catch (IllegalArgumentException e) {
                continue;
            }
            OP[m.ordinal()] = (byte) op;
            SUB[m.ordinal()] = (byte) sub;
            ES[m.ordinal()] = (byte) es;
        }
    }

    /** The legacy name and its VEX/EVEX "V" twin. */
    private static void both(int op, int sub, int es, String... names) {
        for (String n : names) def(op, sub, es, n, "V" + n);
    }

    private static void mark(Set<Mnemonic> set, String... names) {
        for (String n : names) {
            for (String x : new String[] {n, "V" + n}) {
                try {
                    set.add(Mnemonic.valueOf(x));
                } catch (IllegalArgumentException e) {
                    // not decoded yet
                }
            }
        }
    }

    private static void scalar(String... names) {
        for (String n : names) {
            for (String x : new String[] {n, "V" + n}) {
                try {
                    SCALAR[Mnemonic.valueOf(x).ordinal()] = true;
                } catch (IllegalArgumentException e) {
                    // not decoded yet
                }
            }
        }
    }

    static {
        both(MOV, 0, 4, "MOVAPS", "MOVUPS", "MOVNTPS");
        both(MOV, 0, 8, "MOVAPD", "MOVUPD", "MOVNTPD");
        both(MOV, 0, 8, "MOVDQA", "MOVDQU", "LDDQU", "MOVNTDQ", "MOVNTDQA");
        def(MOV, 0, 4, "VMOVDQA32", "VMOVDQU32");
        def(MOV, 0, 8, "VMOVDQA64", "VMOVDQU64");
        def(MOV, 0, 1, "VMOVDQU8");
        def(MOV, 0, 2, "VMOVDQU16");
        mark(ALIGNED, "MOVAPS", "MOVAPD", "MOVDQA", "MOVNTPS", "MOVNTPD", "MOVNTDQ", "MOVNTDQA", "MOVDQA32", "MOVDQA64");
        mark(UNALIGNED, "MOVUPS", "MOVUPD", "MOVDQU", "LDDQU", "MOVDQU8", "MOVDQU16", "MOVDQU32", "MOVDQU64");
        both(MOVSCALAR, 0, 4, "MOVSS");
        both(MOVSCALAR, 0, 8, "MOVSD");
        both(MOVGPR, 0, 4, "MOVD");
        both(MOVQ, 0, 8, "MOVQ");
        both(MOVLP, 0, 8, "MOVLPS", "MOVLPD");
        both(MOVHP, 0, 8, "MOVHPS", "MOVHPD");
        both(MOVHLPS, 0, 8, "MOVHLPS");
        both(MOVLHPS, 0, 8, "MOVLHPS");
        both(MOVMSK, 0, 4, "MOVMSKPS");
        both(MOVMSK, 0, 8, "MOVMSKPD");
        both(MOVMSK, 0, 1, "PMOVMSKB");
        both(PTEST, 0, 8, "PTEST");
        def(KMOV, 0, 1, "KMOVB");
        def(KMOV, 0, 2, "KMOVW");
        def(KMOV, 0, 4, "KMOVD");
        def(KMOV, 0, 8, "KMOVQ");
        def(VZEROUPPER, 0, 0, "VZEROUPPER");
        def(VZEROALL, 0, 0, "VZEROALL");
        both(LDMXCSR, 0, 4, "LDMXCSR");
        both(STMXCSR, 0, 4, "STMXCSR");

        String[] bwdq = {"B", "W", "D", "Q"};
        for (int i = 0; i < 4; i++) {
            int es = 1 << i;
            both(IBIN, Int.ADD, es, "PADD" + bwdq[i]);
            both(IBIN, Int.SUB, es, "PSUB" + bwdq[i]);
            both(IBIN, Int.CMPEQ, es, "PCMPEQ" + bwdq[i]);
            both(IBIN, Int.CMPGT, es, "PCMPGT" + bwdq[i]);
        }
        both(IBIN, Int.ADDS, 1, "PADDSB");
        both(IBIN, Int.ADDS, 2, "PADDSW");
        both(IBIN, Int.ADDUS, 1, "PADDUSB");
        both(IBIN, Int.ADDUS, 2, "PADDUSW");
        both(IBIN, Int.SUBS, 1, "PSUBSB");
        both(IBIN, Int.SUBS, 2, "PSUBSW");
        both(IBIN, Int.SUBUS, 1, "PSUBUSB");
        both(IBIN, Int.SUBUS, 2, "PSUBUSW");
        both(IBIN, Int.MULLO, 2, "PMULLW");
        both(IBIN, Int.MULLO, 4, "PMULLD");
        both(IBIN, Int.MULHI, 2, "PMULHW");
        both(IBIN, Int.MULHU, 2, "PMULHUW");
        both(IBIN, Int.MULHRS, 2, "PMULHRSW");
        both(IBIN, Int.AVG, 1, "PAVGB");
        both(IBIN, Int.AVG, 2, "PAVGW");
        String[] bwd = {"B", "W", "D"};
        for (int i = 0; i < 3; i++) {
            int es = 1 << i;
            both(IBIN, Int.MINS, es, "PMINS" + bwd[i]);
            both(IBIN, Int.MINU, es, "PMINU" + bwd[i]);
            both(IBIN, Int.MAXS, es, "PMAXS" + bwd[i]);
            both(IBIN, Int.MAXU, es, "PMAXU" + bwd[i]);
            both(IBIN, Int.SIGN, es, "PSIGN" + bwd[i]);
            both(IUNARY, 0, es, "PABS" + bwd[i]);
        }
        both(LOGIC, 0, 8, "PAND");
        both(LOGIC, 1, 8, "PANDN");
        both(LOGIC, 2, 8, "POR");
        both(LOGIC, 3, 8, "PXOR");
        def(LOGIC, 0, 4, "VPANDD");
        def(LOGIC, 0, 8, "VPANDQ");
        def(LOGIC, 1, 4, "VPANDND");
        def(LOGIC, 1, 8, "VPANDNQ");
        def(LOGIC, 2, 4, "VPORD");
        def(LOGIC, 2, 8, "VPORQ");
        def(LOGIC, 3, 4, "VPXORD");
        def(LOGIC, 3, 8, "VPXORQ");
        both(LOGIC, 0, 4, "ANDPS");
        both(LOGIC, 1, 4, "ANDNPS");
        both(LOGIC, 2, 4, "ORPS");
        both(LOGIC, 3, 4, "XORPS");
        both(LOGIC, 0, 8, "ANDPD");
        both(LOGIC, 1, 8, "ANDNPD");
        both(LOGIC, 2, 8, "ORPD");
        both(LOGIC, 3, 8, "XORPD");
        both(PMADDWD, 0, 4, "PMADDWD");
        both(PMULUDQ, 0, 8, "PMULUDQ");
        both(PMULUDQ, 1, 8, "PMULDQ");
        both(PSADBW, 0, 8, "PSADBW");

        String[][] ext = {{"BW", "1", "2"}, {"BD", "1", "4"}, {"BQ", "1", "8"}, {"WD", "2", "4"}, {"WQ", "2", "8"},
            {"DQ", "4", "8"}};
        for (String[] e : ext) {
            int from = Integer.parseInt(e[1]), to = Integer.parseInt(e[2]);
            both(EXTEND, from | 0x10, to, "PMOVSX" + e[0]);
            both(EXTEND, from, to, "PMOVZX" + e[0]);
        }
        both(SHIFT, Int.SHL, 2, "PSLLW");
        both(SHIFT, Int.SHL, 4, "PSLLD");
        both(SHIFT, Int.SHL, 8, "PSLLQ");
        both(SHIFT, Int.SHR, 2, "PSRLW");
        both(SHIFT, Int.SHR, 4, "PSRLD");
        both(SHIFT, Int.SHR, 8, "PSRLQ");
        both(SHIFT, Int.SAR, 2, "PSRAW");
        both(SHIFT, Int.SAR, 4, "PSRAD");
        def(SHIFT, Int.SAR, 8, "VPSRAQ");
        both(BYTESHIFT, 0, 1, "PSLLDQ");
        both(BYTESHIFT, 1, 1, "PSRLDQ");
        both(UNPCKL, 0, 1, "PUNPCKLBW");
        both(UNPCKL, 0, 2, "PUNPCKLWD");
        both(UNPCKL, 0, 4, "PUNPCKLDQ", "UNPCKLPS");
        both(UNPCKL, 0, 8, "PUNPCKLQDQ", "UNPCKLPD");
        both(UNPCKH, 0, 1, "PUNPCKHBW");
        both(UNPCKH, 0, 2, "PUNPCKHWD");
        both(UNPCKH, 0, 4, "PUNPCKHDQ", "UNPCKHPS");
        both(UNPCKH, 0, 8, "PUNPCKHQDQ", "UNPCKHPD");
        both(PACK, 0, 1, "PACKSSWB");
        both(PACK, 0, 2, "PACKSSDW");
        both(PACK, 1, 1, "PACKUSWB");
        both(PACK, 1, 2, "PACKUSDW");
        both(PSHUFD, 0, 4, "PSHUFD");
        both(PSHUFLW, 0, 2, "PSHUFLW");
        both(PSHUFHW, 0, 2, "PSHUFHW");
        both(SHUFPS, 0, 4, "SHUFPS");
        both(SHUFPD, 0, 8, "SHUFPD");
        both(PSHUFB, 0, 1, "PSHUFB");
        both(PALIGNR, 0, 1, "PALIGNR");
        both(BLENDI, 0, 4, "BLENDPS");
        both(BLENDI, 0, 8, "BLENDPD");
        both(BLENDI, 0, 2, "PBLENDW");
        both(BLENDV, 0, 1, "PBLENDVB");
        both(BLENDV, 0, 4, "BLENDVPS");
        both(BLENDV, 0, 8, "BLENDVPD");
        both(PINSR, 0, 1, "PINSRB");
        both(PINSR, 0, 2, "PINSRW");
        both(PINSR, 0, 4, "PINSRD");
        both(PINSR, 0, 8, "PINSRQ");
        both(PEXTR, 0, 1, "PEXTRB");
        both(PEXTR, 0, 2, "PEXTRW");
        both(PEXTR, 0, 4, "PEXTRD");
        both(PEXTR, 0, 8, "PEXTRQ");
        both(DUP, 0, 4, "MOVSLDUP");
        both(DUP, 1, 4, "MOVSHDUP");
        both(DUP, 2, 8, "MOVDDUP");

        String[][] fb = {{"ADD", "0"}, {"SUB", "1"}, {"MUL", "2"}, {"DIV", "3"}};
        for (String[] f : fb) {
            int sub = Integer.parseInt(f[1]);
            both(FBIN, sub, 4, f[0] + "PS", f[0] + "SS");
            both(FBIN, sub, 8, f[0] + "PD", f[0] + "SD");
        }
        both(FMINMAX, 0, 4, "MINPS", "MINSS");
        both(FMINMAX, 0, 8, "MINPD", "MINSD");
        both(FMINMAX, 1, 4, "MAXPS", "MAXSS");
        both(FMINMAX, 1, 8, "MAXPD", "MAXSD");
        both(FSQRT, 0, 4, "SQRTPS", "SQRTSS");
        both(FSQRT, 0, 8, "SQRTPD", "SQRTSD");
        both(FCMP, 0, 4, "CMPPS", "CMPSS");
        both(FCMP, 0, 8, "CMPPD");
        def(FCMP, 0, 8, "VCMPSD"); // legacy CMPSD (F2 0F C2) shares its name with the string instruction
        both(FCOMI, 1, 4, "COMISS");
        both(FCOMI, 0, 4, "UCOMISS");
        both(FCOMI, 1, 8, "COMISD");
        both(FCOMI, 0, 8, "UCOMISD");
        scalar("ADDSS", "SUBSS", "MULSS", "DIVSS", "MINSS", "MAXSS", "SQRTSS", "CMPSS", "ADDSD", "SUBSD", "MULSD", "DIVSD",
            "MINSD", "MAXSD", "SQRTSD", "CMPSD");

        both(CVT, Cvt.SI2SS, 4, "CVTSI2SS");
        both(CVT, Cvt.SI2SD, 8, "CVTSI2SD");
        both(CVT, Cvt.SS2SI, 4, "CVTSS2SI");
        both(CVT, Cvt.TSS2SI, 4, "CVTTSS2SI");
        both(CVT, Cvt.SD2SI, 8, "CVTSD2SI");
        both(CVT, Cvt.TSD2SI, 8, "CVTTSD2SI");
        both(CVT, Cvt.SS2SD, 8, "CVTSS2SD");
        both(CVT, Cvt.SD2SS, 4, "CVTSD2SS");
        both(CVT, Cvt.DQ2PS, 4, "CVTDQ2PS");
        both(CVT, Cvt.PS2DQ, 4, "CVTPS2DQ");
        both(CVT, Cvt.TPS2DQ, 4, "CVTTPS2DQ");
        both(CVT, Cvt.DQ2PD, 8, "CVTDQ2PD");
        both(CVT, Cvt.PS2PD, 8, "CVTPS2PD");
        both(CVT, Cvt.PD2DQ, 4, "CVTPD2DQ");
        both(CVT, Cvt.TPD2DQ, 4, "CVTTPD2DQ");
        both(CVT, Cvt.PD2PS, 4, "CVTPD2PS");
    }

    static {
        String[] kw = {"B", "W", "D", "Q"};
        for (int i = 0; i < 4; i++) {
            int es = 1 << i;
            def(KLOGIC, 0, es, "KAND" + kw[i]);
            def(KLOGIC, 1, es, "KANDN" + kw[i]);
            def(KLOGIC, 2, es, "KOR" + kw[i]);
            def(KLOGIC, 3, es, "KXOR" + kw[i]);
            def(KLOGIC, 4, es, "KXNOR" + kw[i]);
            def(KLOGIC, 5, es, "KADD" + kw[i]);
            def(KNOT, 0, es, "KNOT" + kw[i]);
            def(KORTEST, 0, es, "KORTEST" + kw[i]);
            def(KTEST, 0, es, "KTEST" + kw[i]);
            def(KSHIFT, 0, es, "KSHIFTL" + kw[i]);
            def(KSHIFT, 1, es, "KSHIFTR" + kw[i]);
            def(VPCMP, 0, es, "VPCMP" + kw[i]);
            def(VPCMP, 1, es, "VPCMPU" + kw[i]);
            def(BROADCAST, es, es, "VPBROADCAST" + kw[i]);
        }
        def(KUNPCK, 0, 2, "KUNPCKBW");
        def(KUNPCK, 0, 4, "KUNPCKWD");
        def(KUNPCK, 0, 8, "KUNPCKDQ");
        def(TERNLOG, 0, 4, "VPTERNLOGD");
        def(TERNLOG, 0, 8, "VPTERNLOGQ");
        // broadcast: sub is the chunk size in bytes
        def(BROADCAST, 4, 4, "VBROADCASTSS");
        def(BROADCAST, 8, 8, "VBROADCASTSD");
        def(BROADCAST, 16, 8, "VBROADCASTI128", "VBROADCASTF128");
        def(BROADCAST, 8, 4, "VBROADCASTI32X2", "VBROADCASTF32X2");
        def(BROADCAST, 16, 4, "VBROADCASTI32X4", "VBROADCASTF32X4");
        def(BROADCAST, 16, 8, "VBROADCASTI64X2", "VBROADCASTF64X2");
        def(BROADCAST, 32, 4, "VBROADCASTI32X8", "VBROADCASTF32X8");
        def(BROADCAST, 32, 8, "VBROADCASTI64X4", "VBROADCASTF64X4");
        // insert/extract: sub is the chunk size in bytes
        def(INSERT, 16, 8, "VINSERTI128", "VINSERTF128");
        def(INSERT, 16, 4, "VINSERTI32X4", "VINSERTF32X4");
        def(INSERT, 16, 8, "VINSERTI64X2", "VINSERTF64X2");
        def(INSERT, 32, 4, "VINSERTI32X8", "VINSERTF32X8");
        def(INSERT, 32, 8, "VINSERTI64X4", "VINSERTF64X4");
        def(EXTRACT, 16, 8, "VEXTRACTI128", "VEXTRACTF128");
        def(EXTRACT, 16, 4, "VEXTRACTI32X4", "VEXTRACTF32X4");
        def(EXTRACT, 16, 8, "VEXTRACTI64X2", "VEXTRACTF64X2");
        def(EXTRACT, 32, 4, "VEXTRACTI32X8", "VEXTRACTF32X8");
        def(EXTRACT, 32, 8, "VEXTRACTI64X4", "VEXTRACTF64X4");
        def(PERMVAR, 0, 4, "VPERMD", "VPERMPS");
        def(PERMVAR, 0, 2, "VPERMW");
        def(PERMVAR, 0, 1, "VPERMB");
        def(PERMIMM, 0, 8, "VPERMQ", "VPERMPD");
        both(ROUND, 0, 4, "ROUNDPS", "ROUNDSS");
        both(ROUND, 0, 8, "ROUNDPD", "ROUNDSD");
        scalar("ROUNDSS", "ROUNDSD");
        // horizontal FP: sub 0 HADD, 1 HSUB, 2 ADDSUB
        both(FHORIZ, 0, 4, "HADDPS");
        both(FHORIZ, 0, 8, "HADDPD");
        both(FHORIZ, 1, 4, "HSUBPS");
        both(FHORIZ, 1, 8, "HSUBPD");
        both(FHORIZ, 2, 4, "ADDSUBPS");
        both(FHORIZ, 2, 8, "ADDSUBPD");
        // horizontal integer: sub 0 add, 1 sub, 2 add saturating, 3 sub saturating
        both(IHORIZ, 0, 2, "PHADDW");
        both(IHORIZ, 0, 4, "PHADDD");
        both(IHORIZ, 1, 2, "PHSUBW");
        both(IHORIZ, 1, 4, "PHSUBD");
        both(IHORIZ, 2, 2, "PHADDSW");
        both(IHORIZ, 3, 2, "PHSUBSW");
        both(PMADDUBSW, 0, 2, "PMADDUBSW");
        both(PCLMUL, 0, 8, "PCLMULQDQ");
        both(EXTRACTPS, 0, 4, "EXTRACTPS");
        both(INSERTPS, 0, 4, "INSERTPS");
        // PCMPxSTRx: sub bit 0 = explicit lengths, bit 1 = mask output
        both(PCMPSTR, 1, 1, "PCMPESTRI");
        both(PCMPSTR, 3, 1, "PCMPESTRM");
        both(PCMPSTR, 0, 1, "PCMPISTRI");
        both(PCMPSTR, 2, 1, "PCMPISTRM");
        mark(UNALIGNED, "PCMPESTRI", "PCMPESTRM", "PCMPISTRI", "PCMPISTRM");
    }

    static int op(Mnemonic m) { return OP[m.ordinal()]; }

    static int sub(Mnemonic m) { return SUB[m.ordinal()]; }

    static int esize(Mnemonic m) { return ES[m.ordinal()]; }

    static boolean scalar(Mnemonic m) { return SCALAR[m.ordinal()]; }

    static boolean aligned(Mnemonic m) { return ALIGNED.contains(m); }

    static boolean unaligned(Mnemonic m) { return UNALIGNED.contains(m); }

    static boolean unary(int op) {
        return op == IUNARY || op == EXTEND || op == PSHUFD || op == PSHUFLW || op == PSHUFHW || op == DUP;
    }
}
