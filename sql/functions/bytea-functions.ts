// sql/functions/bytea-functions: PostgreSQL 15's binary-string functions and operators over bytea (length,
// octet_length, ||, substring, overlay, btrim/ltrim/rtrim, get_byte/set_byte, get_bit/set_bit, md5 and the sha2
// family, encode / decode in hex, base64 and escape, convert_to / convert_from in UTF8). Values arrive and leave in bytea's hex text form (sql/expr/bytea.ts).
import { createHash } from 'node:crypto'
import { arraySubscriptError, featureNotSupportedMessage, invalidParameterValue, invalidUtf8, substringError } from '../../src/common/errors.js'
import { byteaBytes, decodeEscape, decodeHex, encodeEscape, formatBytea } from '../expr/bytea.js'
import type { ScalarFunction } from './function-def.js'
import { fn, int, str } from './arg-values.js'
import { likeToRegExp } from './posix-regex.js'
import { overlayEnd } from './text-functions.js'

const BASE64_LINE_CHARS = 76

const bytes = (value: unknown): Buffer => byteaBytes(str(value as string))

function encode(data: Buffer, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex': return data.toString('hex')
    // PostgreSQL's base64 breaks lines every 76 characters.
    case 'base64': return (data.toString('base64').match(new RegExp(`.{1,${BASE64_LINE_CHARS}}`, 'g')) ?? []).join('\n')
    case 'escape': return encodeEscape(data)
    default: throw invalidParameterValue(`unrecognized encoding: "${format}"`)
  }
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/[ \t\n\r]/g, '')
  const bad = /[^A-Za-z0-9+/=]/.exec(compact)
  if (bad !== null) throw invalidParameterValue(`invalid symbol "${bad[0]}" found while decoding base64 sequence`)
  if (!/^[A-Za-z0-9+/]*(?:==|=)?$/.test(compact) || compact.length % 4 !== 0) throw invalidParameterValue('invalid base64 end sequence')
  return Buffer.from(compact, 'base64')
}

function decode(text: string, format: string): Buffer {
  switch (format.toLowerCase()) {
    case 'hex': return decodeHex(text)
    case 'base64': return decodeBase64(text)
    case 'escape': return decodeEscape(text)
    default: throw invalidParameterValue(`unrecognized encoding: "${format}"`)
  }
}

/** The encodings convert_to / convert_from take: UTF8 alone (nodedb's server and client encoding). */
function checkUtf8(name: string, role: 'source' | 'destination'): void {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (normalized === 'utf8' || normalized === 'unicode') return
  throw featureNotSupportedMessage(`conversion with ${role} encoding "${name}" is not supported (nodedb converts UTF8 only)`)
}

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true })

/** convert_from(…, 'UTF8'): 22021 naming the first bad byte, as pg_verify_mbstr reports it. */
function utf8Text(data: Buffer): string {
  try {
    return FATAL_UTF8.decode(data)
  } catch {
    const at = data.findIndex((byte) => byte >= 0x80)
    throw invalidUtf8(`0x${(data[at] ?? 0).toString(16).padStart(2, '0')}`)
  }
}

/** substring over bytes (1-based start, optional count), as bytea_substr. */
function substringBytes(data: Buffer, start: number, count?: number): Buffer {
  if (count !== undefined && count < 0) throw substringError('negative substring length not allowed')
  const from = Math.max(start, 1)
  const to = count === undefined ? data.length + 1 : start + count
  return to <= from ? Buffer.alloc(0) : data.subarray(from - 1, to - 1)
}

function getByte(data: Buffer, n: number): number {
  if (n < 0 || n >= data.length) throw arraySubscriptError(`index ${n} out of valid range, 0..${data.length - 1}`)
  return data[n]!
}

/** overlay over bytes, as bytea_overlay. */
function overlayBytes(data: Buffer, placing: Buffer, start: number, count = placing.length): Buffer {
  if (start <= 0) throw substringError('negative substring length not allowed')
  return Buffer.concat([substringBytes(data, 1, start - 1), placing, substringBytes(data, overlayEnd(start, count))])
}

/** get_bit / set_bit index the bits of each byte from its least significant one (byteaGetBit). */
function bitIndex(data: Buffer, n: number): [number, number] {
  if (n < 0 || n >= data.length * 8) throw arraySubscriptError(`index ${n} out of valid range, 0..${data.length * 8 - 1}`)
  return [Math.floor(n / 8), n % 8]
}

