// wire/pg/codecs/timestamp: timestamp (1114), timestamptz (1184) and date (1082) output with DateStyle=ISO and
// TimeZone=Etc/UTC. Values are µs (dates: days) since the Unix epoch; binary counts from 2000-01-01 (int64 µs, int32 days).

const US_PER_SECOND = 1_000_000
const MS_PER_DAY = 86_400_000
// PostgreSQL's epoch (2000-01-01) as seen from the Unix epoch.
const PG_EPOCH_US = 946_684_800_000_000n
const PG_EPOCH_DAYS = 10_957
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n
const INT32_MAX = 0x7fffffff
const INT32_MIN = -0x80000000

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

/** ISO date of a UTC Date; years before 1 AD print as PostgreSQL does, with a positive year and ' BC' later. */
function isoDate(date: Date): { text: string; isBc: boolean } {
  const year = date.getUTCFullYear()
  const isBc = year <= 0
  const shownYear = isBc ? 1 - year : year
  return { text: `${pad(shownYear, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`, isBc }
}

/** `2024-01-01 00:00:00.5+00`: the fraction only when nonzero, trailing zeros trimmed; '+00' only with a zone. */
export function encodeTimestampText(epochUs: number, hasZone: boolean): string {
  if (!Number.isFinite(epochUs)) return epochUs > 0 ? 'infinity' : '-infinity'
  const us = Math.round(epochUs)
  const seconds = Math.floor(us / US_PER_SECOND)
  const fractionUs = us - seconds * US_PER_SECOND
  const date = new Date(seconds * 1000)
  const day = isoDate(date)
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
  const fraction = fractionUs === 0 ? '' : `.${pad(fractionUs, 6).replace(/0+$/, '')}`
  return `${day.text} ${time}${fraction}${hasZone ? '+00' : ''}${day.isBc ? ' BC' : ''}`
}

export function encodeTimestampBinary(epochUs: number): Uint8Array {
  const out = Buffer.allocUnsafe(8)
  if (!Number.isFinite(epochUs)) out.writeBigInt64BE(epochUs > 0 ? INT64_MAX : INT64_MIN)
  else out.writeBigInt64BE(BigInt(Math.round(epochUs)) - PG_EPOCH_US)
  return out
}

/** `2024-01-02` */
export function encodeDateText(epochDays: number): string {
  if (!Number.isFinite(epochDays)) return epochDays > 0 ? 'infinity' : '-infinity'
  const day = isoDate(new Date(Math.trunc(epochDays) * MS_PER_DAY))
  return day.isBc ? `${day.text} BC` : day.text
}

export function encodeDateBinary(epochDays: number): Uint8Array {
  const out = Buffer.allocUnsafe(4)
  if (!Number.isFinite(epochDays)) out.writeInt32BE(epochDays > 0 ? INT32_MAX : INT32_MIN)
  else out.writeInt32BE(Math.trunc(epochDays) - PG_EPOCH_DAYS)
  return out
}
