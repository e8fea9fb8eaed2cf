// src/common/time-zone: UTC offsets of time zones, from the IANA database bundled with Node (Intl), and the inverse
// (local wall clock → UTC) with PostgreSQL's DetermineTimeZoneOffset rules for DST gaps and overlaps.
// Offsets are µs east of UTC (Berlin in winter: +3_600_000_000).
import { featureNotSupportedMessage, invalidParameterValue } from './errors.js'
import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, daysFromCivil, pad } from './calendar.js'
import { hasZoneFile, knownZoneAbbreviation, zoneFileName, zoneFileTypeAt } from './zone-abbreviation.js'

/**
 * A resolved zone: a fixed offset, an IANA zone read through a cached Intl formatter, or one of the legacy zone
 * files (CET, EST5EDT, …) read from the system's TZif file, as PostgreSQL reads it, with the Intl zone of the same
 * name answering past the file's last transition (the same rules today: Europe/Brussels for CET, …).
 */
export type Zone =
  | { readonly kind: 'fixed'; readonly offsetUs: number; readonly abbreviation?: string }
  | { readonly kind: 'iana'; readonly name: string; readonly format: Intl.DateTimeFormat }
  | { readonly kind: 'file'; readonly name: string; readonly after: Zone }

const ZONE_CACHE_MAX = 256
const zoneCache = new Map<string, Zone | null>()

/** Abbreviations PostgreSQL's default timezone_abbreviations knows that nodedb accepts (a subset), µs east. */
const ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ['utc', 0], ['gmt', 0], ['z', 0], ['ut', 0], ['zulu', 0],
  ['est', -5 * US_PER_HOUR], ['edt', -4 * US_PER_HOUR], ['cst', -6 * US_PER_HOUR], ['cdt', -5 * US_PER_HOUR],
  ['mst', -7 * US_PER_HOUR], ['mdt', -6 * US_PER_HOUR], ['pst', -8 * US_PER_HOUR], ['pdt', -7 * US_PER_HOUR],
  ['cet', US_PER_HOUR], ['cest', 2 * US_PER_HOUR], ['eet', 2 * US_PER_HOUR], ['eest', 3 * US_PER_HOUR],
  ['bst', US_PER_HOUR], ['jst', 9 * US_PER_HOUR], ['ist', 2 * US_PER_HOUR],
  // Also IANA link names, whose Intl zones (Lisbon, Brussels, Honolulu) are not PostgreSQL's fixed abbreviations.
  ['wet', 0], ['met', US_PER_HOUR], ['hst', -10 * US_PER_HOUR],
])

/**
 * tzdata's legacy zones, which Intl links to a city with another history (CET → Europe/Brussels, HST →
 * Pacific/Honolulu, EST5EDT → America/New_York) while the system's zone files, which PostgreSQL reads, keep their
 * own rules; as a TimeZone setting they are read from those files.
 */
const LEGACY_ZONE_FILES: ReadonlySet<string> = new Set(['cet', 'met', 'eet', 'wet', 'est', 'mst', 'hst', 'est5edt', 'cst6cdt', 'mst7mdt', 'pst8pdt'])
/** Abbreviations that are also zone files PostgreSQL accepts as a TimeZone setting (the others are 22023 there). */
const SESSION_ABBREVIATIONS: ReadonlySet<string> = new Set(['utc', 'gmt', 'zulu', ...LEGACY_ZONE_FILES])

/** A legacy zone from its file, canonically named as the file is ('cet' → 'CET'); null when the system has none. */
function legacyFileZone(name: string): Zone | null {
  const canonical = name.toUpperCase()
  if (!hasZoneFile(canonical)) return null
  const after = ianaZone(canonical)
  return after === null ? null : { kind: 'file', name: canonical, after }
}

/** '+05', '-08:00', '+0530', '+05:30:15' → µs, with the written (ISO) sign; null if not an offset. */
export function parseIsoOffset(text: string): number | null {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(text)
  if (m === null) return null
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? '0')
  const seconds = Number(m[4] ?? '0')
  if (hours > 15 || minutes > 59 || seconds > 59) return null
  const us = hours * US_PER_HOUR + minutes * US_PER_MINUTE + seconds * US_PER_SECOND
  return m[1] === '-' ? -us : us
}

function ianaZone(name: string): Zone | null {
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    })
    return { kind: 'iana', name: format.resolvedOptions().timeZone, format }
  } catch {
    return null
  }
}

