package org.jkvm.isa;

/**
 * The general decode path's working copy of a result, one field per item (the path sets and reads them as it
 * goes); {@link #packInto} stores it in the packed layout of {@link Insn}. Owned by one Decoder, reused.
 */
final class DecodeState {
    Form form;
    Mode mode;
    String invalid;
    int length;
    int opSize, addrSize;
    int prefixes;
    int segOverride = -1;
    int segment = 3;
    int nops;
    int op0, op1, op2, op3, op4;
    int memBase = -1, memIndex = -1, memScale = 1, memSize, memIndexClass, memBaseClass;
    long memDisp;
    boolean ripRel;
    long imm, imm2;
    int immSize;
    int vl, aaa, rc = -1, disp8n = 1, scc = -1, dfv, rexW;
    boolean zeroing, bcst, sae, nd, nf;
    long xsave;
    int opcode, modrm = -1, sib = -1;
    /** Field groups written by the last decode (the decoder resets only those): 1 memory, 2 vector, 4 APX, 8 immediates. */
    int dirty = 15;

    void packInto(Insn o) {
        if (memSize < 0 || memSize > 0xFFFF) throw new IllegalStateException("memory size " + memSize);
        boolean bad = invalid != null;
        o.w0 = Insn.w0(length, opSize, addrSize, nops, prefixes, opcode, rexW, segment, segOverride, mode, bad,
                form == null ? -1 : form.id);
        if (bad) o.invalid = invalid;
        o.w1 = Insn.w1(modrm, sib, immSize, op4);
        o.ops01 = (op0 & 0xFFFFFFFFL) | (long) op1 << 32;
        o.ops23 = (op2 & 0xFFFFFFFFL) | (long) op3 << 32;
        o.mem = Insn.mem(memBase, memIndex, memScale, memSize, memIndexClass, memBaseClass, ripRel);
        o.memDisp = memDisp;
        o.imm = imm;
        o.imm2 = imm2;
        o.vec = Insn.vec(vl, aaa, rc, disp8n, scc, dfv, zeroing, bcst, sae, nd, nf);
        o.xsave = xsave;
    }
}
