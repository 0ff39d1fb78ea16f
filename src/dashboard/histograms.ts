// <pf-histograms>: where the tasks are at the current step, as two bar charts over [0, 1]: each
// task's mass on its best pattern and its accuracy (GPU histogram counts, HIST_BINS bins).
import { html, svg, type PropertyDeclarations } from 'lit';
import { LightElement } from '../ui/light-element';
import type { Histograms } from '../model/simulation-interface';

const W = 380;
const H = 170;
const PAD = { left: 46, right: 10, top: 8, bottom: 36 };
const TICKS = [0, 0.25, 0.5, 0.75, 1];

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
              ${bars('best-mass', 'mass on the task’s best pattern', h.bestMass)} ${bars('accuracy', 'task accuracy (expected pass@1)', h.accuracy)}
            </div>`
          : html`<p class="muted">Appears once the run has started.</p>`}
      </section>
    `;
  }
}

function bars(id: string, xLabel: string, counts: Float32Array) {
  const n = counts.length;
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const bw = pw / n;
  return html`<figure data-testid=${`hist-${id}`} data-total=${total}>
    <svg viewBox="0 0 ${W} ${H}" width=${W} height=${H} role="img" aria-label=${`histogram of ${xLabel}`}>
      ${Array.from(counts, (c, j) => {
        const bh = (c / max) * ph;
        return svg`<rect x=${PAD.left + j * bw + 0.5} y=${PAD.top + ph - bh} width=${Math.max(0, bw - 1)} height=${bh} fill="#4e79a7"><title>${`[${(j / n).toFixed(3)}, ${((j + 1) / n).toFixed(3)}): ${c} tasks`}</title></rect>`;
      })}
      <line x1=${PAD.left} x2=${W - PAD.right} y1=${PAD.top + ph} y2=${PAD.top + ph} stroke="#666" />
      <line x1=${PAD.left} x2=${PAD.left} y1=${PAD.top} y2=${PAD.top + ph} stroke="#666" />
      ${TICKS.map((t) => svg`<text x=${PAD.left + t * pw} y=${PAD.top + ph + 13} text-anchor="middle" class="tick">${t}</text>`)}
      <text x=${PAD.left - 5} y=${PAD.top + 9} text-anchor="end" class="tick">${max}</text>
      <text x=${PAD.left - 5} y=${PAD.top + ph} text-anchor="end" class="tick">0</text>
      <text x=${PAD.left + pw / 2} y=${H - 4} text-anchor="middle" class="axis-label">${xLabel}</text>
      <text transform="translate(12 ${PAD.top + ph / 2}) rotate(-90)" text-anchor="middle" class="axis-label">tasks</text>
    </svg>
  </figure>`;
}

customElements.define('pf-histograms', PfHistograms);

declare global {
  interface HTMLElementTagNameMap {
    'pf-histograms': PfHistograms;
  }
}
