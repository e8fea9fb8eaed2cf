// Goal: the segment file format v2 (engine/timeseries/segment-format.ts) — round trip through writer and reader, the
// pinned header/trailer layout, corruption reported as 'Corrupt' naming file and byte offset, and the flush sort
// order (partition, series, time). Method: seeded vectors with NULLs in every kind; the reader's answers are compared
// with the input vectors; one byte of a chunk is flipped to check that no value is returned from it.
import assert from 'node:assert/strict'
import { isEngineFailureError } from '../../../engine/api.js'
import type { ColumnVector } from '../../../engine/batch.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { sortMemtableByPartition } from '../../../engine/timeseries/memtable-sort.js'
import { SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, SEGMENT_TRAILER_BYTES, writeHeader } from '../../../engine/timeseries/segment-format.js'
import { ByteWriter } from '../../../engine/timeseries/codecs/byte-writer.js'
import { crc32c } from '../../../engine/wal/crc32c.js'
import {
  decodeSegmentChunk, decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer,
} from '../../../engine/timeseries/segment-reader.js'
import { encodeSegment } from '../../../engine/timeseries/segment-writer.js'
import { BASE_US, COLUMNS, makeRows, toBatch } from './engine-fixture.js'
import { valueAt } from './engine-oracle.js'
import { asTableId } from '../../../src/common/ids.js'

const SCHEMA = { id: asTableId(3), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }

function decodeAll(file: string, bytes: Uint8Array) {
  const header = decodeSegmentHeader(file, bytes.subarray(0, SEGMENT_HEADER_BYTES))
  const { length, crc } = decodeSegmentTrailer(file, bytes.subarray(bytes.length - SEGMENT_TRAILER_BYTES), bytes.length)
  const footerAt = bytes.length - SEGMENT_TRAILER_BYTES - length
  const footer = decodeSegmentFooter(file, bytes.subarray(footerAt, footerAt + length), crc, header.columnCount, bytes.length)
  return { header, footer }
}

function cells(vector: ColumnVector): unknown[] {
  const n = vector.kind === 'symbol' ? vector.ids.length : vector.values.length
  return Array.from({ length: n }, (_, i) => valueAt(vector, i))
}

describe('engine/timeseries/segment format v2', () => {
  const batch = toBatch(makeRows(1000, 5))

  it('round-trips every column kind through row groups, with time min/max per group in the footer', () => {
    const encoded = encodeSegment({ tableId: 3, vShard: 17, partitionStartUs: BASE_US, timestampIndex: 0, columns: batch.columns, rowGroupRows: 300 })
    assert.equal(encoded.rowCount, 1000)
    const { header, footer } = decodeAll('x.seg', encoded.bytes)
    assert.deepEqual(header, { version: 2, tableId: 3, vShard: 17, columnCount: 6, partitionStartUs: BASE_US })
    assert.deepEqual(footer.kinds, COLUMNS.map((c) => c.kind))
    assert.deepEqual(footer.rowGroups.map((g) => g.rowCount), [300, 300, 300, 100])
    COLUMNS.forEach((column, c) => {
      const decoded = footer.rowGroups.flatMap((group) => {
        const { offset, length } = group.chunks[c]!
        return cells(decodeSegmentChunk('x.seg', offset, encoded.bytes.subarray(offset, offset + length), column.kind, group.rowCount))
      })
      assert.deepStrictEqual(decoded, cells(batch.columns[c]!), column.name)
    })
    const ts = batch.columns[0]!.kind === 'timestamp' ? batch.columns[0]!.values : new Float64Array()
    footer.rowGroups.forEach((group, g) => {
      const part = ts.subarray(g * 300, g * 300 + group.rowCount)
      assert.equal(group.minUs, Math.min(...part))
      assert.equal(group.maxUs, Math.max(...part))
    })
  })

  it('pins the layout: magic, version and ids in the 36-byte header; footer length, crc and magic in the trailer', () => {
    const { bytes } = encodeSegment({ tableId: 3, vShard: 17, partitionStartUs: 0, timestampIndex: 0, columns: batch.columns })
    assert.deepEqual([...bytes.subarray(0, 8)], [0x4e, 0x44, 0x42, 0x53, 0x45, 0x47, 0x00, 0x01])
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
    assert.deepEqual([view.getUint32(8, true), view.getUint32(12, true), view.getUint32(16, true), view.getUint32(20, true)], [2, 3, 17, 6])
    assert.equal(view.getFloat64(24, true), 0)
    assert.deepEqual([...bytes.subarray(bytes.length - 8)], [...SEGMENT_MAGIC])
    assert.equal(bytes[SEGMENT_HEADER_BYTES], 1, 'first chunk: the timestamp column, codec id 1 (delta-of-delta)')
  })

  it('reads v1 headers (files older builds wrote) and refuses versions it does not know as Corrupt', () => {
    for (const version of [1, 2, 3]) {
      const out = new ByteWriter()
      writeHeader(out, { version, tableId: 3, vShard: 17, columnCount: 6, partitionStartUs: BASE_US }, crc32c)
      const decode = () => decodeSegmentHeader('x.seg', out.toBytes())
      if (version === 3) {
        assert.throws(decode, (error: unknown) => isEngineFailureError(error) && /unknown segment version 3/.test(error.failure.detail))
      } else {
        assert.equal(decode().version, version)
      }
    }
  })

  it('reports a flipped byte in a chunk as Corrupt with the file and the chunk offset, returning no value', () => {
    const { bytes } = encodeSegment({ tableId: 3, vShard: 1, partitionStartUs: 0, timestampIndex: 0, columns: batch.columns })
    const { footer } = decodeAll('data/segments/000000000001.seg', bytes)
    const { offset, length } = footer.rowGroups[0]!.chunks[2]!
    const chunk = bytes.slice(offset, offset + length)
    chunk[40] = chunk[40]! ^ 0x10
    assert.throws(() => decodeSegmentChunk('data/segments/000000000001.seg', offset, chunk, 'f64', 1000), (error: unknown) => {
      assert.ok(isEngineFailureError(error))
      assert.equal(error.failure.kind, 'Corrupt')
      assert.match(error.failure.detail, new RegExp(`000000000001\\.seg at byte ${offset}\\b`))
      return true
    })
    const header = bytes.slice(0, SEGMENT_HEADER_BYTES)
    header[13] = 9
    assert.throws(() => decodeSegmentHeader('h.seg', header), /crc32c/)
  })

  it('sorts flushed rows by (partition, series, time) and cuts one part per partition', () => {
    const rows = makeRows(2000, 9)
    const memtable = new Memtable(SCHEMA)
    const all = Int32Array.from(rows, (_, i) => i)
    memtable.appendRows(toBatch(rows), all, rows.length)
    const widthUs = 20_000_000
    const parts = sortMemtableByPartition(memtable, widthUs)
    assert.equal(parts.reduce((n, p) => n + cells(p.columns[0]!).length, 0), 2000)
    for (const part of parts) {
      const ts = cells(part.columns[0]!) as number[]
      const hosts = cells(part.columns[1]!) as string[]
      ts.forEach((t, i) => {
        assert.equal(Math.floor(t / widthUs) * widthUs, part.partitionStartUs)
        if (i > 0) assert.ok(hosts[i - 1]! < hosts[i]! || (hosts[i - 1] === hosts[i] && ts[i - 1]! <= t), `row ${i} out of order`)
      })
    }
    assert.deepEqual(parts.map((p) => p.partitionStartUs), [...parts.map((p) => p.partitionStartUs)].sort((a, b) => a - b))
  })
})
