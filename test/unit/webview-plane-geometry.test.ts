/**
 * The plane view's pure geometry (webview/plane-geometry.ts), without a DOM: cell edges, the
 * grid → canvas mapping and its inverse (pointer → cell) for ascending and descending grids,
 * arrow-key selection, colour-bar ticks, contour lines over a partly evaluated grid, legend rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorScale } from '../../webview/colormap';
import {
  cellAtPoint, cellIndex, cellText, colorbarTicks, contourLines, coordAt, drawOrder, edges, legendRows, lossExtremes, planeLayout,
  presentFraction, stepSelection, type RunPath,
} from '../../webview/plane-geometry';
import type { PlaneData } from '../../webview/state';

const range = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));

/** A bowl J(a, b) = 1 + a² + b² on an n × n grid over [-1, 1]², optionally with a decreasing b axis. */
function bowl(n = 5, opts: { descendingB?: boolean; missing?: (i: number, j: number) => boolean } = {}): PlaneData {
  const a = range(-1, 1, n);
  const b = opts.descendingB ? range(1, -1, n) : range(-1, 1, n);
  const loss = b.map((bv, i) => a.map((av, j) => (opts.missing?.(i, j) ? null : 1 + av * av + bv * bv)));
  return {
    directions: 'goodfellow', a, b, loss, done: n * n, total: n * n,
    trajectory: { a: [], b: [], step: [] }, randomWalk: { a: [], b: [] }, init: [0, 0], final: [1, 0],
  };
}

const measure = (s: string) => 6 * s.length;

test('edges: midpoints between grid values, the ends half a step out; coordAt interpolates indices', () => {
  assert.deepEqual(edges([0, 1, 2]), [-0.5, 0.5, 1.5, 2.5]);
  assert.deepEqual(edges([3]), [2.5, 3.5]);
  assert.deepEqual(edges([2, 1, 0]), [2.5, 1.5, 0.5, -0.5]);
  assert.equal(coordAt([0, 10, 20], 0.5), 5);
  assert.equal(coordAt([0, 10, 20], -0.5), -5);
  assert.equal(coordAt([0, 10, 20], 2.5), 25);
  assert.equal(cellIndex([0, 1, 2, 3], 1.5), 1);
  assert.equal(cellIndex([0, 1, 2, 3], 3), 2);
  assert.equal(cellIndex([0, 1, 2, 3], 3.1), -1);
});

test('layout: square cells that fit the width; the colour bar right of the plot; a maps right, b up', () => {
  const p = bowl(5);
  const g = planeLayout(p, 600, 11, measure, colorScale(p.loss.flat(), true), 1000);
  assert.ok(g.plot.x > 0 && g.plot.x + g.plot.w < g.colorbar.x && g.colorbar.x + g.colorbar.w < 600);
  assert.equal(g.plot.h, Math.round(g.plot.w), 'a square grid gets a square plot');
  assert.ok(g.xOf(1) > g.xOf(-1));
  assert.ok(g.yOf(1) < g.yOf(-1), 'larger b is higher up (smaller y)');
  const c = g.cell(0, 0);
  assert.ok(Math.abs(c.w - g.plot.w / 5) < 1e-9 && Math.abs(c.h - g.plot.h / 5) < 1e-9);
  assert.ok(Math.abs(c.x - g.plot.x) < 1e-9 && Math.abs(c.y + c.h - (g.plot.y + g.plot.h)) < 1e-9, 'row 0 (b = -1) at the bottom left');
  assert.ok(g.legendTop > g.plot.y + g.plot.h);
  // A short viewport caps the height.
  const short = planeLayout(p, 1600, 11, measure, null, 300);
  assert.ok(short.plot.h <= Math.max(160, 300 * 0.72));
});

test('pointer → cell is the inverse of cell → rectangle, for ascending and descending grids', () => {
  for (const descendingB of [false, true]) {
    const p = bowl(7, { descendingB });
    const g = planeLayout(p, 500, 11, measure, null);
    for (const [i, j] of [[0, 0], [3, 4], [6, 6], [6, 0]] as const) {
      const r = g.cell(i, j);
      assert.deepEqual(cellAtPoint(g, p, r.x + r.w / 2, r.y + r.h / 2), [i, j], `cell (${i}, ${j}), descending b: ${descendingB}`);
    }
    assert.equal(cellAtPoint(g, p, g.plot.x - 1, g.plot.y + 5), undefined);
    assert.equal(cellAtPoint(g, p, g.plot.x + 5, g.plot.y + g.plot.h + 1), undefined);
    // Row of b = +1 is drawn at the top whatever the grid's order.
    const top = cellAtPoint(g, p, g.plot.x + 1, g.plot.y + 1)!;
    assert.equal(p.b[top[0]], 1);
  }
});

