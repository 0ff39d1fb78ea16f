// `npm run test:other-driver`, which `npm test` runs after the Vitest suite: the fidelity tests
// (the kernels against the float64 twin in lockstep in both kernel shapes, the self-certainty
// flow against the float64 reference, the golden runs) once more on the CPU Vulkan driver the suite
// did not use (SwiftShader after lavapipe, lavapipe after SwiftShader or a GPU), so a kernel that
// only one driver gets right is caught. Without a second driver it says so in one line and passes.
import { spawnSync } from 'node:child_process';
import { adapterKind, chooseAdapter, requestedAdapter, type AdapterKind } from '../src/node/adapter-choice';

// Bit-identity within one adapter (cadence, packing) stays with the main suite: it is no driver's arithmetic.
const FIDELITY = ['test/gpu-vs-cpu.test.ts', 'test/large-k.test.ts', 'test/self-certainty.test.ts', 'test/golden.test.ts'];

const { requested } = requestedAdapter([], process.env);
const first = chooseAdapter(requested, process.env).chosen?.adapter;
const used = first ? adapterKind(first) : undefined;
const others = (['lavapipe', 'swiftshader'] as AdapterKind[]).filter((k) => k !== used);
const tried = others.map((k) => chooseAdapter(k, process.env, { source: 'test:other-driver:' }));
const other = tried.find((c) => c.chosen)?.chosen?.kind;
if (!other) {
  process.stdout.write(`test:other-driver: the fidelity tests ran on ${used ?? 'no adapter'} only: ${tried.map((c) => c.error).join('; ')}\n`);
  process.exit(0);
}
process.stdout.write(`test:other-driver: the fidelity tests again, on ${other} (the suite ran on ${used})\n`);
const run = spawnSync('npx', ['vitest', 'run', ...FIDELITY], { stdio: 'inherit', env: { ...process.env, PATTERNFLOW_ADAPTER: other } });
process.exit(run.status ?? 1);
