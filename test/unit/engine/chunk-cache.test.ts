// Goal: pin the core's decoded-chunk cache (engine/timeseries/chunk-cache.ts): a repeated chunk is decoded once, a
// chunk of another file, or of another length at the same file and offset, is decoded afresh, and the bytes held
// never exceed the budget however many chunks pass (least recently used go first), and a scan over more chunks than
// fit keeps the ones it found cached rather than evicting them for its own later chunks (scan resistance). Method: real encoded chunks
// decoded by the real segment reader; the decode callback counts calls.
import assert from 'node:assert/strict'
import { DecodedChunkCache } from '../../../engine/timeseries/chunk-cache.js'
import { encodeChunk } from '../../../engine/timeseries/codecs/chunk.js'
import { decodeSegmentChunk } from '../../../engine/timeseries/segment-reader.js'

const ROWS = 1000

function chunkOf(seed: number): Uint8Array {
  return encodeChunk({ kind: 'f64', values: Float64Array.from({ length: ROWS }, (_, i) => seed + i * 0.25) })
}

describe('engine/timeseries/chunk-cache', () => {
  it('decodes a chunk once and gives later scans the same values, with a null map filled in', () => {
    const cache = new DecodedChunkCache(1 << 20)
    const bytes = chunkOf(1)
    let decodes = 0
    const decode = () => { decodes++; return decodeSegmentChunk('a.seg', 64, bytes, 'f64', ROWS) }
    const first = cache.get('a.seg', 64, bytes.length, ROWS, decode)
    const second = cache.get('a.seg', 64, bytes.length, ROWS, decode)
    assert.equal(decodes, 1)
    assert.equal(second, first)
    assert.ok(first.kind === 'f64' && first.nulls !== undefined && first.nulls.every((n) => n === 0))
    assert.deepEqual(first.kind === 'f64' ? Array.from(first.values.subarray(0, 3)) : [], [1, 1.25, 1.5])
  })

  it('decodes afresh for another file, or another length at the same file and offset', () => {
    const cache = new DecodedChunkCache(1 << 20)
    let decodes = 0
    const cases = [{ seed: 1, file: 'a.seg', length: 100 }, { seed: 2, file: 'b.seg', length: 100 }, { seed: 3, file: 'a.seg', length: 101 }]
    for (const { seed, file, length } of cases) {
      const bytes = chunkOf(seed)
      const vector = cache.get(file, 64, length, ROWS, () => { decodes++; return decodeSegmentChunk(file, 64, bytes, 'f64', ROWS) })
      assert.equal(vector.kind === 'f64' ? vector.values[0] : null, seed)
    }
    assert.equal(decodes, 3)
  })

  it('holds at most its budget, evicting the least recently used', () => {
    const budget = 40_000 // about four 1000-row float chunks with their null maps
    const cache = new DecodedChunkCache(budget)
    const bytes = chunkOf(3)
    let decodes = 0
    const get = (offset: number) => cache.get('b.seg', offset, bytes.length, ROWS, () => { decodes++; return decodeSegmentChunk('b.seg', offset, bytes, 'f64', ROWS) })
    for (let offset = 0; offset < 20; offset++) {
      cache.beginScan() // one scan per chunk: each may evict what earlier scans used
      get(offset)
      assert.ok(cache.bytesHeld <= budget, `${cache.bytesHeld} bytes held after chunk ${offset}`)
    }
    assert.ok(cache.bytesHeld > 0)
    decodes = 0
    get(19)
    assert.equal(decodes, 0, 'the most recent chunk is still held')
    get(0)
    assert.equal(decodes, 1, 'the oldest chunk was evicted')
  })

  it('a repeated scan over more chunks than fit hits the chunks it kept instead of none', () => {
    const budget = 40_000
    const cache = new DecodedChunkCache(budget)
    const bytes = chunkOf(4)
    let decodes = 0
    const scan = (): void => {
      cache.beginScan()
      for (let offset = 0; offset < 10; offset++) {
        cache.get('c.seg', offset, bytes.length, ROWS, () => { decodes++; return decodeSegmentChunk('c.seg', offset, bytes, 'f64', ROWS) })
        assert.ok(cache.bytesHeld <= budget, `${cache.bytesHeld} bytes held`)
      }
    }
    scan()
    assert.equal(decodes, 10)
    decodes = 0
    scan()
    const held = Math.floor(budget / (ROWS * 9 + 100))
    assert.ok(held >= 1 && decodes <= 10 - held + 1, `second scan decoded ${decodes} of 10 chunks`)
    assert.ok(decodes < 10, 'the chunks the first scan kept were hit')
  })
})
