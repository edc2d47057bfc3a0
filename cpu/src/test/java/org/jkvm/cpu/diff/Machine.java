package org.jkvm.cpu.diff;

/**
 * Something that runs a sequence from an initial state: the host CPU or the software CPU. Both place the
 * sequence at {@link #sequenceAddress()} and the data area at {@link #base()} + {@link Layout#DATA}.
 */
interface Machine extends AutoCloseable {
    long base();

    long sequenceAddress();

    /** Runs {@code code} to its end from {@code initial} and returns the registers, flags and data area. */
    ArchState run(byte[] code, ArchState initial);

    @Override
    void close();
}
