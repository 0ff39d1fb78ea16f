// README's "Where things are" is the map of the house: each folder and what it may import. This
// reads that table and every import of the source tree, so the map and the code cannot drift.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const SOURCE = /\.(ts|js)$/;

/** Rows of the README table: folder -> folders it may import ("nothing": none). */
function readMap(): Map<string, string[]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Where things are'));
  const map = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    if (map.size > 0 && line.trim() === '') break; // the table ends at its first blank line
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([\w/.-]+\/)`$/.exec(cells[1] ?? '')?.[1];
    if (!folder || cells.length < 5) continue;
    map.set(folder, [...cells[3].matchAll(/`([\w/.-]+\/)`/g)].map((m) => m[1]));
  }
  return map;
}

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const path = `${dir}/${f}`;
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : SOURCE.test(f) ? [path] : [];
  });
}

/** The relative imports of a file, static, side-effect and dynamic, resolved from the root. */
function imports(path: string): string[] {
  const code = readFileSync(join(ROOT, path), 'utf8');
  const specs = [...code.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => normalize(join(dirname(path), s.replace(/\?raw$/, ''))));
}

/** The map's folder holding a path: the longest that prefixes it. */
const folderOf = (map: Map<string, string[]>, path: string) =>
  [...map.keys()].filter((f) => `${path}/`.startsWith(f)).sort((a, b) => b.length - a.length)[0];

describe("README's map of the house", () => {
  const map = readMap();

  it('lists the layers', () => {
    expect([...map.keys()]).toEqual(expect.arrayContaining(['src/model/', 'src/engine/', 'src/reference/', 'shaders/', 'src/ui/', 'src/cli/']));
    expect(map.get('src/model/')).toEqual([]);
  });

  it('lists every source folder', () => {
    const folders = new Set(['src', 'bin', 'scripts'].flatMap(files).map((f) => `${dirname(f)}/`));
    expect([...folders].filter((f) => !folderOf(map, f.slice(0, -1)))).toEqual([]);
  });

  it('lists no folder that is gone, in either column', () => {
    const named = [...map.keys(), ...[...map.values()].flat()];
    expect([...new Set(named)].filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('holds every import of the source tree', () => {
    const wrong: string[] = [];
    for (const file of ['src', 'bin', 'scripts'].flatMap(files)) {
      const from = folderOf(map, file)!;
      for (const target of imports(file)) {
        const to = folderOf(map, target);
        if (to !== from && !(to && map.get(from)!.includes(to))) wrong.push(`${file} imports ${relative(ROOT, join(ROOT, target))}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('catches an import the map does not allow', () => {
    const to = folderOf(map, 'src/cli/run');
    expect(map.get('src/model/')!.includes(to)).toBe(false);
    expect(map.get('src/explorer/')!.includes(folderOf(map, 'src/dashboard/app'))).toBe(false);
  });
});
