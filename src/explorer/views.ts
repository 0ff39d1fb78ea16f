// The results as views: the heatmap or the line view of one summary column over two axes (the
// others fixed at a value each), and the curves of the grid point picked in either.
import { html, nothing, type TemplateResult } from 'lit';
import { normalise, type CellPick, type Selection } from './cells';
import type { SweepResults } from './results';
import { formatValue } from './scale';
import './cohort-curves';
import './heatmap';
import './line-view';

export type View = 'heatmap' | 'lines';

export interface Views {
  results?: SweepResults;
  selection: Partial<Selection>;
  view: View;
  /** The grid point whose curves are shown. */
  pick?: CellPick;
  setView(view: View): void;
  setSelection(part: Partial<Selection>): void;
  setPick(pick: CellPick): void;
}

export function renderViews(v: Views): TemplateResult {
  const results = v.results;
  const sel = results && normalise(results, v.selection);
  if (!results || !sel)
    return html`<section class="card muted">${results ? 'This sweep has no axes: its one cohort is in the exported tables.' : 'Run a sweep or open results to see them here.'}</section>`;
  const axes = results.axes;
  const select = (testId: string, label: string, value: string, options: { value: string; text: string }[], set: (v: string) => void) =>
    html`<label class="toggle"
      >${label}
      <select data-testid=${testId} .value=${value} @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        ${options.map((o) => html`<option value=${o.value} ?selected=${o.value === value}>${o.text}</option>`)}
      </select></label
    >`;
  const names = (except: string[]) => axes.filter((a) => !except.includes(a.name)).map((a) => ({ value: a.name, text: a.name }));
  return html`<section class="view-options">
      <span class="tabs">
        <button data-testid="sweep-view-heatmap" aria-pressed=${v.view === 'heatmap'} @click=${() => v.setView('heatmap')}>Heatmap</button>
        <button data-testid="sweep-view-lines" aria-pressed=${v.view === 'lines'} @click=${() => v.setView('lines')}>Line view</button>
      </span>
      ${select(
        'sweep-column',
        'column',
        sel.column,
        results.valueColumns.map((c) => ({ value: c, text: c })),
        (column) => v.setSelection({ column }),
      )}
      ${select('sweep-x', 'x', sel.x, names([]), (x) => v.setSelection({ x, y: sel.y === x ? undefined : sel.y }))}
      ${select('sweep-y', v.view === 'heatmap' ? 'y' : 'lines by', sel.y ?? '', [...names([sel.x]), { value: '', text: '(none)' }], (y) => v.setSelection({ y }))}
      ${v.view === 'lines'
        ? html`<label class="toggle"
            ><input type="checkbox" data-testid="sweep-log-y" .checked=${sel.logY === true} @change=${(e: Event) => v.setSelection({ logY: (e.target as HTMLInputElement).checked })} />
            log y</label
          >`
        : nothing}
      ${axes
        .filter((a) => a.name !== sel.x && a.name !== sel.y)
        .map((a) =>
          select(
            `sweep-fix-${a.name}`,
            `${a.name} at`,
            String(sel.fixed[a.name]),
            a.values.map((v) => ({ value: String(v), text: formatValue(v, 24) })),
            (value) => v.setSelection({ fixed: { [a.name]: a.values.find((w) => String(w) === value)! } }),
          ),
        )}
    </section>
    ${v.view === 'heatmap'
      ? html`<pf-heatmap
          .results=${results}
          .selection=${sel}
          .version=${results.version}
          .selected=${v.pick?.cell}
          @cell-select=${(e: CustomEvent<CellPick>) => v.setPick(e.detail)}
        ></pf-heatmap>`
      : html`<pf-line-view
          .results=${results}
          .selection=${sel}
          .version=${results.version}
          @cell-select=${(e: CustomEvent<CellPick>) => v.setPick(e.detail)}
        ></pf-line-view>`}
    ${v.pick
      ? html`<pf-cohort-curves .results=${results} .cohorts=${v.pick.cohorts} .label=${v.pick.label}></pf-cohort-curves>`
      : nothing}`;
}
