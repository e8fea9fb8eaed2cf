// bench/micro/wal-payload-cost: bytes per row and CPU ns per row of the IngestRecord payload layouts on TSBS cpu
// batches as ILP builds them (10 symbol columns, 10 f64 columns with all-zero null maps, a µs timestamp): the flat
// layout (ring frames; the WAL's before issue 10's compact layout) and the compact one (the WAL's), encode and decode,
// median of 7 passes over every batch; and each column's share of the compact bytes (the payload without it).
// Usage: node dist/bench/micro/wal-payload-cost.js [--rows 200000] [--hosts 100] [--batch 5000] [--columns]
import { parseArgs } from 'node:util'
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import { decodeCompactPayload } from '../../engine/wal/ingest-compact-decode.js'
import { compactPayloadBytesMax, encodeCompactPayload } from '../../engine/wal/ingest-compact.js'
import { decodeFlatPayload, encodeFlatPayload, flatPayloadBytes } from '../../engine/wal/ingest-flat.js'
import { cpuRows, FIELD_NAMES, TAG_NAMES, type CpuRow } from '../tsbs.js'

function symbolColumn(rows: ReadonlyArray<CpuRow>, t: number): ColumnVector {
  const dict: string[] = []
  const index = new Map<string, number>()
  const ids = Int32Array.from(rows, (row) => {
    const value = row.tags[t] ?? ''
    let id = index.get(value)
    if (id === undefined) index.set(value, id = dict.push(value) - 1)
    return id
  })
  return { kind: 'symbol', ids, dict }
}

function batchOf(rows: ReadonlyArray<CpuRow>): ColumnBatch {
  return {
    rowCount: rows.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(rows, (row) => row.timeMs * 1000) },
      ...TAG_NAMES.map((_, t) => symbolColumn(rows, t)),
      ...FIELD_NAMES.map((_, f): ColumnVector => ({
        kind: 'f64', values: Float64Array.from(rows, (row) => row.fields[f] ?? 0), nulls: new Uint8Array(rows.length),
      })),
    ],
  }
}

/** Median CPU ns per row of `work` over every batch, 7 passes (the first warms up the JIT). */
function nsPerRow(rowCount: number, work: () => void): number {
  const times: number[] = []
  for (let pass = 0; pass < 8; pass++) {
    const started = process.cpuUsage()
    work()
    const used = process.cpuUsage(started)
    if (pass > 0) times.push((used.user + used.system) * 1000 / rowCount)
  }
  return times.sort((a, b) => a - b)[3]!
}

function main(): void {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' }, batch: { type: 'string', default: '5000' }, columns: { type: 'boolean', default: false } } })
  const rowCount = Number(values.rows)
  const batchRows = Number(values.batch)
  const all = [...cpuRows(rowCount, Number(values.hosts))]
  const batches: ColumnBatch[] = []
  for (let at = 0; at < all.length; at += batchRows) batches.push(batchOf(all.slice(at, at + batchRows)))
  const flat = batches.map((batch) => encodeFlatPayload(batch, new Uint8Array(flatPayloadBytes(batch))))
  const scratch = new Uint8Array(Math.max(...batches.map(compactPayloadBytesMax)))
  const compact = batches.map((batch) => encodeCompactPayload(batch, scratch).slice())
  const bytesOf = (payloads: Uint8Array[]): number => payloads.reduce((sum, p) => sum + p.length, 0) / rowCount
  const report = (name: string, bytes: number, encode: number, decode: number): void => {
    process.stdout.write(`${name.padEnd(8)} ${bytes.toFixed(2).padStart(7)} bytes/row  encode ${encode.toFixed(0).padStart(4)} ns/row  decode ${decode.toFixed(0).padStart(4)} ns/row\n`)
  }
  const flatScratch = new Uint8Array(Math.max(...batches.map((batch) => flatPayloadBytes(batch)))) // reused, as the engine's encode buffers are
  report('flat', bytesOf(flat), nsPerRow(rowCount, () => { for (const b of batches) encodeFlatPayload(b, flatScratch.subarray(0, flatPayloadBytes(b))) }),
    nsPerRow(rowCount, () => { for (const p of flat) decodeFlatPayload(p) }))
  report('compact', bytesOf(compact), nsPerRow(rowCount, () => { for (const b of batches) encodeCompactPayload(b, scratch) }),
    nsPerRow(rowCount, () => { for (const p of compact) decodeCompactPayload(p) }))
  const names = ['time', ...TAG_NAMES, ...FIELD_NAMES]
  const total = bytesOf(compact)
  if (values.columns !== true) return
  names.forEach((name, c) => {
    const without = batches.map((batch) => encodeCompactPayload({ rowCount: batch.rowCount, columns: batch.columns.filter((_, i) => i !== c) }, scratch).slice())
    process.stdout.write(`  ${name.padEnd(20)} ${(total - bytesOf(without)).toFixed(2).padStart(6)} bytes/row\n`)
  })
}

main()
