// The model report: what the task tables say about a run before it starts, computed once per run
// and written beside its metrics (the command line's stderr and JSON, the dashboard's notice and
// export). One object, so that new facts join it without new plumbing.
import type { TaskTables } from './tasks';

export interface ModelReport {
  /** Tasks where some pattern makes a wrong answer at least as likely as the correct one (docs/model.md §1). */
  assumptionFailures: number;
}

export function modelReport(tasks: TaskTables): ModelReport {
  return { assumptionFailures: tasks.assumptionFailures };
}
