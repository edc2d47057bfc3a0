package org.jkvm.isa;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The table's sections in order. {@link #main} prints the distinct mnemonic names, from which
 * {@link Mnemonic} is regenerated when lines are added (a test checks the two agree).
 */
final class TableSource {
    private TableSource() {}

    /** A section of lines that share defaults. */
    record Section(CpuFeature feature, boolean suffix, String[] lines) {}

    static List<Section> sections() {
        List<Section> s = new ArrayList<>();
        s.add(new Section(null, true, TableGp.lines()));
        s.add(new Section(null, false, TableX87.LINES));
        s.add(new Section(null, false, TableSse.LINES));
        s.add(new Section(null, false, TableVex.LINES));
        s.add(new Section(null, false, TableEvex.LINES));
        s.add(new Section(CpuFeature.APX_F, true, TableApx.lines()));
        s.add(new Section(null, false, TableAmx.LINES));
        return s;
    }

    static List<Form> parseAll() {
        List<Form> all = new ArrayList<>();
        for (Section sec : sections()) {
            for (String line : sec.lines()) all.addAll(Form.parse(line, sec.suffix(), sec.feature()));
        }
        return all;
    }

    /** All distinct mnemonic names the table uses. */
    static Set<String> names() {
        Set<String> n = new LinkedHashSet<>();
        for (Form f : parseAll()) n.add(Form.enumName(f.name));
        return n;
    }

    public static void main(String[] args) {
        for (String n : names()) System.out.println(n);
    }
}
