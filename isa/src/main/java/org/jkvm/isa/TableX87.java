package org.jkvm.isa;

final class TableX87 {
    private TableX87() {}

    static final String[] LINES = {
    };
}
