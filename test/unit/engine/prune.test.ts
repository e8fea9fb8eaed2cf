// Goal: issue #8 — scans over segments pruned by chunk statistics (and decoded lazily) answer exactly as scans over
// memtables, for any pushed filters, and a host filter really skips row groups. Method: the same rows (NaN, ±Infinity,
// NULLs, several tags) go into two engines — one keeps them in memtables, one flushes them into many small segments
// (short partitions) — and fast-check draws ScanOps (time range, 0..3 filters of every op on every column kind, raw
// or aggregated, with or without group keys); each core's partial must be the same in both, up to row and group
// order. EngineStats counters show the pruning.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import type { Engine } from '../../../engine/api.js'
import type { AggregateState, ColumnBatch, ScanPartial } from '../../../engine/batch.js'
import { openEngine } from '../../../engine/engine.js'
import { nodeFileSystem, type FileSystem } from '../../../engine/io/file-system.js'
import type { ColumnFilter, ColumnSchema, ScanOp } from '../../../engine/ops.js'
import type { TableId } from '../../../src/common/ids.js'
import { valueAt, type Value } from './engine-oracle.js'
import { floatOrder } from '../../../engine/timeseries/gather.js'
import { scanOp } from './engine-fixture.js'

const COLUMNS: ReadonlyArray<ColumnSchema> = [
  { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
  { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
  { name: 'region', kind: 'symbol', sqlType: 'text', notNull: false },
  { name: 'usage', kind: 'f64', sqlType: 'float8', notNull: false },
  { name: 'reqs', kind: 'i64', sqlType: 'int8', notNull: false },
  { name: 'ok', kind: 'bool', sqlType: 'bool', notNull: false },
  { name: 'note', kind: 'text', sqlType: 'text', notNull: false },
]
const HOSTS = Array.from({ length: 16 }, (_, i) => `host_${i}`)
const REGIONS = ['eu', 'us', 'ap']
const NOTES = ['a', 'b', 'c']
const BASE_US = 1_700_000_000_000_000
const SPAN_US = 120_000_000
const ROW_COUNT = 6000
// Quarters are exact, so sums do not depend on the order rows are added in; NaN and infinities are the edge cases.
const FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 0.25, 7.5, -3, 42, 99.75]

function makeBatch(): ColumnBatch {
  let state = 7
  const next = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
  const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
  const rows = Array.from({ length: ROW_COUNT }, (_, i) => {
    const host = pick(HOSTS)
    // Each host's values keep to its own band (as a host's metrics do), so value filters can prune too.
    const band = HOSTS.indexOf(host) * 10
    return {
      ts: BASE_US + Math.floor((i / ROW_COUNT) * SPAN_US) + i, host, region: next() < 0.1 ? null : REGIONS[band % 3]!,
      usage: next() < 0.1 ? null : next() < 0.05 ? pick(FLOATS) : band + Math.floor(next() * 40) / 4,
      reqs: next() < 0.1 ? null : BigInt(band * 3 + Math.floor(next() * 30)), ok: next() < 0.1 ? null : next() < 0.5,
      note: next() < 0.3 ? null : pick(NOTES),
    }
  })
  const nullsOf = (isNull: (i: number) => boolean) => Uint8Array.from(rows, (_, i) => (isNull(i) ? 1 : 0))
  return {
    rowCount: rows.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(rows, (r) => r.ts) },
      { kind: 'symbol', ids: Int32Array.from(rows, (r) => HOSTS.indexOf(r.host)), dict: HOSTS },
      { kind: 'symbol', ids: Int32Array.from(rows, (r) => (r.region === null ? -1 : REGIONS.indexOf(r.region))), dict: REGIONS },
      { kind: 'f64', values: Float64Array.from(rows, (r) => r.usage ?? 0), nulls: nullsOf((i) => rows[i]!.usage === null) },
      { kind: 'i64', values: BigInt64Array.from(rows, (r) => r.reqs ?? 0n), nulls: nullsOf((i) => rows[i]!.reqs === null) },
      { kind: 'bool', values: Uint8Array.from(rows, (r) => (r.ok === true ? 1 : 0)), nulls: nullsOf((i) => rows[i]!.ok === null) },
      { kind: 'text', values: rows.map((r) => r.note) },
    ],
  }
}

const valueArb: ReadonlyArray<fc.Arbitrary<string | number | bigint | boolean>> = [
  fc.integer({ min: -1, max: 121 }).map((s) => BASE_US + s * 1_000_000),
  fc.constantFrom(...HOSTS, 'nope'), fc.constantFrom(...REGIONS, 'nope'),
  fc.oneof(fc.constantFrom(...FLOATS), fc.integer({ min: -5, max: 170 })), fc.bigInt({ min: -5n, max: 500n }), fc.boolean(),
  fc.constantFrom(...NOTES, 'zzz'),
]
const filterArb: fc.Arbitrary<ColumnFilter> = fc.integer({ min: 0, max: COLUMNS.length - 1 }).chain((column) =>
  fc.constantFrom<ColumnFilter['op']>('eq', 'eq', 'eq', 'isNotNull', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'isNotNull').chain((op) => {
    const n = op === 'isNull' || op === 'isNotNull' ? 0 : op === 'in' || op === 'notIn' ? 3 : 1
    return fc.array(valueArb[column]!, { minLength: n === 3 ? 0 : n, maxLength: n }).map((values) => ({ column, op, values }))
  }))
