// sql/exec/setting-values: PostgreSQL 15's parsing and display of setting values (guc.c's parse_bool, parse_int
// with units, enums; DateStyle's check hook; search_path's identifier quoting), with its 22023 messages. Pure
// functions over text: which settings exist lives in settings.ts.
import { DbError, invalidParameterValue } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'

const INT_MAX = 2147483647

/** Base units of integer settings, and the units each accepts (guc.c's memory_unit_conversion_table / time_…). */
export type IntUnit = 'ms' | 'kB'
const UNIT_FACTORS: Readonly<Record<IntUnit, ReadonlyArray<readonly [string, number]>>> = {
  // Largest first: display picks the largest unit that divides the value exactly.
  ms: [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1], ['us', 0.001]],
  kB: [['TB', 1024 ** 3], ['GB', 1024 ** 2], ['MB', 1024], ['kB', 1], ['B', 1 / 1024]],
}
const UNIT_HINTS: Readonly<Record<IntUnit, string>> = {
  ms: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
  kB: 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".',
}

export function invalidSettingValue(name: string, value: string, extra: { hint?: string; detail?: string } = {}): DbError {
  return new DbError({ severity: 'ERROR', code: SqlState.invalidParameterValue, message: `invalid value for parameter "${name}": "${value}"`, ...extra })
}

/** parse_bool: on/off, true/false, yes/no, 1/0 and unambiguous prefixes, any case. Displayed as on/off. */
export function parseBoolSetting(name: string, value: string): string {
  const text = value.trim().toLowerCase()
  const isPrefix = (word: string, min: number): boolean => text.length >= min && word.startsWith(text)
  if (isPrefix('true', 1) || isPrefix('yes', 1) || text === 'on' || text === '1') return 'on'
  if (isPrefix('false', 1) || isPrefix('no', 1) || isPrefix('off', 2) || text === '0') return 'off'
  throw invalidParameterValue(`parameter "${name}" requires a Boolean value`)
}

/** parse_int: integer (decimal or 0x hex) or a number rounded half to even, optional unit; range-checked. */
export function parseIntSetting(name: string, value: string, min: number, max: number, unit?: IntUnit): number {
  const match = /^\s*([+-]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))\s*([A-Za-z]*)\s*$/.exec(value)
  if (match === null) throw invalidSettingValue(name, value)
  const numberText = match[1] ?? ''
  const unitText = match[2] ?? ''
  let number = /^[+-]?0[xX]/.test(numberText) ? Number.parseInt(numberText, 16) : Number(numberText)
  if (unitText !== '') {
    const factor = unit === undefined ? undefined : UNIT_FACTORS[unit].find(([u]) => u === unitText)?.[1]
    if (factor === undefined) throw invalidSettingValue(name, value, unit === undefined ? {} : { hint: UNIT_HINTS[unit] })
    number *= factor
  }
  const rounded = roundHalfEven(number)
  if (!Number.isFinite(rounded) || rounded > INT_MAX || rounded < -INT_MAX - 1) {
    throw invalidSettingValue(name, value, { hint: 'Value exceeds integer range.' })
  }
  if (rounded < min || rounded > max) {
    const shown = unit === undefined ? `${rounded}` : `${rounded} ${unit}`
    throw invalidParameterValue(`${shown} is outside the valid range for parameter "${name}" (${min} .. ${max})`)
  }
  return rounded
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value)
  const diff = value - floor
  if (diff > 0.5) return floor + 1
  if (diff < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** The display of an integer setting: the largest unit that divides it exactly ('5s', '1500ms', '4MB'); 0 bare. */
export function showIntSetting(value: number, unit?: IntUnit): string {
  if (unit === undefined || value === 0) return String(value)
  for (const [name, factor] of UNIT_FACTORS[unit]) {
    if (factor >= 1 && value % factor === 0) return `${value / factor}${name}`
  }
  return `${value}${unit}`
}

/** An integer setting's value back in its base unit ('5s' → 5000); the inverse of showIntSetting. */
export function intSettingValue(shown: string, unit?: IntUnit): number {
  return parseIntSetting('', shown, -INT_MAX - 1, INT_MAX, unit)
}

/** Enum settings: case-insensitive, displayed as PostgreSQL spells the value. */
export function parseEnumSetting(name: string, value: string, values: ReadonlyArray<string>): string {
  const found = values.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase())
  if (found === undefined) throw invalidSettingValue(name, value, { hint: `Available values: ${values.join(', ')}.` })
  return found
}

const DATE_STYLES: Readonly<Record<string, string>> = { iso: 'ISO', sql: 'SQL', postgres: 'Postgres', german: 'German' }
const DATE_ORDERS: Readonly<Record<string, string>> = {
  ymd: 'YMD', dmy: 'DMY', euro: 'DMY', european: 'DMY', mdy: 'MDY', us: 'MDY', noneuro: 'MDY', noneuropean: 'MDY',
}

/** check_datestyle: a style and/or an order, comma or space separated; German implies DMY; 'ISO, MDY' by default. */
export function parseDateStyle(value: string, current: string): string {
  const [currentStyle = 'ISO', currentOrder = 'MDY'] = current.split(', ')
  let style: string | null = null
  let order: string | null = null
  for (const word of value.split(/[\s,]+/).filter((w) => w !== '')) {
    const key = word.toLowerCase()
    const isStyle = Object.hasOwn(DATE_STYLES, key)
    const isOrder = Object.hasOwn(DATE_ORDERS, key)
    if (key === 'default') {
      style = style ?? 'ISO'
      order = order ?? 'MDY'
    } else if (isStyle || isOrder) {
      const next: string | undefined = isStyle ? DATE_STYLES[key] : DATE_ORDERS[key]
      const previous: string | null = isStyle ? style : order
      if (previous !== null && previous !== next) {
        throw invalidSettingValue('DateStyle', value, { detail: 'Conflicting "datestyle" specifications.' })
      }
      if (isStyle) style = next ?? null
      else order = next ?? null
    } else {
      throw invalidSettingValue('DateStyle', value, { detail: `Unrecognized key word: "${word}".` })
    }
  }
  const finalStyle = style ?? currentStyle
  const finalOrder = order ?? (style === 'German' ? 'DMY' : currentOrder)
  return `${finalStyle}, ${finalOrder}`
}

/** quote_identifier, minus the keyword check: lower-case simple names stay bare, the rest are double-quoted. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** A list setting written as SET x = a, 'b c' (GUC_LIST_QUOTE: string constants are quoted as identifiers). */
export function flattenListSetting(items: ReadonlyArray<string>): string {
  return items.map(quoteIdentifier).join(', ')
}

/** check_application_name (PostgreSQL 15's pg_clean_ascii): every byte outside printable ASCII becomes '?'. */
export function cleanAscii(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value
  return Array.from(Buffer.from(value, 'utf8'), (byte) => (byte < 32 || byte > 126 ? '?' : String.fromCharCode(byte))).join('')
}
