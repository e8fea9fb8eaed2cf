// sql/functions/json-functions: PostgreSQL 15's json and jsonb operators and functions — -> ->> #> #>> on both,
// jsonb's @> <@ ? ?| ?& || and -, to_json / to_jsonb, the build_object / build_array builders, typeof,
// array_length, extract_path, strip_nulls, jsonb_pretty, and the json_agg / jsonb_agg / *_object_agg aggregates.
// Output spacing is each function's own, as PostgreSQL prints it (json_build_object's `{"a" : 1}`, json_agg's
// `[1, 2]`, json_object_agg's `{ "a" : 1 }`); jsonb results always print as jsonb_out.
import { invalidParameterValue, undefinedFunction } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { ELEMENT_OF, isArrayType, type PgTypeName, type SqlType } from '../bind/types.js'
import { formatValue } from '../expr/cast-value.js'
import {
  compareJsonb, formatJsonb, formatJsonCompact, isJsonArray, isJsonObject, jsonTypeOf, normalizeJsonb, parseJson, quoteJsonString, rawTextAt,
  type JsonValue,
} from '../expr/json.js'
import { parseArrayText } from './array-text.js'
import type { AggregateFunction, FunctionContext, ScalarFunction } from './function-def.js'
import { erase } from './aggregate-sum-avg.js'
import { fn, int, str } from './arg-values.js'

type TimeContextLike = Pick<FunctionContext, 'timeZone' | 'nowUs'>

const isJsonb = (type: PgTypeName): boolean => type === 'jsonb'

/** A json or jsonb value's tree. */
function tree(value: SqlValue, type: PgTypeName): JsonValue {
  return parseJson(str(value), isJsonb(type))
}

/** A found sub-value: the value, and (json) the text it was written as. */
interface Found { readonly value: JsonValue; readonly raw: string | undefined }

/** A sub-value as the result type prints it: json as written in the input, jsonb as jsonb_out. */
function out(found: Found | undefined, type: PgTypeName): SqlValue {
  if (found === undefined) return null
  return !isJsonb(type) && found.raw !== undefined ? found.raw : formatJsonb(found.value)
}

/** ->> and #>>: strings unquoted, JSON null as SQL NULL, everything else as its text (json: as written). */
function outText(found: Found | undefined): SqlValue {
  if (found === undefined || found.value === null) return null
  return typeof found.value === 'string' ? found.value : found.raw ?? formatJsonb(found.value)
}

/** The field `key` of an object (the last of duplicate keys, as PostgreSQL's json -> finds it), else undefined. */
function field(value: JsonValue, key: string): Found | undefined {
  if (!isJsonObject(value)) return undefined
  let at = -1
  value.entries.forEach(([k], i) => { if (k === key) at = i })
  return at < 0 ? undefined : { value: value.entries[at]![1], raw: rawTextAt(value, at) }
}

/** Element `index` of an array, negative counting from the end; undefined outside it or for a non-array. */
function element(value: JsonValue, index: number): Found | undefined {
  if (!isJsonArray(value)) return undefined
  const at = index < 0 ? value.length + index : index
  return at >= 0 && at < value.length ? { value: value[at]!, raw: rawTextAt(value, at) } : undefined
}

/** #> / #>>: each path step a key, or an array index written as an integer. */
function atPath(value: JsonValue, path: ReadonlyArray<string | null>): Found | undefined {
  let current: Found | undefined = { value, raw: undefined }
  for (const step of path) {
    if (current === undefined || step === null) return undefined
    if (isJsonArray(current.value)) {
      if (!/^\s*[+-]?\d+\s*$/.test(step)) return undefined
      current = element(current.value, Number(step))
    } else current = field(current.value, step)
  }
  return current
}

function pathOf(value: SqlValue): Array<string | null> {
  return parseArrayText(str(value))
}

