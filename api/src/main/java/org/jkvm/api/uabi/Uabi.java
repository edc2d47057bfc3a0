package org.jkvm.api.uabi;

import java.util.List;

/** Every uABI struct table jkvm declares, and the C probe that checks them against the kernel headers. */
public final class Uabi {
    private Uabi() {}

    public static final List<CStruct> STRUCTS = List.of(
        KvmRegs.LAYOUT, KvmSegment.LAYOUT, KvmDtable.LAYOUT, KvmSregs.LAYOUT, KvmFpu.LAYOUT, KvmXsave.LAYOUT,
        KvmXcr.LAYOUT, KvmXcrs.LAYOUT, KvmMsrEntry.LAYOUT, KvmMsrs.LAYOUT, KvmMsrList.LAYOUT,
        KvmCpuidEntry2.LAYOUT, KvmCpuid2.LAYOUT, KvmVcpuEvents.LAYOUT, KvmRun.LAYOUT, KvmLapicState.LAYOUT);

    /**
     * C source that includes {@code <linux/kvm.h>} and prints, for each struct, a line
     * {@code "<struct> sizeof <n>"} and for each member {@code "<struct> <member> <offset> <size>"}, plus, for each
     * extra line given, its text verbatim inside {@code main} (for ioctl numbers and the like).
     * kvm_run's immediate_exit was renamed immediate_exit__unsafe in newer headers: compile with
     * {@code -DKVM_RUN_IMMEDIATE_EXIT=immediate_exit__unsafe} there.
     */
    public static String cProbe(List<CStruct> structs, List<String> extraStatements) {
        StringBuilder c = new StringBuilder();
        c.append("#include <stdio.h>\n#include <stddef.h>\n#include <linux/kvm.h>\n");
        c.append("#ifndef KVM_RUN_IMMEDIATE_EXIT\n#define KVM_RUN_IMMEDIATE_EXIT immediate_exit\n#endif\n");
        c.append("#define MEMBER(s, name, m) printf(\"%s %s %zu %zu\\n\", #s, name, offsetof(struct s, m), "
            + "sizeof(((struct s *)0)->m))\n");
        c.append("int main(void) {\n");
        for (CStruct s : structs) {
            c.append("  printf(\"%s sizeof %zu\\n\", \"").append(s.cName()).append("\", sizeof(struct ")
                .append(s.cName()).append("));\n");
            for (Field f : s.fields()) {
                String designator = s.cName().equals("kvm_run") && f.name().equals("immediate_exit")
                    ? "KVM_RUN_IMMEDIATE_EXIT" : f.name();
                c.append("  MEMBER(").append(s.cName()).append(", \"").append(f.name()).append("\", ")
                    .append(designator).append(");\n");
            }
        }
        for (String stmt : extraStatements) c.append("  ").append(stmt).append('\n');
        c.append("  return 0;\n}\n");
        return c.toString();
    }
}
