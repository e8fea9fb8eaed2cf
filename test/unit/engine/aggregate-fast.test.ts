// Goal: the scan's fast paths answer exactly as its general paths do — the fused run-by-run aggregate
// (aggregate-fast.ts, aggregate-runs.ts) against aggregate.ts's per-row loop, and the dense selection of a range wholly
// in the time range against the row-by-row selection — bit for bit (NaN, -0 and float sums included), on random rows
// with NULLs, NaN, ±0, ±Infinity and tied timestamps, in row groups sorted as segments are (some with their time and
// tag id runs indexed, as cached chunks are: bucket runs found by binary search) and in memtables filled out of order,
// over full, covering, partial and empty time ranges and limits. Method: each op runs twice over the same memtables,
// once as is and once with `WHERE true` and every aggregate `FILTER (WHERE true)`, which sends it down the
// general paths (same rows, same groups) — the general path is the oracle.
import assert from 'node:assert/strict'
import type { AggPartial, ColumnBatch, ColumnVector, ScanPartial } from '../../../engine/batch.js'
import { EXPR_VERSION, type ScanWhere } from '../../../engine/expr.js'
import type { AggregateSpec, ColumnFilter, GroupKey, ScanOp, TableSchema } from '../../../engine/ops.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { scanMemtables } from '../../../engine/timeseries/scan.js'
import { ScanCursor } from '../../../engine/timeseries/scan-cursor.js'
import { sortMemtableByPartition } from '../../../engine/timeseries/memtable-sort.js'
import { cachedTimeRuns, registerCachedIds } from '../../../engine/timeseries/sorted-spans.js'
import { registerCachedValues } from '../../../engine/timeseries/lane-sums.js'
import { asTableId } from '../../../src/common/ids.js'
import { seededRandom } from '../../helpers/random.js'

const SCHEMA: TableSchema = {
  id: asTableId(1), name: 't', timestampIndex: 0,
  columns: [
    { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'f', kind: 'f64', sqlType: 'float8', notNull: false },
    { name: 'g', kind: 'f64', sqlType: 'float8', notNull: false },
  ],
}
const TRUE: ScanWhere = { v: EXPR_VERSION, expr: { k: 'const', value: true, type: 'bool' } }
const SPECIALS = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -1e308, 0.1, 0.2]

function defaultTime(random: () => number): number {
  return 1_000_000 + Math.floor(random() * 40) * 250_000
}

/** Rows of one memtable: f has NULLs and special values, g none; hosts include NULL; timestamps repeat. */
function randomBatch(random: () => number, count: number, hasNullG: boolean, timeOf = defaultTime): ColumnBatch {
  // Sometimes one host (a row group of one series), with or without NULL hosts.
  const dict = random() < 0.3 ? ['h1'] : ['h3', 'h1', 'h2', 'h0']
  const nullHosts = random() < 0.5 ? 0.1 : 0
  const value = () => (random() < 0.2 ? SPECIALS[Math.floor(random() * SPECIALS.length)]! : Math.round(random() * 2000 - 1000) / 7)
  const fNulls = Uint8Array.from({ length: count }, () => (random() < 0.25 ? 1 : 0))
  const gNulls = Uint8Array.from({ length: count }, () => (hasNullG && random() < 0.5 ? 1 : 0))
  return {
    rowCount: count,
    columns: [
      { kind: 'timestamp', values: Float64Array.from({ length: count }, () => timeOf(random)) },
      { kind: 'symbol', ids: Int32Array.from({ length: count }, () => (random() < nullHosts ? -1 : Math.floor(random() * dict.length))), dict },
      { kind: 'f64', values: Float64Array.from({ length: count }, value), nulls: fNulls },
      { kind: 'f64', values: Float64Array.from({ length: count }, value), nulls: gNulls },
    ],
  }
}

/** A live memtable (rows in arrival order) and row groups sorted by (series, time), as a flush writes them. */
function memtablesOf(seed: number, timeOf = defaultTime): Memtable[] {
  const random = seededRandom(seed)
  const result: Memtable[] = []
  for (let m = 0; m < 4; m++) {
    const count = [0, 1, 37, 300][Math.floor(random() * 4)]!
    const live = new Memtable(SCHEMA)
    live.appendRows(randomBatch(random, count, m % 2 === 0, timeOf), Int32Array.from({ length: count }, (_, i) => i), count)
    if (m % 2 === 1) { result.push(live); continue }
    for (const part of sortMemtableByPartition(live, 3_600_000_000)) {
      const [ts, host] = part.columns
      if (ts?.kind !== 'timestamp' || host?.kind !== 'symbol') throw new Error('a sorted part keeps the schema')
      // The first sorted memtable stands for cached chunks: its time and tag id runs are indexed (sorted-spans.ts), and
      // a sum over all of its timestamps takes their kept whole-chunk lanes (lane-sums.ts).
      if (m === 0) { cachedTimeRuns(ts.values); registerCachedIds(host.ids); registerCachedValues(ts.values) }
      result.push(Memtable.fromVectors(SCHEMA, ts.values.length, part.columns))
    }
  }
  return result
}

