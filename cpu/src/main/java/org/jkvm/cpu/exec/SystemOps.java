package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/**
 * System architecture: segment loads with descriptor checks, far transfers, event delivery through the IDT
 * in real, protected and long mode (with double and triple fault), control-register writes. The VMX
 * interception points (exception bitmap, CR masks) are evaluated here too, since they sit exactly where the
 * architecture would otherwise act.
 */
public abstract class SystemOps extends Mmu {
    static final int[] DATA_SEGS = {ES, DS, FS, GS};

    protected SystemOps(PhysicalMemory pmem) {
        super(pmem);
    }

    // ---- VMX controls cached at entry (the run loop reads them often)
    public boolean guestMode;
    public int pinControls, cpuControls, secControls, exceptionBitmap, pfecMask, pfecMatch;
    public long cr0Mask, cr4Mask, cr0Shadow, cr4Shadow;

    /** Thrown to the run loop for a triple fault; exitReason is already set. */
    final ExitSignal tripleFault() {
        exitReason = 2;
        exitQualification = 0;
        return ExitSignal.INSTANCE;
    }

    // ---------------------------------------------------------------- stack helpers (SS-relative)

    final int stackSize() {
        return long64 ? 8 : (segAr[SS] & 0x4000) != 0 ? 4 : 2;
    }

    final long rsp() {
        return r[4];
    }

    final void setRsp(long v) {
        switch (stackSize()) {
            case 8 -> r[4] = v;
            case 4 -> r[4] = v & 0xFFFF_FFFFL;
            default -> r[4] = (r[4] & ~0xFFFFL) | (v & 0xFFFF);
        }
    }

    final long stackLin(long off) {
        return long64 ? off : segBase[SS] + (stackSize() == 4 ? off & 0xFFFF_FFFFL : off & 0xFFFF);
    }

    public final void push(int size, long v) {
        long sp = rsp() - size;
        if (!long64 && stackSize() == 2) sp &= 0xFFFF;
        write(stackLin(sp), size, v);
        setRsp(sp);
    }

    public final long pop(int size) {
        long sp = rsp();
        long v = read(stackLin(sp), size);
        setRsp(sp + size);
        return v;
    }

    // ---------------------------------------------------------------- descriptors

    /** Reads the 8-byte descriptor for {@code sel} from the GDT or LDT; #GP(sel) beyond the limit. */
    final long descriptor(int sel, int vectorOnFault) {
        boolean ldt = (sel & 4) != 0;
        long base = ldt ? segBase[LDTR] : gdtrBase;
        long limit = ldt ? segLimit[LDTR] & 0xFFFF_FFFFL : gdtrLimit & 0xFFFFL;
        if (ldt && (segAr[LDTR] & 0x10000) != 0) throw new Fault(vectorOnFault, sel & 0xFFFC, 0);
        if ((sel & 0xFFF8) + 7 > limit) throw new Fault(vectorOnFault, sel & 0xFFFC, 0);
        return readSys(base + (sel & 0xFFF8), 8);
    }

    static long descBase(long d) {
        return ((d >>> 16) & 0xFF_FFFFL) | ((d >>> 32) & 0xFF00_0000L);
    }

    static int descLimit(long d) {
        int lim = (int) ((d & 0xFFFF) | ((d >>> 32) & 0xF_0000L));
        if ((d & (1L << 55)) != 0) lim = (lim << 12) | 0xFFF;
        return lim;
    }

    static int descAr(long d) {
        return (int) ((d >>> 40) & 0xF0FF);
    }

    final void setAccessed(int sel, long d) {
        if ((d & (1L << 40)) == 0) {
            boolean ldt = (sel & 4) != 0;
            long base = ldt ? segBase[LDTR] : gdtrBase;
            writeSys(base + (sel & 0xFFF8) + 5, 1, (d >>> 40) | 1);
        }
    }

    final void setSeg(int seg, int sel, long base, int limit, int ar) {
        segSel[seg] = sel & 0xFFFF;
        segBase[seg] = base;
        segLimit[seg] = limit;
        segAr[seg] = ar;
    }

