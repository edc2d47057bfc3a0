package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles and runs a C program against the host's kernel headers; skips when gcc or the headers are absent. */
final class CProbe {
    private CProbe() {}

    static List<String> run(String source) throws IOException, InterruptedException {
        assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")), "skipped: /usr/include/linux/kvm.h is absent");
        Path gcc = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "gcc");
            if (Files.isExecutable(p)) { gcc = p; break; }
        }
        assumeTrue(gcc != null, "skipped: no gcc on PATH to compile the probe");
        Path dir = Files.createTempDirectory("jkvm-cprobe");
        try {
            Path src = dir.resolve("probe.c"), exe = dir.resolve("probe");
            Files.writeString(src, source);
            String out = compile(List.of(gcc.toString(), "-std=gnu11", "-o", exe.toString(), src.toString()));
            if (out != null && out.contains("immediate_exit"))
                out = compile(List.of(gcc.toString(), "-std=gnu11", "-DKVM_RUN_IMMEDIATE_EXIT=immediate_exit__unsafe",
                    "-o", exe.toString(), src.toString()));
            if (out != null) fail("probe does not compile against the host headers:\n" + out);
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

    private static String compile(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "gcc timed out";
        }
        return p.exitValue() == 0 ? null : text;
    }
}
