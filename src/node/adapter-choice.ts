// Which WebGPU adapter Dawn gets in Node (the command line, sweeps, the bench, the Vitest GPU
// tests): a real GPU; else Mesa's lavapipe (llvmpipe's Vulkan driver: LLVM-compiled, SIMD across
// invocations, a thread per core: several times SwiftShader's speed); else SwiftShader, from the
// machine's Chromium. Each candidate is probed in a child process (adapter-probe.mjs) with its
// own Vulkan loader environment, so a driver that Dawn refuses (Debian 12's own Mesa 22 lavapipe)
// or that crashes is skipped, never fatal. Nothing is cached: every command probes afresh.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adapterLine, cpuDriver, describeInfo, type AdapterInfo, type AdapterReport } from '../engine/adapter.ts'; // with extensions, which Vite's native config loader needs
import { browserCandidates, findBrowser } from './browser.ts';

export const ADAPTER_KINDS = ['gpu', 'lavapipe', 'swiftshader'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];
export type AdapterRequest = AdapterKind | 'auto';
export const ADAPTER_REQUESTS: readonly AdapterRequest[] = ['auto', ...ADAPTER_KINDS];
/** Names the adapter to use, as --adapter does (which wins over it). */
export const ADAPTER_ENV = 'PATTERNFLOW_ADAPTER';
/** Set by bin/patternflow.js on the process it restarts with SwiftShader's loader: the choice is made. */
const CHOSEN_ENV = 'PATTERNFLOW_ADAPTER_CHOSEN';
/** The commands that open a WebGPU device; the others start without probing. */
const GPU_COMMANDS = ['run', 'sweep', 'bench'];

export const LAVAPIPE_INSTALL = 'apt-get install mesa-vulkan-drivers libvulkan1 (Debian 12: -t bookworm-backports, as Dawn refuses its own Mesa 22)';
const PROBE = fileURLToPath(new URL('./adapter-probe.mjs', import.meta.url));
const PROBE_TIMEOUT_MS = 60_000;

export interface Probe {
  kind: AdapterKind;
  /** The adapter Dawn gave, when it is of this kind. */
  adapter?: AdapterReport;
  /** Why this kind is not available. */
  skipped?: string;
  /** What makes Dawn use it: set in this process, or (restart) before a new one starts. */
  env: Record<string, string>;
  restart: boolean;
}

export interface Choice {
  requested: AdapterRequest;
  /** Where the request came from, for messages: --adapter, PATTERNFLOW_ADAPTER, or neither. */
  source?: string;
  probes: Probe[];
  chosen?: Probe;
  /** One line, when the adapter asked for (or any, when none was) is not available. */
  error?: string;
}

/** The kind of an adapter Dawn gave, or undefined for a CPU adapter patternflow does not know. */
export function adapterKind(a: AdapterReport): AdapterKind | undefined {
  if (!a.isFallback) return 'gpu';
  const driver = cpuDriver(a);
  return driver === 'lavapipe' ? 'lavapipe' : driver === 'SwiftShader' ? 'swiftshader' : undefined;
}

/** lavapipe's driver manifest among the Vulkan loader's driver directories. */
function lavapipeManifest(env: NodeJS.ProcessEnv): string | undefined {
  const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  for (const dir of ['/etc/vulkan/icd.d', ...data.map((d) => `${d}/vulkan/icd.d`)]) {
    const file = existsSync(dir) ? readdirSync(dir).find((f) => /^lvp_icd.*\.json$/.test(f)) : undefined;
    if (file) return `${dir}/${file}`;
  }
  return undefined;
}

// Both names: VK_DRIVER_FILES for loaders since 1.3.207, VK_ICD_FILENAMES for older ones.
const onlyDriver = (manifest: string) => ({ VK_DRIVER_FILES: manifest, VK_ICD_FILENAMES: manifest });

type Candidate = { env: Record<string, string>; restart: boolean } | { missing: string };

