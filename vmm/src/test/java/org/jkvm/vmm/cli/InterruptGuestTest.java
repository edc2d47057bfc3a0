package org.jkvm.vmm.cli;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.ptr;
import static org.jkvm.isa.Regs.*;
import static org.jkvm.vmm.testing.Guest64.at;
import static org.jkvm.vmm.testing.Guest64.var;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jkvm.isa.Assembler;
import org.jkvm.isa.Assembler.Cond;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupt delivery through the whole machine: the VMM's PIT and 8259 pair (ExtINT via KVM_INTERRUPT and
 * the interrupt window), the VMM's I/O APIC (MSI), and the backend's local APIC timer in its three modes.
 */
class InterruptGuestTest {
    static final long APIC = 0xFEE00000L;
    @TempDir
    Path dir;
    String backend;

    @BeforeEach
    void pick() {
        backend = Backends.available();
    }

    Cli.Result run(Guest64 g) throws IOException {
        Path p = dir.resolve("g.elf");
        Files.write(p, g.image());
        return Cli.run("run", "--accel", backend, "--entry64", "--timeout=60", p.toString());
    }

    /** Local APIC register {@code off}: addressed through RBX = 0xFEE00000 (a disp32 would sign-extend). */
    static org.jkvm.isa.Operand.Mem apic(int off) {
        return ptr(4, RBX, off);
    }

    static void outb(Assembler a, int port, int value) {
        a.mov(AL, imm((byte) value)).out(imm(port), AL); // imm8 as the signed byte the encoder matches
    }

    /** Waits with interrupts enabled until variable {@code n} reaches {@code count} (sti;hlt closes the race). */
    static void waitFor(Assembler a, int n, int count) {
        Label loop = a.newLabel("wait"), done = a.newLabel("done");
        a.bind(loop).emit(Mnemonic.CLI).cmp(at(var(n)), count).jcc(Cond.AE, done).emit(Mnemonic.STI).hlt().jmp(loop);
        a.bind(done).emit(Mnemonic.STI);
    }

    static void spin(Assembler a, int iterations) {
        Label l = a.newLabel("spin");
        a.mov(ECX, iterations).bind(l).emit(Mnemonic.PAUSE).dec(ECX).jcc(Cond.NE, l);
    }

    static void picInit(Assembler a, int unmaskMaster) {
        outb(a, 0x20, 0x11); outb(a, 0x21, 0x20); outb(a, 0x21, 0x04); outb(a, 0x21, 0x01);
        outb(a, 0xA0, 0x11); outb(a, 0xA1, 0x28); outb(a, 0xA1, 0x02); outb(a, 0xA1, 0x01);
        outb(a, 0x21, ~unmaskMaster & 0xFF); outb(a, 0xA1, 0xFF);
    }

