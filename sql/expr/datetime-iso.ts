// sql/expr/datetime-iso: the ISO form clients and COPY send for dates and timestamps, read by one regular expression
// ahead of datetime-decode's field decoder (which gives the same answer for it, three times slower).
import { daysInMonth, rint, US_PER_SECOND } from './calendar.js'
import type { DecodedDateTime } from './datetime-decode.js'
import { parseIsoOffset } from './time-zone.js'

/**
 * The ISO form clients and COPY send ('2024-02-01 10:15:00.5+00', '2024-02-01T10:15:00Z') read by one regular
 * expression: what the field decoder gives for it, three times faster. Anything unusual (year 0, hour 24, second 60,
 * a zone name, other spaces) is left to the decoder, which also words the errors.
 */
const ISO_FAST = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d\d(?::?\d\d)?)?$/
// TSBS and Go clients write one space between the time and the offset ('2016-01-01 10:18:00 +0000'): the same
// instant to PostgreSQL's decoder. Only after a time and before a zone; the rest goes to the decoder.
const SPACED_ZONE = / (?=[Zz+-][^ ]*$)/

export function decodeIsoFast(text: string): DecodedDateTime | null {
  const spaced = text.replace(SPACED_ZONE, '')
  const m = ISO_FAST.exec(spaced)
  if (m === null || (spaced !== text && (m[4] === undefined || m[8] === undefined))) return null
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]))
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)]
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  if (hour > 23 || minute > 59 || second > 59) return null
  const zone = m[8] === undefined ? null : m[8] === 'z' || m[8] === 'Z' ? 'Z' : m[8]
  if (zone !== null && zone !== 'Z' && parseIsoOffset(zone) === null) return null
  const us = m[7] === undefined ? 0 : rint(Number(`0.${m[7]}`) * US_PER_SECOND)
  return { year, month, day, hour, minute, second, us, zone, hasDate: true, relativeDay: null }
}
