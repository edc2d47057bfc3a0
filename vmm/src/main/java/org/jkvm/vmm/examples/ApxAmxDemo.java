package org.jkvm.vmm.examples;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.ptr;
import static org.jkvm.isa.Regs.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jkvm.isa.Assembler;
import org.jkvm.isa.Assembler.Cond;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.jkvm.isa.Operand.Mem;
import org.jkvm.isa.Operand.Reg;

/**
 * Builds examples/apx-amx-demo.elf with jkvm's own assembler: a 64-bit guest (run with {@code jkvm run
 * --entry64}) that enables APX with XSETBV, uses R16-R31 and PUSH2/POP2, disables APX (a REX2 instruction then
 * raises #UD, which its handler counts and skips) and re-enables it, configures AMX tiles, arms XFD for
 * XTILEDATA, takes the #NM of the next TILELOADD, reads IA32_XFD_ERR in the handler, clears XFD and lets the
 * instruction retry. Everything it sees goes to COM1; it ends through isa-debug-exit (status 1 on success).
 *
 * <p>Usage: {@code java -cp jkvm.jar org.jkvm.vmm.examples.ApxAmxDemo OUTPUT.elf}. The output is
 * byte-for-byte reproducible.
 */
public final class ApxAmxDemo {
    static final long BASE = 0x100000, DATA = BASE + 0x8000;
    static final long IDT = DATA, IDTR = DATA + 0x200;
    static final long UD_SKIP = DATA + 0x300, UD_COUNT = DATA + 0x308, NM_COUNT = DATA + 0x310, NM_XFD_ERR = DATA + 0x318;
    static final long STRINGS = DATA + 0x400, STRINGS_END = DATA + 0x1000;
    static final long TILECFG = DATA + 0x1000, SRC = DATA + 0x2000, DST = DATA + 0x3000, DST2 = DATA + 0x4000;
    static final long END = DATA + 0x5000;
    static final int MSR_XFD = 0x1C4, MSR_XFD_ERR = 0x1C5;
    static final long XCR0_BASE = 0x7, XCR0_APX = 1L << 19, XCR0_AMX = (1L << 17) | (1L << 18);

    private final Assembler a = new Assembler(Mode.BITS64, BASE);
    private final Map<String, Long> strings = new LinkedHashMap<>();
    private long nextString = STRINGS;
    private Label printStr, printHex;

    public static void main(String[] args) throws IOException {
        ImageWriter.main("ApxAmxDemo", args, ApxAmxDemo::build);
    }

    /** The ELF64 image. */
    public static byte[] build() {
        return new ApxAmxDemo().assemble();
    }

    private static Mem abs(int size, long address) {
        return ptr(size, null, address);
    }

    private long str(String s) {
        return strings.computeIfAbsent(s, k -> {
            long at = nextString;
            nextString += k.getBytes(StandardCharsets.US_ASCII).length + 1;
            if (nextString > STRINGS_END) throw new IllegalStateException("string area full");
            return at;
        });
    }

    private void say(String s) {
        a.mov(RSI, str(s)).call(printStr);
    }

    /** Prints {@code label}, the value of {@code r} in hex, and a newline. */
    private void show(String label, Reg r) {
        if (r != RAX) a.mov(RAX, r);
        say(label);
        a.call(printHex);
        say("\n");
    }

    private void setXcr0(long value) {
        a.mov(EAX, value & 0xFFFFFFFFL).mov(EDX, value >>> 32).emit(Mnemonic.XOR, ECX, ECX).xsetbv();
    }

