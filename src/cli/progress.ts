/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export class ProgressBar {
  private last = '';
  private lastPhase = '';
  private t0 = Date.now();
  constructor(private out: NodeJS.WriteStream = process.stderr) {}
  update(phase: string, done: number, total: number, message?: string): void {
    const secs = ((Date.now() - this.t0) / 1000).toFixed(1);
    if (!this.out.isTTY) {
      if (phase !== this.lastPhase || (message && message !== this.last)) this.out.write(`[${secs}s] ${phase}${message ? `: ${message}` : ''}\n`);
      this.lastPhase = phase; this.last = message ?? '';
      return;
    }
    const width = 28;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const line = `${phase.padEnd(6)} ${bar} ${String(done).padStart(4)}/${total} ${secs}s ${message ?? ''}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1).padEnd(this.last.length)}`);
    this.last = line;
  }
  done(): void { if (this.out.isTTY && this.last) this.out.write('\n'); this.last = ''; }
}
