// Goal: every aggregate overload returns what PostgreSQL 15 returns — same result type, same text, same SQLSTATE —
// over NULLs, empty input, one row, extreme magnitudes and negatives; and partials stepped apart then combined
// finish to the same answer. Method: a throwaway real PostgreSQL computes each expected value (never hand-typed);
// the inputs themselves are read back from PostgreSQL too, so both sides see identical values.
import assert from 'node:assert/strict'
import pg from 'pg'
import type { IntervalValue, SqlValue } from '../../../../sql/api.js'
import { PG_TYPES, sqlType, type PgTypeName, type SqlType } from '../../../../sql/bind/types.js'
import { AGGREGATE_FUNCTIONS, findAggregate, isAggregateName } from '../../../../sql/functions/aggregate-functions.js'
import type { AggregateFunction } from '../../../../sql/functions/function-def.js'
import { isDbError } from '../../../../src/common/errors.js'
import { encodeFloat4Text, encodeFloat8Text } from '../../../../wire/pg/codecs/float.js'
import { startPostgres, type Postgres } from '../../../helpers/postgres.js'

type Column = ReadonlyArray<string> // SQL literals, 'NULL' allowed

const DATA: Partial<Record<PgTypeName, ReadonlyArray<Column>>> = {
  int2: [['1', '2'], [], ['NULL'], ['7'], ['1', 'NULL', '3'], ['-32768', '32767', '-5', '100'], ['3', '3', '3'], ['-7', '-3']],
  int4: [['1', '2'], [], ['NULL'], ['5'], ['2147483647', '2147483647', '-2147483648'], ['1', 'NULL', '3', '10'],
    ['-7', '-3', '-1'], ['0', '0'], ['1', '2', '2', '9', '-4', '100000']],
  int8: [['1', '2'], [], ['NULL'], ['-42'], ['9223372036854775807', '9223372036854775807', '1'],
    ['-9223372036854775808', '-1', '5'], ['1', 'NULL', '3'], ['123456789012', '-98765432101', '7', '7']],
  float4: [['1.1', '2.2', '3.3'], [], ['NULL'], ['0.5'], ['1e30', '-1e30', '1'], ["'NaN'", '1'], ["'Infinity'", '1'],
    ['3.4e38', '3.4e38'], ['-0.1', 'NULL', '-2.5'], ['1e-30', '3e-30', '2e-30']],
  float8: [['0.1', '0.2', '0.3'], [], ['NULL'], ["'-0'"], ["'-0'", "'-0'"], ['1e308', '1e308'], ['1e-300', '2e-300', '5e-301'], ["'NaN'", '1'],
    ["'Infinity'", "'-Infinity'"], ["'Infinity'", '2'], ['123456789.123', '987654321.987', '-5.5'], ['1e15', '1', '-1e15'],
    ['2.5', 'NULL', '2.5', '-7.25', '1e10']],
  numeric: [['1.50', '2.250', '-3'], [], ['NULL'], ['-0.5'], ['0.0001', '0.00002'], ["'NaN'", '1'], ["'Infinity'", '2'],
    ["'Infinity'", "'-Infinity'"], ['123456789012345678901234567890.123456789', '1', '-7'], ['1.0', '1.00'],
    ['1e-20', '3e-20'], ['100', '200', '300', 'NULL'], ['99999.9999', '0.0001', '12345678']],
  text: [["'b'", "'a'", "'ab'"], [], ['NULL'], ["'é'", "'z'", "'😀'", "'\uFFFD'"], ["''", 'NULL', "'B'"]],
  bpchar: [["'ab '", "'ab'", "'a'"], [], ["'x'", 'NULL', "'y  '"]],
  timestamp: [["'2020-01-01 00:00:00'", "'1999-12-31 23:59:59.999999'", "'1900-06-01 12:00'"], [], ['NULL'],
    ["'infinity'", "'2000-01-01'"], ["'-infinity'", "'2000-01-01'", 'NULL']],
  timestamptz: [["'2020-01-01 00:00:00+00'", "'1969-12-31 23:59:59.5+00'"], [], ["'infinity'", "'-infinity'"]],
  date: [["'2020-01-01'", "'1970-01-01'", "'1900-03-04'"], [], ['NULL'], ["'infinity'", "'2001-02-03'"]],
  interval: [["'1 mon'", "'30 days'"], [], ['NULL'], ["'1 day 2 hours'", "'-3 hours'", "'1 year 2 mons 3 days 04:05:06.789'"],
    ["'1 mon'", "'1 mon'", "'1 day'"], ["'7 days'", "'1 mon -2 days'", "'-00:00:00.000001'"], ["'30 days'", "'1 mon'"],
    ["'1 mon 1 day'", "'1 sec'", "'1 mon'", "'3 days'", "'1 hour'", "'2 mons'", "'7 sec'"],
    ["'2147483647 mons'", "'1 mon'"], ["'-2147483648 days'", "'-1 day'"], ["'-1 mon 5 days -00:00:01'", "'-7 days'"]],
  bool: [['true', 'false', 'NULL'], ['true', 'true'], ['false'], [], ['NULL']],
}

