package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One 8254 counter, computed from time instead of ticked: the count and OUT at any moment follow from the
 * time counting started ({@code loadTime}), the initial count N and the mode (8254 data sheet, modes 0-5).
 * A count of 0 means 65536. BCD counting is not modelled: the BCD bit is stored and reported in the
 * status byte, the counter counts in binary (no PC software uses BCD on the PIT).
 */
final class PitChannel {
    static final long FREQ_HZ = 1_193_182;
    private static final long NS = 1_000_000_000L;

    int mode;
    int rwMode = 3;
    boolean bcd;
    /** Initial count, 1..65536. */
    int count = 0x10000;
    long loadTime;
    boolean gate;
    /** A control word was written and no count yet: the counter is not running. */
    boolean nullCount = true;
    /** Modes 1 and 5 count only after a gate rising edge. */
    boolean triggered;
    /** Count frozen while the gate is low (modes 0, 2, 3, 4). */
    int frozenCount = -1;

    // The 16-bit access sequence and the latches.
    boolean writeMsbNext, readMsbNext;
    int writeLsb;
    int latchedCount = -1;
    boolean latchedCountMsbNext;
    int latchedStatus = -1;

    PitChannel(boolean gate) {
        this.gate = gate;
    }

    static long ticks(long ns) {
        if (ns <= 0) return 0;
        return Math.floorDiv(ns, NS) * FREQ_HZ + (ns % NS) * FREQ_HZ / NS;
    }

    /** The first clock time at which {@code ticks} ticks have elapsed since {@code loadTime}. */
    long timeOf(long ticks) {
        long whole = ticks / FREQ_HZ, rest = ticks % FREQ_HZ;
        return loadTime + whole * NS + (rest * NS + FREQ_HZ - 1) / FREQ_HZ;
    }

    private boolean running() {
        if (nullCount) return false;
        if ((mode == 1 || mode == 5) && !triggered) return false;
        return frozenCount < 0;
    }

    long elapsed(long now) {
        return ticks(now - loadTime);
    }

    int countAt(long now) {
        if (frozenCount >= 0) return frozenCount;
        if (!running()) return count & 0xFFFF;
        long e = elapsed(now);
        return switch (mode) {
            case 2 -> (int) (count - (e % count)) & 0xFFFF;
            case 3 -> (int) (count - ((2 * e) % count)) & 0xFFFE;
            default -> (int) ((count - e) & 0xFFFF);
        };
    }

    boolean outAt(long now) {
        if (nullCount) return mode != 0;
        if (frozenCount >= 0) return mode != 0; // gate low: OUT high in modes 2-4; mode 0 stopped before its terminal count
        if ((mode == 1 || mode == 5) && !triggered) return true;
        long e = elapsed(now);
        return switch (mode) {
            case 0, 1 -> e >= count;
            case 2 -> (e % count) != count - 1;
            case 3 -> (e % count) < (count + 1) / 2;
            default -> e != count; // 4, 5: low for one clock at terminal count
        };
    }

    /** Ticks (since load) of the first OUT rising edge after {@code afterTicks}, or -1 if none will come. */
    long nextRisingEdge(long afterTicks) {
        if (!running()) return -1;
        return switch (mode) {
            case 0, 1 -> afterTicks < count ? count : -1;
            case 2, 3 -> (afterTicks / count + 1) * count;
            default -> afterTicks < count + 1L ? count + 1L : -1;
        };
    }

    void writeControl(int cw, long now) {
        int access = (cw >> 4) & 3;
        if (access == 0) { // counter latch command
            if (latchedCount < 0) {
                latchedCount = countAt(now);
                latchedCountMsbNext = false;
            }
            return;
        }
        rwMode = access;
        int m = (cw >> 1) & 7;
        mode = m > 5 ? m - 4 : m;
        bcd = (cw & 1) != 0;
        nullCount = true;
        triggered = false;
        frozenCount = -1;
        writeMsbNext = readMsbNext = false;
    }

