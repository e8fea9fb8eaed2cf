// src/common/uuid: PostgreSQL's uuid — input as uuid_in accepts it (string_to_uuid: 32 hex digits, either case, a
// hyphen allowed after any group of four, optionally in braces), the canonical output (lowercase 8-4-4-4-12), and
// the 16-byte binary form (uuid_send / uuid_recv). nodedb keeps a uuid as its canonical text, whose string order is
// uuid_cmp's byte order. Shared by sql (casts, parameters) and wire (binary output).
import { invalidBinaryRepresentation, invalidTextRepresentation } from './errors.js'

const UUID_BYTES = 16
const HEX = /^[0-9a-fA-F]{2}$/

/** uuid_in: the canonical text of `text`, or 22P02 with PostgreSQL's message. */
export function parseUuid(text: string): string {
  let at = 0
  const braces = text.startsWith('{')
  if (braces) at = 1
  let hex = ''
  for (let i = 0; i < UUID_BYTES; i++) {
    const pair = text.slice(at, at + 2)
    if (!HEX.test(pair)) throw invalidTextRepresentation('uuid', text)
    hex += pair.toLowerCase()
    at += 2
    if (text[at] === '-' && i % 2 === 1 && i < UUID_BYTES - 1) at += 1
  }
  if (braces) {
    if (text[at] !== '}') throw invalidTextRepresentation('uuid', text)
    at += 1
  }
  if (at !== text.length) throw invalidTextRepresentation('uuid', text)
  return canonical(hex)
}

function canonical(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** uuid_send: the 16 bytes of a canonical uuid. */
export function encodeUuidBinary(value: string): Uint8Array {
  return Buffer.from(value.replace(/-/g, ''), 'hex')
}

/** uuid_recv: 16 bytes → the canonical text; 22P03 for any other length. */
export function decodeUuidBinary(bytes: Uint8Array): string {
  if (bytes.byteLength !== UUID_BYTES) throw invalidBinaryRepresentation(`invalid uuid: ${bytes.byteLength} bytes, expected 16`)
  return canonical(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'))
}
