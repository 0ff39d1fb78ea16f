// Packs the `patternflow` command (bench included) into bench/dist/: one bundled script and
// Dawn's linux-x64 binary, about 22 MB, for a GPU machine that cannot reach npm (this workplace's
// device machines: carry bench/dist). With --node it adds this Node runtime, gzipped (about 36 MB),
// for a machine without Node. Run `node bench/bundle.mjs [--node]` here, then there:
// `node bench/dist/patternflow.mjs bench --json bench.json` (bench/RESULTS.md has the recipe).
import { build } from 'esbuild';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const out = 'bench/dist';
rmSync(out, { recursive: true, force: true });
// `import src from './x.wgsl?raw'` gives the file's text, as under Vite.
const wgslRaw = {
  name: 'wgsl-raw',
  setup(b) {
    b.onResolve({ filter: /\.wgsl\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(0, -'?raw'.length)), namespace: 'wgsl' }));
    b.onLoad({ filter: /.*/, namespace: 'wgsl' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
  },
};
await build({
  stdin: { contents: "import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv);", resolveDir: '.', loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: `${out}/patternflow.mjs`,
  external: ['webgpu'],
  plugins: [wgslRaw],
  logLevel: 'warning',
  // commander is CommonJS: its require() calls of Node built-ins need a real require in an ES module.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
const webgpu = 'node_modules/webgpu';
for (const f of ['index.js', 'package.json', 'dist/linux-x64']) cpSync(`${webgpu}/${f}`, `${out}/${webgpu}/${f}`, { recursive: true });
console.log(`wrote ${out}/patternflow.mjs and ${out}/${webgpu}`);
if (process.argv.includes('--node')) {
  writeFileSync(`${out}/node.gz`, gzipSync(readFileSync(process.execPath), { level: 9 }));
  console.log(`wrote ${out}/node.gz (Node ${process.version}, ${process.platform}-${process.arch})`);
}
