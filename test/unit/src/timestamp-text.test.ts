// Goal: writeTimestampText (src/common/timestamp-text.ts), the string-free timestamp(tz) text the DataRow encoder
// writes, is formatTimestamptz's / formatTimestamp's text byte for byte whenever it answers, and answers for every
// whole-µs value of the exact range. Method: a seeded sweep of instants from 4713 BC to 2255 AD (whole seconds,
// milliseconds and µs; runs of neighbours so the date memo is hit and missed), the edges, ±infinity, in zones with
// whole-hour, half-hour, negative, DST and LMT (seconds) offsets and as timestamp without time zone — each compared
// with the string functions (themselves pinned to PostgreSQL by test/integration/datarow-batch.test.ts and
// test/unit/sql/time/timestamp.test.ts).
import assert from 'node:assert/strict'
import { formatTimestamp, formatTimestamptz, TIMESTAMP_TEXT_BYTES_MAX, writeTimestampText } from '../../../src/common/timestamp-text.js'

function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

const ZONES: ReadonlyArray<string | null> = [null, 'UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham', '-07:30']
const MIN_US = -210_866_803_200_000_000 // 4714-11-24 BC
const MAX_EXACT_US = 2 ** 53

function text(us: number, zone: string | null): string | null {
  const out = Buffer.alloc(TIMESTAMP_TEXT_BYTES_MAX + 8, 0xff)
  const byteCount = writeTimestampText(out, 3, us, zone)
  return byteCount === 0 ? null : out.toString('latin1', 3, 3 + byteCount)
}

describe('src/common/timestamp-text: writeTimestampText', function () {
  it('writes exactly formatTimestamptz / formatTimestamp, and answers for whole µs (seed 5)', function () {
    const random = seeded(5)
    const values: number[] = [0, -1, 1, 999_999, -999_999, MIN_US, MAX_EXACT_US - 1, -MAX_EXACT_US + 1, 946_684_800_000_000, Infinity, -Infinity]
    for (let i = 0; i < 6_000; i++) {
      const base = Math.round(MIN_US + random() * (MAX_EXACT_US - MIN_US))
      const unit = [1, 1000, 1_000_000, 3_600_000_000][Math.floor(random() * 4)]!
      const start = Math.floor(base / unit) * unit
      for (let k = 0; k < 4; k++) values.push(start + k * unit * Math.floor(random() * 50))
    }
    for (const zone of ZONES) {
      for (const us of values) {
        const expected = zone === null ? formatTimestamp(us) : formatTimestamptz(us, zone)
        assert.equal(text(us, zone), expected, `${us} in ${zone ?? 'timestamp'}`)
      }
    }
  })

  it('writes neighbours across local midnights exactly, the zone changing from one value to the next (seed 9)', function () {
    // The writer remembers one local day: values on both sides of a midnight, in alternating zones, hit and miss it.
    const random = seeded(9)
    for (let i = 0; i < 3_000; i++) {
      const midnight = Math.floor((MIN_US + random() * (MAX_EXACT_US - MIN_US)) / 86_400_000_000) * 86_400_000_000
      for (const step of [-3_600_000_001, -1, 0, 1, 999_999, 1_000_000, 43_200_000_000]) {
        const zone = ZONES[Math.floor(random() * ZONES.length)]!
        const us = midnight + step
        assert.equal(text(us, zone), zone === null ? formatTimestamp(us) : formatTimestamptz(us, zone), `${us} in ${zone ?? 'timestamp'}`)
      }
    }
  })

  it('declines what is not a whole µs, so the caller writes the string', function () {
    assert.equal(text(0.5, 'UTC'), null)
    assert.equal(text(1_700_000_000_000.25, null), null)
  })
})
