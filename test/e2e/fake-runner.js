// A stand-in for dist/runner.js speaking the same IPC protocol (plumbing tests only; the e2e
// suite uses the real runner). Syntax errors come from esbuild; FAKE_RUNNER_MS sets the
// duration of a run (default 3000 ms).
const { readFileSync } = require('node:fs');
const send = (m) => process.send(m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let cancelled = false;
process.on('message', async (m) => {
  if (m.type === 'cancel') { cancelled = true; process.exit(0); }
  if (m.type !== 'run') return;
  const { runId, file, definition, options } = m.request;
  const text = readFileSync(file, 'utf8');
  try {
    require('esbuild').transformSync(text, { loader: 'ts', sourcefile: file });
  } catch (e) {
    const err = e.errors?.[0];
    send({ type: 'error', runId, error: { kind: 'syntax', message: err?.text ?? e.message, file, line: err?.location?.line, column: (err?.location?.column ?? 0) + 1 } });
    return setTimeout(() => process.exit(0), 50);
  }
  const ms = Number(process.env.FAKE_RUNNER_MS || 3000);
  send({ type: 'loaded', runId, definitions: [{ name: definition }], definition, backend: options.backend || 'wasm' });
  const epochs = 3;
  for (let e = 1; e <= epochs && !cancelled; e++) {
    await sleep(ms / 2 / epochs);
    send({ type: 'trainEpoch', runId, epoch: e, loss: 2 / e, steps: e * 10 });
    send({ type: 'progress', runId, phase: 'train', done: e, total: epochs });
  }
  const train = { epochs, steps: 30, lossPerEpoch: [2, 1, 0.66], lossPerStep: { step: [], loss: [] }, finalTrainLoss: 0.5, finalTestLoss: 0.6, finalTrainAccuracy: 0.9, finalTestAccuracy: 0.85, parameters: 50890, snapshots: 3 };
  const examples = { train: 100, test: 50, evalTrain: 100, evalTest: 50 };
  send({ type: 'trained', runId, train, examples });
  const n = options.points || 41, [a0, a1] = options.alphaRange || [-0.5, 1.5];
  const alpha = Array.from({ length: n }, (_, i) => a0 + ((a1 - a0) * i) / (n - 1));
  const f = (a) => 0.5 + 2 * (a - 1) * (a - 1);
  for (let i = 0; i < n && !cancelled; i += 5) {
    await sleep(ms / 2 / Math.ceil(n / 5));
    const idx = alpha.slice(i, i + 5).map((_, k) => i + k);
    send({ type: 'curvePoints', runId, index: idx, alpha: idx.map((k) => alpha[k]), trainLoss: idx.map((k) => f(alpha[k])), testLoss: idx.map((k) => f(alpha[k]) + 0.1), trainAccuracy: idx.map(() => 0.5), testAccuracy: idx.map(() => 0.5), total: n });
  }
  const interpolate = { alpha, trainLoss: alpha.map(f), testLoss: alpha.map((a) => f(a) + 0.1), trainAccuracy: alpha.map(() => 0.5), testAccuracy: alpha.map(() => 0.5), trainLossSE: alpha.map(() => 0.01), monotone: true, barrier: 0, barrierAlpha: 0 };
  send({ type: 'result', runId, result: { schema: 'loss-landscape/result@1', file, definition, analysis: options.analysis, backend: options.backend || 'wasm', examples, options, train, interpolate, timing: { loadSeconds: 0, trainSeconds: ms / 2000, probeSeconds: ms / 2000 }, notes: ['fake runner'] } });
  setTimeout(() => process.exit(0), 50);
});
