package org.jkvm.api.uabi;

import java.util.List;

/** struct kvm_xcrs (392 bytes): up to 16 XCRs. */
public record KvmXcrs(int flags, List<KvmXcr> xcrs) {
    public static final int SIZE = 392;
    public static final int MAX_XCRS = 16;
}
