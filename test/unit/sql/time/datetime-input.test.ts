// Goal: date, timestamp and timestamptz input beyond ISO 8601 reads as PostgreSQL 15's DecodeDateTime does, in each
// DateStyle field order (MDY, DMY, YMD): the same value, or the same SQLSTATE. Method: inputs are generated from
// pieces (numbers, numeric and textual dates, times, zones, keywords, punctuation) by a seeded generator, so every
// run sees the same ones; each is cast on a real PostgreSQL under the same DateStyle and parsed + printed by nodedb.
// nodedb may refuse a rare form with 0A000 (never answer it differently); refusals are counted and kept rare.
import assert from 'node:assert/strict'
import { parseDate, parseTimestamp, parseTimestamptz } from '../../../../sql/expr/timestamp.js'
import type { FunctionContext } from '../../../../sql/functions/function-def.js'
import { oracle, ours, pgValue } from './oracle.js'

// No 'today', 'now', … : the oracle's statement time is not nodedb's fixed one.
const PIECES = [
  '2024', '02', '1', '13', '31', '24', '99', '2024-02-01', '02/01/2024', '1/2/24', 'Feb', 'february', 'Thu', 'am', 'pm',
  'bc', 'ad', '10:00', '10:00:00.5', '24:00', '12:30', 'T', 'J2460342', '20240201', '101500', 'EST', 'UTC', 'Europe/Berlin',
  '+05', '-08:00', 'Z', 'allballs', 'on', ',', '2024.032', '5', '366', '1999.008', 'foo', '-', '/', '10:00:00.', '.5',
  '+05:30:15', '+', 'Jan', '08', '1999', 'PST8PDT', 'America/New_York', 'j', '2451187', '04:05', 'PM', '12', '0', '00',
  '2024-02-29', '2023-02-29', '0001-01-01', 'BC', 't', '040506', '040506.789', '20011225', 'sept', 'sat', '2024/13/01',
  '1.5', '10:00:60', '10:00:00.999999999', 'zulu', 'gmt', 'jst', '+0530', '+123', '+16',
]
const PER_ORDER = 700
const TYPES = ['date', 'timestamp', 'timestamptz'] as const

/** A linear congruential generator: the same inputs on every run. */
function generator(seed: number): () => string {
  let state = seed
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n
  }
  return () => {
    const count = 1 + next(4)
    const joiner = next(3) === 0 ? '' : ' '
    return Array.from({ length: count }, () => PIECES[next(PIECES.length)]!).join(joiner)
  }
}

function parse(type: (typeof TYPES)[number], text: string, ctx: FunctionContext): number {
  if (type === 'date') return parseDate(text, ctx)
  return type === 'timestamp' ? parseTimestamp(text, ctx) : parseTimestamptz(text, ctx)
}

describe('sql/time: date/time input as PostgreSQL\'s DecodeDateTime, in every DateStyle order', function () {
  this.timeout(120_000)

  it('generated inputs read the same value or fail with the same SQLSTATE (0A000 refusals rare)', async function () {
    const client = await oracle()
    const failures: string[] = []
    let accepted = 0
    let refused = 0
    let total = 0
    try {
      for (const [index, order] of ['MDY', 'DMY', 'YMD'].entries()) {
        await client.query(`SET DateStyle = 'ISO, ${order}'`)
        const next = generator(index + 7)
        for (let i = 0; i < PER_ORDER; i++) {
          const text = next()
          for (const type of TYPES) {
            total++
            const expected = await pgValue('UTC', `select $1::${type}::text`, [text])
            const actual = ours('UTC', type, (ctx) => parse(type, text, { ...ctx, settings: new Map([...ctx.settings, ['datestyle', `ISO, ${order}`]]) }))
            if ('value' in expected) accepted++
            if ('code' in actual && actual.code === '0A000') { refused++; continue }
            if (JSON.stringify(expected) !== JSON.stringify(actual)) {
              failures.push(`${order} '${text}'::${type}: PostgreSQL ${JSON.stringify(expected)}, nodedb ${JSON.stringify(actual)}`)
            }
          }
        }
      }
    } finally {
      await client.query("SET DateStyle = 'ISO, MDY'")
    }
    assert.deepEqual(failures, [])
    assert.ok(accepted > total / 10, `PostgreSQL accepted only ${accepted} of ${total}: the generator tests little`)
    assert.ok(refused < total / 50, `nodedb refused ${refused} of ${total} with 0A000`)
  })

  it('context without settings reads numeric dates month first (PostgreSQL\'s default DateStyle)', async function () {
    const expected = await pgValue('UTC', "select '02/01/2024'::date::text")
    assert.deepEqual(ours('UTC', 'date', (ctx) => parseDate('02/01/2024', { timeZone: ctx.timeZone, nowUs: ctx.nowUs })), expected)
  })
})
