#!/bin/bash
# tests/vm/exec.sh CMD [ARG...]: run one command in the test VM, streaming
# its output (stdout and stderr together) and returning its exit status.
# Same as run.sh --shell-cmd, with the arguments quoted for you.
set -euo pipefail
(($#)) || {
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
}
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --shell-cmd "$(printf '%q ' "$@")"
