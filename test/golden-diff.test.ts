import { expect, it } from 'vitest';
import { diffCsv } from '../e2e/golden-diff';

const golden = 'step,accuracy,reward\n1,0.5,0.25\n2,0.6,0.3\n';

it('passes identical runs and names metric, step and size of a move', () => {
  expect(diffCsv(golden, golden, 1e-6)).toEqual({ ok: true, report: '' });
  const moved = diffCsv(golden, 'step,accuracy,reward\n1,0.5,0.25\n2,0.6004,0.3\n', 1e-6);
  expect(moved.ok).toBe(false);
  expect(moved.report).toBe('accuracy at step 2: golden 0.6, now 0.6004 (+0.000400)');
  expect(diffCsv(golden, 'step,accuracy\n1,0.5\n', 1e-6).report).toMatch(/^columns changed.*\nrows changed: golden 2 steps, now 1/);
});
