package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/** System instructions ({@link Op#SYS}), MSR access and the VMX exits they cause. */
public abstract class SysOps extends SlowOps {
    protected SysOps(PhysicalMemory pmem) {
        super(pmem);
    }

    public long tscOffset;
    /** Physical TSC = System.nanoTime() + tscBias (a 1 GHz timestamp counter). */
    public long tscBias;

    public final long physicalTsc() {
        return System.nanoTime() + tscBias;
    }

    final long guestTsc() {
        return physicalTsc() + (guestMode && (cpuControls & 8) != 0 ? tscOffset : 0);
    }

    @Override
    final void sys(Uop u) {
        // the exits thrown in this method are caught in it, which C2 compiles to a plain jump
        try {
            switch (u.aux) {
                case Sys.HLT -> {
                    requireCpl0();
                    if (guestMode && (cpuControls & (1 << 7)) != 0) throw exit(u, 12, 0);
                    halted = true;
                    stopBlock = true;
                }
                case Sys.CPUID -> throw exit(u, 10, 0);
                case Sys.INVD -> {
                    requireCpl0();
                    throw exit(u, 13, 0);
                }
                case Sys.GETSEC -> throw exit(u, 11, 0);
                case Sys.VMCALL -> throw exit(u, 18, 0);
                case Sys.WBINVD -> {
                    requireCpl0();
                    if (guestMode && (secControls & (1 << 6)) != 0) throw exit(u, 54, 0);
                }
                case Sys.RDTSC, Sys.RDTSCP -> {
                    if ((cr4 & 4) != 0 && cpl != 0) throw Fault.gp0();
                    if (u.aux == Sys.RDTSCP && guestMode && (secControls & (1 << 3)) == 0) throw Fault.ud();
                    if (guestMode && (cpuControls & (1 << 12)) != 0) throw exit(u, u.aux == Sys.RDTSC ? 16 : 51, 0);
                    long t = guestTsc();
                    r[0] = t & 0xFFFF_FFFFL;
                    r[2] = t >>> 32;
                    if (u.aux == Sys.RDTSCP) r[1] = tscAux & 0xFFFF_FFFFL;
                }
                case Sys.RDPID -> r[u.r1] = long64 ? tscAux & 0xFFFF_FFFFL : tscAux & 0xFFFF_FFFFL;
                case Sys.RDPMC -> {
                    if (guestMode && (cpuControls & (1 << 11)) != 0) throw exit(u, 15, 0);
                    throw Fault.gp0();
                }
                case Sys.RDMSR -> {
                    requireCpl0();
                    int msr = (int) r[1];
                    if (guestMode && msrExits(msr, false)) throw exit(u, 31, 0);
                    long v = rdmsr(msr);
                    r[0] = v & 0xFFFF_FFFFL;
                    r[2] = v >>> 32;
                }
                case Sys.WRMSR -> {
                    requireCpl0();
                    int msr = (int) r[1];
                    if (guestMode && msrExits(msr, true)) throw exit(u, 32, 0);
                    wrmsr(msr, (r[0] & 0xFFFF_FFFFL) | (r[2] << 32));
                    stopBlock = true;
                }
                case Sys.LGDT, Sys.LIDT -> {
                    requireCpl0();
                    long a = ea(u);
                    int lim = (int) read16(a);
                    long base = long64 ? read64(a + 2) : read32(a + 2);
                    if (!long64 && u.size == 2) base &= 0xFF_FFFFL;
                    if (long64 && !canonical(base)) throw Fault.gp0();
                    if (u.aux == Sys.LGDT) { gdtrBase = base; gdtrLimit = lim; }
                    else { idtrBase = base; idtrLimit = lim; }
                }
                case Sys.SGDT, Sys.SIDT -> {
                    if ((cr4 & 0x800) != 0 && cpl > 0) throw Fault.gp0(); // UMIP
                    long a = eaW(u);
                    boolean g = u.aux == Sys.SGDT;
                    write16(a, g ? gdtrLimit : idtrLimit);
                    long base = g ? gdtrBase : idtrBase;
                    if (long64) write64(a + 2, base);
                    else write32(a + 2, base);
                }
                case Sys.LLDT -> {
                    if (!pe() || (rflags & VM) != 0) throw Fault.ud();
                    requireCpl0();
                    int sel = (int) (u.r2 >= 0 ? r[u.r2] : read(ea(u), 2)) & 0xFFFF;
                    if ((sel & 0xFFFC) == 0) { setSeg(LDTR, sel, 0, 0, 0x10000); return; }
                    if ((sel & 4) != 0) throw Fault.gp(sel & 0xFFFC);
                    long d = descriptor(sel, Fault.GP);
                    int ar = descAr(d);
                    if ((ar & 0x1F) != 2) throw Fault.gp(sel & 0xFFFC);
                    if ((ar & 0x80) == 0) throw new Fault(Fault.NP, sel & 0xFFFC, 0);
                    long base = descBase(d);
                    if (lma()) base |= readSys(gdtrBase + (sel & 0xFFF8) + 8, 4) << 32;
                    setSeg(LDTR, sel, base, descLimit(d), ar);
                }
                case Sys.LTR -> {
                    if (!pe() || (rflags & VM) != 0) throw Fault.ud();
                    requireCpl0();
                    int sel = (int) (u.r2 >= 0 ? r[u.r2] : read(ea(u), 2)) & 0xFFFF;
                    if ((sel & 0xFFFC) == 0 || (sel & 4) != 0) throw Fault.gp(sel & 0xFFFC);
                    long d = descriptor(sel, Fault.GP);
                    int ar = descAr(d);
                    int t = ar & 0x1F;
                    if (t != 9 && t != 1) throw Fault.gp(sel & 0xFFFC);
                    if ((ar & 0x80) == 0) throw new Fault(Fault.NP, sel & 0xFFFC, 0);
                    long base = descBase(d);
                    if (lma()) base |= readSys(gdtrBase + (sel & 0xFFF8) + 8, 4) << 32;
                    writeSys(gdtrBase + (sel & 0xFFF8) + 5, 1, (d >>> 40 | 2) & 0xFF);
                    setSeg(TR, sel, base, descLimit(d), ar | 2);
                }
                case Sys.SLDT, Sys.STR -> {
                    if (!pe() || (rflags & VM) != 0) throw Fault.ud();
                    if ((cr4 & 0x800) != 0 && cpl > 0) throw Fault.gp0();
                    int v = segSel[u.aux == Sys.SLDT ? LDTR : TR];
                    if (u.r1 >= 0) setReg(u.size, u.r1, v);
                    else write16(eaW(u), v);
                }
                case Sys.LMSW -> {
                    requireCpl0();
                    long v = (u.r2 >= 0 ? r[u.r2] : read(ea(u), 2)) & 0xF;
                    long nv = (cr0 & ~0xEL) | (v & 0xE) | (cr0 & 1) | (v & 1);
                    if (guestMode && (((nv ^ cr0Shadow) & cr0Mask & 0xF) != 0)) throw exit(u, 28, 3 << 4 | (v << 16));
                    writeCr0(nv & ~cr0Mask | cr0 & cr0Mask);
                }
                case Sys.SMSW -> {
                    if ((cr4 & 0x800) != 0 && cpl > 0) throw Fault.gp0();
                    long v = (cr0 & ~cr0Mask) | (cr0Shadow & cr0Mask);
                    if (u.r1 >= 0) setReg(u.size, u.r1, v);
                    else write16(eaW(u), v);
                }
                case Sys.CLTS -> {
                    requireCpl0();
                    if (guestMode && (cr0Mask & 8) != 0 && (cr0Shadow & 8) != 0) throw exit(u, 28, 2 << 4);
                    if ((cr0Mask & 8) == 0) cr0 &= ~8L;
                }
                case Sys.INVLPG -> {
                    requireCpl0();
                    long a = ea(u);
                    if (guestMode && (cpuControls & (1 << 9)) != 0) throw exit(u, 14, a);
                    flushTlbPage(a);
                    stopBlock = true;
                }
                case Sys.INVPCID -> {
                    requireCpl0();
                    flushTlb();
                    stopBlock = true;
                }
                case Sys.SWAPGS -> {
                    if (!long64) throw Fault.ud();
                    requireCpl0();
                    long t = segBase[GS];
                    segBase[GS] = kernelGsBase;
                    kernelGsBase = t;
                }
                case Sys.SYSCALL -> syscall(u);
                case Sys.SYSRET -> sysret(u);
                case Sys.SYSENTER -> sysenter(u);
                case Sys.SYSEXIT -> sysexit(u);
                case Sys.PAUSE -> {
                    if (guestMode && (cpuControls & (1 << 30)) != 0) throw exit(u, 40, 0);
                }
                case Sys.XGETBV -> {
                    if ((cr4 & CR4_OSXSAVE) == 0) throw Fault.ud();
                    long v = xgetbv((int) r[1]);
                    r[0] = v & 0xFFFF_FFFFL;
                    r[2] = v >>> 32;
                }
                case Sys.XSETBV -> {
                    if ((cr4 & CR4_OSXSAVE) == 0) throw Fault.ud();
                    throw exit(u, 55, 0);
                }
                case Sys.RDPKRU -> {
                    if ((cr4 & CR4_PKE) == 0) throw Fault.ud();
                    if ((int) r[1] != 0) throw Fault.gp0();
                    r[0] = pkru() & 0xFFFF_FFFFL;
                    r[2] = 0;
                }
                case Sys.WRPKRU -> {
                    if ((cr4 & CR4_PKE) == 0) throw Fault.ud();
                    if ((int) r[1] != 0 || (int) r[2] != 0) throw Fault.gp0();
                    wrpkru((int) r[0]);
                    pkruChanged();
                    stopBlock = true;
                }
                case Sys.RDFSBASE, Sys.RDGSBASE, Sys.WRFSBASE, Sys.WRGSBASE -> {
                    if (!long64 || (cr4 & CR4_FSGSBASE) == 0) throw Fault.ud();
                    int s = u.aux == Sys.RDFSBASE || u.aux == Sys.WRFSBASE ? FS : GS;
                    if (u.aux == Sys.RDFSBASE || u.aux == Sys.RDGSBASE) setReg(u.size, u.r1, segBase[s]);
                    else {
                        long v = reg(u.size, u.r1);
                        if (!canonical(v)) throw Fault.gp0();
                        segBase[s] = v;
                    }
                }
                case Sys.CLFLUSH -> read8(ea(u)); // only the access check is architectural
                case Sys.FENCE, Sys.ENDBR, Sys.SERIALIZE -> { }
                case Sys.UD2 -> throw Fault.ud();
                case Sys.MONITOR -> {
                    requireCpl0();
                    if (guestMode && (cpuControls & (1 << 29)) != 0) throw exit(u, 39, 0);
                }
                case Sys.MWAIT -> {
                    requireCpl0();
                    if (guestMode && (cpuControls & (1 << 10)) != 0) throw exit(u, 36, 0);
                }
                case Sys.RDRAND, Sys.RDSEED -> {
                    if (guestMode && (secControls & (u.aux == Sys.RDRAND ? 1 << 11 : 1 << 16)) != 0)
                        throw exit(u, u.aux == Sys.RDRAND ? 57 : 61, 0);
                    setReg(u.size, u.r1, java.util.concurrent.ThreadLocalRandom.current().nextLong());
                    setArith(ARITH, CF);
                }
                case Sys.LAR, Sys.LSL, Sys.VERR, Sys.VERW -> larLsl(u);
                case Sys.RSM -> throw Fault.ud();
                case Sys.GP0 -> throw Fault.gp0(); // an instruction longer than 15 bytes
                default -> throw Fault.ud();
            }
        } catch (ExitSignal e) {
            exitAfterReturn(u);
        }
    }

