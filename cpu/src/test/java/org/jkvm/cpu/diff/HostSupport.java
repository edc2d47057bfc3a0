package org.jkvm.cpu.diff;

import java.util.Locale;

/** Whether this host can run the native side at all (x86-64 Linux), and why not. */
final class HostSupport {
    private HostSupport() {}

    /** Null when the native side can run here; otherwise the reason it cannot, for an Assumption. */
    static String reason() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return "host is not x86-64 (" + arch + ")";
        if (!os.contains("linux")) return "host is not Linux (" + os + ")";
        return null;
    }
}
