package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;

/**
 * APX: EVEX map-4 promoted legacy instructions (with NDD via "nd" and NF via "nf"), CCMPscc/CTESTscc,
 * CFCMOVcc, SETZUcc, IMULZU, PUSH2/POP2, and the VEX/EVEX GPR instructions (BMI, CMPccXADD, KMOV, AMX
 * configuration) that APX extends to R16-R31. "evx" marks forms that LLVM prints with "{evex}" when they
 * have neither ND nor NF.
 */
final class TableApx {
    private TableApx() {}

    static String[] lines() {
        List<String> l = new ArrayList<>();
        String[] alu = TableGp.ALU;
        for (int i = 0; i < 7; i++) {
            String n = alu[i];
            String nf = (i == 2 || i == 3) ? "" : " nf";
            String b = String.format("%02X", i * 8), b1 = String.format("%02X", i * 8 + 1);
            String b2 = String.format("%02X", i * 8 + 2), b3 = String.format("%02X", i * 8 + 3);
            l.add(n + " Eb,Gb | EVEX M4 " + b + " /r | nd evx" + nf);
            l.add(n + " Ev,Gv | EVEX M4 " + b1 + " /r | nd evx" + nf);
            l.add(n + " Gb,Eb | EVEX M4 " + b2 + " /r | nd evx" + nf);
            l.add(n + " Gv,Ev | EVEX M4 " + b3 + " /r | nd evx" + nf);
            l.add(n + " Eb,Ibs | EVEX M4 80 /" + i + " | nd evx" + nf);
            l.add(n + " Ev,Iz | EVEX M4 81 /" + i + " | nd evx" + nf);
            l.add(n + " Ev,Ibs | EVEX M4 83 /" + i + " | nd evx" + nf);
        }
        l.add("ccmp Eb,Gb | EVEX M4 38 /r ND0 | scc");
        l.add("ccmp Ev,Gv | EVEX M4 39 /r ND0 | scc");
        l.add("ccmp Gb,Eb | EVEX M4 3A /r ND0 | scc");
        l.add("ccmp Gv,Ev | EVEX M4 3B /r ND0 | scc");
        l.add("ccmp Eb,Ibs | EVEX M4 80 /7 ND0 | scc");
        l.add("ccmp Ev,Iz | EVEX M4 81 /7 ND0 | scc");
        l.add("ccmp Ev,Ibs | EVEX M4 83 /7 ND0 | scc");
        l.add("ctest Eb,Gb | EVEX M4 84 /r ND0 | scc");
        l.add("ctest Ev,Gv | EVEX M4 85 /r ND0 | scc");
        l.add("ctest Eb,Ibs | EVEX M4 F6 /0 ND0 | scc");
        l.add("ctest Ev,Iz | EVEX M4 F7 /0 ND0 | scc");
        String[] sh = TableGp.SHIFT;
        for (int i = 0; i < 8; i++) {
            if (i == 6) continue;
            String n = sh[i];
            String nf = (i == 2 || i == 3) ? "" : " nf";
            l.add(n + " Eb,Ib | EVEX M4 C0 /" + i + " | nd evx" + nf);
            l.add(n + " Ev,Ib | EVEX M4 C1 /" + i + " | nd evx" + nf);
            l.add(n + " Eb,1 | EVEX M4 D0 /" + i + " | nd evx" + nf);
            l.add(n + " Ev,1 | EVEX M4 D1 /" + i + " | nd evx" + nf);
            l.add(n + " Eb,CL | EVEX M4 D2 /" + i + " | nd evx" + nf);
            l.add(n + " Ev,CL | EVEX M4 D3 /" + i + " | nd evx" + nf);
        }
        String[] more = {
            "shld Ev,Gv,Ib | EVEX M4 24 /r | nd evx nf", "shld Ev,Gv,CL | EVEX M4 A5 /r | nd evx nf",
            "shrd Ev,Gv,Ib | EVEX M4 2C /r | nd evx nf", "shrd Ev,Gv,CL | EVEX M4 AD /r | nd evx nf",
            "not Eb | EVEX M4 F6 /2 | nd evx", "not Ev | EVEX M4 F7 /2 | nd evx",
            "neg Eb | EVEX M4 F6 /3 | nd evx nf", "neg Ev | EVEX M4 F7 /3 | nd evx nf",
            "mul Eb | EVEX M4 F6 /4 ND0 | evx nf", "mul Ev | EVEX M4 F7 /4 ND0 | evx nf",
            "imul Eb | EVEX M4 F6 /5 ND0 | evx nf", "imul Ev | EVEX M4 F7 /5 ND0 | evx nf",
            "div Eb | EVEX M4 F6 /6 ND0 | evx nf", "div Ev | EVEX M4 F7 /6 ND0 | evx nf",
            "idiv Eb | EVEX M4 F6 /7 ND0 | evx nf", "idiv Ev | EVEX M4 F7 /7 ND0 | evx nf",
            "inc Eb | EVEX M4 FE /0 | nd evx nf", "dec Eb | EVEX M4 FE /1 | nd evx nf",
            "inc Ev | EVEX M4 FF /0 | nd evx nf", "dec Ev | EVEX M4 FF /1 | nd evx nf",
            "imul Gv,Ev | EVEX M4 AF /r | nd evx nf",
            "imul Gv,Ev,Iz | EVEX M4 69 /r ND0 | evx nf", "imul Gv,Ev,Ibs | EVEX M4 6B /r ND0 | evx nf",
            "imulzu Gv,Ev,Iz | EVEX M4 69 /r ND1 | nf zu", "imulzu Gv,Ev,Ibs | EVEX M4 6B /r ND1 | nf zu",
            "cfcmov{cc} Gv,Ev | EVEX M4 40+cc /r ND0 NF0 | F=APX_F",
            "cfcmov{cc} Ev,Gv | EVEX M4 40+cc /r ND0 NF1 | nf",
            "cfcmov{cc} Bv,Gv,Ev | EVEX M4 40+cc /r ND1 NF1 | nf",
            "cmov{cc} Bv,Gv,Ev | EVEX M4 40+cc /r ND1 NF0 |",
            "set{cc} Eb | EVEX F2 M4 40+cc /r ND0 | evx nosfx",
            "setzu{cc} Eb | EVEX F2 M4 40+cc /r ND1 | zu nosfx",
            "movbe Gv,Ev | EVEX NP M4 60 /r ND0 |", "movbe Ev,Gv | EVEX NP M4 61 /r ND0 |",
            "adcx Gy,Ey | EVEX 66 M4 66 /r | nd", "adox Gy,Ey | EVEX F3 M4 66 /r | nd",
            "wrssd Md,Gd | EVEX NP M4 66 /r:m W0 ND0 | nosfx", "wrssq Mq,Gq | EVEX NP M4 66 /r:m W1 ND0 | nosfx",
            "wrussd Md,Gd | EVEX 66 M4 65 /r:m W0 ND0 | nosfx", "wrussq Mq,Gq | EVEX 66 M4 65 /r:m W1 ND0 | nosfx",
            "popcnt Gv,Ev | EVEX NP M4 88 /r ND0 | evx nf", "tzcnt Gv,Ev | EVEX NP M4 F4 /r ND0 | evx nf",
            "lzcnt Gv,Ev | EVEX NP M4 F5 /r ND0 | evx nf",
            "pop2p Bq,Rq | EVEX NP M4 8F /0:r W1 ND1 NF0 L0 | nosfx",
            "pop2 Bq,Rq | EVEX NP M4 8F /0:r W0 ND1 NF0 L0 | nosfx",
            "push2p Bq,Rq | EVEX NP M4 FF /6:r W1 ND1 NF0 L0 | nosfx",
            "push2 Bq,Rq | EVEX NP M4 FF /6:r W0 ND1 NF0 L0 | nosfx",
            "crc32 Gy,Eb | EVEX NP M4 F0 /r ND0 | att=crc32{s1}", "crc32 Gy,Ev | EVEX NP M4 F1 /r ND0 | att=crc32{s1}",
            "invept Gq,Mo | EVEX F3 M4 F0 /r:m ND0 | nosfx", "invvpid Gq,Mo | EVEX F3 M4 F1 /r:m ND0 | nosfx",
            "invpcid Gq,Mo | EVEX F3 M4 F2 /r:m ND0 | nosfx",
            "movdir64b Ga,Mz | EVEX 66 M4 F8 /r:m ND0 | nosfx",
            "enqcmd Ga,Mz | EVEX F2 M4 F8 /r:m ND0 | nosfx", "enqcmds Ga,Mz | EVEX F3 M4 F8 /r:m ND0 | nosfx",
            "urdmsr Gq,Rq | EVEX F2 M4 F8 /r:r ND0 | nosfx", "uwrmsr Gq,Rq | EVEX F3 M4 F8 /r:r ND0 | nosfx",
            "movdiri Ey,Gy | EVEX NP M4 F9 /r:m ND0 | nosfx",
            "aadd Ey,Gy | EVEX NP M4 FC /r:m ND0 |", "aand Ey,Gy | EVEX 66 M4 FC /r:m ND0 |",
            "axor Ey,Gy | EVEX F3 M4 FC /r:m ND0 |", "aor Ey,Gy | EVEX F2 M4 FC /r:m ND0 |",
            "sha1rnds4 Vo,Wo,Ib | EVEX NP M4 D4 /r ND0 | nosfx F=SHA",
            "sha1nexte Vo,Wo | EVEX NP M4 D8 /r ND0 | nosfx F=SHA", "sha1msg1 Vo,Wo | EVEX NP M4 D9 /r ND0 | nosfx F=SHA",
            "sha1msg2 Vo,Wo | EVEX NP M4 DA /r ND0 | nosfx F=SHA",
            "sha256rnds2 Vo,Wo,XMM0 | EVEX NP M4 DB /r ND0 | nosfx F=SHA",
            "sha256msg1 Vo,Wo | EVEX NP M4 DC /r ND0 | nosfx F=SHA", "sha256msg2 Vo,Wo | EVEX NP M4 DD /r ND0 | nosfx F=SHA",
            "aesencwide128kl M | EVEX F3 M4 D8 /0:m ND0 | nosfx F=KL", "aesdecwide128kl M | EVEX F3 M4 D8 /1:m ND0 | nosfx F=KL",
            "aesencwide256kl M | EVEX F3 M4 D8 /2:m ND0 | nosfx F=KL", "aesdecwide256kl M | EVEX F3 M4 D8 /3:m ND0 | nosfx F=KL",
            "encodekey128 Gd,Rd | EVEX F3 M4 DA /r:r ND0 | nosfx F=KL", "encodekey256 Gd,Rd | EVEX F3 M4 DB /r:r ND0 | nosfx F=KL",
            "aesenc128kl Vo,M | EVEX F3 M4 DC /r:m ND0 | nosfx F=KL", "aesdec128kl Vo,M | EVEX F3 M4 DD /r:m ND0 | nosfx F=KL",
            "aesenc256kl Vo,M | EVEX F3 M4 DE /r:m ND0 | nosfx F=KL", "aesdec256kl Vo,M | EVEX F3 M4 DF /r:m ND0 | nosfx F=KL",
            // MSR immediates (map 7)
            "wrmsrns Id,Rq | EVEX F3 M7 F6 /0:r W0 | nosfx F=MSR_IMM", "rdmsr Rq,Id | EVEX F2 M7 F6 /0:r W0 | nosfx F=MSR_IMM",
            "uwrmsr Id,Rq | EVEX F3 M7 F8 /0:r W0 | nosfx F=USER_MSR", "urdmsr Rq,Id | EVEX F2 M7 F8 /0:r W0 | nosfx F=USER_MSR",
            "wrmsrns Id,Rq | VEX L0 F3 M7 F6 /0:r W0 | nosfx F=MSR_IMM", "rdmsr Rq,Id | VEX L0 F2 M7 F6 /0:r W0 | nosfx F=MSR_IMM",
            "uwrmsr Id,Rq | VEX L0 F3 M7 F8 /0:r W0 | nosfx F=USER_MSR", "urdmsr Rq,Id | VEX L0 F2 M7 F8 /0:r W0 | nosfx F=USER_MSR",
        };
        for (String s : more) l.add(s);
        // VEX GPR instructions and their EVEX (APX) forms.
        String[][] bmi = {
            {"andn Gy,By,Ey", "NP 0F38 F2 /r", "F=BMI1", " nf"},
            {"bextr Gy,Ey,By", "NP 0F38 F7 /r", "F=BMI1", " nf"},
            {"blsr By,Ey", "NP 0F38 F3 /1", "F=BMI1", " nf"},
            {"blsmsk By,Ey", "NP 0F38 F3 /2", "F=BMI1", " nf"},
            {"blsi By,Ey", "NP 0F38 F3 /3", "F=BMI1", " nf"},
            {"bzhi Gy,Ey,By", "NP 0F38 F5 /r", "F=BMI2", " nf"},
            {"pdep Gy,By,Ey", "F2 0F38 F5 /r", "F=BMI2", ""},
            {"pext Gy,By,Ey", "F3 0F38 F5 /r", "F=BMI2", ""},
            {"mulx Gy,By,Ey", "F2 0F38 F6 /r", "F=BMI2", ""},
            {"sarx Gy,Ey,By", "F3 0F38 F7 /r", "F=BMI2", ""},
            {"shlx Gy,Ey,By", "66 0F38 F7 /r", "F=BMI2", ""},
            {"shrx Gy,Ey,By", "F2 0F38 F7 /r", "F=BMI2", ""},
            {"rorx Gy,Ey,Ib", "F2 0F3A F0 /r", "F=BMI2", ""},
            {"cmp{cc}xadd Ey,Gy,By", "66 0F38 E0+cc /r:m", "F=CMPCCXADD nosfx", ""},
        };
        for (String[] b : bmi) {
            l.add(b[0] + " | VEX L0 " + b[1] + " | " + b[2]);
            l.add(b[0] + " | EVEX L0 " + b[1] + " | " + b[2] + b[3]);
        }
        String[] kmov = {
            "kmovw KG,KR | NP 0F 90 /r:r W0", "kmovb KG,KR | 66 0F 90 /r:r W0",
            "kmovq KG,KR | NP 0F 90 /r:r W1", "kmovd KG,KR | 66 0F 90 /r:r W1",
            "kmovw KG,KEw | NP 0F 90 /r:m W0", "kmovb KG,KEb | 66 0F 90 /r:m W0",
            "kmovq KG,KEq | NP 0F 90 /r:m W1", "kmovd KG,KEd | 66 0F 90 /r:m W1",
            "kmovw Mw,KG | NP 0F 91 /r:m W0", "kmovb Mb,KG | 66 0F 91 /r:m W0",
            "kmovq Mq,KG | NP 0F 91 /r:m W1", "kmovd Md,KG | 66 0F 91 /r:m W1",
            "kmovw KG,Rd | NP 0F 92 /r:r W0", "kmovb KG,Rd | 66 0F 92 /r:r W0",
            "kmovd KG,Rd | F2 0F 92 /r:r W0", "kmovq KG,Rq | F2 0F 92 /r:r W1",
            "kmovw Gd,KR | NP 0F 93 /r:r W0", "kmovb Gd,KR | 66 0F 93 /r:r W0",
            "kmovd Gd,KR | F2 0F 93 /r:r W0", "kmovq Gq,KR | F2 0F 93 /r:r W1",
        };
        for (String k : kmov) {
            String feat = k.startsWith("kmovw") ? "F=AVX512F" : k.startsWith("kmovb") ? "F=AVX512DQ" : "F=AVX512BW";
            l.add(k.replace("| ", "| VEX L0 ") + " | nosfx " + feat);
            l.add(k.replace("| ", "| EVEX L0 ") + " | nosfx " + feat + (k.contains("90 /r:r") ? " evx" : ""));
        }
        String[] amx = {
            "ldtilecfg M | NP 0F38 49 /0:m W0 | F=AMX_TILE X=0x20000",
            "sttilecfg M | 66 0F38 49 /0:m W0 | F=AMX_TILE X=0x20000",
            "tileloadd TG,M | F2 0F38 4B /r:m W0 | F=AMX_TILE",
            "tileloaddt1 TG,M | 66 0F38 4B /r:m W0 | F=AMX_TILE",
            "tilestored M,TG | F3 0F38 4B /r:m W0 | F=AMX_TILE",
            "tileloaddrs TG,M | F2 0F38 4A /r:m W0 | F=AMX_MOVRS",
            "tileloaddrst1 TG,M | 66 0F38 4A /r:m W0 | F=AMX_MOVRS",
        };
        for (String a : amx) {
            String[] p = a.split("\\|");
            String x = (a.contains("X=") ? "" : " X=0x60000") + " nosfx";
            l.add(p[0] + "| VEX L0 " + p[1].trim() + " |" + p[2] + x);
            l.add(p[0] + "| EVEX L0 " + p[1].trim() + " |" + p[2] + x);
        }
        return l.toArray(new String[0]);
    }
}