    private void larLsl(Uop u) {
        if (!pe() || (rflags & VM) != 0) throw Fault.ud();
        int sel = (int) (u.r2 >= 0 ? r[u.r2] : read(ea(u), 2)) & 0xFFFF;
        boolean ok = false;
        long d = 0;
        if ((sel & 0xFFFC) != 0) {
            try {
                d = descriptor(sel, Fault.GP);
                int ar = descAr(d);
                int dpl = (ar >>> 5) & 3;
                boolean conformingCode = (ar & 0x1C) == 0x1C;
                ok = conformingCode || (dpl >= cpl && dpl >= (sel & 3));
                if (u.aux == Sys.VERR) ok &= (ar & 0x10) != 0 && ((ar & 8) == 0 || (ar & 2) != 0);
                if (u.aux == Sys.VERW) ok &= (ar & 0x18) == 0x10 && (ar & 2) != 0;
                if ((ar & 0x10) == 0 && (u.aux == Sys.LAR || u.aux == Sys.LSL)) {
                    int t = ar & 0xF;
                    ok &= t == 1 || t == 2 || t == 3 || t == 9 || t == 0xB || (u.aux == Sys.LAR && (t == 4 || t == 0xC));
                }
            } catch (Fault f) {
                ok = false;
            }
        }
        setArith(ZF, ok ? ZF : 0);
        if (!ok) return;
        if (u.aux == Sys.LAR) setReg(u.size, u.r1, d >>> 32 & 0x00F0_FF00L);
        else if (u.aux == Sys.LSL) setReg(u.size, u.r1, descLimit(d) & 0xFFFF_FFFFL);
    }