    /** MOV/POP to a data segment register or SS (not CS), with the protected-mode checks. */
    public final void loadSegment(int seg, int sel) {
        sel &= 0xFFFF;
        if (!pe() || (rflags & VM) != 0) {
            int ar = (rflags & VM) != 0 ? 0xF3 : (segAr[seg] & 0x10000) != 0 ? 0x93 : segAr[seg] | 0x80;
            int lim = (rflags & VM) != 0 ? 0xFFFF : segLimit[seg];
            setSeg(seg, sel, (long) sel << 4, lim, ar);
            updateFlat();
            return;
        }
        int rpl = sel & 3;
        if ((sel & 0xFFFC) == 0) {
            if (seg == SS && (!long64 || rpl != cpl)) throw Fault.gp0();
            setSeg(seg, sel, 0, 0, 0x10000 | (seg == SS ? (cpl << 5) : 0));
            updateFlat();
            return;
        }
        long d = descriptor(sel, Fault.GP);
        int ar = descAr(d);
        int dpl = (ar >>> 5) & 3;
        boolean s = (ar & 0x10) != 0, code = (ar & 8) != 0, rw = (ar & 2) != 0;
        if (seg == SS) {
            if (!s || code || !rw || rpl != cpl || dpl != cpl) throw Fault.gp(sel & 0xFFFC);
            if ((ar & 0x80) == 0) throw new Fault(Fault.SS, sel & 0xFFFC, 0);
        } else {
            if (!s || code && !rw) throw Fault.gp(sel & 0xFFFC);
            boolean conforming = code && (ar & 4) != 0;
            if (!conforming && (rpl > dpl || cpl > dpl)) throw Fault.gp(sel & 0xFFFC);
            if ((ar & 0x80) == 0) throw new Fault(Fault.NP, sel & 0xFFFC, 0);
        }
        setAccessed(sel, d);
        setSeg(seg, sel, descBase(d), descLimit(d), ar | 1);
        if (seg == SS) {
            updateMode();
            selectTlb();
        }
        updateFlat();
    }

    final void updateFlat() {
        boolean wasFlat = flat;
        updateMode();
        if (wasFlat != flat) stopBlock = true;
    }

    /** Loads CS for a far transfer to {@code sel} at privilege {@code newCpl} (checks already done). */
    final void loadCs(int sel, long d, int newCpl) {
        setAccessed(sel, d);
        setSeg(CS, (sel & 0xFFFC) | newCpl, descBase(d), descLimit(d), descAr(d) | 1);
        updateMode();
    }

    /** JMP/CALL far in protected/long mode to a code segment (no call gates or task switches). */
    final long checkFarTarget(int sel, boolean call) {
        if ((sel & 0xFFFC) == 0) throw Fault.gp0();
        long d = descriptor(sel, Fault.GP);
        int ar = descAr(d);
        if ((ar & 0x18) != 0x18) throw Fault.gp(sel & 0xFFFC); // call gates / TSS not supported: #GP
        int dpl = (ar >>> 5) & 3, rpl = sel & 3;
        if ((ar & 4) != 0) { if (dpl > cpl) throw Fault.gp(sel & 0xFFFC); }
        else if (rpl > cpl || dpl != cpl) throw Fault.gp(sel & 0xFFFC);
        if ((ar & 0x80) == 0) throw new Fault(Fault.NP, sel & 0xFFFC, 0);
        if (lma() && (ar & 0x2000) != 0 && (ar & 0x4000) != 0) throw Fault.gp(sel & 0xFFFC);
        return d;
    }

    public final void farJump(int sel, long offset) {
        if (!pe() || (rflags & VM) != 0) {
            setSeg(CS, sel, (long) sel << 4, segLimit[CS], segAr[CS]);
            rip = offset & 0xFFFF_FFFFL;
            updateMode();
            stopBlock = true;
            return;
        }
        long d = checkFarTarget(sel, false);
        loadCs(sel, d, cpl);
        rip = long64 ? offset : offset & 0xFFFF_FFFFL;
        stopBlock = true;
        updateFlat();
    }

