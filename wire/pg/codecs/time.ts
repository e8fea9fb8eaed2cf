// wire/pg/codecs/time: time without time zone (1083) output. Values are µs since midnight; text is 'HH:MM:SS' with
// the fraction's trailing zeros dropped (time_out), binary the int64 µs (time_send).
import { formatTime } from '../../../sql/api.js'

export function encodeTimeText(us: number): string {
  return formatTime(us)
}

export function encodeTimeBinary(us: number): Uint8Array {
  const out = Buffer.allocUnsafe(8)
  out.writeBigInt64BE(BigInt(Math.round(us)))
  return out
}
