#!/usr/bin/env bash
# Install code-server 4.100.3 into $CS_DIR (default ~/.cache/loss-landscape/code-server-4.100.3)
# from the npm registry only. No-op when already installed. Prints the install dir.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ll_install >&2
echo "$CS_DIR"
