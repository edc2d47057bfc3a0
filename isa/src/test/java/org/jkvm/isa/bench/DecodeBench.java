package org.jkvm.isa.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.jkvm.isa.DecodeBuffer;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Mode;
import org.jkvm.isa.TestForms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode throughput on a mixed realistic stream: the .text of the shared benchmark guest (decoded as
 * 64-bit code, as the guest runs it) plus APX (REX2, map-4) and AVX-512 instructions produced by the encoder
 * from the table. The score is instructions per second (one op = one decoded instruction).
 *
 * <p>Run: {@code mvn -B -o -q -Djkvm.out=-isa -pl isa test-compile && java -cp "isa/target-isa/test-classes:isa/target-isa/classes:$(cat isa/target-isa/jmh.cp)" -Djkvm.shared=$PWD/../shared org.openjdk.jmh.Main DecodeBench}
 * (jmh.cp from {@code mvn -q -o -Djkvm.out=-isa -pl isa dependency:build-classpath -Dmdep.outputFile=target-isa/jmh.cp}).
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBench {
    static final int N = 4096;

    byte[] code;
    int[] offsets;
    int[] lengths;
    Decoder decoder;
    DecodeBuffer buf;

    @Setup
    public void setup() throws IOException {
        List<byte[]> insns = new ArrayList<>();
        Path elf = Path.of(System.getProperty("jkvm.shared", "../shared"), "guests", "bench.elf");
        byte[] text = textSection(Files.readAllBytes(elf));
        Decoder d64 = new Decoder(Mode.BITS64);
        DecodeBuffer b = new DecodeBuffer();
        for (int off = 0; off < text.length; ) {
            boolean ok = d64.decodeInto(b, text, off, text.length - off);
            int len = Math.max(1, b.length());
            if (ok) insns.add(java.util.Arrays.copyOfRange(text, off, off + len));
            off += len;
        }
        int guest = insns.size();
        // One APX/AVX-512 instruction for every four guest instructions.
        SplittableRandom rnd = new SplittableRandom(42);
        List<byte[]> extra = TestForms.apxAndAvx512Samples(rnd, guest / 4 + 1);
        List<byte[]> mix = new ArrayList<>();
        int e = 0;
        for (int i = 0; i < guest; i++) {
            mix.add(insns.get(i));
            if (i % 4 == 3 && e < extra.size()) mix.add(extra.get(e++));
        }
        code = new byte[N * 16];
        offsets = new int[N];
        lengths = new int[N];
        int pos = 0;
        for (int i = 0; i < N; i++) {
            byte[] x = mix.get(i % mix.size());
            System.arraycopy(x, 0, code, pos, x.length);
            offsets[i] = pos;
            lengths[i] = x.length;
            pos += x.length;
        }
        decoder = new Decoder(Mode.BITS64);
        buf = new DecodeBuffer();
    }

    static byte[] textSection(byte[] elf) {
        ByteBuffer bb = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = bb.getInt(0x20), shentsize = bb.getShort(0x2E) & 0xFFFF, shnum = bb.getShort(0x30) & 0xFFFF;
        int shstrndx = bb.getShort(0x32) & 0xFFFF;
        int strOff = bb.getInt(shoff + shstrndx * shentsize + 0x10);
        for (int i = 0; i < shnum; i++) {
            int sh = shoff + i * shentsize;
            int name = bb.getInt(sh);
            StringBuilder sb = new StringBuilder();
            for (int k = strOff + name; elf[k] != 0; k++) sb.append((char) elf[k]);
            if (sb.toString().equals(".text")) {
                int off = bb.getInt(sh + 0x10), size = bb.getInt(sh + 0x14);
                return java.util.Arrays.copyOfRange(elf, off, off + size);
            }
        }
        throw new IllegalArgumentException("no .text");
    }

    /** The stream (after {@link #setup}): its bytes and each instruction's offset and length. */
    public byte[] code() { return code; }

    public int[] offsets() { return offsets; }

    public int[] lengths() { return lengths; }

    @Benchmark
    @OperationsPerInvocation(N)
    public int decodeIntoReusedBuffer() {
        int sum = 0;
        Decoder d = decoder;
        DecodeBuffer b = buf;
        byte[] c = code;
        for (int i = 0; i < N; i++) {
            d.decodeInto(b, c, offsets[i], lengths[i]);
            sum += b.length();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int decodeImmutable() {
        int sum = 0;
        for (int i = 0; i < N; i++) sum += decoder.decode(code, offsets[i], lengths[i]).length();
        return sum;
    }
}
