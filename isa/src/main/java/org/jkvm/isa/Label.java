package org.jkvm.isa;

/** A position in assembled code; bound once with {@link Assembler#bind(Label)}. */
public final class Label {
    final String name;
    int offset = -1;

    Label(String name) { this.name = name; }

    public String name() { return name; }

    public boolean isBound() { return offset >= 0; }

    /** Offset from the start of the assembled code. */
    public int offset() {
        if (offset < 0) throw new IllegalStateException("label " + name + " is not bound");
        return offset;
    }

    @Override
    public String toString() { return name + (offset >= 0 ? "@" + offset : ""); }
}
