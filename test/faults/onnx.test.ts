/**
 * models.onnx through the CLI (issue 22): an unsupported operator, a corrupt file, a checkpoint
 * of another model and data of the wrong shape each end the run with exit 1 and one error line
 * naming the file (and the node), before any training. The bad files are made here from the
 * PyTorch fixtures (test/fixtures/pytorch/), next to a copy of onnx-bad.landscape.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { fixture, root, runCli, tmp } from './lib';

const PT = join(root, 'test', 'fixtures', 'pytorch');
let dir: string;

before(() => {
  dir = tmp('onnx');
  copyFileSync(fixture('onnx-bad.landscape.ts'), join(dir, 'onnx-bad.landscape.ts'));
  copyFileSync(join(PT, 'cnn.onnx'), join(dir, 'cnn.onnx'));
  const m = onnx.ModelProto.decode(readFileSync(join(PT, 'cnn.onnx')));
  m.graph!.node![2].opType = 'Selu';
  writeFileSync(join(dir, 'unsupported.onnx'), onnx.ModelProto.encode(m).finish());
  writeFileSync(join(dir, 'corrupt.onnx'), readFileSync(join(PT, 'cnn.onnx')).subarray(0, 700));
  mkdirSync(join(dir, 'other'));
  copyFileSync(join(PT, 'mlp.sgd.safetensors'), join(dir, 'other', 'step-1.safetensors'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('bad ONNX input: one line naming the file (and node), exit 1, nothing trained', async () => {
  const cases: Array<[string, RegExp]> = [
    ['unsupported', /error \(.*\): models\.onnx: \S*unsupported\.onnx: unsupported operator Selu \(node '\/2\/Relu'\); supported: Add, AveragePool, /],
    ['unsupportedTrained', /models\.onnx: \S*unsupported\.onnx: unsupported operator Selu \(node '\/2\/Relu'\)/],
    ['corrupt', /models\.onnx: \S*corrupt\.onnx is not an ONNX file/],
    ['otherCheckpoint', /models\.checkpoints: \S*other\/step-1\.safetensors: '0\.weight' has shape \[16,6\] but \S*cnn\.onnx has \[4,1,3,3\] \(a checkpoint of another model\?\)/],
    ['wrongShape', /error \(data\): models\.onnx: \S*cnn\.onnx: the data's examples have shape \[784\] but the graph's input 'input' is \[batch, 1, 8, 8\]/],
    ['wrongShapeTrained', /models\.onnx: \S*cnn\.onnx: the data's examples have shape \[784\] but the graph's input 'input' is \[batch, 1, 8, 8\]/],
  ];
  for (const [def, re] of cases) {
    const r = await runCli(['probe', join(dir, 'onnx-bad.landscape.ts'), '--def', def, '--backend', 'cpu'], {}, dir);
    assert.equal(r.code, 1, `${def}: ${r.stderr}`);
    const errors = r.stderr.split('\n').filter((l) => /error/.test(l));
    assert.equal(errors.length, 1, `${def}: one error line: ${r.stderr}`);
    assert.match(errors[0], re, def);
    assert.doesNotMatch(r.stderr, /train: epoch|\n\s+at /, `${def}: no training, no stack trace`);
    assert.doesNotMatch(r.stdout, /monotone|barrier/);
  }
});
