// sql/exec/json-srf: the set-returning json functions — json(b)_array_elements, json(b)_array_elements_text,
// json(b)_object_keys, and json(b)_each / json(b)_each_text (two columns: key, value; in FROM only) — with
// PostgreSQL's 22023 errors for the wrong kind of value. json results are the text as written, jsonb results
// jsonb_out's text, *_text results strings unquoted (JSON null as SQL NULL).
import { invalidParameterValue } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { formatJsonb, isJsonArray, isJsonObject, parseJson, rawTextAt, type JsonValue } from '../expr/json.js'
import type { JsonSetReturningName } from '../bind/bind-srf.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'

function kindName(value: JsonValue): string {
  return isJsonArray(value) ? 'an array' : isJsonObject(value) ? 'an object' : 'a scalar'
}

/** The printed form of one element or value: as written (json), jsonb_out (jsonb), or unquoted text (*_text). */
function printed(value: JsonValue, raw: string | undefined, isText: boolean): SqlValue {
  if (isText) return value === null ? null : typeof value === 'string' ? value : raw ?? formatJsonb(value)
  return raw ?? formatJsonb(value)
}

/** The rows `fn` returns for `arg` (one column, or key and value for *_each). */
export function jsonSetRows(fn: JsonSetReturningName, arg: SqlValue, env: ExecEnv): Row[] {
  if (arg === null) return []
  const isJsonb = fn.startsWith('jsonb')
  const value = parseJson(String(arg), isJsonb)
  const isText = fn.endsWith('_text')
  let rows: Row[]
  if (fn.includes('array_elements')) {
    if (!isJsonArray(value)) throw invalidParameterValue(`cannot extract elements from ${kindName(value)}`)
    rows = value.map((item, i) => [printed(item, rawTextAt(value, i), isText)])
  } else if (fn.endsWith('object_keys')) {
    if (!isJsonObject(value)) throw invalidParameterValue(`cannot call ${fn} on ${kindName(value)}`)
    rows = value.entries.map(([key]) => [key])
  } else {
    if (!isJsonObject(value)) throw invalidParameterValue(`cannot call ${fn} on a non-object`)
    rows = value.entries.map(([key, item], i) => [key, printed(item, rawTextAt(value, i), isText)])
  }
  holdRows(env, rows.length, fn)
  return rows
}
