package org.jkvm.cpu.exec;

/** Operation codes of {@link Uop}, dispatched by the interpreter's switch. Grouped by family; values are dense. */
final class Op {
    private Op() {}

    static final int UD = 0, NOP = 1,
        MOV_RR = 2, MOV_RI = 3, MOV_RM = 4, MOV_MR = 5, MOV_MI = 6,
        MOVZX_RR = 7, MOVZX_RM = 8, MOVSX_RR = 9, MOVSX_RM = 10, LEA = 11,
        ALU_RR = 12, ALU_RI = 13, ALU_RM = 14, ALU_MR = 15, ALU_MI = 16,
        TEST_RR = 17, TEST_RI = 18, TEST_MR = 19, TEST_MI = 20,
        JCC = 21, JMP = 22, JMP_R = 23, JMP_M = 24, CALL = 25, CALL_R = 26, CALL_M = 27, RET = 28,
        PUSH_R = 29, PUSH_I = 30, PUSH_M = 31, POP_R = 32, POP_M = 33,
        SHIFT_RI = 34, SHIFT_RCL = 35, SHIFT_MI = 36, SHIFT_MCL = 37,
        INC_R = 38, INC_M = 39, DEC_R = 40, DEC_M = 41, NOT_R = 42, NOT_M = 43, NEG_R = 44, NEG_M = 45,
        IMUL_RR = 46, IMUL_RM = 47, IMUL3_RR = 48, IMUL3_RM = 49, MULDIV_R = 50, MULDIV_M = 51,
        CMOV_RR = 52, CMOV_RM = 53, SETCC_R = 54, SETCC_M = 55,
        XCHG_RR = 56, XCHG_RM = 57, CBW = 58, CWD = 59, LEAVE = 60, ENTER = 61,
        BT_RR = 62, BT_RI = 63, BT_MR = 64, BT_MI = 65, BITSCAN_RR = 66, BITSCAN_RM = 67, BSWAP = 68,
        CMPXCHG_R = 69, CMPXCHG_M = 70, XADD_R = 71, XADD_M = 72, CMPXCHG8B = 73,
        SHD_RR = 74, SHD_MR = 75, FLAGOP = 76, PUSHF = 77, POPF = 78, LAHF = 79, SAHF = 80,
        STRING = 81, IO = 82, LOOP = 83, JRCXZ = 84, MOVBE_RM = 85, MOVBE_MR = 86,
        SYS = 87, INT = 88, IRET = 89, RET_FAR = 90, JMP_FAR = 91, CALL_FAR = 92, JMP_FAR_M = 93, CALL_FAR_M = 94,
        MOV_SEG = 95, MOV_FROM_SEG = 96, PUSH_SEG = 97, POP_SEG = 98, MOV_CR = 99, MOV_DR = 100,
        BMI = 101, EXT = 102, XLAT = 103, PUSHA = 104, POPA = 105, JMPABS = 106, PUSH2 = 107, POP2 = 108,
        CCMP_UNUSED = 109, CFCMOV = 110, SETZU = 111, ADX = 112, LFS = 113, BOUND_CHECK = 114, AAX = 115,
        ALU3 = 116, IMUL3X = 117, CMOV3 = 118, ADX3 = 119, CTEST = 120, UNARY3 = 121, SHIFT3 = 122, CRC32 = 123,
        ARPL = 124, SALC = 125;

    // specialised forms of the hottest operations (64- and 32-bit, flags written), chosen by the translator
    static final int ADD_RR64 = 130, SUB_RR64 = 131, CMP_RR64 = 132, AND_RR64 = 133, OR_RR64 = 134, XOR_RR64 = 135,
        ADD_RR32 = 136, SUB_RR32 = 137, CMP_RR32 = 138, AND_RR32 = 139, OR_RR32 = 140, XOR_RR32 = 141,
        ADD_RI64 = 142, SUB_RI64 = 143, CMP_RI64 = 144, AND_RI64 = 145, OR_RI64 = 146, XOR_RI64 = 147,
        ADD_RI32 = 148, SUB_RI32 = 149, CMP_RI32 = 150, AND_RI32 = 151, OR_RI32 = 152, XOR_RI32 = 153,
        TEST_RR64 = 154, TEST_RR32 = 155, MOV_MR64 = 156, MOV_MR32 = 157, MOVZX_RM8 = 158, LEA64 = 159,
        SHL_RI64 = 160, SHR_RI64 = 161, SAR_RI64 = 162, SHL_RI32 = 163, SHR_RI32 = 164, SAR_RI32 = 165,
        MOV_RI64 = 166, MOV_RI32 = 167, CMP_RM32 = 168, CMP_RM64 = 169, ADD_RM32 = 170, ADD_RM64 = 171,
        MOV_RM64 = 172, MOV_RM32 = 173, MOV_RR64 = 174, MOV_RR32 = 175, PUSH_R64 = 176, POP_R64 = 177,
        CALL64 = 178, RET64 = 179, XOR_RM32 = 180, IMUL_RR32 = 181, IMUL_RR64 = 182, IMUL_RM32 = 183,
        MOVZX_RR8 = 184, MOVSXD_RR = 185, INC_R64 = 186, DEC_R64 = 187, INC_R32 = 188, DEC_R32 = 189;

    // a flag-setting operation fused with the JCC that follows it (two instructions, one dispatch)
    static final int CMPJ_RR64 = 190, CMPJ_RR32 = 191, CMPJ_RI64 = 192, CMPJ_RI32 = 193, TESTJ_RR64 = 194,
        TESTJ_RR32 = 195, SUBJ_RI64 = 196, SUBJ_RI32 = 197, ADDJ_RI64 = 198, ADDJ_RI32 = 199;


    // ALU kinds (group-1 order)
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;
    // shift kinds (group-2 order)
    static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;
}
