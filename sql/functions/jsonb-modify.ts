// sql/functions/jsonb-modify: jsonb_set, jsonb_set_lax, jsonb_insert and the #- operator — PostgreSQL 15's setPath
// (jsonfuncs.c) walked over nodedb's JsonValue tree: a path step is an object key, or an array index written as an
// integer (negative from the end); only the last step creates or inserts, intermediate steps never build containers;
// a scalar met before the path ends is kept as it is. Errors as PostgreSQL raises them: 22023 for a scalar root or
// an existing key under jsonb_insert, 22004 for a NULL path element, 22P02 for a non-integer array index.
import { dbError as fail } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { SqlValue } from '../api.js'
import { formatJsonb, isJsonArray, isJsonObject, normalizeJsonb, parseJson, type JsonValue } from '../expr/json.js'
import { parseArrayText } from './array-text.js'
import { fn, str } from './arg-values.js'
import type { ScalarFunction } from './function-def.js'

/** setPath's op_type: what happens at the path's last step. */
type PathOp = 'create' | 'replace' | 'insert-before' | 'insert-after' | 'delete'

const creates = (op: PathOp): boolean => op === 'create' || op === 'insert-before' || op === 'insert-after'
const inserts = (op: PathOp): boolean => op === 'insert-before' || op === 'insert-after'

interface PathWalk {
  readonly path: ReadonlyArray<string | null>
  readonly op: PathOp
  readonly newValue: JsonValue
}

function setPath(value: JsonValue, walk: PathWalk, level: number): JsonValue {
  if (walk.path[level] === null) throw fail(SqlState.nullValueNotAllowed, `path element at position ${level + 1} is null`)
  if (isJsonArray(value)) return setPathArray(value, walk, level)
  if (isJsonObject(value)) return setPathObject(value.entries, walk, level)
  return value
}

function setPathObject(entries: ReadonlyArray<readonly [string, JsonValue]>, walk: PathWalk, level: number): JsonValue {
  const key = walk.path[level]!
  const isLast = level === walk.path.length - 1
  const out: Array<readonly [string, JsonValue]> = []
  let isDone = false
  for (const [k, v] of entries) {
    if (isDone || k !== key) { out.push([k, v]); continue }
    isDone = true
    if (!isLast) { out.push([k, setPath(v, walk, level + 1)]); continue }
    if (inserts(walk.op)) throw fail(SqlState.invalidParameterValue, 'cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' })
    if (walk.op !== 'delete') out.push([k, walk.newValue])
  }
  if (!isDone && isLast && creates(walk.op)) out.push([key, walk.newValue])
  return { entries: out }
}

/** An array step's index (strtoint): an int32 with nothing after it, else 22P02. */
function arrayIndex(step: string, level: number): number {
  const index = /^\s*[+-]?\d+$/.test(step) ? Number(step) : Number.NaN
  if (!Number.isSafeInteger(index) || index > 2147483647 || index < -2147483648) {
    throw fail(SqlState.invalidTextRepresentation, `path element at position ${level + 1} is not an integer: "${step}"`)
  }
  return index
}

function setPathArray(items: ReadonlyArray<JsonValue>, walk: PathWalk, level: number): JsonValue {
  const count = items.length
  let index = arrayIndex(walk.path[level]!, level)
  let isBefore = false
  if (index < 0) {
    if (-index > count) isBefore = true
    else index += count
  }
  if (index > count) index = count
  const isLast = level === walk.path.length - 1
  const out: JsonValue[] = []
  let isDone = false
  if ((isBefore || count === 0) && isLast && creates(walk.op)) {
    out.push(walk.newValue)
    isDone = true
  }
  items.forEach((item, i) => {
    if (isBefore || i !== index) { out.push(item); return }
    if (!isLast) { out.push(setPath(item, walk, level + 1)); return }
    if (walk.op === 'insert-before' || walk.op === 'create') out.push(walk.newValue)
    if (inserts(walk.op)) out.push(item)
    if (walk.op === 'insert-after' || walk.op === 'replace') out.push(walk.newValue)
    isDone = true
  })
  if (!isDone && isLast && creates(walk.op)) out.push(walk.newValue)
  return out
}

