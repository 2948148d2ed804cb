# Shared helpers for running this extension in a real VS Code (code-server 4.100.3 = VS Code
# 1.100.3, the last release that runs on Node 20). Sourced by scripts/vscode/*.sh,
# scripts/start.mjs (via serve.sh) and test/e2e/run-e2e.sh. Needs only the npm registry and
# Debian apt at install time; nothing at run time.
#
# Knobs (environment): CS_DIR RUN_DIR PORT SKIP_APT=1 NPM_CACHE
CS_VERSION=4.100.3
LL_ROOT=${LL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}   # the extension folder
CS_DIR=${CS_DIR:-$HOME/.cache/loss-landscape/code-server-$CS_VERSION}
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
PORT=${PORT:-8123}
APT_PACKAGES=(ripgrep chromium libkrb5-dev build-essential pkg-config python3 curl)
export npm_config_cache=${NPM_CACHE:-${npm_config_cache:-$HOME/.npm}}
# node-gyp must use the installed Node headers, otherwise it downloads them from nodejs.org.
export npm_config_nodedir=${npm_config_nodedir:-/usr}

ll_ts() { date +%s.%N; }
ll_since() { awk -v a="$1" -v b="$(ll_ts)" 'BEGIN{printf "%.1f", b-a}'; }

# apt packages: install only what is missing (apt-get update first). SKIP_APT=1 skips.
ll_deps() {
  [ "${SKIP_APT:-}" = 1 ] && return 0
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "[vscode] installing apt packages: ${missing[*]}"
  local SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
}

ll_cs_installed() {
  local VS="$CS_DIR/node_modules/code-server/lib/vscode"
  [ -e "$VS/node_modules.asar" ] && [ -x "$VS/node_modules/@vscode/ripgrep/bin/rg" ] && [ -f "$CS_DIR/.complete" ]
}

# code-server into $CS_DIR without any GitHub download (ripgrep from Debian, native modules
# rebuilt from source against /usr/include/node). About 60 s cold on 2 cores.
ll_install() {
  if ll_cs_installed; then return 0; fi
  command -v rg >/dev/null || { echo "[vscode] ripgrep (rg) missing: run scripts/vscode/deps.sh"; return 1; }
  [ -f "$npm_config_nodedir/include/node/node_version.h" ] || { echo "[vscode] no Node headers in $npm_config_nodedir (apt-get install libnode-dev?)"; return 1; }
  [ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ] || { echo "[vscode] code-server $CS_VERSION needs Node 20"; return 1; }
  local t0; t0=$(ll_ts)
  echo "[vscode] installing code-server $CS_VERSION into $CS_DIR"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  (
    set -e
    cd "$CS_DIR"
    echo '{"name":"cs-host","private":true}' > package.json
    # 1) code-server + server deps, NO install scripts (postinstall downloads from GitHub).
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
    # 2) argon2: compile locally instead of node-pre-gyp's GitHub download.
    npm_config_build_from_source=true npm rebuild argon2 --loglevel=error
    # 3) code-server's postinstall.sh by hand.
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm_config_yes=true npm rebuild --loglevel=error
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    (cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
  )
  touch "$CS_DIR/.complete"
  echo "[vscode] TIMING code-server install: $(ll_since "$t0") s"
}

# Keep code-server away from the real $HOME; TMPDIR too (ext hosts put sockets there).
ll_cs_env() {
  export HOME="$RUN_DIR/home" XDG_CONFIG_HOME="$RUN_DIR/home/.config" \
         XDG_DATA_HOME="$RUN_DIR/home/.local/share" XDG_CACHE_HOME="$RUN_DIR/home/.cache" \
         TMPDIR="$RUN_DIR/tmp"
}

# Fresh profile in $RUN_DIR: user settings (+ $1 = extra JSON object merged in), the
# extension linked into a fresh extensions dir (scanned on first start since it has no
# extensions.json yet), workspace = $RUN_DIR/ws.
#   ll_prepare_profile [extraSettingsJson] [link|none]
ll_prepare_profile() {
  local extra=${1:-'{}'} link=${2:-link}
  rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"/{home,tmp,ud/User,ext,ws}
  EXTRA="$extra" node -e '
    const base = {
      "workbench.startupEditor": "none",
      "security.workspace.trust.enabled": false,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "workbench.tips.enabled": false,
      "workbench.welcomePage.walkthroughs.openOnInstall": false,
      "workbench.enableExperiments": false,
      "chat.commandCenter.enabled": false,
      "editor.codeLens": true,
      "typescript.disableAutomaticTypeAcquisition": true,
      "git.enabled": false,
    };
    Object.assign(base, JSON.parse(process.env.EXTRA));
    require("fs").writeFileSync(process.argv[1], JSON.stringify(base, null, 2));
  ' "$RUN_DIR/ud/User/settings.json"
  if [ "$link" = link ]; then
    local id; id=$(node -p "const p=require('$LL_ROOT/package.json'); p.publisher+'.'+p.name+'-'+p.version")
    ln -s "$LL_ROOT" "$RUN_DIR/ext/$id"
  fi
}

# Install a .vsix into the profile's extensions dir (offline).
ll_install_vsix() {
  ( ll_cs_env; node "$CS_ENTRY" --user-data-dir "$RUN_DIR/ud" --extensions-dir "$RUN_DIR/ext" \
      --install-extension "$1" )
}

# code-server arguments. TRUST=1 keeps workspace trust on (the untrusted-workspace tests).
ll_cs_args() {
  CS_ARGS=(--bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check
           --disable-getting-started-override
           --user-data-dir "$RUN_DIR/ud" --extensions-dir "$RUN_DIR/ext")
  [ "${TRUST:-0}" = 1 ] || CS_ARGS+=(--disable-workspace-trust)
}

# Start in the background in a new session/process group (pid = pgid) -> $RUN_DIR/server.pid.
ll_start_server() {
  local folder=${1:-$RUN_DIR/ws} t0; t0=$(ll_ts)
  ( ll_cs_env; ll_cs_args
    exec setsid node "$CS_ENTRY" "${CS_ARGS[@]}" "$folder" > "$RUN_DIR/server.log" 2>&1 ) &
  echo $! > "$RUN_DIR/server.pid"
  local i
  for i in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { cat "$RUN_DIR/server.log"; return 1; }
  echo "[vscode] server up on 127.0.0.1:$PORT in $(ll_since "$t0") s (pgid $(cat "$RUN_DIR/server.pid"))"
}

# Kill the whole process group we created (server, ext hosts, watchers, forked runners).
ll_stop_server() {
  local pid; pid=$(cat "$RUN_DIR/server.pid" 2>/dev/null) || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  local i; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/server.pid"
}
