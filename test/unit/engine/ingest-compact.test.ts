// Goal: the compact IngestRecord payload (engine/wal/ingest-compact.ts), what the WAL stores, decodes back into the
// batch it was encoded from bit for bit (every kind, NULLs, NaN, -0, ±Infinity, extreme integers and timestamps,
// UTF-8), keeps the byte layout its format comment pins (an on-disk format), takes each encoding where it applies and
// falls back to raw bytes where it does not, and refuses every truncation and bad byte instead of misreading.
// Method: hand-built and seeded random batches round-tripped with deepStrictEqual; one payload compared with bytes
// built by hand from the format comment; every prefix of a payload decoded; the flat layout as the size yardstick.
import assert from 'node:assert/strict'
import type { ColumnBatch, ColumnVector } from '../../../engine/batch.js'
import { FrameCodec } from '../../../engine/bridge/frame-codec.js'
import { decodeCompactPayload } from '../../../engine/wal/ingest-compact-decode.js'
import { COMPACT_ENCODINGS, compactPayloadBytesMax, encodeCompactPayload } from '../../../engine/wal/ingest-compact.js'
import { DECIMALS_MAX, POWERS_OF_TEN, scaledOf } from '../../../engine/timeseries/codecs/decimal-floats.js'
import { flatPayloadBytes } from '../../../engine/wal/ingest-flat.js'
import { decodeIngestPayload, encodeWalIngestPayload, peekIngestRowCount } from '../../../engine/wal/ingest-payload.js'
import { seededRandom } from '../../helpers/random.js'
import { EVERY_KIND_BATCH } from './engine-fixture.js'

const encode = (batch: ColumnBatch): Uint8Array => encodeCompactPayload(batch, new Uint8Array(compactPayloadBytesMax(batch)))

const everyKind = EVERY_KIND_BATCH

function randomBatch(random: () => number): ColumnBatch {
  const rowCount = Math.floor(random() * 40)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const floats = [0, 1, -1, 0.1, 12.34, -99.99, 1e-7, 2 ** 52, -(2 ** 60), Math.PI, Number.NaN, Infinity, -Infinity, -0, 5e-324]
  const columns: ColumnVector[] = []
  const columnCount = 1 + Math.floor(random() * 6)
  for (let c = 0; c < columnCount; c++) {
    const nulls = random() < 0.5 ? undefined : Uint8Array.from({ length: rowCount }, () => (random() < 0.2 ? 1 : 0))
    const withNulls = nulls === undefined ? {} : { nulls }
    switch (pick(['timestamp', 'f64', 'f64', 'i64', 'bool', 'symbol', 'symbol', 'text'] as const)) {
      case 'timestamp': {
        const base = pick([0, 1_700_000_000_000_000, -(2 ** 52), 2 ** 53 - 100])
        const step = pick([0, 1, 10_000_000, 0.5])
        columns.push({ kind: 'timestamp', values: Float64Array.from({ length: rowCount }, (_, r) => base + step * Math.floor(r / 3) + (random() < 0.1 ? pick(floats) : 0)), ...withNulls })
        break
      }
      case 'f64': {
        const decimals = Math.floor(random() * 4)
        const special = random() < 0.3
        columns.push({ kind: 'f64', values: Float64Array.from({ length: rowCount }, () => special && random() < 0.2 ? pick(floats) : Math.round(random() * 10 ** (decimals + 3)) / 10 ** decimals), ...withNulls })
        break
      }
      case 'i64': columns.push({ kind: 'i64', values: BigInt64Array.from({ length: rowCount }, () => BigInt(Math.floor(random() * 2 ** 40)) - 2n ** 39n), ...withNulls }); break
      case 'bool': columns.push({ kind: 'bool', values: Uint8Array.from({ length: rowCount }, () => (random() < 0.5 ? 1 : 0)), ...withNulls }); break
      case 'symbol': {
        const dict = Array.from({ length: 1 + Math.floor(random() * 200) }, (_, i) => pick(['h', 'ü', '東京', '']) + i)
        const of = c > 0 && random() < 0.5 ? columns.find((column) => column.kind === 'symbol') : undefined
        const ids = of?.kind === 'symbol'
          ? Int32Array.from(of.ids, (id) => (id + 7) % dict.length) // a function of an earlier tag
          : Int32Array.from({ length: rowCount }, () => (random() < 0.1 ? -1 : Math.floor(random() * dict.length)))
        columns.push({ kind: 'symbol', ids, dict })
        break
      }
      case 'text': columns.push({ kind: 'text', values: Array.from({ length: rowCount }, () => (random() < 0.2 ? null : pick(['', 'x', 'naïve', '𝄞'.repeat(50)]))) }); break
    }
  }
  return { rowCount, columns }
}