function accessOperators(type: 'json' | 'jsonb'): ScalarFunction[] {
  return [
    fn('->', [type, 'text'], type, ([j, k]) => out(field(tree(j, type), str(k)), type)),
    fn('->', [type, 'int4'], type, ([j, i]) => out(element(tree(j, type), int(i)), type)),
    fn('->>', [type, 'text'], 'text', ([j, k]) => outText(field(tree(j, type), str(k)))),
    fn('->>', [type, 'int4'], 'text', ([j, i]) => outText(element(tree(j, type), int(i)))),
    fn('#>', [type, '_text'], type, ([j, p]) => out(atPath(tree(j, type), pathOf(p)), type)),
    fn('#>>', [type, '_text'], 'text', ([j, p]) => outText(atPath(tree(j, type), pathOf(p)))),
    { name: `${type}_extract_path`, args: [type], variadic: 'text', result: type, strict: true, volatility: 'immutable',
      evaluate: ([j, ...p]) => out(atPath(tree(j!, type), p.map((s) => (s === null ? null : str(s)))), type) },
    { name: `${type}_extract_path_text`, args: [type], variadic: 'text', result: 'text', strict: true, volatility: 'immutable',
      evaluate: ([j, ...p]) => outText(atPath(tree(j!, type), p.map((s) => (s === null ? null : str(s))))) },
    fn(`${type}_typeof`, [type], 'text', ([j]) => jsonTypeOf(tree(j, type))),
    fn(`${type}_array_length`, [type], 'int4', ([j]) => arrayLength(tree(j, type))),
    fn(`${type}_strip_nulls`, [type], type, ([j]) => (isJsonb(type) ? formatJsonb : formatJsonCompact)(stripNulls(tree(j, type)))),
  ]
}

function arrayLength(value: JsonValue): number {
  if (isJsonArray(value)) return value.length
  throw invalidParameterValue(isJsonObject(value) ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar')
}

function stripNulls(value: JsonValue): JsonValue {
  if (isJsonArray(value)) return value.map(stripNulls)
  if (!isJsonObject(value)) return value
  return { entries: value.entries.filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)] as const) }
}

/** jsonb @>: PostgreSQL's containment (JsonbDeepContains). */
function contains(a: JsonValue, b: JsonValue, isTop = true): boolean {
  if (isJsonObject(a) && isJsonObject(b)) return b.entries.every(([k, v]) => { const x = field(a, k); return x !== undefined && contains(x.value, v, false) })
  if (isJsonArray(a)) {
    // A scalar on the right is contained in a top-level array holding it.
    if (!isJsonArray(b)) return isTop && !isJsonObject(b) && a.some((x) => !isJsonArray(x) && !isJsonObject(x) && equalScalar(x, b))
    return b.every((y) => a.some((x) => (isJsonArray(y) || isJsonObject(y) ? jsonTypeOf(x) === jsonTypeOf(y) && contains(x, y, false) : !isJsonArray(x) && !isJsonObject(x) && equalScalar(x, y))))
  }
  if (isJsonArray(b) || isJsonObject(a) || isJsonObject(b)) return false
  return equalScalar(a, b)
}

/** Scalars equal as jsonb's order has them (numbers by exact value: 1.0 = 1). */
function equalScalar(a: JsonValue, b: JsonValue): boolean {
  return compareJsonb(a, b, false) === 0
}

/** ? : a top-level key, or a string element of a top-level array (or the string scalar itself). */
function hasKey(value: JsonValue, key: string): boolean {
  if (isJsonObject(value)) return value.entries.some(([k]) => k === key)
  if (isJsonArray(value)) return value.some((x) => x === key)
  return value === key
}

/** jsonb || (jsonb_concat). */
function concat(a: JsonValue, b: JsonValue): JsonValue {
  if (isJsonObject(a) && isJsonObject(b)) return normalizeJsonb({ entries: [...a.entries, ...b.entries] })
  const asArray = (v: JsonValue): ReadonlyArray<JsonValue> => (isJsonArray(v) ? v : [v])
  return [...asArray(a), ...asArray(b)]
}

