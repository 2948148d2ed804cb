// Harness scenarios of the connectivity lab (fixtures from real CLI runs of
// examples/connectivity.landscape.ts, see fixtures/make-analysis-fixtures.ts): the interpolation
// between two seeds with the aligned line beside it, and the instability analysis (barrier vs k).
// Called from harness.mjs with its helpers.

export async function connectivityScenarios(h) {
  const { check, fixture, replayScenario, posted, clickButton } = h;

  console.log('\n# interpolate with align weights (real: examples/connectivity.landscape.ts width128, seeds 1 → 2)');
  {
    const result = fixture('interpolate-align').find((m) => m.type === 'result').result;
    const al = result.interpolate.aligned, a = result.alignment;
    for (const [theme, shotName, width] of [['dark', 'interp-align-dark', 720], ['light', 'interp-align-light', 560]]) {
      const page = await replayScenario('interpolate-align', theme, shotName, { width, height: 1150 });
      const r = await page.evaluate(() => {
        const [loss, acc] = window.__ll.interp.charts();
        const ds = loss.data.datasets;
        return {
          labels: ds.map((d) => d.label), counts: ds.map((d) => d.data.length), colors: ds.map((d) => d.borderColor),
          acc: acc.data.datasets.map((d) => d.label),
          y05: ds.find((d) => d.label === 'aligned train loss')?.data.find((p) => p.x === 0.5)?.y,
          verdict: document.querySelector('.ll-verdict-aligned')?.textContent ?? null,
          badge: document.querySelector('.ll-badge')?.textContent,
          fits: document.documentElement.scrollWidth <= window.innerWidth,
        };
      });
      const k = r.labels.indexOf('aligned train loss'), kt = r.labels.indexOf('aligned test loss');
      check(`align (${theme}): the aligned line's train and test loss beside the line's (${al.alpha.length} points)`, k > 0 && kt > 0 && r.counts[k] === al.alpha.length && r.counts[kt] === al.alpha.length, `${r.labels} ${r.counts}`);
      check(`align (${theme}): the aligned curves in their own colours`, r.colors[k] !== r.colors[0] && r.colors[kt] !== r.colors[1], `${r.colors}`);
      check(`align (${theme}): the values are the result's`, Math.abs(r.y05 - al.trainLoss[al.alpha.indexOf(0.5)]) < 1e-9, `${r.y05}`);
      check(`align (${theme}): aligned accuracies on the accuracy chart`, r.acc.includes('aligned test accuracy'), r.acc.join('|'));
      check(`align (${theme}): the verdict gives the barriers before and after`, (r.verdict ?? '').startsWith('Weight matching') && r.verdict.includes(`loss barrier ${a.barrierBefore.toFixed(3)}`), r.verdict);
      check(`align (${theme}): badge says aligned`, r.badge === 'interpolate · aligned (weights)', r.badge);
      check(`align (${theme}): fits the panel`, r.fits);
      if (theme === 'dark') {
        await clickButton(page, 'CSV');
        const csv = (await posted(page)).find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
        check('align: CSV has the aligned columns', csv[0]?.endsWith('aligned_train_loss,aligned_test_loss,aligned_train_accuracy,aligned_test_accuracy'), csv[0]);
      }
      await page.context().close();
    }
  }

  console.log('\n# instability (real: examples/connectivity.landscape.ts lenet, spawn 0,1,2,4)');
  {
    const s = fixture('instability').find((m) => m.type === 'result').result.instability;
    for (const [theme, shotName, width] of [['dark', 'instability-dark', 720], ['light', 'instability-light', 560]]) {
      const page = await replayScenario('instability', theme, shotName, { width, height: 1000 });
      const r = await page.evaluate(() => {
        const [err, loss] = window.__ll.instability.charts();
        return {
          err: err.data.datasets.map((d) => d.data.map((p) => `${p.x}:${p.y}`).join(' ')), loss: loss.data.datasets[0]?.data.length,
          hlines: err.options.plugins.llMarkers.hlines?.map((l) => l.y), lines: err.options.plugins.llMarkers.lines?.map((l) => l.label),
          verdict: document.querySelector('.ll-instability .ll-verdict')?.textContent, rows: document.querySelectorAll('.ll-instability tbody tr').length,
          badge: document.querySelector('.ll-badge')?.textContent, fits: document.documentElement.scrollWidth <= window.innerWidth,
        };
      });
      check(`instability (${theme}): error barrier per spawn step`, r.err[0] === s.spawnSteps.map((k, i) => `${k}:${s.errorBarrier[i]}`).join(' '), r.err[0]);
      check(`instability (${theme}): loss barrier chart`, r.loss === s.spawn.length, `${r.loss}`);
      check(`instability (${theme}): the 2 % threshold and the first stable k marked`, r.hlines?.[0] === s.tolerance && r.lines?.[0] === `first stable k = ${s.firstStable}`, `${r.hlines} ${r.lines}`);
      check(`instability (${theme}): verdict and table`, (r.verdict ?? '').startsWith(`Stable from k = ${s.firstStable}`) && r.rows === s.spawn.length, `${r.verdict} ${r.rows}`);
      check(`instability (${theme}): badge`, r.badge === `instability · ${s.spawn.length} spawn points`, r.badge);
      check(`instability (${theme}): fits the panel`, r.fits);
      if (theme === 'dark') {
        await clickButton(page, 'CSV');
        const csv = (await posted(page)).find((m) => m.type === 'export' && m.format === 'csv')?.data.split('\n') ?? [];
        check('instability: CSV of the barriers per k', csv[0] === 'k,step,error_barrier,loss_barrier,error_copy_1,error_copy_2,stable' && s.spawn.every((k, i) => csv[i + 1]?.startsWith(`${k},${s.spawnSteps[i]},${s.errorBarrier[i]},`)), csv.slice(0, 6).join(' / '));
      }
      await page.context().close();
    }
  }
}
