// Harness scenarios of the newer analyses (fixtures from real CLI runs, see
// fixtures/make-analysis-fixtures.mjs): interpolation with BatchNorm both ways and with named
// endpoints, curvature, connect, compare, and the 3-D surface of a plane (synchronised with the
// contour map). Called from harness.mjs with its helpers.

/**
 * window.__patch(canvas, x, y, r): median colour of the (2r+1)² patch of a canvas around (x, y) in
 * CSS px. Defined through page.evaluate (not eval: the page's CSP forbids it).
 */
async function installPatch(page) {
  await page.evaluate(() => {
    window.__patch = (canvas, x, y, r = 2) => {
      const dpr = canvas.width / canvas.getBoundingClientRect().width;
      const d = canvas.getContext('2d').getImageData(Math.round(x * dpr) - r, Math.round(y * dpr) - r, 2 * r + 1, 2 * r + 1).data;
      const ch = [[], [], [], []];
      for (let k = 0; k < d.length; k += 4) for (let c = 0; c < 4; c++) ch[c].push(d[k + c]);
      return ch.map((a) => a.sort((p, q) => p - q)[a.length >> 1]);
    };
    // the most white pixel of the patch (max over pixels of min(r, g, b))
    window.__white = (canvas, x, y, r = 2) => {
      const dpr = canvas.width / canvas.getBoundingClientRect().width;
      const d = canvas.getContext('2d').getImageData(Math.round(x * dpr) - r, Math.round(y * dpr) - r, 2 * r + 1, 2 * r + 1).data;
      let best = 0;
      for (let k = 0; k < d.length; k += 4) best = Math.max(best, Math.min(d[k], d[k + 1], d[k + 2]));
      return best;
    };
  });
}