    private void syscall(Uop u) {
        if ((efer & 1) == 0 || !lma() && false) throw Fault.ud();
        if (!lma()) throw Fault.ud();
        int csSel = (int) (star >>> 32) & 0xFFFC;
        r[1] = u.next;
        r[11] = flags() & ~RF;
        setSeg(CS, csSel, 0, -1, 0xA09B);
        setSeg(SS, csSel + 8, 0, -1, 0xC093);
        long f = flags() & ~fmask & ~RF;
        setFlagsRaw(f);
        rip = long64 ? lstar : cstar;
        updateMode();
        selectTlb();
        updateFlat();
        stopBlock = true;
    }

    private void sysret(Uop u) {
        if ((efer & 1) == 0) throw Fault.ud();
        if (!long64 || cpl != 0) throw Fault.gp0();
        int base = (int) (star >>> 48) & 0xFFFF;
        if (u.size == 8) {
            if (!canonical(r[1])) throw Fault.gp0();
            setSeg(CS, (base + 16) | 3, 0, -1, 0xA0FB);
            rip = r[1];
        } else {
            setSeg(CS, base | 3, 0, -1, 0xC0FB);
            rip = r[1] & 0xFFFF_FFFFL;
        }
        setSeg(SS, (base + 8) | 3, 0, -1, 0xC0F3);
        setFlagsRaw((r[11] & ~(RF | VM)) | 2);
        updateMode();
        selectTlb();
        updateFlat();
        stopBlock = true;
    }

