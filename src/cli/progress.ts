// The progress line on stderr: step, steps/s, ETA, accuracy; redrawn at most 4 times a second.
const REDRAW_MS = 250;

export class Progress {
  private readonly start = performance.now();
  private lastDraw = 0;
  private line = '';
  private drawn = true;

  constructor(
    private readonly total: number,
    private readonly first: number,
    private readonly quiet: boolean,
  ) {}

  update(step: number, accuracy: number): void {
    const now = performance.now();
    const elapsed = (now - this.start) / 1000;
    const rate = (step - this.first) / Math.max(elapsed, 1e-9);
    const eta = (this.total - step) / Math.max(rate, 1e-9);
    this.line = `step ${step}/${this.total}  ${rate.toFixed(1)} steps/s  ETA ${eta.toFixed(1)}s  accuracy ${accuracy.toFixed(4)}`;
    this.drawn = false;
    if (now - this.lastDraw >= REDRAW_MS) this.draw();
  }

  done(): void {
    if (!this.drawn) this.draw();
    if (!this.quiet && process.stderr.isTTY) process.stderr.write('\n');
  }

  private draw() {
    this.lastDraw = performance.now();
    this.drawn = true;
    if (!this.quiet) process.stderr.write(process.stderr.isTTY ? `\r${this.line}` : `${this.line}\n`);
  }
}
