package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jkvm.api.Hypervisor;
import org.junit.jupiter.api.Test;

/**
 * unavailableReason() for a user who may not open /dev/kvm: run as "nobody" (needs root here to switch users, and
 * a /dev/kvm that "nobody" cannot read and write, as on a default install).
 */
class UnprivilegedUserTest {

    @Test
    void permissionDeniedIsExplained() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root to run a probe as nobody");
        Path runuser = Path.of("/usr/sbin/runuser");
        if (!Files.isExecutable(runuser)) runuser = Path.of("/sbin/runuser");
        assumeTrue(Files.isExecutable(runuser), "skipped: no runuser to switch to the nobody user");
        Path kvm = Path.of("/dev/kvm");
        assumeTrue(Files.exists(kvm), "skipped: no /dev/kvm");
        String mode = Files.getPosixFilePermissions(kvm).toString();
        assumeTrue(!mode.contains("OTHERS_READ") || !mode.contains("OTHERS_WRITE"),
            "skipped: /dev/kvm is open to every user here (" + mode + ")");
        String cp = String.join(File.pathSeparator, List.of(
            location(Hypervisor.class), location(LinuxKvmProvider.class), location(ReasonProbe.class)));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(runuser.toString(), "-u", "nobody", "--", java.toString(),
            "--enable-native-access=ALL-UNNAMED", "-cp", cp, ReasonProbe.class.getName())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "skipped: the probe as nobody did not finish");
        assumeTrue(!out.contains("ClassNotFoundException") && !out.contains("Could not find or load"),
            () -> "skipped: nobody cannot read the build output: " + out);
        assertEquals(0, p.exitValue(), out);
        String line = out.lines().filter(l -> l.startsWith("reason=")).findFirst().orElse("");
        assertTrue(line.contains("/dev/kvm: permission denied"), line);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