    /** RET far / IRET to outer or same privilege: loads CS:RIP and, when privilege drops, SS:RSP. */
    final void farReturn(int csSel, long newRip, boolean withStack, int ssSel, long newRsp, long newFlags, boolean iret,
                         int opSize) {
        if (!pe() || (rflags & VM) != 0) {
            setSeg(CS, csSel, (long) csSel << 4, segLimit[CS], segAr[CS]);
            rip = newRip & 0xFFFF;
            if (iret) setFlagsRaw((flags() & ~0xFFFFL & ~(opSize == 4 ? 0x3F_0000L & ~(VM | VIF | VIP) : 0))
                | (newFlags & (opSize == 4 ? 0x3F7FD5L & ~(VM | VIP | VIF) : 0x7FD5L)));
            updateMode();
            stopBlock = true;
            return;
        }
        int rpl = csSel & 3;
        if ((csSel & 0xFFFC) == 0) throw Fault.gp0();
        long d = descriptor(csSel, Fault.GP);
        int ar = descAr(d);
        if ((ar & 0x18) != 0x18 || rpl < cpl) throw Fault.gp(csSel & 0xFFFC);
        int dpl = (ar >>> 5) & 3;
        if ((ar & 4) != 0 ? dpl > rpl : dpl != rpl) throw Fault.gp(csSel & 0xFFFC);
        if ((ar & 0x80) == 0) throw new Fault(Fault.NP, csSel & 0xFFFC, 0);
        int oldCpl = cpl;
        if (iret) {
            long keep = flags();
            long mask = RF | AC | ID | NT | TF | DF | ARITH;
            if (oldCpl == 0) mask |= IOPL | VIF | VIP;
            if (oldCpl <= ((keep >>> 12) & 3)) mask |= IF;
            if (opSize == 2) mask &= 0xFFFF;
            setFlagsRaw((keep & ~mask) | (newFlags & mask));
        }
        if (rpl != oldCpl || withStack && long64) {
            // privilege change (or 64-bit IRET, which always pops SS:RSP)
            if ((ssSel & 0xFFFC) == 0) {
                if (!(lma() && (ar & 0x2000) != 0) || rpl == 3) throw Fault.gp0();
                loadCs(csSel, d, rpl);
                setSeg(SS, ssSel, 0, 0, 0x10000 | (rpl << 5));
            } else {
                long sd = descriptor(ssSel, Fault.GP);
                int sar = descAr(sd);
                if ((ssSel & 3) != rpl || ((sar >>> 5) & 3) != rpl || (sar & 0x1A) != 0x12)
                    throw Fault.gp(ssSel & 0xFFFC);
                if ((sar & 0x80) == 0) throw new Fault(Fault.SS, ssSel & 0xFFFC, 0);
                loadCs(csSel, d, rpl);
                setAccessed(ssSel, sd);
                setSeg(SS, ssSel, descBase(sd), descLimit(sd), sar | 1);
            }
            updateMode();
            r[4] = long64 ? newRsp : (segAr[SS] & 0x4000) != 0 ? newRsp & 0xFFFF_FFFFL : (r[4] & ~0xFFFFL) | (newRsp & 0xFFFF);
            if (rpl > oldCpl) {
                for (int s : DATA_SEGS) {
                    int sar = segAr[s];
                    boolean conformingCode = (sar & 0x1C) == 0x1C;
                    if ((sar & 0x10000) == 0 && !conformingCode && ((sar >>> 5) & 3) < rpl) setSeg(s, 0, 0, 0, 0x10000);
                }
            }
        } else {
            loadCs(csSel, d, rpl);
        }
        rip = long64 ? newRip : newRip & 0xFFFF_FFFFL;
        selectTlb();
        updateFlat();
        stopBlock = true;
    }

    // ---------------------------------------------------------------- event delivery

    static boolean contributory(int v) {
        return v == 0 || v >= 10 && v <= 13;
    }

    /** Exceptions that push an error code. */
    static boolean hasErrorCode(int v) {
        return v == 8 || v >= 10 && v <= 14 || v == 17 || v == 21;
    }

    /** Whether the exception bitmap makes this guest exception a VM exit. */
    final boolean intercepted(int vector, int errorCode) {
        if (!guestMode || vector > 31) return false;
        boolean bit = (exceptionBitmap & (1 << vector)) != 0;
        if (vector == 14) {
            boolean match = (errorCode & pfecMask) == pfecMatch;
            return match == bit;
        }
        return bit;
    }

    /** The event whose IDT delivery is in progress (for IDT-vectoring info), or 0. */
    int deliveringInfo, deliveringError;

