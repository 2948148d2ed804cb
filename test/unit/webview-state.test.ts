/**
 * The panel's state reducer (webview/state.ts) and the per-analysis table (webview/analyses.ts),
 * without a DOM: stale run messages are dropped, plane points before their set-up are dropped,
 * survey runs after the final result change nothing; the status counts and the CSV of a replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostToWebview } from '../../src/protocol';
import { ANALYSES, pointsDone, traitsOf } from '../../webview/analyses';
import { toCsv } from '../../webview/exporter';
import { emptyModel, normaliseElapsed, reduce, runsDone, stuckFlags, type RunModel } from '../../webview/state';

const fixture = (name: string): HostToWebview[] =>
  JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', `${name}.json`), 'utf8')).messages;

/** Reduce messages in order, as the panel does (a dropped message keeps the model). */
function replay(msgs: HostToWebview[], m: RunModel = emptyModel()): RunModel {
  for (const msg of msgs) m = reduce(m, msg, 1_000_000) ?? m;
  return m;
}

const started = (runId: string): HostToWebview => ({
  type: 'runStarted', runId, file: '/w/a.landscape.ts', definition: 'mlp', options: { analysis: 'plane', grid: 3 }, cached: false, startedAt: 0,
});
const setup = (runId: string): HostToWebview => ({
  type: 'planeSetup', runId, directions: 'goodfellow', a: [-1, 0, 1], b: [-1, 0, 1],
  trajectory: { a: [0, 1], b: [0, 0], step: [0, 10] }, randomWalk: { a: [], b: [] }, init: [0, 0], final: [1, 0],
});

test('runStarted starts a fresh model; a repeated runStarted of the same run is dropped', () => {
  const m = replay([{ type: 'log', runId: 'old', level: 'info', message: 'x' }]);
  const n = reduce(m, started('r1'));
  assert.ok(n && n !== m, 'a new model object');
  assert.equal(n.runId, 'r1');
  assert.equal(n.status, 'loading');
  assert.equal(n.analysis, 'plane');
  assert.deepEqual(n.logs, []);
  assert.equal(n.rev, m.rev + 1);
  assert.equal(reduce(n, started('r1')), null);
});

test('messages of a stale run are dropped and change nothing', () => {
  const m = replay([started('r2'), setup('r2')]);
  const before = JSON.stringify(m);
  for (const msg of [
    { type: 'planePoints', runId: 'r1', i: [0], j: [0], loss: [1], done: 1, total: 9 },
    { type: 'trainEpoch', runId: 'r1', epoch: 1, loss: 2, steps: 10 },
    { type: 'error', runId: 'r1', error: { kind: 'crash', message: 'old run died' } },
    { type: 'runEnded', runId: 'r1', status: 'cancelled', elapsed: 5 },
  ] satisfies HostToWebview[]) assert.equal(reduce(m, msg), null, msg.type);
  assert.equal(JSON.stringify(m), before);
  assert.equal(m.status, 'probing');
});

test('a cancelled run replayed after the new one started leaves the new one alone', () => {
  const msgs = fixture('interpolate');
  const stale = msgs.map((x) => ('runId' in x ? { ...x, runId: 'stale' } : x)) as HostToWebview[];
  const m = replay([started('fresh'), ...stale.filter((x) => x.type !== 'runStarted')]);
  assert.equal(m.runId, 'fresh');
  assert.equal(m.curve, undefined);
  assert.equal(m.result, undefined);
  assert.equal(m.status, 'loading');
});

test('plane points before the plane set-up are dropped; after it they fill the grid', () => {
  const m = replay([started('r')]);
  const early: HostToWebview = { type: 'planePoints', runId: 'r', i: [0], j: [0], loss: [3], done: 1, total: 9 };
  assert.equal(reduce(m, early), null);
  assert.equal(m.plane === undefined, true);
  replay([setup('r'), { type: 'planePoints', runId: 'r', i: [0, 2, 7], j: [1, 2, 0], loss: [2, 5, 9], done: 2, total: 9 }], m);
  assert.deepEqual(m.plane?.loss, [[null, 2, null], [null, null, null], [null, null, 5]], 'out-of-grid rows are skipped');
  assert.deepEqual(pointsDone(m), { done: 2, total: 9 });
  // A second set-up of the same size keeps the points (a refined re-send), another size clears them.
  replay([setup('r')], m);
  assert.equal(m.plane?.loss[0][1], 2);
  replay([{ ...setup('r'), a: [0, 1], b: [0, 1] } as HostToWebview], m);
  assert.deepEqual(m.plane?.loss, [[null, null], [null, null]]);
});

