// Goal: symbol chunks round-trip exactly (ids and dictionary as given), the per-chunk choice between bit-packing and
// run-length is the smaller one, and corrupt ids or runs are rejected. Method: fast-check round trips over random
// dictionaries (any Unicode) and id patterns; pinned layouts; exact sizes against the formulas.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { AssertionError } from '../../../../src/common/assert.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import {
  DICTIONARY_MODES, decodeDictionary, encodeDictionary, idBits,
} from '../../../../engine/timeseries/codecs/dictionary.js'
import { assertSameBits, seededRandom } from './codec-test-kit.js'

const symbolChunks = fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 40 }).chain((dict) =>
  fc.oneof(
    fc.array(fc.integer({ min: -1, max: dict.length - 1 }), { maxLength: 300 }),
    fc.array(fc.tuple(fc.integer({ min: -1, max: dict.length - 1 }), fc.integer({ min: 1, max: 200 })), { maxLength: 20 })
      .map((runs) => runs.flatMap(([id, length]) => new Array<number>(length).fill(id))),
  ).map((ids) => ({ dict, ids: Int32Array.from(ids) })))

describe('engine/timeseries/codecs dictionary', () => {
  it('round-trips ids and dictionary exactly, whichever mode is chosen', () => {
    fc.assert(fc.property(symbolChunks, ({ dict, ids }) => {
      const decoded = decodeDictionary(encodeDictionary(ids, dict))
      assertSameBits(decoded.ids, ids)
      assert.deepEqual(decoded.dict, dict)
    }), { numRuns: 300 })
  })

  it('idBits is ceil(log2(size + 1))', () => {
    for (const [size, bits] of [[0, 0], [1, 1], [2, 2], [3, 2], [4, 3], [7, 3], [8, 4], [1000, 10]]) {
      assert.equal(idBits(size!), bits)
    }
  })

  it('chooses run-length for long runs and bit-packing for mixed ids (seeded)', () => {
    const dict = Array.from({ length: 100 }, (_, i) => `host_${i}`)
    const runs = new Int32Array(100_000)
    for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 1000)
    const runBytes = encodeDictionary(runs, dict)
    assert.equal(runBytes[0], DICTIONARY_MODES.runLength)
    const random = seededRandom(11)
    const mixed = Int32Array.from({ length: 100_000 }, () => Math.floor(random() * 100))
    const mixedBytes = encodeDictionary(mixed, dict)
    assert.equal(mixedBytes[0], DICTIONARY_MODES.bitPacked)
    const dictBytes = dict.reduce((sum, s) => sum + 1 + s.length, 0)
    // mode + varuint(100) + dictionary + varuint(100000) + 100000 × 7 bits
    assert.equal(mixedBytes.length, 1 + 1 + dictBytes + 3 + Math.ceil((100_000 * 7) / 8))
    assertSameBits(decodeDictionary(mixedBytes).ids, mixed)
    assertSameBits(decodeDictionary(runBytes).ids, runs)
  })

  it('pins both layouts', () => {
    // bit-packed: mode 0, size 2, "a", "b", count 3, ids+1 = 1, 0, 2 in 2 bits: 01 00 10 (00)
    assert.deepEqual([...encodeDictionary(Int32Array.of(0, -1, 1), ['a', 'b'])], [0, 2, 1, 97, 1, 98, 3, 0b01001000])
    // run-length: mode 1, size 1, "a", count 40, 1 run: id+1 = 1, length 40
    assert.deepEqual([...encodeDictionary(new Int32Array(40), ['a'])], [1, 1, 1, 97, 40, 1, 1, 40])
    // an empty dictionary: ids take 0 bits, every value NULL
    assert.deepEqual([...encodeDictionary(Int32Array.of(-1, -1), [])], [0, 0, 2])
  })

  it('ids outside the dictionary and lone surrogates are programmer errors', () => {
    assert.throws(() => encodeDictionary(Int32Array.of(2), ['a', 'b']), AssertionError)
    assert.throws(() => encodeDictionary(Int32Array.of(-2), ['a']), AssertionError)
    assert.throws(() => encodeDictionary(Int32Array.of(0), ['\ud800']), AssertionError)
  })

  it('rejects ids past the dictionary, bad runs and bad modes with ChunkCorruptError', () => {
    const corrupt = (bytes: number[]): void => {
      assert.throws(() => decodeDictionary(Uint8Array.from(bytes)), ChunkCorruptError)
    }
    corrupt([0, 2, 1, 97, 1, 98, 1, 0b11000000])
    corrupt([1, 1, 1, 97, 40, 1, 1, 39])
    corrupt([1, 1, 1, 97, 40, 1, 1, 41])
    corrupt([1, 1, 1, 97, 40, 2, 1, 40, 1, 0])
    corrupt([1, 1, 1, 97, 40, 1, 2, 40])
    corrupt([2, 0, 0])
    corrupt([0, 2, 1, 97, 1, 98, 3])
  })
})
