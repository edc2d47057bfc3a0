package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/** struct kvm_segment (24 bytes). */
public record KvmSegment(long base, int limit, int selector, int type, boolean present, int dpl,
                         boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    public static final int SIZE = 24;

    public static final CStruct LAYOUT = CStruct.of("kvm_segment", SIZE)
        .field("base", 0, 8)
        .field("limit", 8, 4)
        .field("selector", 12, 2)
        .run(14, 1, "type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable", "padding")
        .build();

    private static final Field BASE = LAYOUT.field("base"), LIMIT = LAYOUT.field("limit"),
        SELECTOR = LAYOUT.field("selector"), TYPE = LAYOUT.field("type"), PRESENT = LAYOUT.field("present"),
        DPL = LAYOUT.field("dpl"), DB = LAYOUT.field("db"), S = LAYOUT.field("s"), L = LAYOUT.field("l"),
        G = LAYOUT.field("g"), AVL = LAYOUT.field("avl"), UNUSABLE = LAYOUT.field("unusable");

    public KvmSegment withBase(long v) { return new KvmSegment(v, limit, selector, type, present, dpl, db, s, l, g, avl, unusable); }

    public KvmSegment withLimit(int v) { return new KvmSegment(base, v, selector, type, present, dpl, db, s, l, g, avl, unusable); }

    public KvmSegment withSelector(int v) { return new KvmSegment(base, limit, v, type, present, dpl, db, s, l, g, avl, unusable); }

    public KvmSegment withType(int v) { return new KvmSegment(base, limit, selector, v, present, dpl, db, s, l, g, avl, unusable); }

    public KvmSegment withDb(boolean v) { return new KvmSegment(base, limit, selector, type, present, dpl, v, s, l, g, avl, unusable); }

    public KvmSegment withL(boolean v) { return new KvmSegment(base, limit, selector, type, present, dpl, db, s, v, g, avl, unusable); }

    public KvmSegment withG(boolean v) { return new KvmSegment(base, limit, selector, type, present, dpl, db, s, l, v, avl, unusable); }

    public KvmSegment withDpl(int v) { return new KvmSegment(base, limit, selector, type, present, v, db, s, l, g, avl, unusable); }

    public KvmSegment withPresent(boolean v) { return new KvmSegment(base, limit, selector, type, v, dpl, db, s, l, g, avl, unusable); }

    public KvmSegment withUnusable(boolean v) { return new KvmSegment(base, limit, selector, type, present, dpl, db, s, l, g, avl, v); }

    /** Writes at {@code base} within {@code seg} (segments are embedded in kvm_sregs). */
    public void write(MemorySegment seg, long at) {
        BASE.set(seg, at, base);
        LIMIT.set(seg, at, limit);
        SELECTOR.set(seg, at, selector);
        TYPE.set(seg, at, type);
        PRESENT.set(seg, at, present ? 1 : 0);
        DPL.set(seg, at, dpl);
        DB.set(seg, at, db ? 1 : 0);
        S.set(seg, at, s ? 1 : 0);
        L.set(seg, at, l ? 1 : 0);
        G.set(seg, at, g ? 1 : 0);
        AVL.set(seg, at, avl ? 1 : 0);
        UNUSABLE.set(seg, at, unusable ? 1 : 0);
        LAYOUT.field("padding").set(seg, at, 0);
    }

    static KvmSegment read(MemorySegment seg, long at) {
        return new KvmSegment(BASE.get(seg, at), (int) LIMIT.get(seg, at), (int) SELECTOR.get(seg, at),
            (int) TYPE.get(seg, at), PRESENT.get(seg, at) != 0, (int) DPL.get(seg, at), DB.get(seg, at) != 0,
            S.get(seg, at) != 0, L.get(seg, at) != 0, G.get(seg, at) != 0, AVL.get(seg, at) != 0,
            UNUSABLE.get(seg, at) != 0);
    }

    public byte[] toBytes() {
        MemorySegment seg = LAYOUT.newHeapBuffer();
        write(seg, 0);
        return seg.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmSegment fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    public static KvmSegment fromBytes(MemorySegment seg) throws KvmException {
        LAYOUT.checkExactly(seg);
        return read(seg, 0);
    }
}
