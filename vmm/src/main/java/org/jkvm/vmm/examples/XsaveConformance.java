package org.jkvm.vmm.examples;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.ptr;
import static org.jkvm.isa.Assembler.rip;
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
 * Builds examples/xsave-conformance.elf: a Multiboot v1 guest (ELF32, 32-bit entry, then its own switch to long
 * mode) that probes the XSAVE feature set against the architecture and prints one line per probe on COM1. The
 * guest only observes; the verdicts are computed outside it (XsaveConformanceTest) from the SDM rules and the
 * CPUID the guest printed, so the same image serves any CPU model and any backend.
 *
 * <p>Output: every line is {@code KIND key=value ...}; numbers are {@code 0x} + lower-case hex without leading
 * zeros, {@code none} for "not found". A {@code fault} value is {@code none}, {@code #UD}, {@code #NM},
 * {@code #GP(err)} or {@code #v(vector)}. Kinds:
 * <ul>
 * <li>{@code boot magic=} EAX at entry; {@code cr4 step= value=}; {@code cpuid leaf= sub= eax= ebx= ecx= edx=}
 * (leaf 1, 7.0, 7.1, 0xD.0, 0xD.1 and 0xD.i for every i set in 0xD.0 EDX:EAX or 0xD.1 EDX:ECX);
 * <li>{@code probe name= fault=} single instructions (OSXSAVE=0 #UD, CR0.TS #NM, misaligned areas #GP ...);
 * <li>{@code xgetbv ecx= fault= value=}; {@code xsetbv ecx= value= fault= xcr0=} (XCR0 read back after each try):
 * all subsets of the first ten supported XCR0 bits below 20, then 3 | each unsupported bit 0-63, then ECX
 * 1, 2, 0x80000000, 0xFFFFFFFF, then the whole supported mask;
 * <li>{@code xinuse step= fault= value=} XGETBV(1) after each state change (if CPUID.(0xD,1):EAX[2]);
 * <li>{@code patterns comps=} the components loaded with recognisable data; {@code xsave|xsavec mask= fault=
 * xstate_bv= xcomp_bv=} then {@code find op= mask= comp= p= q=}: where (offset from the area's base, component
 * start) the component's "P" and "Q" patterns were found in the area;
 * <li>{@code xrstor case= mask= xstate_bv= xcomp_bv= fault=} fault probes and round trips, the latter followed
 * by {@code reg tag= comp= value=} (the register read back directly) and {@code find} lines of a re-save;
 * <li>{@code end status=ok}, then isa-debug-exit 0 (exit status 1). An exception outside a probe prints
 * {@code unexpected vector= err= rip=} and exits with 0x3F (status 0x7F).
 * </ul>
 *
 * <p>Usage: {@code java -cp jkvm.jar org.jkvm.vmm.examples.XsaveConformance OUTPUT.elf}; byte-for-byte
 * reproducible.
 */
public final class XsaveConformance {
    static final int BASE = 0x100000;
    static final int ENTRY32 = BASE + 0x40, CODE64 = BASE + 0x1000, DATA = BASE + 0xA000;
    static final int GDT = DATA, GDTR = DATA + 0x40, IDT = DATA + 0x100, IDTR = DATA + 0x300;
    static final int VARS = DATA + 0x400;
    static final int PROBE_AT = VARS, PROBE_END = VARS + 8, FAULT_VEC = VARS + 0x10, FAULT_ERR = VARS + 0x18,
            MB_MAGIC = VARS + 0x20, SUP = VARS + 0x28, D1EAX = VARS + 0x30, NBITS = VARS + 0x38, XCR0_CUR = VARS + 0x40,
            F7EBX = VARS + 0x48, F7ECX = VARS + 0x50, LOADED = VARS + 0x58, SUPXSS = VARS + 0x60, SAVED_XCR0 = VARS + 0x68,
            TMP64 = VARS + 0x80, POS = VARS + 0xC0;
    static final int STRINGS = DATA + 0x1000, STRINGS_END = DATA + 0x3000;
    static final int TILECFG_P = DATA + 0x3000, TILECFG_Q = DATA + 0x3040, TILE_P = DATA + 0x3100, TILE_Q = DATA + 0x3500;
    static final int FILE_END = DATA + 0x3900;
    // Zero-filled memory beyond the file: page tables, XSAVE areas (64-byte aligned, 16 KiB apart), the stack.
    static final int PML4 = BASE + 0x10000, PDPT = BASE + 0x11000, PD = BASE + 0x12000;
    static final int AREA_A = BASE + 0x14000, AREA_B = BASE + 0x18000, AREA_C = BASE + 0x1C000, AREA_D = BASE + 0x20000;
    static final int AREA_SCAN = 0x3000;
    static final int STACK_TOP = BASE + 0x28000, END = STACK_TOP;
    static final int XCR0_SUBSET_CAP = 10;

    /** The components the guest fills with recognisable data, and where in the component the pattern sits. */
    static final int[] PATTERN_COMPS = {1, 2, 5, 6, 7, 9, 17, 18, 19};

    /** Pattern "P" (and "Q", the clobber value) of component {@code i}: the first qword of its data. */
    public static long p(int i) {
        return i == 9 ? 0x5A5A1358L : i == 17 ? 0x0034000C002C0040L : 0x7E57C0DE00000050L | ((long) i << 8);
    }

    public static long q(int i) {
        return i == 9 ? 0x3C3C2468L : i == 17 ? 0x001C002400140040L : 0x0B5E55ED00000051L | ((long) i << 8);
    }

    /** Offset of the pattern qword inside component {@code i} (TILECFG: the colsb array at byte 16). */
    public static int patternDelta(int i) {
        return i == 17 ? 16 : 0;
    }

    /** Masks (EDX:EAX) the guest gives XSAVEC and XSAVE; RFBM is XCR0 & mask. */
    public static final long[] XSAVEC_MASKS = {-1L, 0x3, 0x4, 0xA0, 0x62, 0x206, 0x60000, 0x40001, 0x80004, 0xE0220};
    public static final long[] XSAVE_MASKS = {-1L, 0x4, 0x60000, 0x80002};

    private final Assembler a = new Assembler(Mode.BITS64, CODE64);
    private final Map<String, Integer> strings = new LinkedHashMap<>();
    private int nextString = STRINGS;
    private Label printStr, printHex, printOpt, printFault, find, clearArea, copyArea;
    private Label xsetbvLine, xinuseLine, loadP, loadQ, dumpRegs, findAll;

    public static void main(String[] args) throws IOException {
        ImageWriter.main("XsaveConformance", args, XsaveConformance::build);
    }

    /** The Multiboot ELF32 image. */
    public static byte[] build() {
        return new XsaveConformance().assemble();
    }

    private static Mem abs(int size, long address) {
        return ptr(size, null, address);
    }

    private int str(String s) {
        return strings.computeIfAbsent(s, k -> {
            int at = nextString;
            nextString += k.getBytes(StandardCharsets.US_ASCII).length + 1;
            if (nextString > STRINGS_END) throw new IllegalStateException("string area full");
            return at;
        });
    }

    private void say(String s) {
        a.push(RSI).mov(RSI, str(s)).call(printStr).pop(RSI);
    }

    /** Prints " key=" and the value of {@code r} (r is not RSI-sensitive; all registers survive). */
    private void kv(String key, Reg r) {
        say(" " + key + "=");
        a.push(RAX);
        if (r != RAX) a.mov(RAX, r);
        a.call(printHex).pop(RAX);
    }

    private void kvMem(String key, int addr) {
        say(" " + key + "=");
        a.push(RAX).mov(RAX, abs(8, addr)).call(printHex).pop(RAX);
    }

    private void kvConst(String key, long v) {
        say(" " + key + "=" + hex(v));
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private void faultField() {
        say(" fault=");
        a.call(printFault);
    }

    /** Jumps to {@code skip} unless bit {@code bit} of the qword at {@code var} is set. */
    private void unlessBit(int var, int bit, Label skip) {
        a.mov(RAX, abs(8, var)).emit(Mnemonic.BT, RAX, imm(bit)).jcc(Cond.AE, skip);
    }


    private void nl() {
        say("\n");
    }

    /**
     * A probe: records where the instruction starts and ends so that the exception handler can note the vector
     * and error code and resume after it; {@code setup} runs after that bookkeeping (which uses R11 only).
     */
    private void probe(Runnable setup, Runnable insn) {
        Label start = a.newLabel("probe"), end = a.newLabel("probe_end");
        a.emit(Mnemonic.LEA, R11, rip(start, 0)).mov(abs(8, PROBE_AT), R11);
        a.emit(Mnemonic.LEA, R11, rip(end, 0)).mov(abs(8, PROBE_END), R11);
        a.mov(abs(8, FAULT_VEC), imm(0xFF)).mov(abs(8, FAULT_ERR), imm(0));
        setup.run();
        a.bind(start);
        insn.run();
        a.bind(end);
        a.mov(abs(8, PROBE_AT), imm(1));
    }

    private void setMask(long mask) {
        a.mov(EAX, mask & 0xFFFFFFFFL).mov(EDX, mask >>> 32);
    }

    private void setTs() {
        a.mov(RAX, CR0).or(RAX, imm(8)).mov(CR0, RAX);
    }

    private void readXcr0() {
        a.emit(Mnemonic.XOR, ECX, ECX).xgetbv().emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX);
    }

    private void debugExit(int v) {
        Label stop = a.newLabel("stop");
        a.mov(EAX, v).emit(Mnemonic.MOV, DX, imm(0xF4)).out(DX, EAX);
        a.bind(stop).emit(Mnemonic.CLI).hlt().jmp(stop);
    }

    /** CPUID with EAX = leaf and ECX = the value of {@code sub}; prints the line; RAX..RDX hold the result. */
    private void cpuidLine(long leaf, Reg sub) {
        a.mov(EAX, leaf).mov(RCX, sub).cpuid();
        say("cpuid leaf=" + hex(leaf));
        kv("sub", sub);
        kv("eax", RAX);
        kv("ebx", RBX);
        kv("ecx", RCX);
        kv("edx", RDX);
        nl();
    }

    private void cpuidLine(long leaf, long sub) {
        a.mov(R12, sub);
        cpuidLine(leaf, R12);
    }

    private void routines() {
        // print_str: RSI -> NUL-terminated string on COM1; all registers survive.
        printStr = a.here("print_str");
        Label psLoop = a.newLabel("ps_loop"), psDone = a.newLabel("ps_done");
        a.push(RDX).push(RAX).push(RSI).emit(Mnemonic.MOV, DX, imm(0x3F8));
        a.bind(psLoop).mov(AL, ptr(1, RSI, 0)).test(AL, AL).jcc(Cond.E, psDone).out(DX, AL).inc(RSI).jmp(psLoop);
        a.bind(psDone).pop(RSI).pop(RAX).pop(RDX).ret();

        // print_hex: RAX as 0x and its hex digits without leading zeros; all registers survive.
        printHex = a.here("print_hex");
        Label skip = a.newLabel("ph_skip"), digits = a.newLabel("ph_digits"), digit = a.newLabel("ph_digit");
        a.push(RAX).push(RBX).push(RCX).push(RDX).mov(RBX, RAX).emit(Mnemonic.MOV, DX, imm(0x3F8));
        a.mov(AL, imm('0')).out(DX, AL).mov(AL, imm('x')).out(DX, AL).mov(ECX, 16);
        a.bind(skip).mov(RAX, RBX).emit(Mnemonic.SHR, RAX, imm(60)).jcc(Cond.NE, digits).cmp(ECX, 1).jcc(Cond.E, digits)
            .emit(Mnemonic.SHL, RBX, imm(4)).dec(ECX).jmp(skip);
        a.bind(digits).emit(Mnemonic.ROL, RBX, imm(4)).mov(AL, BL).and(AL, imm(0xF)).cmp(AL, 10).jcc(Cond.B, digit)
            .add(AL, 'a' - 10 - '0');
        a.bind(digit).add(AL, '0').out(DX, AL).dec(ECX).jcc(Cond.NE, digits);
        a.pop(RDX).pop(RCX).pop(RBX).pop(RAX).ret();

        // print_opt: RAX = -1 prints "none", anything else print_hex.
        printOpt = a.here("print_opt");
        Label some = a.newLabel("po_some");
        a.cmp(RAX, -1).jcc(Cond.NE, some);
        say("none");
        a.ret();
        a.bind(some).call(printHex).ret();

        // print_fault: the last probe's outcome.
        printFault = a.here("print_fault");
        Label notNone = a.newLabel("pf_1"), notGp = a.newLabel("pf_2"), notUd = a.newLabel("pf_3"), other = a.newLabel("pf_4"),
            out = a.newLabel("pf_out");
        a.push(RAX).mov(RAX, abs(8, FAULT_VEC)).cmp(RAX, 0xFF).jcc(Cond.NE, notNone);
        say("none");
        a.jmp(out);
        a.bind(notNone).cmp(RAX, 13).jcc(Cond.NE, notGp);
        say("#GP(");
        a.mov(RAX, abs(8, FAULT_ERR)).call(printHex);
        say(")");
        a.jmp(out);
        a.bind(notGp).cmp(RAX, 6).jcc(Cond.NE, notUd);
        say("#UD");
        a.jmp(out);
        a.bind(notUd).cmp(RAX, 7).jcc(Cond.NE, other);
        say("#NM");
        a.jmp(out);
        a.bind(other);
        say("#v(");
        a.call(printHex);
        say(")");
        a.bind(out).pop(RAX).ret();

        // clear_area: zeroes AREA_SCAN + 64 bytes at RDI.
        clearArea = a.here("clear_area");
        Label caLoop = a.newLabel("ca_loop");
        a.push(RAX).push(RCX).push(RDI).emit(Mnemonic.XOR, EAX, EAX).mov(ECX, (AREA_SCAN + 64) / 8);
        a.bind(caLoop).mov(ptr(8, RDI, 0), RAX).add(RDI, 8).dec(ECX).jcc(Cond.NE, caLoop);
        a.pop(RDI).pop(RCX).pop(RAX).ret();

        // copy_area: AREA_SCAN bytes from RSI to RDI.
        copyArea = a.here("copy_area");
        Label cpLoop = a.newLabel("cp_loop");
        a.push(RAX).push(RCX).emit(Mnemonic.XOR, ECX, ECX);
        a.bind(cpLoop).mov(RAX, ptr(8, RSI, RCX, 1, 0)).mov(ptr(8, RDI, RCX, 1, 0), RAX).add(RCX, 8).cmp(RCX, AREA_SCAN)
            .jcc(Cond.B, cpLoop);
        a.pop(RCX).pop(RAX).ret();

        // find: the first 8-aligned offset of the qword RAX in the area at RDI, or -1, in RAX.
        find = a.here("find");
        Label fLoop = a.newLabel("f_loop"), found = a.newLabel("f_found");
        a.push(RCX).emit(Mnemonic.XOR, ECX, ECX);
        a.bind(fLoop).cmp(ptr(8, RDI, RCX, 1, 0), RAX).jcc(Cond.E, found).add(RCX, 8).cmp(RCX, AREA_SCAN).jcc(Cond.B, fLoop);
        a.mov(RAX, -1L).pop(RCX).ret();
        a.bind(found).mov(RAX, RCX).pop(RCX).ret();

        // find_all: RDI = area, RSI = line prefix, R12 = the mask to print; a find line per loaded component.
        findAll = a.here("find_all");
        for (int c : PATTERN_COMPS) {
            Label next = a.newLabel("fa_next" + c);
            unlessBit(LOADED, c, next);
            a.call(printStr);
            kv("mask", R12);
            kvConst("comp", c);
            for (boolean isP : new boolean[] {true, false}) {
                Label none = a.newLabel("fa_none");
                say(isP ? " p=" : " q=");
                a.mov(RAX, isP ? p(c) : q(c)).call(find);
                if (patternDelta(c) != 0) a.cmp(RAX, -1).jcc(Cond.E, none).sub(RAX, patternDelta(c));
                a.bind(none).call(printOpt);
            }
            nl();
            a.bind(next);
        }
        a.ret();

        // xsetbv_line: XSETBV with EDX:EAX = R14, ECX = R15; prints the outcome and XCR0 read back.
        xsetbvLine = a.here("xsetbv_line");
        probe(() -> a.mov(RAX, R14).mov(RDX, R14).emit(Mnemonic.SHR, RDX, imm(32)).mov(RCX, R15), a::xsetbv);
        say("xsetbv");
        kv("ecx", R15);
        kv("value", R14);
        faultField();
        readXcr0();
        a.mov(abs(8, XCR0_CUR), RAX);
        kv("xcr0", RAX);
        nl();
        a.ret();

        // xinuse_line: XGETBV(1) right away, then "xinuse step=<RSI> fault= value=".
        xinuseLine = a.here("xinuse_line");
        probe(() -> a.emit(Mnemonic.XOR, EAX, EAX).emit(Mnemonic.XOR, EDX, EDX).mov(ECX, 1), a::xgetbv);
        a.emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX).mov(R12, RAX);
        say("xinuse step=");
        a.call(printStr);
        faultField();
        kv("value", R12);
        nl();
        a.ret();

        loadP = a.here("load_p");
        loadPatterns(true);
        loadQ = a.here("load_q");
        loadPatterns(false);

        // dump_regs: RSI = tag; "reg tag= comp= value=" for each loaded component readable directly.
        dumpRegs = a.here("dump_regs");
        for (int c : new int[] {1, 2, 5, 6, 7, 9, 17, 19}) {
            Label next = a.newLabel("dr_next" + c);
            unlessBit(LOADED, c, next);
            switch (c) {
                case 1 -> a.emit(Mnemonic.MOVQ, RAX, xmm(0));
                case 2 -> a.emit(Mnemonic.VEXTRACTI128, xmm(2), ymm(0), imm(1)).emit(Mnemonic.MOVQ, RAX, xmm(2));
                case 5 -> a.emit(Mnemonic.KMOVQ, RAX, k(0));
                case 6 -> a.emit(Mnemonic.VEXTRACTI64X4, ymm(2), zmm(0), imm(1)).emit(Mnemonic.MOVQ, RAX, xmm(2));
                case 7 -> a.emit(Mnemonic.VMOVQ, RAX, xmm(16));
                case 9 -> a.emit(Mnemonic.XOR, ECX, ECX).emit(Mnemonic.RDPKRU).mov(EAX, EAX);
                case 17 -> a.sttilecfg(abs(0, TMP64)).mov(RAX, abs(8, TMP64 + 16));
                case 19 -> a.mov(RAX, R16);
                default -> throw new IllegalStateException();
            }
            say("reg tag=");
            a.call(printStr);
            kvConst("comp", c);
            kv("value", RAX);
            nl();
            a.bind(next);
        }
        a.emit(Mnemonic.PXOR, xmm(2), xmm(2)).ret();
    }

    /**
     * Fills every enabled component with pattern P (or Q): x87 (FLD1), XMM0, YMM0[255:128], k0, ZMM0[511:256],
     * ZMM16, PKRU, the tile configuration and tmm0, R16. LOADED gets the components written.
     */
    private void loadPatterns(boolean isP) {
        a.push(RCX).push(RDX).push(RSI).push(R8);
        a.mov(abs(8, LOADED), imm(1)).emit(Mnemonic.FNINIT).emit(Mnemonic.FLD1);
        for (int c : new int[] {1, 2, 6, 5, 7, 9, 17, 19}) {
            long v = isP ? p(c) : q(c);
            Label next = a.newLabel("lp_next" + c);
            unlessBit(XCR0_CUR, c, next);
            switch (c) {
                case 1 -> a.mov(RAX, v).emit(Mnemonic.MOVQ, xmm(0), RAX);
                case 2 -> a.mov(RAX, v).emit(Mnemonic.MOVQ, xmm(1), RAX)
                    .emit(Mnemonic.VINSERTI128, ymm(0), ymm(0), xmm(1), imm(1));
                case 6 -> a.mov(RAX, v).emit(Mnemonic.MOVQ, xmm(1), RAX)
                    .emit(Mnemonic.VINSERTI64X4, zmm(0), zmm(0), ymm(1), imm(1));
                case 5 -> {
                    unlessBit(F7EBX, 30, next); // KMOVQ needs AVX512BW
                    a.mov(RAX, v).emit(Mnemonic.KMOVQ, k(0), RAX);
                }
                case 7 -> a.mov(RAX, v).emit(Mnemonic.VMOVQ, xmm(16), RAX);
                case 9 -> a.mov(EAX, v).emit(Mnemonic.XOR, ECX, ECX).emit(Mnemonic.XOR, EDX, EDX).emit(Mnemonic.WRPKRU);
                case 17 -> {
                    unlessBit(XCR0_CUR, 18, next);
                    a.mov(RAX, isP ? TILECFG_P : TILECFG_Q).ldtilecfg(mem(RAX, 0));
                    a.mov(RSI, isP ? TILE_P : TILE_Q).mov(R8, 64).tileloadd(tmm(0), mem(RSI, R8, 1, 0));
                    a.emit(Mnemonic.BTS, abs(8, LOADED), imm(18));
                }
                case 19 -> a.mov(R16, v);
                default -> throw new IllegalStateException();
            }
            a.emit(Mnemonic.BTS, abs(8, LOADED), imm(c));
            a.bind(next);
        }
        a.pop(R8).pop(RSI).pop(RDX).pop(RCX);
        // XMM1 carried the AVX/ZMM patterns; XMM2 may hold copies from dump_regs. Neither may show up in a save.
        a.emit(Mnemonic.PXOR, xmm(1), xmm(1)).emit(Mnemonic.PXOR, xmm(2), xmm(2)).ret();
    }

    /** Vector stubs and the common handler; returns the stub labels (IDT order). */
    private Label[] handlers() {
        Label common = a.newLabel("exc_common"), unexpected = a.newLabel("unexpected");
        Label[] stubs = new Label[32];
        for (int v = 0; v < 32; v++) {
            stubs[v] = a.here("vector" + v);
            boolean hasError = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
            if (!hasError) a.emit(Mnemonic.PUSH, imm(0));
            a.emit(Mnemonic.PUSH, imm(v)).jmp(common);
        }
        // Stack: R11, vector, error code, RIP, CS, RFLAGS, RSP, SS. A fault at the armed probe is recorded and
        // the probe skipped; anything else is reported and ends the run.
        a.bind(common).push(R11).mov(R11, ptr(8, RSP, 24)).cmp(R11, abs(8, PROBE_AT)).jcc(Cond.NE, unexpected);
        a.mov(R11, ptr(8, RSP, 8)).mov(abs(8, FAULT_VEC), R11).mov(R11, ptr(8, RSP, 16)).mov(abs(8, FAULT_ERR), R11);
        a.mov(R11, abs(8, PROBE_END)).mov(ptr(8, RSP, 24), R11).mov(abs(8, PROBE_AT), imm(1));
        a.pop(R11).add(RSP, 16).emit(Mnemonic.IRETQ);
        a.bind(unexpected);
        say("unexpected");
        a.mov(RAX, ptr(8, RSP, 8));
        kv("vector", RAX);
        a.mov(RAX, ptr(8, RSP, 16));
        kv("err", RAX);
        a.mov(RAX, ptr(8, RSP, 24));
        kv("rip", RAX);
        nl();
        debugExit(0x3F);
        return stubs;
    }

    /** 32-bit Multiboot entry: identity-map 1 GiB with 2 MiB pages, enable long mode, jump to {@code main64}. */
    private static byte[] entry32(long main64) {
        Assembler b = new Assembler(Mode.BITS32, ENTRY32);
        b.emit(Mnemonic.CLI).mov(abs(4, MB_MAGIC), EAX).mov(ESP, STACK_TOP);
        b.mov(abs(4, PML4), imm(PDPT | 3)).mov(abs(4, PDPT), imm(PD | 3)).emit(Mnemonic.XOR, ECX, ECX).mov(EDI, PD);
        Label fill = b.here("fill");
        b.mov(EAX, ECX).emit(Mnemonic.SHL, EAX, imm(21)).or(EAX, imm(0x83)).mov(ptr(4, EDI, ECX, 8, 0), EAX)
            .inc(ECX).cmp(ECX, 512).jcc(Cond.NE, fill);
        b.emit(Mnemonic.LGDT, abs(0, GDTR));
        b.mov(EAX, CR4).or(EAX, imm(0x20)).mov(CR4, EAX);                 // PAE
        b.mov(EAX, PML4).mov(CR3, EAX);
        b.mov(ECX, 0xC0000080L).rdmsr().or(EAX, imm(0x100)).wrmsr();     // EFER.LME
        b.mov(EAX, CR0).or(EAX, imm(0x80000001L)).mov(CR0, EAX);         // PG | PE
        b.db(0xEA).dd((int) main64).dw(0x08);                             // jmp far 0x08:main64
        return b.bytes();
    }

    private byte[] assemble() {
        Label main = a.newLabel("main");
        a.jmp(main);
        routines();
        Label[] stubs = handlers();

        a.bind(main);
        a.mov(AX, imm(0x10)).mov(DS, AX).mov(ES, AX).mov(SS, AX).mov(FS, AX).mov(GS, AX).mov(RSP, STACK_TOP);
        a.emit(Mnemonic.LIDT, abs(0, IDTR));
        say("xsave-conformance version=1\n");
        say("boot");
        a.mov(EAX, abs(4, MB_MAGIC));
        kv("magic", RAX);
        nl();
        a.mov(RAX, CR0).and(RAX, imm(~4L)).or(RAX, imm(0x22)).mov(CR0, RAX);       // EM=0, MP=1, NE=1
        a.mov(RAX, CR4).or(RAX, imm(0x600)).mov(CR4, RAX);                          // OSFXSR, OSXMMEXCPT
        cr4Line("start");
        cpuidLine(1, 0);
        cpuidLine(7, 0);
        a.mov(EBX, EBX).mov(abs(8, F7EBX), RBX).mov(ECX, ECX).mov(abs(8, F7ECX), RCX);
        cpuidLine(7, 1);
        Label noXsave = a.newLabel("no_xsave");
        a.mov(EAX, 1).cpuid().emit(Mnemonic.BT, ECX, imm(26)).jcc(Cond.AE, noXsave);

        // CR4.OSXSAVE = 0: the whole family is #UD.
        simpleProbe("xgetbv-noosxsave", () -> a.emit(Mnemonic.XOR, ECX, ECX), a::xgetbv);
        simpleProbe("xsetbv-noosxsave", () -> a.mov(EAX, 3).emit(Mnemonic.XOR, EDX, EDX).emit(Mnemonic.XOR, ECX, ECX), a::xsetbv);
        simpleProbe("xsave-noosxsave", () -> a.mov(RDI, AREA_A).mov(EAX, 3).emit(Mnemonic.XOR, EDX, EDX),
            () -> a.xsave(mem(RDI, 0)));

        a.mov(RAX, CR4).emit(Mnemonic.BTS, RAX, imm(18)).mov(CR4, RAX);
        cr4Line("osxsave");
        cpuidLine(1, 0);
        cpuidLine(0xD, 0);
        a.emit(Mnemonic.SHL, RDX, imm(32)).mov(EAX, EAX).or(RAX, RDX).mov(abs(8, SUP), RAX);
        cpuidLine(0xD, 1);
        a.mov(EAX, EAX).mov(abs(8, D1EAX), RAX).emit(Mnemonic.SHL, RDX, imm(32)).mov(ECX, ECX).or(RCX, RDX)
            .mov(abs(8, SUPXSS), RCX);
        Label subLoop = a.newLabel("sub_loop"), subNext = a.newLabel("sub_next");
        a.mov(R13, 2);
        a.bind(subLoop).mov(RAX, abs(8, SUP)).or(RAX, abs(8, SUPXSS)).emit(Mnemonic.BT, RAX, R13).jcc(Cond.AE, subNext);
        cpuidLine(0xD, R13);
        a.bind(subNext).inc(R13).cmp(R13, 63).jcc(Cond.B, subLoop);

        // XGETBV: XCR0 as found, then the other ECX values (1 valid only with XGETBV1).
        for (long ecx : new long[] {0, 1, 2, 0x80000000L, 0xFFFFFFFFL}) {
            probe(() -> a.emit(Mnemonic.XOR, EAX, EAX).emit(Mnemonic.XOR, EDX, EDX).mov(ECX, ecx), a::xgetbv);
            a.emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX).mov(R12, RAX);
            if (ecx == 0) a.mov(abs(8, XCR0_CUR), RAX);
            say("xgetbv ecx=" + hex(ecx));
            faultField();
            kv("value", R12);
            nl();
        }
        xsetbvPhase();
        Label noPke = a.newLabel("no_pke");
        unlessBit(F7ECX, 3, noPke); // PKU: CR4.PKE makes RDPKRU/WRPKRU usable
        a.mov(RAX, CR4).emit(Mnemonic.BTS, RAX, imm(22)).mov(CR4, RAX);
        cr4Line("pke");
        a.bind(noPke);
        xinusePhase();
        xsavePhase();
        xrstorFaultPhase();
        roundTripPhase();
        say("end status=ok\n");
        debugExit(0);
        a.bind(noXsave);
        say("end status=no-xsave\n");
        debugExit(0);

        byte[] code = a.bytes();
        if (CODE64 + code.length > DATA) throw new IllegalStateException("code overflows into data: " + code.length);
        byte[] image = new byte[FILE_END - BASE];
        System.arraycopy(Elf32Multiboot.header(), 0, image, 0, Elf32Multiboot.HEADER_SIZE);
        byte[] e32 = entry32(a.address(main));
        if (ENTRY32 + e32.length > CODE64) throw new IllegalStateException("32-bit entry too long");
        System.arraycopy(e32, 0, image, ENTRY32 - BASE, e32.length);
        System.arraycopy(code, 0, image, CODE64 - BASE, code.length);
        putLong(image, GDT + 8, 0x00AF9B000000FFFFL);   // 0x08: 64-bit code
        putLong(image, GDT + 16, 0x00CF93000000FFFFL);  // 0x10: data
        putShort(image, GDTR, 3 * 8 - 1);
        putLong(image, GDTR + 2, GDT);
        for (int v = 0; v < 32; v++) {
            long h = a.address(stubs[v]);
            long lo = (h & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | (((h >>> 16) & 0xFFFF) << 48);
            putLong(image, IDT + v * 16, lo);
            putLong(image, IDT + v * 16 + 8, h >>> 32);
        }
        putShort(image, IDTR, 32 * 16 - 1);
        putLong(image, IDTR + 2, IDT);
        for (Map.Entry<String, Integer> e : strings.entrySet()) {
            byte[] s = e.getKey().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, image, e.getValue() - BASE, s.length);
        }
        // Tile configurations (palette 1): tmm0 16 rows of 64 bytes, tmm1-3 small shapes whose colsb values
        // make the qword at byte 16 recognisable (p(17) / q(17)).
        tileConfig(image, TILECFG_P, p(17), new int[] {16, 3, 5, 7});
        tileConfig(image, TILECFG_Q, q(17), new int[] {16, 2, 4, 6});
        for (int i = 0; i < 1024; i++) {
            image[TILE_P - BASE + i] = 0x11;
            image[TILE_Q - BASE + i] = 0x22;
        }
        putLong(image, TILE_P, p(18));
        putLong(image, TILE_Q, q(18));
        return Elf32Multiboot.build(BASE, image, END - BASE, ENTRY32);
    }

    private static void tileConfig(byte[] image, int at, long colsb, int[] rows) {
        image[at - BASE] = 1;
        putLong(image, at + 16, colsb);
        for (int t = 0; t < rows.length; t++) image[at - BASE + 48 + t] = (byte) rows[t];
    }

    private void cr4Line(String step) {
        say("cr4 step=" + step);
        a.push(RAX).mov(RAX, CR4);
        kv("value", RAX);
        a.pop(RAX);
        nl();
    }

    /** "probe name= fault=" for one instruction. */
    private void simpleProbe(String name, Runnable setup, Runnable insn) {
        probe(setup, insn);
        say("probe name=" + name);
        faultField();
        nl();
    }


    /** XSETBV over subsets of the supported bits below 20, each unsupported bit, bad ECX values, then all. */
    private void xsetbvPhase() {
        Label scan = a.newLabel("scan"), skip = a.newLabel("scan_skip"), done = a.newLabel("scan_done");
        a.emit(Mnemonic.XOR, R8D(), R8D()).emit(Mnemonic.XOR, ECX, ECX);
        a.bind(scan).mov(RAX, abs(8, SUP)).emit(Mnemonic.BT, RAX, RCX).jcc(Cond.AE, skip)
            .mov(ptr(1, R8, POS), CL).inc(R8).cmp(R8, XCR0_SUBSET_CAP).jcc(Cond.E, done);
        a.bind(skip).inc(ECX).cmp(ECX, 20).jcc(Cond.B, scan);
        a.bind(done).mov(abs(8, NBITS), R8).mov(RCX, R8).mov(R13, 1).emit(Mnemonic.SHL, R13, CL)
            .emit(Mnemonic.XOR, R12D(), R12D());
        Label loop = a.newLabel("subset"), dep = a.newLabel("dep"), depNext = a.newLabel("dep_next"),
            depDone = a.newLabel("dep_done");
        a.bind(loop).emit(Mnemonic.XOR, R14D(), R14D()).emit(Mnemonic.XOR, ECX, ECX);
        a.bind(dep).cmp(RCX, abs(8, NBITS)).jcc(Cond.AE, depDone).emit(Mnemonic.BT, R12, RCX).jcc(Cond.AE, depNext)
            .emit(Mnemonic.MOVZX, EAX, ptr(1, RCX, POS)).emit(Mnemonic.BTS, R14, RAX);
        a.bind(depNext).inc(RCX).jmp(dep);
        a.bind(depDone).emit(Mnemonic.XOR, R15D(), R15D()).call(xsetbvLine).inc(R12).cmp(R12, R13).jcc(Cond.B, loop);

        Label un = a.newLabel("unsup"), unNext = a.newLabel("unsup_next");
        a.emit(Mnemonic.XOR, EBX, EBX);
        a.bind(un).mov(RAX, abs(8, SUP)).emit(Mnemonic.BT, RAX, RBX).jcc(Cond.B, unNext)
            .mov(R14, 3).emit(Mnemonic.BTS, R14, RBX).emit(Mnemonic.XOR, R15D(), R15D()).call(xsetbvLine);
        a.bind(unNext).inc(EBX).cmp(EBX, 64).jcc(Cond.B, un);
        for (long ecx : new long[] {1, 2, 0x80000000L, 0xFFFFFFFFL}) a.mov(R14, 3).mov(R15, ecx).call(xsetbvLine);
        a.mov(R14, abs(8, SUP)).emit(Mnemonic.XOR, R15D(), R15D()).call(xsetbvLine);
    }

    private static Reg R8D() { return r32(8); }

    private static Reg R12D() { return r32(12); }

    private static Reg R14D() { return r32(14); }

    private static Reg R15D() { return r32(15); }

    private void step(String name) {
        a.mov(RSI, str(name)).call(xinuseLine);
    }

    /** XGETBV(1) after state changes whose effect on XINUSE the SDM pins down (and a few it leaves open). */
    private void xinusePhase() {
        Label have = a.newLabel("xinuse_have"), done = a.newLabel("xinuse_done");
        a.mov(RAX, abs(8, D1EAX)).emit(Mnemonic.BT, RAX, imm(2)).jcc(Cond.B, have);
        say("xinuse supported=0\n");
        a.jmp(done);
        a.bind(have);
        // Everything to its initial configuration: XRSTOR of an area whose XSTATE_BV is 0.
        a.mov(RDI, AREA_A).call(clearArea).mov(abs(4, AREA_A + 24), imm(0x1F80));
        setMask(-1);
        a.xrstor(mem(RDI, 0));
        step("init");
        a.mov(RAX, p(1)).emit(Mnemonic.MOVQ, xmm(0), RAX);
        step("sse");
        Label noAvx = a.newLabel("nx_avx");
        unlessBit(XCR0_CUR, 2, noAvx);
        a.mov(RAX, p(2)).emit(Mnemonic.MOVQ, xmm(1), RAX).emit(Mnemonic.VINSERTI128, ymm(0), ymm(0), xmm(1), imm(1))
            .emit(Mnemonic.PXOR, xmm(1), xmm(1));
        step("avx");
        a.emit(Mnemonic.VZEROUPPER);
        step("vzeroupper");
        a.bind(noAvx);
        a.emit(Mnemonic.FLD1);
        step("x87");
        a.emit(Mnemonic.FNINIT);
        step("fninit");
        Label noK = a.newLabel("nx_k"), noZ = a.newLabel("nx_z"), noH = a.newLabel("nx_h"), noPk = a.newLabel("nx_pk"),
            noT = a.newLabel("nx_t"), noApx = a.newLabel("nx_apx");
        unlessBit(XCR0_CUR, 5, noK);
        unlessBit(F7EBX, 30, noK);
        a.mov(RAX, p(5)).emit(Mnemonic.KMOVQ, k(1), RAX);
        step("opmask");
        a.bind(noK);
        unlessBit(XCR0_CUR, 6, noZ);
        a.mov(RAX, p(6)).emit(Mnemonic.MOVQ, xmm(1), RAX).emit(Mnemonic.VINSERTI64X4, zmm(0), zmm(0), ymm(1), imm(1))
            .emit(Mnemonic.PXOR, xmm(1), xmm(1));
        step("zmm_hi256");
        a.bind(noZ);
        unlessBit(XCR0_CUR, 7, noH);
        a.mov(RAX, p(7)).emit(Mnemonic.VMOVQ, xmm(16), RAX);
        step("hi16_zmm");
        a.bind(noH);
        unlessBit(XCR0_CUR, 9, noPk);
        a.mov(EAX, p(9)).emit(Mnemonic.XOR, ECX, ECX).emit(Mnemonic.XOR, EDX, EDX).emit(Mnemonic.WRPKRU);
        step("pkru");
        a.bind(noPk);
        unlessBit(XCR0_CUR, 17, noT);
        unlessBit(XCR0_CUR, 18, noT);
        a.mov(RAX, TILECFG_P).ldtilecfg(mem(RAX, 0));
        step("tilecfg");
        a.mov(RSI, TILE_P).mov(R8, 64).tileloadd(tmm(0), mem(RSI, R8, 1, 0));
        step("tiledata");
        a.tilerelease();
        step("tilerelease");
        a.bind(noT);
        unlessBit(XCR0_CUR, 19, noApx);
        a.mov(R16, p(19));
        step("apx");
        a.bind(noApx);
        // XRSTOR with XSTATE_BV = XCR0 loads every component: each is then tracked as in use. The saved data is
        // the P patterns, not initial values: whether XRSTOR of a palette-0 TILECFG leaves XINUSE[17] set is
        // not something to test here.
        a.call(loadP).mov(RDI, AREA_A).call(clearArea);
        setMask(-1);
        a.xsave(mem(RDI, 0)).mov(RAX, abs(8, XCR0_CUR)).mov(abs(8, AREA_A + 512), RAX).mov(abs(4, AREA_A + 24), imm(0x1F80));
        setMask(-1);
        a.xrstor(mem(RDI, 0));
        step("xrstor-load");
        a.bind(done);
    }

    private void saveAndFind(String op, int area, long mask) {
        a.mov(RDI, area).call(clearArea);
        probe(() -> {
            a.mov(RDI, area);
            setMask(mask);
        }, () -> {
            if (op.equals("xsavec")) a.xsavec(mem(RDI, 0)); else a.xsave(mem(RDI, 0));
        });
        say(op + " mask=" + hex(mask));
        faultField();
        kvMem("xstate_bv", area + 512);
        kvMem("xcomp_bv", area + 520);
        nl();
        a.mov(RDI, area).mov(RSI, str("find op=" + op)).mov(R12, mask).call(findAll);
    }

    /** XSAVE (standard) and XSAVEC with several masks: header fields and where each component's data landed. */
    private void xsavePhase() {
        a.call(loadP);
        say("patterns");
        kvMem("comps", LOADED);
        nl();
        for (long m : XSAVE_MASKS) saveAndFind("xsave", AREA_A, m);
        // XSAVE leaves XSTATE_BV bits outside RFBM as they were.
        for (long m : new long[] {3, 0}) {
            a.mov(RDI, AREA_A).call(clearArea).mov(abs(8, AREA_A + 512), imm(-1));
            probe(() -> {
                a.mov(RDI, AREA_A);
                setMask(m);
            }, () -> a.xsave(mem(RDI, 0)));
            say("xsave-hdr mask=" + hex(m) + " prefill=0xffffffffffffffff");
            faultField();
            kvMem("xstate_bv", AREA_A + 512);
            kvMem("xcomp_bv", AREA_A + 520);
            nl();
        }
        Label have = a.newLabel("xsavec_have"), done = a.newLabel("xsavec_done");
        a.mov(RAX, abs(8, D1EAX)).emit(Mnemonic.BT, RAX, imm(1)).jcc(Cond.B, have);
        say("xsavec supported=0\n");
        a.jmp(done);
        a.bind(have);
        for (long m : XSAVEC_MASKS) saveAndFind("xsavec", AREA_A, m);
        a.bind(done);
    }

    private void printXrstor(String name, int addr, long mask, boolean ts) {
        say("xrstor case=" + name + " addr=" + hex(addr) + " mask=" + hex(mask) + " ts=" + (ts ? 1 : 0));
        kvMem("xstate_bv", addr + 512);
        kvMem("xcomp_bv", addr + 520);
        kvMem("rsv16", addr + 528);
        a.mov(RAX, abs(8, addr + 536));
        for (int o = 544; o < 576; o += 8) a.or(RAX, abs(8, addr + o));
        kv("rsv24", RAX);
        a.mov(EAX, abs(4, addr + 24));
        kv("mxcsr", RAX);
        faultField();
        nl();
    }

    /** Copies {@code base} to AREA_C + offset, applies {@code modify} (RDI = the copy), then probes XRSTOR. */
    private void xrstorCase(String name, int base, int offset, long mask, boolean ts, Runnable modify) {
        int at = AREA_C + offset;
        a.mov(RSI, base).mov(RDI, at).call(copyArea);
        modify.run();
        probe(() -> {
            if (ts) setTs();
            a.mov(RDI, at);
            setMask(mask);
        }, () -> a.xrstor(mem(RDI, 0)));
        if (ts) a.emit(Mnemonic.CLTS);
        printXrstor(name, at, mask, ts);
    }

    /** RAX = 1 << (the lowest bit from 2 up that XCR0 does not enable). */
    private void lowestUnsupportedBit() {
        a.mov(RAX, abs(8, XCR0_CUR)).emit(Mnemonic.NOT, RAX).and(RAX, imm(-4)).emit(Mnemonic.BSF, RCX, RAX)
            .mov(EAX, 1).emit(Mnemonic.SHL, RAX, CL);
    }

    private static final Runnable NOTHING = () -> {};

    private void xrstorFaultPhase() {
        a.call(loadP);
        a.mov(RDI, AREA_A).call(clearArea);
        setMask(-1);
        a.xsave(mem(RDI, 0));
        say("mxcsr");
        a.mov(EAX, abs(4, AREA_A + 24));
        kv("value", RAX);
        a.mov(EAX, abs(4, AREA_A + 28));
        kv("mask", RAX);
        nl();
        int s = AREA_A;
        xrstorCase("ok-std", s, 0, -1, false, NOTHING);
        xrstorCase("misaligned", s, 16, -1, false, NOTHING);
        xrstorCase("hdr16", s, 0, -1, false, () -> a.or(ptr(8, RDI, 528), imm(1)));
        xrstorCase("hdr23", s, 0, -1, false, () -> a.or(ptr(1, RDI, 535), imm(-128)));
        xrstorCase("hdr24-std", s, 0, -1, false, () -> a.or(ptr(8, RDI, 536), imm(1)));
        xrstorCase("hdr63-std", s, 0, -1, false, () -> a.or(ptr(1, RDI, 575), imm(-128)));
        xrstorCase("xcomp-std", s, 0, -1, false, () -> a.mov(ptr(8, RDI, 520), imm(1)));
        xrstorCase("xstate-unsup", s, 0, -1, false, () -> {
            lowestUnsupportedBit();
            a.or(ptr(8, RDI, 512), RAX);
        });
        xrstorCase("xstate-63", s, 0, -1, false, () -> a.mov(RAX, 1L << 63).or(ptr(8, RDI, 512), RAX));
        xrstorCase("xstate-unsup-masked", s, 0, 0x3, false, () -> {
            lowestUnsupportedBit();
            a.or(ptr(8, RDI, 512), RAX);
        });
        Runnable badMxcsr = () -> a.or(ptr(4, RDI, 24), imm(0x10000));
        xrstorCase("mxcsr-rsvd", s, 0, -1, false, badMxcsr);
        xrstorCase("mxcsr-rsvd-nosse", s, 0, -1, false, () -> {
            badMxcsr.run();
            a.and(ptr(8, RDI, 512), imm(-3));
        });
        xrstorCase("mxcsr-rsvd-avx", s, 0, 0x4, false, badMxcsr);
        xrstorCase("mxcsr-rsvd-x87", s, 0, 0x1, false, badMxcsr);
        xrstorCase("ts-std", s, 0, -1, true, NOTHING);

        simpleProbe("xsave-misaligned", () -> {
            a.mov(RDI, AREA_C + 16);
            setMask(-1);
        }, () -> a.xsave(mem(RDI, 0)));
        simpleProbe("xsave-ts", () -> {
            setTs();
            a.mov(RDI, AREA_C);
            setMask(-1);
        }, () -> a.xsave(mem(RDI, 0)));
        a.emit(Mnemonic.CLTS);
        simpleProbe("xgetbv-ts", () -> {
            setTs();
            a.emit(Mnemonic.XOR, ECX, ECX);
        }, a::xgetbv);
        a.emit(Mnemonic.CLTS);
        simpleProbe("xsetbv-ts", () -> {
            setTs();
            a.mov(RAX, abs(8, XCR0_CUR)).mov(RDX, RAX).emit(Mnemonic.SHR, RDX, imm(32)).emit(Mnemonic.XOR, ECX, ECX);
        }, a::xsetbv);
        a.emit(Mnemonic.CLTS);

        Label have = a.newLabel("cmp_have"), done = a.newLabel("cmp_done");
        a.mov(RAX, abs(8, D1EAX)).emit(Mnemonic.BT, RAX, imm(1)).jcc(Cond.B, have);
        say("xrstor-compacted supported=0\n");
        a.jmp(done);
        a.bind(have);
        simpleProbe("xsavec-misaligned", () -> {
            a.mov(RDI, AREA_C + 16);
            setMask(-1);
        }, () -> a.xsavec(mem(RDI, 0)));
        simpleProbe("xsavec-ts", () -> {
            setTs();
            a.mov(RDI, AREA_C);
            setMask(-1);
        }, () -> a.xsavec(mem(RDI, 0)));
        a.emit(Mnemonic.CLTS);
        a.call(loadP);
        a.mov(RDI, AREA_D).call(clearArea);
        setMask(-1);
        a.xsavec(mem(RDI, 0));
        a.mov(RDI, AREA_B).call(clearArea);
        setMask(0x3);
        a.xsavec(mem(RDI, 0));
        int c = AREA_D, c3 = AREA_B;
        xrstorCase("ok-cmp", c, 0, -1, false, NOTHING);
        xrstorCase("c-misaligned", c, 16, -1, false, NOTHING);
        xrstorCase("c-xstate-not-subset", c3, 0, -1, false, () -> a.or(ptr(8, RDI, 512), imm(4)));
        xrstorCase("c-xcomp-unsup", c, 0, -1, false, () -> {
            lowestUnsupportedBit();
            a.or(ptr(8, RDI, 520), RAX);
        });
        xrstorCase("c-hdr16", c, 0, -1, false, () -> a.or(ptr(8, RDI, 528), imm(1)));
        xrstorCase("c-hdr24", c, 0, -1, false, () -> a.or(ptr(8, RDI, 536), imm(1)));
        xrstorCase("c-hdr63", c, 0, -1, false, () -> a.or(ptr(1, RDI, 575), imm(-128)));
        xrstorCase("c-mxcsr-rsvd", c, 0, -1, false, badMxcsr);
        xrstorCase("c-mxcsr-rsvd-nosse", c, 0, -1, false, () -> {
            badMxcsr.run();
            a.and(ptr(8, RDI, 512), imm(-3));
        });
        xrstorCase("c-rfbm-beyond-xcomp", c3, 0, -1, false, NOTHING);
        xrstorCase("c-empty", c, 0, -1, false, () -> a.mov(ptr(8, RDI, 512), imm(0)).mov(RAX, 1L << 63)
            .mov(ptr(8, RDI, 520), RAX));
        xrstorCase("ts-cmp", c, 0, -1, true, NOTHING);
        a.bind(done);
    }

    /** Save P, load Q, restore (maybe partially), then read the registers and a fresh standard save. */
    private void roundTrip(String name, boolean compacted, long saveMask, Runnable modify, long restoreMask) {
        Label skip = a.newLabel("rt_skip");
        if (compacted) unlessBit(D1EAX, 1, skip);
        a.call(loadP);
        a.mov(RDI, AREA_A).call(clearArea);
        setMask(saveMask);
        if (compacted) a.xsavec(mem(RDI, 0)); else a.xsave(mem(RDI, 0));
        modify.run();
        a.call(loadQ);
        probe(() -> {
            a.mov(RDI, AREA_A);
            setMask(restoreMask);
        }, () -> a.xrstor(mem(RDI, 0)));
        printXrstor("rt-" + name, AREA_A, restoreMask, false);
        a.mov(RDI, AREA_B).call(clearArea);
        setMask(-1);
        a.xsave(mem(RDI, 0));
        a.mov(RSI, str("rt-" + name)).call(dumpRegs);
        a.mov(RDI, AREA_B).mov(RSI, str("find op=rt-" + name)).mov(R12, restoreMask).call(findAll);
        a.bind(skip);
    }

    private void roundTripPhase() {
        roundTrip("std-all", false, -1, NOTHING, -1);
        roundTrip("std-sse", false, -1, NOTHING, 0x2);
        roundTrip("std-avx512", false, -1, NOTHING, 0xE0);
        roundTrip("std-init", false, -1, () -> a.mov(ptr(8, RDI, 512), imm(0)), -1);
        roundTrip("std-apx-init", false, -1, () -> a.mov(RAX, ~(1L << 19)).and(ptr(8, RDI, 512), RAX), 0x80000);
        roundTrip("cmp-all", true, -1, NOTHING, -1);
        roundTrip("cmp-partial", true, 0x6, NOTHING, -1);
        roundTrip("cmp-sparse", true, 0x802A0, NOTHING, -1);
    }

    private static void putLong(byte[] b, long addr, long v) {
        for (int i = 0; i < 8; i++) b[(int) (addr - BASE) + i] = (byte) (v >>> (8 * i));
    }

    private static void putShort(byte[] b, long addr, int v) {
        b[(int) (addr - BASE)] = (byte) v;
        b[(int) (addr - BASE) + 1] = (byte) (v >>> 8);
    }
}
