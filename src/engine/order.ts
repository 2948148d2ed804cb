/**
 * Coarse-to-fine evaluation orders: the first points spread over the whole range, later ones
 * fill the gaps, so a streamed plot shows the whole shape early and sharpens.
 */
export function coarseToFine(n: number): number[] {
  if (n <= 0) return [];
  const seen = new Uint8Array(n);
  const out: number[] = [];
  const push = (i: number) => { if (i >= 0 && i < n && !seen[i]) { seen[i] = 1; out.push(i); } };
  push(0); push(n - 1);
  let step = 1;
  while (step * 2 < n - 1) step *= 2;
  for (; step >= 1; step = Math.floor(step / 2)) for (let i = 0; i < n; i += step) push(i);
  return out;
}

/** 2-D grid cells (row i, column j) in coarse-to-fine order. */
export function coarseToFineGrid(rows: number, cols: number): Array<[number, number]> {
  const ri = coarseToFine(rows), cj = coarseToFine(cols);
  const rank = (order: number[]) => { const r = new Array(order.length); order.forEach((v, k) => { r[v] = k; }); return r as number[]; };
  const rr = rank(ri), rc = rank(cj);
  const cells: Array<[number, number]> = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) cells.push([i, j]);
  // level of a coordinate = its rank bucket in the 1-D coarse-to-fine order (log scale)
  const level = (k: number) => (k < 2 ? 0 : Math.floor(Math.log2(k)));
  return cells.sort((p, q) => {
    const lp = Math.max(level(rr[p[0]]), level(rc[p[1]])), lq = Math.max(level(rr[q[0]]), level(rc[q[1]]));
    return lp - lq || p[0] - q[0] || p[1] - q[1];
  });
}