function setBit(data: Buffer, n: number, bit: number): Buffer {
  const [byte, shift] = bitIndex(data, n)
  if (bit !== 0 && bit !== 1) throw invalidParameterValue('new bit must be 0 or 1')
  const copy = Buffer.from(data)
  copy[byte] = (copy[byte]! & ~(1 << shift)) | (bit << shift)
  return copy
}

function setByte(data: Buffer, n: number, value: number): Buffer {
  getByte(data, n)
  const copy = Buffer.from(data)
  copy[n] = value & 0xff // the int4 stored into an unsigned char, as byteaSetByte does
  return copy
}

/** btrim / ltrim / rtrim over bytes: drop the bytes found in `set` from the chosen ends (byteatrim). */
function trimBytes(data: Buffer, set: Buffer, left: boolean, right: boolean): Buffer {
  let start = 0
  let end = data.length
  while (left && start < end && set.includes(data[start]!)) start++
  while (right && end > start && set.includes(data[end - 1]!)) end--
  return data.subarray(start, end)
}

/** bytealike: LIKE over bytes ('%' and '_' match bytes, '\\' escapes), each byte read as one latin1 character. */
const byteaLike = (value: unknown, pattern: unknown): boolean => likeToRegExp(bytes(pattern).toString('latin1')).test(bytes(value).toString('latin1'))

export const BYTEA_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  fn('~~', ['bytea', 'bytea'], 'bool', ([b, p]) => byteaLike(b, p)),
  fn('!~~', ['bytea', 'bytea'], 'bool', ([b, p]) => !byteaLike(b, p)),
  fn('length', ['bytea'], 'int4', ([b]) => bytes(b).length),
  fn('octet_length', ['bytea'], 'int4', ([b]) => bytes(b).length),
  fn('bit_length', ['bytea'], 'int4', ([b]) => bytes(b).length * 8),
  fn('||', ['bytea', 'bytea'], 'bytea', ([a, b]) => str(a) + str(b).slice(2)),
  ...['substring', 'substr'].flatMap((name) => [
    fn(name, ['bytea', 'int4'], 'bytea', ([b, start]) => formatBytea(substringBytes(bytes(b), int(start)))),
    fn(name, ['bytea', 'int4', 'int4'], 'bytea', ([b, start, n]) => formatBytea(substringBytes(bytes(b), int(start), int(n)))),
  ]),
  ...([['btrim', true, true], ['ltrim', true, false], ['rtrim', false, true]] as const).map(([name, left, right]) =>
    fn(name, ['bytea', 'bytea'], 'bytea', ([b, set]) => formatBytea(trimBytes(bytes(b), bytes(set), left, right)))),
  fn('get_byte', ['bytea', 'int4'], 'int4', ([b, n]) => getByte(bytes(b), int(n))),
  fn('set_byte', ['bytea', 'int4', 'int4'], 'bytea', ([b, n, v]) => formatBytea(setByte(bytes(b), int(n), int(v)))),
  fn('get_bit', ['bytea', 'int8'], 'int4', ([b, n]) => {
    const data = bytes(b)
    const [byte, shift] = bitIndex(data, int(n))
    return (data[byte]! >> shift) & 1
  }),
  fn('set_bit', ['bytea', 'int8', 'int4'], 'bytea', ([b, n, v]) => formatBytea(setBit(bytes(b), int(n), int(v)))),
  fn('overlay', ['bytea', 'bytea', 'int4', 'int4'], 'bytea', ([b, p, start, n]) => formatBytea(overlayBytes(bytes(b), bytes(p), int(start), int(n)))),
  fn('overlay', ['bytea', 'bytea', 'int4'], 'bytea', ([b, p, start]) => formatBytea(overlayBytes(bytes(b), bytes(p), int(start)))),
  fn('md5', ['bytea'], 'text', ([b]) => createHash('md5').update(bytes(b)).digest('hex')),
  ...['sha224', 'sha256', 'sha384', 'sha512'].map((name) =>
    fn(name, ['bytea'], 'bytea', ([b]) => formatBytea(createHash(name).update(bytes(b)).digest()))),
  fn('encode', ['bytea', 'text'], 'text', ([b, format]) => encode(bytes(b), str(format))),
  fn('decode', ['text', 'text'], 'bytea', ([text, format]) => formatBytea(decode(str(text), str(format)))),
  fn('convert_to', ['text', 'name'], 'bytea', ([text, name]) => { checkUtf8(str(name), 'destination'); return formatBytea(Buffer.from(str(text), 'utf8')) }),
  fn('convert_from', ['bytea', 'name'], 'text', ([b, name]) => { checkUtf8(str(name), 'source'); return utf8Text(bytes(b)) }),
]
