/**
 * Survey view (Swirszcz et al.): many trainings of the same definition from different seeds / init
 * schemes. Live: a strip of the runs and the table fill in as `surveyRun` messages arrive (stuck
 * flags are provisional, relative to the best run so far). At the end: the verdict, stuck rate per
 * init scheme, a histogram of the final losses (stuck / not stuck, the threshold best + tolerance
 * marked), the sortable runs table, and — when a run is stuck — the line θ_T best ↔ θ_T stuck and
 * the plane through θ₀ stuck, θ_T stuck, θ_T best (the interpolation and plane components).
 */
import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { SurveyRun } from '../src/protocol';
import { barChart, ChartView } from './chart-view';
import { Chart, fixedWidth, markerFont, type MarkerLine } from './charts';
import { el, rich } from './dom';
import { fmt, fmtInt, fmtPct, fmtTick } from './format';
import { InterpView, type InterpSpec } from './interp-view';
import { binOf, histogramEdges, sortValue, surveyColumns, type ColKey } from './survey-table';
import { curveOrder, runsDone, stuckFlags, type RunModel } from './state';
import { PlaneView, type PlaneSpec } from './plane-view';
import { withAlpha } from './theme';
import type { PngSection } from './exporter';
import type { AnalysisView, ViewContext } from './view';

interface Bar { x: number; y: number; lo: number; hi: number }

