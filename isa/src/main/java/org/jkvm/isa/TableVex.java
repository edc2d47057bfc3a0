package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;

/** AVX/AVX2/FMA/F16C/GFNI/VNNI forms that have no SSE counterpart (FMA also gets its EVEX forms here). */
final class TableVex {
    private TableVex() {}

    static String[] lines() {
        List<String> l = new ArrayList<>();
        String[] v = {
            "vbroadcastss Vx,Wd | VEX 66 0F38 18 /r W0 | F=AVX",
            "vbroadcastsd Vy,Wq | VEX L1 66 0F38 19 /r W0 | F=AVX",
            "vbroadcastf128 Vy,Mo | VEX L1 66 0F38 1A /r:m W0 | F=AVX",
            "vpermilps Vx,Hx,Wx | VEX 66 0F38 0C /r W0 | F=AVX", "vpermilpd Vx,Hx,Wx | VEX 66 0F38 0D /r W0 | F=AVX",
            "vpermilps Vx,Wx,Ib | VEX 66 0F3A 04 /r W0 | F=AVX", "vpermilpd Vx,Wx,Ib | VEX 66 0F3A 05 /r W0 | F=AVX",
            "vtestps Vx,Wx | VEX 66 0F38 0E /r W0 | F=AVX", "vtestpd Vx,Wx | VEX 66 0F38 0F /r W0 | F=AVX",
            "vperm2f128 Vy,Hy,Wy,Ib | VEX L1 66 0F3A 06 /r W0 | F=AVX",
            "vinsertf128 Vy,Hy,Wo,Ib | VEX L1 66 0F3A 18 /r W0 | F=AVX",
            "vextractf128 Wo,Vy,Ib | VEX L1 66 0F3A 19 /r W0 | F=AVX",
            "vmaskmovps Vx,Hx,Mx | VEX 66 0F38 2C /r:m W0 | F=AVX", "vmaskmovpd Vx,Hx,Mx | VEX 66 0F38 2D /r:m W0 | F=AVX",
            "vmaskmovps Mx,Hx,Vx | VEX 66 0F38 2E /r:m W0 | F=AVX", "vmaskmovpd Mx,Hx,Vx | VEX 66 0F38 2F /r:m W0 | F=AVX",
            "vcvtph2ps Vx,Wh | VEX 66 0F38 13 /r W0 | F=F16C", "vcvtps2ph Wh,Vx,Ib | VEX 66 0F3A 1D /r W0 | F=F16C",
            "vblendvps Vx,Hx,Wx,Lx | VEX 66 0F3A 4A /r W0 | F=AVX", "vblendvpd Vx,Hx,Wx,Lx | VEX 66 0F3A 4B /r W0 | F=AVX",
            "vpblendvb Vx,Hx,Wx,Lx | VEX 66 0F3A 4C /r W0 | F=AVX2",
            "vpbroadcastb Vx,Wb | VEX 66 0F38 78 /r W0 | F=AVX2", "vpbroadcastw Vx,Ww | VEX 66 0F38 79 /r W0 | F=AVX2",
            "vpbroadcastd Vx,Wd | VEX 66 0F38 58 /r W0 | F=AVX2", "vpbroadcastq Vx,Wq | VEX 66 0F38 59 /r W0 | F=AVX2",
            "vbroadcasti128 Vy,Mo | VEX L1 66 0F38 5A /r:m W0 | F=AVX2",
            "vpermd Vy,Hy,Wy | VEX L1 66 0F38 36 /r W0 | F=AVX2", "vpermps Vy,Hy,Wy | VEX L1 66 0F38 16 /r W0 | F=AVX2",
            "vpermq Vy,Wy,Ib | VEX L1 66 0F3A 00 /r W1 | F=AVX2", "vpermpd Vy,Wy,Ib | VEX L1 66 0F3A 01 /r W1 | F=AVX2",
            "vperm2i128 Vy,Hy,Wy,Ib | VEX L1 66 0F3A 46 /r W0 | F=AVX2",
            "vinserti128 Vy,Hy,Wo,Ib | VEX L1 66 0F3A 38 /r W0 | F=AVX2",
            "vextracti128 Wo,Vy,Ib | VEX L1 66 0F3A 39 /r W0 | F=AVX2",
            "vpmaskmovd Vx,Hx,Mx | VEX 66 0F38 8C /r:m W0 | F=AVX2", "vpmaskmovq Vx,Hx,Mx | VEX 66 0F38 8C /r:m W1 | F=AVX2",
            "vpmaskmovd Mx,Hx,Vx | VEX 66 0F38 8E /r:m W0 | F=AVX2", "vpmaskmovq Mx,Hx,Vx | VEX 66 0F38 8E /r:m W1 | F=AVX2",
            "vpsllvd Vx,Hx,Wx | VEX 66 0F38 47 /r W0 | F=AVX2", "vpsllvq Vx,Hx,Wx | VEX 66 0F38 47 /r W1 | F=AVX2",
            "vpsrlvd Vx,Hx,Wx | VEX 66 0F38 45 /r W0 | F=AVX2", "vpsrlvq Vx,Hx,Wx | VEX 66 0F38 45 /r W1 | F=AVX2",
            "vpsravd Vx,Hx,Wx | VEX 66 0F38 46 /r W0 | F=AVX2",
            "vpblendd Vx,Hx,Wx,Ib | VEX 66 0F3A 02 /r W0 | F=AVX2",
            "vpgatherdd Vx,MVx:d,Hx | VEX 66 0F38 90 /r:m W0 | F=AVX2",
            "vpgatherdq Vx,MVh:q,Hx | VEX 66 0F38 90 /r:m W1 | F=AVX2",
            "vpgatherqd Vh,MVx:d,Hh | VEX 66 0F38 91 /r:m W0 | F=AVX2",
            "vpgatherqq Vx,MVx:q,Hx | VEX 66 0F38 91 /r:m W1 | F=AVX2",
            "vgatherdps Vx,MVx:d,Hx | VEX 66 0F38 92 /r:m W0 | F=AVX2",
            "vgatherdpd Vx,MVh:q,Hx | VEX 66 0F38 92 /r:m W1 | F=AVX2",
            "vgatherqps Vh,MVx:d,Hh | VEX 66 0F38 93 /r:m W0 | F=AVX2",
            "vgatherqpd Vx,MVx:q,Hx | VEX 66 0F38 93 /r:m W1 | F=AVX2",
            "vldmxcsr Md | VEX L0 NP 0F AE /2:m | F=AVX X=0x2", "vstmxcsr Md | VEX L0 NP 0F AE /3:m | F=AVX X=0x2",
            "vmovddup Vo,Wq | VEX L0 F2 0F 12 /r | F=AVX", "vmovddup Vy,Wy | VEX L1 F2 0F 12 /r | F=AVX",
            "vcvtpd2ps Vo,Wo | VEX L0 66 0F 5A /r | F=AVX", "vcvtpd2ps Vo,Wy | VEX L1 66 0F 5A /r | F=AVX",
            "vcvttpd2dq Vo,Wo | VEX L0 66 0F E6 /r | F=AVX", "vcvttpd2dq Vo,Wy | VEX L1 66 0F E6 /r | F=AVX",
            "vcvtpd2dq Vo,Wo | VEX L0 F2 0F E6 /r | F=AVX", "vcvtpd2dq Vo,Wy | VEX L1 F2 0F E6 /r | F=AVX",
            "gf2p8mulb Vo,Wo | 66 0F38 CF /r W0 | F=GFNI", "vgf2p8mulb Vx,Hx,Wx | VEX 66 0F38 CF /r W0 | F=GFNI",
            "vgf2p8mulb Vx,Hx,Wx | EVEX 66 0F38 CF /r W0 | F=GFNI kz",
            "gf2p8affineqb Vo,Wo,Ib | 66 0F3A CE /r W0 | F=GFNI", "vgf2p8affineqb Vx,Hx,Wx,Ib | VEX 66 0F3A CE /r W1 | F=GFNI",
            "vgf2p8affineqb Vx,Hx,Wx,Ib | EVEX 66 0F3A CE /r W1 | F=GFNI kz b8",
            "gf2p8affineinvqb Vo,Wo,Ib | 66 0F3A CF /r W0 | F=GFNI",
            "vgf2p8affineinvqb Vx,Hx,Wx,Ib | VEX 66 0F3A CF /r W1 | F=GFNI",
            "vgf2p8affineinvqb Vx,Hx,Wx,Ib | EVEX 66 0F3A CF /r W1 | F=GFNI kz b8",
        };
        for (String s : v) l.add(s);
        // FMA: three operand orders x four operations x packed/scalar.
        String[][] fma = {{"fmaddsub", "96", "p"}, {"fmsubadd", "97", "p"}, {"fmadd", "98", "p"}, {"fmadd", "99", "s"},
            {"fmsub", "9A", "p"}, {"fmsub", "9B", "s"}, {"fnmadd", "9C", "p"}, {"fnmadd", "9D", "s"},
            {"fnmsub", "9E", "p"}, {"fnmsub", "9F", "s"}};
        String[] order = {"132", "213", "231"};
        for (int o = 0; o < 3; o++) {
            for (String[] f : fma) {
                int op = Integer.parseInt(f[1], 16) + 0x10 * o;
                String hx = String.format("%02X", op);
                String n = "v" + f[0] + order[o];
                if (f[2].equals("p")) {
                    l.add(n + "ps Vx,Hx,Wx | VEX 66 0F38 " + hx + " /r W0 | F=FMA");
                    l.add(n + "pd Vx,Hx,Wx | VEX 66 0F38 " + hx + " /r W1 | F=FMA");
                    l.add(n + "ps Vx,Hx,Wx | EVEX 66 0F38 " + hx + " /r W0 | F=AVX512F kz b4 er");
                    l.add(n + "pd Vx,Hx,Wx | EVEX 66 0F38 " + hx + " /r W1 | F=AVX512F kz b8 er");
                    l.add(n + "ph Vx,Hx,Wx | EVEX 66 M6 " + hx + " /r W0 | F=AVX512FP16 kz b2 er");
                } else {
                    l.add(n + "ss Vo,Ho,Wd | VEX LIG 66 0F38 " + hx + " /r W0 | F=FMA");
                    l.add(n + "sd Vo,Ho,Wq | VEX LIG 66 0F38 " + hx + " /r W1 | F=FMA");
                    l.add(n + "ss Vo,Ho,Wd | EVEX LIG 66 0F38 " + hx + " /r W0 | F=AVX512F kz er");
                    l.add(n + "sd Vo,Ho,Wq | EVEX LIG 66 0F38 " + hx + " /r W1 | F=AVX512F kz er");
                    l.add(n + "sh Vo,Ho,Ww | EVEX LIG 66 M6 " + hx + " /r W0 | F=AVX512FP16 kz er");
                }
            }
        }
        String[][] vnni = {{"vpdpbusd", "50"}, {"vpdpbusds", "51"}, {"vpdpwssd", "52"}, {"vpdpwssds", "53"}};
        for (String[] x : vnni) {
            l.add(x[0] + " Vx,Hx,Wx | EVEX 66 0F38 " + x[1] + " /r W0 | F=AVX512VNNI kz b4");
            // AVX-VNNI: the same operation VEX-encoded; LLVM marks it {vex}
            l.add(x[0] + " Vx,Hx,Wx | VEX 66 0F38 " + x[1] + " /r W0 | F=AVX_VNNI vexp");
        }
        l.add("vpmadd52luq Vx,Hx,Wx | VEX 66 0F38 B4 /r W1 | F=AVX_IFMA vexp");
        l.add("vpmadd52huq Vx,Hx,Wx | VEX 66 0F38 B5 /r W1 | F=AVX_IFMA vexp");
        String[][] vnni8 = {{"vpdpbssd", "F2", "50"}, {"vpdpbssds", "F2", "51"}, {"vpdpbsud", "F3", "50"},
            {"vpdpbsuds", "F3", "51"}, {"vpdpbuud", "NP", "50"}, {"vpdpbuuds", "NP", "51"}};
        for (String[] x : vnni8) l.add(x[0] + " Vx,Hx,Wx | VEX " + x[1] + " 0F38 " + x[2] + " /r W0 | F=AVX_VNNI_INT8");
        String[][] vnni16 = {{"vpdpwsud", "F3", "D2"}, {"vpdpwsuds", "F3", "D3"}, {"vpdpwusd", "66", "D2"},
            {"vpdpwusds", "66", "D3"}, {"vpdpwuud", "NP", "D2"}, {"vpdpwuuds", "NP", "D3"}};
        for (String[] x : vnni16) l.add(x[0] + " Vx,Hx,Wx | VEX " + x[1] + " 0F38 " + x[2] + " /r W0 | F=AVX_VNNI_INT16");
        l.add("vbcstnebf162ps Vx,Mw | VEX F3 0F38 B1 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vbcstnesh2ps Vx,Mw | VEX 66 0F38 B1 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vcvtneebf162ps Vx,Mx | VEX F3 0F38 B0 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vcvtneeph2ps Vx,Mx | VEX 66 0F38 B0 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vcvtneobf162ps Vx,Mx | VEX F2 0F38 B0 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vcvtneoph2ps Vx,Mx | VEX NP 0F38 B0 /r:m W0 | F=AVX_NE_CONVERT");
        l.add("vcvtneps2bf16 Vo,Wx | VEX F3 0F38 72 /r W0 | F=AVX_NE_CONVERT vexp");
        l.add("vpmadd52luq Vx,Hx,Wx | EVEX 66 0F38 B4 /r W1 | F=AVX512IFMA kz b8");
        l.add("vpmadd52huq Vx,Hx,Wx | EVEX 66 0F38 B5 /r W1 | F=AVX512IFMA kz b8");
        return l.toArray(new String[0]);
    }

    static final String[] LINES = lines();
}
