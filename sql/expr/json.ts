// sql/expr/json: PostgreSQL's json and jsonb values. The parser follows PostgreSQL's JSON lexer (RFC 8259 exactly:
// no leading zeros, no trailing commas, escapes checked, \u0000 refused by jsonb) and keeps every number as its
// text, so no digit is lost to a double. A json value is kept as the text it was written in (PostgreSQL's json is
// its input text); a jsonb value as jsonb_out prints it: keys deduplicated (last wins) and ordered by length then
// bytes, numbers in numeric's canonical form, `{"a": 1, "b": [1, 2]}` spacing. Both print through this module.
import { invalidTextRepresentation, statementTooComplex, unsupportedUnicodeEscape } from '../../src/common/errors.js'
import { formatNumeric, parseNumeric } from '../functions/numeric-ops.js'

/** A number keeps its text; an object its entries in order (duplicates kept until jsonb normalizes them). */
export interface JsonNumber { readonly num: string }
export interface JsonObject { readonly entries: ReadonlyArray<readonly [string, JsonValue]>; readonly raws?: ReadonlyArray<string> }
export type JsonValue = null | boolean | string | JsonNumber | JsonObject | ReadonlyArray<JsonValue>

/** Nesting deeper than this is 54001 (PostgreSQL's stack depth check stops far deeper input the same way). */
const JSON_NESTING_MAX = 6400

export function isJsonNumber(value: JsonValue): value is JsonNumber {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'num' in value
}
export function isJsonObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'entries' in value
}
export function isJsonArray(value: JsonValue): value is ReadonlyArray<JsonValue> {
  return Array.isArray(value)
}

class JsonParser {
  private at = 0
  private depth = 0

  constructor(private readonly text: string, private readonly isJsonb: boolean) {}

  parseDocument(): JsonValue {
    const value = this.value()
    this.skipSpace()
    if (this.at !== this.text.length) this.fail()
    return value
  }

  fail(): never {
    throw invalidTextRepresentation('json', this.text)
  }

  private skipSpace(): void {
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return
      this.at++
    }
  }

  private value(): JsonValue {
    this.skipSpace()
    const c = this.text[this.at]
    if (c === '{' || c === '[') {
      if (++this.depth > JSON_NESTING_MAX) throw statementTooComplex('stack depth limit exceeded')
      const nested = c === '{' ? this.object() : this.array()
      this.depth--
      return nested
    }
    if (c === '"') return this.string()
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length
        this.checkDelimiter()
        return literal
      }
    }
    return this.number()
  }

  /** A token must end at whitespace, a structural character or the end (PostgreSQL reads `truex` as one token). */
  private checkDelimiter(): void {
    const c = this.text[this.at]
    if (c !== undefined && !/[\s,:\]}[{"]/.test(c)) this.fail()
  }

  private number(): JsonNumber {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 4096))
    if (match === null) this.fail()
    this.at += match[0].length
    this.checkDelimiter()
    return { num: match[0] }
  }

  private string(): string {
    this.at++ // opening quote
    let out = ''
    let runStart = this.at
    for (;;) {
      const c = this.text.charCodeAt(this.at)
      if (Number.isNaN(c)) this.fail()
      if (c === 0x22) break
      if (c < 0x20) this.fail()
      if (c !== 0x5c) { this.at++; continue }
      out += this.text.slice(runStart, this.at)
      out += this.escape()
      runStart = this.at
    }
    out += this.text.slice(runStart, this.at)
    this.at++ // closing quote
    return out
  }

  private escape(): string {
    const c = this.text[this.at + 1]
    this.at += 2
    switch (c) {
      case '"': return '"'
      case '\\': return '\\'
      case '/': return '/'
      case 'b': return '\b'
      case 'f': return '\f'
      case 'n': return '\n'
      case 'r': return '\r'
      case 't': return '\t'
      case 'u': return this.unicodeEscape()
      default: return this.fail()
    }
  }

  private hex4(): number {
    const digits = this.text.slice(this.at, this.at + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail()
    this.at += 4
    return parseInt(digits, 16)
  }

  private unicodeEscape(): string {
    const code = this.hex4()
    if (code === 0 && this.isJsonb) throw unsupportedUnicodeEscape()
    if (code >= 0xdc00 && code <= 0xdfff) this.fail()
    if (code < 0xd800 || code > 0xdbff) return String.fromCharCode(code)
    if (this.text.slice(this.at, this.at + 2) !== '\\u') this.fail()
    this.at += 2
    const low = this.hex4()
    if (low < 0xdc00 || low > 0xdfff) this.fail()
    return String.fromCharCode(code, low)
  }

  /** The next value, and for json its text as written (what json's -> and ->> return). */
  private rawValue(raws: string[] | null): JsonValue {
    this.skipSpace()
    const start = this.at
    const value = this.value()
    raws?.push(this.text.slice(start, this.at))
    return value
  }

  private array(): ReadonlyArray<JsonValue> {
    this.at++
    const items: JsonValue[] = []
    const raws = this.isJsonb ? null : rawsOf(items)
    this.skipSpace()
    if (this.text[this.at] === ']') { this.at++; return items }
    for (;;) {
      items.push(this.rawValue(raws))
      this.skipSpace()
      const c = this.text[this.at++]
      if (c === ']') return items
      if (c !== ',') this.fail()
    }
  }

  private object(): JsonObject {
    this.at++
    const entries: Array<readonly [string, JsonValue]> = []
    const raws: string[] | null = this.isJsonb ? null : []
    this.skipSpace()
    if (this.text[this.at] === '}') { this.at++; return raws === null ? { entries } : { entries, raws } }
    for (;;) {
      this.skipSpace()
      if (this.text[this.at] !== '"') this.fail()
      const key = this.string()
      this.skipSpace()
      if (this.text[this.at++] !== ':') this.fail()
      entries.push([key, this.rawValue(raws)])
      this.skipSpace()
      const c = this.text[this.at++]
      if (c === '}') return raws === null ? { entries } : { entries, raws }
      if (c !== ',') this.fail()
    }
  }
}

