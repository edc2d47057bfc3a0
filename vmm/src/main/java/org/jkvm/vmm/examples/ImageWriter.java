package org.jkvm.vmm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The command line every example generator shares: one argument, the output file. */
final class ImageWriter {
    private ImageWriter() {}

    static void main(String generator, String[] args, Supplier<byte[]> image) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: " + generator + " OUTPUT.elf");
            System.exit(64);
        }
        Files.write(Path.of(args[0]), image.get());
    }
}