/** SQL turning a value of `type` into the text our value is compared in (a canonical form for datetimes). */
function wrap(expr: string, type: PgTypeName): string {
  switch (type) {
    case 'timestamp': case 'timestamptz': case 'date': {
      const finite = type === 'date' ? `(${expr} - date '1970-01-01')` : `(extract(epoch from ${expr}) * 1000000)::int8`
      return `CASE WHEN isfinite(${expr}) THEN ${finite}::text ELSE ${expr}::text END`
    }
    case 'interval':
      return `CASE WHEN ${expr} IS NOT NULL THEN format('%s,%s,%s', ` +
        `extract(year from ${expr})*12+extract(month from ${expr}), extract(day from ${expr}), ` +
        `(extract(hour from ${expr})*3600+extract(minute from ${expr})*60)*1000000+extract(microseconds from ${expr})) END`
    default: return expr
  }
}

function fromText(text: string | null, type: PgTypeName): SqlValue {
  if (text === null) return null
  switch (type) {
    case 'int2': case 'int4': return Number(text)
    case 'int8': return BigInt(text)
    case 'float4': return Math.fround(Number(text))
    case 'float8': return Number(text)
    case 'bool': return text === 't'
    case 'timestamp': case 'timestamptz': case 'date':
      return text === 'infinity' ? Infinity : text === '-infinity' ? -Infinity : Number(text)
    case 'interval': {
      const [months, days, us] = text.split(',').map(Number)
      return { months: months ?? 0, days: days ?? 0, us: us ?? 0 }
    }
    default: return text
  }
}

function toText(value: SqlValue, type: PgTypeName): string | null {
  if (value === null) return null
  switch (type) {
    case 'float4': return encodeFloat4Text(value as number)
    case 'float8': return encodeFloat8Text(value as number)
    case 'bool': return value === true ? 't' : 'f'
    case 'timestamp': case 'timestamptz': case 'date': {
      const n = value as number
      return Number.isFinite(n) ? String(n) : n > 0 ? 'infinity' : '-infinity'
    }
    case 'interval': {
      const v = value as IntervalValue
      return `${v.months},${v.days},${v.us}`
    }
    default: return String(value)
  }
}

const rawText = { getTypeParser: () => (value: string) => value }
let oracle: Postgres
let client: pg.Client

interface Answer { readonly text: string | null; readonly typeOid: number | null }

async function ask(sql: string): Promise<Answer> {
  try {
    const result = await client.query({ text: sql, rowMode: 'array', types: rawText })
    const row = (result.rows as Array<Array<string | null>>)[0]
    return { text: row?.[0] ?? null, typeOid: result.fields[0]?.dataTypeID ?? null }
  } catch (error: unknown) {
    return { text: `error ${(error as { code?: string }).code ?? String(error)}`, typeOid: null }
  }
}

/** FROM clause over columns of literals (all the same length), one row per index. */
function fromValues(columns: ReadonlyArray<Column>, types: ReadonlyArray<PgTypeName>): string {
  const names = columns.map((_, i) => `c${i}`).join(', ')
  const count = columns[0]?.length ?? 0
  if (count === 0) return `(VALUES (${types.map((t) => `NULL::${t}`).join(', ')})) v(${names}) WHERE false`
  const row = (r: number): string => `(${columns.map((c, i) => `(${c[r]})::${types[i]}`).join(', ')})`
  const rows = Array.from({ length: count }, (_, r) => row(r))
  return `(VALUES ${rows.join(', ')}) v(${names})`
}

