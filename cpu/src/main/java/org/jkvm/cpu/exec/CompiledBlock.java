package org.jkvm.cpu.exec;

/**
 * A block translated to JVM bytecode by {@link Jit}: runs the whole block, leaving RIP, the retired count and
 * the lazy flags exactly as the interpreter would. Before each operation that can throw it stores the
 * operation's index in {@link Interpreter#jitIdx}, so that a fault is reported at the right instruction.
 */
public abstract class CompiledBlock {
    /** The block's (unfused) uops, for operations the compiled code hands back to the interpreter. */
    protected final Uop[] ops;

    protected CompiledBlock(Uop[] ops) {
        this.ops = ops;
    }

    public abstract void run(Core c);
}
