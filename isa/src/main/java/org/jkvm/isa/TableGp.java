package org.jkvm.isa;

/**
 * General-purpose and system instructions (one-byte map, 0F map, and the GP parts of 0F38/0F3A), in the
 * notation of {@link OpcodeTable}.
 */
final class TableGp {
    private TableGp() {}

    static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};

    static String[] lines() {
        java.util.List<String> l = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String n = ALU[i];
            String lk = i == 7 ? "" : " lock";
            int b = i * 8;
            l.add(n + " Eb,Gb | " + hex(b) + " /r |" + lk);
            l.add(n + " Ev,Gv | " + hex(b + 1) + " /r |" + lk);
            l.add(n + " Gb,Eb | " + hex(b + 2) + " /r |");
            l.add(n + " Gv,Ev | " + hex(b + 3) + " /r |");
            l.add(n + " AL,Ibs | " + hex(b + 4) + " |");
            l.add(n + " rAX,Iz | " + hex(b + 5) + " |");
            l.add(n + " Eb,Ibs | 80 /" + i + " |" + lk);
            l.add(n + " Ev,Iz | 81 /" + i + " |" + lk);
            l.add(n + " Eb,Ibs | 82 /" + i + " | i64" + lk);
            l.add(n + " Ev,Ibs | 83 /" + i + " |" + lk);
        }
        for (int i = 0; i < 8; i++) {
            String n = SHIFT[i];
            l.add(n + " Eb,Ib | C0 /" + i + " |");
            l.add(n + " Ev,Ib | C1 /" + i + " |");
            l.add(n + " Eb,1 | D0 /" + i + " |");
            l.add(n + " Ev,1 | D1 /" + i + " |");
            l.add(n + " Eb,CL | D2 /" + i + " |");
            l.add(n + " Ev,CL | D3 /" + i + " |");
        }
        for (String s : GP) l.add(s);
        return l.toArray(new String[0]);
    }

    private static String hex(int b) { return String.format("%02X", b); }

    private static final String[] GP = {
        "push ES | 06 | i64 nosfx att=pushl", "pop ES | 07 | i64 nosfx att=popl",
        "push CS | 0E | i64 nosfx att=pushl",
        "push SS | 16 | i64 nosfx att=pushl", "pop SS | 17 | i64 nosfx att=popl",
        "push DS | 1E | i64 nosfx att=pushl", "pop DS | 1F | i64 nosfx att=popl",
        "daa | 27 | i64", "das | 2F | i64", "aaa | 37 | i64", "aas | 3F | i64",
        "inc Zv | 40+r | i64", "dec Zv | 48+r | i64",
        "pushp Zq | 50+r W1 | rex2 nosfx", "popp Zq | 58+r W1 | rex2 nosfx",
        "push Zv | 50+r | d64", "pop Zv | 58+r | d64",
        "pushaw | 60 | i64 o16", "pushal | 60 | i64 o32 att=pushal",
        "popaw | 61 | i64 o16", "popal | 61 | i64 o32",
        "bound Gv,Mv | 62 /r:m | i64",
        "arpl Ew,Gw | 63 /r | i64",
        "movsxd Gv,Ed | 63 /r | att=movslq",
        "push Iz | 68 | d64",
        "imul Gv,Ev,Iz | 69 /r |",
        "push Ibs | 6A | d64",
        "imul Gv,Ev,Ibs | 6B /r |",
        "insb Yb,DX | 6C | rep nosfx", "insw Yw,DX | 6D | rep o16 nosfx", "insd Yd,DX | 6D | rep nosfx att=insl",
        "outsb DX,Xb | 6E | rep nosfx", "outsw DX,Xw | 6F | rep o16 nosfx", "outsd DX,Xd | 6F | rep nosfx att=outsl",
        "j{cc} Jb | 70+cc | f64 nosfx",
        "test Eb,Gb | 84 /r |", "test Ev,Gv | 85 /r |",
        "xchg Gb,Eb | 86 /r:r |", "xchg Eb,Gb | 86 /r:m | lock", "xchg Gv,Ev | 87 /r:r |", "xchg Ev,Gv | 87 /r:m | lock",
        "mov Eb,Gb | 88 /r |", "mov Ev,Gv | 89 /r |", "mov Gb,Eb | 8A /r |", "mov Gv,Ev | 8B /r |",
        "mov Ev:w,Sw | 8C /r |", "lea Gv,M | 8D /r:m |", "mov Sw,Ev:w | 8E /r |", "pop Ev | 8F /0 | d64",
        "pause | F3 90 | nop90 nosfx", "nop | 90 | nop90 nosfx", "xchg rAX,Zv | 90+r |",
        "cbw | 98 | o16 att=cbtw", "cwde | 98 | o32 att=cwtl", "cdqe | 98 | o64 att=cltq",
        "cwd | 99 | o16 att=cwtd", "cdq | 99 | o32 att=cltd", "cqo | 99 | o64 att=cqto",
        "lcall Ap | 9A | i64 nosfx",
        "wait | 9B | nosfx",
        "pushf | 9C | d64 o16 att=pushfw", "pushfd | 9C | d64 o32 att=pushfl", "pushfq | 9C | d64 o64",
        "popf | 9D | d64 o16 att=popfw", "popfd | 9D | d64 o32 att=popfl", "popfq | 9D | d64 o64",
        "sahf | 9E |", "lahf | 9F |",
        "jmpabs Iq | A1 W0 | rex2 nosfx nopfx",
        "movabs AL,Ob | A0 | m64", "movabs rAX,Ov | A1 | m64", "movabs Ob,AL | A2 | m64", "movabs Ov,rAX | A3 | m64",
        "mov AL,Ob | A0 |", "mov rAX,Ov | A1 |", "mov Ob,AL | A2 |", "mov Ov,rAX | A3 |",
        "movsb Yb,Xb | A4 | rep nosfx", "movsw Yw,Xw | A5 | rep o16 nosfx", "movsd Yd,Xd | A5 | rep o32 nosfx att=movsl",
        "movsq Yq,Xq | A5 | rep o64 nosfx",
        "cmpsb Xb,Yb | A6 | repe nosfx", "cmpsw Xw,Yw | A7 | repe o16 nosfx", "cmpsd Xd,Yd | A7 | repe o32 nosfx att=cmpsl",
        "cmpsq Xq,Yq | A7 | repe o64 nosfx",
        "test AL,Ibs | A8 |", "test rAX,Iz | A9 |",
        "stosb Yb,AL | AA | rep nosfx", "stosw Yw,AX | AB | rep o16 nosfx", "stosd Yd,EAX | AB | rep o32 nosfx att=stosl",
        "stosq Yq,RAX | AB | rep o64 nosfx",
        "lodsb AL,Xb | AC | rep nosfx", "lodsw AX,Xw | AD | rep o16 nosfx", "lodsd EAX,Xd | AD | rep o32 nosfx att=lodsl",
        "lodsq RAX,Xq | AD | rep o64 nosfx",
        "scasb AL,Yb | AE | repe nosfx", "scasw AX,Yw | AF | repe o16 nosfx", "scasd EAX,Yd | AF | repe o32 nosfx att=scasl",
        "scasq RAX,Yq | AF | repe o64 nosfx",
        "mov Zb,Ibs | B0+r |", "movabs Zq,Iq | B8+r W1 | m64", "mov Zv,Iv | B8+r |",
        "ret Iws | C2 | f64 att=ret{v}", "ret | C3 | f64 att=ret{v}",
        "les Gz,Mp | C4 /r | i64", "lds Gz,Mp | C5 /r | i64",
        "xabort Ib | C6 =F8 | nosfx F=RTM", "mov Eb,Ibs | C6 /0 |",
        "xbegin Jz | C7 =F8 | nosfx F=RTM", "mov Ev,Iz | C7 /0 |",
        "enter Iws,Ibs | C8 | d64 nosfx attfwd", "leave | C9 | d64",
        "retfq Iws | CA | o64 att=lretq", "retfq | CB | o64 att=lretq", "retf Iws | CA | att=lretl", "retf | CB | att=lretl",
        "int3 | CC |", "int Ib | CD | nosfx", "into | CE | i64",
        "iret | CF | o16 att=iretw", "iretd | CF | o32 att=iretl", "iretq | CF | o64",
        "aam Ibs | D4 | i64 nosfx", "aad Ibs | D5 | i64 nosfx",
        "xlatb | D7 | nosfx",
        "loopne Jb | E0 | f64 nosfx", "loope Jb | E1 | f64 nosfx", "loop Jb | E2 | f64 nosfx",
        "jcxz Jb | E3 | a16 f64 nosfx", "jecxz Jb | E3 | a32 f64 nosfx", "jrcxz Jb | E3 | a64 f64 nosfx",
        "in AL,Ib | E4 | att=inb", "in zAX,Ib | E5 | att=in{s0}", "out Ib,AL | E6 | att=outb", "out Ib,zAX | E7 | att=out{s1}",
        "call Jz | E8 | f64 att=call{v}", "jmp Jz | E9 | f64 nosfx", "ljmp Ap | EA | i64 nosfx", "jmp Jb | EB | f64 nosfx",
        "in AL,DX | EC | att=inb", "in zAX,DX | ED | att=in{s0}", "out DX,AL | EE | att=outb", "out DX,zAX | EF | att=out{s1}",
        "int1 | F1 |", "hlt | F4 |", "cmc | F5 |",
        "test Eb,Ibs | F6 /0 |", "test Eb,Ibs | F6 /1 |", "not Eb | F6 /2 | lock", "neg Eb | F6 /3 | lock",
        "mul Eb | F6 /4 |", "imul Eb | F6 /5 |", "div Eb | F6 /6 |", "idiv Eb | F6 /7 |",
        "test Ev,Iz | F7 /0 |", "test Ev,Iz | F7 /1 |", "not Ev | F7 /2 | lock", "neg Ev | F7 /3 | lock",
        "mul Ev | F7 /4 |", "imul Ev | F7 /5 |", "div Ev | F7 /6 |", "idiv Ev | F7 /7 |",
        "clc | F8 |", "stc | F9 |", "cli | FA |", "sti | FB |", "cld | FC |", "std | FD |",
        "inc Eb | FE /0 | lock", "dec Eb | FE /1 | lock",
        "inc Ev | FF /0 | lock", "dec Ev | FF /1 | lock", "call Ev | FF /2 | f64 attstar", "call Mp | FF /3:m | att=lcall{v} attstar",
        "jmp Ev | FF /4 | f64 attstar", "jmp Mp | FF /5:m | att=ljmp{v} attstar", "push Ev | FF /6 | d64",

        // 0F map: system
        "sldt Ev:w | 0F 00 /0 |", "str Ev:w | 0F 00 /1 |", "lldt Ew | 0F 00 /2 | nosfx", "ltr Ew | 0F 00 /3 | nosfx",
        "verr Ew | 0F 00 /4 | nosfx", "verw Ew | 0F 00 /5 | nosfx",
        "vmcall | 0F 01 =C1 | F=VMX", "vmlaunch | 0F 01 =C2 | F=VMX", "vmresume | 0F 01 =C3 | F=VMX",
        "vmxoff | 0F 01 =C4 | F=VMX",
        "monitor | 0F 01 =C8 | F=MONITOR", "mwait | 0F 01 =C9 | F=MONITOR",
        "clac | 0F 01 =CA | F=SMAP", "stac | 0F 01 =CB | F=SMAP", "encls | 0F 01 =CF | F=SGX",
        "xgetbv | 0F 01 =D0 | F=XSAVE", "xsetbv | 0F 01 =D1 | F=XSAVE", "vmfunc | 0F 01 =D4 | F=VMX",
        "xend | 0F 01 =D5 | F=RTM", "xtest | 0F 01 =D6 | F=RTM", "enclu | 0F 01 =D7 | F=SGX",
        "serialize | NP 0F 01 =E8 | F=SERIALIZE", "rdpkru | 0F 01 =EE | F=PKU X=0x200", "wrpkru | 0F 01 =EF | F=PKU X=0x200",
        "swapgs | 0F 01 =F8 | m64", "rdtscp | 0F 01 =F9 | F=RDTSCP", "clzero | 0F 01 =FC |",
        "sgdt M | 0F 01 /0:m | f64 att=sgdt{v}", "sidt M | 0F 01 /1:m | f64 att=sidt{v}", "lgdt M | 0F 01 /2:m | f64 att=lgdt{v}", "lidt M | 0F 01 /3:m | f64 att=lidt{v}",
        "smsw Ev:w | 0F 01 /4 |", "lmsw Ew | 0F 01 /6 | nosfx", "invlpg Mb | 0F 01 /7:m | nosfx",
        "lar Gv,Ew | 0F 02 /r |", "lsl Gv,Ew | 0F 03 /r |",
        "syscall | 0F 05 | F=SYSCALL", "clts | 0F 06 |", "sysret | 0F 07 | o32 att=sysretl", "sysretq | 0F 07 | o64",
        "invd | 0F 08 |", "wbnoinvd | F3 0F 09 | F=WBNOINVD", "wbinvd | 0F 09 |", "ud2 | 0F 0B |",
        "prefetch Mb | 0F 0D /0:m | nosfx", "prefetchw Mb | 0F 0D /1:m | nosfx F=PREFETCHW",
        "prefetchnta Mb | 0F 18 /0:m | nosfx", "prefetcht0 Mb | 0F 18 /1:m | nosfx",
        "prefetcht1 Mb | 0F 18 /2:m | nosfx", "prefetcht2 Mb | 0F 18 /3:m | nosfx",
        "endbr64 | F3 0F 1E =FA | F=CET_IBT", "endbr32 | F3 0F 1E =FB | F=CET_IBT",
        "rdsspd Rd | F3 0F 1E /1:r W0 | F=CET_SS", "rdsspq Rq | F3 0F 1E /1:r W1 | F=CET_SS",
        "nop Ev | 0F 18 /r |", "nop Ev | 0F 19 /r |", "nop Ev | 0F 1A /r |", "nop Ev | 0F 1B /r |",
        "nop Ev | 0F 1C /r |", "nop Ev | 0F 1D /r |", "nop Ev | 0F 1E /r |", "nop Ev | 0F 1F /r |",
        "mov Rn,Cd | 0F 20 /r:r | f64", "mov Rn,Dd | 0F 21 /r:r | f64",
        "mov Cd,Rn | 0F 22 /r:r | f64", "mov Dd,Rn | 0F 23 /r:r | f64",
        "wrmsr | 0F 30 | F=MSR", "rdtsc | 0F 31 | F=TSC", "rdmsr | 0F 32 | F=MSR", "rdpmc | 0F 33 |",
        "sysenter | 0F 34 | F=SEP", "sysexit | 0F 35 | o32 F=SEP att=sysexitl", "sysexitq | 0F 35 | o64 F=SEP",
        "getsec | 0F 37 | F=SMX",
        "cmov{cc} Gv,Ev | 0F 40+cc /r | F=CMOV",
        "j{cc} Jz | 0F 80+cc | f64 nosfx",
        "set{cc} Eb | 0F 90+cc /r | nosfx",
        "push FS | 0F A0 | d64", "pop FS | 0F A1 | d64", "cpuid | 0F A2 |", "bt Ev,Gv | 0F A3 /r |",
        "shld Ev,Gv,Ib | 0F A4 /r |", "shld Ev,Gv,CL | 0F A5 /r |",
        "push GS | 0F A8 | d64", "pop GS | 0F A9 | d64", "rsm | 0F AA |", "bts Ev,Gv | 0F AB /r | lock",
        "shrd Ev,Gv,Ib | 0F AC /r |", "shrd Ev,Gv,CL | 0F AD /r |",
        "rdfsbase Ry | F3 0F AE /0:r | m64 F=FSGSBASE nosfx", "rdgsbase Ry | F3 0F AE /1:r | m64 F=FSGSBASE nosfx",
        "wrfsbase Ry | F3 0F AE /2:r | m64 F=FSGSBASE nosfx", "wrgsbase Ry | F3 0F AE /3:r | m64 F=FSGSBASE nosfx",
        "incsspd Rd | F3 0F AE /5:r W0 | F=CET_SS", "incsspq Rq | F3 0F AE /5:r W1 | F=CET_SS",
        "umonitor Ra | F3 0F AE /6:r | F=WAITPKG",
        "tpause Rd | 66 0F AE /6:r | F=WAITPKG nosfx", "umwait Rd | F2 0F AE /6:r | F=WAITPKG nosfx",
        "clwb Mb | 66 0F AE /6:m | F=CLWB nosfx", "clflushopt Mb | 66 0F AE /7:m | F=CLFLUSHOPT nosfx",
        "lfence | NP 0F AE =E8 |", "mfence | NP 0F AE =F0 |", "sfence | NP 0F AE =F8 |",
        "fxsave64 M | NP 0F AE /0:m W1 | F=FXSR X=0x3", "fxsave M | NP 0F AE /0:m | F=FXSR X=0x3",
        "fxrstor64 M | NP 0F AE /1:m W1 | F=FXSR X=0x3", "fxrstor M | NP 0F AE /1:m | F=FXSR X=0x3",
        "ldmxcsr Md | NP 0F AE /2:m | F=SSE X=0x2 nosfx", "stmxcsr Md | NP 0F AE /3:m | F=SSE X=0x2 nosfx",
        "xsave64 M | NP 0F AE /4:m W1 | F=XSAVE X=0", "xsave M | NP 0F AE /4:m | F=XSAVE X=0",
        "xrstor64 M | NP 0F AE /5:m W1 | F=XSAVE X=0", "xrstor M | NP 0F AE /5:m | F=XSAVE X=0",
        "xsaveopt64 M | NP 0F AE /6:m W1 | F=XSAVEOPT X=0", "xsaveopt M | NP 0F AE /6:m | F=XSAVEOPT X=0",
        "clflush Mb | NP 0F AE /7:m | F=CLFLUSH nosfx",
        "imul Gv,Ev | 0F AF /r |",
        "cmpxchg Eb,Gb | 0F B0 /r | lock", "cmpxchg Ev,Gv | 0F B1 /r | lock",
        "lss Gv,Mp | 0F B2 /r:m |", "btr Ev,Gv | 0F B3 /r | lock", "lfs Gv,Mp | 0F B4 /r:m |", "lgs Gv,Mp | 0F B5 /r:m |",
        "movzx Gv,Eb | 0F B6 /r | att=movz{s1}{s0}", "movzx Gv,Ew | 0F B7 /r | att=movz{s1}{s0}",
        "popcnt Gv,Ev | F3 0F B8 /r | F=POPCNT", "ud1 Gv,Ev | 0F B9 /r |",
        "bt Ev,Ib | 0F BA /4 |", "bts Ev,Ib | 0F BA /5 | lock", "btr Ev,Ib | 0F BA /6 | lock", "btc Ev,Ib | 0F BA /7 | lock",
        "btc Ev,Gv | 0F BB /r | lock",
        "tzcnt Gv,Ev | F3 0F BC /r | F=BMI1", "bsf Gv,Ev | 0F BC /r |",
        "lzcnt Gv,Ev | F3 0F BD /r | F=LZCNT", "bsr Gv,Ev | 0F BD /r |",
        "movsx Gv,Eb | 0F BE /r | att=movs{s1}{s0}", "movsx Gv,Ew | 0F BF /r | att=movs{s1}{s0}",
        "xadd Eb,Gb | 0F C0 /r | lock", "xadd Ev,Gv | 0F C1 /r | lock",
        "cmpxchg16b Mo | 0F C7 /1:m W1 | lock F=CX16 nosfx", "cmpxchg8b Mq | 0F C7 /1:m | lock F=CX8 nosfx",
        "xrstors64 M | NP 0F C7 /3:m W1 | F=XSAVES X=0", "xrstors M | NP 0F C7 /3:m | F=XSAVES X=0",
        "xsavec64 M | NP 0F C7 /4:m W1 | F=XSAVEC X=0", "xsavec M | NP 0F C7 /4:m | F=XSAVEC X=0",
        "xsaves64 M | NP 0F C7 /5:m W1 | F=XSAVES X=0", "xsaves M | NP 0F C7 /5:m | F=XSAVES X=0",
        "vmptrld Mq | NP 0F C7 /6:m | F=VMX nosfx", "vmclear Mq | 66 0F C7 /6:m | F=VMX nosfx",
        "vmxon Mq | F3 0F C7 /6:m | F=VMX nosfx", "vmptrst Mq | NP 0F C7 /7:m | F=VMX nosfx",
        "rdpid Ry | F3 0F C7 /7:r | F=RDPID nosfx f64",
        "rdrand Rv | 0F C7 /6:r | F=RDRAND", "rdseed Rv | 0F C7 /7:r | F=RDSEED",
        "bswap Zv | 0F C8+r |",
        "ud0 Gv,Ev | 0F FF /r |",
        "vmread Ey,Gy | NP 0F 78 /r | F=VMX f64", "vmwrite Gy,Ey | NP 0F 79 /r | F=VMX f64",
        // AMD SVM and other 0F 01 system instructions
        "vmrun | 0F 01 =D8 | F=SVM", "vmmcall | 0F 01 =D9 | F=SVM", "vmload | 0F 01 =DA | F=SVM",
        "vmsave | 0F 01 =DB | F=SVM", "stgi | 0F 01 =DC | F=SVM", "clgi | 0F 01 =DD | F=SVM", "skinit | 0F 01 =DE | F=SVM",
        "invlpga | 0F 01 =DF | F=SVM", "monitorx | NP 0F 01 =FA |", "mcommit | F3 0F 01 =FA |", "mwaitx | 0F 01 =FB |",
        "invlpgb | 0F 01 =FE |", "tlbsync | 0F 01 =FF |", "enclv | 0F 01 =C0 | F=SGX", "pconfig | NP 0F 01 =C5 | F=PCONFIG",
        "wrmsrns | NP 0F 01 =C6 | F=WRMSRNS", "rdmsrlist | F2 0F 01 =C6 | F=MSRLIST", "wrmsrlist | F3 0F 01 =C6 | F=MSRLIST",
        "xsusldtrk | F2 0F 01 =E8 | F=TSXLDTRK", "xresldtrk | F2 0F 01 =E9 | F=TSXLDTRK",
        "setssbsy | F3 0F 01 =E8 | F=CET_SS", "saveprevssp | F3 0F 01 =EA | F=CET_SS",
        "uiret | F3 0F 01 =EC | F=UINTR", "testui | F3 0F 01 =ED | F=UINTR", "clui | F3 0F 01 =EE | F=UINTR",
        "stui | F3 0F 01 =EF | F=UINTR", "erets | F2 0F 01 =CA | F=FRED", "eretu | F3 0F 01 =CA | F=FRED",
        "rstorssp Mq | F3 0F 01 /5:m | F=CET_SS nosfx", "clrssbsy Mq | F3 0F AE /6:m | F=CET_SS nosfx",
        "senduipi Rq | F3 0F C7 /6:r | F=UINTR nosfx", "hreset Ib | F3 0F3A F0 =C0 | F=HRESET nosfx",
        "ptwrite Ey | F3 0F AE /4 | F=INTEL_PT nosfx att=ptwrite{s0}", "cldemote Mb | NP 0F 1C /0:m | F=CLDEMOTE nosfx",
        "lkgs Ew | F2 0F 00 /6 | F=LKGS nosfx",
        // Key Locker (legacy encodings)
        "aesencwide128kl M | F3 0F38 D8 /0:m | F=KL nosfx", "aesdecwide128kl M | F3 0F38 D8 /1:m | F=KL nosfx",
        "aesencwide256kl M | F3 0F38 D8 /2:m | F=KL nosfx", "aesdecwide256kl M | F3 0F38 D8 /3:m | F=KL nosfx",
        "aesenc128kl Vo,M | F3 0F38 DC /r:m | F=KL nosfx", "aesdec128kl Vo,M | F3 0F38 DD /r:m | F=KL nosfx",
        "aesenc256kl Vo,M | F3 0F38 DE /r:m | F=KL nosfx", "aesdec256kl Vo,M | F3 0F38 DF /r:m | F=KL nosfx",
        "encodekey128 Gd,Rd | F3 0F38 FA /r:r | F=KL nosfx", "encodekey256 Gd,Rd | F3 0F38 FB /r:r | F=KL nosfx",
        "loadiwkey Vo,Uo | F3 0F38 DC /r:r | F=KL nosfx",
        "femms | 0F 0E |",
        // 0F38 GP
        "movbe Gv,Mv | 0F38 F0 /r:m | F=MOVBE", "movbe Mv,Gv | 0F38 F1 /r:m | F=MOVBE",
        "crc32 Gy,Eb | F2 0F38 F0 /r | F=SSE4_2 att=crc32{s1}", "crc32 Gy,Ev | F2 0F38 F1 /r | F=SSE4_2 att=crc32{s1}",
        "invept Gq,Mo | 66 0F38 80 /r:m | F=VMX f64 nosfx", "invvpid Gq,Mo | 66 0F38 81 /r:m | F=VMX f64 nosfx",
        "invpcid Gq,Mo | 66 0F38 82 /r:m | F=INVPCID f64 nosfx",
        "adcx Gy,Ey | 66 0F38 F6 /r | F=ADX", "adox Gy,Ey | F3 0F38 F6 /r | F=ADX",
        "wrssd Md,Gd | NP 0F38 F6 /r:m W0 | F=CET_SS nosfx", "wrssq Mq,Gq | NP 0F38 F6 /r:m W1 | F=CET_SS nosfx",
        "wrussd Md,Gd | 66 0F38 F5 /r:m W0 | F=CET_SS nosfx", "wrussq Mq,Gq | 66 0F38 F5 /r:m W1 | F=CET_SS nosfx",
        "movdir64b Ga,Mz | 66 0F38 F8 /r:m | F=MOVDIR64B nosfx", "enqcmd Ga,Mz | F2 0F38 F8 /r:m | F=ENQCMD nosfx",
        "enqcmds Ga,Mz | F3 0F38 F8 /r:m | F=ENQCMD nosfx", "movdiri Ey,Gy | NP 0F38 F9 /r:m | F=MOVDIRI nosfx",
        "aadd Ey,Gy | NP 0F38 FC /r:m | F=RAO_INT", "aand Ey,Gy | 66 0F38 FC /r:m | F=RAO_INT",
        "axor Ey,Gy | F3 0F38 FC /r:m | F=RAO_INT", "aor Ey,Gy | F2 0F38 FC /r:m | F=RAO_INT",
    };
}
