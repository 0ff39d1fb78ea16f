// shaders/generated/ is what the TypeScript tables generate, byte for byte: a change to a binding,
// a struct, the generator or the header that is not regenerated fails here, not on a reader.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedWgsl } from '../src/engine/generated-wgsl';

const DIR = new URL('../shaders/generated/', import.meta.url);

describe('shaders/generated', () => {
  const files = generatedWgsl();
  it('holds exactly the generated files', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(files).sort());
  });
  for (const [name, text] of Object.entries(files))
    it(`${name} is up to date (npm run generate:wgsl)`, () => {
      expect(readFileSync(new URL(name, DIR), 'utf8'), `shaders/generated/${name} is stale: run npm run generate:wgsl`).toBe(text);
    });
});