    @Test
    void pitThroughThePicAsExtInt() throws IOException {
        Guest64 g = new Guest64();
        Assembler a = g.a;
        Label start = a.newLabel("start");
        a.jmp(start);
        g.handler(0x20);
        a.push(RAX).inc(at(var(0)));
        outb(a, 0x20, 0x20);
        a.pop(RAX).emit(Mnemonic.IRETQ);
        a.bind(start);
        picInit(a, 0x01);
        outb(a, 0x43, 0x34); outb(a, 0x40, 1193 & 0xFF); outb(a, 0x40, 1193 >> 8); // 1 kHz, mode 2
        waitFor(a, 0, 10);
        a.emit(Mnemonic.CLI);
        g.print("10 PIT ticks through the PIC\n").exit(0);
        Cli.Result r = run(g);
        assertEquals("10 PIT ticks through the PIC\n", r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    @Test
    void pitThroughTheIoApic() throws IOException {
        Guest64 g = new Guest64();
        Assembler a = g.a;
        Label start = a.newLabel("start");
        a.jmp(start);
        g.handler(0x31);
        a.push(RBX).mov(RBX, APIC).inc(at(var(0))).mov(apic(0xB0), imm(0)).pop(RBX).emit(Mnemonic.IRETQ);
        a.bind(start);
        picInit(a, 0x00); // all PIC lines masked
        a.mov(RBX, APIC).mov(apic(0xF0), imm(0x1FF)); // software-enable the local APIC
        // I/O APIC pin 2 (the PIT, ISA IRQ 0) -> vector 0x31, edge, fixed, physical APIC 0
        a.mov(RSI, 0xFEC00000L);
        a.mov(ptr(4, RSI, 0), imm(0x10 + 2 * 2)).mov(ptr(4, RSI, 0x10), imm(0x31));
        a.mov(ptr(4, RSI, 0), imm(0x11 + 2 * 2)).mov(ptr(4, RSI, 0x10), imm(0));
        outb(a, 0x43, 0x34); outb(a, 0x40, 1193 & 0xFF); outb(a, 0x40, 1193 >> 8);
        waitFor(a, 0, 10);
        a.emit(Mnemonic.CLI);
        g.print("10 PIT ticks through the I/O APIC\n").exit(0);
        Cli.Result r = run(g);
        assertEquals("10 PIT ticks through the I/O APIC\n", r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    @Test
    void serialInterruptsOnIrq4() throws IOException {
        Guest64 g = new Guest64();
        Assembler a = g.a;
        Label start = a.newLabel("start");
        a.jmp(start);
        g.handler(0x24); // IRQ 4: read IIR (acknowledges THR empty), keep it, EOI
        a.push(RAX).push(RDX).emit(Mnemonic.MOV, DX, imm(0x3FA)).in(AL, DX).emit(Mnemonic.MOVZX, EAX, AL)
            .mov(at(var(1)), RAX).inc(at(var(0)));
        outb(a, 0x20, 0x20);
        a.pop(RDX).pop(RAX).emit(Mnemonic.IRETQ);
        a.bind(start);
        picInit(a, 0x10);
        a.emit(Mnemonic.MOV, DX, imm(0x3F9)).mov(AL, imm(0x02)).out(DX, AL); // IER: THR empty
        waitFor(a, 0, 1);
        // Every byte sent re-arms THR empty while IER asks for it: switch it off before printing.
        a.emit(Mnemonic.CLI).emit(Mnemonic.MOV, DX, imm(0x3F9)).mov(AL, imm(0)).out(DX, AL);
        a.emit(Mnemonic.MOV, DX, imm(0x3FA)).in(AL, DX).emit(Mnemonic.MOVZX, EAX, AL).mov(at(var(2)), RAX);
        a.mov(RAX, at(var(1)));
        g.print("IIR in the handler ").printRax().print("\n");
        a.mov(RAX, at(var(2)));
        g.print("IIR after ").printRax().print("\n").exit(0);
        Cli.Result r = run(g);
        assertEquals("IIR in the handler 0000000000000002\nIIR after 0000000000000001\n", r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    @Test
    void localApicTimerModes() throws IOException {
        Guest64 g = new Guest64();
        Assembler a = g.a;
        Label start = a.newLabel("start");
        a.jmp(start);
        g.handler(0x40);
        a.push(RBX).mov(RBX, APIC).inc(at(var(1))).mov(apic(0xB0), imm(0)).pop(RBX).emit(Mnemonic.IRETQ);
        a.bind(start);
        a.mov(RBX, APIC).mov(apic(0xF0), imm(0x1FF)).mov(apic(0x3E0), imm(0xB)); // enable; divide by 1
        // one-shot
        a.mov(apic(0x320), imm(0x40)).mov(apic(0x380), imm(100000));
        waitFor(a, 1, 1);
        spin(a, 200000);
        a.mov(EAX, apic(0x390)).mov(at(var(2)), RAX); // current count after expiry
        a.mov(RAX, at(var(1)));
        g.print("one-shot interrupts ").printRax();
        a.mov(RAX, at(var(2)));
        g.print(" current count ").printRax().print("\n");
        // periodic
        a.mov(at(var(1)), imm(0)).mov(apic(0x320), imm(0x20040)).mov(apic(0x380), imm(50000));
        waitFor(a, 1, 5);
        a.mov(apic(0x320), imm(0x30040)); // mask
        a.mov(EAX, apic(0x320)).and(EAX, imm(0x70000)).mov(at(var(3)), RAX);
        g.print("periodic reached 5, LVT mode/mask ");
        a.mov(RAX, at(var(3)));
        g.printRax().print("\n");
        // TSC deadline, when CPUID.1:ECX[24] says it exists
        Label noDeadline = a.newLabel("no_deadline"), end = a.newLabel("end");
        a.mov(EAX, 1).cpuid().emit(Mnemonic.BT, ECX, imm(24)).jcc(Cond.AE, noDeadline);
        a.mov(RBX, APIC); // CPUID clobbered it
        a.mov(at(var(1)), imm(0)).mov(apic(0x320), imm(0x40040));
        a.emit(Mnemonic.RDTSC).emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX).add(RAX, imm(200000));
        a.mov(RDX, RAX).emit(Mnemonic.SHR, RDX, imm(32)).mov(ECX, 0x6E0).wrmsr();
        waitFor(a, 1, 1);
        a.mov(ECX, 0x6E0).rdmsr(); // the deadline MSR reads 0 once it fired
        a.emit(Mnemonic.SHL, RDX, imm(32)).or(RAX, RDX);
        g.print("tsc-deadline fired, IA32_TSC_DEADLINE now ").printRax().print("\n");
        a.jmp(end);
        a.bind(noDeadline);
        g.print("tsc-deadline fired, IA32_TSC_DEADLINE now 0000000000000000\n");
        a.bind(end);
        g.exit(0);
        Cli.Result r = run(g);
        assertEquals("one-shot interrupts 0000000000000001 current count 0000000000000000\n"
            + "periodic reached 5, LVT mode/mask 0000000000030000\n"
            + "tsc-deadline fired, IA32_TSC_DEADLINE now 0000000000000000\n", r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }
}
