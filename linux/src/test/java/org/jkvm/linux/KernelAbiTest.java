package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.uabi.CStruct;
import org.jkvm.api.uabi.Field;
import org.jkvm.api.uabi.Uabi;
import org.junit.jupiter.api.Test;

/**
 * The ioctl request numbers (derived from the _IOC encoding and struct sizes), the backend's own structs and the
 * capability numbers, each compared with what the host's linux/kvm.h says through the C compiler.
 */
class KernelAbiTest {

    @Test
    void ioctlNumbersStructsAndCapabilitiesMatchTheHeader() throws Exception {
        List<String> extra = new ArrayList<>();
        for (Ioctl op : Ioctl.values())
            extra.add("printf(\"ioctl " + op.name() + " %lu\\n\", (unsigned long) " + op.name() + ");");
        for (Capability c : Capability.values())
            extra.add("printf(\"cap " + c.name() + " %d\\n\", KVM_CAP_" + c.name() + ");");
        List<String> lines = CProbe.run(Uabi.cProbe(KvmStructs.ALL, extra));
        Map<String, String> c = new HashMap<>();
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            if (line.startsWith("ioctl ") || line.startsWith("cap ") || line.contains(" sizeof "))
                c.put(line.substring(0, sp), line.substring(sp + 1));
            else {
                String[] w = line.split(" ");
                c.put(w[0] + " " + w[1], w[2] + " " + w[3]);
            }
        }
        List<String> wrong = new ArrayList<>();
        for (Ioctl op : Ioctl.values()) {
            String header = c.get("ioctl " + op.name());
            if (!Long.toUnsignedString(op.number).equals(header))
                wrong.add(String.format("%s: header %s, derived %d", op, header, op.number));
        }
        for (Capability cap : Capability.values()) {
            String header = c.get("cap " + cap.name());
            if (!String.valueOf(cap.number).equals(header)) wrong.add("KVM_CAP_" + cap + ": header " + header + ", ours " + cap.number);
        }
        for (CStruct s : KvmStructs.ALL) {
            if (!String.valueOf(s.size()).equals(c.get(s.cName() + " sizeof")))
                wrong.add(s + ": header sizeof " + c.get(s.cName() + " sizeof"));
            for (Field f : s.fields()) {
                String header = c.get(s.cName() + " " + f.name());
                if (!(f.offset() + " " + f.size()).equals(header))
                    wrong.add(s.cName() + "." + f.name() + ": header " + header + ", declared " + f.offset() + " " + f.size());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Spot checks against numbers in Documentation/virt/kvm/api.rst, for hosts without a compiler. */
    @Test
    void wellKnownRequestNumbers() {
        assertEquals(0xAE00L, Ioctl.KVM_GET_API_VERSION.number);
        assertEquals(0xAE01L, Ioctl.KVM_CREATE_VM.number);
        assertEquals(0xAE41L, Ioctl.KVM_CREATE_VCPU.number);
        assertEquals(0xAE80L, Ioctl.KVM_RUN.number);
        assertEquals(0x8090AE81L, Ioctl.KVM_GET_REGS.number);
        assertEquals(0x4090AE82L, Ioctl.KVM_SET_REGS.number);
        assertEquals(0x8138AE83L, Ioctl.KVM_GET_SREGS.number);
        assertEquals(0x4020AE46L, Ioctl.KVM_SET_USER_MEMORY_REGION.number);
        assertEquals(0xC008AE05L, Ioctl.KVM_GET_SUPPORTED_CPUID.number);
        assertEquals(0x9000AEA4L, Ioctl.KVM_GET_XSAVE.number);
        assertEquals(0x9000AECFL, Ioctl.KVM_GET_XSAVE2.number);
    }
}
