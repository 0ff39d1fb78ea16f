// The progress line on stderr: step, steps/s, ETA, accuracy; redrawn at most 4 times a second.
// Speed and ETA appear once measured past start-up (RateMeter), never guessed from it.
import { formatDuration, RateMeter } from '../sweep/progress';

const REDRAW_MS = 250;

export class Progress {
  private readonly meter = new RateMeter();
  private readonly start = performance.now();
  private lastDraw = -Infinity; // the first update is drawn at once
  private line = '';
  private drawn = true;

  constructor(
    private readonly total: number,
    private readonly first: number,
    private readonly quiet: boolean,
  ) {}

  update(step: number, accuracy: number): void {
    const now = performance.now();
    const rate = this.meter.rate(step - this.first, now);
    const elapsed = formatDuration((now - this.start) / 1000);
    const speed = rate !== undefined ? `${rate.toFixed(1)} steps/s  ETA ${formatDuration((this.total - step) / rate)}` : step === this.total ? `done in ${elapsed}` : 'measuring speed';
    this.line = `step ${step}/${this.total}  ${speed}  accuracy ${accuracy.toFixed(4)}`;
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