    void latchStatus(long now) {
        if (latchedStatus >= 0) return;
        latchedStatus = (outAt(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | (rwMode << 4) | (mode << 1) | (bcd ? 1 : 0);
    }

    /** Writes one byte of the count; returns true when a full count was loaded. */
    boolean writeCount(int b, long now) {
        int value;
        switch (rwMode) {
            case 1 -> value = b;
            case 2 -> value = b << 8;
            default -> {
                if (!writeMsbNext) {
                    writeLsb = b;
                    writeMsbNext = true;
                    if (mode == 0) nullCount = true; // mode 0 stops counting after the first byte
                    return false;
                }
                writeMsbNext = false;
                value = writeLsb | (b << 8);
            }
        }
        load(value == 0 ? 0x10000 : value, now);
        return true;
    }

    private void load(int n, long now) {
        // Mode 3 with an odd count behaves like N-1 for the edge timing; keep N for simplicity of reads.
        count = n;
        loadTime = now;
        nullCount = false;
        frozenCount = -1;
        triggered = false;
        if (!gate && mode != 1 && mode != 5) frozenCount = count & 0xFFFF;
    }

    int read(long now) {
        if (latchedStatus >= 0) {
            int s = latchedStatus;
            latchedStatus = -1;
            return s;
        }
        if (latchedCount >= 0) {
            int v = latchedCount;
            if (rwMode == 1) {
                latchedCount = -1;
                return v & 0xFF;
            }
            if (rwMode == 2) {
                latchedCount = -1;
                return (v >> 8) & 0xFF;
            }
            if (!latchedCountMsbNext) {
                latchedCountMsbNext = true;
                return v & 0xFF;
            }
            latchedCount = -1;
            return (v >> 8) & 0xFF;
        }
        int c = countAt(now);
        return switch (rwMode) {
            case 1 -> c & 0xFF;
            case 2 -> (c >> 8) & 0xFF;
            default -> {
                boolean msb = readMsbNext;
                readMsbNext = !readMsbNext;
                yield msb ? (c >> 8) & 0xFF : c & 0xFF;
            }
        };
    }

    /** Returns true when counting (re)started, so that the owner re-arms its interrupt. */
    boolean setGate(boolean level, long now) {
        if (level == gate) return false;
        gate = level;
        if (nullCount) return false;
        if (level) {
            switch (mode) {
                case 1, 2, 3, 5 -> { // rising edge: (re)trigger
                    loadTime = now;
                    triggered = true;
                    frozenCount = -1;
                }
                default -> { // 0, 4: resume where it stopped
                    if (frozenCount >= 0) {
                        long done = (count - (frozenCount == 0 ? 0x10000 : frozenCount)) & 0xFFFFL;
                        loadTime = now - (timeOf(done) - loadTime);
                        frozenCount = -1;
                    }
                }
            }
            return true;
        }
        if (mode != 1 && mode != 5) frozenCount = countAt(now);
        return false;
    }

    void save(DataOutput o) throws IOException {
        o.writeByte(mode); o.writeByte(rwMode); o.writeBoolean(bcd); o.writeInt(count); o.writeLong(loadTime);
        o.writeBoolean(gate); o.writeBoolean(nullCount); o.writeBoolean(triggered); o.writeInt(frozenCount);
        o.writeBoolean(writeMsbNext); o.writeBoolean(readMsbNext); o.writeByte(writeLsb);
        o.writeInt(latchedCount); o.writeBoolean(latchedCountMsbNext); o.writeInt(latchedStatus);
    }

    void load(DataInput i) throws IOException {
        mode = i.readUnsignedByte(); rwMode = i.readUnsignedByte(); bcd = i.readBoolean(); count = i.readInt();
        loadTime = i.readLong(); gate = i.readBoolean(); nullCount = i.readBoolean(); triggered = i.readBoolean();
        frozenCount = i.readInt(); writeMsbNext = i.readBoolean(); readMsbNext = i.readBoolean();
        writeLsb = i.readUnsignedByte(); latchedCount = i.readInt(); latchedCountMsbNext = i.readBoolean();
        latchedStatus = i.readInt();
        if (mode > 5 || rwMode < 1 || rwMode > 3 || count < 1 || count > 0x10000 || frozenCount > 0xFFFF
                || latchedCount > 0xFFFF || latchedStatus > 0xFF) {
            throw new IOException("pit: invalid channel state");
        }
    }
}
