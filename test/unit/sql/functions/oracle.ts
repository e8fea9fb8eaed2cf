// test/unit/sql/functions/oracle: runs one call both through a real PostgreSQL (SELECT with text parameters cast to
// the overload's types) and through nodedb's ScalarFunction, and renders both as PostgreSQL's text output or as
// 'ERROR <sqlstate>', so tests compare strings and never type an expected value by hand.
import pg from 'pg'
import { startPostgres, type Postgres } from '../../../helpers/postgres.js'
import type { SqlValue } from '../../../../sql/api.js'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import type { FunctionContext, ScalarFunction } from '../../../../sql/functions/function-def.js'
import { isDbError } from '../../../../src/common/errors.js'
import { encodeFloat4Text, encodeFloat8Text } from '../../../../wire/pg/codecs/float.js'

/** A call: function or operator name, the overload's argument types, and arguments as PostgreSQL input text. */
export type Call = readonly [name: string, types: ReadonlyArray<PgTypeName>, args: ReadonlyArray<string | null>]

const rawText = { getTypeParser: () => (value: string) => value }

export const TEST_CONTEXT: FunctionContext = {
  timeZone: 'UTC',
  nowUs: 1_700_000_000_000_000,
  settings: new Map([['timezone', 'UTC'], ['user', 'postgres'], ['database', 'postgres']]),
}

/** The SQL PostgreSQL runs for a call: operators infix (or prefix), functions by quoted name (position, left…). */
export function callSql([name, types]: Call): string {
  const params = types.map((type, i) => `$${i + 1}::${type}`)
  if (/^[^a-z_]/.test(name)) {
    return params.length === 1 ? `SELECT ${name} (${params[0]})` : `SELECT (${params[0]}) ${name} (${params[1]})`
  }
  return `SELECT "${name}"(${params.join(', ')})`
}

export async function runOnPostgres(client: pg.Client, call: Call): Promise<string> {
  try {
    const result = await client.query({ text: callSql(call), values: [...call[2]], rowMode: 'array', types: rawText })
    const row: unknown = result.rows[0]
    const value = Array.isArray(row) ? (row[0] as unknown) : undefined
    return value === null ? 'NULL' : String(value)
  } catch (error: unknown) {
    return `ERROR ${String((error as { code?: string }).code)}`
  }
}

/** PostgreSQL input text → nodedb's value representation of `type`. */
export function parseInput(text: string | null, type: PgTypeName): SqlValue {
  if (text === null) return null
  switch (type) {
    case 'int2': case 'int4': return Number(text)
    case 'int8': return BigInt(text)
    case 'float8': return Number(text.replace(/^(-?)inf(inity)?$/i, '$1Infinity'))
    case 'float4': return Math.fround(Number(text.replace(/^(-?)inf(inity)?$/i, '$1Infinity')))
    case 'bool': return text === 't' || text === 'true'
    default: return text
  }
}

export function renderOutput(value: SqlValue, type: PgTypeName): string {
  if (value === null) return 'NULL'
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (type === 'float8' && typeof value === 'number') return encodeFloat8Text(value)
  if (type === 'float4' && typeof value === 'number') return encodeFloat4Text(value)
  return String(value)
}

export function findFunction(registry: ReadonlyArray<ScalarFunction>, name: string, types: ReadonlyArray<PgTypeName>): ScalarFunction {
  const exact = registry.find((f) => f.name === name && f.args.length === types.length && f.args.every((t, i) => t === types[i]))
  const variadic = registry.find((f) => f.name === name && f.variadic !== undefined && f.args.every((t, i) => t === types[i]))
  const found = exact ?? variadic
  if (found === undefined) throw new Error(`no overload ${name}(${types.join(', ')})`)
  return found
}

export function runOnNodedb(registry: ReadonlyArray<ScalarFunction>, [name, types, args]: Call): string {
  const fn = findFunction(registry, name, types)
  const values = args.map((arg, i) => parseInput(arg, types[i] ?? 'text'))
  if (fn.strict && values.includes(null)) return 'NULL'
  try {
    const result = typeof fn.result === 'string' ? fn.result : 'text'
    return renderOutput(fn.evaluate(values, TEST_CONTEXT), result)
  } catch (error: unknown) {
    if (isDbError(error)) return `ERROR ${error.code}`
    throw error
  }
}

/**
 * Functions computed by libm, where V8 (fdlibm) and glibc may round the last bit differently: their float8
 * results may differ by this many units in the last place. Known difference, listed in the report.
 */
const LIBM_FUNCTIONS = new Set(['cbrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'exp', 'ln', 'log', 'log10', 'power', '^'])
const LIBM_ULPS_MAX = 2

function withinUlps(expected: string, actual: string): boolean {
  const a = Number(expected)
  const b = Number(actual)
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.sign(a) !== Math.sign(b)) return false
  const ulp = Math.abs(a) * Number.EPSILON
  return Math.abs(a - b) <= LIBM_ULPS_MAX * Math.max(ulp, Number.MIN_VALUE)
}

/** Every call whose nodedb text differs from PostgreSQL's, as one line each. */
export async function divergences(client: pg.Client, registry: ReadonlyArray<ScalarFunction>, calls: ReadonlyArray<Call>): Promise<string[]> {
  const out: string[] = []
  for (const call of calls) {
    const expected = await runOnPostgres(client, call)
    const actual = runOnNodedb(registry, call)
    if (expected !== actual && LIBM_FUNCTIONS.has(call[0]) && call[1].every((t) => t === 'float8') && withinUlps(expected, actual)) continue
    if (expected !== actual) out.push(`${callSql(call)} [${call[2].join(' | ')}]: postgres ${expected}, nodedb ${actual}`)
  }
  return out
}

export async function connectOracle(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await client.connect()
  return client
}

/**
 * Registers before/after hooks that give the suite a PostgreSQL oracle: the one at NODEDB_ORACLE_PORT when set
 * (fast local runs), else a throwaway one started for this suite. Read `.client` inside tests.
 */
export function useOracle(): { client: pg.Client } {
  const holder = { client: undefined as unknown as pg.Client }
  let oracle: Postgres | undefined
  before(async function () {
    const port = process.env.NODEDB_ORACLE_PORT
    if (port === undefined) oracle = await startPostgres()
    holder.client = await connectOracle(port === undefined ? (oracle?.port ?? 0) : Number(port))
  })
  after(async function () {
    await holder.client?.end()
    oracle?.stop()
  })
  return holder
}