const shapeArb: fc.Arbitrary<Partial<ScanOp>> = fc.constantFrom<Partial<ScanOp>>(
  { projection: [0, 1, 2, 3, 4, 5, 6] },
  { aggregates: [{ fn: 'count', column: null }, { fn: 'max', column: 3 }, { fn: 'min', column: 3 }, { fn: 'sum', column: 3 }] },
  { groupBy: [{ kind: 'timeBucket', column: 0, widthUs: 10_000_000, originUs: 0 }], aggregates: [{ fn: 'max', column: 3 }, { fn: 'count', column: 4 }] },
  { aggregates: [{ fn: 'count', column: null }, { fn: 'count', column: 3 }, { fn: 'min', column: 3 }, { fn: 'min', column: 4 }, { fn: 'max', column: 4 }, { fn: 'min', column: 0 }] },
  { aggregates: [{ fn: 'max', column: 3 }] },
  { groupBy: [{ kind: 'column', column: 1 }], aggregates: [{ fn: 'min', column: 4 }, { fn: 'max', column: 6 }, { fn: 'last', column: 3 }, { fn: 'avg', column: 3 }] },
)
const opArb = fc.record({
  shape: shapeArb, filters: fc.array(filterArb, { maxLength: 3 }),
  from: fc.integer({ min: -1, max: 121 }), width: fc.oneof(fc.integer({ min: 1, max: 130 }), fc.constant(200)),
})

function cell(value: Value): string {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number' && Object.is(value, -0)) return '0'
  return JSON.stringify(value) ?? String(value)
}

/** Orders two non-NULL values as PostgreSQL does (NaN above every number). */
function order(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return floatOrder(a, b)
  return (a as string | bigint) < (b as string | bigint) ? -1 : (a as string | bigint) > (b as string | bigint) ? 1 : 0
}

interface Merged { count: number; sum: number; value: Value; ts: number }

function mergeState(into: Merged, state: AggregateState, g: number): void {
  switch (state.kind) {
    case 'count': into.count += state.counts[g]!; return
    case 'sum': case 'avg': into.count += state.counts[g]!; into.sum += state.sums[g]!; return
    case 'min': case 'max': {
      const value = valueAt(state.values, g)
      const sign = state.kind === 'min' ? -1 : 1
      if (value !== null && (into.value === null || Math.sign(order(value, into.value)) === sign)) into.value = value
      return
    }
    case 'first': case 'last': {
      const ts = state.timestampsUs[g]!
      if (state.kind === 'first' ? ts < into.ts : ts > into.ts) { into.ts = ts; into.value = valueAt(state.values, g) }
    }
  }
}

/** Every partial merged as sql merges them, as sorted lines (rows, or groups with their final values). */
function canonical(partials: ReadonlyArray<ScanPartial>): string[] {
  const lines: string[] = []
  const groups = new Map<string, Merged[]>()
  for (const partial of partials) {
    if (partial.kind === 'RowsPartial') {
      for (let i = 0; i < partial.rowCount; i++) lines.push(partial.columns.map((c) => cell(valueAt(c, i))).join(','))
      continue
    }
    for (let g = 0; g < partial.groupCount; g++) {
      const key = partial.keys.map((k) => cell(valueAt(k, g))).join(',')
      const merged = groups.get(key) ?? partial.states.map((): Merged => ({ count: 0, sum: 0, value: null, ts: Number.NaN }))
      groups.set(key, merged)
      partial.states.forEach((state, a) => {
        if (Number.isNaN(merged[a]!.ts)) merged[a]!.ts = state.kind === 'last' ? -Infinity : Infinity
        mergeState(merged[a]!, state, g)
      })
    }
  }
  for (const [key, merged] of groups) {
    lines.push(`${key}:${merged.map((m) => `${m.count}/${cell(m.sum)}/${cell(m.value)}`).join(',')}`)
  }
  return lines.sort()
}

