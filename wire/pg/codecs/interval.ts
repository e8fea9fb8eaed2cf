// wire/pg/codecs/interval: interval (1186) output. Text is in the session's IntervalStyle (postgres: '1 year 2 mons
// 3 days 04:05:06', '-1 days +02:00:00'; iso_8601: 'P1Y2M3DT4H5M6S'; …); binary is interval_send's int64 µs, int32 days, int32 months.
import { type IntervalValue, formatInterval } from '../../../sql/api.js'

export function encodeIntervalText(value: IntervalValue, intervalStyle?: string): string {
  return formatInterval(value, intervalStyle)
}

export function encodeIntervalBinary(value: IntervalValue): Uint8Array {
  const out = Buffer.allocUnsafe(16)
  out.writeBigInt64BE(BigInt(Math.round(value.us)), 0)
  out.writeInt32BE(value.days, 8)
  out.writeInt32BE(value.months, 12)
  return out
}
