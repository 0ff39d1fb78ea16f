// A run as the pages draw it: its config, its metric rows and its model report. The dashboard's
// runs (simulation-controller.ts) and the explorer's cohort curves are both drawn from this.
import type { Config } from '../model/config';
import type { MetricsLog } from '../model/metrics';
import type { ModelReport } from '../model/report';
import type { AdapterDescription } from '../model/simulation-interface';

export interface Run {
  id: number;
  name: string;
  config: Config;
  log: MetricsLog;
  /** Set once its simulation is open. */
  report?: ModelReport;
  /** What it ran on, set once its simulation is open: the page's adapter, or the float64 reference for a token tree. */
  adapter?: AdapterDescription;
}