async function inputRows(columns: ReadonlyArray<Column>, types: ReadonlyArray<PgTypeName>): Promise<SqlValue[][]> {
  if ((columns[0]?.length ?? 0) === 0) return []
  const select = types.map((t, i) => wrap(`c${i}`, t)).join(', ')
  const text = `SELECT ${select} FROM ${fromValues(columns, types)}`
  const result = await client.query({ text, rowMode: 'array', types: rawText })
  const rows = result.rows as Array<Array<string | null>>
  return rows.map((row) => row.map((value, i) => fromText(value, types[i] ?? 'text')))
}

/** Steps each part into its own state, combines the states left to right, finishes, prints as PostgreSQL. */
function runOurs(
  def: AggregateFunction, parts: ReadonlyArray<ReadonlyArray<SqlValue[]>>, argTypes: SqlType[],
): string | null {
  try {
    let state: unknown = null
    for (const rows of parts) {
      let partial = def.create()
      for (const args of rows) {
        if (def.skipsNulls && args.some((a) => a === null)) continue
        partial = def.step(partial, args)
      }
      state = state === null ? partial : (def.combine as (a: unknown, b: unknown) => unknown)(state, partial)
    }
    const resultType = typeof def.result === 'function' ? def.result(argTypes).name : def.result
    return toText(def.finish(state, argTypes, { timeZone: 'UTC', nowUs: 0, settings: new Map() }), resultType)
  } catch (error: unknown) {
    if (isDbError(error)) return `error ${error.code}`
    throw error
  }
}

/** Float partial sums add in another order: equal up to rounding relative to the inputs' magnitude. */
function closeEnough(ours: string | null, theirs: string | null, type: PgTypeName, rows: SqlValue[][]): boolean {
  if (ours === theirs) return true
  if (ours === null || theirs === null || (type !== 'float8' && type !== 'float4')) return false
  const inputs = rows.flat().map((v) => (typeof v === 'number' ? Math.abs(v) : 0))
  const magnitude = Math.max(...inputs, Math.abs(Number(theirs)))
  return Math.abs(Number(ours) - Number(theirs)) <= magnitude * (type === 'float4' ? 1e-6 : 1e-12)
}

/**
 * The same double printed differently: at an exact decimal midpoint between two doubles, encodeFloat8Text (V8's
 * shortest digits) picks the shorter boundary decimal where PostgreSQL's Ryu prints 17 digits (e.g. var_pop of 123456789.123, 987654321.987, -5.5:
 * 1.930600029500676e+17 vs 1.9306000295006758e+17). That is the codec's divergence, not the aggregate's.
 */
function sameFloat(ours: string | null, theirs: string | null, type: PgTypeName): boolean {
  return ours !== null && theirs !== null && type === 'float8' && Number(ours) === Number(theirs)
}

interface Case {
  readonly sql: string
  readonly columns: ReadonlyArray<Column>
  readonly types: ReadonlyArray<PgTypeName>
  /** An ordered-set aggregate's direct argument (the fraction), passed first on every row. */
  readonly direct?: SqlValue
}

async function check(def: AggregateFunction, cases: ReadonlyArray<Case>): Promise<string[]> {
  const failures: string[] = []
  const first = cases[0]
  const directTypes: PgTypeName[] = first?.direct !== undefined ? ['float8'] : []
  const argTypes = [...directTypes, ...(first?.types ?? [])].map((t) => sqlType(t))
  const resultType = typeof def.result === 'function' ? def.result(argTypes).name : def.result
  for (const c of cases) {
    const theirs = await ask(c.sql)
    if (theirs.typeOid !== null && theirs.typeOid !== PG_TYPES[resultType].oid && wrap('x', resultType) === 'x') {
      failures.push(`${c.sql}: result type ${resultType}, PostgreSQL's oid ${theirs.typeOid}`)
    }
    const read = await inputRows(c.columns, c.types)
    const rows = c.direct === undefined ? read : read.map((row) => [c.direct ?? null, ...row])
    const ours = runOurs(def, [rows], argTypes)
    if (ours !== theirs.text && !sameFloat(ours, theirs.text, resultType)) {
      failures.push(`${c.sql}: ours ${ours}, PostgreSQL ${theirs.text}`)
    }
    if (def.combine === undefined || theirs.text?.startsWith('error') === true) continue
    for (const cut of [0, Math.floor(rows.length / 2), rows.length]) {
      const combined = runOurs(def, [rows.slice(0, cut), rows.slice(cut)], argTypes)
      if (!closeEnough(combined, theirs.text, resultType, rows)) {
        failures.push(`${c.sql} split at ${cut}: ours ${combined}, PostgreSQL ${theirs.text}`)
      }
    }
  }
  return failures
}

