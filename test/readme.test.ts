// Every command README shows, run as a new user would from a fresh clone: each shell line, the
// Kubernetes Job's command, the Python and SQL that read the results. COMMANDS says how each is
// run (as written, or with the smaller sizes README states) or which test covers it instead; a
// command README gains without an entry here fails the first test. `npx patternflow` is run as
// `node bin/patternflow.js` in a scratch folder holding a copy of examples/ (npx itself, from the
// clone, is what test/signals.test.ts starts).
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../src/model/config';

const exec = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'patternflow-readme-'));
cpSync(join(ROOT, 'examples'), join(work, 'examples'), { recursive: true });
const BIN = join(ROOT, 'bin/patternflow.js');

/** README's fenced blocks of one language. */
const blocks = (lang: string) => [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

/** The commands of README's shell blocks (continuation lines joined, comments dropped) and the Job's command. */
function readmeCommands(): string[] {
  const shell = blocks('sh').flatMap((b) =>
    b
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((l) => l.replace(/\s+# .*$/, '').trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  const job = blocks('yaml').flatMap((b) => [...b.matchAll(/command: (\[.*\])/g)].map((m) => (JSON.parse(m[1]) as string[]).join(' ')));
  // A command shown twice (a sweep interrupted, then run again) is one command to run.
  return [...new Set([...shell, ...job])];
}

interface Outcome {
  stdout: string;
  stderr: string;
}
const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> =>
  exec(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
/** A README line's arguments after `npx patternflow` (or `exec npx patternflow`). */
const argsOf = (command: string) => command.replace(/^(exec )?npx patternflow /, '').split(/\s+/).map((a) => a.replace(/^'(.*)'$/, '$1'));
const at = (path: string) => join(work, path);
const lines = (path: string) => readFileSync(at(path), 'utf8').trim().split('\n');
const query = async (sql: string) => (await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(sql)).getRowObjectsJson();

type Entry = { covered: string } | { run: (command: string) => Promise<void> };

/** Runs README's line with `extra` flags appended (the smaller sizes README names; a flag given twice takes the last). */
const asWritten =
  (check: (o: Outcome) => void | Promise<void>, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  async (command: string) =>
    check(await run([...argsOf(command), ...extra], env));

/** The example sweep run again into results/: the same bytes as its first run, and no checkpoint left. */
async function rerunOfResults(command: string): Promise<void> {
  const before = ['summary.parquet', 'metrics.parquet'].map((f) => readFileSync(at(`results/${f}`)));
  await run(argsOf(command));
  expect(['summary.parquet', 'metrics.parquet'].map((f) => readFileSync(at(`results/${f}`)))).toEqual(before);
  expect(readdirSync(at('results')).filter((f) => f.includes('ckpt'))).toEqual([]);
}

const COMMANDS: Record<string, Entry> = {
  'npm ci && npm start': { covered: "the dashboard: every e2e/*.spec.ts starts it (playwright.config.ts's webServer runs vite)" },
  'npm ci && npm test': { covered: 'the whole suite, this file among it' },
  'npx patternflow run --config examples/run.json --steps 3000 --out run.csv': {
    run: asWritten(
      () => {
        expect(lines('run.csv')).toHaveLength(31);
        expect(existsSync(at('run.csv.ckpt'))).toBe(false); // a completed run removes its checkpoint
      },
      ['--steps', '30'],
    ),
  },
  'npx patternflow run --estimator expected --init 0.97,0.01,0.01,0.01 --successRates 0.2,0.9,0.5,0.3 --steps 3000 --out weak-start.csv': {
    run: asWritten(() => expect(lines('weak-start.csv')).toHaveLength(31), ['--steps', '30']),
  },
  'npx patternflow run --tasks 1000000 --steps 10 --reward rlif-certainty --out big.json --backend webgpu': {
    run: asWritten(
      () => {
        const json = JSON.parse(readFileSync(at('big.json'), 'utf8'));
        expect(json.config).toMatchObject({ tasks: 1000, steps: 10, reward: 'rlif-certainty' });
        expect(json.metrics.step).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      },
      ['--tasks', '1000'],
    ),
  },
  'npx patternflow run --policy tokens --length 40 --forks 2 --branching 4 --estimator grpo --tasks 64 --steps 100 --out tokens.csv': {
    run: asWritten(() => {
      const csv = lines('tokens.csv');
      expect(csv).toHaveLength(101);
      expect(csv[0].split(',').slice(-4)).toEqual(['rankChangeRatio', 'forkRankChange', 'fillerRankChange', 'criticalShare']);
    }),
  },
  'npx patternflow run --steps 200': {
    run: asWritten(({ stdout, stderr }) => {
      expect(stdout).toMatch(/^step 200: accuracy 0\.\d+, bestMass 0\.\d+, reward /);
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain('nothing was saved (no --out)');
    }),
  },
  'npx patternflow run --help': {
    run: asWritten(({ stdout }) => {
      const options = stdout.split(/\n\s+(?=--)/).map((o) => o.replace(/\s+/g, ' '));
      for (const field of FIELDS) expect(options.find((o) => o.startsWith(`--${field} `))).toMatch(/\(default: [^;]+; allowed: [^)]+\)/);
      expect(options.find((o) => o.startsWith('--tasks '))).toContain('(default: 4096; allowed: an integer in 1..2147483648)');
    }),
  },
  'npx patternflow sweep --spec examples/sweep.json --out results/': {
    run: asWritten(async () => {
      expect(readdirSync(at('results')).sort()).toEqual(['manifest.json', 'metrics.parquet', 'summary.parquet']);
      // DuckDB, a reader that is not ours, opens the summary: 48 cohorts, faster from a better start.
      const rows = await query(`select initBest, lr, stepsToBest90 from '${at('results/summary.parquet')}' order by cohort`);
      expect(rows).toHaveLength(48);
      expect(rows.at(-1)).toMatchObject({ initBest: 0.5, lr: 1 });
    }),
  },
  'npx patternflow sweep --spec examples/sweep.json --plan': {
    run: asWritten(({ stdout }) => {
      expect(stdout).toMatch(/^sweep: 48 cohorts \(16 initBest x 3 lr x 1 seed\), 3,000 steps each/);
      expect(stdout).toContain('run 1: 48 cohorts, packed into one GPU run;');
      expect(stdout).not.toContain('one at a time');
    }),
  },
  'npx patternflow sweep --preset two-regimes --out two-regimes/': {
    run: asWritten(() => expect(existsSync(at('two-regimes/manifest.json'))).toBe(true)),
  },
  'npx patternflow sweep --spec examples/sweep.json --out results-csv/ --format csv': {
    run: asWritten(() => expect(lines('results-csv/summary.csv')).toHaveLength(49)),
  },
  'npx patternflow sweep --spec examples/sweep.json --out results-ref/ --backend reference': {
    run: asWritten(() => expect(existsSync(at('results-ref/manifest.json'))).toBe(true)),
  },
  // Checkpoints every 2,000 steps or 30 s: a rerun of the same spec into results/, whose files come out byte for byte as before, with no checkpoint left behind.
  'npx patternflow sweep --spec examples/sweep.json --out results/ --checkpointEvery 2000': { run: rerunOfResults },
  'npx patternflow sweep --spec examples/sweep.json --out results/ --checkpointEvery 30s': { run: rerunOfResults },
  // README's Slurm script, run as the 2 tasks of a 2-task array (README's has 16).
  'exec npx patternflow sweep --spec examples/sweep.json --out shards/ --skip-existing --checkpointEvery 5m': {
    run: async (command) => {
      for (let task = 0; task < 2; task++)
        await exec('bash', ['-c', command.replace('npx patternflow', `${process.execPath} ${BIN}`)], {
          cwd: work,
          env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '2' },
        });
      expect(readdirSync(at('shards')).filter((f) => f.endsWith('.manifest.json'))).toHaveLength(2);
    },
  },
  'npx patternflow merge shards/ --out results/': {
    run: async (command) => {
      const whole = readFileSync(at('results/metrics.parquet'));
      await run(argsOf(command));
      // The merge of the array's shards is the unsharded sweep, byte for byte.
      expect(readFileSync(at('results/metrics.parquet'))).toEqual(whole);
    },
  },
  // The Job's container command, as its index 0 (of README's 16), with /data a scratch folder.
  'npx patternflow sweep --spec /data/sweep.json --out /data/shards --shards 16 --skip-existing': {
    run: async (command) => {
      mkdirSync(at('data'));
      cpSync(at('examples/sweep.json'), at('data/sweep.json'));
      await run(argsOf(command.replaceAll('/data', at('data'))), { JOB_COMPLETION_INDEX: '0' });
      expect(readdirSync(at('data/shards')).sort()).toEqual(['shard-00000-of-00016.manifest.json', 'shard-00000-of-00016.metrics.parquet', 'shard-00000-of-00016.parquet']);
    },
  },
  'npm run bench': { covered: 'takes minutes; test/bench.test.ts runs its rows, its thinning on a fallback adapter and its report' },
  'npm run bench -- --peer torch': { covered: 'takes minutes; test/bench-peer.test.ts runs the torch twin beside the rows' },
  'npx patternflow bench --peer torch --policy tokens': { covered: 'takes a minute; test/bench-peer.test.ts runs the twin on both token-tree rows, and test/bench.test.ts plans them' },
  'npx patternflow bench --tasks 65536 --patterns 4 --group 8 --json b.json': {
    run: asWritten(
      () => {
        const rows = JSON.parse(readFileSync(at('b.json'), 'utf8')).rows as { tasks: number; rolloutsPerSec: number }[];
        expect(rows.map((r) => r.tasks)).toEqual([1000]);
        expect(rows[0].rolloutsPerSec).toBeGreaterThan(0);
      },
      ['--tasks', '1000', '--repeats', '1', '--no-roofline'],
    ),
  },
};

const python = (code: string) => spawnSync('python3', ['-c', code], { cwd: work, encoding: 'utf8' });
const hasPandas = python('import pandas, pyarrow, polars').status === 0;

describe('README, run as written', () => {
  it('names a way to run, or the test that covers, every command it shows', () => {
    expect(readmeCommands().sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it('ships every example file it names, and shows the example spec as examples/sweep.json has it', () => {
    const named = [...new Set([...README.matchAll(/examples\/[\w.-]+\.json/g)].map((m) => m[0]))];
    expect(named.sort()).toEqual(['examples/run.json', 'examples/sweep.json']);
    for (const file of named) expect(existsSync(join(ROOT, file)), file).toBe(true);
    const spec = blocks('json').find((b) => b.includes('"axes"'))!;
    expect(JSON.parse(spec)).toEqual(JSON.parse(readFileSync(join(ROOT, 'examples/sweep.json'), 'utf8')));
  });

  // In README's order: the merge reads the Slurm script's shards, the readers the sweeps' files.
  for (const command of readmeCommands()) {
    const entry = COMMANDS[command];
    if (entry && 'run' in entry) it(command, () => entry.run(command));
  }

  it("reads the CSV sweep with Python's own csv module, as README's snippet does", () => {
    const snippet = blocks('python').find((b) => b.includes('import csv'))!;
    const result = python(snippet);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^48 cohorts; \[\('0\.005', '0\.25', '\d*'\)/);
  });

  it.skipIf(!hasPandas)('reads the Parquet files with pandas and polars, as README shows (needs pandas, pyarrow, polars)', () => {
    const snippet = blocks('python').find((b) => b.includes('import pandas'))!;
    expect(python(snippet).status).toBe(0);
  });

  it("runs README's DuckDB queries on the sweep's Parquet files", async () => {
    const sql = blocks('sql')[0]
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n')
      .replaceAll("'results/", `'${work}/results/`);
    const [steps, curves] = await Promise.all(sql.split(';').filter((q) => q.trim()).map(query));
    expect(steps).toHaveLength(48);
    // The mean accuracy of each lr's cohorts, at each logged step: 3 lr x 300 logged steps.
    expect(curves).toHaveLength(3 * 300);
    expect(Number(curves.at(-1)!.accuracy)).toBeGreaterThan(0.85);
  });
});
