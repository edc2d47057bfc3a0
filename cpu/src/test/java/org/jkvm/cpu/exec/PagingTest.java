package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.VmcsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 32-bit paging (4 KiB and 4 MiB pages), PAE (PDPTEs from the VMCS, reloaded by MOV CR3), user-mode
 * protection (U/S in the #PF error code), SMEP and SYSCALL/SYSRET. Page-table layouts follow the SDM's
 * formats; expected values are the bytes the mapping must reach.
 */
class PagingTest {
    // 32-bit code: mov 0x400000,%eax; mov 0x400ffc,%ebx; hlt
    static final String READ32 = "a1000040008b1dfc0f4000f4";
    // 32-bit code: mov 0x400000,%eax; mov $0xA000,%ecx; mov %ecx,%cr3; mov 0x400000,%edx; hlt
    static final String PAE_SWITCH = "a100004000b900a000000f22d98b1500004000f4";
    // push $0x23; push $0x70000; push $2; push $0x1b; push $0x10100; iretq
    static final String TO_USER = "6a2368000007006a026a1b680001010048cf";
    // mov 0x90000,%rax; hlt
    static final String USER_READ = "488b042500000900f4";
    // syscall; ud2
    static final String USER_SYSCALL = "0f050f0b";

    GuestRig g;

    @BeforeEach
    void setUp() {
        g = new GuestRig();
        g.q(0x90000, 0x1111_2222_3333_4444L);
        g.q(0x90FF8, 0x5555_6666_7777_8888L);
        g.q(0x91000, 0x9999_AAAA_BBBB_CCCCL);
    }

    @AfterEach
    void tearDown() {
        g.close();
    }

    @Test void thirtyTwoBitPagingWith4MAnd4KPages() {
        g.prot32();
        g.q(0x7000, 0x83 | (0x8000 | 3L) << 32);  // PDE[0] 4 MiB identity (PS), PDE[1] -> page table at 0x8000
        g.q(0x8000, 0x90000 | 3);                  // PTE[0]: linear 0x400000 -> 0x90000
        g.v.write(VmcsField.GUEST_CR3, 0x7000);
        g.v.write(VmcsField.GUEST_CR4, 0x10);      // PSE
        g.v.write(VmcsField.GUEST_CR0, 0x8000_0011L);
        g.code(GuestRig.CODE, READ32);
        g.runToHlt();
        assertEquals(0x3333_4444L, g.gpr(RAX));
        assertEquals(0x5555_6666L, g.gpr(RBX));
    }

    @Test void thirtyTwoBitPagingNotPresentFault() {
        g.prot32();
        g.q(0x7000, 0x83 | (0x8000 | 3L) << 32);
        g.q(0x8000, 0);
        g.v.write(VmcsField.GUEST_CR3, 0x7000);
        g.v.write(VmcsField.GUEST_CR4, 0x10);
        g.v.write(VmcsField.GUEST_CR0, 0x8000_0011L);
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.code(GuestRig.CODE, READ32);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(0x40_0000L, g.v.read(VmcsField.EXIT_QUALIFICATION));
        assertEquals(0, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
    }

    @Test void paePagingAndCr3Reload() {
        g.prot32();
        g.q(0x7000, 0x8000 | 1);            // PDPT A: PDPTE[0] -> PD at 0x8000
        g.q(0x8000, 0x83);                  // 2 MiB identity
        g.q(0x8010, 0x9000 | 3);            // PDE[2] (0x400000) -> PT at 0x9000
        g.q(0x9000, 0x90000 | 3);
        g.q(0xA000, 0xB000 | 1);            // PDPT B: PDPTE[0] -> PD at 0xB000
        g.q(0xB000, 0x83);
        g.q(0xB010, 0xC000 | 3);
        g.q(0xC000, 0x91000 | 3);           // the same linear page now maps 0x91000
        g.v.write(VmcsField.GUEST_CR3, 0x7000);
        g.v.write(VmcsField.GUEST_PDPTR0, 0x8000 | 1); // with PAE the PDPTEs come from the VMCS on entry
        g.v.write(VmcsField.GUEST_CR4, 0x20);
        g.v.write(VmcsField.GUEST_CR0, 0x8000_0011L);
        g.code(GuestRig.CODE, PAE_SWITCH);
        g.runToHlt();
        assertEquals(0x3333_4444L, g.gpr(RAX));
        assertEquals(0xBBBB_CCCCL, g.gpr(RDX));
        assertEquals(0xB001, g.v.read(VmcsField.GUEST_PDPTR0), "MOV CR3 loaded the new PDPTEs");
    }

    @Test void userReadOfSupervisorPageFaultsWithUserBit() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x90000, 0x90000, 3); // supervisor-only
        g.code(GuestRig.CODE, TO_USER);
        g.code(0x10100, USER_READ);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(14, g.v.read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF);
        assertEquals(5, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // P | U
        assertEquals(0x1B, g.v.read(VmcsField.GUEST_CS_SELECTOR));
        assertEquals(0x10100, g.rip());
    }

    @Test void protectionKeyAccessDisableFaultsUserRead() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x90000, 0x90000, 7 | 1L << 59); // user page with protection key 1
        g.cpu.setHostCr4(0x4_0600 | 0x40_0000);
        g.cpu.wrpkru(1 << 2);                   // AD for key 1
        g.code(GuestRig.CODE, TO_USER);
        g.code(0x10100, USER_READ);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(0x25, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // P | U | PK
        g.cpu.wrpkru(0);
        g.v.write(VmcsField.GUEST_RIP, 0x10100);
        g.runToHlt(); // the read now succeeds; the HLT after it is #GP at CPL 3, whose handler halts
        assertEquals(0x1111_2222_3333_4444L, g.gpr(RAX));
        assertEquals(Fault.GP, g.gpr(R15));
    }

    @Test void smepBlocksSupervisorFetchFromUserPage() {
        g.long64();
        g.v.write(VmcsField.GUEST_CR4, g.v.read(VmcsField.GUEST_CR4) | 0x10_0000);
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.code(GuestRig.CODE, "f4"); // the code page is a user page (U=1 in the rig's map)
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(0x11, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // P | I/D
    }

    @Test void fiveLevelPaging() {
        g.long64();
        g.q(0xD000, GuestRig.PML4 | 7);   // PML5[0] -> the rig's identity PML4
        g.q(0xD008, 0xE000 | 7);          // PML5[1] -> a PML4 for linear 1 << 48
        g.q(0xE000, GuestRig.PDPT | 7);   // ... whose first entry reuses the identity PDPT
        g.v.write(VmcsField.GUEST_CR3, 0xD000);
        g.v.write(VmcsField.GUEST_CR4, g.v.read(VmcsField.GUEST_CR4) | 0x1000); // LA57
        // mov $0x1000000090000,%rax; mov (%rax),%rbx; hlt
        g.code(GuestRig.CODE, "48b80000090000000100488b18f4");
        g.runToHlt();
        assertEquals(0x1111_2222_3333_4444L, g.gpr(RBX));
    }

    @Test void trapFlagSingleSteps() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 1);
        // pushfq; orq $0x100,(%rsp); popfq; nop; nop; hlt -> #DB after the first NOP (TF takes effect after POPF)
        g.code(GuestRig.CODE, "9c48810c24000100009d9090f4");
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(1, g.v.read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF);
        assertEquals(GuestRig.CODE + 11, g.rip()); // a trap: RIP after the NOP
    }

    @Test void syscallAndSysret() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << Fault.UD);
        g.cpu.wrmsr(0xC000_0081, 0x08L << 48 | 0x08L << 32); // STAR
        g.cpu.wrmsr(0xC000_0082, 0x20000);                    // LSTAR
        g.cpu.wrmsr(0xC000_0084, 0x200);                      // FMASK: IF
        g.code(GuestRig.CODE, TO_USER);
        g.code(0x10100, USER_SYSCALL);
        g.code(0x20000, "f4480f07"); // hlt; sysretq
        g.runToHlt();
        assertEquals(0x08, g.v.read(VmcsField.GUEST_CS_SELECTOR));
        assertEquals(0x10, g.v.read(VmcsField.GUEST_SS_SELECTOR));
        assertEquals(0x10102, g.gpr(RCX)); // return RIP
        assertEquals(2, g.gpr(R11) & 0x2);
        g.v.write(VmcsField.GUEST_RIP, 0x20001);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter()); // back in user mode at the UD2
        assertEquals(0x1B, g.v.read(VmcsField.GUEST_CS_SELECTOR));
        assertEquals(0x13, g.v.read(VmcsField.GUEST_SS_SELECTOR));
        assertEquals(0x10102, g.rip());
    }
}
