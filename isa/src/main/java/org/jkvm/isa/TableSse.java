package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;

/**
 * SSE..SSE4.2 (with MMX forms) and, on the same line, the VEX and EVEX forms of each instruction:
 * {@code legacy-line || vex-operands | vex-encoding-extras | vex-attributes || evex-operands | ... }.
 * The VEX/EVEX mnemonic is the legacy one with a "v" prefix; the opcode, map and mandatory prefix are shared.
 */
final class TableSse {
    private TableSse() {}

    private static final String VX3 = "Vx,Hx,Wx", VO3 = "Vo,Ho,Wo";

    /** Arithmetic ps/pd/ss/sd quadruples: name stem, opcode, EVEX attributes for packed forms. */
    private static void arith4(List<String> l, String stem, String op, String ev, boolean scalars) {
        l.add(stem + "ps Vo,Wo | NP 0F " + op + " /r | F=SSE || " + VX3 + " | | F=AVX || " + VX3 + " | W0 | F=AVX512F kz b4 " + ev);
        l.add(stem + "pd Vo,Wo | 66 0F " + op + " /r | F=SSE2 || " + VX3 + " | | F=AVX || " + VX3 + " | W1 | F=AVX512F kz b8 " + ev);
        if (scalars) {
            String evs = ev.isEmpty() ? "" : ev;
            l.add(stem + "ss Vo,Wd | F3 0F " + op + " /r | F=SSE || Vo,Ho,Wd | LIG | F=AVX || Vo,Ho,Wd | LIG W0 | F=AVX512F kz " + evs);
            l.add(stem + "sd Vo,Wq | F2 0F " + op + " /r | F=SSE2 || Vo,Ho,Wq | LIG | F=AVX || Vo,Ho,Wq | LIG W1 | F=AVX512F kz " + evs);
        }
    }

    /** Integer ops with MMX (NP) and XMM (66) forms. */
    private static void mmxInt(List<String> l, String name, String map, String op, String feat, String evex) {
        String mf = feat.equals("SSE2") ? "MMX" : feat;
        // The low-half unpacks read only 32 bits of an MMX memory operand.
        String q = name.startsWith("punpckl") ? "Q:d" : "Q";
        l.add(name + " P," + q + " | NP " + map + " " + op + " /r | F=" + mf);
        l.add(name + " Vo,Wo | 66 " + map + " " + op + " /r | F=" + feat + " || " + VX3 + " | | F=AVX" + (evex == null ? "" : " || " + VX3 + " | " + evex));
    }

