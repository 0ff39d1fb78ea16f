// A run as the pages draw it: its config, its metric rows and its model report. The dashboard's
// runs (simulation-controller.ts) and the explorer's cohort curves are both drawn from this.
import type { Config } from '../model/config';
import type { MetricsLog } from '../model/metrics';
import type { ModelReport } from '../model/report';

export interface Run {
  id: number;
  name: string;
  config: Config;
  log: MetricsLog;
  /** Set once its simulation is open. */
  report?: ModelReport;
}
