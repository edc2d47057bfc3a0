package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import org.jkvm.vmm.bus.Clock;
import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * The MC146818 CMOS/RTC at 0x70 (index, bit 7 masks NMI) / 0x71 (data): 128 bytes of CMOS, the time of day
 * (UTC, BCD or binary and 12/24 hour per register B), and the memory size bytes PC firmware conventions
 * define: 0x15/0x16 base memory in KiB, 0x17/0x18 and 0x30/0x31 extended memory (1 MiB-65 MiB) in KiB,
 * 0x34/0x35 memory from 16 MiB to 4 GiB in 64 KiB units, 0x5B-0x5D memory above 4 GiB in 64 KiB units.
 * A guest that sets the time moves an offset; the clock itself never stops.
 */
public final class CmosRtc implements IoDevice, Snapshottable {
    public static final int INDEX = 0x70, DATA = 0x71;
    static final int SEC = 0x00, MIN = 0x02, HOUR = 0x04, DOW = 0x06, DAY = 0x07, MONTH = 0x08, YEAR = 0x09,
            REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D, CENTURY = 0x32;
    static final int B_24H = 0x02, B_BINARY = 0x04, B_SET = 0x80;

    private final byte[] cmos = new byte[128];
    private final Clock clock;
    private int index;
    private boolean nmiDisabled;
    /** Seconds to add to the machine's wall clock (the guest set the time). */
    private long offsetSeconds;
    /** Wall-clock seconds (UTC) at clock time 0. */
    private final long epochAtZero;

