package org.jkvm.vmm.snapshot;

/** Constants of the snapshot file (docs/SNAPSHOT-FORMAT.md is the description). */
final class SnapshotFormat {
    private SnapshotFormat() {}

    static final byte[] MAGIC = {'J', 'K', 'V', 'M', 'S', 'N', 'A', 'P'};
    static final int VERSION_MAJOR = 1, VERSION_MINOR = 0;
    static final int HEADER_SIZE = 32;
    static final int PAGE = 4096;
    /** Pages per RAM run at most (bounds the memory a reader needs per run). */
    static final int MAX_RUN_PAGES = 256;

    static final int TAG_MACH = tag("MACH"), TAG_VCPU = tag("VCPU"), TAG_DEVS = tag("DEVS"), TAG_RAM = tag("RAM "),
        TAG_END = tag("END ");

    static int tag(String s) {
        return (s.charAt(0) << 24) | (s.charAt(1) << 16) | (s.charAt(2) << 8) | s.charAt(3);
    }

    static String tagName(int t) {
        StringBuilder b = new StringBuilder();
        for (int i = 3; i >= 0; i--) {
            int c = (t >>> (8 * i)) & 0xFF;
            b.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return b.toString();
    }
}
