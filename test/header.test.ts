// The numbers WGSL shares with TypeScript come from TypeScript: every variant id has a case of its
// own in every WGSL switch over it, metric positions are the generated names, and the bind group
// is declared only by the generator. Reads the WGSL sources; no GPU needed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/model/config';
import { BASE_METRICS } from '../src/model/metrics';
import { wgslBindings } from '../src/engine/bindings';
import { VARIANTS, variantId, wgslHeader, wgslName } from '../src/engine/header';
import { makePlan } from '../src/engine/plan';

const dir = new URL('../shaders/', import.meta.url);
const stripComments = (src: string) => src.replace(/\/\/.*$/gm, '');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => ({ file: f, code: stripComments(readFileSync(new URL(f, dir), 'utf8')) }));
const allCode = sources.map((s) => s.code).join('\n');

/** The text of the block whose `{` ends at `open` (exclusive of its braces). */
function block(code: string, open: number): string {
  let depth = 1;
  for (let j = open; ; j++) {
    if (code[j] === undefined) throw new Error('unbalanced braces');
    if (code[j] === '{') depth++;
    else if (code[j] === '}' && --depth === 0) return code.slice(open, j);
  }
}

/** The case selectors of each clause of every `switch <selector>` in code, outer clauses only. */
function switchesOver(code: string, selector: string): string[][][] {
  const head = new RegExp(`\\bswitch\\s*\\(?\\s*${selector}\\s*\\)?\\s*\\{`, 'g');
  return [...code.matchAll(head)].map((m) => {
    // The clause headers are the body's text outside braces; each clause's block becomes '|'.
    let depth = 0;
    let headers = '';
    for (const ch of block(code, m.index + m[0].length)) {
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) headers += '|';
      else if (depth === 0) headers += ch;
    }
    return headers
      .split('|')
      .map((h) => h.trim().replace(/^case\b/, '').replace(/:$/, '').trim())
      .filter((h) => h !== '')
      .map((h) => h.split(',').map((c) => c.trim()));
  });
}

/** Every function's parameter list and body. */
function functions(code: string): { name: string; params: string; body: string }[] {
  return [...code.matchAll(/\bfn\s+(\w+)\s*\(([^)]*)\)[^{]*\{/g)].map((m) => ({ name: m[1], params: m[2], body: block(code, m.index + m[0].length) }));
}

/** Why a switch's clauses fail to name every id by itself, or undefined when they do. */
function caseProblem(clauses: string[][], ids: string[]): string | undefined {
  const named = clauses.flat().filter((s) => s !== 'default');
  const missing = ids.filter((id) => !named.includes(id));
  if (missing.length) return `no case for ${missing.join(', ')}`;
  const unknown = named.filter((s) => !ids.includes(s));
  if (unknown.length) return `cases that are not ids: ${unknown.join(', ')}`;
  if (new Set(named).size !== named.length) return 'an id named twice';
  if (clauses.some((c) => c.length === 1 && c[0] === 'default')) return 'a default clause of its own';
  return undefined;
}

const header = (() => {
  const c = parseConfig({});
  return wgslHeader(c, makePlan(c));
})();
const generated = new Set([...`${header}\n${wgslBindings()}`.matchAll(/^const (\w+)/gm)].map((m) => m[1]));

describe('WGSL switches over config variants', () => {
  for (const [field, { selector, prefix, values }] of Object.entries(VARIANTS)) {
    const ids = values.map((v) => variantId(prefix, v));
    it(`name every ${field} id in every switch ${selector}, with default only beside a named case`, () => {
      const switches = switchesOver(allCode, selector);
      expect(switches.length, `no switch ${selector} in shaders/`).toBeGreaterThan(0);
      for (const clauses of switches) expect(caseProblem(clauses, ids), `switch ${selector}`).toBeUndefined();
    });

    it(`number the ${field} ids only in the header, in the config's order`, () => {
      for (const { file, code } of sources) expect(code, file).not.toMatch(new RegExp(`\\bconst\\s+${prefix}_\\w+`));
      values.forEach((v, j) => expect(header).toContain(`const ${variantId(prefix, v)}: u32 = ${j}u;`));
      expect(header).toContain(`const ${selector}: u32 = ${variantId(prefix, String(parseConfig({})[field as keyof typeof VARIANTS]))};`);
    });
  }

  it('catch a missing id and a default that stands alone', () => {
    const ids = ['R_A', 'R_B', 'R_C'];
    const check = (body: string) => caseProblem(switchesOver(`switch R { ${body} }`, 'R')[0], ids);
    expect(check('case R_A: { x(); } case R_B: { switch S { case S_X: {} } } case R_C, default: {}')).toBeUndefined();
    expect(check('case R_A: { x(); } case R_B: {} default: {}')).toBe('no case for R_C');
    expect(check('case R_A, R_B: {} case R_C: {} default: {}')).toBe('a default clause of its own');
  });
});

describe('WGSL metric positions', () => {
  it('index metric rows only through names, never literal numbers', () => {
    let metricArrays = 0;
    const literal: string[] = [];
    for (const f of functions(allCode)) {
      // Metric rows are the M-sized arrays: pointer parameters, read as (*p)[j], and local variables.
      const pointers = [...f.params.matchAll(/(\w+)\s*:\s*ptr<function,\s*array<f32,\s*M>>/g)].map((m) => `\\(\\*${m[1]}\\)`);
      const locals = [...f.body.matchAll(/\bvar\s+(\w+)\s*:\s*array<f32,\s*M>/g)].map((m) => `\\b${m[1]}`);
      for (const access of [...pointers, ...locals]) {
        metricArrays++;
        for (const m of f.body.matchAll(new RegExp(`${access}\\[\\s*\\d[^\\]]*\\]`, 'g'))) literal.push(`fn ${f.name}: ${m[0]}`);
      }
    }
    expect(metricArrays).toBeGreaterThan(0);
    expect(literal).toEqual([]);
    const names = new Set(allCode.match(/\bM_[A-Z_]+\b/g));
    expect([...names].filter((n) => !generated.has(n))).toEqual([]);
  });

  it('write every base metric in the kernels', () => {
    const written = new Set([...allCode.matchAll(/\(\*out\)\[(M_\w+)\]/g)].map((m) => m[1]));
    expect(BASE_METRICS.map((m) => `M_${wgslName(m)}`).filter((n) => !written.has(n))).toEqual([]);
  });
});

describe('WGSL bind group', () => {
  it('is declared only by the generator', () => {
    for (const { file, code } of sources) {
      expect(code, file).not.toMatch(/@binding\s*\(/);
      expect(code, file).not.toMatch(/\bstruct\s+Knobs\b/);
    }
    expect(wgslBindings()).toMatch(/@group\(0\) @binding\(9\) var<uniform> knobs: Knobs;/);
  });
});
