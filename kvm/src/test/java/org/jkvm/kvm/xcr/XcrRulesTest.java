package org.jkvm.kvm.xcr;

import static org.jkvm.kvm.xcr.Xfeatures.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class XcrRulesTest {
    static final long SPR = 0x602E7L; // Sapphire Rapids CPUID.(0xD,0):EAX

    @Test
    void acceptsWhatTheSdmAllows() {
        assertTrue(XcrRules.valid(0, FP, SPR));
        assertTrue(XcrRules.valid(0, FP | SSE, SPR));
        assertTrue(XcrRules.valid(0, SPR, SPR));
        assertTrue(XcrRules.valid(0, FP | SSE | YMM | AVX512, SPR));
    }

    @Test
    void rejectsEachRule() {
        assertNotNull(XcrRules.check(1, FP, SPR));
        assertNotNull(XcrRules.check(0, SSE, SPR));
        assertNotNull(XcrRules.check(0, FP | YMM, SPR));
        assertNotNull(XcrRules.check(0, SPR | 1L << 30, SPR));
        assertNotNull(XcrRules.check(0, FP | BNDREGS, -1L));
        assertNotNull(XcrRules.check(0, FP | SSE | AVX512, SPR));
        assertNotNull(XcrRules.check(0, FP | SSE | YMM | (1L << 5), SPR));
        assertNotNull(XcrRules.check(0, FP | XTILE_CFG, SPR));
        assertNotNull(XcrRules.check(0, FP | XTILE_DATA, SPR));
        assertNotNull(XcrRules.check(0, FP | MPX | APX, -1L));
        assertNull(XcrRules.check(0, FP | APX, FP | APX));
    }
}
