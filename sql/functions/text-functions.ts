// sql/functions/text-functions: PostgreSQL 15's string functions and operators (||, substring, trim, pad,
// split_part, regexp_replace, ~ …) over text, counting characters as code points. nodedb behaves as the "C"
// collation: case mapping and regex classes are ASCII-only, as PostgreSQL's under C.
import { createHash } from 'node:crypto'
import { programLimitExceeded, invalidParameterValue, numericValueOutOfRange, substringError } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { ScalarFunction } from './function-def.js'
import { REGEX_FUNCTIONS } from './regex-functions.js'
import { SIMILAR_FUNCTIONS } from './similar-escape.js'
import { anyToText, formatText, quoteIdent, quoteLiteral } from './text-format.js'
import { compareText } from './aggregate-compare.js'
import { chars, fn, int, str, type Evaluate } from './arg-values.js'

export { likeToRegExp } from './posix-regex.js'

/** The longest result repeat/lpad/rpad build, in UTF-16 units: far below V8's string limit (~2^29). */
const TEXT_RESULT_UNITS_MAX = 2 ** 28

function checkLength(units: number): void {
  if (units > TEXT_RESULT_UNITS_MAX) throw programLimitExceeded('requested length too large')
}

/** lower/upper under the C collation change ASCII letters only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase())
}
function asciiUpper(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase())
}
/** initcap: a letter after an ASCII alphanumeric is lowered, any other is raised (C-locale isalnum). */
function initcap(text: string): string {
  let out = ''
  let wasAlnum = false
  for (const char of text) {
    out += wasAlnum ? asciiLower(char) : asciiUpper(char)
    wasAlnum = /[0-9A-Za-z]/.test(char)
  }
  return out
}

/** substring(text, start[, count]) with PostgreSQL's handling of starts before 1 and negative counts. */
export function substring(text: string, start: number, count?: number): string {
  if (count !== undefined && count < 0) throw substringError('negative substring length not allowed')
  const all = chars(text)
  const first = Math.max(start, 1)
  const end = count === undefined ? all.length + 1 : start + count
  if (end <= first) return ''
  return all.slice(first - 1, end - 1).join('')
}

/** The int4 sum PostgreSQL checks with pg_add_s32_overflow (overlay's start + count): 22003 beyond int4. */
export function overlayEnd(start: number, count: number): number {
  const end = start + count
  if (end > 2147483647 || end < -2147483648) throw numericValueOutOfRange('integer out of range')
  return end
}

/** overlay(t placing p from start [for count]), as text_overlay: 22011 for a start below 1. */
function overlay(text: string, placing: string, start: number, count = chars(placing).length): string {
  if (start <= 0) throw substringError('negative substring length not allowed')
  return substring(text, 1, start - 1) + placing + substring(text, overlayEnd(start, count))
}

/** strpos/position: 1-based character index of the first occurrence; 1 for an empty needle; 0 when absent. */
function strpos(haystack: string, needle: string): number {
  const index = haystack.indexOf(needle)
  return index < 0 ? 0 : chars(haystack.slice(0, index)).length + 1
}

function translate(text: string, from: string, to: string): string {
  const source = chars(from)
  const target = chars(to)
  let out = ''
  for (const char of text) {
    const index = source.indexOf(char)
    if (index < 0) out += char
    else out += target[index] ?? ''
  }
  return out
}

function trim(text: string, set: string, left: boolean, right: boolean): string {
  const all = chars(text)
  const remove = new Set(chars(set))
  let start = 0
  let end = all.length
  while (left && start < end && remove.has(all[start] ?? '')) start++
  while (right && end > start && remove.has(all[end - 1] ?? '')) end--
  return all.slice(start, end).join('')
}

/** lpad/rpad: a longer string is cut to `length` characters; an empty fill pads nothing. */
function pad(text: string, length: number, fill: string, left: boolean): string {
  const all = chars(text)
  const target = Math.max(length, 0)
  if (all.length >= target) return all.slice(0, target).join('')
  const fillChars = chars(fill)
  if (fillChars.length === 0) return text
  checkLength(target * 2)
  const padding: string[] = []
  for (let i = 0; padding.length < target - all.length; i++) padding.push(fillChars[i % fillChars.length] ?? '')
  return left ? padding.join('') + text : text + padding.join('')
}

