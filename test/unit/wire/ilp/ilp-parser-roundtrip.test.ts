// Goal: any row a client can express in line protocol parses back to exactly that row (names with characters that
// need escaping, every value type, with and without a timestamp). Method: fast-check rows, written by a small
// reference serializer below that follows the reference's escaping rules, then parsed with parseLines.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { type Row, type RowValue, rowsOf } from './ilp-rows.js'

const NOW_US = 42
// Characters that need escaping somewhere, plus multi-byte UTF-8; '\n' is not allowed anywhere in line protocol.
const CHARS = ['a', 'b', 'Z', '0', '_', '.', '-', ' ', ',', '=', '\\', '"', '#', 'é', '😀', '\t']

/**
 * A backslash takes the next byte with it when the parser scans, so a name is expressible only if every run of
 * backslashes that precedes an escaped character (or the end of the name) has even length. InfluxDB has the same
 * limit. Names may not be empty; a measurement may not start with '#' (a comment) nor with whitespace (skipped).
 */
function isExpressible(name: string, special: string): boolean {
  const runs = name.match(/\\+(?=[^\\]|$)/g) ?? []
  let index = 0
  for (const run of runs) {
    index = name.indexOf(run, index) + run.length
    const next = name[index]
    if ((next === undefined || special.includes(next)) && run.length % 2 === 1) return false
  }
  return name.length > 0
}

const nameChars = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 8 }).map((chars) => chars.join(''))
const measurement = nameChars.filter((n) => isExpressible(n, ', ') && !/^[#\s]/.test(n))
const key = nameChars.filter((n) => isExpressible(n, ', ='))

function escapeName(name: string, special: string): string {
  let out = ''
  for (const char of name) out += special.includes(char) ? `\\${char}` : char
  return out
}

const value: fc.Arbitrary<RowValue> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v): RowValue => ({ kind: 'float', value: v })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v): RowValue => ({ kind: 'integer', value: v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v): RowValue => ({ kind: 'unsigned', value: v })),
  fc.string({ unit: fc.constantFrom(...CHARS, '\r') }).map((v): RowValue => ({ kind: 'string', value: v })),
  fc.boolean().map((v): RowValue => ({ kind: 'boolean', value: v })),
)

const BOOLEAN_SPELLINGS = { true: ['t', 'T', 'true', 'True', 'TRUE'], false: ['f', 'F', 'false', 'False', 'FALSE'] }

