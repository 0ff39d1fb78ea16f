// Node module hooks: `import src from './x.wgsl?raw'` gives the file's text, as it does under Vite.
import { readFile } from 'node:fs/promises';

const RAW = '?raw';

export async function resolve(specifier, context, next) {
  if (!specifier.endsWith(`.wgsl${RAW}`)) return next(specifier, context);
  const resolved = await next(specifier.slice(0, -RAW.length), context);
  return { ...resolved, url: resolved.url + RAW, shortCircuit: true };
}

export async function load(url, context, next) {
  if (!url.endsWith(`.wgsl${RAW}`)) return next(url, context);
  const text = await readFile(new URL(url.slice(0, -RAW.length)), 'utf8');
  return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
