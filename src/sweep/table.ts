// The tables a sweep writes (summary, metrics), in Parquet or CSV, encoded and read back the same
// way wherever they go: into files (files.ts, the command line) or into memory (the browser's
// sweep explorer), so both give the same bytes. Row groups are cut every ROW_GROUP rows, whoever
// writes: a merge of shards then writes the very bytes of the unsharded sweep.
import Papa from 'papaparse';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer } from 'hyparquet';
import { ByteWriter, ParquetWriter, schemaFromColumnData, type ColumnSource, type Writer } from 'hyparquet-writer';
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

/** Where a table goes, rows in file order; `commit` completes it (a file sink then renames it into place). */
export interface TableSink {
  write(rows: readonly Cell[][]): Promise<void>;
  commit(): Promise<void>;
  /** Drops what was written. */
  abort(): void;
}

/** Encodes rows as a table's bytes, handing them on as they are made: a sink without its commit and abort. */
export interface TableEncoder {
  write(rows: readonly Cell[][]): Promise<void>;
  /** Writes what is pending and the file's footer. */
  finish(): Promise<void>;
}

const csvCell = (type: ColumnType, v: Cell): string =>
  v === null ? '' : typeof v === 'string' ? v : type === 'metric' ? formatValue(Number(v)) : String(v);

/** CSV text, the header line first, handed to `emit` a batch of lines at a time. */
export function csvEncoder(columns: readonly Column[], emit: (text: string) => void): TableEncoder {
  const lines = (rows: string[][]) => rows.length && emit(Papa.unparse(rows, { newline: '\n' }) + '\n');
  lines([columns.map((c) => c.name)]);
  return {
    async write(rows) {
      lines(rows.map((r) => r.map((v, j) => csvCell(columns[j].type, v))));
    },
    async finish() {},
  };
}

/** Parquet through hyparquet-writer into `writer` (a file's or a ByteWriter), a row group every ROW_GROUP rows. */
export function parquetEncoder(columns: readonly Column[], writer: Writer): TableEncoder {
  let pending: Cell[][] = [];
  const source = (rows: readonly Cell[][]): ColumnSource[] =>
    columns.map((c, j) => ({
      name: c.name,
      type: PARQUET_TYPES[c.type],
      data: rows.map((r) => (c.type === 'long' && typeof r[j] === 'number' ? BigInt(r[j]) : r[j])),
    }));
  const parquet = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData: source([]) }), createdBy: 'patternflow' });
  const flush = async (rows: Cell[][]) => {
    if (rows.length) await parquet.write({ columnData: source(rows), rowGroupSize: ROW_GROUP });
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
    async finish() {
      await flush(pending);
      pending = [];
      await parquet.finish();
    },
  };
}

/** A whole table's bytes in memory: the very bytes the command line writes for the same rows. */
export async function encodeTable(format: Format, columns: readonly Column[], rows: readonly Cell[][]): Promise<Uint8Array<ArrayBuffer>> {
  if (format === 'csv') {
    const parts: string[] = [];
    const csv = csvEncoder(columns, (text) => parts.push(text));
    await csv.write(rows);
    return new TextEncoder().encode(parts.join(''));
  }
  const bytes = new ByteWriter();
  const parquet = parquetEncoder(columns, bytes);
  await parquet.write(rows);
  await parquet.finish();
  return new Uint8Array(bytes.getBuffer());
}

export interface TableReader {
  columns: string[];
  /** The rows in file order, read a row group (or a line) at a time. */
  rows(): AsyncGenerator<Cell[]>;
}

/** A Parquet table from its bytes (a file's, or an ArrayBuffer: hyparquet reads slices of either). */
export async function parquetReader(file: AsyncBuffer): Promise<TableReader> {
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

/** A CSV table from its lines; `lines` is called once for the header and again for the rows. */
export async function csvReader(lines: () => AsyncIterable<string> | Iterable<string>): Promise<TableReader> {
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
