// The tables a sweep writes (summary, metrics), in Parquet or CSV. A table is written to a
// hidden temporary file and renamed into place only when complete, so a failed or interrupted
// sweep never leaves a partial file under an output's name. Row groups are cut every ROW_GROUP
// rows, whoever writes: a merge of shards then writes the very bytes of the unsharded sweep.
import { closeSync, createReadStream, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { fileWriter, ParquetWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import { formatValue } from '../model/export';

export const FORMATS = ['parquet', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * int: INT32; long: INT64; double: DOUBLE, printed in full in CSV; metric: DOUBLE holding a
 * float32 (or float64) metric, printed in CSV as `patternflow run` prints it; text: UTF8.
 */
export type ColumnType = 'int' | 'long' | 'double' | 'metric' | 'text';
export interface Column {
  name: string;
  type: ColumnType;
}
/** A value; null is an empty cell. A table read back from CSV gives its cells as text, written back unchanged. */
export type Cell = number | bigint | string | null;

const PARQUET_TYPES = { int: 'INT32', long: 'INT64', double: 'DOUBLE', metric: 'DOUBLE', text: 'STRING' } as const;
const ROW_GROUP = 100_000;

export interface TableSink {
  write(rows: readonly Cell[][]): Promise<void>;
  /** Completes the temporary file and renames it to its path. */
  commit(): Promise<void>;
  /** Removes the temporary file. */
  abort(): void;
}

/** Where a table is written until it is complete: hidden, beside its final path. */
export const temporaryPath = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);

const csvCell = (type: ColumnType, v: Cell): string =>
  v === null ? '' : typeof v === 'string' ? v : type === 'metric' ? formatValue(Number(v)) : String(v);

export function openSink(path: string, format: Format, columns: readonly Column[]): TableSink {
  const tmp = temporaryPath(path);
  let pending: Cell[][] = [];
  let done = false;
  const finishOnce = (finish: () => void) => {
    if (done) throw new Error(`${path}: already committed or aborted`);
    done = true;
    finish();
  };

  if (format === 'csv') {
    const fd = openSync(tmp, 'w');
    const emit = (rows: string[][]) => rows.length && writeSync(fd, Papa.unparse(rows, { newline: '\n' }) + '\n');
    try {
      emit([columns.map((c) => c.name)]);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    return {
      async write(rows) {
        emit(rows.map((r) => r.map((v, j) => csvCell(columns[j].type, v))));
      },
      async commit() {
        finishOnce(() => closeSync(fd));
        renameSync(tmp, path);
      },
      abort() {
        if (!done) finishOnce(() => closeSync(fd));
        rmSync(tmp, { force: true });
      },
    };
  }

  const source = (rows: readonly Cell[][]): ColumnSource[] =>
    columns.map((c, j) => ({
      name: c.name,
      type: PARQUET_TYPES[c.type],
      data: rows.map((r) => (c.type === 'long' && typeof r[j] === 'number' ? BigInt(r[j]) : r[j])),
    }));
  const writer = new ParquetWriter({
    writer: fileWriter(tmp),
    schema: schemaFromColumnData({ columnData: source([]) }),
    createdBy: 'patternflow',
  });
  const flush = async (rows: Cell[][]) => {
    if (rows.length) await writer.write({ columnData: source(rows), rowGroupSize: ROW_GROUP });
  };
  return {
    async write(rows) {
      for (const row of rows) {
        pending.push(row as Cell[]);
        if (pending.length === ROW_GROUP) {
          const group = pending;
          pending = [];
          await flush(group);
        }
      }
    },
    async commit() {
      if (done) throw new Error(`${path}: already committed or aborted`);
      await flush(pending);
      pending = [];
      done = true;
      await writer.finish();
      renameSync(tmp, path);
    },
    abort() {
      done = true;
      rmSync(tmp, { force: true });
    },
  };
}

export interface TableReader {
  columns: string[];
  /** The rows in file order, read a row group (or a line) at a time. */
  rows(): AsyncGenerator<Cell[]>;
}

export async function openReader(path: string, format: Format): Promise<TableReader> {
  if (format === 'csv') {
    const lines = () => createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    const parse = (line: string) => Papa.parse<string[]>(line).data[0] ?? [];
    let header: string[] = [];
    for await (const line of lines()) {
      header = parse(line);
      break;
    }
    return {
      columns: header,
      async *rows() {
        let first = true;
        for await (const line of lines()) {
          if (first || line === '') {
            first = false;
            continue;
          }
          yield parse(line);
        }
      },
    };
  }
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  return {
    columns: metadata.schema.slice(1).map((s) => s.name),
    async *rows() {
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        let rows: Cell[][] = [];
        await parquetRead({ file, metadata, rowStart: start, rowEnd: end, rowFormat: 'array', onComplete: (r) => (rows = r as Cell[][]) });
        for (const row of rows) yield row.map((v) => v ?? null);
        start = end;
      }
    },
  };
}
