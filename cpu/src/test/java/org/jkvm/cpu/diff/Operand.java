package org.jkvm.cpu.diff;

/** An instruction operand for the test assembler: a register at some size, or a memory reference. */
sealed interface Operand permits Operand.Reg, Operand.Mem {

    /**
     * A register operand. {@code high} selects AH/CH/DH/BH (encodings 4-7 of a byte register without REX);
     * otherwise byte registers 4-7 are SPL/BPL/SIL/DIL and force a REX prefix.
     */
    record Reg(Gpr gpr, int size, boolean high) implements Operand {
        public Reg {
            if (high && (size != 1 || gpr.num() > 3)) throw new IllegalArgumentException("no such high byte register");
        }

        static Reg of(Gpr gpr, int size) { return new Reg(gpr, size, false); }

        /** The 3-bit-plus-extension number that goes into ModRM/REX. */
        int encoding() { return high ? gpr.num() + 4 : gpr.num(); }

        boolean needsRex() { return gpr.num() >= 8 || (size == 1 && !high && gpr.num() >= 4); }

        @Override
        public String toString() { return high ? "abcd".charAt(gpr.num()) + "h" : gpr.name(size); }
    }

    /**
     * A memory reference [base + index*scale + disp]; {@code base == null} with {@code ripTarget} set means
     * RIP-relative to that absolute address. {@code wideDisp} forces a 32-bit displacement.
     */
    record Mem(Gpr base, Gpr index, int scale, int disp, boolean wideDisp, long ripTarget, boolean addr32)
        implements Operand {
        public Mem {
            if (index == Gpr.RSP) throw new IllegalArgumentException("RSP cannot be an index");
            if (scale != 1 && scale != 2 && scale != 4 && scale != 8) throw new IllegalArgumentException("scale");
        }

        /** A 64-bit address. {@code addr32} (a 67 prefix) computes it in 32 bits and zero-extends it. */
        Mem(Gpr base, Gpr index, int scale, int disp, boolean wideDisp, long ripTarget) {
            this(base, index, scale, disp, wideDisp, ripTarget, false);
        }

        Mem withAddr32() { return new Mem(base, index, scale, disp, wideDisp, ripTarget, true); }

        static Mem base(Gpr base, int disp) { return new Mem(base, null, 1, disp, false, 0); }

        static Mem rip(long target) { return new Mem(null, null, 1, 0, true, target); }

        boolean ripRelative() { return base == null; }

        String text(int size) {
            String ptr = switch (size) {
                case 1 -> "byte ptr "; case 2 -> "word ptr "; case 4 -> "dword ptr "; case 8 -> "qword ptr ";
                case 16 -> "xmmword ptr ";
                default -> "";
            };
            int w = addr32 ? 4 : 8;
            if (ripRelative()) return ptr + (addr32 ? "[eip->0x" : "[rip->0x") + Long.toHexString(ripTarget) + "]";
            StringBuilder sb = new StringBuilder(ptr).append('[').append(base.name(w));
            if (index != null) sb.append(" + ").append(index.name(w)).append('*').append(scale);
            if (disp != 0 || wideDisp) sb.append(disp < 0 ? " - " : " + ").append("0x")
                .append(Long.toHexString(Math.abs((long) disp)));
            return sb.append(']').toString();
        }

        @Override
        public String toString() { return text(0); }
    }
}
