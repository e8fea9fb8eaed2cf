// src/common/date-style-text: date and timestamp(tz) output in the DateStyles other than ISO, as PostgreSQL 15's
// EncodeDateOnly / EncodeDateTime (datetime.c) print them: SQL '01/02/2024 03:04:05 CET' (DMY: '02/01/2024'),
// German '02.01.2024 03:04:05 CET', Postgres 'Tue Jan 02 03:04:05 2024 CET' (DMY: 'Tue 02 Jan …'); years before
// 1 AD as ' BC' after everything. ISO itself stays in timestamp-text.ts (with its string-free writer).
import { US_PER_DAY, civilFromUs, formatClock, pad } from './calendar.js'

type Style = 'ISO' | 'SQL' | 'Postgres' | 'German'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
/** datetime.h's MAXTZLEN: the abbreviation is printed with "%.*s". */
const MAXTZLEN = 10

/** True for 'ISO, …' (and the default): the hot path's check. */
export function isIsoDateStyle(dateStyle: string): boolean {
  return dateStyle.startsWith('ISO')
}

let lastStyleText = ''
let lastStyle: { readonly style: Style; readonly dmy: boolean } = { style: 'ISO', dmy: false }

/** 'SQL, DMY' → SQL with the day first; only DMY puts the day first (YMD prints as MDY, as DateOrder does there). */
function styleOf(dateStyle: string): { readonly style: Style; readonly dmy: boolean } {
  if (dateStyle !== lastStyleText) {
    const [style = 'ISO', order = 'MDY'] = dateStyle.split(', ')
    lastStyle = { style: style as Style, dmy: order === 'DMY' }
    lastStyleText = dateStyle
  }
  return lastStyle
}

interface CivilDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The year as printed: 4 digits at least, 1 BC for year 0 (the ' BC' itself is added last). */
function yearText(year: number): string {
  return pad(year > 0 ? year : 1 - year, 4)
}

/** EncodeDateOnly for SQL, German and Postgres. */
export function formatDateStyled(c: CivilDate, dateStyle: string): string {
  const { style, dmy } = styleOf(dateStyle)
  const dd = pad(c.day, 2)
  const mm = pad(c.month, 2)
  const bc = c.year <= 0 ? ' BC' : ''
  switch (style) {
    case 'SQL': return `${dmy ? `${dd}/${mm}` : `${mm}/${dd}`}/${yearText(c.year)}${bc}`
    case 'German': return `${dd}.${mm}.${yearText(c.year)}${bc}`
    default: return `${dmy ? `${dd}-${mm}` : `${mm}-${dd}`}-${yearText(c.year)}${bc}`
  }
}

/**
 * EncodeDateTime for SQL, German and Postgres: `localUs` is the wall clock (µs since the epoch as if UTC); `zone`
 * the abbreviation of a timestamptz's zone (tzn), null for a timestamp.
 */
export function formatDateTimeStyled(localUs: number, dateStyle: string, zone: string | null): string {
  const { style, dmy } = styleOf(dateStyle)
  const t = civilFromUs(localUs)
  const dd = pad(t.day, 2)
  const mm = pad(t.month, 2)
  const clock = formatClock(t.hour, t.minute, t.second, t.us)
  const tz = zone === null ? '' : ` ${zone.slice(0, MAXTZLEN)}`
  const bc = t.year <= 0 ? ' BC' : ''
  switch (style) {
    case 'SQL': return `${dmy ? `${dd}/${mm}` : `${mm}/${dd}`}/${yearText(t.year)} ${clock}${tz}${bc}`
    case 'German': return `${dd}.${mm}.${yearText(t.year)} ${clock}${tz}${bc}`
    default: {
      const days = Math.floor(localUs / US_PER_DAY)
      const dow = DAYS[(((days + 4) % 7) + 7) % 7]!
      const month = MONTHS[t.month - 1]!
      return `${dow} ${dmy ? `${dd} ${month}` : `${month} ${dd}`} ${clock} ${yearText(t.year)}${tz}${bc}`
    }
  }
}
