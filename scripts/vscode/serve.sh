#!/usr/bin/env bash
# Serve VS Code (code-server) with this extension linked in, in the FOREGROUND, on
# 127.0.0.1:$PORT with $FOLDER (default: <repo>/examples) open. Fresh profile in $RUN_DIR.
# Used by `npm start` (scripts/start.mjs), which runs it in its own process group.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RUN_DIR=${RUN_DIR:-$LL_ROOT/.cache/vscode-dev}
FOLDER=${FOLDER:-$LL_ROOT/examples}
ll_prepare_profile "${SETTINGS_JSON:-{\}}"
ll_cs_env; ll_cs_args
exec node "$CS_ENTRY" "${CS_ARGS[@]}" "$FOLDER"