    /**
     * @param lowRam  RAM below 4 GiB in bytes
     * @param highRam RAM above 4 GiB in bytes
     * @param wallClockSeconds UTC seconds at clock time 0
     */
    public CmosRtc(Clock clock, long lowRam, long highRam, long wallClockSeconds) {
        this.clock = clock;
        this.epochAtZero = wallClockSeconds;
        cmos[REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz rate
        cmos[REG_B] = B_24H;
        cmos[REG_D] = (byte) 0x80; // valid RAM and time
        cmos[0x10] = 0; // no floppy drives
        cmos[0x14] = 0x06; // equipment: display adapter, coprocessor present
        put16(0x15, 640);
        long extKb = Math.min(Math.max(lowRam - 0x100000, 0) / 1024, 0xFFFF);
        put16(0x17, (int) extKb);
        put16(0x30, (int) extKb);
        long above16m = Math.min(Math.max(lowRam - 0x1000000, 0) >> 16, 0xFFFF);
        put16(0x34, (int) above16m);
        long above4g = highRam >> 16;
        cmos[0x5B] = (byte) above4g;
        cmos[0x5C] = (byte) (above4g >> 8);
        cmos[0x5D] = (byte) (above4g >> 16);
    }

    private void put16(int at, int v) {
        cmos[at] = (byte) v;
        cmos[at + 1] = (byte) (v >> 8);
    }

    /** CMOS byte (for tests and the memory-size checks). */
    int raw(int i) {
        return cmos[i] & 0xFF;
    }

    private long nowSeconds() {
        return epochAtZero + Math.floorDiv(clock.nanos(), 1_000_000_000L) + offsetSeconds;
    }

    private int encode(int v) {
        return (cmos[REG_B] & B_BINARY) != 0 ? v : ((v / 10) << 4) | (v % 10);
    }

    private int decode(int v) {
        return (cmos[REG_B] & B_BINARY) != 0 ? v : ((v >> 4) * 10) + (v & 0x0F);
    }

    private int timeRegister(int reg) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(nowSeconds(), 0, ZoneOffset.UTC);
        return switch (reg) {
            case SEC -> encode(t.getSecond());
            case MIN -> encode(t.getMinute());
            case HOUR -> {
                int h = t.getHour();
                if ((cmos[REG_B] & B_24H) != 0) yield encode(h);
                int h12 = h % 12 == 0 ? 12 : h % 12;
                yield encode(h12) | (h >= 12 ? 0x80 : 0);
            }
            case DOW -> encode(t.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
            case DAY -> encode(t.getDayOfMonth());
            case MONTH -> encode(t.getMonthValue());
            case YEAR -> encode(t.getYear() % 100);
            case CENTURY -> encode(t.getYear() / 100);
            default -> throw new IllegalArgumentException();
        };
    }

    private static boolean isTime(int reg) {
        return reg == SEC || reg == MIN || reg == HOUR || reg == DOW || reg == DAY || reg == MONTH || reg == YEAR
                || reg == CENTURY;
    }

    @Override
    public int in(int port, int size) {
        if (port == INDEX) return 0xFF; // the index register is write-only
        int reg = index;
        if (isTime(reg) && (cmos[REG_B] & B_SET) == 0) return timeRegister(reg);
        if (reg == REG_A) {
            // UIP is set for the last 244 us of each second, when the time registers are about to change.
            long ns = Math.floorMod(clock.nanos(), 1_000_000_000L);
            return (cmos[REG_A] & 0x7F) | (ns >= 1_000_000_000L - 244_000 ? 0x80 : 0);
        }
        if (reg == REG_C) {
            int v = cmos[REG_C] & 0xFF;
            cmos[REG_C] = 0; // reading C acknowledges the interrupt flags
            return v;
        }
        return cmos[reg] & 0xFF;
    }

    @Override
    public void out(int port, int size, int value) {
        value &= 0xFF;
        if (port == INDEX) {
            index = value & 0x7F;
            nmiDisabled = (value & 0x80) != 0;
            return;
        }
        int reg = index;
        if (isTime(reg)) {
            // With SET held the guest writes a new time; it takes effect when SET is cleared.
            if ((cmos[REG_B] & B_SET) == 0) {
                for (int r : new int[] {SEC, MIN, HOUR, DOW, DAY, MONTH, YEAR, CENTURY}) cmos[r] = (byte) timeRegister(r);
            }
            cmos[reg] = (byte) value;
            if ((cmos[REG_B] & B_SET) == 0) applyTime();
            return;
        }
        switch (reg) {
            case REG_A -> cmos[REG_A] = (byte) (value & 0x7F);
            case REG_B -> {
                boolean wasSet = (cmos[REG_B] & B_SET) != 0;
                if (!wasSet && (value & B_SET) != 0) {
                    for (int r : new int[] {SEC, MIN, HOUR, DOW, DAY, MONTH, YEAR, CENTURY}) cmos[r] = (byte) timeRegister(r);
                }
                cmos[REG_B] = (byte) value;
                if (wasSet && (value & B_SET) == 0) applyTime();
            }
            case REG_C, REG_D -> { } // read-only
            default -> cmos[reg] = (byte) value;
        }
    }

    private void applyTime() {
        int hourReg = cmos[HOUR] & 0xFF;
        int hour;
        if ((cmos[REG_B] & B_24H) != 0) {
            hour = decode(hourReg);
        } else {
            hour = decode(hourReg & 0x7F) % 12 + ((hourReg & 0x80) != 0 ? 12 : 0);
        }
        try {
            int year = decode(cmos[CENTURY] & 0xFF) * 100 + decode(cmos[YEAR] & 0xFF);
            LocalDateTime t = LocalDateTime.of(year, decode(cmos[MONTH] & 0xFF), decode(cmos[DAY] & 0xFF),
                    hour, decode(cmos[MIN] & 0xFF), decode(cmos[SEC] & 0xFF));
            offsetSeconds += t.toEpochSecond(ZoneOffset.UTC) - nowSeconds();
        } catch (java.time.DateTimeException e) {
            // An invalid date the guest wrote: the real chip would count garbage; keep the old time.
        }
    }

    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    @Override
    public String stateName() {
        return "cmos";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.write(cmos);
        o.writeByte(index);
        o.writeBoolean(nmiDisabled);
        // The saved wall time: a restored guest sees time continue from the snapshot, not jump.
        o.writeLong(offsetSeconds + epochAtZero);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        i.readFully(cmos);
        index = i.readUnsignedByte() & 0x7F;
        nmiDisabled = i.readBoolean();
        offsetSeconds = i.readLong() - epochAtZero;
    }
}
