// sql/functions/text-format: format(), quote_ident/quote_literal/quote_nullable and the text form of 'any'
// arguments (concat, concat_ws, format), as PostgreSQL 15's varlena.c and quote.c produce them.
import { featureNotSupported, invalidParameterValue, nullValueNotAllowed } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'

/** Keywords quote_ident must quote: every PostgreSQL 15 keyword that is not UNRESERVED (pg_get_keywords()). */
const QUOTED_KEYWORDS = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case ' +
    'cast char character check coalesce collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user dec ' +
    'decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign ' +
    'freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect ' +
    'interval into is isnull join lateral leading least left like limit localtime localtimestamp national natural ' +
    'nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay ' +
    'placing position precision primary real references returning right row select session_user setof similar ' +
    'smallint some substring symmetric table tablesample then time timestamp to trailing treat trim true union ' +
    'unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
)

export function quoteIdent(name: string): string {
  const safe = /^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name)
  return safe ? name : `"${name.replaceAll('"', '""')}"`
}

/** quote_literal: quotes and backslashes doubled; E'' syntax when a backslash occurs. */
export function quoteLiteral(text: string): string {
  const body = text.replaceAll("'", "''").replaceAll('\\', '\\\\')
  return text.includes('\\') ? `E'${body}'` : `'${body}'`
}

/** float8out's layout for a double: shortest round-trip digits, exponent form below 1e-4 and from 1e15. */
function float8Text(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 15) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  const negative = value < 0
  const digits = mantissa.replace('-', '').replace('.', '')
  const point = exponent + 1
  const text =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`
  return negative ? `-${text}` : text
}

/**
 * The text of a 'variadic any' argument. The binder casts such arguments to text (PostgreSQL calls each type's
 * output function), so strings are the rule; bool, integers and float8 are formatted here for callers that do not.
 */
export function anyToText(value: SqlValue): string | null {
  if (value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e15 && !Object.is(value, -0) ? String(value) : float8Text(value)
  // An interval's text depends on IntervalStyle, which only its cast to text knows.
  throw featureNotSupported('an interval argument without a cast to text')
}

interface FormatSpec {
  /** 1-based argument number, or null to take the next one. */
  readonly argument: number | null
  readonly leftAlign: boolean
  /** Fixed width, or 'next'/a 1-based argument number holding it, or null for none. */
  readonly width: number | 'next' | { readonly argument: number } | null
  readonly type: string
  /** Index into the format string after the specifier. */
  readonly end: number
}

function formatError(message: string): Error {
  return invalidParameterValue(message)
}

/** Reads digits at `at`: the number and where they end, or null when there are none. */
function readNumber(chars: ReadonlyArray<string>, at: number): { value: number; end: number } | null {
  let end = at
  while (end < chars.length && /[0-9]/.test(chars[end] ?? '')) end++
  if (end === at) return null
  const value = Number(chars.slice(at, end).join(''))
  if (value > 2147483647) throw formatError('number is out of range')
  return { value, end }
}

/** Parses `%[n$][-][width|*|*n$]type` from just after the '%'. */
function parseSpec(chars: ReadonlyArray<string>, start: number): FormatSpec {
  let at = start
  let argument: number | null = null
  const position = readNumber(chars, at)
  if (position !== null && chars[position.end] === '$') {
    if (position.value === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1')
    argument = position.value
    at = position.end + 1
  }
  let leftAlign = false
  while (chars[at] === '-') {
    leftAlign = true
    at++
  }
  let width: FormatSpec['width'] = null
  if (chars[at] === '*') {
    at++
    const widthArg = readNumber(chars, at)
    if (widthArg !== null && chars[widthArg.end] === '$') {
      if (widthArg.value === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1')
      width = { argument: widthArg.value }
      at = widthArg.end + 1
    } else {
      width = 'next'
    }
  } else {
    const fixed = argument === null && position !== null ? position : readNumber(chars, at)
    if (fixed !== null) {
      width = fixed.value
      at = fixed.end
    }
  }
  const type = chars[at]
  if (type === undefined) throw formatError('unterminated format() type specifier')
  if (type !== 's' && type !== 'I' && type !== 'L') throw formatError(`unrecognized format() type specifier "${type}"`)
  return { argument, leftAlign, width, type, end: at + 1 }
}

function pad(text: string, width: number, leftAlign: boolean): string {
  const length = Array.from(text).length
  if (length >= width) return text
  const spaces = ' '.repeat(width - length)
  return leftAlign ? text + spaces : spaces + text
}

function formatValue(value: SqlValue, type: string): string {
  const text = anyToText(value)
  if (type === 'I') {
    if (text === null) throw nullValueNotAllowed('null values cannot be formatted as an SQL identifier')
    return quoteIdent(text)
  }
  if (type === 'L') return text === null ? 'NULL' : quoteLiteral(text)
  return text ?? ''
}

/** format(formatstr, args…): %s, %I, %L, %%, positional n$, '-' flag and widths (fixed, * and *n$). */
export function formatText(format: string, args: ReadonlyArray<SqlValue>): string {
  const chars = Array.from(format)
  let out = ''
  let nextArg = 0
  const take = (index: number): SqlValue => {
    if (index >= args.length) throw formatError('too few arguments for format()')
    nextArg = index + 1
    return args[index] ?? null
  }
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? ''
    if (char !== '%') {
      out += char
      continue
    }
    if (i + 1 >= chars.length) throw formatError('unterminated format() type specifier')
    if (chars[i + 1] === '%') {
      out += '%'
      i++
      continue
    }
    const spec = parseSpec(chars, i + 1)
    let width = 0
    let leftAlign = spec.leftAlign
    if (spec.width !== null) {
      const raw = typeof spec.width === 'number' ? spec.width : take(spec.width === 'next' ? nextArg : spec.width.argument - 1)
      width = raw === null ? 0 : Number(raw)
      if (width < 0) {
        leftAlign = true
        width = -width
      }
    }
    const value = take(spec.argument === null ? nextArg : spec.argument - 1)
    out += pad(formatValue(value, spec.type), width, leftAlign)
    i = spec.end - 1
  }
  return out
}