const RAWS = new WeakMap<ReadonlyArray<JsonValue>, string[]>()

/** The written text of each element of an array parsed as json (kept beside it, arrays being plain arrays). */
function rawsOf(items: ReadonlyArray<JsonValue>): string[] {
  const raws: string[] = []
  RAWS.set(items, raws)
  return raws
}

/** The written text of element `index` of a json array or value `index` of a json object, when known. */
export function rawTextAt(container: JsonValue, index: number): string | undefined {
  if (isJsonArray(container)) return RAWS.get(container)?.[index]
  return isJsonObject(container) ? container.raws?.[index] : undefined
}

/** Parses json or jsonb input text; 22P02 as PostgreSQL words it ("invalid input syntax for type json"). */
export function parseJson(text: string, isJsonb: boolean): JsonValue {
  return new JsonParser(text, isJsonb).parseDocument()
}

/** escape_json: `"`, `\`, the named control escapes, other controls as \u00XX; everything else as it is. */
export function quoteJsonString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/["\\\u0000-\u001f]/g, (c) => {
    switch (c) {
      case '"': return '\\"'
      case '\\': return '\\\\'
      case '\b': return '\\b'
      case '\f': return '\\f'
      case '\n': return '\\n'
      case '\r': return '\\r'
      case '\t': return '\\t'
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
    }
  })
  return `"${escaped}"`
}

/** jsonb's key order: shorter keys first (in UTF-8 bytes), then bytewise. */
function compareKeys(a: string, b: string): number {
  const la = Buffer.byteLength(a, 'utf8')
  const lb = Buffer.byteLength(b, 'utf8')
  if (la !== lb) return la - lb
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** A value as jsonb holds it: duplicate keys dropped (the last wins), keys in jsonb order, numbers canonical. */
export function normalizeJsonb(value: JsonValue): JsonValue {
  if (isJsonArray(value)) return value.map(normalizeJsonb)
  if (isJsonNumber(value)) return { num: formatNumeric(parseNumeric(value.num)) }
  if (!isJsonObject(value)) return value
  const byKey = new Map<string, JsonValue>()
  for (const [key, item] of value.entries) byKey.set(key, normalizeJsonb(item))
  return { entries: [...byKey.entries()].sort(([a], [b]) => compareKeys(a, b)) }
}

/** json written without any spaces (what json_strip_nulls prints). */
export function formatJsonCompact(value: JsonValue): string {
  if (isJsonArray(value)) return `[${value.map(formatJsonCompact).join(',')}]`
  if (isJsonObject(value)) return `{${value.entries.map(([key, item]) => `${quoteJsonString(key)}:${formatJsonCompact(item)}`).join(',')}}`
  return formatJsonb(value)
}

/** jsonb_out: `{"a": 1, "b": [1, 2]}`. */
export function formatJsonb(value: JsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string') return quoteJsonString(value)
  if (isJsonNumber(value)) return value.num
  if (isJsonArray(value)) return `[${value.map(formatJsonb).join(', ')}]`
  return `{${(value as JsonObject).entries.map(([key, item]) => `${quoteJsonString(key)}: ${formatJsonb(item)}`).join(', ')}}`
}

/** jsonb_in then jsonb_out: the stored form of a jsonb value. */
export function canonicalJsonb(text: string): string {
  return formatJsonb(normalizeJsonb(parseJson(text, true)))
}

/** json_typeof / jsonb_typeof. */
export function jsonTypeOf(value: JsonValue): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'string') return 'string'
  if (isJsonNumber(value)) return 'number'
  return isJsonArray(value) ? 'array' : 'object'
}

