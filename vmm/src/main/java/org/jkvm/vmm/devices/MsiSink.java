package org.jkvm.vmm.devices;

/** Where an interrupt message goes: the backend's local APICs (Vm.signalMsi) or, in tests, a recorder. */
@FunctionalInterface
public interface MsiSink {
    void signal(long address, int data);
}