function remove(value: JsonValue, key: string): JsonValue {
  if (isJsonObject(value)) return { entries: value.entries.filter(([k]) => k !== key) }
  if (isJsonArray(value)) return value.filter((x) => x !== key)
  throw invalidParameterValue('cannot delete from scalar')
}

/** jsonb - text[] (jsonb_delete_array): every key named, NULL elements skipped; a scalar is refused even with none. */
function removeKeys(value: JsonValue, keys: ReadonlyArray<string | null>): JsonValue {
  if (!isJsonObject(value) && !isJsonArray(value)) throw invalidParameterValue('cannot delete from scalar')
  return keys.reduce<JsonValue>((left, key) => (key === null ? left : remove(left, key)), value)
}

function removeAt(value: JsonValue, index: number): JsonValue {
  if (isJsonObject(value)) throw invalidParameterValue('cannot delete from object using integer index')
  if (!isJsonArray(value)) throw invalidParameterValue('cannot delete from scalar')
  const at = index < 0 ? value.length + index : index
  return value.filter((_, i) => i !== at)
}

function jsonbOperators(): ScalarFunction[] {
  const j = (value: SqlValue): JsonValue => tree(value, 'jsonb')
  const keys = (value: SqlValue): string[] => pathOf(value).filter((k): k is string => k !== null)
  return [
    fn('@>', ['jsonb', 'jsonb'], 'bool', ([a, b]) => contains(j(a), j(b))),
    fn('<@', ['jsonb', 'jsonb'], 'bool', ([a, b]) => contains(j(b), j(a))),
    fn('?', ['jsonb', 'text'], 'bool', ([a, k]) => hasKey(j(a), str(k))),
    fn('?|', ['jsonb', '_text'], 'bool', ([a, k]) => keys(k).some((key) => hasKey(j(a), key))),
    fn('?&', ['jsonb', '_text'], 'bool', ([a, k]) => keys(k).every((key) => hasKey(j(a), key))),
    fn('||', ['jsonb', 'jsonb'], 'jsonb', ([a, b]) => formatJsonb(concat(j(a), j(b)))),
    fn('-', ['jsonb', 'text'], 'jsonb', ([a, k]) => formatJsonb(remove(j(a), str(k)))),
    fn('-', ['jsonb', 'int4'], 'jsonb', ([a, i]) => formatJsonb(removeAt(j(a), int(i)))),
    fn('-', ['jsonb', '_text'], 'jsonb', ([a, k]) => formatJsonb(removeKeys(j(a), pathOf(k)))),
    fn('jsonb_pretty', ['jsonb'], 'text', ([a]) => pretty(j(a), '')),
  ]
}

/** jsonb_pretty: four-space indents, one element per line, `"key": value`. */
function pretty(value: JsonValue, indent: string): string {
  const inner = `${indent}    `
  if (isJsonArray(value)) {
    return value.length === 0 ? '[\n' + indent + ']' : `[\n${value.map((v) => inner + pretty(v, inner)).join(',\n')}\n${indent}]`
  }
  if (isJsonObject(value)) {
    return value.entries.length === 0 ? '{\n' + indent + '}' : `{\n${value.entries.map(([k, v]) => `${inner}${quoteJsonString(k)}: ${pretty(v, inner)}`).join(',\n')}\n${indent}}`
  }
  return formatJsonb(value)
}

/** Keys and values of json_build_object: pairs, keys not NULL (22023 / 22004 as PostgreSQL words them). */
function pairsOf(args: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>, ctx: TimeContextLike): Array<readonly [string, string]> {
  if (args.length % 2 !== 0) throw invalidParameterValue('argument list must have even number of elements')
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) throw invalidParameterValue(`argument ${i + 1}: key must not be null`)
    pairs.push([formatValue(args[i]!, types[i]!.name, ctx) ?? '', toJsonText(args[i + 1]!, types[i + 1]!.name, ctx)])
  }
  return pairs
}

