// The cohorts of the page's sweep that have ended, kept in IndexedDB as each ends (its rows and
// its summary state, the very things a command-line checkpoint's journal holds), so that a reload
// during the sweep can go on from them. The cohort in flight is not kept: it starts again.
import type { CohortJournal, CohortState, RestoredCohorts } from '../sweep/record';
import type { Cell } from '../sweep/table';

const DB = 'patternflow-sweep';
const STORE = 'cohorts';

/** One ended cohort of the sweep at address hash `hash`. */
interface Stored {
  hash: string;
  cohort: number;
  state: CohortState;
  rows: Cell[][];
  adapter: Record<string, unknown>;
}

const request = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

let db: Promise<IDBDatabase> | undefined;
function open(): Promise<IDBDatabase> {
  db ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: ['hash', 'cohort'] });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  return db;
}

const range = (hash: string) => IDBKeyRange.bound([hash, -Infinity], [hash, Infinity]);
const store = async (mode: IDBTransactionMode) => (await open()).transaction(STORE, mode).objectStore(STORE);

/** The ended cohorts kept for the sweep at `hash`, or undefined where none are (or the browser keeps nothing). */
export async function savedCohorts(hash: string): Promise<RestoredCohorts | undefined> {
  try {
    const all = (await request((await store('readonly')).getAll(range(hash)))) as Stored[];
    if (all.length === 0) return undefined;
    return { ended: new Map(all.map((s) => [s.cohort, s.state])), inFlight: new Map(), rows: new Map(all.map((s) => [s.cohort, s.rows])), adapter: all[0].adapter };
  } catch {
    return undefined;
  }
}

/** Forgets the sweep at `hash` (done, stopped, or started again). */
export async function forgetSweep(hash: string): Promise<void> {
  try {
    await request((await store('readwrite')).delete(range(hash)));
  } catch {
    // Nothing was kept.
  }
}

/** Keeps each cohort of the sweep at `hash` as it ends; `adapter` is what it runs on. */
export function sweepJournal(hash: string, adapter: () => Record<string, unknown> | undefined): CohortJournal {
  const pending = new Map<number, Cell[][]>();
  return {
    rows(rows) {
      for (const row of rows) {
        const cohort = row[0] as number;
        if (!pending.has(cohort)) pending.set(cohort, []);
        pending.get(cohort)!.push(row as Cell[]);
      }
    },
    ended(cohort, state) {
      const rows = pending.get(cohort) ?? [];
      pending.delete(cohort);
      const record: Stored = { hash, cohort, state, rows, adapter: adapter() ?? {} };
      void store('readwrite')
        .then((s) => request(s.put(record)))
        .catch(() => undefined); // a browser that keeps nothing: a reload starts again, and says so
    },
  };
}
