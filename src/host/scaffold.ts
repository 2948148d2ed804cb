/**
 * "Loss Landscape: New Landscape File": writes a small, working MNIST MLP definition to
 * example.landscape.ts in the workspace (example-2.landscape.ts, ... if taken) and opens it;
 * without a folder open it opens an untitled example.landscape.ts instead.
 */
import * as vscode from 'vscode';

export const EXAMPLE_SOURCE = `/**
 * A small multilayer perceptron on 2,000 real MNIST digits.
 *
 * Click "interpolate" above the definition: the model is trained, then its loss is measured
 * along the straight line from the initial weights θ₀ (α = 0) to the trained weights θ_T
 * (α = 1) — Goodfellow, Vinyals & Saxe (2015), "Qualitatively characterizing neural network
 * optimization problems". Click "plane" for a contour map with the training path on it.
 * Edit and save: the panel re-runs.
 */
import * as tf from '@tensorflow/tfjs';
import { landscape, datasets } from 'loss-landscape';

export const mlp = landscape({
  data: () => datasets.mnist({ train: 2000, test: 500 }),
  model: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  loss: 'categoricalCrossentropy',
  optimizer: () => tf.train.sgd(0.1),
  epochs: 2,
  batchSize: 64,
  seed: 1,
});
`;

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** The active editor's column; the first one when a panel (not an editor) has the focus. */
function column(): vscode.ViewColumn {
  return vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
}

export async function newLandscapeFile(): Promise<vscode.Uri> {
  const folder = vscode.window.activeTextEditor
    ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri) ?? vscode.workspace.workspaceFolders?.[0]
    : vscode.workspace.workspaceFolders?.[0];
  let uri: vscode.Uri;
  if (folder && folder.uri.scheme === 'file') {
    uri = vscode.Uri.joinPath(folder.uri, 'example.landscape.ts');
    for (let i = 2; await exists(uri); i++) uri = vscode.Uri.joinPath(folder.uri, `example-${i}.landscape.ts`);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(EXAMPLE_SOURCE));
    await vscode.window.showTextDocument(uri, { preview: false, viewColumn: column() });
  } else {
    uri = vscode.Uri.parse('untitled:example.landscape.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: column() });
    if (doc.getText().length === 0) await editor.edit((e) => e.insert(new vscode.Position(0, 0), EXAMPLE_SOURCE));
  }
  return uri;
}
