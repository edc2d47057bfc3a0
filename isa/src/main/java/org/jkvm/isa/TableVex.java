package org.jkvm.isa;

final class TableVex {
    private TableVex() {}

    static final String[] LINES = {
    };
}
