/**
 * The panel's CSV export (webview/csv.ts through exporter.ts toCsv): each analysis' writer, picked
 * from the table in webview/analyses.ts, on the replayed harness fixtures; and the fallbacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostToWebview } from '../../src/protocol';
import { toCsv } from '../../webview/exporter';
import { emptyModel, reduce, type RunModel } from '../../webview/state';

function replay(name: string, upTo?: (m: HostToWebview) => boolean): RunModel {
  const msgs: HostToWebview[] = JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', `${name}.json`), 'utf8')).messages;
  let m = emptyModel();
  for (const msg of msgs) {
    if (upTo?.(msg)) break;
    m = reduce(m, msg) ?? m;
  }
  return m;
}

const lines = (m: RunModel) => toCsv(m).trimEnd().split('\n');

test('each analysis exports its own table', () => {
  const heads: Record<string, string> = {
    'interpolate-bn': 'alpha,train_loss,test_loss,train_accuracy,test_accuracy',
    plane: 'i,j,a,b,loss,test_loss',
    survey: 'run,seed,init,final_loss,final_test_loss,final_accuracy,stuck,best',
    compare: 'run,final_train_loss,final_test_loss,final_test_accuracy,monotone,barrier,end_a,end_b,train_seconds',
    'curvature-mlp': 'kind,index,eigenvalue',
    connect: 't,curve_train_loss,curve_test_loss,line_train_loss,line_test_loss',
  };
  for (const [name, head] of Object.entries(heads)) assert.ok(lines(replay(name))[0].startsWith(head), `${name}: ${lines(replay(name))[0]}`);
  const bn = lines(replay('interpolate-bn'))[0];
  assert.match(bn, /train_loss_bn_recomputed,test_loss_bn_recomputed$/, 'BatchNorm recomputed columns of an interpolation');
  const curv = lines(replay('curvature-mlp'));
  assert.ok(curv.includes('t,loss_along_top,loss_along_bottom') && curv.includes('step,lambda_max,lambda_min'));
});

test('while a survey streams, stuck is provisional; before any result the training losses are exported', () => {
  const live = replay('survey', (m) => m.type === 'surveyRun' && m.index === 5);
  const csv = lines(live);
  assert.match(csv[0], /,stuck_so_far,/);
  assert.equal(csv.length, 1 + 5);
  const training = replay('curvature-mlp', (m) => m.type === 'trained');
  assert.equal(lines(training)[0], 'epoch,loss');
  assert.ok(lines(training).length > 1);
});
