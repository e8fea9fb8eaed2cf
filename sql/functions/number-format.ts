// sql/functions/number-format: to_char(numeric | float8, text) for PostgreSQL's common numeric templates — digit
// positions 9 and 0, the point (. or D), group separators (, or G), S, FM — with the C locale. Other numeric
// patterns (PR, MI, PL, SG, RN, V, EEEE, L, TH) are refused with 0A000 naming them.
import { notSupported } from '../../src/common/errors.js'

type Item = { readonly kind: 'digit'; readonly zero: boolean } | { readonly kind: 'point' | 'group' | 'sign' } | { readonly kind: 'literal'; readonly text: string }

function parseTemplate(format: string): { items: ReadonlyArray<Item>; fm: boolean } {
  const items: Item[] = []
  let fm = false
  for (let i = 0; i < format.length; i++) {
    const rest = format.slice(i).toUpperCase()
    const refused = ['EEEE', 'PR', 'MI', 'PL', 'SG', 'RN', 'TH', 'V', 'L'].find((p) => rest.startsWith(p))
    if (rest.startsWith('FM')) { fm = true; i++; continue }
    if (refused !== undefined) throw notSupported(`template pattern "${format.slice(i, i + refused.length)}" in to_char is not supported`)
    const c = format[i] ?? ''
    if (c === '9' || c === '0') items.push({ kind: 'digit', zero: c === '0' })
    else if (c === '.' || c === 'D' || c === 'd') items.push({ kind: 'point' })
    else if (c === ',' || c === 'G' || c === 'g') items.push({ kind: 'group' })
    else if (c === 'S' || c === 's') items.push({ kind: 'sign' })
    else items.push({ kind: 'literal', text: c })
  }
  return { items, fm }
}

/** Decimal text rounded half away from zero to `scale` places: [negative, integer digits, fraction digits]. */
function roundDecimal(text: string, scale: number): [boolean, string, string] {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim())
  if (m === null) return [false, '0', ''.padEnd(scale, '0')]
  const negative = m[1] === '-'
  const whole = m[2] === '' ? '0' : (m[2] ?? '0')
  const frac = m[3] ?? ''
  let units = BigInt(whole + frac.slice(0, scale).padEnd(scale, '0'))
  if ((frac[scale] ?? '0') >= '5') units += 1n
  const digits = units.toString().padStart(scale + 1, '0')
  const intPart = digits.slice(0, digits.length - scale).replace(/^0+/, '')
  return [negative && units !== 0n, intPart, scale === 0 ? '' : digits.slice(-scale)]
}

/**
 * to_char(numeric | integer | float, text). `value` is numeric's (or an integer's) decimal text, or a float8/float4
 * value printed as float8_to_char / float4_to_char do: `%.*f` with the fraction cut so that at most `floatDigits`
 * (DBL_DIG 15, FLT_DIG 6) digits are significant — fraction positions past that print nothing, and no point when
 * none is left — rounded as C's printf rounds the exact binary value (halves to even); -0.0 keeps its sign.
 */