function unaryCases(def: AggregateFunction, type: PgTypeName): Case[] {
  const call = def.args.length === 0 ? `${def.name}(*)` : `${def.name}(c0)`
  return (DATA[type] ?? []).map((column) => {
    const resultType = typeof def.result === 'function' ? def.result([sqlType(type)]).name : def.result
    const sql = `SELECT ${wrap(call, resultType)} FROM ${fromValues([column], [type])}`
    return { sql, columns: [column], types: [type] }
  })
}


const PAIRS: ReadonlyArray<ReadonlyArray<readonly [string, string]>> = [
  [['1', '2'], ['2', '4'], ['3', '7']], [], [['NULL', '1'], ['2', 'NULL'], ['3', '3'], ['5', '-1']], [['5', '5']],
  [['1', '1'], ['1', '2'], ['1', '3']], [['1', '1'], ['2', '1']], [['1e300', '1e300'], ['-1e300', '1']],
  [["'NaN'", '1'], ['2', '3']], [["'Infinity'", '1'], ['2', '3']],
  [['123456.789', '-0.001'], ['98765.4321', '5e-5'], ['-3.5', '2.25'], ['7', '7'], ['1e-3', '1e3']],
]

function pairColumns(pairs: ReadonlyArray<readonly [string, string]>): Column[] {
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])]
}

const STRING_AGG_DATA: ReadonlyArray<ReadonlyArray<readonly [string, string]>> = [
  [["'a'", "','"], ["'b'", "'-'"], ['NULL', "'x'"], ["'c'", 'NULL']], [], [['NULL', "','"]], [["'only'", "';'"]],
  [["''", "','"], ["''", "','"]], [['NULL', "'x'"], ["'p'", "'y'"], ["'q'", "'z'"]],
]

const FRACTIONS: ReadonlyArray<string> = ['0', '0.25', '0.5', '0.3333', '1', 'NULL', '1.5', '-0.1', "'NaN'"]