function op(fields: Partial<ScanOp>): ScanOp {
  return {
    kind: 'ScanOp', v: 1, tableId: SCHEMA.id, timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY },
    filters: [], projection: [], groupBy: [], aggregates: [], limit: null, where: null, ...fields,
  }
}

/** The op as the general paths run it: the same rows and groups, through `WHERE true` and `FILTER (WHERE true)`. */
function general(scan: ScanOp): ScanOp {
  return { ...scan, where: TRUE, aggregates: scan.aggregates.map((spec) => ({ ...spec, filter: TRUE })) }
}

/** A float's exact identity (NaN, -0 and every bit of the value), for comparing results bit for bit. */
function exact(value: number | bigint | string | null): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  return String(value)
}

function vectorCells(vector: ColumnVector): string[] {
  switch (vector.kind) {
    case 'symbol': return Array.from(vector.ids, (id) => (id < 0 ? 'NULL' : vector.dict[id]!))
    case 'text': return vector.values.map((v) => exact(v))
    default: return Array.from(vector.values as ArrayLike<number | bigint>, (v, i) => (vector.nulls?.[i] === 1 ? 'NULL' : exact(v)))
  }
}

function canonical(partial: ScanPartial): unknown {
  if (partial.kind === 'RowsPartial') return { rows: partial.rowCount, columns: partial.columns.map(vectorCells) }
  const agg: AggPartial = partial
  return {
    groups: agg.groupCount,
    keys: agg.keys.map(vectorCells),
    states: agg.states.map((state) => {
      switch (state.kind) {
        case 'count': return { counts: Array.from(state.counts, exact) }
        case 'sum': case 'avg': return { sums: Array.from(state.sums, exact), counts: Array.from(state.counts, exact) }
        case 'min': case 'max': return { values: vectorCells(state.values) }
        default: return { values: vectorCells(state.values), times: Array.from(state.timestampsUs, exact) }
      }
    }),
  }
}

const GROUPINGS: Array<{ name: string; groupBy: GroupKey[] }> = [
  { name: 'no key', groupBy: [] },
  { name: 'tag', groupBy: [{ kind: 'column', column: 1 }] },
  { name: 'bucket', groupBy: [{ kind: 'timeBucket', column: 0, widthUs: 1_000_000, originUs: 0 }] },
  { name: 'bucket and tag', groupBy: [{ kind: 'timeBucket', column: 0, widthUs: 2_500_000, originUs: 125_000 }, { kind: 'column', column: 1 }] },
]
const AGGREGATES: AggregateSpec[] = [
  { fn: 'count', column: null }, { fn: 'count', column: 2 }, { fn: 'count', column: 3 },
  { fn: 'sum', column: 2 }, { fn: 'sum', column: 3 }, { fn: 'avg', column: 2 }, { fn: 'avg', column: 3 }, { fn: 'sum', column: 0 },
  { fn: 'min', column: 2 }, { fn: 'max', column: 2 }, { fn: 'min', column: 3 }, { fn: 'max', column: 3 },
  { fn: 'first', column: 2 }, { fn: 'last', column: 3 }, { fn: 'first', column: 1 }, { fn: 'last', column: 1 },
]
/** None (dense selections), a tag set and a float test (selections with gaps, ending anywhere in a null map's words). */
const FILTERS: ColumnFilter[][] = [
  [], [{ column: 1, op: 'in', values: ['h1', 'h2'] }], [{ column: 2, op: 'gt', values: [0] }],
]
const RANGES = [
  { name: 'unbounded', fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY },
  { name: 'covering', fromUs: 0, toUs: 1e12 },
  { name: 'partial', fromUs: 3_000_000, toUs: 7_250_000 },
  { name: 'open below', fromUs: Number.NEGATIVE_INFINITY, toUs: 5_000_000 },
  { name: 'empty', fromUs: 20_000_000, toUs: 30_000_000 },
]