function jsonbTree(value: SqlValue): JsonValue {
  return parseJson(str(value), true)
}

/** The shared body: a scalar root refuses, an empty path (or an empty target under `skipEmpty`) returns it. */
function modify(target: SqlValue, path: SqlValue, op: PathOp, newValue: SqlValue, scalarVerb: 'set' | 'delete'): SqlValue {
  const tree = jsonbTree(target)
  if (!isJsonArray(tree) && !isJsonObject(tree)) throw fail(SqlState.invalidParameterValue, `cannot ${scalarVerb} path in scalar`)
  const steps = parseArrayText(str(path))
  const isEmpty = isJsonArray(tree) ? tree.length === 0 : tree.entries.length === 0
  if (steps.length === 0 || (isEmpty && (op === 'replace' || op === 'delete'))) return str(target)
  const walk: PathWalk = { path: steps, op, newValue: newValue === null ? null : jsonbTree(newValue) }
  return formatJsonb(normalizeJsonb(setPath(tree, walk, 0)))
}

const NULL_TREATMENT_ERROR = 'null_value_treatment must be "delete_key", "return_target", "use_json_null", or "raise_exception"'

/** jsonb_set_lax: jsonb_set, but an SQL NULL new value follows null_value_treatment. */
function setLax(args: ReadonlyArray<SqlValue>): SqlValue {
  const [target, path, newValue, create = true, treatment = 'use_json_null'] = args
  if (target === null || path === null || create === null) return null
  if (treatment === null) throw fail(SqlState.invalidParameterValue, NULL_TREATMENT_ERROR)
  const op: PathOp = create === true ? 'create' : 'replace'
  if (newValue !== null) return modify(target, path, op, newValue, 'set')
  switch (str(treatment)) {
    case 'raise_exception': throw fail(SqlState.nullValueNotAllowed, 'JSON value must not be null', {
      detail: 'Exception was raised because null_value_treatment is "raise_exception".',
      hint: 'To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.',
    })
    case 'use_json_null': return modify(target, path, op, 'null', 'set')
    case 'delete_key': return modify(target, path, 'delete', null, 'delete')
    case 'return_target': return str(target)
    default: throw fail(SqlState.invalidParameterValue, NULL_TREATMENT_ERROR)
  }
}

function lax(args: ReadonlyArray<'jsonb' | '_text' | 'bool' | 'text'>): ScalarFunction {
  return { name: 'jsonb_set_lax', args, result: 'jsonb', strict: false, volatility: 'immutable', evaluate: setLax }
}

export const JSONB_MODIFY_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  fn('jsonb_set', ['jsonb', '_text', 'jsonb'], 'jsonb', ([t, p, v]) => modify(t!, p!, 'create', v!, 'set')),
  fn('jsonb_set', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', ([t, p, v, c]) => modify(t!, p!, c === true ? 'create' : 'replace', v!, 'set')),
  fn('jsonb_insert', ['jsonb', '_text', 'jsonb'], 'jsonb', ([t, p, v]) => modify(t!, p!, 'insert-before', v!, 'set')),
  fn('jsonb_insert', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', ([t, p, v, a]) => modify(t!, p!, a === true ? 'insert-after' : 'insert-before', v!, 'set')),
  fn('#-', ['jsonb', '_text'], 'jsonb', ([t, p]) => modify(t!, p!, 'delete', null, 'delete')),
  lax(['jsonb', '_text', 'jsonb']), lax(['jsonb', '_text', 'jsonb', 'bool']), lax(['jsonb', '_text', 'jsonb', 'bool', 'text']),
]
