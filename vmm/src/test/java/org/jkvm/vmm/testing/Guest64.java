package org.jkvm.vmm.testing;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.ptr;
import static org.jkvm.isa.Regs.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jkvm.isa.Assembler;
import org.jkvm.isa.Assembler.Cond;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.jkvm.isa.Operand.Mem;

/**
 * 64-bit test guests for {@code jkvm run --entry64}, written with jkvm's assembler: code at 1 MiB, a data page
 * with variables and strings, an IDT whose vectors the test binds to handlers (unbound vectors stop the guest
 * with status 0x7F), and helpers to print on COM1 and exit.
 */
public final class Guest64 {
    public static final long BASE = 0x100000, DATA = BASE + 0x10000, IDT = DATA, IDTR = DATA + 0x1000,
        VARS = DATA + 0x1100, STRINGS = DATA + 0x2000, END = DATA + 0x4000;
    public final Assembler a = new Assembler(Mode.BITS64, BASE);
    private final Map<String, Long> strings = new LinkedHashMap<>();
    private final Map<Integer, Label> vectors = new HashMap<>();
    private long nextString = STRINGS;
    private final Label main, printStr, printHex, unexpected;

    public Guest64() {
        main = a.newLabel("main");
        a.jmp(main);
        printStr = a.here("print_str");
        Label l = a.newLabel("l"), d = a.newLabel("d");
        a.push(RDX).push(RAX).emit(Mnemonic.MOV, DX, imm(0x3F8));
        a.bind(l).mov(AL, ptr(1, RSI, 0)).test(AL, AL).jcc(Cond.E, d).out(DX, AL).inc(RSI).jmp(l);
        a.bind(d).pop(RAX).pop(RDX).ret();
        printHex = a.here("print_hex");
        Label hl = a.newLabel("hl"), hd = a.newLabel("hd");
        a.push(RAX).push(RBX).push(RCX).push(RDX).mov(RBX, RAX).emit(Mnemonic.MOV, DX, imm(0x3F8)).mov(ECX, 16);
        a.bind(hl).emit(Mnemonic.ROL, RBX, imm(4)).mov(AL, BL).and(AL, imm(0xF)).cmp(AL, 10).jcc(Cond.B, hd).add(AL, 'a' - 10 - '0');
        a.bind(hd).add(AL, '0').out(DX, AL).dec(ECX).jcc(Cond.NE, hl);
        a.pop(RDX).pop(RCX).pop(RBX).pop(RAX).ret();
        unexpected = a.here("unexpected");
        print("unexpected exception\n");
        exit(0x3F);
        a.bind(main);
        a.emit(Mnemonic.LIDT, ptr(0, null, IDTR));
    }

    /** The address of variable {@code n} (8 bytes each, zero at start). */
    public static long var(int n) {
        return VARS + 8L * n;
    }

    public static Mem at(long address) {
        return ptr(8, null, address);
    }

    public static Mem at32(long address) {
        return ptr(4, null, address);
    }

    /** Starts a handler for {@code vector} at the current position (emit it out of the main line's path). */
    public Guest64 handler(int vector) {
        vectors.put(vector, a.here("vector" + vector));
        return this;
    }

    public Guest64 print(String s) {
        long at = strings.computeIfAbsent(s, k -> {
            long p = nextString;
            nextString += k.length() + 1;
            return p;
        });
        a.push(RSI).mov(RSI, at).call(printStr).pop(RSI);
        return this;
    }

    /** Prints RAX as 16 hex digits. */
    public Guest64 printRax() {
        a.call(printHex);
        return this;
    }

    public Guest64 exit(int v) {
        a.mov(EAX, v).emit(Mnemonic.MOV, DX, imm(0xF4)).out(DX, EAX).hlt();
        return this;
    }

    public byte[] image() {
        byte[] code = a.bytes();
        byte[] img = new byte[(int) (END - BASE)];
        System.arraycopy(code, 0, img, 0, code.length);
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < 256; v++) {
            long h = a.address(vectors.getOrDefault(v, unexpected));
            int o = (int) (IDT - BASE) + 16 * v;
            b.putLong(o, (h & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | (((h >>> 16) & 0xFFFF) << 48));
            b.putLong(o + 8, h >>> 32);
        }
        b.putShort((int) (IDTR - BASE), (short) (256 * 16 - 1));
        b.putLong((int) (IDTR - BASE) + 2, IDT);
        for (Map.Entry<String, Long> e : strings.entrySet()) {
            byte[] s = e.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, img, (int) (e.getValue() - BASE), s.length);
        }
        return elf(img, a.address(main));
    }

    static byte[] elf(byte[] content, long entry) {
        ByteBuffer b = ByteBuffer.allocate(0x1000 + content.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, entry).putLong(32, 64);
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 7).putLong(72, 0x1000).putLong(80, BASE).putLong(88, BASE)
            .putLong(96, content.length).putLong(104, content.length).putLong(112, 0x1000);
        b.position(0x1000);
        b.put(content);
        return b.array();
    }
}
