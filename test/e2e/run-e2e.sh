#!/usr/bin/env bash
# End-to-end tests in a real VS Code (code-server 4.100.3) driven by playwright-core + Debian
# chromium. Each suite gets a fresh profile, a fresh copy of examples/ as its workspace and its
# own server process group, killed at the end.
#
#   test/e2e/run-e2e.sh [suite ...]     suites: smoke main untrusted vsix examples loaded (default: main untrusted vsix examples loaded)
#
# Knobs: E2E_GREP (only tests whose name matches) SKIP_APT=1 SKIP_BUILD=1 PORT E2E_DIR (run dirs, default .cache/e2e) SHOTS_DIR
#        E2E_RUNNER (alternative runner script, e.g. test/e2e/fake-runner.js) CS_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. scripts/vscode/lib.sh
E2E_DIR=${E2E_DIR:-$ROOT/.cache/e2e}
SHOTS_DIR=${SHOTS_DIR:-$ROOT/test/e2e/shots}
SUITES=("$@"); [ ${#SUITES[@]} -gt 0 ] || SUITES=(main untrusted vsix examples loaded)
T0=$(ll_ts)
# The runners of the e2e servers stop at 3000 MiB (a test checks the out-of-memory message).
export LOSS_LANDSCAPE_MAX_MEMORY_MB=${LOSS_LANDSCAPE_MAX_MEMORY_MB:-3000}

ll_deps
ll_install
if [ "${SKIP_BUILD:-}" != 1 ]; then node scripts/build.mjs; fi
[ -f dist/extension.js ] || { echo "dist/extension.js missing (build failed?)"; exit 1; }
mkdir -p "$SHOTS_DIR" "$E2E_DIR"
# Settings for all suites: small probes where the check does not need full size.
BASE_SETTINGS='{"lossLandscape.examples": 1000, "lossLandscape.grid": 11, "lossLandscape.points": 21,
  "typescript.tsserver.maxTsServerMemory": 1024, "files.autoSave": "off", "workbench.editor.enablePreview": false}'

CURRENT_RUN_DIR=
cleanup() { if [ -n "$CURRENT_RUN_DIR" ]; then RUN_DIR=$CURRENT_RUN_DIR ll_stop_server; fi; }
trap cleanup EXIT INT TERM

# suite NAME TEST_FILE TRUST(0|1) INSTALL(link|vsix) [extra settings json]
run_suite() {
  local name=$1 test=$2 trust=$3 install=$4 extra=${5:-'{}'} t0 rc=0
  t0=$(ll_ts)
  echo "=== e2e suite: $name ($test) ==="
  rm -f "$SHOTS_DIR/$name"-*.png
  RUN_DIR=$E2E_DIR/$name
  local settings
  settings=$(node -e 'console.log(JSON.stringify({...JSON.parse(process.argv[1]), ...JSON.parse(process.argv[2])}))' "$BASE_SETTINGS" "$extra")
  if [ "$install" = vsix ]; then
    ll_prepare_profile "$settings" none
    # this machine's own target (npm run package -- --all also leaves other targets' packages)
    local target vsix
    target=${VSIX_TARGET:-$(node -p 'process.platform + "-" + process.arch')}  # VSIX_TARGET=universal: the esbuild-wasm package
    [ "${SKIP_PACKAGE:-}" = 1 ] && ls "$ROOT"/*-"$target"-*.vsix >/dev/null 2>&1 || npm run -s package >/dev/null
    vsix=$(ls -t "$ROOT"/*-"$target"-*.vsix | head -1)
    ll_install_vsix "$vsix"
  else
    ll_prepare_profile "$settings" link
  fi
  # the workspace: a fresh copy of examples/ (sources only)
  find examples -maxdepth 1 -type f \( -name '*.ts' -o -name '*.md' -o -name '*.json' \) -exec cp {} "$RUN_DIR/ws/" \;
  cp -r examples/trained "$RUN_DIR/ws/"   # the saved model, checkpoints and CSV of trained-model.landscape.ts
  CURRENT_RUN_DIR=$RUN_DIR
  ( export LOSS_LANDSCAPE_RUNNER=${E2E_RUNNER:+$ROOT/$E2E_RUNNER}; [ -n "$LOSS_LANDSCAPE_RUNNER" ] || unset LOSS_LANDSCAPE_RUNNER
    TRUST=$trust ll_start_server )
  ( ll_cs_env
    export CS_URL="http://127.0.0.1:$PORT/?folder=$RUN_DIR/ws" RUN_DIR WS_DIR="$RUN_DIR/ws" SHOTS_DIR LL_ROOT="$ROOT"
    node --test --test-reporter=spec --test-concurrency=1 ${E2E_GREP:+--test-name-pattern="$E2E_GREP"} "test/e2e/$test" ) || rc=$?
  # no runner may outlive the tests (only our server's process group counts)
  local pg; pg=$(cat "$RUN_DIR/server.pid")
  if ps -eo pgid=,args= | awk -v pg="$pg" '$1==pg' | grep -E 'dist/runner\.js|fake-runner\.js'; then
    echo "LEAK: runner processes left in suite $name"; rc=1; fi
  ll_stop_server
  CURRENT_RUN_DIR=
  echo "TIMING suite $name: $(ll_since "$t0") s (rc=$rc)"
  return $rc
}

fail=0
for s in "${SUITES[@]}"; do
  case "$s" in
    smoke) run_suite smoke smoke.test.mjs 0 link || fail=1 ;;
    main) run_suite main main.test.mjs 0 link || fail=1 ;;
    untrusted) run_suite untrusted untrusted.test.mjs 1 link '{"security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "always"}' || fail=1 ;;
    vsix) run_suite vsix vsix.test.mjs 0 vsix || fail=1 ;;
    examples) run_suite examples examples.test.mjs 0 link || fail=1 ;;
    loaded) run_suite loaded loaded.test.mjs 0 link || fail=1 ;;
    *) echo "unknown suite $s"; fail=1 ;;
  esac
done
echo "TIMING e2e total: $(ll_since "$T0") s"
exit $fail
