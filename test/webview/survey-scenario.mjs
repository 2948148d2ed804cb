// Harness scenario of the survey view (Swirszcz et al.): live runs, histogram, table, best ↔ stuck
// line and plane, exports, restore, and a variant with two init schemes. Called from harness.mjs
// with its helpers (like analyses.mjs).

export async function surveyScenario(h) {
  const { check, openPage, vscodePage, fixture, replay, post, frames, shot, posted, clickButton, replayScenario, THEMES, expectedColor, writePng } = h;
  console.log('\n# survey (dark): live runs, histogram, table, best ↔ stuck line and plane, exports');
  const errors = [];
  const msgs = fixture('survey');
  const result = msgs.find((m) => m.type === 'result').result;
  const sv = result.survey;
  const N = sv.runs.length;
  const page = await openPage(vscodePage('survey-dark', 'dark'), { errors, height: 1100 });
  const startedAt = Date.now() - 4000;
  // Up to and including the 8th surveyRun, then the progress line of the 9th training.
  const eighth = msgs.findIndex((m) => m.type === 'surveyRun' && m.index === 7);
  await replay(page, msgs.slice(0, eighth + 2), { startedAt, batch: 3 });
  const live = await page.evaluate(() => {
    const v = window.__ll.survey;
    const hist = v?.charts()[0];
    return {
      view: !!v, state: document.querySelector('.ll-state').textContent, status: document.querySelector('.ll-status').textContent,
      badge: document.querySelector('.ll-badge')?.textContent,
      cells: document.querySelectorAll('.ll-strip .ll-cell').length, filled: document.querySelectorAll('.ll-strip .ll-cell-ok, .ll-strip .ll-cell-stuck').length,
      now: document.querySelectorAll('.ll-strip .ll-cell-now').length,
      rows: document.querySelectorAll('.ll-runs tbody tr').length, provisional: document.querySelectorAll('.ll-runs tbody tr.ll-run-provisional').length,
      histRuns: hist ? hist.data.datasets.reduce((s, d) => s + d.data.reduce((a, b) => a + b.y, 0), 0) : -1,
      trainHidden: document.querySelector('.ll-train').hidden, lineHidden: v?.interp.el.hidden, planeHidden: v?.plane.el.hidden,
      verdict: document.querySelector('.ll-survey-verdict')?.textContent, bar: !document.querySelector('.ll-bar').hidden,
    };
  });
  check('survey view is created for analysis "survey"', live.view && /survey · 20 runs/.test(live.badge ?? ''), JSON.stringify(live.badge));
  check('live: status shows runs done/total and the current training', live.state === 'training' && live.status.includes('8/20 runs') && live.status.includes('run 9/20: default, seed 9'), live.status);
  check('live: strip has one cell per run, 8 done, the 9th in progress', live.cells === N && live.filled === 8 && live.now === 1, `${live.cells} ${live.filled} ${live.now}`);
  check('live: table fills in (8 rows), stuck flags provisional', live.rows === 8 && live.provisional > 0 && /So far \d+ of 8/.test(live.verdict ?? ''), `${live.rows} ${live.provisional} ${live.verdict}`);
  check('live: histogram of the runs so far', live.histRuns === 8, String(live.histRuns));
  check('live: no empty training chart, no line / plane yet; progress bar', live.trainHidden && live.lineHidden && live.planeHidden && live.bar, JSON.stringify(live));
  await shot(page, 'survey-dark-streaming');

  await replay(page, msgs.slice(eighth + 2), { startedAt, batch: 4 });
  await frames(page);
  const done = await page.evaluate(() => {
    const v = window.__ll.survey;
    const hist = v.charts()[0];
    const ds = hist.data.datasets;
    const [loss] = v.interp.charts();
    const mk = loss.options.plugins.llMarkers;
    const hm = hist.options.plugins.llMarkers;
    const rows = [...document.querySelectorAll('.ll-runs tbody tr')];
    return {
      state: document.querySelector('.ll-state').textContent, status: document.querySelector('.ll-status').textContent,
      bars: ds.map((d) => d.data.length), labels: ds.map((d) => d.label),
      perBin: ds[0].data.map((b, k) => b.y + ds[1].data[k].y), stuckBars: ds[1].data.reduce((a, b) => a + b.y, 0),
      threshold: hm.lines[0]?.x, thresholdLabel: hm.lines[0]?.label,
      drawnBars: hist.getDatasetMeta(0).data.filter((e) => e.height > 0).length + hist.getDatasetMeta(1).data.filter((e) => e.height > 0).length,
      barW: hist.getDatasetMeta(1).data.map((e) => e.width), binW: Math.abs(hist.scales.x.getPixelForValue(ds[0].data[1].lo) - hist.scales.x.getPixelForValue(ds[0].data[0].lo)),
      inits: document.querySelector('.ll-survey-inits').textContent, verdict: document.querySelector('.ll-survey-verdict').textContent,
      verdictCls: document.querySelector('.ll-survey-verdict').className,
      rows: rows.length, stuckRows: rows.filter((r) => r.classList.contains('ll-run-stuck')).map((r) => +r.dataset.index),
      provisional: rows.filter((r) => r.classList.contains('ll-run-provisional')).length,
      stuckBg: getComputedStyle(rows.find((r) => r.classList.contains('ll-run-stuck')).cells[1]).backgroundColor,
      okBg: getComputedStyle(rows.find((r) => !r.classList.contains('ll-run-stuck')).cells[1]).backgroundColor,
      bestRow: rows.find((r) => r.querySelector('.ll-pill-best'))?.dataset.index,
      compared: rows.find((r) => r.querySelector('.ll-compared'))?.dataset.index,
      heads: [...document.querySelectorAll('.ll-runs thead th')].map((th) => (th.querySelector('.ll-head-full') ?? th).textContent.replace(/[▲▼]/g, '').trim()),
      linePoints: loss.data.datasets[0].data.length, lineX: [loss.scales.x.min, loss.scales.x.max],
      markers: mk.lines.map((l) => `${l.x}:${l.label}`), barrier: mk.barrier?.label, lineVerdict: v.interp.el.querySelector('.ll-verdict')?.textContent,
      lineHead: v.interp.el.querySelector('h2').textContent, lineHidden: v.interp.el.hidden,
      plane: v.plane.geom ? { w: v.plane.geom.width, h: v.plane.geom.height, plotW: v.plane.geom.plot.w } : null,
      planeAria: v.plane.canvas.getAttribute('aria-label'), planeMeta: v.plane.el.querySelector('.ll-plane-meta').textContent,
      trainTitle: document.querySelector('.ll-train h2').textContent, trainHidden: document.querySelector('.ll-train').hidden,
    };
  });
  check('done: state, status 20/20 runs', done.state === 'done' && done.status.includes('20/20 runs') && !done.status.includes('interpolating'), `${done.state} | ${done.status}`);
  check(`histogram: ${sv.histogram.counts.length} bins, stuck / not stuck stacked`, done.bars.every((n) => n === sv.histogram.counts.length) && done.labels.join('|') === 'not stuck|stuck', `${done.bars} ${done.labels}`);
  check('histogram bins hold the result\'s counts', JSON.stringify(done.perBin) === JSON.stringify(sv.histogram.counts), `${done.perBin} vs ${sv.histogram.counts}`);
  check('histogram: the stuck bars add up to stuckCount', done.stuckBars === sv.stuckCount, `${done.stuckBars} vs ${sv.stuckCount}`);
  check('histogram: one drawn bar per non-empty (bin, class)', done.drawnBars >= sv.histogram.counts.filter((c) => c > 0).length, String(done.drawnBars));
  check('histogram bars fill their bins', done.barW.every((w) => w > done.binW * 0.85 && w <= done.binW + 0.5), `${done.barW.map(Math.round)} bin ${done.binW.toFixed(1)}`);
  const best = sv.runs[sv.best].finalLoss;
  check('histogram: threshold best + tolerance marked', Math.abs(done.threshold - (best + sv.tolerance)) < 1e-12 && /best \+ tolerance = 0\.012/.test(done.thresholdLabel), `${done.threshold} ${done.thresholdLabel}`);
  check('per-init summary "default: 17/20 stuck (85 %)"', /default\s*17\/20 stuck \(85 %\)/.test(done.inits), done.inits);
  check('verdict: 17 of 20 stuck', done.verdict.startsWith('17 of 20 trainings stuck (85 %)') && done.verdictCls.includes('ll-verdict-bump'), done.verdict);
  const expectStuck = sv.runs.map((r, k) => (r.stuck ? k : -1)).filter((k) => k >= 0);
  check(`runs table: ${N} rows`, done.rows === N, String(done.rows));
  check('stuck rows highlighted (exactly the stuck runs, final flags)', JSON.stringify(done.stuckRows) === JSON.stringify(expectStuck) && done.provisional === 0 && done.stuckBg !== done.okBg, `${done.stuckRows} ${done.stuckBg} ${done.okBg}`);
  check('best row and the compared stuck row are marked', +done.bestRow === sv.best && +done.compared === sv.stuck, `${done.bestRow} ${done.compared}`);
  check('table columns (no empty accuracy / duplicate test-loss column)', done.heads.join('|') === '#|seed|init|final loss|dead|saturated|blind spots|stuck', done.heads.join('|'));
  check('best ↔ stuck line: all points drawn', !done.lineHidden && done.linePoints === sv.bestToStuck.alpha.length && done.lineX[0] === -0.25 && done.lineX[1] === 1.25, `${done.linePoints} ${done.lineX}`);
  check('best ↔ stuck markers relabelled', done.markers.join('|') === '0:θ_T best|1:θ_T stuck', done.markers.join('|'));
  check('best ↔ stuck barrier annotated', /^barrier best ↔ stuck 0\.30\d* at α = 0\.53\d*$/.test(done.barrier ?? '') && /^Barrier of 0\.30\d* above the chord at α = 0\.53\d* between θT best \(seed 16, default\) and θT stuck \(seed 12, default\)/.test(done.lineVerdict ?? ''), `${done.barrier} | ${done.lineVerdict}`);
  check('stuck plane drawn with its labels', done.plane && done.plane.h > 300 && done.plane.plotW > 300 && /θ₀ stuck at \(0, 0\), θT stuck at \(1, 0\)\. θT best at \(0, 1\)\./.test(done.planeAria) && /best run \(seed 16, default\)/.test(done.planeAria), `${JSON.stringify(done.plane)} ${done.planeAria}`);
  check('plane meta: u, v of the survey plane, no NaN', /u = θT stuck − θ₀ stuck/.test(done.planeMeta) && !/NaN|null/.test(done.planeMeta), done.planeMeta);
  check('training section is the best run\'s', !done.trainHidden && done.trainTitle === 'Training of the best run (seed 16, default)', done.trainTitle);

  // Plane pixels: a cell far from paths and markers has the viridis colour of its loss.
  const p = sv.stuckPlane;
  const flat = p.loss.flat();
  const lo = Math.min(...flat), hi = Math.max(...flat);
  for (const [i, j] of [[13, 13], [2, 12]]) {
    const px = await page.evaluate(([i, j]) => {
      const v = window.__ll.survey.plane;
      const r = v.geom.cell(i, j);
      const dpr = v.canvas.width / v.geom.width;
      const d = v.canvas.getContext('2d').getImageData(Math.round((r.x + r.w / 2) * dpr) - 2, Math.round((r.y + r.h / 2) * dpr) - 2, 5, 5).data;
      const ch = [[], [], []];
      for (let k = 0; k < d.length; k += 4) for (let c = 0; c < 3; c++) ch[c].push(d[k + c]);
      return ch.map((a) => a.sort((p, q) => p - q)[a.length >> 1]);
    }, [i, j]);
    const exp = expectedColor(p.loss[i][j], lo, hi);
    const dist = Math.max(...px.map((c, n) => Math.abs(c - exp[n])));
    check(`stuck plane cell (i=${i}, j=${j}) has the viridis colour of ${p.loss[i][j].toFixed(4)}`, dist <= 6, `got rgb(${px}) expected rgb(${exp.map(Math.round)})`);
  }
  // Both paths are drawn: pixels of the trajectory (red) and the best run's path (green) near their midpoints.
  const pathPx = await page.evaluate(() => {
    const v = window.__ll.survey.plane;
    const p = window.__ll.model.survey.plane;
    const dpr = v.canvas.width / v.geom.width;
    const ctx = v.canvas.getContext('2d');
    const near = (a, b, test) => {
      const x = Math.round(v.geom.xOf(a) * dpr), y = Math.round(v.geom.yOf(b) * dpr);
      const d = ctx.getImageData(x - 3, y - 3, 7, 7).data;
      for (let k = 0; k < d.length; k += 4) if (test(d[k], d[k + 1], d[k + 2])) return true;
      return false;
    };
    const mid = (path) => Math.floor(path.a.length / 2);
    const t = p.trajectory, o = p.otherPath;
    return {
      red: near(t.a[mid(t)], t.b[mid(t)], (r, g, b) => r > 200 && g < 110 && b < 110),
      green: near(o.a[mid(o)], o.b[mid(o)], (r, g, b) => g > 200 && r < 160 && b > 110 && b < 190),
    };
  });
  check('stuck run\'s path (red) and best run\'s path (green) are drawn', pathPx.red && pathPx.green, JSON.stringify(pathPx));
  await shot(page, 'survey-dark');

  // Sorting
  const sortBy = async (head) => {
    await page.locator('.ll-runs thead button', { hasText: head }).first().click();
    await frames(page);
    return page.evaluate(() => [...document.querySelectorAll('.ll-runs tbody tr')].map((r) => +r.dataset.index));
  };
  const byLoss = await sortBy('final loss');
  await frames(page);
  const losses = byLoss.map((k) => sv.runs[k].finalLoss);
  check('sort by final loss (ascending): best first', byLoss[0] === sv.best && losses.every((v, k) => k === 0 || v >= losses[k - 1]), byLoss.join(','));
  const byLossDesc = await sortBy('final loss');
  check('sort again: descending, worst stuck first', byLossDesc[0] === sv.stuck && byLossDesc.at(-1) === sv.best, byLossDesc.join(','));
  const aria = await page.evaluate(() => [...document.querySelectorAll('.ll-runs thead th')].find((th) => th.getAttribute('aria-sort'))?.getAttribute('aria-sort'));
  check('sorted column has aria-sort', aria === 'descending', aria);
  const byBlind = await sortBy('blind spots');
  check('sort by blind-spot examples (most first)', sv.runs[byBlind[0]].blindExamples === Math.max(...sv.runs.map((r) => r.blindExamples)), byBlind.join(','));
  await sortBy('#');

  // Select a stuck row: highlighted, its numbers shown, its loss marked on the histogram.
  const worst = sv.stuck;
  await page.click(`.ll-runs tbody tr[data-index="${worst}"]`);
  await frames(page);
  const sel = await page.evaluate(() => ({
    selected: [...document.querySelectorAll('.ll-runs tbody tr.ll-run-selected')].map((r) => +r.dataset.index),
    info: document.querySelector('.ll-run-info').textContent,
    lines: window.__ll.survey.charts()[0].options.plugins.llMarkers.lines.map((l) => l.label),
    cell: document.querySelectorAll('.ll-strip .ll-cell-selected').length,
  }));
  const wr = sv.runs[worst];
  check('clicking a run row selects it (highlight)', JSON.stringify(sel.selected) === JSON.stringify([worst]) && sel.cell === 1, JSON.stringify(sel.selected));
  check('selected run: its numbers', sel.info.startsWith(`Run ${worst + 1} (seed ${wr.seed}, ${wr.init})`) && sel.info.includes(`dead units ${wr.deadUnits}`) && sel.info.includes(`blind-spot examples ${wr.blindExamples} of 16`) && sel.info.includes('stuck (above 0.012'), sel.info);
  check('selected run marked on the histogram', sel.lines.some((l) => l === `run ${worst + 1} (seed ${wr.seed})`), sel.lines.join('|'));
  await page.keyboard.press('ArrowDown');
  await frames(page);
  const next = await page.evaluate(() => [...document.querySelectorAll('.ll-runs tbody tr.ll-run-selected')].map((r) => +r.dataset.index));
  check('arrow keys move the row selection', JSON.stringify(next) === JSON.stringify([worst + 1]), JSON.stringify(next));
  const posts = (await posted(page)).filter((m) => m.type === 'rerun');
  check('selecting a run posts nothing to the host', posts.length === 0, JSON.stringify(posts));
  await page.click(`.ll-runs tbody tr[data-index="${worst}"]`);
  await frames(page);
  await shot(page, 'survey-dark-selected');

  // Exports
  await clickButton(page, 'PNG');
  await clickButton(page, 'CSV');
  await clickButton(page, 'JSON');
  const sent = await posted(page);
  const ex = Object.fromEntries(sent.filter((m) => m.type === 'export').map((m) => [m.format, m]));
  const csv = ex.csv?.data?.trim().split('\n') ?? [];
  check('survey CSV export: header + one row per run', csv.length === N + 1 && csv[0].startsWith('run,seed,init,final_loss,final_test_loss,final_accuracy,stuck,best,dead_units') && ex.csv.name === 'swirszcz-blind-spots-narrow-survey.csv', `${csv.length} ${csv[0]} ${ex.csv?.name}`);
  const row12 = csv[worst + 1]?.split(',');
  check('survey CSV row: numbers and stuck flag of the run', row12?.[0] === String(worst + 1) && +row12[3] === wr.finalLoss && row12[6] === 'true' && row12[7] === 'false' && csv[sv.best + 1].split(',')[7] === 'true', csv[worst + 1]);
  let json = null;
  try { json = JSON.parse(ex.json?.data ?? 'null'); } catch { /* checked below */ }
  check('survey JSON export: the result', json?.analysis === 'survey' && json.survey.runs.length === N && json.survey.stuckPlane.otherPath.label === sv.stuckPlane.otherPath.label);
  check('survey PNG export', ex.png?.data?.startsWith('data:image/png;base64,') && ex.png.name === 'swirszcz-blind-spots-narrow-survey.png' && ex.png.data.length > 40000, `${ex.png?.name} ${ex.png?.data?.length}`);
  if (ex.png) writePng('survey-export.png', ex.png.data);
  const sw = sent.filter((m) => m.type === 'rerun');
  await clickButton(page, 'Interpolate');
  const sw2 = (await posted(page)).filter((m) => m.type === 'rerun');
  check('switch button re-runs as an interpolation', sw2.length === sw.length + 1 && sw2.at(-1).options?.analysis === 'interpolate', JSON.stringify(sw2.at(-1)));

  // Restore after a reload (state saved with the survey).
  const state = await page.evaluate(() => window.__state);
  const errors2 = [];
  const page2 = await openPage(vscodePage('survey-restored', 'dark', state), { errors: errors2 });
  const restored = await page2.evaluate(() => ({ rows: document.querySelectorAll('.ll-runs tbody tr').length, line: window.__ll.survey?.interp.charts()[0].data.datasets[0].data.length }));
  check('survey restores from getState() after a reload', restored.rows === N && restored.line === sv.bestToStuck.alpha.length, JSON.stringify(restored));
  check('no page errors (survey restored)', errors2.length === 0, errors2.join(' | '));
  await page2.context().close();

  // Theme switch
  await page.evaluate(({ vars, cls }) => {
    const st = document.documentElement.style;
    for (const name of [...st]) if (name.startsWith('--vscode-')) st.removeProperty(name);
    for (const [k, v] of Object.entries(vars)) st.setProperty(k, v);
    document.body.className = cls;
  }, { vars: THEMES.light.vars, cls: THEMES.light.bodyClass });
  await frames(page, 4);
  const lt = await page.evaluate(() => ({ tick: window.__ll.survey.charts()[0].options.scales.x.ticks.color, bar: window.__ll.survey.charts()[0].data.datasets[1].borderColor }));
  check('survey follows a theme change', lt.tick === '#3b3b3b' && lt.bar === '#e51400', JSON.stringify(lt));
  check('no page errors (survey)', errors.length === 0, errors.join(' | '));
  await page.context().close();


  console.log('\n# survey variant (synthetic, from the real result): cached, two init schemes, no run stuck');
  {
    const errors3 = [];
    const base = fixture('survey');
    const r0 = base.find((m) => m.type === 'result').result;
    const runs = r0.survey.runs.map((r, k) => ({ ...r, init: k < 10 ? 'default' : 'heUniform', stuck: false }));
    const maxLoss = Math.max(...runs.map((r) => r.finalLoss));
    const tolerance = maxLoss - runs[r0.survey.best].finalLoss + 0.05;
    const { stuck: _s, bestToStuck: _b, stuckPlane: _p, ...rest } = r0.survey;
    const result = { ...r0, survey: { ...rest, runs, tolerance, stuckCount: 0, byInit: { default: { runs: 10, stuck: 0 }, heUniform: { runs: 10, stuck: 0 } } } };
    const runId = 'run-survey-cached';
    const pg = await openPage(vscodePage('survey-variant', 'dark'), { errors: errors3, height: 900 });
    await post(pg, [
      { type: 'runStarted', runId, file: r0.file, definition: 'narrow', options: { analysis: 'survey' }, cached: true },
      { type: 'result', runId, result }, { type: 'runEnded', runId, status: 'done', elapsed: 35 },
    ], Date.now() - 100);
    const v = await pg.evaluate(() => {
      const s = window.__ll.survey;
      const hist = s.charts()[0];
      return {
        verdict: document.querySelector('.ll-survey-verdict').textContent, inits: [...document.querySelectorAll('.ll-init-row')].map((e) => e.textContent),
        rows: document.querySelectorAll('.ll-runs tbody tr').length, stuckRows: document.querySelectorAll('.ll-runs tbody tr.ll-run-stuck').length,
        lineHidden: s.interp.el.hidden, planeHidden: s.plane.el.hidden, stuckBars: hist.data.datasets[1].data.reduce((a, b) => a + b.y, 0),
        xmax: hist.scales.x.max, threshold: hist.options.plugins.llMarkers.lines[0]?.x, status: document.querySelector('.ll-status').textContent,
      };
    });
    check('variant: verdict says no training is stuck', v.verdict.startsWith('No training stuck: all 20 final losses within'), v.verdict);
    check('variant: one summary line per init scheme', v.inits.length === 2 && /default\s*0\/10 stuck \(0 %\)/.test(v.inits[0]) && /heUniform\s*0\/10 stuck \(0 %\)/.test(v.inits[1]), v.inits.join(' | '));
    check('variant: table without stuck rows; no line / plane sections', v.rows === 20 && v.stuckRows === 0 && v.lineHidden && v.planeHidden && v.stuckBars === 0, JSON.stringify(v));
    check('variant: threshold beyond the losses is kept in view', v.threshold > maxLoss && v.xmax > v.threshold, `${v.threshold} ${v.xmax}`);
    check('variant: cached result alone (no surveyRun messages) shows the runs count', v.status.includes('20/20 runs'), v.status);
    await shot(pg, 'survey-variant-dark');
    check('no page errors (survey variant)', errors3.length === 0, errors3.join(' | '));
    await pg.context().close();
  }

  console.log('\n# survey (light / dark / high contrast, 500–900 px)');
  for (const [theme, name, width] of [['light', 'survey-light', 900], ['light', 'survey-small-light', 500], ['dark', 'survey-small-dark', 500], ['hc-dark', 'survey-hc-dark', 700]]) {
    const pg = await replayScenario('survey', theme, name, { width, height: 1000 });
    const fit = await pg.evaluate(() => ({
      doc: document.documentElement.scrollWidth, win: window.innerWidth,
      table: document.querySelector('.ll-runs-wrap').scrollWidth <= document.querySelector('.ll-runs-wrap').clientWidth + 1,
      plane: window.__ll.survey.plane.geom?.width, hist: window.__ll.survey.charts()[0].width,
    }));
    check(`${name}: nothing wider than the panel (table, histogram, plane fit)`, fit.doc <= fit.win && fit.table && fit.plane <= width && fit.hist <= width, JSON.stringify(fit));
    await pg.context().close();
  }
}
