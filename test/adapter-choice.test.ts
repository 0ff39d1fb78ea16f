// The adapter the command line picks (src/node/adapter-choice.ts): a GPU, lavapipe, SwiftShader,
// the first Dawn gives. Refused drivers are made here as Vulkan driver manifests (ICD JSON) whose
// library does not exist or is no driver, put where the loader and the chooser look
// (XDG_DATA_DIRS): like Debian 12's own Mesa 22 lavapipe, they must never leave a run without an adapter.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { adapterLine, describeInfo } from '../src/engine/adapter';
import { adapterKind, chooseAdapter, requestedAdapter } from '../src/node/adapter-choice';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'patternflow-adapter-'));

const LAVAPIPE = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', isFallbackAdapter: true };
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
const GPU = { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA: 560.35', isFallbackAdapter: false };

/** A directory for XDG_DATA_DIRS holding driver manifests: name -> the library each names. */
function driverDir(name: string, manifests: Record<string, string>): string {
  const icd = join(dir, name, 'vulkan', 'icd.d');
  mkdirSync(icd, { recursive: true });
  for (const [file, library] of Object.entries(manifests))
    writeFileSync(join(icd, file), JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  return join(dir, name);
}

// A lavapipe manifest whose library is missing, and a "GPU driver" that is a library but no Vulkan driver.
const refused = driverDir('refused', { 'lvp_icd.x86_64.json': '/nonexistent/libvulkan_lvp.so', 'broken_icd.json': '/lib/x86_64-linux-gnu/libc.so.6' });
const cleanEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  // Vitest's config chose for this process; the tests choose afresh.
  for (const v of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'PATTERNFLOW_ADAPTER', 'LD_LIBRARY_PATH']) delete env[v];
  return { ...env, ...extra };
};
const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => exec(process.execPath, ['bin/patternflow.js', ...args], { env, maxBuffer: 1 << 24 });
const lavapipeHere = chooseAdapter('lavapipe', cleanEnv({})).chosen !== undefined;

describe('adapter labels', () => {
  it('names the CPU driver and says a CPU adapter is not a GPU figure; a GPU is just named', () => {
    expect(adapterLine(describeInfo(LAVAPIPE))).toBe('mesa / software / llvmpipe: Mesa 25.0.7 (LLVM 15.0.6) (lavapipe, a CPU adapter, not a GPU figure)');
    expect(adapterLine(describeInfo(SWIFTSHADER))).toBe('google / swiftshader / SwiftShader driver 5.0.0 (SwiftShader, a CPU adapter, not a GPU figure)');
    expect(adapterLine(describeInfo(GPU))).toBe('nvidia / hopper / NVIDIA: 560.35');
    expect([LAVAPIPE, SWIFTSHADER, GPU].map((a) => adapterKind(describeInfo(a)))).toEqual(['lavapipe', 'swiftshader', 'gpu']);
  });
});

describe('the adapter asked for', () => {
  it('takes --adapter over PATTERNFLOW_ADAPTER, and says when the variable holds no adapter', () => {
    expect(requestedAdapter(['node', 'bin', 'run', '--adapter', 'swiftshader'], { PATTERNFLOW_ADAPTER: 'lavapipe' })).toEqual({ requested: 'swiftshader', source: '--adapter' });
    expect(requestedAdapter(['node', 'bin', 'run', '--adapter=gpu'], {})).toEqual({ requested: 'gpu', source: '--adapter' });
    expect(requestedAdapter(['node', 'bin', 'run'], { PATTERNFLOW_ADAPTER: 'lavapipe' })).toEqual({ requested: 'lavapipe', source: 'PATTERNFLOW_ADAPTER' });
    expect(requestedAdapter(['node', 'bin', 'run'], {})).toEqual({ requested: 'auto' });
    expect(requestedAdapter([], { PATTERNFLOW_ADAPTER: 'llvmpipe' }).error).toBe('PATTERNFLOW_ADAPTER must be one of auto, gpu, lavapipe, swiftshader, got "llvmpipe"');
  });
});

describe('refused drivers', () => {
  it('skip a refused lavapipe and a broken driver, say why, and run on SwiftShader', async () => {
    const env = cleanEnv({ XDG_DATA_DIRS: refused });
    const { stdout } = await cli(env, 'doctor');
    const lines = stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^ {2}gpu {10}skipped: the system Vulkan drivers give no adapter \(.*VK_ERROR_INCOMPATIBLE_DRIVER\)$/);
    expect(lines[2]).toMatch(/^ {2}lavapipe {5}skipped: Dawn refused it \(.+\); Dawn needs Mesa 23 or newer: apt-get install mesa-vulkan-drivers/);
    expect(lines[3]).toMatch(/^ {2}swiftshader {2}available: google \/ swiftshader \/ .* \(SwiftShader, a CPU adapter, not a GPU figure\)$/);
    expect(lines[4]).toBe('would use: swiftshader (the first available)');

    const out = join(dir, 'refused.json');
    const { stderr } = await cli(env, 'run', '--tasks', '16', '--steps', '3', '--out', out);
    expect(stderr).toMatch(/^patternflow: 16 tasks, steps 1\.\.3 on google \/ swiftshader \//m);
    expect(JSON.parse(readFileSync(out, 'utf8')).adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallback: true });
  });

  it('stop a run that asks for a refused adapter with one line naming it', async () => {
    const failure = await cli(cleanEnv({ XDG_DATA_DIRS: refused }), 'run', '--tasks', '16', '--steps', '3', '--adapter', 'lavapipe').then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^patternflow: --adapter lavapipe: not available: Dawn refused it \(.+\); Dawn needs Mesa 23 or newer: .*bookworm-backports.*\n$/);
  });

  it.runIf(lavapipeHere)('skip a broken driver beside a working lavapipe, which the run then uses (lavapipe installed here)', async () => {
    const broken = driverDir('broken', { 'broken_icd.json': '/lib/x86_64-linux-gnu/libc.so.6', 'missing_icd.json': '/nonexistent/libvulkan_gpu.so' });
    const env = cleanEnv({ XDG_DATA_DIRS: `${broken}:/usr/local/share:/usr/share` });
    const choice = chooseAdapter('auto', env);
    expect(choice.chosen?.kind).toBe('lavapipe');
    const out = join(dir, 'broken.json');
    await cli(env, 'run', '--tasks', '16', '--steps', '3', '--quiet', '--out', out);
    expect(JSON.parse(readFileSync(out, 'utf8')).adapter).toEqual(choice.chosen?.adapter);
    // Forced onto SwiftShader, the same run is SwiftShader's.
    await cli(env, 'run', '--tasks', '16', '--steps', '3', '--quiet', '--adapter', 'swiftshader', '--out', out);
    expect(JSON.parse(readFileSync(out, 'utf8')).adapter).toMatchObject({ architecture: 'swiftshader' });
  });
});