function leftChars(text: string, n: number): string {
  const all = chars(text)
  return (n >= 0 ? all.slice(0, n) : all.slice(0, Math.max(all.length + n, 0))).join('')
}
function rightChars(text: string, n: number): string {
  const all = chars(text)
  return (n >= 0 ? all.slice(Math.max(all.length - n, 0)) : all.slice(Math.min(-n, all.length))).join('')
}

function repeat(text: string, count: number): string {
  if (count <= 0 || text === '') return ''
  checkLength(text.length * count)
  return text.repeat(count)
}

/** split_part: field `n` (from the end when negative; 0 is an error) of `text` split on `delimiter`. */
function splitPart(text: string, delimiter: string, n: number): string {
  if (n === 0) throw invalidParameterValue('field position must not be zero')
  if (text === '') return ''
  if (delimiter === '') return n === 1 || n === -1 ? text : ''
  const parts = text.split(delimiter)
  return (n > 0 ? parts[n - 1] : parts[parts.length + n]) ?? ''
}

/** chr: 0, surrogates and values beyond U+10FFFF are not characters of UTF8 (54000, as PostgreSQL). */
function chr(code: number): string {
  if (code < 0) throw invalidParameterValue('character number must be positive')
  if (code === 0) throw programLimitExceeded('null character not permitted')
  if (code > 0x10ffff) throw programLimitExceeded(`requested character too large for encoding: ${code}`)
  if (code >= 0xd800 && code <= 0xdfff) throw programLimitExceeded(`requested character not valid for encoding: ${code}`)
  return String.fromCodePoint(code)
}

/** to_hex: the two's-complement bits, as PostgreSQL prints negative numbers. */
function toHex(value: SqlValue | undefined, bits: 32 | 64): string {
  return BigInt.asUintN(bits, typeof value === 'bigint' ? value : BigInt(int(value))).toString(16)
}

function lengthFunctions(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  for (const name of ['length', 'char_length', 'character_length']) {
    out.push(fn(name, ['text'], 'int4', ([s]) => chars(str(s)).length))
    // character(n) ignores its trailing blanks in length (bpcharlen).
    out.push(fn(name, ['bpchar'], 'int4', ([s]) => chars(str(s).replace(/ +$/, '')).length))
  }
  out.push(fn('octet_length', ['text'], 'int4', ([s]) => Buffer.byteLength(str(s), 'utf8')))
  out.push(fn('octet_length', ['bpchar'], 'int4', ([s]) => Buffer.byteLength(str(s), 'utf8')))
  out.push(fn('bit_length', ['text'], 'int4', ([s]) => Buffer.byteLength(str(s), 'utf8') * 8))
  return out
}

function caseAndSearchFunctions(): ScalarFunction[] {
  return [
    fn('||', ['text', 'text'], 'text', ([a, b]) => str(a) + str(b)),
    fn('lower', ['text'], 'text', ([s]) => asciiLower(str(s))),
    fn('upper', ['text'], 'text', ([s]) => asciiUpper(str(s))),
    fn('initcap', ['text'], 'text', ([s]) => initcap(str(s))),
    ...['substring', 'substr'].flatMap((name) => [
      fn(name, ['text', 'int4'], 'text', ([s, start]) => substring(str(s), int(start))),
      fn(name, ['text', 'int4', 'int4'], 'text', ([s, start, n]) => substring(str(s), int(start), int(n))),
    ]),
    fn('overlay', ['text', 'text', 'int4', 'int4'], 'text', ([s, p, start, n]) => overlay(str(s), str(p), int(start), int(n))),
    fn('overlay', ['text', 'text', 'int4'], 'text', ([s, p, start]) => overlay(str(s), str(p), int(start))),
    fn('position', ['text', 'text'], 'int4', ([s, needle]) => strpos(str(s), str(needle))),
    fn('strpos', ['text', 'text'], 'int4', ([s, needle]) => strpos(str(s), str(needle))),
    fn('starts_with', ['text', 'text'], 'bool', ([s, prefix]) => str(s).startsWith(str(prefix))),
    fn('replace', ['text', 'text', 'text'], 'text', ([s, from, to]) => (str(from) === '' ? str(s) : str(s).split(str(from)).join(str(to)))),
    fn('translate', ['text', 'text', 'text'], 'text', ([s, from, to]) => translate(str(s), str(from), str(to))),
  ]
}

