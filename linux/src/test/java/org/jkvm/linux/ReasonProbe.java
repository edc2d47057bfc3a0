package org.jkvm.linux;

/** Prints the kvm provider's unavailableReason(), for {@link UnprivilegedUserTest} to run as another user. */
public final class ReasonProbe {
    private ReasonProbe() {}

    public static void main(String[] args) {
        System.out.println("reason=" + new LinuxKvmProvider().unavailableReason());
    }
}