    private void readXcr0() {
        a.emit(Mnemonic.XOR, ECX, ECX).xgetbv().emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX);
    }

    private void debugExit(int v) {
        a.mov(EAX, v).emit(Mnemonic.MOV, DX, imm(0xF4)).out(DX, EAX).hlt();
    }

    private byte[] assemble() {
        Label main = a.newLabel("main");
        a.jmp(main);

        // print_str: RSI -> NUL-terminated string on COM1
        printStr = a.here("print_str");
        Label psLoop = a.newLabel("ps_loop"), psDone = a.newLabel("ps_done");
        a.emit(Mnemonic.PUSH, RDX).emit(Mnemonic.PUSH, RAX).emit(Mnemonic.MOV, DX, imm(0x3F8));
        a.bind(psLoop).mov(AL, ptr(1, RSI, 0)).test(AL, AL).jcc(Cond.E, psDone).out(DX, AL).inc(RSI).jmp(psLoop);
        a.bind(psDone).pop(RAX).pop(RDX).ret();

        // print_hex: RAX as 0x + 16 hex digits
        printHex = a.here("print_hex");
        Label phLoop = a.newLabel("ph_loop"), phDigit = a.newLabel("ph_digit");
        a.push(RAX).push(RBX).push(RCX).push(RDX).mov(RBX, RAX).emit(Mnemonic.MOV, DX, imm(0x3F8));
        a.mov(AL, imm('0')).out(DX, AL).mov(AL, imm('x')).out(DX, AL).mov(ECX, 16);
        a.bind(phLoop).emit(Mnemonic.ROL, RBX, imm(4)).mov(AL, BL).and(AL, imm(0xF)).cmp(AL, 10).jcc(Cond.B, phDigit)
            .add(AL, 'a' - 10 - '0');
        a.bind(phDigit).add(AL, '0').out(DX, AL).dec(ECX).jcc(Cond.NE, phLoop);
        a.pop(RDX).pop(RCX).pop(RBX).pop(RAX).ret();

        // #UD: count it and resume after the faulting instruction (its length is in UD_SKIP).
        Label ud = a.here("ud_handler");
        a.push(RAX).mov(RAX, abs(8, UD_SKIP)).add(ptr(8, RSP, 8), RAX).inc(abs(8, UD_COUNT)).pop(RAX)
            .emit(Mnemonic.IRETQ);

        // #NM: read IA32_XFD_ERR, clear it and IA32_XFD, return to retry the instruction.
        Label nm = a.here("nm_handler");
        a.push(RAX).push(RCX).push(RDX).mov(ECX, MSR_XFD_ERR).rdmsr()
            .mov(abs(4, NM_XFD_ERR), EAX).mov(abs(4, NM_XFD_ERR + 4), EDX)
            .emit(Mnemonic.XOR, EAX, EAX).emit(Mnemonic.XOR, EDX, EDX).wrmsr()
            .mov(ECX, MSR_XFD).wrmsr().inc(abs(8, NM_COUNT)).pop(RDX).pop(RCX).pop(RAX).emit(Mnemonic.IRETQ);

        // Anything else is a bug in the demo (or the CPU): name the vector and stop with status 0x7F.
        Label[] stubs = new Label[32];
        Label unexpected = a.newLabel("unexpected");
        for (int v = 0; v < 32; v++) {
            if (v == 6 || v == 7) continue;
            stubs[v] = a.here("vector" + v);
            a.emit(Mnemonic.PUSH, imm(v)).jmp(unexpected);
        }
        a.bind(unexpected);
        say("unexpected exception, vector ");
        a.pop(RAX).call(printHex);
        say(", stack ");
        // Exceptions with an error code (8, 10-14, 17, 21) push it above RIP.
        a.mov(RAX, ptr(8, RSP, 0)).call(printHex);
        say(" ");
        a.mov(RAX, ptr(8, RSP, 8)).call(printHex);
        say(", CR2 ");
        a.mov(RAX, CR2).call(printHex);
        say("\n");
        debugExit(0x3F);

        a.bind(main);
        say("jkvm APX/AMX demo (assembled by jkvm's own assembler)\n");
        Label noApx = a.newLabel("no_apx"), noAmx = a.newLabel("no_amx");
        a.mov(EAX, 7).mov(ECX, 1).cpuid().emit(Mnemonic.BT, EDX, imm(21)).jcc(Cond.AE, noApx);
        a.mov(RAX, CR4).or(RAX, imm(1L << 18)).mov(CR4, RAX); // CR4.OSXSAVE
        a.emit(Mnemonic.LIDT, abs(0, IDTR));
        readXcr0();
        show("XCR0 at entry:                ", RAX);

        setXcr0(XCR0_BASE | XCR0_APX);
        readXcr0();
        show("XSETBV enables APX, XCR0 =    ", RAX);
        for (int i = 16; i < 32; i++) a.mov(r64(i), 0x1111L * i);
        a.emit(Mnemonic.XOR, EAX, EAX);
        for (int i = 16; i < 32; i++) a.add(RAX, r64(i));
        show("R16..R31 = 0x1111*n, sum =    ", RAX);
        a.push2(R16, R17).pop2(R18, R19);
        show("PUSH2 R16,R17; POP2 R18,R19: R18 = ", R18);
        show("                             R19 = ", R19);

        setXcr0(XCR0_BASE);
        readXcr0();
        show("XSETBV disables APX, XCR0 =   ", RAX);
        Assembler probe = new Assembler(Mode.BITS64);
        probe.mov(R16, RAX);
        int rex2Len = probe.bytes().length;
        a.mov(abs(8, UD_SKIP), imm(rex2Len));
        a.mov(R16, RAX); // REX2-encoded: #UD while XCR0.APX = 0
        a.mov(RAX, abs(8, UD_COUNT));
        show("REX2 MOV R16,RAX with APX off: #UD count = ", RAX);

        setXcr0(XCR0_BASE | XCR0_APX);
        show("APX enabled again, R16 =      ", R16);

        a.mov(EAX, 7).emit(Mnemonic.XOR, ECX, ECX).cpuid().emit(Mnemonic.BT, EDX, imm(24)).jcc(Cond.AE, noAmx);
        setXcr0(XCR0_BASE | XCR0_APX | XCR0_AMX);
        readXcr0();
        show("XSETBV enables AMX, XCR0 =    ", RAX);
        a.mov(RAX, TILECFG).ldtilecfg(mem(RAX, 0));
        a.mov(RSI, SRC).mov(RDI, 64).tileloadd(tmm(0), mem(RSI, RDI, 1, 0));
        a.mov(RSI, DST).tilestored(mem(RSI, RDI, 1, 0), tmm(0));
        a.mov(RAX, abs(8, DST + 800));
        show("TILELOADD/TILESTORED tmm0, bytes 800..807 = ", RAX);
        a.mov(ECX, MSR_XFD).mov(EAX, 1 << 18).emit(Mnemonic.XOR, EDX, EDX).wrmsr();
        say("IA32_XFD = XTILEDATA: the next tile load must fault\n");
        a.mov(RSI, SRC).tileloadd(tmm(1), mem(RSI, RDI, 1, 0)); // #NM, handled, retried
        a.mov(RAX, abs(8, NM_XFD_ERR));
        show("#NM handler saw IA32_XFD_ERR = ", RAX);
        a.mov(RAX, abs(8, NM_COUNT));
        show("#NM count =                   ", RAX);
        a.mov(RSI, DST2).tilestored(mem(RSI, RDI, 1, 0), tmm(1));
        a.mov(RAX, abs(8, DST2 + 800));
        show("retried TILELOADD tmm1, bytes 800..807 = ", RAX);
        a.tilerelease();
        say("done\n");
        debugExit(0);

        a.bind(noApx);
        say("this CPU model has no APX (try --cpu diamondrapids)\n");
        debugExit(2);
        a.bind(noAmx);
        say("this CPU model has no AMX\n");
        debugExit(3);

        byte[] code = a.bytes();
        if (code.length > DATA - BASE) throw new IllegalStateException("code overflows into data");
        byte[] image = new byte[(int) (END - BASE)];
        System.arraycopy(code, 0, image, 0, code.length);
        // IDT: every vector to "unexpected", #UD (6) and #NM (7) to their handlers.
        for (int v = 0; v < 32; v++) {
            long h = a.address(v == 6 ? ud : v == 7 ? nm : stubs[v]);
            long lo = (h & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | (((h >>> 16) & 0xFFFF) << 48);
            putLong(image, IDT + v * 16L, lo);
            putLong(image, IDT + v * 16L + 8, h >>> 32);
        }
        putShort(image, IDTR, 32 * 16 - 1);
        putLong(image, IDTR + 2, IDT);
        for (Map.Entry<String, Long> e : strings.entrySet()) {
            byte[] s = e.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, image, (int) (e.getValue() - BASE), s.length);
        }
        // Tile configuration: palette 1; tmm0 and tmm1 are 16 rows of 64 bytes.
        int cfg = (int) (TILECFG - BASE);
        image[cfg] = 1;
        for (int t = 0; t < 2; t++) {
            putShort(image, TILECFG + 16 + 2L * t, 64);
            image[cfg + 48 + t] = 16;
        }
        for (int i = 0; i < 1024; i++) image[(int) (SRC - BASE) + i] = (byte) (i * 7 + 3);
        return Elf64Image.build(BASE, image, END - BASE, a.address(main));
    }

    private static void putLong(byte[] b, long addr, long v) {
        for (int i = 0; i < 8; i++) b[(int) (addr - BASE) + i] = (byte) (v >>> (8 * i));
    }

    private static void putShort(byte[] b, long addr, int v) {
        b[(int) (addr - BASE)] = (byte) v;
        b[(int) (addr - BASE) + 1] = (byte) (v >>> 8);
    }
}
