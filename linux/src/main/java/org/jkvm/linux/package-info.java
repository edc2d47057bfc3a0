/**
 * The "kvm" backend: Linux's /dev/kvm driven through the Foreign Function and Memory API (no JNI, no native build).
 *
 * <ul>
 * <li>{@link org.jkvm.linux.LibC}: open/close/ioctl/mmap/munmap/syscall/pthread_sigmask/signal/sigtimedwait
 *     downcalls, each capturing errno from the call itself.</li>
 * <li>{@link org.jkvm.linux.Ioctl}: every KVM ioctl as data (direction, number, argument size) with the request
 *     number derived from the _IOC encoding; {@link org.jkvm.linux.KvmStructs}: the VM-level structs. Both are
 *     checked against the host's linux/kvm.h by the tests.</li>
 * <li>{@link org.jkvm.linux.Fd}: an owned descriptor; calls after close are EBADF without reaching the kernel and
 *     the number is released only when no call is in flight.</li>
 * <li>{@link org.jkvm.linux.LinuxHypervisor} (/dev/kvm, arch_prctl guest XSAVE permission),
 *     {@link org.jkvm.linux.LinuxVm} (memory slots, split irqchip, MSI, TSS/identity map),
 *     {@link org.jkvm.linux.LinuxVcpu} (state ioctls, the mmap'd kvm_run read through
 *     {@link org.jkvm.api.uabi.KvmRun}, kick).</li>
 * <li>{@link org.jkvm.linux.Kick}: the kick signal, blocked outside KVM_RUN and unblocked inside it through
 *     KVM_SET_SIGNAL_MASK, so no signal handler is needed.</li>
 * </ul>
 */
package org.jkvm.linux;