    private void sysenter(Uop u) {
        if (!pe()) throw Fault.gp0();
        int cs = (int) sysenterCs & 0xFFFC;
        if (cs == 0) throw Fault.gp0();
        long f = flags() & ~(VM | IF | RF);
        setFlagsRaw(f);
        if (lma()) setSeg(CS, cs, 0, -1, 0xA09B);
        else setSeg(CS, cs, 0, -1, 0xC09B);
        setSeg(SS, cs + 8, 0, -1, 0xC093);
        updateMode();
        r[4] = long64 ? sysenterEsp : sysenterEsp & 0xFFFF_FFFFL;
        rip = long64 ? sysenterEip : sysenterEip & 0xFFFF_FFFFL;
        selectTlb();
        updateFlat();
        stopBlock = true;
    }

    private void sysexit(Uop u) {
        if (!pe() || cpl != 0) throw Fault.gp0();
        int cs = (int) sysenterCs & 0xFFFC;
        if (cs == 0) throw Fault.gp0();
        if (u.size == 8) {
            setSeg(CS, (cs + 32) | 3, 0, -1, 0xA0FB);
            setSeg(SS, (cs + 40) | 3, 0, -1, 0xC0F3);
            r[4] = r[1];
            rip = r[2];
        } else {
            setSeg(CS, (cs + 16) | 3, 0, -1, 0xC0FB);
            setSeg(SS, (cs + 24) | 3, 0, -1, 0xC0F3);
            r[4] = r[1] & 0xFFFF_FFFFL;
            rip = r[2] & 0xFFFF_FFFFL;
        }
        updateMode();
        selectTlb();
        updateFlat();
        stopBlock = true;
    }

    // ---------------------------------------------------------------- MSRs of the physical CPU

    public static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_TSC_ADJUST = 0x3B, MSR_SPEC_CTRL = 0x48,
        MSR_PRED_CMD = 0x49, MSR_MTRRCAP = 0xFE, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
        MSR_SYSENTER_EIP = 0x176, MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17A, MSR_MISC_ENABLE = 0x1A0,
        MSR_DEBUGCTL = 0x1D9, MSR_PAT = 0x277, MSR_MTRR_DEF_TYPE = 0x2FF, MSR_TSC_DEADLINE = 0x6E0,
        MSR_EFER = 0xC000_0080, MSR_STAR = 0xC000_0081, MSR_LSTAR = 0xC000_0082, MSR_CSTAR = 0xC000_0083,
        MSR_FMASK = 0xC000_0084, MSR_FS_BASE = 0xC000_0100, MSR_GS_BASE = 0xC000_0101,
        MSR_KERNEL_GS_BASE = 0xC000_0102, MSR_TSC_AUX = 0xC000_0103, MSR_ARCH_CAPABILITIES = 0x10A,
        MSR_PLATFORM_INFO = 0xCE, MSR_FEATURE_CONTROL = 0x3A;

    static boolean isMtrr(int msr) {
        return msr >= 0x200 && msr <= 0x21F || msr == 0x250 || msr == 0x258 || msr == 0x259
            || msr >= 0x268 && msr <= 0x26F || msr == MSR_MTRR_DEF_TYPE;
    }

