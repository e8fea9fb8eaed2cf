// src/common/zone-abbreviation: the time-zone abbreviation PostgreSQL prints after a timestamptz in the SQL, German
// and Postgres DateStyles ('PST', 'CEST', '+0530'): tm_zone of pg_localtime, read from the same IANA TZif files
// PostgreSQL reads (the system's /usr/share/zoneinfo, which Debian's PostgreSQL uses). Node's Intl has no exact
// abbreviations (en-US names Berlin 'GMT+1', not 'CET'), so nodedb takes them from TZif and answers only where the
// file's offset at that instant equals the offset nodedb prints with (Intl's): anything else is 0A000, never a guess.
// A zone's file (a few KiB) is read once per process, synchronously, the first time a non-ISO style prints in it.
import fs from 'node:fs'
import path from 'node:path'
import { featureNotSupportedMessage } from './errors.js'

/** One zone's TZif data: transitions (Unix seconds), the local time type after each, types as (offset, name). */
interface ZoneFile {
  readonly transitions: ReadonlyArray<number>
  readonly typeOfTransition: ReadonlyArray<number>
  readonly types: ReadonlyArray<{ readonly offsetSeconds: number; readonly abbreviation: string }>
  /** The footer's POSIX TZ string names, for instants after the last transition: std and (if any) dst. */
  readonly footer: ReadonlyArray<{ readonly offsetSeconds: number; readonly abbreviation: string }>
}

const ZONEINFO = '/usr/share/zoneinfo'
const files = new Map<string, ZoneFile | null>()

function readCounts(bytes: Buffer, at: number): { isut: number; isstd: number; leap: number; time: number; type: number; char: number } {
  const n = (i: number): number => bytes.readUInt32BE(at + 20 + 4 * i)
  return { isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), char: n(5) }
}

/** RFC 8536: the version 2+ block (64-bit times) after the version 1 block, then the footer. */
function parseTzif(bytes: Buffer): ZoneFile | null {
  if (bytes.length < 44 || bytes.toString('latin1', 0, 4) !== 'TZif' || bytes[4] === 0) return null
  const v1 = readCounts(bytes, 0)
  const v1Size = v1.time * 5 + v1.type * 6 + v1.char + v1.leap * 8 + v1.isstd + v1.isut
  const header = 44 + v1Size
  if (bytes.toString('latin1', header, header + 4) !== 'TZif') return null
  const c = readCounts(bytes, header)
  let at = header + 44
  const transitions: number[] = []
  for (let i = 0; i < c.time; i++, at += 8) transitions.push(Number(bytes.readBigInt64BE(at)))
  const typeOfTransition = Array.from(bytes.subarray(at, at + c.time))
  at += c.time
  const charsAt = at + c.type * 6
  const types = []
  for (let i = 0; i < c.type; i++) {
    const start = charsAt + bytes[at + 6 * i + 5]!
    const end = bytes.indexOf(0, start)
    types.push({ offsetSeconds: bytes.readInt32BE(at + 6 * i), abbreviation: bytes.toString('latin1', start, end) })
  }
  at = charsAt + c.char + c.leap * 12 + c.isstd + c.isut
  const footerEnd = bytes.indexOf(0x0a, at + 1)
  const footer = bytes[at] === 0x0a && footerEnd > at ? parsePosixNames(bytes.toString('latin1', at + 1, footerEnd)) : []
  return { transitions, typeOfTransition, types, footer }
}

/** 'CET-1CEST,M3.5.0,M10.5.0/3' → CET +3600 and CEST +7200; '<+0530>-5:30' → '+0530' +19800. */
function parsePosixNames(tz: string): Array<{ offsetSeconds: number; abbreviation: string }> {
  const m = /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})?)?(?:,.*)?$/.exec(tz)
  if (m === null) return []
  const seconds = (text: string): number => {
    const [h = 0, mi = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number)
    return (text.startsWith('-') ? -1 : 1) * (h * 3600 + mi * 60 + s)
  }
  const name = (text: string): string => text.replace(/^<|>$/g, '')
  const std = { offsetSeconds: -seconds(m[2]!), abbreviation: name(m[1]!) }
  if (m[3] === undefined) return [std]
  const dstOffset = m[4] === undefined ? std.offsetSeconds + 3600 : -seconds(m[4])
  return [std, { offsetSeconds: dstOffset, abbreviation: name(m[3]) }]
}

