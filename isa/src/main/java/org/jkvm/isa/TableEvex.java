package org.jkvm.isa;

final class TableEvex {
    private TableEvex() {}

    static final String[] LINES = {
    };
}
