// Output paths, checked before anything runs (a run must never be lost to a folder that does not
// exist), and a last resort for results whose file cannot be written once the run is done.
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../model/config';

/** Creates `dir` (and its parents) and checks it is a writable folder, or a ConfigError naming `flag` and the path. */
export function prepareFolder(flag: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new ConfigError(flag, `cannot write into the folder ${dir}: ${reason(e)}`);
  }
}

/**
 * Checks that `dir` is, or can be made, a writable folder, without making it (the command makes it
 * once every other check has passed, so a refusal leaves nothing); a ConfigError naming `flag` otherwise.
 */
export function checkFolder(flag: string, dir: string): void {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    if (!statSync(existing).isDirectory()) throw new Error(`${existing} is not a folder`);
    accessSync(existing, constants.W_OK);
  } catch (e) {
    throw new ConfigError(flag, `cannot write into the folder ${dir}: ${reason(e)}`);
  }
}

/** Prepares the folder of the file `path` and refuses a path that is a folder. */
export function prepareFile(flag: string, path: string): void {
  prepareFolder(flag, dirname(resolve(path)));
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Not there yet: the usual case.
  }
  if (isDir) throw new ConfigError(flag, `${path} is a folder; give a file name`);
}

/** The error's message without the stack, in a few words. */
export const reason = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] : String(e));

/**
 * Writes `text` to `path`; when that fails, to the same name in the current folder or the system's
 * temporary folder, and returns where it went together with why `path` failed.
 */
export function writeOrRescue(path: string, text: string): { written: string; failure?: string } {
  try {
    writeFileSync(path, text);
    return { written: path };
  } catch (e) {
    const failure = reason(e);
    const name = `${basename(path).replace(/(\.[^.]*)$/, '')}.rescued-${process.pid}${/\.[^.]*$/.exec(path)?.[0] ?? ''}`;
    for (const dir of [process.cwd(), tmpdir()]) {
      try {
        writeFileSync(join(dir, name), text);
        return { written: join(dir, name), failure };
      } catch {
        // Try the next folder.
      }
    }
    throw new Error(`cannot write ${path} (${failure}), nor ${name} in ${process.cwd()} or ${tmpdir()}`);
  }
}