describe('engine/wal/ingest-compact', () => {
  it('round-trips every vector kind, nulls, NaN, -0, extreme bigints and UTF-8 strings', () => {
    const bytes = encode(everyKind)
    assert.deepStrictEqual(decodeCompactPayload(bytes), everyKind)
    assert.deepStrictEqual(decodeIngestPayload(new FrameCodec(), bytes), everyKind)
    assert.equal(peekIngestRowCount(bytes), 3)
    assert.deepStrictEqual(decodeIngestPayload(new FrameCodec(), encodeWalIngestPayload(everyKind)), everyKind)
  })

  it('pins the byte layout of the format comment', () => {
    const small: ColumnBatch = { rowCount: 3, columns: [
      { kind: 'timestamp', values: new Float64Array([10, 20, 40]) },
      { kind: 'symbol', ids: new Int32Array([0, 1, 0]), dict: ['a', 'b'] },
      { kind: 'symbol', ids: new Int32Array([1, 0, 1]), dict: ['x', 'y'] },
      { kind: 'f64', values: new Float64Array([1.5, 2.25, 1.75]), nulls: new Uint8Array(3) },
    ] }
    const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)]
    const expected = [
      0xc1, 2, 4, 0, 3, 0, 0, 0, 2, // mark, version, columnCount, rowCount, key column 1 (+ 1)
      2, 3, 0, 2, 1, 0x61, 1, 0x62, 1, 2, 1, // the key column first: SYMBOL_IDS, dictionary a b, ids + 1
      1, 1, 0, ...f64(10), 0, 20, 20, // timestamp: DELTA_OF_DELTA from 10: dods 0, 10, 10 zigzagged
      2, 4, 0, 2, 1, 0x78, 1, 0x79, 3, 0, 2, 1, // SYMBOL_KEYED: dictionary x y, map (NULL key, a → y, b → x)
      3, 2, 1, 2, 0xac, 2, 0xc2, 3, 0x32, // f64 DECIMAL, a null map of zeros, d = 2: 150 (a), 225 (b), +25 (a)
    ]
    assert.deepStrictEqual([...encode(small)], expected)
    assert.deepStrictEqual(decodeCompactPayload(encode(small)), small)
  })

  it('pins DECIMAL_PACKED: fixed-width fields least significant bit first, escapes as varints before them', () => {
    const batch: ColumnBatch = { rowCount: 10, columns: [{ kind: 'f64', values: new Float64Array([5, 6, 7, 6, 7, 8, 7, 8, 9, 8]) }] }
    const expected = [
      0xc1, 2, 1, 0, 10, 0, 0, 0, 0, // mark, version, columnCount, rowCount, no key column (one series)
      3, 6, 0, 0, 2, // f64 DECIMAL_PACKED, no null map, d = 0, width 2 (escape 3)
      1, 10, // the escapes: 1 byte, zigzag(+5) of row 0
      0b01_10_10_11, 0b10_01_10_10, 0b01_10, // fields (row 0 lowest): escape, then +1 +1 -1, +1 +1 -1 +1, +1 -1
    ]
    assert.deepStrictEqual([...encode(batch)], expected)
    assert.deepStrictEqual(decodeCompactPayload(encode(batch)), batch)
    // Every delta zero: width 1, no escapes.
    const flat: ColumnBatch = { rowCount: 12, columns: [{ kind: 'f64', values: new Float64Array(12) }] }
    assert.deepStrictEqual([...encode(flat)].slice(9), [3, 6, 0, 0, 1, 0, 0, 0])
    assert.deepStrictEqual(decodeCompactPayload(encode(flat)), flat)
    // Refused: width 0 or above 24, an escape whose zigzag fits the field, escapes not used up.
    for (const [at, value] of [[13, 0], [13, 25], [15, 2], [14, 2]] as const) {
      const bad = encode(batch)
      bad[at] = value
      assert.equal(decodeCompactPayload(bad), undefined, `byte ${at} = ${value}`)
    }
  })

  it('packs walks of every width up to 24 bits and falls back to varints beyond, bit for bit', () => {
    const random = seededRandom(7)
    for (let bits = 1; bits <= 30; bits++) {
      for (const rowCount of [1, 7, 8, 9, 333]) {
        const hosts = 5
        const ids = Int32Array.from({ length: rowCount }, (_, r) => r % hosts)
        const walk = new Float64Array(hosts)
        const values = Float64Array.from(ids, (h) => (walk[h] = walk[h]! + Math.floor((random() - 0.5) * 2 ** bits)) / 100)
        const nulls = Uint8Array.from({ length: rowCount }, () => (random() < 0.1 ? 1 : 0))
        const batch: ColumnBatch = { rowCount, columns: [
          { kind: 'symbol', ids, dict: ['a', 'b', 'c', 'd', 'e'] }, { kind: 'f64', values, nulls },
        ] }
        const bytes = encode(batch)
        assert.deepStrictEqual(decodeCompactPayload(bytes), batch, `${bits} bits, ${rowCount} rows`)
        // Header and key varint, the key column (descriptor, 5 one-letter entries, an id byte per row), f64's kind.
        const encoding = bytes[9 + 3 + 1 + 5 * 2 + rowCount + 1]
        if (bits <= 20 && rowCount === 333) assert.equal(encoding, 6, `${bits} bits packed`)
        if (bits >= 26) assert.equal(encoding, 2, `${bits} bits as varints`)
        for (let length = 0; length < bytes.length; length += 7) assert.equal(decodeCompactPayload(bytes.slice(0, length)), undefined)
      }
    }
  })

  it('falls back to raw bytes where an encoding does not represent the values exactly', () => {
    const raw = 0
    const check = (vector: ColumnVector, encoding: number): void => {
      const batch = { rowCount: vector.kind === 'symbol' ? vector.ids.length : vector.values.length, columns: [vector] }
      const bytes = encode(batch)
      assert.deepStrictEqual(decodeCompactPayload(bytes), batch)
      assert.equal(bytes[10], encoding, `${vector.kind} ${String(vector.kind === 'symbol' ? vector.ids : vector.values)}`)
    }
    check({ kind: 'f64', values: new Float64Array([1, Math.PI]) }, raw)
    check({ kind: 'f64', values: new Float64Array([1, -0]) }, raw)
    check({ kind: 'f64', values: new Float64Array([Number.NaN]) }, raw)
    check({ kind: 'f64', values: new Float64Array([2 ** 51]) }, raw)
    check({ kind: 'f64', values: new Float64Array([2 ** 50, 0.5, 12.0625]) }, raw)
    check({ kind: 'f64', values: new Float64Array([0.1, 0.0000000001]) }, 2)
    check({ kind: 'timestamp', values: new Float64Array([1, 1.5]) }, raw)
    check({ kind: 'timestamp', values: new Float64Array([2 ** 53]) }, raw)
    check({ kind: 'timestamp', values: new Float64Array([-(2 ** 52) + 1, 2 ** 52 - 1]) }, raw)
    check({ kind: 'timestamp', values: new Float64Array([2 ** 53 - 1, 2 ** 53 - 1, 2 ** 52]) }, 1)
  })

  it('sizes its buffer for a keyed map longer than the batch (a dictionary of more entries than rows)', () => {
    const dict = Array.from({ length: 1000 }, (_, i) => `host_${i}`)
    const batch: ColumnBatch = { rowCount: 2, columns: [
      { kind: 'symbol', ids: new Int32Array([999, 998]), dict },
      { kind: 'symbol', ids: new Int32Array([0, 1]), dict: ['x', 'y'] },
    ] }
    const bytes = encodeCompactPayload(batch, new Uint8Array(compactPayloadBytesMax(batch)))
    assert.deepStrictEqual(decodeCompactPayload(bytes), batch)
  })

  it('round-trips 500 seeded random batches (keyed and independent tags, fallbacks, NULLs everywhere)', () => {
    const random = seededRandom(10)
    for (let i = 0; i < 500; i++) {
      const batch = randomBatch(random)
      assert.deepStrictEqual(decodeCompactPayload(encode(batch)), batch, `batch ${i}`)
    }
  })

  it('refuses every truncation, a trailing byte, a bad encoding or version', () => {
    const bytes = encode(everyKind)
    for (let length = 0; length < bytes.length; length++) assert.equal(decodeCompactPayload(bytes.slice(0, length)), undefined, `prefix ${length}`)
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    assert.equal(decodeCompactPayload(longer), undefined)
    for (const at of [9, 10, 11]) {
      const bad = bytes.slice()
      bad[at] = 99
      assert.equal(decodeCompactPayload(bad), undefined, `byte ${at}`)
    }
    const badVersion = bytes.slice()
    badVersion[1] = 3
    assert.equal(decodeCompactPayload(badVersion), undefined)
    assert.equal(decodeIngestPayload(new FrameCodec(), badVersion), undefined)
  })

  it('stores TSBS-like rows (a host tag the others depend on, 2-decimal walks) in under a fifth of the flat bytes', () => {
    const random = seededRandom(3)
    const rowCount = 5000
    const hosts = 100
    const walk = new Float64Array(hosts).map(() => Math.round(random() * 10000) / 100)
    const batch: ColumnBatch = { rowCount, columns: [
      { kind: 'timestamp', values: Float64Array.from({ length: rowCount }, (_, r) => 1_704_067_200_000_000 + Math.floor(r / hosts) * 10_000_000) },
      { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, (_, r) => r % hosts), dict: Array.from({ length: hosts }, (_, h) => `host_${h}`) },
      { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, (_, r) => (r % hosts) % 9), dict: Array.from({ length: 9 }, (_, i) => `region-${i}`) },
      { kind: 'f64', nulls: new Uint8Array(rowCount), values: Float64Array.from({ length: rowCount }, (_, r) => {
        const h = r % hosts
        walk[h] = Math.round(Math.min(100, Math.max(0, walk[h]! + (random() - 0.5) * 2)) * 100) / 100
        return walk[h]!
      }) },
    ] }
    const bytes = encode(batch)
    assert.deepStrictEqual(decodeCompactPayload(bytes), batch)
    assert.ok(bytes.length * 5 < flatPayloadBytes(batch), `${bytes.length} compact bytes against ${flatPayloadBytes(batch)} flat`)
    // The walk's deltas (±100 hundredths) zigzag below 2^8: one byte each packed, ~1.37 as varints.
    const values = bytes.length - encode({ rowCount, columns: batch.columns.slice(0, 3) }).length
    assert.ok(values < rowCount * 1.05, `${values} bytes for ${rowCount} values`)
  })

  it('picks the decimals scaledOf defines, also where floor(x + 0.5) and Math.round part (the encoder inlines the one)', () => {
    // Values where value * 10^d lies within an ulp of a half or past 2^50: scaledOf (decimal-floats.ts) is the definition.
    const edges = [0.49999999999999994, -0.49999999999999994, 0.5, -0.5, 2.5, -2.5, 0.045, 1.005, 2 ** 50 / 100, 2 ** 50 + 1,
      (2 ** 50 + 1) / 1000, 2 ** 51 / 10, 4503599627370495.5, 0.1 + 0.2, 1 / 3, 123.456, -0.000123, 5e-324]
    for (const value of edges) {
      const batch: ColumnBatch = { rowCount: 1, columns: [{ kind: 'timestamp', values: Float64Array.of(0) }, { kind: 'f64', values: Float64Array.of(value) }] }
      const bytes = encode(batch)
      let decimals = 0
      while (decimals <= DECIMALS_MAX && Number.isNaN(scaledOf(value, POWERS_OF_TEN[decimals]!))) decimals++
      // Header 8, key varuint 1, the timestamp column 12 (descriptor 3, first value 8, one varint), then the f64's.
      const encoding = bytes[22]!
      if (decimals > DECIMALS_MAX) assert.equal(encoding, COMPACT_ENCODINGS.raw, `${value}`)
      else assert.deepEqual([encoding === COMPACT_ENCODINGS.raw, bytes[24]], [false, decimals], `${value}`)
      assert.ok(Object.is((decodeCompactPayload(bytes)!.columns[1] as { values: Float64Array }).values[0], value), `${value}`)
    }
  })
})
