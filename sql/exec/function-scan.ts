// sql/exec/function-scan.ts: the set-returning functions nodedb runs in FROM — generate_series over integers and
// over timestamps with an interval step, unnest of an array, and the json ones (json-srf.ts). Rows are produced a slice at a time and charged to
// the statement's row budget as they are made, so `generate_series(1, 1e12)` stops at the budget (53200) instead of
// exhausting memory first.
import type { IntervalValue, SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import { parseArrayText } from '../functions/array-text.js'
import { intervalLength } from '../functions/aggregate-compare.js'
import { addInterval } from '../functions/time-arith.js'
import { castText } from '../expr/cast-value.js'
import { isIntervalValue } from '../expr/interval.js'
import { requireSessionZone } from '../expr/time-zone.js'
import { invalidParameterValue } from '../../src/common/errors.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { charge, pause } from './slice.js'
import type { PlanNode } from '../plan/plan-node.js'
import { evaluateAll } from './run-plan.js'
import { isJsonSetReturning, isTextSetReturning, type TextSetReturningName, type SetReturningName } from '../bind/bind-srf.js'
import { regexpMatchRows, regexpSplit } from '../functions/regex-split.js'
import { splitText } from '../functions/catalog-functions.js'
import { jsonSetRows } from './json-srf.js'

const INT4_MAX = 2 ** 31 - 1
const INT4_MIN = -(2 ** 31)
const INT8_MAX = (1n << 63n) - 1n
const INT8_MIN = -(1n << 63n)

/** generate_series(start, stop [, step]) of the FunctionScanNode's type; null arguments give no rows, as PostgreSQL. */
export async function generateSeries(values: ReadonlyArray<SqlValue>, type: SqlType, env: ExecEnv): Promise<Row[]> {
  const [start, stop, step] = values
  if (start === null || stop === null || step === null || start === undefined || stop === undefined) return []
  if (type.name === 'timestamptz' || type.name === 'timestamp') {
    if (!isIntervalValue(step)) throw invalidParameterValue('generate_series over timestamps needs an interval step')
    const zone = type.name === 'timestamptz' ? requireSessionZone(env.functions.timeZone) : null
    return timeSeries(Number(start), Number(stop), step, (t, s) => addInterval(t, s, zone), env)
  }
  if (type.name === 'int8') return bigSeries(BigInt(start as bigint), BigInt(stop as bigint), step === undefined ? 1n : BigInt(step as bigint), env)
  return intSeries(Number(start), Number(stop), step === undefined ? 1 : Number(step), env)
}

async function intSeries(a: number, b: number, s: number, env: ExecEnv): Promise<Row[]> {
  if (s === 0) throw invalidParameterValue('step size cannot equal zero')
  const rows: Row[] = []
  // int4 arithmetic stops before it would overflow, as generate_series_step_int4 does.
  for (let v = a; s > 0 ? v <= b : v >= b; v += s) {
    await emit(rows, v, env)
    if (v + s > INT4_MAX || v + s < INT4_MIN) break
  }
  return rows
}

async function bigSeries(a: bigint, b: bigint, s: bigint, env: ExecEnv): Promise<Row[]> {
  if (s === 0n) throw invalidParameterValue('step size cannot equal zero')
  const rows: Row[] = []
  for (let v = a; s > 0n ? v <= b : v >= b; v += s) {
    await emit(rows, v, env)
    if (v + s > INT8_MAX || v + s < INT8_MIN) break
  }
  return rows
}

/** generate_series_timestamp(tz): the step's sign by interval_cmp (months as 30 days); each step added to the last. */
async function timeSeries(a: number, b: number, step: IntervalValue, add: (t: number, s: IntervalValue) => number, env: ExecEnv): Promise<Row[]> {
  const sign = intervalLength(step)
  if (sign === 0n) throw invalidParameterValue('step size cannot equal zero')
  const rows: Row[] = []
  for (let t = a; sign > 0n ? t <= b : t >= b; t = add(t, step)) await emit(rows, t, env)
  return rows
}

async function emit(rows: Row[], value: SqlValue, env: ExecEnv): Promise<void> {
  rows.push([value])
  holdRows(env, 1, 'generate_series')
  if (charge(env)) await pause(env)
}

/**
 * ProjectSet: each input row followed by one value of every set-returning call, as many rows as the longest call
 * returns (shorter ones padded with NULL, a row whose calls all return nothing dropped), as PostgreSQL 10+.
 */
export async function runProjectSet(node: Extract<PlanNode, { kind: 'ProjectSetNode' }>, input: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Row[]> {
  const argsPerCall: SqlValue[][][] = []
  for (const call of node.calls) {
    const perRow: SqlValue[][] = []
    await evaluateAll(call.args, input, outer, env, (values) => { perRow.push(values) })
    argsPerCall.push(perRow)
  }
  const out: Row[] = []
  for (let r = 0; r < input.length; r++) {
    const lists: Row[][] = []
    for (let c = 0; c < node.calls.length; c++) {
      const call = node.calls[c]!
      const args = argsPerCall[c]![r]!
      lists.push(await setReturningRows(call.fn, args, call.type, env))
    }
    const count = Math.max(...lists.map((list) => list.length))
    for (let i = 0; i < count; i++) out.push([...input[r]!, ...lists.map((list) => list[i]?.[0] ?? null)])
    if (charge(env, 1 + count)) await pause(env)
  }
  return out
}

/** ROWS FROM: the parts' rows side by side, padded with NULL to the longest, then the row number when asked. */
export function zipRowsFrom(node: Extract<PlanNode, { kind: 'RowsFromNode' }>, partRows: ReadonlyArray<ReadonlyArray<Row>>, env: ExecEnv): Row[] {
  const count = Math.max(0, ...partRows.map((rows) => rows.length))
  holdRows(env, count, 'ROWS FROM')
  const out: Row[] = []
  for (let i = 0; i < count; i++) {
    const row: SqlValue[] = []
    node.parts.forEach((part, p) => {
      const values = partRows[p]![i]
      for (let c = 0; c < part.columns.length; c++) row.push(values?.[c] ?? null)
    })
    if (node.ordinality) row.push(BigInt(i + 1))
    out.push(row)
  }
  return out
}

/** The rows of one set-returning call (one column; two for json(b)_each in FROM). */
export async function setReturningRows(fn: SetReturningName, args: ReadonlyArray<SqlValue>, type: SqlType, env: ExecEnv): Promise<Row[]> {
  if (isJsonSetReturning(fn)) return jsonSetRows(fn, args[0] ?? null, env)
  if (isTextSetReturning(fn)) return textRows(fn, args, env)
  return fn === 'unnest' ? unnestRows(args[0] ?? null, type, env) : generateSeries(args, type, env)
}

/**
 * regexp_matches / regexp_split_to_table (strict: a NULL argument gives no rows); string_to_table as string_to_array
 * splits (not strict: a NULL delimiter splits into characters, a NULL null-string matches nothing).
 */
function textRows(fn: TextSetReturningName, args: ReadonlyArray<SqlValue>, env: ExecEnv): Row[] {
  if (fn === 'pg_listening_channels') return holdValues(env, fn, env.functions.notifications?.channels() ?? []) // sql/exec/notifications.ts
  if (fn === 'string_to_table') {
    if (args[0] === null) return []
    const nullText = args[2] ?? null
    return holdValues(env, fn, splitText(String(args[0]), args[1] ?? null).map((e) => (e === nullText ? null : e)))
  }
  if (args.some((arg) => arg === null)) return []
  const [text, pattern, flags] = [String(args[0]), String(args[1]), args[2] === undefined ? '' : String(args[2])]
  return holdValues(env, fn, fn === 'regexp_matches' ? regexpMatchRows(text, pattern, flags) : regexpSplit(text, pattern, flags, fn))
}

function holdValues(env: ExecEnv, fn: string, values: ReadonlyArray<SqlValue>): Row[] {
  holdRows(env, values.length, fn)
  return values.map((value): Row => [value])
}

/** pg_options_to_table: each 'name=value' element split at its first '=' (a value-less option gives NULL). */
export function optionRows(array: SqlValue, env: ExecEnv): Row[] {
  if (array === null) return []
  const rows = parseArrayText(String(array)).flatMap((item): Row[] => {
    if (item === null) return []
    const at = item.indexOf('=')
    return [at < 0 ? [item, null] : [item.slice(0, at), item.slice(at + 1)]]
  })
  holdRows(env, rows.length, 'pg_options_to_table')
  return rows
}

/** unnest(array text): one row per element, each read back as the element type. */
export function unnestRows(array: SqlValue, type: SqlType, env: ExecEnv): Row[] {
  if (array === null) return []
  const rows = parseArrayText(String(array)).map((item): Row => [item === null ? null : castText(item, type)])
  holdRows(env, rows.length, 'unnest')
  return rows
}