    /** RDMSR on the physical CPU (no VMX interception); #GP for unknown MSRs. */
    public final long rdmsr(int msr) {
        Long ext = extRdmsr(msr);
        if (ext != null) return ext;
        return switch (msr) {
            case MSR_TSC -> guestTsc();
            case MSR_APIC_BASE -> apicBase;
            case MSR_TSC_ADJUST -> tscAdjust;
            case MSR_SPEC_CTRL -> specCtrl;
            case MSR_MTRRCAP -> 0x508; // WC, fixed ranges, 8 variable ranges
            case MSR_SYSENTER_CS -> sysenterCs;
            case MSR_SYSENTER_ESP -> sysenterEsp;
            case MSR_SYSENTER_EIP -> sysenterEip;
            case MSR_MCG_CAP -> 0;
            case MSR_MCG_STATUS -> mcgStatus;
            case MSR_MISC_ENABLE -> miscEnable;
            case MSR_DEBUGCTL -> debugctl;
            case MSR_PAT -> pat;
            case MSR_TSC_DEADLINE -> tscDeadline;
            case MSR_EFER -> efer;
            case MSR_STAR -> star;
            case MSR_LSTAR -> lstar;
            case MSR_CSTAR -> cstar;
            case MSR_FMASK -> fmask;
            case MSR_FS_BASE -> segBase[FS];
            case MSR_GS_BASE -> segBase[GS];
            case MSR_KERNEL_GS_BASE -> kernelGsBase;
            case MSR_TSC_AUX -> tscAux;
            case MSR_ARCH_CAPABILITIES -> 0;
            case MSR_PLATFORM_INFO -> 0;
            case MSR_FEATURE_CONTROL -> 1;
            default -> {
                if (isMtrr(msr) || msr >= 0x400 && msr < 0x480) yield plainMsrs.getOrDefault(msr, 0L);
                throw Fault.gp0();
            }
        };
    }

    /** WRMSR on the physical CPU (no VMX interception); #GP for unknown MSRs and reserved bits. */
    public final void wrmsr(int msr, long v) {
        if (extWrmsr(msr, v)) return;
        switch (msr) {
            case MSR_TSC -> tscBias = v - System.nanoTime() - (guestMode && (cpuControls & 8) != 0 ? tscOffset : 0);
            case MSR_APIC_BASE -> apicBase = v;
            case MSR_TSC_ADJUST -> tscAdjust = v;
            case MSR_SPEC_CTRL -> {
                if ((v & ~0x7L) != 0) throw Fault.gp0();
                specCtrl = v;
            }
            case MSR_PRED_CMD -> { if ((v & ~1L) != 0) throw Fault.gp0(); }
            case MSR_SYSENTER_CS -> sysenterCs = v & 0xFFFF_FFFFL;
            case MSR_SYSENTER_ESP -> { checkCanonical(v); sysenterEsp = v; }
            case MSR_SYSENTER_EIP -> { checkCanonical(v); sysenterEip = v; }
            case MSR_MCG_STATUS -> mcgStatus = v;
            case MSR_MISC_ENABLE -> miscEnable = v;
            case MSR_DEBUGCTL -> debugctl = v;
            case MSR_PAT -> {
                for (int i = 0; i < 8; i++) {
                    int t = (int) (v >>> (8 * i)) & 0xFF;
                    if (t == 2 || t == 3 || t > 7) throw Fault.gp0();
                }
                pat = v;
            }
            case MSR_TSC_DEADLINE -> tscDeadline = v;
            case MSR_EFER -> writeEfer(v);
            case MSR_STAR -> star = v;
            case MSR_LSTAR -> { checkCanonical(v); lstar = v; }
            case MSR_CSTAR -> { checkCanonical(v); cstar = v; }
            case MSR_FMASK -> fmask = v & 0xFFFF_FFFFL;
            case MSR_FS_BASE -> { checkCanonical(v); segBase[FS] = v; }
            case MSR_GS_BASE -> { checkCanonical(v); segBase[GS] = v; }
            case MSR_KERNEL_GS_BASE -> { checkCanonical(v); kernelGsBase = v; }
            case MSR_TSC_AUX -> {
                if ((v >>> 32) != 0) throw Fault.gp0();
                tscAux = v;
            }
            default -> {
                if (isMtrr(msr) || msr >= 0x400 && msr < 0x480) plainMsrs.put(msr, v);
                else throw Fault.gp0();
            }
        }
    }

    private void checkCanonical(long v) {
        int sh = (cr4 & CR4_LA57) != 0 ? 7 : 16;
        if ((v << sh) >> sh != v) throw Fault.gp0();
    }
}
