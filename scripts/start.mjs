#!/usr/bin/env node
// `npm start`: build, install code-server 4.100.3 if needed (cached under ~/.cache), link this
// extension into a fresh extensions dir and serve VS Code on 127.0.0.1 with examples/ open.
// Ctrl-C stops everything (the server runs in its own process group, which is killed).
//
//   npm start [-- --watch] [-- --folder DIR]     env: PORT (default 8123), SKIP_APT=1, CS_DIR
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const folderArg = args.indexOf('--folder');
const folder = resolve(folderArg >= 0 ? args[folderArg + 1] : join(root, 'examples'));
const port = process.env.PORT || '8123';
const runDir = process.env.RUN_DIR || join(root, '.cache', 'vscode-dev');
const step = (label, cmd, argv) => {
  const t = Date.now();
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`[start] ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.log(`[start] ${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
};

step('build', process.execPath, [join(root, 'scripts', 'build.mjs')]);
step('apt packages', 'bash', [join(root, 'scripts', 'vscode', 'deps.sh')]);
step('code-server', 'bash', [join(root, 'scripts', 'vscode', 'install.sh')]);
if (!existsSync(folder)) {
  console.error(`[start] no folder ${folder}`);
  process.exit(1);
}

const groups = [];
const startGroup = (cmd, argv, env = {}) => {
  // detached => own process group (pid = pgid): we kill the whole group on exit.
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, ...env } });
  groups.push(child);
  return child;
};

const server = startGroup('bash', [join(root, 'scripts', 'vscode', 'serve.sh')], { PORT: port, RUN_DIR: runDir, FOLDER: folder });
if (watch) startGroup(process.execPath, [join(root, 'scripts', 'build.mjs'), '--watch']);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping…');
  for (const c of groups) try { process.kill(-c.pid, 'SIGTERM'); } catch { /* gone */ }
  setTimeout(() => {
    for (const c of groups) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ }
    process.exit(code);
  }, 1500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));
server.on('exit', (code, signal) => {
  if (!stopping) {
    console.error(`[start] code-server exited (${signal ?? code})`);
    stop(code || 1);
  }
});

// Wait for /healthz, then print the URL.
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
for (let i = 0; i < 300 && !stopping; i++) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (r.ok) break;
  } catch { /* not yet */ }
  await new Promise((r) => setTimeout(r, 100));
}
if (!stopping) {
  console.log(`\n  Loss Landscape in VS Code: ${url}\n  (profile in ${runDir}; Ctrl-C stops)\n`);
}
