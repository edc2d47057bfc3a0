package org.jkvm.isa;

/** AMX tile instructions beyond the configuration/load/store set in {@link TableApx}. */
final class TableAmx {
    private TableAmx() {}

    static final String[] LINES = {
        "tilerelease | VEX L0 NP 0F38 49 =C0 W0 | F=AMX_TILE X=0x60000",
        "tilezero TG | VEX L0 F2 0F38 49 /r:r W0 | F=AMX_TILE X=0x60000",
        "tdpbssd TG,TE,TV | VEX L0 F2 0F38 5E /r:r W0 | F=AMX_INT8",
        "tdpbsud TG,TE,TV | VEX L0 F3 0F38 5E /r:r W0 | F=AMX_INT8",
        "tdpbusd TG,TE,TV | VEX L0 66 0F38 5E /r:r W0 | F=AMX_INT8",
        "tdpbuud TG,TE,TV | VEX L0 NP 0F38 5E /r:r W0 | F=AMX_INT8",
        "tdpbf16ps TG,TE,TV | VEX L0 F3 0F38 5C /r:r W0 | F=AMX_BF16",
        "tdpfp16ps TG,TE,TV | VEX L0 F2 0F38 5C /r:r W0 | F=AMX_FP16",
        "tcmmimfp16ps TG,TE,TV | VEX L0 66 0F38 6C /r:r W0 | F=AMX_COMPLEX",
        "tcmmrlfp16ps TG,TE,TV | VEX L0 NP 0F38 6C /r:r W0 | F=AMX_COMPLEX",
        "tdpbf8ps TG,TE,TV | VEX L0 NP M5 FD /r:r W0 | F=AMX_FP8",
        "tdpbhf8ps TG,TE,TV | VEX L0 F2 M5 FD /r:r W0 | F=AMX_FP8",
        "tdphbf8ps TG,TE,TV | VEX L0 F3 M5 FD /r:r W0 | F=AMX_FP8",
        "tdphf8ps TG,TE,TV | VEX L0 66 M5 FD /r:r W0 | F=AMX_FP8",
        "tmmultf32ps TG,TE,TV | VEX L0 66 0F38 48 /r:r W0 | F=AMX_TF32",
        "ttmmultf32ps TG,TE,TV | VEX L0 NP 0F38 48 /r:r W0 | F=AMX_TF32",
        "t2rpntlvwz0 TG,M | VEX L0 NP 0F38 6E /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz0t1 TG,M | VEX L0 NP 0F38 6F /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz1 TG,M | VEX L0 66 0F38 6E /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz1t1 TG,M | VEX L0 66 0F38 6F /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz0rs TG,M | VEX L0 NP M5 F8 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz0rst1 TG,M | VEX L0 NP M5 F9 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz1rs TG,M | VEX L0 66 M5 F8 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz1rst1 TG,M | VEX L0 66 M5 F9 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz0 TG,M | EVEX L0 NP 0F38 6E /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz0t1 TG,M | EVEX L0 NP 0F38 6F /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz1 TG,M | EVEX L0 66 0F38 6E /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz1t1 TG,M | EVEX L0 66 0F38 6F /r:m W0 | F=AMX_TILE",
        "t2rpntlvwz0rs TG,M | EVEX L0 NP M5 F8 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz0rst1 TG,M | EVEX L0 NP M5 F9 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz1rs TG,M | EVEX L0 66 M5 F8 /r:m W0 | F=AMX_MOVRS",
        "t2rpntlvwz1rst1 TG,M | EVEX L0 66 M5 F9 /r:m W0 | F=AMX_MOVRS",
    };
}
