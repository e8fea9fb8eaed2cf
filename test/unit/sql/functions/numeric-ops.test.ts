// Goal: numeric-ops reads, prints, compares and converts numeric exactly as PostgreSQL 15 does (numeric_in/out,
// cmp_numerics, numeric ↔ int2/int4/int8/float4/float8 casts with their rounding and 22003 errors). Method: each
// input runs through a SELECT with casts on a throwaway PostgreSQL (or NODEDB_ORACLE_PORT) and through the helpers.
import assert from 'node:assert/strict'
import type pg from 'pg'
import {
  compareDecimal,
  decimalToFloat4,
  decimalToFloat8,
  decimalToInteger,
  floatToDecimal,
  formatNumeric,
  parseNumeric,
} from '../../../../sql/functions/numeric-ops.js'
import { isDbError } from '../../../../src/common/errors.js'
import { encodeFloat4Text, encodeFloat8Text } from '../../../../wire/pg/codecs/float.js'
import { useOracle } from './oracle.js'

const NUMERICS = [
  '0', '-0', '1.50', '-2.5', '2.5', '0.5', '-0.5', '32767.5', '32767.4', '-32768.5', '2147483647.49', '2147483647.5',
  '-2147483648.5', '9223372036854775807', '9223372036854775807.5', '-9223372036854775808.4', '1e3', '1.5E-3', '.5',
  '+7', '  12.000  ', 'NaN', 'nan', 'Infinity', '-inf', '1e308', '1e309', '1e-320', '3.4028236e38', '0.1', '123456789012345678901234567890.123',
]
const FLOATS = ['0', '-0', '0.1', '1.5', '-2.25', '1e20', '1e-20', '3.141592653589793', '123456789.123456789', '1e308', '5e-324', 'NaN', 'Infinity', '-Infinity', '2.5e-5']

function outcome(run: () => string): string {
  try {
    return run()
  } catch (error: unknown) {
    if (isDbError(error)) return `ERROR ${error.code}`
    throw error
  }
}

async function postgresText(client: pg.Client, sql: string, values: ReadonlyArray<string>): Promise<string> {
  try {
    const result = await client.query({ text: sql, values: [...values], rowMode: 'array', types: { getTypeParser: () => (v: string) => v } })
    const row: unknown = result.rows[0]
    return Array.isArray(row) ? String(row[0]) : 'no row'
  } catch (error: unknown) {
    return `ERROR ${String((error as { code?: string }).code)}`
  }
}

describe('sql/functions/numeric-ops against PostgreSQL', function () {
  this.timeout(120_000)
  const oracle = useOracle()

  it('parses and prints numeric text as numeric_in/numeric_out', async function () {
    const failures: string[] = []
    for (const text of NUMERICS) {
      const expected = await postgresText(oracle.client, 'SELECT $1::numeric', [text])
      const actual = outcome(() => formatNumeric(parseNumeric(text)))
      if (expected !== actual) failures.push(`${text}: postgres ${expected}, nodedb ${actual}`)
    }
    assert.deepEqual(failures, [])
  })

  it('casts numeric to int2/int4/int8 (half away from zero), float4 and float8', async function () {
    const failures: string[] = []
    const casts = [
      ['int2', (t: string) => String(decimalToInteger(parseNumeric(t), 'int2'))],
      ['int4', (t: string) => String(decimalToInteger(parseNumeric(t), 'int4'))],
      ['int8', (t: string) => String(decimalToInteger(parseNumeric(t), 'int8'))],
      ['float8', (t: string) => encodeFloat8Text(decimalToFloat8(parseNumeric(t)))],
      ['float4', (t: string) => encodeFloat4Text(decimalToFloat4(parseNumeric(t)))],
    ] as const
    for (const text of NUMERICS) {
      for (const [type, convert] of casts) {
        const expected = await postgresText(oracle.client, `SELECT $1::numeric::${type}`, [text])
        const actual = outcome(() => convert(text))
        if (expected !== actual) failures.push(`${text}::${type}: postgres ${expected}, nodedb ${actual}`)
      }
    }
    assert.deepEqual(failures, [])
  })

  it('casts float8 and float4 to numeric through %.15g / %.6g', async function () {
    const failures: string[] = []
    for (const text of FLOATS) {
      for (const [type, digits] of [['float8', 15], ['float4', 6]] as const) {
        const value = type === 'float4' ? Math.fround(Number(text)) : Number(text)
        const expected = await postgresText(oracle.client, `SELECT $1::${type}::numeric`, [text])
        if (expected.startsWith('ERROR')) continue // the float4 input itself is out of range
        const actual = outcome(() => formatNumeric(floatToDecimal(value, digits)))
        if (expected !== actual) failures.push(`${text}::${type}::numeric: postgres ${expected}, nodedb ${actual}`)
      }
    }
    assert.deepEqual(failures, [])
  })

  it('orders values as cmp_numerics (NaN above Infinity, scale-insensitive equality)', async function () {
    const values = ['-Infinity', '-1.5', '0', '0.00', '1', '1.0', '2', 'Infinity', 'NaN']
    const failures: string[] = []
    for (const a of values) {
      for (const b of values) {
        const expected = await postgresText(oracle.client, 'SELECT sign(($1::numeric > $2::numeric)::int - ($1::numeric < $2::numeric)::int)', [a, b])
        const actual = String(compareDecimal(parseNumeric(a), parseNumeric(b)))
        if (expected !== actual) failures.push(`${a} vs ${b}: postgres ${expected}, nodedb ${actual}`)
      }
    }
    assert.deepEqual(failures, [])
  })
})
