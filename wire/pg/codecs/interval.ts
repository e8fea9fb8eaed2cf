// wire/pg/codecs/interval: interval (1186) output with IntervalStyle=postgres. sql gives a single µs count, so whole
// days are split off (`1 day 02:00:00`, `-2 days -01:00:00`) and months are always 0.

const US_PER_SECOND = 1_000_000
const US_PER_DAY = 86_400_000_000

function pad2(value: number): string {
  return String(value).padStart(2, '0')
}

function timeText(us: number): string {
  const magnitude = Math.abs(us)
  const totalSeconds = Math.floor(magnitude / US_PER_SECOND)
  const fractionUs = magnitude - totalSeconds * US_PER_SECOND
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  const fraction = fractionUs === 0 ? '' : `.${String(fractionUs).padStart(6, '0').replace(/0+$/, '')}`
  return `${us < 0 ? '-' : ''}${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${fraction}`
}

export function encodeIntervalText(totalUs: number): string {
  const us = Math.round(totalUs)
  const days = Math.trunc(us / US_PER_DAY)
  const restUs = us - days * US_PER_DAY
  if (days === 0) return timeText(restUs)
  const dayText = `${days} day${days === 1 ? '' : 's'}`
  return restUs === 0 ? dayText : `${dayText} ${timeText(restUs)}`
}

/** interval_send: int64 µs of time, int32 days, int32 months. */
export function encodeIntervalBinary(totalUs: number): Uint8Array {
  const us = Math.round(totalUs)
  const days = Math.trunc(us / US_PER_DAY)
  const out = Buffer.allocUnsafe(16)
  out.writeBigInt64BE(BigInt(us - days * US_PER_DAY), 0)
  out.writeInt32BE(days, 8)
  out.writeInt32BE(0, 12)
  return out
}