test('survey runs after the final result change nothing', () => {
  const msgs = fixture('survey');
  const m = replay(msgs);
  assert.equal(m.status, 'done');
  assert.ok(m.survey?.final);
  const runs = JSON.stringify(m.survey.runs);
  const first = m.survey.runs[0]!;
  const late: HostToWebview = { type: 'surveyRun', runId: m.runId!, index: 0, total: m.survey.total, run: { ...first, finalLoss: 99, stuck: true } };
  assert.equal(reduce(m, late), null);
  assert.equal(JSON.stringify(m.survey.runs), runs);
  // While streaming, stuck flags are provisional (relative to the best run so far).
  const live = replay(msgs.slice(0, msgs.findIndex((x) => x.type === 'surveyRun' && x.index === 5) + 1));
  assert.equal(live.survey?.final, false);
  assert.equal(stuckFlags(live).provisional, true);
  assert.equal(runsDone(live)?.done, 6);
  assert.equal(stuckFlags(m).provisional, false);
});

test('survey runs out of order or malformed', () => {
  const m = replay([{ ...started('s'), options: { analysis: 'survey' } } as HostToWebview]);
  const run = fixture('survey').find((x) => x.type === 'surveyRun')!;
  assert.equal(run.type, 'surveyRun');
  if (run.type !== 'surveyRun') return;
  replay([{ ...run, runId: 's', index: 3, total: 2 }], m);
  assert.equal(m.survey?.runs.length, 4, 'the total grows to hold the index');
  assert.deepEqual(m.survey?.runs.map((r) => r !== null), [false, false, false, true]);
  assert.equal(reduce(m, { ...run, runId: 's', index: -1 }), null);
  assert.equal(reduce(m, { ...run, runId: 's', index: 1.5 }), null);
  assert.equal(m.status, 'training');
});

test('a replayed interpolation ends done with the result, and its CSV holds every α', () => {
  const m = replay(fixture('interpolate'));
  assert.equal(m.status, 'done');
  assert.equal(m.analysis, 'interpolate');
  const n = m.result?.interpolate?.alpha.length ?? 0;
  assert.ok(n > 3);
  assert.deepEqual(pointsDone(m), { done: n, total: n });
  const csv = toCsv(m).trim().split('\n');
  assert.match(csv[0], /^alpha,train_loss,test_loss,train_accuracy,test_accuracy/);
  assert.equal(csv.length, n + 1);
});

test('every analysis kind has an entry; the status counts what the kind counts', () => {
  for (const kind of ['interpolate', 'plane', 'survey', 'compare', 'curvature', 'connect', 'instability'] as const) assert.ok(traitsOf(kind), kind);
  assert.equal(traitsOf(undefined), undefined);
  assert.equal(traitsOf('toString' as never), undefined);
  const m = emptyModel();
  m.analysis = 'curvature';
  m.options = { analysis: 'curvature', points: 41 };
  assert.equal(pointsDone(m), undefined, 'curvature counts progress messages, not points');
  m.analysis = 'interpolate';
  assert.deepEqual(pointsDone(m), { done: 0, total: 41 });
  assert.equal(ANALYSES.plane.switchTo.analysis, 'interpolate');
  assert.equal(ANALYSES.curvature.switchTo.analysis, 'plane');
  assert.equal(ANALYSES.survey.streamsEpochs, false);
});

test('runEnded.elapsed in seconds is recognised', () => {
  assert.equal(normaliseElapsed(12, 1_000, 13_500), 12_000);
  assert.equal(normaliseElapsed(12_400, 1_000, 13_500), 12_400);
  assert.equal(normaliseElapsed(NaN, 100, 600), 500);
});