test('arrow keys move the selection on screen (up = larger b), clamped; Escape clears', () => {
  const p = bowl(5);
  assert.deepEqual(stepSelection(p, undefined, 'ArrowRight'), [2, 3], 'from the middle cell');
  assert.deepEqual(stepSelection(p, [2, 3], 'ArrowUp'), [3, 3]);
  assert.deepEqual(stepSelection(p, [4, 4], 'ArrowUp'), [4, 4], 'clamped at the edge');
  assert.deepEqual(stepSelection(p, [0, 0], 'ArrowLeft'), [0, 0]);
  assert.equal(stepSelection(p, [1, 1], 'Escape'), 'clear');
  assert.equal(stepSelection(p, [1, 1], 'a'), undefined);
  const d = bowl(5, { descendingB: true });
  assert.deepEqual(stepSelection(d, [2, 2], 'ArrowUp'), [1, 2], 'a descending b axis: up is the previous row');
});

test('colour-bar ticks: decades (and steps between) on a log scale, nice numbers on a linear one', () => {
  const log = colorScale([0.01, 10], true)!;
  const ticks = colorbarTicks(log);
  for (const d of [0.01, 0.1, 1, 10]) assert.ok(ticks.includes(d), JSON.stringify(ticks));
  assert.ok(ticks.every((v, k) => k === 0 || v > ticks[k - 1]));
  const lin = colorScale([0, 10], false)!;
  const lt = colorbarTicks(lin);
  assert.ok(lt[0] === 0 && lt.at(-1) === 10 && lt.length >= 5 && lt.every((v) => Number.isInteger(v)), JSON.stringify(lt));
});

test('contour lines: at the ticks inside the range, rings in plane coordinates; none below half a grid', () => {
  const p = bowl(9);
  const s = colorScale(p.loss.flat() as number[], false)!;
  const lines = contourLines(p, s);
  assert.ok(lines.length >= 2);
  for (const l of lines) {
    assert.ok(l.level > s.lo && l.level < s.hi);
    assert.ok(l.rings.length > 0);
    for (const ring of l.rings) for (const [a, b] of ring) assert.ok(Math.abs(a) <= 1.0001 + 0.25 && Math.abs(b) <= 1.0001 + 0.25);
  }
  // The isoline at level L of 1 + a² + b² is the circle of radius √(L − 1) (inside the grid: L < 2).
  const inner = lines.filter((l) => l.level < 1.8);
  assert.ok(inner.length, JSON.stringify(lines.map((l) => l.level)));
  for (const l of inner) {
    // (the region's outer ring runs along the padded grid border: not an isoline, not drawn)
    const radii = l.rings.flat().filter(([a, b]) => Math.max(Math.abs(a), Math.abs(b)) < 1).map(([a, b]) => Math.hypot(a, b));
    assert.ok(radii.length > 4);
    assert.ok(Math.max(...radii.map((r) => Math.abs(r - Math.sqrt(l.level - 1)))) < 0.08, `level ${l.level}: radii ${Math.min(...radii)}…${Math.max(...radii)}`);
  }
  // Missing cells are filled for the lines; under half of the grid evaluated: no lines.
  const holes = bowl(9, { missing: (i, j) => (i + j) % 3 === 0 });
  assert.ok(presentFraction(holes) > 0.5 && contourLines(holes, s).length > 0);
  const sparse = bowl(9, { missing: (i) => i > 3 });
  assert.ok(presentFraction(sparse) < 0.5);
  assert.deepEqual(contourLines(sparse, s), []);
  assert.deepEqual(contourLines(bowl(2), s), [], 'a grid under 3 × 3');
});

test('extremes, read-out text, legend rows and the drawing order of run paths', () => {
  const p = bowl(5, { missing: (i, j) => i === 0 && j === 0 });
  const e = lossExtremes(p);
  assert.equal(e.n, 24);
  assert.equal(e.min, 1);
  assert.deepEqual(e.argMin, [2, 2]);
  assert.deepEqual(e.argMax, [0, 4]);
  assert.match(cellText(p, 2, 2), /^a = 0, b = 0: loss 1(\.0+)?$/);
  assert.equal(cellText(p, 0, 0), 'a = -1, b = -1: loss not yet evaluated');
  const rows = legendRows([{ label: 'aaaa' }, { label: 'bbbb' }, { label: 'cccc' }], 50, 200, 26, measure);
  assert.deepEqual(rows.map((r) => r.map((x) => x.item.label)), [['aaaa', 'bbbb'], ['cccc']]);
  assert.equal(rows[1][0].x, 8, 'continuation rows start at the left');
  const runs: RunPath[] = [0, 1, 2].map((k) => ({ a: [k], b: [k], label: `r${k}`, color: '#fff' }));
  assert.deepEqual(drawOrder(runs).map((r) => r.label), ['r2', 'r1', 'r0'], 'run 0 last, on top');
  runs[1].top = true;
  assert.deepEqual(drawOrder(runs).map((r) => r.label), ['r2', 'r0', 'r1'], 'the selected run on top');
});
