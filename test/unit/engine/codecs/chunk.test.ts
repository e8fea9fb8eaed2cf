// Goal: the column chunk envelope round-trips every column kind (with NULLs), pins its layout and codec ids, keeps
// correct min/max, and never returns data from a corrupted chunk: every flipped byte and every truncation throws
// ChunkCorruptError. Method: fast-check over random vectors of each kind; naive min/max references; byte flips over
// seeded samples of real chunks.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { ColumnVector } from '../../../../engine/batch.js'
import {
  CHUNK_CRC_BYTES, CHUNK_HEADER_BYTES, CODEC_IDS, CODEC_OF_KIND, decodeChunk, encodeChunk, readChunkHeader, writeChunk,
} from '../../../../engine/timeseries/codecs/chunk.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import { crc32c } from '../../../../engine/wal/crc32c.js'
import { assertSameBits, floatArrays, seededRandom } from './codec-test-kit.js'

const nullsFor = (length: number): fc.Arbitrary<Uint8Array | undefined> => fc.option(
  fc.oneof(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: length, maxLength: length }),
    fc.constant(new Array<number>(length).fill(1))).map((bits) => Uint8Array.from(bits)), { nil: undefined })

const withNulls = <T extends { length: number }>(values: fc.Arbitrary<T>): fc.Arbitrary<{ values: T; nulls: Uint8Array | undefined }> =>
  values.chain((v) => nullsFor(v.length).map((nulls) => ({ values: v, nulls })))

const vectors: fc.Arbitrary<ColumnVector> = fc.oneof(
  withNulls(fc.array(fc.maxSafeInteger(), { maxLength: 100 }).map((v) => Float64Array.from(v)))
    .map(({ values, nulls }): ColumnVector => (nulls ? { kind: 'timestamp', values, nulls } : { kind: 'timestamp', values })),
  withNulls(floatArrays).map(({ values, nulls }): ColumnVector => (nulls ? { kind: 'f64', values, nulls } : { kind: 'f64', values })),
  withNulls(fc.bigInt64Array({ maxLength: 100 })).map(({ values, nulls }): ColumnVector => (nulls ? { kind: 'i64', values, nulls } : { kind: 'i64', values })),
  withNulls(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 100 }).map((v) => Uint8Array.from(v)))
    .map(({ values, nulls }): ColumnVector => (nulls ? { kind: 'bool', values, nulls } : { kind: 'bool', values })),
  fc.uniqueArray(fc.string(), { maxLength: 10 }).chain((dict) => fc.array(fc.integer({ min: -1, max: dict.length - 1 }),
    { maxLength: 100 }).map((ids): ColumnVector => ({ kind: 'symbol', ids: Int32Array.from(ids), dict }))),
  fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null }), { maxLength: 100 })
    .map((values): ColumnVector => ({ kind: 'text', values })),
)

/** Decoded equals original: exact bits everywhere except NULL slots, whose content is unspecified. */
function assertSameVector(actual: ColumnVector, expected: ColumnVector): void {
  assert.equal(actual.kind, expected.kind)
  if (actual.kind === 'symbol' && expected.kind === 'symbol') {
    assertSameBits(actual.ids, expected.ids)
    assert.deepEqual(actual.dict, expected.dict)
    return
  }
  if (actual.kind === 'text' && expected.kind === 'text') return assert.deepEqual(actual.values, expected.values)
  if (actual.kind === 'symbol' || actual.kind === 'text' || expected.kind === 'symbol' || expected.kind === 'text') {
    return assert.fail('kinds differ')
  }
  const nulls = expected.nulls !== undefined && expected.nulls.includes(1) ? expected.nulls : undefined
  assert.deepEqual(actual.nulls, nulls)
  const copy = expected.values.slice()
  const got = actual.values.slice()
  if (nulls !== undefined) {
    for (let i = 0; i < nulls.length; i++) if (nulls[i] === 1) {
      copy[i] = got[i]!
    }
  }
  assertSameBits(got, copy)
}

function naiveStats(vector: ColumnVector): unknown {
  switch (vector.kind) {
    case 'symbol': case 'text': return { kind: 'none' }
    case 'i64': {
      const kept = [...vector.values].filter((_, i) => vector.nulls?.[i] !== 1)
      if (kept.length === 0) return { kind: 'i64', min: 2n ** 63n - 1n, max: -(2n ** 63n) }
      return { kind: 'i64', min: kept.reduce((a, b) => (b < a ? b : a)), max: kept.reduce((a, b) => (b > a ? b : a)) }
    }
    default: {
      const kept = [...vector.values].filter((v, i) => vector.nulls?.[i] !== 1 && !Number.isNaN(v))
      return { kind: 'f64', min: kept.length === 0 ? Infinity : Math.min(...kept), max: kept.length === 0 ? -Infinity : Math.max(...kept) }
    }
  }
}