export async function analysesScenarios(h) {
  const { check, openPage, vscodePage, fixture, replay, frames, shot, posted, clickButton, replayScenario, THEMES } = h;

  // ---- interpolate: BatchNorm both ways ------------------------------------------------------
  console.log('\n# interpolate with BatchNorm statistics both ways (real: examples/batchnorm.landscape.ts, probe.bn both)');
  {
    const msgs = fixture('interpolate-bn');
    const result = msgs.find((m) => m.type === 'result').result;
    const ir = result.interpolate;
    const page = await replayScenario('interpolate-bn', 'dark', 'interp-bn-dark', { width: 720, height: 1000 });
    const r = await page.evaluate(() => {
      const [loss] = window.__ll.interp.charts();
      const ds = loss.data.datasets;
      return {
        labels: ds.map((d) => d.label), counts: ds.map((d) => d.data.length), dash: ds.map((d) => (d.borderDash ?? []).join(',')),
        colors: ds.map((d) => d.borderColor), legend: loss.legend.legendItems.map((i) => i.text),
        swatches: loss.legend.legendItems.map((i) => i.pointStyle?.tagName ?? null),
        note: document.querySelector('.ll-bn-note')?.textContent, noteHidden: document.querySelector('.ll-bn-note')?.hidden,
        badge: document.querySelector('.ll-badge')?.textContent,
        verdicts: [...document.querySelectorAll('.ll-summary .ll-verdict')].map((e) => e.textContent),
        rows: [...document.querySelectorAll('.ll-summary tbody th')].map((e) => e.textContent),
        aria: loss.canvas.getAttribute('aria-label'),
        y05: ds.find((d) => d.label === 'train loss (BN recomputed)')?.data.find((p) => p.x === 0.5)?.y,
      };
    });
    const kTrain = r.labels.indexOf('train loss (BN recomputed)'), kTest = r.labels.indexOf('test loss (BN recomputed)');
    check('BN: recomputed train / test curves on the loss chart (41 points each)', kTrain > 0 && kTest > 0 && r.counts[kTrain] === 41 && r.counts[kTest] === 41, JSON.stringify(r.labels) + r.counts);
    check('BN: recomputed curves dotted, in the train / test colours', r.dash[kTrain] === '1,4' && r.dash[kTest] === '1,4' && r.colors[kTrain] === r.colors[0] && r.colors[kTest] === r.colors[1], `${r.dash} ${r.colors}`);
    check('BN: the recomputed values are the result\'s', Math.abs(r.y05 - ir.bnRecomputed.trainLoss[ir.alpha.indexOf(0.5)]) < 1e-9, `${r.y05}`);
    check('BN: legend has the four curves (not the SE band), drawn as line swatches', r.legend.join('|') === 'train loss|test loss|train loss (BN recomputed)|test loss (BN recomputed)' && r.swatches.every((s) => s === 'CANVAS'), r.legend.join('|'));
    check('BN: the panel says how the statistics were handled', !r.noteHidden && r.note === 'BatchNorm statistics: both — solid: interpolated like the weights, dotted: recomputed at each α', r.note);
    check('BN: badge "interpolate · BN both"', r.badge === 'interpolate · BN both', r.badge);
    check('BN: a verdict per handling', r.verdicts.length === 2 && r.verdicts[0].startsWith('BatchNorm statistics interpolated: monotone on [0,1]') && r.verdicts[1].startsWith('BatchNorm statistics recomputed at each α:'), r.verdicts.join(' | '));
    check('BN: summary table rows for both handlings', r.rows.join('|').startsWith('train loss (BN interpolated)|test loss (BN interpolated)|train loss (BN recomputed)|test loss (BN recomputed)'), r.rows.join('|'));
    check('BN: aria-label mentions the dotted recomputed curves', /recomputed at each α/.test(r.aria ?? ''), r.aria);
    await clickButton(page, 'CSV');
    const csv = (await posted(page)).find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
    check('BN: CSV has the recomputed columns', csv[0]?.endsWith('train_loss_bn_recomputed,test_loss_bn_recomputed') && csv.length === 43, csv[0]);
    await page.context().close();
    const p2 = await replayScenario('interpolate-bn', 'light', 'interp-bn-light', { width: 560, height: 1000 });
    const fit = await p2.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    check('BN (light, 560 px): fits the panel', fit);
    await p2.context().close();
  }

  // ---- interpolate: two seeds (named endpoints) ----------------------------------------------
  console.log('\n# interpolate between two solutions (real: examples/goodfellow-two-seeds.landscape.ts, probe.seed2)');
  for (const [theme, name, width] of [['light', 'interp-seeds-light', 720], ['dark', 'interp-seeds-dark', 500]]) {
    const page = await replayScenario('interpolate-seeds', theme, name, { width, height: 1000 });
    const r = await page.evaluate(() => {
      const [loss] = window.__ll.interp.charts();
      const mk = loss.options.plugins.llMarkers;
      return {
        markers: mk.lines.map((l) => `${l.x}:${l.label}`), barrier: mk.barrier?.label,
        head: document.querySelector('.ll-interp h2').textContent,
        th: [...document.querySelectorAll('.ll-summary thead th')].map((e) => e.textContent),
        verdict: document.querySelector('.ll-summary .ll-verdict')?.textContent, bnHidden: document.querySelector('.ll-bn-note').hidden,
        aria: loss.canvas.getAttribute('aria-label'),
      };
    });
    check(`${name}: markers use the result's endpoints`, r.markers.join('|') === '0:θ_T (seed 1)|1:θ_T (seed 2)', r.markers.join('|'));
    check(`${name}: heading is the line between the two solutions`, r.head === 'Linear interpolation θ(α) = (1−α)·θT(seed 1) + α·θT(seed 2)', r.head);
    check(`${name}: table heads name the endpoints`, r.th[1] === 'α = 0 θT (seed 1)' && r.th[3] === 'α = 1 θT (seed 2)', r.th.join('|'));
    check(`${name}: verdict: the barrier between the two solutions`, /^Not monotone on \[0,1\]: barrier of 0\.334 above the chord at α = 0\.5 between θT \(seed 1\) and θT \(seed 2\)\.$/.test(r.verdict ?? '') && /^barrier 0\.334 at α = 0\.5$/.test(r.barrier ?? ''), `${r.verdict} | ${r.barrier}`);
    check(`${name}: no BatchNorm line (the model has none)`, r.bnHidden);
    check(`${name}: aria-label names the endpoints`, /from θT \(seed 1\) \(α = 0\) to θT \(seed 2\) \(α = 1\)/.test(r.aria ?? ''), r.aria);
    await page.context().close();
  }

  // ---- curvature -------------------------------------------------------------------------------
  console.log('\n# curvature (real: examples/mnist-mlp.landscape.ts → saddle; examples/deep-linear.landscape.ts → minimum)');
  {
    const errors = [];
    const msgs = fixture('curvature-mlp');
    const c = msgs.find((m) => m.type === 'result').result.curvature;
    const page = await openPage(vscodePage('curvature-mlp-dark', 'dark'), { errors, width: 720, height: 1100 });
    const firstProbe = msgs.findIndex((m) => m.type === 'progress' && m.phase === 'probe');
    await replay(page, msgs.slice(0, firstProbe + 1), { batch: 4 });
    const live = await page.evaluate(() => ({
      state: document.querySelector('.ll-state').textContent, status: document.querySelector('.ll-status').textContent,
      placeholder: document.querySelector('.ll-curv .ll-placeholder')?.textContent, bar: !document.querySelector('.ll-bar').hidden,
      width: document.querySelector('.ll-bar-fill').style.width, train: !document.querySelector('.ll-train').hidden,
    }));
    check('curvature live: probing, status and bar follow the Hessian products', live.state === 'probing' && /probing 1\/\d+: Hessian eigenvalues \(Lanczos\)/.test(live.status) && live.bar, JSON.stringify(live));
    check('curvature live: placeholder says what is computed', /^Hessian eigenvalues \(Lanczos\)… \(1\/\d+/.test(live.placeholder ?? '') && live.train, live.placeholder);
    await shot(page, 'curvature-dark-streaming');
    await replay(page, msgs.slice(firstProbe + 1), { batch: 4 });
    await frames(page);
    const r = await page.evaluate(() => {
      const v = window.__ll.curvature;
      const [spec, slices, path] = v.charts();
      const head = document.querySelector('.ll-curv-verdict');
      return {
        word: head.querySelector('.ll-curv-word').textContent, detail: head.querySelector('.ll-curv-detail').textContent, cls: head.className,
        color: getComputedStyle(head.querySelector('.ll-curv-word')).color,
        bars: spec.data.datasets[0].data.map((b) => b.value), barY: spec.data.datasets[0].data.map((b) => b.y),
        hl: spec.options.plugins.llMarkers.hlines, labels: spec.options.plugins.llMarkers.pointLabels.map((p) => p.text),
        xTicks: spec.scales.x.ticks.map((t) => t.label), yTicks: spec.scales.y.ticks.map((t) => t.label),
        slices: slices.data.datasets.map((d) => `${d.label}:${d.data.length}`), path: path.data.datasets.map((d) => `${d.label}:${d.data.length}`),
        pathZero: path.options.plugins.llMarkers.hlines?.[0]?.y, pathTicks: path.scales.y.ticks.map((t) => t.label),
        stats: document.querySelector('.ll-curv .ll-stats').textContent, badge: document.querySelector('.ll-badge').textContent,
        notes: document.querySelector('.ll-curv .ll-caption').textContent,
      };
    });
    check('curvature: verdict headline "Saddle point" in orange', r.word === 'Saddle point' && r.cls.includes('ll-curv-saddle') && r.color === 'rgb(209, 134, 22)', `${r.word} ${r.cls} ${r.color}`);
    check('curvature: the headline explains it with the numbers', r.detail === 'λmin = -0.188 < 0: the loss still decreases along the bottom eigenvector (λmax = 4.63).', r.detail);
    check('curvature: spectrum = top-5 and λmin (6 stems), λmin below the zero line', r.bars.length === 6 && r.bars[5] === c.lambdaMin && r.barY[5] < 0 && r.barY.slice(0, 5).every((y) => y > 0) && r.hl?.[0]?.y === 0, JSON.stringify(r.bars));
    check('curvature: stems labelled with their values, axis λ₁…λ₅, λmin', r.labels.join('|') === '4.63|4|3.67|2.93|2.79|-0.188' && r.xTicks.join('|') === 'λ₁|λ₂|λ₃|λ₄|λ₅|λmin', `${r.labels} ${r.xTicks}`);
    check('curvature: symlog ticks labelled in eigenvalue units', r.yTicks.includes('0') && r.yTicks.includes('1') && r.yTicks.some((t) => t.startsWith('−')), r.yTicks.join('|'));
    check('curvature: the two slices on one chart (41 points each)', r.slices.join('|') === 'along vmax (λ = 4.63):41|along vmin (λ = -0.188):41', r.slices.join('|'));
    check('curvature: λmax and λmin at the 8 path snapshots, zero line', r.path.join('|') === 'λmax:8|λmin:8' && r.pathZero === 0 && r.pathTicks.includes('0'), `${r.path} ${r.pathTicks}`);
    check('curvature: trace ± SE and the other numbers', /trace 47\.65 ± 2\.7/.test(r.stats) && /‖∇J‖ 0\.422/.test(r.stats) && /2,000 training examples/.test(r.stats) && /double-backprop, top 5/.test(r.stats), r.stats);
    check('curvature: badge and path note', r.badge === 'curvature' && /λmin < 0 at 8 of 8 snapshots/.test(r.notes), `${r.badge} | ${r.notes}`);
    await shot(page, 'curvature-mlp-dark');
    await clickButton(page, 'CSV');
    await clickButton(page, 'PNG');
    const sent = await posted(page);
    const csv = sent.find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
    const png = sent.find((m) => m.type === 'export' && m.format === 'png');
    check('curvature CSV: spectrum, slices and path blocks', csv[0] === 'kind,index,eigenvalue' && csv.includes('t,loss_along_top,loss_along_bottom') && csv.includes('step,lambda_max,lambda_min') && csv.filter((l) => /^top,/.test(l)).length === 5, csv.slice(0, 3).join(' / '));
    check('curvature PNG export', png?.data.startsWith('data:image/png;base64,') && png.name === 'mnist-mlp-mlp-curvature.png' && png.data.length > 40000, `${png?.name} ${png?.data.length}`);
    if (png) h.writePng('curvature-export.png', png.data);
    check('no page errors (curvature)', errors.length === 0, errors.join(' | '));
    await page.context().close();

    const p2 = await replayScenario('curvature-mlp', 'light', 'curvature-mlp-light', { width: 560, height: 1100 });
    const fit = await p2.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth, charts: window.__ll.curvature.charts().map((c) => c.width) }));
    check('curvature (light, 560 px): fits the panel, charts stacked', fit.doc <= fit.win && fit.charts.every((w) => w <= 560), JSON.stringify(fit));
    await p2.context().close();

    const p3 = await replayScenario('curvature-deep-linear', 'light', 'curvature-deep-linear-light', { width: 900, height: 1000 });
    const d = await p3.evaluate(() => {
      const head = document.querySelector('.ll-curv-verdict');
      const [spec, , path] = window.__ll.curvature.charts();
      return { word: head.querySelector('.ll-curv-word').textContent, cls: head.className, color: getComputedStyle(head.querySelector('.ll-curv-word')).color,
        bars: spec.data.datasets[0].data.length, stats: document.querySelector('.ll-curv .ll-stats').textContent,
        neg: path.data.datasets[1].data.filter((p) => p.v < 0).length, side: spec.canvas.getBoundingClientRect().top === path.canvas.getBoundingClientRect().top };
    });
    check('curvature deep-linear: "Minimum" in green', d.word === 'Minimum' && d.cls.includes('ll-curv-minimum') && d.color === 'rgb(56, 138, 52)', `${d.word} ${d.color}`);
    check('curvature deep-linear: 2 parameters → top-2 + λmin, exact trace', d.bars === 3 && /trace 6\.417 \(exact\)/.test(d.stats), `${d.bars} ${d.stats}`);
    check('curvature deep-linear: the saddle at the start of the path (λmin < 0 at 3 snapshots)', d.neg === 3, String(d.neg));
    // an unconverged Lanczos run: the panel says the eigenvalues are estimates, λmin ± its residual
    const est = await p3.evaluate(async () => {
      const m = window.__ll.model;
      const before = !!document.querySelector('.ll-curv .ll-badge-warn');
      const result = { ...m.result, curvature: { ...m.result.curvature, converged: false, lanczosSteps: 160, lambdaMinResidual: 0.0123 } };
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'result', runId: m.runId, result } }));
      await new Promise((r) => setTimeout(r, 300));
      return { before, badge: document.querySelector('.ll-curv .ll-badge-warn')?.textContent, stats: document.querySelector('.ll-curv .ll-stats').textContent };
    });
    check('curvature: no "estimates" badge for a converged result; one, and λmin ± residual, when Lanczos did not converge',
      !est.before && est.badge === 'estimates' && /λmin \S+ ± 0\.012/.test(est.stats), JSON.stringify(est));
    await p3.context().close();

    // 'flat' is rare in real runs: the verdict styling from the real result with the verdict changed.
    const flatMsgs = fixture('curvature-deep-linear').map((m) => (m.type === 'result'
      ? { ...m, result: { ...m.result, curvature: { ...m.result.curvature, verdict: 'flat', verdictText: 'flat (λ_max = 1e-9)', eigenvalues: [1e-9, 1e-12], lambdaMin: 1e-12 } } } : m));
    const errors4 = [];
    const p4 = await openPage(vscodePage('curvature-flat', 'dark'), { errors: errors4, width: 600, height: 900 });
    await replay(p4, flatMsgs, { batch: 8 });
    const f = await p4.evaluate(() => { const w = document.querySelector('.ll-curv-word'); return { word: w.textContent, color: getComputedStyle(w).color, muted: getComputedStyle(document.querySelector('.ll-muted')).color }; });
    check('curvature "flat": grey headline', f.word === 'Flat' && f.color === f.muted, JSON.stringify(f));
    check('no page errors (curvature flat)', errors4.length === 0, errors4.join(' | '));
    await p4.context().close();
  }

  // ---- curvature lab (issue 23): spectral density and per-layer blocks ---------------------------
  console.log('\n# curvature lab (real: examples/mnist-mlp.landscape.ts, 1 SLQ run × 100 steps, per-layer blocks)');
  {
    const c = fixture('curvature-lab').find((m) => m.type === 'result').result.curvature;
    const page = await replayScenario('curvature-lab', 'dark', 'curvature-lab-dark', { width: 900, height: 1500 });
    const r = await page.evaluate(() => {
      const charts = window.__ll.curvature.charts();
      const [density, layers] = charts.slice(3);
      const m = density.options.plugins.llMarkers.lines;
      return {
        points: density.data.datasets[0].data.length, yType: density.scales.y.type, yMin: density.scales.y.min,
        lines: m.map((l) => l.label ?? '').join('|'), edge: m.find((l) => l.label === 'bulk edge')?.x,
        caption: document.querySelector('.ll-curv-density-caption').textContent,
        bars: layers.data.datasets.map((d) => `${d.label}:${d.data.map((b) => b.y.toPrecision(3)).join('/')}`),
        rows: [...document.querySelectorAll('.ll-curv-layers tbody tr')].map((tr) => tr.textContent),
        hidden: [...document.querySelectorAll('.ll-curv-lab > .ll-panel')].map((p) => p.hidden),
        stats: document.querySelector('.ll-curv .ll-stats').textContent,
      };
    });
    check('curvature lab: the density on its 1001-point grid, a log axis floored above 0', r.points === c.density.x.length && r.points === 1001 && r.yType === 'logarithmic' && r.yMin > 0, JSON.stringify(r).slice(0, 200));
    check('curvature lab: the top eigenvalues and the bulk edge marked', r.lines === 'λ₁||||λ₅|bulk edge' && r.edge === c.density.bulkEdge, r.lines);
    check('curvature lab: the caption counts the outliers (9 for 10 classes) and gives the moments', /^9 outliers above the bulk \(edge at 0\.524\)/.test(r.caption) && /moments/.test(r.caption), r.caption);
    check('curvature lab: λmax and λmin per layer as bars, a table row per layer with the sharpest starred', r.bars.length === 2 && r.bars[0] === 'λmax:3.02/1.95' && r.rows.length === 2 && r.rows[0].startsWith('dense_Dense1 ★'), JSON.stringify([r.bars, r.rows]));
    check('curvature lab: both panels shown; the stats say how the trace was estimated', r.hidden.every((h) => !h) && /trace by hutch\+\+, 36 products/.test(r.stats), `${r.hidden} ${r.stats}`);
    await page.context().close();
    const hp = await replayScenario('plane-hessian', 'dark', 'plane-hessian-dark', { width: 720, height: 1000 });
    const lab = await hp.evaluate(() => document.querySelector('.ll-plane-canvas')?.getAttribute('aria-label') ?? document.body.textContent);
    check('plane --directions hessian: axes along the top Hessian eigenvectors', /u = v₁ of the Hessian/.test(lab), lab.slice(0, 200));
    await hp.context().close();
    const old = await replayScenario('curvature-mlp', 'dark', 'curvature-mlp-no-lab', { width: 720, height: 1100 });
    const hid = await old.evaluate(() => [...document.querySelectorAll('.ll-curv-lab > .ll-panel')].map((p) => p.hidden));
    check('curvature: a result without density or layers (older run) hides the lab panels', hid.length === 2 && hid.every(Boolean), JSON.stringify(hid));
    await old.context().close();
  }

  // ---- connect -------------------------------------------------------------------------------
  console.log('\n# connect (real: examples/mnist-mlp.landscape.ts, seeds 1 ↔ 2)');
  {
    const result = fixture('connect').find((m) => m.type === 'result').result;
    const page = await replayScenario('connect', 'dark', 'connect-dark', { width: 720, height: 1100 });
    const r = await page.evaluate(() => {
      const [loss, acc] = window.__ll.connect.charts();
      const mk = loss.options.plugins.llMarkers;
      return {
        ds: loss.data.datasets.map((d) => `${d.label}:${d.data.length}`), acc: acc.data.datasets.length, colors: loss.data.datasets.map((d) => d.borderColor),
        dash: loss.data.datasets.map((d) => (d.borderDash ?? []).join(',')),
        markers: mk.lines.map((l) => `${l.x}:${l.label}`), barrier: mk.barrier, verdict: document.querySelector('.ll-connect .ll-verdict').textContent,
        cls: document.querySelector('.ll-connect .ll-verdict').className, rows: [...document.querySelectorAll('.ll-connect tbody th')].map((e) => e.textContent),
        train: document.querySelector('.ll-train h2').textContent, yType: loss.options.scales.y.type,
      };
    });
    check('connect: curve and line, train and test, 41 points each', r.ds.join('|') === 'curve · train:41|curve · test:41|line · train:41|line · test:41' && r.acc === 4, r.ds.join('|'));
    check('connect: colour = path (curve / line), dash = test', r.colors[0] === r.colors[1] && r.colors[2] === r.colors[3] && r.colors[0] !== r.colors[2] && r.dash.join('|') === '|6,3||6,3', `${r.colors} ${r.dash}`);
    check('connect: t = 0 / 1 are θT of the two seeds', r.markers.join('|') === '0:θ_T seed 1|1:θ_T seed 2', r.markers.join('|'));
    check('connect: summary sentence', r.verdict === 'Straight line: max test loss 0.598 (barrier +0.282 over the endpoints); trained curve: max 0.316 (within 0.0 % of the endpoints).' && !r.cls.includes('bump'), r.verdict);
    check('connect: the line\'s barrier bracketed', r.barrier && Math.abs(r.barrier.yHigh - result.connect.lineMaxTestLoss) < 1e-12 && /^line barrier \+0\.282 \(test\)$/.test(r.barrier.label), JSON.stringify(r.barrier));
    check('connect: table rows and training title', r.rows.join('|') === 'straight line|Bézier curve|endpoints' && r.train === 'Training (seed 1; seed 2 trained alike)', `${r.rows} | ${r.train}`);
    await clickButton(page, 'CSV');
    const csv = (await posted(page)).find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
    check('connect CSV: t and the four losses', csv[0]?.startsWith('t,curve_train_loss,curve_test_loss,line_train_loss,line_test_loss') && csv.length === 43, csv[0]);
    await page.context().close();
    const p2 = await replayScenario('connect', 'light', 'connect-light', { width: 560, height: 1100 });
    await p2.context().close();
  }

  // ---- compare -------------------------------------------------------------------------------
  console.log('\n# compare (real: examples/compare-optimizers.landscape.ts, 4 runs)');
  {
    const result = fixture('compare').find((m) => m.type === 'result').result;
    const runs = result.compare.runs;
    const page = await replayScenario('compare', 'dark', 'compare-dark', { width: 720, height: 1100 });
    const r = await page.evaluate(() => {
      const v = window.__ll.compare;
      const [chart] = v.charts();
      const pv = v.plane;
      const p = window.__ll.model.comparePlane;
      const colors = chart.data.datasets.map((d) => d.borderColor);
      // pixels of each run's colour along its path on the contour map (paths overlap: some of its points)
      const pathHit = window.__ll.model.result.compare.runs.map((run, k) => {
        const c = colors[k];
        const want = c.startsWith('#') ? [1, 3, 5].map((o) => parseInt(c.slice(o, o + 2), 16)) : c.match(/\d+/g).map(Number);
        const dpr = pv.canvas.width / pv.geom.width;
        const ctx = pv.canvas.getContext('2d');
        let hits = 0;
        for (let m = 2; m < run.path.a.length; m += 3) {
          const x = pv.geom.xOf(run.path.a[m]), y = pv.geom.yOf(run.path.b[m]);
          const d = ctx.getImageData(Math.round(x * dpr) - 1, Math.round(y * dpr) - 1, 3, 3).data;
          for (let q = 0; q < d.length; q += 4) {
            if (Math.max(Math.abs(d[q] - want[0]), Math.abs(d[q + 1] - want[1]), Math.abs(d[q + 2] - want[2])) <= 30) { hits++; break; }
          }
        }
        return hits;
      });
      return {
        ds: chart.data.datasets.map((d) => `${d.label}:${d.data.length}`), colors, unique: new Set(colors).size,
        legend: chart.legend.legendItems.map((i) => i.text),
        rows: [...document.querySelectorAll('.ll-compare-table tbody tr')].map((tr) => tr.querySelector('th').textContent),
        planeLegend: pv.spec.runPaths(window.__ll.model, p).map((x) => x.label), pathHit,
        badge: document.querySelector('.ll-badge').textContent, train: document.querySelector('.ll-train h2').textContent,
        meta: pv.el.querySelector('.ll-plane-meta').textContent, mode: pv.mode(),
        aria: chart.canvas.getAttribute('aria-label'),
      };
    });
    const names = runs.map((x) => x.name);
    check('compare: one θ₀ → θT curve per run (21 points), legend by name', r.ds.join('|') === names.map((n) => `${n}:21`).join('|') && r.legend.join('|') === names.join('|'), r.ds.join('|'));
    check('compare: one colour per run', r.unique === runs.length, r.colors.join(' '));
    check('compare: table of the runs', r.rows.length === runs.length && r.rows[0] === 'as defined (plane)' && r.rows[2] === 'momentum 0.9', r.rows.join('|'));
    check('compare: every run\'s path on the plane, in its colour', r.planeLegend.join('|') === names.join('|') && r.pathHit.every((n) => n >= 3), `${r.planeLegend} ${r.pathHit}`);
    check('compare: badge, training title, plane meta', r.badge === 'compare · 4 runs' && r.train === "Training of 'as defined' (run 1 of 4, the plane's)" && /goodfellow directions of 'as defined'/.test(r.meta) && /99% of the trajectory/.test(r.meta), `${r.badge} | ${r.train} | ${r.meta}`);
    // select a run: row click → its curve comes forward, the others fade
    await page.click('.ll-compare-table tbody tr[data-index="2"]');
    await frames(page);
    const sel = await page.evaluate(() => {
      const [chart] = window.__ll.compare.charts();
      return { widths: chart.data.datasets.map((d) => d.borderWidth), selected: [...document.querySelectorAll('.ll-compare-table tr.ll-run-selected')].map((t) => t.dataset.index),
        info: document.querySelector('.ll-compare .ll-point-info').textContent, top: window.__ll.compare.plane.spec.runPaths(window.__ll.model, window.__ll.model.comparePlane).findIndex((x) => x.top) };
    });
    check('compare: selecting a run brings its curve and path forward', sel.widths[2] > sel.widths[0] && sel.selected.join() === '2' && sel.top === 2 && sel.info.startsWith('momentum 0.9 · final train loss 0.2132'), JSON.stringify(sel));
    await shot(page, 'compare-dark-selected');
    // reload: the panel restores the compare result (and the selection) from getState()
    await page.waitForTimeout(400);
    const state = await page.evaluate(() => window.__state);
    const errs = [];
    const pr = await openPage(vscodePage('compare-restored', 'dark', state), { errors: errs, width: 720, height: 900 });
    const rr = await pr.evaluate(() => ({ n: window.__ll.compare?.charts()[0].data.datasets.length, plane: window.__ll.compare?.plane.geom?.height ?? 0, sel: window.__ll.ui.selectedRun }));
    check('compare restores from getState() after a reload', rr.n === runs.length && rr.plane > 300 && rr.sel === 2, JSON.stringify(rr));
    check('no page errors (compare restored)', errs.length === 0, errs.join(' | '));
    await pr.context().close();
    await clickButton(page, 'CSV');
    const csv = (await posted(page)).find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
    check('compare CSV: runs then curves', csv[0]?.startsWith('run,final_train_loss') && csv.includes('run,alpha,train_loss,test_loss') && csv.length === 1 + 4 + 1 + 1 + 4 * 21 + 1, `${csv[0]} ${csv.length}`);
    await page.context().close();
    const p2 = await replayScenario('compare', 'light', 'compare-light', { width: 900, height: 1100 });
    const l = await p2.evaluate(() => ({ mode: window.__ll.compare.plane.mode(), s: window.__ll.compare.plane.surface.canvas.width, doc: document.documentElement.scrollWidth, win: window.innerWidth }));
    check('compare (light, 900 px): contour map and 3-D side by side, fits', l.mode === 'both' && l.s > 0 && l.doc <= l.win, JSON.stringify(l));
    await p2.context().close();
  }

  // ---- 3-D surface ------------------------------------------------------------------------------
  console.log('\n# 3-D surface of a plane: toggle, drawing, rotate / zoom, hover synchronised with the contour map');
  {
    const errors = [];
    const page = await openPage(vscodePage('plane3d-dark', 'dark'), { errors, width: 720, height: 1100 });
    await replay(page, fixture('plane'), { batch: 8 });
    await frames(page);
    const before = await page.evaluate(() => ({ mode: window.__ll.plane.mode(), hidden: window.__ll.plane.surface.canvas.closest('.ll-plane-wrap').hidden,
      pressed: [...document.querySelectorAll('.ll-seg-btn')].map((b) => `${b.textContent}:${b.getAttribute('aria-pressed')}`) }));
    check('3-D: at 720 px the contour map alone by default (toggle shows 2-D pressed)', before.mode === '2d' && before.hidden && before.pressed.join('|') === '2-D:true|3-D:false|Both:false', JSON.stringify(before));
    await page.click('.ll-seg-btn[data-mode="3d"]');
    await frames(page);
    const drawn = await page.evaluate(() => {
      const pv = window.__ll.plane;
      const c = pv.surface.canvas;
      const r = c.getBoundingClientRect();
      const d = c.getContext('2d').getImageData(Math.round(c.width / 2) - 30, Math.round(c.height / 2) - 30, 60, 60).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 200) n++;
      return { w: r.width, h: r.height, filled: n / (d.length / 4), mapHidden: pv.canvas.closest('.ll-plane-wrap').hidden, state: window.__ll.ui.planeMode,
        aria: c.getAttribute('aria-label'), canvases: pv.canvases().length };
    });
    check('3-D: the toggle shows the surface instead of the map (and is saved)', drawn.mapHidden && drawn.w > 600 && drawn.h > 350 && drawn.state === '3d' && drawn.canvases === 1, JSON.stringify(drawn));
    check('3-D: surface drawn (opaque pixels in the middle of the canvas)', drawn.filled > 0.9, String(drawn.filled));
    check('3-D: aria-label describes the surface and the controls', /3-D surface of the train loss .* 21 by 21 grid, height and colour log-scaled/.test(drawn.aria) && /Drag/.test(drawn.aria), drawn.aria);
    // the surface's colour at a vertex is the map's colour (viridis of the log-scaled loss), up to the shading
    await installPatch(page);
    const col = await page.evaluate(() => {
      const patch = window.__patch;
      const pv = window.__ll.plane;
      const out = [];
      for (const [i, j] of [[3, 17], [10, 10]]) {
        const q = pv.surface.screenOf(i, j);
        const got = patch(pv.surface.canvas, q.x, q.y + 3, 1);
        const exp = pv.cellColor(i, j);
        out.push({ got, exp, ratio: [0, 1, 2].map((n) => (got[n] + 1) / (exp[n] + 1)) });
      }
      return out;
    });
    check('3-D: surface colours are the heatmap\'s viridis, shaded (0.6–1.05 of it)', col.every((c) => c.ratio.every((x) => x > 0.55 && x < 1.08)), JSON.stringify(col));
    await shot(page, 'plane3d-dark');

    // hover on the 3-D → the contour map's cell
    await page.click('.ll-seg-btn[data-mode="both"]');
    await frames(page);
    const target = await page.evaluate(() => {
      const pv = window.__ll.plane;
      const c = pv.surface.canvas.getBoundingClientRect();
      const q = pv.surface.screenOf(12, 14);
      const cell = pv.surface.pick(q.x, q.y + 2);
      return { x: c.left + q.x, y: c.top + q.y + 2, cell, side: pv.canvas.getBoundingClientRect().top === c.top };
    });
    await page.mouse.move(target.x, target.y);
    await frames(page);
    const hov = await page.evaluate(() => {
      const patch = window.__patch;
      const pv = window.__ll.plane;
      const cell = pv.hoverCell();
      const r = cell && pv.geom.cell(cell[0], cell[1]);
      const edge = r ? window.__white(pv.canvas, r.x + r.w / 2, r.y, 2) : null;
      void patch;
      return { cell, info: document.querySelector('.ll-plane .ll-point-info').textContent, tip: document.querySelectorAll('.ll-tip')[1]?.textContent,
        tipShown: !document.querySelectorAll('.ll-tip')[1]?.hidden, edge, surfaceHl: pv.surface.highlighted };
    });
    const p = fixture('plane').find((m) => m.type === 'result').result.plane;
    const [hi, hj] = hov.cell ?? [-1, -1];
    check('3-D hover → the contour map highlights the same cell', JSON.stringify(hov.cell) === JSON.stringify(target.cell) && hov.edge > 200, `${JSON.stringify(hov.cell)} vs ${JSON.stringify(target.cell)} edge ${hov.edge}`);
    check('3-D hover: read-out and tooltip show that (a, b)', hov.info.startsWith(`a = ${+p.a[hj].toPrecision(3)}, b = ${+p.b[hi].toPrecision(3)}: loss`) && hov.tipShown && hov.tip === hov.info, `${hov.info} | ${hov.tip}`);
    check('3-D hover: the surface marks it too', JSON.stringify(hov.surfaceHl) === JSON.stringify(hov.cell));
    await shot(page, 'plane3d-both-hover-dark');
    // hover on the map → the surface's highlighted point
    const m2 = await page.evaluate(() => { const pv = window.__ll.plane; const r = pv.canvas.getBoundingClientRect(); const c = pv.geom.cell(4, 6); return { x: r.left + c.x + c.w / 2, y: r.top + c.y + c.h / 2 }; });
    await page.mouse.move(m2.x, m2.y);
    await frames(page);
    const hl = await page.evaluate(() => {
      const s = window.__ll.plane.surface;
      const q = s.screenOf(4, 6);
      return { cell: s.highlighted, white: window.__white(s.canvas, q.x, q.y, 4) };
    });
    check('contour map hover → the 3-D surface highlights (a, b) (white mark drawn there)', JSON.stringify(hl.cell) === '[4,6]' && hl.white > 220, JSON.stringify(hl));

    // drag rotates, wheel zooms, keys, double-click resets
    const s0 = await page.evaluate(() => { const s = window.__ll.plane.surface; const r = s.canvas.getBoundingClientRect(); return { yaw: s.yaw, pitch: s.pitch, zoom: s.zoom, x: r.left + r.width / 2, y: r.top + r.height / 2, img: s.canvas.toDataURL() }; });
    await page.mouse.move(s0.x, s0.y);
    await page.mouse.down();
    await page.mouse.move(s0.x + 60, s0.y + 25, { steps: 5 });
    await page.mouse.up();
    await frames(page);
    const s1 = await page.evaluate(() => { const s = window.__ll.plane.surface; return { yaw: s.yaw, pitch: s.pitch, img: s.canvas.toDataURL(), sel: window.__ll.ui.selectedCell }; });
    check('3-D: dragging rotates (azimuth and elevation) and redraws, without selecting', s1.yaw > s0.yaw + 0.4 && s1.pitch > s0.pitch && s1.img !== s0.img && !s1.sel, JSON.stringify({ ...s1, img: undefined }));
    await page.mouse.wheel(0, -300);
    await frames(page);
    const z = await page.evaluate(() => window.__ll.plane.surface.zoom);
    check('3-D: the wheel zooms', z > 1.3, String(z));
    await page.focus('.ll-surface-canvas');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('ArrowRight');
    await frames(page);
    const k = await page.evaluate(() => ({ yaw: window.__ll.plane.surface.yaw, sel: window.__ll.ui.selectedCell, hl: window.__ll.plane.surface.canvas.getAttribute('aria-label') }));
    check('3-D keys: Shift+arrows rotate, arrows move the selected point (shared with the map)', Math.abs(k.yaw - (s1.yaw - 0.12)) < 1e-9 && JSON.stringify(k.sel) === '[10,11]', JSON.stringify(k));
    await page.dblclick('.ll-surface-canvas');
    await frames(page);
    const rs = await page.evaluate(() => { const s = window.__ll.plane.surface; return [s.yaw, s.pitch, s.zoom]; });
    check('3-D: double-click resets the view', rs[0] === s0.yaw && rs[1] === s0.pitch && rs[2] === 1, rs.join(','));
    await page.mouse.move(5, 5);
    await frames(page);
    await clickButton(page, 'PNG');
    const png = (await posted(page)).find((m) => m.type === 'export' && m.format === 'png');
    const pngH = await page.evaluate((d) => new Promise((res) => { const im = new Image(); im.onload = () => res([im.width, im.height]); im.src = d; }), png?.data ?? '');
    check('3-D: PNG export holds the map and the surface', pngH[1] > 500 && pngH[0] >= 600, JSON.stringify(pngH));
    if (png) h.writePng('plane3d-export.png', png.data);
    check('no page errors (3-D)', errors.length === 0, errors.join(' | '));
    await page.context().close();
  }

  for (const [fx, theme, name, width, mode] of [
    ['plane-deep-linear', 'light', 'plane3d-deep-linear-both-light', 900, 'both'],
    ['plane-deep-linear', 'dark', 'plane3d-deep-linear-dark', 500, '3d'],
    ['plane', 'light', 'plane3d-light', 600, '3d'],
  ]) {
    const state = { v: 1, model: { v: 1, status: 'idle', epochs: [], logs: [], rev: 0 }, ui: { logY: true, planeLog: true, contours: true, paths: true, planeMode: mode } };
    const errors = [];
    const page = await openPage(vscodePage(name, theme, state), { errors, width, height: 1000 });
    await replay(page, fixture(fx), { batch: 12 });
    await frames(page);
    const g = await page.evaluate(() => ({ mode: window.__ll.plane.mode(), w: window.__ll.plane.surface.canvas.getBoundingClientRect().width, doc: document.documentElement.scrollWidth, win: window.innerWidth,
      cells: window.__ll.model.plane.done }));
    check(`${name}: ${mode} at ${width} px, fits`, g.mode === mode && g.w > 0 && g.w <= width && g.doc <= g.win, JSON.stringify(g));
    await shot(page, name);
    check(`no page errors (${name})`, errors.length === 0, errors.join(' | '));
    await page.context().close();
  }

  // ---- the survey's stuck plane and NaN / null handling ----------------------------------------
  console.log('\n# 3-D of the survey plane; NaN cells and explained: null');
  {
    const base = fixture('plane');
    const res = base.find((m) => m.type === 'result').result;
    // JSON turns NaN into null: a cell that could not be evaluated, and `explained` when undefined
    const loss = res.plane.loss.map((row, i) => row.map((v, j) => (i === 5 && j === 5 ? null : v)));
    const msgs = base.map((m) => (m.type === 'result' ? { ...m, result: { ...res, plane: { ...res.plane, loss, explained: null } } } : m));
    const errors = [];
    const state = { v: 1, model: { v: 1, status: 'idle', epochs: [], logs: [], rev: 0 }, ui: { logY: true, planeLog: true, contours: true, paths: true, planeMode: 'both' } };
    const page = await openPage(vscodePage('plane-nan', 'dark', state), { errors, width: 720, height: 1000 });
    await replay(page, msgs, { batch: 12 });
    await frames(page);
    const r = await page.evaluate(() => ({ meta: document.querySelector('.ll-plane-meta').textContent, explained: window.__ll.model.plane.explained, cell: window.__ll.model.plane.loss[5][5],
      drawn: window.__ll.plane.surface.canvas.width > 0 }));
    check('explained: null and a null cell render (no "null"/"NaN" shown, surface drawn)', r.explained === null && r.cell === null && !/null|NaN/.test(r.meta) && !/holds/.test(r.meta) && r.drawn, JSON.stringify(r));
    check('no page errors (NaN plane)', errors.length === 0, errors.join(' | '));
    await page.context().close();
  }
  void THEMES;
}