describe('engine/timeseries aggregate and selection fast paths', () => {
  for (const grouping of GROUPINGS) {
    for (const range of RANGES) {
      it(`aggregates by ${grouping.name} over a ${range.name} time range as the general path does`, () => {
        for (let seed = 1; seed <= 25; seed++) {
          const memtables = memtablesOf(seed * 7919)
          for (const [f, filters] of FILTERS.entries()) {
            const scan = op({ groupBy: grouping.groupBy, aggregates: AGGREGATES, timeRange: range, filters })
            assert.deepEqual(canonical(scanMemtables(SCHEMA, memtables, scan)),
              canonical(scanMemtables(SCHEMA, memtables, general(scan))), `seed ${seed} filters ${f}`)
          }
        }
      })
    }
  }

  for (const range of RANGES) {
    it(`selects raw rows over a ${range.name} time range, with limits, as the general path does`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const memtables = memtablesOf(seed * 104729)
        for (const limit of [null, 0, 1, 40, 1000]) {
          const scan = op({ projection: [0, 1, 2, 3], timeRange: range, limit })
          assert.deepEqual(canonical(scanMemtables(SCHEMA, memtables, scan)),
            canonical(scanMemtables(SCHEMA, memtables, general(scan))), `seed ${seed} limit ${String(limit)}`)
        }
      }
    })
  }

  // Plain sums (no NULL in the selection: g in half the memtables, the timestamp always) go four rows per step into
  // four lanes; a whole cached row group's timestamps add their kept lanes.
  it('sums plain columns by lanes, and whole cached row groups from their kept lanes, as the general path sums', () => {
    const sums: AggregateSpec[] = [{ fn: 'sum', column: 3 }, { fn: 'avg', column: 3 }, { fn: 'sum', column: 0 }, { fn: 'count', column: null },
      { fn: 'avg', column: 0 }, { fn: 'sum', column: 3 }, { fn: 'max', column: 3 }, { fn: 'avg', column: 3 }, { fn: 'sum', column: 0 }, { fn: 'sum', column: 2 }]
    for (let seed = 1; seed <= 25; seed++) {
      const memtables = memtablesOf(seed * 4243)
      for (const grouping of GROUPINGS) {
        for (const range of RANGES) {
          const scan = op({ groupBy: grouping.groupBy, aggregates: sums, timeRange: range, filters: FILTERS[seed % FILTERS.length]! })
          assert.deepEqual(canonical(scanMemtables(SCHEMA, memtables, scan)),
            canonical(scanMemtables(SCHEMA, memtables, general(scan))), `seed ${seed} ${grouping.name} ${range.name}`)
        }
      }
    }
  })

  // The fused kernel's bucket runs skip the bucket arithmetic for times inside a span known to share a start: times
  // where the arithmetic rounds (near 2^53, fractional, negative, -0, infinite) and widths that do not divide them.
  it('cuts bucket runs as the general path groups, at times where the bucket arithmetic rounds', () => {
    const near = 2 ** 53 - 4096
    const times = [-0, 0, 0.1, 0.30000000000000004, -7.5, -1e15, near, near + 2, near + 1023, near + 4094, 1e300, 1.5e15 + 0.25,
      3_599_999_999, 3_600_000_000, 7_199_999_999.999999]
    const timeOf = (random: () => number) => {
      const base = times[Math.floor(random() * times.length)]!
      return random() < 0.5 ? base : base + Math.floor(random() * 5) * 1024
    }
    const widths = [{ widthUs: 1, originUs: 0 }, { widthUs: 0.1, originUs: 0.05 }, { widthUs: 3, originUs: -1 },
      { widthUs: 2048, originUs: 7 }, { widthUs: 3_600_000_000, originUs: 0 }, { widthUs: 1e20, originUs: 0 }]
    for (let seed = 1; seed <= 25; seed++) {
      const memtables = memtablesOf(seed * 6007, timeOf)
      for (const width of widths) {
        for (const tag of [[], [{ kind: 'column', column: 1 } as const]]) {
          const groupBy: GroupKey[] = [{ kind: 'timeBucket', column: 0, ...width }, ...tag]
          const scan = op({ groupBy, aggregates: AGGREGATES })
          assert.deepEqual(canonical(scanMemtables(SCHEMA, memtables, scan)),
            canonical(scanMemtables(SCHEMA, memtables, general(scan))), `seed ${seed} width ${width.widthUs}`)
        }
      }
    }
  })

  it('streams the same rows through ScanCursor steps with and without the dense selection', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const memtables = memtablesOf(seed * 31)
      for (const range of RANGES) {
        const scan = op({ projection: [0, 2], timeRange: range, limit: 500 })
        const drain = (o: ScanOp) => {
          const cursor = new ScanCursor(SCHEMA, o, memtables.map((m) => ({ rowCount: m.rowCount, open: () => m })))
          const steps: unknown[] = []
          while (!cursor.isDone) steps.push(canonical(cursor.step()))
          return steps
        }
        assert.deepEqual(drain(scan), drain(general(scan)), `seed ${seed} ${range.name}`)
      }
    }
  })
})