/** to_json's text of a value of `type` (datum_to_json). */
export function toJsonText(value: SqlValue, type: PgTypeName, ctx: TimeContextLike): string {
  if (value === null) return 'null'
  if (type === 'json' || type === 'jsonb') return str(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (isArrayType(type)) {
    const element = ELEMENT_OF[type] ?? 'text'
    return `[${parseArrayText(str(value)).map((item) => (item === null ? 'null' : toJsonText(castElement(item, element), element, ctx))).join(',')}]`
  }
  // datum_to_json prints dates and timestamps ISO (XSD) whatever the DateStyle.
  const text = formatValue(value, type, ctx, 'ISO, MDY') ?? ''
  if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid'].includes(type)) return /^-?\d/.test(text) && !/[a-z]/i.test(text.replace(/e[+-]?\d+$/i, '')) ? text : quoteJsonString(text)
  if (type === 'timestamp' || type === 'timestamptz') return quoteJsonString(xsdTimestamp(text))
  return quoteJsonString(text)
}

/** Array elements arrive as their text form; numbers and booleans are re-read so they print unquoted. */
function castElement(item: string, element: PgTypeName): SqlValue {
  if (element === 'bool') return item === 't' || item === 'true'
  return item
}

/** JSON's timestamps: XSD form, `T` between date and time, the offset as ±hh:mm. */
function xsdTimestamp(text: string): string {
  if (!/^\d/.test(text)) return text
  return text.replace(' ', 'T').replace(/([+-]\d{2})(:\d{2})?(:\d{2})?$/, (_, h: string, m?: string, s?: string) => `${h}${m ?? ':00'}${s ?? ''}`)
}

function builders(): ScalarFunction[] {
  type Build = (args: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>, ctx: FunctionContext) => string
  const typed = (name: string, args: ReadonlyArray<PgTypeName>, variadic: 'any' | undefined, result: 'json' | 'jsonb', strict: boolean, build: Build): ScalarFunction => ({
    name, args, ...(variadic === undefined ? {} : { variadic }), result, strict, volatility: 'stable',
    evaluate: () => { throw new Error(`${name} is evaluated with its argument types`) },
    evaluateTyped: build,
  })
  const asJsonb = (text: string): string => formatJsonb(normalizeJsonb(parseJson(text, true)))
  const list = (args: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>, ctx: FunctionContext): string[] =>
    args.map((v, i) => toJsonText(v, types[i]!.name, ctx))
  return [
    // to_json(anyelement): one argument of any type (registered variadic, its count checked here).
    typed('to_json', [], 'any', 'json', true, (args, types, ctx) => toJsonText(oneArg(args, 'to_json', types), types[0]!.name, ctx)),
    typed('to_jsonb', [], 'any', 'jsonb', true, (args, types, ctx) => asJsonb(toJsonText(oneArg(args, 'to_jsonb', types), types[0]!.name, ctx))),
    typed('json_build_object', [], 'any', 'json', false, (args, types, ctx) => `{${pairsOf(args, types, ctx).map(([k, v]) => `${quoteJsonString(k)} : ${v}`).join(', ')}}`),
    typed('jsonb_build_object', [], 'any', 'jsonb', false, (args, types, ctx) => asJsonb(`{${pairsOf(args, types, ctx).map(([k, v]) => `${quoteJsonString(k)}: ${v}`).join(', ')}}`)),
    typed('json_build_array', [], 'any', 'json', false, (args, types, ctx) => `[${list(args, types, ctx).join(', ')}]`),
    typed('jsonb_build_array', [], 'any', 'jsonb', false, (args, types, ctx) => asJsonb(`[${list(args, types, ctx).join(', ')}]`)),
    // A whole-row reference (row_to_json(t), json_agg(t), …) is bound as one of these over (name, value) pairs of
    // the row's columns (sql/bind/bind-whole-row.ts): composite_to_json's compact `{"a":1,"b":"x"}`.
    typed(RECORD_TO_JSON, [], 'any', 'json', false, (args, types, ctx) => recordJson(args, types, ctx)),
    typed(RECORD_TO_JSONB, [], 'any', 'jsonb', false, (args, types, ctx) => asJsonb(recordJson(args, types, ctx))),
  ]
}

export const RECORD_TO_JSON = 'nodedb_record_to_json'
export const RECORD_JSON_AGG = 'nodedb_record_json_agg'
export const RECORD_TO_JSONB = 'nodedb_record_to_jsonb'

/** composite_to_json without line feeds: each column's name and its to_json text, no spaces. */
function recordJson(args: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>, ctx: FunctionContext): string {
  const fields: string[] = []
  for (let i = 0; i + 1 < args.length; i += 2) fields.push(`${quoteJsonString(str(args[i]!))}:${toJsonText(args[i + 1]!, types[i + 1]!.name, ctx)}`)
  return `{${fields.join(',')}}`
}

function oneArg(args: ReadonlyArray<SqlValue>, name: string, types: ReadonlyArray<SqlType>): SqlValue {
  if (args.length !== 1) throw undefinedFunction(`${name}(${types.map((t) => t.name).join(', ')})`)
  return args[0] ?? null
}

export const JSON_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...accessOperators('json'), ...accessOperators('jsonb'), ...jsonbOperators(), ...builders(),
]

