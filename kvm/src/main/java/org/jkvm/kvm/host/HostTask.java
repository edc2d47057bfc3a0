package org.jkvm.kvm.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveLayout;

/**
 * A host task's FPU context ({@code struct fpu} with its fpstate): a compacted XSAVES image over the host's
 * XCR0|XSS features, the task's XFD and its PKRU. The vCPU thread is one; "another process" the scheduler
 * switches to is another.
 */
public final class HostTask {
    public final String name;
    final long features;
    final byte[] fpstate;
    long xfd;
    int pkru;

    public HostTask(String name, long features, long xfd, int pkru) {
        this.name = name;
        this.features = features;
        this.fpstate = new byte[XsaveLayout.compactedSize(features)];
        this.xfd = xfd;
        this.pkru = pkru;
        ByteBuffer b = ByteBuffer.wrap(fpstate).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x37F);
        b.putInt(24, 0x1F80);
        b.putInt(28, 0xFFFF);
        b.putLong(520, features | XFeature.XCOMP_BV_COMPACTED);
    }

    public byte[] fpstate() { return fpstate; }

    public long features() { return features; }
}