const TYPE_RANK: Readonly<Record<string, number>> = { null: 0, string: 1, number: 2, boolean: 3, array: 4, object: 5 }

/**
 * jsonb's btree order (compareJsonbContainers): Object > Array > Boolean > Number > String > Null, except that an
 * empty top-level array sorts below everything; arrays and objects of more elements (pairs) sort higher, then
 * element by element (objects key, value in storage order); numbers by value, strings by bytes ("C" collation).
 */
export function compareJsonb(a: JsonValue, b: JsonValue, isTop = true): number {
  if (isTop) {
    const emptyA = isJsonArray(a) && a.length === 0
    const emptyB = isJsonArray(b) && b.length === 0
    if (emptyA || emptyB) return emptyA && emptyB ? 0 : emptyA ? -1 : 1
  }
  const [ta, tb] = [jsonTypeOf(a), jsonTypeOf(b)]
  if (ta !== tb) return TYPE_RANK[ta]! - TYPE_RANK[tb]!
  if (isJsonArray(a) && isJsonArray(b)) {
    if (a.length !== b.length) return a.length - b.length
    for (let i = 0; i < a.length; i++) {
      const order = compareJsonb(a[i]!, b[i]!, false)
      if (order !== 0) return order
    }
    return 0
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    if (a.entries.length !== b.entries.length) return a.entries.length - b.entries.length
    for (let i = 0; i < a.entries.length; i++) {
      // Pairs are visited in storage order (shorter keys first) but keys compare as strings.
      const keyOrder = Buffer.compare(Buffer.from(a.entries[i]![0], 'utf8'), Buffer.from(b.entries[i]![0], 'utf8'))
      if (keyOrder !== 0) return keyOrder
      const order = compareJsonb(a.entries[i]![1], b.entries[i]![1], false)
      if (order !== 0) return order
    }
    return 0
  }
  if (isJsonNumber(a) && isJsonNumber(b)) {
    const [x, y] = [Number(a.num), Number(b.num)]
    if (x !== y) return x < y ? -1 : 1
    return compareNumericText(a.num, b.num)
  }
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  return a === b ? 0 : a === false ? -1 : 1
}

/** Exact order of two canonical numeric texts (doubles only pre-sort; ties are settled by the decimals). */
function compareNumericText(a: string, b: string): number {
  const [x, y] = [parseNumeric(a), parseNumeric(b)]
  if (x.kind !== 'finite' || y.kind !== 'finite') return 0
  const scale = Math.max(x.scale, y.scale)
  const dx = x.digits * 10n ** BigInt(scale - x.scale)
  const dy = y.digits * 10n ** BigInt(scale - y.scale)
  return dx < dy ? -1 : dx > dy ? 1 : 0
}

/** A hash key equal exactly for jsonb values that compare equal (numbers without trailing fraction zeros). */
export function jsonbKey(value: JsonValue): string {
  if (isJsonNumber(value)) {
    const text = value.num.includes('.') ? value.num.replace(/0+$/, '').replace(/\.$/, '') : value.num
    return `n${text === '-0' ? '0' : text}`
  }
  if (isJsonArray(value)) return `[${value.map(jsonbKey).join(',')}]`
  if (isJsonObject(value)) return `{${value.entries.map(([k, v]) => `${quoteJsonString(k)}:${jsonbKey(v)}`).join(',')}}`
  return JSON.stringify(value)
}