interface AggState { readonly items: string[] }

/**
 * json_agg's element list as json_agg_transfn writes it: `, ` between elements, and a line feed and a space before
 * each non-NULL element after the first when elements are arrays or rows (a row arrives as its composite_to_json).
 */
function aggregateElements(rows: ReadonlyArray<ReadonlyArray<SqlValue>>, type: PgTypeName, isRecord: boolean, ctx: TimeContextLike): string {
  const isStructured = isRecord || isArrayType(type)
  return rows.map(([v], i) => `${i === 0 ? '' : ', '}${i > 0 && isStructured && v !== null ? '\n ' : ''}${toJsonText(v ?? null, type, ctx)}`).join('')
}

function jsonAggregate(name: string, result: 'json' | 'jsonb', isObject: boolean, isRecord = false): AggregateFunction {
  return erase<AggState>({
    name, args: isObject ? ['any', 'any'] : ['any'], skipsNulls: false, result,
    create: () => ({ items: [] }),
    step: (s, args) => { s.items.push(args.map((v) => (v === undefined ? null : v)) as unknown as string); return s },
    combine: (a, b) => ({ items: a.items.concat(b.items) }),
    finish: (s, argTypes, ctx) => {
      if (s.items.length === 0) return null
      const rows = s.items as unknown as SqlValue[][]
      const text = isObject
        ? `{ ${rows.map(([k, v]) => objectPair(k ?? null, v ?? null, argTypes, ctx)).join(', ')} }`
        : `[${aggregateElements(rows, argTypes[0]!.name, isRecord, ctx)}]`
      return result === 'jsonb' ? formatJsonb(normalizeJsonb(parseJson(text, true))) : text
    },
  })
}

function objectPair(key: SqlValue, value: SqlValue, types: ReadonlyArray<SqlType>, ctx: TimeContextLike): string {
  if (key === null) throw invalidParameterValue('field name must not be null')
  return `${quoteJsonString(formatValue(key, types[0]!.name, ctx) ?? '')} : ${toJsonText(value, types[1]!.name, ctx)}`
}

export const JSON_AGGREGATES: ReadonlyArray<AggregateFunction> = [
  jsonAggregate('json_agg', 'json', false), jsonAggregate('jsonb_agg', 'jsonb', false),
  jsonAggregate('json_object_agg', 'json', true), jsonAggregate('jsonb_object_agg', 'jsonb', true),
  // json_agg over a whole row (sql/bind/bind-whole-row.ts): its elements are rows, laid out as PostgreSQL lays rows.
  jsonAggregate(RECORD_JSON_AGG, 'json', false, true),
]
