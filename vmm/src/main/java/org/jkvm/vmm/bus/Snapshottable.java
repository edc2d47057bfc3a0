package org.jkvm.vmm.bus;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A device whose registers go into a snapshot. Times are stored as machine-clock values; the restored
 * machine's clock continues from the saved time, so they stay meaningful. A device reads back exactly what it
 * wrote; the snapshot layer frames each device's bytes with its name and length.
 */
public interface Snapshottable {
    /** A stable name for the snapshot file ("serial0", "pit"): renaming it breaks old snapshots. */
    String stateName();

    void saveState(DataOutput out) throws IOException;

    /** Must validate what it reads: a value out of range is an IOException, never a broken device. */
    void loadState(DataInput in) throws IOException;
}
