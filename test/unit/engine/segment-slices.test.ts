// Goal: issue #8 — a scan of segments it has seen before is sliced synchronously from what the control thread kept
// (footers, chunk summaries, open descriptors: knownRowGroups), and that fast path must slice, count and answer from
// statistics exactly as the reading path does. Method: segments of seeded rows (several row groups each, hosts sorted
// as a flush sorts them, NULLs, a column added after some segments were written) on disk; fast-check draws scopes
// (time ranges across row-group edges, 0..2 filters, count/min/max or avg aggregates); a fresh reader (every segment
// read) and a reader that saw each segment before (every segment decided from what it kept) must give the same
// slices (file, layout, columns), pins, counters and statistics answer. Twice: every host in every segment, and each
// segment holding two hosts only (as a vShard does), where a host filter passes most segments on their tag values
// over all row groups (groupsPrunedByTags) once those are known.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import type { ColumnFilter, ScanOp, TableSchema } from '../../../engine/ops.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import type { SegmentEntry } from '../../../engine/timeseries/manifest.js'
import { SegmentFiles, type SegmentPins } from '../../../engine/timeseries/segment-files.js'
import { newPruneCounters } from '../../../engine/timeseries/segment-prune.js'
import { rowGroupsOf } from '../../../engine/timeseries/segment-slice-layout.js'
import { SegmentSliceReader } from '../../../engine/timeseries/segment-slices.js'
import { encodeSegment } from '../../../engine/timeseries/segment-writer.js'
import { StatsAnswer } from '../../../engine/timeseries/stats-answer.js'
import { asTableId } from '../../../src/common/ids.js'
import { BASE_US, COLUMNS, HOSTS, makeRows, scanOp, toBatch } from './engine-fixture.js'

const TABLE_ID = asTableId(7)
// A column added after the first segments were written: those read it as NULL.
const SCHEMA: TableSchema = {
  id: TABLE_ID, name: 'cpu', timestampIndex: 0,
  columns: [...COLUMNS, { name: 'late', kind: 'f64', sqlType: 'float8', notNull: false }],
} as TableSchema
const SEGMENT_COUNT = 6
const CORE_COUNT = 2

/** `hostsOf(s)`: the hosts segment s holds (each row's host mapped into them), or every host when null. */
function writeSegments(dir: string, hostsOf: ((s: number) => ReadonlyArray<string>) | null): SegmentEntry[] {
  return Array.from({ length: SEGMENT_COUNT }, (_, s) => {
    const drawn = makeRows(400, 11 + s)
    const mapped = hostsOf === null ? drawn : drawn.map((row) => ({ ...row, host: hostsOf(s)[HOSTS.indexOf(row.host) % hostsOf(s).length]! }))
    const rows = mapped.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.ts - b.ts))
    const batch = toBatch(rows)
    const columns = s < 2 ? batch.columns : [...batch.columns, { kind: 'f64' as const, values: Float64Array.from(rows, (r) => r.ts % 7) }]
    const { bytes, rowCount, minUs, maxUs } = encodeSegment({ tableId: TABLE_ID, vShard: s, partitionStartUs: 0, timestampIndex: 0, columns, rowGroupRows: 60 })
    const file = `seg-${s}.seg`
    fs.writeFileSync(path.join(dir, file), bytes)
    return { id: s + 1, file, tableId: TABLE_ID, vShard: s, partitionStartUs: 0, rowCount, minUs, maxUs, sizeBytes: bytes.length }
  })
}

const filterArb: fc.Arbitrary<ColumnFilter> = fc.oneof(
  fc.constantFrom(...HOSTS).map((host) => ({ column: 1, op: 'eq', values: [host] }) as ColumnFilter),
  fc.subarray([...HOSTS], { minLength: 1, maxLength: 3 }).map((hosts) => ({ column: 1, op: 'in', values: hosts }) as ColumnFilter),
  fc.integer({ min: -100, max: 110 }).map((v) => ({ column: 2, op: 'gt', values: [v] }) as ColumnFilter),
  fc.integer({ min: -100, max: 900 }).map((v) => ({ column: 3, op: 'lte', values: [BigInt(v)] }) as ColumnFilter),
  fc.constant({ column: 6, op: 'isNull', values: [] } as ColumnFilter),
)
const aggregatesArb = fc.constantFrom<ScanOp['aggregates']>(
  [{ fn: 'count', column: null }, { fn: 'min', column: 3 }, { fn: 'max', column: 3 }, { fn: 'count', column: 6 }],
  [{ fn: 'avg', column: 2 }],
  [],
)