    /**
     * Delivers an exception, interrupt or NMI to the guest. {@code type} is the VMX interruption type;
     * {@code nextRip} is the return address for software interrupts and traps (RIP holds the current one).
     * Faults during delivery are escalated (#DF, triple fault) or delivered serially.
     */
    public final void deliverEvent(int vector, int type, int errorCode, long nextRip, boolean checkIntercept) {
        int prevVector = -1;
        while (true) {
            boolean exception = type == 3 || type == 6 || type == 5;
            int ec = exception && hasErrorCode(vector) ? errorCode : -1;
            if (checkIntercept && exception && intercepted(vector, ec)) {
                exitReason = 0;
                exitIntrInfo = 0x8000_0000 | vector | type << 8 | (ec >= 0 ? 0x800 : 0);
                exitIntrError = ec >= 0 ? ec : 0;
                exitQualification = vector == 14 ? pendingCr2 : vector == 1 ? pendingDr6 : 0;
                exitInstrLen = (int) (nextRip - rip);
                idtVectoringInfo = deliveringInfo;
                idtVectoringError = deliveringError;
                deliveringInfo = 0;
                throw ExitSignal.INSTANCE;
            }
            if (vector == 14) cr2 = pendingCr2;
            int info = 0x8000_0000 | vector | type << 8 | (ec >= 0 ? 0x800 : 0);
            int saveInfo = deliveringInfo, saveErr = deliveringError;
            deliveringInfo = info;
            deliveringError = ec >= 0 ? ec : 0;
            try {
                long ret = type == 4 || type == 5 || type == 6 ? nextRip : rip;
                pushEventFrame(vector, ec, ret, type == 4 || type == 6 || type == 5);
                deliveringInfo = 0;
                if (type == 2) nmiBlocked = true;
                return;
            } catch (Fault f) {
                deliveringInfo = saveInfo;
                deliveringError = saveErr;
                if (vector == Fault.DF && type == 3) throw tripleFault();
                int v2 = f.vector;
                if (v2 == 14) pendingCr2 = f.cr2;
                boolean df = type == 3 && (contributory(vector) && contributory(v2)
                    || vector == 14 && (v2 == 14 || contributory(v2)));
                // the new event is reported as occurring during delivery of the old one
                deliveringInfo = info;
                deliveringError = ec >= 0 ? ec : 0;
                if (df) { vector = Fault.DF; errorCode = 0; }
                else { vector = v2; errorCode = f.errorCode; }
                type = 3;
                checkIntercept = true;
                if (prevVector == Fault.DF) throw tripleFault();
                prevVector = vector;
            }
        }
    }

    /** CR2 value of the #PF being delivered (VMX leaves CR2 alone when #PF exits). */
    long pendingCr2, pendingDr6;
    public boolean nmiBlocked;

