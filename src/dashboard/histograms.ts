// <pf-histograms>: where the tasks are at the current step, as two bar charts over [0, 1]: each
// task's mass on its best pattern and its accuracy (GPU histogram counts, HIST_BINS bins); for a
// token tree, also the expected rank change and KL at each position of a response.
import { html, svg, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import type { Histograms, PositionProfiles } from '../model/simulation-interface';

const W = 380;
const H = 170;
const PAD = { left: 46, right: 10, top: 8, bottom: 36 };
const TICKS = [0, 0.25, 0.5, 0.75, 1];
const BAR = '#4e79a7';
const FORK = '#f28e2b';

export class PfHistograms extends LightElement {
  static properties: PropertyDeclarations = { hist: { attribute: false } };
  declare hist?: Histograms & { step: number };

  render() {
    const h = this.hist;
    return html`
      <section class="card" data-testid="histograms">
        <header><h3>Per-task distribution ${h ? html`at step <span data-testid="hist-step">${h.step}</span>` : ''}</h3></header>
        ${h
          ? html`<div class="hist-row">
              ${taskBars('best-mass', 'mass on the task’s best pattern', h.bestMass)} ${taskBars('accuracy', 'task accuracy (expected pass@1)', h.accuracy)}
            </div>`
          : html`<p class="muted">Appears once the run has started.</p>`}
        ${h?.positions ? positionRow(h.positions) : ''}
      </section>
    `;
  }
}

/** A bar chart: one bar per value, x ticks at fractions of the width. */
interface Bars {
  id: string;
  xLabel: string;
  yLabel: string;
  values: ArrayLike<number>;
  ticks: [at: number, text: string][];
  /** The top of the y axis and its label. */
  max: number;
  maxText: string;
  title(j: number): string;
  fill(j: number): string;
  /** Attributes of bar j for readers of the page (tests). */
  data?(j: number): { fork: boolean; value: number };
}

function bars(b: Bars) {
  const n = b.values.length;
  const total = Array.from(b.values).reduce((a, v) => a + v, 0);
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const bw = pw / n;
  return html`<figure data-testid=${`hist-${b.id}`} data-total=${total}>
    <svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img" aria-label=${`bar chart of ${b.xLabel}`}>
      ${Array.from(b.values, (c, j) => {
        const bh = b.max > 0 ? (c / b.max) * ph : 0;
        const d = b.data?.(j);
        return svg`<rect x=${PAD.left + j * bw + 0.5} y=${PAD.top + ph - bh} width=${Math.max(0, bw - 1)} height=${bh} fill=${b.fill(j)}
          data-fork=${d ? String(d.fork) : ''} data-value=${d ? String(d.value) : ''}><title>${b.title(j)}</title></rect>`;
      })}
      <line x1=${PAD.left} x2=${W - PAD.right} y1=${PAD.top + ph} y2=${PAD.top + ph} stroke="#666" />
      <line x1=${PAD.left} x2=${PAD.left} y1=${PAD.top} y2=${PAD.top + ph} stroke="#666" />
      ${b.ticks.map(([t, text]) => svg`<text x=${PAD.left + t * pw} y=${PAD.top + ph + 13} text-anchor="middle" class="tick">${text}</text>`)}
      <text x=${PAD.left - 5} y=${PAD.top + 9} text-anchor="end" class="tick">${b.maxText}</text>
      <text x=${PAD.left - 5} y=${PAD.top + ph} text-anchor="end" class="tick">0</text>
      <text x=${PAD.left + pw / 2} y=${H - 4} text-anchor="middle" class="axis-label">${b.xLabel}</text>
      <text transform="translate(12 ${PAD.top + ph / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${b.yLabel}</text>
    </svg>
  </figure>`;
}

/** Task counts over [0, 1]. */
function taskBars(id: string, xLabel: string, counts: Float32Array) {
  const n = counts.length;
  const max = Math.max(1, ...counts);
  return bars({
    id,
    xLabel,
    yLabel: 'tasks',
    values: counts,
    ticks: TICKS.map((t) => [t, String(t)]),
    max,
    maxText: String(max),
    title: (j) => `[${(j / n).toFixed(3)}, ${((j + 1) / n).toFixed(3)}): ${counts[j]} tasks`,
    fill: () => BAR,
  });
}

/** A token tree's positions (docs/model.md §9): expected rank change and KL to π_ref at each, forks in orange. */
function positionRow(p: PositionProfiles) {
  const L = p.forks.length;
  const chart = (id: string, yLabel: string, values: Float64Array, unit: boolean) => {
    const max = unit ? 1 : Math.max(...values);
    return bars({
      id,
      xLabel: `position (forks in orange: ${p.forks.flatMap((f, l) => (f ? [l] : [])).join(', ')})`,
      yLabel,
      values,
      ticks: [0, Math.floor(L / 2), L - 1].map((l) => [(l + 0.5) / L, String(l)]),
      max,
      maxText: unit ? '1' : max.toPrecision(2),
      title: (l) => `position ${l}${p.forks[l] ? ' (fork)' : ''}: ${values[l].toPrecision(3)}`,
      fill: (l) => (p.forks[l] ? FORK : BAR),
      data: (l) => ({ fork: p.forks[l], value: values[l] }),
    });
  };
  return html`<header><h3>Where RL acts in a response</h3></header>
    <div class="hist-row">${chart('position-rank-change', 'rank change', p.rankChange, true)} ${chart('position-kl', 'KL to π_ref', p.kl, false)}</div>`;
}

customElements.define('pf-histograms', PfHistograms);

declare global {
  interface HTMLElementTagNameMap {
    'pf-histograms': PfHistograms;
  }
}