const FIXTURES: ReadonlyArray<{ readonly name: string; readonly hostsOf: ((s: number) => ReadonlyArray<string>) | null }> = [
  { name: 'every host in every segment', hostsOf: null },
  { name: 'two hosts a segment', hostsOf: (s) => [HOSTS[s % HOSTS.length]!, HOSTS[(s + 3) % HOSTS.length]!] },
]

for (const fixture of FIXTURES) describe(`engine/timeseries/segment-slices: slices decided from what is kept equal slices read (${fixture.name})`, function () {
  this.timeout(60_000)
  let dir: string
  let entries: SegmentEntry[]
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-slices-'))
    entries = writeSegments(dir, fixture.hostsOf)
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  const slice = async (reader: SegmentSliceReader, files: SegmentFiles, op: ScanOp, list = entries) => {
    const counters = newPruneCounters()
    const answer = StatsAnswer.of(SCHEMA, op)
    const pins: SegmentPins[] = Array.from({ length: CORE_COUNT }, () => [])
    const needed = [0, 1, 2, 3, 6].filter((c) => c === 0 || op.aggregates.some((a) => a.column === c) || op.filters.some((f) => f.column === c))
    const perCore = await reader.readForCores(list, (entry) => path.join(dir, entry.file), op, needed, { counters, answer, files, pins })
    for (const held of pins) files.unpin(held)
    const slices = perCore.map((list) => list.map((s) => ({ file: s.file, columnCount: s.columnCount, columns: [...s.columns], groups: rowGroupsOf(s), hasFd: s.fd !== null })))
    // Pins are what the scan unpins later: which segments, not in what order.
    return { slices, pins: pins.map((held) => [...held].sort((a, b) => a - b)), counters, answer: answer === null || answer.groupCount === 0 ? null : answer.toPartial() }
  }

  // A fixed seed: a draw answered from statistics is rare (8–76 row groups of ~7,000 over 200 draws), so an unseeded
  // run now and then drew none and failed its own coverage check.
  const SEED = 20261207
  it('for drawn scopes, the known (synchronous) path slices, pins, counts and answers as the read path', async () => {
    const warmFiles = new SegmentFiles(async () => undefined)
    let opens = 0
    const countingFs = { ...nodeFileSystem, open: (file: string, mode: 'read') => { opens += 1; return nodeFileSystem.open(file, mode) } } as typeof nodeFileSystem
    const known = new SegmentSliceReader(countingFs)
    // The read path pins through pin() (a promise); the known path through pinOpen().
    let pinCalls = 0
    const pin = warmFiles.pin.bind(warmFiles)
    warmFiles.pin = (id, file) => { pinCalls += 1; return pin(id, file) }
    const seen = newPruneCounters()
    // Every segment seen once with every filter column's summaries and verified summaries kept (the host filter reads
    // every row group's dictionary, so the tag values of whole segments are known from the first draw on).
    await slice(known, warmFiles, scanOp(TABLE_ID, { filters: [] }))
    await slice(known, warmFiles, scanOp(TABLE_ID, { filters: [{ column: 1, op: 'eq', values: ['h0'] }] }))
    await fc.assert(fc.asyncProperty(fc.integer({ min: -5, max: 65 }), fc.integer({ min: 1, max: 70 }),
      fc.array(filterArb, { maxLength: 2 }), aggregatesArb, async (from, width, filters, aggregates) => {
        const timeRange = { fromUs: BASE_US + from * 1_000_000, toUs: BASE_US + (from + width) * 1_000_000 }
        const op = scanOp(TABLE_ID, { timeRange, filters, aggregates })
        const fresh = await slice(new SegmentSliceReader(nodeFileSystem), new SegmentFiles(async () => undefined), op)
        await slice(known, warmFiles, op)
        const [opensBefore, pinsBefore] = [opens, pinCalls]
        const repeated = await slice(known, warmFiles, op)
        assert.deepStrictEqual(repeated, fresh)
        assert.equal(opens, opensBefore, 'the repeat opened no file')
        assert.equal(pinCalls, pinsBefore, 'the repeat decided every segment from what was kept (no pin())')
        for (const key of Object.keys(seen) as Array<keyof typeof seen>) seen[key] += repeated.counters[key]
        // Some segments known, the others read: the slices keep the entries' order all the same.
        const halfFiles = new SegmentFiles(async () => undefined)
        const half = new SegmentSliceReader(nodeFileSystem)
        await slice(half, halfFiles, op, entries.filter((entry) => entry.id % 3 === 0))
        assert.deepStrictEqual(await slice(half, halfFiles, op), fresh)
        halfFiles.closeAll()
      }), { numRuns: 200, seed: SEED })
    assert.ok(seen.rowGroupsPruned > 0 && seen.rowGroupsAnswered > 0 && seen.rowGroupsRead > 0, `the draws pruned, answered and read: ${JSON.stringify(seen)}`)
    warmFiles.closeAll()
  })
})