    private void pushEventFrame(int vector, int ec, long ret, boolean soft) {
        long oldFlags = flags();
        if (!pe()) {
            if (vector * 4 + 3 > (idtrLimit & 0xFFFF)) throw Fault.gp(vector * 8 + 2);
            long ent = readSys(idtrBase + vector * 4L, 4);
            push(2, oldFlags);
            push(2, segSel[CS]);
            push(2, ret);
            rflags = rflags & ~(IF | TF | AC | RF);
            lfOpKeep();
            int sel = (int) (ent >>> 16) & 0xFFFF;
            setSeg(CS, sel, (long) sel << 4, segLimit[CS], segAr[CS]);
            rip = ent & 0xFFFF;
            updateMode();
            return;
        }
        int gateSize = lma() ? 16 : 8;
        int extBit = soft ? 0 : 1;
        if ((long) vector * gateSize + gateSize - 1 > (idtrLimit & 0xFFFF)) throw Fault.gp(vector * 8 + 2 + extBit);
        long lo = readSys(idtrBase + (long) vector * gateSize, 8);
        long hi = lma() ? readSys(idtrBase + (long) vector * gateSize + 8, 8) : 0;
        int gtype = (int) (lo >>> 40) & 0x1F;
        int gdpl = (int) (lo >>> 45) & 3;
        boolean trapGate;
        if (lma()) {
            if (gtype != 0xE && gtype != 0xF) throw Fault.gp(vector * 8 + 2 + extBit);
            trapGate = gtype == 0xF;
        } else {
            if (gtype != 0xE && gtype != 0xF && gtype != 6 && gtype != 7) throw Fault.gp(vector * 8 + 2 + extBit);
            trapGate = (gtype & 1) != 0;
        }
        if (soft && gdpl < cpl) throw Fault.gp(vector * 8 + 2);
        if ((lo & (1L << 47)) == 0) throw new Fault(Fault.NP, vector * 8 + 2 + extBit, 0);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        long offset = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF_0000L) | (hi << 32);
        if ((sel & 0xFFFC) == 0) throw Fault.gp(extBit);
        long d = descriptor(sel, Fault.GP);
        int ar = descAr(d);
        int dpl = (ar >>> 5) & 3;
        if ((ar & 0x18) != 0x18 || dpl > cpl) throw Fault.gp((sel & 0xFFFC) + extBit);
        if ((ar & 0x80) == 0) throw new Fault(Fault.NP, (sel & 0xFFFC) + extBit, 0);
        boolean conforming = (ar & 4) != 0;
        int newCpl = conforming ? cpl : dpl;
        int ist = (int) (lo >>> 32) & 7;
        long oldSs = segSel[SS], oldRsp = r[4];
        int oldCpl = cpl;
        if (lma()) {
            if ((ar & 0x2000) == 0 || (ar & 0x4000) != 0) throw Fault.gp((sel & 0xFFFC) + extBit);
            long newRsp;
            boolean switchStack = newCpl < oldCpl;
            if (ist != 0) newRsp = readSys(segBase[TR] + 0x24 + (ist - 1) * 8L, 8);
            else if (switchStack) newRsp = readSys(segBase[TR] + 4 + newCpl * 8L, 8);
            else newRsp = r[4];
            newRsp &= ~0xFL;
            long sp = newRsp;
            // build the frame with supervisor writes at the new privilege
            int saveCpl = cpl;
            cpl = newCpl;
            selectTlb();
            try {
                sp -= 8; write64(sp, oldSs);
                sp -= 8; write64(sp, oldRsp);
                sp -= 8; write64(sp, oldFlags);
                sp -= 8; write64(sp, segSel[CS]);
                sp -= 8; write64(sp, ret);
                if (ec >= 0) { sp -= 8; write64(sp, ec); }
            } catch (RuntimeException e) {
                cpl = saveCpl;
                selectTlb();
                throw e;
            }
            if (switchStack) setSeg(SS, newCpl, 0, 0, 0x10000 | (newCpl << 5) | 0x93 & 0);
            if (switchStack) segAr[SS] = 0x10000 | (newCpl << 5);
            loadCs(sel, d, newCpl);
            r[4] = sp;
        } else {
            boolean big = (gtype & 8) != 0;
            int sz = big ? 4 : 2;
            if (newCpl < oldCpl) {
                long tss = segBase[TR];
                int ssSel;
                long esp;
                if ((segAr[TR] & 0xF) == 0xB || (segAr[TR] & 0xF) == 0x9) {
                    esp = readSys(tss + 4 + newCpl * 8L, 4);
                    ssSel = (int) readSys(tss + 8 + newCpl * 8L, 2);
                } else {
                    esp = readSys(tss + 2 + newCpl * 4L, 2);
                    ssSel = (int) readSys(tss + 4 + newCpl * 4L, 2);
                }
                if ((ssSel & 0xFFFC) == 0) throw new Fault(Fault.TS, extBit, 0);
                long sd = descriptor(ssSel, Fault.TS);
                int sar = descAr(sd);
                if ((ssSel & 3) != newCpl || ((sar >>> 5) & 3) != newCpl || (sar & 0x1A) != 0x12)
                    throw new Fault(Fault.TS, (ssSel & 0xFFFC) + extBit, 0);
                if ((sar & 0x80) == 0) throw new Fault(Fault.SS, (ssSel & 0xFFFC) + extBit, 0);
                long ssBase = descBase(sd);
                boolean ssBig = (sar & 0x4000) != 0;
                long sp = esp;
                int saveCpl = cpl;
                cpl = newCpl;
                selectTlb();
                try {
                    sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, oldSs);
                    sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, oldRsp);
                    sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, oldFlags);
                    sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, segSel[CS]);
                    sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, ret);
                    if (ec >= 0) { sp -= sz; write(ssBase + (ssBig ? sp & 0xFFFF_FFFFL : sp & 0xFFFF), sz, ec); }
                } catch (RuntimeException e) {
                    cpl = saveCpl;
                    selectTlb();
                    throw e;
                }
                setAccessed(ssSel, sd);
                setSeg(SS, ssSel, ssBase, descLimit(sd), sar | 1);
                r[4] = ssBig ? sp & 0xFFFF_FFFFL : (r[4] & ~0xFFFFL) | (sp & 0xFFFF);
            } else {
                push(sz, oldFlags);
                push(sz, segSel[CS]);
                push(sz, ret);
                if (ec >= 0) push(sz, ec);
            }
            loadCs(sel, d, newCpl);
        }
        rip = offset;
        if (!long64) rip &= 0xFFFF_FFFFL;
        rflags &= ~(TF | NT | RF | VM);
        if (!trapGate) rflags &= ~IF;
        lfOpKeep();
        updateMode();
        selectTlb();
        updateFlat();
    }

    /** rflags was edited directly while lazy flags may be active: nothing to do, status flags stay lazy. */
    private void lfOpKeep() {}

    // ---------------------------------------------------------------- control registers

    public static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
        CR0_WP = 0x1_0000, CR0_AM = 0x4_0000, CR0_NW = 0x2000_0000, CR0_CD = 0x4000_0000, CR0_PG = 0x8000_0000L;
    public static final long CR4_PSE = 0x10, CR4_PAE = 0x20, CR4_PGE = 0x80, CR4_OSFXSR = 0x200, CR4_LA57 = 0x1000,
        CR4_FSGSBASE = 0x1_0000, CR4_PCIDE = 0x2_0000, CR4_OSXSAVE = 0x4_0000, CR4_SMEP = 0x10_0000,
        CR4_SMAP = 0x20_0000, CR4_PKE = 0x40_0000;
    /** CR4 bits this CPU implements (everything else is reserved: #GP). */
    public long cr4Valid = 0x1 | 0x2 | 0x4 | 0x8 | CR4_PSE | CR4_PAE | 0x40 | CR4_PGE | 0x100 | CR4_OSFXSR | 0x400
        | 0x800 | CR4_LA57 | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP | CR4_PKE;

    public final void writeCr0(long v) {
        if ((v >>> 32) != 0) throw Fault.gp0();
        v |= CR0_ET;
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) throw Fault.gp0();
        if ((v & CR0_NW) != 0 && (v & CR0_CD) == 0) throw Fault.gp0();
        long old = cr0;
        boolean pgOn = (v & CR0_PG) != 0 && (old & CR0_PG) == 0;
        if (pgOn && (efer & 0x100) != 0) {
            if ((cr4 & CR4_PAE) == 0) throw Fault.gp0();
            if ((segAr[CS] & 0x2000) != 0) throw Fault.gp0();
        }
        if ((v & CR0_PG) == 0 && (old & CR0_PG) != 0 && long64) throw Fault.gp0();
        if ((v & CR0_PG) != 0 && (efer & 0x100) == 0 && (cr4 & CR4_PAE) != 0 && ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)) != 0) {
            long save = cr0;
            cr0 = v;
            try { loadPdptes(); } catch (Fault f) { cr0 = save; throw f; }
        }
        cr0 = v;
        if (pgOn && (efer & 0x100) != 0) efer |= 0x400;
        if ((v & CR0_PG) == 0) efer &= ~0x400L;
        if (((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) != 0) flushTlb();
        updateMode();
        selectTlb();
        stopBlock = true;
    }

    public final void writeCr3(long v) {
        if (lma() && (v >>> 52) != 0) throw Fault.gp0();
        if ((cr4 & CR4_PCIDE) != 0 && (v & (1L << 63)) != 0) v &= ~(1L << 63);
        long save = cr3;
        cr3 = v;
        if (paging() && !lma() && (cr4 & CR4_PAE) != 0) {
            try { loadPdptes(); } catch (Fault f) { cr3 = save; throw f; }
        }
        flushTlb();
        stopBlock = true;
    }

    public final void writeCr4(long v) {
        if ((v & ~cr4Valid) != 0) throw Fault.gp0();
        long old = cr4;
        if (lma() && (v & CR4_PAE) == 0) throw Fault.gp0();
        if (lma() && ((old ^ v) & CR4_LA57) != 0) throw Fault.gp0();
        if ((v & CR4_PCIDE) != 0 && (old & CR4_PCIDE) == 0 && ((cr3 & 0xFFF) != 0 || !lma())) throw Fault.gp0();
        if (paging() && !lma() && (v & CR4_PAE) != 0 && ((old ^ v) & (CR4_PAE | CR4_PSE | CR4_PGE | CR4_SMEP)) != 0) {
            long save = cr4;
            cr4 = v;
            try { loadPdptes(); } catch (Fault f) { cr4 = save; throw f; }
        }
        cr4 = v;
        if (((old ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_LA57 | CR4_PCIDE)) != 0)
            flushTlb();
        if (((old ^ v) & CR4_OSXSAVE) != 0) codeEpoch++;
        stopBlock = true;
    }

    public final void writeEfer(long v) {
        // SCE(0) LME(8) LMA(10, read-only) NXE(11) SVME(12) LMSLE(13) FFXSR(14) TCE(15)
        if ((v & ~0xD01L) != 0) throw Fault.gp0();
        if (paging() && ((v ^ efer) & 0x100) != 0) throw Fault.gp0();
        long old = efer;
        efer = (v & ~0x400L) | (efer & 0x400);
        if (((old ^ efer) & 0x800) != 0) flushTlb();
        updateMode();
    }
}
