#!/bin/bash
# scenarios/60-packages with DKMS compiling the module in the VM, as on a
# real host: tests/vm/run.sh tests/vm/pkg-dkms-in-vm.sh. Not in make
# check: under TCG the compile takes tens of minutes.
# timeout: 3600
export DKMS_IN_VM=1
exec bash "$MOAT_ROOT/tests/vm/scenarios/60-packages.sh"
