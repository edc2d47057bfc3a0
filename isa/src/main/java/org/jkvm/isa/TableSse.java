package org.jkvm.isa;

final class TableSse {
    private TableSse() {}

    static final String[] LINES = {
    };
}
