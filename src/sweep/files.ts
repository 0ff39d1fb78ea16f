// A sweep's files on disk (Node): each table and manifest is written to a hidden temporary file
// and renamed into place only when complete, so a failed or interrupted sweep never leaves a
// partial file under an output's name. The bytes themselves come from table.ts, as in the browser.
import { closeSync, createReadStream, existsSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile } from 'hyparquet';
import { fileWriter } from 'hyparquet-writer';
import { csvEncoder, csvReader, parquetEncoder, parquetReader, type Column, type Format, type TableEncoder, type TableReader, type TableSink } from './table';

/** Where a file is written until it is complete: hidden, beside its final path. */
export const temporaryPath = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);

/** Removes the temporary files of `path` that a killed process left (any pid: one shard's files are written by one process at a time). */
export function removeTemporaries(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.tmp-`;
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.startsWith(prefix)) rmSync(join(dir, f), { force: true });
}

export function openSink(path: string, format: Format, columns: readonly Column[]): TableSink {
  const tmp = temporaryPath(path);
  let fd: number | undefined;
  let done = false;
  const once = () => {
    if (done) throw new Error(`${path}: already committed or aborted`);
    done = true;
  };
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  let table: TableEncoder;
  try {
    if (format === 'csv') {
      const file = (fd = openSync(tmp, 'w'));
      table = csvEncoder(columns, (text) => writeSync(file, text));
    } else table = parquetEncoder(columns, fileWriter(tmp));
  } catch (e) {
    close();
    rmSync(tmp, { force: true });
    throw e;
  }
  return {
    write: (rows) => table.write(rows),
    async commit() {
      once();
      await table.finish();
      close();
      renameSync(tmp, path);
    },
    abort() {
      done = true;
      close();
      rmSync(tmp, { force: true });
    },
  };
}

export async function openReader(path: string, format: Format): Promise<TableReader> {
  if (format === 'csv') return csvReader(() => createInterface({ input: createReadStream(path), crlfDelay: Infinity }));
  return parquetReader(await asyncBufferFromFile(path));
}

/** Writes JSON to a temporary file, then renames it: a manifest appears whole or not at all. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = temporaryPath(path);
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
