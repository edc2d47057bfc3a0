package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * arch_prctl(ARCH_REQ/GET_XCOMP_GUEST_PERM) and its effect on KVM, each scenario in a fresh JVM
 * ({@link XcompPermissionProbe}) because the permission is process-wide, only grows, and locks at the first vCPU:
 * running it here would make the other tests order-dependent.
 */
class XcompPermissionTest {
    private static final long XTILEDATA = 1L << 18, XTILECFG = 1L << 17;

    private static Map<String, String> probe(String scenario) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), XcompPermissionProbe.class.getName(), scenario)
            .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), "probe failed:\n" + text);
        Map<String, String> out = new HashMap<>();
        for (String line : text.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("WARNING")) out.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assumeTrue(!out.containsKey("unavailable"), () -> "skipped: /dev/kvm unusable here: " + out.get("unavailable"));
        return out;
    }

    private static long hex(Map<String, String> m, String k) { return Long.parseUnsignedLong(m.get(k), 16); }

    private static long num(Map<String, String> m, String k) { return Long.parseLong(m.get(k)); }

    /** Only XTILEDATA can be requested; other indices are EOPNOTSUPP (or EINVAL past XFEATURE_MAX). */
    private static void onlyXtiledataIsRequestable(Map<String, String> m) {
        assertEquals("EOPNOTSUPP", m.get("req_avx512_state"));
        assertEquals("EOPNOTSUPP", m.get("req_xtilecfg"));
        assertEquals("EINVAL", m.get("req_64"));
    }

    /** KVM_CAP_XSAVE2 = max(4096, the standard size of the supported XCR0, which permission filters). */
    private static void xsave2SizeFormula(Map<String, String> m, String perm, String cap, String xcr0, String size) {
        assertEquals(0, hex(m, xcr0) & ~hex(m, perm), "supported XCR0 within the permission");
        assertEquals(Math.max(4096, num(m, size)), num(m, cap), cap + " vs standard size " + m.get(size));
    }

    @Test
    void requestBeforeTheFirstVcpuGrowsThePermission() throws Exception {
        Map<String, String> m = probe("grant");
        onlyXtiledataIsRequestable(m);
        assertEquals(0, hex(m, "perm0") & XTILEDATA, "a fresh process has no XTILEDATA guest permission");
        assertEquals(0, hex(m, "xcr0_0") & (XTILEDATA | XTILECFG), "without it KVM offers neither tile component");
        xsave2SizeFormula(m, "perm0", "cap0", "xcr0_0", "size0");
        assertEquals("ok", m.get("req_xtiledata"));
        assertEquals(hex(m, "perm0") | XTILEDATA, hex(m, "perm1"));
        xsave2SizeFormula(m, "perm1", "cap1", "xcr0_1", "size1");
        assertEquals(num(m, "size1"), num(m, "ebx1"), "CPUID 0xD.0 EBX = standard size of the offered XCR0");
        assertEquals("ok", m.get("req_xtiledata_again"), "asking again for what is granted succeeds, even locked");
        assertEquals("ok", m.get("set_cpuid"));
        assertEquals("ok", m.get("set_xcr0_all"));
        assertEquals(m.get("xcr0_1"), m.get("xcr0_now"));
        assertEquals("true", m.get("xsave2_roundtrip"));
        assertEquals(m.get("cap1"), m.get("xsave2_size"));
        assertEquals("4096", m.get("xsave_before_cpuid"), "uABI size is 4096 until CPUID enables a dynamic feature");
        boolean amx = (hex(m, "xcr0_1") & XTILEDATA) != 0;
        if (amx) {
            assertTrue(num(m, "cap1") > num(m, "cap0"), "XSAVE2 size grows with XTILEDATA");
            assertEquals("EINVAL", m.get("xsave_after_cpuid"), "KVM_GET_XSAVE is EINVAL once the uABI size exceeds 4096");
        }
        assumeTrue(amx, "partly skipped: this KVM does not offer AMX to guests (supported XCR0 " + m.get("xcr0_1")
            + " with XTILEDATA permitted), so the XSAVE2 size cannot grow here");
    }

    @Test
    void requestAfterTheFirstVcpuIsEbusy() throws Exception {
        Map<String, String> m = probe("locked");
        onlyXtiledataIsRequestable(m);
        assertEquals("EBUSY", m.get("req_xtiledata"));
        assertEquals(m.get("perm0"), m.get("perm1"));
        assertEquals(m.get("cap0"), m.get("cap1"));
        assertEquals("EPERM", m.get("set_cpuid_forged_amx"), "CPUID exposing a dynamic feature without permission");
        assertEquals("ok", m.get("set_cpuid_supported"));
    }
}
