// test/unit/sql/time/oracle: the time tests' PostgreSQL 15 oracle and their way of running nodedb's side. Expected
// values always come from PostgreSQL: a case is a SQL expression for PostgreSQL and the same call on nodedb's
// TIME_FUNCTIONS (or parser/formatter), both compared as text — or as SQLSTATE when either side fails.
import pg from 'pg'
import type { SqlValue } from '../../../../sql/api.js'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import { castText, formatValue } from '../../../../sql/expr/cast-value.js'
import type { FunctionContext } from '../../../../sql/functions/function-def.js'
import { TIME_FUNCTIONS } from '../../../../sql/functions/time-functions.js'
import { startPostgres, type Postgres } from '../../../helpers/postgres.js'

export type Outcome = { readonly value: string | null } | { readonly code: string }

let server: Postgres | undefined
let client: pg.Client | undefined
let currentZone = ''

// A root-level hook: after every time test file has run, the one oracle is stopped (mocha waits for open sockets).
after(async function () {
  const c = client
  client = undefined
  await c?.end().catch(() => undefined)
  server?.stop()
  server = undefined
})

/** One PostgreSQL for the whole mocha process, stopped by the root `after` hook above. */
export async function oracle(): Promise<pg.Client> {
  if (client !== undefined) return client
  server = await startPostgres()
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' })
  await client.connect()
  return client
}

const rawText = { getTypeParser: () => (value: string) => value }

/** Runs `sql` (one column, one row) in `zone` on PostgreSQL, as text. */
export async function pgValue(zone: string, sql: string, params: ReadonlyArray<string | null> = []): Promise<Outcome> {
  const c = await oracle()
  if (zone !== currentZone) {
    await c.query(`SET timezone = '${zone}'`)
    currentZone = zone
  }
  try {
    const result = await c.query({ text: sql, values: [...params], rowMode: 'array', types: rawText })
    const row = (result.rows as unknown[][])[0]
    const value = row?.[0]
    return { value: value === null || value === undefined ? null : String(value) }
  } catch (error: unknown) {
    return { code: (error as { code?: string }).code ?? `no SQLSTATE: ${String(error)}` }
  }
}

/** A fixed statement time for 'now' (PostgreSQL's side is not compared on it). */
export const NOW_US = 1_717_243_200_123_456

export function context(zone: string): FunctionContext {
  return { timeZone: zone, nowUs: NOW_US, settings: new Map([['timezone', zone]]) }
}

function codeOf(error: unknown): Outcome {
  const code = (error as { code?: string }).code
  if (code === undefined) throw error
  return { code }
}

/** Runs nodedb's side: `thunk` returns a value of `type`, printed as PostgreSQL's text output. */
export function ours(zone: string, type: PgTypeName, thunk: (ctx: FunctionContext) => SqlValue): Outcome {
  const ctx = context(zone)
  try {
    return { value: formatValue(thunk(ctx), type, ctx) }
  } catch (error: unknown) {
    return codeOf(error)
  }
}

/** Calls the TIME_FUNCTIONS overload `name(types…)` on text arguments cast as the binder would. */
export function callTime(zone: string, name: string, args: ReadonlyArray<readonly [PgTypeName, string | null]>): Outcome {
  const types = args.map(([t]) => t)
  const fn = TIME_FUNCTIONS.find((f) => f.name === name && f.args.length === types.length && f.args.every((t, i) => t === types[i]))
  if (fn === undefined) throw new Error(`no overload ${name}(${types.join(', ')})`)
  const resultType = typeof fn.result === 'string' ? fn.result : 'text'
  return ours(zone, resultType, (ctx) => {
    const values = args.map(([t, text]) => (text === null ? null : castText(text, { name: t, typmod: -1 }, ctx)))
    if (fn.strict && values.some((v) => v === null)) return null
    return fn.evaluate(values, ctx)
  })
}

/** The PostgreSQL spelling of a call: operators infix/prefix, functions by name, each argument cast from text. */
export function pgCall(name: string, types: ReadonlyArray<PgTypeName>): string {
  const arg = (i: number): string => `$${i + 1}::${types[i]}`
  const isOperator = /^[^a-z_]/.test(name)
  if (isOperator && types.length === 2) return `select (${arg(0)} ${name} ${arg(1)})::text`
  if (isOperator) return `select (${name} ${arg(0)})::text`
  const qualified = name === 'extract' ? 'pg_catalog.extract' : name
  return `select ${qualified}(${types.map((_, i) => arg(i)).join(', ')})::text`
}

/** Compares one call on both sides; returns a description of the divergence, or null. */
export async function compareCall(zone: string, name: string, args: ReadonlyArray<readonly [PgTypeName, string | null]>): Promise<string | null> {
  const expected = await pgValue(zone, pgCall(name, args.map(([t]) => t)), args.map(([, v]) => v))
  const actual = callTime(zone, name, args)
  if (JSON.stringify(expected) === JSON.stringify(actual)) return null
  return `${zone}: ${name}(${args.map(([t, v]) => `${v}::${t}`).join(', ')}) → PostgreSQL ${JSON.stringify(expected)}, nodedb ${JSON.stringify(actual)}`
}

/** Runs many calls and reports every divergence at once. */
export async function compareAll(cases: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [PgTypeName, string | null]>]>): Promise<string[]> {
  const failures: string[] = []
  for (const [zone, name, args] of cases) {
    const failure = await compareCall(zone, name, args)
    if (failure !== null) failures.push(failure)
  }
  return failures
}