export function toCharNumber(value: string | number, format: string, floatDigits = 15): string {
  const parsed = parseTemplate(format)
  const fm = parsed.fm
  let items = parsed.items
  let text: string
  if (typeof value === 'number' && Number.isFinite(value)) {
    const pre = printfFixed(Math.abs(value), 0).length
    const post = floatPost(pre, fractionDigits(items), floatDigits)
    text = printfFixed(value, post)
    items = keepFractionDigits(items, post, pre > integerPositions(items))
  } else text = typeof value === 'number' ? String(value) : value
  const pointAt = items.findIndex((it) => it.kind === 'point')
  const digitsBefore = integerPositions(items)
  const digitsAfter = fractionDigits(items)
  const [rounded, rawInt, fracDigits] = roundDecimal(text, digitsAfter)
  const negative = rounded || (typeof value === 'number' && text.startsWith('-'))
  // A zero integer part prints its '0' only when the template has no fraction (to_char(0, '9999') = '    0').
  const intDigits = rawInt === '' && digitsAfter === 0 ? '0' : rawInt
  const overflow = intDigits.length > digitsBefore || !/^[-+\d.]*$/.test(text)
  const explicitSign = items.some((it) => it.kind === 'sign')
  const signChar = negative ? '-' : explicitSign ? '+' : fm ? '' : ' '
  const firstZero = items.findIndex((it) => it.kind === 'digit' && it.zero)
  let out = ''
  let intIndex = 0
  let fracIndex = 0
  let printed = false
  const placeSign = (): void => {
    if (!printed) { out += overflow ? (fm ? '' : ' ') : signChar; printed = true }
  }
  items.forEach((it, i) => {
    const beforePoint = pointAt < 0 || i < pointAt
    if (it.kind === 'literal') { out += it.text; return }
    if (it.kind === 'sign') return
    if (it.kind === 'point') { placeSign(); out += '.'; return }
    if (it.kind === 'group') { out += printed ? ',' : fm ? '' : ' '; return }
    if (!beforePoint) { out += overflow ? '#' : (fracDigits[fracIndex] ?? '0'); fracIndex++; return }
    const slot = intIndex - (digitsBefore - intDigits.length)
    intIndex++
    const forced = firstZero >= 0 && i >= firstZero
    if (overflow) { placeSign(); out += '#'; return }
    if (slot < 0 && !forced) { if (!fm) out += ' '; return }
    placeSign()
    out += slot < 0 ? '0' : (intDigits[slot] ?? '0')
  })
  if (!printed) placeSign()
  if (fm && pointAt >= 0) out = trimFractionNines(out, items, pointAt)
  return out
}

const integerPositions = (items: ReadonlyArray<Item>): number => {
  const pointAt = items.findIndex((it) => it.kind === 'point')
  return items.filter((it, i) => it.kind === 'digit' && (pointAt < 0 || i < pointAt)).length
}

const fractionDigits = (items: ReadonlyArray<Item>): number => {
  const pointAt = items.findIndex((it) => it.kind === 'point')
  return pointAt < 0 ? 0 : items.filter((it, i) => it.kind === 'digit' && i > pointAt).length
}

/** The fraction digits float8_to_char prints: all the template's, unless the `pre` integer digits leave fewer significant. */
function floatPost(pre: number, post: number, floatDigits: number): number {
  if (pre >= floatDigits) return 0
  return pre + post > floatDigits ? floatDigits - pre : post
}

/** The template with only `post` fraction digit positions (the point too goes when none is left, unless it overflows). */
function keepFractionDigits(items: ReadonlyArray<Item>, post: number, overflows: boolean): ReadonlyArray<Item> {
  const pointAt = items.findIndex((it) => it.kind === 'point')
  if (pointAt < 0) return items
  let kept = 0
  return items.filter((it, i) => {
    if (i === pointAt) return post > 0 || overflows
    if (i < pointAt || it.kind !== 'digit') return true
    kept++
    return kept <= post
  })
}

/** C's printf("%.*f", digits, value): the exact binary value rounded half to even at `digits` places. */
export function printfFixed(value: number, digits: number): string {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const bits = view.getBigUint64(0)
  const sign = bits >> 63n === 1n ? '-' : ''
  const exponent = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & 0xfffffffffffffn
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n)
  const shift = (exponent === 0 ? 1 : exponent) - 1075
  const scaled = mantissa * 10n ** BigInt(digits)
  let units: bigint
  if (shift >= 0) units = scaled << BigInt(shift)
  else {
    const down = BigInt(-shift)
    units = scaled >> down
    const rest = scaled - (units << down)
    const half = 1n << (down - 1n)
    if (rest > half || (rest === half && (units & 1n) === 1n)) units += 1n
  }
  const text = units.toString().padStart(digits + 1, '0')
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`
}

/** FM drops trailing fraction zeros printed at '9' positions (not at '0' positions): FM9.99 of 1 → '1.'. */
function trimFractionNines(out: string, items: ReadonlyArray<Item>, pointAt: number): string {
  let result = out
  for (let i = items.length - 1; i > pointAt; i--) {
    const it = items[i]
    if (it?.kind !== 'digit' || it.zero || !result.endsWith('0')) break
    result = result.slice(0, -1)
  }
  return result
}
