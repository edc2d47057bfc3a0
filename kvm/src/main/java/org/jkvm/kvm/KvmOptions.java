package org.jkvm.kvm;

import java.util.Map;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuModelParser;
import org.jkvm.kvm.run.SwitchPlacement;
import org.jkvm.kvm.stats.CycleModel;

/**
 * The soft backend's options ({@code Hypervisor.open("soft", options)}), parsed and validated once.
 *
 * @param cpu              the CPU model of the physical (software) CPU, {@code cpu=MODEL[,+f,-f]}
 * @param placement        where XCR0/XSS/PKRU are switched ({@code xstate-switch=outer-loop|per-entry})
 * @param maxInstructions  a KVM_RUN instruction budget; 0 = none (then KVM_RUN returns EINTR)
 * @param cycleProfile     the modelled-cycle table ({@code cycle-model=intel|amd})
 * @param mcInFastpath     test-only: handle a guest #MC inside the fastpath loop, as before 2025
 *                         ({@code mc-in-fastpath=true}); reproduces the historical bug with per-entry
 */
public record KvmOptions(CpuModel cpu, SwitchPlacement placement, long maxInstructions, CycleModel.Profile cycleProfile,
        boolean mcInFastpath) {

    public static final String CPU = "cpu", XSTATE_SWITCH = "xstate-switch", MAX_INSTRUCTIONS = "max-instructions",
        CYCLE_MODEL = "cycle-model", MC_IN_FASTPATH = "mc-in-fastpath";

    public static KvmOptions parse(Map<String, String> options) throws KvmException {
        String cpuSpec = "max";
        SwitchPlacement placement = SwitchPlacement.OUTER_LOOP;
        long maxInsns = 0;
        CycleModel.Profile profile = CycleModel.Profile.INTEL;
        boolean mc = false;
        for (Map.Entry<String, String> e : (options == null ? Map.<String, String>of() : options).entrySet()) {
            String k = e.getKey(), v = e.getValue() == null ? "" : e.getValue().strip();
            switch (k) {
                case CPU -> cpuSpec = v;
                case XSTATE_SWITCH -> placement = switch (v) {
                    case "outer-loop" -> SwitchPlacement.OUTER_LOOP;
                    case "per-entry" -> SwitchPlacement.PER_ENTRY;
                    default -> throw new KvmException(Errno.EINVAL, "xstate-switch must be per-entry or outer-loop, not '" + v + "'");
                };
                case MAX_INSTRUCTIONS -> {
                    try {
                        maxInsns = Long.parseLong(v);
                    } catch (NumberFormatException x) {
                        maxInsns = -1;
                    }
                    if (maxInsns < 0) throw new KvmException(Errno.EINVAL, "max-instructions must be a non-negative integer, not '" + v + "'");
                }
                case CYCLE_MODEL -> profile = switch (v) {
                    case "intel" -> CycleModel.Profile.INTEL;
                    case "amd" -> CycleModel.Profile.AMD;
                    default -> throw new KvmException(Errno.EINVAL, "cycle-model must be intel or amd, not '" + v + "'");
                };
                case MC_IN_FASTPATH -> {
                    if (!v.equals("true") && !v.equals("false")) throw new KvmException(Errno.EINVAL, "mc-in-fastpath must be true or false");
                    mc = v.equals("true");
                }
                default -> throw new KvmException(Errno.EINVAL, "unknown option '" + k + "' for backend soft (known: "
                    + String.join(", ", CPU, XSTATE_SWITCH, MAX_INSTRUCTIONS, CYCLE_MODEL, MC_IN_FASTPATH) + ")");
            }
        }
        CpuModel model;
        try {
            model = CpuModelParser.parse(cpuSpec);
        } catch (IllegalArgumentException x) {
            throw new KvmException(Errno.EINVAL, x.getMessage());
        }
        return new KvmOptions(model, placement, maxInsns, profile, mc);
    }
}
