/**
 * Every fault named right (issue 19, 3): the user's process.exit, a model whose inputs do not
 * match the data, a weights file of NaN, a graph model, an allocation over the cap, a model too
 * big to build, --backend webgpu without a driver: each is a clear message with the exit code of
 * the README's table (1: the user's file, at its line; 2: what the command line asked for).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runCli } from './lib';

const faults = fixture('user-faults.landscape.ts');
const probe = (def: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []) => runCli(['probe', faults, '--def', def, '--points', '5', ...extra], env);

test('process.exit in the user\'s file (top level, or inside model()) is the user\'s error, at its line', async () => {
  const top = await runCli(['probe', fixture('exit-top.landscape.ts')]);
  assert.equal(top.code, 1, top.stderr);
  assert.match(top.stderr, /exit-top\.landscape\.ts:5:\d+: error \(load\): process\.exit\(3\) called by the landscape file: it must not end the runner process \(throw an Error to stop with a message\)/);
  assert.doesNotMatch(top.stderr, /internal|crash|runner process \(pid/);
  const inModel = await probe('exitInModel');
  assert.equal(inModel.code, 1, inModel.stderr);
  assert.match(inModel.stderr, /user-faults\.landscape\.ts:10:\d+: error \(train\): model\(\): process\.exit\(0\) called by the landscape file/);
});

test('a model whose input does not match the data (3 inputs, a CSV of 2 features) is the user\'s error, trained or loaded', async () => {
  for (const [def, line] of [['wrongInputs', 15], ['wrongInputsLoaded', 53]] as const) {
    const r = await probe(def);
    assert.equal(r.code, 1, `${def}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`user-faults\\.landscape\\.ts:${line}: error \\(data\\): the model's input takes examples of shape \\[3\\] but the data's x has examples of shape \\[2\\] \\(x is \\[6, 2\\]\\): make the model's inputShape match the data`));
    assert.doesNotMatch(r.stderr, /internal|Input 0 is incompatible/);
  }
});

test('a weights file of NaN is refused, naming the file; a graph model gets the README\'s explanation', async () => {
  const nan = await probe('nanWeights');
  assert.equal(nan.code, 1, nan.stderr);
  assert.match(nan.stderr, /user-faults\.landscape\.ts:39: error \(train\): model\(\): models\.load: the weights of \S+\/models\/nan-weights\/model\.json are not finite: 3 of 3 values are NaN or ±Infinity \(the first, NaN in d\/kernel \[2,1\] at index 0\)/);
  assert.doesNotMatch(nan.stdout, /monotone/);
  const graph = await probe('graphModel');
  assert.equal(graph.code, 1, graph.stderr);
  assert.match(graph.stderr, /user-faults\.landscape\.ts:46: error \(train\): model\(\): models\.load: \S+\/models\/graph-model\/model\.json is a graph model \(format 'graph-model'\): graph models cannot be probed: they have no layers to set weights on\. Convert .* --output_format=tfjs_layers_model/);
  assert.doesNotMatch(graph.stderr, /Improper config format/);
});

test('memory: an allocation over the cap keeps the definition\'s file:line; a 400-million-unit Dense layer is refused up front with its size', async () => {
  const ones = await probe('hugeTensor', { LOSS_LANDSCAPE_MAX_MEMORY_MB: '1500' });
  assert.equal(ones.code, 1, ones.stderr);
  assert.match(ones.stderr, /user-faults\.landscape\.ts:22: error \(resources\): out of memory: the runner used \d+ MiB, over its limit of 1500 MiB/);
  const dense = await probe('hugeDense');
  assert.equal(dense.code, 1, dense.stderr);
  assert.match(dense.stderr, /user-faults\.landscape\.ts:34:\d+: error \(resources\): model\(\): the layer dense_Dense\d+'s kernel \[2, 400,000,000\] has 800,000,000 parameters: a probe needs about 23\.8 GiB for it \(32 bytes per parameter: .*\), more than the runner's limit of \d+\.\d GiB: use a smaller layer, or raise LOSS_LANDSCAPE_MAX_MEMORY_MB/);
  assert.ok(dense.ms < 20_000, `refused up front: ${dense.ms} ms`);
  assert.doesNotMatch(dense.stderr, /Invalid typed array length/);
});

test('--backend webgpu without a Vulkan driver: one clean line, a usage-level exit code, no user line', async () => {
  // the Vulkan loader pointed at no driver (old and new loaders' variables)
  const r = await runCli(['probe', fixture('tiny.landscape.ts'), '--backend', 'webgpu', '--points', '5'],
    { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' });
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l && !/^\[\d+\.\ds\] /.test(l)); // the progress lines
  assert.deepEqual(lines, ['error (backend): --backend webgpu: WebGPU found no adapter on this machine (no GPU driver for Vulkan, or no Vulkan loader: libvulkan1): use --backend wasm, or auto (WebGPU when there is a GPU, else wasm)']);
  // auto on the same machine: wasm, without Dawn's warnings
  const auto = await runCli(['probe', fixture('tiny.landscape.ts'), '--backend', 'auto', '--points', '5'],
    { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' });
  assert.equal(auto.code, 0, auto.stderr);
  assert.doesNotMatch(auto.stderr, /vkCreateInstance|CheckVkSuccessImpl/);
});
