// The runs table: every run of the session, its progress and final accuracy, whether it is drawn
// under the current run (and with which dash), and a delete button.
import { html, nothing, svg, type TemplateResult } from 'lit';
import { DASHES } from '../ui/charts';
import type { LiveRun } from './simulation-controller';

export interface RunsTable {
  runs: readonly LiveRun[];
  current?: LiveRun;
  /** Ids of the runs drawn under the current one. */
  overlay: ReadonlySet<number>;
  onOverlay(run: LiveRun, on: boolean): void;
  onDelete(run: LiveRun): void;
}

export function renderRunsTable(t: RunsTable): TemplateResult {
  const current = t.current;
  const dashOf = (run: LiveRun) => (run === current ? DASHES[0] : DASHES[1 + ([...t.overlay].indexOf(run.id) % (DASHES.length - 1))]);
  return html`<section class="card runs">
    <h2>Runs</h2>
    <table data-testid="runs">
      <thead>
        <tr><th>run</th><th>steps</th><th>final accuracy</th><th>overlay</th><th></th></tr>
      </thead>
      <tbody>
        ${t.runs.length ? nothing : html`<tr><td colspan="5" class="muted">No runs yet: pick a preset or press Run.</td></tr>`}
        ${t.runs.map((run) => {
          const shown = run === current || t.overlay.has(run.id);
          const acc = run.log.length ? run.log.column('accuracy')[run.log.length - 1] : NaN;
          return html`<tr data-testid="run-row" data-run=${run.id} ?data-current=${run === current}>
            <td>
              <svg width="28" height="8" aria-hidden="true">
                ${shown ? svg`<line x1="0" y1="4" x2="28" y2="4" stroke="#333" stroke-width="2" stroke-dasharray=${dashOf(run).join(' ') || 'none'} />` : nothing}
              </svg>
              #${run.id} ${run.name}${run === current ? ' (current)' : ''}
            </td>
            <td>${run.done} / ${run.config.steps}</td>
            <td>${Number.isNaN(acc) ? '–' : acc.toFixed(4)}</td>
            <td>
              <input
                type="checkbox"
                data-testid="overlay"
                aria-label=${`overlay run ${run.id}`}
                .checked=${shown}
                ?disabled=${run === current}
                @change=${(e: Event) => t.onOverlay(run, (e.target as HTMLInputElement).checked)}
              />
            </td>
            <td><button class="small" data-testid="delete-run" @click=${() => t.onDelete(run)}>Delete</button></td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}