/**
 * Resolves a zone as PostgreSQL does for the TimeZone setting and for a zone written in a literal: abbreviations
 * (UTC, GMT, Z, EST, …), IANA names (case-insensitive), and numeric offsets. `posixSigns` makes a bare '+05' mean
 * 5 h WEST, as in AT TIME ZONE '+05' and 'UTC+5'; in literals and in SET TimeZone '+05' means east (ISO).
 */
export function resolveZone(name: string, posixSigns = false): Zone | null {
  return cachedZone(`${posixSigns ? 'p' : 'i'}${name}`, () => lookupZone(name.trim(), posixSigns))
}

function cachedZone(key: string, lookup: () => Zone | null): Zone | null {
  const cached = zoneCache.get(key)
  if (cached !== undefined) return cached
  const zone = lookup()
  if (zoneCache.size >= ZONE_CACHE_MAX) zoneCache.clear()
  zoneCache.set(key, zone)
  return zone
}

const UTC_ALIASES: ReadonlySet<string> = new Set([
  'etc/utc', 'etc/uct', 'etc/universal', 'etc/zulu', 'universal', 'zulu', 'uct', 'etc/gmt', 'etc/gmt0', 'etc/gmt+0',
  'etc/gmt-0', 'etc/greenwich', 'gmt0', 'greenwich',
])

function lookupZone(name: string, posixSigns: boolean): Zone | null {
  const lower = name.toLowerCase()
  const abbreviation = ABBREVIATIONS.get(lower)
  if (abbreviation !== undefined) return { kind: 'fixed', offsetUs: abbreviation, abbreviation: lower === 'z' ? 'UTC' : name.toUpperCase() }
  const iso = parseIsoOffset(name)
  if (iso !== null) return { kind: 'fixed', offsetUs: posixSigns ? -iso : iso }
  // POSIX 'UTC+5' / 'GMT-3' / 'XY+3' / '<+05>-05' (PostgreSQL's own spelling of SET TimeZone '+05'), no daylight
  // part: any name of letters, the sign counts west. ('EST5EDT' is a zone file: it falls through.)
  const posix = /^([a-z]+|<[^>]*>)([+-]?\d.*)$/.exec(lower)
  if (posix !== null) {
    const written = posix[2] ?? ''
    const offset = parseIsoOffset(/^[+-]/.test(written) ? written : `+${written}`)
    if (offset !== null) return { kind: 'fixed', offsetUs: -offset, abbreviation: posix[1]!.replace(/^<|>$/g, '').toUpperCase() }
    if (/^(?:utc|gmt|<)/.test(lower)) return null
  }
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null
  // IANA's names for UTC itself have no transitions: a fixed zone spares the per-instant Intl lookups.
  if (UTC_ALIASES.has(lower)) return { kind: 'fixed', offsetUs: 0, abbreviation: 'UTC' }
  return ianaZone(name)
}

/** SET TimeZone validation: the zone, or 22023 'invalid value for parameter "TimeZone"' as PostgreSQL. */
export function requireSessionZone(name: string): Zone {
  // PostgreSQL's check_timezone: a plain number is hours east ('+05', '5.5'); any other offset spelling is a POSIX
  // zone whose sign counts west ('-03:30' is 3½ h east).
  const hours = /^\s*[+-]?\d+(?:\.\d+)?\s*$/.test(name) ? Number(name) : null
  if (hours !== null && Math.abs(hours) < 168) return { kind: 'fixed', offsetUs: Math.round(hours * 3600) * 1_000_000 }
  // check_timezone reads zone files only: an abbreviation without one ('PST', 'CEST', 'Z') is not a TimeZone.
  const lower = name.trim().toLowerCase()
  if (ABBREVIATIONS.has(lower) && !SESSION_ABBREVIATIONS.has(lower)) throw invalidParameterValue(`invalid value for parameter "TimeZone": "${name}"`)
  const legacy = LEGACY_ZONE_FILES.has(lower) ? cachedZone(`s${lower}`, () => legacyFileZone(lower)) : null
  if (legacy !== null) return legacy
  const zone = resolveZone(name, true)
  // A POSIX zone with daylight time ('UTC+3XYZ', 'EST5EDT,M3.2.0,M11.1.0'): PostgreSQL takes its rules from posixrules.
  if (zone === null && POSIX_WITH_DAYLIGHT.test(name.trim())) throw featureNotSupportedMessage(`time zone "${name}": POSIX time zones with daylight time are not supported`)
  if (zone === null) throw invalidParameterValue(`invalid value for parameter "TimeZone": "${name}"`)
  return zone
}