/** The zone file of a TimeZone setting: its path as written, else matched case-insensitively as PostgreSQL does. */
function findZoneFile(name: string): string | null {
  const parts = name.split('/')
  if (parts.some((part) => part === '' || part === '.' || part === '..' || !/^[A-Za-z0-9_+-]+$/.test(part))) return null
  if (fs.existsSync(path.join(ZONEINFO, ...parts))) return path.join(ZONEINFO, ...parts)
  let dir = ZONEINFO
  for (const part of parts) {
    let entries: string[]
    try {
      entries = fs.readdirSync(dir)
    } catch {
      return null
    }
    const found = entries.find((entry) => entry === part) ?? entries.find((entry) => entry.toLowerCase() === part.toLowerCase())
    if (found === undefined) return null
    dir = path.join(dir, found)
  }
  return dir
}

function zoneFile(name: string): ZoneFile | null {
  let file = files.get(name)
  if (file === undefined) {
    const found = findZoneFile(name)
    try {
      file = found === null ? null : parseTzif(fs.readFileSync(found))
    } catch {
      file = null
    }
    files.set(name, file)
  }
  return file
}

/** The abbreviation the zone file gives for an instant (Unix seconds) at that offset, or null without one. */
function fileAbbreviation(file: ZoneFile, seconds: number, offsetSeconds: number): string | null {
  const last = file.transitions[file.transitions.length - 1]
  // Past the last transition the footer's rule decides std or dst: the one with nodedb's offset.
  const type = last !== undefined && seconds >= last && file.footer.length > 0
    ? file.footer.find((t) => t.offsetSeconds === offsetSeconds)
    : typeAt(file, seconds)
  return type !== undefined && type !== null && type.offsetSeconds === offsetSeconds ? type.abbreviation : null
}

/** The local time type in force at `seconds` from the file's transitions; null after the last one (the footer's rule). */
function typeAt(file: ZoneFile, seconds: number): { readonly offsetSeconds: number; readonly abbreviation: string } | null {
  const { transitions } = file
  if (transitions.length === 0 || seconds < transitions[0]!) return file.types[0] ?? null
  if (seconds >= transitions[transitions.length - 1]! && file.footer.length > 0) return file.footer.length === 1 ? file.footer[0]! : null
  let low = 0
  let high = transitions.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (transitions[mid]! <= seconds) low = mid
    else high = mid - 1
  }
  return file.types[file.typeOfTransition[low]!] ?? null
}

/** The zone file's name as the system spells it ('etc/utc' → 'Etc/UTC'), which PostgreSQL shows; null without one. */
export function zoneFileName(name: string): string | null {
  const found = findZoneFile(name)
  return found === null ? null : path.relative(ZONEINFO, found)
}

/** Whether the system has a zone file of this name (matched as PostgreSQL matches a TimeZone setting). */
export function hasZoneFile(name: string): boolean {
  return zoneFile(name) !== null
}

/**
 * The zone file's offset (µs east) and abbreviation at `utcUs`, or null where the file alone does not say: no file,
 * or an instant after its last transition under a footer rule with daylight time (the file lists transitions to 2037).
 */
export function zoneFileTypeAt(name: string, utcUs: number): { readonly offsetUs: number; readonly abbreviation: string } | null {
  const file = zoneFile(name)
  const type = file === null ? null : typeAt(file, Math.floor(utcUs / 1_000_000))
  return type === null ? null : { offsetUs: type.offsetSeconds * 1_000_000, abbreviation: type.abbreviation }
}

/**
 * The abbreviation PostgreSQL prints for the instant `utcUs` in the session zone `timeZone` (the setting's text),
 * where nodedb prints the offset `offsetUs`; 0A000 where nodedb cannot know it exactly.
 */
export function zoneAbbreviationAt(timeZone: string, utcUs: number, offsetUs: number): string {
  const abbreviation = knownZoneAbbreviation(timeZone, utcUs, offsetUs)
  if (abbreviation === null) {
    throw featureNotSupportedMessage(`the abbreviation of time zone "${timeZone}" at this instant (DateStyle other than ISO) is not known exactly to nodedb`)
  }
  return abbreviation
}

/** zoneAbbreviationAt's answer, or null where nodedb cannot know it exactly. */
export function knownZoneAbbreviation(timeZone: string, utcUs: number, offsetUs: number): string | null {
  // A POSIX zone with no daylight part: SET TimeZone to a number (PostgreSQL's own spelling '<+05>-05', whose name
  // is between the brackets) or 'UTC+3', 'gmt-2:30'. pg_tzset parses the name upper-cased, so that is its abbreviation.
  const posix = /^(?:<([^>]+)>|([A-Za-z]+)[+-]?\d{1,3}(?::\d{1,2}){0,2}$)/.exec(timeZone)
  if (posix !== null) return (posix[1] ?? posix[2]!).toUpperCase()
  const file = zoneFile(timeZone)
  return file === null ? null : fileAbbreviation(file, Math.floor(utcUs / 1_000_000), Math.round(offsetUs / 1_000_000))
}
