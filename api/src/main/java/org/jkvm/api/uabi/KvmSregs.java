package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.jkvm.api.KvmException;

/** struct kvm_sregs (312 bytes). {@code interruptBitmap} is 4 longs: a pending external interrupt vector. */
public record KvmSregs(KvmSegment cs, KvmSegment ds, KvmSegment es, KvmSegment fs, KvmSegment gs, KvmSegment ss,
                       KvmSegment tr, KvmSegment ldt, KvmDtable gdt, KvmDtable idt,
                       long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase,
                       long[] interruptBitmap) {
    public static final int SIZE = 312;
    /** (KVM_NR_INTERRUPTS + 63) / 64 with KVM_NR_INTERRUPTS = 256. */
    public static final int INTERRUPT_BITMAP_WORDS = 4;

    public static final CStruct LAYOUT = CStruct.of("kvm_sregs", SIZE)
        .run(0, KvmSegment.SIZE, "cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")
        .run(192, KvmDtable.SIZE, "gdt", "idt")
        .run(224, 8, "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base")
        .field("interrupt_bitmap", 280, 8 * INTERRUPT_BITMAP_WORDS)
        .build();

    private static final String[] SEGMENTS = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
    private static final String[] CONTROL = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base"};

    public KvmSregs {
        if (cs == null || ds == null || es == null || fs == null || gs == null || ss == null || tr == null
            || ldt == null || gdt == null || idt == null || interruptBitmap == null)
            throw new NullPointerException("kvm_sregs members must not be null");
        if (interruptBitmap.length != INTERRUPT_BITMAP_WORDS)
            throw new IllegalArgumentException("interrupt_bitmap has 4 words, got " + interruptBitmap.length);
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() { return interruptBitmap.clone(); }

    private KvmSegment[] segments() { return new KvmSegment[] {cs, ds, es, fs, gs, ss, tr, ldt}; }

    private long[] control() { return new long[] {cr0, cr2, cr3, cr4, cr8, efer, apicBase}; }

    private static KvmSregs of(KvmSegment[] sg, KvmDtable gdt, KvmDtable idt, long[] c, long[] bitmap) {
        return new KvmSregs(sg[0], sg[1], sg[2], sg[3], sg[4], sg[5], sg[6], sg[7], gdt, idt,
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], bitmap);
    }

    /** A copy with the segment register named as in the header ("cs", ..., "ldt") replaced. */
    public KvmSregs withSegment(String name, KvmSegment seg) {
        KvmSegment[] sg = segments();
        sg[LAYOUT.field(name).offset() / KvmSegment.SIZE] = seg;
        return of(sg, gdt, idt, control(), interruptBitmap);
    }

    /** A copy with the control member named as in the header ("cr0", ..., "efer", "apic_base") replaced. */
    public KvmSregs withControl(String name, long value) {
        long[] c = control();
        c[(LAYOUT.field(name).offset() - 224) / 8] = value;
        return of(segments(), gdt, idt, c, interruptBitmap);
    }

    public KvmSregs withCs(KvmSegment v) { return withSegment("cs", v); }

    public KvmSregs withDs(KvmSegment v) { return withSegment("ds", v); }

    public KvmSregs withEs(KvmSegment v) { return withSegment("es", v); }

    public KvmSregs withFs(KvmSegment v) { return withSegment("fs", v); }

    public KvmSregs withGs(KvmSegment v) { return withSegment("gs", v); }

    public KvmSregs withSs(KvmSegment v) { return withSegment("ss", v); }

    public KvmSregs withTr(KvmSegment v) { return withSegment("tr", v); }

    public KvmSregs withLdt(KvmSegment v) { return withSegment("ldt", v); }

    /** DS, ES, FS, GS and SS all set to {@code v}. */
    public KvmSregs withDataSegments(KvmSegment v) {
        return withDs(v).withEs(v).withFs(v).withGs(v).withSs(v);
    }

    public KvmSregs withGdt(KvmDtable v) { return of(segments(), v, idt, control(), interruptBitmap); }

    public KvmSregs withIdt(KvmDtable v) { return of(segments(), gdt, v, control(), interruptBitmap); }

    public KvmSregs withCr0(long v) { return withControl("cr0", v); }

    public KvmSregs withCr2(long v) { return withControl("cr2", v); }

    public KvmSregs withCr3(long v) { return withControl("cr3", v); }

    public KvmSregs withCr4(long v) { return withControl("cr4", v); }

    public KvmSregs withCr8(long v) { return withControl("cr8", v); }

    public KvmSregs withEfer(long v) { return withControl("efer", v); }

    public KvmSregs withApicBase(long v) { return withControl("apic_base", v); }

    public KvmSregs withInterruptBitmap(long[] v) { return of(segments(), gdt, idt, control(), v); }

    public void write(MemorySegment s) {
        KvmSegment[] sg = segments();
        for (int i = 0; i < SEGMENTS.length; i++) sg[i].write(s, LAYOUT.field(SEGMENTS[i]).offset());
        gdt.write(s, LAYOUT.field("gdt").offset());
        idt.write(s, LAYOUT.field("idt").offset());
        long[] c = control();
        for (int i = 0; i < CONTROL.length; i++) LAYOUT.field(CONTROL[i]).set(s, c[i]);
        Field bm = LAYOUT.field("interrupt_bitmap");
        for (int i = 0; i < INTERRUPT_BITMAP_WORDS; i++) new Field("w", bm.offset() + 8 * i, 8).set(s, interruptBitmap[i]);
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmSregs fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is exactly 312 bytes. */
    public static KvmSregs fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        KvmSegment[] sg = new KvmSegment[SEGMENTS.length];
        for (int i = 0; i < sg.length; i++) sg[i] = KvmSegment.read(s, LAYOUT.field(SEGMENTS[i]).offset());
        long[] c = new long[CONTROL.length];
        for (int i = 0; i < c.length; i++) c[i] = LAYOUT.field(CONTROL[i]).get(s);
        long[] bitmap = new long[INTERRUPT_BITMAP_WORDS];
        Field bm = LAYOUT.field("interrupt_bitmap");
        for (int i = 0; i < bitmap.length; i++) bitmap[i] = new Field("w", bm.offset() + 8 * i, 8).get(s);
        return of(sg, KvmDtable.read(s, LAYOUT.field("gdt").offset()), KvmDtable.read(s, LAYOUT.field("idt").offset()),
            c, bitmap);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvmSregs x && Arrays.equals(toBytes(), x.toBytes());
    }

    @Override
    public int hashCode() { return Arrays.hashCode(toBytes()); }

    @Override
    public String toString() {
        return "KvmSregs[cs=" + cs + ", ds=" + ds + ", es=" + es + ", fs=" + fs + ", gs=" + gs + ", ss=" + ss
            + ", tr=" + tr + ", ldt=" + ldt + ", gdt=" + gdt + ", idt=" + idt
            + String.format(", cr0=%#x, cr2=%#x, cr3=%#x, cr4=%#x, cr8=%#x, efer=%#x, apicBase=%#x",
                cr0, cr2, cr3, cr4, cr8, efer, apicBase)
            + ", interruptBitmap=" + Arrays.toString(interruptBitmap) + "]";
    }
}
