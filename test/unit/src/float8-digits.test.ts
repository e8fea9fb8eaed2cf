// Goal: writeFloat8Text / writeFloat8Digits (src/common/float-text.ts, float8-digits.ts), the string-free float8
// text of any digit count the DataRow encoder writes, is encodeFloat8Text's text byte for byte whenever it answers
// (encodeFloat8Text is Number#toString's shortest round-trip digits, pinned to PostgreSQL 15 by test/differential and
// test/integration/datarow-batch.test.ts), and answers for nearly every value it is for (averages of metrics).
// Method: seeded sweeps of random bit patterns across the fixed-notation range, averages, sums of decimals, ratios,
// and every edge the proof leans on — powers of two and ten and their neighbouring doubles, 16 digits at and past
// 2^53, 1e-4 and 1e15, negatives, NaN, ±Infinity, ±0 — each compared with the string path.
import assert from 'node:assert/strict'
import { encodeFloat8Text, writeFloat8Text } from '../../../src/common/float-text.js'
import { writeFloat8Digits } from '../../../src/common/float8-digits.js'

function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

const out = Buffer.alloc(40)

/** The text a writer writes at offset 5 (so writes before `at` would show), or null when it declines. */
function written(write: (out: Uint8Array, at: number, value: number) => number, value: number): string | null {
  out.fill(0x23)
  const byteCount = write(out, 5, value)
  if (byteCount === 0) return null
  assert.equal(out.toString('latin1', 0, 5), '#####', `wrote before its offset: ${value}`)
  assert.equal(out[5 + byteCount], 0x23, `wrote past its length: ${value}`)
  return out.toString('latin1', 5, 5 + byteCount)
}

/** Compares both writers with encodeFloat8Text for every value; how many writeFloat8Text answered. */
function compareAll(values: Iterable<number>): { answered: number; total: number } {
  let answered = 0
  let total = 0
  for (const value of values) {
    total++
    const text = written(writeFloat8Text, value)
    const digits = written(writeFloat8Digits, value)
    if (digits !== null) assert.equal(digits, encodeFloat8Text(value), `writeFloat8Digits(${value})`)
    if (text === null) continue
    answered++
    assert.equal(text, encodeFloat8Text(value), `writeFloat8Text(${value})`)
  }
  return { answered, total }
}

const bits = new DataView(new ArrayBuffer(8))

/** The double `steps` representable values above (negative: below) a positive `value`. */
function stepped(value: number, steps: number): number {
  bits.setFloat64(0, value)
  bits.setBigUint64(0, bits.getBigUint64(0) + BigInt(steps))
  return bits.getFloat64(0)
}

function* neighbours(value: number, count: number): Generator<number> {
  for (let step = -count; step <= count; step++) {
    const near = stepped(value, step)
    yield near
    yield -near
  }
}

describe('src/common/float8-digits: float8 text of any digit count, without a string', function () {
  it('writes exactly encodeFloat8Text for random doubles across the fixed-notation range (seed 3)', function () {
    const random = seeded(3)
    const values: number[] = []
    for (let i = 0; i < 300_000; i++) {
      // Exponent bits 1009…1050: 2^-14 … 2^27 and random fraction bits, both signs.
      bits.setUint32(0, ((1009 + Math.floor(random() * 42)) << 20) | Math.floor(random() * 0x100000))
      bits.setUint32(4, Math.floor(random() * 0x100000000) >>> 0)
      values.push(bits.getFloat64(0) * (random() < 0.5 ? -1 : 1))
      values.push((random() - 0.5) * 10 ** Math.floor(random() * 20 - 5))
    }
    const { answered, total } = compareAll(values)
    assert.ok(answered > total * 0.8, `answered ${answered} of ${total}`)
  })

  it('answers averages and sums of two-decimal metrics, exactly (seed 5)', function () {
    const random = seeded(5)
    const values: number[] = []
    for (let i = 0; i < 100_000; i++) {
      const count = 1 + Math.floor(random() * 400)
      let sum = 0
      for (let k = 0; k < 1 + (i % 7); k++) sum += Math.round(random() * 10_000) / 100
      values.push(sum, sum * 36 / count, sum / count, -sum / count, i / 3, 1 / (1 + (i % 9_000)), (i + 1) * 0.1)
    }
    const { answered, total } = compareAll(values)
    assert.ok(answered > total * 0.95, `answered ${answered} of ${total}`)
  })

  it('writes exactly encodeFloat8Text whose 16 digits lie past 2^53 (leading 9007…9999), and answers them (seed 9)', function () {
    const random = seeded(9)
    const values: number[] = []
    for (let i = 0; i < 200_000; i++) {
      const exponent = Math.floor(random() * 19) - 4
      const lead = 9.007199254740992 + random() * 0.992800745259008
      values.push(lead * 10 ** exponent, -lead * 10 ** exponent, Math.round(lead * 1e6) / 1e6 * 10 ** exponent)
    }
    const { answered, total } = compareAll(values)
    assert.ok(answered > total * 0.95, `answered ${answered} of ${total}`)
  })

  it('writes exactly encodeFloat8Text next to powers of two and ten, 2^53 digits, and the range ends', function () {
    const edges: number[] = []
    for (let exponent = -14; exponent <= 50; exponent++) edges.push(2 ** exponent)
    for (let exponent = -5; exponent <= 16; exponent++) {
      for (const lead of [1, 1.5, 2.5, 5, 9.007199254740992, 9.007199254740993, 9.999999999999998]) edges.push(lead * 10 ** exponent)
    }
    edges.push(1e-4, 1e15, 0.1 + 0.2, 1 / 3, 2 / 3, 123456789.12345678, 999999999999999.9, 0.00012345678901234567)
    const values: number[] = []
    for (const edge of edges) values.push(...neighbours(edge, 64))
    compareAll(values)
  })

  it('writes 15, 16 and 17 digits, negatives and 0.000… as float8out does; declines what is not in fixed notation', function () {
    const expected: ReadonlyArray<readonly [number, string]> = [[1 / 3, '0.3333333333333333'], [2 / 3, '0.6666666666666666'],
      [0.1 + 0.2, '0.30000000000000004'], [-0.1 - 0.2, '-0.30000000000000004'], [0.00012345678901234567, '0.00012345678901234567'],
      [123456789012345, '123456789012345'], [-58.03, '-58.03'], [100, '100'], [0.0001, '0.0001'], [1e14 + 0.5, '100000000000000.5']]
    for (const [value, text] of expected) {
      assert.equal(encodeFloat8Text(value), text)
      assert.equal(written(writeFloat8Text, value), text, String(value))
    }
    for (const value of [Number.NaN, Infinity, -Infinity, 0, -0, 1e15, -1e15, 0.00009999999999999999, 1e-9, 1e20]) {
      assert.equal(written(writeFloat8Text, value), null, String(value))
      assert.equal(written(writeFloat8Digits, value), null, String(value))
    }
  })
})
