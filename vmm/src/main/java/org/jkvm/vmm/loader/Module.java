package org.jkvm.vmm.loader;

/** A Multiboot boot module: its contents and the string the kernel sees (path and arguments). */
public record Module(String string, byte[] data) {}