function candidate(kind: AdapterKind, env: NodeJS.ProcessEnv): Candidate {
  if (kind === 'gpu') return { env: {}, restart: false }; // the system's drivers, as the environment names them
  if (kind === 'lavapipe') {
    const manifest = lavapipeManifest(env);
    return manifest ? { env: onlyDriver(manifest), restart: false } : { missing: `not installed (no lvp_icd*.json among the Vulkan drivers): ${LAVAPIPE_INSTALL}` };
  }
  // Chromium's directory holds SwiftShader, whose manifest names its library relative to itself,
  // and a Vulkan loader, which Dawn opens by name: LD_LIBRARY_PATH, read only when a process starts, finds it.
  const dir = findBrowser(browserCandidates(env))?.dir;
  const manifest = `${dir}/vk_swiftshader_icd.json`;
  if (!dir || !existsSync(manifest)) return { missing: 'not found (it comes with Chromium: apt-get install chromium, or npx playwright install chromium)' };
  return { env: { ...onlyDriver(manifest), LD_LIBRARY_PATH: env.LD_LIBRARY_PATH ? `${dir}:${env.LD_LIBRARY_PATH}` : dir }, restart: true };
}

/** What Dawn gives in this environment, or why it gives nothing (the driver's or the loader's last words). */
function probe(env: NodeJS.ProcessEnv): { adapter?: AdapterReport; why?: string } {
  const r = spawnSync(process.execPath, [PROBE], { env, encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  if (r.status === 0) {
    const info = JSON.parse(r.stdout) as AdapterInfo | null;
    if (info) return { adapter: describeInfo(info) };
  }
  const said = (r.stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(at |- While )/.test(l) && !/artificially reduced/.test(l));
  // Dawn's message line, not the context lines after it.
  const last = ([...said].reverse().find((l) => /^(Warning|Error): /.test(l)) ?? said.at(-1))?.replace(/^(Warning|Error): /, '').slice(0, 160);
  const how = r.error ? r.error.message : r.signal ? `the probe died of ${r.signal}` : r.status !== 0 ? `the probe exited with ${r.status}` : undefined;
  return { why: [how, last].filter(Boolean).join(': ') || 'no adapter' };
}

function skipReason(kind: AdapterKind, got: { adapter?: AdapterReport; why?: string }): string {
  if (!got.adapter) return kind === 'lavapipe' ? `Dawn refused it (${got.why}); Dawn needs Mesa 23 or newer: ${LAVAPIPE_INSTALL}` : `${kind === 'gpu' ? 'the system Vulkan drivers give no adapter' : 'Dawn refused it'} (${got.why})`;
  if (kind === 'gpu') return `no GPU: the system Vulkan drivers give only ${adapterLine(got.adapter)}`;
  return `its manifest gives ${adapterLine(got.adapter)} instead`;
}

/**
 * Probes the candidates in order (only the requested one, when one is) and picks the first that
 * gives an adapter of its kind; `survey` probes all of them, for `patternflow doctor`.
 */
export function chooseAdapter(requested: AdapterRequest, env: NodeJS.ProcessEnv, opts: { source?: string; survey?: boolean } = {}): Choice {
  const kinds = requested === 'auto' || opts.survey ? ADAPTER_KINDS : [requested];
  const probes: Probe[] = [];
  let system: ReturnType<typeof probe> | undefined;
  for (const kind of kinds) {
    const c = candidate(kind, env);
    if ('missing' in c) {
      probes.push({ kind, skipped: c.missing, env: {}, restart: false });
      continue;
    }
    // When the system's drivers give lavapipe, they are lavapipe's environment: no second probe.
    const viaSystem = kind === 'lavapipe' && system?.adapter && adapterKind(system.adapter) === 'lavapipe';
    const got = viaSystem ? system! : probe({ ...env, ...c.env });
    if (kind === 'gpu') system = got;
    const ok = got.adapter !== undefined && adapterKind(got.adapter) === kind;
    probes.push({ kind, ...(viaSystem ? { env: {}, restart: false } : c), ...(ok ? { adapter: got.adapter } : { skipped: skipReason(kind, got) }) });
    if (ok && !opts.survey && requested === 'auto') break;
  }
  const chosen = probes.find((p) => p.adapter && (requested === 'auto' || p.kind === requested));
  const choice: Choice = { requested, source: opts.source, probes, chosen };
  if (chosen) return choice;
  choice.error =
    requested === 'auto'
      ? `no WebGPU adapter (patternflow doctor lists them): ${probes.map((p) => `${p.kind}: ${p.skipped}`).join('; ')}`
      : `${opts.source ?? ADAPTER_ENV} ${requested}: not available: ${probes.find((p) => p.kind === requested)?.skipped}`;
  return choice;
}

/** The adapter asked for: --adapter in argv, else PATTERNFLOW_ADAPTER, else auto; an invalid value is an error. */
export function requestedAdapter(argv: readonly string[], env: NodeJS.ProcessEnv): { requested: AdapterRequest; source?: string; error?: string } {
  const at = argv.findIndex((a) => a === '--adapter' || a.startsWith('--adapter='));
  const flag = at < 0 ? undefined : argv[at].includes('=') ? argv[at].slice('--adapter='.length) : argv[at + 1];
  // An invalid --adapter is commander's to report.
  if (flag !== undefined && ADAPTER_REQUESTS.includes(flag as AdapterRequest)) return { requested: flag as AdapterRequest, source: '--adapter' };
  const value = env[ADAPTER_ENV];
  if (!value) return { requested: 'auto' };
  if (ADAPTER_REQUESTS.includes(value as AdapterRequest)) return { requested: value as AdapterRequest, source: ADAPTER_ENV };
  return { requested: 'auto', error: `${ADAPTER_ENV} must be one of ${ADAPTER_REQUESTS.join(', ')}, got "${value}"` };
}

let current: Choice | undefined;

/**
 * For bin/patternflow.js, before the command runs: chooses the adapter of a command that opens a
 * device, and sets what it needs in `env`, or returns the environment to restart the process
 * with when the loader's library path must change (SwiftShader). Never fails: an adapter that is
 * not available is an error when a device is opened (openNodeGpu), not for --help or merge.
 */
export function adapterForProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const req = requestedAdapter(argv, env);
  const made = env[CHOSEN_ENV];
  if (made) {
    delete env[CHOSEN_ENV]; // this process's, not its children's
    current = { requested: req.requested, source: req.source, probes: [] };
    return undefined;
  }
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  if (!GPU_COMMANDS.includes(command ?? '') || argv.includes('--help') || argv.includes('-h')) return undefined;
  current = req.error ? { requested: 'auto', probes: [], error: req.error } : chooseAdapter(req.requested, env, { source: req.source });
  const chosen = current.chosen;
  if (chosen?.restart) return { ...chosen.env, [CHOSEN_ENV]: chosen.kind };
  Object.assign(env, chosen?.env);
  return undefined;
}

/**
 * For the Vitest config: the environment its workers (new processes) need for the adapter that
 * PATTERNFLOW_ADAPTER names, or the best one; says on stderr when there is none.
 */
export function adapterForWorkers(env: NodeJS.ProcessEnv): Record<string, string> {
  const req = requestedAdapter([], env);
  const choice = req.error ? { error: req.error, chosen: undefined } : chooseAdapter(req.requested, env, { source: req.source });
  if (choice.error) process.stderr.write(`patternflow: ${choice.error}\n`);
  return choice.chosen?.env ?? {};
}

/**
 * Before a device opens: the one line saying why the adapter is not available, if it is not;
 * after, whether Dawn gave the adapter asked for (the Vitest workers, which did not choose, check here too).
 */
export function adapterProblem(adapter?: AdapterReport): string | undefined {
  const req = current ?? requestedAdapter([], process.env);
  if (req.error) return req.error;
  if (!adapter || req.requested === 'auto' || adapterKind(adapter) === req.requested) return undefined;
  return `${req.source ?? ADAPTER_ENV} ${req.requested}: Dawn gave ${adapterLine(adapter)} instead`;
}
