// wire/pg/codecs/timestamp: timestamp (1114) and timestamptz (1184) output in the session's DateStyle; timestamptz
// text is printed in the session's TimeZone. Values are µs since the Unix epoch (±Infinity for infinity); binary is int64 µs
// since 2000-01-01 with INT64_MAX/MIN for ±infinity, as PostgreSQL's timestamp_send.
import { formatTimestamp, formatTimestamptz } from '../../../sql/api.js'

// PostgreSQL's epoch (2000-01-01) as seen from the Unix epoch.
const PG_EPOCH_US = 946_684_800_000_000n
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n

/** `2024-01-01 00:00:00.5+01`: the fraction only when nonzero, trailing zeros trimmed; the zone's offset with one. */
export function encodeTimestampText(epochUs: number, hasZone: boolean, timeZone = 'UTC', dateStyle?: string): string {
  return hasZone ? formatTimestamptz(epochUs, timeZone, dateStyle) : formatTimestamp(epochUs, dateStyle)
}

export function encodeTimestampBinary(epochUs: number): Uint8Array {
  const out = Buffer.allocUnsafe(8)
  if (!Number.isFinite(epochUs)) out.writeBigInt64BE(epochUs > 0 ? INT64_MAX : INT64_MIN)
  else out.writeBigInt64BE(BigInt(Math.round(epochUs)) - PG_EPOCH_US)
  return out
}
