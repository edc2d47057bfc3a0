/**
 * KVM's user-space ABI structures (spec kvm-model.md section 7), byte-exact to Linux x86-64.
 *
 * <p>Each struct is declared once as data, a {@link org.jkvm.api.uabi.CStruct} of
 * {@link org.jkvm.api.uabi.Field}s (C member designator, offset, size, including padding and reserved members);
 * the records' {@code write}/{@code toBytes}/{@code fromBytes} read and write through those tables, and the tests
 * compare every member with the host's kernel headers (compiled by gcc when present) and with the well-known sizes.
 * {@code fromBytes} rejects a malformed buffer with {@link org.jkvm.api.KvmException} (EINVAL, or E2BIG for entry
 * counts beyond KVM's limits, as the kernel does). {@link org.jkvm.api.uabi.KvmRun} is an accessor over a kvm_run
 * area (the mmap'd page of a /dev/kvm vCPU, or an identical one a software backend allocates) that also turns the
 * exit into a typed {@link org.jkvm.api.exit.VcpuExit}.
 */
package org.jkvm.api.uabi;