const POSIX_WITH_DAYLIGHT = /^(?:[A-Za-z]+|<[^>]+>)[+-]?\d{1,3}(?::\d{1,2}){0,2}(?:[A-Za-z]+|<[^>]+>)/

/**
 * The TimeZone setting's value as PostgreSQL shows it after SET: IANA names in their canonical case
 * ('europe/berlin' → 'Europe/Berlin'), numeric offsets in POSIX form ('+05' → '<+05>-05'); 22023 when unknown.
 */
export function canonicalTimeZone(name: string): string {
  const zone = requireSessionZone(name)
  const trimmed = name.trim()
  if (zone.kind === 'file') return zone.name
  if (zone.kind === 'iana') {
    return zone.name.toLowerCase() === trimmed.toLowerCase() ? zone.name : canonicalCase(trimmed)
  }
  if (!/^[+-]?\d+(?:\.\d+)?$/.test(trimmed)) {
    // A fixed zone with a file ('zulu' → 'Zulu'); a POSIX zone's text upper-cased, as pg_tzset parses it ('utc+3').
    const file = zoneFileName(trimmed)
    if (file !== null) return file
    return ABBREVIATIONS.has(trimmed.toLowerCase()) || /^(?:<[^>]*>|[A-Za-z]+)[+-]?\d/.test(trimmed) ? trimmed.toUpperCase() : trimmed
  }
  const east = zone.offsetUs
  // PostgreSQL's POSIX spelling: '<+05>-05' (5 h east), '<-05:30>+05:30', '<+00>-00'.
  const west = east === 0 ? '-00' : formatOffset(-east)
  return `<${formatOffset(east)}>${west}`
}

/** 'america/st_johns' → 'America/St_Johns': IANA names capitalize each word (ICU may answer with an alias). */
function canonicalCase(name: string): string {
  return name.replace(/[A-Za-z]+/g, (w) => (w.length <= 3 && w === w.toUpperCase() ? w : w[0]?.toUpperCase() + w.slice(1).toLowerCase()))
}

/** Zone named in an expression (AT TIME ZONE, date_trunc's third argument): 22023 'time zone "x" not recognized'. */
export function requireZone(name: string, posixSigns = false): Zone {
  const zone = resolveZone(name, posixSigns)
  if (zone === null) throw invalidParameterValue(`time zone "${name}" not recognized`)
  return zone
}

const MS_MIN = -8.64e15
const MS_MAX = 8.64e15