/** Typed reading of a fraction literal for our side of an ordered-set call. */
function fractionValue(literal: string): SqlValue {
  return literal === 'NULL' ? null : Number(literal.replace(/'/g, ''))
}

/** PostgreSQL computing first/last for us: the value at the smallest (largest) time, the earliest row on ties. */
function bookendSql(name: string, valueType: PgTypeName, columns: Column[], types: PgTypeName[]): string {
  const order = name === 'first' ? 'c1, ord' : 'c1 DESC, ord'
  const pick = `(array_agg(c0 ORDER BY ${order}) FILTER (WHERE c1 IS NOT NULL))[1]`
  const numbered = `(SELECT *, row_number() OVER () AS ord FROM ${fromValues(columns, types)}) w`
  return `SELECT ${wrap(pick, valueType)} FROM ${numbered}`
}

/** A small seeded generator (mulberry32): the random data sets are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomColumn(type: PgTypeName, random: () => number): Column {
  const count = 1 + Math.floor(random() * 8)
  return Array.from({ length: count }, () => {
    const sign = random() < 0.3 ? '-' : ''
    if (type === 'float8') return `${sign}${(random() * 10).toFixed(6)}e${Math.floor(random() * 40) - 20}`
    const whole = String(Math.floor(random() * 10 ** Math.floor(random() * 13)))
    if (type === 'int8') return `${sign}${whole}${String(Math.floor(random() * 1e6)).padStart(6, '0')}`
    const scale = Math.floor(random() * 7)
    return `${sign}${whole}${scale === 0 ? '' : `.${String(Math.floor(random() * 10 ** scale)).padStart(scale, '0')}`}`
  })
}

/** False when the aggregate refuses this input type at bind (array_agg takes only the catalog's element types). */
function acceptsInput(def: AggregateFunction, type: PgTypeName): boolean {
  if (typeof def.result !== 'function') return true
  try {
    def.result([sqlType(type)])
    return true
  } catch (error: unknown) {
    if (isDbError(error) && error.code === '0A000') return false
    throw error
  }
}

describe('aggregate functions against PostgreSQL', function () {
  this.timeout(120_000)

  before(async function () {
    oracle = await startPostgres()
    client = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
    await client.connect()
  })

  after(async function () {
    await client?.end()
    oracle?.stop()
  })

  for (const def of AGGREGATE_FUNCTIONS) {
    // nodedb_record_json_agg is json_agg over a whole row, reached only through json_agg(t): corpus-json checks it.
    if (def.orderedSet === true || def.args.length > 1 || def.name.startsWith('nodedb_')) continue
    const types: PgTypeName[] = def.args[0] === 'any' || def.args.length === 0
      ? (Object.keys(DATA) as PgTypeName[]).filter((type) => acceptsInput(def, type))
      : [def.args[0] as PgTypeName]
    it(`${def.name}(${def.args.join(', ') || '*'})`, async function () {
      const failures: string[] = []
      for (const type of types) failures.push(...(await check(def, unaryCases(def, type))))
      assert.deepEqual(failures, [])
    })
  }


  const pairAggregates = AGGREGATE_FUNCTIONS.filter((d) => JSON.stringify(d.args) === '["float8","float8"]' && d.orderedSet !== true)
  for (const def of pairAggregates) {
    it(`${def.name}(float8, float8)`, async function () {
      const cases = PAIRS.map((pairs) => {
        const columns = pairColumns(pairs)
        const types: PgTypeName[] = ['float8', 'float8']
        return { sql: `SELECT ${def.name}(c0, c1) FROM ${fromValues(columns, types)}`, columns, types }
      })
      assert.deepEqual(await check(def, cases), [])
    })
  }

  it('string_agg(text, text)', async function () {
    const def = findAggregate('string_agg')[0] as AggregateFunction
    const cases = STRING_AGG_DATA.map((pairs) => {
      const columns = pairColumns(pairs)
      const types: PgTypeName[] = ['text', 'text']
      return { sql: `SELECT string_agg(c0, c1) FROM ${fromValues(columns, types)}`, columns, types }
    })
    assert.deepEqual(await check(def, cases), [])
  })

  for (const [name, types] of [
    ['percentile_cont', ['float8', 'interval']],
    ['percentile_disc', ['float8', 'int4', 'int8', 'numeric', 'text', 'timestamptz', 'date', 'interval']],
  ] as const) {
    it(`${name}(fraction) WITHIN GROUP (ORDER BY …)`, async function () {
      const failures: string[] = []
      for (const type of types) {
        const def = findAggregate(name).find((d) => d.args[1] === type || d.args[1] === 'any') as AggregateFunction
        for (const fraction of FRACTIONS) {
          const resultType = type
          const cases = (DATA[type] ?? []).filter((column) => column.length > 0).map((column) => ({
            sql: `SELECT ${wrap(`${name}(${fraction}::float8) WITHIN GROUP (ORDER BY c0)`, resultType)} ` +
              `FROM ${fromValues([column], [type])}`,
            columns: [column], types: [type] as PgTypeName[], direct: fractionValue(fraction),
          }))
          failures.push(...(await check(def, cases)))
        }
      }
      assert.deepEqual(failures, [])
    })
  }

  it('mode() WITHIN GROUP (ORDER BY …)', async function () {
    const def = findAggregate('mode')[0] as AggregateFunction
    const failures: string[] = []
    for (const type of ['int4', 'int8', 'float8', 'numeric', 'text', 'interval', 'bool'] as const) {
      const cases = (DATA[type] ?? []).map((column) => ({
        sql: `SELECT ${wrap('mode() WITHIN GROUP (ORDER BY c0)', type)} FROM ${fromValues([column], [type])}`,
        columns: [column], types: [type] as PgTypeName[],
      }))
      failures.push(...(await check(def, cases)))
    }
    assert.deepEqual(failures, [])
  })

  for (const name of ['first', 'last']) {
    it(`${name}(value, time) as TimescaleDB`, async function () {
      const failures: string[] = []
      const times: ReadonlyArray<readonly [PgTypeName, Column]> = [
        ['timestamptz', ["'2020-01-02+00'", "'2020-01-01+00'", 'NULL', "'2020-01-03+00'", "'2020-01-01+00'"]],
        ['int8', ['5', '3', '3', 'NULL', '9']], ['date', ["'2001-01-01'", "'1999-01-01'", "'2003-01-01'", "'2003-01-01'", 'NULL']],
      ]
      const values: ReadonlyArray<readonly [PgTypeName, Column]> = [
        ['int4', ['1', '2', '3', '4', 'NULL']], ['text', ["'a'", 'NULL', "'c'", "'d'", "'e'"]],
      ]
      for (const [timeType, timeColumn] of times) {
        const def = findAggregate(name).find((d) => d.args[1] === timeType) as AggregateFunction
        for (const [valueType, valueColumn] of values) {
          for (const count of [0, 1, 3, 5]) {
            const columns = [valueColumn.slice(0, count), timeColumn.slice(0, count)]
            const types: PgTypeName[] = [valueType, timeType]
            failures.push(...(await check(def, [{ sql: bookendSql(name, valueType, columns, types), columns, types }])))
          }
        }
      }
      assert.deepEqual(failures, [])
    })
  }


  it('random numeric, int8 and float8 data sets: sum, avg and the variance family to the last digit', async function () {
    const random = seeded(20260101)
    const failures: string[] = []
    const names = ['sum', 'avg', 'variance', 'var_pop', 'stddev_samp', 'stddev_pop']
    for (const type of ['numeric', 'int8', 'float8'] as const) {
      const columns = Array.from({ length: 25 }, () => randomColumn(type, random))
      for (const name of names) {
        const def = findAggregate(name).find((d) => d.args[0] === type) as AggregateFunction
        const cases = columns.map((column) => ({
          sql: `SELECT ${name}(c0) FROM ${fromValues([column], [type])}`, columns: [column], types: [type],
        }))
        failures.push(...(await check(def, cases)))
      }
    }
    assert.deepEqual(failures, [])
  })

  it('the registry has PostgreSQL 15\'s overloads and result types for the types nodedb has', async function () {
    const names = [...new Set(AGGREGATE_FUNCTIONS.map((d) => d.name))].filter((n) => n !== 'first' && n !== 'last' && !n.startsWith('nodedb_'))
    const catalog = await client.query({
      text: `SELECT p.proname, coalesce(array_to_string(array(SELECT t::regtype::text FROM unnest(p.proargtypes) t), ','), ''),
               p.prorettype::regtype::text
             FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid WHERE p.proname = ANY($1) AND a.aggkind = 'n'`,
      values: [names], rowMode: 'array',
    })
    const formatName = new Map(Object.entries(PG_TYPES).map(([name, info]) => [info.formatName, name]))
    formatName.set('"any"', 'any')
    const missing: string[] = []
    for (const [name, args, result] of catalog.rows as Array<[string, string, string]>) {
      const ours = args === '' ? [] : args.split(',').map((a) => formatName.get(a))
      if (ours.some((a) => a === undefined)) continue // a type nodedb lacks (money, inet, arrays, …)
      const def = findAggregate(name).find((d) => JSON.stringify(d.args) === JSON.stringify(ours))
      if (def === undefined) missing.push(`${name}(${args})`)
      else if (typeof def.result === 'string' && PG_TYPES[def.result].formatName !== result) {
        missing.push(`${name}(${args}) → ${result}`)
      }
    }
    assert.deepEqual(missing, [])
    assert.equal(isAggregateName('sum'), true)
    assert.equal(isAggregateName('lower'), false)
    // array_agg's result is the array type of exactly its input (varchar[] for varchar, never text[]); an input
    // without an array type here (void) is refused, not typed as a neighbour.
    const arrayAgg = findAggregate('array_agg')[0]
    assert.ok(arrayAgg !== undefined && typeof arrayAgg.result === 'function')
    assert.equal(arrayAgg.result([sqlType('varchar')]).name, '_varchar')
    assert.equal(arrayAgg.result([sqlType('int4')]).name, '_int4')
    assert.ok(acceptsInput(arrayAgg, 'timestamptz') && !acceptsInput(arrayAgg, 'void'))
  })
})
