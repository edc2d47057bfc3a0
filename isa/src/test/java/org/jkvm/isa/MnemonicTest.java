package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The Mnemonic enum is generated from the table (genmnemonics.sh): the two must not drift apart. */
class MnemonicTest {
    @Test
    void enumMatchesTable() {
        Set<Mnemonic> used = EnumSet.noneOf(Mnemonic.class);
        for (Form f : OpcodeTable.FORMS) used.add(f.mnemonic());
        Set<Mnemonic> unused = EnumSet.allOf(Mnemonic.class);
        unused.removeAll(used);
        unused.remove(Mnemonic.INVALID);
        assertTrue(unused.isEmpty(), "mnemonics without a form (rerun isa/genmnemonics.sh): " + unused);
        assertEquals(TableSource.names().size(), Mnemonic.values().length - 1);
    }

    @Test
    void formIdsAreDenseAndStable() {
        for (int i = 0; i < OpcodeTable.FORMS.length; i++) assertEquals(i, OpcodeTable.FORMS[i].id());
    }
}
