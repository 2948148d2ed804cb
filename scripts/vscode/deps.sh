#!/usr/bin/env bash
# Debian packages code-server and the e2e tests need (only the missing ones are installed).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ll_deps
