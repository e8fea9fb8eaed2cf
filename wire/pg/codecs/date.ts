// wire/pg/codecs/date: date (1082) output. Values are days since the Unix epoch (±Infinity for infinity); text is
// DateStyle's ('YYYY-MM-DD' in ISO, ' BC' suffixed before year 1), binary int32 days since 2000-01-01 with INT32_MAX/MIN for ±infinity.
import { formatDate } from '../../../sql/api.js'

const PG_EPOCH_DAYS = 10_957
const INT32_MAX = 0x7fffffff
const INT32_MIN = -0x80000000

export function encodeDateText(epochDays: number, dateStyle?: string): string {
  return formatDate(epochDays, dateStyle)
}

export function encodeDateBinary(epochDays: number): Uint8Array {
  const out = Buffer.allocUnsafe(4)
  if (!Number.isFinite(epochDays)) out.writeInt32BE(epochDays > 0 ? INT32_MAX : INT32_MIN)
  else out.writeInt32BE(Math.trunc(epochDays) - PG_EPOCH_DAYS)
  return out
}