function trimAndPadFunctions(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  for (const [name, left, right] of [['btrim', true, true], ['ltrim', true, false], ['rtrim', false, true]] as const) {
    out.push(fn(name, ['text'], 'text', ([s]) => trim(str(s), ' ', left, right)))
    out.push(fn(name, ['text', 'text'], 'text', ([s, set]) => trim(str(s), str(set), left, right)))
  }
  for (const [name, left] of [['lpad', true], ['rpad', false]] as const) {
    out.push(fn(name, ['text', 'int4'], 'text', ([s, n]) => pad(str(s), int(n), ' ', left)))
    out.push(fn(name, ['text', 'int4', 'text'], 'text', ([s, n, fill]) => pad(str(s), int(n), str(fill), left)))
  }
  out.push(fn('left', ['text', 'int4'], 'text', ([s, n]) => leftChars(str(s), int(n))))
  out.push(fn('right', ['text', 'int4'], 'text', ([s, n]) => rightChars(str(s), int(n))))
  out.push(fn('repeat', ['text', 'int4'], 'text', ([s, n]) => repeat(str(s), int(n))))
  out.push(fn('reverse', ['text'], 'text', ([s]) => chars(str(s)).reverse().join('')))
  out.push(fn('split_part', ['text', 'text', 'int4'], 'text', ([s, d, n]) => splitPart(str(s), str(d), int(n))))
  return out
}

function concatFunctions(): ScalarFunction[] {
  const nonStrict = (name: string, args: ReadonlyArray<PgTypeName>, volatility: ScalarFunction['volatility'], evaluate: Evaluate): ScalarFunction =>
    ({ name, args, variadic: 'any', result: 'text', strict: false, volatility, evaluate })
  const joinTexts = (values: ReadonlyArray<SqlValue>, separator: string): string =>
    values.map(anyToText).filter((t): t is string => t !== null).join(separator)
  return [
    nonStrict('concat', [], 'stable', (args) => joinTexts(args, '')),
    nonStrict('concat_ws', ['text'], 'stable', ([separator, ...rest]) =>
      separator === null || separator === undefined ? null : joinTexts(rest, str(separator)),
    ),
    nonStrict('format', ['text'], 'stable', ([format, ...rest]) => (format === null || format === undefined ? null : formatText(str(format), rest))),
  ]
}

function codeFunctions(): ScalarFunction[] {
  return [
    fn('md5', ['text'], 'text', ([s]) => createHash('md5').update(str(s), 'utf8').digest('hex')),
    fn('ascii', ['text'], 'int4', ([s]) => str(s).codePointAt(0) ?? 0),
    fn('chr', ['int4'], 'text', ([n]) => chr(int(n))),
    fn('to_hex', ['int4'], 'text', ([n]) => toHex(n, 32)),
    fn('to_hex', ['int8'], 'text', ([n]) => toHex(n, 64)),
    fn('quote_ident', ['text'], 'text', ([s]) => quoteIdent(str(s))),
    fn('quote_literal', ['text'], 'text', ([s]) => quoteLiteral(str(s))),
    { name: 'quote_nullable', args: ['text'], result: 'text', strict: false, volatility: 'immutable', evaluate: ([s]) =>
      s === null || s === undefined ? 'NULL' : quoteLiteral(str(s)) },
  ]
}

/**
 * text_pattern_lt & co. (~<~ ~<=~ ~>=~ ~>~): byte order whatever the collation — nodedb's only collation is C, so
 * the order of compareText; character(n) compares without its trailing blanks (bpchar_pattern_lt's bcTruelen).
 */
function patternOperators(): ScalarFunction[] {
  const tests: ReadonlyArray<readonly [string, (order: number) => boolean]> = [
    ['~<~', (o) => o < 0], ['~<=~', (o) => o <= 0], ['~>=~', (o) => o >= 0], ['~>~', (o) => o > 0],
  ]
  const trimmed = (value: SqlValue | undefined): string => str(value).replace(/ +$/, '')
  return tests.flatMap(([name, test]) => [
    fn(name, ['text', 'text'], 'bool', ([a, b]) => test(compareText(str(a), str(b)))),
    fn(name, ['bpchar', 'bpchar'], 'bool', ([a, b]) => test(compareText(trimmed(a), trimmed(b)))),
  ])
}

export const TEXT_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...patternOperators(),
  ...lengthFunctions(),
  ...caseAndSearchFunctions(),
  ...trimAndPadFunctions(),
  ...concatFunctions(),
  ...codeFunctions(),
  ...REGEX_FUNCTIONS,
  ...SIMILAR_FUNCTIONS,
]
