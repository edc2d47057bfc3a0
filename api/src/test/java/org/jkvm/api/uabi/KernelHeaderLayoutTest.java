package org.jkvm.api.uabi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Compares every declared struct member with what the C compiler says about the installed kernel headers:
 * the independent source for offsets and sizes. Skips (visibly) without gcc or linux/kvm.h.
 */
class KernelHeaderLayoutTest {

    /** Compiles and runs C source against the host's headers; returns its stdout lines. Skips when impossible. */
    static List<String> runCProbe(String source) throws IOException, InterruptedException {
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "skipped: /usr/include/linux/kvm.h is absent");
        Path gcc = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "gcc");
            if (Files.isExecutable(p)) { gcc = p; break; }
        }
        assumeTrue(gcc != null, "skipped: no gcc on PATH to compile the layout probe");
        Path dir = Files.createTempDirectory("jkvm-cprobe");
        try {
            Path src = dir.resolve("probe.c"), exe = dir.resolve("probe");
            Files.writeString(src, source);
            String out = run(List.of(gcc.toString(), "-std=gnu11", "-o", exe.toString(), src.toString()));
            if (out != null && out.contains("immediate_exit"))
                out = run(List.of(gcc.toString(), "-std=gnu11", "-DKVM_RUN_IMMEDIATE_EXIT=immediate_exit__unsafe",
                    "-o", exe.toString(), src.toString()));
            if (out != null) fail("layout probe does not compile against the host headers:\n" + out);
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "probe exit status; output:\n" + text);
            return text.lines().toList();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Null on success, else the compiler's output. */
    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "gcc timed out";
        }
        return p.exitValue() == 0 ? null : text;
    }

    @Test
    void everyMemberMatchesTheKernelHeader() throws Exception {
        List<String> lines = runCProbe(Uabi.cProbe(Uabi.STRUCTS, List.of()));
        Map<String, long[]> c = new HashMap<>();
        for (String line : lines) {
            String[] w = line.split(" ");
            if (w[1].equals("sizeof")) c.put(w[0] + " sizeof", new long[] {Long.parseLong(w[2])});
            else c.put(w[0] + " " + w[1], new long[] {Long.parseLong(w[2]), Long.parseLong(w[3])});
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (CStruct s : Uabi.STRUCTS) {
            long[] size = c.get(s.cName() + " sizeof");
            assertNotNull(size, "probe printed no size for " + s.cName());
            if (size[0] != s.size()) wrong.add(s.cName() + ": sizeof " + size[0] + ", declared " + s.size());
            for (Field f : s.fields()) {
                long[] m = c.get(s.cName() + " " + f.name());
                assertNotNull(m, "probe printed nothing for " + s.cName() + "." + f.name());
                if (m[0] != f.offset() || m[1] != f.size())
                    wrong.add(s.cName() + "." + f.name() + ": header offset " + m[0] + " size " + m[1]
                        + ", declared " + f.offset() + "/" + f.size());
                checked++;
            }
        }
        assertEquals(List.of(), wrong, "layout mismatches against the kernel header");
        assertEquals(true, checked > 100, "checked " + checked + " members");
    }
}
