package org.jkvm.cpu.exec;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/** APX integer operations that have no legacy counterpart in the interpreter's hot switch. */
public abstract class ApxOps extends SysOps {
    protected ApxOps(PhysicalMemory pmem) {
        super(pmem);
    }

    @Override
    final void apx(Uop u) {
        throw Fault.ud();
    }
}