    static String[] lines() {
        List<String> l = new ArrayList<>();
        arith4(l, "add", "58", "er", true);
        arith4(l, "mul", "59", "er", true);
        arith4(l, "sub", "5C", "er", true);
        arith4(l, "min", "5D", "sae", true);
        arith4(l, "div", "5E", "er", true);
        arith4(l, "max", "5F", "sae", true);
        arith4(l, "sqrt", "51", "er", false);
        l.add("sqrtss Vo,Wd | F3 0F 51 /r | F=SSE || Vo,Ho,Wd | LIG | F=AVX || Vo,Ho,Wd | LIG W0 | F=AVX512F kz er");
        l.add("sqrtsd Vo,Wq | F2 0F 51 /r | F=SSE2 || Vo,Ho,Wq | LIG | F=AVX || Vo,Ho,Wq | LIG W1 | F=AVX512F kz er");
        // sqrt is two-operand in VEX/EVEX packed form
        l.removeIf(s -> s.startsWith("sqrtps") || s.startsWith("sqrtpd"));
        l.add("sqrtps Vo,Wo | NP 0F 51 /r | F=SSE || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz b4 er");
        l.add("sqrtpd Vo,Wo | 66 0F 51 /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W1 | F=AVX512F kz b8 er");
        l.add("rsqrtps Vo,Wo | NP 0F 52 /r | F=SSE || Vx,Wx | | F=AVX");
        l.add("rsqrtss Vo,Wd | F3 0F 52 /r | F=SSE || Vo,Ho,Wd | LIG | F=AVX");
        l.add("rcpps Vo,Wo | NP 0F 53 /r | F=SSE || Vx,Wx | | F=AVX");
        l.add("rcpss Vo,Wd | F3 0F 53 /r | F=SSE || Vo,Ho,Wd | LIG | F=AVX");
        String[][] logic = {{"and", "54"}, {"andn", "55"}, {"or", "56"}, {"xor", "57"}};
        for (String[] g : logic) {
            l.add(g[0] + "ps Vo,Wo | NP 0F " + g[1] + " /r | F=SSE || " + VX3 + " | | F=AVX || " + VX3 + " | W0 | F=AVX512DQ kz b4");
            l.add(g[0] + "pd Vo,Wo | 66 0F " + g[1] + " /r | F=SSE2 || " + VX3 + " | | F=AVX || " + VX3 + " | W1 | F=AVX512DQ kz b8");
        }
        l.add("unpcklps Vo,Wo | NP 0F 14 /r | F=SSE || " + VX3 + " | | F=AVX || " + VX3 + " | W0 | F=AVX512F kz b4");
        l.add("unpcklpd Vo,Wo | 66 0F 14 /r | F=SSE2 || " + VX3 + " | | F=AVX || " + VX3 + " | W1 | F=AVX512F kz b8");
        l.add("unpckhps Vo,Wo | NP 0F 15 /r | F=SSE || " + VX3 + " | | F=AVX || " + VX3 + " | W0 | F=AVX512F kz b4");
        l.add("unpckhpd Vo,Wo | 66 0F 15 /r | F=SSE2 || " + VX3 + " | | F=AVX || " + VX3 + " | W1 | F=AVX512F kz b8");
        String[] more = {
            "movups Vo,Wo | NP 0F 10 /r | F=SSE || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz",
            "movupd Vo,Wo | 66 0F 10 /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W1 | F=AVX512F kz",
            "movups Wo,Vo | NP 0F 11 /r | F=SSE || Wx,Vx | | F=AVX || Wx,Vx | W0 | F=AVX512F k",
            "movupd Wo,Vo | 66 0F 11 /r | F=SSE2 || Wx,Vx | | F=AVX || Wx,Vx | W1 | F=AVX512F k",
            "movss Vo,Wd | F3 0F 10 /r | F=SSE", "movsd Vo,Wq | F2 0F 10 /r | F=SSE2",
            "movss Wd,Vo | F3 0F 11 /r | F=SSE", "movsd Wq,Vo | F2 0F 11 /r | F=SSE2",
            "vmovss Vo,Md | VEX F3 0F 10 /r:m LIG | F=AVX", "vmovsd Vo,Mq | VEX F2 0F 10 /r:m LIG | F=AVX",
            "vmovss Vo,Ho,Uo | VEX F3 0F 10 /r:r LIG | F=AVX", "vmovsd Vo,Ho,Uo | VEX F2 0F 10 /r:r LIG | F=AVX",
            "vmovss Md,Vo | VEX F3 0F 11 /r:m LIG | F=AVX", "vmovsd Mq,Vo | VEX F2 0F 11 /r:m LIG | F=AVX",
            "vmovss Uo,Ho,Vo | VEX F3 0F 11 /r:r LIG | F=AVX", "vmovsd Uo,Ho,Vo | VEX F2 0F 11 /r:r LIG | F=AVX",
            "vmovss Vo,Md | EVEX F3 0F 10 /r:m LIG W0 | F=AVX512F kz", "vmovsd Vo,Mq | EVEX F2 0F 10 /r:m LIG W1 | F=AVX512F kz",
            "vmovss Vo,Ho,Uo | EVEX F3 0F 10 /r:r LIG W0 | F=AVX512F kz", "vmovsd Vo,Ho,Uo | EVEX F2 0F 10 /r:r LIG W1 | F=AVX512F kz",
            "vmovss Md,Vo | EVEX F3 0F 11 /r:m LIG W0 | F=AVX512F k", "vmovsd Mq,Vo | EVEX F2 0F 11 /r:m LIG W1 | F=AVX512F k",
            "movhlps Vo,Uo | NP 0F 12 /r:r | F=SSE || Vo,Ho,Uo | L0 | F=AVX || Vo,Ho,Uo | L0 W0 | F=AVX512F",
            "movlps Vo,Mq | NP 0F 12 /r:m | F=SSE || Vo,Ho,Mq | L0 | F=AVX || Vo,Ho,Mq | L0 W0 | F=AVX512F",
            "movlpd Vo,Mq | 66 0F 12 /r:m | F=SSE2 || Vo,Ho,Mq | L0 | F=AVX || Vo,Ho,Mq | L0 W1 | F=AVX512F",
            "movsldup Vo,Wo | F3 0F 12 /r | F=SSE3 || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz",
            "movddup Vo,Wq | F2 0F 12 /r | F=SSE3",
            "movlps Mq,Vo | NP 0F 13 /r:m | F=SSE || Mq,Vo | L0 | F=AVX || Mq,Vo | L0 W0 | F=AVX512F",
            "movlpd Mq,Vo | 66 0F 13 /r:m | F=SSE2 || Mq,Vo | L0 | F=AVX || Mq,Vo | L0 W1 | F=AVX512F",
            "movlhps Vo,Uo | NP 0F 16 /r:r | F=SSE || Vo,Ho,Uo | L0 | F=AVX || Vo,Ho,Uo | L0 W0 | F=AVX512F",
            "movhps Vo,Mq | NP 0F 16 /r:m | F=SSE || Vo,Ho,Mq | L0 | F=AVX || Vo,Ho,Mq | L0 W0 | F=AVX512F",
            "movhpd Vo,Mq | 66 0F 16 /r:m | F=SSE2 || Vo,Ho,Mq | L0 | F=AVX || Vo,Ho,Mq | L0 W1 | F=AVX512F",
            "movshdup Vo,Wo | F3 0F 16 /r | F=SSE3 || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz",
            "movhps Mq,Vo | NP 0F 17 /r:m | F=SSE || Mq,Vo | L0 | F=AVX || Mq,Vo | L0 W0 | F=AVX512F",
            "movhpd Mq,Vo | 66 0F 17 /r:m | F=SSE2 || Mq,Vo | L0 | F=AVX || Mq,Vo | L0 W1 | F=AVX512F",
            "movaps Vo,Wo | NP 0F 28 /r | F=SSE || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz",
            "movapd Vo,Wo | 66 0F 28 /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W1 | F=AVX512F kz",
            "movaps Wo,Vo | NP 0F 29 /r | F=SSE || Wx,Vx | | F=AVX || Wx,Vx | W0 | F=AVX512F k",
            "movapd Wo,Vo | 66 0F 29 /r | F=SSE2 || Wx,Vx | | F=AVX || Wx,Vx | W1 | F=AVX512F k",
            "cvtpi2ps Vo,Q | NP 0F 2A /r | F=SSE", "cvtpi2pd Vo,Q | 66 0F 2A /r | F=SSE2",
            "cvtsi2ss Vo,Ey | F3 0F 2A /r | F=SSE att=cvtsi2ss{s1} || Vo,Ho,Ey | LIG | F=AVX att=vcvtsi2ss{s2}",
            "cvtsi2sd Vo,Ey | F2 0F 2A /r | F=SSE2 att=cvtsi2sd{s1} || Vo,Ho,Ey | LIG | F=AVX att=vcvtsi2sd{s2}",
            "movntps Mo,Vo | NP 0F 2B /r:m | F=SSE || Mx,Vx | | F=AVX || Mx,Vx | W0 | F=AVX512F",
            "movntpd Mo,Vo | 66 0F 2B /r:m | F=SSE2 || Mx,Vx | | F=AVX || Mx,Vx | W1 | F=AVX512F",
            "cvttps2pi P,Wq | NP 0F 2C /r | F=SSE", "cvttpd2pi P,Wo | 66 0F 2C /r | F=SSE2",
            "cvttss2si Gy,Wd | F3 0F 2C /r | F=SSE || Gy,Wd | LIG | F=AVX",
            "cvttsd2si Gy,Wq | F2 0F 2C /r | F=SSE2 || Gy,Wq | LIG | F=AVX",
            "cvtps2pi P,Wq | NP 0F 2D /r | F=SSE", "cvtpd2pi P,Wo | 66 0F 2D /r | F=SSE2",
            "cvtss2si Gy,Wd | F3 0F 2D /r | F=SSE || Gy,Wd | LIG | F=AVX",
            "cvtsd2si Gy,Wq | F2 0F 2D /r | F=SSE2 || Gy,Wq | LIG | F=AVX",
            "ucomiss Vo,Wd | NP 0F 2E /r | F=SSE || Vo,Wd | LIG | F=AVX || Vo,Wd | LIG W0 | F=AVX512F sae",
            "ucomisd Vo,Wq | 66 0F 2E /r | F=SSE2 || Vo,Wq | LIG | F=AVX || Vo,Wq | LIG W1 | F=AVX512F sae",
            "comiss Vo,Wd | NP 0F 2F /r | F=SSE || Vo,Wd | LIG | F=AVX || Vo,Wd | LIG W0 | F=AVX512F sae",
            "comisd Vo,Wq | 66 0F 2F /r | F=SSE2 || Vo,Wq | LIG | F=AVX || Vo,Wq | LIG W1 | F=AVX512F sae",
            "movmskps Gd,Uo | NP 0F 50 /r:r | F=SSE || Gd,Ux | | F=AVX",
            "movmskpd Gd,Uo | 66 0F 50 /r:r | F=SSE2 || Gd,Ux | | F=AVX",
            "cvtps2pd Vo,Wq | NP 0F 5A /r | F=SSE2 || Vx,Wh | | F=AVX || Vx,Wh | W0 | F=AVX512F kz b4 sae",
            "cvtpd2ps Vo,Wo | 66 0F 5A /r | F=SSE2",
            "cvtss2sd Vo,Wd | F3 0F 5A /r | F=SSE2 || Vo,Ho,Wd | LIG | F=AVX || Vo,Ho,Wd | LIG W0 | F=AVX512F kz sae",
            "cvtsd2ss Vo,Wq | F2 0F 5A /r | F=SSE2 || Vo,Ho,Wq | LIG | F=AVX || Vo,Ho,Wq | LIG W1 | F=AVX512F kz er",
            "cvtdq2ps Vo,Wo | NP 0F 5B /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz b4 er",
            "cvtps2dq Vo,Wo | 66 0F 5B /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz b4 er",
            "cvttps2dq Vo,Wo | F3 0F 5B /r | F=SSE2 || Vx,Wx | | F=AVX || Vx,Wx | W0 | F=AVX512F kz b4 sae",
            "movd P,Ed | NP 0F 6E /r W0 | F=MMX", "movq P,Eq | NP 0F 6E /r W1 | F=MMX",
            "movd Vo,Ed | 66 0F 6E /r W0 | F=SSE2 || Vo,Ed | L0 W0 | F=AVX || Vo,Ed | L0 W0 | F=AVX512F",
            "movq Vo,Eq | 66 0F 6E /r W1 | F=SSE2 || Vo,Eq | L0 W1 | F=AVX || Vo,Eq | L0 W1 | F=AVX512F",
            "movd Ed,P | NP 0F 7E /r W0 | F=MMX", "movq Eq,P | NP 0F 7E /r W1 | F=MMX",
            "movd Ed,Vo | 66 0F 7E /r W0 | F=SSE2 || Ed,Vo | L0 W0 | F=AVX || Ed,Vo | L0 W0 | F=AVX512F",
            "movq Eq,Vo | 66 0F 7E /r W1 | F=SSE2 || Eq,Vo | L0 W1 | F=AVX || Eq,Vo | L0 W1 | F=AVX512F",
            "movq Vo,Wq | F3 0F 7E /r | F=SSE2 || Vo,Wq | L0 | F=AVX",
            "movq P,Q | NP 0F 6F /r | F=MMX", "movq Q,P | NP 0F 7F /r | F=MMX",
            "movdqa Vo,Wo | 66 0F 6F /r | F=SSE2 || Vx,Wx | | F=AVX",
            "movdqu Vo,Wo | F3 0F 6F /r | F=SSE2 || Vx,Wx | | F=AVX",
            "movdqa Wo,Vo | 66 0F 7F /r | F=SSE2 || Wx,Vx | | F=AVX",
            "movdqu Wo,Vo | F3 0F 7F /r | F=SSE2 || Wx,Vx | | F=AVX",
            "vmovdqa32 Vx,Wx | EVEX 66 0F 6F /r W0 | F=AVX512F kz", "vmovdqa64 Vx,Wx | EVEX 66 0F 6F /r W1 | F=AVX512F kz",
            "vmovdqu32 Vx,Wx | EVEX F3 0F 6F /r W0 | F=AVX512F kz", "vmovdqu64 Vx,Wx | EVEX F3 0F 6F /r W1 | F=AVX512F kz",
            "vmovdqu8 Vx,Wx | EVEX F2 0F 6F /r W0 | F=AVX512BW kz", "vmovdqu16 Vx,Wx | EVEX F2 0F 6F /r W1 | F=AVX512BW kz",
            "vmovdqa32 Wx,Vx | EVEX 66 0F 7F /r W0 | F=AVX512F kz", "vmovdqa64 Wx,Vx | EVEX 66 0F 7F /r W1 | F=AVX512F kz",
            "vmovdqu32 Wx,Vx | EVEX F3 0F 7F /r W0 | F=AVX512F kz", "vmovdqu64 Wx,Vx | EVEX F3 0F 7F /r W1 | F=AVX512F kz",
            "vmovdqu8 Wx,Vx | EVEX F2 0F 7F /r W0 | F=AVX512BW kz", "vmovdqu16 Wx,Vx | EVEX F2 0F 7F /r W1 | F=AVX512BW kz",
            "pshufw P,Q,Ib | NP 0F 70 /r | F=SSE",
            "pshufd Vo,Wo,Ib | 66 0F 70 /r | F=SSE2 || Vx,Wx,Ib | | F=AVX2 || Vx,Wx,Ib | W0 | F=AVX512F kz b4",
            "pshufhw Vo,Wo,Ib | F3 0F 70 /r | F=SSE2 || Vx,Wx,Ib | | F=AVX2 || Vx,Wx,Ib | | F=AVX512BW kz",
            "pshuflw Vo,Wo,Ib | F2 0F 70 /r | F=SSE2 || Vx,Wx,Ib | | F=AVX2 || Vx,Wx,Ib | | F=AVX512BW kz",
            "psrlw N,Ib | NP 0F 71 /2:r | F=MMX", "psraw N,Ib | NP 0F 71 /4:r | F=MMX", "psllw N,Ib | NP 0F 71 /6:r | F=MMX",
            "psrld N,Ib | NP 0F 72 /2:r | F=MMX", "psrad N,Ib | NP 0F 72 /4:r | F=MMX", "pslld N,Ib | NP 0F 72 /6:r | F=MMX",
            "psrlq N,Ib | NP 0F 73 /2:r | F=MMX", "psllq N,Ib | NP 0F 73 /6:r | F=MMX",
            "psrlw Uo,Ib | 66 0F 71 /2:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2", "psraw Uo,Ib | 66 0F 71 /4:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "psllw Uo,Ib | 66 0F 71 /6:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "psrld Uo,Ib | 66 0F 72 /2:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2", "psrad Uo,Ib | 66 0F 72 /4:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "pslld Uo,Ib | 66 0F 72 /6:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "psrlq Uo,Ib | 66 0F 73 /2:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2", "psrldq Uo,Ib | 66 0F 73 /3:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "psllq Uo,Ib | 66 0F 73 /6:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2", "pslldq Uo,Ib | 66 0F 73 /7:r | F=SSE2 || Hx,Ux,Ib | | F=AVX2",
            "vpsrlw Hx,Wx,Ib | EVEX 66 0F 71 /2 | F=AVX512BW kz", "vpsraw Hx,Wx,Ib | EVEX 66 0F 71 /4 | F=AVX512BW kz",
            "vpsllw Hx,Wx,Ib | EVEX 66 0F 71 /6 | F=AVX512BW kz",
            "vprord Hx,Wx,Ib | EVEX 66 0F 72 /0 W0 | F=AVX512F kz b4", "vprorq Hx,Wx,Ib | EVEX 66 0F 72 /0 W1 | F=AVX512F kz b8",
            "vprold Hx,Wx,Ib | EVEX 66 0F 72 /1 W0 | F=AVX512F kz b4", "vprolq Hx,Wx,Ib | EVEX 66 0F 72 /1 W1 | F=AVX512F kz b8",
            "vpsrld Hx,Wx,Ib | EVEX 66 0F 72 /2 W0 | F=AVX512F kz b4",
            "vpsrad Hx,Wx,Ib | EVEX 66 0F 72 /4 W0 | F=AVX512F kz b4", "vpsraq Hx,Wx,Ib | EVEX 66 0F 72 /4 W1 | F=AVX512F kz b8",
            "vpslld Hx,Wx,Ib | EVEX 66 0F 72 /6 W0 | F=AVX512F kz b4",
            "vpsrlq Hx,Wx,Ib | EVEX 66 0F 73 /2 W1 | F=AVX512F kz b8", "vpsrldq Hx,Wx,Ib | EVEX 66 0F 73 /3 | F=AVX512BW",
            "vpsllq Hx,Wx,Ib | EVEX 66 0F 73 /6 W1 | F=AVX512F kz b8", "vpslldq Hx,Wx,Ib | EVEX 66 0F 73 /7 | F=AVX512BW",
            "emms | NP 0F 77 | F=MMX X=0x1",
            "vzeroupper | VEX NP 0F 77 L0 | F=AVX X=0x6", "vzeroall | VEX NP 0F 77 L1 | F=AVX X=0x6",
            "haddpd Vo,Wo | 66 0F 7C /r | F=SSE3 || " + VX3 + " | | F=AVX", "haddps Vo,Wo | F2 0F 7C /r | F=SSE3 || " + VX3 + " | | F=AVX",
            "hsubpd Vo,Wo | 66 0F 7D /r | F=SSE3 || " + VX3 + " | | F=AVX", "hsubps Vo,Wo | F2 0F 7D /r | F=SSE3 || " + VX3 + " | | F=AVX",
            "cmpps Vo,Wo,Ib | NP 0F C2 /r | F=SSE || Vx,Hx,Wx,Ib | | F=AVX || KG,Hx,Wx,Ib | W0 | F=AVX512F k b4 sae",
            "cmppd Vo,Wo,Ib | 66 0F C2 /r | F=SSE2 || Vx,Hx,Wx,Ib | | F=AVX || KG,Hx,Wx,Ib | W1 | F=AVX512F k b8 sae",
            "cmpss Vo,Wd,Ib | F3 0F C2 /r | F=SSE || Vo,Ho,Wd,Ib | LIG | F=AVX || KG,Ho,Wd,Ib | LIG W0 | F=AVX512F k sae",
            "cmpsd Vo,Wq,Ib | F2 0F C2 /r | F=SSE2 || Vo,Ho,Wq,Ib | LIG | F=AVX || KG,Ho,Wq,Ib | LIG W1 | F=AVX512F k sae",
            "movnti Ey,Gy | NP 0F C3 /r:m | F=SSE2 sfx",
            "pinsrw P,Ed:w,Ib | NP 0F C4 /r | F=SSE", "pinsrw Vo,Ed:w,Ib | 66 0F C4 /r | F=SSE2 || Vo,Ho,Ed:w,Ib | L0 | F=AVX",
            "pextrw Gd,N,Ib | NP 0F C5 /r:r | F=SSE", "pextrw Gd,Uo,Ib | 66 0F C5 /r:r | F=SSE2 || Gd,Uo,Ib | L0 | F=AVX",
            "shufps Vo,Wo,Ib | NP 0F C6 /r | F=SSE || Vx,Hx,Wx,Ib | | F=AVX || Vx,Hx,Wx,Ib | W0 | F=AVX512F kz b4",
            "shufpd Vo,Wo,Ib | 66 0F C6 /r | F=SSE2 || Vx,Hx,Wx,Ib | | F=AVX || Vx,Hx,Wx,Ib | W1 | F=AVX512F kz b8",
            "addsubpd Vo,Wo | 66 0F D0 /r | F=SSE3 || " + VX3 + " | | F=AVX", "addsubps Vo,Wo | F2 0F D0 /r | F=SSE3 || " + VX3 + " | | F=AVX",
            "movq Wq,Vo | 66 0F D6 /r | F=SSE2 || Wq,Vo | L0 | F=AVX",
            "movq2dq Vo,N | F3 0F D6 /r:r | F=SSE2", "movdq2q P,Uo | F2 0F D6 /r:r | F=SSE2",
            "pmovmskb Gd,N | NP 0F D7 /r:r | F=SSE", "pmovmskb Gd,Uo | 66 0F D7 /r:r | F=SSE2 || Gd,Ux | | F=AVX2",
            "cvttpd2dq Vo,Wo | 66 0F E6 /r | F=SSE2", "cvtdq2pd Vo,Wq | F3 0F E6 /r | F=SSE2 || Vx,Wh | | F=AVX",
            "cvtpd2dq Vo,Wo | F2 0F E6 /r | F=SSE2",
            "movntq Mq,P | NP 0F E7 /r:m | F=SSE", "movntdq Mo,Vo | 66 0F E7 /r:m | F=SSE2 || Mx,Vx | | F=AVX",
            "lddqu Vo,Mo | F2 0F F0 /r:m | F=SSE3 || Vx,Mx | | F=AVX",
            "maskmovq P,N | NP 0F F7 /r:r | F=SSE", "maskmovdqu Vo,Uo | 66 0F F7 /r:r | F=SSE2 || Vo,Uo | L0 | F=AVX",
            // 0F38
            "pblendvb Vo,Wo,XMM0 | 66 0F38 10 /r | F=SSE4_1", "blendvps Vo,Wo,XMM0 | 66 0F38 14 /r | F=SSE4_1",
            "blendvpd Vo,Wo,XMM0 | 66 0F38 15 /r | F=SSE4_1", "ptest Vo,Wo | 66 0F38 17 /r | F=SSE4_1 || Vx,Wx | | F=AVX",
            "pmovsxbw Vo,Wq | 66 0F38 20 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | | F=AVX512BW kz",
            "pmovsxbd Vo,Wd | 66 0F38 21 /r | F=SSE4_1 || Vx,Wf | | F=AVX2 || Vx,Wf | | F=AVX512F kz",
            "pmovsxbq Vo,Ww | 66 0F38 22 /r | F=SSE4_1 || Vx,We | | F=AVX2 || Vx,We | | F=AVX512F kz",
            "pmovsxwd Vo,Wq | 66 0F38 23 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | | F=AVX512F kz",
            "pmovsxwq Vo,Wd | 66 0F38 24 /r | F=SSE4_1 || Vx,Wf | | F=AVX2 || Vx,Wf | | F=AVX512F kz",
            "pmovsxdq Vo,Wq | 66 0F38 25 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | W0 | F=AVX512F kz",
            "pmuldq Vo,Wo | 66 0F38 28 /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W1 | F=AVX512F kz b8",
            "pcmpeqq Vo,Wo | 66 0F38 29 /r | F=SSE4_1 || " + VX3 + " | | F=AVX2",
            "movntdqa Vo,Mo | 66 0F38 2A /r:m | F=SSE4_1 || Vx,Mx | | F=AVX2 || Vx,Mx | W0 | F=AVX512F",
            "packusdw Vo,Wo | 66 0F38 2B /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512BW kz b4",
            "pmovzxbw Vo,Wq | 66 0F38 30 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | | F=AVX512BW kz",
            "pmovzxbd Vo,Wd | 66 0F38 31 /r | F=SSE4_1 || Vx,Wf | | F=AVX2 || Vx,Wf | | F=AVX512F kz",
            "pmovzxbq Vo,Ww | 66 0F38 32 /r | F=SSE4_1 || Vx,We | | F=AVX2 || Vx,We | | F=AVX512F kz",
            "pmovzxwd Vo,Wq | 66 0F38 33 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | | F=AVX512F kz",
            "pmovzxwq Vo,Wd | 66 0F38 34 /r | F=SSE4_1 || Vx,Wf | | F=AVX2 || Vx,Wf | | F=AVX512F kz",
            "pmovzxdq Vo,Wq | 66 0F38 35 /r | F=SSE4_1 || Vx,Wh | | F=AVX2 || Vx,Wh | W0 | F=AVX512F kz",
            "pcmpgtq Vo,Wo | 66 0F38 37 /r | F=SSE4_2 || " + VX3 + " | | F=AVX2",
            "pminsb Vo,Wo | 66 0F38 38 /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | | F=AVX512BW kz",
            "pminsd Vo,Wo | 66 0F38 39 /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512F kz b4",
            "pminuw Vo,Wo | 66 0F38 3A /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | | F=AVX512BW kz",
            "pminud Vo,Wo | 66 0F38 3B /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512F kz b4",
            "pmaxsb Vo,Wo | 66 0F38 3C /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | | F=AVX512BW kz",
            "pmaxsd Vo,Wo | 66 0F38 3D /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512F kz b4",
            "pmaxuw Vo,Wo | 66 0F38 3E /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | | F=AVX512BW kz",
            "pmaxud Vo,Wo | 66 0F38 3F /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512F kz b4",
            "pmulld Vo,Wo | 66 0F38 40 /r | F=SSE4_1 || " + VX3 + " | | F=AVX2 || " + VX3 + " | W0 | F=AVX512F kz b4",
            "phminposuw Vo,Wo | 66 0F38 41 /r | F=SSE4_1 || Vo,Wo | L0 | F=AVX",
            "aesimc Vo,Wo | 66 0F38 DB /r | F=AES || Vo,Wo | L0 | F=AES",
            "aesenc Vo,Wo | 66 0F38 DC /r | F=AES || " + VX3 + " | | F=AES || " + VX3 + " | | F=VAES",
            "aesenclast Vo,Wo | 66 0F38 DD /r | F=AES || " + VX3 + " | | F=AES || " + VX3 + " | | F=VAES",
            "aesdec Vo,Wo | 66 0F38 DE /r | F=AES || " + VX3 + " | | F=AES || " + VX3 + " | | F=VAES",
            "aesdeclast Vo,Wo | 66 0F38 DF /r | F=AES || " + VX3 + " | | F=AES || " + VX3 + " | | F=VAES",
            "sha1nexte Vo,Wo | NP 0F38 C8 /r | F=SHA", "sha1msg1 Vo,Wo | NP 0F38 C9 /r | F=SHA",
            "sha1msg2 Vo,Wo | NP 0F38 CA /r | F=SHA", "sha256rnds2 Vo,Wo,XMM0 | NP 0F38 CB /r | F=SHA",
            "sha256msg1 Vo,Wo | NP 0F38 CC /r | F=SHA", "sha256msg2 Vo,Wo | NP 0F38 CD /r | F=SHA",
            "sha1rnds4 Vo,Wo,Ib | NP 0F3A CC /r | F=SHA",
            // 0F3A
            "roundps Vo,Wo,Ib | 66 0F3A 08 /r | F=SSE4_1 || Vx,Wx,Ib | | F=AVX",
            "roundpd Vo,Wo,Ib | 66 0F3A 09 /r | F=SSE4_1 || Vx,Wx,Ib | | F=AVX",
            "roundss Vo,Wd,Ib | 66 0F3A 0A /r | F=SSE4_1 || Vo,Ho,Wd,Ib | LIG | F=AVX",
            "roundsd Vo,Wq,Ib | 66 0F3A 0B /r | F=SSE4_1 || Vo,Ho,Wq,Ib | LIG | F=AVX",
            "blendps Vo,Wo,Ib | 66 0F3A 0C /r | F=SSE4_1 || Vx,Hx,Wx,Ib | | F=AVX",
            "blendpd Vo,Wo,Ib | 66 0F3A 0D /r | F=SSE4_1 || Vx,Hx,Wx,Ib | | F=AVX",
            "pblendw Vo,Wo,Ib | 66 0F3A 0E /r | F=SSE4_1 || Vx,Hx,Wx,Ib | | F=AVX2",
            "palignr P,Q,Ib | NP 0F3A 0F /r | F=SSSE3",
            "palignr Vo,Wo,Ib | 66 0F3A 0F /r | F=SSSE3 || Vx,Hx,Wx,Ib | | F=AVX2 || Vx,Hx,Wx,Ib | | F=AVX512BW kz",
            "pextrb Ed:b,Vo,Ib | 66 0F3A 14 /r | F=SSE4_1 || Ed:b,Vo,Ib | L0 | F=AVX || Ed:b,Vo,Ib | L0 | F=AVX512BW",
            "pextrw Ed:w,Vo,Ib | 66 0F3A 15 /r | F=SSE4_1 || Ed:w,Vo,Ib | L0 | F=AVX || Ed:w,Vo,Ib | L0 | F=AVX512BW",
            "pextrd Ed,Vo,Ib | 66 0F3A 16 /r W0 | F=SSE4_1 || Ed,Vo,Ib | L0 W0 | F=AVX || Ed,Vo,Ib | L0 W0 | F=AVX512DQ",
            "pextrq Eq,Vo,Ib | 66 0F3A 16 /r W1 | F=SSE4_1 || Eq,Vo,Ib | L0 W1 | F=AVX || Eq,Vo,Ib | L0 W1 | F=AVX512DQ",
            "extractps Ed,Vo,Ib | 66 0F3A 17 /r | F=SSE4_1 || Ed,Vo,Ib | L0 | F=AVX || Ed,Vo,Ib | L0 | F=AVX512F",
            "pinsrb Vo,Ed:b,Ib | 66 0F3A 20 /r | F=SSE4_1 || Vo,Ho,Ed:b,Ib | L0 | F=AVX || Vo,Ho,Ed:b,Ib | L0 | F=AVX512BW",
            "insertps Vo,Wd,Ib | 66 0F3A 21 /r | F=SSE4_1 || Vo,Ho,Wd,Ib | L0 | F=AVX || Vo,Ho,Wd,Ib | L0 W0 | F=AVX512F",
            "pinsrd Vo,Ed,Ib | 66 0F3A 22 /r W0 | F=SSE4_1 || Vo,Ho,Ed,Ib | L0 W0 | F=AVX || Vo,Ho,Ed,Ib | L0 W0 | F=AVX512DQ",
            "pinsrq Vo,Eq,Ib | 66 0F3A 22 /r W1 | F=SSE4_1 || Vo,Ho,Eq,Ib | L0 W1 | F=AVX || Vo,Ho,Eq,Ib | L0 W1 | F=AVX512DQ",
            "dpps Vo,Wo,Ib | 66 0F3A 40 /r | F=SSE4_1 || Vx,Hx,Wx,Ib | | F=AVX",
            "dppd Vo,Wo,Ib | 66 0F3A 41 /r | F=SSE4_1 || Vo,Ho,Wo,Ib | L0 | F=AVX",
            "mpsadbw Vo,Wo,Ib | 66 0F3A 42 /r | F=SSE4_1 || Vx,Hx,Wx,Ib | | F=AVX2",
            "pclmulqdq Vo,Wo,Ib | 66 0F3A 44 /r | F=PCLMULQDQ || Vx,Hx,Wx,Ib | | F=PCLMULQDQ || Vx,Hx,Wx,Ib | | F=VPCLMULQDQ",
            "pcmpestrm Vo,Wo,Ib | 66 0F3A 60 /r | F=SSE4_2 || Vo,Wo,Ib | L0 | F=AVX",
            "pcmpestri Vo,Wo,Ib | 66 0F3A 61 /r | F=SSE4_2 || Vo,Wo,Ib | L0 | F=AVX",
            "pcmpistrm Vo,Wo,Ib | 66 0F3A 62 /r | F=SSE4_2 || Vo,Wo,Ib | L0 | F=AVX",
            "pcmpistri Vo,Wo,Ib | 66 0F3A 63 /r | F=SSE4_2 || Vo,Wo,Ib | L0 | F=AVX",
            "aeskeygenassist Vo,Wo,Ib | 66 0F3A DF /r | F=AES || Vo,Wo,Ib | L0 | F=AES",
        };
        for (String s : more) l.add(s);
        String[][] ints = {
            {"punpcklbw", "60", "kz"}, {"punpcklwd", "61", "kz"}, {"punpckldq", "62", "W0 | F=AVX512F kz b4"},
            {"packsswb", "63", "kz"}, {"pcmpgtb", "64", null}, {"pcmpgtw", "65", null}, {"pcmpgtd", "66", null},
            {"packuswb", "67", "kz"}, {"punpckhbw", "68", "kz"}, {"punpckhwd", "69", "kz"},
            {"punpckhdq", "6A", "W0 | F=AVX512F kz b4"}, {"packssdw", "6B", "W0 | F=AVX512BW kz b4"},
            {"pcmpeqb", "74", null}, {"pcmpeqw", "75", null}, {"pcmpeqd", "76", null},
            {"psrlw", "D1", null}, {"psrld", "D2", null}, {"psrlq", "D3", null}, {"paddq", "D4", "W1 | F=AVX512F kz b8"},
            {"pmullw", "D5", "kz"}, {"psubusb", "D8", "kz"}, {"psubusw", "D9", "kz"}, {"pminub", "DA", "kz"},
            {"pand", "DB", null}, {"paddusb", "DC", "kz"}, {"paddusw", "DD", "kz"}, {"pmaxub", "DE", "kz"},
            {"pandn", "DF", null}, {"pavgb", "E0", "kz"}, {"psraw", "E1", null}, {"psrad", "E2", null},
            {"pavgw", "E3", "kz"}, {"pmulhuw", "E4", "kz"}, {"pmulhw", "E5", "kz"}, {"psubsb", "E8", "kz"},
            {"psubsw", "E9", "kz"}, {"pminsw", "EA", "kz"}, {"por", "EB", null}, {"paddsb", "EC", "kz"},
            {"paddsw", "ED", "kz"}, {"pmaxsw", "EE", "kz"}, {"pxor", "EF", null}, {"psllw", "F1", null},
            {"pslld", "F2", null}, {"psllq", "F3", null}, {"pmuludq", "F4", "W1 | F=AVX512F kz b8"},
            {"pmaddwd", "F5", "kz"}, {"psadbw", "F6", ""}, {"psubb", "F8", "kz"}, {"psubw", "F9", "kz"},
            {"psubd", "FA", "W0 | F=AVX512F kz b4"}, {"psubq", "FB", "W1 | F=AVX512F kz b8"}, {"paddb", "FC", "kz"},
            {"paddw", "FD", "kz"}, {"paddd", "FE", "W0 | F=AVX512F kz b4"},
        };
        for (String[] g : ints) {
            String ev = g[2] == null ? null : g[2].contains("|") ? g[2] : "| F=AVX512BW " + g[2];
            mmxInt(l, g[0], "0F", g[1], "SSE2", ev);
        }
        // Shifts by xmm count: the count operand is always an xmm/m128.
        l.replaceAll(s -> s.matches("(psrl|psra|psll)[wdq] Vo,Wo.*") ? s.replace(VX3 + " | | F=AVX", "Vx,Hx,Wo | | F=AVX") : s);
        String[][] ssse3 = {
            {"pshufb", "00"}, {"phaddw", "01"}, {"phaddd", "02"}, {"phaddsw", "03"}, {"pmaddubsw", "04"},
            {"phsubw", "05"}, {"phsubd", "06"}, {"phsubsw", "07"}, {"psignb", "08"}, {"psignw", "09"},
            {"psignd", "0A"}, {"pmulhrsw", "0B"},
        };
        for (String[] g : ssse3) mmxInt(l, g[0], "0F38", g[1], "SSSE3", null);
        l.add("pabsb P,Q | NP 0F38 1C /r | F=SSSE3");
        l.add("pabsw P,Q | NP 0F38 1D /r | F=SSSE3");
        l.add("pabsd P,Q | NP 0F38 1E /r | F=SSSE3");
        l.add("pabsb Vo,Wo | 66 0F38 1C /r | F=SSSE3 || Vx,Wx | | F=AVX2 || Vx,Wx | | F=AVX512BW kz");
        l.add("pabsw Vo,Wo | 66 0F38 1D /r | F=SSSE3 || Vx,Wx | | F=AVX2 || Vx,Wx | | F=AVX512BW kz");
        l.add("pabsd Vo,Wo | 66 0F38 1E /r | F=SSSE3 || Vx,Wx | | F=AVX2 || Vx,Wx | W0 | F=AVX512F kz b4");
        return expand(l);
    }

    /** Splits "legacy || vex || evex" lines into plain table lines. */
    static String[] expand(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in) {
            String[] parts = s.split("\\|\\|");
            out.add(parts[0].trim());
            if (parts.length == 1) continue;
            String[] lp = parts[0].split("\\|");
            String head = lp[0].trim();
            String name = head.split(" ")[0];
            String enc = lp[1].trim().replaceAll("\\bW[01]\\b", "").trim();
            for (int k = 1; k < parts.length; k++) {
                String[] vp = parts[k].split("\\|", -1);
                if (vp.length < 3) throw new IllegalArgumentException("bad VEX/EVEX part: " + s);
                String space = k == 1 ? "VEX" : "EVEX";
                String extra = vp[1].trim();
                String attrs = vp[2].trim();
                out.add("v" + name + " " + vp[0].trim() + " | " + space + " " + enc + (extra.isEmpty() ? "" : " " + extra)
                        + " | " + attrs);
            }
        }
        return out.toArray(new String[0]);
    }

    static final String[] LINES = lines();
}