function ianaOffsetUs(format: Intl.DateTimeFormat, utcUs: number): number {
  // Intl works on whole ms within Date's range; the offset of an instant only depends on its second.
  const ms = Math.min(MS_MAX, Math.max(MS_MIN, Math.floor(utcUs / 1_000_000) * 1000))
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, bc = false
  for (const part of format.formatToParts(ms)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break
      case 'month': month = Number(part.value); break
      case 'day': day = Number(part.value); break
      case 'hour': hour = Number(part.value); break
      case 'minute': minute = Number(part.value); break
      case 'second': second = Number(part.value); break
      case 'era': bc = part.value.startsWith('B'); break
      default: break
    }
  }
  const localMs = (daysFromCivil(bc ? 1 - year : year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000
  return (localMs - ms) * 1000
}

const offsetCache = new Map<string, number>()
const OFFSET_CACHE_MAX = 4096

/** The zone's offset east of UTC at the instant `utcUs`. */
/** The last whole hour answered from offsetCache: consecutive timestamps mostly share it (no key string built). */
let lastHourZone: Zone | null = null
let lastHour = Number.NaN
let lastHourOffset = 0

export function zoneOffsetAt(zone: Zone, utcUs: number): number {
  if (zone.kind === 'fixed') return zone.offsetUs
  if (zone.kind === 'file') return zoneFileTypeAt(zone.name, utcUs)?.offsetUs ?? zoneOffsetAt(zone.after, utcUs)
  // Transitions fall on whole seconds and, in practice, never twice within an hour: an hour whose first and last
  // second have the same offset is cached whole, so a scan over a day costs ~24 Intl lookups, not one per second.
  const hour = Math.floor(utcUs / 3_600_000_000)
  if (zone === lastHourZone && hour === lastHour) return lastHourOffset
  const hourKey = `${zone.name}|h${hour}`
  const hourly = offsetCache.get(hourKey)
  if (hourly !== undefined) {
    lastHourZone = zone
    lastHour = hour
    lastHourOffset = hourly
    return hourly
  }
  const startOffset = ianaOffsetUs(zone.format, hour * 3_600_000_000)
  const endOffset = ianaOffsetUs(zone.format, hour * 3_600_000_000 + 3_599_000_000)
  if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear()
  if (startOffset === endOffset) {
    offsetCache.set(hourKey, startOffset)
    return startOffset
  }
  const key = `${zone.name}|${Math.floor(utcUs / 1_000_000)}`
  const cached = offsetCache.get(key)
  if (cached !== undefined) return cached
  const offset = ianaOffsetUs(zone.format, utcUs)
  offsetCache.set(key, offset)
  return offset
}

/** Offset of a zone given by name (the session TimeZone); 22023 when unknown. */
export function zoneOffsetUs(timeZone: string, utcUs: number): number {
  return zoneOffsetAt(requireSessionZone(timeZone), utcUs)
}

/**
 * Local wall clock (µs since the epoch, as if UTC) → the UTC instant, with PostgreSQL's DetermineTimeZoneOffset:
 * a time skipped by a spring-forward gap is read with the offset before the transition (02:30 in Berlin on
 * 2024-03-31 becomes 03:30+02), and an ambiguous fall-back time takes the offset after it (standard time).
 */
export function localToUtcIn(zone: Zone, localUs: number): number {
  if (zone.kind === 'fixed') return localUs - zone.offsetUs
  const before = zoneOffsetAt(zone, localUs - US_PER_DAY)
  const after = zoneOffsetAt(zone, localUs + US_PER_DAY)
  const beforeValid = zoneOffsetAt(zone, localUs - before) === before
  const afterValid = zoneOffsetAt(zone, localUs - after) === after
  if (afterValid) return localUs - after
  if (beforeValid) return localUs - before
  // Neither: a gap (or two transitions within two days); iterate from the offset before.
  const guess = zoneOffsetAt(zone, localUs - before)
  return before !== after ? localUs - before : localUs - guess
}

export function localToUtc(timeZone: string, localUs: number): number {
  return localToUtcIn(requireSessionZone(timeZone), localUs)
}

export function utcToLocalIn(zone: Zone, utcUs: number): number {
  return utcUs + zoneOffsetAt(zone, utcUs)
}

/** PostgreSQL's offset suffix: '+01', '-03:30', '+00:53:28'. */
export function formatOffset(offsetUs: number): string {
  const seconds = Math.round(Math.abs(offsetUs) / US_PER_SECOND)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const sign = offsetUs < 0 ? '-' : '+'
  return `${sign}${pad(h, 2)}${m !== 0 || s !== 0 ? `:${pad(m, 2)}` : ''}${s !== 0 ? `:${pad(s, 2)}` : ''}`
}

/**
 * The zone's abbreviation at an instant (to_char's TZ): the zone file's, as PostgreSQL's tm_zone ('CET', 'NDT'), where
 * it is known exactly; else Intl's short name, or PostgreSQL's '+05' style for offsets.
 */
export function zoneAbbreviation(zone: Zone, utcUs: number): string {
  if (zone.kind === 'fixed' && zone.abbreviation !== undefined) return zone.abbreviation
  if (zone.kind === 'file') return zoneFileTypeAt(zone.name, utcUs)?.abbreviation ?? zoneAbbreviation(zone.after, utcUs)
  if (zone.kind === 'iana') {
    const known = knownZoneAbbreviation(zone.name, utcUs, zoneOffsetAt(zone, utcUs))
    if (known !== null) return known
    const ms = Math.min(MS_MAX, Math.max(MS_MIN, Math.floor(utcUs / 1000)))
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, timeZoneName: 'short' }).formatToParts(ms)
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? ''
    if (/^[A-Z]{3,5}$/.test(name) && name !== 'GMT') return name
    if (name === 'GMT' || name === 'UTC') return zone.name === 'UTC' || zone.name === 'Etc/UTC' ? 'UTC' : 'GMT'
  }
  return formatOffset(zoneOffsetAt(zone, utcUs))
}
