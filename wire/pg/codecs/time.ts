// wire/pg/codecs/time: time without time zone (1083) and time with time zone (1266) output. time values are µs since
// midnight; text is 'HH:MM:SS' with the fraction's trailing zeros dropped (time_out), binary the int64 µs
// (time_send). timetz values are sql's ordered strings: text 'HH:MM:SS+hh[:mm[:ss]]' (timetz_out), binary the int64
// µs then the int32 zone in seconds west of UTC (timetz_send).
import { formatTime, formatTimetz, timetzParts } from '../../../sql/api.js'

export function encodeTimeText(us: number): string {
  return formatTime(us)
}

export function encodeTimeBinary(us: number): Uint8Array {
  const out = Buffer.allocUnsafe(8)
  out.writeBigInt64BE(BigInt(Math.round(us)))
  return out
}

export function encodeTimetzText(value: string): string {
  return formatTimetz(value)
}

export function encodeTimetzBinary(value: string): Uint8Array {
  const { time, zone } = timetzParts(value)
  const out = Buffer.allocUnsafe(12)
  out.writeBigInt64BE(BigInt(time))
  out.writeInt32BE(zone, 8)
  return out
}
