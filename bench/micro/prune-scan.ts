// bench/micro/prune-scan: milliseconds per ScanOp over 864,000 TSBS-like cpu rows (100 hosts × 24 h at 10 s) after
// they were flushed into segments — issue #8's single-host hour query (max(usage_user) per minute of one host over
// one hour), the same over every host, count(*) over the table, and count(*)/min of one host (chunk statistics).
// Prints the engine's pruning counters.
// Run: npx tsc -p . && node dist/bench/micro/prune-scan.js [engine dist root, default this build's]
// (a root of another build, e.g. main's dist/, measures that build with the same rows and ops: before/after).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import type { ColumnSchema, ScanOp } from '../../engine/ops.js'

type EngineModule = typeof import('../../engine/engine.js')

const HOST_COUNT = 100
const STEP_US = 10_000_000
const ROWS_PER_HOST = 8640
const DAY_START_US = Date.UTC(2024, 0, 1) * 1000
const FIELDS = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq',
  'usage_steal', 'usage_guest', 'usage_guest_nice']
const TAGS = ['hostname', 'region', 'datacenter']

function columns(): ColumnSchema[] {
  return [
    { name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    ...TAGS.map((name): ColumnSchema => ({ name, kind: 'symbol', sqlType: 'text', notNull: false })),
    ...FIELDS.map((name): ColumnSchema => ({ name, kind: 'f64', sqlType: 'float8', notNull: false })),
  ]
}

/** One hour of every host (36,000 rows): random-walk fields with two decimals, as TSBS's cpu-only data. */
function hourBatch(hour: number, walk: Float64Array): ColumnBatch {
  const perHost = ROWS_PER_HOST / 24
  const rowCount = HOST_COUNT * perHost
  const ts = new Float64Array(rowCount)
  const hosts = new Int32Array(rowCount)
  const fields = FIELDS.map(() => new Float64Array(rowCount))
  let row = 0
  for (let step = 0; step < perHost; step++) {
    for (let h = 0; h < HOST_COUNT; h++, row++) {
      ts[row] = DAY_START_US + (hour * perHost + step) * STEP_US
      hosts[row] = h
      fields.forEach((values, f) => {
        const at = h * FIELDS.length + f
        walk[at] = Math.min(100, Math.max(0, walk[at]! + (Math.random() - 0.5) * 2))
        values[row] = Math.round(walk[at]! * 100) / 100
      })
    }
  }
  const hostDict = Array.from({ length: HOST_COUNT }, (_, h) => `host_${h}`)
  const tag = (dict: string[], of: (h: number) => number): ColumnVector => ({ kind: 'symbol', ids: hosts.map(of), dict })
  return {
    rowCount,
    columns: [
      { kind: 'timestamp', values: ts }, { kind: 'symbol', ids: hosts, dict: hostDict },
      tag(['eu-west-1', 'us-east-1', 'ap-south-1'], (h) => h % 3), tag(['dc-a', 'dc-b', 'dc-c', 'dc-d'], (h) => h % 4),
      ...fields.map((values): ColumnVector => ({ kind: 'f64', values })),
    ],
  }
}

/** Median of `rounds` timed runs after two warm-up runs, in ms. */
async function measure(name: string, rounds: number, run: () => Promise<unknown>): Promise<void> {
  await run()
  await run()
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint()
    await run()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  process.stdout.write(`${name.padEnd(60)} median ${times[times.length >> 1]!.toFixed(1).padStart(7)} ms   min ${times[0]!.toFixed(1).padStart(7)} ms\n`)
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? path.resolve(__dirname, '../..')
  const { openEngine } = (await import(pathToFileURL(path.join(root, 'engine/engine.js')).href)) as EngineModule
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-prune-bench-'))
  const engine = await openEngine({ dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 512, fsync: 'off' })
  try {
    const created = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'cpu', columns: columns(), timestampIndex: 0, ifNotExists: false })
    const tableId = created.table.id
    const walk = new Float64Array(HOST_COUNT * FIELDS.length).map(() => Math.random() * 100)
    for (let hour = 0; hour < 24; hour++) await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: hourBatch(hour, walk) })
    await engine.flushAll()
    process.stdout.write(`${root}: ${HOST_COUNT * ROWS_PER_HOST} rows in ${engine.stats().segmentCount} segments\n`)
    const scan = (fields: Partial<ScanOp>): ScanOp => ({
      kind: 'ScanOp', v: 1, tableId, timeRange: { fromUs: -Infinity, toUs: Infinity }, filters: [], projection: [],
      groupBy: [], aggregates: [], limit: null, ...fields,
    })
    const hour = { fromUs: DAY_START_US + 12 * 3_600_000_000, toUs: DAY_START_US + 13 * 3_600_000_000 }
    const minute = { kind: 'timeBucket' as const, column: 0, widthUs: 60_000_000, originUs: 0 }
    const maxUser = { fn: 'max' as const, column: 1 + TAGS.length }
    const oneHost = scan({ timeRange: hour, filters: [{ column: 1, op: 'eq', values: ['host_7'] }], groupBy: [minute], aggregates: [maxUser] })
    await measure("max(usage_user) host_7, 1 h, per minute", 30, () => engine.execute(oneHost))
    await measure('max(usage_user) all hosts, 1 h, per minute', 10, () => engine.execute(scan({ timeRange: hour, groupBy: [minute], aggregates: [maxUser] })))
    await measure('count(*) whole table', 10, () => engine.execute(scan({ aggregates: [{ fn: 'count', column: null }] })))
    const host7 = [{ column: 1, op: 'eq' as const, values: ['host_7'] }]
    await measure('count(*), min(usage_user) host_7, whole day', 30, () => engine.execute(scan({ filters: host7,
      aggregates: [{ fn: 'count', column: null }, { fn: 'min', column: 1 + TAGS.length }] })))
    const stats = engine.stats()
    process.stdout.write(`rowGroupsPruned ${stats.rowGroupsPrunedCount ?? '-'} rowGroupsAnswered ${stats.rowGroupsAnsweredCount ?? '-'} rowGroupsRead ${stats.rowGroupsReadCount ?? '-'} chunksRead ${stats.chunksReadCount ?? '-'}\n`)
  } finally {
    await engine.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

void main()