const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)} %` : '–');

export class SurveyView extends ChartView implements AnalysisView {
  readonly el: HTMLElement;
  readonly interp: InterpView;
  readonly plane: PlaneView;
  private section: HTMLElement;
  private verdict: HTMLElement;
  private inits: HTMLElement;
  private stripHead: HTMLElement;
  private strip: HTMLElement;
  private histWrap: HTMLElement;
  private histCanvas: HTMLCanvasElement;
  private hist: Chart<'bar', Bar[]>;
  private tableWrap: HTMLElement;
  private table: HTMLTableElement;
  private runInfo: HTMLElement;
  private lastKey = '';

  constructor(ctx: ViewContext) {
    super(ctx);
    this.verdict = el('p', { class: 'll-muted ll-survey-verdict' });
    this.inits = el('div', { class: 'll-survey-inits' });
    this.stripHead = el('div', { class: 'll-strip-head' });
    this.strip = el('div', { class: 'll-strip', 'aria-hidden': 'true' });
    this.histCanvas = el('canvas', { role: 'img', 'aria-label': 'Histogram of the final losses (no data yet)' });
    this.histWrap = el('div', { class: 'll-chart ll-chart-hist' }, this.histCanvas);
    this.table = el('table', { class: 'll-table ll-runs' });
    this.tableWrap = el('div', { class: 'll-runs-wrap' }, this.table);
    this.runInfo = el('div', { class: 'll-point-info ll-run-info', 'aria-live': 'polite' });
    this.section = el('section', { class: 'll-view ll-survey', 'aria-label': 'Survey' },
      el('div', { class: 'll-view-head' },
        el('h2', {}, 'Survey ', el('span', { class: 'll-formula' }, 'stuck: J(θ', el('sub', {}, 'T'), ') > best + tolerance'))),
      this.verdict, this.inits, this.stripHead, this.strip, this.histWrap, this.tableWrap, this.runInfo);
    this.hist = new Chart(this.histCanvas, this.histConfig());
    this.interp = new InterpView(ctx, this.interpSpec());
    this.plane = new PlaneView(ctx, this.planeSpec());
    this.interp.el.classList.add('ll-survey-line');
    this.plane.el.classList.add('ll-survey-plane');
    this.el = el('div', { class: 'll-survey-views' }, this.section, this.interp.el, this.plane.el);
  }

  // ---- the two comparison components ------------------------------------------------------

  private seedOf(m: RunModel | undefined, which: 'best' | 'stuck'): string {
    const sv = m?.result?.survey;
    const k = which === 'best' ? sv?.best : sv?.stuck;
    const r = k === undefined ? undefined : sv?.runs[k];
    return r ? `seed ${r.seed}, ${r.init}` : '';
  }

  private interpSpec(): InterpSpec {
    return {
      heading: () => ['Best ↔ stuck ', el('span', { class: 'll-formula' }, ...rich('θ(α) = (1−α)·θ_T best + α·θ_T stuck'))],
      ariaLabel: 'Line from the best to the stuck run',
      curve: (m) => m.survey?.curve,
      result: (m) => m.result?.survey?.bestToStuck,
      range: (m) => {
        const c = m.survey?.curve;
        const xs = c ? curveOrder(c).map((k) => c.alpha[k] as number) : [];
        return xs.length ? [Math.min(...xs), Math.max(...xs)] : [-0.25, 1.25];
      },
      ends: ['θ_T best', 'θ_T stuck'],
      names: ['θ_T best', 'θ_T stuck'],
      placeholder: () => ['The line θ', el('sub', {}, 'T'), ' best → θ', el('sub', {}, 'T'), ' stuck is probed after the trainings…'],
      verdict: (ir) => {
        const b = `θT best (${this.seedOf(this.model, 'best')}) and θT stuck (${this.seedOf(this.model, 'stuck')})`;
        if (ir.monotone) return `Monotone from θT best to θT stuck: no barrier on the straight line between ${b}.`;
        if (ir.barrier > 0) return `Barrier of ${fmt(ir.barrier)} above the chord at α = ${fmt(ir.barrierAlpha)} between ${b}: the stuck minimum is not linearly connected to the best one.`;
        return `Not monotone, but the loss stays below the chord between ${b}.`;
      },
      note: (ir, significant) => (ir.monotone ? 'monotone best → stuck: no barrier' : significant ? null : 'below the chord best → stuck'),
      barrierLabel: (ir) => `barrier best ↔ stuck ${fmt(ir.barrier)} at α = ${fmt(ir.barrierAlpha)}`,
    };
  }

  private planeSpec(): PlaneSpec {
    return {
      heading: () => ['Loss plane ', el('span', { class: 'll-formula' }, ...rich('through θ₀ stuck, θ_T stuck, θ_T best'))],
      ariaLabel: 'Loss plane through the stuck and the best run',
      plane: (m) => m.survey?.plane,
      initLabel: 'θ₀ stuck',
      finalLabel: 'θ_T stuck',
      trajLabel: (m) => { const s = this.seedOf(m, 'stuck'); return s ? `stuck run (${s})` : 'stuck run'; },
      pathsTitle: 'Training paths of the stuck and the best run',
      extra: () => [{ a: 0, b: 1, label: 'θ_T best' }],
      meta: (p) => `u = θT stuck − θ₀ stuck${p.norms ? ` (‖u‖ = ${fmt(p.norms[0])})` : ''}, v = θT best − θ₀ stuck${p.norms ? ` (‖v‖ = ${fmt(p.norms[1])})` : ''}, not orthogonal`,
      waiting: () => 'The plane is probed after the trainings…',
    };
  }

  // ---- histogram ------------------------------------------------------------------------------

  private histConfig(): ChartConfiguration<'bar', Bar[]> {
    const t = this.ctx.theme;
    return barChart(t, {
      onClick: (e, _els, chart) => {
        if (!e.native) return;
        const hit = chart.getElementsAtEventForMode(e.native, 'nearest', { intersect: true }, false)[0];
        if (!hit) return;
        const bar = chart.data.datasets[hit.datasetIndex]?.data[hit.index] as Bar | undefined;
        if (!bar || !this.model) return;
        // Select the first run of that bin and class (stuck / not stuck).
        const flags = stuckFlags(this.model).stuck;
        const wantStuck = hit.datasetIndex === 1;
        const runs = this.model.survey?.runs ?? [];
        const k = runs.findIndex((r, i) => r && flags[i] === wantStuck && r.finalLoss >= bar.lo && (r.finalLoss < bar.hi || (r.finalLoss <= bar.hi && bar.hi === this.lastEdge)));
        if (k >= 0) this.select(k);
      },
      scales: {
        x: {
          type: 'linear', stacked: true, offset: false,
          title: { display: true, text: 'final train loss', color: t.fg, padding: { top: 0 } },
          grid: { color: t.grid, offset: false }, border: { color: t.border },
          ticks: { color: t.muted, callback: (v) => fmtTick(+(+v).toPrecision(2)), maxRotation: 0, autoSkip: false },
        },
        y: {
          type: 'linear', stacked: true, beginAtZero: true,
          title: { display: true, text: 'runs', color: t.fg },
          grid: { color: t.grid }, border: { color: t.border },
          ticks: { color: t.muted, precision: 0, maxTicksLimit: 6 },
          afterFit: fixedWidth(54),
        },
      },
      plugins: {
        legend: { position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 12, padding: 8 } },
        tooltip: {
          filter: (item) => (item.raw as Bar).y > 0,
          callbacks: {
            title: (items: TooltipItem<'bar'>[]) => { const b = items[0]?.raw as Bar | undefined; return b ? `final loss ${fmt(b.lo)} – ${fmt(b.hi)}` : ''; },
            label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: ${(item.raw as Bar).y} run${(item.raw as Bar).y === 1 ? '' : 's'}`,
          },
        },
        llMarkers: {},
      },
    });
  }

  private lastEdge = NaN;

  private updateHistogram(m: RunModel, runs: (SurveyRun | null)[], flags: (boolean | null)[], threshold: number | null, provisional: boolean): void {
    const t = this.ctx.theme;
    const done = runs.filter((r): r is SurveyRun => !!r);
    const resultEdges = m.survey?.final ? m.result?.survey?.histogram?.edges : undefined;
    const edges = resultEdges && resultEdges.length >= 2 ? resultEdges : histogramEdges(done.map((r) => r.finalLoss));
    this.histWrap.hidden = edges.length < 2;
    if (edges.length < 2) return;
    const nb = edges.length - 1;
    this.lastEdge = edges[nb];
    const ok = new Array(nb).fill(0), bad = new Array(nb).fill(0);
    runs.forEach((r, i) => {
      if (!r || !Number.isFinite(r.finalLoss)) return;
      const b = binOf(edges, r.finalLoss);
      if (flags[i]) bad[b]++; else ok[b]++;
    });
    const bars = (counts: number[]): Bar[] => counts.map((y, b) => ({ x: (edges[b] + edges[b + 1]) / 2, y, lo: edges[b], hi: edges[b + 1] }));
    const common = { parsing: false as const, barPercentage: 0.94, categoryPercentage: 1, borderWidth: t.hc ? 2 : 1, grouped: false };
    this.hist.data.datasets = [
      { ...common, label: 'not stuck', data: bars(ok), backgroundColor: withAlpha(t.green, 0.72), borderColor: t.green },
      { ...common, label: provisional ? 'stuck (so far)' : 'stuck', data: bars(bad), backgroundColor: withAlpha(t.red, 0.72), borderColor: t.red },
    ];
    const width = edges[nb] - edges[0];
    const xs = this.hist.options.scales!.x as Record<string, unknown>;
    xs.min = edges[0];
    // Keep the threshold in view when no run is above it.
    xs.max = threshold !== null && threshold > edges[nb] ? threshold + width * 0.06 : edges[nb];
    // Ticks on bin edges, every k-th so that the labels fit (Chart.js sizes the bars by the closest
    // pair of ticks too: ticks closer than a bin would thin the bars).
    xs.afterBuildTicks = (scale: { width: number; ticks: { value: number }[] }) => {
      const plotW = Math.max(100, (scale.width || 500) - 60);
      const span = (xs.max as number) - edges[0];
      const binPx = (plotW * width) / nb / span;
      const every = Math.max(1, Math.ceil(58 / binPx));
      const ks = edges.map((_, k) => k).filter((k) => k % every === 0);
      if (ks[ks.length - 1] !== nb) {
        if (nb - ks[ks.length - 1] < every && ks.length > 1) ks.pop();
        ks.push(nb);
      }
      scale.ticks = ks.map((k) => ({ value: edges[k] }));
    };
    const lines: MarkerLine[] = [];
    if (threshold !== null) {
      lines.push({ x: threshold, label: `${provisional ? 'so far: ' : ''}best + tolerance = ${fmt(threshold)}`, color: withAlpha(t.fg, t.hc ? 1 : 0.75), dash: [5, 3], width: 1.5 * t.lw });
    }
    const sel = this.ctx.ui.selectedRun;
    const sr = sel !== undefined ? runs[sel] : null;
    if (sr && Number.isFinite(sr.finalLoss)) {
      lines.push({ x: sr.finalLoss, label: `run ${sel! + 1} (seed ${sr.seed})`, color: t.focus, textColor: t.fg, dash: [], width: 2 * t.lw, labelRow: 1 });
    }
    this.hist.options.plugins!.llMarkers = {
      lines, color: withAlpha(t.fg, 0.6), textColor: t.fg, halo: t.bg, boxBg: withAlpha(t.bg, 0.88), lw: t.lw, font: markerFont(t),
      barrier: null, chord: null, note: null,
    };
    this.hist.update('none');
    const stuckN = flags.filter((f) => f === true).length;
    this.histCanvas.setAttribute('aria-label',
      `Histogram of the final train losses of ${done.length} trainings in ${nb} bins from ${fmt(edges[0])} to ${fmt(edges[nb])}: ` +
      `${stuckN} ${provisional ? 'provisionally ' : ''}stuck (red), ${done.length - stuckN} not stuck (green)` +
      (threshold !== null ? `; threshold best + tolerance = ${fmt(threshold)}.` : '.'));
  }

  // ---- table --------------------------------------------------------------------------------

  private renderTable(m: RunModel, runs: (SurveyRun | null)[], flags: (boolean | null)[], provisional: boolean): void {
    const done = runs.map((r, k) => ({ r, k })).filter((x): x is { r: SurveyRun; k: number } => !!x.r);
    // The table is rebuilt: keep the keyboard focus on the same row / header.
    const active = document.activeElement as HTMLElement | null;
    const focusRow = active && this.table.contains(active) ? active.dataset.index : undefined;
    const focusHead = active && this.table.contains(active) && active.classList.contains('ll-sort') ? active.dataset.key : undefined;
    this.tableWrap.hidden = !done.length;
    if (!done.length) { this.table.replaceChildren(); return; }
    const cols = surveyColumns(done.map((x) => x.r));
    const sort = this.ctx.ui.surveySort && cols.some((c) => c.key === this.ctx.ui.surveySort!.key) ? this.ctx.ui.surveySort : { key: 'index', dir: 1 as const };
    const key = sort.key as ColKey;
    done.sort((p, q) => {
      const a = sortValue(key, p.r, p.k, flags[p.k]), b = sortValue(key, q.r, q.k, flags[q.k]);
      const c = typeof a === 'string' || typeof b === 'string' ? String(a).localeCompare(String(b)) : a === b ? 0 : a < b ? -1 : 1;
      return (c || p.k - q.k) * (c ? sort.dir : 1);
    });
    const sv = m.survey?.final ? m.result?.survey : undefined;
    const sel = this.ctx.ui.selectedRun;
    const head = el('tr', {}, ...cols.map((c) => {
      const active = c.key === key;
      const label = c.short
        ? [el('span', { class: 'll-head-full' }, c.head), el('span', { class: 'll-head-short', 'aria-hidden': 'true' }, c.short)]
        : [c.head];
      const b = el('button', { class: 'll-sort', type: 'button', title: `${c.title} — sort`, 'data-key': c.key }, ...label,
        el('span', { class: 'll-sort-arrow', 'aria-hidden': 'true' }, active ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''));
      b.addEventListener('click', () => {
        const cur = this.ctx.ui.surveySort;
        this.ctx.ui.surveySort = { key: c.key, dir: cur?.key === c.key ? (cur.dir > 0 ? -1 : 1) : c.key === 'stuck' || c.key === 'blindExamples' || c.key === 'deadUnits' ? -1 : 1 };
        this.ctx.saveUi();
        this.refresh();
      });
      return el('th', { scope: 'col', class: c.num ? 'll-num' : 'll-txt', 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : undefined }, b);
    }));
    const rows = done.map(({ r, k }) => {
      const stuck = flags[k];
      const cls = ['ll-run'];
      if (stuck) cls.push(provisional ? 'll-run-stuck ll-run-provisional' : 'll-run-stuck');
      if (k === sel) cls.push('ll-run-selected');
      if (sv && k === sv.best) cls.push('ll-run-best');
      const tr = el('tr', { class: cls.join(' '), tabindex: '0', 'data-index': String(k), 'aria-selected': k === sel ? 'true' : 'false',
        title: `Run ${k + 1}: click for its numbers` },
      ...cols.map((c) => {
        if (c.key !== 'stuck') return el('td', { class: c.num ? 'll-num' : 'll-txt' }, c.cell(r, k));
        const tags: HTMLElement[] = [];
        if (sv && k === sv.best) tags.push(el('span', { class: 'll-pill ll-pill-best', title: 'Lowest final loss' }, 'best'));
        if (stuck) tags.push(el('span', { class: `ll-pill ll-pill-stuck${provisional ? ' ll-pill-provisional' : ''}`, title: provisional ? 'Above the best so far + tolerance (provisional)' : 'Final loss above best + tolerance' }, provisional ? 'stuck?' : 'stuck'));
        else if (!(sv && k === sv.best)) tags.push(el('span', { class: 'll-pill ll-pill-ok' }, 'ok'));
        if (sv && k === sv.stuck) tags.push(el('span', { class: 'll-muted ll-compared', title: 'The stuck run compared with the best below (line and plane)' }, ' ↔ best'));
        return el('td', { class: 'll-txt ll-status-cell' }, ...tags);
      }));
      tr.addEventListener('click', () => this.select(k));
      tr.addEventListener('keydown', (e) => this.onRowKey(e, tr));
      return tr;
    });
    this.table.replaceChildren(
      el('caption', { class: 'll-sr-only' }, `Runs of the survey, sorted by ${cols.find((c) => c.key === key)?.head ?? '#'}; stuck runs highlighted`),
      el('thead', {}, head), el('tbody', {}, ...rows));
    const refocus = focusRow !== undefined ? this.table.querySelector(`tr[data-index="${focusRow}"]`)
      : focusHead !== undefined ? this.table.querySelector(`button[data-key="${focusHead}"]`) : null;
    (refocus as HTMLElement | null)?.focus({ preventScroll: true });
  }

  private onRowKey(e: KeyboardEvent, tr: HTMLElement): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(Number(tr.dataset.index));
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
      if (!next) return;
      (next as HTMLElement).focus();
      this.select(Number(next.dataset.index));
    } else if (e.key === 'Escape') {
      this.select(undefined);
    }
  }

  /** Select a run (table row, strip cell, histogram bar); selecting it again clears the selection. */
  select(k: number | undefined): void {
    this.ctx.ui.selectedRun = k === this.ctx.ui.selectedRun ? undefined : k;
    this.ctx.saveUi();
    this.refresh();
  }

  private refresh(): void {
    if (!this.model) return;
    this.lastRev = -1;
    this.update(this.model, true, true);
  }

  // ---- strip, verdict, per init ---------------------------------------------------------------

  private renderStrip(m: RunModel, runs: (SurveyRun | null)[], flags: (boolean | null)[], provisional: boolean): void {
    const rd = runsDone(m);
    const total = Math.max(rd?.total ?? 0, runs.length);
    const sv = m.survey?.final ? m.result?.survey : undefined;
    const sel = this.ctx.ui.selectedRun;
    this.strip.hidden = this.stripHead.hidden = total === 0;
    if (!total) return;
    const cells: HTMLElement[] = [];
    for (let k = 0; k < total; k++) {
      const r = runs[k] ?? null;
      const cls = ['ll-cell'];
      let title = `run ${k + 1}: training…`;
      if (!r) cls.push(k === (rd?.done ?? 0) && m.status === 'training' ? 'll-cell-now' : 'll-cell-pending');
      else {
        cls.push(flags[k] ? 'll-cell-stuck' : 'll-cell-ok');
        if (provisional) cls.push('ll-cell-provisional');
        if (sv && k === sv.best) cls.push('ll-cell-best');
        if (k === sel) cls.push('ll-cell-selected');
        title = `run ${k + 1} · seed ${r.seed} · ${r.init} · loss ${fmt(r.finalLoss, 4)}${flags[k] ? (provisional ? ' · stuck (so far)' : ' · stuck') : ''}${sv && k === sv.best ? ' · best' : ''}`;
      }
      const c = el('span', { class: cls.join(' '), title });
      if (r) c.addEventListener('click', () => this.select(k));
      cells.push(c);
    }
    this.strip.replaceChildren(...cells);
    const doneN = runs.filter((r) => r).length;
    const stuckN = flags.filter((f) => f === true).length;
    this.stripHead.replaceChildren(
      el('span', { class: 'll-strip-title' }, 'Runs '),
      el('span', { class: 'll-muted' }, doneN < total ? `${doneN} of ${total} done` : `${total} trainings`),
      el('span', { class: 'll-strip-legend ll-muted' },
        el('span', { class: 'll-cell ll-cell-ok', 'aria-hidden': 'true' }), ` not stuck ${doneN - stuckN}`,
        el('span', { class: `ll-cell ll-cell-stuck${provisional ? ' ll-cell-provisional' : ''}`, 'aria-hidden': 'true' }), ` stuck ${stuckN}${provisional ? ' (so far)' : ''}`,
        doneN < total ? el('span', { class: 'll-cell ll-cell-pending', 'aria-hidden': 'true' }) : null, doneN < total ? ` pending ${total - doneN}` : null));
  }

  private renderVerdict(m: RunModel, runs: (SurveyRun | null)[], flags: (boolean | null)[], threshold: number | null, provisional: boolean): void {
    const sv = m.survey?.final ? m.result?.survey : undefined;
    const done = runs.filter((r): r is SurveyRun => !!r);
    if (sv) {
      const best = sv.runs[sv.best];
      const n = sv.runs.length;
      const tail = `best ${fmt(best?.finalLoss, 3)} (seed ${best?.seed}) + tolerance ${fmt(sv.tolerance)}`;
      this.verdict.className = sv.stuckCount ? 'll-verdict ll-verdict-bump ll-survey-verdict' : 'll-verdict ll-survey-verdict';
      this.verdict.textContent = sv.stuckCount
        ? `${sv.stuckCount} of ${n} trainings stuck (${pct(sv.stuckCount, n)}): final loss above ${tail}.`
        : `No training stuck: all ${n} final losses within ${tail}.`;
    } else {
      this.verdict.className = 'll-muted ll-survey-verdict';
      const stuckN = flags.filter((f) => f === true).length;
      this.verdict.textContent = !done.length
        ? (m.status === 'loading' || m.status === 'training' ? 'Trainings start once the data is loaded…' : 'No training finished.')
        : `So far ${stuckN} of ${done.length} trainings above the best so far + tolerance${threshold !== null ? ` (${fmt(threshold)})` : ''} — final once all are done.`;
    }
    // Per init scheme.
    const by: Record<string, { runs: number; stuck: number }> = {};
    if (sv) Object.assign(by, sv.byInit);
    else runs.forEach((r, i) => { if (!r) return; const b = (by[r.init] ??= { runs: 0, stuck: 0 }); b.runs++; if (flags[i]) b.stuck++; });
    const names = Object.keys(by);
    this.inits.hidden = !names.length;
    this.inits.replaceChildren(...names.map((name) => {
      const b = by[name];
      const fill = el('span', { class: 'll-meter-fill' });
      fill.style.width = `${b.runs ? (100 * b.stuck) / b.runs : 0}%`;
      return el('div', { class: 'll-init-row' },
        el('span', { class: 'll-init-name' }, name),
        el('span', { class: 'll-meter', role: 'img', 'aria-label': `${pct(b.stuck, b.runs)} stuck` }, fill),
        el('span', { class: 'll-init-text' }, `${b.stuck}/${b.runs} stuck (${pct(b.stuck, b.runs)})${provisional ? ' so far' : ''}`));
    }));
  }

  private renderRunInfo(m: RunModel, runs: (SurveyRun | null)[], flags: (boolean | null)[], threshold: number | null, provisional: boolean): void {
    const k = this.ctx.ui.selectedRun;
    const r = k !== undefined ? runs[k] : null;
    if (!r || k === undefined) {
      this.runInfo.textContent = runs.some((x) => x) ? 'Click a run (row, strip cell or histogram bar) for its numbers.' : '';
      return;
    }
    const sv = m.survey?.final ? m.result?.survey : undefined;
    const ev = m.examples?.evalTrain;
    const parts = [
      `Run ${k + 1} (seed ${r.seed}, ${r.init})`,
      `final loss ${fmt(r.finalLoss, 4)}${r.finalTestLoss !== null && r.finalTestLoss !== r.finalLoss ? ` (test ${fmt(r.finalTestLoss, 4)})` : ''}`,
    ];
    if (r.finalAccuracy !== null) parts.push(`accuracy ${fmtPct(r.finalAccuracy)}`);
    if (sv && k === sv.best) parts.push('the best run');
    else if (threshold !== null) parts.push(flags[k] ? `${provisional ? 'stuck so far' : 'stuck'} (above ${fmt(threshold)})` : `not stuck (within ${fmt(threshold)})`);
    if (r.deadUnits !== null) parts.push(`dead units ${r.deadUnits} (${r.deadUnitsInit ?? '–'} at init)`);
    if (r.saturatedUnits !== null) parts.push(`saturated units ${r.saturatedUnits} (${r.saturatedUnitsInit ?? '–'} at init)`);
    if (r.blindExamples !== null) parts.push(`blind-spot examples ${r.blindExamples}${ev ? ` of ${fmtInt(ev)}` : ''}`);
    parts.push(`trained in ${fmt(r.trainSeconds, 2)} s`);
    if (sv && k === sv.stuck) parts.push('compared with the best below');
    this.runInfo.textContent = parts.join(' · ');
  }

  // ---- update -------------------------------------------------------------------------------

  update(m: RunModel, force = false, localOnly = false): void {
    this.model = m;
    if (!force && m.rev === this.lastRev) return;
    this.lastRev = m.rev;
    const runs = m.survey?.runs ?? [];
    const { stuck: flags, threshold, provisional } = stuckFlags(m);
    // Most messages of a survey (progress lines) change none of this: skip the rebuild then.
    const key = JSON.stringify([runs.map((r) => (r ? 1 : 0)).join(''), m.survey?.final, threshold, m.status, runsDone(m), !!m.result,
      this.ctx.ui.surveySort, this.ctx.ui.selectedRun, m.examples?.evalTrain]);
    if (force || key !== this.lastKey) {
      this.lastKey = key;
      this.renderVerdict(m, runs, flags, threshold, provisional);
      this.renderStrip(m, runs, flags, provisional);
      this.updateHistogram(m, runs, flags, threshold, provisional);
      this.renderTable(m, runs, flags, provisional);
      this.renderRunInfo(m, runs, flags, threshold, provisional);
    }
    if (localOnly) return;
    const hasLine = !!m.survey?.curve, hasPlane = !!m.survey?.plane;
    this.interp.el.hidden = !hasLine;
    this.plane.el.hidden = !hasPlane;
    if (hasLine) this.interp.update(m, force);
    if (hasPlane) this.plane.update(m, force);
  }

  /** Canvases for the PNG export, by section. */
  sections(): PngSection[] {
    const m = this.model;
    const out: { title: string; canvases: HTMLCanvasElement[] }[] = [];
    const n = m?.survey?.runs.filter((r) => r).length ?? 0;
    if (!this.histWrap.hidden) out.push({ title: `Final losses of ${n} trainings (stuck: red, not stuck: green)`, canvases: [this.histCanvas] });
    if (!this.interp.el.hidden) out.push({ title: 'Best ↔ stuck: θ(α) = (1−α)·θT best + α·θT stuck', canvases: this.interp.canvases() });
    if (!this.plane.el.hidden) out.push({ title: 'Loss plane through θ₀ stuck (0,0), θT stuck (1,0), θT best (0,1)', canvases: this.plane.canvases() });
    return out;
  }

  charts(): Chart[] { return [this.hist as unknown as Chart]; }

  protected parts() { return [this.interp, this.plane]; }

  /** After a theme change the parts redraw themselves: only this view's own components here. */
  protected redraw(): void {
    if (this.model) { this.lastRev = -1; this.update(this.model, true, true); }
  }

}
