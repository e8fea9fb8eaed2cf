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

/** to_char(numeric | float8, text). `value` is numeric's decimal text or a float8. */
export function toCharNumber(value: string | number, format: string): string {
  const { items, fm } = parseTemplate(format)
  const pointAt = items.findIndex((it) => it.kind === 'point')
  const digitsBefore = items.filter((it, i) => it.kind === 'digit' && (pointAt < 0 || i < pointAt)).length
  const digitsAfter = items.filter((it, i) => it.kind === 'digit' && pointAt >= 0 && i > pointAt).length
  const text = typeof value === 'number' ? floatText(value, digitsAfter) : value
  const [negative, rawInt, fracDigits] = roundDecimal(text, digitsAfter)
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

/** float8 → decimal text already rounded half-to-even at `scale`, as C's printf does for to_char(float8). */
function floatText(value: number, scale: number): string {
  if (!Number.isFinite(value)) return String(value)
  const scaled = value * 10 ** scale
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor
  return (rounded / 10 ** scale).toFixed(Math.min(100, scale))
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
