package org.jkvm.vmm.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Guest console bytes into the command's PrintWriter (stdout, or a test's buffer): decoded as UTF-8 as they
 * arrive (a character split across writes is completed by the next byte), flushed at each newline.
 */
final class WriterOutputStream extends OutputStream {
    private final PrintWriter out;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer in = ByteBuffer.allocate(64);
    private final CharBuffer chars = CharBuffer.allocate(64);

    WriterOutputStream(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) {
        in.put((byte) b);
        in.flip();
        decoder.decode(in, chars, false);
        in.compact();
        chars.flip();
        out.append(chars);
        chars.clear();
        if (b == '\n') out.flush();
    }

    @Override
    public synchronized void flush() {
        out.flush();
    }
}
