/**
 * The runner's watchdog: a worker thread that does not depend on the main thread's event loop
 * (which the user's code may block for ever: a loop at top level, a huge synchronous op). Every
 * `intervalMs` it checks that the parent process is still there and that the process's memory
 * stays under the cap; if not, it writes one marker line straight to fd 2 and SIGKILLs the whole
 * process. The parent (runner/client.ts) turns the marker into a clear error.
 */
import { Worker } from 'node:worker_threads';
import { memoryLimitBytes } from '../engine/cost';
import { WATCHDOG_MARKER } from '../shared/wire';


const WORKER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { parentPid, rssLimit, intervalMs, marker } = workerData;
const gb = (b) => (b >= 10 * 2 ** 30 ? (b / 2 ** 30).toFixed(1) + ' GiB' : Math.round(b / 2 ** 20) + ' MiB');
function parentAlive() {
  if (process.ppid !== parentPid) return false; // re-parented: the parent died
  try { process.kill(parentPid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
function die(line) {
  try { writeSync(2, marker + ' ' + line + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}
setInterval(() => {
  if (parentPid && !parentAlive()) die('parent process ' + parentPid + ' is gone; stopping');
  const rss = process.memoryUsage.rss();
  if (rssLimit && rss > rssLimit) die('out of memory: the runner used ' + gb(rss) + ', over its limit of ' + gb(rssLimit) +
    ' (set LOSS_LANDSCAPE_MAX_MEMORY_MB to change it)');
}, intervalMs);
`;

export interface WatchdogOptions {
  /** The parent to outlive never (default: process.ppid when we have an IPC channel). */
  parentPid?: number;
  rssLimitBytes?: number;
  intervalMs?: number;
}

export function startWatchdog(o: WatchdogOptions = {}): Worker {
  const w = new Worker(WORKER, {
    eval: true,
    workerData: {
      parentPid: o.parentPid ?? (process.send ? process.ppid : 0),
      rssLimit: o.rssLimitBytes ?? memoryLimitBytes(),
      intervalMs: o.intervalMs ?? 250,
      marker: WATCHDOG_MARKER,
    },
    // The watchdog itself needs little; keep it from counting against the user's heap.
    resourceLimits: { maxOldGenerationSizeMb: 32 },
    stdout: false, stderr: false,
  });
  w.unref();
  return w;
}
