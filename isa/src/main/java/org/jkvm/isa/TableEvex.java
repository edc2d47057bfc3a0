package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;

/** AVX-512 forms without an SSE/VEX counterpart (F, CD, BW, DQ, VBMI/2, BITALG, VPOPCNTDQ, BF16, FP16, PF). */
final class TableEvex {
    private TableEvex() {}

    private static void dq(List<String> l, String d, String q, String enc, String ops, String feat, String extra) {
        l.add(d + " " + ops + " | EVEX " + enc + " W0 | F=" + feat + " " + extra.replace("bw", "b4"));
        l.add(q + " " + ops + " | EVEX " + enc + " W1 | F=" + feat + " " + extra.replace("bw", "b8"));
    }

    static String[] lines() {
        List<String> l = new ArrayList<>();
        String V3 = "Vx,Hx,Wx";
        String[] fixed = {
            "vbroadcastss Vx,Wd | EVEX 66 0F38 18 /r W0 | F=AVX512F kz",
            "vbroadcastsd Vx,Wq | EVEX L12 66 0F38 19 /r W1 | F=AVX512F kz",
            "vbroadcastf32x2 Vx,Wq | EVEX L12 66 0F38 19 /r W0 | F=AVX512DQ kz",
            "vbroadcasti32x2 Vx,Wq | EVEX 66 0F38 59 /r W0 | F=AVX512DQ kz",
            "vbroadcastf32x4 Vx,Mo | EVEX L12 66 0F38 1A /r:m W0 | F=AVX512F kz",
            "vbroadcastf64x2 Vx,Mo | EVEX L12 66 0F38 1A /r:m W1 | F=AVX512DQ kz",
            "vbroadcastf32x8 Vz,My | EVEX L512 66 0F38 1B /r:m W0 | F=AVX512DQ kz",
            "vbroadcastf64x4 Vz,My | EVEX L512 66 0F38 1B /r:m W1 | F=AVX512F kz",
            "vbroadcasti32x4 Vx,Mo | EVEX L12 66 0F38 5A /r:m W0 | F=AVX512F kz",
            "vbroadcasti64x2 Vx,Mo | EVEX L12 66 0F38 5A /r:m W1 | F=AVX512DQ kz",
            "vbroadcasti32x8 Vz,My | EVEX L512 66 0F38 5B /r:m W0 | F=AVX512DQ kz",
            "vbroadcasti64x4 Vz,My | EVEX L512 66 0F38 5B /r:m W1 | F=AVX512F kz",
            "vpbroadcastd Vx,Wd | EVEX 66 0F38 58 /r W0 | F=AVX512F kz",
            "vpbroadcastq Vx,Wq | EVEX 66 0F38 59 /r W1 | F=AVX512F kz",
            "vpbroadcastb Vx,Wb | EVEX 66 0F38 78 /r W0 | F=AVX512BW kz",
            "vpbroadcastw Vx,Ww | EVEX 66 0F38 79 /r W0 | F=AVX512BW kz",
            "vpbroadcastb Vx,Rd | EVEX 66 0F38 7A /r:r W0 | F=AVX512BW kz",
            "vpbroadcastw Vx,Rd | EVEX 66 0F38 7B /r:r W0 | F=AVX512BW kz",
            "vpbroadcastd Vx,Rd | EVEX 66 0F38 7C /r:r W0 | F=AVX512F kz",
            "vpbroadcastq Vx,Rq | EVEX 66 0F38 7C /r:r W1 | F=AVX512F kz",
            "vextractf32x4 Wo,Vx,Ib | EVEX L12 66 0F3A 19 /r W0 | F=AVX512F k",
            "vextractf64x2 Wo,Vx,Ib | EVEX L12 66 0F3A 19 /r W1 | F=AVX512DQ k",
            "vextractf32x8 Wy,Vz,Ib | EVEX L512 66 0F3A 1B /r W0 | F=AVX512DQ k",
            "vextractf64x4 Wy,Vz,Ib | EVEX L512 66 0F3A 1B /r W1 | F=AVX512F k",
            "vextracti32x4 Wo,Vx,Ib | EVEX L12 66 0F3A 39 /r W0 | F=AVX512F k",
            "vextracti64x2 Wo,Vx,Ib | EVEX L12 66 0F3A 39 /r W1 | F=AVX512DQ k",
            "vextracti32x8 Wy,Vz,Ib | EVEX L512 66 0F3A 3B /r W0 | F=AVX512DQ k",
            "vextracti64x4 Wy,Vz,Ib | EVEX L512 66 0F3A 3B /r W1 | F=AVX512F k",
            "vinsertf32x4 Vx,Hx,Wo,Ib | EVEX L12 66 0F3A 18 /r W0 | F=AVX512F kz",
            "vinsertf64x2 Vx,Hx,Wo,Ib | EVEX L12 66 0F3A 18 /r W1 | F=AVX512DQ kz",
            "vinsertf32x8 Vz,Hz,Wy,Ib | EVEX L512 66 0F3A 1A /r W0 | F=AVX512DQ kz",
            "vinsertf64x4 Vz,Hz,Wy,Ib | EVEX L512 66 0F3A 1A /r W1 | F=AVX512F kz",
            "vinserti32x4 Vx,Hx,Wo,Ib | EVEX L12 66 0F3A 38 /r W0 | F=AVX512F kz",
            "vinserti64x2 Vx,Hx,Wo,Ib | EVEX L12 66 0F3A 38 /r W1 | F=AVX512DQ kz",
            "vinserti32x8 Vz,Hz,Wy,Ib | EVEX L512 66 0F3A 3A /r W0 | F=AVX512DQ kz",
            "vinserti64x4 Vz,Hz,Wy,Ib | EVEX L512 66 0F3A 3A /r W1 | F=AVX512F kz",
            "vextractps Ed,Vo,Ib | EVEX L0 66 0F3A 17 /r WIG | F=AVX512F",
            "vpermq Vx,Wx,Ib | EVEX L12 66 0F3A 00 /r W1 | F=AVX512F kz b8",
            "vpermpd Vx,Wx,Ib | EVEX L12 66 0F3A 01 /r W1 | F=AVX512F kz b8",
            "vpermd Vx,Hx,Wx | EVEX L12 66 0F38 36 /r W0 | F=AVX512F kz b4",
            "vpermq Vx,Hx,Wx | EVEX L12 66 0F38 36 /r W1 | F=AVX512F kz b8",
            "vpermps Vx,Hx,Wx | EVEX L12 66 0F38 16 /r W0 | F=AVX512F kz b4",
            "vpermpd Vx,Hx,Wx | EVEX L12 66 0F38 16 /r W1 | F=AVX512F kz b8",
            "vpermb Vx,Hx,Wx | EVEX 66 0F38 8D /r W0 | F=AVX512VBMI kz",
            "vpermw Vx,Hx,Wx | EVEX 66 0F38 8D /r W1 | F=AVX512BW kz",
            "vpermt2b Vx,Hx,Wx | EVEX 66 0F38 7D /r W0 | F=AVX512VBMI kz",
            "vpermt2w Vx,Hx,Wx | EVEX 66 0F38 7D /r W1 | F=AVX512BW kz",
            "vpermi2b Vx,Hx,Wx | EVEX 66 0F38 75 /r W0 | F=AVX512VBMI kz",
            "vpermi2w Vx,Hx,Wx | EVEX 66 0F38 75 /r W1 | F=AVX512BW kz",
            "vpmultishiftqb Vx,Hx,Wx | EVEX 66 0F38 83 /r W1 | F=AVX512VBMI kz b8",
            "vpshufbitqmb KG,Hx,Wx | EVEX 66 0F38 8F /r W0 | F=AVX512BITALG k",
            "vdbpsadbw Vx,Hx,Wx,Ib | EVEX 66 0F3A 42 /r W0 | F=AVX512BW kz",
            "vcvtne2ps2bf16 Vx,Hx,Wx | EVEX F2 0F38 72 /r W0 | F=AVX512BF16 kz b4",
            "vcvtneps2bf16 Vh,Wx | EVEX F3 0F38 72 /r W0 | F=AVX512BF16 kz b4",
            "vdpbf16ps Vx,Hx,Wx | EVEX F3 0F38 52 /r W0 | F=AVX512BF16 kz b4",
            "vpcmpeqb KG,Hx,Wx | EVEX 66 0F 74 /r WIG | F=AVX512BW k",
            "vpcmpeqw KG,Hx,Wx | EVEX 66 0F 75 /r WIG | F=AVX512BW k",
            "vpcmpeqd KG,Hx,Wx | EVEX 66 0F 76 /r W0 | F=AVX512F k b4",
            "vpcmpeqq KG,Hx,Wx | EVEX 66 0F38 29 /r W1 | F=AVX512F k b8",
            "vpcmpgtb KG,Hx,Wx | EVEX 66 0F 64 /r WIG | F=AVX512BW k",
            "vpcmpgtw KG,Hx,Wx | EVEX 66 0F 65 /r WIG | F=AVX512BW k",
            "vpcmpgtd KG,Hx,Wx | EVEX 66 0F 66 /r W0 | F=AVX512F k b4",
            "vpcmpgtq KG,Hx,Wx | EVEX 66 0F38 37 /r W1 | F=AVX512F k b8",
            "vpsrlw Vx,Hx,Wo | EVEX 66 0F D1 /r WIG | F=AVX512BW kz",
            "vpsraw Vx,Hx,Wo | EVEX 66 0F E1 /r WIG | F=AVX512BW kz",
            "vpsllw Vx,Hx,Wo | EVEX 66 0F F1 /r WIG | F=AVX512BW kz",
            "vpsrld Vx,Hx,Wo | EVEX 66 0F D2 /r W0 | F=AVX512F kz",
            "vpsrlq Vx,Hx,Wo | EVEX 66 0F D3 /r W1 | F=AVX512F kz",
            "vpsrad Vx,Hx,Wo | EVEX 66 0F E2 /r W0 | F=AVX512F kz",
            "vpsraq Vx,Hx,Wo | EVEX 66 0F E2 /r W1 | F=AVX512F kz",
            "vpslld Vx,Hx,Wo | EVEX 66 0F F2 /r W0 | F=AVX512F kz",
            "vpsllq Vx,Hx,Wo | EVEX 66 0F F3 /r W1 | F=AVX512F kz",
            "vpmovm2b Vx,KR | EVEX F3 0F38 28 /r:r W0 | F=AVX512BW", "vpmovm2w Vx,KR | EVEX F3 0F38 28 /r:r W1 | F=AVX512BW",
            "vpmovm2d Vx,KR | EVEX F3 0F38 38 /r:r W0 | F=AVX512DQ", "vpmovm2q Vx,KR | EVEX F3 0F38 38 /r:r W1 | F=AVX512DQ",
            "vpmovb2m KG,Ux | EVEX F3 0F38 29 /r:r W0 | F=AVX512BW", "vpmovw2m KG,Ux | EVEX F3 0F38 29 /r:r W1 | F=AVX512BW",
            "vpmovd2m KG,Ux | EVEX F3 0F38 39 /r:r W0 | F=AVX512DQ", "vpmovq2m KG,Ux | EVEX F3 0F38 39 /r:r W1 | F=AVX512DQ",
            "vmovddup Vx,Wx | EVEX L12 F2 0F 12 /r W1 | F=AVX512F kz",
            "vmovddup Vo,Wq | EVEX L0 F2 0F 12 /r W1 | F=AVX512F kz",
            "vcvtdq2pd Vx,Wh | EVEX F3 0F E6 /r W0 | F=AVX512F kz b4",
            "vcvtudq2ps Vx,Wx | EVEX F2 0F 7A /r W0 | F=AVX512F kz b4 er",
            "vcvtudq2pd Vx,Wh | EVEX F3 0F 7A /r W0 | F=AVX512F kz b4",
            "vcvtps2udq Vx,Wx | EVEX NP 0F 79 /r W0 | F=AVX512F kz b4 er",
            "vcvttps2udq Vx,Wx | EVEX NP 0F 78 /r W0 | F=AVX512F kz b4 sae",
            "vcvtqq2pd Vx,Wx | EVEX F3 0F E6 /r W1 | F=AVX512DQ kz b8 er",
            "vcvtuqq2pd Vx,Wx | EVEX F3 0F 7A /r W1 | F=AVX512DQ kz b8 er",
            "vcvtpd2qq Vx,Wx | EVEX 66 0F 7B /r W1 | F=AVX512DQ kz b8 er",
            "vcvtpd2uqq Vx,Wx | EVEX 66 0F 79 /r W1 | F=AVX512DQ kz b8 er",
            "vcvttpd2qq Vx,Wx | EVEX 66 0F 7A /r W1 | F=AVX512DQ kz b8 sae",
            "vcvttpd2uqq Vx,Wx | EVEX 66 0F 78 /r W1 | F=AVX512DQ kz b8 sae",
            "vcvtps2qq Vx,Wh | EVEX 66 0F 7B /r W0 | F=AVX512DQ kz b4",
            "vcvtps2uqq Vx,Wh | EVEX 66 0F 79 /r W0 | F=AVX512DQ kz b4",
            "vcvttps2qq Vx,Wh | EVEX 66 0F 7A /r W0 | F=AVX512DQ kz b4",
            "vcvttps2uqq Vx,Wh | EVEX 66 0F 78 /r W0 | F=AVX512DQ kz b4",
            "vcvtph2ps Vx,Wh | EVEX 66 0F38 13 /r W0 | F=AVX512F kz sae",
            "vcvtps2ph Wh,Vx,Ib | EVEX 66 0F3A 1D /r W0 | F=AVX512F k sae",
            // AVX512-FP16 basics (map 5)
            "vaddph Vx,Hx,Wx | EVEX NP M5 58 /r W0 | F=AVX512FP16 kz b2 er",
            "vmulph Vx,Hx,Wx | EVEX NP M5 59 /r W0 | F=AVX512FP16 kz b2 er",
            "vsubph Vx,Hx,Wx | EVEX NP M5 5C /r W0 | F=AVX512FP16 kz b2 er",
            "vminph Vx,Hx,Wx | EVEX NP M5 5D /r W0 | F=AVX512FP16 kz b2 sae",
            "vdivph Vx,Hx,Wx | EVEX NP M5 5E /r W0 | F=AVX512FP16 kz b2 er",
            "vmaxph Vx,Hx,Wx | EVEX NP M5 5F /r W0 | F=AVX512FP16 kz b2 sae",
            "vsqrtph Vx,Wx | EVEX NP M5 51 /r W0 | F=AVX512FP16 kz b2 er",
            "vaddsh Vo,Ho,Ww | EVEX LIG F3 M5 58 /r W0 | F=AVX512FP16 kz er",
            "vmulsh Vo,Ho,Ww | EVEX LIG F3 M5 59 /r W0 | F=AVX512FP16 kz er",
            "vsubsh Vo,Ho,Ww | EVEX LIG F3 M5 5C /r W0 | F=AVX512FP16 kz er",
            "vdivsh Vo,Ho,Ww | EVEX LIG F3 M5 5E /r W0 | F=AVX512FP16 kz er",
            "vmovsh Vo,Mw | EVEX LIG F3 M5 10 /r:m W0 | F=AVX512FP16 kz",
            "vmovsh Mw,Vo | EVEX LIG F3 M5 11 /r:m W0 | F=AVX512FP16 k",
            "vmovsh Vo,Ho,Uo | EVEX LIG F3 M5 10 /r:r W0 | F=AVX512FP16 kz",
            "vmovw Vo,Ed:w | EVEX L0 66 M5 6E /r WIG | F=AVX512FP16",
            "vmovw Ed:w,Vo | EVEX L0 66 M5 7E /r WIG | F=AVX512FP16",
            "vcomish Vo,Ww | EVEX LIG NP M5 2F /r W0 | F=AVX512FP16 sae",
            "vucomish Vo,Ww | EVEX LIG NP M5 2E /r W0 | F=AVX512FP16 sae",
            // AVX512PF (Xeon Phi) prefetch gathers/scatters
            "vgatherpf0dps MVz:d | EVEX L512 66 0F38 C6 /1:m W0 | F=AVX512F kreq",
            "vgatherpf1dps MVz:d | EVEX L512 66 0F38 C6 /2:m W0 | F=AVX512F kreq",
            "vscatterpf0dps MVz:d | EVEX L512 66 0F38 C6 /5:m W0 | F=AVX512F kreq",
            "vscatterpf1dps MVz:d | EVEX L512 66 0F38 C6 /6:m W0 | F=AVX512F kreq",
            "vgatherpf0dpd MVy:q | EVEX L512 66 0F38 C6 /1:m W1 | F=AVX512F kreq",
            "vgatherpf1dpd MVy:q | EVEX L512 66 0F38 C6 /2:m W1 | F=AVX512F kreq",
            "vscatterpf0dpd MVy:q | EVEX L512 66 0F38 C6 /5:m W1 | F=AVX512F kreq",
            "vscatterpf1dpd MVy:q | EVEX L512 66 0F38 C6 /6:m W1 | F=AVX512F kreq",
        };
        for (String s : fixed) l.add(s);
        dq(l, "vpandd", "vpandq", "66 0F DB /r", V3, "AVX512F", "kz bw");
        dq(l, "vpandnd", "vpandnq", "66 0F DF /r", V3, "AVX512F", "kz bw");
        dq(l, "vpord", "vporq", "66 0F EB /r", V3, "AVX512F", "kz bw");
        dq(l, "vpxord", "vpxorq", "66 0F EF /r", V3, "AVX512F", "kz bw");
        dq(l, "vpternlogd", "vpternlogq", "66 0F3A 25 /r", "Vx,Hx,Wx,Ib", "AVX512F", "kz bw");
        dq(l, "vpermt2d", "vpermt2q", "66 0F38 7E /r", V3, "AVX512F", "kz bw");
        dq(l, "vpermt2ps", "vpermt2pd", "66 0F38 7F /r", V3, "AVX512F", "kz bw");
        dq(l, "vpermi2d", "vpermi2q", "66 0F38 76 /r", V3, "AVX512F", "kz bw");
        dq(l, "vpermi2ps", "vpermi2pd", "66 0F38 77 /r", V3, "AVX512F", "kz bw");
        dq(l, "valignd", "valignq", "66 0F3A 03 /r", "Vx,Hx,Wx,Ib", "AVX512F", "kz bw");
        dq(l, "vshuff32x4", "vshuff64x2", "L12 66 0F3A 23 /r", "Vx,Hx,Wx,Ib", "AVX512F", "kz bw");
        dq(l, "vshufi32x4", "vshufi64x2", "L12 66 0F3A 43 /r", "Vx,Hx,Wx,Ib", "AVX512F", "kz bw");
        dq(l, "vblendmps", "vblendmpd", "66 0F38 65 /r", V3, "AVX512F", "kz bw");
        dq(l, "vpblendmd", "vpblendmq", "66 0F38 64 /r", V3, "AVX512F", "kz bw");
        dq(l, "vpblendmb", "vpblendmw", "66 0F38 66 /r", V3, "AVX512BW", "kz");
        dq(l, "vpcmpd", "vpcmpq", "66 0F3A 1F /r", "KG,Hx,Wx,Ib", "AVX512F", "k bw");
        dq(l, "vpcmpud", "vpcmpuq", "66 0F3A 1E /r", "KG,Hx,Wx,Ib", "AVX512F", "k bw");
        dq(l, "vpcmpb", "vpcmpw", "66 0F3A 3F /r", "KG,Hx,Wx,Ib", "AVX512BW", "k");
        dq(l, "vpcmpub", "vpcmpuw", "66 0F3A 3E /r", "KG,Hx,Wx,Ib", "AVX512BW", "k");
        dq(l, "vptestmd", "vptestmq", "66 0F38 27 /r", "KG,Hx,Wx", "AVX512F", "k bw");
        dq(l, "vptestnmd", "vptestnmq", "F3 0F38 27 /r", "KG,Hx,Wx", "AVX512F", "k bw");
        dq(l, "vptestmb", "vptestmw", "66 0F38 26 /r", "KG,Hx,Wx", "AVX512BW", "k");
        dq(l, "vptestnmb", "vptestnmw", "F3 0F38 26 /r", "KG,Hx,Wx", "AVX512BW", "k");
        dq(l, "vpsllvd", "vpsllvq", "66 0F38 47 /r", V3, "AVX512F", "kz bw");
        dq(l, "vpsrlvd", "vpsrlvq", "66 0F38 45 /r", V3, "AVX512F", "kz bw");
        dq(l, "vpsravd", "vpsravq", "66 0F38 46 /r", V3, "AVX512F", "kz bw");
        l.add("vpsrlvw Vx,Hx,Wx | EVEX 66 0F38 10 /r W1 | F=AVX512BW kz");
        l.add("vpsravw Vx,Hx,Wx | EVEX 66 0F38 11 /r W1 | F=AVX512BW kz");
        l.add("vpsllvw Vx,Hx,Wx | EVEX 66 0F38 12 /r W1 | F=AVX512BW kz");
        dq(l, "vprolvd", "vprolvq", "66 0F38 15 /r", V3, "AVX512F", "kz bw");
        dq(l, "vprorvd", "vprorvq", "66 0F38 14 /r", V3, "AVX512F", "kz bw");
        l.add("vpabsq Vx,Wx | EVEX 66 0F38 1F /r W1 | F=AVX512F kz b8");
        l.add("vpminsq Vx,Hx,Wx | EVEX 66 0F38 39 /r W1 | F=AVX512F kz b8");
        l.add("vpmaxsq Vx,Hx,Wx | EVEX 66 0F38 3D /r W1 | F=AVX512F kz b8");
        l.add("vpminuq Vx,Hx,Wx | EVEX 66 0F38 3B /r W1 | F=AVX512F kz b8");
        l.add("vpmaxuq Vx,Hx,Wx | EVEX 66 0F38 3F /r W1 | F=AVX512F kz b8");
        l.add("vpmullq Vx,Hx,Wx | EVEX 66 0F38 40 /r W1 | F=AVX512DQ kz b8");
        dq(l, "vpconflictd", "vpconflictq", "66 0F38 C4 /r", "Vx,Wx", "AVX512CD", "kz bw");
        dq(l, "vplzcntd", "vplzcntq", "66 0F38 44 /r", "Vx,Wx", "AVX512CD", "kz bw");
        dq(l, "vpopcntd", "vpopcntq", "66 0F38 55 /r", "Vx,Wx", "AVX512VPOPCNTDQ", "kz bw");
        dq(l, "vpopcntb", "vpopcntw", "66 0F38 54 /r", "Vx,Wx", "AVX512BITALG", "kz");
        dq(l, "vscalefps", "vscalefpd", "66 0F38 2C /r", V3, "AVX512F", "kz bw er");
        l.add("vscalefss Vo,Ho,Wd | EVEX LIG 66 0F38 2D /r W0 | F=AVX512F kz er");
        l.add("vscalefsd Vo,Ho,Wq | EVEX LIG 66 0F38 2D /r W1 | F=AVX512F kz er");
        dq(l, "vgetexpps", "vgetexppd", "66 0F38 42 /r", "Vx,Wx", "AVX512F", "kz bw sae");
        dq(l, "vrcp14ps", "vrcp14pd", "66 0F38 4C /r", "Vx,Wx", "AVX512F", "kz bw");
        dq(l, "vrsqrt14ps", "vrsqrt14pd", "66 0F38 4E /r", "Vx,Wx", "AVX512F", "kz bw");
        l.add("vgetmantps Vx,Wx,Ib | EVEX 66 0F3A 26 /r W0 | F=AVX512F kz b4 sae");
        l.add("vgetmantpd Vx,Wx,Ib | EVEX 66 0F3A 26 /r W1 | F=AVX512F kz b8 sae");
        l.add("vrndscaleps Vx,Wx,Ib | EVEX 66 0F3A 08 /r W0 | F=AVX512F kz b4 sae");
        l.add("vrndscalepd Vx,Wx,Ib | EVEX 66 0F3A 09 /r W1 | F=AVX512F kz b8 sae");
        dq(l, "vfixupimmps", "vfixupimmpd", "66 0F3A 54 /r", "Vx,Hx,Wx,Ib", "AVX512F", "kz bw sae");
        dq(l, "vrangeps", "vrangepd", "66 0F3A 50 /r", "Vx,Hx,Wx,Ib", "AVX512DQ", "kz bw sae");
        dq(l, "vreduceps", "vreducepd", "66 0F3A 56 /r", "Vx,Wx,Ib", "AVX512DQ", "kz bw sae");
        dq(l, "vfpclassps", "vfpclasspd", "66 0F3A 66 /r", "KG,Wx,Ib", "AVX512DQ", "k bw");
        // compress/expand: disp8 scales by the element size
        l.add("vpcompressd Wx,Vx | EVEX 66 0F38 8B /r W0 | F=AVX512F kz n=4");
        l.add("vpcompressq Wx,Vx | EVEX 66 0F38 8B /r W1 | F=AVX512F kz n=8");
        l.add("vcompressps Wx,Vx | EVEX 66 0F38 8A /r W0 | F=AVX512F kz n=4");
        l.add("vcompresspd Wx,Vx | EVEX 66 0F38 8A /r W1 | F=AVX512F kz n=8");
        l.add("vpexpandd Vx,Wx | EVEX 66 0F38 89 /r W0 | F=AVX512F kz n=4");
        l.add("vpexpandq Vx,Wx | EVEX 66 0F38 89 /r W1 | F=AVX512F kz n=8");
        l.add("vexpandps Vx,Wx | EVEX 66 0F38 88 /r W0 | F=AVX512F kz n=4");
        l.add("vexpandpd Vx,Wx | EVEX 66 0F38 88 /r W1 | F=AVX512F kz n=8");
        l.add("vpcompressb Wx,Vx | EVEX 66 0F38 63 /r W0 | F=AVX512VBMI2 kz n=1");
        l.add("vpcompressw Wx,Vx | EVEX 66 0F38 63 /r W1 | F=AVX512VBMI2 kz n=2");
        l.add("vpexpandb Vx,Wx | EVEX 66 0F38 62 /r W0 | F=AVX512VBMI2 kz n=1");
        l.add("vpexpandw Vx,Wx | EVEX 66 0F38 62 /r W1 | F=AVX512VBMI2 kz n=2");
        l.add("vpshldw Vx,Hx,Wx,Ib | EVEX 66 0F3A 70 /r W1 | F=AVX512VBMI2 kz");
        dq(l, "vpshldd", "vpshldq", "66 0F3A 71 /r", "Vx,Hx,Wx,Ib", "AVX512VBMI2", "kz bw");
        l.add("vpshrdw Vx,Hx,Wx,Ib | EVEX 66 0F3A 72 /r W1 | F=AVX512VBMI2 kz");
        dq(l, "vpshrdd", "vpshrdq", "66 0F3A 73 /r", "Vx,Hx,Wx,Ib", "AVX512VBMI2", "kz bw");
        l.add("vpshldvw Vx,Hx,Wx | EVEX 66 0F38 70 /r W1 | F=AVX512VBMI2 kz");
        dq(l, "vpshldvd", "vpshldvq", "66 0F38 71 /r", V3, "AVX512VBMI2", "kz bw");
        l.add("vpshrdvw Vx,Hx,Wx | EVEX 66 0F38 72 /r W1 | F=AVX512VBMI2 kz");
        dq(l, "vpshrdvd", "vpshrdvq", "66 0F38 73 /r", V3, "AVX512VBMI2", "kz bw");
        // down-converting moves (F3 0F38 10-35)
        String[][] pmov = {{"vpmovwb", "30", "h"}, {"vpmovdb", "31", "f"}, {"vpmovqb", "32", "e"}, {"vpmovdw", "33", "h"},
            {"vpmovqw", "34", "f"}, {"vpmovqd", "35", "h"}, {"vpmovswb", "20", "h"}, {"vpmovsdb", "21", "f"},
            {"vpmovsqb", "22", "e"}, {"vpmovsdw", "23", "h"}, {"vpmovsqw", "24", "f"}, {"vpmovsqd", "25", "h"},
            {"vpmovuswb", "10", "h"}, {"vpmovusdb", "11", "f"}, {"vpmovusqb", "12", "e"}, {"vpmovusdw", "13", "h"},
            {"vpmovusqw", "14", "f"}, {"vpmovusqd", "15", "h"}};
        for (String[] p : pmov) {
            String f = p[0].endsWith("wb") ? "AVX512BW" : "AVX512F";
            l.add(p[0] + " W" + p[2] + ",Vx | EVEX F3 0F38 " + p[1] + " /r W0 | F=" + f + " kz");
        }
        // gathers and scatters (EVEX): the mask is required
        String[][] gs = {{"vpgatherdd", "90", "0", "Vx,MVx:d"}, {"vpgatherdq", "90", "1", "Vx,MVh:q"},
            {"vpgatherqd", "91", "0", "Vh,MVx:d"}, {"vpgatherqq", "91", "1", "Vx,MVx:q"},
            {"vgatherdps", "92", "0", "Vx,MVx:d"}, {"vgatherdpd", "92", "1", "Vx,MVh:q"},
            {"vgatherqps", "93", "0", "Vh,MVx:d"}, {"vgatherqpd", "93", "1", "Vx,MVx:q"},
            {"vpscatterdd", "A0", "0", "MVx:d,Vx"}, {"vpscatterdq", "A0", "1", "MVh:q,Vx"},
            {"vpscatterqd", "A1", "0", "MVx:d,Vh"}, {"vpscatterqq", "A1", "1", "MVx:q,Vx"},
            {"vscatterdps", "A2", "0", "MVx:d,Vx"}, {"vscatterdpd", "A2", "1", "MVh:q,Vx"},
            {"vscatterqps", "A3", "0", "MVx:d,Vh"}, {"vscatterqpd", "A3", "1", "MVx:q,Vx"}};
        for (String[] g : gs) {
            l.add(g[0] + " " + g[3] + " | EVEX 66 0F38 " + g[1] + " /r:m W" + g[2] + " | F=AVX512F kreq");
        }
        // opmask instructions (VEX)
        String[][] k2 = {{"kand", "41"}, {"kandn", "42"}, {"kor", "45"}, {"kxnor", "46"}, {"kxor", "47"}, {"kadd", "4A"}};
        for (String[] k : k2) {
            l.add(k[0] + "w KG,KV,KR | VEX L1 NP 0F " + k[1] + " /r:r W0 | F=AVX512F");
            l.add(k[0] + "q KG,KV,KR | VEX L1 NP 0F " + k[1] + " /r:r W1 | F=AVX512BW");
            l.add(k[0] + "b KG,KV,KR | VEX L1 66 0F " + k[1] + " /r:r W0 | F=AVX512DQ");
            l.add(k[0] + "d KG,KV,KR | VEX L1 66 0F " + k[1] + " /r:r W1 | F=AVX512BW");
        }
        l.removeIf(s -> s.startsWith("kaddw") || s.startsWith("kaddb") && false);
        l.add("kaddw KG,KV,KR | VEX L1 NP 0F 4A /r:r W0 | F=AVX512DQ");
        String[][] k1 = {{"knot", "44"}, {"kortest", "98"}, {"ktest", "99"}};
        for (String[] k : k1) {
            l.add(k[0] + "w KG,KR | VEX L0 NP 0F " + k[1] + " /r:r W0 | F=AVX512F");
            l.add(k[0] + "q KG,KR | VEX L0 NP 0F " + k[1] + " /r:r W1 | F=AVX512BW");
            l.add(k[0] + "b KG,KR | VEX L0 66 0F " + k[1] + " /r:r W0 | F=AVX512DQ");
            l.add(k[0] + "d KG,KR | VEX L0 66 0F " + k[1] + " /r:r W1 | F=AVX512BW");
        }
        l.add("kunpckbw KG,KV,KR | VEX L1 66 0F 4B /r:r W0 | F=AVX512F");
        l.add("kunpckwd KG,KV,KR | VEX L1 NP 0F 4B /r:r W0 | F=AVX512BW");
        l.add("kunpckdq KG,KV,KR | VEX L1 NP 0F 4B /r:r W1 | F=AVX512BW");
        l.add("kshiftrb KG,KR,Ib | VEX L0 66 0F3A 30 /r:r W0 | F=AVX512DQ");
        l.add("kshiftrw KG,KR,Ib | VEX L0 66 0F3A 30 /r:r W1 | F=AVX512F");
        l.add("kshiftrd KG,KR,Ib | VEX L0 66 0F3A 31 /r:r W0 | F=AVX512BW");
        l.add("kshiftrq KG,KR,Ib | VEX L0 66 0F3A 31 /r:r W1 | F=AVX512BW");
        l.add("kshiftlb KG,KR,Ib | VEX L0 66 0F3A 32 /r:r W0 | F=AVX512DQ");
        l.add("kshiftlw KG,KR,Ib | VEX L0 66 0F3A 32 /r:r W1 | F=AVX512F");
        l.add("kshiftld KG,KR,Ib | VEX L0 66 0F3A 33 /r:r W0 | F=AVX512BW");
        l.add("kshiftlq KG,KR,Ib | VEX L0 66 0F3A 33 /r:r W1 | F=AVX512BW");
        String[] more = {
            "vpshufb Vx,Hx,Wx | EVEX 66 0F38 00 /r WIG | F=AVX512BW kz",
            "vpmaddubsw Vx,Hx,Wx | EVEX 66 0F38 04 /r WIG | F=AVX512BW kz",
            "vpmulhrsw Vx,Hx,Wx | EVEX 66 0F38 0B /r WIG | F=AVX512BW kz",
            "vpermilps Vx,Hx,Wx | EVEX 66 0F38 0C /r W0 | F=AVX512F kz b4",
            "vpermilpd Vx,Hx,Wx | EVEX 66 0F38 0D /r W1 | F=AVX512F kz b8",
            "vpermilps Vx,Wx,Ib | EVEX 66 0F3A 04 /r W0 | F=AVX512F kz b4",
            "vpermilpd Vx,Wx,Ib | EVEX 66 0F3A 05 /r W1 | F=AVX512F kz b8",
            "vcvtsi2ss Vo,Ho,Ey | EVEX LIG F3 0F 2A /r | F=AVX512F er att=vcvtsi2ss{s2}",
            "vcvtsi2sd Vo,Ho,Ey | EVEX LIG F2 0F 2A /r | F=AVX512F er att=vcvtsi2sd{s2}",
            "vcvtusi2ss Vo,Ho,Ey | EVEX LIG F3 0F 7B /r | F=AVX512F er att=vcvtusi2ss{s2}",
            "vcvtusi2sd Vo,Ho,Ey | EVEX LIG F2 0F 7B /r | F=AVX512F er att=vcvtusi2sd{s2}",
            "vcvtss2si Gy,Wd | EVEX LIG F3 0F 2D /r | F=AVX512F er",
            "vcvtsd2si Gy,Wq | EVEX LIG F2 0F 2D /r | F=AVX512F er",
            "vcvttss2si Gy,Wd | EVEX LIG F3 0F 2C /r | F=AVX512F sae",
            "vcvttsd2si Gy,Wq | EVEX LIG F2 0F 2C /r | F=AVX512F sae",
            "vcvtss2usi Gy,Wd | EVEX LIG F3 0F 79 /r | F=AVX512F er",
            "vcvtsd2usi Gy,Wq | EVEX LIG F2 0F 79 /r | F=AVX512F er",
            "vcvttss2usi Gy,Wd | EVEX LIG F3 0F 78 /r | F=AVX512F sae",
            "vcvttsd2usi Gy,Wq | EVEX LIG F2 0F 78 /r | F=AVX512F sae",
            "vcvtpd2ps Vh,Wx | EVEX 66 0F 5A /r W1 | F=AVX512F kz b8 er",
            "vcvtpd2dq Vh,Wx | EVEX F2 0F E6 /r W1 | F=AVX512F kz b8 er",
            "vcvttpd2dq Vh,Wx | EVEX 66 0F E6 /r W1 | F=AVX512F kz b8 sae",
            "vcvtpd2udq Vh,Wx | EVEX NP 0F 79 /r W1 | F=AVX512F kz b8 er",
            "vcvttpd2udq Vh,Wx | EVEX NP 0F 78 /r W1 | F=AVX512F kz b8 sae",
            "vcvtqq2ps Vh,Wx | EVEX NP 0F 5B /r W1 | F=AVX512DQ kz b8 er",
            "vcvtuqq2ps Vh,Wx | EVEX F2 0F 7A /r W1 | F=AVX512DQ kz b8 er",
            "vmovntdq Mx,Vx | EVEX 66 0F E7 /r:m W0 | F=AVX512F",
            "vpbroadcastmb2q Vx,KR | EVEX F3 0F38 2A /r:r W1 | F=AVX512CD",
            "vpbroadcastmw2d Vx,KR | EVEX F3 0F38 3A /r:r W0 | F=AVX512CD",
            "vp2intersectd KP,Hx,Wx | EVEX F2 0F38 68 /r W0 | F=AVX512_VP2INTERSECT b4",
            "vp2intersectq KP,Hx,Wx | EVEX F2 0F38 68 /r W1 | F=AVX512_VP2INTERSECT b8",
        };
        for (String m : more) l.add(m);
        return l.toArray(new String[0]);
    }

    static final String[] LINES = lines();
}