describe('engine/timeseries/codecs chunk', () => {
  it('pins the codec ids (append-only: they are on disk)', () => {
    assert.deepEqual(CODEC_IDS, { deltaOfDelta: 1, gorilla: 2, zigzagVarint: 3, dictionary: 4, bitmap: 5, text: 6 })
    assert.deepEqual(CODEC_OF_KIND, {
      timestamp: 'deltaOfDelta', f64: 'gorilla', i64: 'zigzagVarint', symbol: 'dictionary', bool: 'bitmap', text: 'text',
    })
    assert.equal(CHUNK_HEADER_BYTES, 29)
  })

  it('round-trips every column kind with NULLs, with counts and min/max matching a naive reference', () => {
    fc.assert(fc.property(vectors, (vector) => {
      const bytes = encodeChunk(vector)
      const { header, vector: decoded } = decodeChunk(bytes)
      assertSameVector(decoded, vector)
      assert.equal(header.byteLength, bytes.length)
      assert.equal(header.codec, CODEC_OF_KIND[vector.kind])
      assert.deepEqual(header.stats, naiveStats(vector))
      assert.deepEqual(readChunkHeader(bytes), header)
    }), { numRuns: 400 })
  })

  it('pins the layout: id, counts, min/max, payload length, payload, CRC32C of all before it', () => {
    const bytes = encodeChunk({ kind: 'f64', values: Float64Array.of(1.5, 0, 2.5), nulls: Uint8Array.of(0, 1, 0) })
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    assert.equal(view.getUint8(0), CODEC_IDS.gorilla)
    assert.equal(view.getUint32(1, true), 3)
    assert.equal(view.getUint32(5, true), 1)
    assert.equal(view.getFloat64(9, true), 1.5)
    assert.equal(view.getFloat64(17, true), 2.5)
    const payloadLength = view.getUint32(25, true)
    assert.equal(bytes.length, CHUNK_HEADER_BYTES + payloadLength + CHUNK_CRC_BYTES)
    assert.equal(view.getUint32(bytes.length - 4, true), crc32c(bytes, 0, bytes.length - 4))
    // payload: null bitmap (packed, 0b010), then gorilla decimal: mode 1, count 3, d 1, no exceptions, bits
    assert.deepEqual([...bytes.subarray(29, 35)], [1, 0b010, 1, 3, 1, 0])
  })

  it('chunks written back to back decode in sequence through byteLength', () => {
    const out = new ByteWriter()
    const first: ColumnVector = { kind: 'i64', values: BigInt64Array.of(1n, 2n, 3n) }
    const second: ColumnVector = { kind: 'text', values: ['x', null] }
    writeChunk(out, first)
    writeChunk(out, second)
    const bytes = out.toBytes()
    const a = decodeChunk(bytes)
    const b = decodeChunk(bytes, a.header.byteLength)
    assertSameVector(a.vector, first)
    assertSameVector(b.vector, second)
    assert.equal(a.header.byteLength + b.header.byteLength, bytes.length)
  })

  it('every flipped byte and every truncation throws ChunkCorruptError, never data (seeded samples)', () => {
    const random = seededRandom(2024)
    const samples: ColumnVector[] = [
      { kind: 'timestamp', values: Float64Array.from({ length: 2000 }, (_, i) => 1.7e15 + i * 1e7) },
      { kind: 'f64', values: Float64Array.from({ length: 2000 }, () => Math.round(random() * 10_000) / 100) },
      { kind: 'f64', values: Float64Array.from({ length: 500 }, () => random()), nulls: Uint8Array.from({ length: 500 }, (_, i) => i % 3 === 0 ? 1 : 0) },
      { kind: 'i64', values: BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i * 7919)) },
      { kind: 'bool', values: Uint8Array.from({ length: 1000 }, () => (random() < 0.5 ? 1 : 0)) },
      { kind: 'symbol', ids: Int32Array.from({ length: 1000 }, () => Math.floor(random() * 6) - 1), dict: ['a', 'b', 'c', 'd', 'e'] },
      { kind: 'text', values: Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? null : `v${random()}`)) },
    ]
    for (const vector of samples) {
      const bytes = encodeChunk(vector)
      const positions = new Set<number>([0, 1, 5, 9, 25, 28, 29, bytes.length - 1, bytes.length - 4])
      // A regular timestamp chunk is shorter than 64 bytes (runs mode): then every byte is flipped.
      while (positions.size < Math.min(64, bytes.length)) positions.add(Math.floor(random() * bytes.length))
      for (const at of positions) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const corrupted = bytes.slice()
          corrupted[at]! ^= mask
          assert.throws(() => decodeChunk(corrupted), (error: unknown) => error instanceof ChunkCorruptError && error.offset >= 0,
            `${vector.kind}: byte ${at} ^ ${mask}`)
        }
      }
      for (const length of [0, 1, 28, 29, 33, bytes.length - 1]) {
        assert.throws(() => decodeChunk(bytes.subarray(0, length)), ChunkCorruptError, `${vector.kind}: ${length} bytes`)
      }
    }
  })

  it('a chunk with a valid CRC but an unknown codec id or inconsistent counts is still corrupt', () => {
    const reseal = (bytes: Uint8Array): Uint8Array => {
      new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32c(bytes, 0, bytes.length - 4), true)
      return bytes
    }
    const unknown = encodeChunk({ kind: 'bool', values: Uint8Array.of(1, 0) })
    unknown[0] = 99
    assert.throws(() => decodeChunk(reseal(unknown)), ChunkCorruptError)
    const miscounted = encodeChunk({ kind: 'bool', values: Uint8Array.of(1, 0) })
    miscounted[5] = 1
    assert.throws(() => decodeChunk(reseal(miscounted)), ChunkCorruptError)
    const offset = new Uint8Array(10)
    const chunk = encodeChunk({ kind: 'bool', values: Uint8Array.of(1) })
    const framed = Uint8Array.from([...offset, ...chunk])
    framed[10 + 3] ^= 1
    assert.throws(() => decodeChunk(framed, 10), (error: unknown) => error instanceof ChunkCorruptError && error.offset === 10)
  })
})