describe('segment pruning and lazy decode answer as memtables do (issue #8)', function () {
  this.timeout(120_000)
  let dir = ''
  let memory: Engine
  let segments: Engine
  let memoryTable: TableId
  let segmentTable: TableId
  /** Segment files the segments engine opened for reading. */
  let segmentOpens = 0
  const countingFs: FileSystem = {
    ...nodeFileSystem,
    open: (file, mode) => { if (mode === 'read' && file.endsWith('.seg')) segmentOpens += 1; return nodeFileSystem.open(file, mode) },
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-prune-'))
    const config = (name: string) => ({ dataDir: path.join(dir, name), coreCount: 2, memtableMb: 64, fsync: 'off' as const })
    memory = await openEngine(config('memory'))
    segments = await openEngine(config('segments'), { partitionWidthUs: 10_000_000, fs: countingFs })
    const create = async (engine: Engine): Promise<TableId> => {
      const result = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'cpu', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })
      await engine.execute({ kind: 'IngestOp', v: 1, tableId: result.table.id, batch: makeBatch() })
      return result.table.id
    }
    memoryTable = await create(memory)
    segmentTable = await create(segments)
    await segments.flushAll()
    assert.ok((segments.stats().segmentCount ?? 0) > 50, `segments: ${segments.stats().segmentCount}`)
  })
  after(async () => {
    await Promise.all([memory?.close(), segments?.close()])
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('every drawn scan answers the same from pruned segments as from memtables', async () => {
    await fc.assert(fc.asyncProperty(opArb, async ({ shape, filters, from, width }) => {
      const timeRange = { fromUs: BASE_US + from * 1_000_000, toUs: BASE_US + (from + width) * 1_000_000 }
      const run = async (engine: Engine, tableId: TableId) => (await engine.execute(scanOp(tableId, { ...shape, filters, timeRange }))).partials
      const [expected, actual] = await Promise.all([run(memory, memoryTable), run(segments, segmentTable)])
      assert.deepStrictEqual(canonical(actual), canonical(expected))
    }), { numRuns: 300 })
    const stats = segments.stats()
    assert.ok((stats.rowGroupsPrunedCount ?? 0) > 0 && (stats.rowGroupsAnsweredCount ?? 0) > 0, 'the draws pruned and answered groups')
  })

  it('a host filter skips the row groups of other hosts (EngineStats counters)', async () => {
    const before = segments.stats()
    const op = { aggregates: [{ fn: 'count' as const, column: null }, { fn: 'max' as const, column: 3 }], filters: [{ column: 1, op: 'eq' as const, values: ['host_7'] }] }
    const actual = await segments.execute(scanOp(segmentTable, op))
    const expected = await memory.execute(scanOp(memoryTable, op))
    assert.deepStrictEqual(canonical(actual.partials), canonical(expected.partials))
    const after = segments.stats()
    const pruned = (after.rowGroupsPrunedCount ?? 0) - (before.rowGroupsPrunedCount ?? 0)
    const read = (after.rowGroupsReadCount ?? 0) - (before.rowGroupsReadCount ?? 0)
    assert.ok(read > 0 && pruned > 5 * read, `${pruned} row groups pruned, ${read} read`)
    assert.equal((after.chunksReadCount ?? 0) - (before.chunksReadCount ?? 0), 3 * read, 'ts, host and usage of each group read')
  })

  it('a repeated host scan opens only the files of row groups it reads: pruning knows the others from before', async () => {
    const op = { aggregates: [{ fn: 'max' as const, column: 3 }], filters: [{ column: 1, op: 'eq' as const, values: ['host_3'] }] }
    const expected = await memory.execute(scanOp(memoryTable, op))
    const first = segments.stats()
    await segments.execute(scanOp(segmentTable, op))
    const [opensBefore, before] = [segmentOpens, segments.stats()]
    const actual = await segments.execute(scanOp(segmentTable, op))
    assert.deepStrictEqual(canonical(actual.partials), canonical(expected.partials))
    const after = segments.stats()
    const read = (after.rowGroupsReadCount ?? 0) - (before.rowGroupsReadCount ?? 0)
    const pruned = (after.rowGroupsPrunedCount ?? 0) - (before.rowGroupsPrunedCount ?? 0)
    assert.ok(read > 0 && pruned > 5 * read, `${pruned} row groups pruned, ${read} read`)
    assert.ok(opensBefore > 50, `the first scans opened ${opensBefore} segment files`)
    assert.ok(segmentOpens - opensBefore <= read, `${segmentOpens - opensBefore} segment files opened for ${read} row groups read`)
    // The repeat decides most segments from what it knows (prunedByKnown), the first read them: the same counts.
    assert.equal(pruned, (before.rowGroupsPrunedCount ?? 0) - (first.rowGroupsPrunedCount ?? 0), 'pruned as the first scan did')
    assert.equal(read, (before.rowGroupsReadCount ?? 0) - (first.rowGroupsReadCount ?? 0), 'read as the first scan did')
  })

  it('count(*), count, min, max of one host come from chunk statistics of the groups it wholly covers (EngineStats counters)', async () => {
    const before = segments.stats()
    const op = {
      aggregates: [{ fn: 'count' as const, column: null }, { fn: 'count' as const, column: 3 }, { fn: 'min' as const, column: 4 }, { fn: 'max' as const, column: 4 }],
      filters: [{ column: 1, op: 'eq' as const, values: ['host_7'] }],
    }
    const actual = await segments.execute(scanOp(segmentTable, op))
    const expected = await memory.execute(scanOp(memoryTable, op))
    assert.deepStrictEqual(canonical(actual.partials), canonical(expected.partials))
    const after = segments.stats()
    const answered = (after.rowGroupsAnsweredCount ?? 0) - (before.rowGroupsAnsweredCount ?? 0)
    const read = (after.rowGroupsReadCount ?? 0) - (before.rowGroupsReadCount ?? 0)
    assert.ok(answered > 0, `${answered} row groups answered from stats, ${read} read`)
  })
})