function writeValue(field: RowValue, spelling: number): string {
  switch (field.kind) {
    case 'float': return Object.is(field.value, -0) ? '-0' : String(field.value)
    case 'integer': return `${field.value}i`
    case 'unsigned': return `${field.value}u`
    case 'string': return `"${field.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
    case 'boolean': return BOOLEAN_SPELLINGS[field.value ? 'true' : 'false'][spelling % 5]!
  }
}

/** The reference serializer: measurement[,tag=value…] field=value[,field=value…] [timestamp in ns]. */
function writeLine(row: Row, timestampNs: bigint | null, spelling: number): string {
  let line = escapeName(row.measurement, ', ')
  for (const [k, v] of Object.entries(row.tags)) line += `,${escapeName(k, ', =')}=${escapeName(v, ', =')}`
  line += ' ' + Object.entries(row.fields).map(([k, v]) => `${escapeName(k, ', =')}=${writeValue(v, spelling)}`).join(',')
  return timestampNs === null ? line : `${line} ${timestampNs}`
}

const entries = <T>(values: fc.Arbitrary<T>, minLength: number): fc.Arbitrary<Array<[string, T]>> =>
  fc.uniqueArray(fc.tuple(key, values), { minLength, maxLength: 5, selector: ([k]) => k })

const rowCase = fc.record({
  measurement,
  tags: entries(key, 0),
  fields: entries(value, 1),
  timestampUs: fc.option(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), { nil: null }),
  subMicros: fc.integer({ min: 0, max: 999 }),
  spelling: fc.nat(),
}).filter(({ tags, fields }) => !fields.some(([k]) => tags.some(([t]) => t === k)))

describe('wire/ilp round trip (property)', function () {
  it('parses what the reference serializer writes back to the same row', function () {
    fc.assert(fc.property(rowCase, (c) => {
      const row: Row = {
        measurement: c.measurement,
        timestampUs: c.timestampUs ?? NOW_US,
        tags: Object.fromEntries(c.tags),
        fields: Object.fromEntries(c.fields),
      }
      // ns → µs truncates toward -∞: any ns in [µs × 1000, µs × 1000 + 999] maps back to µs.
      const timestampNs = c.timestampUs === null ? null : BigInt(c.timestampUs) * 1000n + BigInt(c.subMicros)
      const line = writeLine(row, timestampNs, c.spelling)
      const result = parseLines(Buffer.from(`${line}\n`, 'utf8'), { precision: 'ns', nowUs: NOW_US })
      assert.deepEqual(result.errors, [], line)
      assert.deepStrictEqual(rowsOf(result.batches), [row], line)
    }), { numRuns: 2000 })
  })

  it('parses many serialized rows of one measurement into one batch with absent values where keys differ', function () {
    fc.assert(fc.property(measurement, fc.array(fc.tuple(entries(key, 0), entries(value, 1)), { maxLength: 20 }), (m, lines) => {
      const kinds = new Map<string, string>()
      const rows: Row[] = []
      let text = ''
      for (const [tags, fields] of lines) {
        // Keep only lines consistent with earlier types (a conflict is an error, tested elsewhere).
        const isConsistent = tags.every(([k]) => (kinds.get(k) ?? 'tag') === 'tag' && !fields.some(([f]) => f === k)) &&
          fields.every(([k, v]) => (kinds.get(k) ?? v.kind) === v.kind)
        if (!isConsistent) continue
        for (const [k] of tags) kinds.set(k, 'tag')
        for (const [k, v] of fields) kinds.set(k, v.kind)
        const row: Row = { measurement: m, timestampUs: rows.length, tags: Object.fromEntries(tags), fields: Object.fromEntries(fields) }
        rows.push(row)
        text += writeLine(row, BigInt(row.timestampUs) * 1000n, 0) + '\n'
      }
      const result = parseLines(Buffer.from(text, 'utf8'), { precision: 'ns', nowUs: NOW_US })
      assert.deepEqual(result.errors, [])
      assert.deepStrictEqual(rowsOf(result.batches), rows)
    }), { numRuns: 300 })
  })

  it('keeps exactly the lines whose types agree with the rows kept before them (a naive model decides)', function () {
    const smallKey = fc.constantFrom('a', 'b', 'c', 'd')
    const line = fc.record({
      measurement: fc.constantFrom('m', 'n'),
      tags: fc.uniqueArray(fc.tuple(smallKey, fc.constantFrom('x', 'y')), { maxLength: 2, selector: ([k]) => k }),
      fields: fc.uniqueArray(fc.tuple(smallKey, value), { minLength: 1, maxLength: 3, selector: ([k]) => k }),
    })
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const kindsByMeasurement = new Map<string, Map<string, string>>()
      const expected = new Map<string, Row[]>()
      const errorLines: number[] = []
      let text = ''
      lines.forEach((l, index) => {
        const row: Row = { measurement: l.measurement, timestampUs: index, tags: Object.fromEntries(l.tags), fields: Object.fromEntries(l.fields) }
        text += writeLine(row, BigInt(index) * 1000n, index) + '\n'
        const kinds = kindsByMeasurement.get(l.measurement) ?? new Map<string, string>()
        const isConsistent = l.tags.every(([k]) => (kinds.get(k) ?? 'tag') === 'tag' && !l.fields.some(([f]) => f === k)) &&
          l.fields.every(([k, v]) => (kinds.get(k) ?? v.kind) === v.kind)
        if (!isConsistent) {
          errorLines.push(index + 1)
          return
        }
        for (const [k] of l.tags) kinds.set(k, 'tag')
        for (const [k, v] of l.fields) kinds.set(k, v.kind)
        kindsByMeasurement.set(l.measurement, kinds)
        expected.set(l.measurement, [...(expected.get(l.measurement) ?? []), row])
      })
      const result = parseLines(Buffer.from(text, 'utf8'), { precision: 'ns', nowUs: NOW_US })
      assert.deepEqual(result.errors.map((e) => e.line), errorLines)
      assert.ok(result.errors.every((e) => e.code === 'TypeConflict'))
      assert.deepStrictEqual(rowsOf(result.batches), [...expected.values()].flat())
    }), { numRuns: 500 })
  })
})
