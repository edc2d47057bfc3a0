package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.junit.jupiter.api.Test;

/** LOCK-prefixed read-modify-write is atomic on guest RAM shared by several physical CPUs. */
class LockTest {
    // mov $200000,%ecx; 1: lock incl 0x90000; mov $1,%eax; lock xaddl %eax,0x90008; dec %ecx; jnz 1b; hlt
    static final String COUNT = "b9400d0300f0ff042500000900b801000000f00fc1042508000900ffc975e6f4";
    // mov $5,%eax; mov $9,%edx; lock cmpxchg %edx,0x90000; lock btsl $3,0x90004; setc %bl;
    // mov $0x11,%ecx; xchg %ecx,0x90010; lock addw $2,0x90012; hlt
    static final String SINGLE = "b805000000ba09000000f00fb1142500000900f00fba2c2504000900030f92c3b911000000870c251000090066f08304251200090002f4";

    @Test
    void lockedOperationsSemantics() {
        try (GuestRig g = new GuestRig().long64()) {
            g.q(0x90000, 5 | 8L << 32);
            g.q(0x90010, 0x0003_0000_0000_0022L);
            g.code(GuestRig.CODE, SINGLE);
            g.runToHlt();
            assertEquals(9, g.d(0x90000)); // CMPXCHG matched EAX=5
            assertEquals(8, g.d(0x90004)); // bit 3 was already set: CF=1, unchanged
            assertEquals(1, g.gpr(RBX) & 0xFF);
            assertEquals(0x22, g.gpr(RCX)); // XCHG returned the old value
            assertEquals(0x0003_0000_0002_0011L, g.q(0x90010)); // new dword, and the word at +2 incremented by 2
        }
    }

    @Test
    void twoCpusIncrementWithoutLosingUpdates() throws Exception {
        try (GuestRig g = new GuestRig().long64()) {
            g.code(GuestRig.CODE, COUNT);
            PhysicalCpu other = g.sibling();
            int[] reasons = new int[2];
            Thread t = new Thread(() -> reasons[1] = other.enter(GuestRig.BUDGET));
            t.start();
            reasons[0] = g.enter();
            t.join();
            assertEquals(ExitReason.HLT, reasons[0]);
            assertEquals(ExitReason.HLT, reasons[1]);
            assertEquals(400_000, g.d(0x90000));
            assertEquals(400_000, g.d(0x90008));
        }
    }
}
