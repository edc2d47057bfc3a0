package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;

/**
 * x87 (escape opcodes D8-DF). AT&T names carry the operand-type suffixes (s/l/t for reals, s/l/ll for
 * integers) and the historical fsub/fsubr swap of the DC/DE register forms that LLVM prints.
 */
final class TableX87 {
    private TableX87() {}

    private static final String[] ARITH = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
    private static final String[] IARITH = {"fiadd", "fimul", "ficom", "ficomp", "fisub", "fisubr", "fidiv", "fidivr"};

    static String[] lines() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            l.add(ARITH[i] + " Md | D8 /" + i + ":m | att=" + ARITH[i] + "s");
            l.add(ARITH[i] + " Mq | DC /" + i + ":m | att=" + ARITH[i] + "l");
            l.add(IARITH[i] + " Md | DA /" + i + ":m | att=" + IARITH[i] + "l");
            l.add(IARITH[i] + " Mw | DE /" + i + ":m | att=" + IARITH[i] + "s");
            if (i == 2 || i == 3) l.add(ARITH[i] + " STi | D8 /" + i + ":r |");
            else l.add(ARITH[i] + " ST0,STi | D8 /" + i + ":r |");
        }
        String[] dc = {"fadd", "fmul", null, null, "fsubr", "fsub", "fdivr", "fdiv"};
        String[] dcAtt = {"fadd", "fmul", null, null, "fsub", "fsubr", "fdiv", "fdivr"};
        String[] de = {"faddp", "fmulp", null, null, "fsubrp", "fsubp", "fdivrp", "fdivp"};
        String[] deAtt = {"faddp", "fmulp", null, null, "fsubp", "fsubrp", "fdivp", "fdivrp"};
        for (int i = 0; i < 8; i++) {
            if (dc[i] == null) continue;
            l.add(dc[i] + " STi,ST0 | DC /" + i + ":r | att=" + dcAtt[i]);
            l.add(de[i] + " STi,ST0 | DE /" + i + ":r | att=" + deAtt[i]);
        }
        String[] fixed = {
            "fld Md | D9 /0:m | att=flds", "fst Md | D9 /2:m | att=fsts", "fstp Md | D9 /3:m | att=fstps",
            "fldenv M | D9 /4:m |", "fldcw Mw | D9 /5:m |", "fnstenv M | D9 /6:m |", "fnstcw Mw | D9 /7:m |",
            "fld STi | D9 /0:r |", "fxch STi | D9 /1:r |", "fnop | D9 =D0 |",
            "fchs | D9 =E0 |", "fabs | D9 =E1 |", "ftst | D9 =E4 |", "fxam | D9 =E5 |", "fld1 | D9 =E8 |",
            "fldl2t | D9 =E9 |", "fldl2e | D9 =EA |", "fldpi | D9 =EB |", "fldlg2 | D9 =EC |", "fldln2 | D9 =ED |",
            "fldz | D9 =EE |", "f2xm1 | D9 =F0 |", "fyl2x | D9 =F1 |", "fptan | D9 =F2 |", "fpatan | D9 =F3 |",
            "fxtract | D9 =F4 |", "fprem1 | D9 =F5 |", "fdecstp | D9 =F6 |", "fincstp | D9 =F7 |", "fprem | D9 =F8 |",
            "fyl2xp1 | D9 =F9 |", "fsqrt | D9 =FA |", "fsincos | D9 =FB |", "frndint | D9 =FC |", "fscale | D9 =FD |",
            "fsin | D9 =FE |", "fcos | D9 =FF |",
            "fcmovb ST0,STi | DA /0:r |", "fcmove ST0,STi | DA /1:r |", "fcmovbe ST0,STi | DA /2:r |",
            "fcmovu ST0,STi | DA /3:r |", "fucompp | DA =E9 |",
            "fild Md | DB /0:m | att=fildl", "fisttp Md | DB /1:m | att=fisttpl", "fist Md | DB /2:m | att=fistl",
            "fistp Md | DB /3:m | att=fistpl", "fld Mt | DB /5:m | att=fldt", "fstp Mt | DB /7:m | att=fstpt",
            "fcmovnb ST0,STi | DB /0:r |", "fcmovne ST0,STi | DB /1:r |", "fcmovnbe ST0,STi | DB /2:r |",
            "fcmovnu ST0,STi | DB /3:r |", "fnclex | DB =E2 |", "fninit | DB =E3 |",
            "fucomi ST0,STi | DB /5:r |", "fcomi ST0,STi | DB /6:r |",
            "fld Mq | DD /0:m | att=fldl", "fisttp Mq | DD /1:m | att=fisttpll", "fst Mq | DD /2:m | att=fstl",
            "fstp Mq | DD /3:m | att=fstpl", "frstor M | DD /4:m |", "fnsave M | DD /6:m |", "fnstsw Mw | DD /7:m |",
            "ffree STi | DD /0:r |", "fst STi | DD /2:r |", "fstp STi | DD /3:r |", "fucom STi | DD /4:r |",
            "fucomp STi | DD /5:r |",
            "fcompp | DE =D9 |",
            "fild Mw | DF /0:m | att=filds", "fisttp Mw | DF /1:m | att=fisttps", "fist Mw | DF /2:m | att=fists",
            "fistp Mw | DF /3:m | att=fistps", "fbld Mt | DF /4:m |", "fild Mq | DF /5:m | att=fildll",
            "fbstp Mt | DF /6:m |", "fistp Mq | DF /7:m | att=fistpll",
            "ffreep STi | DF /0:r |", "fnstsw AX | DF =E0 |", "fucompi ST0,STi | DF /5:r |", "fcompi ST0,STi | DF /6:r |",
        };
        for (String s : fixed) l.add(s);
        // All x87 instructions need the FPU and touch XSAVE component 0.
        l.replaceAll(s -> s + " F=FPU X=0x1");
        return l.toArray(new String[0]);
    }

    static final String[] LINES = lines();
}
