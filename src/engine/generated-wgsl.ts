// The WGSL that TypeScript generates, as the files checked in under shaders/generated/: a reader
// of a kernel opens there what it calls (isLogged, cohortRecord, threefry, K, M_*), and the
// kernels load the config-independent files from there (shaders.ts). `npm run generate:wgsl`
// writes them; test/generated-wgsl.test.ts fails when one is stale.
import { parseConfig } from '../model/config';
import { wgslBindings } from './bindings';
import { wgslHeader } from './header';
import { makePlan } from './plan';
import { threefryWgsl } from './threefry';

const EXAMPLE_NOTE = [
  '// An example, not loaded: the header src/engine/header.ts writes for each run config, here for',
  '// the default config (docs/model.md §7). A kernel sees these names with its own run\'s values.',
];

/** Each file of shaders/generated/ and its text. */
export function generatedWgsl(): Record<string, string> {
  const example = parseConfig({});
  return {
    'declarations.wgsl': `${wgslBindings()}\n`,
    'threefry.wgsl': `${threefryWgsl()}\n`,
    'header.example.wgsl': `${[...EXAMPLE_NOTE, wgslHeader(example, makePlan(example))].join('\n')}\n`,
  };
}
